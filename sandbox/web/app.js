// The sandbox page: three chats of the fake Telegram, rendered like
// Telegram, kept live by the fake's event stream. Everything a person does
// here goes through the fake's scenario API as the chosen user.
'use strict';

const $ = (sel, root = document) => root.querySelector(sel);
const el = (tag, cls, text) => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
};

// ---- emoji ----------------------------------------------------------------
// The bot's buttons and texts are full of emoji. Where the system has no
// colour emoji font (a bare Linux), a browser draws them as empty squares, so
// the page checks once and, without one, shows a word in place of each emoji
// (CSS draws it; the text underneath, which the page and its tests read,
// stays as the bot sent it). ?emoji=text forces the words.
const emojiWords = {
  '👍': 'Like', '👎': 'Dislike', '✅': '✓', '❌': '✗', '▶️': '▶', '⚠️': '(!)', '🆕': 'NEW',
  '🤖': 'Bot', '🛡️': 'Mods', '🗄️': 'Store', '📎': '+', '📄': 'File', '🖼': 'Picture',
  '📊': 'Stats:', '👀': 'Seen:', '📤': 'Uploads:', '📦': 'Queue:', '⚙️': 'Engines:', '🪙': 'Coins:',
  '👥': 'Users:', '🔥': 'Hot', '🎉': '!', '❤': '<3', '❤️': '<3',
};
const emojiPattern = /(?:\p{Regional_Indicator}{2}|\p{Extended_Pictographic}(?:\uFE0F|\u200D\p{Extended_Pictographic}\uFE0F?)*)/gu;

function emojiRenders() {
  if (new URLSearchParams(location.search).get('emoji') === 'text') return false;
  const c = document.createElement('canvas');
  c.width = c.height = 32;
  const g = c.getContext('2d', { willReadFrequently: true });
  g.textBaseline = 'top';
  g.font = '28px sans-serif';
  g.fillText('👍', 0, 0);
  const d = g.getImageData(0, 0, 32, 32).data;
  for (let i = 0; i < d.length; i += 4) { // any colour at all: an emoji font drew it
    if (d[i + 3] > 0 && (Math.abs(d[i] - d[i + 1]) > 40 || Math.abs(d[i + 1] - d[i + 2]) > 40)) return true;
  }
  return false; // a black box or outline: no colour emoji font
}

function emojiWord(e) {
  if (emojiWords[e] !== undefined) return emojiWords[e];
  if (emojiWords[e.replace(/\uFE0F/g, '')] !== undefined) return emojiWords[e.replace(/\uFE0F/g, '')];
  const cps = [...e].map(ch => ch.codePointAt(0));
  if (cps.length === 2 && cps.every(cp => cp >= 0x1F1E6 && cp <= 0x1F1FF)) { // a flag: its country code
    return cps.map(cp => String.fromCharCode(cp - 0x1F1E6 + 65)).join('');
  }
  return '';
}

// emojify wraps every emoji in the text under root in a span that carries
// its word, for the no-emoji style.
function emojify(root) {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const nodes = [];
  while (walker.nextNode()) {
    const n = walker.currentNode;
    if (n.parentElement && !n.parentElement.classList.contains('emoji') && emojiPattern.test(n.data)) nodes.push(n);
    emojiPattern.lastIndex = 0;
  }
  for (const n of nodes) {
    const frag = document.createDocumentFragment();
    let last = 0;
    for (const m of n.data.matchAll(emojiPattern)) {
      if (m.index > last) frag.append(n.data.slice(last, m.index));
      const span = el('span', 'emoji', m[0]);
      span.dataset.alt = emojiWord(m[0]);
      frag.append(span);
      last = m.index + m[0].length;
    }
    if (last < n.data.length) frag.append(n.data.slice(last));
    n.replaceWith(frag);
  }
  return root;
}

let info;                      // the sandbox's world, from /sandbox/info
const panes = {};              // private, review, storage
const pendingPresses = new Map(); // callback_query_id -> the pressed button
const earlyAnswers = new Map();   // answers that arrived before their press returned
let lastSeq = 0;

// ---- who am I ----------------------------------------------------------

