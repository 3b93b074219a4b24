// The admin page: users, teams (the hierarchy), queues, agents with their skills and
// proficiencies, reason and disposition codes, business hours and holidays, and the voice
// menus (edit, check with the lines `hotline ivr check` gives, preview the graph, publish;
// a text with problems is refused and the menus in force stay).
import { STRINGS } from "./i18n.js";
import { api, applyI18n, el, lang, setupLangSwitch, setupNav, signOut, t, toast } from "./common.js";

export const ADMIN_STRINGS = {
  en: {
    adm_title: "Administration", adm_users: "Users", adm_teams: "Teams", adm_queues: "Queues",
    adm_agents: "Agents and skills", adm_codes: "Reason and disposition codes",
    adm_hours: "Business hours and holidays", adm_ivr: "Voice menus (IVR)", adm_role: "Role",
    adm_agent_id: "Agent id", adm_extension: "Extension", adm_active: "Active", adm_add_user: "Add user",
    adm_save: "Save", adm_new: "New", adm_saved: "Saved", adm_password_reset: "New password",
    adm_password_prompt: "New password for {u} (at least 8 characters)", adm_team: "Team",
    adm_new_team: "(new team)", adm_none: "(none)", adm_parent: "Parent team", adm_level: "Level",
    adm_leader: "Leader", adm_members: "Members", adm_add_member: "Add member…", adm_skills: "Skills",
    adm_min_prof: "Min. proficiency", adm_policy: "Policy", adm_wrap_up_s: "Wrap-up (s)",
    adm_ring_timeout_s: "Ring timeout (s)", adm_max_wait_s: "Max. wait (s)", adm_max_waiting: "Max. callers waiting",
    adm_announce_s: "Announce every (s)", adm_label_en: "Name (English)", adm_label_zh: "Name (Chinese)",
    adm_edit: "Edit", adm_queue_note: "Relaxation steps and exits are kept as they are; the ACD takes a saved queue at once.",
    pol_highest_proficiency: "Highest proficiency", pol_longest_idle: "Longest idle", pol_least_calls: "Fewest calls",
    pol_round_robin: "Round robin", adm_endpoint: "Phone", adm_proficiencies: "Skills (proficiency 1–10)",
    adm_languages: "Languages", adm_skill_list: "Skills", adm_agents_with: "Agents", adm_queues_asking: "Queues",
    adm_undeclared: "used, no name yet", adm_reasons: "Not-ready reasons", adm_dispositions: "Dispositions",
    adm_code: "Code", adm_add: "Add", adm_deleted: "Deleted", adm_confirm_delete: "Delete {c}?",
    adm_bad_skills: "Write skills as name:level, e.g. sales:8, vip:5 (levels 1 to 10).",
    adm_hours_note: "Hours and holiday calendars live in the menu file: add or remove a holiday here, edit the rest in the menu editor; every change is checked before it takes effect.",
    adm_weekly: "Weekly", adm_special: "Special days", adm_calendar: "Calendar", adm_open_now: "Open now",
    adm_closed_now: "Closed now", adm_next_days: "Next 7 days", adm_closed: "closed", adm_holidays: "Holidays",
    adm_workdays: "Make-up working days", adm_edit_in_menu: "Edit in the menu file",
    adm_check: "Check", adm_publish: "Publish", adm_revert: "Discard edits",
    adm_ivr_status: "{n} nodes in force from {path}; languages {langs}; published or reloaded {r} times",
    adm_ivr_ok: "No problems: {n} nodes. Publish to put them in force.",
    adm_ivr_refused: "Not published: {n} problem(s). The menus in force stay as they were.",
    adm_ivr_published: "Published: the menus are in force for new calls.",
    adm_ivr_rejected_on_disk: "The file on disk was edited and refused ({n} problem(s)); the previous menus stay in force.",
    adm_line: "line {n}", adm_warning: "warning", adm_holiday_name: "Name of the day",
  },
  zh: {
    adm_title: "系统管理", adm_users: "用户", adm_teams: "班组", adm_queues: "队列",
    adm_agents: "坐席与技能", adm_codes: "未就绪原因与处理结果",
    adm_hours: "营业时间与节假日", adm_ivr: "语音菜单（IVR）", adm_role: "角色",
    adm_agent_id: "工号", adm_extension: "分机", adm_active: "启用", adm_add_user: "添加用户",
    adm_save: "保存", adm_new: "新建", adm_saved: "已保存", adm_password_reset: "重置密码",
    adm_password_prompt: "{u} 的新密码（至少 8 个字符）", adm_team: "班组",
    adm_new_team: "（新建班组）", adm_none: "（无）", adm_parent: "上级班组", adm_level: "层级",
    adm_leader: "负责人", adm_members: "成员", adm_add_member: "添加成员…", adm_skills: "技能",
    adm_min_prof: "最低熟练度", adm_policy: "分配策略", adm_wrap_up_s: "话后处理（秒）",
    adm_ring_timeout_s: "振铃超时（秒）", adm_max_wait_s: "最长等待（秒）", adm_max_waiting: "最多排队人数",
    adm_announce_s: "播报间隔（秒）", adm_label_en: "英文名称", adm_label_zh: "中文名称",
    adm_edit: "编辑", adm_queue_note: "放宽规则和出口保持不变；保存后 ACD 立即生效。",
    pol_highest_proficiency: "熟练度最高", pol_longest_idle: "空闲最久", pol_least_calls: "接听最少",
    pol_round_robin: "轮询", adm_endpoint: "话机", adm_proficiencies: "技能（熟练度 1–10）",
    adm_languages: "语言", adm_skill_list: "技能", adm_agents_with: "坐席数", adm_queues_asking: "队列数",
    adm_undeclared: "已使用，尚未命名", adm_reasons: "未就绪原因", adm_dispositions: "处理结果",
    adm_code: "代码", adm_add: "添加", adm_deleted: "已删除", adm_confirm_delete: "删除 {c}？",
    adm_bad_skills: "技能请写成 名称:等级，例如 sales:8, vip:5（等级 1 到 10）。",
    adm_hours_note: "营业时间和节假日日历在菜单文件中：可在此添加或删除节假日，其余请在菜单编辑器中修改；每次修改生效前都会先校验。",
    adm_weekly: "每周", adm_special: "特殊日期", adm_calendar: "日历", adm_open_now: "当前营业",
    adm_closed_now: "当前休息", adm_next_days: "未来 7 天", adm_closed: "休息", adm_holidays: "节假日",
    adm_workdays: "调休上班日", adm_edit_in_menu: "在菜单文件中编辑",
    adm_check: "校验", adm_publish: "发布", adm_revert: "放弃修改",
    adm_ivr_status: "生效中：{n} 个节点，来自 {path}；语言 {langs}；已发布或重载 {r} 次",
    adm_ivr_ok: "没有问题：{n} 个节点。发布后生效。",
    adm_ivr_refused: "未发布：{n} 个问题。生效中的菜单保持不变。",
    adm_ivr_published: "已发布：新来电使用新菜单。",
    adm_ivr_rejected_on_disk: "磁盘上的文件被修改且未通过校验（{n} 个问题）；之前的菜单仍在生效。",
    adm_line: "第 {n} 行", adm_warning: "警告", adm_holiday_name: "节日名称",
  },
};
for (const l of ["en", "zh"]) Object.assign(STRINGS[l], ADMIN_STRINGS[l]);

