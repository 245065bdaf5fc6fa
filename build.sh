#!/usr/bin/env bash
# Leora Jobs build script.
#   ./build.sh test [dotnet test args…]  installs what the tests need (PostgreSQL, Chromium) when missing, starts a
#                                        throwaway PostgreSQL cluster on 127.0.0.1, runs every test, stops the cluster.
#   ./build.sh build                     builds the solution.
#   ./build.sh pack [dir]                writes every package (.nupkg and .snupkg: the libraries and the leora-jobs tool)
#                                        into one folder, artifacts/packages/ by default; -p:VersionSuffix=… for a pre-release,
#                                        --no-build to pack what was built (PACK_CONFIGURATION=Debug for a Debug build).
#   ./build.sh publish [dir]             the self-contained single-file leora-jobs for linux-x64 (no .NET needed on the
#                                        server), in artifacts/leora-jobs-linux-x64/ by default.
#   ./build.sh openapi                   rewrites docs/openapi/v1.json from the served document and lints it with Redocly.
#   ./build.sh pg-start                  starts a throwaway cluster and prints the export lines of its connection string
#                                        (LEORA_TEST_PG) and its pg_ctl (LEORA_TEST_PG_CTL), for development; with two
#                                        PgBouncers in front of it (LEORA_TEST_PGBOUNCER_TX: transaction pooling,
#                                        LEORA_TEST_PGBOUNCER_SESSION: session pooling), which exit when the cluster stops.
#   ./build.sh public-api [--ship]       refreshes src/*/PublicAPI.*.txt after a deliberate change of the public surface:
#                                        rebuilds the solution with RS0016/RS0017 (undeclared/removed API) reported as
#                                        warnings, adds each undeclared symbol to PublicAPI.Unshipped.txt and drops each
#                                        removed one from both files. --ship then moves every Unshipped line into
#                                        PublicAPI.Shipped.txt (at a release). Review the diff before committing it.
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)

log() { printf '\033[1m[build]\033[0m %s\n' "$*" >&2; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

apt_updated=""
apt_install() {
  if [ -z "$apt_updated" ]; then as_root apt-get update -qq >&2; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "$@" >&2
}

pg_bindir() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$d/initdb" ] && { echo "$d"; return 0; }
  done
  return 1
}

ensure_postgres() {
  if ! pg_bindir >/dev/null; then
    log "installing PostgreSQL from apt"
    apt_install postgresql postgresql-contrib
  fi
}

# The README's end-to-end test enqueues with curl, as a new user would.
ensure_curl() {
  if ! command -v curl >/dev/null 2>&1; then
    log "installing curl from apt"
    apt_install curl ca-certificates
  fi
}

# The OpenAPI document is linted with Redocly's CLI (tools/redocly: an npm package pinned by its package-lock.json);
# ensure_node (below) installs Debian's nodejs and npm.

# Lints docs/openapi/v1.json with Redocly's recommended rules (tools/redocly/redocly.yaml): fails on any error or warning.
openapi_lint() {
  ensure_node
  (cd "$ROOT/tools/redocly" && npm ci --no-audit --no-fund --loglevel=error >&2)
  local report
  report=$(cd "$ROOT/tools/redocly" && ./node_modules/.bin/redocly lint ../../docs/openapi/v1.json --config redocly.yaml --format=json 2>/dev/null) || true
  python3 -c '
import json, sys
text = sys.stdin.read()
try:
    totals = json.loads(text[text.index("{"):])["totals"]
except Exception:
    print("[build] redocly lint gave no report", file=sys.stderr); sys.exit(1)
errors, warnings = totals["errors"], totals["warnings"]
print("[build] OpenAPI lint (docs/openapi/v1.json): %d errors, %d warnings" % (errors, warnings), file=sys.stderr)
sys.exit(0 if errors == 0 and warnings == 0 else 1)
' <<<"$report" || { (cd "$ROOT/tools/redocly" && ./node_modules/.bin/redocly lint ../../docs/openapi/v1.json --config redocly.yaml --format=stylish >&2) || true; return 1; }
}

# The metrics tests check the service's /metrics output with promtool (Debian's prometheus package).
ensure_promtool() {
  if ! command -v promtool >/dev/null 2>&1; then
    log "installing prometheus (promtool) from apt"
    apt_install prometheus
  fi
}

ensure_chromium() {
  if [ ! -x /usr/bin/chromium ]; then
    log "installing Chromium from apt"
    apt_install chromium fonts-liberation
  fi
}

