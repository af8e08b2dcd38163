/* SPDX-License-Identifier: MIT */
/*
 * capture/capture.h - taking the inputs of the tools from a running Linux:
 * `labyrinth snapshot` (the /proc and /sys files replay, diagnose and top
 * read, in the layout formats/snapshot.c reads) and `labyrinth record` (a
 * page-allocator trace through a tracefs instance of its own, bracketed by
 * a snapshot before and after).
 *
 *   DIR/ zoneinfo.S buddyinfo.S pagetypeinfo.S meminfo.S vmstat.S vm_sysctl.S
 *        uname.txt cmdline.txt thp_enabled.txt          (snapshot, S = suffix)
 *        trace.txt trace_stats.txt events_enabled.txt
 *        trace_buffer_size_kb.txt meta.txt             (record; S = before, after)
 *
 * Every file written is remembered in a struct lab_outdir so that a failure
 * (a full disk, a lost event, a signal before the end) can take back exactly
 * what this run wrote: nothing is left behind.
 *
 * Hosted (POSIX, libtracefs for record).
 */
#ifndef LAB_CAPTURE_H
#define LAB_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

#define LAB_OUTDIR_MAX_FILES 64

/* The output folder and what this run has put in it. */
struct lab_outdir {
	char path[3072];
	int created;                            /* mkdir'ed by this run */
	int nr_files;
	char files[LAB_OUTDIR_MAX_FILES][64];   /* names inside path */
};

/* Opens @path as the output folder: creates it (with its parents' mode),
 * or accepts an existing empty folder. 0, or -1 with @err set. */
int lab_outdir_open(struct lab_outdir *od, const char *path, char *err, size_t errsz);

/* Writes @len bytes as DIR/@name (created, or truncated when this run wrote
 * it before), remembered for lab_outdir_discard. 0, or -1 with @err naming
 * the file and errno (ENOSPC: "No space left on device"). */
int lab_outdir_write(struct lab_outdir *od, const char *name, const void *data, size_t len,
		     char *err, size_t errsz);

/* Opens DIR/@name for writing (remembered), for long outputs; NULL with @err. */
int lab_outdir_create_fd(struct lab_outdir *od, const char *name, char *err, size_t errsz);

/* Removes every file this run wrote, and the folder when this run made it. */
void lab_outdir_discard(struct lab_outdir *od);

/* What `snapshot` reads: ROOT/proc/... and ROOT/sys/... (ROOT "" = "/"). */
struct lab_snapshot_src {
	const char *root;
	int quiet;                              /* no note when pagetypeinfo is unreadable */
};

/*
 * Writes one snapshot into @od with suffix @suffix: zoneinfo, buddyinfo,
 * pagetypeinfo (root only: without it a note on stderr and it is left out),
 * meminfo, vmstat and vm_sysctl (every readable /proc/sys/vm/NAME as
 * NAME=value); with @with_system also uname.txt, cmdline.txt and
 * thp_enabled.txt. The written files are read back with formats/snapshot.c
 * so a snapshot `replay` cannot read is never kept. 0, or -1 with @err.
 */
int lab_snapshot_write(struct lab_outdir *od, const struct lab_snapshot_src *src, const char *suffix,
		       int with_system, char *err, size_t errsz);

/* `labyrinth record` */
struct lab_record_opts {
	const char *dir;
	const char *tracefs;                    /* NULL: libtracefs finds the mount */
	double duration;                        /* seconds; 0 = until the command ends or a signal */
	char *const *argv;                      /* COMMAND to run, or NULL */
	unsigned buffer_kb;                     /* per CPU; 0 = default */
	const char *const *extra_events;        /* "system:event", NULL-terminated, or NULL */
	int accept_lost;                        /* lost events are a warning, not an error */
	int quiet;                              /* no progress line */
};

/* Exit status of the command: 0 recorded, 1 recorded but COMMAND failed,
 * 2 nothing recorded (the one-line reason printed, DIR taken back). */
int lab_record_run(const struct lab_record_opts *o);

#endif
