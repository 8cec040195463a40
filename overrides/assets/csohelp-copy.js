/* "Copier le lien / Copy link" on topic pages, for agents' replies. Upgrades each .csohelp-copy
   block (csohelp/templates/pages/_copy.md.j2) with a small button that copies the topic's title and
   short link in the page's language, then in the other language: as plain text (the format of
   csohelp/links.py format_links "text") and as HTML with the titles linked (format "html"), so a
   rich-text editor pastes links. The links are absolute, on this site's origin. A status line
   (role=status) says whether it worked. ?agent=1 unfolds the short links.
   An external file, not inline script, so that a strict Content-Security-Policy holds. */
(function () {
  "use strict";

  var SEPARATOR = { fr: "\u00a0: ", en: ": " };

  function shortLink(id, lang) {
    return location.origin + "/a/" + encodeURIComponent(id) + "?lang=" + lang;
  }

  function escapeHtml(text) {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&#x27;");
  }

  function languages() {
    var page = document.documentElement.lang === "en" ? "en" : "fr";
    return page === "en" ? ["en", "fr"] : ["fr", "en"];
  }

  function snippet(block) {
    var id = block.getAttribute("data-topic");
    var langs = languages();
    var text = langs.map(function (lang) {
      return block.getAttribute("data-" + lang + "-title") + SEPARATOR[lang] + shortLink(id, lang);
    }).join("\n");
    var html = langs.map(function (lang) {
      return '<a href="' + escapeHtml(shortLink(id, lang)) + '" hreflang="' + lang + '" lang="' + lang + '">' +
        escapeHtml(block.getAttribute("data-" + lang + "-title")) + "</a>";
    }).join("<br>\n");
    return { text: text, html: html };
  }

  function copyWithEvent(data) {
    // Without the async Clipboard API (plain http from another host, or no permission): the copy
    // command, with a handler that puts both flavours on the clipboard.
    var done = false;
    function onCopy(event) {
      event.clipboardData.setData("text/plain", data.text);
      event.clipboardData.setData("text/html", data.html);
      event.preventDefault();
      done = true;
    }
    document.addEventListener("copy", onCopy);
    try { document.execCommand("copy"); } catch (error) { done = false; }
    document.removeEventListener("copy", onCopy);
    return done ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }

  function copy(data) {
    if (navigator.clipboard && window.isSecureContext && window.ClipboardItem) {
      var item = new window.ClipboardItem({
        "text/plain": new Blob([data.text], { type: "text/plain" }),
        "text/html": new Blob([data.html], { type: "text/html" })
      });
      return navigator.clipboard.write([item]).catch(function () { return copyWithEvent(data); });
    }
    return copyWithEvent(data);
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
    var details = block.querySelector("details");
    if (details && /(^|[?&])agent=1(&|$)/.test(location.search.slice(1))) details.open = true;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "csohelp-copy__button";
    button.textContent = block.getAttribute("data-label");
    var status = document.createElement("span");
    status.className = "csohelp-copy__status";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    button.addEventListener("click", function () {
      status.textContent = "";
      status.removeAttribute("data-state");
      copy(snippet(block)).then(function () {
        status.textContent = block.getAttribute("data-done");
        status.setAttribute("data-state", "done");
      }, function () {
        status.textContent = block.getAttribute("data-failed");
        status.setAttribute("data-state", "failed");
        if (details) details.open = true;
        var links = block.querySelector(".csohelp-copy__snippet");
        if (links) window.getSelection().selectAllChildren(links);
      });
    });
    block.insertBefore(button, block.firstChild);
    block.insertBefore(status, button.nextSibling);
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
