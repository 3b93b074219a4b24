// The agent's browser phone: a JsSIP user agent over WebSocket to Asterisk (or any SIP-over-WS
// server). Credentials come from GET /api/agent/phone when the page opens (issued per agent by
// the backend, never typed, never in the page); agents with a hard phone get {webrtc: false}
// and no phone card. Registration state, ringing (WebAudio tone), answer (or auto-answer for
// the ACD's agent-first legs once the console shows the pop), hang up, hold, mute, DTMF,
// microphone and speaker choice, and errors the agent can act on.
//
// For tests and the bench: window.hotlinePhone.events is [{type, at}] with `at` in epoch ms
// (performance.timeOrigin + performance.now(), comparable with the test's clock on one machine),
// and window.hotlinePhone.stats() sums getStats() of the call.
import { api, el, lang, t } from "/static/common.js";

const $ = (id) => document.getElementById(id);
const STORE = { auto: "hotline.phone.autoAnswer", mic: "hotline.phone.mic", speaker: "hotline.phone.speaker" };
const DTMF_KEYS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#"];
const now = () => performance.timeOrigin + performance.now();

const phone = {
  account: null, ua: null, reg: "connecting", session: null, callState: "idle", held: false, muted: false,
  error: "", errorKey: "", errorVars: {}, retryDelay: 1000, retryTimer: null, popActive: false,
  devices: { audioinput: [], audiooutput: [] }, ring: null, audioCtx: null, events: [],
};
window.hotlinePhone = phone;

function emit(type, detail = {}) {
  const ev = { type, at: now(), ...detail };
  phone.events.push(ev);
  if (phone.events.length > 500) phone.events.shift();
  window.dispatchEvent(new CustomEvent("hotline:phone", { detail: ev }));
}

function setError(key, vars = {}) {
  phone.errorKey = key; phone.errorVars = vars;
  if (key) emit("error", { key });
  render();
}

function loadJsSIP() {
  if (window.JsSIP) return Promise.resolve(window.JsSIP);
  return new Promise((resolve, reject) => {
    const s = document.createElement("script");
    s.src = "/static/vendor/jssip/jssip.min.js";
    s.onload = () => resolve(window.JsSIP);
    s.onerror = () => reject(new Error("jssip"));
    document.head.append(s);
  });
}

// --- ringing: a 450 Hz tone, 1 s on, 4 s off (the Chinese ring cadence), through WebAudio ---
function audioContext() {
  if (!phone.audioCtx) {
    phone.audioCtx = new AudioContext();
    const sink = localStorage.getItem(STORE.speaker);
    if (sink && phone.audioCtx.setSinkId) phone.audioCtx.setSinkId(sink).catch(() => {});
  }
  return phone.audioCtx;
}

function startRing() {
  stopRing();
  const ctx = audioContext();
  if (ctx.state === "suspended") ctx.resume().catch(() => {});
  const gain = ctx.createGain();
  gain.gain.value = 0;
  gain.connect(ctx.destination);
  const osc = ctx.createOscillator();
  osc.frequency.value = 450;
  osc.connect(gain);
  osc.start();
  const cycle = () => {
    const at = ctx.currentTime;
    gain.gain.setValueAtTime(0.25, at);
    gain.gain.setValueAtTime(0, at + 1);
  };
  cycle();
  phone.ring = { osc, gain, timer: setInterval(cycle, 5000) };
}

function stopRing() {
  if (!phone.ring) return;
  clearInterval(phone.ring.timer);
  phone.ring.osc.stop();
  phone.ring.gain.disconnect();
  phone.ring = null;
}

// --- registration ---
async function fetchAccount() {
  return api("GET", "/api/agent/phone");
}

function retryLater(key) {
  const wait = phone.retryDelay * (0.75 + Math.random() * 0.5);
  phone.retryDelay = Math.min(phone.retryDelay * 2, 30000);
  setError(key, { s: Math.round(wait / 1000) });
  clearTimeout(phone.retryTimer);
  phone.retryTimer = setTimeout(restart, wait);
}

