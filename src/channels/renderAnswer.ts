import type { AnsweredMode, BotEvent, HandoffReason } from "../BotEvent.js";
import type { ErrorCode } from "../errors.js";
import { abstentionWithHandoff } from "../pipeline/abstentionWithHandoff.js";
import type { AnswerSource } from "../pipeline/AnswerSource.js";

/**
 * What a chat message shows at one moment of an answer:
 * - `thinking`: nothing yet (a placeholder);
 * - `streaming`: part of a generated answer;
 * - `answered`: the final answer, with `citations` and `turnId` for feedback, and `related` entries (a verbatim
 *   answer that other questions matched nearly as well: list them under it, "Related");
 * - `abstained`: no good answer; `text` says so and offers a human; `sources` are the closest matches;
 * - `handoff`: the conversation goes to a human; `text` tells the customer so;
 * - `quiet`: a human has the conversation already: show nothing, remove any placeholder;
 * - `failed`: the ask failed; `error` says why (show a short apology, not the error).
 */
export interface AnswerView {
  state: "thinking" | "streaming" | "answered" | "abstained" | "handoff" | "quiet" | "failed";
  text: string;
  sources: AnswerSource[];
  citations: AnswerSource[];
  /** Entries of other questions close to a verbatim answer, for the customer to open instead (empty when none). */
  related: AnswerSource[];
  mode?: AnsweredMode;
  /** The stored bot turn (answered or abstained), for 👍/👎. */
  turnId?: string;
  handoff?: { reason: HandoffReason; message: string };
  error?: { code: ErrorCode; message: string };
  /** Operator notices (e.g. "no chat model: answers are extractive"), for logs rather than customers. */
  notices: string[];
}

export interface RenderAnswerOptions {
  /**
   * Shows the view: posts or edits the platform message. Never runs twice at once.
   * `final` is true exactly once, last, with the finished view.
   */
  render: (view: AnswerView, final: boolean) => Promise<void>;
  /** Least time between two renders while the answer streams. Defaults to 1000 ms (Slack and Discord allow about one edit per second per message). */
  intervalMs?: number;
  /** A render that failed while streaming: the answer goes on (the next render shows the newer text). Defaults to ignoring it. */
  onRenderError?: (error: unknown) => void;
}

/**
 * Reads `bot.ask()` events into views and renders them throttled: at most one
 * render in flight, renders at least `intervalMs` apart, the newest text each
 * time, and always a final render. Rendering never slows generation: events keep
 * being read while a render is in flight. Resolves with the final view once it is
 * rendered; rejects only if the final render fails.
 */
export async function renderAnswer(events: AsyncIterable<BotEvent>, options: RenderAnswerOptions): Promise<AnswerView> {
  const intervalMs = options.intervalMs ?? 1000;
  const view: AnswerView = { state: "thinking", text: "", sources: [], citations: [], related: [], notices: [] };
  let inFlight: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let lastStart = -Infinity;
  let renderedText: string | undefined;

  const renderNow = (): void => {
    timer = undefined;
    if (view.text === renderedText) return;
    renderedText = view.text;
    lastStart = Date.now();
    inFlight = options
      .render(snapshot(view), false)
      .catch((error: unknown) => options.onRenderError?.(error))
      .finally(() => {
        inFlight = undefined;
        if (view.text !== renderedText && view.state === "streaming") schedule();
      });
  };
  const schedule = (): void => {
    if (inFlight || timer) return;
    const wait = lastStart + intervalMs - Date.now();
    if (wait <= 0) renderNow();
    else timer = setTimeout(renderNow, wait);
  };

  for await (const event of events) {
    switch (event.type) {
      case "notice":
        view.notices.push(event.message);
        break;
      case "sources":
        view.sources = event.sources;
        break;
      case "token":
        view.state = "streaming";
        view.text += event.text;
        schedule();
        break;
      case "done":
        Object.assign(view, { state: "answered", text: event.answer, mode: event.mode, sources: event.sources, citations: event.citations, related: event.related ?? [], turnId: event.turnId });
        break;
      case "abstained":
        Object.assign(view, { state: "abstained", text: event.message, sources: event.sources, citations: [], turnId: event.turnId });
        break;
      case "handoff":
        view.handoff = { reason: event.reason, message: event.message };
        if (event.reason === "awaiting-human") Object.assign(view, { state: "quiet", text: "" });
        else if (view.state === "abstained") view.text = abstentionWithHandoff(view.text, event.message);
        else Object.assign(view, { state: "handoff", text: event.message });
        break;
      case "error":
        Object.assign(view, { state: "failed", error: { code: event.code, message: event.message } });
        break;
    }
  }
  if (timer) clearTimeout(timer);
  timer = undefined;
  await inFlight;
  // An answer that ends without a final event (the consumer stopped early) still settles.
  if (view.state === "thinking" || view.state === "streaming") {
    Object.assign(view, { state: "failed", error: view.error ?? { code: "ABORTED", message: "The answer was cancelled." } });
  }
  await options.render(snapshot(view), true);
  return snapshot(view);
}

function snapshot(view: AnswerView): AnswerView {
  return { ...view, sources: [...view.sources], citations: [...view.citations], related: [...view.related], notices: [...view.notices] };
}
