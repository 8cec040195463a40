/* The header search box: results from our search API as you type (debounced), arrows to move,
   Enter to open the chosen topic (or, with none chosen, the results page), Escape to close.
   Without JavaScript the same form still submits to the results page. */
(function () {
  "use strict";
  var form = document.querySelector("form.csohelp-search");
  if (!form || !window.fetch) return;
  var input = form.querySelector(".csohelp-search__input");
  var list = form.querySelector(".csohelp-search__list");
  var status = form.querySelector("[data-csohelp-search-status]");
  var lang = form.getAttribute("data-lang") === "en" ? "en" : "fr";
  var words = lang === "fr"
    ? { all: "Tous les résultats pour « {q} »", none: "Aucun sujet suggéré", some: "{n} sujets suggérés" }
    : { all: "All results for “{q}”", none: "No suggested topic", some: "{n} suggested topics" };
  var DELAY = 150;
  var items = [];
  var active = -1;
  var timer = null;
  var sequence = 0;
  var controller = null;

  // Into the header, before the language switcher (the form is rendered at the end of the page).
  var header = document.querySelector(".md-header__inner");
  if (header) {
    var option = header.querySelector(".md-header__option");
    header.insertBefore(form, option || null);
    form.classList.add("csohelp-search--header");
  }

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
      li.id = "csohelp-search-option-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.className = "csohelp-search__option" + (item.all ? " csohelp-search__option--all" : "");
      // The title as plain text, no link inside: an option holding a link is a nested
      // interactive control (axe nested-interactive); clicks and Enter navigate instead.
      li.dataset.href = item.url;
      li.textContent = item.title;
      list.appendChild(li);
    });
    status.textContent = suggestions.length
      ? words.some.replace("{n}", suggestions.length) : words.none;
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
})();
