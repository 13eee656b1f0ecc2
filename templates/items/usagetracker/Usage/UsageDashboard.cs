using System.Security.Cryptography;
using System.Text;

namespace AuthApiTemplate.Usage;

/// <summary>
/// <c>/usage/dashboard</c>: one self-contained page (no CDN, charts drawn as SVG by hand) that polls the
/// analytics routes with the visitor's credentials: the session cookie if any, or a bearer token or API key
/// pasted into the page and kept in this tab's sessionStorage only.
/// </summary>
public static class UsageDashboard
{
    private const string Script = """
        'use strict';
        const $ = (id) => document.getElementById(id);
        const store = window.sessionStorage;
        function headers() {
          const token = store.getItem('usage.credential');
          if (!token) return {};
          return store.getItem('usage.kind') === 'apikey' ? { 'X-API-Key': token } : { 'Authorization': 'Bearer ' + token };
        }
        async function get(path) {
          const response = await fetch(path, { headers: headers(), credentials: 'same-origin', cache: 'no-store' });
          if (response.status === 401 || response.status === 403) {
            $('signin').hidden = false;
            $('status').textContent = response.status === 401 ? 'Sign in to see usage.' : 'Your credential lacks usage:read / admin.';
            throw new Error('unauthorized');
          }
          if (!response.ok) throw new Error(path + ': ' + response.status);
          return response.json();
        }
        const pct = (rate) => (rate * 100).toFixed(2) + ' %';
        const ms = (value) => value.toFixed(value < 10 ? 2 : 1) + ' ms';
        function setValue(id, value, text) {
          const element = $(id);
          element.dataset.value = String(value);
          element.textContent = text;
        }
        function chart(id, points, format) {
          const svg = $(id);
          const width = 600, height = 120, pad = 4;
          while (svg.firstChild) svg.removeChild(svg.firstChild);
          const max = Math.max(1e-9, ...points.map(p => p.y));
          const step = points.length > 1 ? (width - 2 * pad) / (points.length - 1) : 0;
          const coords = points.map((p, i) => (pad + i * step).toFixed(1) + ',' + (height - pad - (p.y / max) * (height - 2 * pad)).toFixed(1));
          const ns = 'http://www.w3.org/2000/svg';
          const line = document.createElementNS(ns, 'polyline');
          line.setAttribute('points', coords.join(' '));
          line.setAttribute('class', 'line');
          svg.appendChild(line);
          const label = document.createElementNS(ns, 'text');
          label.setAttribute('x', String(width - pad));
          label.setAttribute('y', '14');
          label.setAttribute('text-anchor', 'end');
          label.textContent = 'max ' + format(max === 1e-9 ? 0 : max);
          svg.appendChild(label);
        }
        function rows(id, items, cells) {
          const body = $(id);
          body.replaceChildren(...items.map(item => {
            const tr = document.createElement('tr');
            for (const cell of cells(item)) {
              const td = document.createElement('td');
              td.textContent = cell;
              tr.appendChild(td);
            }
            return tr;
          }));
        }
        async function refreshRealtime() {
          const rt = await get('realtime');
          setValue('rt-requests', rt.totalRequests, String(rt.totalRequests));
          setValue('rt-rps', rt.requestsPerSecond, rt.requestsPerSecond.toFixed(2));
          setValue('rt-error-rate', rt.errorRate, pct(rt.errorRate));
          setValue('rt-p95', rt.p95Ms, ms(rt.p95Ms));
          chart('chart-rps', rt.series.map(p => ({ y: p.requests })), v => v.toFixed(0) + ' req/s');
          chart('chart-errors', rt.series.map(p => ({ y: p.requests ? p.errors / p.requests : 0 })), pct);
          chart('chart-p95', rt.series.map(p => ({ y: p.p95Ms })), ms);
        }
        async function refreshWindow() {
          const to = new Date();
          const from = new Date(to.getTime() - 24 * 3600 * 1000);
          const range = 'from=' + encodeURIComponent(from.toISOString()) + '&to=' + encodeURIComponent(to.toISOString());
          const [stats, endpoints, users] = await Promise.all([
            get('stats?' + range + '&interval=900'),
            get('endpoints?top=10&' + range),
            get('users?top=10&' + range),
          ]);
          setValue('total-requests', stats.totalRequests, String(stats.totalRequests));
          setValue('error-rate', stats.errorRate, pct(stats.errorRate));
          setValue('p50', stats.p50Ms, ms(stats.p50Ms));
          setValue('p95', stats.p95Ms, ms(stats.p95Ms));
          setValue('p99', stats.p99Ms, ms(stats.p99Ms));
          chart('chart-day', (stats.series || []).map(p => ({ y: p.requests / 900 })), v => v.toFixed(2) + ' req/s');
          rows('endpoints', endpoints, e => [e.method, e.route, String(e.count), pct(e.errorRate), ms(e.p50Ms), ms(e.p95Ms), ms(e.p99Ms)]);
          rows('users', users, u => [u.consumer, String(u.count), pct(u.errorRate), new Date(u.lastSeen).toISOString()]);
        }
        async function tick(task, every) {
          try {
            await task();
            $('signin').hidden = true;
            $('status').textContent = 'Updated ' + new Date().toLocaleTimeString();
            document.body.dataset.loaded = 'true';
          } catch (error) {
            if (error.message !== 'unauthorized') $('status').textContent = 'Update failed: ' + error.message;
          }
          setTimeout(() => tick(task, every), every);
        }
        $('signin').addEventListener('submit', (event) => {
          event.preventDefault();
          store.setItem('usage.credential', $('credential').value.trim());
          store.setItem('usage.kind', $('kind').value);
          $('credential').value = '';
          refreshWindow().catch(() => {});
        });
        tick(refreshRealtime, 1000);
        tick(refreshWindow, 10000);
        """;

