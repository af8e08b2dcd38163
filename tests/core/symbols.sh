#!/usr/bin/env bash
# The core an embedder links defines no global outside its namespace: every
# defined global of the core archive is lab_* (public API, declared in
# include/labyrinth/) or lab__* (internal, hidden visibility). A kernel with
# its own migrate_page or wakeup_kswapd links the core without a clash.
set -euo pipefail
ar="$LAB_BUILD/liblab_core_freestanding.a"
[ -f "$ar" ] || { echo "core archive $ar not built"; exit 1; }
fail=0
defs=$(nm -g --defined-only "$ar" | awk 'NF == 3 {print $3}' | sort -u)
[ -n "$defs" ] || { echo "no defined globals in $ar: nm failed?"; exit 1; }
bad=$(grep -vE '^lab_' <<<"$defs" || true)
if [ -n "$bad" ]; then echo "core globals outside lab_/lab__:"; echo "$bad"; fail=1; fi
# lab_ (one underscore) must be public: declared in an installed header
for s in $(grep -E '^lab_[^_]' <<<"$defs"); do
  grep -qw "$s" "$LAB_SOURCE_DIR"/include/labyrinth/*.h || { echo "public-looking $s is in no public header (make it lab__)"; fail=1; }
done
# lab__ must be hidden (STV_HIDDEN) in every object that defines it
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && ar x "$ar")
vis=$(readelf -sW "$tmp"/*.o | awk '$5 == "GLOBAL" && $7 != "UND" && $8 ~ /^lab__/ && $6 != "HIDDEN" {print $8}' | sort -u)
if [ -n "$vis" ]; then echo "lab__ symbols not hidden:"; echo "$vis"; fail=1; fi
n=$(wc -l <<<"$defs")
echo "core archive: $n defined globals, $(grep -c '^lab__' <<<"$defs" || true) internal (hidden)"
exit $fail
