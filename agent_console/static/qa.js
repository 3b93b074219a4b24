// The QA page: find recordings, play them (HTTP Range: the player seeks), the call's
// timeline, score a form item by item with comments at the playback time, the fatal and
// non-fatal item rates, and the disputes a team lead resolves.
import { STRINGS } from "./i18n.js";
import { api, applyI18n, el, fmtDuration, lang, setupLangSwitch, setupNav, signOut, t, toast } from "./common.js";

// This page's strings, merged into the shared dictionaries (same keys in both languages).
export const QA_STRINGS = {
  en: {
    qa_title: "Quality assurance", qa_search: "Find recordings", qa_min_s: "Min. s", qa_max_s: "Max. s",
    qa_flag: "Flag", qa_f_dead_air: "Dead air", qa_f_overtalk: "Overtalk", qa_f_missing: "File missing",
    qa_f_truncated: "File truncated", qa_f_held: "Legal hold", qa_find: "Search", qa_started: "Started",
    qa_duration: "Duration", qa_status: "Status", qa_flags: "Flags", qa_no_results: "No recordings match.",
    qa_player: "Recording", qa_offset: "At", qa_event: "Event", qa_download: "Download",
    qa_scorecard: "Scorecard", qa_form: "Form", qa_start: "Start evaluation",
    qa_comment_ph: "What you heard at this moment", qa_comment_at: "Comment at current time",
    qa_submit: "Submit evaluation", qa_score: "Score {s}", qa_fatal: "fatal", qa_yes: "Yes", qa_no: "No",
    qa_na: "n.a.", qa_unanswered: "–", qa_eval_of: "Evaluation {id} · form {key} v{v} (in force at the call)",
    qa_submitted: "Evaluation submitted", qa_zeroed: "a fatal item was missed: the score is 0 (before: {raw})",
    qa_rates: "Fatal and non-fatal item rates", qa_team: "Team", qa_centre: "Whole centre", qa_group: "Group",
    qa_evaluations: "Evaluations", qa_avg: "Average score", qa_fatal_rate: "Fatal item rate",
    qa_nonfatal_rate: "Non-fatal item rate", qa_fatal_eval_rate: "Evaluations with a fatal failure",
    qa_formula_fatal_item_rate: "Fatal item rate = fatal items failed ÷ fatal items evaluated (n.a. excluded)",
    qa_formula_non_fatal_item_rate: "Non-fatal item rate = non-fatal items failed ÷ non-fatal items evaluated (n.a. excluded)",
    qa_formula_fatal_evaluation_rate: "Per evaluation = evaluations with at least one fatal item failed ÷ evaluations",
    qa_disputes: "Disputes", qa_no_disputes: "No open disputes.", qa_resolve: "Resolve",
    qa_resolution_ph: "Outcome, for the agent", qa_no_form: "No scorecard form is published yet.",
    ev_CHAN_START: "Caller's channel", ev_ANSWER: "Answered", ev_CONNECT: "Connected to agent",
    ev_BRIDGE: "Bridged", ev_UNBRIDGE: "Unbridged", ev_HOLD: "On hold", ev_UNHOLD: "Off hold",
    ev_TRANSFER: "Transfer", ev_BLINDTRANSFER: "Blind transfer", ev_ATTENDEDTRANSFER: "Attended transfer",
    ev_RECORDING: "Recording started", ev_COMPLETECALLER: "Caller hung up", ev_COMPLETEAGENT: "Agent hung up",
    ev_HANGUP: "Hang-up", ev_CALL_END: "Call ended",
  },
  zh: {
    qa_title: "质检", qa_search: "查找录音", qa_min_s: "最短（秒）", qa_max_s: "最长（秒）",
    qa_flag: "标记", qa_f_dead_air: "静默", qa_f_overtalk: "抢话", qa_f_missing: "文件缺失",
    qa_f_truncated: "文件不完整", qa_f_held: "法律保全", qa_find: "查询", qa_started: "开始时间",
    qa_duration: "时长", qa_status: "状态", qa_flags: "标记", qa_no_results: "没有符合条件的录音。",
    qa_player: "录音", qa_offset: "时间点", qa_event: "事件", qa_download: "下载",
    qa_scorecard: "评分表", qa_form: "表单", qa_start: "开始评估",
    qa_comment_ph: "此刻听到的问题", qa_comment_at: "在当前时间点批注",
    qa_submit: "提交评估", qa_score: "得分 {s}", qa_fatal: "致命项", qa_yes: "是", qa_no: "否",
    qa_na: "不适用", qa_unanswered: "–", qa_eval_of: "评估 {id} · 表单 {key} 第 {v} 版（通话时生效）",
    qa_submitted: "评估已提交", qa_zeroed: "有致命项未达标：得分为 0（原得分 {raw}）",
    qa_rates: "致命差错率与非致命差错率", qa_team: "班组", qa_centre: "全中心", qa_group: "分组",
    qa_evaluations: "评估数", qa_avg: "平均得分", qa_fatal_rate: "致命差错率",
    qa_nonfatal_rate: "非致命差错率", qa_fatal_eval_rate: "含致命差错的评估占比",
    qa_formula_fatal_item_rate: "致命差错率 = 未达标的致命项数 ÷ 已评估的致命项数（不适用项不计）",
    qa_formula_non_fatal_item_rate: "非致命差错率 = 未达标的非致命项数 ÷ 已评估的非致命项数（不适用项不计）",
    qa_formula_fatal_evaluation_rate: "按评估计 = 至少一个致命项未达标的评估数 ÷ 评估数",
    qa_disputes: "申诉", qa_no_disputes: "没有待处理的申诉。", qa_resolve: "处理",
    qa_resolution_ph: "处理结果（坐席可见）", qa_no_form: "尚未发布评分表。",
    ev_CHAN_START: "来电通道建立", ev_ANSWER: "应答", ev_CONNECT: "接通坐席",
    ev_BRIDGE: "桥接", ev_UNBRIDGE: "解除桥接", ev_HOLD: "保持", ev_UNHOLD: "恢复通话",
    ev_TRANSFER: "转接", ev_BLINDTRANSFER: "盲转", ev_ATTENDEDTRANSFER: "咨询转接",
    ev_RECORDING: "开始录音", ev_COMPLETECALLER: "客户挂机", ev_COMPLETEAGENT: "坐席挂机",
    ev_HANGUP: "挂机", ev_CALL_END: "通话结束",
  },
};
for (const l of ["en", "zh"]) Object.assign(STRINGS[l], QA_STRINGS[l]);

