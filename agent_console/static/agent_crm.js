// The agent's CRM panel: search, the customer card (edit, add a number), the caller's
// history (interactions, tickets), a ticket created from the call and worked through
// 受理 → 交办 → 跟进 → 回访. Everything goes through the /crm API; user text via textContent.
import { api, el, lang, t, toast } from "/static/common.js";

const $ = (id) => document.getElementById(id);
// The ticket workflow (crm/workflow.py TRANSITIONS): status -> the actions allowed now.
const ACTIONS = {
  new: ["accept"], accepted: ["assign"], assigned: ["assign", "start"], in_progress: ["assign", "resolve"],
  resolved: ["callback", "reopen"], callback: ["close", "reopen"], closed: ["reopen"],
};
const LEAD_ONLY = new Set(["assign", "close", "reopen"]);  // crm/policy.py: team lead and up
const PARAM = { assign: ["assignee", "assignee_hint"], resolve: ["resolution", "resolution_hint"],
                callback: ["satisfaction", "satisfaction_hint"] };

const crm = { me: null, customer: null, call: null, onTicket: null, interactions: [], tickets: [] };

const when = (ts) => new Date(ts * 1000).toLocaleString(lang === "zh" ? "zh-CN" : "en");
const region = (p) => (lang === "zh" ? p.region_zh : p.region_en) || p.country || "";

export function setupCrm({ me, onTicket }) {
  crm.me = me; crm.onTicket = onTicket;
  $("crm-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const q = $("crm-q").value.trim();
    if (!q) return;
    const byPhone = /^[+\d][\d\s()-]*$/.test(q);
    const page = await api("GET", `/crm/customers?${byPhone ? "phone" : "name"}=${encodeURIComponent(q)}&page_size=10`);
    $("crm-results").replaceChildren(...(page.items.length ? page.items.map((c) =>
      el("li", {}, el("a", { href: "#", "data-customer": c.id, onclick: (e) => { e.preventDefault(); openCustomer(c.id); } },
        c.name), ` · ${c.phones.map((p) => p.e164).join(", ")}`)) : [el("li", { class: "muted" }, t("no_results"))]));
  });
}

export function setMe(me) { crm.me = me; }

// The call the agent is on (the pop), so a ticket and a number can be tied to it.
// The card depends on the call only through the caller's number (the "add the caller's
// number" button): re-render it when that number changes, not on every state message,
// which would rebuild the forms and wipe what the agent is typing.
const callerOf = (pop) => (pop && (pop.number || pop.caller_num)) || null;
export function setCall(pop) {
  const before = callerOf(crm.call);
  crm.call = pop;
  if (crm.customer && callerOf(pop) !== before) renderCustomer();
}

export async function openCustomer(id) {
  const [c, interactions, tickets] = await Promise.all([
    api("GET", `/crm/customers/${id}`),
    api("GET", `/crm/customers/${id}/interactions?limit=20`),
    api("GET", `/crm/tickets?customer_id=${id}&page_size=50`),
  ]);
  crm.customer = c; crm.interactions = interactions; crm.tickets = tickets.items;
  renderCustomer();
  $("customer-view").scrollIntoView({ block: "nearest" });
}

export function rerenderCrm() { if (crm.customer) renderCustomer(); }

async function reloadHistory() { if (crm.customer) await openCustomer(crm.customer.id); }

function field(name, label, value, tag = "input") {
  const input = el(tag, { id: `cust-${name}`, name, maxlength: tag === "textarea" ? 4000 : 254 });
  input.value = value || "";
  return el("label", { class: "field" }, el("span", { class: "muted" }, label), input);
}

function renderCustomer() {
  const c = crm.customer, box = $("customer-view");
  const callerNumber = callerOf(crm.call);
  const digits = (s) => (s || "").replace(/\D/g, "").replace(/^86(?=1\d{10}$)/, "");
  const onCard = callerNumber && c.phones.some((p) => digits(p.e164) === digits(callerNumber));
  const form = el("form", { id: "cust-form", onsubmit: (ev) => { ev.preventDefault(); saveCustomer(); } },
    field("name", t("name"), c.name), field("email", t("email"), c.email), field("address", t("address"), c.address),
    field("notes", t("notes"), c.notes, "textarea"),
    el("div", { class: "row" }, el("button", { class: "primary", type: "submit", id: "btn-cust-save" }, t("save"))));
  const addPhone = el("input", { id: "cust-new-phone", size: 16, placeholder: t("number"), maxlength: 64 });
  box.replaceChildren(
    el("h2", {}, `${t("customer")} #${c.id}`),
    el("div", { class: "name", id: "cust-title", "data-customer": c.id }, c.name),
    form,
    el("h3", {}, t("phones")),
    el("ul", { id: "cust-phones" }, ...c.phones.map((p) => el("li", {}, p.e164, region(p) ? ` (${region(p)})` : ""))),
    el("div", { class: "row" }, addPhone,
      el("button", { id: "btn-cust-add-phone", onclick: () => addNumber(addPhone.value.trim()) }, t("add_number")),
      callerNumber && !onCard ? el("button", { id: "btn-cust-merge-caller", onclick: () => addNumber(callerNumber) },
        t("add_caller_number", { n: callerNumber })) : null),
    el("h3", {}, t("history")),
    el("ul", { id: "cust-interactions" }, ...(crm.interactions.length ? crm.interactions.map((i) =>
      el("li", { "data-interaction": i.id }, `${when(i.started_at)} · ${i.agent || ""} · ${i.disposition || ""}${i.notes ? " · " + i.notes : ""}`))
      : [el("li", { class: "muted" }, t("interactions_none"))])),
    el("h3", {}, t("tickets")),
    el("ul", { id: "cust-tickets" }, ...crm.tickets.map(ticketRow)),
    ticketForm(),
  );
  box.classList.remove("hidden");
}

