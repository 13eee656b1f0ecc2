#!/usr/bin/env bash
# What authentication and usage tracking cost per request, measured as ratios in one run.
#
#   bash bench/run.sh              # full run: 5 interleaved rounds of 5 s per variant
#   bash bench/run.sh --smoke      # 1 round of 1 s: checks that the bench still starts (CI)
#
# It packs this checkout, installs it into a private template hive, scaffolds two Release apps (one
# with the JWT and API key plugins, one with no auth plugin as the anonymous baseline for /items/{id}),
# starts both on loopback and drives them with wrk, interleaving the variants round by round so that
# a noisy machine affects all of them alike. It prints the median requests/second and the ratios.
set -euo pipefail

rounds=${BENCH_ROUNDS:-5} duration=${BENCH_SECONDS:-5} connections=32
only=${BENCH_ONLY:-}   # e.g. BENCH_ONLY=item runs only the variants whose name contains "item"
if [[ "${1:-}" == "--smoke" ]]; then rounds=1 duration=1; fi

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=$(mktemp -d /tmp/authapi-bench-XXXXXX)
export DOTNET_CLI_HOME="$work/hive" DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
export NUGET_PACKAGES="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
mkdir -p "$DOTNET_CLI_HOME/.nuget/NuGet"
[[ -f "$HOME/.nuget/NuGet/NuGet.Config" ]] && cp "$HOME/.nuget/NuGet/NuGet.Config" "$DOTNET_CLI_HOME/.nuget/NuGet/"

echo "== pack and install into a private hive"
dotnet pack "$repo/TemplatePack.csproj" -c Release -o "$work/artifacts" --artifacts-path "$work/pack-build" >/dev/null
dotnet new install "$work"/artifacts/AuthApi.Templates.*.nupkg >/dev/null

publish() { # name, options...
  local name=$1; shift
  dotnet new authapi -n "$name" -o "$work/$name" --skip-restore "$@" >/dev/null
  dotnet publish "$work/$name/src/$name" -c Release -o "$work/$name/publish" >/dev/null
}
echo "== scaffold and publish (Release)"
publish Secured --apikeys
publish Open --jwt false
publish Tracked --jwt false --usage

key_b64=$(head -c 32 /dev/urandom | base64)
common=(ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning
        RateLimiting__Global__PermitLimit=1000000 ApiKeys__DefaultPermitsPerMinute=1000000)
run_app() { # name, args... (a command of the app, or serving)
  local name=$1; shift
  (cd "$work/$name/publish" && exec env "${common[@]}" Jwt__SigningKey="$key_b64" \
     ConnectionStrings__Default="Data Source=$work/$name.db" dotnet "$name.dll" "$@")
}

echo "== migrate, create a user, a token, a key"
run_app Secured migrate >/dev/null
run_app Open migrate >/dev/null
run_app Secured users create bench@example.com --roles admin >/dev/null 2>&1
token=$(run_app Secured tokens create bench@example.com 2>/dev/null | tail -n1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["accessToken"])')
apikey=$(run_app Secured apikeys create --name bench --scopes '*' 2>/dev/null | tail -n1)

start() { # name, port, database, extra settings...
  local name=$1 port=$2 database=$3; shift 3
  # exec, so that the background job's pid is the server's and cleanup stops it.
  (cd "$work/$name/publish" && exec env "${common[@]}" Jwt__SigningKey="$key_b64" "$@" \
     ConnectionStrings__Default="Data Source=$work/$database.db" dotnet "$name.dll" --urls "http://127.0.0.1:$port") >"$work/$port.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/health/live" >/dev/null && return; sleep 0.2; done
  echo "$name did not start:" >&2; cat "$work/$port.log" >&2; exit 1
}
start Secured 5301 Secured
start Open 5302 Open
# One usage-tracker build, three instances with a database each (each counts only its own requests):
# tracking off, on at sampling 1.0, on at sampling 0.1.
start Tracked 5303 TrackedOff Database__MigrateOnStartup=true Usage__Enabled=false
start Tracked 5304 TrackedAll Database__MigrateOnStartup=true Usage__Enabled=true Usage__SamplingRate=1.0
start Tracked 5305 TrackedTenth Database__MigrateOnStartup=true Usage__Enabled=true Usage__SamplingRate=0.1

