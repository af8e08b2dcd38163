#!/usr/bin/env bash
# labyrinth(1) is built from docs/man/labyrinth.1.scd, renders with man -l,
# and documents every subcommand `labyrinth --help` lists and every option
# each subcommand's --help shows.
set -euo pipefail
page="$LAB_BUILD/labyrinth.1"
[ -s "$page" ] || { echo "labyrinth.1 not built (is scdoc installed?)"; exit 1; }
text=$(MANWIDTH=100 man -l "$page" 2>&1) || { echo "man -l failed: $text"; exit 1; }
fail=0
grep -q '^NAME' <<<"$text" || { echo "no NAME section"; fail=1; }
grep -q 'EXIT STATUS' <<<"$text" || { echo "no EXIT STATUS section"; fail=1; }
cmds=$("$LAB_CLI" --help | awk '/^commands:/ {on = 1; next} on && NF {print $1}')
[ -n "$cmds" ] || { echo "labyrinth --help lists no command"; exit 1; }
for c in $cmds; do
	grep -qE "^ +$c( |$)" <<<"$text" || { echo "man page: no entry for command $c"; fail=1; }
	for o in $("$LAB_CLI" "$c" --help 2>&1 | grep -oE -- '--[a-z][a-z-]+' | sort -u); do
		[ "$o" = --help ] && continue
		grep -qF -- "$o" <<<"$text" || { echo "man page: $c's option $o is missing"; fail=1; }
	done
done
[ $fail -eq 0 ] && echo "manpage: renders; $(wc -w <<<"$cmds") commands and their options documented"
exit $fail