const $ = (id) => document.getElementById(id);
const ROLES = ["agent", "team_lead", "supervisor", "qa", "admin"];
const LEVELS = ["manager", "supervisor", "team_lead", "group_lead"];
const ACD = "/api/admin/acd";
const data = { users: [], teams: [], queues: [], agents: [], skills: [], codes: {}, menu: null, hours: null };
let tab = location.hash.slice(1) || "users";
let chart = null;
let lastCheck = null;  // {problems, warnings} of the last check or refused publish

const label = (x) => (lang === "zh" ? x.label_zh || x.label_en : x.label_en || x.label_zh) || x.name || x.code;
const opt = (value, text, selected) => el("option", { value, selected: selected ? "" : null }, text);
const userName = (id) => { const u = data.users.find((x) => x.id === id); return u ? (u.display_name || u.username) : "–"; };
const numOrNull = (v) => (v === "" || v === null ? null : Number(v));

function showTab(name) {
  tab = name;
  history.replaceState(null, "", `#${name}`);
  document.querySelectorAll("[data-panel]").forEach((p) => p.classList.toggle("hidden", p.dataset.panel !== name));
  document.querySelectorAll("#tabs button").forEach((b) => b.setAttribute("aria-selected", String(b.dataset.tab === name)));
  if (name === "ivr") { drawGraph(shownGraph); if (chart) chart.resize(); }
}

