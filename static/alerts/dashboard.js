/* The dashboards' charts, drawn with Apache ECharts from the rows of the table printed beside
   each (its json_script block): the page says the same with scripts off, and a screen reader
   reads the table (the chart is aria-hidden). */
(function () {
  "use strict";

  // A village chosen under another township would be refused: a new township clears it.
  const township = document.querySelector(".dash-filters select[name=township]");
  const village = document.querySelector(".dash-filters select[name=village]");
  if (township && village) township.addEventListener("change", () => { village.value = ""; });

  if (!window.echarts) return;

  const zh = (document.documentElement.lang || "zh-hans").toLowerCase().startsWith("zh");
  const locale = zh ? "zh-CN" : "en";
  const still = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  const whole = new Intl.NumberFormat(locale);
  const yuan = new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const compact = new Intl.NumberFormat(locale, { notation: "compact", maximumFractionDigits: 1 });
  const INK = "#1f2937", MUTED = "#374151", LINE = "#e5e7eb";

  // "立项决策（五议两公开）" → "立项决策" on the axis; the table keeps the whole name.
  function shortLabel(text) {
    return String(text).replace(/\s*[（(][^（()）]*[)）]\s*$/, "");
  }

  function barGroups(spec) {
    const groups = new Set();
    spec.series.forEach((s) => { if (s.type === "bar") groups.add(s.stack || s.column); });
    return Math.max(groups.size, 1);
  }

  function height(spec) {
    if (!spec.horizontal) return 300;
    return Math.max(220, spec.rows.length * (barGroups(spec) * 11 + 16) + 70);
  }

  // How many lines ECharts' legend takes in `width` pixels (it wraps), so the grid starts below.
  const measure = document.createElement("canvas").getContext("2d");
  function legendLines(names, width, font) {
    measure.font = "12px " + font;
    let lines = 1, x = 0;
    names.forEach((name) => {
      const item = 25 + 5 + measure.measureText(name).width + 10; // swatch, gap, text, item gap
      if (x > 0 && x + item > width) { lines += 1; x = 0; }
      x += item;
    });
    return lines;
  }

  function option(spec, width) {
    const rows = spec.rows;
    const font = getComputedStyle(document.body).fontFamily;
    const names = spec.series.map((s) => spec.columns[s.column]);
    const legendHeight = legendLines(names, width, font) * 22;
    const money = spec.series.some((s) => spec.kinds[s.column] === "money");
    const valueAxis = {
      type: "value",
      minInterval: money ? 0 : 1,
      axisLabel: { color: MUTED, formatter: (v) => compact.format(v), hideOverlap: true },
      splitLine: { lineStyle: { color: LINE } },
    };
    const categoryAxis = spec.time
      ? { type: "time", axisLabel: { color: MUTED, hideOverlap: true } }
      : {
          type: "category",
          data: rows.map((r) => shortLabel(r[spec.x])),
          inverse: spec.horizontal, // the table's first row at the top
          axisTick: { alignWithLabel: true },
          axisLabel: spec.horizontal
            ? { color: INK, interval: 0, width: 84, overflow: "truncate" }
            : { color: INK, hideOverlap: true },
        };
    return {
      animation: !still,
      textStyle: { fontFamily: font, fontSize: 12 },
      legend: { top: 0, left: 0, itemGap: 10, textStyle: { color: INK } },
      tooltip: {
        trigger: "axis",
        confine: true,
        axisPointer: { type: spec.time ? "line" : "shadow" },
        valueFormatter: (v) => (money ? yuan : whole).format(v),
      },
      grid: { left: 4, right: 14, top: legendHeight + 14, bottom: 4 },
      xAxis: spec.horizontal ? valueAxis : categoryAxis,
      yAxis: spec.horizontal ? categoryAxis : valueAxis,
      series: spec.series.map((s) => ({
        name: spec.columns[s.column],
        type: s.type,
        stack: s.stack || undefined,
        data: spec.time ? rows.map((r) => [r[spec.x], r[s.column]]) : rows.map((r) => r[s.column]),
        itemStyle: { color: s.colour },
        lineStyle: { color: s.colour, width: 2 },
        showSymbol: !spec.time || rows.length < 60,
        symbolSize: 6,
        barMaxWidth: 26,
        emphasis: { focus: "series" },
      })),
    };
  }

  function draw(element) {
    const data = document.getElementById(element.dataset.chart + "-data");
    if (!data) return;
    const spec = JSON.parse(data.textContent);
    element.hidden = false;
    const chart = window.echarts.init(element, null, { renderer: "svg", locale: zh ? "ZH" : "EN" });
    let width = 0;
    function layOut() {
      if (element.clientWidth === width) return;
      width = element.clientWidth;
      const chosen = option(spec, width);
      element.style.height = height(spec) + chosen.grid.top - 40 + "px";
      chart.setOption(chosen, true);
      chart.resize();
    }
    layOut();
    if (window.ResizeObserver) new ResizeObserver(layOut).observe(element);
  }

  document.querySelectorAll(".dash-chart[data-chart]").forEach(draw);
})();
