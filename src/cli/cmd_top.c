/* SPDX-License-Identifier: MIT */
/*
 * cli/cmd_top.c - `labyrinth top`: this machine's page allocator, live.
 *
 * Parses the options and runs the refresh loop: engines/top.c reads and
 * computes, report/top.c renders. On a terminal the screen is redrawn in
 * place with plain ANSI escapes (home, clear to end), stdin in
 * non-canonical mode so that `q` quits without Enter; the terminal is
 * restored on every exit path (q, SIGINT/SIGTERM/SIGHUP, --count reached).
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include "cli/cli.h"
#include "engines/top.h"
#include "report/top.h"

static const char *const help =
	"usage: labyrinth top [--interval SECONDS] [--once | --count N] [--json]\n"
	"                     [--prometheus FILE] [--proc DIR [--suffix NAME]]\n\n"
	"This machine's page allocator per node and zone, refreshed: free pages against\n"
	"min/low/high and the boost, the GFP_ATOMIC headroom of every order (how many\n"
	"successive allocations the zone's free lists serve now, by the allocator's own\n"
	"rules), fragmentation and unusable indices, the highatomic reserve, rates from\n"
	"/proc/vmstat deltas and a short history of the headroom. q quits.\n\n"
	"  --interval S      seconds between refreshes (default 1; fractions allowed)\n"
	"  --once            one refresh, then exit (same as --count 1)\n"
	"  --count N         N refreshes, then exit\n"
	"  --json            one JSON object per refresh, one per line, on stdout\n"
	"  --prometheus FILE node_exporter textfile-collector format, FILE replaced\n"
	"                    atomically on every refresh ('-': stdout)\n"
	"  --proc DIR        read DIR instead of /proc (a copy of /proc, or a snapshot\n"
	"                    directory with --suffix)\n"
	"  --suffix NAME     read DIR/zoneinfo.NAME, buddyinfo.NAME, ... (a snapshot)\n";

static volatile sig_atomic_t stop_signal;
static struct termios saved_tty;
static int tty_raw;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static void tty_restore(void)
{
	if (tty_raw) {
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_tty);
		tty_raw = 0;
	}
	fputs("\033[?25h", stdout);      /* show the cursor */
	fflush(stdout);
}

static void tty_setup(void)
{
	struct termios t;
	if (isatty(STDIN_FILENO) && !tcgetattr(STDIN_FILENO, &saved_tty)) {
		t = saved_tty;
		t.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
		t.c_cc[VMIN] = 0;
		t.c_cc[VTIME] = 0;
		if (!tcsetattr(STDIN_FILENO, TCSANOW, &t))
			tty_raw = 1;
	}
	fputs("\033[?25l\033[2J", stdout);   /* hide the cursor, clear once */
}

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Waits up to @seconds; 1 when `q` (or end of input on a terminal) asks to quit. */
static int wait_or_quit(double seconds, int keys)
{
	if (!keys) {
		struct timespec ts = { (time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9) };
		while (nanosleep(&ts, &ts) && errno == EINTR && !stop_signal)
			;
		return 0;
	}
	/* other keys are read and ignored; the interval still runs out */
	double end = now_seconds() + seconds, left;
	while (!stop_signal && (left = end - now_seconds()) > 0) {
		struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
		if (poll(&p, 1, (int)(left * 1000) + 1) <= 0)
			continue;
		char c;
		ssize_t n = read(STDIN_FILENO, &c, 1);
		if (n == 1 && (c == 'q' || c == 'Q'))
			return 1;
		if (n <= 0)
			return 1;       /* the terminal went away */
	}
	return 0;
}

/* FILE.tmp written and renamed over FILE, so a collector never reads half. */
static int write_prometheus(const char *path, const struct lab_top *t)
{
	if (!strcmp(path, "-")) {
		lab_report_top_prometheus(stdout, t);
		fflush(stdout);
		return 0;
	}
	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	if (!f)
		return cli_error("top", "%s: %s", tmp, strerror(errno));
	lab_report_top_prometheus(f, t);
	if (fclose(f) || rename(tmp, path)) {
		int e = errno;
		unlink(tmp);
		return cli_error("top", "%s: %s", path, strerror(e));
	}
	return 0;
}

