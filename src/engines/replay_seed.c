/* SPDX-License-Identifier: MIT */
/*
 * engines/replay_seed.c - the state at trace start both replays begin from.
 *
 * Seeding (lab_replay_seed): a first "probe" pass over the events with an
 * empty model records, for every page, what its first event implies about
 * its state when tracing began (taken from the buddy lists -> free; taken
 * from or drained off a pcp list -> on a pcp list; freed -> allocated), and
 * the first migratetype seen in each pageblock. The free blocks of
 * buddyinfo.before are then placed, largest first, on aligned ranges that
 * hold no page known to be allocated or on a pcp list, preferring ranges
 * with the most pages known to be free; no two placed blocks are buddies
 * (they would have merged). Pageblocks never seen get the remaining counts
 * of pagetypeinfo.before.
 *
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "engines/replay_int.h"

/* ---- seeding ------------------------------------------------------------------- */

void lab_replay_seed_free(struct lab_replay_seed *s)
{
	free(s->init);
	free(s->init_cpu);
	free(s->order);
	free(s->pb_mt);
	free(s->pb_known);
	free(s->blocks);
	memset(s, 0, sizeof(*s));
}

struct cand {
	uint64_t pfn;
	uint32_t score;
};

static int cand_cmp(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	return x->pfn > y->pfn ? -1 : (x->pfn < y->pfn);
}

static int push_block(struct lab_replay_seed *s, size_t *cap, uint64_t pfn, unsigned order, int mt,
		      int zone, int placed)
{
	if (s->nr_blocks == *cap) {
		size_t nc = *cap ? *cap * 2 : 256;
		void *n = realloc(s->blocks, nc * sizeof(*s->blocks));
		if (!n)
			return LAB_ENOMEM;
		s->blocks = n;
		*cap = nc;
	}
	s->blocks[s->nr_blocks++] = (struct lab_seed_block){ pfn, (uint8_t)order, (uint8_t)mt, (uint8_t)zone,
							    (uint8_t)placed };
	return 0;
}

static int blk_cmp(const void *a, const void *b)
{
	const struct lab_seed_block *x = a, *y = b;
	return (x->pfn > y->pfn) - (x->pfn < y->pfn);
}

/* Places the free blocks of one zone; see the top comment. */
static int place_zone(struct lab_replay_seed *s, const struct geo *g, int z, const struct lab_snapshot_zone *sz,
		      uint8_t *chosen, size_t *cap)
{
	uint64_t zs = g->start[z], ze = g->end[z], n = ze - zs;
	uint32_t *bad = malloc((n + 1) * sizeof(uint32_t));
	uint32_t *good = malloc((n + 1) * sizeof(uint32_t));
	struct cand *c = NULL;
	uint8_t *picked = NULL;
	int rc = 0;
	if (!bad || !good) {
		rc = LAB_ENOMEM;
		goto out;
	}
	good[0] = 0;
	for (uint64_t i = 0; i < n; i++) {
		uint8_t v = s->init[zs + i - s->base_pfn];
		good[i + 1] = good[i] + (v == LAB_SEED_FREE);
	}
	for (int o = MAXO; o >= 0; o--) {
		uint64_t want = sz->buddy[o], size = 1ull << o;
		if (!want)
			continue;
		bad[0] = 0;
		for (uint64_t i = 0; i < n; i++) {
			size_t gi = (size_t)(zs + i - s->base_pfn);
			uint8_t v = s->init[gi];
			bad[i + 1] = bad[i] + (v == LAB_SEED_PCP || v == LAB_SEED_ALLOC || chosen[gi]);
		}
		uint64_t first = (zs + size - 1) & ~(size - 1);
		size_t nc = 0, maxc = first + size <= ze ? (size_t)((ze - first) >> o) : 0;
		free(c);
		free(picked);
		c = malloc((maxc + 1) * sizeof(*c));
		picked = calloc(maxc + 2, 1);
		if (!c || !picked) {
			rc = LAB_ENOMEM;
			goto out;
		}
		for (uint64_t h = first; h + size <= ze; h += size) {
			uint64_t a = h - zs, b = a + size;
			if (bad[b] - bad[a])
				continue;
			c[nc++] = (struct cand){ h, good[b] - good[a] };
		}
		qsort(c, nc, sizeof(*c), cand_cmp);
		uint64_t got = 0;
		for (size_t i = 0; i < nc && got < want; i++) {
			uint64_t h = c[i].pfn;
			size_t ri = (size_t)((h - first) >> o);
			if (o < MAXO) {
				uint64_t bud = h ^ size;
				if (bud >= first && bud + size <= ze && picked[(size_t)((bud - first) >> o)])
					continue;
			}
			picked[ri] = 1;
			got++;
			memset(chosen + (h - s->base_pfn), 1, (size_t)size);
			int mt = s->pb_mt[(h - s->base_pfn) >> s->pageblock_order];
			bool untouched = good[h - zs + size] - good[h - zs] < size;
			if ((rc = push_block(s, cap, h, (unsigned)o, mt, z, untouched)))
				goto out;
		}
		s->unplaced_blocks[z][o] = want - got;
	}
out:
	free(bad);
	free(good);
	free(c);
	free(picked);
	return rc;
}

