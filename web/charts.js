// Thin wrappers over the vendored Apache ECharts (web/vendor/echarts, loaded as a classic
// script with `async`, so it may arrive after the first frame): horizontal bar charts for the
// breakdowns and the per-year chart in the project drawer. Canvas renderer, no animation (the
// charts re-render on every filter change).

const FONT = '"Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", "WenQuanYi Zen Hei", sans-serif';

function lib() {
  return window.echarts || null;
}

/** The chart instance of a box (created on first use). */
function instance(box) {
  const ec = lib();
  if (!ec || !box) return null;
  let c = ec.getInstanceByDom(box);
  if (!c) c = ec.init(box, null, { renderer: 'canvas' });
  return c;
}

export function disposeChart(box) {
  const ec = lib();
  const c = ec && box ? ec.getInstanceByDom(box) : null;
  if (c) c.dispose();
}

/** Resize every chart inside `root` (after a tab or the window changed size). */
export function resizeCharts(root) {
  const ec = lib();
  if (!ec) return;
  root.querySelectorAll('.chart').forEach((b) => {
    const c = ec.getInstanceByDom(b);
    if (c) c.resize();
  });
}

/**
 * A bar chart. opts: categories (labels), keys (filter values behind them), series
 * [{name, color, data, stack}], horizontal, axisName, money (value formatter), onPick(key),
 * selectedKey (highlighted category).
 */
export function barChart(box, opts) {
  if (!box || box.offsetParent === null) return; // hidden: rendered when its tab opens
  const n = opts.categories.length;
  if (opts.horizontal && !box.classList.contains('chart-tall')) {
    box.style.height = `${Math.max(90, (opts.series.length > 1 ? 54 : 30) + n * 24)}px`;
  }
  const c = instance(box);
  if (!c) return;
  c.resize();
  const fmt = opts.money || ((v) => String(v));
  const cat = {
    type: 'category',
    data: opts.categories,
    inverse: !!opts.horizontal,
    axisTick: { show: false },
    axisLabel: {
      interval: 0,
      fontFamily: FONT,
      fontSize: 12,
      width: 150,
      overflow: 'truncate',
      color: '#1d2a33',
      formatter: (v, i) => (opts.keys && opts.selectedKey != null && opts.keys[i] === opts.selectedKey ? `▶ ${v}` : v),
    },
  };
  const val = {
    type: 'value',
    minInterval: opts.money ? 0 : 1,
    axisLabel: { fontFamily: FONT, fontSize: 11, color: '#5d6b75', formatter: opts.money ? (v) => fmt(v) : undefined, hideOverlap: true },
    splitLine: { lineStyle: { color: '#eef1f3' } },
  };
  c.setOption({
    animation: false,
    textStyle: { fontFamily: FONT },
    grid: { left: 6, right: 18, top: opts.series.length > 1 ? 26 : 6, bottom: 4, containLabel: true },
    legend: opts.series.length > 1 ? { top: 0, left: 0, itemWidth: 10, itemHeight: 10, textStyle: { fontSize: 11 } } : { show: false },
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      confine: true,
      valueFormatter: (v) => fmt(v),
    },
    xAxis: opts.horizontal ? val : cat,
    yAxis: opts.horizontal ? cat : val,
    series: opts.series.map((s) => ({
      type: 'bar',
      name: s.name,
      stack: s.stack,
      data: s.data,
      itemStyle: { color: s.color },
      barMaxWidth: 16,
      emphasis: { focus: 'none' },
    })),
    aria: { enabled: true },
  }, { notMerge: true });
  c.off('click');
  if (opts.onPick && opts.keys) {
    c.on('click', (e) => opts.onPick(opts.keys[e.dataIndex]));
  }
  box.style.cursor = opts.onPick ? 'pointer' : '';
}

/** Per-year plan vs actual (万元) for the project drawer; null values are gaps, not zeros. */
export function yearChart(box, years, labels, money) {
  const c = instance(box);
  if (!c) return;
  c.setOption({
    animation: false,
    textStyle: { fontFamily: FONT },
    grid: { left: 4, right: 10, top: 26, bottom: 4, containLabel: true },
    legend: { top: 0, left: 0, itemWidth: 10, itemHeight: 10, textStyle: { fontSize: 11 } },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, confine: true, valueFormatter: (v) => (v == null ? labels.unknown : money(v)) },
    xAxis: { type: 'category', data: years.map((y) => String(y.year)) },
    yAxis: { type: 'value', axisLabel: { formatter: (v) => money(v), fontSize: 10 } },
    series: [
      { type: 'bar', name: labels.plan, data: years.map((y) => (y.plan == null ? null : Number(y.plan))), itemStyle: { color: '#9bb8d6' }, barMaxWidth: 18 },
      { type: 'bar', name: labels.actual, data: years.map((y) => (y.actual == null ? null : Number(y.actual))), itemStyle: { color: '#2b8a3e' }, barMaxWidth: 18 },
    ],
  }, { notMerge: true });
  c.resize();
}
