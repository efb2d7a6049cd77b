// The console's own script and styles, served from /admin/assets. The script builds every element with
// textContent (questions are customers' words: never parsed as HTML) and draws the charts with uPlot.

export const CONSOLE_SCRIPT = String.raw`
"use strict";
(function () {
  var main = document.getElementById("console");
  var since = document.getElementById("since");
  var channel = document.getElementById("channel");
  var status = document.getElementById("status");
  var charts = [];

  function el(tag, text, attrs) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    for (var name in attrs || {}) node.setAttribute(name, attrs[name]);
    return node;
  }
  function percent(rate) { return rate === null ? "-" : Math.round(rate * 100) + "%"; }
  function ms(value) { return value === null ? "-" : value >= 1000 ? (value / 1000).toFixed(1) + " s" : value + " ms"; }

  function show() {
    var page = location.hash === "#gaps" ? "gaps" : "overview";
    document.getElementById("overview").hidden = page !== "overview";
    document.getElementById("gaps").hidden = page !== "gaps";
    document.getElementById("nav-overview").setAttribute("aria-current", page === "overview" ? "page" : "false");
    document.getElementById("nav-gaps").setAttribute("aria-current", page === "gaps" ? "page" : "false");
  }

  function cards(totals) {
    var list = document.getElementById("cards");
    list.replaceChildren();
    var items = [
      ["deflectionRate", "Deflection rate", percent(totals.deflectionRate)],
      ["asked", "Questions", totals.asked],
      ["answered", "Answered", totals.answered],
      ["abstained", "Abstained", totals.abstained],
      ["handedOff", "Handed off", totals.handedOff],
      ["conversations", "Conversations", totals.conversations],
      ["thumbsUp", "Thumbs up", totals.thumbsUp],
      ["thumbsDown", "Thumbs down", totals.thumbsDown],
      ["ttftMsP50", "First token (median)", ms(totals.ttftMsP50)],
      ["totalMsP90", "Whole reply (p90)", ms(totals.totalMsP90)]
    ];
    items.forEach(function (item) {
      var card = el("div", null, { class: "card" });
      card.append(el("dt", item[1]), el("dd", item[2], { "data-metric": item[0] }));
      list.append(card);
    });
  }

  function draw(report) {
    charts.forEach(function (chart) { chart.destroy(); });
    charts = [];
    var xs = report.byPeriod.map(function (p) { return Date.parse(p.period + "T00:00:00Z") / 1000; });
    var width = Math.min(960, document.getElementById("overview").clientWidth - 8);
    var series = function (field) { return report.byPeriod.map(function (p) { return p[field]; }); };
    charts.push(new uPlot({
      width: width, height: 260,
      series: [{}, { label: "Asked", stroke: "#1f4e9c", width: 2 }, { label: "Answered", stroke: "#1b7f3b", width: 2 },
        { label: "Abstained", stroke: "#9c5b00", width: 2 }, { label: "Handed off", stroke: "#b3261e", width: 2 }],
      axes: [{}, { label: "questions" }]
    }, [xs, series("asked"), series("answered"), series("abstained"), series("handedOff")], document.getElementById("chart-questions")));
    charts.push(new uPlot({
      width: width, height: 200,
      scales: { y: { range: [0, 100] } },
      series: [{}, { label: "Deflection rate %", stroke: "#1f4e9c", width: 2, spanGaps: true }],
      axes: [{}, { label: "%" }]
    }, [xs, report.byPeriod.map(function (p) { return p.deflectionRate === null ? null : Math.round(p.deflectionRate * 1000) / 10; })], document.getElementById("chart-deflection")));
  }

  function channels(report) {
    var body = document.querySelector("#channels tbody");
    body.replaceChildren();
    report.byChannel.forEach(function (c) {
      var row = el("tr");
      row.append(el("th", c.channel === null ? "(none)" : c.channel, { scope: "row" }), el("td", c.asked), el("td", c.answered), el("td", c.abstained),
        el("td", c.handedOff), el("td", percent(c.deflectionRate)), el("td", c.thumbsUp), el("td", c.thumbsDown));
      body.append(row);
    });
  }

  function gaps(report) {
    var body = document.querySelector("#gap-table tbody");
    body.replaceChildren();
    if (report.gaps.length === 0) {
      var empty = el("tr");
      empty.append(el("td", "No gaps: every question in this period was answered without a thumbs-down.", { colspan: "5" }));
      body.append(empty);
    }
    report.gaps.forEach(function (gap, i) {
      var row = el("tr", null, { "data-gap": gap.id });
      var examples = el("ul", null, { class: "examples" });
      gap.examples.forEach(function (e) { examples.append(el("li", e)); });
      var cell = el("td");
      cell.append(examples);
      var closest = gap.closestEntry ? gap.closestEntry.title + " (" + gap.closestEntry.source + ", " + gap.closestEntry.similarity.toFixed(2) + ")" : "-";
      row.append(el("td", i + 1), el("td", gap.size), cell, el("td", gap.channels.join(", ")), el("td", closest));
      body.append(row);
    });
  }

  function load() {
    status.textContent = "Loading…";
    var query = "since=" + encodeURIComponent(since.value) + (channel.value ? "&channel=" + encodeURIComponent(channel.value) : "");
    fetch("/admin/api/report?" + query, { credentials: "same-origin", headers: { "X-CSRF-Token": main.dataset.csrf } })
      .then(function (response) {
        if (response.status === 401) { location.reload(); throw new Error("signed out"); }
        if (!response.ok) return response.json().then(function (body) { throw new Error(body.error ? body.error.message : response.statusText); });
        return response.json();
      })
      .then(function (report) {
        cards(report.totals);
        draw(report);
        channels(report);
        gaps(report);
        main.dataset.loaded = report.period.since + "|" + (report.period.channel || "");
        status.textContent = "From " + report.period.since.slice(0, 10) + " to " + report.period.until.slice(0, 10) + ".";
      })
      .catch(function (error) { status.textContent = "Could not load the report: " + error.message; });
  }

  since.addEventListener("change", load);
  channel.addEventListener("change", load);
  window.addEventListener("hashchange", show);
  show();
  load();
})();
`;

