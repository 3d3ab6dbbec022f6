/* Progressive enhancement only: every page works without this file.
   - forms with data-confirm ask before an action that cannot easily be undone;
   - a submit button is disabled while its form is being sent (no double submits);
   - an error summary or a confirmation message gets focus, so screen readers read it at once. */
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      return;
    }
    if (form.dataset.sending === "1") {
      event.preventDefault();
      return;
    }
    form.dataset.sending = "1";
    var buttons = form.querySelectorAll("button[type=submit]");
    Array.prototype.forEach.call(buttons, function (b) { b.setAttribute("aria-disabled", "true"); });
    // a form that is shown again (back button, validation error) must be usable again
    window.setTimeout(function () {
      form.dataset.sending = "";
      Array.prototype.forEach.call(buttons, function (b) { b.removeAttribute("aria-disabled"); });
    }, 8000);
  }, false);

  window.addEventListener("pageshow", function () {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-sending='1']"), function (f) {
      f.dataset.sending = "";
    });
  });

  function focusFirstMessage() {
    var el = document.querySelector("[data-autofocus]");
    if (el) el.focus({ preventScroll: false });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", focusFirstMessage);
  else focusFirstMessage();
})();