/* Gives pageblocks the trace never showed the remaining counts of
 * pagetypeinfo.before (Movable last, so it takes what is left). */
static void fill_pageblocks(struct lab_replay_seed *s, const struct geo *g, const struct lab_snapshot *before)
{
	for (int z = 0; z < LAB_MAX_NR_ZONES; z++) {
		if (!g->populated[z])
			continue;
		const struct lab_snapshot_zone *sz = &before->zone[z];
		int64_t left[LAB_MIGRATE_TYPES];
		for (int t = 0; t < LAB_MIGRATE_TYPES; t++)
			left[t] = (int64_t)sz->blocks_mt[t];
		uint64_t pb0 = g->start[z] & ~((1ull << s->pageblock_order) - 1);
		for (uint64_t q = pb0; q < g->end[z]; q += 1ull << s->pageblock_order) {
			size_t i = (size_t)((q - s->base_pfn) >> s->pageblock_order);
			if (s->pb_known[i])
				left[s->pb_mt[i]]--;
		}
		/* more pageblocks of a type than the snapshot counts: the weakly
		 * evidenced ones (a 6.1 free list's type) are filled instead */
		for (uint64_t q = pb0; q < g->end[z] && (before->have & LAB_SNAP_PAGETYPEINFO);
		     q += 1ull << s->pageblock_order) {
			size_t i = (size_t)((q - s->base_pfn) >> s->pageblock_order);
			if (s->pb_known[i] == 2 && left[s->pb_mt[i]] < 0) {
				left[s->pb_mt[i]]++;
				s->pb_known[i] = 0;
			}
		}
		static const int order_of_fill[] = { LAB_MIGRATE_UNMOVABLE, LAB_MIGRATE_RECLAIMABLE,
						     LAB_MIGRATE_HIGHATOMIC, LAB_MIGRATE_CMA,
						     LAB_MIGRATE_ISOLATE, LAB_MIGRATE_MOVABLE };
		unsigned fi = 0;
		for (uint64_t q = pb0; q < g->end[z]; q += 1ull << s->pageblock_order) {
			size_t i = (size_t)((q - s->base_pfn) >> s->pageblock_order);
			if (s->pb_known[i])
				continue;
			while (fi < 5 && left[order_of_fill[fi]] <= 0)
				fi++;
			int t = order_of_fill[fi];
			if (!(before->have & LAB_SNAP_PAGETYPEINFO))
				t = LAB_MIGRATE_MOVABLE;
			s->pb_mt[i] = (uint8_t)t;
			left[t]--;
		}
	}
}

int lab_replay_seed(const struct lab_ftrace *t, const struct lab_replay_opts *o,
		    struct lab_replay_seed *s, char *err, size_t errsz)
{
	struct geo g;
	struct model m;
	int rc;

