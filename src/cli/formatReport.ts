import type { InsightNumbers, InsightsReport } from "../insights/InsightsReport.js";

/** The report as the terminal shows it: headline numbers, a table per period and per channel, the top gaps, content. */
export function formatReport(report: InsightsReport): string {
  const { period, totals } = report;
  const lines: string[] = [];
  const days = Math.round((Date.parse(period.until) - Date.parse(period.since)) / 86_400_000);
  lines.push(`llamadesk report: ${period.since.slice(0, 16).replace("T", " ")} to ${period.until.slice(0, 16).replace("T", " ")} UTC (${days} days, ${period.channel ?? "every channel"})`, "");
  lines.push(
    `Deflection rate ${percent(totals.deflectionRate)} (${totals.deflected} of ${totals.conversations} conversations answered without a handoff or ticket)`,
    `Asked ${totals.asked}: answered ${totals.answered} (verbatim ${totals.answeredVerbatim}, by the model ${totals.answeredByModel}, related list ${totals.answeredRelated}), ` +
      `abstained ${totals.abstained}, handed off ${totals.handedOff} (asked for a human ${totals.handedOffOnRequest}, after abstaining ${totals.handedOffAfterAbstaining})`,
    `Votes: ${totals.thumbsUp} up, ${totals.thumbsDown} down; resolved conversations: ${totals.resolved}`,
    `Time to first token: median ${ms(totals.ttftMsP50)}, p90 ${ms(totals.ttftMsP90)}; whole reply: median ${ms(totals.totalMsP50)}, p90 ${ms(totals.totalMsP90)}`,
    "",
  );
  lines.push(...table(period.unit === "day" ? "Day" : "Week of", report.byPeriod.map((row) => [row.period, row])), "");
  lines.push(...table("Channel", report.byChannel.map((row) => [row.channel ?? "(none)", row])), "");
  lines.push(report.gaps.length === 0 ? "Coverage gaps: none: every question was answered without a 👎." : `Top ${report.gaps.length} coverage gaps (failed questions by topic):`);
  report.gaps.forEach((gap, i) => {
    lines.push(`${String(i + 1).padStart(3)}. ${gap.id}  ${gap.size} conversation${gap.size === 1 ? "" : "s"}  [${gap.channels.join(", ")}]  abstained ${gap.abstained}, handed off ${gap.handedOff}, down ${gap.thumbsDown}`);
    lines.push(`       ${gap.examples.map((e) => JSON.stringify(clip(e, 70))).join(" · ")}`);
    if (gap.closestEntry) lines.push(`       closest entry: ${gap.closestEntry.title} (${gap.closestEntry.source}, similarity ${gap.closestEntry.similarity.toFixed(2)})`);
  });
  lines.push("", "Content:");
  const top = (label: string, rows: string[]) => lines.push(`  ${label}:${rows.length === 0 ? " none" : ""}`, ...rows.slice(0, 5).map((r) => `    ${r}`));
  top("Most cited", report.entries.mostCited.map((e) => `${e.answered} answers  ${e.title} (${e.source})`));
  top("Most down-voted", report.entries.mostDownvoted.map((e) => `${percent(e.downRate)} down (${e.thumbsDown} of ${e.answered})  ${e.title} (${e.source})`));
  if (report.entries.neverRetrieved !== null) {
    top(`Never retrieved (${report.entries.neverRetrieved.length})`, report.entries.neverRetrieved.map((e) => `${e.title} (${e.source})`));
  }
  lines.push("", "All fields: llamadesk report --json (README, \"Insights\").", "");
  return lines.join("\n");
}

const COLUMNS: [string, (n: InsightNumbers) => string][] = [
  ["asked", (n) => String(n.asked)],
  ["answered", (n) => String(n.answered)],
  ["verbatim", (n) => String(n.answeredVerbatim)],
  ["model", (n) => String(n.answeredByModel)],
  ["related", (n) => String(n.answeredRelated)],
  ["abstained", (n) => String(n.abstained)],
  ["handoff", (n) => String(n.handedOff)],
  ["convs", (n) => String(n.conversations)],
  ["deflection", (n) => percent(n.deflectionRate)],
  ["up", (n) => String(n.thumbsUp)],
  ["down", (n) => String(n.thumbsDown)],
  ["ttft p50", (n) => ms(n.ttftMsP50)],
  ["ttft p90", (n) => ms(n.ttftMsP90)],
  ["total p50", (n) => ms(n.totalMsP50)],
  ["total p90", (n) => ms(n.totalMsP90)],
];

function table(first: string, rows: [string, InsightNumbers][]): string[] {
  const cells = [[first, ...COLUMNS.map(([name]) => name)], ...rows.map(([label, n]) => [label, ...COLUMNS.map(([, value]) => value(n))])];
  const widths = cells[0]!.map((_, c) => Math.max(...cells.map((row) => row[c]!.length)));
  return cells.map((row) => row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  "));
}

function percent(rate: number | null): string {
  return rate === null ? "-" : `${(rate * 100).toFixed(rate < 0.1 && rate > 0 ? 1 : 0)}%`;
}

function ms(value: number | null): string {
  if (value === null) return "-";
  return value >= 1000 ? `${(value / 1000).toFixed(value >= 10_000 ? 0 : 1)} s` : `${value} ms`;
}

function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
