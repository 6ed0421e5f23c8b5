// The /bookmarklet page: "Annotate this page" (and a click on the link itself) runs the same
// script the bookmark carries. This site's CSP forbids javascript: URLs, so the script is loaded
// from /bookmarklet.js instead; each run toggles the marks on or off.
(() => {
  const run = (event) => {
    event.preventDefault();
    const script = document.createElement("script");
    script.src = document.getElementById("bm-try").dataset.script;
    script.addEventListener("load", () => script.remove());
    document.head.appendChild(script);
  };
  document.getElementById("bm-try").addEventListener("click", run);
  document.getElementById("bookmarklet").addEventListener("click", run);

  const code = document.getElementById("bm-code");
  const copied = document.getElementById("bm-copied");
  document.getElementById("bm-copy").addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(code.value);
      copied.textContent = "Copied. Paste it as a bookmark's address.";
    } catch (err) {
      code.select();
      copied.textContent = "Selected: copy it with Ctrl+C (⌘C).";
    }
  });
})();
