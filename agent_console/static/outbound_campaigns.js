// The outbound page's campaigns section: the campaigns with their figures (GET
// /api/outbound/campaigns) and start / pause / stop, the create / edit form (POST / PUT
// /api/outbound/campaigns[/{name}]; a refusal is shown by its field), and a campaign's report
// (GET …/report) with its CSV download (…/report.csv, UTF-8 with BOM).
import { api, el, t, toast } from "/static/common.js";

export const CONTAINER = "ob-campaigns";

const MODES = ["preview", "progressive", "predictive", "agentless"];
const AMD = ["off", "hangup", "message", "agent"];
const RETRYABLE = ["busy", "no_answer", "machine", "failed", "abandoned"];
const ACTIONS = { draft: ["start", "stop"], running: ["pause", "stop"], paused: ["start", "stop"], stopped: [] };
const EDITABLE = ["draft", "paused"];  // a running campaign is paused first; a stopped one is final
const DEFAULTS = {
  name: "", mode: "progressive", queue: "", caller_id: "", hours: "09:00-21:00", max_per_day: 3, max_total: null,
  retries: [{ result: "busy", after_s: 600, max_retries: 3 }, { result: "no_answer", after_s: 3600, max_retries: 2 },
            { result: "machine", after_s: 14400, max_retries: 1 }, { result: "failed", after_s: 1800, max_retries: 1 },
            { result: "abandoned", after_s: 300, max_retries: 1 }],
  dispositions: ["done", "callback", "refused", "wrong_number"], script: "", abandon_cap: 0.03, amd: "off", amd_message: "",
};
const ERR = "color:var(--bad)";
const NUM = "width:6em";
const pct = (x) => (x === null || x === undefined ? "–" : `${(x * 100).toFixed(1)}%`);
// editing: null (no form), {name: null} (new) or {name} (edit); values: the form's content
const state = { root: null, rows: [], queues: [], editing: null, values: null, errors: {}, problem: "", report: null };

export async function setup(container, me) {
  state.root = container;
  try {
    const snap = await api("GET", "/api/supervisor/snapshot", undefined, { toast: false });
    state.queues = (snap.queues || []).map((q) => q.queue).filter(Boolean);
  } catch (e) { state.queues = []; }  // the queue is then typed in
  await refresh();
  setInterval(() => { if (!document.hidden) refresh(); }, 5000);
}

export function redraw() {
  if (state.editing) state.values = readForm();
  draw();
}

async function refresh() {
  try { state.rows = await api("GET", "/api/outbound/campaigns", undefined, { toast: false }); } catch (e) { return; }
  const table = state.root.querySelector("#obc-rows");
  if (table) table.replaceChildren(...tableRows()); else draw();
}

function draw() {
  state.root.replaceChildren(listCard(), ...(state.editing ? [formCard()] : []), ...(state.report ? [reportCard()] : []));
}

// --- the campaigns table -------------------------------------------------------------

function listCard() {
  const head = ["ob_campaign", "ob_mode", "state", "ob_dialed", "ob_connected", "ob_abandon_rate", "ob_penetration", "actions"];
  return el("section", { class: "card", id: "obc-list" },
    el("div", { class: "row" }, el("h2", { style: "flex:1;margin:0" }, t("obc_title")),
      el("button", { id: "obc-new", class: "primary", onclick: () => openForm(null) }, t("obc_new"))),
    el("table", { id: "obc-table" },
      el("thead", {}, el("tr", {}, ...head.map((k) => el("th", {}, t(k))))),
      el("tbody", { id: "obc-rows" }, ...tableRows())));
}

