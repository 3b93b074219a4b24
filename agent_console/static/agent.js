import { api, applyI18n, clock, codeLabel, connectLive, el, fmtDuration, lang, liveStatus, setupLangSwitch, setupNav, signOut, t, toast } from "/static/common.js";
import { openCustomer, rerenderCrm, setCall, setMe, setupCrm } from "/static/agent_crm.js";
import { obActive, obOnMessage, obRender, obWrapUp } from "/static/agent_outbound.js";

const $ = (id) => document.getElementById(id);
const view = { me: null, agent: null, pop: null, codes: { reasons: [], dispositions: [] },
               targets: { agents: [], queues: [], directory: [] }, transferring: false, wrapUntil: null, today: null };

function renderCodes() {
  const fill = (sel, codes) => { sel.replaceChildren(...codes.map((c) => el("option", { value: c.code }, codeLabel(c)))); };
  fill($("reason"), view.codes.reasons);
  fill($("disposition"), view.codes.dispositions);
}

function renderState() {
  const a = view.agent || { state: "logged_out" };
  const badge = $("state-badge");
  badge.textContent = t("st_" + a.state);
  badge.className = "badge state s-" + a.state;
  badge.dataset.state = a.state;
  const reason = a.reason ? view.codes.reasons.find((c) => c.code === a.reason) : null;
  $("reason-line").textContent = a.reason ? `${t("reason")}: ${reason ? codeLabel(reason) : a.reason}` : "";
  const s = a.state, onCall = s === "on_call" || s === "on_hold";
  $("btn-acd-login").disabled = s !== "logged_out";
  $("btn-acd-logout").disabled = !["ready", "not_ready", "wrap_up"].includes(s);
  $("btn-ready").disabled = !["not_ready", "wrap_up"].includes(s);
  $("btn-not-ready").disabled = !["ready", "not_ready", "wrap_up"].includes(s);
  for (const id of ["btn-hangup", "btn-transfer"]) $(id).disabled = !onCall || view.transferring;
  if (!onCall) view.transferring = false;  // the call ended: no transfer can be in progress
  $("xfer-pending").classList.toggle("hidden", !view.transferring);
  $("btn-hold").disabled = s !== "on_call";
  $("btn-unhold").disabled = s !== "on_hold";
  $("btn-conference").disabled = s !== "on_call";
  $("wrap-card").classList.toggle("hidden", s !== "wrap_up");
  if (s !== "wrap_up") view.wrapUntil = null;
  if (["ready", "not_ready", "logged_out"].includes(s)) view.pop = null;
  setCall(view.pop);
  renderPop();
  tick();
}

function tick() {
  const a = view.agent;
  $("time-in-state").textContent = a && a.since ? fmtDuration(clock.now() - a.since) : "–";
  const cd = $("wrap-countdown");
  if (view.wrapUntil === null) { cd.textContent = ""; return; }
  const left = view.wrapUntil - clock.now();
  cd.textContent = left > 0 ? t("wrap_left", { t: fmtDuration(left) }) : t("wrap_over");
  cd.classList.toggle("over", left <= 0);
  cd.dataset.left = String(Math.max(0, Math.ceil(left)));
}

// From the server, not the page's memory (a reload, a second tab): when the wrap-up ends by
// itself (the ACD's timer, extensions included) and whether an attended transfer waits for
// Complete / Cancel. GET /api/agent/state (uncached).
async function loadWrapUntil() {
  const st = await api("GET", "/api/agent/state");
  view.wrapUntil = st.state === "wrap_up" ? st.wrap_until : null;
  view.transferring = st.transferring === "attended";
  if (view.agent) view.agent.transferring = st.transferring;
  renderState();
}

async function loadToday() {
  try { view.today = await api("GET", "/api/agent/today"); } catch (e) { return; }
  renderToday();
}

function renderToday() {
  const d = view.today;
  if (!d) return;
  const fig = (key, value, attr) => el("div", { class: "kpi" }, t(key), el("b", { "data-figure": attr }, value));
  const score = d.survey.score === null ? "–" : `${d.survey.score.toFixed(1)} / 5`;
  $("today").replaceChildren(
    el("div", { class: "figures" }, fig("calls_today", d.calls, "calls"), fig("aht", fmtDuration(d.aht_s), "aht"),
      el("div", { class: "kpi" }, t("survey_score"), el("b", { "data-figure": "survey" }, score),
        el("span", { class: "muted" }, t("answers_n", { n: d.survey.answers })))),
    el("h3", {}, t("time_per_state")),
    el("ul", { id: "today-states" }, ...Object.entries(d.time_in_state_s).map(([st, sec]) =>
      el("li", { "data-state": st }, `${t("st_" + st)}: ${fmtDuration(sec)}`))));
}

