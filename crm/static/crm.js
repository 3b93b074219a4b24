// CRM pages: tiny helpers shared by customer.html, tickets.html and ticket.html.
// Everything user-supplied is inserted with textContent (never innerHTML).
(() => {
"use strict";

const API = new URL("..", location.href).pathname.replace(/\/$/, "");  // "/crm"

const TEXT = {
  zh: {
    tickets: "工单列表", ticket: "工单详情", customer: "客户资料", search: "查询", number: "工单号",
    phone: "电话", status: "状态", assignee: "处理人", title: "标题", type: "类型", priority: "优先级",
    created: "创建时间", due: "办结时限", prev: "上一页", next: "下一页", total: "共 {n} 条",
    name: "姓名", email: "邮箱", address: "地址", segment: "客户等级", vip: "VIP", tags: "标签",
    blacklisted: "黑名单", notes: "备注", region: "归属地", open_tickets: "未结工单",
    interactions: "最近通话", unknown: "未知来电", audit: "处理记录", actor: "操作人", at: "时间",
    action: "操作", from_to: "变更", department: "部门", satisfaction: "满意度 (1-5)",
    resolution: "处理结果", note: "备注", escalation: "督办级别", overdue: "已超时", yes: "是", no: "否",
    error: "出错了", signin: "请先登录", lang: "English", all: "全部", agent: "坐席", queue: "队列", disposition: "结果",
    s_new: "新建", s_accepted: "已受理", s_assigned: "已交办", s_in_progress: "跟进中",
    s_resolved: "已办结", s_callback: "已回访", s_closed: "已关闭",
    a_accept: "受理", a_assign: "交办", a_start: "开始跟进", a_resolve: "办结", a_callback: "回访",
    a_close: "关闭", a_reopen: "重新打开",
    t_complaint: "投诉", t_inquiry: "咨询", t_request: "求助", t_after_sales: "售后",
    p_low: "低", p_normal: "普通", p_high: "高", p_urgent: "紧急",
  },
  en: {
    tickets: "Tickets", ticket: "Ticket", customer: "Customer", search: "Search", number: "Number",
    phone: "Phone", status: "Status", assignee: "Assignee", title: "Title", type: "Type", priority: "Priority",
    created: "Created", due: "Resolution due", prev: "Previous", next: "Next", total: "{n} in all",
    name: "Name", email: "Email", address: "Address", segment: "Segment", vip: "VIP", tags: "Tags",
    blacklisted: "Blacklisted", notes: "Notes", region: "Region", open_tickets: "Open tickets",
    interactions: "Recent calls", unknown: "Unknown caller", audit: "History", actor: "By", at: "When",
    action: "Action", from_to: "Change", department: "Department", satisfaction: "Satisfaction (1-5)",
    resolution: "Resolution", note: "Note", escalation: "Escalation level", overdue: "Overdue", yes: "yes", no: "no",
    error: "Error", signin: "Please sign in first", lang: "中文", all: "All", agent: "Agent", queue: "Queue", disposition: "Outcome",
    s_new: "New", s_accepted: "Accepted", s_assigned: "Assigned", s_in_progress: "In progress",
    s_resolved: "Resolved", s_callback: "Called back", s_closed: "Closed",
    a_accept: "Accept", a_assign: "Assign", a_start: "Start", a_resolve: "Resolve", a_callback: "Call back",
    a_close: "Close", a_reopen: "Reopen",
    t_complaint: "Complaint", t_inquiry: "Inquiry", t_request: "Request", t_after_sales: "After-sales",
    p_low: "Low", p_normal: "Normal", p_high: "High", p_urgent: "Urgent",
  },
};

const params = new URLSearchParams(location.search);
let LANG = params.get("lang") || localStorage.getItem("crm.lang") ||
  (navigator.language || "zh").slice(0, 2);
if (!TEXT[LANG]) LANG = "zh";
if (params.get("lang")) localStorage.setItem("crm.lang", LANG);  // links keep the language

function t(key, vars) {
  let s = TEXT[LANG][key] ?? TEXT.en[key] ?? key;
  for (const [k, v] of Object.entries(vars || {})) s = s.replace(`{${k}}`, v);
  return s;
}

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "on") for (const [ev, fn] of Object.entries(v)) node.addEventListener(ev, fn);
    else if (v !== null && v !== undefined && v !== false) node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

function when(ts) {
  if (!ts) return "";
  return new Date(ts * 1000).toLocaleString(LANG === "zh" ? "zh-CN" : "en-GB", { hour12: false });
}

async function api(path, options) {
  const opts = Object.assign({ credentials: "same-origin", headers: {} }, options || {});
  if (opts.json !== undefined) {
    opts.body = JSON.stringify(opts.json);
    opts.headers["Content-Type"] = "application/json";
    delete opts.json;
  }
  const r = await fetch(API + path, opts);
  const body = r.headers.get("content-type")?.includes("json") ? await r.json() : await r.text();
  if (!r.ok) {
    const d = body && body.detail;
    let msg = r.status === 401 ? t("signin") : `${r.status}`;
    if (d && typeof d === "object" && !Array.isArray(d)) msg = LANG === "zh" ? d.message_zh : d.message;
    else if (Array.isArray(d)) msg = d.map((e) => `${(e.loc || []).slice(-1)[0]}: ${e.msg}`).join("; ");
    throw new Error(msg);
  }
  return body;
}

function showError(err) {
  const box = document.getElementById("error");
  box.textContent = `${t("error")}: ${err.message}`;
  box.hidden = false;
}

function clearError() {
  document.getElementById("error").hidden = true;
}

function header(titleKey) {
  document.documentElement.lang = LANG === "zh" ? "zh-CN" : "en";
  document.title = t(titleKey);
  const other = LANG === "zh" ? "en" : "zh";
  const nav = el("nav", {},
    el("a", { href: "tickets" }, t("tickets")), " ",
    el("a", { href: "#", id: "lang", on: { click: (e) => {
      e.preventDefault();
      localStorage.setItem("crm.lang", other);
      const p = new URLSearchParams(location.search);
      p.set("lang", other);
      location.search = p.toString();
    } } }, t("lang")));
  document.body.prepend(nav, el("h1", {}, t(titleKey)), el("p", { id: "error", class: "error", hidden: true }));
}

function table(columns, rows) {
  return el("table", {},
    el("thead", {}, el("tr", {}, columns.map((c) => el("th", {}, t(c))))),
    el("tbody", {}, rows.map((r) => el("tr", {}, r.map((cell) => el("td", {}, cell))))));
}

function ticketRow(tk) {
  const overdue = ["new", "accepted", "assigned", "in_progress"].includes(tk.status) &&
    tk.resolution_due * 1000 < Date.now();
  return [
    el("a", { href: `ticket?id=${encodeURIComponent(tk.id)}` }, tk.number),
    t(`t_${tk.type}`), t(`p_${tk.priority}`), tk.title, t(`s_${tk.status}`), tk.assignee || "",
    el("span", { class: overdue ? "overdue" : "" }, when(tk.resolution_due), overdue ? ` (${t("overdue")})` : ""),
  ];
}

window.crm = { t, el, api, when, header, table, ticketRow, showError, clearError, params, LANG: () => LANG };
})();
