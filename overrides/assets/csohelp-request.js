/* The request form, enhanced: focus on errors, articles that may answer the subject, no double
   submit. Everything here is optional: the form posts and validates on the server without it. */
(function () {
  "use strict";
  var root = document.querySelector(".csohelp-request");
  var form = document.getElementById("req-form");
  if (!root || !form) { return; }

  var summary = document.getElementById("req-errors");
  if (summary) { summary.focus(); }

  form.addEventListener("submit", function () {
    var button = form.querySelector("button[type=submit]");
    // The idempotency key already makes a second post harmless; this spares the round trip.
    if (button) { window.setTimeout(function () { button.disabled = true; }, 0); }
  });

  var subject = document.getElementById("req-subject");
  var box = document.getElementById("req-suggest");
  if (!subject || !box || !window.fetch) { return; }
  var lang = root.getAttribute("data-lang") || "fr";
  var title = root.getAttribute("data-suggest-title") || "";
  var timer = null;
  var pending = null;
  var lastQuery = "";

  function show(items) {
    while (box.firstChild) { box.removeChild(box.firstChild); }
    if (!items.length) { return; }
    var heading = document.createElement("h2");
    heading.textContent = title;
    var list = document.createElement("ul");
    items.slice(0, 3).forEach(function (item) {
      if (!item || typeof item.url !== "string" || item.url.charAt(0) !== "/") { return; }
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = item.url;
      a.textContent = item.title;
      a.target = "_blank";
      a.rel = "noopener";
      li.appendChild(a);
      list.appendChild(li);
    });
    box.appendChild(heading);
    box.appendChild(list);
  }

  function lookUp() {
    var query = subject.value.trim();
    if (query === lastQuery) { return; }
    lastQuery = query;
    if (pending) { pending.abort(); }
    if (query.length < 3) { show([]); return; }
    pending = new AbortController();
    var url = "/api/suggest?q=" + encodeURIComponent(query) + "&lang=" + encodeURIComponent(lang);
    fetch(url, { signal: pending.signal, headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { suggestions: [] }; })
      .then(function (data) { show((data && data.suggestions) || []); })
      .catch(function () { /* aborted or offline: the form works without suggestions */ });
  }

  subject.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(lookUp, 250);
  });
  if (subject.value) { lookUp(); }
})();
