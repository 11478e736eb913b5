/* Civic's small behaviours: the large-text toggle, the menu button, tree expand/collapse,
   confirmations, and tables as cards on a phone. */
(function () {
  "use strict";
  var KEY = "civic-large-font";
  var root = document.documentElement;
  var PHONE = window.matchMedia ? window.matchMedia("(max-width: 639.98px)") : null;

  function syncFontButtons() {
    var on = root.classList.contains("large-font");
    document.querySelectorAll("[data-large-font]").forEach(function (b) {
      b.setAttribute("aria-pressed", on ? "true" : "false");
    });
  }

  // The menu button folds the navigation on a phone: <button data-menu aria-controls="site-menu">.
  function setMenu(button, open) {
    var menu = document.getElementById(button.getAttribute("aria-controls"));
    button.setAttribute("aria-expanded", open ? "true" : "false");
    if (menu) { menu.classList.toggle("open", open); }
  }

  document.addEventListener("click", function (event) {
    var fontButton = event.target.closest("[data-large-font]");
    if (fontButton) {
      var on = root.classList.toggle("large-font");
      try { localStorage.setItem(KEY, on ? "1" : "0"); } catch (e) { /* private mode */ }
      syncFontButtons();
      return;
    }
    var menuButton = event.target.closest("[data-menu]");
    if (menuButton) {
      setMenu(menuButton, menuButton.getAttribute("aria-expanded") !== "true");
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

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    document.querySelectorAll("[data-menu][aria-expanded=true]").forEach(function (button) {
      setMenu(button, false);
      button.focus();
    });
  });

  // A form, or the button that submits it, may ask first: data-confirm="Really?".
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var message = (button && button.getAttribute("data-confirm")) || event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) { event.preventDefault(); }
  });

  // Tables as cards (static/css/civic.css): each cell of a <table class="cards"> without a
  // data-label takes its column's header; a table that does not fit a phone's width becomes
  // cards too.
  function headers(table) {
    var row = table.tHead && table.tHead.rows[table.tHead.rows.length - 1];
    var labels = [];
    if (!row) { return labels; }
    Array.prototype.forEach.call(row.cells, function (cell) {
      var text = cell.textContent.replace(/\s+/g, " ").trim();
      for (var i = 0; i < (cell.colSpan || 1); i++) { labels.push(text); }
    });
    return labels;
  }

  function label(table) {
    var labels = headers(table);
    Array.prototype.forEach.call(table.tBodies, function (body) {
      Array.prototype.forEach.call(body.rows, function (row) {
        var column = 0;
        Array.prototype.forEach.call(row.cells, function (cell) {
          if (!cell.hasAttribute("data-label") && cell.colSpan < labels.length) {
            cell.setAttribute("data-label", labels[column] || "");
          }
          column += cell.colSpan || 1;
        });
      });
    });
  }

  // A table does not fit when it is wider than its box, or when its columns are so narrow
  // that a header wraps to three lines or more.
  function tooNarrow(table) {
    var box = table.parentElement;
    if (box && table.offsetWidth > box.clientWidth + 1) { return true; }
    return Array.prototype.some.call(table.tHead.querySelectorAll("th"), function (th) {
      var line = parseFloat(window.getComputedStyle(th).lineHeight) || 24;
      return th.textContent.trim() && th.clientHeight > 2.6 * line + 16;
    });
  }

  function fitTables(scope) {
    scope.querySelectorAll("table").forEach(function (table) {
      if (!table.classList.contains("cards") && PHONE && PHONE.matches && table.tHead && tooNarrow(table)) {
        table.classList.add("cards", "cards-fitted");
      }
      if (table.classList.contains("cards")) { label(table); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    syncFontButtons();
    fitTables(document);
  });
  document.addEventListener("htmx:load", function (event) { fitTables(event.target); });
})();
