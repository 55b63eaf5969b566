/* Points of sale nearest first: the position is asked for only after the button is pressed,
   rounded to about 100 m and sent in the page address; nothing is stored. */
(function () {
  var b = document.querySelector("[data-near-me]");
  var e = document.querySelector("[data-near-me-error]");
  if (!b || !navigator.geolocation || !window.URL) return;
  b.hidden = false;
  b.addEventListener("click", function () {
    b.disabled = true;
    navigator.geolocation.getCurrentPosition(function (p) {
      var u = new URL(location.href);
      u.searchParams.set("lat", p.coords.latitude.toFixed(3));
      u.searchParams.set("lng", p.coords.longitude.toFixed(3));
      location.href = u;
    }, function () {
      b.disabled = false;
      if (e) e.hidden = false;
    }, { timeout: 15000, maximumAge: 600000 });
  });
})();
