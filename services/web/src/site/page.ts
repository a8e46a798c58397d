/**
 * The page's markup. `%ASSETS%` is replaced by the gateway with the folder of this build's
 * assets (`web/<hash>`), so they can be cached for a year and a new build is a new URL.
 * Relative URLs throughout: the page works under a path prefix too.
 */
const counts = Array.from(
  { length: 25 },
  (_, i) => `<option value="${i + 1}"${i + 1 === 25 ? ' selected' : ''}>${i + 1}</option>`,
).join('');

export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>LaaS — Llama as a Service</title>
<meta name="description" content="Random llama pictures, and the system serving them scaling live.">
<link rel="icon" href="%ASSETS%/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="%ASSETS%/style.css">
<script type="module" src="%ASSETS%/app/main.js"></script>
</head>
<body>
<a class="skip" href="#llamas">Skip to the llamas</a>
<header class="top">
  <h1><img src="%ASSETS%/favicon.svg" alt="" width="36" height="36"> LaaS <span>Llama as a Service</span></h1>
  <nav aria-label="API"><a href="openapi.json">API (OpenAPI)</a></nav>
</header>
<main class="layout">
  <section class="gallery" aria-labelledby="gallery-title">
    <div class="toolbar">
      <h2 id="gallery-title">Random llamas</h2>
      <form id="batch-form" class="batch">
        <label for="count">How many</label>
        <select id="count" name="count">${counts}</select>
        <button type="submit">Another batch</button>
      </form>
    </div>
    <p id="batch-status" class="status" role="status" aria-live="polite"></p>
    <p id="batch-error" class="error" role="alert" hidden></p>
    <ul id="llamas" class="grid" aria-label="Llama pictures" tabindex="-1"></ul>
  </section>
  <aside class="side">
    <section class="card" aria-labelledby="account-title">
      <h2 id="account-title">Your account</h2>
      <form id="auth-form" novalidate>
        <label for="email">Email</label>
        <input id="email" name="email" type="email" autocomplete="username" required>
        <label for="password">Password <small>(8 characters or more)</small></label>
        <input id="password" name="password" type="password" autocomplete="current-password" required>
        <div class="buttons">
          <button type="submit" name="action" value="login">Log in</button>
          <button type="submit" name="action" value="register" class="secondary">Register</button>
        </div>
        <p id="auth-error" class="error" role="alert" hidden></p>
      </form>
      <div id="signed-in" hidden>
        <p>Signed in as <strong id="who"></strong></p>
        <button type="button" id="logout" class="secondary">Log out</button>
      </div>
    </section>
    <section class="card" id="upload-card" aria-labelledby="upload-title" hidden>
      <h2 id="upload-title">Add a llama</h2>
      <form id="upload-form" novalidate>
        <label for="upload-url">Picture URL</label>
        <input id="upload-url" name="url" type="url" placeholder="https://…/llama.jpg" required>
        <button type="submit">Add to the catalog</button>
        <p id="upload-error" class="error" role="alert" hidden></p>
        <p id="upload-status" class="status" role="status" aria-live="polite"></p>
      </form>
    </section>
    <section class="card scaling" aria-labelledby="scaling-title">
      <h2 id="scaling-title">Live scaling</h2>
      <p class="muted">Ready replicas, requests per second and p99 latency per service, from Prometheus; the lines are the last 10 minutes.</p>
      <div id="scaling" aria-live="off"><p class="muted">Loading…</p></div>
      <p id="scaling-error" class="error" role="alert" hidden></p>
    </section>
  </aside>
</main>
<footer>LaaS serves random llamas from replicas that come and go with the load. Pictures are drawn by the images service.</footer>
</body>
</html>
`;
