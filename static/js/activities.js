/* Activities: small behaviours of the activity pages. A button with data-print prints the page. */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) { window.print(); }
  });
})();
