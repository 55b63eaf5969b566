// "Print this page" buttons ([data-print]): shown only when scripts run, since printing needs one.
document.querySelectorAll("[data-print]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});
