'use strict';
// Runs in the sign-in popup: posts the single-use login code (never a token) to the window that opened
// it, on the exact origin that started the sign-in, then closes.
(() => {
  const handoff = document.getElementById('handoff').dataset;
  const message = handoff.code
    ? { type: 'authapi:google-login', code: handoff.code }
    : { type: 'authapi:google-login', error: handoff.error || 'expired' };
  if (window.opener && handoff.origin) {
    window.opener.postMessage(message, handoff.origin);
    window.close();
  } else if (handoff.code) {
    document.getElementById('status').textContent = 'Signed in. This window was not opened by the sign-in page; close it and start there.';
  }
})();
