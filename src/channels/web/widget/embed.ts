/**
 * The script-tag build (`/widget.js`): registers `<llamadesk-widget>` and adds one to the page, configured
 * by the data attributes of its own script tag. `data-llamadesk-url` defaults to where the script came from.
 */
import { defineLlamadeskWidget, WIDGET_ATTRIBUTES } from "./LlamadeskWidget.js";

const script = (document.currentScript as HTMLScriptElement | null) ?? document.querySelector<HTMLScriptElement>("script[data-llamadesk-url]");

function mount(): void {
  if (document.querySelector("llamadesk-widget[data-embedded]")) return; // the tag twice on one page
  const widget = document.createElement("llamadesk-widget");
  widget.setAttribute("data-embedded", "");
  for (const name of WIDGET_ATTRIBUTES) {
    const value = script?.getAttribute(name);
    if (value !== null && value !== undefined) widget.setAttribute(name, value);
  }
  if (!widget.hasAttribute("data-llamadesk-url") && script?.src) widget.setAttribute("data-llamadesk-url", new URL("./", script.src).href);
  document.body.append(widget);
}

defineLlamadeskWidget();
if (document.body) mount();
else document.addEventListener("DOMContentLoaded", mount, { once: true });
