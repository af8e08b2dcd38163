// SPDX-License-Identifier: MIT
/*
 * capture/record.c - `labyrinth record DIR`: a page-allocator trace of the
 * running kernel with what `replay` needs around it.
 *
 *   check root ─ DIR (new or empty) ─ instance (trace_session.c)
 *     snapshot "before" ─ tracing_on=1 ─ [COMMAND | --duration | Ctrl-C]
 *       every 50 ms: trace_pipe -> DIR/trace.txt; every 500 ms: progress
 *     snapshot "after" ─ tracing_on=0 ─ last drain ─ per-CPU stats
 *     lost events? ─ meta.txt ─ instance removed
 *
 * The trace covers exactly the span between the two snapshots (as in the
 * realkernel runs): replay seeds its model from zoneinfo.before and checks
 * it against buddyinfo.after.
 *
 * Every way out goes through one exit (finish()), which removes the
 * instance and, when nothing usable was recorded, every file of DIR this
 * run wrote. SIGINT, SIGTERM and SIGHUP only raise a flag the loop reads: a
 * signal ends the recording (and is passed on to COMMAND once), it never
 * leaves an instance behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <labyrinth/labyrinth.h>
#include "capture/capture.h"

#ifdef LAB_HAVE_TRACEFS
#include "capture/trace_session.h"
#include "util/text.h"

#define DEFAULT_BUFFER_KB 8192

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static void catch_signals(int on)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on ? on_signal : SIG_DFL;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

struct recording {
	const struct lab_record_opts *o;
	struct lab_outdir od;
	struct lab_trace_session ts;
	int trace_fd;
	pid_t child;
	int child_status, child_done, forwarded;
	double t0, t_end;
	struct lab_ring_stats st;
	char enabled[8192];
	char err[1536];
};

/* Removes the instance; discards DIR's files on failure. Returns @rc. */
static int finish(struct recording *r, int rc)
{
	if (r->trace_fd >= 0)
		close(r->trace_fd);
	r->trace_fd = -1;
	/* COMMAND first: an instance with an open file cannot be removed */
	if (r->child > 0 && !r->child_done) {
		kill(r->child, SIGTERM);
		waitpid(r->child, &r->child_status, 0);
		r->child_done = 1;
	}
	lab_trace_session_stop(&r->ts);
	catch_signals(0);
	if (rc == 2) {
		lab_outdir_discard(&r->od);
		fprintf(stderr, "labyrinth record: %s\n", r->err);
	}
	return rc;
}

/* fork + exec COMMAND; an exec failure comes back through a CLOEXEC pipe. */
static int start_command(struct recording *r)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC))
		return lab_errf(r->err, sizeof(r->err), -1, "pipe: %s", strerror(errno));
	/* blocked across fork: a signal meant for COMMAND that lands before its
	 * exec must not be caught by our handler in the child (and lost) */
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &old);
	r->child = fork();
	if (r->child == 0) {
		catch_signals(0);
		sigprocmask(SIG_SETMASK, &old, NULL);
		close(p[0]);
		execvp(r->o->argv[0], r->o->argv);
		int e = errno;
		if (write(p[1], &e, sizeof(e)) < 0)
			_exit(127);
		_exit(127);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (r->child < 0) {
		close(p[0]);
		close(p[1]);
		return lab_errf(r->err, sizeof(r->err), -1, "fork: %s", strerror(errno));
	}
	close(p[1]);
	int e = 0;
	ssize_t n;
	while ((n = read(p[0], &e, sizeof(e))) < 0 && errno == EINTR)
		;
	close(p[0]);
	if (n == sizeof(e)) {
		waitpid(r->child, &r->child_status, 0);
		r->child_done = 1;
		return lab_errf(r->err, sizeof(r->err), -1, "cannot run %s: %s", r->o->argv[0], strerror(e));
	}
	return 0;
}

static void progress(struct recording *r, int final)
{
	if (r->o->quiet || (!final && !isatty(2)))
		return;
	uint64_t lost = r->st.overrun + r->st.commit_overrun + r->st.dropped;
	fprintf(stderr, "%slabyrinth record: %.1f s, %llu events, %llu lost, %.1f MB%s", isatty(2) ? "\r\033[K" : "",
		(final ? r->t_end : now_s()) - r->t0, (unsigned long long)r->ts.lines, (unsigned long long)lost,
		(double)r->ts.bytes / 1e6, final ? "\n" : "");
}

/* True when the recording should end now. */
static int should_stop(struct recording *r)
{
	if (r->child > 0 && !r->child_done && waitpid(r->child, &r->child_status, WNOHANG) == r->child)
		r->child_done = 1;
	if (r->child > 0) {
		if (r->child_done)
			return 1;
		if (stop_signal && !r->forwarded) {
			/* Ctrl-C reached COMMAND's process group too; a SIGTERM to
			 * us alone is passed on; either way wait for it to end */
			if (stop_signal != SIGINT)
				kill(r->child, stop_signal);
			r->forwarded = 1;
			stop_signal = 0;
		}
		return stop_signal != 0;        /* a second signal: stop now */
	}
	if (stop_signal)
		return 1;
	return r->o->duration > 0 && now_s() - r->t0 >= r->o->duration;
}