// --- users -------------------------------------------------------------------------
function drawUsers() {
  $("u-role").replaceChildren(...ROLES.map((r) => opt(r, t("role_" + r), r === "agent")));
  $("users").replaceChildren(...data.users.map((u) => {
    const role = el("select", {}, ...ROLES.map((r) => opt(r, t("role_" + r), r === u.role)));
    const agent = el("input", { value: u.agent_id || "", maxlength: 64 });
    const ext = el("input", { value: u.extension || "", maxlength: 128 });
    const active = el("input", { type: "checkbox", checked: u.active ? "" : null });
    const save = async () => {
      const body = {};
      if (role.value !== u.role) body.role = role.value;
      if (active.checked !== u.active) body.active = active.checked;
      if ((agent.value.trim() || null) !== u.agent_id) body.agent_id = agent.value.trim() || null;
      if ((ext.value.trim() || null) !== u.extension) body.extension = ext.value.trim() || null;
      await api("PATCH", `/api/admin/users/${u.id}`, body);
      toast(t("adm_saved"));
      await loadUsers();
    };
    const reset = async () => {
      const pw = prompt(t("adm_password_prompt", { u: u.username }));
      if (!pw) return;
      await api("POST", `/api/admin/users/${u.id}/password`, { password: pw });
      toast(t("adm_saved"));
    };
    return el("tr", { "data-user": u.username }, el("td", {}, u.username), el("td", {}, u.display_name),
      el("td", {}, role), el("td", {}, agent), el("td", {}, ext), el("td", {}, active),
      el("td", {}, el("div", { class: "row" }, el("button", { class: "save", onclick: save }, t("adm_save")),
        el("button", { onclick: reset }, t("adm_password_reset")))));
  }));
}

async function loadUsers() { data.users = await api("GET", "/api/admin/users"); drawUsers(); drawTeams(); }

async function addUser(ev) {
  ev.preventDefault();
  const body = { username: $("u-username").value.trim(), password: $("u-password").value, role: $("u-role").value,
                 display_name: $("u-display").value.trim() };
  if ($("u-agent").value.trim()) body.agent_id = $("u-agent").value.trim();
  if ($("u-ext").value.trim()) body.extension = $("u-ext").value.trim();
  await api("POST", "/api/admin/users", body);
  $("user-form").reset();
  toast(t("adm_saved"));
  await loadUsers();
}

// --- teams: the hierarchy as a tree ------------------------------------------------
function drawTeams() {
  const children = (pid) => data.teams.filter((x) => x.parent_id === pid);
  const node = (team) => {
    const members = team.members.map((id) => el("span", { class: "member" }, userName(id),
      el("button", { title: "×", onclick: async () => {
        await api("DELETE", `/api/admin/teams/${team.id}/members/${id}`); await loadTeams(); } }, "×")));
    const add = el("select", { onchange: async (ev) => {
      if (!ev.target.value) return;
      await api("POST", `/api/admin/teams/${team.id}/members`, { user_id: Number(ev.target.value) });
      await loadTeams();
    } }, opt("", t("adm_add_member")), ...data.users.filter((u) => !team.members.includes(u.id))
      .map((u) => opt(u.id, u.display_name || u.username)));
    const kids = children(team.id);
    return el("li", { "data-team": team.name }, el("div", { class: "team" },
      el("b", {}, team.name), " · ", t("lvl_" + team.level), " · ", t("adm_leader"), ": ", userName(team.leader_id),
      el("div", { class: "row" }, ...members, add)), kids.length ? el("ul", { class: "tree" }, ...kids.map(node)) : null);
  };
  const roots = data.teams.filter((x) => x.parent_id === null || !data.teams.some((p) => p.id === x.parent_id));
  $("team-tree").replaceChildren(el("ul", { class: "tree" }, ...roots.map(node)));
  const sel = $("t-id").value;
  $("t-id").replaceChildren(opt("", t("adm_new_team")), ...data.teams.map((x) => opt(x.id, x.name, String(x.id) === sel)));
  fillTeamForm();
}

