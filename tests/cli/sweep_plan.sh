#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `labyrinth sweep --plan` run through GNU parallel and merged with
# `sweep --merge` gives the in-process sweep's table, recommendation and
# JSON byte for byte; the Slurm plan is an array script with one command per
# index (checked for structure, and one index run with bash); a missing,
# corrupt, duplicate or foreign result is named and gives exit 2. Run by
# ctest with LAB_CLI set to the labyrinth binary.
set -uo pipefail
cli=${LAB_CLI:?LAB_CLI must name the labyrinth binary}
fail=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
command -v parallel >/dev/null || { echo "FAIL: GNU parallel is missing (scripts/install-deps.sh)"; exit 1; }

# 2 x 2 cells (row-major: min_free_kbytes slowest) x 2 seeds = 8 short runs
grid=(router-16m --param min_free_kbytes=1024,4096 --param watermark_scale_factor=10,100 --seeds 2 --first-seed 7)

"$cli" sweep "${grid[@]}" --jobs 2 --json "$tmp/in.json" >"$tmp/in.txt" 2>"$tmp/err" \
	|| { echo "FAIL: in-process sweep: $(cat "$tmp/err")"; exit 1; }
grep -q '^recommendation:' "$tmp/in.txt" || { echo "FAIL: the grid should have a recommendation"; cat "$tmp/in.txt"; fail=1; }

# the GNU parallel plan: one line per run, nothing else; a results folder
# whose name the shell must see quoted
(cd "$tmp" && "$cli" sweep "${grid[@]}" --plan plan.txt --results "it's res" 2>"$tmp/err") \
	|| { echo "FAIL: --plan: $(cat "$tmp/err")"; exit 1; }
[ "$(wc -l <"$tmp/plan.txt")" -eq 8 ] || { echo "FAIL: the plan should have 8 lines"; cat "$tmp/plan.txt"; fail=1; }
grep -qF -- "--cell 3 --seed 8 --result '$tmp/it'\''s res/cell-3-seed-8.json'" "$tmp/plan.txt" \
	|| { echo "FAIL: the plan's last run should be cell 3 seed 8 into an absolute, quoted path"; fail=1; }
# self-contained: run from another directory
(cd / && parallel -j2 <"$tmp/plan.txt") || { echo "FAIL: parallel -j2 < plan"; fail=1; }
mv "$tmp/it's res" "$tmp/res"
[ "$(ls "$tmp/res" | wc -l)" -eq 8 ] || { echo "FAIL: 8 results expected"; ls "$tmp/res"; fail=1; }

"$cli" sweep --merge "$tmp/res" --json "$tmp/merged.json" >"$tmp/merged.txt" 2>"$tmp/err" \
	|| { echo "FAIL: --merge: $(cat "$tmp/err")"; fail=1; }
cmp "$tmp/in.txt" "$tmp/merged.txt" || { echo "FAIL: merged table differs"; diff "$tmp/in.txt" "$tmp/merged.txt"; fail=1; }
cmp "$tmp/in.json" "$tmp/merged.json" || { echo "FAIL: merged JSON differs"; fail=1; }

# the Slurm plan: an array over 0..7, one exec per index, the same commands
"$cli" sweep "${grid[@]}" --plan "$tmp/slurm.sh" --plan-format slurm --results "$tmp/res2" 2>/dev/null \
	|| { echo "FAIL: --plan-format slurm"; fail=1; }
grep -qx '#SBATCH --array=0-7' "$tmp/slurm.sh" || { echo "FAIL: no '#SBATCH --array=0-7'"; cat "$tmp/slurm.sh"; fail=1; }
[ "$(grep -c '^[0-9]*) exec ' "$tmp/slurm.sh")" -eq 8 ] || { echo "FAIL: 8 indexed commands expected"; fail=1; }
for i in 0 1 2 3 4 5 6 7; do
	want=$(sed -n "$((i + 1))p" "$tmp/plan.txt" | sed "s|'$tmp/it'\\\\''s res/\\(.*\\)'\$|$tmp/res2/\\1|")
	got=$(grep "^$i) exec " "$tmp/slurm.sh" | sed "s/^$i) exec //; s/ ;;\$//")
	[ "$got" = "$want" ] || { echo "FAIL: slurm index $i: '$got', want '$want'"; fail=1; }
