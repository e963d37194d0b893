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
    target.scrollIntoView({ block: "center" });
  }
  window.addEventListener("hashchange", mark);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mark); else mark();
})();
