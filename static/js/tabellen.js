// A table wider than its box scrolls inside its wrapper (CSS .tabel-wrap); a keyboard user must be
// able to scroll it too, so such a wrapper takes the focus (WCAG 2.1.1) and is announced as a region
// named after the table's caption (or the heading above it). Narrow tables stay out of the Tab order.
(function () {
  "use strict";
  function naam(wrap) {
    var caption = wrap.querySelector("caption");
    if (caption && caption.textContent.trim()) {
      return caption.textContent.trim();
    }
    var el = wrap.previousElementSibling;
    while (el && !/^H[1-6]$/.test(el.tagName)) {
      el = el.previousElementSibling;
    }
    return el ? el.textContent.trim() : "Tabel";
  }
  function markeer() {
    document.querySelectorAll(".tabel-wrap").forEach(function (wrap) {
      if (wrap.scrollWidth > wrap.clientWidth + 1) {
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-label", naam(wrap) + " (schuift horizontaal)");
      } else if (wrap.getAttribute("tabindex") === "0") {
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("role");
        wrap.removeAttribute("aria-label");
      }
    });
  }
  document.addEventListener("DOMContentLoaded", markeer);
  window.addEventListener("resize", markeer);
})();
