// Tempora web UI: progressive enhancement only; every page works without it.
(function () {
  "use strict";
  // Confirm before a form that changes a workflow is posted.
  document.addEventListener("submit", function (e) {
    var message = e.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) { e.preventDefault(); }
  });
  // The namespace switcher goes as soon as a namespace is picked.
  document.addEventListener("change", function (e) {
    if (e.target.hasAttribute("data-autosubmit")) { e.target.form.submit(); }
  });
  document.addEventListener("click", function (e) {
    var open = e.target.hasAttribute("data-expand-all") ? true : e.target.hasAttribute("data-collapse-all") ? false : null;
    if (open === null) { return; }
    e.preventDefault();
    document.querySelectorAll("ol.events details").forEach(function (d) { d.open = open; });
  });
  // Auto-refresh of the workflow list, remembered across pages; paused while the tab is hidden.
  var box = document.querySelector("[data-autorefresh]");
  if (box) {
    var key = "tempora.autorefresh";
    box.checked = window.localStorage.getItem(key) === "1";
    box.addEventListener("change", function () { window.localStorage.setItem(key, box.checked ? "1" : "0"); });
    window.setInterval(function () {
      // Not while rows are ticked for a batch action: a reload would drop the selection.
      var selecting = document.querySelector("input[name=execution]:checked");
      if (box.checked && !selecting && document.visibilityState === "visible") { window.location.reload(); }
    }, 5000);
  }
  // Tick or untick every row of the workflow list for a batch action.
  document.addEventListener("change", function (e) {
    var name = e.target.getAttribute("data-select-all");
    if (!name) { return; }
    document.querySelectorAll("input[type=checkbox][name='" + name + "']").forEach(function (c) { c.checked = e.target.checked; });
    var selected = document.querySelector("input[name=scope][value=selected]");
    if (selected) { selected.checked = true; }
  });
  // A running batch's page reloads itself, unless a field of it is being filled in.
  var live = document.querySelector("[data-live]");
  if (live) {
    window.setInterval(function () {
      var active = document.activeElement;
      var editing = active && (active.tagName === "INPUT" || active.tagName === "TEXTAREA") && active.value !== "";
      if (!editing && document.visibilityState === "visible") { window.location.reload(); }
    }, parseInt(live.getAttribute("data-live"), 10) || 2000);
  }
  // An event linked from the timeline opens when jumped to.
  function openTarget() {
    var target = window.location.hash && document.getElementById(window.location.hash.slice(1));
    var details = target && target.querySelector("details");
    if (details) { details.open = true; }
  }
  window.addEventListener("hashchange", openTarget);
  openTarget();
})();
