import { api, applyI18n, clock, codeLabel, connectLive, el, fmtDuration, liveStatus, setupLangSwitch, setupNav, signOut, t, toast } from "/static/common.js";

const $ = (id) => document.getElementById(id);
const view = { me: null, agent: null, pop: null, codes: { reasons: [], dispositions: [] } };

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
  for (const id of ["btn-hangup", "btn-transfer", "btn-xfer-complete", "btn-xfer-cancel"]) $(id).disabled = !onCall;
  $("btn-hold").disabled = s !== "on_call";
  $("btn-unhold").disabled = s !== "on_hold";
  $("btn-conference").disabled = s !== "on_call";
  $("wrap-card").classList.toggle("hidden", s !== "wrap_up");
  if (["ready", "not_ready", "logged_out"].includes(s)) view.pop = null;
  renderPop();
  tick();
}

function tick() {
  const a = view.agent;
  $("time-in-state").textContent = a && a.since ? fmtDuration(clock.now() - a.since) : "–";
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
    el("h2", {}, t("open_tickets")),
    list(p.open_tickets, (tk) => `#${tk.id} ${tk.subject || tk.title || ""} (${tk.status || ""})`),
    el("h2", {}, t("last_interactions")),
    list(p.interactions, (i) => `${new Date((i.started_at || i.at) * 1000).toLocaleString(document.documentElement.lang)} · ${i.kind || ""} ${i.disposition || i.summary || ""}`),
  ].filter((c) => c !== null));
  card.classList.remove("hidden");
}

async function createCustomer(p) {
  const name = p.caller_name || p.number || p.caller_num;
  const c = await api("POST", "/crm/customers", { name, phones: [p.number || p.caller_num] });
  p.customer = c; p.known = true;
  toast(t("customer_created"));
  renderPop();
}

function onMessage(m) {
  window.dispatchEvent(new CustomEvent("hotline:live", { detail: m }));  // for phone.js
  switch (m.type) {
    case "snapshot":
      clock.offset = m.now - Date.now() / 1000;
      view.me = m.me;
      view.agent = m.agents.find((a) => a.agent === m.me.agent) || view.agent;
      view.pop = m.pop || null;
      $("who").textContent = `${m.me.username} · ${m.me.agent || ""}`;
      renderState();
      break;
    case "agent_state":
      if (view.me && m.agent === view.me.agent) { view.agent = { ...(view.agent || {}), ...m }; renderState(); }
      break;
    case "screen_pop":
      view.pop = m; renderPop();
      break;
    case "error":
      toast(m.message, true);
      break;
  }
}

function act(id, path, body) {
  $(id).addEventListener("click", async () => { await api("POST", path, typeof body === "function" ? body() : body); });
}

async function main() {
  applyI18n();
  setupLangSwitch(() => { renderCodes(); renderState(); }); setupNav();
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
  act("btn-transfer", "/api/agent/call/transfer", () => ({ kind: $("xfer-kind").value, target: $("xfer-target").value.trim(), attended: $("xfer-attended").checked }));
  act("btn-xfer-complete", "/api/agent/call/transfer/complete");
  act("btn-xfer-cancel", "/api/agent/call/transfer/cancel");
  act("btn-conference", "/api/agent/call/conference", () => ({ number: $("conf-number").value.trim() }));
  act("btn-extend", "/api/agent/wrap-up/extend", { seconds: 60 });
  $("wrap-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const ticket = $("ticket-ref").value.trim();
    await api("POST", "/api/agent/wrap-up", { disposition: $("disposition").value, notes: $("notes").value, ticket_ref: ticket || null });
    $("notes").value = ""; $("ticket-ref").value = "";
  });
  window.hotlineLive = connectLive(onMessage, liveStatus($("live")));
  setInterval(tick, 500);
}
main();
