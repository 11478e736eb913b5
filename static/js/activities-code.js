/* The organizer's sign-in code: a new code every 30 seconds. The page holds the first one;
   this asks data-code-url (JSON: open, image, link, refresh_in) for the next one when it is
   due, and again a few seconds later if the network fails. */
(function () {
  "use strict";
  var RETRY_SECONDS = 5;

  function start(box) {
    var url = box.getAttribute("data-code-url");
    var image = box.querySelector("[data-code-image]");
    var link = box.querySelector("[data-code-link]");
    var status = box.querySelector("[data-code-status]");
    var first = parseInt(box.getAttribute("data-refresh-in") || "30", 10);
    var timer = null;

    function later(seconds) {
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, Math.max(1, seconds) * 1000);
    }

    function refresh() {
      fetch(url, { credentials: "same-origin", cache: "no-store", headers: { "Accept": "application/json" } })
        .then(function (response) {
          if (!response.ok) { throw new Error(String(response.status)); }
          return response.json();
        })
        .then(function (data) {
          if (!data.open) {
            box.classList.add("closed");
            if (status) { status.textContent = data.message || ""; }
            return;
          }
          image.setAttribute("src", data.image);
          box.setAttribute("data-window", String(data.window));
          if (link) { link.textContent = data.link; }
          box.classList.remove("stale");
          later(data.refresh_in);
        })
        .catch(function () {
          box.classList.add("stale");
          later(RETRY_SECONDS);
        });
    }

    later(isNaN(first) ? 30 : first);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-code]").forEach(start);
  });
})();
