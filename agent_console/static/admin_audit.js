// The admin page's audit log: who changed what, when, from which value to which (the menu
// file's diff folded). GET /api/admin/audit, newest first, filtered by an action prefix.
import { api, el } from "./common.js";

const $ = (id) => document.getElementById(id);
let rows = [];
const shown = (v) => (v === null || v === undefined ? "" : typeof v === "string" ? v : JSON.stringify(v));

export function drawAudit() {
  $("audit").replaceChildren(...rows.map((a) => {
    const d = a.data || {};
    const before = "before" in d ? shown(d.before) : (a.from_value || "");
    const after = "after" in d ? shown(d.after) : (a.to_value || "");
    return el("tr", { "data-audit": a.id, "data-action": a.action },
      el("td", {}, new Date(a.ts * 1000).toLocaleString(document.documentElement.lang)), el("td", {}, a.actor),
      el("td", {}, a.action), el("td", {}, a.target || ""),
      el("td", { class: "before" }, el("code", {}, before)), el("td", { class: "after" }, el("code", {}, after)),
      el("td", {}, d.diff ? el("details", {}, el("summary", {}, "diff"), el("pre", { class: "diff" }, d.diff)) : ""));
  }));
}

export async function loadAudit() {
  const prefix = $("audit-filter").value.trim();
  rows = await api("GET", `/api/admin/audit?limit=200${prefix ? `&action=${encodeURIComponent(prefix)}` : ""}`);
  drawAudit();
}