	memset(s, 0, sizeof(*s));
	if ((rc = replay_geo_from_snapshot(o->before, &g, err, errsz)))
		return rc;
	if ((rc = replay_model_init(&m, &g, o->kernel_has_cma, lab_kernel_resolve(o->kernel) == LAB_KERNEL_6_12)))
		goto nomem;
	size_t n = (size_t)(g.endpfn - g.base), npb = (n >> g.pb_order) + 1;
	m.probe = true;
	m.init = calloc(n, 1);
	m.init_cpu = calloc(n, 1);
	m.pb_seen = calloc(npb, 1);
	if (!m.init || !m.init_cpu || !m.pb_seen)
		goto nomem;
	s->order = malloc((t->nr + 1) * sizeof(*s->order));
	if (!s->order)
		goto nomem;
	replay_order_events(&m, t, s);
	s->base_pfn = g.base;
	s->end_pfn = g.endpfn;
	s->init = m.init;
	s->init_cpu = m.init_cpu;
	m.init = m.init_cpu = NULL;
	s->nr_pb = npb;
	s->pageblock_order = g.pb_order;
	s->pb_mt = malloc(npb);
	s->pb_known = calloc(npb, 1);
	if (!s->pb_mt || !s->pb_known)
		goto nomem;
	for (size_t i = 0; i < npb; i++) {
		s->pb_known[i] = m.pb_seen[i] == 1 ? 1 : m.pb_seen[i] == 3 ? 2 : 0;
		s->pb_mt[i] = s->pb_known[i] ? m.pb[i] : LAB_MIGRATE_MOVABLE;
	}
	replay_model_fini(&m);
	fill_pageblocks(s, &g, o->before);

	uint64_t run_end = 0;   /* the zone is asked once per run of pfns that share it */
	int zone = -1;
	for (size_t i = 0; i < n; i++) {
		if (g.base + i >= run_end)
			zone = replay_geo_zone_run(&g, g.base + i, &run_end);
		if (zone < 0) {
			if (s->init[i])
				s->events_outside_zones++;
			continue;
		}
		if (s->init[i] == LAB_SEED_FREE)
			s->revealed_free[zone]++;
		else if (s->init[i] == LAB_SEED_PCP)
			s->revealed_pcp[zone]++;
		else if (s->init[i] == LAB_SEED_ALLOC)
			s->revealed_alloc[zone]++;
	}

	uint8_t *chosen = calloc(n, 1);
	size_t cap = 0;
	if (!chosen)
		goto nomem;
	for (int z = 0; z < LAB_MAX_NR_ZONES; z++) {
		if (!g.populated[z] || !o->before->zone[z].have_buddy)
			continue;
		if ((rc = place_zone(s, &g, z, &o->before->zone[z], chosen, &cap))) {
			free(chosen);
			goto fail;
		}
	}
	/* pages shown free that no placed block holds: free blocks of their own */
	run_end = 0;
	for (size_t i = 0; i < n; i++) {
		if (g.base + i >= run_end)
			zone = replay_geo_zone_run(&g, g.base + i, &run_end);
		if (zone < 0)
			continue;
		if (s->init[i] == LAB_SEED_FREE && !chosen[i]) {
			s->extra_free[zone]++;
			if ((rc = push_block(s, &cap, g.base + i, 0, s->pb_mt[i >> g.pb_order], zone, 0))) {
				free(chosen);
				goto fail;
			}
		} else if (chosen[i] && s->init[i] == LAB_SEED_UNTOUCHED) {
			s->init[i] = LAB_SEED_PLACED;
			s->placed_free[zone]++;
		}
	}
	free(chosen);
	qsort(s->blocks, s->nr_blocks, sizeof(*s->blocks), blk_cmp);
	return 0;
nomem:
	rc = LAB_ENOMEM;
	snprintf(err, errsz, "out of memory");
fail:
	replay_model_fini(&m);
	free(m.init);
	free(m.init_cpu);
	lab_replay_seed_free(s);
	return rc;
}
