// The moderation workspace: keyboard shortcuts in the queue, and reply templates on the item page.
// Shortcuts: j/k next/previous row, o or Enter open, c claim, a answer, f forward, u unpublish,
// n no action, x select for a bulk action, ? help. Ignored while typing in a field.
(function () {
  "use strict";
  function rows() { return Array.prototype.slice.call(document.querySelectorAll("tr.queue-row")); }
  function current() { return document.activeElement && document.activeElement.closest ? document.activeElement.closest("tr.queue-row") : null; }
  function focusRow(row) { if (row) { row.focus(); row.scrollIntoView({ block: "nearest" }); } }
  function move(step) {
    var all = rows(); if (!all.length) { return; }
    var i = all.indexOf(current());
    focusRow(all[Math.min(all.length - 1, Math.max(0, i + step))] || all[0]);
  }
  // The help takes focus when it opens and gives it back to where the user was when it closes.
  var returnFocus = null;
  function toggleHelp() {
    var help = document.getElementById("shortcut-help");
    if (!help) { return; }
    help.hidden = !help.hidden;
    if (!help.hidden) {
      returnFocus = document.activeElement;
      help.setAttribute("tabindex", "-1");
      help.focus();
    } else if (returnFocus && document.contains(returnFocus)) {
      returnFocus.focus();
    }
  }
  function open(row, anchor) { if (row) { window.location.href = row.getAttribute("data-item-url") + (anchor || ""); } }
  function click(row, action) {
    var button = row && row.querySelector("[data-action='" + action + "']");
    if (button) { button.click(); }
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) { return; }
    var row = current();
    switch (event.key) {
      case "j": move(1); break;
      case "k": move(-1); break;
      case "?": toggleHelp(); break;
      case "o": if (!row) { return; } open(row); break;
      // Enter on a button or link in the row is that control's own; Enter opens only a focused row.
      case "Enter": if (!row || target !== row) { return; } open(row); break;
      case "a": open(row, "#answer"); break;
      case "f": open(row, "#forward"); break;
      case "u": open(row, "#unpublish"); break;
      case "c": click(row, "claim"); break;
      case "n": click(row, "no-action"); break;
      case "x":
        var box = row && row.querySelector("input[type=checkbox]");
        if (box) { box.checked = !box.checked; }
        break;
      default: return;
    }
    event.preventDefault();
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var row = event.detail.target && event.detail.target.id ? document.getElementById(event.detail.target.id) : null;
    if (row && row.classList.contains("queue-row")) { focusRow(row); }
  });
  // A decision taken from the queue: the server names what changed (HX-Trigger), and the text goes
  // into the queue's live region so a screen reader says it. Text only, never markup.
  document.addEventListener("moderation-message", function (event) {
    var region = document.getElementById("queue-messages");
    if (!region || !event.detail || !event.detail.text) { return; }
    var message = document.createElement("p");
    message.className = "message message-success";
    message.textContent = event.detail.text;
    region.replaceChildren(message);
  });
  // The item page's status block is asked for again while the platform has not confirmed; say the
  // new status aloud only when it has changed, not on every poll.
  var announced = document.getElementById("entry-status");
  announced = announced ? announced.getAttribute("data-status-text") : null;
  document.addEventListener("htmx:afterSettle", function () {
    var block = document.getElementById("entry-status");
    var region = document.getElementById("entry-status-announce");
    if (!block || !region) { return; }
    var text = block.getAttribute("data-status-text");
    if (text && text !== announced) { announced = text; region.textContent = text; }
  });
  document.addEventListener("click", function (event) {
    var help = event.target.closest("[data-shortcut-help]");
    if (help) { toggleHelp(); return; }
    var template = event.target.closest("[data-template]");
    if (template) {
      var area = template.closest("form").querySelector("textarea");
      if (area) { area.value = template.getAttribute("data-template"); area.focus(); }
    }
  });
  // Open the decision panel named in the address (#answer, #forward, #unpublish).
  function openPanelFromHash() {
    if (!/^#[a-z-]+$/.test(window.location.hash)) { return; }
    var panel = document.querySelector("details" + window.location.hash);
    if (!panel) { return; }
    panel.open = true;
    var field = panel.querySelector("textarea, select, input:not([type=hidden])");
    if (field) { field.focus(); }
  }
  // After the page has rendered: a field inside a panel that was closed cannot take focus before.
  window.addEventListener("load", openPanelFromHash);
})();
