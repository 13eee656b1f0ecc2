#!/usr/bin/env bash
# What authentication and usage tracking cost, measured as ratios in one run. See BENCHMARKS.md.
#
#   bash bench/run.sh              # everything: ~25 minutes on 2 cores
#   bash bench/run.sh --smoke      # checks that the bench still starts (CI): one app, 1 s of wrk per variant
#
#   BENCH_PARTS="wrk stats micro scaffold"   which parts to run (default: all four)
#   BENCH_ONLY=item                          only the wrk variants whose name contains "item"
#   BENCH_ROUNDS=5 BENCH_SECONDS=5           interleaved wrk rounds, seconds per variant and round
#   BENCH_WARMUP_MAX=30                      most seconds of warm-up per variant (it stops once throughput is steady)
#   BENCH_STATS_REQUESTS=1000000             synthetic requests (over 30 days) behind the /usage timings
#   BENCH_SCAFFOLD_ROUNDS=3                  scaffold + build rounds (after one warm-up round)
#   BENCH_MICRO_FILTER='*Auth*'              which BenchmarkDotNet benchmarks to run
#   BENCH_REPORT=file.md BENCH_KEEP=1        also write the tables to a file; keep the work folder
#
# wrk: it packs this checkout, installs it into a private template hive, scaffolds Release apps (all
# plugins; no auth plugin, the anonymous baseline for /items/{id}; the usage tracker alone, run as three
# instances: off, on at sampling 1.0, on at 0.1), starts them on loopback and drives them with wrk,
# interleaving the variants round by round so that a noisy machine affects all of them alike. It prints
# the median requests/second, the ratios, requests lost by the tracker and the servers' peak working set.
# stats: times /usage/stats and /usage/endpoints over 30 days of synthetic requests on SQLite.
# micro: BenchmarkDotNet (in-process, memory diagnoser) on the tracker's per-request path, the JWT and API key
# validation paths of the all-plugins app, and whole requests through its pipeline on the in-memory test server.
# scaffold: dotnet new authapi (all plugins) + build of the solution, and of its API project alone, against
# dotnet new webapi + build, warm NuGet cache, once with this machine's build settings and once with the
# SDK's defaults (compiler server on).
set -euo pipefail

rounds=${BENCH_ROUNDS:-5} duration=${BENCH_SECONDS:-5} connections=32 warmup_max=${BENCH_WARMUP_MAX:-30}
only=${BENCH_ONLY:-}
parts=" ${BENCH_PARTS:-wrk stats micro scaffold} "
stats_requests=${BENCH_STATS_REQUESTS:-1000000}
scaffold_rounds=${BENCH_SCAFFOLD_ROUNDS:-3}
first_jobs_after=75   # seconds after start by which the apps' first maintenance run is over (see below)
if [[ "${1:-}" == "--smoke" ]]; then rounds=1 duration=1 warmup_max=2 only=${BENCH_ONLY:-hello} parts=" ${BENCH_PARTS:-wrk} " first_jobs_after=0; fi
part() { [[ "$parts" == *" $1 "* ]]; }

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=$(mktemp -d /tmp/authapi-bench-XXXXXX)
export DOTNET_CLI_HOME="$work/hive" DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
export NUGET_PACKAGES="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
pids=()
stop_servers() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done; pids=(); }
cleanup() { stop_servers; if [[ -n "${BENCH_KEEP:-}" ]]; then echo "kept $work"; else rm -rf "$work"; fi; }
trap cleanup EXIT
report="$work/report.md"
: >"$report"
say() { printf '%s\n' "$*" | tee -a "$report"; }

if part wrk; then command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }; fi
mkdir -p "$DOTNET_CLI_HOME/.nuget/NuGet"
[[ -f "$HOME/.nuget/NuGet/NuGet.Config" ]] && cp "$HOME/.nuget/NuGet/NuGet.Config" "$DOTNET_CLI_HOME/.nuget/NuGet/"

