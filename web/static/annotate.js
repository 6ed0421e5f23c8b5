/* Progressive enhancement only: every page works without this file.
 * - annotated text: a tooltip for each term (hover, keyboard focus, or tap), built by static/tooltip.js
 *   (loaded first; the bookmarklet builds its tooltip with it too) with textContent from the JSON the
 *   page carries, never from HTML;
 * - the "Show pinyin" toggle (pure CSS) remembers its state;
 * - copy buttons on entry pages; a live character count on the annotate form.
 */
(function () {
  "use strict";

  function remember(key, value) {
    try {
      if (value === undefined) return window.localStorage.getItem(key);
      window.localStorage.setItem(key, value);
    } catch (e) { /* storage may be disabled: the default is fine */ }
    return null;
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  /* ------------------------------------------------------------ copy buttons */
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    var area = el("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "visually-hidden";
    document.body.appendChild(area);
    area.select();
    var ok = document.execCommand("copy");
    document.body.removeChild(area);
    return ok ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }

  function copyButtons() {
    document.querySelectorAll("button.copy[data-copy]").forEach(function (button) {
      button.hidden = false;
      button.setAttribute("aria-label", "Copy “" + button.dataset.copy + "”");
      button.addEventListener("click", function () {
        copyText(button.dataset.copy).then(function () {
          button.textContent = "Copied";
          button.classList.add("copied");
          setTimeout(function () { button.textContent = "Copy"; button.classList.remove("copied"); }, 1600);
        }, function () { button.textContent = "Select and copy"; });
      });
    });
  }

  /* ------------------------------------------------------------ pinyin toggle */
  function pinyinToggle() {
    [["show-pinyin", "glossary.pinyin"], ["show-english", "glossary.english"]].forEach(function (pair) {
      var box = document.getElementById(pair[0]);
      if (!box) return;
      var saved = remember(pair[1]);
      if (saved !== null) box.checked = saved === "1";
      box.addEventListener("change", function () { remember(pair[1], box.checked ? "1" : "0"); });
    });
  }

  /* ------------------------------------------------------------ text handed over by the bookmarklet */
  /* On a page whose CSP blocks it, the bookmarklet opens /annotate#text=…: a fragment never reaches
   * the server or its logs. The text is posted like a paste, and the fragment is taken out of the
   * address (and so out of the browser's history). */
  function handoff() {
    var form = document.getElementById("annotate-form");
    var area = document.getElementById("text");
    if (!form || !area || window.location.hash.indexOf("#text=") !== 0) return false;
    var text;
    try {
      text = decodeURIComponent(window.location.hash.slice(6));
    } catch (e) {
      return false;
    }
    window.history.replaceState(null, "", window.location.pathname + window.location.search);
    area.value = text;
    if (form.requestSubmit) form.requestSubmit();
    else form.submit();
    return true;
  }

  /* ------------------------------------------------------------ character count */
  function charCount() {
    var area = document.getElementById("text");
    var out = document.getElementById("text-count");
    if (!area || !out) return;
    var limit = parseInt(area.dataset.limit, 10);
    var pending = false;
    function update() {
      pending = false;
      var n = 0;
      for (var i = 0; i < area.value.length; i++) {  // code points, as the server counts
        var c = area.value.charCodeAt(i);
        if (c < 0xdc00 || c > 0xdfff) n++;
      }
      out.textContent = n ? n.toLocaleString("en") + " / " + limit.toLocaleString("en") + " characters" : "";
      out.classList.toggle("over", n > limit);
    }
    area.addEventListener("input", function () {
      if (!pending) { pending = true; window.requestAnimationFrame(update); }
    });
    update();
  }

  /* ------------------------------------------------------------ tooltips */
  function tooltips() {
    var root = document.querySelector(".annotated");
    var dataNode = document.getElementById("annotation-data");
    if (!root || !dataNode) return;
    var data = JSON.parse(dataNode.textContent);
    var tip = el("div", "tip");
    tip.id = "term-tip";
    tip.setAttribute("role", "tooltip");
    tip.hidden = true;
    document.body.appendChild(tip);
    var current = null, pressed = false, quiet = false, hideTimer = null;

    root.querySelectorAll("a.term[title]").forEach(function (a) {
      a.removeAttribute("title");  // the rich tooltip replaces the browser's own
    });

    function fill(term) {
      var entry = data.entries[term.dataset.id];
      tip.textContent = "";
      if (!entry) return false;
      var reading = term.dataset.reading && data.readings && data.readings[term.dataset.reading];
      var shown = reading ? Object.assign({}, entry, reading) : entry;  // the form on the page, read as itself
      var renderings = (data.renderings || {})[term.dataset.id] || [];
      var href = term.getAttribute("href");
      var parts = glossaryTip({
        text: shown.zh, zh: entry.zh, zh_hant: entry.zh_hant, pinyin: shown.pinyin, en: shown.en, kind: shown.kind,
        ambiguous: term.classList.contains("ambiguous"),  // as met here (浪潮, not 浪潮集团)
        ordinary: shown.ordinary, note: renderings[0] && renderings[0].note, renderings: renderings.slice(1),
        quote: shown.quote && shown.quote.text, source: shown.quote && glossaryCite(shown.quote, data.sources),
        href: shown.quote ? href + "#quote-1" : href,
      }, { prefix: "tip-" });
      parts.forEach(function (node) { tip.appendChild(node); });
      return true;
    }

    function place(term) {
      var rect = term.getClientRects()[0] || term.getBoundingClientRect();  // a term may wrap: use its first line
      var width = tip.offsetWidth, height = tip.offsetHeight;
      var left = Math.min(rect.left, document.documentElement.clientWidth - width - 8);
      var top = rect.bottom + 6;
      if (top + height > window.innerHeight && rect.top - height - 6 > 0) top = rect.top - height - 6;
      tip.style.left = Math.max(8, left) + window.scrollX + "px";
      tip.style.top = top + window.scrollY + "px";
    }

    function show(term) {
      clearTimeout(hideTimer);
      if (current === term && !tip.hidden) return;
      if (current) { current.classList.remove("active"); current.removeAttribute("aria-describedby"); }
      if (!fill(term)) return;
      current = term;
      term.classList.add("active");
      term.setAttribute("aria-describedby", "term-tip");
      tip.hidden = false;
      place(term);
    }

    function hide() {
      clearTimeout(hideTimer);
      tip.hidden = true;
      if (current) { current.classList.remove("active"); current.removeAttribute("aria-describedby"); }
      current = null;
    }

    function hideSoon() {
      clearTimeout(hideTimer);
      hideTimer = setTimeout(hide, 250);
    }

    function termOf(event) {
      return event.target.closest ? event.target.closest("a.term") : null;
    }

    root.addEventListener("pointerover", function (e) {
      var term = termOf(e);
      if (term && e.pointerType === "mouse") show(term);
    });
    root.addEventListener("pointerout", function (e) {
      if (e.pointerType === "mouse" && termOf(e) && !tip.contains(e.relatedTarget)) hideSoon();
    });
    tip.addEventListener("pointerenter", function () { clearTimeout(hideTimer); });
    tip.addEventListener("pointerleave", function (e) { if (e.pointerType === "mouse") hideSoon(); });
    root.addEventListener("pointerdown", function () {
      pressed = true;
      setTimeout(function () { pressed = false; }, 700);
    });
    root.addEventListener("focusin", function (e) {
      var term = termOf(e);
      if (term && !pressed && !quiet) show(term);  // keyboard focus; a tap is handled by click
    });
    root.addEventListener("focusout", function (e) {
      if (!tip.contains(e.relatedTarget) && !(e.relatedTarget && root.contains(e.relatedTarget))) hideSoon();
    });
    // The first activation of a term shows its tooltip; the next one (or a hover then click,
    // or Enter on a focused term) follows the link to the entry.
    root.addEventListener("click", function (e) {
      var term = termOf(e);
      if (!term || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey || e.button !== 0) return;
      if (current !== term || tip.hidden) { e.preventDefault(); show(term); }
    });
    document.addEventListener("click", function (e) {
      if (current && !tip.contains(e.target) && !termOf(e)) hide();
    });
    document.addEventListener("keydown", function (e) {
      if (e.key !== "Escape" || !current) return;
      var term = current;
      hide();
      quiet = true;  // back on the term, without opening its tooltip again
      term.focus({ preventScroll: true });
      quiet = false;
    });
    window.addEventListener("resize", function () { if (current) place(current); });
  }

  function init() {
    if (handoff()) return;
    copyButtons();
    pinyinToggle();
    charCount();
    tooltips();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
