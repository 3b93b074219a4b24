// The outbound page's lists section: a campaign's contact list — its summary, built from the
// product (lost-call worklist, tickets resolved awaiting 回访, a survey sample of answered
// calls) or uploaded as CSV (UTF-8 or GBK; the rows refused are listed with their line and
// reason) — and the do-not-call lists, global or per campaign: upload and download.
// Routes: agent_console/routes/outbound.py (lists/*) and routes/outbound_lists.py.
import { api, el, t, toast } from "./common.js";

export const CONTAINER = "ob-lists";
const SOURCES = ["lost-calls", "tickets", "survey"];
const FIELDS = { "lost-calls": ["from", "to"], tickets: ["days"], survey: ["from", "to", "size"] };
const SUMMARY = ["records", "pending", "dialable", "on_dnc", "done", "refused", "dnc_global", "dnc_campaign"];
const state = { root: null, campaigns: [], summary: null, built: null, uploaded: null, dnc: null };
const $ = (id) => state.root.querySelector(`#${id}`);
const enc = encodeURIComponent;

function yesterday() {
  const d = new Date(Date.now() - 86400000);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

// A translated word for a reason code of the list builders; free text stays as it is.
function reasonLabel(reason) {
  const key = "obl_skip_" + reason;
  const s = t(key);
  return s === key ? reason : s;
}

const label = (key, input) => el("label", {}, el("span", { "data-i18n": key }, t(key)), input);

function layout() {
  const source = el("select", { id: "obl-source", onchange: showFields },
    ...SOURCES.map((s) => el("option", { value: s, "data-i18n": "obl_src_" + s }, t("obl_src_" + s))));
  const day = yesterday();
  return [
    el("section", { class: "card", id: "obl-card" },
      el("h2", { "data-i18n": "obl_title" }, t("obl_title")),
      el("div", { class: "form" },
        label("obl_campaign", el("select", { id: "obl-campaign", onchange: onCampaign, onfocus: loadCampaigns }))),
      el("div", { id: "obl-summary", class: "row" }),
      el("h3", { "data-i18n": "obl_build_title" }, t("obl_build_title")),
      el("form", { id: "obl-build-form", class: "form", onsubmit: build },
        label("obl_source", source),
        label("obl_from", el("input", { id: "obl-from", type: "date", value: day, "data-field": "from" })),
        label("obl_to", el("input", { id: "obl-to", type: "date", value: day, "data-field": "to" })),
        label("obl_days", el("input", { id: "obl-days", type: "number", min: "1", max: "3650", value: "30",
                                         "data-field": "days" })),
        label("obl_size", el("input", { id: "obl-size", type: "number", min: "1", max: "10000", value: "100",
                                         "data-field": "size" })),
        el("button", { id: "obl-build", class: "primary", type: "submit", "data-i18n": "obl_build" }, t("obl_build"))),
      el("div", { id: "obl-build-result" }),
      el("h3", { "data-i18n": "obl_upload_title" }, t("obl_upload_title")),
      el("form", { id: "obl-upload-form", class: "form", onsubmit: upload },
        label("obl_file", el("input", { id: "obl-file", type: "file", accept: ".csv,text/csv", required: "" })),
        el("button", { id: "obl-upload", class: "primary", type: "submit", "data-i18n": "obl_upload" }, t("obl_upload"))),
      el("p", { class: "muted", "data-i18n": "obl_upload_hint" }, t("obl_upload_hint")),
      el("div", { id: "obl-upload-result" })),
    el("section", { class: "card", id: "obl-dnc-card" },
      el("h2", { "data-i18n": "obl_dnc_title" }, t("obl_dnc_title")),
      el("form", { id: "obl-dnc-form", class: "form", onsubmit: uploadDnc },
        label("obl_dnc_scope", el("select", { id: "obl-dnc-scope", onchange: drawDncLink })),
        label("obl_file", el("input", { id: "obl-dnc-file", type: "file", accept: ".csv,text/csv", required: "" })),
        el("button", { id: "obl-dnc-upload", class: "primary", type: "submit", "data-i18n": "obl_dnc_upload" },
          t("obl_dnc_upload")),
        el("a", { id: "obl-dnc-download", href: "/api/outbound/dnc.csv", download: "", "data-i18n": "obl_dnc_download" },
          t("obl_dnc_download"))),
      el("p", { class: "muted", "data-i18n": "obl_dnc_hint" }, t("obl_dnc_hint")),
      el("div", { id: "obl-dnc-result" })),
  ];
}

function showFields() {
  const wanted = FIELDS[$("obl-source").value];
  state.root.querySelectorAll("#obl-build-form [data-field]").forEach((input) => {
    input.closest("label").classList.toggle("hidden", !wanted.includes(input.dataset.field));
  });
}

const campaign = () => $("obl-campaign").value;

async function loadCampaigns() {
  let rows;
  try { rows = await api("GET", "/api/outbound/campaigns"); } catch (e) { return; }
  const names = rows.map((c) => c.name);
  if (names.join("\n") === state.campaigns.join("\n")) return;
  state.campaigns = names;
  const pick = $("obl-campaign"), keep = pick.value, scope = $("obl-dnc-scope"), keepScope = scope.value;
  pick.replaceChildren(...names.map((n) => el("option", { value: n }, n)));
  if (names.includes(keep)) pick.value = keep;
  scope.replaceChildren(el("option", { value: "", "data-i18n": "obl_dnc_global" }, t("obl_dnc_global")),
    ...names.map((n) => el("option", { value: n }, t("obl_dnc_of", { name: n }))));
  if (names.includes(keepScope)) scope.value = keepScope;
  for (const b of ["obl-build", "obl-upload"]) $(b).disabled = !names.length;
  drawDncLink();
  await onCampaign();
}

async function onCampaign() {
  state.summary = null;
  if (campaign()) {
    try { state.summary = await api("GET", `/api/outbound/campaigns/${enc(campaign())}/lists`); } catch (e) { /* toasted */ }
  }
  drawSummary();
}

function drawSummary() {
  const box = $("obl-summary");
  if (!state.campaigns.length) { box.replaceChildren(el("span", { class: "muted" }, t("obl_no_campaigns"))); return; }
  const s = state.summary;
  box.replaceChildren(...(s ? SUMMARY.map((k) => el("span", { class: "kpi", "data-summary": k },
    el("b", {}, s[k]), t("obl_sum_" + k))) : []));
}

function drawDncLink() {
  const scope = $("obl-dnc-scope").value;
  $("obl-dnc-download").href = "/api/outbound/dnc.csv" + (scope ? `?campaign=${enc(scope)}` : "");
}

const present = (...nodes) => nodes.filter((n) => n !== null);

function table(cols, rows, attrs) {
  return el("table", attrs,
    el("thead", {}, el("tr", {}, ...cols.map((c) => el("th", {}, t(c))))),
    el("tbody", {}, ...rows.map((r) => el("tr", {}, ...r.map((v) => el("td", {}, v))))));
}

// A builder's answer: added of found, and every number left out with its reason.
function drawBuilt() {
  const box = $("obl-build-result"), r = state.built;
  if (!r) { box.replaceChildren(); return; }
  box.replaceChildren(...present(
    el("p", { "data-result": "built" }, t("obl_built", { added: r.added, found: r.found, skipped: r.skipped.length })),
    r.skipped.length ? table(["obl_number", "obl_reason"], r.skipped.map((s) => [s.number, reasonLabel(s.reason)]),
      { id: "obl-skipped" }) : null));
}

// A file's answer: rows read, added, and the refused rows (line, column, reason), or why the
// file as a whole was refused.
function drawReport(box, r, id) {
  if (!r) { box.replaceChildren(); return; }
  if (r.error) { box.replaceChildren(el("p", { class: "alarm", "data-result": "refused" }, r.error)); return; }
  box.replaceChildren(...present(
    el("p", { "data-result": "imported" }, t("obl_imported", { imported: r.imported, rows: r.rows, rejected: r.rejected,
                                                              encoding: r.encoding })),
    r.errors.length ? table(["obl_row", "obl_column", "obl_reason"], r.errors.map((e) => [e.row, e.column, e.reason]),
      { id }) : null));
}

async function build(ev) {
  ev.preventDefault();
  const source = $("obl-source").value;
  const body = source === "tickets" ? { resolved_days: Number($("obl-days").value) || null }
    : { from_day: $("obl-from").value, to_day: $("obl-to").value || null };
  if (source === "survey") body.size = Number($("obl-size").value);
  state.built = await api("POST", `/api/outbound/campaigns/${enc(campaign())}/lists/${source}`, body);
  toast(t("obl_built", { added: state.built.added, found: state.built.found, skipped: state.built.skipped.length }));
  drawBuilt();
  await onCampaign();
}

// POST a chosen file; the report, or the refusal of the whole file, goes to the result box.
async function send(path, input) {
  const file = input.files[0];
  if (!file) return null;
  try {
    const r = await api("POST", path, file);
    toast(t("obl_imported", { imported: r.imported, rows: r.rows, rejected: r.rejected, encoding: r.encoding }));
    return r;
  } catch (e) {
    return { error: e.message };
  } finally {
    input.value = "";
  }
}

async function upload(ev) {
  ev.preventDefault();
  state.uploaded = await send(`/api/outbound/campaigns/${enc(campaign())}/lists/csv`, $("obl-file"));
  drawReport($("obl-upload-result"), state.uploaded, "obl-row-errors");
  await onCampaign();
}

async function uploadDnc(ev) {
  ev.preventDefault();
  const scope = $("obl-dnc-scope").value;
  state.dnc = await send("/api/outbound/dnc" + (scope ? `?campaign=${enc(scope)}` : ""), $("obl-dnc-file"));
  drawReport($("obl-dnc-result"), state.dnc, "obl-dnc-errors");
  await onCampaign();
}

export async function setup(container, me) {
  state.root = container;
  container.style.cssText = "display:grid; gap:16px";
  container.replaceChildren(...layout());
  showFields();
  await loadCampaigns();
  if (!state.campaigns.length) { drawSummary(); for (const b of ["obl-build", "obl-upload"]) $(b).disabled = true; }
  document.addEventListener("campaigns-changed", loadCampaigns);  // created in the campaigns section
}

// The language switched: static labels follow their data-i18n keys (applyI18n); redraw what
// is worded here. Reasons from the server keep the language they were asked in.
export function redraw() {
  if (!state.root) return;
  $("obl-dnc-scope").querySelectorAll("option[value]:not([value=''])").forEach((o) => {
    o.textContent = t("obl_dnc_of", { name: o.value });
  });
  drawSummary();
  drawBuilt();
  drawReport($("obl-upload-result"), state.uploaded, "obl-row-errors");
  drawReport($("obl-dnc-result"), state.dnc, "obl-dnc-errors");
}