say "Machine: $(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), $(awk '/MemTotal/ {printf "%.1f GB", $2/1048576}' /proc/meminfo) RAM, .NET SDK $(dotnet --version), $(date -u +%Y-%m-%dT%H:%MZ), load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

echo "== pack and install into a private hive"
dotnet pack "$repo/TemplatePack.csproj" -c Release -o "$work/artifacts" --artifacts-path "$work/pack-build" >/dev/null
dotnet new install "$work"/artifacts/AuthApi.Templates.*.nupkg >/dev/null

# variant name | app | url path | credential (token or apikey)
all_variants=(
  "hello anonymous|Secured|/public/hello|"
  "hello jwt|Secured|/public/hello|token"
  "hello apikey|Secured|/public/hello|apikey"
  "item anonymous|Open|/items/ITEM|"
  "item jwt|Secured|/items/ITEM|token"
  "item apikey|Secured|/items/ITEM|apikey"
  "usage off|TrackedOff|/items/ITEM|"
  "usage on 1.0|TrackedAll|/items/ITEM|"
  "usage on 0.1|TrackedTenth|/items/ITEM|"
)
variants=()
if part wrk; then
  for v in "${all_variants[@]}"; do [[ -z "$only" || "${v%%|*}" == *"$only"* ]] && variants+=("$v"); done
fi
uses() { local v; for v in "${variants[@]}"; do [[ "$v" == *"|$1"* ]] && return 0; done; return 1; }
need_secured=false need_open=false need_tracked=false
{ uses Secured || part micro; } && need_secured=true
uses Open && need_open=true
{ uses Tracked || part stats; } && need_tracked=true

publish() { # name, options...
  local name=$1; shift
  dotnet new authapi -n "$name" -o "$work/$name" --no-restore "$@" >/dev/null
  dotnet publish "$work/$name/src/$name" -c Release -o "$work/$name/publish" >/dev/null
}
echo "== scaffold and publish (Release)"
$need_secured && publish Secured --google --apikeys --usage   # every plugin (Google in its default JWT mode)
$need_open && publish Open --jwt false
$need_tracked && publish Tracked --jwt false --usage

key_b64=$(head -c 32 /dev/urandom | base64)
# Google's client id and secret only have to look real: outside Development the app refuses placeholders,
# and no request in the bench goes to Google.
common=(ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning
        RateLimiting__Global__PermitLimit=1000000 ApiKeys__DefaultPermitsPerMinute=1000000
        Authentication__Google__ClientId=bench-client.apps.googleusercontent.com Authentication__Google__ClientSecret=bench-client-secret-0f3a)
run_app() { # app, database, args... (a command of the app)
  local name=$1 database=$2; shift 2
  (cd "$work/$name/publish" && exec env "${common[@]}" Jwt__SigningKey="$key_b64" \
     ConnectionStrings__Default="Data Source=$work/$database.db" dotnet "$name.dll" "$@")
}

declare -A port_of pid_of
next_port=5301
start() { # instance, app, database, extra settings...
  local instance=$1 name=$2 database=$3 port=$next_port; shift 3
  next_port=$((next_port + 1)) last_start=$(date +%s)
  # exec, so that the background job's pid is the server's: cleanup stops it, /proc/<pid> is its memory.
  (cd "$work/$name/publish" && exec env "${common[@]}" Jwt__SigningKey="$key_b64" "$@" \
     ConnectionStrings__Default="Data Source=$work/$database.db" dotnet "$name.dll" --urls "http://127.0.0.1:$port") >"$work/$instance.log" 2>&1 &
  pids+=($!)
  port_of[$instance]=$port pid_of[$instance]=$!
  for _ in $(seq 1 150); do curl -fs "http://127.0.0.1:$port/health/live" >/dev/null && return; sleep 0.2; done
  echo "$instance did not start:" >&2; cat "$work/$instance.log" >&2; exit 1
}
json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
new_item() { # instance, curl options...
  local instance=$1; shift
  curl -fs "$@" -H 'Content-Type: application/json' -d '{"name":"bench"}' "http://127.0.0.1:${port_of[$instance]}/items" | json '["id"]'
}

