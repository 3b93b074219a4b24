// The supervisor page's outbound campaigns: live figures (GET /api/outbound/campaigns, every
// 5 s) and start / pause / stop for the roles allowed to (supervisor, admin).
import { api, el, t, toast } from "/static/common.js";

const $ = (id) => document.getElementById(id);
const BUSY = ["reserved", "ringing", "on_call", "on_hold", "wrap_up", "previewing", "dialing"];
const ACTIONS = { draft: ["start", "stop"], running: ["pause", "stop"], paused: ["start", "stop"], stopped: [] };
const pct = (x) => (x === null || x === undefined ? "–" : `${(x * 100).toFixed(1)}%`);
const state = { rows: [], canChange: false };

function row(c) {
  const by = c.agents_by_state || {};
  const busy = BUSY.reduce((n, s) => n + (by[s] || 0), 0), idle = by.ready || 0;
  const over = c.abandon_rate !== null && c.abandon_rate > c.abandon_cap;
  const buttons = state.canChange ? (ACTIONS[c.state] || []).map((a) => el("button", {
    "data-campaign-action": a, class: a === "stop" ? "bad" : (a === "start" ? "ok" : ""),
    onclick: async () => { await api("POST", `/api/outbound/campaigns/${encodeURIComponent(c.name)}/${a}`); toast(t("done")); await refresh(); },
  }, t("ob_" + a))) : [];
  return el("tr", { "data-campaign": c.name, "data-state": c.state },
    el("td", {}, c.name), el("td", {}, t("ob_mode_" + c.mode)),
    el("td", {}, el("span", { class: `badge ob-${c.state}`, "data-campaign-state": c.state }, t("ob_state_" + c.state))),
    el("td", { "data-fig": "dials" }, c.dials), el("td", { "data-fig": "connected" }, c.connected),
    el("td", { "data-fig": "abandon_rate", class: over ? "alert" : "" }, `${pct(c.abandon_rate)} (${t("ob_cap")} ${pct(c.abandon_cap)})`),
    el("td", { "data-fig": "agents" }, t("ob_agents", { busy, idle })),
    el("td", { "data-fig": "penetration" }, `${pct(c.penetration)} (${c.dialed_records}/${c.records})`),
    el("td", {}, el("div", { class: "row" }, ...buttons)));
}

export function renderCampaigns() {
  const body = $("campaigns");
  if (!body) return;
  body.replaceChildren(...(state.rows.length ? state.rows.map(row)
    : [el("tr", {}, el("td", { colspan: 9, class: "muted" }, t("ob_none")))]));
}

async function refresh() {
  try { state.rows = await api("GET", "/api/outbound/campaigns"); } catch (e) { return; }
  renderCampaigns();
}

export function setupCampaigns(role) {
  state.canChange = role === "supervisor" || role === "admin";
  refresh();
  setInterval(refresh, 5000);
}
