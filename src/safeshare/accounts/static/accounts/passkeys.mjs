// Passkeys (WebAuthn): a button with data-passkey="register" or "authenticate" asks the server
// for options, lets the browser's authenticator answer, and posts the answer back. The server
// answers {"redirect": url} or {"error": {"message"}, "redirect"?}. Without WebAuthn the
// buttons stay hidden and the authenticator-app code is the way in.

function toBytes(text) {
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
  const padded = base64 + "===".slice((base64.length + 3) % 4);
  return Uint8Array.from(atob(padded), (char) => char.charCodeAt(0));
}

function toText(buffer) {
  const bytes = new Uint8Array(buffer);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function csrfToken() {
  const field = document.querySelector("input[name=csrfmiddlewaretoken]");
  return field ? field.value : "";
}

async function post(url, body) {
  const response = await fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
    body: body === undefined ? "{}" : JSON.stringify(body),
  });
  const answer = await response.json();
  if (!response.ok) {
    const error = new Error(answer.error ? answer.error.message : "Something went wrong");
    error.redirect = answer.redirect;
    throw error;
  }
  return answer;
}

function creationOptions(options) {
  return {
    ...options,
    challenge: toBytes(options.challenge),
    user: { ...options.user, id: toBytes(options.user.id) },
    excludeCredentials: (options.excludeCredentials || []).map((c) => ({ ...c, id: toBytes(c.id) })),
  };
}

function requestOptions(options) {
  return {
    ...options,
    challenge: toBytes(options.challenge),
    allowCredentials: (options.allowCredentials || []).map((c) => ({ ...c, id: toBytes(c.id) })),
  };
}

function serialise(credential) {
  const response = credential.response;
  const out = {
    id: credential.id,
    rawId: toText(credential.rawId),
    type: credential.type,
    clientExtensionResults: credential.getClientExtensionResults(),
    response: { clientDataJSON: toText(response.clientDataJSON) },
  };
  if (response.attestationObject) {
    out.response.attestationObject = toText(response.attestationObject);
    out.response.transports = response.getTransports ? response.getTransports() : [];
  } else {
    out.response.authenticatorData = toText(response.authenticatorData);
    out.response.signature = toText(response.signature);
    if (response.userHandle) out.response.userHandle = toText(response.userHandle);
  }
  return out;
}

function showError(button, message) {
  const box = document.getElementById(button.dataset.errorId);
  if (!box) return;
  box.querySelector("[data-passkey-message]").textContent = message;
  box.hidden = false;
  box.focus();
}

async function run(button) {
  button.disabled = true;
  try {
    const options = await post(button.dataset.optionsUrl);
    let credential;
    if (button.dataset.passkey === "register") {
      credential = await navigator.credentials.create({ publicKey: creationOptions(options) });
    } else {
      credential = await navigator.credentials.get({ publicKey: requestOptions(options) });
    }
    const nameField = button.dataset.nameId && document.getElementById(button.dataset.nameId);
    const answer = await post(button.dataset.verifyUrl, {
      credential: serialise(credential),
      name: nameField ? nameField.value : "",
    });
    window.location.assign(answer.redirect);
  } catch (error) {
    if (error.redirect) {
      window.location.assign(error.redirect);
      return;
    }
    const message =
      error.name === "NotAllowedError"
        ? "Your passkey was not used. Try again, or use a code from your authenticator app."
        : error.message;
    showError(button, message);
    button.disabled = false;
  }
}

if (window.PublicKeyCredential) {
  for (const block of document.querySelectorAll("[data-passkey-block]")) block.hidden = false;
  for (const button of document.querySelectorAll("button[data-passkey]")) {
    button.addEventListener("click", (event) => {
      event.preventDefault();
      run(button);
    });
  }
}
