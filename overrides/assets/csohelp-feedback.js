/* "Was this article helpful?" without a reload (issue 12). Without JavaScript the two forms post
   to /feedback and come back to the topic; with it, the same votes go to /api/feedback as JSON.
   Any answer other than 201 or 422 falls back to the plain form post, so a vote is never lost. */
(function () {
  "use strict";
  var box = document.querySelector(".csohelp-feedback");
  if (!box || !window.fetch) return;
  var lang = box.getAttribute("data-lang") || "fr";
  var topic = box.getAttribute("data-topic");
  var status = box.querySelector(".csohelp-feedback__status");
  var why = box.querySelector(".csohelp-feedback__why");
  var thanks = box.querySelector(".csohelp-feedback__thanks");

  function show(step) {
    box.classList.remove("csohelp-feedback--why", "csohelp-feedback--thanks");
    box.classList.add("csohelp-feedback--" + step);
    var target = step === "why" ? why.querySelector("legend") : thanks;
    if (step === "why") {
      status.textContent = lang === "fr" ? "Vote enregistré." : "Vote saved.";
      var first = why.querySelector("input[type=radio]");
      if (first) first.focus();
    } else {
      status.textContent = "";
      target.focus();
    }
  }

  function send(form, body) {
    return fetch("/api/feedback?lang=" + lang, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "Accept": "application/json"},
      body: JSON.stringify(body)
    }).then(function (response) {
      if (response.status === 201) return true;
      if (response.status === 422) {
        return response.json().then(function (data) {
          var errors = data.errors || {};
          status.textContent = data.error + " " + Object.keys(errors).map(function (k) { return errors[k]; }).join(" ");
          return false;
        });
      }
      form.submit();  // rate limit, store down, anything else: the server's own page explains
      return false;
    }, function () { form.submit(); return false; });
  }

  box.querySelector(".csohelp-feedback__vote").addEventListener("submit", function (event) {
    var button = event.submitter;
    if (!button || !button.value) return;  // an old browser: the plain post works
    event.preventDefault();
    var helpful = button.value === "true";
    var buttons = this.querySelectorAll("button");
    for (var i = 0; i < buttons.length; i++) buttons[i].setAttribute("aria-pressed", String(buttons[i] === button));
    send(this, {topic: topic, lang: lang, helpful: helpful}).then(function (ok) {
      if (ok) show(helpful ? "thanks" : "why");
    });
  });

  why.addEventListener("submit", function (event) {
    event.preventDefault();
    var chosen = why.querySelector("input[name=reason]:checked");
    var comment = why.querySelector("textarea").value.trim();
    var body = {topic: topic, lang: lang, helpful: false};
    if (chosen) body.reason = chosen.value;
    if (comment) body.comment = comment;
    send(why, body).then(function (ok) { if (ok) show("thanks"); });
  });
})();
