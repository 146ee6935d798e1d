/* The one rich text editor (templates/_macros.html, rich_text): every textarea marked
   data-editor="rich" becomes a contenteditable area with a toolbar, written into its textarea
   (as HTML, its format input set to "html") when the form is sent. Several fields on a page each
   get their own. The area is named by the field's visible label and described by its hint.
   Without JavaScript, or in a browser lacking what it needs, the plain textarea is used
   unchanged (format "text"). The server sanitises whatever it receives. */
(function () {
  "use strict";
  if (!document.execCommand || !document.querySelectorAll) return;

  // The hint's words name these buttons: keep them in step.
  var HOWTO = "Mettez en forme avec les boutons Gras, Italique, Titre, Liste… au-dessus du champ ;" +
              " le texte est enregistré tel que vous le voyez.";
  var TOOLS = [
    ["Gras", "bold"], ["Italique", "italic"], ["Titre", "formatBlock", "h2"],
    ["Sous-titre", "formatBlock", "h3"], ["Paragraphe", "formatBlock", "p"],
    ["Liste", "insertUnorderedList"], ["Liste numérotée", "insertOrderedList"],
    ["Citation", "formatBlock", "blockquote"], ["Lien", "createLink"], ["Retirer le lien", "unlink"]
  ];

  function byFor(selector, attribute, id) {
    var found = null;
    Array.prototype.forEach.call(document.querySelectorAll(selector), function (element) {
      if (!found && element.getAttribute(attribute) === id) found = element;
    });
    return found;
  }

  function isEmpty(area) {
    return !area.textContent.replace(/\s+/g, "") && !area.querySelector("img, hr");
  }

  function setUp(textarea) {
    var id = textarea.id;
    var format = id && byFor("input[data-editor-format-for]", "data-editor-format-for", id);
    if (!format || !textarea.form) return;
    var label = byFor("label[for]", "for", id);

    var area = document.createElement("div");
    area.id = id + "-editeur";
    area.className = "editor-area rich";
    area.contentEditable = "true";
    area.setAttribute("role", "textbox");
    area.setAttribute("aria-multiline", "true");
    if (label) {
      if (!label.id) label.id = id + "-libelle";
      area.setAttribute("aria-labelledby", label.id);
      label.addEventListener("click", function () { area.focus(); });
    } else {
      area.setAttribute("aria-label", textarea.getAttribute("aria-label") || "Texte");
    }
    ["aria-describedby", "aria-invalid"].forEach(function (name) {
      if (textarea.hasAttribute(name)) area.setAttribute(name, textarea.getAttribute(name));
    });
    if (textarea.required) {
      // The hidden textarea must not stop the form in the browser: the server checks it.
      area.setAttribute("aria-required", "true");
      textarea.required = false;
    }

    var saved = byFor("template[data-editor-html-for]", "data-editor-html-for", id);
    if (format.value === "html") {
      area.innerHTML = textarea.value;     // sent back as it was sent: the server cleans it on save
    } else if (saved) {
      area.innerHTML = saved.innerHTML;    // the server's rendering of the plain text
    }
    if (!area.innerHTML) area.innerHTML = "<p><br></p>";

    var bar = document.createElement("div");
    bar.className = "editor-toolbar";
    bar.setAttribute("role", "toolbar");
    bar.setAttribute("aria-label", "Mise en forme" + (label ? " : " + label.textContent.trim() : ""));
    bar.setAttribute("aria-controls", area.id);
    TOOLS.forEach(function (tool) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "editor-button";
      button.textContent = tool[0];
      button.addEventListener("click", function () {
        area.focus();
        var value = tool[2] || null;
        if (tool[1] === "createLink") {
          value = window.prompt("Adresse du lien (https://…)", "https://");
          if (!value) return;
        }
        document.execCommand(tool[1], false, value);
      });
      bar.appendChild(button);
    });

    textarea.hidden = true;
    textarea.parentNode.insertBefore(bar, textarea);
    textarea.parentNode.insertBefore(area, textarea);
    // The error summary's link to this field leads to the editor.
    document.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest("a[href]");
      if (link && link.getAttribute("href") === "#" + id) {
        event.preventDefault();
        area.focus();
      }
    });
    var hint = document.getElementById(id + "-aide");
    var howto = hint && hint.querySelector("[data-editor-howto]");
    if (howto) howto.textContent = HOWTO;

    function write() {
      // An editor left empty sends nothing, so that a required field says so.
      textarea.value = isEmpty(area) ? "" : area.innerHTML;
      format.value = "html";
    }
    write();                               // from now on the field holds HTML
    area.addEventListener("input", write);
    textarea.form.addEventListener("submit", write);
    textarea.form.addEventListener("formdata", function (event) {
      write();
      if (event.formData && event.formData.set) {
        event.formData.set(textarea.name, textarea.value);
        event.formData.set(format.name, format.value);
      }
    });
  }

  try { document.execCommand("styleWithCSS", false, false); } catch (ignored) { /* old browsers */ }
  Array.prototype.forEach.call(document.querySelectorAll("textarea[data-editor='rich']"), setUp);
})();
