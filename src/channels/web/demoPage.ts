import { DEFAULT_POLICY } from "../../pipeline/AnswerPolicy.js";
import type { WidgetStrings } from "./widget/strings.js";

export interface DemoPageOptions {
  /** The product the bot supports (`policy.product`): the page's name, and the widget's title and greeting. */
  product: string;
  /** Widget strings that win over those (the config file's `web.strings`). Defaults to none. */
  strings?: Partial<WidgetStrings>;
}

/**
 * The demo page `/`: a sample page for the product with the widget embedded exactly as a customer's site would
 * embed it, one script tag. Everything from the config is escaped: it is text, never markup.
 */
export function demoPage(options: DemoPageOptions): string {
  const named = options.product !== DEFAULT_POLICY.product;
  const name = named ? options.product : "Your product";
  const strings: Partial<WidgetStrings> = {
    ...(named ? { title: `${options.product} support`, greeting: `Hi! Ask me anything about ${options.product}.` } : {}),
    ...options.strings,
  };
  const n = escapeHtml(name);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${n} (llamadesk demo)</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<style>
  body { margin: 0; font: 16px/1.5 system-ui, sans-serif; color: #1d2b36; background: #f5f8fa; }
  header { display: flex; align-items: center; justify-content: space-between; padding: 16px 24px; background: #0b3954; color: #fff; }
  header a { color: #cfe8f7; margin-left: 16px; text-decoration: none; }
  .hero { padding: 56px 24px; text-align: center; background: linear-gradient(#0b3954, #087e8b); color: #fff; }
  .hero h1 { margin: 0 0 8px; font-size: 2.2rem; }
  main { max-width: 960px; margin: 0 auto; padding: 32px 24px; display: grid; gap: 16px; grid-template-columns: repeat(auto-fit, minmax(220px, 1fr)); }
  .card { background: #fff; border-radius: 10px; padding: 20px; box-shadow: 0 1px 3px rgba(0,0,0,.08); }
  footer { text-align: center; padding: 24px; color: #5b6b77; font-size: 14px; }
</style>
</head>
<body>
<header><strong>${n}</strong><nav><a href="#">Features</a><a href="#">Pricing</a><a href="#">Help</a></nav></header>
<section class="hero"><h1>${n}</h1><p>A sample page: the support widget in the corner answers from ${named ? `the ${n} knowledge` : "your knowledge"}, on this machine.</p></section>
<main>
  <div class="card"><h2>Ask a question</h2><p>Open the chat and ask as a customer would: the answer streams in, with its sources.</p></div>
  <div class="card"><h2>Check the sources</h2><p>Every answer links the articles it came from; 👍/👎 tells you which answers help.</p></div>
  <div class="card"><h2>Talk to a human</h2><p>Ask for a person: the form becomes a handoff ticket, stored and sent to your webhook.</p></div>
</main>
<footer>Served by llamadesk serve. Put the widget on your own site with one script tag.</footer>
<script src="/widget.js" data-strings="${escapeHtml(JSON.stringify(strings))}" async></script>
</body>
</html>
`;
}

/** A small speech bubble, served as `/favicon.svg` and `/favicon.ico`. */
export const DEMO_FAVICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect x="2" y="3" width="28" height="20" rx="6" fill="#0b62c4"/><path d="M9 22v7l7-7z" fill="#0b62c4"/><circle cx="10" cy="13" r="2" fill="#fff"/><circle cx="16" cy="13" r="2" fill="#fff"/><circle cx="22" cy="13" r="2" fill="#fff"/></svg>`;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
