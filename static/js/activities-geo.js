/* The scan page, where the activity's place is checked: ask the browser for the phone's
   position and put it in the form's hidden latitude/longitude fields. A sign-in sent before
   the answer waits for it a few seconds; without a position the sign-in is still recorded
   (and flagged for review). */
(function () {
  "use strict";
  var WAIT_MS = 8000;

  function start(form) {
    var lat = form.querySelector("input[name=latitude]");
    var lon = form.querySelector("input[name=longitude]");
    var status = form.querySelector("[data-geo-status]");
    var pending = true;
    var waiting = null;

    function say(text) { if (status && text) { status.textContent = text; } }

    function done() {
      pending = false;
      if (waiting) {
        var submitter = waiting;
        waiting = null;
        form.requestSubmit(submitter);
      }
    }

    if (!navigator.geolocation) {
      say(form.getAttribute("data-geo-none"));
      pending = false;
      return;
    }
    say(form.getAttribute("data-geo-asking"));
    navigator.geolocation.getCurrentPosition(
      function (position) {
        lat.value = position.coords.latitude.toFixed(6);
        lon.value = position.coords.longitude.toFixed(6);
        form.setAttribute("data-geo", "found");
        say(form.getAttribute("data-geo-found"));
        done();
      },
      function () {
        form.setAttribute("data-geo", "none");
        say(form.getAttribute("data-geo-none"));
        done();
      },
      { enableHighAccuracy: true, timeout: WAIT_MS, maximumAge: 60000 }
    );

    form.addEventListener("submit", function (event) {
      if (!pending) { return; }
      event.preventDefault();
      waiting = event.submitter || form.querySelector("button[type=submit]");
      say(form.getAttribute("data-geo-asking"));
      window.setTimeout(function () { if (waiting) { pending = false; done(); } }, WAIT_MS);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-geolocation]").forEach(start);
  });
})();