function tableRows() {
  if (!state.rows.length) return [el("tr", {}, el("td", { colspan: 8, class: "muted" }, t("obc_none")))];
  return state.rows.map((c) => {
    const over = c.abandon_rate !== null && c.abandon_rate > c.abandon_cap;
    const buttons = (ACTIONS[c.state] || []).map((a) => el("button", {
      "data-campaign-action": a, class: a === "stop" ? "bad" : (a === "start" ? "ok" : ""),
      onclick: () => changeState(c.name, a),
    }, t("ob_" + a)));
    if (EDITABLE.includes(c.state)) buttons.push(el("button", { "data-edit": c.name, onclick: () => openForm(c.name) }, t("obc_edit")));
    buttons.push(el("button", { "data-report": c.name, onclick: () => openReport(c.name) }, t("obc_report")));
    return el("tr", { "data-campaign": c.name, "data-state": c.state },
      el("td", {}, c.name), el("td", {}, t("ob_mode_" + c.mode)),
      el("td", {}, el("span", { class: `badge ob-${c.state}`, "data-campaign-state": c.state }, t("ob_state_" + c.state))),
      el("td", { "data-fig": "dials" }, c.dials), el("td", { "data-fig": "connected" }, c.connected),
      el("td", { "data-fig": "abandon_rate", class: over ? "alert" : "" }, `${pct(c.abandon_rate)} (${t("ob_cap")} ${pct(c.abandon_cap)})`),
      el("td", { "data-fig": "penetration" }, `${pct(c.penetration)} (${c.dialed_records}/${c.records})`),
      el("td", {}, el("div", { class: "row" }, ...buttons)));
  });
}

async function changeState(name, action) {
  await api("POST", `/api/outbound/campaigns/${encodeURIComponent(name)}/${action}`);
  toast(t("done"));
  await refresh();
  if (state.editing && state.editing.name === name && action === "start") { state.editing = null; draw(); }
}

// --- the create / edit form ----------------------------------------------------------

async function openForm(name) {
  const values = name === null ? structuredClone(DEFAULTS)
    : await api("GET", `/api/outbound/campaigns/${encodeURIComponent(name)}`);
  state.editing = { name };
  state.values = values;
  state.errors = {};
  state.problem = "";
  draw();
  state.root.querySelector("#obc-form-card").scrollIntoView({ block: "start" });
}

function field(key, label, input, hint) {
  return el("label", { class: "field", "data-field": key }, el("span", {}, t(label)), input,
    hint ? el("small", { class: "muted" }, hint) : null,
    state.errors[key] ? el("small", { class: "alert", style: ERR, "data-error-for": key }, state.errors[key]) : null);
}

function select(id, options, value, prefix, onchange) {
  return el("select", { id, onchange }, ...options.map((o) => {
    const opt = el("option", { value: o }, t(prefix + o));
    if (o === value) opt.selected = true;
    return opt;
  }));
}

