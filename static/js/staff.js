// Staff pages: send the CSRF token with every htmx request, and move focus to swapped content
// that asks for it (data-focus-after-swap), so keyboard and screen-reader users are not lost.
(function () {
  "use strict";
  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  document.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRFToken"] = csrfToken();
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target.querySelector("[data-focus-after-swap]") || null;
    if (target) {
      if (!target.hasAttribute("tabindex")) { target.setAttribute("tabindex", "-1"); }
      target.focus();
    }
  });
  // After a form is sent back with errors, start at the first field that needs fixing (or at the
  // error summary when the error belongs to no field); after a redirect with a message, start at the
  // message, so it is read and keyboard users begin there.
  document.addEventListener("DOMContentLoaded", function () {
    if (window.location.hash) { return; }
    var summary = document.querySelector("main .error-summary");
    var invalid = document.querySelector("main [aria-invalid=true]");
    var messages = document.querySelector("main .messages");
    var target = null;
    if (summary && (!invalid || summary.querySelector(".errorlist"))) { target = summary; }
    else { target = invalid || messages; }
    if (!target) { return; }
    if (!target.hasAttribute("tabindex") && !/^(INPUT|TEXTAREA|SELECT|BUTTON|A)$/.test(target.tagName)) {
      target.setAttribute("tabindex", "-1");
    }
    var details = target.closest("details");
    if (details) { details.open = true; }
    target.focus();
  });
  document.addEventListener("click", function (event) {
    var el = event.target.closest("[data-confirm]");
    if (el && !window.confirm(el.getAttribute("data-confirm"))) { event.preventDefault(); }
  });
})();
