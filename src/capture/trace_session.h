/* SPDX-License-Identifier: MIT */
/*
 * capture/trace_session.h - a private tracefs instance for `record`
 * (libtracefs): made, configured, streamed through its trace_pipe into a
 * file, and removed on every path out.
 */
#ifndef LAB_CAPTURE_TRACE_SESSION_H
#define LAB_CAPTURE_TRACE_SESSION_H

#include <stddef.h>
#include <stdint.h>

struct tracefs_instance;

/* The ring-buffer statistics of every CPU, summed (per_cpu/cpuN/stats). */
struct lab_ring_stats {
	int nr_cpus;
	uint64_t entries, overrun, commit_overrun, dropped, read;
};

struct lab_trace_session {
	struct tracefs_instance *inst;
	char name[64];
	int pipe_fd;                    /* trace_pipe, non-blocking */
	int nr_cpus;                    /* per_cpu/cpuN folders */
	uint64_t lines, bytes;          /* written to the trace file so far */
	char partial;                   /* the last byte written was not '\n' */
};

/* The events `replay` reads ("system:event"; "system:*" for all of one). */
extern const char *const lab_record_events[];

/*
 * Checks that @tracefs (NULL: the mount libtracefs finds) is a mounted
 * tracefs, then makes the instance "labyrinth-record-PID" with tracing off,
 * @buffer_kb per CPU, no overwrite (a full buffer drops the newest events
 * and counts them), the global clock (events of different CPUs in their
 * true order), the events of lab_record_events and @extra (NULL-terminated)
 * enabled; the events that were enabled are written to @enabled (one
 * "system:event" a line, as tracefs set_event prints them).
 * 0, or -1 with @err (nothing is left: the instance is removed).
 */
int lab_trace_session_start(struct lab_trace_session *s, const char *tracefs, unsigned buffer_kb,
			    const char *const *extra, char *enabled, size_t enabled_size, char *err, size_t errsz);

/* tracing_on = @on. 0, or -1 with @err. */
int lab_trace_session_switch(struct lab_trace_session *s, int on, char *err, size_t errsz);

/* Moves what trace_pipe holds now into @fd; counts lines and bytes.
 * 0, or -1 with @err (a write error: a full disk). */
int lab_trace_session_drain(struct lab_trace_session *s, int fd, char *err, size_t errsz);

/* Sums per_cpu/cpuN/stats into @st; when @text is non-NULL also writes
 * them as trace_stats.txt reads them ("== cpuN" then the file). */
int lab_trace_session_stats(struct lab_trace_session *s, struct lab_ring_stats *st, char *text, size_t size);

/* The actual per-CPU buffer size in KiB (buffer_size_kb), or 0. */
unsigned lab_trace_session_buffer_kb(struct lab_trace_session *s);

/* Disables the events, removes the instance; safe to call twice. */
void lab_trace_session_stop(struct lab_trace_session *s);

#endif