/* The screen redrawn in place: home, each line cut to the terminal's width
 * and erased to its end, as many lines as fit (a line that wraps or a
 * screen that scrolls would break the in-place redraw), then clear below. */
static void draw_screen(const struct lab_top *t, double interval)
{
	struct winsize ws = { .ws_row = 24, .ws_col = 80 };
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	if (!m)
		return;
	lab_report_top_text(m, t, interval);
	fclose(m);
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) || !ws.ws_row || !ws.ws_col)
		ws = (struct winsize){ .ws_row = 24, .ws_col = 80 };
	fputs("\033[H", stdout);
	unsigned rows = 0;
	for (char *l = buf; *l && rows + 1 < ws.ws_row; rows++) {
		size_t n = strcspn(l, "\n");
		fwrite(l, 1, n < ws.ws_col ? n : ws.ws_col, stdout);
		fputs("\033[K\r\n", stdout);
		l += n + (l[n] == '\n');
	}
	fputs("\033[J", stdout);
	free(buf);
}

struct top_opts {
	double interval;
	uint64_t count;                 /* 0 = until q or a signal */
	int json;
	const char *prometheus, *proc, *suffix;
};

static int render(const struct top_opts *o, const struct lab_top *t, int screen)
{
	if (o->prometheus && write_prometheus(o->prometheus, t))
		return 2;
	if (o->json) {
		json_t *j = lab_report_top_json(t);
		char *s = json_dumps(j, JSON_COMPACT);
		json_decref(j);
		if (s)
			puts(s);
		free(s);
	} else if (screen) {
		draw_screen(t, o->interval);
	} else if (!o->prometheus || strcmp(o->prometheus, "-")) {
		lab_report_top_text(stdout, t, o->count == 1 ? 0 : o->interval);
		if (o->count != 1)
			fputc('\n', stdout);
	}
	fflush(stdout);
	return 0;
}

static int loop(const struct top_opts *o, struct lab_top *t)
{
	int screen = !o->json && !o->prometheus && o->count != 1 && isatty(STDOUT_FILENO);
	int rc = 0;
	char err[512] = "";
	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	if (screen)
		tty_setup();
	for (uint64_t n = 0; !o->count || n < o->count; n++) {
		if (n && wait_or_quit(o->interval, tty_raw))
			break;
		if (stop_signal)
			break;
		if (lab_top_refresh(t, o->proc, o->suffix, now_seconds(), err, sizeof(err))) {
			rc = 2;
			break;
		}
		if ((rc = render(o, t, screen)))
			break;
	}
	if (screen)
		tty_restore();
	if (rc == 2 && err[0])
		cli_error("top", "%s", err);
	return rc;
}

int lab_cmd_top(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "interval", required_argument, NULL, 'i' }, { "once", no_argument, NULL, '1' },
		{ "count", required_argument, NULL, 'n' }, { "json", no_argument, NULL, 'j' },
		{ "prometheus", required_argument, NULL, 'p' }, { "proc", required_argument, NULL, 'P' },
		{ "suffix", required_argument, NULL, 's' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct top_opts o = { .interval = 1.0, .proc = "/proc" };
	int c;
	char *end;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'i':
			o.interval = strtod(optarg, &end);
			if (*end || end == optarg || !(o.interval >= 0.05 && o.interval <= 86400))
				return cli_error("top", "--interval '%s': expected seconds from 0.05 to 86400", optarg);
			break;
		case '1':
			o.count = 1;
			break;
		case 'n':
			if (cli_parse_u64(optarg, &o.count) || !o.count)
				return cli_error("top", "--count '%s': expected a positive number", optarg);
			break;
		case 'j': o.json = 1; break;
		case 'p': o.prometheus = optarg; break;
		case 'P': o.proc = optarg; break;
		case 's': o.suffix = optarg; break;
		default:
			return cli_help(help, c == 'h');
		}
	}
	if (optind < argc)
		return cli_error("top", "unexpected argument '%s'", argv[optind]);
	struct lab_top *t = lab_top_new();
	if (!t)
		return cli_error("top", "out of memory");
	int rc = loop(&o, t);
	lab_top_free(t);
	return rc;
}
