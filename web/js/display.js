// The hall display (/display?site=<id>, no sign-in; docs/api-queue.md): the numbers being called,
// latest first with their window, and the next numbers per kind, big enough to read across the
// hall. Live from EventSource /public/sites/{id}/queue/events (event `queue`, data: the snapshot);
// when the stream fails it polls GET /public/sites/{id}/queue every 5 s and tries the stream again
// now and then. Every new call (a number whose called_at or call_count changed) is announced in
// Chinese with speechSynthesis when the browser has it.

import { initI18n, t } from './i18n.js';
import { api, clearError, showError } from './api.js';
import { $, h, param, setI18n, setPlain } from './dom.js';
import { kindEl, loadSites, siteOptions } from './public.js';

const POLL_MS = 5000;
const RETRY_STREAM_MS = 60000;

let site = '';
let version = -1;
let seen = null; // number -> "called_at|call_count" of the calls already announced
let es = null;
let pollTimer = null;
let retryTimer = null;
let voiceOn = true;

function windowName(w) {
  if (w && typeof w === 'object') return w.name || '';
  return w || '';
}

function setVoice(on) {
  voiceOn = on;
  $('d-voice').setAttribute('aria-pressed', String(on));
}

function say(text) {
  const synth = window.speechSynthesis;
  if (!voiceOn || !synth || typeof window.SpeechSynthesisUtterance !== 'function') return;
  try {
    const u = new window.SpeechSynthesisUtterance(text);
    u.lang = 'zh-CN';
    u.rate = 0.9;
    // Browsers may refuse to speak before someone has touched the page: show the voice as off,
    // so that a tap on the button (a user gesture) turns it on for good.
    u.addEventListener('error', (ev) => {
      if (ev.error === 'not-allowed') setVoice(false);
    });
    synth.speak(u);
  } catch {
    // no voice on this machine: the screen still shows it
  }
}

function speak(number, win) {
  // Spelled out so that "A003" is read letter by digit: 请 A 0 0 3 号到 综合窗口1 办理.
  say(`请 ${String(number).split('').join(' ')} 号到 ${win} 办理`);
}

function announce(calls) {
  const live = $('announce');
  const texts = [];
  for (const c of calls) {
    const win = windowName(c.window);
    texts.push(t('display.announce', { number: c.number, window: win }));
    speak(c.number, win);
  }
  live.setAttribute('data-count', String(Number(live.getAttribute('data-count') || 0) + calls.length));
  setPlain(live, texts.join(' '));
}

function callRow(c, fresh) {
  return h('li', { cls: fresh ? 'pub-call is-new' : 'pub-call', attrs: { 'data-number': c.number } }, [
    h('span', { cls: 'pub-call-number', text: c.number }),
    h('span', { cls: 'pub-call-arrow', text: '→', attrs: { 'aria-hidden': 'true' } }),
    h('span', { cls: 'pub-call-window', text: windowName(c.window) }),
  ]);
}

function render(snap) {
  if (!snap || typeof snap !== 'object') return;
  const v = Number(snap.version);
  if (Number.isFinite(v) && v < version) return; // an older answer arriving late
  if (Number.isFinite(v)) version = v;
  clearError($('error'));
  if (snap.site) {
    setPlain($('d-site'), snap.site);
    document.title = `${snap.site} · ${t('display.heading')}`;
  }
  const calling = Array.isArray(snap.calling) ? snap.calling : [];
  const fresh = [];
  const next = new Map();
  for (const c of calling) {
    const key = `${c.called_at || ''}|${c.call_count ?? ''}`;
    next.set(c.number, key);
    if (seen && seen.get(c.number) !== key) fresh.push(c);
  }
  const list = $('calling');
  list.textContent = '';
  const freshSet = new Set(fresh.map((c) => c.number));
  for (const c of calling) list.append(callRow(c, freshSet.has(c.number)));
  $('calling-none').hidden = calling.length > 0;
  const wl = $('waiting');
  wl.textContent = '';
  for (const w of Array.isArray(snap.waiting) ? snap.waiting : []) {
    const nums = Array.isArray(w.next) ? w.next : [];
    wl.append(h('li', { cls: 'pub-wait', attrs: { 'data-kind': w.kind } }, [
      h('p', { cls: 'pub-wait-head' }, [
        kindEl('span', w.kind, 'pub-wait-kind'),
        h('span', { cls: 'pub-wait-count', i18n: 'display.waiting_n', args: { n: w.count ?? nums.length } }),
      ]),
      nums.length
        ? h('p', { cls: 'pub-wait-next' }, nums.map((n) => h('span', { cls: 'pub-wait-num', text: n })))
        : h('p', { cls: 'pub-wait-next pub-none', i18n: 'display.nobody' }),
    ]));
  }
  $('board').hidden = false;
  if (fresh.length) announce([...fresh].reverse()); // oldest call first
  seen = next;
  $('board').setAttribute('data-version', String(version));
}