async function restart() {
  if (phone.ua) { phone.ua.removeAllListeners(); phone.ua.stop(); phone.ua = null; }
  try {
    phone.account = await fetchAccount();
  } catch (e) {
    retryLater("ph_err_config");
    return;
  }
  start();
}

function start() {
  const a = phone.account;
  const socket = new JsSIP.WebSocketInterface(a.ws_uri);
  const ua = new JsSIP.UA({
    sockets: [socket], uri: a.sip_uri, authorization_user: a.username, password: a.password,
    display_name: a.display_name, register: true, register_expires: 300, session_timers: false,
    connection_recovery_min_interval: 1, connection_recovery_max_interval: 30, user_agent: "hotline console",
  });
  phone.ua = ua;
  setReg("connecting");
  ua.on("connected", () => { if (phone.errorKey === "ph_err_reg_lost") setError(""); });
  ua.on("disconnected", () => {
    setReg("unregistered");
    // JsSIP reconnects the socket by itself (1 s .. 30 s); say so.
    setError("ph_err_reg_lost", { s: Math.min(30, Math.max(1, Math.round(phone.retryDelay / 1000))) });
    phone.retryDelay = Math.min(phone.retryDelay * 2, 30000);
  });
  ua.on("registered", () => {
    phone.retryDelay = 1000;
    if (["ph_err_reg_lost", "ph_err_auth", "ph_err_config"].includes(phone.errorKey)) setError("");
    setReg("registered");
  });
  ua.on("unregistered", () => setReg("unregistered"));
  ua.on("registrationFailed", (e) => {
    setReg("failed");
    const causes = JsSIP.C.causes;
    // refused credentials: ask the backend again (the secret may have changed), with backoff
    if ([causes.AUTHENTICATION_ERROR, causes.REJECTED, causes.NOT_FOUND].includes(e.cause)) retryLater("ph_err_auth");
    else retryLater("ph_err_reg_lost");
  });
  ua.on("newRTCSession", (e) => { if (e.originator === "remote") incoming(e.session, e.request); else e.session.terminate(); });
  ua.start();
}

function setReg(state) {
  phone.reg = state;
  emit("registration", { state });
  render();
}

// --- calls ---
function incoming(session, request) {
  if (phone.session) {  // one call at a time: the ACD never offers a second one
    session.terminate({ status_code: 486, reason_phrase: "Busy Here" });
    return;
  }
  phone.session = session; phone.callState = "ringing"; phone.held = false; phone.muted = false;
  phone.farDtlsRole = ""; phone.iceFailed = false;
  phone.remote = session.remote_identity.display_name || session.remote_identity.uri.user;
  phone.autoHint = /answer-after|auto/i.test(`${request.getHeader("Call-Info") || ""} ${request.getHeader("Answer-Mode") || ""} ${request.getHeader("Alert-Info") || ""}`);
  emit("ringing", { from: phone.remote });
  startRing();
  session.on("peerconnection", (ev) => watchPeer(ev.peerconnection));
  session.on("sdp", keepDtlsRole);
  session.on("accepted", () => { phone.callState = "talking"; stopRing(); emit("answered"); render(); });
  session.on("confirmed", () => emit("confirmed"));
  session.on("hold", (ev) => { if (ev.originator === "local") { phone.held = true; emit("hold"); render(); } });
  session.on("unhold", (ev) => { if (ev.originator === "local") { phone.held = false; emit("unhold"); render(); } });
  session.on("ended", (ev) => endCall("ended", ev.cause));
  session.on("failed", (ev) => {
    const c = JsSIP.C.causes;
    if (ev.cause === c.USER_DENIED_MEDIA_ACCESS) setError("ph_err_mic_denied");
    else if (![c.CANCELED, c.BYE, c.REJECTED, c.NO_ANSWER].includes(ev.cause) && ev.originator !== "local") {
      setError("ph_err_call_failed", { cause: ev.cause });
    }
    endCall("failed", ev.cause);
  });
  render();
  maybeAutoAnswer();
}

