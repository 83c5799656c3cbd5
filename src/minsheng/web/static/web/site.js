/* Minsheng: small progressive enhancements; every page works without this file. */
(function () {
  "use strict";

  /* A long <select data-filter="…"> gets a search box above it: typing narrows the options (and hides
     option groups left empty). The attribute's value is the box's label, in the page's language. */
  function filterable(select) {
    if (select.dataset.filterReady) { return; }
    select.dataset.filterReady = "1";
    var box = document.createElement("input");
    box.type = "search";
    box.className = "select-filter";
    box.placeholder = select.dataset.filter;
    box.setAttribute("aria-label", select.dataset.filter);
    box.setAttribute("autocomplete", "off");
    select.parentNode.insertBefore(box, select);
    box.addEventListener("input", function () {
      var words = box.value.trim().toLowerCase();
      Array.prototype.forEach.call(select.querySelectorAll("optgroup"), function (group) {
        var shown = 0;
        Array.prototype.forEach.call(group.querySelectorAll("option"), function (option) {
          var match = !words || option.textContent.toLowerCase().indexOf(words) !== -1;
          option.hidden = !match;
          if (match) { shown += 1; }
        });
        group.hidden = shown === 0;
      });
    });
  }

  function enhance(root) {
    Array.prototype.forEach.call(root.querySelectorAll("select[data-filter]"), filterable);
  }

  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  document.addEventListener("htmx:afterSwap", function (event) { enhance(event.target); });
})();
