# bash completion for labyrinth(1): subcommands, each one's options, scenario
# names after run/sweep/map, files where a file is expected.
# SPDX-License-Identifier: MIT

_labyrinth_scenarios()
{
	# Scenario names: the installed ones beside the binary's prefix, and
	# ./scenarios of a source tree.
	local bin dir names=""
	bin=$(command -v labyrinth 2>/dev/null)
	for dir in "${bin%/bin/*}/share/labyrinth/scenarios" ./scenarios; do
		[ -d "$dir" ] || continue
		names+=" $(cd "$dir" && ls -- *.yaml 2>/dev/null | sed 's/\.yaml$//')"
	done
	[ -n "${names// /}" ] || names="nic-rx-storm nic-rx-storm-page-pool cardiac-monitor desktop-uptime router-16m dma32-starved"
	echo "$names"
}

_labyrinth()
{
	local cur prev cmd opts
	COMPREPLY=()
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD-1]}
	local commands="run sweep map demo diagnose replay snapshot record gfp top watermarks"

	if [ "$COMP_CWORD" -eq 1 ]; then
		COMPREPLY=($(compgen -W "$commands --help --version" -- "$cur"))
		return 0
	fi
	cmd=${COMP_WORDS[1]}
	case "$cmd" in
	run)        opts="--seed --set --json --map --map-at --plot --out --quiet --help" ;;
	sweep)      opts="--param --seeds --first-seed --jobs --set --json --plan --plan-format --results --merge --cell --seed --result --help" ;;
	map)        opts="-o --seed --set --at --help" ;;
	demo)       opts="--seed --mem --map --quiet --help" ;;
	diagnose)   opts="--kernel --json --simulate --summary --follow --help" ;;
	replay)     opts="--shadow --set --snapshot --json --map --kernel --era --pretrace-frees --samples --lenient --help" ;;
	snapshot)   opts="--suffix --root --help" ;;
	record)     opts="--duration --buffer-kb --event --tracefs --accept-lost --quiet --help" ;;
	gfp)        opts="--era --kernel --all-eras --help" ;;
	top)        opts="--interval --once --count --json --prometheus --proc --suffix --help" ;;
	watermarks) opts="--zone --min-free-kbytes --watermark-scale-factor --lowmem-reserve-ratio --cpus --help" ;;
	*)          return 0 ;;
	esac

	case "$prev" in
	--json|--map|--plot|-o|--prometheus|--plan|--result)
		COMPREPLY=($(compgen -f -- "$cur")); return 0 ;;
	--out|--snapshot|--proc|--root|--tracefs|--results|--merge)
		COMPREPLY=($(compgen -d -- "$cur")); return 0 ;;
	--map-at|--at)
		COMPREPLY=($(compgen -W "end first-failure" -- "$cur")); return 0 ;;
	--plan-format)
		COMPREPLY=($(compgen -W "parallel slurm" -- "$cur")); return 0 ;;
	--pretrace-frees)
		COMPREPLY=($(compgen -W "skip release" -- "$cur")); return 0 ;;
	--era)
		COMPREPLY=($(compgen -W "3.x 4.x 4.10 4.13 4.14 4.15 4.18 6.1 6.3 6.8 6.13" -- "$cur")); return 0 ;;
	--zone)
		COMPREPLY=($(compgen -W "DMA: DMA32: Normal: Movable:" -- "$cur")); return 0 ;;
	--event)
		COMPREPLY=($(compgen -W "kmem:* vmscan:* compaction:* oom:* kmem:mm_page_alloc kmem:mm_page_free" -- "$cur")); return 0 ;;
	--suffix)
		COMPREPLY=($(compgen -W "before after" -- "$cur")); return 0 ;;
	--duration|--buffer-kb)
		return 0 ;;
	--seed|--set|--param|--seeds|--first-seed|--jobs|--mem|--kernel|--samples|--min-free-kbytes|--watermark-scale-factor|--lowmem-reserve-ratio|--cpus|--interval|--count|--cell)
		return 0 ;;
	esac

	if [[ "$cur" == -* ]]; then
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
		return 0
	fi
	case "$cmd" in
	run|sweep|map)
		COMPREPLY=($(compgen -W "$(_labyrinth_scenarios)" -- "$cur") $(compgen -f -X '!*.yaml' -- "$cur")) ;;
	diagnose|replay)
		COMPREPLY=($(compgen -f -- "$cur")) ;;
	snapshot|record)
		# the output folder, then (record) COMMAND after --
		if [[ " ${COMP_WORDS[*]} " == *" -- "* ]]; then
			COMPREPLY=($(compgen -c -- "$cur"))
		else
			COMPREPLY=($(compgen -d -- "$cur"))
		fi ;;
	esac
	return 0
}
complete -F _labyrinth labyrinth
