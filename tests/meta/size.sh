#!/usr/bin/env bash
# Proves no C function is longer than 120 lines and no source file longer
# than 1200 lines, in src/, include/ and boards/. A function is what the code's style
# makes of it: its opening `{` alone at column 0, its closing `}` at column 0;
# its length is the number of lines between the two (the body). The name is
# taken from the nearest line above the `{` that opens a parameter list.
# Prints each offender as file:line name length and fails if there is one.
# Usage: size.sh [files...] (default: every .c and .h under src/, include/ and boards/).
set -uo pipefail
src=${LAB_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
max_fn=${LAB_MAX_FUNCTION_LINES:-120}
max_file=${LAB_MAX_FILE_LINES:-1200}
if [ $# -gt 0 ]; then
	files=("$@")
else
	mapfile -t files < <(cd "$src" && find src include boards -name '*.[ch]' | sort)
	files=("${files[@]/#/$src/}")
fi
out=$(awk -v max_fn="$max_fn" -v max_file="$max_file" -v root="$src/" '
function report_file() {
	if (file != "" && nlines > max_file)
		printf "%s:1 (file) %d\n", name_of(file), nlines
}
function name_of(f) { return index(f, root) == 1 ? substr(f, length(root) + 1) : f }
FNR == 1 { report_file(); file = FILENAME; nlines = 0; open = 0; sig = ""; sigline = 0 }
{ nlines = FNR }
# a line at column 0 with a "(": the start (or all) of a signature
/^[A-Za-z_].*\(/ && !open { sig = $0; sigline = FNR }
/^\{[ \t]*$/ && !open { open = FNR; fname = sig; next }
/^\}/ && open {
	len = FNR - open - 1
	if (len > max_fn) {
		n = fname
		sub(/\(.*/, "", n)
		sub(/.*[ \t*]/, "", n)
		printf "%s:%d %s %d\n", name_of(file), open, n, len
	}
	open = 0
}
END { report_file() }
' "${files[@]}")
if [ -n "$out" ]; then
	echo "functions over $max_fn lines or files over $max_file lines (file:line name length):"
	echo "$out"
	exit 1
fi
echo "size: every function <= $max_fn lines, every file <= $max_file lines"
