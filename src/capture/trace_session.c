// SPDX-License-Identifier: MIT
/*
 * capture/trace_session.c - the tracefs instance of `labyrinth record`.
 *
 *   TRACEFS/instances/labyrinth-record-PID/    (tracefs_instance_create)
 *     buffer_size_kb  <- --buffer-kb            options/overwrite <- 0
 *     trace_clock     <- global                 events/.../enable <- 1
 *     tracing_on      <- 1 .. 0                 trace_pipe -> DIR/trace.txt
 *     per_cpu/cpuN/stats -> trace_stats.txt (entries, overrun, dropped)
 *
 * An instance has its own ring buffer, events and switches: the user's own
 * tracing (the top-level buffer, other instances, trace-cmd, perf) is not
 * touched. The buffer is streamed while recording (a consuming read of
 * trace_pipe, which merges the CPUs by timestamp as `trace` does), so its
 * size only has to hold what arrives between two drains.
 * No overwrite: when it is full, the newest events are dropped and counted
 * ("dropped events"), the trace keeps its start, and `record` refuses the
 * result (a replay needs every event).
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>
#include <tracefs.h>
#include "capture/trace_session.h"
#include "formats/snapshot.h"
#include "util/text.h"

#define TRACEFS_MAGIC_NR 0x74726163     /* "trac", linux/magic.h */

const char *const lab_record_events[] = {
	"kmem:mm_page_alloc", "kmem:mm_page_free", "kmem:mm_page_free_batched",
	"kmem:mm_page_alloc_zone_locked", "kmem:mm_page_pcpu_drain", "kmem:mm_page_alloc_extfrag",
	"compaction:*",
	"vmscan:mm_vmscan_kswapd_wake", "vmscan:mm_vmscan_kswapd_sleep", "vmscan:mm_vmscan_wakeup_kswapd",
	"vmscan:mm_vmscan_direct_reclaim_begin", "vmscan:mm_vmscan_direct_reclaim_end",
	"oom:mark_victim",
	NULL,
};

static int is_tracefs(const char *dir)
{
	struct statfs sf;
	return statfs(dir, &sf) == 0 && (unsigned long)sf.f_type == TRACEFS_MAGIC_NR;
}

/* The tracefs mount to use (@want, or the usual places), set in libtracefs
 * so it never mounts one itself. 0, or -1 with @err. */
static int find_tracefs(const char *want, char *path, size_t size, char *err, size_t errsz)
{
	static const char *const usual[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	if (want) {
		if (!is_tracefs(want))
			return lab_errf(err, errsz, -1, "%s is not a mounted tracefs "
					"(mount -t tracefs nodev %s)", want, want);
		snprintf(path, size, "%s", want);
	} else {
		size_t i;
		for (i = 0; i < 2 && !is_tracefs(usual[i]); i++)
			;
		if (i == 2)
			return lab_errf(err, errsz, -1, "tracefs is not mounted at %s "
					"(mount -t tracefs nodev %s, or give --tracefs DIR)", usual[0], usual[0]);
		snprintf(path, size, "%s", usual[i]);
	}
	if (tracefs_set_tracing_dir(path))
		return lab_errf(err, errsz, -1, "%s: libtracefs does not accept it", path);
	return 0;
}

/* Instances of records that were killed (SIGKILL, a crash: the only ways
 * out that cannot remove theirs): labyrinth-record-PID whose PID is gone. */
static void remove_stale(const char *root)
{
	char path[4200];
	if ((size_t)snprintf(path, sizeof(path), "%s/instances", root) >= sizeof(path))
		return;
	DIR *d = opendir(path);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d))) {
		char *end;
		if (strncmp(de->d_name, "labyrinth-record-", 17))
			continue;
		long pid = strtol(de->d_name + 17, &end, 10);
		if (*end || pid <= 0 || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/instances/%s", root, de->d_name) < sizeof(path) &&
		    rmdir(path) == 0)
			fprintf(stderr, "labyrinth record: note: removed %s, left by a record that was killed\n", path);
	}
	closedir(d);
}

