/* Forum drafts saved while writing: every form marked data-draft-url (a new topic, a reply) is
   sent to that address a few seconds after its text last changed, with its CSRF token and
   without its files; the server keeps one draft per person and place and gives it back when
   they return. Without JavaScript, the « Enregistrer le brouillon » button does the same. */
(function () {
  "use strict";
  if (!window.fetch || !window.FormData || !document.querySelectorAll) return;
  var DELAY = 5000;

  function setUp(form) {
    var url = form.getAttribute("data-draft-url");
    var status = form.querySelector("[data-draft-status]");
    var timer = null, last = null, sending = false;

    function payload() {
      var data = new FormData(form);      // the editor writes its HTML in on "formdata"
      data.delete("files");
      data.delete("previsualiser");
      data.delete("enregistrer-brouillon");
      return data;
    }

    function fingerprint(data) {
      var parts = [];
      data.forEach(function (value, key) {
        if (key !== "csrf_token" && typeof value === "string") parts.push(key + "=" + value);
      });
      return parts.join("&");
    }

    function save() {
      timer = null;
      if (sending) { schedule(); return; }
      var data = payload(), print = fingerprint(data);
      if (print === last) return;
      sending = true;
      fetch(url, { method: "POST", body: data, credentials: "same-origin",
                   headers: { "X-Requested-With": "fetch" } })
        .then(function (response) {
          return response.json().then(function (answer) {
            if (response.ok && answer.saved) {
              last = print;
              if (status) status.textContent = "Brouillon enregistré à " + answer.at;
            } else if (status) {
              status.textContent = answer.message || "Brouillon non enregistré.";
            }
          });
        })
        .catch(function () {
          if (status) status.textContent = "Brouillon non enregistré (connexion perdue ?).";
        })
        .then(function () { sending = false; });
    }

    function schedule() {
      if (timer) window.clearTimeout(timer);
      timer = window.setTimeout(save, DELAY);
    }

    last = fingerprint(payload());          // what the page came with is already saved
    form.addEventListener("input", schedule);
    form.addEventListener("keyup", schedule);
  }

  Array.prototype.forEach.call(document.querySelectorAll("form[data-draft-url]"), setUp);
})();
