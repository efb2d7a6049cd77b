import cliProgress from "cli-progress";

export interface ProgressBar {
  /** Sets the total (first call starts the bar) and the done count. */
  update(done: number, total: number): void;
  stop(): void;
}

/**
 * A progress bar on stderr: done / total, rate, ETA. When stderr is not a terminal
 * (CI logs, pipes) it prints a plain line at every 25% instead of redrawing.
 */
export function createProgressBar(label: string, unit: string, stream: NodeJS.WriteStream = process.stderr): ProgressBar {
  if (!stream.isTTY) {
    let lastQuarter = -1;
    const started = performance.now();
    return {
      update(done, total) {
        const quarter = total > 0 ? Math.floor((done / total) * 4) : 4;
        if (quarter === lastQuarter) return;
        lastQuarter = quarter;
        const seconds = (performance.now() - started) / 1000;
        const rate = seconds > 0 ? (done / seconds).toFixed(1) : "-";
        stream.write(`${label}: ${done}/${total} ${unit} (${rate} ${unit}/s)\n`);
      },
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: `${label} [{bar}] {value}/{total} ${unit} | {rate} ${unit}/s | ETA {eta_formatted}`,
      hideCursor: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  const t0 = performance.now();
  return {
    update(done, total) {
      const seconds = (performance.now() - t0) / 1000;
      const rate = seconds > 0 ? (done / seconds).toFixed(1) : "0";
      if (!started) {
        bar.start(total, done, { rate });
        started = true;
      } else {
        bar.setTotal(total);
        bar.update(done, { rate });
      }
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