function fillTeamForm() {
  const team = data.teams.find((x) => String(x.id) === $("t-id").value);
  $("t-name").value = team ? team.name : "";
  $("t-parent").replaceChildren(opt("", t("adm_none")), ...data.teams.filter((x) => !team || x.id !== team.id)
    .map((x) => opt(x.id, x.name, team && x.id === team.parent_id)));
  $("t-level").replaceChildren(...LEVELS.map((l) => opt(l, t("lvl_" + l), team ? l === team.level : l === "team_lead")));
  $("t-leader").replaceChildren(opt("", t("adm_none")), ...data.users.map((u) =>
    opt(u.id, u.display_name || u.username, team && u.id === team.leader_id)));
}

async function loadTeams() { data.teams = await api("GET", "/api/admin/teams"); drawTeams(); }

async function saveTeam(ev) {
  ev.preventDefault();
  const body = { name: $("t-name").value.trim(), parent_id: numOrNull($("t-parent").value),
                 level: $("t-level").value, leader_id: numOrNull($("t-leader").value) };
  const id = $("t-id").value;
  const saved = id ? await api("PUT", `/api/admin/teams/${id}`, body) : await api("POST", "/api/admin/teams", body);
  toast(t("adm_saved"));
  await loadTeams();
  $("t-id").value = String(saved.id);
  fillTeamForm();
}

// --- queues ------------------------------------------------------------------------
const QUEUE_NUMBERS = ["min_proficiency", "wrap_up_s", "ring_timeout_s", "max_wait_s", "max_waiting", "announce_every_s"];

function drawQueues() {
  $("queues").replaceChildren(...data.queues.map((q) => el("tr", { "data-queue": q.name },
    el("td", {}, q.name), el("td", {}, label(q)), el("td", {}, q.skills.join(", ")), el("td", {}, q.min_proficiency),
    el("td", {}, t("pol_" + q.policy)), el("td", {}, q.wrap_up_s), el("td", {}, q.ring_timeout_s),
    el("td", {}, q.max_wait_s ?? "–"),
    el("td", {}, el("div", { class: "row" }, el("button", { class: "edit", onclick: () => editQueue(q) }, t("adm_edit")),
      el("button", { class: "bad", onclick: async () => {
        if (!confirm(t("adm_confirm_delete", { c: q.name }))) return;
        await api("DELETE", `${ACD}/queues/${encodeURIComponent(q.name)}`); toast(t("adm_deleted")); await loadQueues();
      } }, t("delete")))))));
}

function editQueue(q) {
  $("q-name").value = q ? q.name : "";
  $("q-name").readOnly = Boolean(q);
  $("q-label_en").value = q ? q.label_en : "";
  $("q-label_zh").value = q ? q.label_zh : "";
  $("q-skills").value = q ? q.skills.join(", ") : "";
  $("q-policy").value = q ? q.policy : "highest_proficiency";
  for (const k of QUEUE_NUMBERS) $(`q-${k}`).value = q && q[k] !== null && q[k] !== undefined ? q[k] : "";
  $("queue-form").dataset.editing = q ? q.name : "";
  $("q-name").focus();
}

async function saveQueue(ev) {
  ev.preventDefault();
  const name = $("q-name").value.trim();
  const before = data.queues.find((x) => x.name === name) || {};
  const body = { ...before, label_en: $("q-label_en").value.trim(), label_zh: $("q-label_zh").value.trim(),
                 skills: $("q-skills").value.split(/[,\s，]+/).filter(Boolean), policy: $("q-policy").value };
  delete body.name;
  for (const k of QUEUE_NUMBERS) {
    const v = numOrNull($(`q-${k}`).value);
    if (v === null && (k === "min_proficiency" || k === "wrap_up_s" || k === "ring_timeout_s")) delete body[k];
    else body[k] = v;
  }
  await api("PUT", `${ACD}/queues/${encodeURIComponent(name)}`, body);
  toast(t("adm_saved"));
  await loadQueues();
}

async function loadQueues() { data.queues = await api("GET", `${ACD}/queues`); drawQueues(); }

// --- agents: skills with proficiency ------------------------------------------------
function parseSkills(text) {
  const out = {};
  for (const part of text.split(/[,，;\s]+/).filter(Boolean)) {
    const m = part.match(/^([A-Za-z0-9_.-]+):(\d+)$/);
    if (!m || Number(m[2]) < 1 || Number(m[2]) > 10) throw new Error(t("adm_bad_skills"));
    out[m[1]] = Number(m[2]);
  }
  return out;
}

