/* SPDX-License-Identifier: MIT */
/*
 * cli/cmd_record.c - `labyrinth record DIR [-- COMMAND...]`: a page-allocator
 * trace of this machine and its snapshots, ready for `labyrinth replay`.
 * This file only parses the arguments; capture/record.c does the rest.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "capture/capture.h"
#include "cli.h"

static const char *const help =
	"usage: labyrinth record DIR [--duration SECS] [--buffer-kb N] [--event SYS:EVENT ...]\n"
	"                        [--tracefs DIR] [--accept-lost] [--quiet] [-- COMMAND [ARGS...]]\n\n"
	"Records what `labyrinth replay` needs from the running kernel into DIR (created,\n"
	"or an empty folder), as root, with libtracefs in a tracefs instance of its own\n"
	"(labyrinth-record-PID: the user's own tracing is not disturbed):\n"
	"  1. the snapshot `before` (as `labyrinth snapshot`: zoneinfo.before, ...);\n"
	"  2. the events kmem:mm_page_alloc, mm_page_free, mm_page_free_batched,\n"
	"     mm_page_alloc_zone_locked, mm_page_pcpu_drain, mm_page_alloc_extfrag,\n"
	"     compaction:*, vmscan:mm_vmscan_{kswapd_wake,kswapd_sleep,wakeup_kswapd,\n"
	"     direct_reclaim_begin,direct_reclaim_end} and oom:mark_victim, while COMMAND\n"
	"     runs, for --duration SECS, or until Ctrl-C; the buffer is streamed to\n"
	"     DIR/trace.txt (text, as tracefs prints it); a progress line shows the\n"
	"     events and lost events;\n"
	"  3. the snapshot `after`, trace_stats.txt (per-CPU ring-buffer statistics),\n"
	"     events_enabled.txt, trace_buffer_size_kb.txt and meta.txt.\n"
	"The instance is removed on every way out (end, error, SIGINT, SIGTERM, SIGHUP).\n\n"
	"  --duration SECS   stop after SECS seconds (without COMMAND)\n"
	"  --buffer-kb N     ring buffer per CPU in KiB (default 8192)\n"
	"  --event SYS:EVENT one more event to enable (repeatable; SYS:* for a whole system)\n"
	"  --tracefs DIR     where tracefs is mounted (default /sys/kernel/tracing)\n"
	"  --accept-lost     keep a recording that lost events (a warning, not an error)\n"
	"  --quiet           no progress or summary line\n\n"
	"Then replay it, in both modes: labyrinth replay DIR/trace.txt (the last line names\n"
	"the kernel version to give it).\n\n"
	"Exit: 0 recorded; 1 recorded, but COMMAND exited non-zero; 2 nothing recorded\n"
	"(one line says why: not root, tracefs not mounted, an event this kernel lacks,\n"
	"a write error such as a full disk, lost events, bad usage): DIR is left as it was.\n";

int lab_cmd_record(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "duration", required_argument, 0, 'd' },
		{ "buffer-kb", required_argument, 0, 'b' },
		{ "event", required_argument, 0, 'e' },
		{ "tracefs", required_argument, 0, 't' },
		{ "accept-lost", no_argument, 0, 'a' },
		{ "quiet", no_argument, 0, 'q' },
		{ "help", no_argument, 0, 'h' },
		{ 0, 0, 0, 0 },
	};
	static const char *events[65];
	struct lab_record_opts o;
	int c, nev = 0;
	memset(&o, 0, sizeof(o));
	optind = 1;
	/* '+': options stop at an operand: DIR (options may follow it), then
	 * "--" or COMMAND, whose own options stay its own */
	for (;;) {
		c = getopt_long(argc, argv, "+h", opts, NULL);
		if (c == -1) {
			if (o.dir || optind >= argc || !strcmp(argv[optind - 1], "--"))
				break;
			o.dir = argv[optind++];
			continue;
		}
		switch (c) {
		case 'd': {
			char *end;
			errno = 0;
			o.duration = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(o.duration > 0 && o.duration <= 31 * 86400.0))
				return cli_error("record", "--duration must be seconds > 0, got '%s'", optarg);
			break;
		}
		case 'b': {
			uint64_t kb;
			if (cli_parse_u64(optarg, &kb) || kb < 4 || kb > (1u << 22))
				return cli_error("record", "--buffer-kb must be 4..4194304 (KiB per CPU), got '%s'", optarg);
			o.buffer_kb = (unsigned)kb;
			break;
		}
		case 'e':
			if (nev == 64)
				return cli_error("record", "at most 64 --event");
			events[nev++] = optarg;
			break;
		case 't': o.tracefs = optarg; break;
		case 'a': o.accept_lost = 1; break;
		case 'q': o.quiet = 1; break;
		case 'h':
		default:
			return cli_help(help, c == 'h');
		}
	}
	if (!o.dir)
		return cli_help(help, 0);
	if (optind < argc)
		o.argv = argv + optind;
	if (o.argv && o.duration > 0)
		return cli_error("record", "give --duration or a COMMAND, not both");
	events[nev] = NULL;
	o.extra_events = nev ? events : NULL;
	return lab_record_run(&o);
}