# The notification tests deliver e-mail to a real SMTP server on 127.0.0.1: Debian's aiosmtpd, run by /usr/bin/python3.
ensure_smtp() {
  if ! /usr/bin/python3 -c 'import aiosmtpd' >/dev/null 2>&1; then
    log "installing python3-aiosmtpd from apt"
    apt_install python3-aiosmtpd
  fi
}

# The dashboard's screenshots need one TrueType font. PDF reports (Leora CRM, docs/crm-jobs.md) draw with Noto Sans and fall
# back, character by character, to Droid Sans Fallback (Chinese, Japanese), NanumGothic (Korean), Symbola (emoji, in one
# colour) and DejaVu Sans: fonts with TrueType outlines, which PDFsharp embeds as subsets (it embeds a CFF font such as
# Noto Sans CJK whole: 13.7 MB for one Japanese name). The report tests read PDFs with poppler-utils' pdftotext.
ensure_fonts() {
  local missing=() f pkg
  for f in noto/NotoSans-Regular.ttf:fonts-noto-core liberation/LiberationSans-Regular.ttf:fonts-liberation \
           droid/DroidSansFallbackFull.ttf:fonts-droid-fallback nanum/NanumGothic.ttf:fonts-nanum \
           ancient-scripts/Symbola_hint.ttf:fonts-symbola dejavu/DejaVuSans.ttf:fonts-dejavu-core; do
    pkg=${f#*:}
    [ -f "/usr/share/fonts/truetype/${f%%:*}" ] || missing+=("$pkg")
  done
  command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]} from apt"
    apt_install "${missing[@]}"
  fi
}

# The pooler tests run the conformance suite and the multi-process tests through Debian's PgBouncer (docs/operations.md).
ensure_pgbouncer() {
  if [ ! -x /usr/sbin/pgbouncer ]; then
    log "installing pgbouncer from apt"
    apt_install pgbouncer
  fi
}

# The TypeScript package (clients/typescript) builds with tsc and tests with Node's test runner: Debian's nodejs and npm.
ensure_node() {
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    log "installing nodejs and npm from apt"
    apt_install nodejs npm
  fi
}

# The TypeScript package's tests (unit, and end to end against the service built by this run in Release), their output
# kept for the closing count. LEORA_HTTP_JOB_TYPES=0 leaves out the HTTP-job-type end-to-end tests (test/e2e-httpjobs.test.js).
test_typescript() {
  log "TypeScript package (clients/typescript): npm ci, build, test"
  ( cd "$ROOT/clients/typescript" && npm ci --no-audit --no-fund --loglevel=error && npm run build --silent \
    && LEORA_JOBS_CONFIGURATION=Release LEORA_HTTP_JOB_TYPES="${LEORA_HTTP_JOB_TYPES:-1}" npm test --silent ) 2>&1 \
    | tee "$ROOT/.tmp/test-results/typescript.log"
  return "${PIPESTATUS[0]}"
}

free_port() {
  local p
  for p in $(seq 55432 55532); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return 0; fi
  done
  return 1
}

# Starts a throwaway cluster in a temp dir; sets PG_DIR, PG_PORT, LEORA_TEST_PG.
pg_start() {
  ensure_postgres
  local bin; bin=$(pg_bindir)
  PG_DIR=$(mktemp -d -t leora-pg.XXXXXX)
  PG_PORT=$(free_port)
  local run=()
  # PostgreSQL refuses to run as root: run it as the 'postgres' system user (created by the package).
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
    chown postgres "$PG_DIR"
    run=(runuser -u postgres --)
  fi
  "${run[@]}" "$bin/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  "${run[@]}" "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DIR -c max_connections=500 -c fsync=on -c shared_buffers=256MB" start >/dev/null
  export LEORA_TEST_PG="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=postgres;Maximum Pool Size=50"
  export LEORA_TEST_PG_CTL="${run[*]:+${run[*]} }$bin/pg_ctl -D $PG_DIR/data"
  log "PostgreSQL on 127.0.0.1:$PG_PORT (data in $PG_DIR)"
  pgbouncer_start transaction LEORA_TEST_PGBOUNCER_TX "${run[@]}"
  pgbouncer_start session LEORA_TEST_PGBOUNCER_SESSION "${run[@]}"
}

