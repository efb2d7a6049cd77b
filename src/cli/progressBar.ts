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
  // The rate counts from the first update, so work done before (a resumed download starts
  // part-way) does not inflate it.
  let first: { done: number; at: number } | undefined;
  const rateOf = (done: number, fallback: string): string => {
    first ??= { done, at: performance.now() };
    const seconds = (performance.now() - first.at) / 1000;
    return seconds > 0 ? ((done - first.done) / seconds).toFixed(1) : fallback;
  };
  if (!stream.isTTY) {
    let lastQuarter = -1;
    return {
      update(done, total) {
        const rate = rateOf(done, "-");
        const quarter = total > 0 ? Math.floor((done / total) * 4) : 4;
        if (quarter === lastQuarter) return;
        lastQuarter = quarter;
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
  return {
    update(done, total) {
      const rate = rateOf(done, "0");
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
