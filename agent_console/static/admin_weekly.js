// The admin page's weekly business-hours form (admin.js draws it inside each hours card).
import { api, el, t, toast } from "./common.js";

const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const weekly = {};  // hours name -> { drafts: {day: [range text]}, errors: [{day, index, msg}], outcome }

// The weekly form: per weekday its opening ranges (several a day, none: closed). The server
// checks them (bad times, overlaps) and answers each problem with its day and place.
export function weeklyForm(x, { redraw, saved }) {
  const w = weekly[x.name] || (weekly[x.name] = { drafts: null, errors: [], outcome: "" });
  if (!w.drafts) w.drafts = Object.fromEntries(DAYS.map((d) => [d, [...(x.days[d] || [])]]));
  const row = (day) => {
    const errs = w.errors.filter((e) => e.day === day);
    const ranges = w.drafts[day].map((r, i) => el("span", { class: "range", "data-index": i },
      el("input", { value: r, class: errs.some((e) => e.index === i) ? "bad" : "", placeholder: t("adm_range_placeholder"),
                    size: 12, "aria-label": `${t("adm_day_" + day)} ${i + 1}`,
                    oninput: (ev) => { w.drafts[day][i] = ev.target.value; } }),
      el("button", { type: "button", class: "rm", title: t("adm_remove_range"),
                     onclick: () => { w.drafts[day].splice(i, 1); w.errors = []; redraw(); } }, "×")));
    return el("tr", { "data-day": day }, el("th", {}, t("adm_day_" + day)),
      el("td", { class: "ranges" }, ...(ranges.length ? ranges : [el("span", { class: "muted" }, t("adm_closed"))])),
      el("td", {}, el("button", { type: "button", class: "add-range",
                                  onclick: () => { w.drafts[day].push(""); redraw(); } }, t("adm_add_range"))),
      el("td", { class: "err bad-line" }, errs.map((e) => e.msg).join(" ")));
  };
  const save = async (ev) => {
    ev.preventDefault();
    const body = Object.fromEntries(DAYS.map((d) => [d, w.drafts[d].map((r) => r.trim()).filter(Boolean)]));
    let page;
    try {
      page = await api("PUT", `/api/admin/ivr/hours/${encodeURIComponent(x.name)}/weekly`, { weekly: body }, { toast: false });
    } catch (e) {
      w.errors = e.status === 422 && Array.isArray(e.detail) ? e.detail.map((d) => ({ day: d.day, index: d.index, msg: d.msg })) : [];
      w.outcome = "refused";
      if (!w.errors.length) toast(e.message, true);
      redraw();
      return;
    }
    w.drafts = null; w.errors = []; w.outcome = "saved";
    toast(t("adm_hours_saved")); await saved(page);
  };
  const status = w.outcome === "refused" ? el("span", { class: "bad-line", "data-outcome": "refused" }, t("adm_hours_refused", { n: w.errors.length }))
    : w.outcome === "saved" ? el("span", { class: "ok-line", "data-outcome": "saved" }, t("adm_hours_saved")) : null;
  return el("form", { class: "weekly", "data-weekly": x.name, onsubmit: save },
    el("h3", {}, t("adm_weekly_form")),
    el("table", {}, el("tbody", {}, ...DAYS.map(row))),
    el("div", { class: "row" }, el("button", { class: "primary", type: "submit" }, t("adm_save_hours")), status));
}

