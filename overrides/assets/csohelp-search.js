/* The search boxes (the header's, and the home page's hero box): results from our search API as
   you type (debounced), arrows to move, Enter to open the chosen topic (or, with none chosen, the
   results page), Escape to close. Without JavaScript the same forms still submit to the results
   page. */
(function () {
  "use strict";
  if (!window.fetch) return;
  var WORDS = {
    fr: { all: "Tous les résultats pour «\u00a0{q}\u00a0»", none: "Aucun sujet suggéré",
          one: "1 sujet suggéré", some: "{n} sujets suggérés" },
    en: { all: "All results for “{q}”", none: "No suggested topic",
          one: "1 suggested topic", some: "{n} suggested topics" }
  };

  // The header's form is rendered at the end of the page: into the header, before the language
  // link. A page with a hero box says so, so that phones show only that one.
  var headerForm = document.querySelector("form.csohelp-search:not(.csohelp-search--hero)");
  var header = document.querySelector(".md-header__inner");
  if (headerForm && header) {
    var option = header.querySelector(".md-header__option");
    header.insertBefore(headerForm, option || null);
    headerForm.classList.add("csohelp-search--header");
  }
  if (document.querySelector("form.csohelp-search--hero")) {
    document.documentElement.classList.add("csohelp-has-hero");
  }
  Array.prototype.forEach.call(document.querySelectorAll("form.csohelp-search"), upgrade);

  function upgrade(form) {
  var input = form.querySelector(".csohelp-search__input");
  var list = form.querySelector(".csohelp-search__list");
  var status = form.querySelector("[data-csohelp-search-status]");
  if (!input || !list || !status) return;
  var lang = form.getAttribute("data-lang") === "en" ? "en" : "fr";
  var words = WORDS[lang];
  var DELAY = 150;
  var items = [];
  var active = -1;
  var timer = null;
  var sequence = 0;
  var controller = null;

  function setOpen(open) {
    list.hidden = !open;
    input.setAttribute("aria-expanded", open ? "true" : "false");
    if (!open) setActive(-1);
  }

  function setActive(index) {
    active = index;
    var options = list.querySelectorAll("[role=option]");
    for (var i = 0; i < options.length; i++) {
      var on = i === index;
      options[i].setAttribute("aria-selected", on ? "true" : "false");
      options[i].classList.toggle("csohelp-search__option--active", on);
    }
    if (index >= 0 && options[index]) {
      input.setAttribute("aria-activedescendant", options[index].id);
      options[index].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function render(query, suggestions) {
    list.textContent = "";
    items = suggestions.map(function (s) { return { title: s.title, url: s.url }; });
    items.push({ title: words.all.replace("{q}", query), url: form.action + "?q=" + encodeURIComponent(query), all: true });
    items.forEach(function (item, i) {
      var li = document.createElement("li");
      li.id = list.id + "-option-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.className = "csohelp-search__option" + (item.all ? " csohelp-search__option--all" : "");
      // The title as plain text, no link inside: an option holding a link is a nested
      // interactive control (axe nested-interactive); clicks and Enter navigate instead.
      li.dataset.href = item.url;
      li.textContent = item.title;
      list.appendChild(li);
    });
    var n = suggestions.length;
    status.textContent = n === 0 ? words.none : n === 1 ? words.one : words.some.replace("{n}", n);
    setActive(-1);  // a new list: no stale choice from the previous one
    setOpen(true);
  }

  function lookup() {
    var query = input.value.trim();
    var mine = ++sequence;
    if (controller) controller.abort();
    if (!query) { setOpen(false); return; }
    controller = window.AbortController ? new AbortController() : null;
    var url = "/api/suggest?lang=" + lang + "&limit=6&q=" + encodeURIComponent(query.slice(0, 500));
    fetch(url, { signal: controller ? controller.signal : undefined, headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
      .then(function (data) { if (mine === sequence) render(query, data.suggestions || []); })
      .catch(function () { /* aborted or offline: the form still submits to the results page */ });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(lookup, DELAY);
  });

  input.addEventListener("keydown", function (event) {
    var open = !list.hidden && items.length > 0;
    if (event.key === "ArrowDown" || event.key === "Down") {
      event.preventDefault();
      if (!open) { if (items.length) setOpen(true); else lookup(); return; }
      setActive(active + 1 >= items.length ? 0 : active + 1);
    } else if (event.key === "ArrowUp" || event.key === "Up") {
      if (!open) return;
      event.preventDefault();
      setActive(active <= 0 ? items.length - 1 : active - 1);
    } else if (event.key === "Enter") {
      if (open && active >= 0) {
        event.preventDefault();
        window.location.assign(items[active].url);
      }
      // No choice made: the form submits to the results page.
    } else if (event.key === "Escape" || event.key === "Esc") {
      if (open) { event.preventDefault(); setOpen(false); }
      else if (input.value) { event.preventDefault(); input.value = ""; }
    }
  });

  // Keep the focus in the box while a suggestion is clicked; close when focus leaves the form.
  list.addEventListener("mousedown", function (event) { event.preventDefault(); });
  list.addEventListener("click", function (event) {
    var option = event.target.closest ? event.target.closest("[role=option]") : null;
    if (option && option.dataset.href) window.location.assign(option.dataset.href);
  });
  form.addEventListener("focusout", function (event) {
    if (!form.contains(event.relatedTarget)) setOpen(false);
  });
  input.addEventListener("focus", function () { if (items.length && input.value.trim()) setOpen(true); });
  }
})();