done
bash -n "$tmp/slurm.sh" || { echo "FAIL: the Slurm script is not valid bash"; fail=1; }
SLURM_ARRAY_TASK_ID=5 bash "$tmp/slurm.sh" || { echo "FAIL: slurm index 5 did not run"; fail=1; }
cmp "$tmp/res/cell-2-seed-8.json" "$tmp/res2/cell-2-seed-8.json" || { echo "FAIL: slurm index 5 != parallel's"; fail=1; }
SLURM_ARRAY_TASK_ID=8 bash "$tmp/slurm.sh" 2>/dev/null && { echo "FAIL: slurm index 8 should fail"; fail=1; }

# expect_merge_err WORD...: --merge $tmp/bad exits 2, names every WORD, prints nothing
expect_merge_err() {
	local rc
	"$cli" sweep --merge "$tmp/bad" >"$tmp/out" 2>"$tmp/err"; rc=$?
	[ $rc -eq 2 ] && [ ! -s "$tmp/out" ] || { echo "FAIL: --merge bad ($*): exit $rc"; cat "$tmp/err"; fail=1; }
	for w in "$@"; do
		grep -qF -- "$w" "$tmp/err" || { echo "FAIL: --merge bad: '$(cat "$tmp/err")' should name '$w'"; fail=1; }
	done
}
reset_bad() { rm -rf "$tmp/bad"; cp -r "$tmp/res" "$tmp/bad"; }

reset_bad; rm "$tmp/bad/cell-1-seed-8.json"
expect_merge_err "no result for cell 1 seed 8" "1 of 8 missing"
reset_bad; echo '{"schema": ' >"$tmp/bad/cell-2-seed-7.json"
expect_merge_err "$tmp/bad/cell-2-seed-7.json" "not a sweep result"
reset_bad; echo '{"schema": "labyrinth-sweep/1"}' >"$tmp/bad/cell-2-seed-7.json"
expect_merge_err "$tmp/bad/cell-2-seed-7.json" "not a sweep result"
reset_bad; cp "$tmp/bad/cell-0-seed-7.json" "$tmp/bad/zz-copy.json"
expect_merge_err "$tmp/bad/zz-copy.json" "duplicate of $tmp/bad/cell-0-seed-7.json"
reset_bad; sed 's/"seeds": 2/"seeds": 3/' "$tmp/res/cell-3-seed-8.json" >"$tmp/bad/cell-3-seed-8.json"
expect_merge_err "$tmp/bad/cell-3-seed-8.json" "another plan"
rm -rf "$tmp/bad"; mkdir "$tmp/bad"
expect_merge_err "no sweep results"
rm -rf "$tmp/bad"
expect_merge_err "cannot read $tmp/bad"

# expect_err WORD ARGS...: sweep ARGS exits 2 and names WORD
expect_err() {
	local word=$1 rc; shift
	"$cli" sweep "$@" >"$tmp/out" 2>"$tmp/err"; rc=$?
	[ $rc -eq 2 ] && grep -qF -- "$word" "$tmp/err" \
		|| { echo "FAIL: sweep $*: exit $rc, '$(cat "$tmp/err")' should name '$word'"; fail=1; }
}
expect_err "--plan-format 'pbs'" "${grid[@]}" --plan "$tmp/p" --plan-format pbs
expect_err "--cell 4" "${grid[@]}" --cell 4 --seed 7 --result "$tmp/r.json"
expect_err "--seed 9" "${grid[@]}" --cell 0 --seed 9 --result "$tmp/r.json"
expect_err "needs --cell, --seed and --result" "${grid[@]}" --cell 0 --seed 7
expect_err "takes no scenario" router-16m --merge "$tmp/res"

[ $fail -eq 0 ] && echo "sweep plan: parallel -j2 and --merge equal the in-process sweep; slurm plan and bad results checked"
exit $fail