function formCard() {
  const v = state.values, editing = state.editing.name !== null;
  const [start, end] = (v.hours || "09:00-21:00").split("-").map((s) => s.trim());
  const retries = Object.fromEntries((v.retries || []).map((r) => [r.result, r]));
  const mode = v.mode;
  const keep = () => { state.values = readForm(); draw(); };  // mode / AMD show their own fields
  const retryRows = RETRYABLE.map((res) => {
    const r = retries[res];
    return el("tr", { "data-retry": res }, el("td", {}, t("obc_result_" + res)),
      el("td", {}, el("input", { type: "number", min: 1, step: 1, "data-k": "after", style: NUM, value: r ? Math.round(r.after_s / 60) : "", size: 6 })),
      el("td", {}, el("input", { type: "number", min: 0, step: 1, "data-k": "max", style: NUM, value: r ? r.max_retries : 0, size: 4 })));
  });
  return el("section", { class: "card", id: "obc-form-card" },
    el("h2", {}, editing ? t("obc_edit_title", { n: state.editing.name }) : t("obc_new_title")),
    el("form", { id: "obc-form", class: "form", onsubmit: (ev) => { ev.preventDefault(); save(); } },
      field("name", "obc_name", el("input", { id: "obc-name", value: v.name, size: 20, ...(editing ? { disabled: "" } : {}) }),
        editing ? t("obc_name_fixed") : t("obc_name_hint")),
      field("mode", "ob_mode", select("obc-mode", MODES, mode, "ob_mode_", keep), t("obc_mode_hint_" + mode)),
      field("queue", "obc_queue", el("input", { id: "obc-queue", value: v.queue, list: "obc-queues", size: 14 }),
        mode === "agentless" ? t("obc_queue_agentless") : t("obc_queue_hint")),
      el("datalist", { id: "obc-queues" }, ...state.queues.map((q) => el("option", { value: q }))),
      field("caller_id", "obc_caller_id", el("input", { id: "obc-caller_id", value: v.caller_id, placeholder: "+864008001234", size: 16 })),
      field("hours", "obc_hours", el("span", { style: "display:flex;gap:4px;align-items:center" },
        el("input", { id: "obc-hours-start", type: "time", value: start }), "–",
        el("input", { id: "obc-hours-end", type: "time", value: end })), t("obc_hours_hint")),
      field("max_per_day", "obc_max_per_day", el("input", { id: "obc-max_per_day", type: "number", min: 1, style: NUM, value: v.max_per_day, size: 4 })),
      field("max_total", "obc_max_total", el("input", { id: "obc-max_total", type: "number", min: 1, style: NUM, value: v.max_total ?? "", size: 4 }),
        t("obc_max_total_hint")),
      mode === "predictive" ? field("abandon_cap", "obc_abandon_cap",
        el("input", { id: "obc-abandon_cap", type: "number", min: 0, max: 5, step: 0.1, style: NUM, value: +(v.abandon_cap * 100).toFixed(2), size: 5 }),
        t("obc_abandon_cap_hint")) : null,
      field("amd", "obc_amd", select("obc-amd", AMD, v.amd, "obc_amd_", keep)),
      v.amd === "message" ? field("amd_message", "obc_amd_message",
        el("input", { id: "obc-amd_message", value: v.amd_message || "", placeholder: "ob-notice", size: 16 })) : null,
      el("div", { style: "flex-basis:100%;display:flex;gap:16px;align-items:start;flex-wrap:wrap" },
      field("retries", "obc_retries", el("table", { id: "obc-retries" },
        el("thead", {}, el("tr", {}, el("th", {}, t("obc_result")), el("th", {}, t("obc_after_min")), el("th", {}, t("obc_max_retries")))),
        el("tbody", {}, ...retryRows))),
      field("dispositions", "obc_dispositions", el("input", { id: "obc-dispositions", value: (v.dispositions || []).join("; "), size: 36 }),
        t("obc_dispositions_hint"))),
      el("label", { class: "field", "data-field": "script", style: "flex-basis:100%" }, el("span", {}, t("obc_script")),
        el("textarea", { id: "obc-script" }, v.script || ""),
        state.errors.script ? el("small", { class: "alert", style: ERR, "data-error-for": "script" }, state.errors.script) : null),
      state.problem ? el("div", { class: "alert", id: "obc-problem", style: ERR + ";flex-basis:100%" }, state.problem) : null,
      el("div", { class: "row", style: "flex-basis:100%" },
        el("button", { id: "obc-save", class: "primary", type: "submit" }, editing ? t("save") : t("obc_create")),
        el("button", { id: "obc-cancel", type: "button", onclick: () => { state.editing = null; draw(); } }, t("obc_cancel")))));
}

function readForm() {
  const root = state.root, val = (id) => root.querySelector("#" + id)?.value ?? "";
  const v = state.values || DEFAULTS;
  const num = (id, fallback) => { const s = val(id).trim(); return s === "" ? fallback : Number(s); };
  const retries = [...root.querySelectorAll("#obc-retries tr[data-retry]")].map((tr) => ({
    result: tr.dataset.retry,
    after_s: Number(tr.querySelector("[data-k=after]").value || 0) * 60,
    max_retries: Number(tr.querySelector("[data-k=max]").value || 0),
  })).filter((r) => r.max_retries > 0);
  const cap = root.querySelector("#obc-abandon_cap");
  const amd = val("obc-amd") || v.amd;
  const amdMsg = root.querySelector("#obc-amd_message");
  return {
    name: state.editing && state.editing.name !== null ? state.editing.name : val("obc-name").trim(),
    mode: val("obc-mode") || v.mode, queue: val("obc-queue").trim(), caller_id: val("obc-caller_id").trim(),
    hours: `${val("obc-hours-start")}-${val("obc-hours-end")}`,
    max_per_day: num("obc-max_per_day", null), max_total: num("obc-max_total", null), retries,
    dispositions: val("obc-dispositions").split(/[;,，；]/).map((s) => s.trim()).filter(Boolean),
    script: val("obc-script"),
    abandon_cap: cap ? Number(cap.value || 0) / 100 : v.abandon_cap,  // kept while hidden (not predictive)
    amd, amd_message: amdMsg ? amdMsg.value.trim() : (v.amd_message || ""),
  };
}

