// Polls the status of every .jobprogress on the page until its job has finished.
(function () {
  "use strict";
  function render(el, data) {
    el.querySelector(".jobprogress-bar").value = data.voortgang;
    el.querySelector(".jobprogress-bar").textContent = data.voortgang + "%";
    el.querySelector(".jobprogress-percent").textContent = data.voortgang;
    el.querySelector(".jobprogress-status").textContent = data.statusLabel;
    el.querySelector(".jobprogress-stap").textContent = data.stap || "";
    var fout = el.querySelector(".jobprogress-fout");
    fout.textContent = data.fout || "";
    fout.hidden = !data.fout;
    var list = el.querySelector(".jobprogress-bestanden");
    list.textContent = "";
    data.bestanden.forEach(function (bestand) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = bestand.url;
      a.textContent = bestand.naam;
      li.appendChild(a);
      list.appendChild(li);
    });
  }
  function poll(el) {
    fetch(el.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        render(el, data);
        if (!data.klaar) { window.setTimeout(function () { poll(el); }, 1000); }
      })
      .catch(function () { window.setTimeout(function () { poll(el); }, 3000); });
  }
  document.querySelectorAll(".jobprogress").forEach(poll);
})();
