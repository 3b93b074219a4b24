import { api, applyI18n, clock, connectLive, el, fmtDuration, lang, liveStatus, setupLangSwitch, setupNav, signOut, t, toast } from "/static/common.js";
import { SL_FORMULAS } from "/static/i18n.js";

const $ = (id) => document.getElementById(id);
const view = { me: null, agents: new Map(), queues: new Map(), alarms: new Map(),
               labels: { queues: {}, reasons: {} }, pending: new Map() };
const CALL_STATES = new Set(["reserved", "ringing", "on_call", "on_hold"]);
// Queue names and reasons in the UI's language (GET /api/supervisor/labels), else the code.
const label = (kind, code) => { const l = code && view.labels[kind][code]; return l ? l[lang === "zh" ? "zh" : "en"] : (code || ""); };
const queueLabel = (q) => label("queues", q);

// An agent's current call as people read it: caller, queue, talk time (never the call id).
function callCell(a) {
  const c = CALL_STATES.has(a.state) ? a.call : null;
  if (!c) return el("td", { class: "call", "data-call": "" });
  const who = c.caller_name && c.caller ? `${c.caller_name} ${c.caller}` : (c.caller_name || c.caller || t("unknown_caller"));
  return el("td", { class: "call", "data-call": c.call_id },
    el("span", { class: "caller" }, who), c.queue ? el("span", { class: "muted" }, ` · ${queueLabel(c.queue)}`) : null,
    c.talk_since ? el("span", { class: "talk", "data-since": c.talk_since }, ` · ${fmtDuration(clock.now() - c.talk_since)}`) : null);
}
// The formula in the UI's language when it is one we know, else as the ACD sent it.
function slFormula(q) {
  const key = SL_FORMULAS[q.service_level_formula];
  return key ? t(key, { t: q.sl_threshold_s }) : `SL = ${q.service_level_formula.replaceAll("T s", `${q.sl_threshold_s} s`)}`;
}
const pct = (x) => (x === null || x === undefined ? "–" : `${(x * 100).toFixed(1)}%`);

function renderQueues() {
  const box = $("queues");
  box.replaceChildren(...[...view.queues.values()].sort((a, b) => a.queue.localeCompare(b.queue)).map((q) => {
    const alarmed = (kind) => view.alarms.has(`${q.queue}|${kind}`) ? "kpi alert" : "kpi";
    const byState = Object.entries(q.agents_by_state || {}).map(([s, n]) => el("span", { class: `badge s-${s}` }, `${t("st_" + s)} ${n}`));
    return el("div", { class: "card queue", "data-queue": q.queue },
      el("h3", { title: q.queue }, el("button", { class: "drill-link", "data-drill-queue": q.queue,
        onclick: () => openQueue(q.queue) }, queueLabel(q.queue))),
      el("div", { class: "kpis" },
        el("div", { class: alarmed("waiting") }, t("waiting"), el("b", { "data-kpi": "waiting" }, q.waiting)),
        el("div", { class: alarmed("longest_wait") }, t("longest_wait"), el("b", { "data-kpi": "longest_wait" }, fmtDuration(q.longest_wait_s))),
        el("div", { class: alarmed("service_level") }, t("service_level"), el("b", { "data-kpi": "service_level" }, pct(q.service_level))),
        el("div", { class: "kpi" }, t("offered"), el("b", { "data-kpi": "offered" }, q.offered_today)),
        el("div", { class: "kpi" }, t("answered"), el("b", { "data-kpi": "answered" }, q.answered_today)),
        el("div", { class: "kpi" }, t("abandoned"), el("b", { "data-kpi": "abandoned" }, q.abandoned_today)),
      ),
      el("div", { class: "row" }, ...byState),
      el("div", { class: "formula" }, `${t("sl_formula")}: ${slFormula(q)} · ${t("target_sl")} ${pct(q.sl_target)}`),
    );
  }));
}

