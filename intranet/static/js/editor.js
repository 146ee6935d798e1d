/* A small rich-text editor for pages: a contenteditable area with a toolbar, written into the
   form's textarea (as HTML) when the form is sent. Without JavaScript, or in a browser lacking
   what it needs, the plain textarea (Markdown-like text) is used unchanged. The server sanitises
   whatever it receives. */
(function () {
  "use strict";
  var textarea = document.querySelector("textarea[data-editor='rich']");
  var format = document.querySelector("input[data-editor-format]");
  if (!textarea || !format || !document.execCommand || !("contentEditable" in textarea)) return;

  var area = document.createElement("div");
  area.className = "editor-area rich";
  area.contentEditable = "true";
  area.setAttribute("role", "textbox");
  area.setAttribute("aria-multiline", "true");
  area.setAttribute("aria-label", "Texte de la page");
  var saved = document.getElementById("body-html");
  if (format.value === "html") {
    area.innerHTML = textarea.value;
  } else if (saved) {
    area.innerHTML = saved.innerHTML;   // the server's rendering of the Markdown-like text
  } else {
    area.innerHTML = "<p><br></p>";
  }

  var tools = [
    ["Gras", "bold"], ["Italique", "italic"], ["Titre", "formatBlock", "h2"],
    ["Sous-titre", "formatBlock", "h3"], ["Paragraphe", "formatBlock", "p"],
    ["Liste", "insertUnorderedList"], ["Liste numérotée", "insertOrderedList"],
    ["Citation", "formatBlock", "blockquote"], ["Lien", "createLink"], ["Retirer le lien", "unlink"]
  ];
  var bar = document.createElement("div");
  bar.className = "editor-toolbar";
  bar.setAttribute("role", "toolbar");
  bar.setAttribute("aria-label", "Mise en forme");
  tools.forEach(function (tool) {
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
  var hint = document.getElementById("body-aide");
  if (hint) hint.textContent = "Mettez en forme avec les boutons ci-dessus ; le texte est enregistré tel que vous le voyez.";
  textarea.form.addEventListener("submit", function () {
    textarea.value = area.innerHTML;
    format.value = "html";
  });
})();