# One PgBouncer in front of the cluster on a free port, in pool mode $1, its connection string exported as $2; run as the
# cluster's user (PgBouncer refuses root too). A watchdog stops it once the postmaster is gone, so the one stop command
# that pg-start prints stops the poolers too.
pgbouncer_start() {
  local mode=$1 var=$2; shift 2
  ensure_pgbouncer
  local port; port=$(free_port_after "$PG_PORT")
  local dir="$PG_DIR/pgbouncer-$mode"
  mkdir -p "$dir"
  printf '"postgres" ""\n' >"$dir/userlist.txt"
  # A transaction pooler shares few server connections among many clients; a session pooler gives each client its own
  # for as long as it stays connected, so it needs about as many as the tests' pools open at once. The transaction
  # pooler serves the conformance, multi-process and pooler test classes at once (xunit runs classes in parallel):
  # with too few servers a new client's first query waits in PgBouncer's queue past its connect timeout on a busy
  # machine. A server login refused while PostgreSQL is at max_connections is retried after 1 s, not PgBouncer's 15.
  local size=50; [ "$mode" = session ] && size=100
  cat >"$dir/pgbouncer.ini" <<INI
[databases]
* = host=127.0.0.1 port=$PG_PORT
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir =
auth_type = trust
auth_file = $dir/userlist.txt
pool_mode = $mode
default_pool_size = $size
max_client_conn = 2000
server_login_retry = 1
logfile = $dir/log
pidfile = $dir/pid
INI
  [ "$(id -u)" = 0 ] && chown -R postgres "$dir"
  "$@" /usr/sbin/pgbouncer -d -q "$dir/pgbouncer.ini"
  local pm; pm=$(head -n 1 "$PG_DIR/data/postmaster.pid")
  setsid bash -c "while kill -0 $pm 2>/dev/null; do sleep 2; done; kill \$(cat '$dir/pid') 2>/dev/null" </dev/null >/dev/null 2>&1 &
  # Timeout: a client's first query (Npgsql's type loading) may queue in PgBouncer while its servers are busy.
  export "$var=Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres;Maximum Pool Size=50;Timeout=60"
  log "PgBouncer ($mode pooling) on 127.0.0.1:$port"
}

free_port_after() {
  local p
  for p in $(seq $(( $1 + 1 )) $(( $1 + 200 ))); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return 0; fi
  done
  return 1
}

pg_stop() {
  if [ -n "${PG_DIR:-}" ] && [ -d "$PG_DIR/data" ]; then
    local bin f; bin=$(pg_bindir)
    for f in "$PG_DIR"/pgbouncer-*/pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null || true; done
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$bin/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
    else "$bin/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true; fi
    rm -rf "$PG_DIR"
  fi
}

cmd=${1:-test}; shift || true
case "$cmd" in
  build)
    dotnet build Leora.Jobs.slnx -c Release "$@"
    ;;
  pack)
    out=$(realpath -m "${1:-$ROOT/artifacts/packages}"); shift || true
    mkdir -p "$out"
    rm -f "$out"/*.nupkg "$out"/*.snupkg
    # The projects that set IsPackable (src/); the rest of the solution answers with nothing to pack.
    dotnet pack Leora.Jobs.slnx -c "${PACK_CONFIGURATION:-Release}" -o "$out" -v q --nologo "$@" >&2
    ls -1 "$out"
    ;;
  publish)
    out=$(realpath -m "${1:-$ROOT/artifacts/leora-jobs-linux-x64}"); shift || true
    # Self-contained (the runtime inside), one file (SQLite's native library included); appsettings.json sits beside it.
    dotnet publish src/Leora.Jobs.Server -c Release -r linux-x64 --self-contained true -p:PublishSingleFile=true \
      -p:IncludeNativeLibrariesForSelfExtract=true -o "$out" -v q --nologo "$@" >&2
    ls -1 "$out"
    ;;
  test)
    ensure_postgres
    ensure_pgbouncer
    ensure_chromium
    ensure_fonts
    ensure_curl
    ensure_promtool
    ensure_smtp
    ensure_node
    pg_start
    trap pg_stop EXIT
    dotnet build Leora.Jobs.slnx -c Release
    mkdir -p "$ROOT/.tmp/test-results"
    rm -f "$ROOT"/.tmp/test-results/*.trx "$ROOT"/.tmp/test-results/typescript.log
    status=0
    dotnet test Leora.Jobs.slnx -c Release --no-build --logger "trx" --results-directory "$ROOT/.tmp/test-results" "$@" || status=$?
    # The committed OpenAPI document (which OpenApiContractTests holds equal to the served one) passes Redocly's lint.
    openapi_lint || status=1
    test_typescript || status=$?
    # A failed run keeps what the poolers saw (their warnings and errors) in its output, since the cluster's directory
    # goes with the run: a client held in a pooler's queue leaves no other trace.
    if [ "$status" -ne 0 ]; then
      for f in "$PG_DIR"/pgbouncer-*/log; do
        [ -f "$f" ] || continue
        log "last warnings and errors of $(basename "$(dirname "$f")")"
        grep -E "WARNING|ERROR|FATAL|closing because" "$f" | tail -n 40 || true
      done
    fi
    # One closing line that any reader understands: 'N passed, N failed'.
    python3 - "$ROOT/.tmp/test-results" <<'PY' || true
