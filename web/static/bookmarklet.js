// Policy glossary bookmarklet: marks every glossary term in the page's text, in place.
// A second run removes every mark and puts the page's own text nodes back; a third annotates again.
// The /bookmarklet page inlines this file into a javascript: URL (full-line comments and indentation
// dropped, the server origin filled in), so it must not rely on loading anything from our server:
// a strict Content-Security-Policy would block that. Page text only ever becomes DOM text nodes.
(() => {
  "use strict";
  const SERVER = "__GLOSSARY_SERVER__";
  // Entry filters chosen on the /bookmarklet page (kind, tag, min_length…), sent with every request.
  const OPTIONS = "__GLOSSARY_OPTIONS__";
  const KEY = "__policyGlossaryBookmarklet";
  // Code points per request (the API takes 200,000) and requests in flight at once.
  const BATCH = 40000;
  // A single text node longer than the API's limit is annotated up to this many code points.
  const NODE_MAX = 190000;
  const PARALLEL = 3;
  // Milliseconds of DOM work before yielding to the page, so it never freezes for long.
  const SLICE = 12;
  // Joins text nodes of different blocks in one request. Not whitespace and in no term, so no match
  // spans two blocks; text nodes of one block (新型<b>举国</b>体制) are joined with nothing between.
  const SEP = "\n\ufffc\n";
  const FALLBACK_CHARS = 6000;
  const SKIP = new Set(["SCRIPT", "STYLE", "NOSCRIPT", "TEMPLATE", "TEXTAREA", "INPUT", "SELECT",
    "OPTION", "IFRAME", "OBJECT", "EMBED", "CANVAS", "VIDEO", "AUDIO", "HEAD", "TITLE"]);
  const doc = document;
  const win = window;

  // Marks live in the page, so their rules are !important inside a cascade layer: an important layered
  // rule beats every important unlayered one the page may have, whatever its specificity.
  const running = win[KEY];
  if (running) {
    running.undo();
    return;
  }

  const MARK_CSS = `@layer policy-glossary {
pgx-mark.pgx-term { all: unset !important; display: inline !important; cursor: help !important;
  background: rgba(255, 214, 80, .38) !important; border-bottom: 1px solid #c98f00 !important;
  border-radius: 2px !important; }
pgx-mark.pgx-term.pgx-ambiguous { background: rgba(120, 130, 200, .16) !important;
  border-bottom: 1px dashed #5961a8 !important; }
pgx-mark.pgx-term.pgx-active { background: rgba(255, 200, 40, .6) !important; }
pgx-root.pgx-root { all: initial !important; display: block !important; position: fixed !important;
  top: 0 !important; left: 0 !important; width: 0 !important; height: 0 !important;
  z-index: 2147483647 !important; }
}`;
  const UI_CSS = `
:host { all: initial; }
* { box-sizing: border-box; }
.box { all: initial; position: fixed; display: block; box-sizing: border-box; background: #fff; color: #1d2433;
  font: 13px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans CJK SC", "Noto Sans SC",
  "PingFang SC", "Microsoft YaHei", sans-serif; border: 1px solid #c9cfda; border-radius: 6px;
  box-shadow: 0 4px 18px rgba(20, 30, 50, .18); text-align: left; }
.badge { right: 12px; bottom: 12px; max-width: min(380px, calc(100vw - 24px)); padding: 8px 10px 8px 12px;
  display: flex; gap: 8px; align-items: flex-start; }
.badge .msg { flex: 1; }
.badge b { font-weight: 600; color: #8a5a00; margin-right: 4px; }
.badge.err b { color: #a31b1b; }
.badge a { color: #1a4fb4; }
button { all: initial; font: inherit; font-size: 12px; color: #3b4456; cursor: pointer; padding: 1px 6px;
  border: 1px solid #c9cfda; border-radius: 4px; background: #f4f6f9; white-space: nowrap; }
button:hover { background: #e8ecf2; }
.tip { display: none; width: max-content; max-width: min(360px, calc(100vw - 16px)); padding: 8px 11px; }
.tip.open { display: block; }
.head { margin: 0 0 2px; }
.en { font-size: 14px; font-weight: 600; }
.py { color: #4a5568; font-style: italic; }
.zh { font-size: 15px; color: #3b4456; margin: 2px 0 4px; }
.others { margin: 4px 0 0; padding-left: 16px; font-size: 12px; }
.warn { color: #8a1f11; font-size: 12px; margin: 4px 0 0; }
.note, .contains { color: #4a5568; font-size: 12px; margin: 4px 0 0; }
.amb { color: #2c4f9e; font-size: 12px; margin: 2px 0; }
.quote { display: block; color: #3b4456; font-size: 12px; margin: 6px 0 0; padding-left: 7px;
  border-left: 2px solid #dde2ea; }
.src { color: #6b7385; font-size: 12px; margin: 2px 0 0; }
.link { display: inline-block; margin-top: 6px; color: #1a4fb4; font-size: 12px; text-decoration: none; }
.link:hover { text-decoration: underline; }`;

  // ------------------------------------------------------------ small helpers

  const el = (tag, cls, text) => {
    const node = doc.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  };
  const pause = () => new Promise((resolve) => setTimeout(resolve, 0));
  // Constructed style sheets, which no CSP style-src can block; a <style> element in older browsers.
  // Returns the function that takes the styles away again.
  const adopt = (target, parent, css) => {
    if ("adoptedStyleSheets" in target) {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
      target.adoptedStyleSheets = [...target.adoptedStyleSheets, sheet];
      return () => { target.adoptedStyleSheets = target.adoptedStyleSheets.filter((x) => x !== sheet); };
    }
    const style = doc.createElement("style");
    style.textContent = css;
    parent.appendChild(style);
    return () => style.remove();
  };
  // Code points in a string (the API counts them; JavaScript strings count UTF-16 units).
  const codePoints = (s) => s.length - (s.match(/[\ud800-\udbff][\udc00-\udfff]/g) || []).length;
  // The UTF-16 index of each code point index, for a string with characters beyond U+FFFF.
  const utf16Offsets = (s) => {
    const at = [];
    let i = 0;
    for (const ch of s) {
      at.push(i);
      i += ch.length;
    }
    at.push(i);
    return at;
  };
  const wellFormed = (s) => (s.toWellFormed ? s.toWellFormed()
    : s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(^|[^\ud800-\udbff])[\udc00-\udfff]/g,
      (m) => m.slice(0, -1) + "\ufffd"));

  // ------------------------------------------------------------ the tooltip's content

  // web/bookmarklet.py puts static/tooltip.js here (glossaryTip, glossaryCite): the annotate page's
  // tooltips are built by the same code.
  // @include tooltip.js

  // ------------------------------------------------------------ state, badge and tooltip

  const state = { cancelled: false, records: [], controller: new AbortController() };
  win[KEY] = state;

  const unstyle = adopt(doc, doc.head || doc.documentElement, MARK_CSS);
  const host = doc.createElement("pgx-root");
  host.className = "pgx-root";
  const shadow = host.attachShadow({ mode: "open" });
  adopt(shadow, shadow, UI_CSS);
  const badge = el("div", "box badge");
  badge.setAttribute("role", "status");
  const msg = el("div", "msg");
  const remove = el("button", "", "Remove");
  remove.title = "Remove every mark (or run the bookmarklet again)";
  const close = el("button", "", "\u00d7");
  close.title = "Hide this message";
  close.setAttribute("aria-label", "Hide this message");
  badge.append(msg, remove, close);
  const tip = el("div", "box tip");
  tip.setAttribute("role", "tooltip");
  shadow.append(tip, badge);
  doc.documentElement.appendChild(host);

  const say = (text, opts = {}) => {
    badge.style.display = "";
    badge.classList.toggle("err", !!opts.error);
    remove.style.display = state.records.length ? "" : "none";
    msg.replaceChildren(el("b", "", "Glossary"), doc.createTextNode(text));
    if (opts.link) {
      const a = el("a", "", opts.link.text);
      a.href = opts.link.href;
      a.target = "_blank";
      a.rel = "noopener";
      msg.append(" ", a);
    }
  };
  // With marks on the page the badge just hides; with none there is nothing left to keep.
  close.addEventListener("click", () => {
    if (state.records.length) badge.style.display = "none";
    else state.undo();
  });
  remove.addEventListener("click", () => state.undo());

  const entries = {};
  const readings = {};
  const sources = {};
  let hideTimer = 0;
  let active = null;
  const entryUrl = (id) => `${SERVER}/terms/${encodeURIComponent(id)}`;

  // A span names its entry by id (and, for a form read otherwise than its headword, a key of readings):
  // the cards come once per answer, in entries and readings.
  const cardOf = (span) => {
    const entry = entries[span.id] || {};
    const reading = span.reading && readings[span.reading];
    return reading ? Object.assign({}, entry, reading) : entry;
  };
  const nested = (children) => (children || []).map((c) => (
    { text: c.text, en: cardOf(c).en, children: nested(c.children) }));
  const fillTip = (mark) => {
    const span = mark.pgxSpan;
    const entry = entries[span.id] || {};
    const card = cardOf(span);
    const quote = entry.quote && entry.quote.text ? entry.quote : null;
    tip.replaceChildren(...glossaryTip({
      text: span.text, zh: entry.zh, zh_hant: entry.zh_hant, pinyin: card.pinyin, en: card.en, kind: entry.kind,
      ambiguous: span.ambiguous, ordinary: entry.ordinary, children: nested(span.children),
      quote: quote && quote.text, source: quote && glossaryCite(quote, sources), href: entryUrl(span.id),
    }, { newWindow: true }));
  };
  const place = (mark) => {
    const rect = mark.getClientRects()[0] || mark.getBoundingClientRect();
    tip.classList.add("open");
    const w = tip.offsetWidth;
    const h = tip.offsetHeight;
    const left = Math.max(8, Math.min(rect.left, win.innerWidth - w - 8));
    const below = rect.bottom + 6;
    const top = below + h > win.innerHeight - 4 && rect.top - h - 6 > 4 ? rect.top - h - 6 : below;
    tip.style.left = `${left}px`;
    tip.style.top = `${top}px`;
  };
  const show = (mark) => {
    clearTimeout(hideTimer);
    if (active === mark) return;
    if (active) active.classList.remove("pgx-active");
    active = mark;
    mark.classList.add("pgx-active");
    fillTip(mark);
    place(mark);
  };
  const hide = () => {
    clearTimeout(hideTimer);
    tip.classList.remove("open");
    if (active) active.classList.remove("pgx-active");
    active = null;
  };
  const hideSoon = () => {
    clearTimeout(hideTimer);
    hideTimer = setTimeout(hide, 300);
  };
  const markOf = (target) => (target && target.closest ? target.closest("pgx-mark.pgx-term") : null);
  const onOver = (e) => {
    const mark = markOf(e.target);
    if (mark && mark.pgxSpan) show(mark);
  };
  const onOut = (e) => {
    if (markOf(e.target) && !markOf(e.relatedTarget)) hideSoon();
  };
  const onClick = (e) => {
    const mark = markOf(e.target);
    if (mark && mark.pgxSpan) show(mark);
    else if (!e.composedPath().includes(host)) hide();
  };
  const onKey = (e) => { if (e.key === "Escape") hide(); };
  tip.addEventListener("mouseenter", () => clearTimeout(hideTimer));
  tip.addEventListener("mouseleave", hideSoon);
  doc.addEventListener("mouseover", onOver, true);
  doc.addEventListener("mouseout", onOut, true);
  doc.addEventListener("click", onClick, true);
  doc.addEventListener("keydown", onKey, true);
  win.addEventListener("scroll", hide, true);

  let cspBlocked = false;
  const onViolation = (e) => {
    if (String(e.blockedURI || "").startsWith(new URL(SERVER).origin)) cspBlocked = true;
  };
  doc.addEventListener("securitypolicyviolation", onViolation, true);

  state.undo = () => {
    state.cancelled = true;
    state.controller.abort();
    hide();
    for (let i = state.records.length - 1; i >= 0; i--) {
      const { node, parts } = state.records[i];
      const first = parts[0];
      if (first.parentNode && !node.parentNode) {
        first.parentNode.insertBefore(node, first);
        for (const part of parts) part.remove();
      }
    }
    state.records = [];
    doc.removeEventListener("mouseover", onOver, true);
    doc.removeEventListener("mouseout", onOut, true);
    doc.removeEventListener("click", onClick, true);
    doc.removeEventListener("keydown", onKey, true);
    doc.removeEventListener("securitypolicyviolation", onViolation, true);
    win.removeEventListener("scroll", hide, true);
    host.remove();
    unstyle();
    delete win[KEY];
  };

  // ------------------------------------------------------------ the page's visible text

  // display:none (and closed content-visibility) hides a whole subtree; visibility:hidden does not.
  const visible = (node) => (node.checkVisibility ? node.checkVisibility()
    : node.getClientRects().length > 0 || node.tagName === "BR");
  const collect = () => {
    const nodes = [];
    const walker = doc.createTreeWalker(doc.body || doc.documentElement,
      NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT, {
        acceptNode(node) {
          if (node.nodeType === 3) return /\S/.test(node.data) ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_SKIP;
          if (SKIP.has(node.tagName) || node.namespaceURI !== "http://www.w3.org/1999/xhtml"
            || node.tagName.startsWith("PGX-") || node.isContentEditable
            || (!visible(node) && getComputedStyle(node).display !== "contents")) {
            return NodeFilter.FILTER_REJECT;
          }
          return NodeFilter.FILTER_SKIP;
        },
      });
    while (walker.nextNode()) nodes.push(walker.currentNode);
    return nodes;
  };
  // The nearest ancestor that is not laid out inline: text nodes under the same one read as one run.
  const blocks = new Map();
  const blockOf = (node) => {
    let elem = node.parentElement;
    const path = [];
    while (elem && elem !== doc.body && !blocks.has(elem)) {
      path.push(elem);
      const display = getComputedStyle(elem).display;
      if (display !== "inline" && display !== "contents") break;
      elem = elem.parentElement;
    }
    const block = elem && blocks.has(elem) ? blocks.get(elem) : elem;
    for (const each of path) blocks.set(each, block);
    return block;
  };
  const batches = (nodes) => {
    const out = [];
    let cur = null;
    let lastBlock = null;
    for (const node of nodes) {
      let text = wellFormed(node.data);
      if (text.length > NODE_MAX) text = Array.from(text).slice(0, NODE_MAX).join("");
      const size = codePoints(text);
      const block = blockOf(node);
      if (!cur || (cur.size + size > BATCH && cur.items.length)) {
        cur = { items: [], parts: [], size: 0 };
        out.push(cur);
      } else if (block !== lastBlock) {
        cur.parts.push(SEP);
        cur.size += SEP.length;
      }
      lastBlock = block;
      cur.items.push({ node, data: node.data, text, start: cur.size, size });
      cur.parts.push(text);
      cur.size += size;
    }
    return out;
  };

  // ------------------------------------------------------------ marking

  // `pieces`: {span, from, to}, the part of a span in this node, in code points of the node's text
  // (a span over two text nodes of one block is marked in each, both marks carrying the span).
  const wrap = (item, pieces) => {
    const { node, data } = item;
    if (!node.parentNode || node.data !== data) return [];
    const at = data.length === item.size ? null : utf16Offsets(data.slice(0, item.text.length));
    const parts = [];
    const marked = [];
    let pos = 0;
    for (const { span, from, to, text } of pieces) {
      const s = at ? at[from] : from;
      const e = at ? at[to] : to;
      if (s < pos || wellFormed(data.slice(s, e)) !== text) continue;
      if (s > pos) parts.push(doc.createTextNode(data.slice(pos, s)));
      const mark = doc.createElement("pgx-mark");
      mark.className = span.ambiguous ? "pgx-term pgx-ambiguous" : "pgx-term";
      mark.setAttribute("data-pgx-id", span.id);
      mark.textContent = data.slice(s, e);
      mark.pgxSpan = span;
      parts.push(mark);
      marked.push(span);
      pos = e;
    }
    if (!marked.length) return [];
    if (pos < data.length) parts.push(doc.createTextNode(data.slice(pos)));
    const frag = doc.createDocumentFragment();
    frag.append(...parts);
    node.parentNode.replaceChild(frag, node);
    state.records.push({ node, parts });
    return marked;
  };

  const found = { marks: 0, ids: new Set(), spans: new Set() };
  const apply = async (batch, result) => {
    Object.assign(entries, result.entries || {});
    Object.assign(readings, result.readings || {});
    Object.assign(sources, result.sources || {});
    const spans = (result.spans || []).slice().sort((a, b) => a.start - b.start);
    const groups = new Map();
    let k = 0;
    for (const span of spans) {
      while (k < batch.items.length && batch.items[k].start + batch.items[k].size <= span.start) k++;
      let chars = null;
      for (let j = k; j < batch.items.length && batch.items[j].start < span.end; j++) {
        const item = batch.items[j];
        const from = Math.max(span.start, item.start);
        const to = Math.min(span.end, item.start + item.size);
        if (from >= to) continue;
        let text = span.text;
        if (from !== span.start || to !== span.end) {
          chars = chars || Array.from(span.text);
          text = chars.slice(from - span.start, to - span.start).join("");
        }
        if (!groups.has(item)) groups.set(item, []);
        groups.get(item).push({ span, from: from - item.start, to: to - item.start, text });
      }
    }
    let t0 = performance.now();
    for (const [item, list] of groups) {
      if (state.cancelled) return;
      const addIds = (l) => l.forEach((x) => { found.ids.add(x.id); addIds(x.children || []); });
      // A span split over two text nodes is marked in both and counted once.
      for (const span of wrap(item, list)) {
        if (!found.spans.has(span)) {
          found.spans.add(span);
          addIds([span]);
        }
      }
      found.marks = found.spans.size;
      if (performance.now() - t0 > SLICE) {
        await pause();
        t0 = performance.now();
      }
    }
  };

  const request = async (text) => {
    const response = await fetch(`${SERVER}/api/v1/annotate`, {
      method: "POST", mode: "cors", credentials: "omit", signal: state.controller.signal,
      headers: { "Content-Type": "application/json" }, body: JSON.stringify(Object.assign({}, OPTIONS, { text })),
    });
    let body = null;
    try {
      body = await response.json();
    } catch (err) {
      body = null;
    }
    if (!response.ok || !body || !body.spans) {
      const why = body && body.error ? body.error : `HTTP ${response.status}`;
      throw Object.assign(new Error(why), { server: true });
    }
    return body;
  };

  // ------------------------------------------------------------ when the page forbids the request

  const fallback = () => {
    let text = String(win.getSelection ? win.getSelection() : "").trim();
    if (!text) {
      const main = doc.querySelector("main, article, [role=main]") || doc.body;
      text = (main && main.innerText) || "";
    }
    text = Array.from(text.trim()).slice(0, FALLBACK_CHARS).join("");
    // In the fragment: the annotate page posts it, so the page's text never travels in a URL.
    // The filters go in the query, so the annotate page applies them too.
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(OPTIONS)) {
      for (const one of [].concat(value)) query.append(name, one === true ? "on" : String(one));
    }
    const search = query.toString() ? `?${query}` : "";
    const href = `${SERVER}/annotate${search}#text=${encodeURIComponent(text)}`;
    const opened = win.open(href, "_blank");
    try { if (opened) opened.opener = null; } catch (err) { /* cross-origin already */ }
    const why = "This page\u2019s Content-Security-Policy blocks requests to the glossary server, so its "
      + "terms cannot be marked here.";
    if (opened) {
      say(`${why} Its text opened on the glossary\u2019s annotate page in a new window.`,
        { error: true, link: { href, text: "Open it again" } });
    } else {
      say(why, { error: true, link: { href, text: "Open its text on the glossary\u2019s annotate page" } });
    }
  };

  // ------------------------------------------------------------ run

  const run = async () => {
    say("Reading the page\u2026");
    const nodes = collect();
    if (!nodes.length) {
      say("This page has no visible text to annotate.");
      return;
    }
    const all = batches(nodes);
    say(`Annotating ${nodes.length.toLocaleString()} pieces of text\u2026`);
    let next = 0;
    let failure = null;
    const worker = async () => {
      while (next < all.length && !failure && !state.cancelled) {
        const batch = all[next++];
        try {
          const result = await request(batch.parts.join(""));
          if (!state.cancelled) await apply(batch, result);
        } catch (err) {
          failure = failure || err;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL, all.length) }, worker));
    if (state.cancelled) return;
    if (failure) {
      if (!failure.server) await new Promise((resolve) => setTimeout(resolve, 50));
      if (cspBlocked) {
        fallback();
      } else if (failure.server) {
        say(`The glossary server refused the text: ${failure.message}`, { error: true });
      } else {
        say(`Cannot reach the glossary server at ${SERVER}. Is it running? If the browser asked whether `
          + "this page may connect to your computer or local network, allow it.", { error: true });
      }
      return;
    }
    if (!found.marks) {
      say("No glossary terms found in this page\u2019s text.");
      return;
    }
    const n = found.marks;
    say(`${n.toLocaleString()} term${n === 1 ? "" : "s"} marked (${found.ids.size} entr`
      + `${found.ids.size === 1 ? "y" : "ies"}). Hover one for its rendering; run the bookmarklet again `
      + "to remove the marks.");
  };
  // state.ms: how long the run took, for anyone measuring (the tests do).
  const started = performance.now();
  run().catch((err) => say(`Something went wrong: ${err && err.message}`, { error: true }))
    .finally(() => { state.ms = Math.round(performance.now() - started); });
})();