function agentRow(a) {
  const list = (text) => text.split(/[,，\s]+/).filter(Boolean);
  const isNew = a === null;
  a = a || { id: "", name: "", endpoint: "", skills: {}, languages: ["zh"], teams: [], queues: {}, active: true };
  const id = isNew ? el("input", { placeholder: "1009", maxlength: 64, class: "agent-id" }) : null;
  const name = el("input", { value: a.name, maxlength: 200 });
  const endpoint = el("input", { value: a.endpoint, placeholder: isNew ? "PJSIP/agent1009" : null });
  const skills = el("input", { value: Object.entries(a.skills).map(([s, l]) => `${s}:${l}`).join(", "),
                               placeholder: isNew ? "sales:8" : null });
  const langs = el("input", { value: a.languages.join(", ") });
  const teams = el("input", { value: a.teams.join(", ") });
  const queues = el("input", { value: Object.keys(a.queues).join(", ") });
  const active = el("input", { type: "checkbox", checked: a.active ? "" : null });
  const save = async () => {
    let parsed;
    try { parsed = parseSkills(skills.value); } catch (e) { toast(e.message, true); return; }
    const qs = {};
    for (const q of list(queues.value)) qs[q] = a.queues[q] || { weight: 1.0, priority: 0 };
    const agentId = isNew ? id.value.trim() : a.id;
    await api("PUT", `${ACD}/agents/${encodeURIComponent(agentId)}`, { name: name.value.trim(), endpoint: endpoint.value.trim(),
      skills: parsed, languages: list(langs.value), teams: list(teams.value), queues: qs, active: active.checked });
    toast(t("adm_saved"));
    await Promise.all([loadAgents(), loadSkills()]);
  };
  return el("tr", isNew ? { class: "new" } : { "data-agent": a.id }, el("td", {}, isNew ? id : a.id), el("td", {}, name),
    el("td", {}, endpoint), el("td", { class: "wide" }, skills), el("td", {}, langs), el("td", {}, teams),
    el("td", { class: "wide" }, queues), el("td", {}, active),
    el("td", {}, el("button", { class: isNew ? "primary" : "save", onclick: save }, t(isNew ? "adm_add" : "adm_save"))));
}

function drawAgents() {
  $("agents").replaceChildren(...data.agents.map(agentRow), agentRow(null));
}

function drawSkills() {
  $("skills").replaceChildren(...data.skills.map((s) => {
    const en = el("input", { value: s.declared ? s.label_en : "", placeholder: s.name, maxlength: 200 });
    const zh = el("input", { value: s.declared ? s.label_zh : "", placeholder: s.name, maxlength: 200 });
    const save = async () => {
      await api("PUT", `${ACD}/skills/${encodeURIComponent(s.name)}`, { label_en: en.value.trim() || s.name,
                                                                       label_zh: zh.value.trim() || s.name });
      toast(t("adm_saved")); await loadSkills();
    };
    return el("tr", { "data-skill": s.name }, el("td", {}, s.name, s.declared ? null : el("div", { class: "muted" }, t("adm_undeclared"))),
      el("td", {}, en), el("td", {}, zh), el("td", {}, s.agents), el("td", {}, s.queues),
      el("td", {}, el("button", { class: "save", onclick: save }, t("adm_save"))));
  }));
}

async function loadAgents() { data.agents = await api("GET", `${ACD}/agents`); drawAgents(); }
async function loadSkills() { data.skills = await api("GET", `${ACD}/skills`); drawSkills(); }

