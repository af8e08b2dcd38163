/* SPDX-License-Identifier: MIT */
/*
 * cli/cmd_snapshot.c - `labyrinth snapshot DIR`: the /proc and /sys files
 * of this machine's page allocator, saved in the layout `replay --snapshot`,
 * `top --proc` and the realkernel runs use (capture/snapshot_write.c).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "capture/capture.h"
#include "cli.h"

static const char *const help =
	"usage: labyrinth snapshot DIR [--suffix NAME] [--root ROOT]\n\n"
	"Saves this machine's page-allocator state into DIR (created, or an empty folder):\n"
	"/proc/zoneinfo, buddyinfo, pagetypeinfo (root only; without it a note, and it is\n"
	"left out), meminfo and vmstat as zoneinfo.NAME, buddyinfo.NAME, ..., every\n"
	"readable /proc/sys/vm/* as vm_sysctl.NAME (key=value lines), and uname.txt,\n"
	"cmdline.txt, thp_enabled.txt. NAME is `before` unless --suffix gives another\n"
	"(`replay` seeds its machine from the `before` files).\n"
	"The files are read back before the command ends: what it saves, replay reads.\n\n"
	"  --suffix NAME   the files' suffix (default before)\n"
	"  --root ROOT     read ROOT/proc and ROOT/sys (a container's view of the host)\n\n"
	"Exit: 0 saved; 2 bad usage, a file missing or unreadable, or a write error\n"
	"(a full disk): then nothing is left in DIR.\n";

int lab_cmd_snapshot(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "suffix", required_argument, 0, 's' },
		{ "root", required_argument, 0, 'r' },
		{ "help", no_argument, 0, 'h' },
		{ 0, 0, 0, 0 },
	};
	const char *suffix = "before";
	struct lab_snapshot_src src = { .root = NULL, .quiet = 0 };
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's': suffix = optarg; break;
		case 'r': src.root = optarg; break;
		case 'h':
		default:
			return cli_help(help, c == 'h');
		}
	}
	if (optind != argc - 1)
		return cli_help(help, 0);
	if (!*suffix || strlen(suffix) > 24 || strpbrk(suffix, "/. "))
		return cli_error("snapshot", "--suffix must be 1..24 characters without '/', '.' or ' ', got '%s'",
				 suffix);
	struct lab_outdir od;
	char err[1536];
	if (lab_outdir_open(&od, argv[optind], err, sizeof(err)))
		return cli_error("snapshot", "%s", err);
	if (lab_snapshot_write(&od, &src, suffix, 1, err, sizeof(err))) {
		lab_outdir_discard(&od);
		return cli_error("snapshot", "%s", err);
	}
	printf("%s:", argv[optind]);
	for (int i = 0; i < od.nr_files; i++)
		printf(" %s", od.files[i]);
	printf("\n");
	return 0;
}
