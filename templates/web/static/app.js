// charter serve: only an improvement, every page works without it. Served as a file, since the
// pages' Content-Security-Policy allows no inline script.
"use strict";
document.documentElement.classList.add("js");

document.addEventListener("DOMContentLoaded", function () {
  const form = document.getElementById("charter-form");
  if (form) charterForm(form);
  document.querySelectorAll("button[data-writing]").forEach(function (button) {
    if (button.form && button.form !== form) showWriting(button.form, button);
  });
  document.querySelectorAll("button.copy").forEach(copyButton);
  const summary = document.getElementById("summary");
  if (summary) summary.focus();
});

// A write takes seconds: say so, and let a second press do nothing.
function showWriting(form, button, status) {
  form.addEventListener("submit", function (event) {
    if (event.submitter !== button) return;
    if (form.dataset.busy) { event.preventDefault(); return; }
    form.dataset.busy = "1";
    button.dataset.label = button.textContent;
    button.textContent = button.dataset.writing;
    button.setAttribute("aria-disabled", "true");
    if (status) status.hidden = false;
  });
  window.addEventListener("pageshow", function () {  // back to this page from the next one
    delete form.dataset.busy;
    if (button.dataset.label) button.textContent = button.dataset.label;
    button.removeAttribute("aria-disabled");
    if (status) status.hidden = true;
  });
}

