#!/usr/bin/env bash
# Runs the README's runnable shell blocks against a real daemon (issue 17: every README
# snippet runs as pasted on a fresh Debian 12). ctest runs it as `readme_snippets`.
#
#   tests/integration/readme_snippets.sh TIMELINED_BINARY [README]
#
# A block is runnable when the line just before its ```sh fence is `<!-- snippet: run -->`
# (an HTML comment: GitHub does not show it; inside a list item, indented like the fence).
# Blocks that need the internet, Kafka, a Kubernetes cluster, root or minutes stay unmarked.
#
# What it does, as a reader would:
# - makes a fresh temporary directory that looks like a clone of the repository for what the
#   snippets touch: build/daemon/timelined (a link to TIMELINED_BINARY) and a copy of
#   examples/; the snippets run there, so data/timelined.db is a new store;
# - starts the daemon there as README tells readers to, `scripts/run --config
#   examples/try.toml`, which execs `build/daemon/timelined serve --config examples/try.toml`
#   (scripts/run itself is not run: it would build). One deviation, so that parallel ctest
#   runs cannot collide on port 8080: it listens on 127.0.0.1:0 (`--listen`, as
#   TIMELINED_LISTEN=... scripts/run would pass it) and `--ready-file` tells the port, and
#   every `127.0.0.1:8080` / `localhost:8080` in the blocks is rewritten to that port;
# - waits for readiness by polling GET /readyz;
# - runs each marked block, in README order, with `bash -euo pipefail` in that directory,
#   stdin from /dev/null, at most 60 s each. Each block is its own bash: it may rely on what
#   earlier blocks did to the daemon and the directory (a reader pastes them in order), but
#   not on their shell variables (a reader may have opened a new terminal). curl reads a
#   .curlrc with `fail-with-body` (CURL_HOME), so an HTTP error answer fails the block
#   instead of passing silently (so a marked block cannot use `curl -f`/`--fail`, which
#   curl refuses next to fail-with-body: use --fail-with-body, or neither); the snippets
#   themselves are run unchanged otherwise;
# - prints `ok` or `FAIL` per block with its README line (and, on failure, the block's
#   output and the daemon log's tail), stops the daemon with SIGTERM (a second SIGTERM once
#   /readyz says draining, to skip the 5 s drain) and checks that it exits 0.
# Exits 1 when a block fails, when README has no marked block (a runner that runs nothing
# must not pass), when a marker is not followed by a shell fence, or when README no longer
# names the start command above; 2 on a usage error. A snippet that fails is a README bug:
# fix the README, not this script.
set -euo pipefail