async function pollOnce() {
  try {
    render(await api('GET', `/public/sites/${encodeURIComponent(site)}/queue`));
  } catch (err) {
    showError($('error'), err);
  }
}

function startPolling() {
  if (pollTimer) return;
  setI18n($('d-live'), 'display.polling');
  $('d-live').setAttribute('data-mode', 'poll');
  pollOnce();
  pollTimer = window.setInterval(pollOnce, POLL_MS);
  if (!retryTimer && typeof window.EventSource === 'function') {
    retryTimer = window.setTimeout(() => {
      retryTimer = null;
      if (!es) connect();
    }, RETRY_STREAM_MS);
  }
}

function stopPolling() {
  if (pollTimer) window.clearInterval(pollTimer);
  pollTimer = null;
}

function connect() {
  if (typeof window.EventSource !== 'function') {
    startPolling();
    return;
  }
  if (es) es.close();
  es = new window.EventSource(`/api/v1/public/sites/${encodeURIComponent(site)}/queue/events`);
  es.addEventListener('queue', (ev) => {
    let snap = null;
    try {
      snap = JSON.parse(ev.data);
    } catch {
      return;
    }
    if (pollTimer) stopPolling();
    setI18n($('d-live'), 'display.live');
    $('d-live').setAttribute('data-mode', 'live');
    render(snap);
  });
  es.addEventListener('error', () => {
    // CONNECTING: the browser reconnects by itself (poll meanwhile; the next event stops it);
    // CLOSED: it gave up (e.g. no stream here): poll, and try the stream again later.
    if (es && es.readyState === window.EventSource.CLOSED) {
      es.close();
      es = null;
    }
    startPolling();
  });
}

function clock() {
  const now = new Date(Date.now() + 8 * 3600 * 1000).toISOString();
  setPlain($('d-clock'), `${now.slice(0, 10)} ${now.slice(11, 16)}`);
}

function wireTools() {
  const voice = $('d-voice');
  if (window.speechSynthesis && typeof window.SpeechSynthesisUtterance === 'function') {
    voice.hidden = false;
    voice.addEventListener('click', () => {
      setVoice(!voiceOn);
      if (voiceOn) say('语音播报已开启');
      else window.speechSynthesis.cancel();
    });
  }
  const full = $('d-full');
  if (document.fullscreenEnabled) {
    full.hidden = false;
    full.addEventListener('click', () => {
      if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
      else document.documentElement.requestFullscreen().catch(() => {});
    });
  }
}

async function chooseSite() {
  $('site-form').hidden = false;
  try {
    siteOptions($('d-pick'), await loadSites(), '');
  } catch (err) {
    showError($('error'), err);
  }
  $('site-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    if ($('d-pick').value) window.location.search = `?site=${encodeURIComponent($('d-pick').value)}`;
  });
}

async function main() {
  await initI18n();
  clock();
  window.setInterval(clock, 15000);
  site = param('site');
  if (!/^[0-9]+$/.test(site)) {
    setPlain($('d-live'), '');
    await chooseSite();
    return;
  }
  wireTools();
  // The stream sends the snapshot at once; the first GET only makes the board appear sooner.
  try {
    render(await api('GET', `/public/sites/${encodeURIComponent(site)}/queue`));
  } catch (err) {
    showError($('error'), err);
  }
  connect();
}

main().catch((e) => console.error(e));
