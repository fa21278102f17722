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

// Review form: save each answer on the server as soon as it changes, show progress live, and
// show a conflict when someone else saved the same question meanwhile. Without script the
// form's own Save button does the same with a plain post.
(function () {
  "use strict";
  var form = document.getElementById("review-form");
  if (!form || !form.getAttribute("data-autosave")) return;
  var url = form.getAttribute("data-autosave");
  var csrf = form.querySelector("input[name=csrf_token]");
  var status = document.getElementById("save-status");
  var progress = document.getElementById("review-progress");
  var version = document.getElementById("review-version");
  var timers = {};
  var pending = 0;

  function fields(item) {
    var box = document.getElementById("item-" + item);
    return box ? box.querySelectorAll("input, textarea") : [];
  }

  function say(text) {
    if (status) status.textContent = text;
  }

  function send(item) {
    var data = new URLSearchParams();
    data.append("csrf_token", csrf ? csrf.value : "");
    var els = fields(item);
    var any = false;
    for (var i = 0; i < els.length; i++) {
      var el = els[i];
      if (!el.name) continue;
      if (el.type === "radio" && !el.checked) continue;
      data.append(el.name, el.value);
      any = true;
    }
    if (!any) return;
    if (!data.has("a." + item)) data.append("a." + item, "");
    pending++;
    say(form.getAttribute("data-saving") || "…");
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/x-www-form-urlencoded", "X-CSRF-Token": csrf ? csrf.value : "" },
      body: data.toString()
    }).then(function (res) {
      return res.json().then(function (body) { return { status: res.status, body: body }; });
    }).then(function (r) {
      pending--;
      var b = r.body;
      if (r.status === 422) {
        say(b.message || "");
        return;
      }
      if (b.saved) {
        Object.keys(b.saved).forEach(function (k) {
          var v = form.querySelector("input[name='v." + k + "']");
          if (v) v.value = b.saved[k];
        });
      }
      (b.conflicts || []).forEach(function (c) {
        var box = document.getElementById("item-" + c.item);
        if (!box) return;
        box.classList.add("has-conflict");
        var p = box.querySelector(".conflict");
        if (!p) {
          p = document.createElement("p");
          p.className = "conflict";
          p.setAttribute("role", "alert");
          box.querySelector("fieldset").insertBefore(p, box.querySelector("fieldset").children[1]);
        }
        p.textContent = c.message;
        // Show the other answer, as the message says; choosing again and saving keeps yours.
        var radios = box.querySelectorAll("input[type=radio]");
        for (var i = 0; i < radios.length; i++) radios[i].checked = radios[i].value === c.value;
        var typed = box.querySelector("[name='a." + c.item + "']:not([type=radio])");
        if (typed) typed.value = c.value;
        var remark = box.querySelector("[name='r." + c.item + "']");
        if (remark) remark.value = c.remark || "";
        // Taking the newer version as the base: saving again now means "mine counts".
        var v = form.querySelector("input[name='v." + c.item + "']");
        if (v) v.value = c.version;
      });
      if (progress && b.progress) progress.textContent = b.progress;
      if (version && b.version !== undefined) version.value = b.version;
      if (pending === 0) say(b.saved_at || "");
    }).catch(function () {
      pending--;
      say(form.getAttribute("data-offline") || "");
    });
  }

  function schedule(item, delay) {
    clearTimeout(timers[item]);
    timers[item] = setTimeout(function () { send(item); }, delay);
  }

  form.addEventListener("change", function (e) {
    var box = e.target.closest && e.target.closest("[data-item]");
    if (box) schedule(box.getAttribute("data-item"), 0);
  });
  form.addEventListener("input", function (e) {
    if (e.target.tagName !== "TEXTAREA" && e.target.type !== "text") return;
    var box = e.target.closest && e.target.closest("[data-item]");
    if (box) schedule(box.getAttribute("data-item"), 800);
  });
  // Before a plain submit, let pending saves finish (the post carries the same answers anyway).
  window.addEventListener("beforeunload", function (e) {
    if (pending > 0) {
      e.preventDefault();
    }
  });
})();