function charterForm(form) {
  const frame = document.getElementById("preview");
  const pending = document.getElementById("preview-pending");
  const reached = new Set();  // the fields the user has been to: only theirs say what is wrong
  let timer = null, sent = 0;

  // The answers a condition reads: a lone checkbox is true or false, ticked boxes their values.
  function valuesOf(key) {
    const inputs = Array.from(form.elements).filter(function (e) { return e.name === key; });
    const values = [];
    inputs.forEach(function (input) {
      if (input.type === "checkbox") {
        if (inputs.length === 1) values.push(input.checked);
        else if (input.checked) values.push(input.value);
      } else values.push(input.value);
    });
    return values;
  }
  function showWhatApplies() {
    form.querySelectorAll("[data-when]").forEach(function (field) {
      const conditions = JSON.parse(field.dataset.when);
      field.hidden = !conditions.some(function (c) {
        return valuesOf(c.key).some(function (v) { return c.values.indexOf(v) >= 0; });
      });
    });
  }
  // One blank box for another own rule, whenever the last one has been written in.
  function offerAnotherRule() {
    const rules = form.querySelectorAll(".custom-rule");
    const last = rules[rules.length - 1];
    if (!last || rules.length >= 20 || !last.querySelector("textarea").value.trim()) return;
    const copy = last.cloneNode(true);
    const index = rules.length;
    copy.classList.remove("invalid");
    copy.querySelectorAll(".error").forEach(function (e) { e.remove(); });
    copy.querySelectorAll("[id], [for], [name], [aria-describedby]").forEach(function (e) {
      ["id", "for", "name"].forEach(function (attribute) {
        const value = e.getAttribute(attribute);
        if (value) e.setAttribute(attribute, value.replace(/(custom[-.])\d+/, "$1" + index));
      });
      e.removeAttribute("aria-describedby");
      e.removeAttribute("aria-invalid");
    });
    copy.querySelector("label").textContent = last.querySelector("label").textContent.replace(/\d+/, index + 1);
    copy.querySelector("textarea").value = "";
    last.after(copy);
  }
  // A problem beside its field once the user has been there (or pressed write), gone once fixed.
  function showProblems(problems) {
    const shown = {};
    problems.forEach(function (problem) {
      const input = document.getElementById(problem.input);
      if (input && (form.hasAttribute("data-tried") || reached.has(input.name))) shown[problem.input] = problem;
    });
    form.querySelectorAll(".error[data-input]").forEach(function (box) {
      if (!shown[box.dataset.input]) setProblem(box.dataset.input, null);
    });
    Object.keys(shown).forEach(function (id) { setProblem(id, shown[id]); });
  }
  function setProblem(id, problem) {
    const input = document.getElementById(id);
    const holder = input && input.closest(".reword, .custom-rule, .field");
    if (!holder) return;
    let box = holder.querySelector(".error[data-input]");
    const described = (input.getAttribute("aria-describedby") || "").split(" ").filter(function (d) {
      return d && d.indexOf("error-") !== 0;
    });
    holder.classList.toggle("invalid", !!problem);
    if (problem) {
      if (!box) {
        box = document.createElement("div");
        box.className = "error"; box.id = problem.error; box.dataset.input = id;
        holder.appendChild(box);
      }
      box.textContent = problem.message;
      input.setAttribute("aria-invalid", "true");
      described.push(problem.error);
    } else {
      if (box) box.remove();
      input.removeAttribute("aria-invalid");
      const link = document.querySelector('#summary a[href="#' + id + '"]');  // fixed: off the list above
      if (link) link.closest("li").remove();
      const summary = document.getElementById("summary");
      if (summary && !summary.querySelector("li")) summary.hidden = true;
    }
    if (described.length) input.setAttribute("aria-describedby", described.join(" "));
    else input.removeAttribute("aria-describedby");
  }
  // A date as it is understood, beside the field (+3m, 3个月后), as the terminal says it.
  function showDates(dates) {
    form.querySelectorAll(".understood[data-input]").forEach(function (box) {
      box.textContent = dates[box.dataset.input] || "";
    });
  }
  function refresh() {
    const mine = ++sent;
    fetch(form.dataset.preview, {method: "POST", body: new FormData(form), credentials: "same-origin"})
      .then(function (response) { return response.json(); })
      .then(function (result) {
        if (mine !== sent) return;
        frame.contentWindow.location.replace(result.url);  // no history entry per keystroke
        frame.hidden = false;
        if (pending) pending.hidden = true;
        frame.dataset.state = result.ok ? "charter" : "problems";
        showProblems(result.problems || []);
        showDates(result.dates || {});
      });
  }
  function changed(delay) {
    showWhatApplies();
    offerAnotherRule();
    clearTimeout(timer);
    timer = setTimeout(refresh, delay);
  }
  form.addEventListener("input", function (event) { reached.add(event.target.name); changed(400); });
  form.addEventListener("focusout", function (event) {
    if (event.target.name && !reached.has(event.target.name)) { reached.add(event.target.name); changed(0); }
  });
  form.addEventListener("change", function (event) {
    if (["lang", "group.kind", "group.profile"].indexOf(event.target.name) >= 0) {
      // Labels, examples, the rules offered and the defaults not edited follow the language,
      // the kind and the profile: the server draws the form anew from the answers as they stand.
      const update = document.createElement("input");
      update.type = "hidden"; update.name = "action"; update.value = "update";
      form.appendChild(update);
      form.submit();
      return;
    }
    changed(100);
  });
  // Enter in a one-line answer would press the form's first button; it should only move on.
  form.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.tagName === "INPUT") event.preventDefault();
  });
  showWriting(form, document.getElementById("write"), document.getElementById("writing"));
  const version = document.getElementById("write-version");  // offered when the name is taken
  if (version) showWriting(form, version, document.getElementById("writing"));
  showWhatApplies();
  // what the page came with was answered already (a copied group, a redraw): its problems stand
  Array.from(form.elements).forEach(function (input) {
    if (input.name && (input.type === "text" || input.tagName === "TEXTAREA") && input.value.trim()) reached.add(input.name);
  });
}

function copyButton(button) {
  const source = document.getElementById(button.dataset.target);
  button.hidden = false;
  button.addEventListener("click", function () {
    const done = function () { button.textContent = button.dataset.copied; };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(source.textContent).then(done);
    } else {  // plain http on a LAN address: the clipboard API is not offered there
      window.getSelection().selectAllChildren(source);
      if (document.execCommand("copy")) done();
    }
  });
}