import sys, glob, xml.etree.ElementTree as ET
p = f = s = 0
for path in glob.glob(sys.argv[1] + "/*.trx"):
    c = ET.parse(path).getroot().find(".//{*}Counters")
    if c is None: continue
    p += int(c.get("passed", 0)); f += int(c.get("failed", 0)) + int(c.get("error", 0)) + int(c.get("timeout", 0)); s += int(c.get("notExecuted", 0))
# The TypeScript package's tests (node --test): its closing '# pass N', '# fail N', '# skipped N' lines.
import os, re
ts = sys.argv[1] + "/typescript.log"
if os.path.exists(ts):
    text = open(ts, encoding="utf-8", errors="replace").read()
    for name, n in re.findall(r"^# (pass|fail|cancelled|skipped) (\d+)$", text, re.M):
        if name == "pass": p += int(n)
        elif name == "skipped": s += int(n)
        else: f += int(n)
print(f"{p} passed, {f} failed, {s} skipped")
PY
    exit $status
    ;;
  openapi)
    # Rewrites docs/openapi/v1.json from the service's served document, then lints it (docs/http-api.md).
    dotnet build tests/Leora.Jobs.AspNetCore.Tests -v q
    LEORA_UPDATE_OPENAPI=1 dotnet test tests/Leora.Jobs.AspNetCore.Tests --no-build \
      --filter "FullyQualifiedName~OpenApiContractTests.The_served_document_is_the_committed_one"
    openapi_lint
    ;;
  pg-start)
    pg_start
    echo "export LEORA_TEST_PG='$LEORA_TEST_PG'"
    echo "export LEORA_TEST_PG_CTL='$LEORA_TEST_PG_CTL'"
    echo "export LEORA_TEST_PGBOUNCER_TX='$LEORA_TEST_PGBOUNCER_TX'"
    echo "export LEORA_TEST_PGBOUNCER_SESSION='$LEORA_TEST_PGBOUNCER_SESSION'"
    echo "# stop with: $LEORA_TEST_PG_CTL -m immediate stop"
    ;;
  public-api)
    mkdir -p "$ROOT/.tmp"
    out="$ROOT/.tmp/public-api.log"
    # Warnings, not errors, so that every project builds and reports its whole difference in one pass.
    dotnet build Leora.Jobs.slnx -c Release --no-incremental -p:TreatWarningsAsErrors=false -p:WarningsAsErrors= \
      -clp:NoSummary >"$out" 2>&1 || { tail -n 30 "$out" >&2; exit 1; }
    python3 - "$out" "${1:-}" <<'PY'
import os, re, sys, pathlib
log, ship = sys.argv[1], sys.argv[2] == "--ship"
added, removed = {}, {}
pat = re.compile(r"warning (RS0016|RS0017): Symbol '(.*)' is (?:not part of the declared public API|part of the declared API).*\[(.*\.csproj)\]")
for line in open(log, encoding="utf-8"):
    m = pat.search(line)
    if m:
        proj = pathlib.Path(os.path.relpath(pathlib.Path(m.group(3)).parent))
        (added if m.group(1) == "RS0016" else removed).setdefault(proj, set()).add(m.group(2))
for proj in sorted(set(added) | set(removed) | {p.parent for p in pathlib.Path("src").glob("*/PublicAPI.Shipped.txt")}):
    shipped, unshipped = proj / "PublicAPI.Shipped.txt", proj / "PublicAPI.Unshipped.txt"
    if not shipped.exists():
        continue
    def read(f):
        return [l for l in f.read_text(encoding="utf-8").splitlines() if l.strip() and not l.startswith("#")]
    gone = removed.get(proj, set())
    s = [l for l in read(shipped) if l not in gone]
    u = [l for l in read(unshipped) if l not in gone] + sorted(added.get(proj, set()) - set(read(unshipped)))
    if ship:
        s, u = s + u, []
    shipped.write_text("\n".join(["#nullable enable"] + sorted(set(s), key=str.casefold)) + "\n", encoding="utf-8")
    unshipped.write_text("".join(l + "\n" for l in (["#nullable enable"] + sorted(set(u), key=str.casefold) if u else [])), encoding="utf-8")
    print(f"{proj}: +{len(added.get(proj, ()))} -{len(gone)}")
PY
    ;;
  *)
    echo "usage: ./build.sh [test|build|pack|publish|openapi|pg-start|public-api]" >&2; exit 2 ;;
esac
