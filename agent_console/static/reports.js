// The reports page: daily lost calls (呼损), KPIs with formulas, win-back. Charts are
// Apache ECharts (vendored, /static/vendor/echarts); every figure comes from /api/reports.
import { api, applyI18n, el, lang, setupLangSwitch, setupNav, signOut, t, toast } from "/static/common.js";

const $ = (id) => document.getElementById(id);
const pct = (v) => (v === null || v === undefined ? "—" : `${(v * 100).toFixed(1)}%`);
const num = (v, unit) => (v === null || v === undefined ? "—" : unit === "%" ? pct(v) : unit === "s" ? `${v.toFixed(1)} s` : String(v));
const charts = {};
let last = null;

function chart(id) {
  charts[id] ??= echarts.init($(id));
  return charts[id];
}

function table(id, head, rows) {
  $(id).replaceChildren(
    el("thead", {}, el("tr", {}, ...head.map((h) => el("th", { title: h.title || "" }, h.label)))),
    el("tbody", {}, ...rows.map((r) => el("tr", {}, ...r.map((c) => el("td", {}, c === null || c === undefined ? "—" : String(c)))))));
}

function params(extra = {}) {
  const q = new URLSearchParams({ from: $("from").value, to: $("to").value, period: $("period").value,
    by: $("by").value, sl: $("sl").value || "offered", threshold: $("threshold").value, lang, ...extra });
  return q.toString();
}

function drawLost(rep) {
  const tot = rep.totals;
  const arrow = (p) => el("span", { class: p > 0 ? "up" : p < 0 ? "down" : "" }, `${p > 0 ? "+" : ""}${p} ${t("points")}`);
  $("lost-totals").replaceChildren(
    el("span", { class: "figure-big", id: "lost-total" }, `${t("lost")} ${tot.lost} / ${t("calls")} ${tot.calls}`),
    el("span", { class: "figure-big" }, `${t("lost_rate")} ${pct(tot.lost_rate)}`),
    el("span", {}, `${t("dod")} `), arrow(rep.dod_points), el("span", {}, `  ${t("wow")} `), arrow(rep.wow_points),
    el("span", {}, `  ${t("peaks")}: ${rep.peaks.map((h) => `${String(h).padStart(2, "0")}h`).join(", ") || "—"}`));
  chart("lost-hour").setOption({
    tooltip: { trigger: "axis" }, legend: { data: [t("calls"), t("lost")] },
    xAxis: { type: "category", data: rep.by_hour.map((h) => `${String(h.hour).padStart(2, "0")}`) },
    yAxis: { type: "value" },
    series: [
      { name: t("calls"), type: "bar", data: rep.by_hour.map((h) => h.calls), itemStyle: { color: "#9db4d8" } },
      { name: t("lost"), type: "bar", data: rep.by_hour.map((h) => ({ value: h.lost, itemStyle: { color: h.peak ? "#d92d20" : "#f79009" } })) },
    ],
  }, true);
  chart("lost-fate").setOption({
    tooltip: { trigger: "item" },
    series: [{ type: "pie", radius: ["35%", "70%"], data: rep.by_fate.map((f) => ({ name: lang === "zh" ? f.zh : f.en, value: f.lost })) }],
  }, true);
  table("lost-region", [{ label: t("region") }, { label: t("lost") }, { label: t("share") }],
    rep.by_region.map((r) => [lang === "zh" ? r.zh : r.en, r.lost, pct(r.share)]));
  table("lost-cause", [{ label: t("cause") }, { label: t("lost") }],
    rep.by_cause.map((r) => [lang === "zh" ? r.zh : r.en, r.lost]));
  table("lost-queue", [{ label: t("queue") }, { label: t("lost") }, { label: t("share") }], rep.by_queue.map((r) => [r.queue, r.lost, pct(r.share)]));
  table("lost-node", [{ label: t("node") }, { label: t("lost") }], rep.by_node.map((r) => [r.node, r.lost]));
  const day = $("day").value;
  $("lost-xlsx").href = `/api/reports/export?report=lost&format=xlsx&from=${day}&lang=${lang}`;
  $("lost-csv").href = `/api/reports/export?report=lost&format=csv&sheet=calls&from=${day}&lang=${lang}`;
}

