import { availableParallelism, loadavg } from "node:os";

/** "load average 3.1 / 2.8 / 2.5 on 2 cores": figures on a shared machine need it beside them. */
export function loadNow(): string {
  return `load average ${loadavg().map((l) => l.toFixed(1)).join(" / ")} on ${availableParallelism()} cores`;
}
