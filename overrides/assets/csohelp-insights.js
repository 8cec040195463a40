/* The owners' loop in the browser (issue 12): which search result was opened, and the popular
   topics list. No cookie, no identifier: a beacon carries the query, its language, the result's
   position and topic, nothing about the reader. */
(function () {
  "use strict";
  var lang = document.documentElement.lang === "en" ? "en" : "fr";

  function beacon(data) {
    var body = JSON.stringify(data);
    if (navigator.sendBeacon) {
      navigator.sendBeacon("/api/search/opened", new Blob([body], {type: "application/json"}));
    } else if (window.fetch) {
      fetch("/api/search/opened", {method: "POST", keepalive: true, body: body,
                                    headers: {"Content-Type": "application/json"}});
    }
  }

  function topicOf(href) {
    var parts = (href || "").split("#")[0].split("?")[0].split("/").filter(Boolean);
    return parts[parts.length - 1] || "";
  }

  // The results page (/search/): a click (or Enter) on a result's link.
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest(".csohelp-results a[href]") : null;
    if (link) {
      var items = Array.prototype.slice.call(document.querySelectorAll(".csohelp-results > li"));
      var query = new URLSearchParams(location.search).get("q") || "";
      beacon({q: query, lang: lang, pos: items.indexOf(link.closest("li")) + 1,
              topic: topicOf(link.getAttribute("href")), source: "page"});
      return;
    }
    var option = event.target.closest ? event.target.closest(".csohelp-search__list [role=option]") : null;
    if (option) suggestion(option);
  }, true);

  // The header type-ahead: a suggestion chosen with the mouse or with the arrows and Enter.
  function suggestion(option) {
    var list = option.closest("[role=listbox]") || option.parentNode;
    var options = Array.prototype.slice.call(list.querySelectorAll("[role=option]"));
    var input = document.querySelector(".csohelp-search__input");
    var href = option.getAttribute("data-href") || "";
    if (!input || !href || option.className.indexOf("--all") >= 0) return;  // "all results": the page records
    beacon({q: input.value, lang: lang, pos: options.indexOf(option) + 1, topic: topicOf(href),
            hits: options.length, source: "suggest"});
  }
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !event.target.matches || !event.target.matches(".csohelp-search__input")) return;
    var active = document.querySelector(".csohelp-search__list .csohelp-search__option--active");
    if (active) suggestion(active);
  }, true);

  // Popular topics: any [data-csohelp-popular] (a heading followed by a list, or a box holding
  // one) shows the most read topics of the last 30 days when there are enough views; otherwise
  // the list the build wrote (faq/categories.yaml most_asked) stays as it is.
  var slots = document.querySelectorAll("[data-csohelp-popular]");
  if (!slots.length || !window.fetch) return;
  fetch("/api/popular?lang=" + lang, {headers: {"Accept": "application/json"}})
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (data) {
      if (!data || !data.topics.length) return;
      Array.prototype.forEach.call(slots, function (slot) {
        var list = /^H\d$/.test(slot.tagName) ? slot.nextElementSibling : slot.querySelector("ul, ol");
        if (data.source !== "views" && list) return;
        if (!list || !/^(UL|OL)$/.test(list.tagName)) {
          list = document.createElement("ul");
          slot.appendChild(list);
        }
        list.textContent = "";
        slot.hidden = false;
        data.topics.forEach(function (topic) {
          var li = document.createElement("li");
          var a = document.createElement("a");
          a.href = topic.url;
          a.textContent = topic.title;
          li.appendChild(a);
          list.appendChild(li);
        });
      });
    }, function () { /* the static list stays */ });
})();
