import { h } from "./dom.js";
import { format, type WidgetStrings } from "./strings.js";

export interface HandoffFormHooks {
  strings: () => WidgetStrings;
  /** Sends the form; resolves true when the server stored the ticket. */
  submit: (form: { name: string; email: string; message: string }) => Promise<boolean>;
  /** The form closed (sent or cancelled): where focus goes back. */
  closed: (sentTo?: string) => void;
}

/** The "Talk to a human" form: name, email, message; native validation, then a ticket on the server. */
export class HandoffForm {
  readonly el: HTMLFormElement;
  private readonly name: HTMLInputElement;
  private readonly email: HTMLInputElement;
  private readonly message: HTMLTextAreaElement;
  private readonly problem: HTMLElement;
  private readonly submitButton: HTMLButtonElement;

  constructor(private readonly hooks: HandoffFormHooks) {
    const s = hooks.strings();
    this.name = h("input", { name: "name", required: true, maxlength: "200", autocomplete: "name" });
    this.email = h("input", { name: "email", type: "email", required: true, maxlength: "320", autocomplete: "email" });
    this.message = h("textarea", { name: "message", required: true, maxlength: "2000", rows: "3" });
    this.problem = h("p", { class: "problem", role: "alert" });
    this.submitButton = h("button", { type: "submit", class: "primary" }, s.handoffSubmit);
    const cancel = h("button", { type: "button", class: "secondary" }, s.handoffCancel);
    this.el = h(
      "form",
      { class: "handoff", "aria-labelledby": "ld-handoff-title", hidden: true },
      h("h3", { id: "ld-handoff-title" }, s.handoffTitle),
      h("p", {}, s.handoffIntro),
      h("label", {}, s.handoffName, this.name),
      h("label", {}, s.handoffEmail, this.email),
      h("label", {}, s.handoffMessage, this.message),
      this.problem,
      h("div", { class: "row" }, cancel, this.submitButton),
    );
    cancel.addEventListener("click", () => this.close());
    this.el.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.stopPropagation();
        this.close();
      }
    });
    this.el.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.send();
    });
  }

  get isOpen(): boolean {
    return !this.el.hidden;
  }

  open(message: string): void {
    this.problem.textContent = "";
    if (!this.message.value) this.message.value = message;
    this.el.hidden = false;
    this.name.focus();
  }

  close(sentTo?: string): void {
    this.el.hidden = true;
    this.hooks.closed(sentTo);
  }

  private async send(): Promise<void> {
    const form = { name: this.name.value.trim(), email: this.email.value.trim(), message: this.message.value.trim() };
    this.submitButton.disabled = true;
    this.problem.textContent = "";
    try {
      if (await this.hooks.submit(form)) {
        this.message.value = "";
        this.close(form.email);
      } else this.problem.textContent = this.hooks.strings().handoffFailed;
    } finally {
      this.submitButton.disabled = false;
    }
  }
}

export function handoffSentText(strings: WidgetStrings, email: string): string {
  return format(strings.handoffSent, { email });
}
