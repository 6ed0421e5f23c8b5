// The tooltip of one glossary term: the one piece of code that builds it, for the annotate page
// (static/annotate.js, loaded after this file) and for the bookmarklet (web/bookmarklet.py puts this
// file inside the bookmarklet's script, which must not load anything from our server).
// It is compacted with the bookmarklet: full-line // comments only, and no multi-line strings.
// Data only ever becomes text (textContent), never HTML.
//
// card: {text (the form met), zh, zh_hant, pinyin, en, kind, ambiguous, ordinary, note (the preferred
// rendering's), renderings (the others: {en, status, note}), children ({text, en, children}), quote
// (its text), source (where the quote is from, see glossaryCite), href (the entry's page)}.
// opts: {prefix: put before every class name ("tip-" on the site), newWindow: the link opens one}.
// Returns the nodes, in order, for the caller to put in its tooltip.
function glossaryTip(card, opts) {
  var prefix = (opts && opts.prefix) || "";
  var el = function (tag, names, text) {
    var node = document.createElement(tag);
    if (names) node.className = names.split(" ").map(function (n) { return prefix + n; }).join(" ");
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  };
  var parts = [];
  var head = el("div", "head");
  head.appendChild(el("span", "en", card.en));
  head.appendChild(document.createTextNode("  "));
  head.appendChild(el("span", "py", card.pinyin));
  parts.push(head);
  // The form met, then the entry's own forms where they differ from it, then the kind of entry.
  var met = card.text || card.zh;
  var forms = [card.zh, card.zh_hant].filter(function (f, i, all) {
    return f && f !== met && all.indexOf(f) === i;
  });
  var line = [met];
  if (forms.length) line.push("Entry: " + forms.join(" / "));
  if (card.kind) line.push(card.kind);
  var zh = el("div", "zh", line.join(" \u00b7 "));
  zh.lang = "zh";
  parts.push(zh);
  var others = card.renderings || [];
  if (others.length) {
    var list = el("ul", "others");
    others.forEach(function (r) {
      var label = r.status === "admitted" ? "also admitted" : r.status === "forbidden" ? "forbidden: do not use"
        : r.status === "deprecated" ? "deprecated" : r.status;
      list.appendChild(el("li", "r " + r.status, r.en + " (" + label + ")"));
    });
    parts.push(list);
  }
  var contested = others.filter(function (r) { return r.status === "deprecated" || r.status === "forbidden"; });
  if (contested.length) {
    parts.push(el("div", "warn", "\u26a0 Contested rendering: avoid " + contested.map(function (r) {
      return "\u201c" + r.en + "\u201d" + (r.note ? " (" + r.note + ")" : "");
    }).join(", ")));
  }
  if (card.note) parts.push(el("div", "note", card.note));
  if (card.ambiguous) {
    parts.push(el("div", "amb", "Ambiguous: also an ordinary word" + (card.ordinary ? ", \u201c" + card.ordinary + "\u201d" : "")));
  }
  var inner = [];
  var walk = function (children) {
    (children || []).forEach(function (c) {
      inner.push(c.text + " " + c.en);
      walk(c.children);
    });
  };
  walk(card.children);
  if (inner.length) parts.push(el("div", "contains", "Contains: " + inner.join("; ")));
  if (card.quote) {
    parts.push(el("blockquote", "quote", "\u201c" + card.quote + "\u201d"));
    if (card.source) parts.push(el("div", "src", "\u2014 " + card.source));
  }
  var link = el("a", "link", card.quote ? "Entry and all quotes \u2192" : "Open entry \u2192");
  link.href = card.href;
  if (opts && opts.newWindow) {
    link.target = "_blank";
    link.rel = "noopener";
  }
  parts.push(link);
  return parts;
}

// Where a quote is from: "publication, title, date" of its source (its id when the source is not
// given), and what it cites.
function glossaryCite(quote, sources) {
  var from = sources && sources[quote.source];
  var where = from ? [from.publication, from.title, from.date].filter(Boolean).join(", ") : quote.source;
  if (quote.cites) where += " \u00b7 cites " + quote.cites;
  return where;
}
