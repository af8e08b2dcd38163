/* SPDX-License-Identifier: MIT */
/*
 * engines/top.h - `labyrinth top`: one refresh of a machine's page
 * allocator as numbers (formats/procdir.c reads, this computes, report/top.c
 * renders).
 *
 *   /proc (or --proc DIR) --lab_procdir_read--> struct lab_procdir
 *        |  per node and zone: marks, boost, highatomic, per-CPU pages,
 *        |  lab_zone_headroom (the core) per order, fragmentation and
 *        |  unusable index (the core's fragindex)
 *        |  vmstat deltas over the previous refresh -> rates
 *        v
 *   struct lab_top (history: the last LAB_TOP_HISTORY headrooms per zone)
 */
#ifndef LAB_ENGINES_TOP_H
#define LAB_ENGINES_TOP_H

#include <stdint.h>
#include <labyrinth/labyrinth.h>
#include "formats/procdir.h"

#define LAB_TOP_HISTORY 60
#define LAB_TOP_MAX_ZONES (LAB_PROC_MAX_NODES * LAB_MAX_NR_ZONES)

/* The kernel rules profile for a running kernel (one choice, kernel_profile.c). */
struct lab_kernel_profile {
	enum lab_kernel kernel;         /* the profile (labyrinth/kernel.h) */
	char name[8];                   /* "6.1", "6.12" */
	char why[96];                   /* "nearest to running 6.18.44" */
};
void lab_kernel_profile_for(const char *release, struct lab_kernel_profile *out);

struct lab_top_zone {
	int node;
	int zone;                       /* enum lab_zone_type */
	int allowed;                    /* GFP_ATOMIC may use it (zone <= gfp_zone) */
	uint64_t managed, free;         /* zoneinfo's pages free (NR_FREE_PAGES) */
	uint64_t list_free;             /* the free lists' pages (pagetypeinfo/buddyinfo) */
	uint64_t min, low, high, boost; /* marks without the boost, and the boost */
	int64_t lowmem_reserve;         /* protection[gfp_zone(GFP_ATOMIC)] */
	uint64_t pcp_pages;             /* on per-CPU lists (zoneinfo pagesets), not counted */
	uint64_t highatomic_blocks, highatomic_free;
	int64_t headroom[LAB_MAX_ORDER];
	/* the same with the boost at its cap (boost_cap): what is left when
	 * fallback steals during the sequence boost the marks (orders > 0) */
	uint64_t boost_cap;
	int64_t headroom_boosted[LAB_MAX_ORDER];
	int frag_index[LAB_MAX_ORDER];  /* x1000, as debugfs extfrag_index */
	int unusable_index[LAB_MAX_ORDER];
	uint64_t nr_free[LAB_MAX_ORDER];
	int64_t history[LAB_TOP_HISTORY][LAB_MAX_ORDER];
};

enum lab_top_rate {
	LAB_TOP_ALLOC, LAB_TOP_SCAN_KSWAPD, LAB_TOP_SCAN_DIRECT, LAB_TOP_ALLOCSTALL,
	LAB_TOP_COMPACT_STALL, LAB_TOP_COMPACT_SUCCESS, LAB_TOP_COMPACT_FAIL, LAB_TOP_KSWAPD_RUNS,
	LAB_TOP_NR_RATES
};
extern const char *const lab_top_rate_names[LAB_TOP_NR_RATES];

struct lab_top {
	struct lab_procdir *cur, *prev;
	uint64_t refreshes;
	double time, prev_time;         /* seconds (caller's clock) */
	double wall_time;               /* seconds since the epoch, at the reading */
	int have_rates;                 /* two refreshes with vmstat */
	double rate[LAB_TOP_NR_RATES];  /* per second over the last interval */
	uint64_t counter[LAB_TOP_NR_RATES];
	int nr_zones;
	struct lab_top_zone zone[LAB_TOP_MAX_ZONES];
	unsigned history_len;           /* valid entries, newest at (refreshes-1) % HISTORY */
	struct lab_kernel_profile profile;
	const char *headroom_basis;     /* "pagetypeinfo" or "buddyinfo (...)" */
};

/* The reading to fill next (lab_procdir_parse), then lab_top_commit to
 * compute everything from it at time @now: what lab_top_refresh does with
 * lab_procdir_read. */
struct lab_procdir *lab_top_next(struct lab_top *t);
void lab_top_commit(struct lab_top *t, double now);

/* A zeroed top with its two readings allocated; NULL when out of memory. */
struct lab_top *lab_top_new(void);
void lab_top_free(struct lab_top *t);

/* Reads @dir (@suffix: a snapshot's) at time @now and computes everything.
 * 0, or -1 with the reader's message in @err (the previous state kept). */
int lab_top_refresh(struct lab_top *t, const char *dir, const char *suffix, double now, char *err, size_t errsz);

/* The zone's headroom input from a snapshot zone (pagetypeinfo lists, else
 * buddyinfo counted as Movable), for GFP_ATOMIC's highest zone. */
void lab_top_headroom_zone(const struct lab_snapshot *s, int zone, struct lab_headroom_zone *out);

/* History entry @age (0 = newest) of zone @z, order @o; -1 if none. */
int64_t lab_top_history(const struct lab_top *t, int z, unsigned age, unsigned o);

#endif