/* trace_pipe -> trace.txt; a write error names the file. */
static int drain(struct recording *r)
{
	char e[256];
	if (lab_trace_session_drain(&r->ts, r->trace_fd, e, sizeof(e)))
		return lab_errf(r->err, sizeof(r->err), -1, "%s/%s", r->od.path, e);
	return 0;
}

static int record_loop(struct recording *r)
{
	double last_progress = 0;
	while (!should_stop(r)) {
		struct timespec d = { 0, 50 * 1000 * 1000 };
		nanosleep(&d, NULL);
		if (drain(r))
			return -1;
		if (now_s() - last_progress >= 0.5) {
			lab_trace_session_stats(&r->ts, &r->st, NULL, 0);
			progress(r, 0);
			last_progress = now_s();
		}
	}
	return 0;
}

/* The header `trace` prints; its counts are filled in at the end (pwrite
 * over fixed-width fields), so the reader knows the CPUs and the losses. */
static int write_trace_header(struct recording *r, uint64_t lines, uint64_t lost)
{
	char h[512];
	int n = snprintf(h, sizeof(h), "# tracer: nop\n#\n# entries-in-buffer/entries-written: %20llu/%-20llu #P:%-4d\n"
			 "# labyrinth record: tracefs instance %-32s trace_pipe, trace_clock global\n#\n",
			 (unsigned long long)lines, (unsigned long long)(lines + lost), r->ts.nr_cpus, r->ts.name);
	if (pwrite(r->trace_fd, h, (size_t)n, 0) != n)
		return lab_errf(r->err, sizeof(r->err), -1, "%s/trace.txt: %s", r->od.path, strerror(errno));
	if (lines == 0 && lseek(r->trace_fd, n, SEEK_SET) != n)
		return lab_errf(r->err, sizeof(r->err), -1, "%s/trace.txt: %s", r->od.path, strerror(errno));
	return 0;
}

static int write_meta(struct recording *r)
{
	char buf[16384];
	struct lab_sbuf sb = { .buf = buf, .size = sizeof(buf), .len = 0 };
	struct utsname u;
	uname(&u);
	time_t t = time(NULL);
	char date[64];
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	lab_sb_printf(&sb, "recorder: labyrinth record %s\nkernel: %s\ndate_utc: %s\n", LAB_VERSION, u.release, date);
	lab_sb_printf(&sb, "command:");
	for (int i = 0; r->o->argv && r->o->argv[i]; i++)
		lab_sb_printf(&sb, " %s", r->o->argv[i]);
	lab_sb_printf(&sb, "%s\n", r->o->argv ? "" : r->o->duration > 0 ? " <duration>" : " <until a signal>");
	if (r->child > 0)
		lab_sb_printf(&sb, "command_exit: %d\n", WIFEXITED(r->child_status) ? WEXITSTATUS(r->child_status)
				: 128 + WTERMSIG(r->child_status));
	lab_sb_printf(&sb, "seconds: %.3f\ntracefs_instance: %s\ncpus: %d\ntrace_buffer_size_kb_per_cpu: %u\n",
		      r->t_end - r->t0, r->ts.name, r->ts.nr_cpus, lab_trace_session_buffer_kb(&r->ts));
	lab_sb_printf(&sb, "trace_bytes: %llu\ntrace_lines: %llu\n", (unsigned long long)r->ts.bytes,
		      (unsigned long long)r->ts.lines);
	lab_sb_printf(&sb, "lost_events: %llu (overrun %llu, commit overrun %llu, dropped %llu)\nevents_enabled:",
		      (unsigned long long)(r->st.overrun + r->st.commit_overrun + r->st.dropped),
		      (unsigned long long)r->st.overrun, (unsigned long long)r->st.commit_overrun,
		      (unsigned long long)r->st.dropped);
	for (const char *c = r->enabled; *c; c++)       /* set_event's lines, space-separated */
		if (*c != '\n')
			lab_sb_printf(&sb, "%s%c", c == r->enabled || c[-1] == '\n' ? " " : "", *c);
	lab_sb_printf(&sb, "\n");
	if (sb.len >= sb.size)
		sb.len = sb.size - 1;
	return lab_outdir_write(&r->od, "meta.txt", buf, sb.len, r->err, sizeof(r->err));
}

/* After the loop: snapshot after, tracing off, the rest of the buffer, the
 * statistics and the small files. 0, or -1 with r->err. */
