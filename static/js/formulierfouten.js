// A form that comes back with errors puts the focus on the first field that has one: a keyboard
// or screen-reader user lands where the correction is needed, and hears the field's label and
// error (Django links them with aria-describedby), instead of starting again at the top of the
// page and searching for it. A page that sets its own autofocus keeps it.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var veld = document.querySelector('main [aria-invalid="true"]');
    if (veld && !document.querySelector("[autofocus]")) {
      veld.focus();
    }
  });
})();