token="" apikey=""
if $need_secured; then
  echo "== migrate, create a user, a token, a key"
  run_app Secured Secured migrate >/dev/null
  run_app Secured Secured users create bench@example.com --roles admin >/dev/null 2>&1
  token=$(run_app Secured Secured tokens create bench@example.com 2>/dev/null | tail -n1 | json '["accessToken"]')
  apikey=$(run_app Secured Secured apikeys create --name bench --scopes '*' 2>/dev/null | tail -n1)
fi
$need_open && run_app Open Open migrate >/dev/null

if part wrk; then
  echo "== start the servers"
  # The auth comparisons run with the tracker off: they measure authentication alone.
  uses Secured && start Secured Secured Secured Usage__Enabled=false
  uses Open && start Open Open Open
  # One usage-tracker build, three instances with a database each (each counts only its own requests).
  uses TrackedOff && start TrackedOff Tracked TrackedOff Database__MigrateOnStartup=true Usage__Enabled=false
  uses TrackedAll && start TrackedAll Tracked TrackedAll Database__MigrateOnStartup=true Usage__Enabled=true Usage__SamplingRate=1.0
  uses TrackedTenth && start TrackedTenth Tracked TrackedTenth Database__MigrateOnStartup=true Usage__Enabled=true Usage__SamplingRate=0.1
  declare -A item_of
  for instance in "${!port_of[@]}"; do
    if [[ $instance == Secured ]]; then item_of[$instance]=$(new_item Secured -H "X-API-Key: $apikey")
    else item_of[$instance]=$(new_item "$instance"); fi
  done

  # Requests the tracker counted on an instance, read from its own /usage/stats (exact at once: the
  # minutes still in memory are merged in).
  counted() { curl -fs "http://127.0.0.1:${port_of[$1]}/usage/stats" | json '["totalRequests"]'; }
  drive() { # variant, seconds -> wrk output
    IFS='|' read -r name instance path credential <<<"$1"
    url="http://127.0.0.1:${port_of[$instance]}${path/ITEM/${item_of[$instance]}}"
    header=""
    [[ $credential == token ]] && header="Authorization: Bearer $token"
    [[ $credential == apikey ]] && header="X-API-Key: $apikey"
    wrk -t1 -c"$connections" -d"$2s" ${header:+-H "$header"} "$url"
  }

  # A fresh server keeps getting faster for tens of seconds (tiered JIT recompiles its hot paths while the load
  # runs), so one short warm-up left the first round well below the others. Each variant is driven in 2 s
  # steps until two steps agree within 5 % (or warmup_max seconds have passed).
  echo "== warm up"
  for v in "${variants[@]}"; do
    previous=0 waited=0
    while (( waited < warmup_max )); do
      rps=$(drive "$v" 2 | awk '/Requests\/sec/ {print int($2)}')
      waited=$((waited + 2))
      if (( previous > 0 )) && (( rps * 100 >= previous * 95 )) && (( rps * 100 <= previous * 105 )); then break; fi
      previous=$rps
    done
    echo "   ${v%%|*}: ${waited} s"
  done

  # The apps' hourly jobs (usage retention, also with the tracker off) first run a minute after start and
  # JIT-compile their queries then: about a second of CPU once, which is start-up work, not a request's
  # cost. Measuring starts after it.
  until_first_jobs_done=$((${last_start:-0} + first_jobs_after - $(date +%s)))
  if (( until_first_jobs_done > 0 )); then
    echo "   waiting $until_first_jobs_done s for the apps' first maintenance run"
    sleep "$until_first_jobs_done"
  fi

  clock_ticks=$(getconf CLK_TCK)
  cpu_ticks() { awk '{print $14 + $15}' "/proc/${pid_of[$1]}/stat"; }
  results="$work/results.tsv" lost="$work/lost.tsv"
  : >"$results"; : >"$lost"
  for round in $(seq 1 "$rounds"); do
    for v in "${variants[@]}"; do
      name=${v%%|*} instance=$(cut -d'|' -f2 <<<"$v")
      [[ "$name" == "usage on"* ]] && before=$(counted "$instance")
      cpu_before=$(cpu_ticks "$instance")
      out=$(drive "$v" "$duration")
      cpu_after=$(cpu_ticks "$instance")
      rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
      sent=$(awk '/requests in/ {print $1}' <<<"$out")
      non2xx=$(awk '/Non-2xx/ {print $5}' <<<"$out")
      [[ -n "$non2xx" ]] && { echo "$name answered $non2xx non-2xx responses:" >&2; echo "$out" >&2; exit 1; }
      if [[ "$name" == "usage on"* ]]; then
        missing=$(( sent - ($(counted "$instance") - before) ))
        # Requests still in flight when wrk stops are counted by the app but not by wrk: not losses.
        (( missing < 0 )) && missing=0
        printf '%s\t%s\t%s\t%s\n' "$round" "$name" "$sent" "$missing" >>"$lost"
      fi
      # The server's own CPU time (user + system) per request: what each variant costs, whatever else the
      # machine was doing during the run (wrk's share and other load are not in it).
      cpu_us=$(python3 -c "import sys; print(f'{(int(sys.argv[2]) - int(sys.argv[1])) * 1e6 / int(sys.argv[3]) / int(sys.argv[4]):.1f}')" \
        "$cpu_before" "$cpu_after" "$clock_ticks" "$sent")
      printf '%s\t%s\t%s\t%s\n' "$round" "$name" "$rps" "$cpu_us" >>"$results"
    done
    echo "   round $round of $rounds done"
  done

  memory="$work/memory.tsv"
  : >"$memory"
  for instance in "${!pid_of[@]}"; do
    printf '%s\t%s\n' "$instance" "$(awk '/VmHWM/ {print $2}' "/proc/${pid_of[$instance]}/status")" >>"$memory"
  done

  python3 - "$results" "$rounds" "$duration" "$connections" "$lost" "$memory" <<'PY' | tee -a "$report"
