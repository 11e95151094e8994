/* Charts of the console, drawn with the vendored uPlot from the JSON the page embeds.
   Every chart has a table with the same figures beside it (for screen readers and print). */
(function () {
  "use strict";
  function data() { return JSON.parse(document.getElementById("chart-data").textContent); }
  function width(el) { return Math.max(280, el.clientWidth - 10); }
  function idNumber(v) { return v == null ? "" : Math.round(v).toLocaleString("id-ID"); }
  function monthIndex(label) { var p = label.split("-"); return Date.UTC(+p[0], +p[1] - 1, 1) / 1000; }
  function dayIndex(label) { return Date.UTC(+label.slice(0, 4), +label.slice(5, 7) - 1, +label.slice(8, 10)) / 1000; }
  function bars() { return uPlot.paths.bars({ size: [0.7, 40] }); }
  function draw(el, opts, series) {
    if (!el || !window.uPlot) { return; }
    if (series[0].length === 0) { return; }
    opts.width = width(el); opts.height = 230;
    var plot = new uPlot(opts, series, el);
    window.addEventListener("resize", function () { plot.setSize({ width: width(el), height: 230 }); });
  }
  var axisY = { values: function (u, vals) { return vals.map(idNumber); }, size: 70 };
  window.PerisaiCharts = {
    registrations: function (id, newLabel, cumLabel) {
      var d = data();
      draw(document.getElementById(id), {
        tzDate: function (ts) { return uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"); },
        series: [{}, { label: newLabel, stroke: "#0b5394", fill: "rgba(11,83,148,0.35)", paths: bars(), scale: "n" },
                 { label: cumLabel, stroke: "#1a6e2e", width: 2, scale: "c" }],
        axes: [{}, Object.assign({ scale: "n" }, axisY), Object.assign({ scale: "c", side: 1, grid: { show: false } }, axisY)]
      }, [d.labels.map(monthIndex), d["new"], d.cumulative]);
    },
    money: function (id, label) {
      var d = data();
      draw(document.getElementById(id), {
        tzDate: function (ts) { return uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"); },
        series: [{}, { label: label, stroke: "#0b5394", fill: "rgba(11,83,148,0.35)", paths: bars() }],
        axes: [{}, axisY]
      }, [d.labels.map(dayIndex), d.net]);
    }
  };
})();
