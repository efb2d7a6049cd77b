import { BotMessage } from "./BotMessage.js";
import { h, icon, ICONS } from "./dom.js";
import { HandoffForm, handoffSentText } from "./HandoffForm.js";
import { conversationStorage, type ConversationStorage } from "./conversationStorage.js";
import { DEFAULT_STRINGS, format, parseStrings, type WidgetStrings } from "./strings.js";
import { STYLES } from "./styles.js";
import { ApiError, WidgetClient, type AnswerEvent, type HistoryTurn } from "./WidgetClient.js";

/** The attributes the widget reads (on the element, or on the script tag that mounts it). */
export const WIDGET_ATTRIBUTES = [
  "data-llamadesk-url",
  "data-title",
  "data-greeting",
  "data-accent",
  "data-position",
  "data-avatar",
  "data-lang",
  "data-dir",
  "data-strings",
  "data-open",
] as const;

// Importable where there is no DOM (server-side rendering); defined only in a browser.
const Base = (typeof HTMLElement === "undefined" ? class {} : HTMLElement) as typeof HTMLElement;

/**
 * `<llamadesk-widget data-llamadesk-url="https://support.example.com">`: a launcher button and a chat panel,
 * in a shadow root. Streams answers with their sources, 👍/👎, a handoff form, the conversation kept across
 * page loads (its id in localStorage), reconnection after a dropped connection.
 */
export class LlamadeskWidget extends Base {
  static readonly observedAttributes = [...WIDGET_ATTRIBUTES];
  /** String overrides from code; win over `data-strings`. Set before the element is added to the page. */
  strings: Partial<WidgetStrings> = {};

  private ui: ReturnType<LlamadeskWidget["build"]> | undefined;
  private client!: WidgetClient;
  private storage!: ConversationStorage;
  private conversationId: string | undefined;
  private historyShown = false;
  private busy = false;
  private rateLimitedUntil = 0;
  private rateTimer: ReturnType<typeof setInterval> | undefined;
  private readonly aborter = new AbortController();
  private lastQuestion = "";

  connectedCallback(): void {
    if (this.ui) return;
    const url = this.getAttribute("data-llamadesk-url") || location.origin;
    this.client = new WidgetClient(new URL(url, document.baseURI).href);
    this.storage = conversationStorage(new URL(url, document.baseURI).href);
    this.conversationId = this.storage.get();
    this.ui = this.build();
    this.applyAttributes();
    if (this.hasAttribute("data-open") && this.getAttribute("data-open") !== "false") this.open();
  }

  disconnectedCallback(): void {
    this.aborter.abort();
    clearInterval(this.rateTimer);
  }

  attributeChangedCallback(): void {
    if (this.ui) this.applyAttributes();
  }

  /** The strings in effect: defaults, then `data-strings`, then `data-title`/`data-greeting`, then the `strings` property. */
  text(): WidgetStrings {
    const fromAttributes: Partial<WidgetStrings> = {};
    const title = this.getAttribute("data-title");
    const greeting = this.getAttribute("data-greeting");
    if (title) fromAttributes.title = title;
    if (greeting) fromAttributes.greeting = greeting;
    return { ...DEFAULT_STRINGS, ...parseStrings(this.getAttribute("data-strings")), ...fromAttributes, ...this.strings };
  }

  get isOpen(): boolean {
    return this.ui ? !this.ui.panel.hidden : false;
  }

  open(): void {
    const ui = this.ui;
    if (!ui || this.isOpen) return;
    ui.panel.hidden = false;
    ui.root.classList.add("open");
    ui.launcher.setAttribute("aria-expanded", "true");
    ui.launcher.setAttribute("aria-label", this.text().closeChat);
    ui.launcher.replaceChildren(icon(ICONS.close));
    (this.handoffForm?.isOpen ? ui.panel.querySelector<HTMLElement>(".handoff input") : ui.input)?.focus();
    if (!this.historyShown) void this.showHistory();
  }

  close(): void {
    const ui = this.ui;
    if (!ui || !this.isOpen) return;
    ui.panel.hidden = true;
    ui.root.classList.remove("open");
    ui.launcher.setAttribute("aria-expanded", "false");
    ui.launcher.setAttribute("aria-label", this.text().openChat);
    ui.launcher.replaceChildren(icon(ICONS.chat));
    ui.launcher.focus();
  }

