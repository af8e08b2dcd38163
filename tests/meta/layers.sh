#!/usr/bin/env bash
# Proves the layering of src/ holds, by the quoted #include lines:
#  1. only the core (src/core/*) and the core's tests (tests/core/*) include
#     the core's private header (core/internal.h, or "internal.h" from inside
#     src/core);
#  2. src/core includes no header of another src/ folder (only its own
#     headers; the public ones come as <labyrinth/...>);
#  3. src/formats (input readers) includes only public headers, formats/ and
#     util/ (the text helpers every floor above the core shares);
#  4. src/report (renderers) includes public headers, report/ headers and, of
#     the engines, only the headers that declare their results:
#     engines/{diagnose,replay,simulate,demo,wl_result,sim_result,top}.h. No
#     renderer includes an engine's private header (engines/sim_int.h,
#     engines/scenario_int.h, ...) or the core's private header;
#  5. src/host includes no header of engines/, formats/, report/ or cli/;
#  6. src/util includes only util/;
#  7. src/capture (snapshot and record of a running Linux) includes only
#     public headers, capture/, formats/ (to read back what it wrote) and util/.
# Prints each offending line (file:line: include) and fails if there is one.
set -uo pipefail
shopt -s lastpipe   # offend() sets fail in this shell, at the end of a pipe
src=${LAB_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$src" || exit 2
fail=0

# "file:line:path" for every #include "path" in the given files
includes() {
	grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$@" 2>/dev/null \
		| sed -E 's/^([^:]+:[0-9]+):[^"]*"([^"]+)".*/\1:\2/'
}
# rule text, then the offenders (file:line:path lines) on stdin
offend() {
	local hits
	hits=$(sed '/^$/d')
	[ -n "$hits" ] || return 0
	echo "$1:"
	echo "$hits" | sed 's/^/  /'
	fail=1
}
files() { # every .c and .h under the given folders
	find "$@" -name '*.[ch]' 2>/dev/null | sort
}

mapfile -t all < <(files src tests bench boards)
includes "${all[@]}" | awk -F: '
	$3 == "core/internal.h" || ($3 == "internal.h" && $1 ~ /^src\/core\//) {
		if ($1 ~ /^src\/core\/[^\/]+$/ || $1 ~ /^tests\/core\/[^\/]+$/) next
		print; next
	}
	$3 == "internal.h" && $1 !~ /^src\/core\// && $1 !~ /^tests\/core\// { print }' \
	| offend "core/internal.h outside src/core and tests/core"

mapfile -t core < <(files src/core)
includes "${core[@]}" | awk -F: '$3 !~ /^[a-z_0-9]+\.h$/ && $3 !~ /^core\/[a-z_0-9]+\.h$/' \
	| offend "src/core includes a header of another src/ folder"

mapfile -t fmt < <(files src/formats)
includes "${fmt[@]}" | awk -F: '$3 !~ /^(formats|util)\/[a-z_0-9]+\.h$/' \
	| offend "src/formats includes a header outside formats/"

mapfile -t rep < <(files src/report)
includes "${rep[@]}" | awk -F: '$3 ~ /^(report|util)\/[a-z_0-9]+\.h$/ { next }
	$3 ~ /^engines\/(diagnose|replay|simulate|demo|wl_result|sim_result|top)\.h$/ { next }
	$3 ~ /^[a-z_0-9]+\.h$/ && system("test -f src/report/" $3) == 0 { next }
	{ print }' \
	| offend "src/report includes a private header (only report/ and the engines' result headers)"

mapfile -t host < <(files src/host)
includes "${host[@]}" | awk -F: '$3 ~ /^(engines|formats|report|cli)\//' \
	| offend "src/host includes a header of a layer above it"

mapfile -t util < <(files src/util)
includes "${util[@]}" | awk -F: '$3 !~ /^util\/[a-z_0-9]+\.h$/' \
	| offend "src/util includes a header outside util/"

mapfile -t cap < <(files src/capture)
includes "${cap[@]}" | awk -F: '$3 !~ /^(capture|formats|util)\/[a-z_0-9]+\.h$/' \
	| offend "src/capture includes a header outside capture/, formats/ and util/"

[ $fail -eq 0 ] || exit 1
echo "layers: every #include keeps to its layer"
