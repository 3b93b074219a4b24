// Shared helpers: language, API calls (cookie + CSRF header), the live websocket.
import { STRINGS } from "./i18n.js";

export let lang = localStorage.getItem("hotline.lang") || (navigator.language.startsWith("zh") ? "zh" : "en");

export function t(key, vars = {}) {
  let s = (STRINGS[lang] && STRINGS[lang][key]) || STRINGS.en[key] || key;
  for (const [k, v] of Object.entries(vars)) s = s.replaceAll(`{${k}}`, v);
  return s;
}

export function applyI18n(root = document) {
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  root.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = t(el.dataset.i18n); });
  root.querySelectorAll("[data-i18n-placeholder]").forEach((el) => { el.placeholder = t(el.dataset.i18nPlaceholder); });
}

export function setupLangSwitch(onChange) {
  const btn = document.getElementById("lang");
  if (!btn) return;
  btn.addEventListener("click", () => {
    lang = lang === "zh" ? "en" : "zh";
    localStorage.setItem("hotline.lang", lang);
    applyI18n();
    if (onChange) onChange();
  });
}

export function codeLabel(code) { return lang === "zh" ? code.label_zh : code.label_en; }

export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (v !== null && v !== undefined) e.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : String(c));
  return e;
}

export function toast(message, isError = false) {
  const box = document.getElementById("toast");
  if (!box) return;
  box.textContent = message;
  box.className = isError ? "toast error show" : "toast show";
  clearTimeout(box._timer);
  box._timer = setTimeout(() => { box.className = "toast"; }, 4000);
}

export async function api(method, path, body) {
  // Accept-Language: the server words its error messages in the UI's language
  const opts = { method, headers: { "X-Hotline-CSRF": "1", "Accept-Language": lang === "zh" ? "zh-CN" : "en" },
                 credentials: "same-origin" };
  if (body !== undefined) { opts.headers["Content-Type"] = "application/json"; opts.body = JSON.stringify(body); }
  const r = await fetch(path, opts);
  if (r.status === 401) { location.href = "/login?next=" + encodeURIComponent(location.pathname); throw new Error("401"); }
  const data = r.headers.get("content-type")?.includes("json") ? await r.json() : null;
  if (!r.ok) {
    const d = data && data.detail;
    const msg = Array.isArray(d) ? d.map((x) => `${(x.loc || []).slice(-1)[0]}: ${x.msg}`).join("; ") : (d || r.statusText);
    toast(msg, true);
    throw new Error(msg);
  }
  return data;
}

export function fmtDuration(s) {
  if (s === null || s === undefined || isNaN(s)) return "–";
  s = Math.max(0, Math.floor(s));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  const mm = String(m).padStart(2, "0"), ss = String(sec).padStart(2, "0");
  return h ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

// The live connection: reconnects with exponential backoff (0.5 s .. 15 s, jittered);
// every (re)connect starts with a snapshot, so state is resynchronised without a reload.
export function connectLive(onMessage, onStatus) {
  let delay = 500, ws = null, closedByUs = false;
  const open = () => {
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    ws = new WebSocket(`${proto}//${location.host}/ws`);
    let opened = false;
    ws.onopen = () => { opened = true; delay = 500; onStatus(true); };
    // A message is one frame (an object) or several (an array, to be handled in order).
    ws.onmessage = (ev) => {
      let data;
      try { data = JSON.parse(ev.data); } catch (e) { console.error(e); return; }
      for (const m of Array.isArray(data) ? data : [data]) {
        try { onMessage(m); } catch (e) { console.error(e); }
      }
    };
    ws.onclose = async (ev) => {
      onStatus(false);
      if (closedByUs) return;
      const toLogin = () => { location.href = "/login?next=" + encodeURIComponent(location.pathname); };
      // 4001: the session expired while we were connected.
      if (ev.code === 4001) { toLogin(); return; }
      // 1008: the session ended (logout elsewhere, password changed); a refused
      // handshake shows up as 1006, so ask the API whether we are still signed in.
      if (ev.code === 1008 || !opened) {
        const r = await fetch("/api/auth/me", { credentials: "same-origin" }).catch(() => null);
        if (r && r.status === 401) { toLogin(); return; }
      }
      const wait = delay * (0.75 + Math.random() * 0.5);
      delay = Math.min(delay * 2, 15000);
      setTimeout(open, wait);
    };
  };
  open();
  return {
    send: (msg) => ws && ws.readyState === 1 && ws.send(JSON.stringify(msg)),
    drop: () => ws && ws.close(),  // for tests: the client reconnects on its own
    close: () => { closedByUs = true; ws && ws.close(); },
  };
}

// The connection badge of a page: connectLive(onMessage, liveStatus(element)).
export function liveStatus(badge) {
  return (up) => {
    badge.textContent = t(up ? "connected" : "reconnecting");
    badge.className = up ? "status" : "status off";
    badge.dataset.up = up ? "1" : "0";
  };
}

export async function signOut() {
  try { await api("POST", "/api/auth/logout"); } finally { location.href = "/login"; }
}

// Server time minus local time, from the last snapshot, for ticking "time in state".
export const clock = { offset: 0, now() { return Date.now() / 1000 + this.offset; } };

// The links to the other pages this user may open (server side: agent_console.nav),
// drawn after the header's title; labels follow the language switch.
export async function setupNav() {
  const header = document.querySelector("header");
  if (!header) return;
  let links;
  try { links = await api("GET", "/api/auth/pages"); } catch (e) { return; }
  const nav = el("nav", { id: "nav" });
  const draw = () => {
    nav.replaceChildren(...links.pages.filter((p) => p.path !== location.pathname).map((p) =>
      el("a", { href: p.path, "data-path": p.path }, lang === "zh" ? p.label_zh : p.label_en)));
  };
  draw();
  document.getElementById("lang")?.addEventListener("click", draw);
  header.querySelector("h1")?.after(nav);
}
