// Text intelligence panels: "use this suggestion" fills a select or an input; a confident suggestion
// pre-fills an empty select. Nothing is submitted: the person still confirms the form.
(function () {
  // A panel loaded with htmx (an action's fields) brings this script again: listen once only.
  if (window.minshengInsightPanels) return;
  window.minshengInsightPanels = true;
  function fill(targetId, value) {
    var target = document.getElementById(targetId);
    if (!target) return;
    target.value = value;
    target.dispatchEvent(new Event("change", { bubbles: true }));
    target.focus();
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-fill]");
    if (!button) return;
    event.preventDefault();
    fill(button.getAttribute("data-fill"), button.getAttribute("data-value"));
  });
  function prefill(root) {
    root.querySelectorAll("[data-prefill]").forEach(function (hint) {
      var target = document.getElementById(hint.getAttribute("data-prefill"));
      if (target && !target.value) target.value = hint.getAttribute("data-value");
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { prefill(document); });
  } else {
    prefill(document);  // first brought by an htmx swap: its panel is already in the page
  }
  document.addEventListener("htmx:afterSwap", function (event) { prefill(event.target); });
})();
