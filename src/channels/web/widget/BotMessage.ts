import { h, icon, ICONS } from "./dom.js";
import { renderMarkdown } from "./markdown.js";
import type { WidgetStrings } from "./strings.js";
import type { SourceLink } from "./WidgetClient.js";

export interface BotMessageHooks {
  strings: () => WidgetStrings;
  /** A 👍/👎 click; resolves true when the server stored it. */
  vote: (turnId: string, vote: "up" | "down") => Promise<boolean>;
  /** "Talk to a human" under an answer. */
  talkToHuman: () => void;
}

/** One bot message in the log: thinking, then streamed text, then the final answer with sources and actions. */
export class BotMessage {
  readonly el: HTMLElement;
  private readonly bubble: HTMLElement;

  constructor(private readonly hooks: BotMessageHooks) {
    this.bubble = h("div", { class: "bubble", dir: "auto" });
    this.el = h("div", { class: "msg bot" }, h("span", { class: "sr-only" }, hooks.strings().bot), this.bubble);
  }

  thinking(): this {
    const s = this.hooks.strings();
    this.el.className = "msg bot thinking";
    this.bubble.setAttribute("aria-busy", "true");
    this.bubble.replaceChildren(h("span", { class: "dots" }, s.thinking.replace(/…$|\.\.\.$/, "")));
    return this;
  }

  /** The answer so far (raw tokens, rendered as Markdown like the final text). */
  stream(text: string): void {
    this.el.className = "msg bot streaming";
    renderMarkdown(this.bubble, text);
  }

  /** The final text, with its sources (an abstention's or handoff's closest matches) and 👍/👎 (when it is a stored answer). */
  answer(text: string, sources: SourceLink[], turnId: string | undefined, options: { noAnswer?: boolean; handoff?: boolean; related?: SourceLink[] } = {}): void {
    const s = this.hooks.strings();
    this.el.className = `msg bot ${options.noAnswer ? "abstained" : "answered"}`;
    this.bubble.removeAttribute("aria-busy");
    renderMarkdown(this.bubble, text);
    if (sources.length > 0) {
      // Under a message that is no answer, the entries listed are only the closest matches.
      const label = options.noAnswer || options.handoff ? s.closestMatches : s.sources;
      this.el.append(
        h("p", { class: "sources-label", "aria-hidden": "true" }, label),
        h("ul", { class: "sources", "aria-label": label }, ...sources.map((source) => h("li", {}, sourceNode(source)))),
      );
    }
    // Other questions that matched nearly as well, in case the answer is not the one meant.
    const related = options.related ?? [];
    if (related.length > 0) {
      this.el.append(
        h("p", { class: "sources-label related-label", "aria-hidden": "true" }, s.related),
        h("ul", { class: "sources related", "aria-label": s.related }, ...related.map((source) => h("li", {}, sourceNode(source)))),
      );
    }
    const actions = h("div", { class: "actions" });
    if (turnId && !options.handoff) actions.append(this.voteButtons(turnId));
    if (options.noAnswer || options.handoff) {
      if (options.noAnswer) this.el.append(h("p", { class: "note" }, s.noAnswer));
      const talk = h("button", { type: "button", class: "link-button" }, s.talkToHuman);
      talk.addEventListener("click", () => this.hooks.talkToHuman());
      actions.append(talk);
    }
    if (actions.childElementCount > 0) this.el.append(actions);
  }

  /** The answer failed; `retry` re-asks. */
  fail(retry?: () => void): void {
    const s = this.hooks.strings();
    this.el.className = "msg bot failed";
    this.bubble.removeAttribute("aria-busy");
    this.bubble.replaceChildren(s.error);
    if (retry) {
      const button = h("button", { type: "button", class: "link-button" }, s.retry);
      button.addEventListener("click", () => {
        button.remove();
        retry();
      });
      this.el.append(h("div", { class: "actions" }, button));
    }
  }

  private voteButtons(turnId: string): HTMLElement {
    const s = this.hooks.strings();
    const thanks = h("span", { class: "thanks", role: "status" });
    const up = h("button", { type: "button", class: "vote", "aria-pressed": "false", "aria-label": s.helpful, title: s.helpful }, icon(ICONS.up));
    const down = h("button", { type: "button", class: "vote", "aria-pressed": "false", "aria-label": s.notHelpful, title: s.notHelpful }, icon(ICONS.down));
    const cast = async (vote: "up" | "down") => {
      const [mine, other] = vote === "up" ? [up, down] : [down, up];
      const before = [mine.getAttribute("aria-pressed"), other.getAttribute("aria-pressed")];
      mine.setAttribute("aria-pressed", "true");
      other.setAttribute("aria-pressed", "false");
      if (await this.hooks.vote(turnId, vote)) thanks.textContent = s.feedbackThanks;
      else {
        mine.setAttribute("aria-pressed", before[0]!);
        other.setAttribute("aria-pressed", before[1]!);
        thanks.textContent = s.error;
      }
    };
    up.addEventListener("click", () => void cast("up"));
    down.addEventListener("click", () => void cast("down"));
    return h("div", { class: "actions", role: "group", "aria-label": s.feedbackQuestion }, up, down, thanks);
  }
}

function sourceNode(source: SourceLink): Node {
  if (source.href && /^https?:\/\//i.test(source.href)) {
    return h("a", { href: source.href, target: "_blank", rel: "noopener noreferrer" }, source.title || source.href);
  }
  return document.createTextNode(source.where ? `${source.title} (${source.where})` : source.title);
}
