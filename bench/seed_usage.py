#!/usr/bin/env python3
"""Seeds a migrated usage database with N synthetic requests spread over the last D days.

The store ends up as the tracker and its maintenance job leave it: minute rollups for the last 24 hours,
hourly rollups before that, and one raw row per request (sampling 1.0). Histograms use the tracker's
encoding (16 log buckets per doubling of microseconds; (bucket delta, count) pairs as LEB128), so the
analytics routes read and merge exactly what they would read in production.

    seed_usage.py <database> <requests> <days>
"""
import math, random, sqlite3, sys, time
from collections import defaultdict

path, total, days = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(42)
now = int(time.time())
span = days * 86400
minute_cutoff = (now - 86400) // 3600 * 3600   # rows newer than this stay minute rollups

routes = [("GET", "/items/{id}"), ("GET", "/items"), ("POST", "/items"), ("PUT", "/items/{id}"),
          ("DELETE", "/items/{id}"), ("GET", "/public/hello"), ("GET", "/auth/me"), ("POST", "/auth/refresh"),
          ("POST", "/auth/logout"), ("GET", "/me/profile"), ("GET", "/admin/ping"), ("POST", "/me/sensitive"),
          ("GET", "/api-keys"), ("POST", "/api-keys"), ("GET", "/api-keys/{id}"), ("DELETE", "/api-keys/{id}"),
          ("POST", "/api-keys/{id}/rotate"), ("GET", "/openapi/v1.json"), ("GET", "(unmatched)"), ("POST", "(unmatched)")]
weights = [30, 15, 8, 4, 2, 12, 6, 5, 2, 4, 1, 1, 2, 1, 1, 1, 1, 2, 1, 1]
consumers = ["anonymous"] + [f"{rng.getrandbits(128):032x}" for _ in range(150)] + [f"apikey:{rng.getrandbits(128):032x}" for _ in range(50)]

def bucket(ms):
    us = ms * 1000.0
    return 0 if not us >= 1.0 else min(511, int(math.log2(us) * 16))

def varint(value, out):
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)

def encode(histogram):
    out, previous = bytearray(), 0
    for index in sorted(histogram):
        varint(index - previous, out)
        varint(histogram[index], out)
        previous = index
    return bytes(out)

def period(ts):
    return (ts // 60 * 60, 60) if ts >= minute_cutoff else (ts // 3600 * 3600, 3600)

totals = defaultdict(lambda: [0, 0, 0, 0.0, defaultdict(int)])
endpoints = defaultdict(lambda: [0, 0, 0, 0.0, 0, 0, defaultdict(int)])
by_consumer = defaultdict(lambda: [0, 0.0])
raw = []
route_choices = rng.choices(range(len(routes)), weights, k=total)
for i in range(total):
    ts_ms = (now - span) * 1000 + rng.randrange(span * 1000)
    method, route = routes[route_choices[i]]
    status = 404 if route == "(unmatched)" else rng.choices((200, 201, 400, 401, 429, 500), (90, 3, 3, 2, 1, 1))[0]
    duration = rng.lognormvariate(0.5, 0.8)
    consumer = consumers[min(int(rng.paretovariate(1.2)) - 1, len(consumers) - 1)]
    response_bytes = rng.randrange(40, 2000)
    start, seconds = period(ts_ms // 1000)
    b = bucket(duration)
    t = totals[(seconds, start)]
    t[0] += 1; t[1] += 400 <= status < 500; t[2] += status >= 500; t[3] += duration; t[4][b] += 1
    e = endpoints[(seconds, start, method, route)]
    e[0] += 1; e[1] += 400 <= status < 500; e[2] += status >= 500; e[3] += duration; e[5] += response_bytes; e[6][b] += 1
    c = by_consumer[(seconds, start, method, route, status, consumer)]
    c[0] += 1; c[1] += duration
    raw.append((ts_ms, method, route, status, duration, consumer, 0, response_bytes))

db = sqlite3.connect(path)
db.execute("PRAGMA journal_mode = WAL")
db.execute("PRAGMA synchronous = OFF")
with db:
    for table in ("UsageTotals", "UsageEndpointRollups", "UsageConsumerRollups", "UsageRequests"):
        db.execute(f'DELETE FROM "{table}"')
    db.executemany('INSERT INTO "UsageTotals" VALUES (?,?,?,?,?,?,?)',
                   ((s, p, v[0], v[1], v[2], v[3], encode(v[4])) for (s, p), v in totals.items()))
    db.executemany('INSERT INTO "UsageEndpointRollups" ("BucketSeconds","PeriodStart","Method","Route","Requests","ClientErrors","ServerErrors","DurationMsSum","RequestBytes","ResponseBytes","Histogram") VALUES (?,?,?,?,?,?,?,?,?,?,?)',
                   ((s, p, m, r, v[0], v[1], v[2], v[3], v[4], v[5], encode(v[6])) for (s, p, m, r), v in endpoints.items()))
    db.executemany('INSERT INTO "UsageConsumerRollups" ("BucketSeconds","PeriodStart","Method","Route","StatusCode","Consumer","Requests","DurationMsSum") VALUES (?,?,?,?,?,?,?,?)',
                   ((s, p, m, r, st, c, v[0], v[1]) for (s, p, m, r, st, c), v in by_consumer.items()))
    db.executemany('INSERT INTO "UsageRequests" ("Timestamp","Method","Route","StatusCode","DurationMs","Consumer","RequestBytes","ResponseBytes") VALUES (?,?,?,?,?,?,?,?)', raw)
db.close()
print(f"{total} requests over {days} days: {len(totals)} total rollups, {len(endpoints)} endpoint rollups, "
      f"{len(by_consumer)} consumer rollups, {len(raw)} raw rows")
