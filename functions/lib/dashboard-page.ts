import { createHash } from 'node:crypto';
import { DASHBOARD_SCRIPT } from './dashboard-script.js';

/** One stylesheet, readable on a phone: below 40em each mailbox row becomes a card with labelled fields. */
const STYLE = `
:root{color-scheme:light dark;--ok:#1a7f37;--warn:#9a6700;--bad:#cf222e;--line:#d0d7de;--muted:#57606a}
@media (prefers-color-scheme:dark){:root{--ok:#3fb950;--warn:#d29922;--bad:#f85149;--line:#30363d;--muted:#8b949e}}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;padding:1rem;max-width:80rem}
h1{font-size:1.4rem;margin:.2rem 0}h2{font-size:1.1rem;margin:1.5rem 0 .3rem}code{font-size:.9em;word-break:break-all}
#status{color:var(--muted);margin:.2rem 0 1rem}#status.bad{color:var(--bad);font-weight:600}
.table-wrap{overflow-x:auto}table{border-collapse:collapse;width:100%}
th,td{border-bottom:1px solid var(--line);padding:.35rem .5rem;text-align:left;vertical-align:top}
thead th{font-size:.85rem;color:var(--muted)}.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
tbody th{font-weight:500;overflow-wrap:anywhere;min-width:10em}.to,.current,.budget{color:var(--muted)}.current,.budget{display:block;white-space:normal;overflow-wrap:anywhere}
.state-completed .state{color:var(--ok)}.state-completed-with-issues .state{color:var(--warn)}.state-failed .state,.state-interrupted .state{color:var(--bad);font-weight:600}
.state-running .state{font-weight:600}.errors{margin:0;padding-left:1.1rem}.errors li{overflow-wrap:anywhere}.fix{color:var(--muted)}
.pager{margin:.4rem 0}.pager a{margin-right:.6rem}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
@media (max-width:40em){thead{display:none}table,tbody,tr,th,td{display:block}tr{border:1px solid var(--line);border-radius:6px;margin:.6rem 0;padding:.3rem}
th,td{border:0;padding:.15rem .3rem}td::before{content:attr(data-label) ": ";color:var(--muted)}.num{text-align:left}td:empty{display:none}}
`;

const hash = (text: string): string => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/**
 * Only this page's own script and style run (by hash); data is fetched from this app only; no
 * frame may embed it; no form, base or plugin. A folder name that smuggled markup past the script
 * would still find nothing allowed to run.
 */
export const DASHBOARD_CSP = `default-src 'none'; script-src ${hash(DASHBOARD_SCRIPT)}; style-src ${hash(STYLE)}; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;

/** Headers of both dashboard answers: no caching (live, and the key is in the page's address), no sniffing, no referrer. */
export const DASHBOARD_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
} as const;

/** The page itself is static: everything shown comes from the data endpoint, as text. */
export const DASHBOARD_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>mailmig — live migration dashboard</title>
<style>${STYLE}</style></head>
<body><header><h1>Mailbox migration — live</h1>
<p id="status">Loading…</p></header>
<main id="batches"></main>
<noscript><p>This page needs JavaScript; GET <code>dashboard/data</code> gives the same as JSON, <code>mailmig status</code> on a terminal.</p></noscript>
<script>${DASHBOARD_SCRIPT}</script>
</body></html>
`;
