// A table wider than its box scrolls inside it (CSS .table); a keyboard user must be able to
// scroll it too, so such a table takes the focus (WCAG 2.1.1). Narrow tables stay out of the
// Tab order.
(function () {
  "use strict";
  function markeer() {
    document.querySelectorAll("table.table").forEach(function (tabel) {
      if (tabel.scrollWidth > tabel.clientWidth + 1) {
        tabel.setAttribute("tabindex", "0");
      } else if (tabel.getAttribute("tabindex") === "0") {
        tabel.removeAttribute("tabindex");
      }
    });
  }
  document.addEventListener("DOMContentLoaded", markeer);
  window.addEventListener("resize", markeer);
})();