function drawKpi(res) {
  const f = res.formulas;
  const label = (x) => (lang === "zh" ? x.zh : x.en);
  const formula = (x) => (lang === "zh" ? x.formula_zh : x.formula_en);
  table("kpi-table", [{ label: t("period") }, { label: t("by") }, ...f.map((x) => ({ label: label(x), title: formula(x) }))],
    res.rows.map((r) => [r.period, r.key, ...f.map((x) => num(r[x.key], x.unit))]));
  table("kpi-formulas", [{ label: t("figure") }, { label: t("formula") }], f.map((x) => [label(x), formula(x)]));
  const periods = [...new Set(res.rows.map((r) => r.period))];
  const keys = [...new Set(res.rows.map((r) => r.key))];
  chart("kpi-chart").setOption({
    tooltip: { trigger: "axis" }, legend: { data: keys },
    xAxis: { type: "category", data: periods }, yAxis: { type: "value", max: 1, axisLabel: { formatter: (v) => `${v * 100}%` } },
    series: keys.map((k) => ({ name: k, type: "line", data: periods.map((p) => res.rows.find((r) => r.period === p && r.key === k)?.service_level ?? null) })),
    title: { text: `${t("service_level")}: ${formula(f[f.length - 1])}`, textStyle: { fontSize: 12 } },
  }, true);
  loadLeaderboard();
  $("kpi-xlsx").href = `/api/reports/export?report=kpi&format=xlsx&${params()}`;
  $("kpi-csv").href = `/api/reports/export?report=kpi&format=csv&sheet=kpi&${params()}`;
}

function drawWinback(res) {
  table("winback-days", [{ label: t("day") }, { label: t("lost_callers") }, { label: t("recovered") }, { label: t("recovery_rate") }, { label: t("median_delay") }],
    res.days.map((d) => [d.day, d.lost_callers, d.recovered, pct(d.rate), d.median_delay_s === null ? "—" : `${Math.round(d.median_delay_s / 60)} min`]));
  table("worklist", [{ label: t("number") }, { label: t("attempts") }, { label: "VIP" }, { label: t("queue") }, { label: t("assignee") }, { label: "" }],
    res.worklist.map((w) => [w.number, w.attempts, w.vip_level, w.queue, w.assignee, ""]));
  // one "call back" button per line: the ACD rings an agent of the queue, then the number
  $("worklist").querySelectorAll("tbody tr").forEach((tr, i) => {
    const w = res.worklist[i];
    tr.lastChild.replaceChildren(el("button", { "data-call": w.number, onclick: async () => {
      try {
        await api("POST", "/api/reports/winback/callback", { number: w.number, queue: w.queue || "support",
          last_call_id: w.last_call_id, customer_id: w.customer_id });
        toast(t("callback_queued", { n: w.number }));
      } catch (e) { toast(e.message, true); }
    } }, t("call_back")));
  });
  table("held", [{ label: t("number") }, { label: t("reason") }], res.held.map((h) => [h.number, h.reason]));
  $("winback-xlsx").href = `/api/reports/export?report=winback&format=xlsx&from=${$("from").value}&to=${$("to").value}&lang=${lang}`;
}

async function loadLeaderboard() {
  try {
    const lb = await api("GET", `/api/reports/leaderboard?from=${$("from").value}&to=${$("to").value}&level=${$("lb-level").value}&kpi=answered&sl=${$("sl").value || "offered"}&threshold=${$("threshold").value}`);
    table("leaderboard", [{ label: "#" }, { label: t("by") }, { label: t("answered") }, { label: "AHT" }, { label: t("service_level") }, { label: t("occupancy") }],
      lb.rows.map((r) => [r.rank, r.key, r.answered, num(r.aht, "s"), pct(r.service_level), pct(r.occupancy)]));
  } catch (e) { toast(e.message, true); }
}

async function loadStaffing() {
  const wi = $("what-if").value;
  const q = new URLSearchParams({ day: $("day").value, interval: "30", target_sl: $("target-sl").value,
    shrinkage: $("shrinkage").value, threshold: $("threshold").value });
  if (wi) q.set("what_if_agents", wi);
  try { drawStaffing(await api("GET", `/api/reports/staffing?${q}`)); } catch (e) { toast(e.message, true); }
}

function drawStaffing(p) {
  const rows = p.rows;
  $("staffing-note").textContent = t("staffing_note", { model: p.model === "erlang_a" ? "Erlang A" : "Erlang C",
    patience: p.patience === null ? "—" : `${Math.round(p.patience)} s`, days: p.days_used.join(", ") || "—",
    wape: p.backtest?.wape_same_weekday == null ? "—" : pct(p.backtest.wape_same_weekday) });
  const series = [
    { name: t("required"), type: "bar", data: rows.map((r) => r.required), itemStyle: { color: "#9db4d8" } },
    { name: t("logged_in"), type: "line", step: "middle", data: rows.map((r) => r.logged_in) },
    { name: t("forecast"), type: "line", yAxisIndex: 1, data: rows.map((r) => r.forecast), lineStyle: { type: "dashed" } },
  ];
  if (rows.some((r) => r.what_if_sl !== undefined)) {
    series.push({ name: t("what_if_sl"), type: "line", yAxisIndex: 2, data: rows.map((r) => r.what_if_sl ?? null) });
  }
  chart("staffing-chart").setOption({
    tooltip: { trigger: "axis" }, legend: { data: series.map((x) => x.name) },
    xAxis: { type: "category", data: rows.map((r) => r.slot) },
    yAxis: [{ type: "value", name: t("agents") }, { type: "value", name: t("calls") },
            { type: "value", max: 1, show: false }],
    series,
  }, true);
}

