using System.Security.Cryptography;
using System.Text;

namespace AuthApiTemplate.Usage;

/// <summary>
/// <c>/usage/dashboard</c>: one self-contained page (no CDN, charts drawn as SVG by hand) that polls the
/// analytics routes for the chosen range (last hour, 24 hours, 7 days, 30 days) with the visitor's credentials: the session cookie if any, or a bearer token or API key
/// pasted into the page and kept in this tab's sessionStorage only.
/// </summary>
public static class UsageDashboard
{
    private const string Script = """
        'use strict';
        const $ = (id) => document.getElementById(id);
        const store = window.sessionStorage;
        const ns = 'http://www.w3.org/2000/svg';
        // Each range asks /usage/stats for about 60 to 170 points: minute rollups for the last hour, hourly ones past a day.
        const ranges = {
          '1h': { seconds: 3600, interval: 60, title: 'Last hour', bucket: 'minute' },
          '24h': { seconds: 86400, interval: 900, title: 'Last 24 hours', bucket: '15 min' },
          '7d': { seconds: 7 * 86400, interval: 3600, title: 'Last 7 days', bucket: 'hour' },
          '30d': { seconds: 30 * 86400, interval: 21600, title: 'Last 30 days', bucket: '6 hours' },
        };
        let range = ranges[store.getItem('usage.range')] ? store.getItem('usage.range') : '24h';
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
        const count = (value) => value >= 100 || Number.isInteger(value) ? value.toFixed(0) : value.toFixed(2);
        const two = (n) => String(n).padStart(2, '0');
        const clock = (date) => two(date.getHours()) + ':' + two(date.getMinutes());
        const day = (date) => date.toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
        function setValue(id, value, text) {
          const element = $(id);
          element.dataset.value = String(value);
          element.textContent = text;
        }
        function svg(parent, name, attributes, text) {
          const element = document.createElementNS(ns, name);
          for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
          if (text !== undefined) element.textContent = text;
          parent.appendChild(element);
          return element;
        }
        // Draws values (one per slot, null for none) over [from, to] with a labelled time axis and value axis.
        function chart(id, values, from, to, format, timeLabel) {
          const element = $(id);
          element.replaceChildren();
          const width = 600, height = 150, left = 64, right = 10, top = 10, bottom = 24;
          const plotWidth = width - left - right, plotHeight = height - top - bottom;
          const max = Math.max(0, ...values.filter(v => v !== null));
          const scale = max > 0 ? max : 1;
          const x = (i) => left + (values.length > 1 ? i * plotWidth / (values.length - 1) : plotWidth / 2);
          const y = (v) => top + plotHeight - (v / scale) * plotHeight;
          for (const fraction of [0, 0.5, 1]) {
            const at = top + plotHeight - fraction * plotHeight;
            svg(element, 'line', { x1: left, x2: width - right, y1: at, y2: at, class: 'grid' });
            svg(element, 'text', { x: left - 6, y: at + 4, 'text-anchor': 'end', class: 'axis-y' }, format(fraction * (max > 0 ? max : 0)));
          }
          const ticks = 5;
          for (let i = 0; i < ticks; i++) {
            const time = new Date(from.getTime() + i * (to.getTime() - from.getTime()) / (ticks - 1));
            const anchor = i === 0 ? 'start' : i === ticks - 1 ? 'end' : 'middle';
            svg(element, 'text', { x: left + i * plotWidth / (ticks - 1), y: height - 6, 'text-anchor': anchor, class: 'axis-x' }, timeLabel(time, i === ticks - 1));
          }
          const points = values.map((v, i) => v === null ? null : [x(i), y(v)]).filter(p => p !== null);
          if (points.length > 1) {
            svg(element, 'polyline', { points: points.map(p => p[0].toFixed(1) + ',' + p[1].toFixed(1)).join(' '), class: 'line' });
          }
          // A lone point, or a short burst among empty slots, would otherwise be an invisible line.
          values.forEach((v, i) => {
            if (v !== null && v > 0 && (points.length === 1 || values[i - 1] === 0 || values[i + 1] === 0 || values[i - 1] == null || values[i + 1] == null)) {
              svg(element, 'circle', { cx: x(i).toFixed(1), cy: y(v).toFixed(1), r: 3, class: 'dot' });
            }
          });
          element.dataset.points = String(values.filter(v => v !== null && v > 0).length);
        }
        // The API returns only periods that had requests; every other slot of the window is drawn as zero.
        function slots(series, from, to, interval, pick) {
          const length = Math.max(1, Math.round((to - from) / 1000 / interval));
          const values = new Array(length).fill(0);
          for (const point of series) {
            const index = Math.floor((new Date(point.time).getTime() - from.getTime()) / 1000 / interval + 1e-6);
            if (index >= 0 && index < length) values[index] = pick(point);
          }
          return values;
        }
        function rows(id, items, cells) {
          $(id).replaceChildren(...items.map(item => {
            const tr = document.createElement('tr');
            for (const cell of cells(item)) {
              const td = document.createElement('td');
              if (cell instanceof Node) td.appendChild(cell); else td.textContent = cell;
              tr.appendChild(td);
            }
            return tr;
          }));
        }
        function consumer(row) {
          if (!row.name) return row.consumer;
          const cell = document.createDocumentFragment();
          const name = document.createElement('span');
          name.className = 'name';
          name.textContent = row.name;
          const id = document.createElement('small');
          id.className = 'id';
          id.textContent = row.consumer;
          cell.append(name, ' ', id);
          return cell;
        }
        async function refreshRealtime() {
          const rt = await get('realtime');
          setValue('rt-requests', rt.totalRequests, String(rt.totalRequests));
          setValue('rt-rps', rt.requestsPerSecond, rt.requestsPerSecond.toFixed(2));
          setValue('rt-error-rate', rt.errorRate, pct(rt.errorRate));
          setValue('rt-p95', rt.p95Ms, ms(rt.p95Ms));
          const from = new Date(rt.from), to = new Date(rt.to);
          const ago = (time, last) => last ? 'now' : '-' + Math.round((to - time) / 1000) + ' s';
          chart('chart-rps', slots(rt.series, from, to, 1, p => p.requests), from, to, count, ago);
          chart('chart-errors', slots(rt.series, from, to, 1, p => p.requests ? p.errors / p.requests : 0), from, to, pct, ago);
          chart('chart-p95', slots(rt.series, from, to, 1, p => p.p95Ms), from, to, ms, ago);
        }
        async function refreshWindow() {
          const chosen = range, r = ranges[chosen];
          const to = new Date();
          const from = new Date(to.getTime() - r.seconds * 1000);
          const span = 'from=' + encodeURIComponent(from.toISOString()) + '&to=' + encodeURIComponent(to.toISOString());
          const [stats, endpoints, users] = await Promise.all([
            get('stats?' + span + '&interval=' + r.interval + '&statusClasses=true'),
            get('endpoints?top=10&' + span),
            get('users?top=10&' + span),
          ]);
          if (chosen !== range) return;
          setValue('total-requests', stats.totalRequests, String(stats.totalRequests));
          setValue('error-rate', stats.errorRate, pct(stats.errorRate));
          setValue('p50', stats.p50Ms, ms(stats.p50Ms));
          setValue('p95', stats.p95Ms, ms(stats.p95Ms));
          setValue('p99', stats.p99Ms, ms(stats.p99Ms));
          const classes = stats.statusClasses || {};
          for (const name of ['2xx', '3xx', '4xx', '5xx']) {
            const n = classes[name] || 0;
            setValue('class-' + name, n, String(n));
            $('class-' + name + '-bar').style.width = (stats.totalRequests ? 100 * n / stats.totalRequests : 0) + '%';
          }
          const label = r.seconds > 86400 ? (time) => day(time) : (time) => clock(time);
          const series = stats.series || [];
          chart('chart-window', slots(series, from, to, r.interval, p => p.requests), from, to, count, label);
          chart('chart-window-errors', slots(series, from, to, r.interval, p => p.errorRate), from, to, pct, label);
          chart('chart-window-p95', slots(series, from, to, r.interval, p => p.p95Ms), from, to, ms, label);
          rows('endpoints', endpoints, e => [e.method, e.route, String(e.count), pct(e.errorRate), ms(e.p50Ms), ms(e.p95Ms), ms(e.p99Ms)]);
          rows('users', users, u => [consumer(u), String(u.count), pct(u.errorRate), new Date(u.lastSeen).toLocaleString()]);
          document.body.dataset.window = chosen;
        }
        function showRange() {
          const r = ranges[range];
          $('window-title').textContent = r.title;
          $('window-requests-title').textContent = 'Requests per ' + r.bucket;
          $('window-errors-title').textContent = 'Error rate per ' + r.bucket;
          $('window-p95-title').textContent = 'p95 latency per ' + r.bucket;
          for (const button of document.querySelectorAll('#ranges button')) button.setAttribute('aria-pressed', String(button.dataset.range === range));
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
        for (const button of document.querySelectorAll('#ranges button')) {
          button.addEventListener('click', () => {
            range = button.dataset.range;
            store.setItem('usage.range', range);
            delete document.body.dataset.window;
            showRange();
            refreshWindow().catch((error) => { if (error.message !== 'unauthorized') $('status').textContent = 'Update failed: ' + error.message; });
          });
        }
        showRange();
        tick(refreshRealtime, 1000);
        tick(refreshWindow, 10000);
        """;