// --- reason and disposition codes ----------------------------------------------------
function drawCodes(kind) {
  const rows = (data.codes[kind] || []).map((c) => {
    const en = el("input", { value: c.label_en, maxlength: 200 }), zh = el("input", { value: c.label_zh, maxlength: 200 });
    return el("tr", { "data-code": c.code }, el("td", {}, c.code), el("td", {}, en), el("td", {}, zh),
      el("td", {}, el("div", { class: "row" },
        el("button", { class: "save", onclick: () => saveCode(kind, c.code, en.value, zh.value) }, t("adm_save")),
        el("button", { class: "bad", onclick: async () => {
          if (!confirm(t("adm_confirm_delete", { c: c.code }))) return;
          await api("DELETE", `${ACD}/${kind}/${encodeURIComponent(c.code)}`); toast(t("adm_deleted")); await loadCodes(kind);
        } }, t("delete")))));
  });
  const code = el("input", { placeholder: t("adm_code"), maxlength: 64 });
  const en = el("input", { placeholder: t("adm_label_en"), maxlength: 200 });
  const zh = el("input", { placeholder: t("adm_label_zh"), maxlength: 200 });
  rows.push(el("tr", { class: "new" }, el("td", {}, code), el("td", {}, en), el("td", {}, zh),
    el("td", {}, el("button", { class: "primary", onclick: () => saveCode(kind, code.value.trim(), en.value, zh.value) }, t("adm_add")))));
  $(kind).replaceChildren(...rows);
}

async function saveCode(kind, code, en, zh) {
  await api("PUT", `${ACD}/${kind}/${encodeURIComponent(code)}`, { label_en: en.trim(), label_zh: zh.trim() });
  toast(t("adm_saved"));
  await loadCodes(kind);
}

async function loadCodes(kind) { data.codes[kind] = await api("GET", `${ACD}/${kind}`); drawCodes(kind); }

// --- business hours and holidays (from the menu file) -------------------------------
function drawHours() {
  const h = data.hours;
  if (!h) return;
  const editAt = (line) => el("button", { onclick: () => { showTab("ivr"); selectLine(line); } }, t("adm_edit_in_menu"));
  $("hours").replaceChildren(...h.hours.map((x) => el("div", { class: "card", "data-hours": x.name },
    el("h3", {}, x.name, " ", el("span", { class: x.open_now ? "open" : "closed" }, t(x.open_now ? "adm_open_now" : "adm_closed_now"))),
    el("div", { class: "muted" }, `${x.timezone}${x.calendar ? ` · ${t("adm_calendar")}: ${x.calendar}` : ""}`),
    el("table", {}, el("tbody", {}, ...Object.entries(x.weekly).map(([d, r]) => el("tr", {}, el("th", {}, t("adm_weekly") + " " + d), el("td", {}, r.join(", ")))),
      ...Object.entries(x.special).map(([d, r]) => el("tr", {}, el("th", {}, t("adm_special") + " " + d), el("td", {}, r.join(", ") || t("adm_closed")))))),
    el("h3", {}, t("adm_next_days")),
    el("table", {}, el("tbody", {}, ...x.next_days.map((d) => el("tr", {}, el("td", {}, `${d.day} ${d.weekday}`),
      el("td", {}, d.ranges.join(", ") || t("adm_closed")), el("td", { class: "muted" }, d.holiday || ""))))),
    el("div", { class: "row" }, editAt(x.line)))));
  $("calendars").replaceChildren(...h.calendars.map((c) => {
    const from = el("input", { type: "date", class: "h-from" }), to = el("input", { type: "date", class: "h-to" });
    const name = el("input", { class: "h-name", maxlength: 100, placeholder: t("adm_holiday_name") });
    const add = async (ev) => {
      ev.preventDefault();
      const body = { from: from.value, name: name.value.trim() };
      if (to.value) body.to = to.value;
      data.hours = await api("POST", `/api/admin/ivr/calendars/${encodeURIComponent(c.name)}/holidays`, body);
      toast(t("adm_saved")); drawHours(); await loadMenu();
    };
    const remove = (i) => async () => {
      data.hours = await api("DELETE", `/api/admin/ivr/calendars/${encodeURIComponent(c.name)}/holidays/${i}`);
      toast(t("adm_deleted")); drawHours(); await loadMenu();
    };
    return el("div", { class: "card", "data-calendar": c.name },
      el("h3", {}, `${t("adm_calendar")} ${c.name}`),
      el("h3", {}, t("adm_holidays")),
      el("table", {}, el("tbody", {}, ...c.holidays.map((x, i) => el("tr", { "data-holiday": x.from },
        el("td", {}, x.from === x.to ? x.from : `${x.from} – ${x.to}`), el("td", {}, x.name),
        el("td", {}, el("button", { class: "bad", onclick: remove(i) }, t("delete"))))))),
      el("form", { class: "form add-holiday", onsubmit: add },
        el("label", {}, t("from_day"), from), el("label", {}, t("to_day"), to), el("label", {}, t("name"), name),
        el("button", { class: "primary", type: "submit" }, t("adm_add"))),
      el("div", {}, `${t("adm_workdays")}: ${c.workdays.join(", ") || t("none")}`),
      el("div", { class: "row" }, editAt(c.line)));
  }));
}