const $ = (id) => document.getElementById(id);
const player = $("player");
// draft: the answers picked but not yet submitted (kept across redraws, e.g. after a comment)
const state = { rec: null, timeline: null, forms: [], evaluation: null, draft: {}, rates: null, disputes: [] };
const me = await api("GET", "/api/auth/me");
const pct = (x) => (x === null || x === undefined ? "–" : `${(100 * x).toFixed(2)} %`);
const when = (ts) => new Date(ts * 1000).toLocaleString(lang === "zh" ? "zh-CN" : "en-GB");
const dayStart = (v) => (v ? Date.parse(`${v}T00:00:00`) / 1000 : null);

async function search(ev) {
  if (ev) ev.preventDefault();
  const q = new URLSearchParams();
  const from = dayStart($("s-from").value), to = dayStart($("s-to").value);
  if (from !== null) q.set("from", from);
  if (to !== null) q.set("to", to + 86400);
  for (const [id, key] of [["s-agent", "agent"], ["s-queue", "queue"], ["s-caller", "caller"],
    ["s-min", "min_duration"], ["s-max", "max_duration"], ["s-flag", "flag"]]) {
    if ($(id).value.trim()) q.set(key, $(id).value.trim());
  }
  const rows = await api("GET", `/api/recordings?${q}`);
  $("results").replaceChildren(...rows.map((r) => el("tr", { "data-id": r.id, onclick: () => openRecording(r) },
    el("td", {}, r.id), el("td", {}, when(r.started_at)), el("td", {}, r.agent || "–"), el("td", {}, r.queue || "–"),
    el("td", {}, r.caller || "–"), el("td", { class: "num" }, fmtDuration(r.duration_s)), el("td", {}, r.status),
    el("td", {}, [...r.flags, ...(r.legal_hold ? ["held"] : [])].join(", ")))));
  $("no-results").classList.toggle("hidden", rows.length > 0);
}