async function saveCustomer() {
  const c = crm.customer, body = {};
  for (const f of ["name", "email", "address", "notes"]) {
    const v = $(`cust-${f}`).value.trim();
    if (v !== (c[f] || "")) body[f] = v || (f === "name" ? undefined : null);
  }
  if (!Object.keys(body).length) return;
  crm.customer = await api("PATCH", `/crm/customers/${c.id}`, body);
  toast(t("saved"));
  renderCustomer();
}

async function addNumber(number) {
  if (!number) return;
  const c = crm.customer;
  crm.customer = await api("PATCH", `/crm/customers/${c.id}`, { phones: [...c.phones.map((p) => p.e164), number] });
  toast(t("number_added"));
  renderCustomer();
}

function ticketForm() {
  const opts = (keys, prefix) => keys.map((k) => el("option", { value: k }, t(prefix + k)));
  return el("form", { id: "ticket-form", onsubmit: (ev) => { ev.preventDefault(); createTicket(ev.target); } },
    el("h3", {}, t("new_ticket")),
    el("div", { class: "row" },
      el("select", { name: "type", id: "ticket-type", "aria-label": t("ticket_type") },
        ...opts(["complaint", "inquiry", "request", "after_sales"], "tt_")),
      el("select", { name: "priority", id: "ticket-priority", "aria-label": t("priority") },
        ...opts(["normal", "low", "high", "urgent"], "pr_"))),
    el("input", { name: "title", id: "ticket-title", maxlength: 200, placeholder: t("ticket_title"), required: "" }),
    el("textarea", { name: "description", id: "ticket-description", maxlength: 8000, placeholder: t("description") }),
    el("div", { class: "row" }, el("button", { class: "primary", type: "submit", id: "btn-ticket-create" }, t("create_ticket"))));
}

async function createTicket(form) {
  const f = new FormData(form);
  const tk = await api("POST", "/crm/tickets", { type: f.get("type"), priority: f.get("priority"),
    title: f.get("title").trim(), description: f.get("description").trim() || null, customer_id: crm.customer.id });
  toast(t("ticket_created", { n: tk.number }));
  if (crm.onTicket) crm.onTicket(tk);  // the wrap-up links the call's interaction to it
  await reloadHistory();
}

function ticketRow(tk) {
  const lead = crm.me && crm.me.role !== "agent";
  const actions = (ACTIONS[tk.status] || []).filter((a) => lead || !LEAD_ONLY.has(a));
  const extra = el("span", { class: "row hidden" });
  const act = async (action, param) => {
    const body = param ? { [PARAM[action][0]]: action === "callback" ? Number(param) : param } : undefined;
    const done = await api("POST", `/crm/tickets/${tk.id}/${action}`, body);
    toast(t("ticket_moved", { n: done.number, s: t("tk_" + done.status) }));
    await reloadHistory();
  };
  const ask = (action) => {
    const input = el("input", { size: 14, placeholder: t(PARAM[action][1]), "data-param": action,
      type: action === "callback" ? "number" : "text", min: 1, max: 5 });
    if (action === "assign") input.value = crm.me ? crm.me.username : "";
    extra.replaceChildren(input, el("button", { "data-confirm": action, onclick: () => act(action, input.value.trim()) }, t("confirm")));
    extra.classList.remove("hidden");
    input.focus();
  };
  return el("li", { "data-ticket": tk.number, "data-status": tk.status },
    el("b", {}, tk.number), ` ${tk.title} · `, el("span", { class: "tk-status" }, t("tk_" + tk.status)), " ",
    ...actions.map((a) => el("button", { "data-action": a, onclick: () => (PARAM[a] ? ask(a) : act(a)) }, t("ta_" + a))),
    extra);
}
