'use strict';
// The demo sign-in page. In jwt mode the tokens live in this tab's memory only (never in a URL or in
// storage that outlives the tab); in cookie mode the browser holds an HttpOnly session cookie.
(() => {
  const $ = (id) => document.getElementById(id);
  const state = { mode: 'jwt', clientId: null, tokens: null, popup: null };
  const messages = {
    access_denied: 'Google sign-in was cancelled.',
    invalid_state: 'The sign-in expired or was started in another browser. Try again.',
    sign_in_failed: 'Google sign-in could not be completed.',
    email_not_verified: 'Google has not verified this account\'s email address.',
    no_account: 'There is no account for this Google account.',
    account_disabled: 'This account is disabled.',
    wrong_hosted_domain: 'This Google account is not in the allowed domain.',
    account_conflict: 'This email address belongs to an account bound to another Google account.',
    email_not_vouched_for: 'An account with this email address exists, but it is not linked to this Google account. Ask an administrator.',
    signup_not_allowed: 'This Google account may not create an account here. Ask an administrator for access.',
    expired: 'The sign-in expired. Try again.',
  };

  function showError(code, fallback) {
    // Own keys only: ?error=constructor must not find Object.prototype's.
    $('error').textContent = (Object.hasOwn(messages, code) ? messages[code] : fallback) || 'Sign-in failed.';
    $('error').hidden = false;
  }

  function authHeaders() {
    return state.tokens ? { Authorization: 'Bearer ' + state.tokens.accessToken } : {};
  }

  async function refreshWhoAmI() {
    const response = await fetch('/auth/google/me', { headers: authHeaders(), credentials: 'same-origin', cache: 'no-store' });
    const signedIn = response.ok;
    $('signed-in').hidden = !signedIn;
    $('signed-out').hidden = signedIn;
    if (signedIn) {
      const user = await response.json();
      $('user-email').textContent = user.email;
      $('user-name').textContent = user.name ? '(' + user.name + ')' : '';
      $('user-roles').textContent = user.roles.length ? user.roles.join(', ') : 'none';
      $('error').hidden = true;
    }
  }

  async function postJson(path, body) {
    return fetch(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...authHeaders() },
      credentials: 'same-origin',
      body: JSON.stringify(body),
    });
  }

  async function finishWith(response) {
    if (!response.ok) {
      const problem = await response.json().catch(() => ({}));
      showError(problem.error, problem.detail);
      return;
    }
    if (state.mode === 'jwt') {
      state.tokens = await response.json();
    }
    await refreshWhoAmI();
  }

  function startRedirectSignIn() {
    const returnUrl = location.pathname;
    const url = '/auth/google/login?returnUrl=' + encodeURIComponent(returnUrl);
    if (state.mode === 'cookie') {
      location.assign(url);
      return;
    }
    state.popup = window.open(url, 'google-sign-in', 'popup,width=480,height=640');
    if (!state.popup) {
      showError(null, 'The sign-in popup was blocked. Allow popups for this site.');
    }
  }

  // Only a message from the popup we opened, from this exact origin, is a login code.
  window.addEventListener('message', async (event) => {
    if (event.origin !== location.origin || !state.popup || event.source !== state.popup) return;
    const data = event.data;
    if (!data || data.type !== 'authapi:google-login') return;
    state.popup = null;
    if (data.error) {
      showError(data.error);
      return;
    }
    await finishWith(await postJson('/auth/google/exchange', { code: data.code }));
  });

  async function signInWithIdToken(credential) {
    await finishWith(await postJson('/auth/google/id-token', { credential }));
  }

  function loadGoogleIdentityServices() {
    if (!state.clientId) {
      showError(null, 'Google sign-in is not configured on the server.');
      return;
    }
    const script = document.createElement('script');
    script.src = 'https://accounts.google.com/gsi/client';
    script.onload = () => {
      window.google.accounts.id.initialize({ client_id: state.clientId, callback: (answer) => signInWithIdToken(answer.credential) });
      window.google.accounts.id.renderButton($('gis-button'), { theme: 'outline', size: 'large' });
    };
    script.onerror = () => showError(null, 'Google\'s script could not be loaded (offline?). Paste an ID token instead.');
    document.head.appendChild(script);
  }

  async function signOut() {
    if (state.mode === 'jwt' && state.tokens) {
      await postJson('/auth/logout', {});
      state.tokens = null;
    } else if (state.mode === 'cookie') {
      await postJson('/auth/google/logout', {});
    }
    await refreshWhoAmI();
  }

  async function start() {
    const error = new URLSearchParams(location.search).get('error');
    if (error) showError(error);
    try {
      const config = await (await fetch('/auth/google/config', { cache: 'no-store' })).json();
      state.mode = config.session;
      state.clientId = config.clientId;
      $('mode-note').textContent = state.mode === 'jwt'
        ? 'Opens a Google popup; this page receives a one-time login code and trades it for tokens.'
        : 'Redirects to Google and back; you get a secure session cookie.';
    } catch {
      showError(null, 'The API cannot be reached.');
    }
    $('google-redirect').addEventListener('click', startRedirectSignIn);
    $('load-gis').addEventListener('click', loadGoogleIdentityServices);
    $('id-token-sign-in').addEventListener('click', () => signInWithIdToken($('id-token').value.trim()));
    $('sign-out').addEventListener('click', signOut);
    // The sign-in buttons start disabled: a click before the session mode is known would do nothing.
    for (const id of ['google-redirect', 'load-gis', 'id-token-sign-in']) $(id).disabled = false;
    await refreshWhoAmI();
  }

  start();
})();