export const CONSOLE_CSS = `
:root { color-scheme: light; font-family: system-ui, sans-serif; color: #1b1b1f; background: #fafafa; }
body { margin: 0; }
header { display: flex; flex-wrap: wrap; align-items: center; gap: 1rem 2rem; padding: 0.75rem 1.5rem; background: #1f2a44; color: #fff; }
header h1 { font-size: 1.15rem; margin: 0; }
header nav { display: flex; gap: 1rem; }
header a { color: #fff; font-weight: 600; text-underline-offset: 4px; }
header a[aria-current="page"] { text-decoration-thickness: 3px; }
header form { margin-left: auto; }
button, select, input { font: inherit; padding: 0.4rem 0.7rem; border: 1px solid #6b6b75; border-radius: 6px; background: #fff; color: #1b1b1f; }
button { cursor: pointer; }
:focus-visible { outline: 3px solid #f0b400; outline-offset: 2px; }
main { padding: 1rem 1.5rem 3rem; max-width: 1100px; }
.filters { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem 0.75rem; }
#status { margin: 0 0 0 1rem; color: #45454d; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 0.75rem; margin: 1rem 0; }
.card { background: #fff; border: 1px solid #d5d5dc; border-radius: 8px; padding: 0.6rem 0.8rem; }
.card dt { font-size: 0.85rem; color: #45454d; }
.card dd { margin: 0.2rem 0 0; font-size: 1.5rem; font-weight: 700; }
figure { margin: 1.25rem 0; background: #fff; border: 1px solid #d5d5dc; border-radius: 8px; padding: 0.75rem; overflow-x: auto; }
figcaption { font-weight: 600; margin-bottom: 0.5rem; }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { text-align: left; padding: 0.45rem 0.6rem; border-bottom: 1px solid #e2e2e8; vertical-align: top; }
thead th { background: #eef0f5; }
.examples { margin: 0; padding-left: 1.1rem; }
.login { max-width: 26rem; margin: 12vh auto; background: #fff; border: 1px solid #d5d5dc; border-radius: 10px; padding: 1.5rem 2rem; }
.login form { display: grid; gap: 0.6rem; }
.login h1 { font-size: 1.3rem; }
.error { color: #b3261e; font-weight: 600; margin: 0; }
.hint { color: #45454d; font-size: 0.9rem; }
@media (max-width: 800px) { main { padding: 0.75rem; } header form { margin-left: 0; } }
`;