    private const string Style = """
        body { font: 14px system-ui, sans-serif; margin: 1.5rem auto; max-width: 1240px; padding: 0 1.5rem; color: #1d2430; background: #f7f8fa; }
        h1 { font-size: 1.4rem; margin-bottom: .2rem; } h2 { font-size: 1.05rem; margin: 1.6rem 0 .6rem; } h3 { font-size: .9rem; margin: .8rem 0 .3rem; color: #3a4453; }
        header { display: flex; flex-wrap: wrap; align-items: baseline; justify-content: space-between; gap: 1rem; }
        .cards { display: flex; flex-wrap: wrap; gap: .75rem; }
        .card { background: #fff; border: 1px solid #dde1e7; border-radius: 6px; padding: .6rem .9rem; min-width: 7rem; color: #5a6473; }
        .card b { display: block; font-size: 1.35rem; color: #1d2430; }
        .charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(360px, 1fr)); gap: .5rem 1rem; }
        svg { background: #fff; border: 1px solid #dde1e7; border-radius: 6px; width: 100%; height: auto; display: block; }
        .line { fill: none; stroke: #2f6fde; stroke-width: 2; } .dot { fill: #2f6fde; } .grid { stroke: #eceff3; }
        text { font-size: 11px; fill: #5a6473; }
        #ranges { display: inline-flex; border: 1px solid #c4cad3; border-radius: 6px; overflow: hidden; }
        #ranges button { font: inherit; border: 0; border-left: 1px solid #c4cad3; background: #fff; padding: .35rem .8rem; cursor: pointer; }
        #ranges button:first-child { border-left: 0; }
        #ranges button[aria-pressed="true"] { background: #2f6fde; color: #fff; }
        .classes .card { min-width: 8rem; } .meter { height: 4px; background: #eceff3; border-radius: 2px; margin-top: .35rem; }
        .meter span { display: block; height: 100%; border-radius: 2px; width: 0; }
        .c2 span { background: #2e9d5b; } .c3 span { background: #6b7b93; } .c4 span { background: #d99a1e; } .c5 span { background: #d04437; }
        table { border-collapse: collapse; background: #fff; width: 100%; } td, th { border: 1px solid #dde1e7; padding: .35rem .6rem; text-align: left; }
        th { background: #f0f2f5; } .name { font-weight: 600; } .id { color: #6b7480; font-family: ui-monospace, monospace; }
        form { margin: 1rem 0; } #status { color: #5a6473; margin: 0; }
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
        <header>
          <div><h1>Usage dashboard</h1><p id="status">Loading…</p></div>
          <nav id="ranges" aria-label="Time range">
            <button type="button" data-range="1h">Last hour</button><button type="button" data-range="24h">24 hours</button><button type="button" data-range="7d">7 days</button><button type="button" data-range="30d">30 days</button>
          </nav>
        </header>
        <form id="signin" hidden>
          <select id="kind"><option value="bearer">Bearer token</option><option value="apikey">API key</option></select>
          <input id="credential" type="password" autocomplete="off" placeholder="token or key with usage:read" size="50">
          <button type="submit">Use</button>
        </form>
        <h2 id="window-title">Last 24 hours</h2>
        <div class="cards">
          <div class="card">Requests<b id="total-requests">–</b></div>
          <div class="card">Error rate<b id="error-rate">–</b></div>
          <div class="card">p50<b id="p50">–</b></div>
          <div class="card">p95<b id="p95">–</b></div>
          <div class="card">p99<b id="p99">–</b></div>
        </div>
        <h3>Responses by status class</h3>
        <div class="cards classes" id="status-classes">
          <div class="card c2">2xx success<b id="class-2xx">–</b><div class="meter"><span id="class-2xx-bar"></span></div></div>
          <div class="card c3">3xx redirect<b id="class-3xx">–</b><div class="meter"><span id="class-3xx-bar"></span></div></div>
          <div class="card c4">4xx client error<b id="class-4xx">–</b><div class="meter"><span id="class-4xx-bar"></span></div></div>
          <div class="card c5">5xx server error<b id="class-5xx">–</b><div class="meter"><span id="class-5xx-bar"></span></div></div>
        </div>
        <div class="charts">
          <div><h3 id="window-requests-title">Requests</h3><svg id="chart-window" viewBox="0 0 600 150" role="img" aria-label="requests over the selected range"></svg></div>
          <div><h3 id="window-errors-title">Error rate</h3><svg id="chart-window-errors" viewBox="0 0 600 150" role="img" aria-label="error rate over the selected range"></svg></div>
          <div><h3 id="window-p95-title">p95 latency</h3><svg id="chart-window-p95" viewBox="0 0 600 150" role="img" aria-label="p95 latency over the selected range"></svg></div>
        </div>
        <h2>Top consumers</h2>
        <table><thead><tr><th>Consumer</th><th>Requests</th><th>Errors</th><th>Last seen</th></tr></thead><tbody id="users"></tbody></table>
        <h2>Top endpoints</h2>
        <table><thead><tr><th>Method</th><th>Route</th><th>Requests</th><th>Errors</th><th>p50</th><th>p95</th><th>p99</th></tr></thead><tbody id="endpoints"></tbody></table>
        <h2>Last 60 seconds</h2>
        <div class="cards">
          <div class="card">Requests<b id="rt-requests">–</b></div>
          <div class="card">Requests/s<b id="rt-rps">–</b></div>
          <div class="card">Error rate<b id="rt-error-rate">–</b></div>
          <div class="card">p95<b id="rt-p95">–</b></div>
        </div>
        <div class="charts">
          <div><h3>Requests per second</h3><svg id="chart-rps" viewBox="0 0 600 150" role="img" aria-label="requests per second"></svg></div>
          <div><h3>Error rate</h3><svg id="chart-errors" viewBox="0 0 600 150" role="img" aria-label="error rate"></svg></div>
          <div><h3>p95 latency</h3><svg id="chart-p95" viewBox="0 0 600 150" role="img" aria-label="p95 latency"></svg></div>
        </div>
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