static int conclude(struct recording *r)
{
	struct lab_snapshot_src src = { .root = NULL, .quiet = 1 };
	r->t_end = now_s();
	if (lab_snapshot_write(&r->od, &src, "after", 0, r->err, sizeof(r->err)) ||
	    lab_trace_session_switch(&r->ts, 0, r->err, sizeof(r->err)) ||
	    drain(r))
		return -1;
	static char stats[1 << 16];
	lab_trace_session_stats(&r->ts, &r->st, stats, sizeof(stats));
	if (r->ts.partial && write(r->trace_fd, "\n", 1) != 1)
		return lab_errf(r->err, sizeof(r->err), -1, "%s/trace.txt: %s", r->od.path, strerror(errno));
	if (write_trace_header(r, r->ts.lines, r->st.overrun + r->st.commit_overrun + r->st.dropped))
		return -1;
	int rc = close(r->trace_fd);
	r->trace_fd = -1;
	if (rc)
		return lab_errf(r->err, sizeof(r->err), -1, "%s/trace.txt: %s", r->od.path, strerror(errno));
	char kb[32];
	int n = snprintf(kb, sizeof(kb), "%u\n", lab_trace_session_buffer_kb(&r->ts));
	if (lab_outdir_write(&r->od, "trace_stats.txt", stats, strlen(stats), r->err, sizeof(r->err)) ||
	    lab_outdir_write(&r->od, "trace_buffer_size_kb.txt", kb, (size_t)n, r->err, sizeof(r->err)) ||
	    write_meta(r))
		return -1;
	return 0;
}

/* Setup up to the start of tracing. 0, or -1 with r->err. */
static int begin(struct recording *r)
{
	const struct lab_record_opts *o = r->o;
	unsigned kb = o->buffer_kb ? o->buffer_kb : DEFAULT_BUFFER_KB;
	if (lab_trace_session_start(&r->ts, o->tracefs, kb, o->extra_events, r->enabled, sizeof(r->enabled),
				    r->err, sizeof(r->err)))
		return -1;
	if (lab_outdir_write(&r->od, "events_enabled.txt", r->enabled, strlen(r->enabled), r->err, sizeof(r->err)))
		return -1;
	struct lab_snapshot_src src = { .root = NULL, .quiet = 0 };
	if (lab_snapshot_write(&r->od, &src, "before", 1, r->err, sizeof(r->err)))
		return -1;
	if ((r->trace_fd = lab_outdir_create_fd(&r->od, "trace.txt", r->err, sizeof(r->err))) < 0 ||
	    write_trace_header(r, 0, 0))
		return -1;
	if (stop_signal)
		return lab_errf(r->err, sizeof(r->err), -1, "interrupted (signal %d) before the recording began",
				(int)stop_signal);
	r->t0 = now_s();
	if (lab_trace_session_switch(&r->ts, 1, r->err, sizeof(r->err)))
		return -1;
	return o->argv ? start_command(r) : 0;
}

int lab_record_run(const struct lab_record_opts *o)
{
	static struct recording r;
	memset(&r, 0, sizeof(r));
	r.o = o;
	r.trace_fd = -1;
	r.ts.pipe_fd = -1;
	stop_signal = 0;
	if (geteuid() != 0) {
		fprintf(stderr, "labyrinth record: needs root (a tracefs instance and /proc/pagetypeinfo are root's); "
			"run it with sudo\n");
		return 2;
	}
	if (lab_outdir_open(&r.od, o->dir, r.err, sizeof(r.err))) {
		fprintf(stderr, "labyrinth record: %s\n", r.err);
		return 2;
	}
	catch_signals(1);
	if (begin(&r) || record_loop(&r) || conclude(&r))
		return finish(&r, 2);
	uint64_t lost = r.st.overrun + r.st.commit_overrun + r.st.dropped;
	if (lost && !o->accept_lost) {
		snprintf(r.err, sizeof(r.err), "the ring buffer lost %llu events (overrun %llu, commit overrun %llu, "
			 "dropped %llu; %llu recorded): a replay needs every event; give a larger --buffer-kb "
			 "(now %u per CPU) or --accept-lost", (unsigned long long)lost,
			 (unsigned long long)r.st.overrun, (unsigned long long)r.st.commit_overrun,
			 (unsigned long long)r.st.dropped, (unsigned long long)r.ts.lines,
			 lab_trace_session_buffer_kb(&r.ts));
		return finish(&r, 2);
	}
	progress(&r, 1);
	int failed = r.child > 0 && !(WIFEXITED(r.child_status) && WEXITSTATUS(r.child_status) == 0);
	struct utsname u;
	uname(&u);
	if (!o->quiet)
		fprintf(stderr, "labyrinth record: %s: trace.txt, snapshots before/after%s; replay it with "
			"`labyrinth replay %s/trace.txt --kernel %s`\n", o->dir,
			lost ? " (events were lost: --accept-lost)" : "", o->dir, u.release);
	if (failed)
		fprintf(stderr, "labyrinth record: note: %s exited with status %d\n", o->argv[0],
			WIFEXITED(r.child_status) ? WEXITSTATUS(r.child_status) : 128 + WTERMSIG(r.child_status));
	return finish(&r, failed ? 1 : 0);
}

#else /* !LAB_HAVE_TRACEFS */

int lab_record_run(const struct lab_record_opts *o)
{
	(void)o;
	fprintf(stderr, "labyrinth record: this build has no libtracefs (install libtracefs-dev and rebuild)\n");
	return 2;
}

#endif