function identity() {
  const role = $('#role').value;
  let u;
  if (role === 'admin') u = { ...info.admin };
  else if (role === 'moderator') u = { ...info.moderator };
  else {
    const id = parseInt($('#uid').value, 10) || 1001;
    const demo = info.demo_users.find(d => d.id === id);
    u = demo ? { id, first_name: demo.first_name, username: demo.username }
      : { id, first_name: 'User ' + id, username: 'user' + id };
  }
  u.language_code = $('#lang').value;
  return u;
}

function displayName(u) {
  if (!u) return '';
  return [u.first_name, u.last_name].filter(Boolean).join(' ') || u.username || String(u.id);
}

function identityChanged() {
  const me = identity();
  $('#uid-label').hidden = $('#role').value !== 'user';
  $('#whoami').textContent = displayName(me) + (me.username ? ' (@' + me.username + ')' : '') + ' · id ' + me.id;
  $('#private-sub').textContent = 'private chat of ' + displayName(me);
  localStorage.setItem('sandbox.identity', JSON.stringify({
    role: $('#role').value, uid: $('#uid').value, lang: $('#lang').value,
  }));
  panes.private.chatId = me.id;
  loadPane(panes.private);
  for (const p of Object.values(panes)) rerender(p); // "mine" bubbles move sides
}

function restoreIdentity() {
  try {
    const saved = JSON.parse(localStorage.getItem('sandbox.identity') || '{}');
    if (saved.role) $('#role').value = saved.role;
    if (saved.uid) $('#uid').value = saved.uid;
    if (saved.lang) $('#lang').value = saved.lang;
  } catch (_) { /* a broken saved value is simply ignored */ }
}

// ---- talking to the fake -----------------------------------------------

async function api(path, opts) {
  const res = await fetch(info.api + path, opts);
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body.error || body.description || res.statusText);
  return body;
}

const postJSON = (path, body) => api(path, {
  method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
});

const fileURL = id => info.api + '/_fake/files/' + encodeURIComponent(id);

async function refreshKnownUsers() {
  const chats = await api('/_fake/chats').catch(() => []);
  const list = $('#known-users');
  list.replaceChildren();
  const seen = new Set();
  for (const d of info.demo_users) {
    seen.add(d.id);
    list.append(new Option(d.first_name + ' (demo, ' + d.language_code + ')', d.id));
  }
  for (const c of chats) {
    if (c.type !== 'private' || seen.has(c.id) || c.id === info.admin.id || c.id === info.moderator.id) continue;
    seen.add(c.id);
    list.append(new Option(c.first_name || ('User ' + c.id), c.id));
  }
}

// ---- panes ---------------------------------------------------------------

function setupPane(key, chatId) {
  const root = $('#pane-' + key);
  const pane = { key, root, chatId, list: $('.messages', root), messages: new Map(), stick: true, staged: null };
  pane.list.addEventListener('scroll', () => {
    const l = pane.list;
    pane.stick = l.scrollHeight - l.scrollTop - l.clientHeight < 40;
  });
  const form = $('form.composer', root);
  if (form) setupComposer(pane, form);
  panes[key] = pane;
  return pane;
}

// loadPane fetches a chat's transcript and merges it in: messages that
// arrived live while it was on the way stay (a stale copy never wins).
async function loadPane(pane) {
  const chatId = pane.chatId;
  if (pane.shownChat !== chatId) {
    pane.shownChat = chatId;
    pane.messages.clear();
    pane.list.replaceChildren();
  }
  let entries = [];
  try {
    entries = await api('/_fake/chats/' + chatId + '/messages');
  } catch (_) { /* a chat nobody wrote in yet is empty */ }
  if (pane.chatId !== chatId) return; // the identity changed meanwhile
  for (const m of entries) upsert(pane, m, false);
  showEmpty(pane);
  pane.stick = true;
  scrollDown(pane);
}

function rerender(pane) {
  for (const m of [...pane.messages.values()]) upsert(pane, m, true);
}

function showEmpty(pane) {
  const empty = $('.empty', pane.list);
  if (pane.messages.size === 0 && !empty) {
    pane.list.append(el('div', 'empty', pane.key === 'private' ? 'No messages yet. Say /start.' : 'No messages yet.'));
  } else if (pane.messages.size > 0 && empty) {
    empty.remove();
  }
}