// DTLS roles (RFC 5763 §5, RFC 8842 §5.3): an offer may say a=setup:actpass, an answer must say
// active or passive, and a re-INVITE that keeps the DTLS association keeps the roles the first
// exchange chose. Some far ends (baresip 1.0) answer our hold/resume re-offer with actpass,
// which the browser rejects ("Failed to set remote answer sdp") and the call drops; read it as
// the role the far end already has.
function keepDtlsRole(ev) {
  const roles = [...ev.sdp.matchAll(/^a=setup:(\w+)/gm)].map((m) => m[1]);
  if (ev.type !== "answer" || !roles.length) return;
  if (ev.originator === "local") {  // our answer chose: the far end took the other role
    phone.farDtlsRole = roles[0] === "active" ? "passive" : "active";
  } else if (roles.includes("actpass")) {
    const role = phone.farDtlsRole || "passive";  // first answer with actpass: the offerer is active
    ev.sdp = ev.sdp.replace(/^a=setup:actpass/gm, `a=setup:${role}`);
    emit("sdp_fixed", { role });
  } else {
    phone.farDtlsRole = roles[0];
  }
}

function watchPeer(pc) {
  pc.addEventListener("track", (ev) => {
    const audio = $("phone-audio");
    audio.srcObject = ev.streams[0] || new MediaStream([ev.track]);
    audio.play().catch(() => {});
  });
  // Chromium's iceConnectionState stops at "disconnected" when no check ever succeeds; the
  // peer connection's connectionState says "failed" (ICE or DTLS). Failed while ICE never
  // connected is an ICE failure: the media cannot get through.
  const check = () => {
    emit("ice", { ice: pc.iceConnectionState, connection: pc.connectionState });
    const iceFailed = pc.iceConnectionState === "failed"
      || (pc.connectionState === "failed" && !["connected", "completed"].includes(pc.iceConnectionState));
    if (!iceFailed || !phone.session || phone.iceFailed) return;
    phone.iceFailed = true;
    setError("ph_err_ice");
    emit("ice_failed");
    try { phone.session.terminate(); } catch (e) { /* already gone */ }
  };
  pc.addEventListener("iceconnectionstatechange", check);
  pc.addEventListener("connectionstatechange", check);
}

function endCall(type, cause) {
  stopRing();
  phone.session = null; phone.callState = "idle"; phone.held = false; phone.muted = false;
  const audio = $("phone-audio");
  if (audio) audio.srcObject = null;
  emit(type, { cause });
  render();
}

function micConstraint() {
  const id = localStorage.getItem(STORE.mic);
  return id ? { deviceId: { exact: id } } : true;
}

function answer() {
  const s = phone.session;
  if (!s || phone.callState !== "ringing") return;
  setError("");
  s.answer({ mediaConstraints: { audio: micConstraint(), video: false },
             pcConfig: { iceServers: phone.account.ice_servers || [] } });
  // after getUserMedia the device labels are readable
  setTimeout(listDevices, 0);
}

function maybeAutoAnswer() {
  if (phone.callState === "ringing" && autoAnswer() && (phone.popActive || phone.autoHint)) {
    emit("auto_answer");
    answer();
  }
}

function autoAnswer() { return localStorage.getItem(STORE.auto) === "1"; }

function hangup() {
  const s = phone.session;
  if (s) s.terminate(phone.callState === "ringing" ? { status_code: 603, reason_phrase: "Decline" } : {});
}

function toggleHold() {
  const s = phone.session;
  if (!s || phone.callState !== "talking") return;
  if (phone.held) s.unhold(); else s.hold();
}

