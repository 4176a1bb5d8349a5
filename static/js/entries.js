// The entries list: the header checkbox selects (or clears) every entry on this page.
(function () {
  "use strict";
  var all = document.querySelector("[data-select-page]");
  if (!all) return;
  var boxes = Array.prototype.slice.call(document.querySelectorAll('input[type=checkbox][name=entry][form=bulk]'));
  if (!boxes.length) { all.disabled = true; return; }
  function sync() {
    var on = boxes.filter(function (box) { return box.checked; }).length;
    all.checked = on === boxes.length;
    all.indeterminate = on > 0 && on < boxes.length;
  }
  all.addEventListener("change", function () {
    boxes.forEach(function (box) { box.checked = all.checked; });
    sync();
  });
  boxes.forEach(function (box) { box.addEventListener("change", sync); });
})();