async function openRecording(r) {
  state.rec = r;
  state.evaluation = null;
  state.draft = {};
  document.querySelectorAll("#results tr").forEach((tr) => tr.classList.toggle("sel", tr.dataset.id === String(r.id)));
  $("player-card").classList.remove("hidden");
  $("score-card").classList.remove("hidden");
  $("rec-id").textContent = `#${r.id}`;
  player.src = `/api/recordings/${r.id}/audio`;
  const canDownload = ["qa", "supervisor", "admin"].includes(me.role);
  $("download").classList.toggle("hidden", !canDownload);
  $("download").href = `/api/recordings/${r.id}/audio?download=1`;
  state.timeline = await api("GET", `/api/recordings/${r.id}/timeline`);
  drawTimeline();
  drawEvaluation();
}

function seek(offset) {
  player.currentTime = Math.max(0, offset);
}

function drawTimeline() {
  const tl = state.timeline;
  if (!tl) return;
  $("timeline").replaceChildren(...tl.events.map((e) => el("tr", { "data-kind": e.kind, onclick: () => seek(e.offset_s) },
    el("td", {}, e.offset_s < 0 ? `-${fmtDuration(-e.offset_s)}` : fmtDuration(e.offset_s)),
    el("td", {}, t(`ev_${e.kind}`)), el("td", {}, e.agent || ""))));
  const total = tl.duration_s || player.duration || Math.max(1, ...tl.events.map((e) => e.offset_s));
  const marks = tl.events.filter((e) => e.offset_s >= 0 && e.offset_s <= total).map((e) =>
    el("div", { class: `mark k-${e.kind}`, title: `${t(`ev_${e.kind}`)} ${fmtDuration(e.offset_s)}`,
                style: `left:${(100 * e.offset_s) / total}%`, onclick: () => seek(e.offset_s) }));
  $("bar").replaceChildren(...marks, $("head") || el("div", { class: "head", id: "head" }));
  $("bar").onclick = (ev) => {
    if (ev.target !== $("bar")) return;
    const box = $("bar").getBoundingClientRect();
    seek(((ev.clientX - box.left) / box.width) * total);
  };
}

player.addEventListener("timeupdate", () => {
  const total = (state.timeline && state.timeline.duration_s) || player.duration;
  if (total && $("head")) $("head").style.left = `${(100 * player.currentTime) / total}%`;
});

function drawForms() {
  const keys = [...new Set(state.forms.map((f) => f.key))];
  $("form-key").replaceChildren(...keys.map((k) => el("option", { value: k }, k)));
  $("start-eval").disabled = keys.length === 0;
  $("eval-info").textContent = keys.length ? "" : t("qa_no_form");
}

function answerControl(item, value) {
  const opts = item.kind === "scale"
    ? [...Array(item.max + 1).keys()].map((n) => [String(n), String(n)])
    : [["yes", t("qa_yes")], ["no", t("qa_no")]];
  const sel = el("select", { "data-item": item.id },
    el("option", { value: "" }, t("qa_unanswered")), ...opts.map(([v, label]) => el("option", { value: v }, label)),
    el("option", { value: "na" }, t("qa_na")));
  sel.value = value ?? state.draft[item.id] ?? "";
  sel.addEventListener("change", () => { state.draft[item.id] = sel.value; });
  return sel;
}

