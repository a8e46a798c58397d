/** The page's style: system fonts only (the page works offline), visible focus, light and dark. */
export const STYLE_CSS = `:root {
  color-scheme: light dark;
  --bg: #fbf6ef;
  --ink: #2d2622;
  --muted: #6f645b;
  --card: #ffffff;
  --line: #eadfd2;
  --accent: #b5562b;
  --accent-ink: #ffffff;
  --good: #2f7d4f;
  --bad: #b42318;
  --spark: #b5562b;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  line-height: 1.45;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #1d1917;
    --ink: #f3ece4;
    --muted: #b3a79b;
    --card: #2a2420;
    --line: #3d3530;
    --accent: #f08a5d;
    --accent-ink: #1d1917;
    --good: #6cc391;
    --bad: #ff8a7a;
    --spark: #f08a5d;
  }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink); }
a { color: var(--accent); }
:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
.skip { position: absolute; left: -999px; top: 0; }
.skip:focus { left: 1rem; top: 1rem; background: var(--card); padding: .5rem 1rem; z-index: 1; }
.top {
  display: flex; align-items: center; justify-content: space-between; gap: 1rem;
  padding: .9rem 1.5rem; border-bottom: 1px solid var(--line); background: var(--card);
}
.top h1 { display: flex; align-items: center; gap: .6rem; margin: 0; font-size: 1.5rem; letter-spacing: .02em; }
.top h1 span { font-weight: 400; color: var(--muted); font-size: 1rem; }
.layout {
  display: grid; grid-template-columns: minmax(0, 1fr) 22rem; gap: 1.5rem;
  max-width: 86rem; margin: 0 auto; padding: 1.25rem 1.5rem;
}
@media (max-width: 60rem) { .layout { grid-template-columns: 1fr; } }
h2 { font-size: 1.1rem; margin: 0 0 .6rem; }
.toolbar { display: flex; align-items: center; justify-content: space-between; flex-wrap: wrap; gap: .75rem; }
.toolbar h2 { margin: 0; font-size: 1.3rem; }
.batch { display: flex; align-items: center; gap: .5rem; }
.grid {
  list-style: none; margin: .5rem 0 0; padding: 0;
  display: grid; grid-template-columns: repeat(auto-fill, minmax(9.5rem, 1fr)); gap: .8rem;
}
.grid figure { margin: 0; }
.grid img {
  display: block; width: 100%; height: auto; aspect-ratio: 1; object-fit: cover;
  border-radius: 14px; background: var(--line); box-shadow: 0 1px 3px rgb(0 0 0 / .12);
}
.grid li.broken img { outline: 2px dashed var(--bad); }
.side { display: flex; flex-direction: column; gap: 1rem; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 14px; padding: 1rem 1.1rem; }
label { display: block; font-weight: 600; font-size: .9rem; margin: .5rem 0 .2rem; }
label small { font-weight: 400; color: var(--muted); }
input, select, button { font: inherit; }
input, select {
  width: 100%; padding: .45rem .6rem; border: 1px solid var(--line); border-radius: 8px;
  background: var(--bg); color: var(--ink);
}
.batch select { width: auto; }
.batch label { margin: 0; }
button {
  cursor: pointer; padding: .45rem .9rem; border-radius: 8px; border: 1px solid var(--accent);
  background: var(--accent); color: var(--accent-ink); font-weight: 600;
}
button.secondary { background: transparent; color: var(--accent); }
#upload-form button { margin-top: .6rem; }
.buttons { display: flex; gap: .5rem; margin-top: .75rem; }
.status { color: var(--muted); min-height: 1.2em; margin: .4rem 0; font-size: .9rem; }
.error {
  color: var(--bad); border-left: 3px solid var(--bad); padding: .3rem .6rem; margin: .6rem 0 0;
  background: color-mix(in srgb, var(--bad) 8%, transparent); border-radius: 4px;
}
.error code { font-size: .8em; opacity: .8; }
.muted { color: var(--muted); font-size: .88rem; margin: 0 0 .6rem; }
.service { border-top: 1px solid var(--line); padding: .6rem 0 .2rem; }
.service h3 { display: flex; justify-content: space-between; align-items: baseline; margin: 0 0 .2rem; font-size: 1rem; }
.replicas { font-weight: 400; color: var(--muted); }
.replicas strong { font-size: 1.5rem; color: var(--good); }
.service dl { margin: 0; }
.metric { display: grid; grid-template-columns: 5rem 4.5rem 1fr; align-items: center; gap: .4rem; font-size: .88rem; }
.metric dt { color: var(--muted); }
.metric dd { margin: 0; font-variant-numeric: tabular-nums; }
.metric .spark { color: var(--spark); justify-self: end; }
.metric svg { display: block; }
.decision { border-top: 1px solid var(--line); padding-top: .6rem; margin: .4rem 0 0; font-size: .9rem; }
.off { color: var(--muted); }
footer { text-align: center; color: var(--muted); font-size: .85rem; padding: 1.5rem; }
`;