function agentRow(a) {
    const onCall = a.state === "on_call" || a.state === "on_hold";
    const spy = (mode) => el("button", { disabled: onCall ? null : "", "data-spy": mode,
      onclick: () => api("POST", `/api/supervisor/agents/${encodeURIComponent(a.agent)}/spy`, { mode }).then(() => toast(t("done"))) }, t(mode));
    const state = el("select", { "aria-label": "force state" },
      ...["not_ready", "logged_out", "ready"].map((s) => el("option", { value: s }, t("st_" + s))));
    const reason = el("input", { size: 10, placeholder: t("force_reason"), maxlength: 64 });
    const force = el("button", { onclick: () => {
      const wanted = state.value;
      api("POST", `/api/supervisor/agents/${encodeURIComponent(a.agent)}/state`,
        { state: wanted, reason: reason.value.trim() || "supervisor" }).then(() => {
        // on a call the change waits for the call to end: show it as pending until then
        const now = view.agents.get(a.agent);
        if (now && CALL_STATES.has(now.state) && now.state !== wanted) { view.pending.set(a.agent, wanted); renderAgent(a.agent); }
        toast(t("done"));
      });
    } }, t("force"));
    // asked for during the call (by anyone: the snapshot says so), taken when it ends
    const pending = view.pending.get(a.agent) || (CALL_STATES.has(a.state) || a.state === "wrap_up" ? a.pending_state : null);
    return el("tr", { "data-agent": a.agent },
      el("td", {}, el("button", { class: "drill-link", "data-drill-agent": a.agent, onclick: () => openAgent(a.agent) }, a.agent)),
      el("td", {}, a.name || ""),
      el("td", {}, el("span", { class: `badge s-${a.state}`, "data-state": a.state }, t("st_" + a.state)),
        a.reason ? el("span", { class: "muted reason" }, ` ${label("reasons", a.reason)}`) : null,
        pending ? el("span", { class: "pending", "data-pending": pending }, ` → ${t("st_" + pending)} (${t("pending")})`) : null),
      el("td", { class: "tis", "data-since": a.since || "" }, fmtDuration(clock.now() - (a.since || clock.now()))),
      callCell(a), el("td", {}, a.calls_handled ?? 0), el("td", {}, fmtDuration(a.aht_s)),
      el("td", {}, el("div", { class: "row" }, spy("listen"), spy("whisper"), spy("barge"), state, reason, force)));
}

function renderAgents() {
  $("agents").replaceChildren(...[...view.agents.values()].sort((a, b) => a.agent.localeCompare(b.agent)).map(agentRow));
}

// One agent changed: replace only that row, so what a supervisor types elsewhere stays.
function renderAgent(id) {
  const old = document.querySelector(`tr[data-agent="${CSS.escape(id)}"]`);
  if (old) old.replaceWith(agentRow(view.agents.get(id))); else renderAgents();
}

function renderAlarms() {
  const share = (m) => m === "service_level" || m === "sl_30min" || m === "abandon_rate_30min";
  const items = [...view.alarms.values()].map((a) => el("div", { class: "alarm", "data-alarm": `${a.queue}|${a.kind}` },
    "⚠ " + (a.rule_id !== undefined  // a user-defined traffic alarm (reports.alarms)
      ? t("alarm_rule", { r: a.rule, q: queueLabel(a.queue), m: t("metric_" + a.metric),
          v: share(a.metric) ? pct(a.value) : a.value, op: a.op, t: share(a.metric) ? pct(a.threshold) : a.threshold })
      : t("alarm_" + a.kind, { q: queueLabel(a.queue), v: a.kind === "service_level" ? pct(a.value) : a.value,
          t: a.kind === "service_level" ? pct(a.threshold) : a.threshold }))));
  $("alarms").replaceChildren(...(items.length ? items : [el("p", { class: "muted" }, t("no_alarms"))]));
}

function renderAll() { renderQueues(); renderAgents(); renderAlarms(); if (view.drill) view.drill(); }

// console-agent: drill-down into a queue or an agent (GET /api/supervisor/queues/{q}, /agents/{a})
function showDrill(title, ...body) {
  const box = $("drill");
  box.replaceChildren(el("div", { class: "row" }, el("h2", {}, title),
    el("button", { id: "drill-close", onclick: closeDrill }, t("close"))), ...body);
  box.classList.remove("hidden");
}
function closeDrill() { view.drill = null; $("drill").classList.add("hidden"); $("drill").replaceChildren(); }

async function openQueue(queue) {
  const d = await api("GET", `/api/supervisor/queues/${encodeURIComponent(queue)}`);
  view.drill = () => openQueue(queue).catch(() => {});
  const q = d.queue;
  showDrill(`${t("queue_detail")}: ${queueLabel(queue)}`,
    el("div", { class: "kpis", "data-drill": queue },
      el("div", { class: "kpi" }, t("waiting"), el("b", {}, q.waiting)),
      el("div", { class: "kpi" }, t("longest_wait"), el("b", {}, fmtDuration(q.longest_wait_s))),
      el("div", { class: "kpi" }, t("service_level"), el("b", {}, pct(q.service_level))),
      el("div", { class: "kpi" }, t("offered"), el("b", {}, q.offered_today)),
      el("div", { class: "kpi" }, t("answered"), el("b", {}, q.answered_today)),
      el("div", { class: "kpi" }, t("abandoned"), el("b", {}, q.abandoned_today))),
    el("h3", {}, t("agents_in_queue")),
    el("ul", { id: "drill-agents" }, ...d.agents.map((a) => el("li", { "data-agent": a.agent },
      el("button", { class: "drill-link", onclick: () => openAgent(a.agent) }, `${a.name} (${a.agent})`),
      ` · ${t("st_" + a.state)}${a.reason ? " · " + label("reasons", a.reason) : ""}`))));
}