// upsert shows a message, replacing the one with the same id in place.
function upsert(pane, m, force) {
  const old = pane.messages.get(m.message_id);
  if (m.deleted) {
    pane.messages.delete(m.message_id);
    $('[data-id="' + m.message_id + '"]', pane.list)?.remove();
    showEmpty(pane);
    return;
  }
  if (old && !force && (m.edit_count || 0) < (old.edit_count || 0)) return; // a stale copy
  pane.messages.set(m.message_id, m);
  const node = renderMessage(pane, m);
  const existing = $('[data-id="' + m.message_id + '"]', pane.list);
  if (existing) {
    existing.replaceWith(node);
  } else {
    const later = [...pane.list.querySelectorAll('.msg')].find(n => Number(n.dataset.id) > m.message_id);
    pane.list.insertBefore(node, later || null);
    showEmpty(pane);
    scrollDown(pane);
  }
}

function scrollDown(pane) {
  if (pane.stick) pane.list.scrollTop = pane.list.scrollHeight;
}

// ---- rendering -------------------------------------------------------------

function renderMessage(pane, m) {
  const me = identity();
  const mine = !m.from_bot && m.from && m.from.id === me.id;
  const media = mediaOf(m);
  const wrap = el('div', 'msg' + (mine ? ' out' : '') + (media ? ' media' : ''));
  wrap.dataset.id = m.message_id;
  wrap.dataset.from = m.from_bot ? 'bot' : 'user';
  const bubble = el('div', 'bubble');
  wrap.append(bubble);

  const isGroup = m.chat && m.chat.type !== 'private' && m.chat.type !== 'channel';
  if (isGroup && !mine) bubble.append(el('div', 'sender', m.from_bot ? info.bot.first_name : displayName(m.from)));
  if (m.reply_to_message) {
    const r = m.reply_to_message;
    bubble.append(el('div', 'reply', (mediaOf(r) ? '🖼 ' : '') + (r.text || r.caption || 'media')));
  }
  if (media) bubble.append(renderMedia(pane, media));
  const text = m.text || m.caption || '';
  if (text) {
    const t = el('div', 'text');
    t.append(renderText(text, m.text ? m.entities : m.caption_entities));
    bubble.append(t);
  }
  const time = new Date(m.date * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  bubble.append(el('div', 'meta', (m.edit_count ? 'edited · ' : '') + time));
  const kb = m.reply_markup && m.reply_markup.inline_keyboard;
  if (kb && kb.length) wrap.append(renderKeyboard(pane, m, kb));
  return emojify(wrap);
}

function mediaOf(m) {
  if (m.photo && m.photo.length) return { kind: 'photo', id: m.photo[m.photo.length - 1].file_id };
  if (m.animation) return { kind: 'animation', id: m.animation.file_id };
  if (m.video) return { kind: 'video', id: m.video.file_id };
  if (m.document) return { kind: 'document', id: m.document.file_id, name: m.document.file_name || 'file' };
  return null;
}

function renderMedia(pane, media) {
  const box = el('div', 'media-box');
  const src = fileURL(media.id);
  let node;
  if (media.kind === 'photo') {
    node = el('img');
    node.alt = 'photo';
    node.addEventListener('click', () => window.open(src, '_blank', 'noopener'));
  } else if (media.kind === 'animation' || media.kind === 'video') {
    node = el('video');
    node.muted = true;
    node.loop = true;
    node.playsInline = true;
    if (media.kind === 'animation') node.autoplay = true; else node.controls = true;
  } else {
    node = el('a', 'doc', '📄 ' + media.name);
    node.href = src;
    node.download = media.name;
    box.append(node);
    return box;
  }
  node.addEventListener(media.kind === 'photo' ? 'load' : 'loadeddata', () => scrollDown(pane));
  node.src = src;
  box.append(node);
  return box;
}

// renderText applies Telegram's entities. Offsets count UTF-16 code units,
// as JavaScript strings do, so slicing works directly.
function renderText(text, entities) {
  const frag = document.createDocumentFragment();
  if (!entities || entities.length === 0) {
    frag.append(text);
    return frag;
  }
  const cuts = new Set([0, text.length]);
  for (const e of entities) {
    cuts.add(Math.min(e.offset, text.length));
    cuts.add(Math.min(e.offset + e.length, text.length));
  }
  const points = [...cuts].sort((a, b) => a - b);
  for (let i = 0; i + 1 < points.length; i++) {
    const a = points[i], b = points[i + 1];
    let node = document.createTextNode(text.slice(a, b));
    for (const e of entities) {
      if (e.offset <= a && e.offset + e.length >= b) node = wrapEntity(node, e, text);
    }
    frag.append(node);
  }
  return frag;
}

const entityTags = {
  bold: 'b', italic: 'i', underline: 'u', strikethrough: 's', code: 'code', pre: 'pre',
  spoiler: 'span', blockquote: 'blockquote', expandable_blockquote: 'blockquote',
};

function wrapEntity(node, e, text) {
  let wrapper;
  if (e.type === 'text_link' || e.type === 'url') {
    let href = e.type === 'url' ? text.substr(e.offset, e.length) : e.url;
    if (!/^[a-z]+:/i.test(href)) href = 'https://' + href;
    if (!/^(https?|tg):/i.test(href)) return node; // no javascript: links
    wrapper = el('a');
    wrapper.href = href;
    wrapper.target = '_blank';
    wrapper.rel = 'noopener';
  } else if (entityTags[e.type]) {
    wrapper = el(entityTags[e.type], e.type === 'spoiler' ? 'spoiler' : '');
  } else {
    return node;
  }
  wrapper.append(node);
  return wrapper;
}

function renderKeyboard(pane, m, rows) {
  const kb = el('div', 'kb');
  for (const row of rows) {
    const r = el('div', 'row');
    for (const b of row) {
      const btn = el('button', b.url ? 'url' : '', b.text);
      btn.type = 'button';
      btn.addEventListener('click', () => pressButton(pane, m, b, btn));
      r.append(btn);
    }
    kb.append(r);
  }
  return kb;
}

// ---- actions ------------------------------------------------------------

async function pressButton(pane, m, b, btn) {
  if (b.url) {
    window.open(b.url, '_blank', 'noopener');
    return;
  }
  if (!b.callback_data) {
    toast('This kind of button does nothing in the sandbox.');
    return;
  }
  btn.disabled = true;
  try {
    const r = await postJSON('/_fake/press', {
      user: identity(), chat_id: pane.chatId, message_id: m.message_id, data: b.callback_data,
    });
    const early = earlyAnswers.get(r.callback_query_id);
    if (early) {
      earlyAnswers.delete(r.callback_query_id);
      showAnswer(btn, early);
      return;
    }
    pendingPresses.set(r.callback_query_id, btn);
    setTimeout(() => { btn.disabled = false; }, 4000); // the bot may never answer
  } catch (err) {
    btn.disabled = false;
    toast(err.message, true);
  }
}

function setupComposer(pane, form) {
  const input = $('input.text', form);
  const file = $('input[type=file]', form);
  const staged = $('.staged', form);
  const stage = f => {
    pane.staged = f;
    staged.hidden = !f;
    staged.replaceChildren();
    if (!f) return;
    const drop = el('button', '', '✕');
    drop.type = 'button';
    drop.title = 'Remove';
    drop.addEventListener('click', () => { file.value = ''; stage(null); });
    staged.append(el('span', '', mediaKind(f) + ': ' + f.name + ' · ' + Math.ceil(f.size / 1024) + ' KB'), drop);
    input.placeholder = 'Caption (optional), then send';
    input.focus();
  };
  file.addEventListener('change', () => stage(file.files[0] || null));
  form.addEventListener('submit', async ev => {
    ev.preventDefault();
    const text = input.value;
    if (!text.trim() && !pane.staged) return;
    try {
      if (pane.staged) {
        const fd = new FormData();
        fd.append('user', JSON.stringify(identity()));
        fd.append('chat_id', String(pane.chatId));
        fd.append('kind', mediaKind(pane.staged));
        fd.append('caption', text);
        fd.append('file', pane.staged, pane.staged.name);
        await api('/_fake/media', { method: 'POST', body: fd });
      } else {
        await postJSON('/_fake/messages', { user: identity(), chat_id: pane.chatId, text });
      }
      input.value = '';
      input.placeholder = pane.key === 'private' ? 'Message or /command' : 'Write to the moderators\' chat';
      file.value = '';
      stage(null);
      pane.stick = true;
    } catch (err) {
      toast(err.message, true);
    }
  });
}

// mediaKind is how a Telegram client would send the file.
function mediaKind(f) {
  if (f.type.startsWith('video/')) return 'video';
  if (f.type === 'image/gif') return 'animation';
  return 'photo';
}

// ---- live events --------------------------------------------------------------

function connect() {
  const live = $('#live');
  const es = new EventSource(info.api + '/_fake/events');
  es.onopen = () => {
    live.textContent = 'live';
    live.className = 'live on';
    reloadAll(); // catch up with whatever happened while disconnected
  };
  es.onerror = () => {
    live.textContent = 'reconnecting…';
    live.className = 'live off';
  };
  for (const type of ['message', 'edited', 'deleted']) {
    es.addEventListener(type, ev => onEvent(JSON.parse(ev.data)));
  }
  es.addEventListener('callback_answer', ev => onEvent(JSON.parse(ev.data)));
  es.addEventListener('chat_action', ev => onEvent(JSON.parse(ev.data)));
}

function onEvent(ev) {
  const gap = lastSeq > 0 && ev.seq > lastSeq + 1;
  lastSeq = Math.max(lastSeq, ev.seq);
  if (gap) reloadAll(); // the feed dropped events for us: start over
  if (ev.type === 'callback_answer') return onCallbackAnswer(ev.callback);
  const targets = Object.values(panes).filter(p => p.chatId === ev.chat_id);
  if (ev.type === 'chat_action') return targets.forEach(p => showAction(p, ev.action));
  if (!ev.message) return;
  for (const p of targets) upsert(p, ev.message, false);
  if (ev.type === 'message' && ev.chat_id > 0 && targets.length === 0) refreshKnownUsers();
}

function onCallbackAnswer(a) {
  if (!a) return;
  const btn = pendingPresses.get(a.callback_query_id);
  if (!btn) {
    // Someone else's press, or ours with the press's answer still on the way.
    earlyAnswers.set(a.callback_query_id, a);
    setTimeout(() => earlyAnswers.delete(a.callback_query_id), 10000);
    return;
  }
  pendingPresses.delete(a.callback_query_id);
  showAnswer(btn, a);
}

function showAnswer(btn, a) {
  btn.disabled = false;
  if (!a.text) return;
  if (a.show_alert) {
    const d = $('#alert');
    $('p', d).textContent = a.text;
    emojify($('p', d));
    d.showModal();
  } else {
    toast(a.text);
  }
}

function showAction(pane, action) {
  const sub = $('.pane-head .sub', pane.root);
  if (!sub.dataset.idle) sub.dataset.idle = sub.textContent;
  sub.textContent = action.replace(/_/g, ' ') + '…';
  sub.classList.add('typing');
  clearTimeout(pane.actionTimer);
  pane.actionTimer = setTimeout(() => {
    sub.textContent = sub.dataset.idle;
    delete sub.dataset.idle;
    sub.classList.remove('typing');
  }, 3000);
}

function reloadAll() {
  for (const p of Object.values(panes)) loadPane(p);
  refreshKnownUsers();
}

function toast(text, error) {
  const t = emojify(el('div', 'toast' + (error ? ' error' : ''), text));
  $('#toasts').append(t);
  setTimeout(() => t.remove(), error ? 6000 : 3500);
}

// ---- start ----------------------------------------------------------------------

async function main() {
  if (!emojiRenders()) document.body.classList.add('no-emoji');
  emojify(document.body);
  info = await (await fetch('/sandbox/info')).json();
  restoreIdentity();
  setupPane('private', identity().id);
  setupPane('review', info.review_chat_id);
  setupPane('storage', info.storage_chat_id);
  $('#private-title').textContent = info.bot.first_name;
  $('#role').addEventListener('change', identityChanged);
  $('#uid').addEventListener('change', () => {
    const demo = info.demo_users.find(d => d.id === parseInt($('#uid').value, 10));
    if (demo) $('#lang').value = demo.language_code;
    identityChanged();
  });
  $('#lang').addEventListener('change', identityChanged);
  identityChanged();
  connect();
  document.body.dataset.ready = 'true';
}

main().catch(err => toast('The sandbox did not start: ' + err.message, true));
