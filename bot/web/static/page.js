// The live incident page: the zone switch and the refresh. No build step, no framework.
// Times arrive as ISO UTC in data-at attributes; each is re-rendered in the chosen zone
// every time the zone changes and every time the page's live part is replaced.
(function () {
  "use strict";
  var select = document.getElementById("zone");
  var live = document.getElementById("live");
  var shown = document.getElementById("zone-shown");
  var browserZone = "UTC";
  try {
    browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch (e) { /* an old browser: UTC */ }
  var browserOption = select.querySelector('option[value=""]');
  browserOption.textContent = "Your browser (" + browserZone + ")";
  var formats = {};

  function zone() { return select.value || browserZone; }

  function format(iso, tz) {
    if (!formats[tz]) {
      formats[tz] = new Intl.DateTimeFormat("en-US", {
        timeZone: tz, year: "numeric", month: "2-digit", day: "2-digit",
        hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZoneName: "short"
      });
    }
    var parts = {};
    formats[tz].formatToParts(new Date(iso)).forEach(function (p) { parts[p.type] = p.value; });
    return parts.year + "-" + parts.month + "-" + parts.day + " " +
      parts.hour + ":" + parts.minute + " " + parts.timeZoneName;
  }

  function renderTimes() {
    var tz = zone();
    document.querySelectorAll("time[data-at]").forEach(function (el) {
      el.textContent = format(el.getAttribute("data-at"), tz);
      el.setAttribute("data-zone", tz);
    });
    shown.textContent = tz;
    document.body.setAttribute("data-zone", tz);
  }

  select.addEventListener("change", renderTimes);
  renderTimes();

  var stateUrl = live.getAttribute("data-state-url");
  var version = live.getAttribute("data-version");
  var every = 5000;

  function poll() {
    var url = stateUrl + (stateUrl.indexOf("?") < 0 ? "?" : "&") +
      "since=" + encodeURIComponent(version);
    fetch(url, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (data && data.changed && data.version !== version) {
          version = data.version;
          live.innerHTML = data.html;  // server-rendered and escaped, like the page itself
          live.setAttribute("data-version", version);
          renderTimes();
        }
      })
      .catch(function () { /* the next poll tries again */ })
      .then(function () { window.setTimeout(poll, every); });
  }
  window.setTimeout(poll, every);
})();
