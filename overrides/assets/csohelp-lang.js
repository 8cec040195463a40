/* The language link keeps the reader's context (issue 11): on the results page the query
   (/search/?q=facture -> /en/search/?q=facture), on the request form its topic and what was typed
   (carried in sessionStorage, restored once on the other language's form), and the reading
   position: the same heading of the same page, which has the same structure in both languages.
   Also, for print, each link of the content gets its absolute address (printed after it by
   csohelp.css). Without JavaScript the link still opens the other language's page. */
(function () {
  "use strict";
  var KEY = "csohelp-carry";
  var MAX_AGE = 10 * 60 * 1000;
  var SKIP = { hidden: 1, file: 1, password: 1, submit: 1, button: 1, reset: 1, image: 1 };

  function content() { return document.querySelector(".md-content") || document.body; }

  function headings() {
    return Array.prototype.slice.call(content().querySelectorAll("h1, h2, h3"));
  }

  function position() {
    var list = headings();
    var index = -1;
    for (var i = 0; i < list.length; i++) {
      if (list[i].getBoundingClientRect().top <= 80) index = i; else break;
    }
    var top = index >= 0 ? list[index].getBoundingClientRect().top : 0;
    var height = document.documentElement.scrollHeight - window.innerHeight;
    return { index: index, offset: top, count: list.length, y: window.scrollY,
             ratio: height > 0 ? window.scrollY / height : 0 };
  }

  function formValues(form) {
    var values = [];
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name || SKIP[field.type] || field.disabled) return;
      // Only what the reader changed: defaults belong to the page (and its language).
      if (field.type === "radio" || field.type === "checkbox") {
        if (field.checked !== field.defaultChecked && field.checked) values.push([field.name, field.value, "checked"]);
      } else if (field.tagName === "SELECT") {
        var chosen = field.options[field.selectedIndex];
        if (chosen && !chosen.defaultSelected) values.push([field.name, field.value, "value"]);
      } else if (field.value && field.value !== field.defaultValue) {
        values.push([field.name, field.value, "value"]);
      }
    });
    return values;
  }

  function onSwitch(event) {
    var link = event.currentTarget;
    var target = new URL(link.href, location.href);
    var here = new URLSearchParams(location.search);
    here.delete("sent");
    var form = content().querySelector("form.csohelp-request-form");
    if (/\/search\/$/.test(location.pathname) || form) {
      here.forEach(function (value, name) { target.searchParams.set(name, value); });
    }
    var carry = { path: target.pathname, time: Date.now(), scroll: position() };
    if (form) {
      var topic = form.querySelector("[name=topic]");
      if (topic && topic.value) target.searchParams.set("topic", topic.value);
      carry.values = formValues(form);
    }
    try { sessionStorage.setItem(KEY, JSON.stringify(carry)); } catch (error) { /* private mode */ }
    event.preventDefault();
    window.location.assign(target.toString());
  }

  function restoreForm(values) {
    var form = content().querySelector("form.csohelp-request-form");
    if (!form || !values) return;
    values.forEach(function (entry) {
      var fields = form.querySelectorAll('[name="' + entry[0].replace(/"/g, "") + '"]');
      Array.prototype.forEach.call(fields, function (field) {
        if (SKIP[field.type]) return;
        if (entry[2] === "checked") {
          if (field.value === entry[1]) field.checked = true; else return;
        } else if (field.tagName === "SELECT") {
          var known = Array.prototype.some.call(field.options, function (o) { return o.value === entry[1]; });
          if (!known) return;
          field.value = entry[1];
        } else {
          field.value = entry[1];
        }
        field.dispatchEvent(new Event("change", { bubbles: true }));
      });
    });
  }

  function restoreScroll(scroll) {
    if (!scroll) return;
    var list = headings();
    if (list.length === scroll.count && scroll.index >= 0) {
      var top = list[scroll.index].getBoundingClientRect().top + window.scrollY - scroll.offset;
      window.scrollTo(0, Math.max(0, top));
    } else if (scroll.y > 0 && list.length === scroll.count) {
      window.scrollTo(0, scroll.ratio * (document.documentElement.scrollHeight - window.innerHeight));
    }
  }

  function restore() {
    var raw = null;
    try { raw = sessionStorage.getItem(KEY); } catch (error) { return; }
    if (!raw) return;
    var carry;
    try { carry = JSON.parse(raw); } catch (error) { carry = null; }
    try { sessionStorage.removeItem(KEY); } catch (error) { /* ignore */ }
    if (!carry || carry.path !== location.pathname || Date.now() - carry.time > MAX_AGE) return;
    restoreForm(carry.values);
    restoreScroll(carry.scroll);
  }

  function printAddresses() {
    Array.prototype.forEach.call(content().querySelectorAll("article a[href]"), function (a) {
      var href = a.getAttribute("href");
      if (!href || /^(#|tel:|mailto:|javascript:)/i.test(href)) return;
      if (a.textContent.trim() === a.href || a.textContent.trim() === href) return;
      a.setAttribute("data-print-href", a.href);
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("a.csohelp-lang__link"), function (link) {
    link.addEventListener("click", onSwitch);
  });
  printAddresses();
  if (document.readyState === "complete") restore();
  else window.addEventListener("load", restore);
})();