async function loadHours() { data.hours = await api("GET", "/api/admin/ivr/hours"); drawHours(); }

// --- voice menus ----------------------------------------------------------------------
function numberLines() {
  const n = $("ivr-text").value.split("\n").length;
  $("ivr-lines").textContent = Array.from({ length: n }, (_, i) => i + 1).join("\n");
  $("ivr-lines").scrollTop = $("ivr-text").scrollTop;
}

function selectLine(line) {
  const ta = $("ivr-text"), lines = ta.value.split("\n");
  if (!line || line > lines.length) return;
  const start = lines.slice(0, line - 1).reduce((s, l) => s + l.length + 1, 0);
  ta.focus();
  ta.setSelectionRange(start, start + lines[line - 1].length);
  ta.scrollTop = Math.max(0, (line - 5) * parseFloat(getComputedStyle(ta).lineHeight));
  numberLines();
}

function drawProblems() {
  const c = lastCheck || { problems: [], warnings: [] };
  const item = (p, cls) => el("li", { "data-line": p.line, class: cls, onclick: () => selectLine(p.line) },
    `${t("adm_line", { n: p.line })}: ${p.reason}`);
  $("ivr-problems").replaceChildren(...c.problems.map((p) => item(p, "problem")));
  $("ivr-warnings").replaceChildren(...c.warnings.map((p) => el("li", { "data-line": p.line, onclick: () => selectLine(p.line) },
    `${t("adm_warning")} · ${t("adm_line", { n: p.line })}: ${p.reason}`)));
}

function drawStatus(note, ok, outcome = "") {
  const m = data.menu;
  const parts = [el("span", {}, t("adm_ivr_status", { n: m.nodes, path: m.path, langs: m.languages.join(", "), r: m.reloads }))];
  if (m.rejected.length) parts.push(el("div", { class: "bad-line" }, t("adm_ivr_rejected_on_disk", { n: m.rejected.length })));
  if (note) parts.push(el("div", { class: ok ? "ok-line" : "bad-line", id: "ivr-note", "data-outcome": outcome }, note));
  $("ivr-status").replaceChildren(...parts);
}

let shownGraph = null;

function drawGraph(graph) {
  shownGraph = graph;
  // a chart cannot lay out in a hidden panel (no size): drawn when the tab is shown
  if (!graph || typeof echarts === "undefined" || tab !== "ivr") return;
  // layers by distance from the entries, so the preview reads top to bottom like the call
  const depth = new Map(), order = [];
  const queue = Object.values(graph.entries).map((n) => [n, 0]);
  while (queue.length) {
    const [n, d] = queue.shift();
    if (depth.has(n)) continue;
    depth.set(n, d); order.push(n);
    for (const e of graph.edges) if (e.source === n) queue.push([e.target, d + 1]);
  }
  let maxDepth = Math.max(0, ...depth.values());
  for (const n of graph.nodes) if (!depth.has(n.id)) { depth.set(n.id, maxDepth + 1); order.push(n.id); }
  maxDepth = Math.max(0, ...depth.values());
  const perLayer = new Map();
  const pos = new Map();
  for (const id of order) {
    const d = depth.get(id), i = perLayer.get(d) || 0;
    perLayer.set(d, i + 1); pos.set(id, [i * 130, d * 70]);
  }
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const colors = { menu: "#1f6feb", queue: "#1a7f37", condition: "#8250df", hangup: "#cf222e", play: "#67727e" };
  chart = chart || echarts.init($("ivr-graph"));
  chart.setOption({
    tooltip: { formatter: (p) => p.dataType === "edge" ? p.data.via : `${p.data.name} (${p.data.type})${p.data.detail ? " · " + p.data.detail : ""} · ${t("adm_line", { n: p.data.line })}` },
    series: [{ type: "graph", layout: "none", roam: true, label: { show: true, fontSize: 11 }, edgeSymbol: ["none", "arrow"],
      edgeSymbolSize: 7, symbolSize: 14, lineStyle: { opacity: 0.5, curveness: 0.15 },
      data: order.map((id) => { const n = byId.get(id) || { type: "queue", line: 0, detail: "" };
        return { name: id, type: n.type, line: n.line, detail: n.detail, x: pos.get(id)[0], y: pos.get(id)[1],
                 itemStyle: { color: colors[n.type] || "#b26b00" } }; }),
      links: graph.edges.map((e) => ({ source: e.source, target: e.target, via: e.via })) }],
  }, true);
  chart.off("click");
  chart.on("click", (p) => { if (p.dataType === "node" && p.data.line) selectLine(p.data.line); });
}