item_secured=$(curl -fs -H "X-API-Key: $apikey" -H 'Content-Type: application/json' -d '{"name":"bench"}' http://127.0.0.1:5301/items | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
item_open=$(curl -fs -H 'Content-Type: application/json' -d '{"name":"bench"}' http://127.0.0.1:5302/items | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
new_item() { curl -fs -H 'Content-Type: application/json' -d '{"name":"bench"}' "http://127.0.0.1:$1/items" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'; }
item_off=$(new_item 5303) item_all=$(new_item 5304) item_tenth=$(new_item 5305)

# variant name | url | header
variants=(
  "hello anonymous|http://127.0.0.1:5301/public/hello|"
  "hello jwt|http://127.0.0.1:5301/public/hello|Authorization: Bearer $token"
  "hello apikey|http://127.0.0.1:5301/public/hello|X-API-Key: $apikey"
  "item anonymous|http://127.0.0.1:5302/items/$item_open|"
  "item jwt|http://127.0.0.1:5301/items/$item_secured|Authorization: Bearer $token"
  "item apikey|http://127.0.0.1:5301/items/$item_secured|X-API-Key: $apikey"
  "usage off|http://127.0.0.1:5303/items/$item_off|"
  "usage on 1.0|http://127.0.0.1:5304/items/$item_all|"
  "usage on 0.1|http://127.0.0.1:5305/items/$item_tenth|"
)

# Requests the tracker counted on an instance, read from its own /usage/stats (exact at once: the
# minutes still in memory are merged in).
counted() { curl -fs "http://127.0.0.1:$1/usage/stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["totalRequests"])'; }

if [[ -n "$only" ]]; then
  kept=(); for v in "${variants[@]}"; do [[ "${v%%|*}" == *"$only"* ]] && kept+=("$v"); done; variants=("${kept[@]}")
fi

echo "== warm up"
for v in "${variants[@]}"; do
  IFS='|' read -r name url header <<<"$v"
  wrk -t1 -c"$connections" -d1s ${header:+-H "$header"} "$url" >/dev/null
done

results="$work/results.tsv"
for round in $(seq 1 "$rounds"); do
  for v in "${variants[@]}"; do
    IFS='|' read -r name url header <<<"$v"
    port=${url#http://127.0.0.1:}; port=${port%%/*}
    [[ "$name" == "usage on"* ]] && before=$(counted "$port")
    out=$(wrk -t1 -c"$connections" -d"${duration}s" ${header:+-H "$header"} "$url")
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    if [[ "$name" == "usage on"* ]]; then
      sent=$(awk '/requests in/ {print $1}' <<<"$out")
      lost=$(( sent - ($(counted "$port") - before) ))
      # Requests still in flight when wrk stops are counted by the app but not by wrk: not losses.
      (( lost < 0 )) && lost=0
      printf '%s\t%s\t%s\n' "$round" "$name" "$lost" >>"$work/lost.tsv"
    fi
    non2xx=$(awk '/Non-2xx/ {print $5}' <<<"$out")
    [[ -n "$non2xx" ]] && { echo "$name answered $non2xx non-2xx responses:" >&2; echo "$out" >&2; exit 1; }
    printf '%s\t%s\t%s\n' "$round" "$name" "$rps" >>"$results"
  done
  echo "   round $round of $rounds done"
done

python3 - "$results" "$rounds" "$duration" "$work/lost.tsv" <<'PY'
import os, statistics, sys, collections
path, rounds, duration, lost_path = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
by = collections.defaultdict(list)
for line in open(path):
    _, name, rps = line.rstrip("\n").split("\t")
    by[name].append(float(rps))
med = {k: statistics.median(v) for k, v in by.items()}
print(f"\nMedian requests/s over {rounds} interleaved rounds of {duration} s (wrk, 1 thread, 32 connections)\n")
print(f"| variant | median req/s | runs |")
print(f"|---|---:|---|")
for k, v in by.items():
    print(f"| {k} | {med[k]:.0f} | {', '.join(f'{x:.0f}' for x in v)} |")
print("\n| ratio | value | goal |\n|---|---:|---:|")
for label, a, b, goal in [
    ("JWT / anonymous, /public/hello", "hello jwt", "hello anonymous", 0.75),
    ("API key / anonymous, /public/hello", "hello apikey", "hello anonymous", 0.85),
    ("JWT / anonymous, /items/{id}", "item jwt", "item anonymous", 0.95),
    ("API key / anonymous, /items/{id}", "item apikey", "item anonymous", 0.85),
    ("usage tracker on / off, sampling 1.0, /items/{id}", "usage on 1.0", "usage off", 0.95),
    ("usage tracker on / off, sampling 0.1, /items/{id}", "usage on 0.1", "usage off", 0.95),
]:
    if a in med and b in med:
        print(f"| {label} | {med[a] / med[b]:.3f} | {goal} |")
if os.path.exists(lost_path):
    lost = collections.defaultdict(int)
    for line in open(lost_path):
        _, name, n = line.rstrip("\n").split("\t")
        lost[name] += int(n)
    print("\n| requests sent by wrk but not counted by /usage/stats | lost | goal |\n|---|---:|---:|")
    for name, n in lost.items():
        print(f"| {name} | {n} | 0 |")
PY
