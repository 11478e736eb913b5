/* Civic's small behaviours: the large-text toggle, tree expand/collapse, confirmations. */
(function () {
  "use strict";
  var KEY = "civic-large-font";
  var root = document.documentElement;

  function syncFontButtons() {
    var on = root.classList.contains("large-font");
    document.querySelectorAll("[data-large-font]").forEach(function (b) {
      b.setAttribute("aria-pressed", on ? "true" : "false");
    });
  }

  document.addEventListener("click", function (event) {
    var fontButton = event.target.closest("[data-large-font]");
    if (fontButton) {
      var on = root.classList.toggle("large-font");
      try { localStorage.setItem(KEY, on ? "1" : "0"); } catch (e) { /* private mode */ }
      syncFontButtons();
      return;
    }
    var expand = event.target.closest("[data-expand]");
    if (expand) {
      var box = document.getElementById(expand.getAttribute("aria-controls"));
      var open = expand.getAttribute("aria-expanded") === "true";
      expand.setAttribute("aria-expanded", open ? "false" : "true");
      if (box) { box.hidden = open; }
    }
  });

  // A form, or the button that submits it, may ask first: data-confirm="Really?".
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var message = (button && button.getAttribute("data-confirm")) || event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) { event.preventDefault(); }
  });

  document.addEventListener("DOMContentLoaded", syncFontButtons);
})();