function toggleMute() {
  const s = phone.session;
  if (!s || phone.callState !== "talking") return;
  if (phone.muted) s.unmute({ audio: true }); else s.mute({ audio: true });
  phone.muted = !phone.muted;
  emit(phone.muted ? "muted" : "unmuted");
  render();
}

function dtmf(key) {
  const s = phone.session;
  if (!s || phone.callState !== "talking") return;
  // RFC 4733 events in the RTP stream (what Asterisk's webrtc endpoints expect by default)
  s.sendDTMF(key, { transportType: "RFC2833", duration: 160, interToneGap: 70 });
  emit("dtmf", { key });
}

// --- devices ---
async function listDevices() {
  if (!navigator.mediaDevices?.enumerateDevices) return;
  const all = await navigator.mediaDevices.enumerateDevices();
  phone.devices.audioinput = all.filter((d) => d.kind === "audioinput");
  phone.devices.audiooutput = all.filter((d) => d.kind === "audiooutput");
  render();
}

async function chooseMic(id) {
  if (id) localStorage.setItem(STORE.mic, id); else localStorage.removeItem(STORE.mic);
  const pc = phone.session?.connection;
  if (!pc || phone.callState !== "talking") return;
  try {  // switch the microphone of the call in progress
    const stream = await navigator.mediaDevices.getUserMedia({ audio: micConstraint() });
    const sender = pc.getSenders().find((s) => s.track && s.track.kind === "audio");
    if (sender) { sender.track.stop(); await sender.replaceTrack(stream.getAudioTracks()[0]); }
  } catch (e) {
    setError(e.name === "NotAllowedError" ? "ph_err_mic_denied" : "ph_err_no_mic");
  }
}

async function chooseSpeaker(id) {
  if (id) localStorage.setItem(STORE.speaker, id); else localStorage.removeItem(STORE.speaker);
  const audio = $("phone-audio");
  if (!audio.setSinkId) { setError("ph_err_no_sink"); return; }
  try {
    await audio.setSinkId(id || "");
    if (phone.audioCtx?.setSinkId) await phone.audioCtx.setSinkId(id || "");
  } catch (e) {
    setError("ph_err_no_sink");
  }
}

// --- drawing ---
function deviceSelect(id, kind, stored, onChange) {
  const opts = [el("option", { value: "" }, t("ph_default_device")),
                ...phone.devices[kind].filter((d) => d.deviceId && d.deviceId !== "default")
                  .map((d, i) => el("option", { value: d.deviceId }, d.label || `${kind} ${i + 1}`))];
  const sel = el("select", { id, "aria-label": id, onchange: (ev) => onChange(ev.target.value) }, ...opts);
  sel.value = localStorage.getItem(stored) || "";
  return sel;
}

