#!/usr/bin/env bash
# completions/labyrinth.bash completes every subcommand `labyrinth --help`
# lists, every option each subcommand's --help shows, and scenario names.
set -uo pipefail
# shellcheck source=/dev/null
source "$LAB_SOURCE_DIR/completions/labyrinth.bash"
complete_words() { # the words typed so far, the last one being completed
	COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=()
	_labyrinth
	printf '%s\n' "${COMPREPLY[@]}"
}
fail=0
cmds=$("$LAB_CLI" --help | awk '/^commands:/ {on = 1; next} on && NF {print $1}')
[ -n "$cmds" ] || { echo "labyrinth --help lists no command"; exit 1; }
got=$(complete_words labyrinth "")
for c in $cmds; do
	grep -qx "$c" <<<"$got" || { echo "completion: command $c missing"; fail=1; }
	opts=$(complete_words labyrinth "$c" --)
	for o in $("$LAB_CLI" "$c" --help 2>&1 | grep -oE -- '--[a-z][a-z-]+' | sort -u); do
		grep -qx -- "$o" <<<"$opts" || { echo "completion: $c's option $o missing"; fail=1; }
	done
done
cd "$LAB_SOURCE_DIR" || exit 1
grep -qx nic-rx-storm <<<"$(complete_words labyrinth run nic)" || { echo "completion: run nic<TAB> does not give nic-rx-storm"; fail=1; }
grep -qx first-failure <<<"$(complete_words labyrinth run x --map-at f)" || { echo "completion: --map-at values missing"; fail=1; }
[ $fail -eq 0 ] && echo "completion: $(wc -w <<<"$cmds") commands, their options and scenario names"
exit $fail
