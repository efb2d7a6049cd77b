/** A target a figure is compared with; the comparison is printed, never thrown. */
export interface Target {
  op: ">=" | "<=" | "<" | "==";
  value: number;
}

/** One figure for the closing summary table. */
export interface BenchRow {
  bench: string;
  /** What was measured and on which data, e.g. "recall@10 (100k random)". */
  metric: string;
  value: number;
  unit: string;
  target?: Target;
}

export function verdict(row: BenchRow): "PASS" | "MISS" | "" {
  const t = row.target;
  if (!t) return "";
  const ok =
    t.op === ">=" ? row.value >= t.value : t.op === "<=" ? row.value <= t.value : t.op === "<" ? row.value < t.value : row.value === t.value;
  return ok ? "PASS" : "MISS";
}

export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return String(value);
  const abs = Math.abs(value);
  return value.toFixed(abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3);
}

/** "0.987 recall   (target >= 0.98: PASS)": the line a bench prints as it measures. */
export function describe(row: BenchRow): string {
  const unit = row.unit ? ` ${row.unit}` : "";
  const target = row.target ? `   (target ${row.target.op} ${row.target.value}${unit}: ${verdict(row)})` : "";
  return `  ${row.metric}: ${formatNumber(row.value)}${unit}${target}`;
}

/** Collects rows and echoes each one as it is recorded. */
export class Recorder {
  readonly rows: BenchRow[] = [];

  constructor(private readonly bench: string) {}

  record(metric: string, value: number, unit: string, target?: Target): number {
    const row: BenchRow = { bench: this.bench, metric, value, unit, ...(target ? { target } : {}) };
    this.rows.push(row);
    console.log(describe(row));
    return value;
  }
}

export function printTable(rows: readonly BenchRow[]): void {
  const cells = rows.map((r) => [
    r.bench,
    r.metric,
    formatNumber(r.value),
    r.unit,
    r.target ? `${r.target.op} ${r.target.value}` : "",
    verdict(r),
  ]);
  const header = ["bench", "metric", "value", "unit", "target", ""];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => c.map((cell, i) => (i === 2 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join("  ").trimEnd();
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const c of cells) console.log(line(c));
}
