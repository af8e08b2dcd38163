/* SPDX-License-Identifier: MIT */
/*
 * engines/top.c - see top.h. Every allocation rule comes from the core:
 * the headroom is lab_zone_headroom(), the indices lab_fragmentation_index()
 * and lab_unusable_index(); this file only gathers their inputs from the
 * reading and keeps the history and the vmstat deltas.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <labyrinth/fragindex.h>
#include "engines/top.h"

const char *const lab_top_rate_names[LAB_TOP_NR_RATES] = {
	[LAB_TOP_ALLOC] = "allocations",
	[LAB_TOP_SCAN_KSWAPD] = "kswapd_scanned",
	[LAB_TOP_SCAN_DIRECT] = "direct_scanned",
	[LAB_TOP_ALLOCSTALL] = "allocstalls",
	[LAB_TOP_COMPACT_STALL] = "compact_stalls",
	[LAB_TOP_COMPACT_SUCCESS] = "compact_successes",
	[LAB_TOP_COMPACT_FAIL] = "compact_failures",
	[LAB_TOP_KSWAPD_RUNS] = "kswapd_runs",
};

/* The vmstat counters each rate sums: by prefix ("pgalloc_" = every
 * zone's), or by exact name. pageoutrun counts kswapd's balance_pgdat
 * runs, one per wakeup that found work: the kswapd wakes vmstat has. */
static const struct { const char *name; int prefix; } rate_src[LAB_TOP_NR_RATES] = {
	[LAB_TOP_ALLOC] = { "pgalloc_", 1 },
	[LAB_TOP_SCAN_KSWAPD] = { "pgscan_kswapd", 0 },
	[LAB_TOP_SCAN_DIRECT] = { "pgscan_direct", 0 },
	[LAB_TOP_ALLOCSTALL] = { "allocstall_", 1 },
	[LAB_TOP_COMPACT_STALL] = { "compact_stall", 0 },
	[LAB_TOP_COMPACT_SUCCESS] = { "compact_success", 0 },
	[LAB_TOP_COMPACT_FAIL] = { "compact_fail", 0 },
	[LAB_TOP_KSWAPD_RUNS] = { "pageoutrun", 0 },
};

struct lab_top *lab_top_new(void)
{
	struct lab_top *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->cur = calloc(1, sizeof(*t->cur));
	t->prev = calloc(1, sizeof(*t->prev));
	if (!t->cur || !t->prev) {
		lab_top_free(t);
		return NULL;
	}
	return t;
}

void lab_top_free(struct lab_top *t)
{
	if (!t)
		return;
	free(t->cur);
	free(t->prev);
	free(t);
}

void lab_top_headroom_zone(const struct lab_snapshot *s, int zone, struct lab_headroom_zone *out)
{
	const struct lab_snapshot_zone *sz = &s->zone[zone];
	int hz = lab_gfp_zone(LAB_GFP_ATOMIC);
	memset(out, 0, sizeof(*out));
	for (int o = 0; o < LAB_MAX_ORDER; o++) {
		if (sz->have_pagetype)
			memcpy(out->nr_free[o], sz->free_mt[o], sizeof(out->nr_free[o]));
		else
			out->nr_free[o][LAB_MIGRATE_MOVABLE] = sz->buddy[o];
	}
	/* zoneinfo prints the marks with the boost added (min_wmark_pages) */
	out->boost = sz->boost;
	out->min = sz->min > sz->boost ? sz->min - sz->boost : 0;
	out->lowmem_reserve = sz->protection[hz];
	if (sz->have_pagetype && s->pageblock_order > 0)
		out->reserved_highatomic = sz->blocks_mt[LAB_MIGRATE_HIGHATOMIC] << s->pageblock_order;
}

static void zone_numbers(struct lab_top_zone *tz, const struct lab_snapshot *s, int node, int z,
			 enum lab_kernel kernel)
{
	const struct lab_snapshot_zone *sz = &s->zone[z];
	struct lab_headroom_zone hz;
	lab_top_headroom_zone(s, z, &hz);
	hz.kernel = kernel;
	tz->node = node;
	tz->zone = z;
	tz->allowed = z <= lab_gfp_zone(LAB_GFP_ATOMIC);
	tz->managed = sz->managed;
	tz->free = sz->free;
	tz->boost = sz->boost;
	tz->min = hz.min;
	tz->low = sz->low > sz->boost ? sz->low - sz->boost : 0;
	tz->high = sz->high > sz->boost ? sz->high - sz->boost : 0;
	tz->lowmem_reserve = hz.lowmem_reserve;
	tz->pcp_pages = 0;
	for (unsigned c = 0; c < sz->nr_cpus; c++)
		tz->pcp_pages += sz->pcp[c].count;
	tz->highatomic_blocks = sz->have_pagetype ? sz->blocks_mt[LAB_MIGRATE_HIGHATOMIC] : 0;
	tz->highatomic_free = 0;
	tz->list_free = 0;
	for (int o = 0; o < LAB_MAX_ORDER; o++) {
		tz->nr_free[o] = 0;
		for (int mt = 0; mt < LAB_MIGRATE_TYPES; mt++)
			if (mt != LAB_MIGRATE_ISOLATE)
				tz->nr_free[o] += hz.nr_free[o][mt];
		tz->list_free += tz->nr_free[o] << o;
		tz->highatomic_free += hz.nr_free[o][LAB_MIGRATE_HIGHATOMIC] << o;
	}
	/* vm.watermark_boost_factor as read, else Linux's default */
	int factor = s->watermark_boost_factor >= 0 ? s->watermark_boost_factor : 15000;
	uint64_t pb = 1ull << (s->pageblock_order > 0 ? s->pageblock_order : LAB_DEFAULT_PAGEBLOCK_ORDER);
	struct lab_headroom_zone capped = hz;
	tz->boost_cap = lab_watermark_boost_cap(tz->high, factor, pb, sz->managed);
	if (tz->boost_cap > capped.boost)
		capped.boost = tz->boost_cap;
	for (unsigned o = 0; o < LAB_MAX_ORDER; o++) {
		tz->headroom[o] = tz->allowed ? lab_zone_headroom(&hz, LAB_GFP_ATOMIC, o) : 0;
		tz->headroom_boosted[o] = tz->allowed ? lab_zone_headroom(&capped, LAB_GFP_ATOMIC, o) : 0;
		tz->frag_index[o] = lab_fragmentation_index(tz->nr_free, o);
		tz->unusable_index[o] = lab_unusable_index(tz->nr_free, o);
	}
}

