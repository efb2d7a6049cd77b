import type { Command, CommanderError } from "commander";
import { LlamadeskError, type ErrorCode } from "../errors.js";

/** Commander's codes for a mistake about an option; the rest (unknown command, missing or extra argument) are about arguments. */
const OPTION_MISTAKES = new Set([
  "commander.unknownOption",
  "commander.invalidArgument",
  "commander.optionMissingArgument",
  "commander.missingMandatoryOptionValue",
  "commander.conflictingOption",
]);

/**
 * Makes `command` and every command under it report a command-line mistake (an unknown option or
 * command, a value outside an option's choices, a missing or extra argument) as a LlamadeskError,
 * so the CLI prints it like every other error: `error [CODE]: message`, pointing at the command's
 * `--help`, instead of commander's own text. Help and `--version` are left to commander; they
 * surface as a CommanderError carrying the exit code, after printing.
 */
export function throwUsageErrors(command: Command): void {
  const name = commandPath(command);
  command.configureOutput({ outputError: () => {} }).exitOverride((error) => {
    if (isOutputDone(error)) throw error;
    throw usageError(error, name);
  });
  for (const sub of command.commands) throwUsageErrors(sub);
}

/** Help or the version was printed: nothing wrong to report. */
export function isOutputDone(error: CommanderError): boolean {
  return error.code === "commander.helpDisplayed" || error.code === "commander.help" || error.code === "commander.version";
}

function usageError(error: CommanderError, name: string): LlamadeskError {
  const code: ErrorCode =
    OPTION_MISTAKES.has(error.code) && !error.message.includes("command-argument") ? "INVALID_OPTION" : "INVALID_ARGUMENT";
  const what = error.message.replace(/^error: /, "").replace(/\s*\n\s*/g, " ").trim();
  const fix = error.code === "commander.unknownCommand" ? `See \`${name} --help\` for the commands.` : `See \`${name} --help\` for its options and arguments.`;
  return new LlamadeskError(code, `${upperFirst(what)}${/[.?)]$/.test(what) ? "" : "."} ${fix}`, { cause: error });
}

function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());
  return names.join(" ");
}

function upperFirst(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
