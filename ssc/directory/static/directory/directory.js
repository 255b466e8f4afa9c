/* Public directory: "附近网点" (browser location → GCJ-02), auto-submitting filters, "open now". No library. */
(function () {
  "use strict";
  var script = document.currentScript;
  var text = function (name) { return (script && script.getAttribute("data-" + name)) || ""; };
  document.documentElement.className += " js";

  // WGS-84 (what browsers report) → GCJ-02 (what the roster and Chinese map apps use).
  function outOfChina(lat, lng) { return lng < 72.004 || lng > 137.8347 || lat < 0.8293 || lat > 55.8271; }
  function tLat(x, y) {
    var r = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
    r += (20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2 / 3;
    r += (20 * Math.sin(y * Math.PI) + 40 * Math.sin(y / 3 * Math.PI)) * 2 / 3;
    return r + (160 * Math.sin(y / 12 * Math.PI) + 320 * Math.sin(y * Math.PI / 30)) * 2 / 3;
  }
  function tLng(x, y) {
    var r = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
    r += (20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2 / 3;
    r += (20 * Math.sin(x * Math.PI) + 40 * Math.sin(x / 3 * Math.PI)) * 2 / 3;
    return r + (150 * Math.sin(x / 12 * Math.PI) + 300 * Math.sin(x / 30 * Math.PI)) * 2 / 3;
  }
  function wgsToGcj(lat, lng) {
    if (outOfChina(lat, lng)) { return [lat, lng]; }
    var a = 6378245.0, ee = 0.00669342162296594323;
    var dLat = tLat(lng - 105, lat - 35), dLng = tLng(lng - 105, lat - 35);
    var rad = lat / 180 * Math.PI, magic = Math.sin(rad);
    magic = 1 - ee * magic * magic;
    var s = Math.sqrt(magic);
    dLat = (dLat * 180) / ((a * (1 - ee)) / (magic * s) * Math.PI);
    dLng = (dLng * 180) / (a / s * Math.cos(rad) * Math.PI);
    return [lat + dLat, lng + dLng];
  }
  window.sscWgsToGcj = wgsToGcj;

  var form = document.getElementById("search-form");
  var button = document.getElementById("near-button");
  var status = document.getElementById("near-status");
  if (form) {
    Array.prototype.forEach.call(form.querySelectorAll("[data-autosubmit]"), function (el) {
      el.addEventListener("change", function () { form.submit(); });
    });
  }
  if (form && button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      if (!navigator.geolocation) { status.textContent = text("unsupported"); return; }
      status.textContent = text("locating");
      button.disabled = true;
      navigator.geolocation.getCurrentPosition(function (pos) {
        var p = wgsToGcj(pos.coords.latitude, pos.coords.longitude);
        document.getElementById("near").value = p[0].toFixed(6) + "," + p[1].toFixed(6);
        var page = form.querySelector("input[name=page]");
        if (page) { page.remove(); }
        form.submit();
      }, function () {
        status.textContent = text("denied");
        button.disabled = false;
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    });
  }

  // "营业中 / 已休息" from the published hours, in Chongqing time (UTC+8): weekday hours on working days, weekend
  // hours on rest days — from the working-day calendar the page carries (data-days: public holidays, make-up
  // working weekends), else Monday to Friday.
  var now = new Date(Date.now() + (new Date().getTimezoneOffset() + 480) * 60000);
  var minutes = now.getHours() * 60 + now.getMinutes();
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  var today = now.getFullYear() + "-" + pad(now.getMonth() + 1) + "-" + pad(now.getDate());
  var weekend = now.getDay() === 0 || now.getDay() === 6;
  text("days").split(",").forEach(function (entry) {
    var parts = entry.split(":");
    if (parts[0] === today) { weekend = parts[1] === "r"; }
  });
  function within(span) {
    var m = /^(\d\d):(\d\d)-(\d\d):(\d\d)$/.exec(span || "");
    if (!m) { return false; }
    var a = +m[1] * 60 + +m[2], b = +m[3] * 60 + +m[4];
    return minutes >= a && minutes < b;
  }
  Array.prototype.forEach.call(document.querySelectorAll("[data-weekday]"), function (card) {
    var badge = card.querySelector(".open-now");
    if (!badge) { return; }
    var open = within(card.getAttribute(weekend ? "data-weekend" : "data-weekday"));
    badge.textContent = open ? text("open") : text("closed");
    badge.className = "open-now " + (open ? "is-open" : "is-closed");
    badge.hidden = false;
  });
})();