  /** Asks `question` as if typed. */
  async ask(question: string): Promise<void> {
    const text = question.trim();
    if (!text || this.busy || Date.now() < this.rateLimitedUntil) return;
    this.open();
    this.busy = true;
    this.updateSend();
    this.lastQuestion = text;
    const user = h("div", { class: "msg user" }, h("span", { class: "sr-only" }, this.text().you), h("div", { class: "bubble", dir: "auto" }, text));
    const bot = this.botMessage().thinking();
    this.appendToLog(user, bot.el);
    try {
      await this.answer(text, bot, user);
    } finally {
      this.busy = false;
      this.updateSend();
    }
  }

  private handoffForm: HandoffForm | undefined;
  private get handoff(): HandoffForm {
    return (this.handoffForm ??= new HandoffForm({
      strings: () => this.text(),
      submit: async (form) => {
        try {
          await this.client.handoff(await this.ensureConversation(), form);
          return true;
        } catch (error) {
          this.noteRateLimit(error);
          return false;
        }
      },
      closed: (sentTo) => {
        const ui = this.ui!;
        ui.composer.hidden = false;
        ui.footer.hidden = false;
        if (sentTo) this.appendToLog(h("p", { class: "note", role: "status" }, handoffSentText(this.text(), sentTo)));
        ui.input.focus();
      },
    }));
  }

