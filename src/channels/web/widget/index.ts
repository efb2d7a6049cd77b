/**
 * The widget for apps with a bundler: `import { mountWidget } from "llamadesk/widget"`. Importing it has no
 * side effects; `mountWidget` (or `defineLlamadeskWidget` and your own `<llamadesk-widget>` tag) puts it on the page.
 */
import { defineLlamadeskWidget, LlamadeskWidget } from "./LlamadeskWidget.js";
import type { WidgetStrings } from "./strings.js";

export { defineLlamadeskWidget, LlamadeskWidget, WIDGET_ATTRIBUTES } from "./LlamadeskWidget.js";
export { DEFAULT_STRINGS, type WidgetStrings } from "./strings.js";

export interface MountWidgetOptions {
  /** The llamadesk server, e.g. `"https://support.example.com"`. */
  url: string;
  /** Panel heading. Defaults to "Support". */
  title?: string;
  /** First message of a new conversation. Defaults to `DEFAULT_STRINGS.greeting`. */
  greeting?: string;
  /** Accent colour (any CSS colour). Defaults to `#0b62c4`. */
  accent?: string;
  /** Defaults to `"bottom-right"`. */
  position?: "bottom-right" | "bottom-left";
  /** Image URL shown in the header. Defaults to none. */
  avatar?: string;
  /** Language tag of the strings. Defaults to the page's `<html lang>`. */
  lang?: string;
  /** Text direction. Defaults to the page's `<html dir>`, else `"ltr"`. */
  dir?: "ltr" | "rtl" | "auto";
  /** Open the panel at once. Defaults to `false`. */
  open?: boolean;
  /** Any visible string, replaced (i18n). Defaults to `DEFAULT_STRINGS`. */
  strings?: Partial<WidgetStrings>;
  /** Where the element is added. Defaults to `document.body`. */
  container?: HTMLElement;
}

/** Adds a configured `<llamadesk-widget>` to the page and returns it (`.open()`, `.close()`, `.ask(text)`, `.remove()`). */
export function mountWidget(options: MountWidgetOptions): LlamadeskWidget {
  defineLlamadeskWidget();
  const widget = document.createElement("llamadesk-widget") as unknown as LlamadeskWidget;
  const attributes: Record<string, string | undefined> = {
    "data-llamadesk-url": options.url,
    "data-title": options.title,
    "data-greeting": options.greeting,
    "data-accent": options.accent,
    "data-position": options.position,
    "data-avatar": options.avatar,
    "data-lang": options.lang,
    "data-dir": options.dir,
    "data-open": options.open ? "" : undefined,
  };
  for (const [name, value] of Object.entries(attributes)) if (value !== undefined) widget.setAttribute(name, value);
  if (options.strings) widget.strings = options.strings;
  (options.container ?? document.body).append(widget);
  return widget;
}