async function loadAlarms() {
  try {
    const [rules, hist] = await Promise.all([api("GET", "/api/reports/alarm-rules"),
      api("GET", `/api/reports/alarms?day=${$("day").value}`)]);
    const when = (ts) => (ts === null ? t("still_open") : new Date(ts * 1000).toLocaleTimeString());
    $("alarm-rules").replaceChildren(
      el("thead", {}, el("tr", {}, ...["rule_name", "queue", "metric", "threshold", ""].map((k) => el("th", {}, k ? t(k) : "")))),
      el("tbody", {}, ...rules.map((r) => el("tr", { "data-rule": r.id },
        el("td", {}, r.name), el("td", {}, r.queue), el("td", {}, lang === "zh" ? r.metric_zh : r.metric_en),
        el("td", {}, `${r.op} ${r.threshold}`),
        el("td", {}, el("button", { onclick: async () => { await api("DELETE", `/api/reports/alarm-rules/${r.id}`); loadAlarms(); } }, t("delete")))))));
    table("alarm-history", [{ label: t("rule_name") }, { label: t("queue") }, { label: t("metric") }, { label: t("value") }, { label: t("peak") }, { label: t("raised_at") }, { label: t("cleared_at") }],
      hist.map((h) => [h.rule, h.queue, t("metric_" + h.metric), h.value, h.peak, when(h.raised_at), when(h.cleared_at)]));
  } catch (e) { toast(e.message, true); }
}

function fillVariants(variants) {
  const sel = $("sl");
  const keep = sel.value || "offered";
  sel.replaceChildren(...variants.map((v) => el("option", { value: v.key }, lang === "zh" ? v.formula_zh : v.formula_en)));
  sel.value = keep;
}

async function load() {
  try {
    const [lostRep, kpiRes, wb] = await Promise.all([
      api("GET", `/api/reports/lost?day=${$("day").value}`),
      api("GET", `/api/reports/kpi?${params()}`),
      api("GET", `/api/reports/winback?from=${$("from").value}&to=${$("to").value}`),
    ]);
    last = { lostRep, kpiRes, wb };
    draw();
    await loadStaffing();
    await loadAlarms();
  } catch (e) { toast(e.message, true); }
}

function draw() {
  applyI18n();
  if (!last) return;
  fillVariants(last.kpiRes.variants);
  drawLost(last.lostRep); drawKpi(last.kpiRes); drawWinback(last.wb);
  document.body.dataset.ready = "1";
}

const me = await api("GET", "/api/auth/me");
$("who").textContent = `${me.display_name} · ${t("role_" + me.role)}`;
// today (its facts are refreshed every few minutes), and the week up to it
const localIso = (d) => new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 10);
const today = new Date();
$("day").value = localIso(today); $("to").value = localIso(today);
$("from").value = localIso(new Date(today.getTime() - 6 * 86400000));
$("load").addEventListener("click", load);
$("plan").addEventListener("click", loadStaffing);
$("lb-level").addEventListener("change", loadLeaderboard);
$("whatif-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  try {
    const r = await api("POST", "/api/reports/whatif", { calls_per_hour: Number($("wi-calls").value),
      aht: Number($("wi-aht").value), patience: Number($("wi-patience").value), groups: $("wi-groups").value,
      mix: $("wi-mix").value, threshold: Number($("threshold").value) });
    $("whatif-summary").textContent = t("whatif_result", { n: r.agents, sl: pct(r.service_level),
      asa: r.asa.toFixed(1), ab: pct(r.abandon_rate) });
    table("whatif-table", [{ label: t("type") }, { label: t("offered") }, { label: t("service_level") }, { label: t("abandon_rate") }],
      r.by_type.map((x) => [x.type, x.offered, pct(x.service_level), pct(x.abandon_rate)]));
  } catch (e) { toast(e.message, true); }
});
$("rule-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  try {
    await api("POST", "/api/reports/alarm-rules", { name: $("rule-name").value, queue: $("rule-queue").value || "*",
      metric: $("rule-metric").value, threshold: Number($("rule-threshold").value) });
    $("rule-name").value = ""; await loadAlarms();
  } catch (e) { toast(e.message, true); }
});
["period", "by", "sl", "threshold"].forEach((id) => $(id).addEventListener("change", load));
$("rebuild").addEventListener("click", async () => {
  try {
    const r = await api("POST", `/api/reports/rebuild?from=${$("from").value}&to=${$("to").value}`);
    toast(t("rebuilt", { n: r.calls })); await load();
  } catch (e) { toast(e.message, true); }
});
$("sign-out").addEventListener("click", signOut);
window.addEventListener("resize", () => Object.values(charts).forEach((c) => c.resize()));
setupLangSwitch(draw); setupNav();
applyI18n();
const qs = new URLSearchParams(location.search);
for (const k of ["day", "from", "to"]) if (qs.get(k)) $(k).value = qs.get(k);
await load();
