// The agent console's campaign call: the record on screen (preview: Dial / Skip), the
// campaign's own disposition codes at wrap-up and callback-later in the callee's local time.
import { api, el, t, toast } from "/static/common.js";

const $ = (id) => document.getElementById(id);
const ENDS = ["ready", "not_ready", "logged_out"];
const ob = { record: null, state: null, restoreCodes: () => {} };

export const obActive = () => ob.record !== null;
const HIDDEN = ["source", "customer_id", "last_call_id"];
const known = (prefix, code) => { const k = prefix + code, s = t(k); return s === k ? code : s; };
const codeText = (code) => known("obd_", code);
const fieldText = (field) => known("obf_", field);

export function obRender() {
  const card = $("ob-card"), r = ob.record;
  $("ob-callback-row").classList.toggle("hidden", !r);
  if (!r) { card.classList.add("hidden"); card.replaceChildren(); return; }
  // ids are for the system, not for reading; our own fields in the UI's language, a CSV's as named
  const extra = Object.entries(r.extra || {}).filter(([k]) => !HIDDEN.includes(k));
  const previewing = ob.state === "previewing";
  card.replaceChildren(...[
    el("h2", {}, `${t("ob_record")} · ${r.campaign}`),
    el("div", { class: "name", id: "ob-name" }, r.name || t("unknown_caller")),
    el("p", {}, `${t("number")}: `, el("b", { id: "ob-number" }, r.number), ` · ${t("ob_attempts")}: ${r.attempts}`),
    extra.length ? el("ul", { id: "ob-extra" }, ...extra.map(([k, v]) => el("li", { "data-field": k },
      `${fieldText(k)}: ${Array.isArray(v) ? v.join(", ") : v}`))) : null,
    r.script ? el("p", { class: "muted", id: "ob-script" }, r.script) : null,
    previewing ? el("div", { class: "row" },
      el("button", { id: "btn-ob-dial", class: "ok", onclick: () => act("dial") }, t("ob_dial")),
      el("button", { id: "btn-ob-skip", onclick: () => act("skip") }, t("ob_skip"))) : null,
  ].filter((c) => c !== null));
  card.classList.remove("hidden");
  $("ob-tz").textContent = t("ob_callee_time", { z: r.time_zone, h: r.hours });
  if (ob.state === "wrap_up") {
    const sel = $("disposition"), was = sel.value;
    sel.replaceChildren(...r.dispositions.map((c) => el("option", { value: c }, codeText(c))));
    if (r.dispositions.includes(was)) sel.value = was;
  }
}

async function act(what) {
  await api("POST", `/api/agent/outbound/${what}`);
  if (what === "skip") { ob.record = null; obRender(); }
}

async function load() {
  try { ob.record = await api("GET", "/api/agent/outbound/record", undefined, { toast: false }); } catch (e) { ob.record = null; }
  obRender();
}

// Every websocket frame of the agent page, after agent.js handled it.
export function obOnMessage(m, me, restoreCodes) {
  ob.restoreCodes = restoreCodes;
  const mine = me && m.agent === me.agent;
  if (m.type === "screen_pop" && String(m.call_id).startsWith("ob-")) load();
  else if (m.type === "snapshot" && m.pop && String(m.pop.call_id).startsWith("ob-")) {
    ob.state = (m.agents.find((a) => a.agent === m.me.agent) || {}).state || null; load();
  } else if (m.type === "agent_state" && mine) {
    ob.state = m.state;
    if (ENDS.includes(m.state) && ob.record) { ob.record = null; restoreCodes(); }
    obRender();
  }
}

export async function obWrapUp(notes, ticket) {
  const at = $("ob-callback-at").value;
  await api("POST", "/api/agent/outbound/wrap-up", { disposition: $("disposition").value, notes,
    ticket_ref: ticket || null, callback_at: at || null });
  if (at) toast(t("ob_callback_set", { at, z: ob.record ? ob.record.time_zone : "" }));
  $("ob-callback-at").value = "";
}
