/* Fill the commune list when the province changes. Without this script, or if the list cannot
   be fetched, the form's "show communes" button does it through a round trip. */
(function () {
  var p = document.querySelector("select[data-communes-url]");
  if (!p || !window.fetch) return;
  var c = document.getElementById(p.dataset.communeSelect);
  var b = document.querySelector("[data-choose-province]");
  var h = b && b.parentNode, at = b && b.nextSibling;
  if (b) b.remove();
  p.addEventListener("change", function () {
    var want = p.value;
    c.length = 1;
    if (!want) return;
    fetch(p.dataset.communesUrl + want + "/")
      .then(function (r) { if (!r.ok) throw r; return r.json(); })
      .then(function (rows) {
        if (p.value !== want) return;
        rows.forEach(function (row) { c.add(new Option(row[1], row[0])); });
        c.options[0].text = c.dataset.placeholder;
      })
      .catch(function () { if (b) h.insertBefore(b, at); });
  });
})();