/* "system:event" split; event NULL for "system:*". -1 when malformed. */
static int split_event(const char *spec, char *sys, size_t sysz, const char **ev)
{
	const char *c = strchr(spec, ':');
	if (!c || c == spec || !c[1] || (size_t)(c - spec) >= sysz || strchr(c + 1, '/'))
		return -1;
	memcpy(sys, spec, (size_t)(c - spec));
	sys[c - spec] = 0;
	*ev = strcmp(c + 1, "*") ? c + 1 : NULL;
	return 0;
}

/* The event exists in the running kernel (checked at the top level, before
 * any instance exists). 0, or -1 with @err naming it. */
static int check_event(const char *root, const char *spec, char *err, size_t errsz)
{
	char sys[64], path[4096];
	const char *ev;
	if (split_event(spec, sys, sizeof(sys), &ev))
		return lab_errf(err, errsz, -1, "bad event '%s' (SYSTEM:EVENT, e.g. kmem:mm_page_alloc)", spec);
	snprintf(path, sizeof(path), "%s/events/%s%s%s", root, sys, ev ? "/" : "", ev ? ev : "");
	if (access(path, F_OK))
		return lab_errf(err, errsz, -1, "this kernel has no trace event %s (%s does not exist)", spec, path);
	return 0;
}

static int enable_event(struct lab_trace_session *s, const char *spec, char *err, size_t errsz)
{
	char sys[64];
	const char *ev;
	split_event(spec, sys, sizeof(sys), &ev);
	if (tracefs_event_enable(s->inst, sys, ev))
		return lab_errf(err, errsz, -1, "cannot enable trace event %s in instance %s: %s", spec, s->name,
				strerror(errno));
	return 0;
}