async function save() {
  const body = readForm();
  state.values = body;
  const editing = state.editing.name !== null;
  const { name, ...rest } = body;
  try {
    if (editing) await api("PUT", `/api/outbound/campaigns/${encodeURIComponent(name)}`, rest, { toast: false });
    else await api("POST", "/api/outbound/campaigns", body, { toast: false });
  } catch (e) {
    state.errors = {};
    state.problem = "";
    if (Array.isArray(e.detail)) {
      for (const d of e.detail) {
        const key = (d.loc || []).slice(1)[0];
        if (key && key !== "body") state.errors[key] = (state.errors[key] ? state.errors[key] + "; " : "") + d.msg;
        else state.problem = d.msg;
      }
    } else state.problem = e.message;
    draw();
    return;
  }
  toast(editing ? t("obc_saved", { n: name }) : t("obc_created", { n: name }));
  state.editing = null;
  await refresh();
  draw();
  // the lists section (outbound_lists.js) offers the new campaign at once
  if (!editing) document.dispatchEvent(new CustomEvent("campaigns-changed", { detail: { name } }));
}

// --- the report ----------------------------------------------------------------------

async function openReport(name) {
  state.report = await api("GET", `/api/outbound/campaigns/${encodeURIComponent(name)}/report`);
  draw();
  state.root.querySelector("#obc-report-card").scrollIntoView({ block: "start" });
}

function counts(title, map, prefix, id) {
  const entries = Object.entries(map);
  return el("div", { class: "card", id },
    el("h3", {}, t(title)),
    el("table", {}, el("tbody", {}, ...(entries.length ? entries.map(([k, n]) =>
      el("tr", { "data-key": k }, el("td", {}, prefix ? t(prefix + k) : k), el("td", { class: "num" }, n)))
      : [el("tr", {}, el("td", { class: "muted" }, t("none")))]))));
}

function reportCard() {
  const r = state.report, f = r.figures;
  const csv = `/api/outbound/campaigns/${encodeURIComponent(f.name)}/report.csv`;
  const kpi = (k, v) => el("div", { class: "kpi", "data-kpi": k }, t(k), el("b", {}, v));
  const shown = r.records.slice(0, 500);
  const due = (at) => (at === null || at === undefined ? "" : new Date(at * 1000).toLocaleString(t("obc_locale")));
  return el("section", { class: "card", id: "obc-report-card", "data-campaign": f.name },
    el("div", { class: "row" }, el("h2", { style: "flex:1;margin:0" }, t("obc_report_title", { n: f.name })),
      el("a", { id: "obc-csv", href: csv, download: "" }, t("export_csv")),
      el("button", { id: "obc-report-close", onclick: () => { state.report = null; draw(); } }, t("close"))),
    el("div", { class: "kpis" },
      kpi("obc_records", f.records), kpi("ob_penetration", `${pct(f.penetration)} (${f.dialed_records}/${f.records})`),
      kpi("ob_dialed", f.dials), kpi("ob_connected", f.connected),
      kpi("ob_abandon_rate", `${pct(f.abandon_rate)} (${t("ob_cap")} ${pct(f.abandon_cap)})`), kpi("obc_refused", f.refused)),
    el("div", { class: "row", style: "align-items:start" },
      counts("obc_by_status", r.by_status, "obc_status_", "obc-by-status"),
      counts("obc_by_result", r.by_result, "obc_result_", "obc-by-result"),
      counts("obc_by_disposition", r.by_disposition, null, "obc-by-disposition")),
    el("table", { id: "obc-records" },
      el("thead", {}, el("tr", {}, ...["number", "name", "state", "ob_attempts", "obc_last_result", "disposition", "obc_next_at"]
        .map((k) => el("th", {}, t(k))))),
      el("tbody", {}, ...shown.map((x) => el("tr", {},
        el("td", {}, x.number), el("td", {}, x.name || ""), el("td", {}, t("obc_status_" + x.status)),
        el("td", { class: "num" }, x.attempts), el("td", {}, x.last_result ? t("obc_result_" + x.last_result) : ""),
        el("td", {}, x.disposition || ""), el("td", {}, due(x.next_at)))))),
    r.records.length > shown.length ? el("p", { class: "muted" }, t("obc_more_in_csv", { n: r.records.length - shown.length })) : null);
}