import statistics, sys, collections
path, rounds, duration, connections, lost_path, memory_path = sys.argv[1:]
by = collections.defaultdict(list)
cpu = collections.defaultdict(list)
for line in open(path):
    _, name, rps, us = line.rstrip("\n").split("\t")
    by[name].append(float(rps))
    cpu[name].append(float(us))
med = {k: statistics.median(v) for k, v in by.items()}
cpu_med = {k: statistics.median(v) for k, v in cpu.items()}
print(f"\n### Throughput: median requests/s over {rounds} interleaved rounds of {duration} s (wrk, 1 thread, {connections} connections)\n")
print("| variant | median req/s | runs | server CPU per request (median) |\n|---|---:|---|---:|")
for k, v in by.items():
    print(f"| {k} | {med[k]:.0f} | {', '.join(f'{x:.0f}' for x in v)} | {cpu_med[k]:.1f} µs |")
print("\n| ratio | value | server CPU per request, without / with | goal |\n|---|---:|---:|---:|")
for label, a, b, goal in [
    ("JWT / anonymous, /public/hello", "hello jwt", "hello anonymous", "≥ 0.75"),
    ("API key / anonymous, /public/hello", "hello apikey", "hello anonymous", "≥ 0.85"),
    ("JWT / anonymous, /items/{id}", "item jwt", "item anonymous", "≥ 0.95"),
    ("API key / anonymous, /items/{id}", "item apikey", "item anonymous", "≥ 0.85"),
    ("usage tracker on / off, sampling 1.0, /items/{id}", "usage on 1.0", "usage off", "≥ 0.95"),
    ("usage tracker on / off, sampling 0.1, /items/{id}", "usage on 0.1", "usage off", "≥ 0.95"),
]:
    if a in med and b in med:
        print(f"| {label} | {med[a] / med[b]:.3f} | {cpu_med[b] / cpu_med[a]:.3f} ({cpu_med[a] - cpu_med[b]:+.1f} µs) | {goal} |")
