#!/usr/bin/env bash
# `labyrinth replay` picks the traced kernel's rules and says which: a 6.12
# run is replayed with 6.12's, a 6.1 run with 6.1's; --kernel 6.12 on a 6.1
# trace answers "would 6.12 have failed here?" and says the demand is
# 6.1's; a --kernel that names no version exits 2 naming it; the JSON
# document carries the same facts.
set -euo pipefail
lab=${LAB_CLI:?}
runs=${LAB_SOURCE_DIR:?}/tests/data/realkernel
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$lab" replay "$runs/fragment-256M-6.12/trace.txt.xz" --shadow >"$tmp/612.txt"
grep -q "kernel: traced on 6.12.118+deb12-amd64 (meta.txt guest_uname), profile 6.12; replayed with the rules of Linux 6.12.118 (profile 6.12); gfp names of era 6.8" "$tmp/612.txt" \
  || fail "6.12 run: kernel line"

"$lab" replay "$runs/fragment-256M/trace.txt.xz" --json "$tmp/61.json" >"$tmp/61.txt"
grep -q "profile 6.1; replayed with the rules of Linux 6.1.192 (profile 6.1)" "$tmp/61.txt" || fail "6.1 run: kernel line"
grep -q "would" "$tmp/61.txt" && fail "6.1 run under its own rules: no override note"
python3 - "$tmp/61.json" <<'PY' || fail "6.1 run: JSON kernel object"
import json, sys
k = json.load(open(sys.argv[1]))["kernel"]
assert k["profile"] == "6.1" and k["traced_profile"] == "6.1" and not k["overridden"], k
assert k["traced_release"] == "6.1.0-56-amd64" and k["gfp_era"] == "6.1", k
PY

"$lab" replay "$runs/fragment-256M/trace.txt.xz" --kernel 6.12 >"$tmp/over.txt"
grep -q "replayed with the rules of Linux 6.12.118 (profile 6.12, --kernel)" "$tmp/over.txt" || fail "--kernel 6.12: rules"
grep -q 'would 6.12 have failed here?' "$tmp/over.txt" || fail "--kernel 6.12: the question"
grep -q "demand itself would have changed" "$tmp/over.txt" || fail "--kernel 6.12: the demand note"

set +e
"$lab" replay "$runs/fragment-256M/trace.txt.xz" --kernel bogus >/dev/null 2>"$tmp/err"
rc=$?
set -e
[ "$rc" -eq 2 ] || fail "--kernel bogus must exit 2, got $rc"
grep -q "'bogus' names no kernel version" "$tmp/err" || fail "--kernel bogus: message"
echo ok
