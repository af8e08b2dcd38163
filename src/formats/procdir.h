/* SPDX-License-Identifier: MIT */
/*
 * formats/procdir.h - one reading of a machine's page allocator state for
 * `labyrinth top`: /proc itself, a copy of it, or a saved snapshot.
 *
 *   layout "proc" (DIR/zoneinfo, buddyinfo, pagetypeinfo, vmstat,
 *                  sys/vm/<sysctl>, sys/kernel/osrelease; or vm_sysctl)
 *   layout "snapshot" (DIR/zoneinfo.SUFFIX, ..., vm_sysctl.SUFFIX,
 *                  vmstat.SUFFIX, uname.SUFFIX or meta.txt's guest_uname)
 *        |  split by node (each "Node N" line or section to its node)
 *        v
 *   struct lab_procdir: one struct lab_snapshot per node (the parsers of
 *   formats/snapshot.c), the /proc/vmstat counters, the kernel release,
 *   and which files were missing (pagetypeinfo is root-only: 0400).
 *
 * zoneinfo is required; every other file is optional and its absence is
 * noted in `missing`. A present file that does not parse is an error
 * naming the file and line. Host side (stdio, malloc).
 */
#ifndef LAB_FORMATS_PROCDIR_H
#define LAB_FORMATS_PROCDIR_H

#include <stddef.h>
#include <stdint.h>
#include "formats/snapshot.h"

#define LAB_PROC_MAX_NODES 8
#define LAB_PROC_MAX_VMSTAT 512

/* lab_procdir.missing, beside LAB_SNAP_* */
#define LAB_PROC_VMSTAT 0x100u

struct lab_vmstat_entry {
	char name[48];
	uint64_t value;
};

struct lab_procdir {
	int nr_nodes;
	int node_id[LAB_PROC_MAX_NODES];
	struct lab_snapshot node[LAB_PROC_MAX_NODES];
	size_t nr_vmstat;
	struct lab_vmstat_entry vmstat[LAB_PROC_MAX_VMSTAT];
	char release[64];               /* "6.18.44-fc-v1272"; "" when unknown */
	unsigned missing;               /* LAB_SNAP_* and LAB_PROC_VMSTAT not read */
	char missing_why[256];          /* "pagetypeinfo: Permission denied; ..." */
};

/* The files of a reading, by kind. */
enum lab_proc_file {
	LAB_PROC_ZONEINFO, LAB_PROC_BUDDYINFO, LAB_PROC_PAGETYPEINFO, LAB_PROC_SYSCTL, LAB_PROC_MEMINFO,
	LAB_PROC_VMSTAT_FILE,
};

/*
 * One file's @text (named @name in messages) into @out, zoneinfo first (it
 * names the nodes; zero @out before it). 0, or -1 with "NAME:LINE: ..." in
 * @err. lab_procdir_read is this for each file it finds.
 */
int lab_procdir_parse(struct lab_procdir *out, enum lab_proc_file kind, const char *text, const char *name,
		      char *err, size_t errsz);

/*
 * Reads @dir (/proc, a copy, or a snapshot directory when @suffix is not
 * NULL) into @out (caller's memory, ~120 KiB per node). 0, or -1 with
 * "DIR/zoneinfo: ..." in @err.
 */
int lab_procdir_read(const char *dir, const char *suffix, struct lab_procdir *out, char *err, size_t errsz);

/* /proc/vmstat text into @out's vmstat (replacing it). 0, or -1 with
 * "NAME:LINE: ..." in @err. */
int lab_procdir_parse_vmstat(const char *text, const char *name, struct lab_procdir *out, char *err,
			     size_t errsz);

/* Counter @name of the last vmstat read; *@found 0 when absent. */
uint64_t lab_procdir_vmstat(const struct lab_procdir *p, const char *name, int *found);

/* The kernel release in a `uname -a` line, an osrelease file or a
 * meta.txt "guest_uname:" line: "6.1.0-56-amd64". */
void lab_procdir_parse_release(const char *text, char *out, size_t size);

#endif