if [[ $# -lt 1 || $# -gt 2 ]]; then
  echo "usage: $0 TIMELINED_BINARY [README]" >&2
  exit 2
fi
repo=$(cd "$(dirname "$0")/../.." && pwd)
binary=$(realpath "$1")
readme=$(realpath "${2:-$repo/README.md}")
name=$(basename "$readme")
start_cmd="scripts/run --config examples/try.toml"
[[ -x "$binary" ]] || { echo "readme-snippets: $binary is not an executable" >&2; exit 2; }
[[ -r "$readme" ]] || { echo "readme-snippets: cannot read $readme" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/timelined-snippets.XXXXXX")
daemon=""
cleanup() {
  if [[ -n "$daemon" ]]; then kill -KILL "$daemon" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# Extract the marked blocks: blocks/NNNN.sh (fence indentation removed) and their fence lines.
mkdir -p "$work/blocks"
awk -v dir="$work/blocks" '
  function fail(msg) { printf "%s:%d: %s\n", FILENAME, NR, msg > "/dev/stderr"; bad = 1; exit 1 }
  in_block {
    if ($0 ~ "^" indent "```[ \t]*$") { close(file); in_block = 0; next }
    line = $0
    if (substr(line, 1, length(indent)) == indent) line = substr(line, length(indent) + 1)
    print line > file
    next
  }
  marked {
    marked = 0
    if (!match($0, /^[ ]*```(sh|bash)[ \t]*$/)) fail("<!-- snippet: run --> is not followed by a ```sh fence")
    indent = $0; sub(/```.*/, "", indent)
    n++; file = sprintf("%s/%04d.sh", dir, NR); printf "" > file; in_block = 1
    next
  }
  /^[ ]*<!-- snippet: run -->[ \t]*$/ { marked = 1 }
  END {
    if (bad) exit 1
    if (in_block) { printf "%s: unterminated marked block\n", FILENAME > "/dev/stderr"; exit 1 }
    if (marked) { printf "%s: <!-- snippet: run --> on the last line\n", FILENAME > "/dev/stderr"; exit 1 }
  }
' "$readme" || { echo "readme-snippets: FAIL: malformed marker in $name" >&2; exit 1; }
blocks=("$work"/blocks/*.sh)
if [[ ! -e "${blocks[0]}" ]]; then
  echo "readme-snippets: FAIL: no block of $name is marked <!-- snippet: run -->" >&2
  exit 1
fi
if ! grep -qF "$start_cmd" "$readme"; then
  echo "readme-snippets: FAIL: $name no longer says \`$start_cmd\`; update this runner's start" >&2
  exit 1
fi

# A fresh "clone": the binary where README says it is, and the example configs.
mkdir -p "$work/clone/build/daemon" "$work/curl"
ln -s "$binary" "$work/clone/build/daemon/timelined"
cp -R "$repo/examples" "$work/clone/examples"
printf 'fail-with-body\n' >"$work/curl/.curlrc"
export CURL_HOME="$work/curl" no_proxy="127.0.0.1,localhost" NO_PROXY="127.0.0.1,localhost"

cd "$work/clone"
build/daemon/timelined serve --config examples/try.toml --listen 127.0.0.1:0 \
  --ready-file "$work/port" >"$work/daemon.log" 2>&1 &
daemon=$!
daemon_log() { echo "--- daemon log (last 30 lines) ---"; tail -n 30 "$work/daemon.log"; }

ready=false
for _ in $(seq 300); do  # poll, at most ~30 s (the sanitized build starts slower)
  if [[ -s "$work/port" ]] &&
    curl -q -sf -o /dev/null "http://127.0.0.1:$(cat "$work/port")/readyz"; then
    ready=true
    break
  fi
  kill -0 "$daemon" 2>/dev/null || break
  sleep 0.1
done
if ! $ready; then
  echo "readme-snippets: FAIL: the daemon did not become ready"
  daemon_log
  exit 1
fi
port=$(cat "$work/port")
echo "readme-snippets: daemon on 127.0.0.1:$port, running the marked blocks of $readme"

failed=()
for block in "${blocks[@]}"; do
  line=$((10#$(basename "$block" .sh)))
  sed -i -e "s/127\.0\.0\.1:8080/127.0.0.1:$port/g" -e "s/localhost:8080/localhost:$port/g" "$block"
  start=$(date +%s%N)
  # Output through a pipe, not a file: a snippet's `tee /dev/stderr` would truncate a file.
  if out=$(timeout 60 bash -euo pipefail "$block" </dev/null 2>&1); then status=0; else status=$?; fi
  ms=$((($(date +%s%N) - start) / 1000000))
  if ((status == 0)); then
    printf 'ok    %s:%d (%d ms)\n' "$name" "$line" "$ms"
  else
    printf 'FAIL  %s:%d (exit %d, %d ms)\n' "$name" "$line" "$status" "$ms"
    echo "--- block ---"
    cat "$block"
    echo "--- output ---"
    printf '%s\n' "$out"
    echo "---"
    failed+=("$name:$line")
  fi
done

# Stop as README says (kill -TERM): finishes in-flight requests, flushes, exits 0.
kill -TERM "$daemon"
for _ in $(seq 100); do
  code=$(curl -q -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/readyz" || true)
  [[ "$code" != 200 ]] && break
  sleep 0.05
done
kill -TERM "$daemon" 2>/dev/null || true  # a second signal ends the drain at once
if wait "$daemon"; then rc=0; else rc=$?; fi
daemon=""
if ((rc != 0)); then
  echo "readme-snippets: FAIL: the daemon exited $rc after SIGTERM"
  daemon_log
  failed+=("daemon exit $rc")
fi
if ((${#failed[@]})); then
  daemon_log
  echo "readme-snippets: ${#failed[@]} of ${#blocks[@]} blocks FAILED (${failed[*]})"
  exit 1
fi
echo "readme-snippets: all ${#blocks[@]} marked blocks of $name ran ok"
