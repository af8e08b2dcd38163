#!/usr/bin/env bash
# `labyrinth top` as a user meets it: one screen of this machine and of a
# corpus snapshot; --json (one object per refresh, rates from the second);
# --prometheus into a file (replaced atomically, no .tmp left); a copy of
# /proc without pagetypeinfo (says what is missing, goes on); bad options and
# inputs exit 2 naming what; and the terminal mode under tmux: redrawn in
# place (one header however many refreshes), `q` quits with status 0.
set -euo pipefail
lab=${LAB_CLI:?}
data=${LAB_SOURCE_DIR:?}/tests/data/realkernel
tmp=$(mktemp -d /tmp/lab-top-sh.XXXXXX)
sock=lab-top-$$
cleanup() { tmux -L "$sock" kill-server 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$lab" top --help | grep -q -- "--prometheus FILE" || fail "top --help"
out=$("$lab" top --once)
echo "$out" | grep -Eq "^rules: profile 6\.(1|12) \((nearest to|same series as) running " || fail "the profile line: $out"
echo "$out" | grep -q "^  headroom " || fail "headroom rows on this machine"
out=$("$lab" top --once --proc "$data/atomic-pressure-256M" --suffix peak)
echo "$out" | grep -q "^labyrinth top - refresh 1 - kernel 6.1.0-56-amd64$" || fail "corpus kernel"
echo "$out" | grep -q "^rules: profile 6.1 (same series as running 6.1.0)$" || fail "corpus profile"
echo "$out" | grep -q "^Node 0 DMA32" || fail "corpus zone"

# a copy of /proc without pagetypeinfo (what a non-root user reads)
for f in zoneinfo buddyinfo vmstat; do cp "/proc/$f" "$tmp/$f"; done
out=$("$lab" top --once --proc "$tmp")
echo "$out" | grep -q "^missing: pagetypeinfo: No such file or directory" || fail "missing pagetypeinfo: $out"
echo "$out" | grep -q "without pagetypeinfo (root only): every free block counted as usable" || fail "what it means"
echo "$out" | grep -q "free lists (buddyinfo)" || fail "headroom basis without pagetypeinfo"

# the real /proc as a non-root user (when the test runs as root)
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null &&
   setpriv --reuid 65534 --regid 65534 --clear-groups "$lab" --version >/dev/null 2>&1; then
  out=$(setpriv --reuid 65534 --regid 65534 --clear-groups "$lab" top --once)
  echo "$out" | grep -q "^missing: pagetypeinfo: Permission denied" || fail "non-root: $out"
fi

# --json: one object per line, rates from the second refresh
"$lab" top --json --count 2 --interval 0.1 > "$tmp/top.json"
[ "$(wc -l < "$tmp/top.json")" -eq 2 ] || fail "--json --count 2 writes two lines"
head -1 "$tmp/top.json" | grep -q '"allocations":null' || fail "no rate on the first refresh"
tail -1 "$tmp/top.json" | grep -Eq '"allocations":[0-9]' || fail "a rate on the second refresh"
tail -1 "$tmp/top.json" | grep -q '"atomic_headroom":\[' || fail "json headroom"

# --prometheus FILE
"$lab" top --once --prometheus "$tmp/lab.prom"
grep -q '^labyrinth_atomic_headroom{node="0",zone="DMA32",order="0"} [0-9]' "$tmp/lab.prom" || fail "prometheus headroom"
grep -q '^# TYPE labyrinth_allocations_total counter$' "$tmp/lab.prom" || fail "prometheus counter"
[ ! -e "$tmp/lab.prom.tmp" ] || fail "prometheus .tmp left behind"

# bad input: exit 2 and a message naming it
set +e
"$lab" top --interval 0 >/dev/null 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] && grep -q -- "--interval '0'" "$tmp/err" || fail "--interval 0 (rc $rc)"
"$lab" top --once --proc "$tmp/nowhere" >/dev/null 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] && grep -q "nowhere/zoneinfo: No such file" "$tmp/err" || fail "--proc nowhere (rc $rc)"
"$lab" top --once --proc "$data/boot-idle-256M" >/dev/null 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] && grep -q "snapshots with suffixes" "$tmp/err" || fail "a snapshot dir without --suffix (rc $rc)"
"$lab" top --once --prometheus /nonexistent/dir/x.prom >/dev/null 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] && grep -q "x.prom.tmp" "$tmp/err" || fail "unwritable --prometheus (rc $rc)"
"$lab" top --frob >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] || fail "unknown option exits 2"
set -e

# the terminal: redraws in place, q quits
if ! command -v tmux >/dev/null; then
  echo "top: ok (tmux missing: terminal mode not tested)"; exit 0
fi
tmux -L "$sock" new-session -d -x 160 -y 80 "'$lab' top --interval 0.2; echo EXIT=\$? > '$tmp/exit'; sleep 30"
screen=""
for _ in $(seq 50); do
  sleep 0.2
  screen=$(tmux -L "$sock" capture-pane -p)
  echo "$screen" | grep -Eq "refresh ([4-9]|[1-9][0-9])" && break
done
echo "$screen" | grep -Eq "refresh ([4-9]|[1-9][0-9])" || fail "no 4th refresh on the terminal: $screen"
[ "$(echo "$screen" | grep -c '^labyrinth top - ')" -eq 1 ] || fail "not redrawn in place: $screen"
echo "$screen" | grep -q "history o0  \[" || fail "headroom history line"
tmux -L "$sock" send-keys q
for _ in $(seq 50); do [ -s "$tmp/exit" ] && break; sleep 0.1; done
[ "$(cat "$tmp/exit" 2>/dev/null)" = "EXIT=0" ] || fail "q did not quit with 0"

# a small terminal: the screen is cut to fit, never scrolls (header on line 1)
tmux -L "$sock" new-session -d -s small -x 80 -y 16 "'$lab' top --interval 0.2; sleep 30"
for _ in $(seq 50); do
  sleep 0.2
  screen=$(tmux -L "$sock" capture-pane -t small -p)
  echo "$screen" | grep -Eq "refresh ([3-9]|[1-9][0-9])" && break
done
[ "$(echo "$screen" | head -1 | cut -c1-15)" = "labyrinth top -" ] || fail "small terminal: header not on line 1: $screen"
[ "$(echo "$screen" | grep -c 'labyrinth top - ')" -eq 1 ] || fail "small terminal scrolled: $screen"
tmux -L "$sock" send-keys -t small q
echo "top: ok"
