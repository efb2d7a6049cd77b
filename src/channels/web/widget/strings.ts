/** Every string the widget shows or reads out. Override any of them (i18n) with `data-strings` or `mountWidget({ strings })`. */
export interface WidgetStrings {
  /** Panel heading (also `data-title`). */
  title: string;
  /** First bot message of a new conversation (also `data-greeting`). */
  greeting: string;
  openChat: string;
  closeChat: string;
  newConversation: string;
  inputLabel: string;
  inputPlaceholder: string;
  send: string;
  you: string;
  bot: string;
  thinking: string;
  /** Heading of an answer's sources. */
  sources: string;
  /** Heading of the entries closest to a question the bot could not answer (they are not sources of an answer). */
  closestMatches: string;
  /** Heading of entries for other questions listed under an answer the bot was not sure was the one meant. */
  related: string;
  feedbackQuestion: string;
  helpful: string;
  notHelpful: string;
  feedbackThanks: string;
  /** Under an answer the bot could not give: offers the handoff form. */
  noAnswer: string;
  talkToHuman: string;
  /** The conversation is with a human already; the bot stays quiet. */
  awaitingHuman: string;
  offline: string;
  reconnecting: string;
  /** `{seconds}` is replaced. */
  rateLimited: string;
  error: string;
  retry: string;
  handoffTitle: string;
  handoffIntro: string;
  handoffName: string;
  handoffEmail: string;
  handoffMessage: string;
  handoffSubmit: string;
  handoffCancel: string;
  /** `{email}` is replaced. */
  handoffSent: string;
  handoffFailed: string;
}

export const DEFAULT_STRINGS: WidgetStrings = {
  title: "Support",
  greeting: "Hi! Ask me a question and I'll answer from our help articles.",
  openChat: "Open support chat",
  closeChat: "Close support chat",
  newConversation: "Start a new conversation",
  inputLabel: "Your question",
  inputPlaceholder: "Ask a question…",
  send: "Send",
  you: "You",
  bot: "Assistant",
  thinking: "Thinking…",
  sources: "Sources",
  closestMatches: "Closest matches",
  related: "Related",
  feedbackQuestion: "Was this answer helpful?",
  helpful: "Helpful",
  notHelpful: "Not helpful",
  feedbackThanks: "Thanks for your feedback!",
  noAnswer: "No answer found — a human can help.",
  talkToHuman: "Talk to a human",
  awaitingHuman: "Your message was passed on to our team.",
  offline: "You're offline. Your question will be sent when the connection is back.",
  reconnecting: "Connection lost. Reconnecting…",
  rateLimited: "You're sending messages too quickly. Please wait {seconds}\u00a0s.",
  error: "Sorry, something went wrong. Please try again.",
  retry: "Try again",
  handoffTitle: "Talk to a human",
  handoffIntro: "Leave your details and our team will reply by email.",
  handoffName: "Name",
  handoffEmail: "Email",
  handoffMessage: "How can we help?",
  handoffSubmit: "Send to the team",
  handoffCancel: "Cancel",
  handoffSent: "Thanks! Our team will reply to {email}.",
  handoffFailed: "Sorry, your request could not be sent. Please try again.",
};

/** `template` with each `{name}` replaced by `values[name]`. */
export function format(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}

/** Overrides from `data-strings` (a JSON object of strings); anything else is ignored, with a console warning. */
export function parseStrings(json: string | null): Partial<WidgetStrings> {
  if (!json) return {};
  try {
    const raw = JSON.parse(json) as unknown;
    if (raw === null || typeof raw !== "object" || Array.isArray(raw)) throw new Error("not an object");
    const out: Partial<Record<keyof WidgetStrings, string>> = {};
    for (const [key, value] of Object.entries(raw)) {
      if (key in DEFAULT_STRINGS && typeof value === "string") out[key as keyof WidgetStrings] = value;
      else console.warn(`llamadesk widget: data-strings: ignoring "${key}" (not a known string name, or not a string)`);
    }
    return out;
  } catch (error) {
    console.warn(`llamadesk widget: data-strings is not a JSON object of strings (${(error as Error).message}); using the defaults`);
    return {};
  }
}