lost = collections.defaultdict(lambda: [0, 0])
for line in open(lost_path):
    _, name, sent, missing = line.rstrip("\n").split("\t")
    lost[name][0] += int(sent); lost[name][1] += int(missing)
if lost:
    print("\n| requests sent by wrk but not counted by /usage/stats | sent | lost | goal |\n|---|---:|---:|---:|")
    for name, (sent, missing) in lost.items():
        print(f"| {name} | {sent} | {missing} | 0 |")
print("\n| server instance | peak working set (VmHWM) |\n|---|---:|")
for line in sorted(open(memory_path)):
    instance, kb = line.rstrip("\n").split("\t")
    print(f"| {instance} | {int(kb) / 1024:.0f} MB |")
PY
  stop_servers
fi

if part stats; then
  echo "== /usage over $stats_requests synthetic requests in 30 days"
  run_app Tracked Seeded migrate >/dev/null
  seeded=$(python3 "$repo/bench/seed_usage.py" "$work/Seeded.db" "$stats_requests" 30)
  start Seeded Tracked Seeded Usage__Enabled=true
  from=$(date -u -d '30 days ago' +%Y-%m-%dT%H:%M:%SZ) to=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  time_route() { # route -> "first median max" in ms over one cold and 9 warm calls
    local url="http://127.0.0.1:${port_of[Seeded]}$1" times=()
    for _ in $(seq 1 10); do times+=("$(curl -fs -o /dev/null -w '%{time_total}' "$url")"); done
    python3 -c 'import statistics,sys; t=[float(x)*1000 for x in sys.argv[1:]]; print(f"{t[0]:.0f}|{statistics.median(t[1:]):.0f}|{max(t[1:]):.0f}")' "${times[@]}"
  }
  stats_t=$(time_route "/usage/stats?from=$from&to=$to")
  endpoints_t=$(time_route "/usage/endpoints?from=$from&to=$to&top=10")
  total=$(curl -fs "http://127.0.0.1:${port_of[Seeded]}/usage/stats?from=$from&to=$to" | json '["totalRequests"]')
  say ""
  say "### /usage over 30 days on SQLite ($seeded; /usage/stats counts $total)"
  say ""
  say "| route | first call | median of 9 | slowest of 9 | goal |"
  say "|---|---:|---:|---:|---:|"
  IFS='|' read -r a b c <<<"$stats_t"; say "| /usage/stats | $a ms | $b ms | $c ms | ≤ 200 ms |"
  IFS='|' read -r a b c <<<"$endpoints_t"; say "| /usage/endpoints?top=10 | $a ms | $b ms | $c ms | ≤ 200 ms |"
  stop_servers
fi

if part micro; then
  echo "== BenchmarkDotNet: tracker, JWT and API key per-request paths"
  cp -r "$repo/bench/micro" "$work/micro"
  # A fresh access token: the one made before the load test may be near its 15 minutes.
  token=$(run_app Secured Secured tokens create bench@example.com 2>/dev/null | tail -n1 | json '["accessToken"]')
  export BENCH_DB="$work/Secured.db" BENCH_TOKEN="$token" BENCH_APIKEY="$apikey" BENCH_SIGNING_KEY="$key_b64"
  # WebApplicationFactory finds the app's content root through this setting (the bench is not in its solution).
  export BENCH_MICRO_ARTIFACTS="$work/micro-results" ASPNETCORE_TEST_CONTENTROOT_SECURED="$work/Secured/src/Secured"
  dotnet run -c Release --project "$work/micro" -p:AppProject="$work/Secured/src/Secured/Secured.csproj" -- --filter "${BENCH_MICRO_FILTER:-*}" >"$work/micro.log" 2>&1 \
    || { tail -n 60 "$work/micro.log" >&2; exit 1; }
  say ""
  say "### Per-request hot paths (BenchmarkDotNet, in-process, memory diagnoser)"
  for f in "$work"/micro-results/results/*-report-github.md; do say ""; sed -n '/^|/,$p' "$f" | sed "s/&#39;/'/g; s/\*\*//g" | tee -a "$report"; done
