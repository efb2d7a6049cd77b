/**
 * The widget's CSS, inside its shadow root: page styles cannot reach in, these cannot leak out. `:host`
 * declarations are `!important` because a page's rules on the element itself would otherwise win (and
 * inherited properties such as `font` or `color` would flow in through it). Theme with the CSS custom
 * properties below (they do cross the shadow boundary, on purpose) or the data attributes.
 */
export const STYLES: string = `
:host {
  all: initial !important;
  display: block !important;
  position: fixed !important;
  z-index: var(--llamadesk-z-index, 2147483000) !important;
  bottom: 0 !important;
  right: 0 !important;
  left: auto !important;
  top: auto !important;
  width: 0 !important;
  height: 0 !important;
  overflow: visible !important;
  visibility: visible !important;
  opacity: 1 !important;
  transform: none !important;
  filter: none !important;
}
.root {
  --ld-accent: var(--llamadesk-accent, #0b62c4);
  --ld-on-accent: var(--llamadesk-accent-contrast, #ffffff);
  --ld-bg: var(--llamadesk-background, #ffffff);
  --ld-fg: var(--llamadesk-text, #1b1f24);
  --ld-muted: var(--llamadesk-muted, #5c6670);
  --ld-bubble: var(--llamadesk-bubble, #f0f3f6);
  --ld-radius: var(--llamadesk-radius, 14px);
  --ld-font: var(--llamadesk-font, system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Helvetica Neue", Arial, sans-serif);
  --ld-width: var(--llamadesk-width, 380px);
  --ld-height: var(--llamadesk-height, 600px);
  --ld-offset: var(--llamadesk-offset, 20px);
  font: 15px/1.45 var(--ld-font);
  color: var(--ld-fg);
  text-align: start;
  letter-spacing: normal;
  word-spacing: normal;
  text-transform: none;
  -webkit-font-smoothing: antialiased;
}
*, *::before, *::after { box-sizing: border-box; }
[hidden] { display: none !important; }
button, input, textarea { font: inherit; color: inherit; letter-spacing: inherit; }
button { cursor: pointer; }
:focus-visible { outline: 3px solid var(--ld-accent); outline-offset: 2px; }
.sr-only { position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }

.launcher {
  position: fixed; bottom: var(--ld-offset); right: var(--ld-offset);
  width: 58px; height: 58px; border-radius: 50%; border: 0; padding: 0;
  display: grid; place-items: center;
  background: var(--ld-accent); color: var(--ld-on-accent);
  box-shadow: 0 6px 20px rgba(0, 0, 0, 0.22);
  transition: transform 0.15s ease;
}
.launcher:hover { transform: scale(1.05); }
.launcher svg { width: 28px; height: 28px; fill: currentColor; }
.left .launcher { right: auto; left: var(--ld-offset); }

.panel {
  position: fixed; bottom: calc(var(--ld-offset) + 70px); right: var(--ld-offset);
  width: min(var(--ld-width), calc(100vw - 2 * var(--ld-offset)));
  height: min(var(--ld-height), calc(100vh - var(--ld-offset) - 100px));
  display: flex; flex-direction: column; overflow: hidden;
  background: var(--ld-bg); border-radius: var(--ld-radius);
  box-shadow: 0 12px 40px rgba(0, 0, 0, 0.25);
}
.left .panel { right: auto; left: var(--ld-offset); }

header { display: flex; align-items: center; gap: 10px; padding: 12px 12px 12px 16px; background: var(--ld-accent); color: var(--ld-on-accent); }
header h2 { flex: 1; margin: 0; font-size: 16px; font-weight: 600; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.avatar { width: 32px; height: 32px; border-radius: 50%; object-fit: cover; background: rgba(255, 255, 255, 0.3); }
.icon-button { width: 36px; height: 36px; border: 0; border-radius: 8px; padding: 0; display: grid; place-items: center; background: transparent; color: inherit; }
.icon-button:hover { background: rgba(255, 255, 255, 0.16); }
.icon-button svg { width: 20px; height: 20px; fill: currentColor; }
header :focus-visible { outline-color: var(--ld-on-accent); }

.log { flex: 1; overflow-y: auto; padding: 16px; display: flex; flex-direction: column; gap: 12px; overscroll-behavior: contain; }
.msg { display: flex; flex-direction: column; max-width: 88%; align-self: flex-start; }
.msg.user { align-self: flex-end; align-items: flex-end; }
.bubble { padding: 9px 13px; border-radius: var(--ld-radius); background: var(--ld-bubble); overflow-wrap: anywhere; }
.user .bubble { background: var(--ld-accent); color: var(--ld-on-accent); white-space: pre-wrap; }
.bubble p { margin: 0 0 8px; }
.bubble p:last-child, .bubble ul:last-child, .bubble ol:last-child, .bubble pre:last-child, .bubble .table:last-child { margin-bottom: 0; }
.bubble .heading { font-weight: 700; }
.bubble ul, .bubble ol { margin: 0 0 8px; padding-inline-start: 20px; }
.bubble code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.9em; background: rgba(0, 0, 0, 0.06); padding: 1px 4px; border-radius: 4px; }
.bubble pre { margin: 0 0 8px; padding: 8px; overflow-x: auto; background: rgba(0, 0, 0, 0.06); border-radius: 6px; }
.bubble pre code { background: none; padding: 0; }
.bubble a { color: var(--ld-accent); }
.bubble .table { overflow-x: auto; margin: 0 0 8px; }
.bubble table { border-collapse: collapse; font-size: 0.9em; }
.bubble th, .bubble td { border: 1px solid rgba(0, 0, 0, 0.15); padding: 3px 6px; text-align: start; }
.thinking .bubble { color: var(--ld-muted); font-style: italic; }
.dots::after { content: ""; animation: dots 1.2s steps(4) infinite; }
@keyframes dots { 0% { content: ""; } 25% { content: "."; } 50% { content: ".."; } 75% { content: "..."; } }
@media (prefers-reduced-motion: reduce) { .dots::after { animation: none; content: "…"; } .launcher { transition: none; } }
.failed .bubble { background: #fdecea; color: #8a1c12; }

.sources { margin: 6px 2px 0; padding: 0; list-style: none; font-size: 13px; color: var(--ld-muted); }
.sources-label { font-size: 12px; font-weight: 600; text-transform: uppercase; letter-spacing: 0.03em; margin: 6px 2px 0; color: var(--ld-muted); }
.sources li { margin: 2px 0; overflow-wrap: anywhere; }
.sources a { color: var(--ld-accent); }
.actions { display: flex; flex-wrap: wrap; align-items: center; gap: 6px; margin-top: 6px; }
.vote { width: 36px; height: 32px; border: 1px solid rgba(0, 0, 0, 0.15); border-radius: 16px; background: var(--ld-bg); color: var(--ld-muted); padding: 0; display: grid; place-items: center; }
.vote svg { width: 16px; height: 16px; fill: currentColor; }
.vote[aria-pressed="true"] { background: var(--ld-accent); border-color: var(--ld-accent); color: var(--ld-on-accent); }
.thanks { font-size: 13px; color: var(--ld-muted); }
.link-button { border: 1px solid var(--ld-accent); color: var(--ld-accent); background: var(--ld-bg); border-radius: 16px; padding: 5px 12px; font-size: 14px; }
.note { align-self: center; max-width: 95%; font-size: 13px; color: var(--ld-muted); text-align: center; }

.status { padding: 8px 16px; font-size: 13px; background: #fff4d6; color: #5a4300; border-top: 1px solid #f0dca0; }
.status:empty { display: none; }

.composer { display: flex; gap: 8px; align-items: flex-end; padding: 10px 12px; border-top: 1px solid rgba(0, 0, 0, 0.1); background: var(--ld-bg); }
.composer textarea { flex: 1; min-height: 40px; max-height: 120px; resize: none; padding: 9px 12px; border: 1px solid rgba(0, 0, 0, 0.22); border-radius: 20px; background: var(--ld-bg); line-height: 1.35; }
.composer textarea:focus-visible { outline-offset: 0; }
.send { flex: none; width: 40px; height: 40px; border: 0; border-radius: 50%; display: grid; place-items: center; background: var(--ld-accent); color: var(--ld-on-accent); padding: 0; }
.send svg { width: 18px; height: 18px; fill: currentColor; }
[dir="rtl"] .send svg { transform: scaleX(-1); }
.send:disabled { opacity: 0.5; cursor: not-allowed; }
.footer { padding: 0 12px 10px; display: flex; justify-content: center; background: var(--ld-bg); }
.footer button { border: 0; background: none; color: var(--ld-muted); font-size: 13px; text-decoration: underline; padding: 4px 8px; }

.handoff { padding: 12px 16px; border-top: 1px solid rgba(0, 0, 0, 0.1); display: flex; flex-direction: column; gap: 8px; background: var(--ld-bg); overflow-y: auto; }
.handoff h3 { margin: 0; font-size: 15px; }
.handoff p { margin: 0; font-size: 13px; color: var(--ld-muted); }
.handoff label { display: flex; flex-direction: column; gap: 2px; font-size: 13px; font-weight: 600; }
.handoff input, .handoff textarea { font-weight: 400; padding: 7px 10px; border: 1px solid rgba(0, 0, 0, 0.22); border-radius: 8px; background: var(--ld-bg); }
.handoff textarea { min-height: 64px; resize: vertical; }
.handoff .row { display: flex; gap: 8px; justify-content: flex-end; }
.primary { border: 0; border-radius: 8px; padding: 8px 14px; background: var(--ld-accent); color: var(--ld-on-accent); font-weight: 600; }
.secondary { border: 1px solid rgba(0, 0, 0, 0.2); border-radius: 8px; padding: 8px 14px; background: var(--ld-bg); }

@media (max-width: 480px) {
  .panel { inset: 0; width: 100%; height: 100%; border-radius: 0; }
  .open .launcher { display: none; }
}
`;