static int configure(struct lab_trace_session *s, unsigned buffer_kb, const char *const *extra,
		     char *enabled, size_t enabled_size, char *err, size_t errsz)
{
	if (tracefs_trace_off(s->inst))
		return lab_errf(err, errsz, -1, "instance %s: cannot switch tracing off", s->name);
	if (tracefs_instance_set_buffer_size(s->inst, buffer_kb, -1))
		return lab_errf(err, errsz, -1, "instance %s: cannot size the buffers to %u KiB per CPU: %s",
				s->name, buffer_kb, strerror(errno));
	if (tracefs_option_disable(s->inst, TRACEFS_OPTION_OVERWRITE))
		return lab_errf(err, errsz, -1, "instance %s: cannot clear options/overwrite", s->name);
	if (tracefs_instance_file_write(s->inst, "trace_clock", "global") < 0)
		return lab_errf(err, errsz, -1, "instance %s: cannot set trace_clock to global", s->name);
	for (int i = 0; lab_record_events[i]; i++)
		if (enable_event(s, lab_record_events[i], err, errsz))
			return -1;
	for (int i = 0; extra && extra[i]; i++)
		if (enable_event(s, extra[i], err, errsz))
			return -1;
	char *set = tracefs_instance_file_read(s->inst, "set_event", NULL);
	snprintf(enabled, enabled_size, "%s", set ? set : "");
	free(set);
	char cpu[32];
	while (s->nr_cpus < 8192 && (snprintf(cpu, sizeof(cpu), "per_cpu/cpu%d", s->nr_cpus),
				     tracefs_dir_exists(s->inst, cpu)))
		s->nr_cpus++;
	s->pipe_fd = tracefs_instance_file_open(s->inst, "trace_pipe", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (s->pipe_fd < 0)
		return lab_errf(err, errsz, -1, "instance %s: cannot open trace_pipe", s->name);
	return 0;
}

int lab_trace_session_start(struct lab_trace_session *s, const char *tracefs, unsigned buffer_kb,
			    const char *const *extra, char *enabled, size_t enabled_size, char *err, size_t errsz)
{
	char root[4096];
	memset(s, 0, sizeof(*s));
	s->pipe_fd = -1;
	if (find_tracefs(tracefs, root, sizeof(root), err, errsz))
		return -1;
	for (int i = 0; lab_record_events[i]; i++)
		if (check_event(root, lab_record_events[i], err, errsz))
			return -1;
	for (int i = 0; extra && extra[i]; i++)
		if (check_event(root, extra[i], err, errsz))
			return -1;
	remove_stale(root);
	snprintf(s->name, sizeof(s->name), "labyrinth-record-%ld", (long)getpid());
	s->inst = tracefs_instance_create(s->name);
	if (!s->inst || !tracefs_instance_exists(s->name)) {
		int e = errno;
		if (s->inst)
			tracefs_instance_free(s->inst);
		s->inst = NULL;
		return lab_errf(err, errsz, -1, "cannot create tracefs instance %s/instances/%s: %s", root, s->name,
				strerror(e));
	}
	if (configure(s, buffer_kb, extra, enabled, enabled_size, err, errsz)) {
		lab_trace_session_stop(s);
		return -1;
	}
	return 0;
}

int lab_trace_session_switch(struct lab_trace_session *s, int on, char *err, size_t errsz)
{
	if (on ? tracefs_trace_on(s->inst) : tracefs_trace_off(s->inst))
		return lab_errf(err, errsz, -1, "instance %s: cannot switch tracing %s", s->name, on ? "on" : "off");
	return 0;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w == 0)
				errno = ENOSPC;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int lab_trace_session_drain(struct lab_trace_session *s, int fd, char *err, size_t errsz)
{
	static char buf[1 << 16];
	for (;;) {
		ssize_t n = read(s->pipe_fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return 0;               /* EAGAIN: empty for now */
		for (ssize_t i = 0; i < n; i++)
			s->lines += buf[i] == '\n';
		s->bytes += (uint64_t)n;
		s->partial = buf[n - 1] != '\n';
		if (write_all(fd, buf, (size_t)n))
			return lab_errf(err, errsz, -1, "trace.txt: %s", strerror(errno));
	}
}

static void parse_stats(const char *text, struct lab_ring_stats *st)
{
	struct lab_trace_stats t = { 0 };
	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		lab_trace_stats_line(l, &t);
	st->entries += t.entries;
	st->overrun += t.overrun;
	st->commit_overrun += t.commit_overrun;
	st->dropped += t.dropped;
	st->read += t.read;
}

int lab_trace_session_stats(struct lab_trace_session *s, struct lab_ring_stats *st, char *text, size_t size)
{
	struct lab_sbuf sb = { .buf = text, .size = text ? size : 0, .len = 0 };
	memset(st, 0, sizeof(*st));
	for (int c = 0; c < s->nr_cpus; c++) {
		char name[48];
		snprintf(name, sizeof(name), "per_cpu/cpu%d/stats", c);
		char *t = tracefs_instance_file_read(s->inst, name, NULL);
		if (!t)
			continue;
		st->nr_cpus++;
		parse_stats(t, st);
		if (text)
			lab_sb_printf(&sb, "== cpu%d\n%s", c, t);
		free(t);
	}
	return sb.len < sb.size || !text ? 0 : -1;
}

unsigned lab_trace_session_buffer_kb(struct lab_trace_session *s)
{
	char *t = tracefs_instance_file_read(s->inst, "buffer_size_kb", NULL);
	unsigned kb = t ? (unsigned)strtoul(t, NULL, 10) : 0;
	free(t);
	return kb;
}

void lab_trace_session_stop(struct lab_trace_session *s)
{
	if (s->pipe_fd >= 0)
		close(s->pipe_fd);
	s->pipe_fd = -1;
	if (!s->inst)
		return;
	tracefs_trace_off(s->inst);
	tracefs_event_disable(s->inst, NULL, NULL);
	if (tracefs_instance_destroy(s->inst))
		fprintf(stderr, "labyrinth record: cannot remove tracefs instance %s: %s (rmdir it)\n", s->name,
			strerror(errno));
	tracefs_instance_free(s->inst);
	s->inst = NULL;
}
