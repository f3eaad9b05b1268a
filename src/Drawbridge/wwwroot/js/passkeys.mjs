// Passkeys (WebAuthn) on the sign-in and settings pages.
// Progressive enhancement: the passkey forms are hidden in the HTML, and shown here only when the browser has a passkey API.
// The server makes the options and checks the answer; this script carries them between the server and the browser.
// A refusal by the browser goes to the server by its name only (NotAllowedError…), and the page explains it in the error summary.

const supported = typeof window.PublicKeyCredential === 'function' && !!navigator.credentials;

function fromBase64Url(text) {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

function toBase64Url(buffer) {
  let binary = '';
  for (const byte of new Uint8Array(buffer)) {
    binary += String.fromCharCode(byte);
  }
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

const descriptors = (list) => (list || []).map((c) => ({ ...c, id: fromBase64Url(c.id) }));

// Browsers without the WebAuthn JSON helpers (older Safari and Firefox) get the same conversion done by hand.
function creationOptions(json) {
  if (typeof PublicKeyCredential.parseCreationOptionsFromJSON === 'function') {
    return PublicKeyCredential.parseCreationOptionsFromJSON(json);
  }
  return { ...json, challenge: fromBase64Url(json.challenge), user: { ...json.user, id: fromBase64Url(json.user.id) }, excludeCredentials: descriptors(json.excludeCredentials) };
}

function requestOptions(json) {
  if (typeof PublicKeyCredential.parseRequestOptionsFromJSON === 'function') {
    return PublicKeyCredential.parseRequestOptionsFromJSON(json);
  }
  return { ...json, challenge: fromBase64Url(json.challenge), allowCredentials: descriptors(json.allowCredentials) };
}

function credentialJson(credential) {
  if (typeof credential.toJSON === 'function') {
    return JSON.stringify(credential.toJSON());
  }
  const r = credential.response;
  const response = { clientDataJSON: toBase64Url(r.clientDataJSON) };
  if (r.attestationObject) {
    response.attestationObject = toBase64Url(r.attestationObject);
    response.transports = typeof r.getTransports === 'function' ? r.getTransports() : [];
  } else {
    response.authenticatorData = toBase64Url(r.authenticatorData);
    response.signature = toBase64Url(r.signature);
    response.userHandle = r.userHandle ? toBase64Url(r.userHandle) : null;
  }
  return JSON.stringify({
    id: credential.id,
    rawId: toBase64Url(credential.rawId),
    type: credential.type,
    authenticatorAttachment: credential.authenticatorAttachment || null,
    clientExtensionResults: credential.getClientExtensionResults(),
    response,
  });
}

async function ceremony(form) {
  // The options request carries the form (its antiforgery token, and the new passkey's name to check first).
  const response = await fetch(form.dataset.options, { method: 'POST', body: new FormData(form), credentials: 'same-origin' });
  if (!response.ok) {
    // The server refused the form as it stands: submitting it without a passkey shows why, beside the field.
    return null;
  }
  const options = await response.json();
  const credential = form.dataset.passkey === 'add'
    ? await navigator.credentials.create({ publicKey: creationOptions(options) })
    : await navigator.credentials.get({ publicKey: requestOptions(options) });
  return credentialJson(credential);
}

for (const form of document.querySelectorAll('form[data-passkey]')) {
  if (!supported) {
    continue;
  }
  form.closest('[data-passkey-section]')?.removeAttribute('hidden');
  for (const note of document.querySelectorAll('[data-passkey-unsupported]')) {
    note.hidden = true;
  }
  let busy = false;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (busy) {
      return;
    }
    busy = true;
    const button = form.querySelector('button[type="submit"]');
    button?.setAttribute('aria-disabled', 'true');
    form.elements.credential.value = '';
    form.elements.browserError.value = '';
    try {
      form.elements.credential.value = (await ceremony(form)) || '';
      if (!form.elements.credential.value) {
        form.elements.browserError.value = 'Refused';
      }
    } catch (error) {
      form.elements.browserError.value = (error && error.name) || 'Error';
    }
    // A plain form post: the server signs in or stores the passkey, or shows the problem in the error summary.
    form.submit();
  });
}
