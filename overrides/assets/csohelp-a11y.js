/* Keyboard access to Material's navigation drawer: its menu button is a <label> for a hidden
   checkbox, which the Tab key never reaches. Put a real <button> in its place (same look, named
   in the page's language, aria-expanded kept in step); without JavaScript the label stays. */
(function () {
  "use strict";
  var fr = document.documentElement.lang === "fr";
  var toggle = document.getElementById("__drawer");
  var label = document.querySelector('label.md-header__button[for="__drawer"]');
  if (!toggle || !label) return;
  var button = document.createElement("button");
  button.type = "button";
  button.className = "md-header__button md-icon csohelp-drawer-button";
  button.innerHTML = label.innerHTML;
  button.setAttribute("aria-label", fr ? "Menu de navigation" : "Navigation menu");
  button.setAttribute("aria-controls", "__drawer");
  label.parentNode.insertBefore(button, label);
  label.classList.add("csohelp-replaced");

  function sync() { button.setAttribute("aria-expanded", toggle.checked ? "true" : "false"); }
  function set(open) {
    toggle.checked = open;
    toggle.dispatchEvent(new Event("change"));
    sync();
  }
  sync();
  toggle.addEventListener("change", sync);
  button.addEventListener("click", function () { set(!toggle.checked); });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && toggle.checked) {
      set(false);
      button.focus();
    }
  });
})();
