/** The admin console's two pages: sign-in, and the console shell its script fills from `/admin/api/report`. */

export function loginPage(options: { product: string; error?: string }): string {
  return page(
    `Sign in: ${options.product} support insights`,
    `<main class="login">
  <h1>${escapeHtml(options.product)} support insights</h1>
  <form method="post" action="/admin/login">
    <label for="token">Admin token</label>
    <input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
    ${options.error ? `<p class="error" role="alert">${escapeHtml(options.error)}</p>` : ""}
    <button type="submit">Sign in</button>
  </form>
  <p class="hint">The token is the value of <code>LLAMADESK_ADMIN_TOKEN</code> (or of the variable <code>web.admin.tokenEnv</code> names) where <code>llamadesk serve</code> runs.</p>
</main>`,
    false,
  );
}

export function consolePage(options: { product: string; csrf: string }): string {
  const channels = ["web", "slack", "discord", "cli"].map((c) => `<option value="${c}">${c}</option>`).join("");
  return page(
    `${options.product} support insights`,
    `<header>
  <h1>${escapeHtml(options.product)} support insights</h1>
  <nav aria-label="Pages"><a href="#overview" id="nav-overview">Overview</a><a href="#gaps" id="nav-gaps">Gaps</a></nav>
  <form method="post" action="/admin/logout"><input type="hidden" name="csrf" value="${escapeHtml(options.csrf)}"><button type="submit">Sign out</button></form>
</header>
<main id="console" data-csrf="${escapeHtml(options.csrf)}">
  <div class="filters">
    <label for="since">Period</label>
    <select id="since"><option value="7d">Last 7 days</option><option value="30d">Last 30 days</option><option value="90d">Last 90 days</option></select>
    <label for="channel">Channel</label>
    <select id="channel"><option value="">Every channel</option>${channels}</select>
    <p id="status" role="status" aria-live="polite"></p>
  </div>
  <section id="overview" aria-labelledby="overview-title">
    <h2 id="overview-title">Overview</h2>
    <dl id="cards" class="cards"></dl>
    <figure><figcaption id="questions-title">Questions per period, by outcome</figcaption><div id="chart-questions" role="img" aria-labelledby="questions-title"></div></figure>
    <figure><figcaption id="deflection-title">Deflection rate per period (%)</figcaption><div id="chart-deflection" role="img" aria-labelledby="deflection-title"></div></figure>
    <h3>By channel</h3>
    <table id="channels"><thead><tr><th scope="col">Channel</th><th scope="col">Asked</th><th scope="col">Answered</th><th scope="col">Abstained</th><th scope="col">Handed off</th><th scope="col">Deflection</th><th scope="col">Up</th><th scope="col">Down</th></tr></thead><tbody></tbody></table>
  </section>
  <section id="gaps" aria-labelledby="gaps-title" hidden>
    <h2 id="gaps-title">Coverage gaps</h2>
    <p>Questions the bot abstained on, handed off after abstaining, or got a thumbs-down for, grouped by meaning; biggest first.</p>
    <table id="gap-table"><thead><tr><th scope="col">#</th><th scope="col">Conversations</th><th scope="col">Examples</th><th scope="col">Channels</th><th scope="col">Closest entry</th></tr></thead><tbody></tbody></table>
  </section>
</main>`,
    true,
  );
}

function page(title: string, body: string, withScripts: boolean): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
${withScripts ? '<link rel="stylesheet" href="/admin/assets/uplot.css">' : ""}
<link rel="stylesheet" href="/admin/assets/console.css">
</head>
<body>
${body}
${withScripts ? '<script src="/admin/assets/uplot.js"></script>\n<script src="/admin/assets/console.js"></script>' : ""}
</body>
</html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
