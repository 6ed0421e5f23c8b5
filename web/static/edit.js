// The annotate page's "Suggest an entry": a selection in the annotated text fills the form's field.
// The ruby annotations (pinyin, English) inside a selection are left out: only the Chinese is kept.
(function () {
  "use strict";
  var field = document.getElementById("suggest-zh");
  var text = document.querySelector(".annotated");
  if (!field || !text) return;
  document.addEventListener("selectionchange", function () {
    var selection = window.getSelection();
    if (!selection || selection.isCollapsed || !text.contains(selection.anchorNode)) return;
    var range = selection.getRangeAt(0).cloneContents();
    range.querySelectorAll("rt, rp, .gloss, .en").forEach(function (node) { node.remove(); });
    var chosen = (range.textContent || "").replace(/\s+/g, "").slice(0, 50);
    if (chosen) field.value = chosen;
  });
})();
