// Progressive enhancement only: when a page opens on a quote's anchor, mark every
// piece of that quote (an elided quote has several) and bring it into view.
(function () {
  function mark() {
    document.querySelectorAll(".tf-active").forEach(function (el) { el.classList.remove("tf-active"); });
    var id = decodeURIComponent(window.location.hash.slice(1));
    if (!id) return;
    var target = document.getElementById(id);
    if (!target || !target.classList.contains("tf-quote")) return;
    document.querySelectorAll(".tf-q-" + CSS.escape(id)).forEach(function (el) { el.classList.add("tf-active"); });
    // Scroll the window only (scrollIntoView would also shift the theme's sticky panes).
    var top = target.getBoundingClientRect().top;
    window.scrollBy(0, top - window.innerHeight / 3);
  }
  window.addEventListener("hashchange", mark);
  // After "load": the theme's styles move things until then, and the position must be final.
  if (document.readyState === "complete") mark(); else window.addEventListener("load", mark);
})();

// A touch screen has no hover: the first tap on a citation marker opens its tip (the
// quote and where it comes from), a second tap follows the link, a tap elsewhere closes it.
(function () {
  // The words under an open tip, in the page's language: the extension writes them into
  // the page (a JSON block), this script translates nothing.
  function words() {
    var block = document.getElementById("tracefacts-words");
    try { return block ? JSON.parse(block.textContent) : {}; } catch (e) { return {}; }
  }
  var pointer = "mouse";  // how the reader last acted: a key press is not a tap
  document.addEventListener("pointerdown", function (event) { pointer = event.pointerType; }, true);
  document.addEventListener("keydown", function () { pointer = "keyboard"; }, true);
  document.addEventListener("click", function (event) {
    var cite = event.target instanceof Element ? event.target.closest("a.tf-cite") : null;
    document.querySelectorAll("a.tf-cite.tf-open").forEach(function (el) {
      if (el !== cite) el.classList.remove("tf-open");
    });
    if (!cite || pointer !== "touch" || cite.classList.contains("tf-open")) return;
    event.preventDefault();
    var tip = cite.querySelector(".tf-tip");
    if (tip && !tip.hasAttribute("data-tf-tap")) tip.setAttribute("data-tf-tap", words().tap || "");
    cite.classList.add("tf-open");
  }, true);
})();