function drawEvaluation() {
  const ev = state.evaluation;
  const scored = ev && ev.status !== "assigned";
  $("items").replaceChildren();
  $("comments").replaceChildren();
  $("comment-row").classList.toggle("hidden", !ev);
  $("submit-eval").classList.toggle("hidden", !ev || scored);
  $("score").textContent = "";
  if (!ev) { $("eval-info").textContent = state.forms.length ? "" : t("qa_no_form"); return; }
  $("eval-info").textContent = t("qa_eval_of", { id: ev.id, key: ev.form_key, v: ev.form_version });
  if (ev.script_note) $("items").append(el("p", { class: "muted", id: "no-engine" }, t("qa_no_engine", { lang: ev.form.language })));
  for (const section of ev.form.sections) {
    $("items").append(el("h3", {}, section.title));
    for (const item of section.items) {
      const auto = ev.prefill[item.id];
      // the automatic script check pre-selects its verdict; the evaluator may change it
      const ctl = answerControl(item, ev.answers[item.id] ?? state.draft[item.id] ?? (auto && auto.answer) ?? undefined);
      ctl.disabled = scored;
      $("items").append(el("div", { class: "item", "data-item-row": item.id }, el("span", { class: "text" }, item.text),
        item.fatal ? el("span", { class: "fatal" }, t("qa_fatal")) : null,
        item.weight !== 1 ? el("span", { class: "muted" }, `×${item.weight}`) : null, ctl,
        auto && auto.answer ? autoEvidence(auto) : null));
    }
  }
  $("comments").replaceChildren(...ev.comments.map((c) => el("li", {},
    el("a", { href: "#", onclick: (e) => { e.preventDefault(); if (c.at_s !== null) seek(c.at_s); } },
      c.at_s === null ? "–" : fmtDuration(c.at_s)), ` ${c.author}: ${c.text}`)));
  if (scored) {
    $("score").textContent = t("qa_score", { s: ev.score.toFixed(1) }) +
      (ev.fatal_failed ? ` · ${t("qa_zeroed", { raw: ev.raw_score.toFixed(1) })}` : "");
    $("score").dataset.score = String(ev.score);
  }
}

function autoEvidence(auto) {
  const at = (h) => el("a", { href: "#", onclick: (e) => { e.preventDefault(); seek(h.at_s); } }, fmtDuration(h.at_s));
  const parts = [
    ...auto.found.map((h) => el("span", {}, t("qa_auto_found", { p: h.phrase, at: "" }), at(h))),
    ...auto.missing.map((p) => el("span", {}, t("qa_auto_missing", { p }))),
    ...auto.forbidden.map((h) => el("span", { class: "fatal" }, t("qa_auto_forbidden", { p: h.phrase, at: "" }), at(h))),
  ];
  return el("span", { class: "muted auto", "data-auto": auto.answer, title: auto.note || "" },
    `${t("qa_auto", { engine: auto.engine })}: `, ...parts.flatMap((p, i) => (i ? ["; ", p] : [p])));
}

async function reloadEvaluation() {
  state.evaluation = await api("GET", `/api/qa/evaluations/${state.evaluation.id}`);
  drawEvaluation();
}

$("start-eval").addEventListener("click", async () => {
  const created = await api("POST", "/api/qa/evaluations", { recording_id: state.rec.id, form_key: $("form-key").value });
  state.evaluation = created;
  state.draft = {};
  await reloadEvaluation();
});

$("comment-add").addEventListener("click", async () => {
  const text = $("comment-text").value.trim();
  if (!text) return;
  await api("POST", `/api/qa/evaluations/${state.evaluation.id}/comments`,
    { text, at_s: Math.round(player.currentTime * 10) / 10 });
  $("comment-text").value = "";
  await reloadEvaluation();
});

$("submit-eval").addEventListener("click", async () => {
  const answers = {};
  document.querySelectorAll("#items select[data-item]").forEach((s) => {
    if (s.value !== "") answers[s.dataset.item] = /^\d+$/.test(s.value) ? Number(s.value) : s.value;
  });
  await api("POST", `/api/qa/evaluations/${state.evaluation.id}/submit`, { answers });
  toast(t("qa_submitted"));
  await reloadEvaluation();
  await Promise.all([loadRates(), loadQueue()]);
});

async function loadRates() {
  const q = `by=${$("r-by").value}&period=${$("r-period").value}`;
  $("r-csv").href = `/api/qa/rates.csv?${q}`;
  [state.rates, state.pareto] = await Promise.all([api("GET", `/api/qa/rates?${q}`), api("GET", "/api/qa/pareto")]);
  drawRates();
}

