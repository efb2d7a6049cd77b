/**
 * The demo page `/`: a sample product page (Tidepool, the product of the shipped sample FAQ) with the
 * widget embedded exactly as a customer's site would embed it: one script tag.
 */
export function demoPage(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tidepool: your files, everywhere (llamadesk demo)</title>
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
<header><strong>Tidepool</strong><nav><a href="#">Features</a><a href="#">Pricing</a><a href="#">Help</a></nav></header>
<section class="hero"><h1>Your files, on every device</h1><p>Sync, share and roll back any change. Free for 5 GB.</p></section>
<main>
  <div class="card"><h2>Sync</h2><p>Save a file on your laptop; it is on your phone seconds later.</p></div>
  <div class="card"><h2>Version history</h2><p>Go back to any earlier copy for up to three years.</p></div>
  <div class="card"><h2>Teams</h2><p>Shared folders, an admin console and file locking.</p></div>
</main>
<footer>A sample product page: the support widget in the corner answers from the Tidepool FAQ, on this machine.</footer>
<script src="/widget.js" data-title="Tidepool support" data-greeting="Hi! Ask me anything about Tidepool: sync, billing, sharing…" async></script>
</body>
</html>
`;
}