async function openAgent(agent) {
  const d = await api("GET", `/api/supervisor/agents/${encodeURIComponent(agent)}`);
  view.drill = () => openAgent(agent).catch(() => {});
  const a = d.agent;
  showDrill(`${t("agent_detail")}: ${a.name} (${a.agent})`,
    el("p", {}, el("span", { class: `badge s-${a.state}`, "data-state": a.state }, t("st_" + a.state)),
      a.reason ? ` ${label("reasons", a.reason)}` : "",
      a.pending_state ? el("span", { class: "pending" }, ` → ${t("pending_state", { s: t("st_" + a.pending_state) })}`) : null),
    el("table", {}, el("tbody", {}, el("tr", {}, el("th", {}, t("current_call")), callCell(a)),
      el("tr", {}, el("th", {}, t("calls_handled")), el("td", {}, a.calls_handled)),
      el("tr", {}, el("th", {}, t("aht")), el("td", {}, fmtDuration(a.aht_s))),
      el("tr", {}, el("th", {}, t("queue")), el("td", {}, a.queues.map(queueLabel).join(", "))))),
    el("h3", {}, t("time_per_state")),
    el("ul", { id: "drill-states" }, ...Object.entries(d.time_in_state_today_s).map(([st, sec]) =>
      el("li", { "data-state": st }, `${t("st_" + st)}: ${fmtDuration(sec)}`))));
}

// console-agent: wallboard mode for a wall TV: ?wallboard=1, or the button (Fullscreen API)
function setWallboard(on) {
  document.body.classList.toggle("wallboard", on);
  $("btn-wallboard").textContent = t(on ? "exit_wallboard" : "wallboard_mode");
}
function setupWallboard() {
  setWallboard(new URLSearchParams(location.search).get("wallboard") === "1");
  $("btn-wallboard").addEventListener("click", async () => {
    const on = !document.body.classList.contains("wallboard");
    setWallboard(on);
    try {
      if (on && document.documentElement.requestFullscreen) await document.documentElement.requestFullscreen();
      else if (!on && document.fullscreenElement) await document.exitFullscreen();
    } catch (e) { /* full screen refused (no user gesture, iframe): the large type stays */ }
  });
  document.addEventListener("fullscreenchange", () => { if (!document.fullscreenElement && document.body.classList.contains("wallboard") && !new URLSearchParams(location.search).get("wallboard")) setWallboard(false); });
}

function onMessage(m) {
  switch (m.type) {
    case "snapshot":
      clock.offset = m.now - Date.now() / 1000;
      view.me = m.me;
      view.agents = new Map(m.agents.map((a) => [a.agent, a]));
      view.queues = new Map(m.queues.map((q) => [q.queue, q]));
      view.alarms = new Map(m.alarms.map((a) => [`${a.queue}|${a.kind}`, a]));
      $("who").textContent = `${m.me.username} (${m.me.role})`;
      renderAll();
      break;
    case "agent_state":
      view.agents.set(m.agent, { ...(view.agents.get(m.agent) || { agent: m.agent, state: "logged_out" }), ...m });
      if (!CALL_STATES.has(m.state) && m.state !== "wrap_up") view.agents.get(m.agent).pending_state = null;  // taken
      // a forced state waits for the call and its wrap-up; it is done once the agent gets there
      if (view.pending.has(m.agent) && [view.pending.get(m.agent), "ready", "logged_out"].includes(m.state)) view.pending.delete(m.agent);
      renderAgent(m.agent);
      break;
    case "agent_call":  // the caller / talk start of the agent's call, or null when it ended
      if (view.agents.has(m.agent)) { view.agents.get(m.agent).call = m.call; renderAgent(m.agent); }
      break;
    case "queue":
      view.queues.set(m.queue.queue, m.queue);
      renderQueues();
      break;
    case "alarm":
      if (m.active) view.alarms.set(`${m.queue}|${m.kind}`, m); else view.alarms.delete(`${m.queue}|${m.kind}`);
      renderAlarms(); renderQueues();
      break;
    case "error":
      toast(m.message, true);
      break;
  }
}

function tick() {
  document.querySelectorAll("td.tis").forEach((td) => {
    const since = parseFloat(td.dataset.since);
    if (since) td.textContent = fmtDuration(clock.now() - since);
  });
  document.querySelectorAll("span.talk").forEach((sp) => {
    sp.textContent = ` · ${fmtDuration(clock.now() - parseFloat(sp.dataset.since))}`;
  });
}

applyI18n();
setupWallboard();
setupLangSwitch(() => { renderAll(); setWallboard(document.body.classList.contains("wallboard")); }); setupNav();
$("sign-out").addEventListener("click", signOut);
api("GET", "/api/supervisor/labels").then((l) => { view.labels = l; renderAll(); }).catch(() => {});
window.hotlineLive = connectLive(onMessage, liveStatus($("live")));
setInterval(tick, 1000);