    private const string Style = """
        body { font: 14px system-ui, sans-serif; margin: 1.5rem; color: #1d2430; background: #f7f8fa; }
        h1 { font-size: 1.3rem; } h2 { font-size: 1rem; margin-top: 1.5rem; }
        .cards { display: flex; flex-wrap: wrap; gap: .75rem; }
        .card { background: #fff; border: 1px solid #dde1e7; border-radius: 6px; padding: .6rem .9rem; min-width: 8rem; }
        .card b { display: block; font-size: 1.3rem; }
        svg { background: #fff; border: 1px solid #dde1e7; border-radius: 6px; width: 100%; max-width: 600px; height: 120px; }
        .line { fill: none; stroke: #2f6fde; stroke-width: 2; } text { font-size: 11px; fill: #5a6473; }
        table { border-collapse: collapse; background: #fff; } td, th { border: 1px solid #dde1e7; padding: .3rem .6rem; text-align: left; }
        form { margin: 1rem 0; } #status { color: #5a6473; }
        """;

    private static readonly string ScriptHash = Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(Script)));

    private static readonly string Html = $$"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Usage dashboard</title>
        <link rel="icon" href="data:,">
        <style>{{Style}}</style>
        </head>
        <body>
        <h1>Usage dashboard</h1>
        <p id="status">Loading…</p>
        <form id="signin" hidden>
          <select id="kind"><option value="bearer">Bearer token</option><option value="apikey">API key</option></select>
          <input id="credential" type="password" autocomplete="off" placeholder="token or key with usage:read" size="50">
          <button type="submit">Use</button>
        </form>
        <h2>Last 60 seconds</h2>
        <div class="cards">
          <div class="card">Requests<b id="rt-requests">–</b></div>
          <div class="card">Requests/s<b id="rt-rps">–</b></div>
          <div class="card">Error rate<b id="rt-error-rate">–</b></div>
          <div class="card">p95<b id="rt-p95">–</b></div>
        </div>
        <h2>Requests per second</h2><svg id="chart-rps" viewBox="0 0 600 120" role="img" aria-label="requests per second"></svg>
        <h2>Error rate</h2><svg id="chart-errors" viewBox="0 0 600 120" role="img" aria-label="error rate"></svg>
        <h2>p95 latency</h2><svg id="chart-p95" viewBox="0 0 600 120" role="img" aria-label="p95 latency"></svg>
        <h2>Last 24 hours</h2>
        <div class="cards">
          <div class="card">Requests<b id="total-requests">–</b></div>
          <div class="card">Error rate<b id="error-rate">–</b></div>
          <div class="card">p50<b id="p50">–</b></div>
          <div class="card">p95<b id="p95">–</b></div>
          <div class="card">p99<b id="p99">–</b></div>
        </div>
        <svg id="chart-day" viewBox="0 0 600 120" role="img" aria-label="requests per second over 24 hours"></svg>
        <h2>Top endpoints</h2>
        <table><thead><tr><th>Method</th><th>Route</th><th>Requests</th><th>Errors</th><th>p50</th><th>p95</th><th>p99</th></tr></thead><tbody id="endpoints"></tbody></table>
        <h2>Top consumers</h2>
        <table><thead><tr><th>Consumer</th><th>Requests</th><th>Errors</th><th>Last seen</th></tr></thead><tbody id="users"></tbody></table>
        <script>{{Script}}</script>
        </body>
        </html>
        """;

    public static IResult Render(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy =
            $"default-src 'none'; script-src 'sha256-{ScriptHash}'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
        headers.CacheControl = "no-store";
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        return TypedResults.Content(Html, "text/html; charset=utf-8");
    }
}
