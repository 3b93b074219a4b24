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
  root.querySelectorAll("[data-i18n-placeholder]").forEach((el) => { el.placeholder = t(el.dataset.i18nPlaceholder); fitPlaceholder(el); });
}

// An input is never narrower than its placeholder ("Reason for the agent" in a size=10
// box was cut off): `size` counts average characters, a CJK character takes about two.
export function fitPlaceholder(input) {
  if (input.tagName !== "INPUT" || !input.placeholder || !input.hasAttribute("size")) return;
  const need = [...input.placeholder].reduce((n, ch) => n + (ch.charCodeAt(0) > 0x2e7f ? 2 : 1), 0) + 1;
  if (input.size < need) input.size = need;
}

// The language switch: every listener of "hotline:lang" runs after the switch, whatever
// the order the page set them up in.
export function setupLangSwitch(onChange) {
  const btn = document.getElementById("lang");
  if (!btn) return;
  btn.addEventListener("click", () => {
    lang = lang === "zh" ? "en" : "zh";
    localStorage.setItem("hotline.lang", lang);
    applyI18n();
    if (onChange) onChange();
    document.dispatchEvent(new Event("hotline:lang"));
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
  if (tag === "input") fitPlaceholder(e);
  return e;
}

// A toast says how the last action went. An error belongs to the action that failed, not
// to the next screen: it goes when the next action succeeds, when a section of the page is
// shown or hidden (another screen), when clicked, or after 4 s.
export function toast(message, isError = false) {
  const box = document.getElementById("toast");
  if (!box) return;
  box.textContent = message;
  box.className = isError ? "toast error show" : "toast show";
  box.onclick = clearToast;
  clearTimeout(box._timer);
  box._timer = setTimeout(clearToast, 4000);
}

export function clearToast() {
  const box = document.getElementById("toast");
  if (!box) return;
  clearTimeout(box._timer);
  box.className = "toast";
}

function clearErrorToast() {
  const box = document.getElementById("toast");
  if (box && box.classList.contains("error")) clearToast();
}

const screens = new MutationObserver((records) => {
  const changed = records.some((r) => r.target.matches?.("main section, [data-panel]")
    && (r.oldValue || "").split(/\s+/).includes("hidden") !== r.target.classList.contains("hidden"));
  if (changed) clearErrorToast();
});
const main = document.querySelector("main");
if (main) screens.observe(main, { subtree: true, attributes: true, attributeFilter: ["class"], attributeOldValue: true });

// What api() throws: already shown to the user, so the page need not catch it (see the
// unhandledrejection handler below). `status` 0 means the server could not be reached.
export class ApiError extends Error {
  constructor(message, status, detail) { super(message); this.name = "ApiError"; this.status = status; this.detail = detail; }
}

// A failed call was toasted where it failed; it must not also surface as an uncaught page error.
window.addEventListener("unhandledrejection", (ev) => { if (ev.reason instanceof ApiError) ev.preventDefault(); });

// `options.toast = false`: the caller shows the refusal itself (e.g. a form's own problems list).
// `body`: an object (sent as JSON) or a File / Blob (sent as it is, as text/csv: an upload).
export async function api(method, path, body, options = {}) {
  const show = options.toast !== false;
  // Accept-Language: the server words its error messages in the UI's language
  const opts = { method, headers: { "X-Hotline-CSRF": "1", "Accept-Language": lang === "zh" ? "zh-CN" : "en" },
                 credentials: "same-origin" };
  if (body instanceof Blob) { opts.headers["Content-Type"] = "text/csv"; opts.body = body; }  // a chosen file, as it is
  else if (body !== undefined) { opts.headers["Content-Type"] = "application/json"; opts.body = JSON.stringify(body); }
  let r;
  try {
    r = await fetch(path, opts);
  } catch (e) {  // the server is down or the network is gone: say so, in the UI's language
    const msg = t("network_error");
    if (show) toast(msg, true);
    throw new ApiError(msg, 0, null);
  }
  if (r.status === 401) { location.href = "/login?next=" + encodeURIComponent(location.pathname); throw new ApiError("401", 401, null); }
  const data = r.headers.get("content-type")?.includes("json") ? await r.json().catch(() => null) : null;
  if (!r.ok) {
    const d = data && data.detail;
    const msg = Array.isArray(d) ? d.map((x) => `${(x.loc || []).slice(-1)[0]}: ${x.msg}`).join("; ") : (d || r.statusText);
    if (show) toast(msg, true);
    throw new ApiError(msg, r.status, d);
  }
  if (method !== "GET") clearErrorToast();
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
// The badge's data-i18n key follows the state, so a language switch (applyI18n) words
// the state it shows, not the "Reconnecting…" the page started with.
export function liveStatus(badge) {
  return (up) => {
    badge.dataset.i18n = up ? "connected" : "reconnecting";
    badge.textContent = t(badge.dataset.i18n);
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
  document.addEventListener("hotline:lang", draw);
  header.querySelector("h1")?.after(nav);
}