fi

if part scaffold; then
  echo "== scaffold + build: authapi (all plugins) against webapi"
  scaffold_once() { # build target (. for the solution, src for the API project alone), template, options... -> seconds
    local dir="$work/scaffold/$RANDOM$RANDOM" target=$1 start; shift
    start=$(date +%s.%N)
    dotnet new "$@" -n Bench -o "$dir" >/dev/null
    [[ $target == src ]] && target=src/Bench
    (cd "$dir" && dotnet build "$target" >/dev/null)
    python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$start" "$(date +%s.%N)"
    rm -rf "$dir"
  }
  all_plugins=(authapi --google --apikeys --usage)
  # Sandboxes and CI images often turn the compiler server and MSBuild node reuse off, so that every build
  # starts a fresh compiler; a developer's machine keeps both on. Both templates are measured both ways.
  settings="UseSharedCompilation=${UseSharedCompilation:-unset} MSBUILDDISABLENODEREUSE=${MSBUILDDISABLENODEREUSE:-unset} DOTNET_CLI_USE_MSBUILD_SERVER=${DOTNET_CLI_USE_MSBUILD_SERVER:-unset}"
  rows=()
  for mode in configured defaults; do
    if [[ $mode == defaults ]]; then
      unset UseSharedCompilation MSBUILDDISABLENODEREUSE DOTNET_CLI_USE_MSBUILD_SERVER
    fi
    scaffold_once . "${all_plugins[@]}" >/dev/null   # warm: the NuGet cache holds every package both need
    scaffold_once . webapi >/dev/null
    solution_t=() app_t=() webapi_t=()
    for _ in $(seq 1 "$scaffold_rounds"); do
      solution_t+=("$(scaffold_once . "${all_plugins[@]}")")
      app_t+=("$(scaffold_once src "${all_plugins[@]}")")
      webapi_t+=("$(scaffold_once . webapi)")
    done
    rows+=("$mode|${solution_t[*]}|${app_t[*]}|${webapi_t[*]}")
  done
  dotnet build-server shutdown >/dev/null 2>&1 || true
  python3 - "$settings" "${rows[@]}" <<'PY' | tee -a "$report"
import statistics, sys
settings, rows = sys.argv[1], [r.split("|") for r in sys.argv[2:]]
label = {"configured": f"as this machine is set ({settings})",
         "defaults": "with the SDK's defaults (compiler server and MSBuild nodes kept warm, as on a developer's machine)"}
print("\n### dotnet new + dotnet build (warm NuGet cache, interleaved)\n")
print("| build settings | template, what is built | median | runs |\n|---|---|---:|---|")
ratios = []
for mode, s, a, w in rows:
    s, a, w = ([float(x) for x in t.split()] for t in (s, a, w))
    print(f"| {label[mode]} | authapi --google --apikeys --usage, the solution (API + tests) | {statistics.median(s):.1f} s | {', '.join(map(str, s))} |")
    print(f"| | authapi --google --apikeys --usage, the API project alone | {statistics.median(a):.1f} s | {', '.join(map(str, a))} |")
    print(f"| | webapi | {statistics.median(w):.1f} s | {', '.join(map(str, w))} |")
    ratios.append((label[mode], statistics.median(s) / statistics.median(w), statistics.median(a) / statistics.median(w)))
print("\n| ratio to webapi | solution | API project alone | goal |\n|---|---:|---:|---:|")
for name, solution, app in ratios:
    print(f"| {name} | {solution:.2f} | {app:.2f} | ≤ 1.3 |")
PY
fi

say ""
say "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
cp "$report" "${BENCH_REPORT:-/dev/null}" 2>/dev/null || true