function render() {
  const body = $("phone-body");
  if (!body || !phone.account || !phone.account.webrtc) return;
  const talking = phone.callState === "talking", ringing = phone.callState === "ringing";
  const status = ringing ? t("ph_incoming", { who: phone.remote })
    : talking ? t(phone.held ? "ph_on_hold" : "ph_in_call", { who: phone.remote }) : t("ph_idle");
  const button = (id, key, onclick, enabled, cls = "") => el("button", { id, class: cls, onclick, ...(enabled ? {} : { disabled: "" }) }, t(key));
  const auto = el("input", { type: "checkbox", id: "phone-auto", onchange: (ev) => {
    localStorage.setItem(STORE.auto, ev.target.checked ? "1" : "0"); maybeAutoAnswer(); } });
  auto.checked = autoAnswer();
  body.replaceChildren(
    el("h2", {}, t("phone"), " ", el("span", { id: "phone-reg", class: `badge ph-${phone.reg}`, "data-state": phone.reg }, t("ph_" + phone.reg))),
    el("div", { class: "row", id: "phone-status", "data-call": phone.callState, "data-held": phone.held ? "1" : "0",
                "data-muted": phone.muted ? "1" : "0", "data-ringing": phone.ring ? "1" : "0" }, status),
    el("div", { class: "row" },
      button("phone-answer", "ph_answer", answer, ringing, "ok"),
      button("phone-hangup", ringing ? "ph_reject" : "ph_hangup", hangup, ringing || talking, "bad"),
      button("phone-hold", phone.held ? "ph_resume" : "ph_hold", toggleHold, talking),
      button("phone-mute", phone.muted ? "ph_unmute" : "ph_mute", toggleMute, talking)),
    el("div", { class: "row keypad", id: "phone-keypad", "aria-label": t("ph_keypad") },
      ...DTMF_KEYS.map((k) => el("button", { "data-key": k, onclick: () => dtmf(k), ...(talking ? {} : { disabled: "" }) }, k))),
    el("div", { class: "row" }, el("label", {}, auto, " ", t("ph_auto_answer"))),
    el("div", { class: "row" },
      el("label", {}, t("ph_mic"), " ", deviceSelect("phone-mic", "audioinput", STORE.mic, chooseMic)),
      el("label", {}, t("ph_speaker"), " ", deviceSelect("phone-speaker", "audiooutput", STORE.speaker, chooseSpeaker))),
    phone.errorKey ? el("p", { class: "alarm", id: "phone-error", "data-key": phone.errorKey }, t(phone.errorKey, phone.errorVars)) : null,
  );
  body.dataset.lang = lang;
}

// The console's live messages (agent.js re-dispatches them): the ACD's pop means the next
// call is an agent-first leg of the ACD, which auto-answer may take.
window.addEventListener("hotline:live", (ev) => {
  const m = ev.detail;
  if (m.type === "snapshot") phone.popActive = !!m.pop;
  else if (m.type === "screen_pop") { phone.popActive = true; maybeAutoAnswer(); }
  else if (m.type === "agent_state" && !["reserved", "ringing"].includes(m.state)) phone.popActive = false;
});

phone.stats = async () => {
  const pc = phone.session?.connection;
  const out = { inboundBytes: 0, inboundPackets: 0, outboundBytes: 0, outboundPackets: 0, audioEnergy: 0 };
  if (!pc) return out;
  (await pc.getStats()).forEach((r) => {
    if (r.type === "inbound-rtp" && r.kind === "audio") {
      out.inboundBytes += r.bytesReceived || 0; out.inboundPackets += r.packetsReceived || 0;
      out.audioEnergy += r.totalAudioEnergy || 0;
    } else if (r.type === "outbound-rtp" && r.kind === "audio") {
      out.outboundBytes += r.bytesSent || 0; out.outboundPackets += r.packetsSent || 0;
    }
  });
  return out;
};

async function main() {
  try {
    phone.account = await fetchAccount();
  } catch (e) {
    return;  // not an agent, or signed out: api() has said so
  }
  if (!phone.account.webrtc) return;  // a hard phone: no phone card
  const card = $("phone-card");
  const audio = el("audio", { id: "phone-audio", autoplay: "" });
  const sink = localStorage.getItem(STORE.speaker);
  if (sink && audio.setSinkId) audio.setSinkId(sink).catch(() => {});
  card.replaceChildren(el("div", { id: "phone-body" }), audio);
  card.classList.remove("hidden");
  render();
  document.getElementById("lang")?.addEventListener("click", () => setTimeout(render, 0));
  // a click anywhere lets the ring tone play (browsers start audio only after a gesture)
  document.addEventListener("click", () => { audioContext().resume().catch(() => {}); }, { once: true });
  navigator.mediaDevices?.addEventListener?.("devicechange", listDevices);
  window.addEventListener("pagehide", () => { if (phone.ua) phone.ua.stop(); });
  listDevices();
  try {
    await loadJsSIP();
  } catch (e) {
    setError("ph_err_config");
    return;
  }
  start();
}
main();