// The transfer picker: agents by name and state, queues by label, the directory of numbers.
async function loadTargets() {
  try { view.targets = await api("GET", "/api/agent/transfer-targets"); } catch (e) { return; }
  renderTargets();
}

function renderTargets() {
  const kind = $("xfer-kind").value, sel = $("xfer-target"), tg = view.targets;
  let options;
  if (kind === "agent") {
    options = tg.agents.map((a) => el("option", { value: a.agent, disabled: a.state === "ready" ? null : "" },
      `${a.name} (${a.agent}) · ${t("st_" + a.state)}`));
    options.sort((x, y) => Number(x.disabled) - Number(y.disabled));
  } else if (kind === "queue") {
    options = tg.queues.map((q) => el("option", { value: q.queue }, lang === "zh" ? q.label_zh : q.label_en));
  } else {
    options = [...tg.directory.map((d) => el("option", { value: d.number }, `${d.name} · ${d.number}`)),
               el("option", { value: "" }, t("other_number"))];
  }
  const was = sel.value;
  sel.replaceChildren(...options);
  if ([...sel.options].some((o) => o.value === was && !o.disabled)) sel.value = was;
  $("xfer-number").classList.toggle("hidden", !(kind === "number" && sel.value === ""));
}

function transferTarget() {
  const kind = $("xfer-kind").value;
  return kind === "number" && $("xfer-target").value === "" ? $("xfer-number").value.trim() : $("xfer-target").value;
}

function list(items, fmt) {
  return items && items.length ? el("ul", {}, ...items.map((i) => el("li", {}, fmt(i)))) : el("p", { class: "muted" }, t("none"));
}

// The CRM gives the number's region in both languages ({zh, en, country}); older cards a string.
function regionText(r) {
  if (!r) return "";
  if (typeof r === "string") return r;
  return codeLabel({ label_zh: r.zh || r.en, label_en: r.en || r.zh }) || r.country || "";
}

function renderPop() {
  const card = $("pop-card"), p = view.pop;
  if (!p) { card.classList.add("hidden"); card.replaceChildren(); return; }
  const c = p.customer;
  const who = c
    ? el("div", {}, el("div", { class: "name", id: "pop-name" }, c.name || p.caller_name),
        c.vip_level || c.vip ? el("span", { class: "badge s-ringing" }, `${t("vip")} ${c.vip_level || ""}`) : null)
    : el("div", {}, el("div", { class: "name", id: "pop-name" }, p.caller_name || t("unknown_caller")),
        el("button", { id: "btn-create-customer", class: "primary", onclick: () => createCustomer(p) }, t("create_customer")));
  card.replaceChildren(...[
    el("h2", {}, t("incoming_call")),
    who,
    el("p", {}, `${t("caller")}: `, el("b", { id: "pop-number" }, p.number || p.caller_num), regionText(p.region) ? ` (${regionText(p.region)})` : ""),
    el("p", {}, `${t("queue")}: ${p.queue} · ${t("waited")}: ${fmtDuration(p.waited_s)} · ${t("skills")}: ${(p.skills || []).join(", ") || t("none")}`),
    el("p", { class: "path" }, `${t("ivr_path")}: `, ...(p.ivr_path || []).map((n) => el("span", {}, n))),
    p.lookup_error ? el("p", { class: "alarm" }, t("lookup_error")) : null,
    c ? el("button", { id: "btn-open-customer", onclick: () => openCustomer(c.id) }, t("open_customer")) : null,
    el("h2", {}, t("open_tickets")),
    list(p.open_tickets, (tk) => `${tk.number || "#" + tk.id} ${tk.subject || tk.title || ""} (${tk.status ? t("tk_" + tk.status) : ""})`),
    el("h2", {}, t("last_interactions")),
    interactionList(p.interactions),
  ].filter((c) => c !== null));
  card.classList.remove("hidden");
}

// The pop's "Last interactions": when, the disposition in the UI's language, the notes.
function interactionList(items) {
  if (!items || !items.length) return el("p", { class: "muted", id: "pop-interactions" }, t("none"));
  const disp = (code) => { const c = view.codes.dispositions.find((d) => d.code === code); return c ? codeLabel(c) : (code || ""); };
  return el("ul", { id: "pop-interactions" }, ...items.map((i) => el("li", { "data-interaction": i.id ?? "" },
    `${new Date((i.started_at || i.at) * 1000).toLocaleString(document.documentElement.lang)} · `
    + [disp(i.disposition) || i.summary || i.kind || "", i.notes || ""].filter(Boolean).join(" · "))));
}

