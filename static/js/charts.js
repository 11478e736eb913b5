/* Charts drawn with the vendored ECharts from data in the page, no inline script:

     {{ rows|json_script:"rank-data" }}
     <div class="chart" data-chart="bar" data-chart-data="rank-data" data-chart-unit="小时"></div>

   data-chart names the kind (bar: horizontal bars of [{name, value}], the first row on top);
   data-chart-data is the id of the json_script element that holds the rows. A page with a
   chart includes templates/includes/charts.html. Without ECharts the element is hidden. */
(function () {
  "use strict";

  var kinds = {
    bar: function (el, rows) {
      rows = rows.slice().reverse(); // ECharts draws categories bottom-up
      return {
        grid: {left: 90, right: 20, top: 10, bottom: 25},
        xAxis: {type: "value", name: el.getAttribute("data-chart-unit") || ""},
        yAxis: {type: "category", data: rows.map(function (d) { return d.name; })},
        series: [{type: "bar", data: rows.map(function (d) { return d.value; }), itemStyle: {color: "#c8102e"}}],
        tooltip: {renderMode: "richText"} // drawn on the canvas: no inline styles
      };
    }
  };

  function draw(el) {
    if (!window.echarts || echarts.getInstanceByDom(el)) { return; }
    var kind = kinds[el.getAttribute("data-chart")];
    var source = document.getElementById(el.getAttribute("data-chart-data"));
    if (!kind || !source) { el.hidden = true; return; }
    var chart = echarts.init(el);
    chart.setOption(kind(el, JSON.parse(source.textContent)));
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function drawAll(root) {
    if (!window.echarts) {
      root.querySelectorAll("[data-chart]").forEach(function (el) { el.hidden = true; });
      return;
    }
    root.querySelectorAll("[data-chart]").forEach(draw);
  }

  document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  document.addEventListener("htmx:load", function (event) { drawAll(event.target); });
})();
