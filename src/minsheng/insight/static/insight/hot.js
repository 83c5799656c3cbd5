// The hot-issue chart: heat of each issue (ECharts, loaded from our own static files).
document.addEventListener("DOMContentLoaded", function () {
  var node = document.getElementById("hot-chart");
  if (!node || !window.echarts) return;
  var data = JSON.parse(node.getAttribute("data-chart"));
  var chart = window.echarts.init(node);
  chart.setOption({
    grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
    tooltip: { trigger: "axis" },
    xAxis: { type: "value" },
    yAxis: { type: "category", inverse: true, data: data.titles, axisLabel: { width: 150, overflow: "truncate" } },
    series: [{ type: "bar", data: data.heat, itemStyle: { color: "#c0392b" } }]
  });
  window.addEventListener("resize", function () { chart.resize(); });
});
