// The agent's QA page: the scored evaluations of my calls, each item's answer and the
// evaluator's comments at their times, and my acknowledgement or dispute (a dispute needs a
// reason and goes to my team lead).
import { api, applyI18n, el, fmtDuration, lang, setupLangSwitch, setupNav, signOut, t, toast } from "./common.js";

const $ = (id) => document.getElementById(id);
const state = { list: [], ev: null };
const me = await api("GET", "/api/auth/me");
const when = (ts) => (ts ? new Date(ts * 1000).toLocaleString(lang === "zh" ? "zh-CN" : "en-GB") : "–");
const answerText = (v) => ({ yes: t("qa_yes"), no: t("qa_no"), na: t("qa_na") }[v] ?? v ?? "–");

async function load() {
  state.list = await api("GET", "/api/qa/evaluations?mine=1");
  drawList();
}

function drawList() {
  $("list").replaceChildren(...state.list.map((e) => el("tr", { "data-id": e.id, class: state.ev && state.ev.id === e.id ? "sel" : "",
    onclick: () => open(e.id) }, el("td", {}, e.id), el("td", {}, when(e.scored_at)), el("td", {}, `${e.form_key} v${e.form_version}`),
    el("td", { class: "num" }, e.score === null ? "–" : e.score.toFixed(1)), el("td", { "data-status": e.status }, t(`qa_st_${e.status}`)))));
  $("none").classList.toggle("hidden", state.list.length > 0);
}

async function open(id) {
  state.ev = await api("GET", `/api/qa/evaluations/${id}`);
  drawList();
  drawDetail();
}

function drawDetail() {
  const ev = state.ev;
  if (!ev) return;
  $("detail").classList.remove("hidden");
  $("d-id").textContent = `#${ev.id}`;
  $("d-score").textContent = t("qa_score", { s: ev.score.toFixed(1) }) +
    (ev.fatal_failed ? ` · ${t("qa_zeroed", { raw: ev.raw_score.toFixed(1) })}` : "");
  $("d-items").replaceChildren(...ev.form.sections.flatMap((s) => [el("h3", {}, s.title), ...s.items.map((i) =>
    el("div", { class: "item", "data-item": i.id }, el("span", { class: "text" }, i.text),
      i.fatal ? el("span", { class: "fatal" }, t("qa_fatal")) : null, el("b", {}, answerText(ev.answers[i.id]))))]));
  $("d-comments").replaceChildren(...ev.comments.map((c) => el("li", {},
    `${c.at_s === null ? "–" : fmtDuration(c.at_s)} ${c.author}: ${c.text}`)));
  $("d-responses").replaceChildren(...ev.responses.map((r) => el("li", {},
    `${t(`qa_st_${r.kind === "dispute" ? "disputed" : "acknowledged"}`)} ${when(r.at)}${r.text ? ` – ${r.text}` : ""}` +
    (r.resolution ? ` · ${t("qa_resolved_by", { who: r.resolved_by })}: ${r.resolution}` : ""))));
  $("respond").classList.toggle("hidden", ev.status !== "scored");
}

async function respond(kind) {
  const text = $("why").value.trim();
  if (kind === "dispute" && !text) { toast(t("qa_dispute_needs_reason")); return; }
  await api("POST", `/api/qa/evaluations/${state.ev.id}/response`, { kind, text: text || null });
  $("why").value = "";
  toast(t(kind === "dispute" ? "qa_disputed_toast" : "qa_acked_toast"));
  await load();
  await open(state.ev.id);
}

function draw() {
  applyI18n();
  $("who").textContent = `${me.display_name} · ${t("role_" + me.role)}`;
  drawList();
  drawDetail();
}

$("ack").addEventListener("click", () => respond("acknowledge"));
$("dispute").addEventListener("click", () => respond("dispute"));
$("sign-out").addEventListener("click", signOut);
setupLangSwitch(draw);
await setupNav();
await load();
draw();
document.body.dataset.ready = "1";
