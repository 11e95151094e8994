/* Charts of the console, drawn with the vendored uPlot from the JSON the page embeds.
   Every chart has a table with the same figures beside it (for screen readers and print).
   The x axis is the row index, labelled the Indonesian way ("Mar 2026", "2 Mar"). */
(function () {
  "use strict";
  var MONTHS = {
    id: ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"],
    en: ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
  };
  var lang = document.documentElement.lang === "en" ? "en" : "id";
  function data() { return JSON.parse(document.getElementById("chart-data").textContent); }
  function width(el) { return Math.max(260, el.clientWidth - 10); }
  function idNumber(v) { return v == null ? "" : Math.round(v).toLocaleString("id-ID"); }
  function monthText(label) { return MONTHS[lang][+label.slice(5, 7) - 1] + " " + label.slice(0, 4); }
  function dayText(label) { return (+label.slice(8, 10)) + " " + MONTHS[lang][+label.slice(5, 7) - 1]; }
  function draw(el, labels, format, xLabel, series, values) {
    if (!el || !window.uPlot || labels.length === 0) { return; }
    var index = labels.map(function (_, i) { return i; });
    var opts = {
      width: width(el), height: 230,
      scales: { x: { time: false, range: function () { return [-0.6, labels.length - 0.4]; } },
                y: { range: function (u, min, max) { return [0, max > 0 ? max * 1.1 : 1]; } } },
      series: [{ label: xLabel, value: function (u, v) { return v == null || !labels[v] ? "--" : format(labels[v]); } }]
        .concat(series),
      axes: [
        { values: function (u, splits) {
            return splits.map(function (i) { return Number.isInteger(i) && labels[i] ? format(labels[i]) : ""; });
          }, space: 60 },
        { values: function (u, vals) { return vals.map(idNumber); }, size: labelWidth }
      ]
    };
    var plot = new uPlot(opts, [index].concat(values), el);
    window.addEventListener("resize", function () { plot.setSize({ width: width(el), height: 230 }); });
  }
  function labelWidth(u, values) {  // room for the longest figure ("12.000.000") beside the axis
    var longest = (values || []).reduce(function (n, v) { return Math.max(n, String(v).length); }, 0);
    return Math.max(50, 16 + 8 * longest);
  }
  function bars() { return uPlot.paths.bars({ size: [0.7, 40] }); }
  function value(u, v) { return idNumber(v); }
  window.PerisaiCharts = {
    coverage: function (id, xLabel, names) {
      var d = data();
      var lines = [["registered", "#444444", [6, 4]], ["active", "#1a6e2e"], ["grace", "#b8860b"],
                   ["inactive", "#b3261e"], ["never", "#6a5acd"]];
      var series = lines.map(function (l) {
        return { label: names[l[0]], stroke: l[1], width: 2, dash: l[2], value: value };
      });
      var values = lines.map(function (l) { return d[l[0]]; });
      if (d.target) {  // the target as a number of active participants, where the population is known
        series.push({ label: names.target, stroke: "#0b5394", width: 2, dash: [2, 4], value: value });
        values.push(d.labels.map(function () { return d.target; }));
      }
      draw(document.getElementById(id), d.labels, monthText, xLabel, series, values);
    },
    money: function (id, xLabel, label) {
      var d = data();
      draw(document.getElementById(id), d.labels, dayText, xLabel, [
        { label: label, stroke: "#0b5394", fill: "rgba(11,83,148,0.35)", paths: bars(), value: value }
      ], [d.net]);
    }
  };
})();
