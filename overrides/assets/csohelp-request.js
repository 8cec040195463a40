/* The request form, enhanced: focus on errors, articles that may answer the subject, no double
   submit. Everything here is optional: the form posts and validates on the server without it. */
(function () {
  "use strict";
  var DRAFT = "csohelp-request-draft";
  var store = null;
  try { store = window.sessionStorage; } catch (e) { store = null; }
  // The request is recorded: what was typed is no longer a draft.
  if (document.querySelector(".csohelp-confirmation[data-sent]") && store) { store.removeItem(DRAFT); }
  var root = document.querySelector(".csohelp-request");
  var form = document.getElementById("req-form");
  if (!root || !form) { return; }

  var summary = document.getElementById("req-errors");

  // --- The number that matters for the type, moved up under the type (the server does the same
  // for the type it knows; without JavaScript every field is still there).
  var typeSelect = document.getElementById("req-request_type");
  var keyFields = JSON.parse(root.getAttribute("data-key-fields") || "{}");
  var keyLabels = JSON.parse(root.getAttribute("data-key-labels") || "{}");
  var keyHelp = root.getAttribute("data-key-help") || "";
  var requestSection = form.querySelector('[data-section="legend_request"]');
  var refsSection = form.querySelector('[data-section="legend_refs"]');
  var REFS = ["references.invoice", "references.order", "contract_number", "references.machine"];

  function setKey(box, isKey, type) {
    var input = box.querySelector("input");
    var label = box.querySelector("label");
    var helpId = input.id + "-help";
    var help = document.getElementById(helpId);
    var described = (input.getAttribute("aria-describedby") || "").split(" ").filter(function (id) {
      return id && id !== helpId;
    });
    box.classList.toggle("csohelp-field--key", isKey);
    if (isKey && !help) {
      help = document.createElement("p");
      help.className = "csohelp-help";
      help.id = helpId;
      help.textContent = keyHelp;
      label.parentNode.insertBefore(help, label.nextSibling);
    } else if (!isKey && help) {
      help.parentNode.removeChild(help);
    }
    if (isKey) { described.unshift(helpId); }
    if (described.length) { input.setAttribute("aria-describedby", described.join(" ")); }
    else { input.removeAttribute("aria-describedby"); }
    var text = label.firstChild;
    if (text && text.nodeType === 3) {
      if (!label.hasAttribute("data-label")) { label.setAttribute("data-label", text.nodeValue); }
      var special = isKey && keyLabels[box.getAttribute("data-field")];
      text.nodeValue = (special && special[type] ? special[type] + " " : label.getAttribute("data-label"));
    }
  }

  function arrange() {
    if (!typeSelect || !requestSection || !refsSection) { return; }
    var key = keyFields[typeSelect.value] || null;
    var typeBox = typeSelect.closest(".csohelp-field");
    REFS.forEach(function (name) {
      var box = form.querySelector('[data-field="' + name + '"]');
      if (!box) { return; }
      if (name === key) { requestSection.insertBefore(box, typeBox.nextSibling); }
      else { refsSection.appendChild(box); }
      setKey(box, name === key, typeSelect.value);
    });
  }

  // --- A draft in this tab's sessionStorage: the other language's form (the header's language
  // link) and a reload get back what was typed. Files cannot be kept this way.
  var SKIP = { csrf_token: 1, idempotency_key: 1, website: 1, topic: 1, kept_attachments: 1, attachments: 1 };
  function draftFields() {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && !SKIP[el.name] && el.type !== "file" && el.type !== "hidden";
    });
  }
  // The preferred language follows the page unless the client chose one.
  var languageChosen = false;
  function saveDraft(event) {
    if (!store) { return; }
    if (event && event.target && event.target.name === "language") { languageChosen = true; }
    var draft = {};
    draftFields().forEach(function (el) {
      if (el.name === "language" && !languageChosen) { return; }
      draft[el.name] = el.type === "checkbox" ? el.checked : el.value;
    });
    try { store.setItem(DRAFT, JSON.stringify(draft)); } catch (e) { /* full or refused: no draft */ }
  }
  function restoreDraft() {
    var draft = null;
    try { draft = store && JSON.parse(store.getItem(DRAFT) || "null"); } catch (e) { draft = null; }
    if (!draft || typeof draft !== "object") { return; }
    languageChosen = "language" in draft;
    draftFields().forEach(function (el) {
      if (!(el.name in draft)) { return; }
      var value = draft[el.name];
      if (el.type === "checkbox") { if (!el.checked && value === true) { el.checked = true; } return; }
      if (typeof value !== "string" || !value) { return; }
      // What the server shows (a post with errors, a topic's type) wins over the draft.
      var isDefault = el.tagName === "SELECT" ? (el.name === "language" || !el.value) : !el.value;
      if (isDefault && (el.tagName !== "SELECT" || el.querySelector('option[value="' + CSS.escape(value) + '"]'))) {
        el.value = value;
      }
    });
  }
  if (!summary) { restoreDraft(); }
  arrange();
  if (typeSelect) { typeSelect.addEventListener("change", arrange); }
  form.addEventListener("input", saveDraft);
  form.addEventListener("change", saveDraft);
  window.csohelpRequest = { saveDraft: saveDraft, draftKey: DRAFT };
  if (summary) { summary.focus(); }

  // --- Files checked before sending (the server checks again, by their bytes).
  var files = document.getElementById("req-attachments");
  var fileError = document.getElementById("req-attachments-error");
  var fileProblems = [];
  var MAGIC = [[0x25, 0x50, 0x44, 0x46, 0x2d], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], [0xff, 0xd8, 0xff]];

  function showFileProblems() {
    if (!fileError) { return; }
    var prefix = files.getAttribute("data-error-prefix") || "";
    while (fileError.firstChild) { fileError.removeChild(fileError.firstChild); }
    fileProblems.forEach(function (message, i) {
      if (i) { fileError.appendChild(document.createElement("br")); }
      var strong = document.createElement("span");
      strong.className = "csohelp-error-prefix";
      strong.textContent = prefix;
      fileError.appendChild(strong);
      fileError.appendChild(document.createTextNode(" " + message));
    });
    fileError.hidden = !fileProblems.length;
    var box = files.closest(".csohelp-field");
    if (box) { box.classList.toggle("csohelp-field--error", !!fileProblems.length); }
    var described = (files.getAttribute("aria-describedby") || "").split(" ").filter(function (id) {
      return id && id !== fileError.id;
    });
    if (fileProblems.length) { described.push(fileError.id); files.setAttribute("aria-invalid", "true"); }
    else { files.removeAttribute("aria-invalid"); }
    files.setAttribute("aria-describedby", described.join(" "));
  }

  function checkFiles() {
    var list = Array.prototype.slice.call(files.files || []);
    var maxFiles = parseInt(files.getAttribute("data-max-files"), 10);
    var maxBytes = parseInt(files.getAttribute("data-max-bytes"), 10);
    var big = [], wrong = [], problems = [];
    return Promise.all(list.map(function (file) {
      if (file.size > maxBytes) { big.push(file.name); return null; }
      if (!file.slice || !file.slice(0, 8).arrayBuffer) { return null; }
      return file.slice(0, 8).arrayBuffer().then(function (buffer) {
        var head = new Uint8Array(buffer);
        var known = MAGIC.some(function (magic) {
          return magic.every(function (byte, i) { return head[i] === byte; });
        });
        if (!known) { wrong.push(file.name); }
      });
    })).then(function () {
      if (big.length) { problems.push(files.getAttribute("data-msg-size").replace("{names}", big.join(", "))); }
      if (wrong.length) { problems.push(files.getAttribute("data-msg-type").replace("{names}", wrong.join(", "))); }
      if (list.length > maxFiles) { problems.push(files.getAttribute("data-msg-count")); }
      fileProblems = problems;
      showFileProblems();
    });
  }
  var checking = null;
  var checked = true;
  if (files && window.Promise) {
    files.addEventListener("change", function () {
      checked = false;
      checking = checkFiles().then(function () { checked = true; });
    });
  }

  form.addEventListener("submit", function (event) {
    if (!checked && checking) {
      // The files' first bytes are still being read: send once they are known to be fine.
      event.preventDefault();
      checking.then(function () {
        if (!fileProblems.length) { form.requestSubmit ? form.requestSubmit() : form.submit(); }
        else { files.focus(); }
      });
      return;
    }
    if (fileProblems.length) {
      // Too large or the wrong type: say so here, keep everything, send nothing.
      event.preventDefault();
      files.focus();
      return;
    }
    saveDraft();
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
