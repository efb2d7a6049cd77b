import { LogLevel, type Logger } from "@slack/bolt";

const SEVERITY: Record<LogLevel, number> = { [LogLevel.DEBUG]: 0, [LogLevel.INFO]: 1, [LogLevel.WARN]: 2, [LogLevel.ERROR]: 3 };

/**
 * The logger the Slack channel, Bolt and the Web API client share: one line per entry, `slack <level>: ...`,
 * errors as their message (no stacks unless LLAMADESK_DEBUG-style debugging is wanted: use level debug).
 */
export function createSlackLogger(level: LogLevel = LogLevel.INFO, write: (line: string) => void = (line) => process.stderr.write(line)): Logger {
  let current = level;
  let name = "slack";
  const log = (at: LogLevel) => (...parts: unknown[]) => {
    if (SEVERITY[at] < SEVERITY[current]) return;
    const text = parts.map((p) => (p instanceof Error ? (current === LogLevel.DEBUG ? (p.stack ?? p.message) : p.message) : typeof p === "string" ? p : JSON.stringify(p))).join(" ");
    write(`${name} ${at}: ${text}\n`);
  };
  return {
    debug: log(LogLevel.DEBUG),
    info: log(LogLevel.INFO),
    warn: log(LogLevel.WARN),
    error: log(LogLevel.ERROR),
    setLevel: (l) => (current = l),
    getLevel: () => current,
    setName: (n) => (name = n),
  };
}