async function loadMenu(keepText = false) {
  data.menu = await api("GET", "/api/admin/ivr/menu");
  if (!keepText) $("ivr-text").value = data.menu.text;
  lastCheck = data.menu.rejected.length ? { problems: data.menu.rejected, warnings: [] } : { problems: [], warnings: data.menu.warnings };
  numberLines(); drawProblems(); drawStatus(); drawGraph(data.menu.graph);
}

// A text with problems is refused (422) by both check and publish, with the lines and
// reasons of `hotline ivr check`: shown in the list, not as a toast; the menus in force stay.
function showRefusal(e) {
  if (e.status !== 422 || !Array.isArray(e.detail)) { toast(e.message, true); return; }
  lastCheck = { problems: e.detail.map((d) => ({ line: d.line || 0, reason: d.msg })), warnings: [] };
  drawProblems();
  drawStatus(t("adm_ivr_refused", { n: lastCheck.problems.length }), false, "refused");
  if (lastCheck.problems.length) selectLine(lastCheck.problems[0].line);
}

async function checkMenu() {
  let r;
  try { r = await api("POST", "/api/admin/ivr/check", { text: $("ivr-text").value }, { toast: false }); }
  catch (e) { showRefusal(e); return; }
  lastCheck = { problems: [], warnings: r.warnings };
  drawProblems(); drawStatus(t("adm_ivr_ok", { n: r.graph.nodes.length }), true, "checked"); drawGraph(r.graph);
}

async function publishMenu() {
  try { data.menu = await api("PUT", "/api/admin/ivr/menu", { text: $("ivr-text").value }, { toast: false }); }
  catch (e) { showRefusal(e); return; }
  lastCheck = { problems: [], warnings: data.menu.warnings };
  drawProblems(); drawStatus(t("adm_ivr_published"), true, "published"); drawGraph(data.menu.graph);
  await loadHours();
}

// --- page ----------------------------------------------------------------------------
let me = null;

function redraw() {
  applyI18n();
  if (me) $("who").textContent = `${me.display_name || me.username} · ${t("role_" + me.role)}`;
  drawUsers(); drawTeams(); drawQueues(); drawAgents(); drawSkills();
  drawCodes("reason-codes"); drawCodes("disposition-codes"); drawHours(); drawProblems();
  if (data.menu) { drawStatus(); drawGraph(data.menu.graph); }
}

async function main() {
  applyI18n();
  setupLangSwitch(redraw);
  setupNav();
  $("sign-out").addEventListener("click", signOut);
  document.querySelectorAll("#tabs button").forEach((b) => b.addEventListener("click", () => showTab(b.dataset.tab)));
  $("user-form").addEventListener("submit", addUser);
  $("team-form").addEventListener("submit", saveTeam);
  $("t-id").addEventListener("change", fillTeamForm);
  $("queue-form").addEventListener("submit", saveQueue);
  $("q-new").addEventListener("click", () => editQueue(null));
  $("ivr-text").addEventListener("input", numberLines);
  $("ivr-text").addEventListener("scroll", () => { $("ivr-lines").scrollTop = $("ivr-text").scrollTop; });
  $("ivr-check").addEventListener("click", checkMenu);
  $("ivr-publish").addEventListener("click", publishMenu);
  $("ivr-revert").addEventListener("click", () => loadMenu(false));
  window.addEventListener("resize", () => chart && chart.resize());
  showTab(tab);
  me = await api("GET", "/api/auth/me");
  $("who").textContent = `${me.display_name || me.username} · ${t("role_" + me.role)}`;
  await Promise.all([loadUsers().then(loadTeams), loadQueues(), loadAgents(), loadSkills(),
                     loadCodes("reason-codes"), loadCodes("disposition-codes"), loadHours(), loadMenu()]);
  document.body.dataset.ready = "1";
}

main();