  private build() {
    const s = this.text();
    const shadow = this.attachShadow({ mode: "open" });
    if ("adoptedStyleSheets" in shadow && typeof CSSStyleSheet === "function" && "replaceSync" in CSSStyleSheet.prototype) {
      // A constructed sheet: allowed by pages whose CSP forbids inline <style>.
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(STYLES);
      shadow.adoptedStyleSheets = [sheet];
    } else shadow.append(h("style", {}, STYLES));

    const launcher = h("button", { type: "button", class: "launcher", "aria-expanded": "false", "aria-controls": "ld-panel", "aria-label": s.openChat }, icon(ICONS.chat));
    const avatar = h("img", { class: "avatar", alt: "", hidden: true });
    const title = h("h2", { id: "ld-title" });
    const restart = h("button", { type: "button", class: "icon-button restart" }, icon(ICONS.restart));
    const closeButton = h("button", { type: "button", class: "icon-button close" }, icon(ICONS.close));
    const log = h("div", { class: "log", role: "log", "aria-live": "polite", "aria-labelledby": "ld-title", tabindex: "0" });
    const status = h("div", { class: "status", role: "status", "aria-live": "polite" });
    const input = h("textarea", { id: "ld-input", rows: "1", maxlength: "2000", autocomplete: "off" });
    const send = h("button", { type: "submit", class: "send" }, icon(ICONS.send));
    const inputLabel = h("label", { class: "sr-only", for: "ld-input" });
    const composer = h("form", { class: "composer" }, inputLabel, input, send);
    const talk = h("button", { type: "button", class: "talk" });
    const footer = h("div", { class: "footer" }, talk);
    const panel = h(
      "section",
      { class: "panel", id: "ld-panel", role: "dialog", "aria-labelledby": "ld-title", hidden: true },
      h("header", {}, avatar, title, restart, closeButton),
      log,
      status,
      composer,
      footer,
    );
    const root = h("div", { class: "root" }, panel, launcher);
    shadow.append(root);

    launcher.addEventListener("click", () => (this.isOpen ? this.close() : this.open()));
    closeButton.addEventListener("click", () => this.close());
    restart.addEventListener("click", () => this.restart());
    talk.addEventListener("click", () => this.openHandoff());
    panel.addEventListener("keydown", (event) => {
      if (event.key === "Escape") this.close();
    });
    composer.addEventListener("submit", (event) => {
      event.preventDefault();
      const question = input.value;
      input.value = "";
      this.autosize(input);
      void this.ask(question);
    });
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        composer.requestSubmit();
      }
    });
    input.addEventListener("input", () => this.autosize(input));
    addEventListener("online", () => this.setStatus(""));
    return { root, launcher, panel, avatar, title, restart, closeButton, log, status, input, inputLabel, send, composer, talk, footer };
  }

  private applyAttributes(): void {
    const ui = this.ui!;
    const s = this.text();
    const dir = this.getAttribute("data-dir") || document.documentElement.dir || "ltr";
    const lang = this.getAttribute("data-lang") || document.documentElement.lang || "";
    ui.root.setAttribute("dir", dir === "rtl" ? "rtl" : dir === "auto" ? "auto" : "ltr");
    if (lang) ui.root.setAttribute("lang", lang);
    ui.root.classList.toggle("left", this.getAttribute("data-position") === "bottom-left");
    const accent = this.getAttribute("data-accent");
    if (accent) ui.root.style.setProperty("--ld-accent", accent);
    else ui.root.style.removeProperty("--ld-accent");
    const avatar = this.getAttribute("data-avatar");
    ui.avatar.hidden = !avatar;
    if (avatar) ui.avatar.src = new URL(avatar, document.baseURI).href;
    ui.title.textContent = s.title;
    ui.launcher.setAttribute("aria-label", this.isOpen ? s.closeChat : s.openChat);
    for (const [button, label] of [[ui.restart, s.newConversation], [ui.closeButton, s.closeChat]] as const) {
      button.setAttribute("aria-label", label);
      button.title = label;
    }
    ui.inputLabel.textContent = s.inputLabel;
    ui.input.placeholder = s.inputPlaceholder;
    ui.send.setAttribute("aria-label", s.send);
    ui.talk.textContent = s.talkToHuman;
  }

  private botMessage(): BotMessage {
    return new BotMessage({
      strings: () => this.text(),
      vote: async (turnId, vote) => {
        try {
          await this.client.feedback(this.conversationId!, turnId, vote);
          return true;
        } catch (error) {
          this.noteRateLimit(error);
          return false;
        }
      },
      talkToHuman: () => this.openHandoff(),
    });
  }

  private appendToLog(...nodes: Node[]): void {
    this.ui!.log.append(...nodes);
    this.scrollToEnd();
  }

  /** Keeps the newest text (and an answer's sources and buttons) in view. */
  private scrollToEnd(): void {
    const log = this.ui!.log;
    log.scrollTop = log.scrollHeight;
  }

  private async showHistory(): Promise<void> {
    this.historyShown = true;
    const greeting = h("div", { class: "msg bot greeting" }, h("div", { class: "bubble", dir: "auto" }, this.text().greeting));
    this.appendToLog(greeting);
    if (!this.conversationId) return;
    try {
      const turns = await this.client.history(this.conversationId);
      this.ui!.log.replaceChildren(greeting);
      for (const turn of turns) this.appendToLog(this.historyTurn(turn));
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) this.forgetConversation();
      else this.historyShown = false; // try again at the next open
    }
  }

  private historyTurn(turn: HistoryTurn): HTMLElement {
    if (turn.role === "user") {
      return h("div", { class: "msg user" }, h("span", { class: "sr-only" }, this.text().you), h("div", { class: "bubble", dir: "auto" }, turn.text));
    }
    const message = this.botMessage();
    message.answer(turn.text, turn.sources, turn.id, { noAnswer: turn.outcome === "abstained", handoff: turn.outcome === "handoff", related: turn.related ?? [] });
    return message.el;
  }

  private async answer(text: string, bot: BotMessage, user: HTMLElement): Promise<void> {
    let networkFailures = 0;
    for (let attempt = 0; ; attempt++) {
      try {
        const id = await this.ensureConversation();
        let streamed = "";
        let abstention: Extract<AnswerEvent, { type: "abstained" }> | undefined;
        const final = await this.client.ask(
          id,
          text,
          (event) => {
            if (event.type === "token") {
              bot.stream((streamed += event.text));
              this.scrollToEnd();
            } else if (event.type === "abstained") abstention = event;
          },
          this.aborter.signal,
        );
        this.setStatus("");
        this.finish(final, bot, abstention);
        this.scrollToEnd();
        return;
      } catch (error) {
        if (this.aborter.signal.aborted) return;
        if (error instanceof ApiError) {
          if (error.status === 404 && error.code === "CONVERSATION_NOT_FOUND" && attempt === 0) {
            this.forgetConversation();
            continue;
          }
          if (error.status === 429) {
            // Not asked: the question goes back into the box, to send once the wait is over.
            user.remove();
            bot.el.remove();
            this.ui!.input.value = text;
            this.noteRateLimit(error);
            return;
          }
          bot.fail(() => void this.retry(text, bot, user));
          return;
        }
        // The network failed (offline, or the stream broke off): the server dropped the unfinished answer, so ask again once connected.
        // Failing again while the server is up is no network trouble: most likely the server refuses this page's origin.
        if (networkFailures++ > 0 && (await this.client.health())) {
          console.error(`llamadesk widget: requests to ${this.client.base} fail while the server is up: is ${location.origin} listed in web.origins of its config?`);
          bot.fail(() => void this.retry(text, bot, user));
          return;
        }
        bot.thinking();
        await this.waitForConnection();
      }
    }
  }

  private async retry(text: string, bot: BotMessage, user: HTMLElement): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    this.updateSend();
    bot.thinking();
    try {
      await this.answer(text, bot, user);
    } finally {
      this.busy = false;
      this.updateSend();
    }
  }

  /** Shows the final event; a handoff after an abstention (`abstention`) shows both messages, as the stored turn has them. */
  private finish(event: AnswerEvent, bot: BotMessage, abstention?: Extract<AnswerEvent, { type: "abstained" }>): void {
    switch (event.type) {
      case "done":
        bot.answer(event.answer, event.sources, event.turnId, { related: event.related ?? [] });
        break;
      case "abstained":
        bot.answer(event.message, event.sources, event.turnId, { noAnswer: true });
        break;
      case "handoff":
        if (event.message === "") {
          bot.el.replaceWith(h("p", { class: "note" }, this.text().awaitingHuman));
        } else {
          // As the server stores it (abstentionWithHandoff.ts, which the widget cannot import): a blank line between.
          const text = abstention ? `${abstention.message}\n\n${event.message}` : event.message;
          bot.answer(text, abstention?.sources ?? [], undefined, { handoff: true });
          this.openHandoff();
        }
        break;
      case "error":
        bot.fail();
        break;
    }
  }

  private async ensureConversation(): Promise<string> {
    if (!this.conversationId) {
      this.conversationId = await this.client.createConversation();
      this.storage.set(this.conversationId);
    }
    return this.conversationId;
  }

  private forgetConversation(): void {
    this.conversationId = undefined;
    this.storage.remove();
  }

  private restart(): void {
    if (this.busy) return;
    this.forgetConversation();
    this.ui!.log.replaceChildren();
    this.historyShown = false;
    void this.showHistory();
    this.ui!.input.focus();
  }

  /** Shows the handoff form (created on first use) in place of the message box. */
  private openHandoff(): void {
    const ui = this.ui!;
    if (!this.handoff.el.isConnected) ui.composer.before(this.handoff.el);
    ui.composer.hidden = true;
    ui.footer.hidden = true;
    this.handoff.open(this.lastQuestion);
  }

  /** Waits until the server answers again: backs off from 1 s to 15 s, and tries at once when the browser is back online. */
  private async waitForConnection(): Promise<void> {
    for (let delay = 1000; ; delay = Math.min(delay * 2, 15_000)) {
      this.setStatus(navigator.onLine ? this.text().reconnecting : this.text().offline);
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          removeEventListener("online", done);
          resolve();
        };
        const timer = setTimeout(done, delay);
        addEventListener("online", done);
      });
      if (this.aborter.signal.aborted) return;
      if (await this.client.health()) {
        this.setStatus("");
        return;
      }
    }
  }

  private noteRateLimit(error: unknown): void {
    if (!(error instanceof ApiError) || error.status !== 429) return;
    this.rateLimitedUntil = Date.now() + Math.max(1, error.retryAfter) * 1000;
    clearInterval(this.rateTimer);
    const tick = () => {
      const left = Math.ceil((this.rateLimitedUntil - Date.now()) / 1000);
      if (left <= 0) {
        clearInterval(this.rateTimer);
        this.setStatus("");
      } else this.setStatus(format(this.text().rateLimited, { seconds: left }));
      this.updateSend();
    };
    tick();
    this.rateTimer = setInterval(tick, 1000);
  }

  private setStatus(message: string): void {
    if (this.ui && this.ui.status.textContent !== message) this.ui.status.textContent = message;
  }

  private updateSend(): void {
    this.ui!.send.disabled = this.busy || Date.now() < this.rateLimitedUntil;
  }

  private autosize(input: HTMLTextAreaElement): void {
    input.style.height = "auto";
    input.style.height = `${Math.min(input.scrollHeight, 120)}px`;
  }
}

/** Registers `<llamadesk-widget>` (once). */
export function defineLlamadeskWidget(name = "llamadesk-widget"): void {
  if (!customElements.get(name)) customElements.define(name, LlamadeskWidget);
}
