/* Passkeys and security keys (WebAuthn): the forms marked data-webauthn="register" or
   "authenticate" ask the server for options (data-options), call navigator.credentials, and
   send the answer back (data-verify) as JSON, with the form's CSRF token. The server answers
   { redirect } or { error }. The forms stay hidden where the browser cannot use keys. */
(function () {
  "use strict";
  if (!window.PublicKeyCredential || !navigator.credentials) { return; }

  function toBytes(text) {
    var base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) { base64 += "="; }
    var raw = atob(base64), bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { bytes[i] = raw.charCodeAt(i); }
    return bytes.buffer;
  }

  function toText(buffer) {
    var bytes = new Uint8Array(buffer), raw = "";
    for (var i = 0; i < bytes.length; i++) { raw += String.fromCharCode(bytes[i]); }
    return btoa(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function descriptors(list) {
    return (list || []).map(function (item) {
      return Object.assign({}, item, { id: toBytes(item.id) });
    });
  }

  function creationOptions(options) {
    options.challenge = toBytes(options.challenge);
    options.user.id = toBytes(options.user.id);
    options.excludeCredentials = descriptors(options.excludeCredentials);
    return options;
  }

  function requestOptions(options) {
    options.challenge = toBytes(options.challenge);
    options.allowCredentials = descriptors(options.allowCredentials);
    return options;
  }

  function encode(credential) {
    var response = credential.response, answer = {
      id: credential.id, rawId: toText(credential.rawId), type: credential.type,
      authenticatorAttachment: credential.authenticatorAttachment || null,
      clientExtensionResults: credential.getClientExtensionResults(), response: {
        clientDataJSON: toText(response.clientDataJSON)
      }
    };
    if (response.attestationObject) {
      answer.response.attestationObject = toText(response.attestationObject);
      answer.response.transports = response.getTransports ? response.getTransports() : [];
    } else {
      answer.response.authenticatorData = toText(response.authenticatorData);
      answer.response.signature = toText(response.signature);
      answer.response.userHandle = response.userHandle ? toText(response.userHandle) : null;
    }
    return answer;
  }

  function post(form, url, body) {
    var token = form.querySelector("input[name=csrf_token]");
    return fetch(url, {
      method: "POST", credentials: "same-origin", body: JSON.stringify(body || {}),
      headers: { "Content-Type": "application/json", "X-CSRFToken": token ? token.value : "" }
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok || data.error) { throw new Error(data.error || "Erreur"); }
        return data;
      });
    });
  }

  function run(form, status) {
    var register = form.dataset.webauthn === "register";
    var name = form.querySelector("input[name=name]");
    var trust = form.querySelector("input[name=trust]");
    status.textContent = "Suivez les indications de votre navigateur ou de votre clé…";
    return post(form, form.dataset.options).then(function (options) {
      return register
        ? navigator.credentials.create({ publicKey: creationOptions(options) })
        : navigator.credentials.get({ publicKey: requestOptions(options) });
    }).then(function (credential) {
      return post(form, form.dataset.verify, {
        credential: encode(credential), name: name ? name.value : "",
        trust: trust ? trust.checked : false, next: form.dataset.next || ""
      });
    }).then(function (data) {
      window.location.assign(data.redirect);
    }).catch(function (error) {
      status.textContent = error && error.name === "NotAllowedError"
        ? "Opération annulée ou délai dépassé : réessayez."
        : (error && error.message) || "La clé n'a pas répondu : réessayez.";
    });
  }

  document.querySelectorAll("form[data-webauthn]").forEach(function (form) {
    var status = form.querySelector("[data-webauthn-status]");
    form.hidden = false;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (form.dataset.busy) { return; }
      var name = form.querySelector("input[name=name]");
      if (name && name.required && !name.value.trim()) {
        status.textContent = "Donnez un nom à la clé.";
        name.focus();
        return;
      }
      form.dataset.busy = "1";
      run(form, status).then(function () { delete form.dataset.busy; });
    });
  });
})();