function drawRates() {
  const r = state.rates;
  if (!r) return;
  $("rates").replaceChildren(...r.rows.map((x) => el("tr", { "data-group": x.group },
    el("td", {}, x.group === "centre" ? t("qa_centre") : x.group), el("td", {}, x.period === "all" ? t("all") : x.period),
    el("td", { class: "num" }, x.evaluations),
    el("td", { class: "num" }, x.average_score === null ? "–" : x.average_score.toFixed(1)),
    el("td", { class: "num", title: `${x.fatal_failed} / ${x.fatal_evaluated}` }, pct(x.fatal_item_rate)),
    el("td", { class: "num", title: `${x.non_fatal_failed} / ${x.non_fatal_evaluated}` }, pct(x.non_fatal_item_rate)),
    el("td", { class: "num" }, pct(x.fatal_evaluation_rate)))));
  $("pareto").replaceChildren(...(state.pareto || []).filter((x) => x.failed > 0).map((x) => el("tr", { "data-item": x.item_id },
    el("td", {}, x.text, x.fatal ? el("span", { class: "fatal" }, ` ${t("qa_fatal")}`) : null),
    el("td", { class: "num" }, x.failed), el("td", { class: "num" }, x.evaluated),
    el("td", { class: "num" }, pct(x.failure_rate)), el("td", { class: "num" }, pct(x.cumulative_share)))));
  $("formulas").replaceChildren(...Object.keys(r.formulas).map((k) => el("li", { "data-formula": k }, t(`qa_formula_${k}`))));
}

async function loadQueue() {
  state.queue = await api("GET", "/api/qa/evaluations?mine=1&status=assigned");
  drawQueue();
}

function drawQueue() {
  const rows = state.queue || [];
  const now = Date.now() / 1000;
  $("queue").replaceChildren(...[...rows].sort((a, b) => (a.due_at ?? Infinity) - (b.due_at ?? Infinity)).map((e) =>
    el("tr", { "data-id": e.id, class: e.due_at !== null && e.due_at < now ? "late" : "", onclick: () => openAssigned(e) },
      el("td", {}, `#${e.id}`), el("td", {}, e.agent || "–"), el("td", {}, e.rule), el("td", {}, e.due_at ? when(e.due_at) : "–"))));
  $("no-queue").classList.toggle("hidden", rows.length > 0);
}

async function openAssigned(e) {
  await openRecording(await api("GET", `/api/recordings/${e.recording_id}`));
  state.evaluation = { id: e.id };
  await reloadEvaluation();
}

async function loadDisputes() {
  state.disputes = await api("GET", "/api/qa/disputes");
  drawDisputes();
}

function drawDisputes() {
  $("disputes").replaceChildren(...state.disputes.map((d) => {
    const input = el("input", { size: "30", placeholder: t("qa_resolution_ph") });
    return el("tr", { "data-id": d.id }, el("td", {}, `#${d.id}`), el("td", {}, d.agent || "–"),
      el("td", {}, d.score === null ? "–" : d.score.toFixed(1)), el("td", {}, input),
      el("td", {}, el("button", { onclick: async () => {
        if (!input.value.trim()) return;
        await api("POST", `/api/qa/evaluations/${d.id}/resolve`, { resolution: input.value.trim() });
        await loadDisputes();
      } }, t("qa_resolve"))));
  }));
  $("no-disputes").classList.toggle("hidden", state.disputes.length > 0);
}

function draw() {
  applyI18n();
  $("who").textContent = `${me.display_name} · ${t("role_" + me.role)}`;
  drawTimeline();
  drawEvaluation();
  drawRates();
  drawDisputes();
  drawQueue();
}

$("search").addEventListener("submit", search);
$("r-go").addEventListener("click", loadRates);
$("sign-out").addEventListener("click", signOut);
setupLangSwitch(draw);
await setupNav();
state.forms = await api("GET", "/api/qa/forms");
drawForms();
draw();
await Promise.all([search(), loadRates(), loadDisputes(), loadQueue()]);
document.body.dataset.ready = "1";