async function createCustomer(p) {
  const name = p.caller_name || p.number || p.caller_num;
  const c = await api("POST", "/crm/customers", { name, phones: [p.number || p.caller_num] });
  p.customer = c; p.known = true;
  toast(t("customer_created"));
  renderPop();
  await openCustomer(c.id);
}

function onMessage(m) {
  window.dispatchEvent(new CustomEvent("hotline:live", { detail: m }));  // for phone.js
  switch (m.type) {
    case "snapshot":
      clock.offset = m.now - Date.now() / 1000;
      view.me = m.me; setMe(m.me);
      view.agent = m.agents.find((a) => a.agent === m.me.agent) || view.agent;
      view.transferring = !!view.agent && view.agent.transferring === "attended";
      if (view.agent && ["wrap_up", "on_call", "on_hold"].includes(view.agent.state)) loadWrapUntil().catch(() => {});
      view.pop = m.pop || null;
      $("who").textContent = `${m.me.username} · ${m.me.agent || ""}`;
      renderState();
      break;
    case "agent_state":
      if (view.me && m.agent === view.me.agent) {
        view.agent = { ...(view.agent || {}), ...m }; renderState();
        if (m.state === "wrap_up") loadWrapUntil().catch(() => {});
        if (["wrap_up", "ready", "not_ready"].includes(m.state)) loadToday();
        if (m.state === "on_call") loadTargets();  // the others' states as the call starts
      } else if (view.targets.agents.some((a) => a.agent === m.agent)) {
        view.targets.agents = view.targets.agents.map((a) => (a.agent === m.agent ? { ...a, state: m.state } : a));
        renderTargets();
      }
      break;
    case "screen_pop":
      view.pop = m; setCall(m); renderPop();
      break;
    case "error":
      toast(m.message, true);
      break;
  }
  obOnMessage(m, view.me, renderCodes);  // a campaign call: its record, Dial / Skip, its codes
}

function act(id, path, body) {
  $(id).addEventListener("click", async () => { await api("POST", path, typeof body === "function" ? body() : body); });
}

async function main() {
  applyI18n();
  setupLangSwitch(() => { renderCodes(); renderState(); renderToday(); renderTargets(); rerenderCrm(); obRender(); }); setupNav();
  $("sign-out").addEventListener("click", signOut);
  try { view.codes = await api("GET", "/api/agent/codes"); } catch (e) { /* toast shown */ }
  renderCodes();
  act("btn-acd-login", "/api/agent/login", {});
  act("btn-acd-logout", "/api/agent/logout");
  act("btn-ready", "/api/agent/ready");
  act("btn-not-ready", "/api/agent/not-ready", () => ({ reason: $("reason").value }));
  act("btn-hangup", "/api/agent/call/hangup");
  act("btn-hold", "/api/agent/call/hold");
  act("btn-unhold", "/api/agent/call/unhold");
  $("xfer-kind").addEventListener("change", renderTargets);
  $("xfer-kind").addEventListener("focus", loadTargets);  // an agent's page hears only its own state
  $("xfer-target").addEventListener("change", renderTargets);
  $("btn-transfer").addEventListener("click", async () => {
    const attended = $("xfer-attended").checked;
    await api("POST", "/api/agent/call/transfer", { kind: $("xfer-kind").value, target: transferTarget(), attended });
    if (attended) { view.transferring = true; renderState(); }
  });
  for (const [id, path] of [["btn-xfer-complete", "complete"], ["btn-xfer-cancel", "cancel"]]) {
    $(id).addEventListener("click", async () => {
      await api("POST", `/api/agent/call/transfer/${path}`);
      view.transferring = false; renderState();
    });
  }
  act("btn-conference", "/api/agent/call/conference", () => ({ number: $("conf-number").value.trim() }));
  $("btn-extend").addEventListener("click", async () => {
    await api("POST", "/api/agent/wrap-up/extend", { seconds: 60 });
    await loadWrapUntil();
  });
  $("wrap-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const ticket = $("ticket-ref").value.trim();
    if (obActive()) await obWrapUp($("notes").value, ticket);
    else await api("POST", "/api/agent/wrap-up", { disposition: $("disposition").value, notes: $("notes").value, ticket_ref: ticket || null });
    $("notes").value = ""; $("ticket-ref").value = "";
  });
  setupCrm({ me: view.me, onTicket: (tk) => { $("ticket-ref").value = tk.number; } });
  loadTargets(); loadToday();
  window.hotlineLive = connectLive(onMessage, liveStatus($("live")));
  setInterval(tick, 500);
  setInterval(loadToday, 60_000);
}
main();
