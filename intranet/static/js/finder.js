/* Search-as-you-type for the fields that find a person or an organisation
 * (ARIA 1.2 combobox with a listbox popup). Progressive enhancement: without this script
 * the same fields work with their « Chercher » button (a round-trip that shows the matches).
 *
 * <div data-finder="recipients|organisation" data-finder-url="/…?q=">
 *   recipients: data-finder-people (id of the textarea people are added to) and
 *               data-finder-chosen (id of the block of chosen organisations);
 *   organisation: data-finder-id (name of the hidden input that receives the choice).
 * The server answers {"results": [{kind, id, label, detail, line?}]} (at most 20).
 */
(function () {
  "use strict";

  var DELAY = 300;        // ms of quiet typing before asking: no request per keystroke
  var MIN_LETTERS = 2;
  var counter = 0;

  function letters(text) {
    return text.replace(/[^0-9A-Za-zÀ-ÿŒœÆæ]/g, "").length;
  }

  function Finder(root) {
    counter += 1;
    this.root = root;
    this.mode = root.getAttribute("data-finder");
    this.url = root.getAttribute("data-finder-url");
    this.input = root.querySelector("input[type=text], input:not([type])");
    this.results = [];
    this.active = -1;
    this.cache = {};
    this.timer = null;
    this.request = null;
    this.asked = "";
    var id = "finder-" + counter;

    this.list = document.createElement("ul");
    this.list.id = id + "-options";
    this.list.className = "finder-options";
    this.list.setAttribute("role", "listbox");
    this.list.setAttribute("aria-label", "Résultats de la recherche");
    this.list.hidden = true;
    this.status = document.createElement("p");
    this.status.className = "visually-hidden";
    this.status.setAttribute("role", "status");
    this.status.setAttribute("aria-live", "polite");
    var box = this.input.parentNode;
    box.parentNode.insertBefore(this.list, box.nextSibling);
    root.appendChild(this.status);

    this.input.setAttribute("role", "combobox");
    this.input.setAttribute("aria-autocomplete", "list");
    this.input.setAttribute("aria-expanded", "false");
    this.input.setAttribute("aria-controls", this.list.id);
    this.input.setAttribute("autocomplete", "off");

    var self = this;
    this.input.addEventListener("input", function () { self.typed(); });
    this.input.addEventListener("keydown", function (event) { self.key(event); });
    this.input.addEventListener("blur", function () {
      window.setTimeout(function () { self.close(); }, 150);
    });
    // mousedown keeps the focus in the field; click picks
    this.list.addEventListener("mousedown", function (event) { event.preventDefault(); });
    this.list.addEventListener("click", function (event) {
      var option = event.target.closest("[role=option]");
      if (option) { self.pick(Number(option.getAttribute("data-index"))); }
    });
    if (this.mode === "recipients") {
      this.people = document.getElementById(root.getAttribute("data-finder-people"));
      this.chosen = document.getElementById(root.getAttribute("data-finder-chosen"));
      if (this.chosen) {
        this.chosen.addEventListener("click", function (event) {
          var button = event.target.closest("[data-finder-remove]");
          if (button) { event.preventDefault(); self.remove(button); }
        });
      }
    } else {
      this.hidden = root.querySelector("input[type=hidden][name='" +
                                       root.getAttribute("data-finder-id") + "']");
    }
  }

  Finder.prototype.say = function (text) {
    this.status.textContent = text;
  };

  Finder.prototype.typed = function () {
    var self = this;
    if (this.hidden) { this.hidden.value = ""; }   // the text no longer says the choice
    window.clearTimeout(this.timer);
    if (letters(this.input.value) < MIN_LETTERS) {
      this.close();
      return;
    }
    this.timer = window.setTimeout(function () { self.ask(); }, DELAY);
  };

  Finder.prototype.ask = function () {
    var self = this;
    var text = this.input.value.trim();
    window.clearTimeout(this.timer);
    if (letters(text) < MIN_LETTERS) { return; }
    if (this.cache[text]) { this.show(this.cache[text]); return; }
    if (this.request) { this.request.abort(); }
    this.request = new AbortController();
    this.asked = text;
    var separator = this.url.indexOf("?") === -1 ? "?" : "&";
    fetch(this.url + separator + "q=" + encodeURIComponent(text), {
      credentials: "same-origin",
      headers: {"Accept": "application/json"},
      signal: this.request.signal
    }).then(function (response) {
      if (!response.ok || response.headers.get("Content-Type").indexOf("json") === -1) {
        throw new Error("status " + response.status);
      }
      return response.json();
    }).then(function (data) {
      self.cache[text] = data.results;
      if (self.input.value.trim() === text) { self.show(data.results); }
    }).catch(function (error) {
      if (error.name !== "AbortError") {
        self.say("La recherche n'a pas abouti : utilisez le bouton « Chercher ».");
      }
    });
  };

  Finder.prototype.show = function (results) {
    var self = this;
    this.results = results;
    this.active = -1;
    this.input.removeAttribute("aria-activedescendant");
    this.list.textContent = "";
    results.forEach(function (result, index) {
      var item = document.createElement("li");
      item.id = self.list.id + "-" + index;
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", "false");
      item.setAttribute("data-index", String(index));
      item.appendChild(document.createTextNode(result.label));
      if (result.detail) {
        var detail = document.createElement("span");
        detail.className = "finder-detail";
        detail.textContent = " — " + result.detail;
        item.appendChild(detail);
      }
      self.list.appendChild(item);
    });
    if (results.length) {
      this.list.hidden = false;
      this.input.setAttribute("aria-expanded", "true");
      this.say(results.length + (results.length > 1 ? " résultats" : " résultat") +
               " : flèches haut et bas pour parcourir, Entrée pour choisir.");
    } else {
      this.close();
      this.say("Aucun résultat pour « " + this.input.value.trim() + " ».");
    }
  };

  Finder.prototype.close = function () {
    this.list.hidden = true;
    this.active = -1;
    this.input.setAttribute("aria-expanded", "false");
    this.input.removeAttribute("aria-activedescendant");
  };

  Finder.prototype.move = function (step) {
    if (!this.results.length) { return; }
    if (this.list.hidden) {
      this.list.hidden = false;
      this.input.setAttribute("aria-expanded", "true");
    }
    var count = this.results.length;
    var next = this.active < 0 ? (step > 0 ? 0 : count - 1) : (this.active + step + count) % count;
    var options = this.list.children;
    if (this.active >= 0) { options[this.active].setAttribute("aria-selected", "false"); }
    this.active = next;
    options[next].setAttribute("aria-selected", "true");
    this.input.setAttribute("aria-activedescendant", options[next].id);
    options[next].scrollIntoView({block: "nearest"});
  };

  Finder.prototype.key = function (event) {
    var open = !this.list.hidden;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (!this.results.length) { this.ask(); return; }
      this.move(event.key === "ArrowDown" ? 1 : -1);
    } else if (event.key === "Enter") {
      // Never send the form from here: pick the option, or search at once.
      event.preventDefault();
      if (open && this.active >= 0) { this.pick(this.active); } else { this.ask(); }
    } else if (event.key === "Escape") {
      if (open) {
        event.preventDefault();
        this.close();
      } else if (this.input.value) {
        event.preventDefault();
        this.input.value = "";
        if (this.hidden) { this.hidden.value = ""; }
      }
    } else if (event.key === "Tab") {
      this.close();
    }
  };

  Finder.prototype.pick = function (index) {
    var result = this.results[index];
    if (!result) { return; }
    this.close();
    if (this.mode === "recipients") {
      if (result.kind === "person") {
        this.addPerson(result);
      } else {
        this.addOrganisation(result);
      }
      this.input.value = "";
      this.results = [];
      this.say("« " + result.label + " » ajouté aux destinataires.");
    } else {
      this.input.value = result.label;
      if (this.hidden) { this.hidden.value = String(result.id); }
      var radios = this.root.querySelectorAll("input[type=radio]");
      for (var i = 0; i < radios.length; i += 1) { radios[i].checked = false; }
      this.say("« " + result.label + " » choisi.");
    }
    this.input.focus();
  };

  Finder.prototype.addPerson = function (result) {
    var current = this.people.value.replace(/[\s,]+$/, "");
    if (current.indexOf(result.line) !== -1) { return; }
    this.people.value = current ? current + ",\n" + result.line : result.line;
  };

  Finder.prototype.addOrganisation = function (result) {
    var list = this.chosen.querySelector("ul");
    if (this.chosen.querySelector("input[name=organisation][value='" + result.id + "']")) {
      return;
    }
    var item = document.createElement("li");
    var hidden = document.createElement("input");
    hidden.type = "hidden";
    hidden.name = "organisation";
    hidden.value = String(result.id);
    var button = document.createElement("button");
    button.type = "submit";
    button.name = "retirer";
    button.value = String(result.id);
    button.className = "link-button";
    button.setAttribute("formnovalidate", "");
    button.setAttribute("data-finder-remove", "");
    button.appendChild(document.createTextNode("Retirer"));
    var more = document.createElement("span");
    more.className = "visually-hidden";
    more.textContent = " " + result.label + " des destinataires";
    button.appendChild(more);
    item.appendChild(hidden);
    item.appendChild(document.createTextNode(result.label + " "));
    item.appendChild(button);
    list.appendChild(item);
    this.chosen.hidden = false;
  };

  Finder.prototype.remove = function (button) {
    var item = button.closest("li");
    var name = item.firstChild && item.textContent.replace(/Retirer.*$/, "").trim();
    item.parentNode.removeChild(item);
    if (!this.chosen.querySelector("li")) { this.chosen.hidden = true; }
    this.say("« " + name + " » retiré des destinataires.");
    this.input.focus();
  };

  function start() {
    if (!window.fetch || !window.AbortController || !Element.prototype.closest) { return; }
    var roots = document.querySelectorAll("[data-finder]");
    for (var i = 0; i < roots.length; i += 1) { new Finder(roots[i]); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