/* The zone of (node, zone) in @t, added when new (its history empty). */
static struct lab_top_zone *zone_slot(struct lab_top *t, int node, int z)
{
	for (int i = 0; i < t->nr_zones; i++)
		if (t->zone[i].node == node && t->zone[i].zone == z)
			return &t->zone[i];
	if (t->nr_zones == LAB_TOP_MAX_ZONES)
		return NULL;
	struct lab_top_zone *tz = &t->zone[t->nr_zones++];
	memset(tz, 0, sizeof(*tz));
	for (int a = 0; a < LAB_TOP_HISTORY; a++)
		for (int o = 0; o < LAB_MAX_ORDER; o++)
			tz->history[a][o] = -1;
	return tz;
}

static uint64_t rate_counter(const struct lab_procdir *p, int r)
{
	uint64_t sum = 0;
	size_t n = strlen(rate_src[r].name);
	for (size_t i = 0; i < p->nr_vmstat; i++)
		if (rate_src[r].prefix ? !strncmp(p->vmstat[i].name, rate_src[r].name, n)
				       : !strcmp(p->vmstat[i].name, rate_src[r].name))
			sum += p->vmstat[i].value;
	return sum;
}

static void rates(struct lab_top *t)
{
	uint64_t prev[LAB_TOP_NR_RATES];
	memcpy(prev, t->counter, sizeof(prev));
	for (int r = 0; r < LAB_TOP_NR_RATES; r++)
		t->counter[r] = rate_counter(t->cur, r);
	double dt = t->time - t->prev_time;
	t->have_rates = t->refreshes > 1 && t->cur->nr_vmstat && t->prev->nr_vmstat && dt > 0;
	for (int r = 0; r < LAB_TOP_NR_RATES; r++)
		t->rate[r] = t->have_rates && t->counter[r] >= prev[r] ? (double)(t->counter[r] - prev[r]) / dt : 0;
}

struct lab_procdir *lab_top_next(struct lab_top *t)
{
	return t->prev;
}

void lab_top_commit(struct lab_top *t, double now)
{
	struct lab_procdir *next = t->prev;
	t->prev = t->cur;
	t->cur = next;
	t->prev_time = t->time;
	t->time = now;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	t->wall_time = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	t->refreshes++;
	lab_kernel_profile_for(t->cur->release[0] ? t->cur->release : NULL, &t->profile);
	t->headroom_basis = t->cur->missing & LAB_SNAP_PAGETYPEINFO ? "buddyinfo" : "pagetypeinfo";
	unsigned slot = (unsigned)((t->refreshes - 1) % LAB_TOP_HISTORY);
	for (int n = 0; n < t->cur->nr_nodes; n++) {
		const struct lab_snapshot *s = &t->cur->node[n];
		for (int z = 0; z < LAB_MAX_NR_ZONES; z++) {
			if (!s->zone[z].present_in_file || !s->zone[z].managed)
				continue;
			struct lab_top_zone *tz = zone_slot(t, t->cur->node_id[n], z);
			if (!tz)
				continue;
			zone_numbers(tz, s, t->cur->node_id[n], z, t->profile.kernel);
			memcpy(tz->history[slot], tz->headroom, sizeof(tz->headroom));
		}
	}
	if (t->history_len < LAB_TOP_HISTORY)
		t->history_len++;
	rates(t);
}

int lab_top_refresh(struct lab_top *t, const char *dir, const char *suffix, double now, char *err, size_t errsz)
{
	if (lab_procdir_read(dir, suffix, lab_top_next(t), err, errsz))
		return -1;
	lab_top_commit(t, now);
	return 0;
}

int64_t lab_top_history(const struct lab_top *t, int z, unsigned age, unsigned o)
{
	if (age >= t->history_len || z < 0 || z >= t->nr_zones || o >= LAB_MAX_ORDER)
		return -1;
	unsigned slot = (unsigned)((t->refreshes - 1 - age) % LAB_TOP_HISTORY);
	return t->zone[z].history[slot][o];
}
