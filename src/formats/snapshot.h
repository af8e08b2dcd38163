/* SPDX-License-Identifier: MIT */
/*
 * formats/snapshot.h - reader of the /proc snapshots taken next to a trace:
 * zoneinfo.SUFFIX, buddyinfo.SUFFIX, pagetypeinfo.SUFFIX, vm_sysctl.SUFFIX
 * (key=value lines as the realkernel harness writes them, or `sysctl -a`
 * style "vm.key = value"), meminfo.SUFFIX, plus the ring-buffer statistics
 * trace_stats.txt (per_cpu/cpuN/stats concatenated with "== cpuN" lines).
 *
 * The numbers are what the trace replayer needs to configure an allocator
 * like the traced machine (zone spans, managed pages, watermarks, pcp
 * sizes, tunables) and to compare its reconstruction with the kernel's own
 * free lists at the same moment. Every file is optional; a present file
 * that does not parse is an error naming the file and line.
 *
 * Host side (stdio, malloc).
 */
#ifndef LAB_FORMATS_SNAPSHOT_H
#define LAB_FORMATS_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>
#include <labyrinth/page.h>
#include <labyrinth/stats.h>

#ifdef __cplusplus
extern "C" {
#endif

/* lab_snapshot.have */
#define LAB_SNAP_ZONEINFO      0x01u
#define LAB_SNAP_BUDDYINFO     0x02u
#define LAB_SNAP_PAGETYPEINFO  0x04u
#define LAB_SNAP_SYSCTL        0x08u
#define LAB_SNAP_MEMINFO       0x10u

struct lab_snapshot_zone {
	int present_in_file;            /* the zone appeared in zoneinfo */
	uint64_t free, boost, min, low, high, spanned, present, managed, cma;
	uint64_t start_pfn;
	int64_t protection[LAB_MAX_NR_ZONES];
	unsigned nr_cpus;               /* pagesets listed */
	struct lab_pcp_stats pcp[LAB_MAX_CPUS];
	int have_buddy;                 /* buddyinfo line seen */
	uint64_t buddy[LAB_MAX_ORDER];
	int have_pagetype;              /* pagetypeinfo rows seen */
	uint64_t free_mt[LAB_MAX_ORDER][LAB_MIGRATE_TYPES];  /* lab_migratetype index */
	uint64_t blocks_mt[LAB_MIGRATE_TYPES];
};

struct lab_snapshot {
	char suffix[32];
	unsigned have;                  /* LAB_SNAP_* */
	struct lab_snapshot_zone zone[LAB_MAX_NR_ZONES];
	int pageblock_order;            /* pagetypeinfo; 0 when unknown */
	int pagetype_has_cma;           /* the kernel had CONFIG_CMA (a CMA row) */
	/* vm_sysctl; -1 when absent */
	int min_free_kbytes, watermark_scale_factor, watermark_boost_factor;
	int extfrag_threshold, percpu_pagelist_high_fraction, compaction_proactiveness;
	int lowmem_reserve_ratio[LAB_MAX_NR_ZONES];
	int nr_lowmem_reserve_ratio;    /* values given (0 = absent) */
	/* meminfo, kB; 0 when absent */
	uint64_t mem_total_kb, mem_free_kb;
};

/* Ring-buffer statistics (trace_stats.txt). */
struct lab_trace_stats {
	int nr_cpus;
	uint64_t entries, overrun, commit_overrun, dropped, read;
};

/* Adds one ring-buffer statistics line ("entries: N", "overrun: N",
 * "commit overrun: N", "dropped events: N", "read events: N": tracefs's
 * per_cpu/cpuN/stats, as trace_stats.txt keeps them) to @st. Returns 1 if
 * the line was one of them, else 0. Reads up to the first newline. */
int lab_trace_stats_line(const char *line, struct lab_trace_stats *st);

/* Return values */
#define LAB_SNAP_ENOENT     (-2)
#define LAB_SNAP_EMALFORMED (-74)

/*
 * Reads every DIR/<kind>.SUFFIX that exists into @s. Returns 0 when at
 * least one file was read, LAB_SNAP_ENOENT when none exists, or
 * LAB_SNAP_EMALFORMED with "DIR/zoneinfo.before:12: ..." in @err.
 */
int lab_snapshot_read(const char *dir, const char *suffix, struct lab_snapshot *s,
		      char *err, size_t errsz);

/* The parsers of single files, on text in memory (NUL-terminated). @name
 * is used in messages. They add to @s (call lab_snapshot_init first). */
void lab_snapshot_init(struct lab_snapshot *s);
int lab_snapshot_parse_zoneinfo(const char *text, const char *name, struct lab_snapshot *s, char *err, size_t errsz);
int lab_snapshot_parse_buddyinfo(const char *text, const char *name, struct lab_snapshot *s, char *err, size_t errsz);
int lab_snapshot_parse_pagetypeinfo(const char *text, const char *name, struct lab_snapshot *s, char *err, size_t errsz);
int lab_snapshot_parse_sysctl(const char *text, const char *name, struct lab_snapshot *s, char *err, size_t errsz);
int lab_snapshot_parse_meminfo(const char *text, const char *name, struct lab_snapshot *s, char *err, size_t errsz);

/*
 * Lists the suffixes of DIR/buddyinfo.* or DIR/zoneinfo.* files ("before",
 * "net", ...): up to @max names copied into @out; returns how many.
 */
int lab_snapshot_list(const char *dir, char (*out)[32], int max);

/* Reads DIR/trace_stats.txt; 0, LAB_SNAP_ENOENT or LAB_SNAP_EMALFORMED. */
int lab_trace_stats_read(const char *dir, struct lab_trace_stats *st, char *err, size_t errsz);

/*
 * The release of the kernel the snapshots of DIR were taken on
 * ("6.12.118+deb12-amd64"), from DIR/uname or uname.txt (`uname -a`), the
 * guest_uname line of DIR/meta.txt, or DIR/osrelease. Returns 0 with the
 * release in @release and the file it came from in @source (may be NULL),
 * or LAB_SNAP_ENOENT.
 */
int lab_snapshot_uname(const char *dir, char *release, size_t n, char *source, size_t srcn);

/* Zone index of "DMA", "DMA32", "Normal", "Movable", "Device"; -1 otherwise. */
int lab_snapshot_zone_index(const char *name);

/* Free pages of a zone as buddyinfo counts them: sum of buddy[o] << o. */
uint64_t lab_snapshot_buddy_pages(const struct lab_snapshot_zone *z);

#ifdef __cplusplus
}
#endif
#endif
