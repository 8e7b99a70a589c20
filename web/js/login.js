// Sign-in page (/): POST /api/v1/session, then /home. Already signed in: straight to /home.

import { apply, initI18n } from './i18n.js';
import { api, clearError, showError } from './api.js';

const form = document.getElementById('login-form');
const loginInput = document.getElementById('login');
const passwordInput = document.getElementById('password');
const submit = document.getElementById('login-submit');
const alertBox = document.getElementById('login-error');

async function redirectIfSignedIn() {
  try {
    await api('GET', '/me');
    window.location.replace('/home');
    return true;
  } catch {
    return false; // 401 (or the server is away): stay and let the user sign in
  }
}

function setBusy(busy) {
  submit.disabled = busy;
  submit.setAttribute('data-i18n', busy ? 'login.submitting' : 'login.submit');
  form.setAttribute('aria-busy', String(busy));
  apply(form);
}

async function onSubmit(ev) {
  ev.preventDefault();
  clearError(alertBox);
  const login = loginInput.value.trim();
  const password = passwordInput.value;
  if (!login || !password) {
    alertBox.setAttribute('data-i18n', 'login.required');
    (login ? passwordInput : loginInput).focus();
    setBusy(false);
    return;
  }
  setBusy(true);
  try {
    await api('POST', '/session', { body: { login, password } });
    window.location.replace('/home');
  } catch (err) {
    showError(alertBox, err);
    setBusy(false);
    passwordInput.select();
    passwordInput.focus();
  }
}

async function main() {
  form.addEventListener('submit', onSubmit);
  const [, signedIn] = await Promise.all([initI18n(), redirectIfSignedIn()]);
  if (!signedIn && !loginInput.value) loginInput.focus();
}

main().catch((e) => console.error(e));
