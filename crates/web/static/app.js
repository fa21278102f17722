// tilsyn's own small script. Every page works without it; it only improves focus handling.
(function () {
  "use strict";
  // After a failed form, move focus to the error summary so screen readers announce it.
  var summary = document.querySelector(".error-summary");
  if (summary) {
    summary.focus();
  }
  // A link in the summary moves focus to its field, not only scrolls to it.
  document.addEventListener("click", function (e) {
    var a = e.target.closest && e.target.closest(".error-summary a[href^='#']");
    if (!a) return;
    var field = document.getElementById(a.getAttribute("href").slice(1));
    if (field) {
      e.preventDefault();
      field.focus();
    }
  });
  // Deleting asks first; without script the form still works (and the server still checks).
  document.addEventListener("submit", function (e) {
    var form = e.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      e.preventDefault();
    }
  });
})();
