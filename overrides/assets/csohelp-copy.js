/* "Copier le lien pour une réponse / Copy link for a reply" on topic pages.
   Upgrades each .csohelp-copy block (csohelp/templates/pages/_copy.md.j2) with a button that copies
   the French title and short link, then the English title and short link, as plain text; the
   format is csohelp/links.py snippet_text (tests/test_links.py compares them). The links are
   absolute, on this site's origin. A status line (role=status) says whether it worked.
   An external file, not inline script, so that a strict Content-Security-Policy holds. */
(function () {
  "use strict";

  var SEPARATOR = { fr: "\u00a0: ", en: ": " };

  function shortLink(id, lang) {
    return location.origin + "/a/" + encodeURIComponent(id) + "?lang=" + lang;
  }

  function snippet(block) {
    var id = block.getAttribute("data-topic");
    return ["fr", "en"].map(function (lang) {
      return block.getAttribute("data-" + lang + "-title") + SEPARATOR[lang] + shortLink(id, lang);
    }).join("\n");
  }

  function copyWithSelection(text) {
    // Without the Clipboard API (a page served over plain http from another host): a hidden
    // textarea and the older copy command.
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "csohelp-copy__buffer";
    document.body.appendChild(area);
    area.select();
    var done = false;
    try { done = document.execCommand("copy"); } catch (error) { done = false; }
    document.body.removeChild(area);
    return done ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }

  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () { return copyWithSelection(text); });
    }
    return copyWithSelection(text);
  }

  function upgrade(block) {
    if (block.getAttribute("data-ready")) return;
    block.setAttribute("data-ready", "1");
    var id = block.getAttribute("data-topic");
    // Show the absolute links that the button copies.
    Array.prototype.forEach.call(block.querySelectorAll("a[data-lang]"), function (link) {
      link.href = shortLink(id, link.getAttribute("data-lang"));
      link.textContent = link.href;
    });
    var button = document.createElement("button");
    button.type = "button";
    button.className = "md-button csohelp-copy__button";
    button.textContent = block.getAttribute("data-label");
    var status = document.createElement("p");
    status.className = "csohelp-copy__status";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    button.addEventListener("click", function () {
      status.textContent = "";
      copy(snippet(block)).then(function () {
        status.textContent = block.getAttribute("data-done");
        status.setAttribute("data-state", "done");
      }, function () {
        status.textContent = block.getAttribute("data-failed");
        status.setAttribute("data-state", "failed");
        var links = block.querySelector(".csohelp-copy__snippet");
        if (links) window.getSelection().selectAllChildren(links);
      });
    });
    var intro = block.querySelector(".csohelp-copy__intro");
    block.insertBefore(button, intro ? intro.nextSibling : block.firstChild);
    block.appendChild(status);
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll(".csohelp-copy"), upgrade);
  }

  // Material announces each page (also after instant navigation) through document$.
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(init);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
