// One agent's QA trend as an ECharts line chart (vendored /static/vendor/echarts, loaded by
// the page): average score (0–100, left axis), fatal and non-fatal item rates (%, right
// axis) per day / week / month, from GET /api/qa/trend. Used by the QA page (team lead,
// QA) and the agent's own page.
import { api, t } from "./common.js";

const charts = new Map(); // box -> [chart, rows]
const pct = (x) => (x === null || x === undefined ? null : Math.round(10000 * x) / 100);

export async function loadTrend(box, agent, period) {
  const res = await api("GET", `/api/qa/trend?agent=${encodeURIComponent(agent)}&period=${period}`);
  box.dataset.rows = String(res.rows.length);
  drawTrend(box, res.rows);
  return res.rows;
}

// rows: the trend's RateOut rows, oldest first; a period with no fatal item evaluated has no
// fatal point (null: a gap, not a 0 %).
export function drawTrend(box, rows) {
  const chart = charts.has(box) ? charts.get(box)[0] : echarts.init(box);
  charts.set(box, [chart, rows]);
  chart.setOption({
    animation: false, // the points are the figures, not a show
    tooltip: { trigger: "axis" },
    legend: { data: [t("qa_trend_score"), t("qa_trend_fatal"), t("qa_trend_nonfatal")] },
    xAxis: { type: "category", data: rows.map((r) => r.period) },
    yAxis: [{ type: "value", min: 0, max: 100, name: t("qa_trend_score") },
            { type: "value", min: 0, max: 100, name: "%", axisLabel: { formatter: "{value} %" } }],
    series: [
      { id: "score", name: t("qa_trend_score"), type: "line", yAxisIndex: 0,
        data: rows.map((r) => (r.average_score === null ? null : Math.round(100 * r.average_score) / 100)) },
      { id: "fatal", name: t("qa_trend_fatal"), type: "line", yAxisIndex: 1, data: rows.map((r) => pct(r.fatal_item_rate)) },
      { id: "nonfatal", name: t("qa_trend_nonfatal"), type: "line", yAxisIndex: 1, data: rows.map((r) => pct(r.non_fatal_item_rate)) },
    ],
  }, true);
}

// After a language switch: the same points under the other language's names.
export function redrawTrends() {
  for (const [box, [, rows]] of charts) drawTrend(box, rows);
}
