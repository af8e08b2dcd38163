/* SPDX-License-Identifier: MIT */
/*
 * formats/simulate.c - see simulate.h.
 *
 *   report zones (managed kB, min/low/high, boost, lowmem_reserve,
 *   reserved_highatomic, "N*SIZEkB (letters)")
 *        |  one range per zone, back to back, in zone order
 *        v
 *   lab_mem_init (metadata only) -> lab_mem_restore_zone per zone
 *        |
 *        v
 *   lab_alloc_pages(request in 6.1 bits | __GFP_NOWARN, order): served?
 *        |  rebuilt afresh for every trial
 *        v
 *   min_free_kbytes (binary search) and lowmem_reserve_ratio (doubling,
 *   then 0) under which the same snapshot would serve it
 *
 * A snapshot cannot show what kswapd or compaction would have done before
 * the failure (no history, no movable pages known): the search answers
 * "which watermark was in the way", not "what prevents it".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <labyrinth/labyrinth.h>
#include "formats/simulate.h"

struct zone_map {
	int type[LAB_DMESG_MAX_ZONES];   /* report zone -> lab zone type, -1 skip */
	uint64_t pages[LAB_MAX_NR_ZONES];
	int src[LAB_MAX_NR_ZONES];       /* lab zone type -> report zone, -1 */
	bool highmem;
};

static int zone_type_of(const char *name, bool *highmem)
{
	if (!strcmp(name, "DMA"))
		return LAB_ZONE_DMA;
	if (!strcmp(name, "DMA32"))
		return LAB_ZONE_DMA32;
	if (!strcmp(name, "Normal"))
		return LAB_ZONE_NORMAL;
	if (!strcmp(name, "HighMem")) {
		*highmem = true;
		return LAB_ZONE_MOVABLE;
	}
	if (!strcmp(name, "Movable"))
		return LAB_ZONE_MOVABLE;
	return -1;
}

static int mt_of(unsigned letter)
{
	switch (letter) {
	case LAB_DMESG_MT_U: return LAB_MIGRATE_UNMOVABLE;
	case LAB_DMESG_MT_M: return LAB_MIGRATE_MOVABLE;
	case LAB_DMESG_MT_E: return LAB_MIGRATE_RECLAIMABLE;
	case LAB_DMESG_MT_H: return LAB_MIGRATE_HIGHATOMIC;
	case LAB_DMESG_MT_C: return LAB_MIGRATE_CMA;
	case LAB_DMESG_MT_R: return LAB_MIGRATE_UNMOVABLE;   /* pre-4.4 MIGRATE_RESERVE */
	default: return -1;
	}
}

/* The report zone as the restore API wants it (pages, marks without boost). */
static void zone_want(const struct lab_dmesg_zone *rz, unsigned page_kb, struct lab_zone_stats *w)
{
	memset(w, 0, sizeof(*w));
	uint64_t boost = (rz->have & (1u << LAB_ZF_BOOST)) ? rz->kb[LAB_ZF_BOOST] / page_kb : 0;
	w->boost = boost;
	for (int i = 0; i < 3; i++) {
		uint64_t v = rz->kb[LAB_ZF_MIN + i] / page_kb;
		w->wmark[LAB_WMARK_MIN + i] = v > boost ? v - boost : 0;
	}
	for (int j = 0; j < rz->nr_reserve && j < LAB_MAX_NR_ZONES; j++)
		w->lowmem_reserve[j] = rz->reserve[j];
	if (rz->have & (1u << LAB_ZF_RESERVED_HIGHATOMIC))
		w->nr_reserved_highatomic = rz->kb[LAB_ZF_RESERVED_HIGHATOMIC] / page_kb;
	for (int o = 0; o < rz->nr_orders && o < LAB_MAX_ORDER; o++) {
		uint64_t n = rz->nr_free[o];
		int first = -1, k = 0;
		if (!n)
			continue;
		for (unsigned bit = 1; bit <= LAB_DMESG_MT_R; bit <<= 1) {
			int mt = (rz->types[o] & bit) ? mt_of(bit) : -1;
			if (mt < 0)
				continue;
			if (first < 0)
				first = mt;
			else if (n > (uint64_t)k + 1) {
				/* one block on each further list the letters name */
				w->nr_free_mt[o][mt]++;
				k++;
			}
		}
		/* no letters (old kernels): everybody may use them */
		w->nr_free_mt[o][first < 0 ? LAB_MIGRATE_MOVABLE : first] += n - (uint64_t)k;
	}
}

struct trial {
	long min_free_kbytes;            /* 0 = as printed */
	int ratio_zone, ratio;           /* -1 = as printed */
};

/* Builds the snapshot and runs the request once. 1 served, 0 failed, -1 error. */
static int run_trial(const struct lab_dmesg_report *r, const struct zone_map *zm, unsigned page_kb,
		     lab_gfp_t gfp, unsigned order, const struct trial *t, long *default_mfk, int *served)
{
	struct lab_range ranges[LAB_MAX_NR_ZONES];
	unsigned nr = 0;
	uint64_t pfn = 0, end[LAB_MAX_NR_ZONES] = { 0 };
	for (int i = 0; i < LAB_MAX_NR_ZONES; i++) {
		if (zm->pages[i]) {
			ranges[nr].start = pfn << 12;
			ranges[nr].size = zm->pages[i] << 12;
			nr++;
			pfn += zm->pages[i];
		}
		end[i] = pfn;
	}
	struct lab_mem_config cfg = {
		.ranges = ranges, .nr_ranges = nr, .pageblock_order = 9, .nr_cpus = 1,
		.zone_dma_limit = end[LAB_ZONE_DMA] << 12, .zone_dma32_limit = end[LAB_ZONE_DMA32] << 12,
		.flags = LAB_CFG_NO_PCP | (zm->pages[LAB_ZONE_DMA] ? 0 : LAB_CFG_NO_ZONE_DMA) |
			 (zm->pages[LAB_ZONE_DMA32] ? 0 : LAB_CFG_NO_ZONE_DMA32),
	};
	if (zm->pages[LAB_ZONE_MOVABLE]) {
		if (zm->highmem)
			cfg.highmem_start = end[LAB_ZONE_NORMAL] << 12;
		else
			cfg.movable_bytes = zm->pages[LAB_ZONE_MOVABLE] << 12;
	}
	if (!cfg.zone_dma_limit)
		cfg.flags |= LAB_CFG_NO_ZONE_DMA;
	size_t bytes = lab_mem_metadata_bytes(&cfg);
	void *meta = bytes ? aligned_alloc(64, (bytes + 63) & ~(size_t)63) : NULL;
	if (!meta)
		return -1;
	cfg.metadata = meta;
	cfg.metadata_bytes = bytes;
	struct lab_mem *mem = lab_mem_init(&cfg, NULL);
	int rc = -1;
	if (!mem)
		goto out;
	struct lab_tunables tun;
	lab_get_tunables(mem, &tun);
	if (default_mfk)
		*default_mfk = tun.min_free_kbytes;
	if (t->min_free_kbytes > 0)
		lab_set_min_free_kbytes(mem, (int)t->min_free_kbytes);
	for (int i = 0; i < LAB_MAX_NR_ZONES; i++) {
		if (zm->src[i] < 0)
			continue;
		struct lab_zone_stats want;
		zone_want(&r->zones[zm->src[i]], page_kb, &want);
		if (t->min_free_kbytes > 0) {
			/* keep the rebuilt lists, take the recomputed marks */
			struct lab_mem_stats *st = malloc(sizeof(*st));
			if (!st)
				goto fini;
			lab_mem_get_stats(mem, st);
			memcpy(want.wmark, st->zone[i].wmark, sizeof(want.wmark));
			want.boost = 0;
			free(st);
		}
		if (t->ratio_zone == i) {
			uint64_t above = 0;
			for (int j = i + 1; j < LAB_MAX_NR_ZONES; j++) {
				above += zm->pages[j];
				want.lowmem_reserve[j] = t->ratio > 0 ? (int64_t)(above / (uint64_t)t->ratio) : 0;
			}
		}
		if (lab_mem_restore_zone(mem, (unsigned)i, &want))
			goto fini;
	}
	struct lab_page *p = lab_alloc_pages(mem, gfp | LAB___GFP_NOWARN, order);
	rc = p != NULL;
	if (served) {
		*served = -1;
		for (int i = 0; p && i < LAB_MAX_NR_ZONES && *served < 0; i++)
			if (lab_page_to_pfn(p) < end[i])
				*served = i;
	}
fini:
	lab_mem_fini(mem);
out:
	free(meta);
	return rc;
}

/* The report's flags in 6.1 bits, by name; names 6.1 does not have are dropped. */
static lab_gfp_t gfp_in_61(const char *names, char *dropped, size_t dsize)
{
	lab_gfp_t out = 0;
	char buf[192];
	snprintf(buf, sizeof(buf), "%s", names);
	dropped[0] = '\0';
	for (char *save = NULL, *tok = strtok_r(buf, "|", &save); tok; tok = strtok_r(NULL, "|", &save)) {
		lab_gfp_t v;
		if (lab_gfp_parse(tok, LAB_GFP_ERA_6_1, &v, NULL, NULL) == 0 && !strstr(tok, "0x"))
			out |= v;
		else
			snprintf(dropped + strlen(dropped), dsize - strlen(dropped), "%s%s", dropped[0] ? "|" : "", tok);
	}
	return out & ~LAB___GFP_NOFAIL;   /* never loop in a simulation */
}

void lab_diagnose_simulate(const struct lab_dmesg_report *r, const struct lab_diagnosis *d,
			   struct lab_simulation *s)
{
	struct zone_map zm;
	memset(s, 0, sizeof(*s));
	memset(&zm, 0, sizeof(zm));
	s->served_zone = -1;
	s->min_free_kbytes_pass = -1;
	s->lowmem_ratio_zone = -1;
	for (int i = 0; i < LAB_MAX_NR_ZONES; i++)
		zm.src[i] = -1;
	unsigned page_kb = r->page_kb ? r->page_kb : 4;
	if (page_kb != 4) {
		snprintf(s->why, sizeof(s->why), "the report's pages are %u KiB; the simulation models 4 KiB pages", page_kb);
		return;
	}
	if (!r->has_order || !r->has_mode || !d->decoded[0]) {
		snprintf(s->why, sizeof(s->why), "no order or mode in the report");
		return;
	}
	for (int i = 0; i < r->nr_zones; i++) {
		const struct lab_dmesg_zone *rz = &r->zones[i];
		int t = zone_type_of(rz->name, &zm.highmem);
		zm.type[i] = t;
		if (t < 0)
			continue;
		if (!rz->has_zone_line || !rz->has_buddy || !(rz->have & (1u << LAB_ZF_MANAGED)) ||
		    !(rz->have & (1u << LAB_ZF_MIN))) {
			snprintf(s->why, sizeof(s->why), "zone %s lacks its zone line, free lists or managed size", rz->name);
			return;
		}
		if (zm.src[t] >= 0) {
			snprintf(s->why, sizeof(s->why), "zone %s printed twice (several nodes are not simulated)", rz->name);
			return;
		}
		zm.src[t] = i;
		zm.pages[t] = rz->kb[LAB_ZF_MANAGED] / page_kb;
	}
	if (!r->nr_zones) {
		snprintf(s->why, sizeof(s->why), "the report prints no zones");
		return;
	}
	for (int t = LAB_ZONE_DMA; t <= LAB_ZONE_NORMAL; t++) {
		/* setup_per_zone_wmarks spreads min_free_kbytes over the lowmem zones */
		if (zm.src[t] < 0)
			continue;
		const struct lab_dmesg_zone *rz = &r->zones[zm.src[t]];
		uint64_t boost = (rz->have & (1u << LAB_ZF_BOOST)) ? rz->kb[LAB_ZF_BOOST] : 0;
		uint64_t min = rz->kb[LAB_ZF_MIN] > boost ? rz->kb[LAB_ZF_MIN] - boost : 0;
		s->min_free_kbytes_report += (long)(min < LAB_SIMULATE_MAX_KB ? min : LAB_SIMULATE_MAX_KB);
	}
	uint64_t total = 0;
	for (int i = 0; i < LAB_MAX_NR_ZONES; i++)
		total += zm.pages[i] < LAB_SIMULATE_MAX_KB ? zm.pages[i] : LAB_SIMULATE_MAX_KB;   /* no wrap */
	if (total > LAB_SIMULATE_MAX_KB / 4) {
		/* every trial is O(zone pages) in time and metadata (~1/128 of the size) */
		snprintf(s->why, sizeof(s->why), "the zones total %llu GiB; the simulation rebuilds at most %llu GiB",
			 (unsigned long long)(total >> 18), (unsigned long long)(LAB_SIMULATE_MAX_KB >> 20));
		return;
	}
	s->gfp = gfp_in_61(d->decoded, s->dropped, sizeof(s->dropped));
	lab_gfp_format(s->gfp_names, sizeof(s->gfp_names), s->gfp, LAB_GFP_ERA_6_1);
	s->order = r->order;
	struct trial as_printed = { 0, -1, 0 };
	int rc = run_trial(r, &zm, page_kb, s->gfp, s->order, &as_printed, &s->min_free_kbytes_now, &s->served_zone);
	if (rc < 0) {
		snprintf(s->why, sizeof(s->why), "the free lists cannot be laid out in the printed zone sizes (each free block's buddy stays allocated: a zone over half free does not fit)");
		return;
	}
	s->ran = true;
	s->failed = rc == 0;
	if (!s->failed)
		return;
	/* min_free_kbytes: it served at 0? then the largest value that serves */
	struct trial t = { 128, -1, 0 };
	if (run_trial(r, &zm, page_kb, s->gfp, s->order, &t, NULL, NULL) == 1) {
		long lo = 128, hi = s->min_free_kbytes_now > 128 ? s->min_free_kbytes_now : 129;
		t.min_free_kbytes = hi;
		while (run_trial(r, &zm, page_kb, s->gfp, s->order, &t, NULL, NULL) == 1 && hi < 1L << 30)
			t.min_free_kbytes = hi *= 2;
		while (hi - lo > 1) {
			t.min_free_kbytes = (lo + hi) / 2;
			if (run_trial(r, &zm, page_kb, s->gfp, s->order, &t, NULL, NULL) == 1)
				lo = t.min_free_kbytes;
			else
				hi = t.min_free_kbytes;
		}
		s->min_free_kbytes_pass = lo;
	}
	/* lowmem_reserve_ratio of the zones below the request's highest one */
	for (int zi = 0; zi < LAB_MAX_NR_ZONES && s->lowmem_ratio_zone < 0; zi++) {
		if (zm.src[zi] < 0 || zi >= d->highest_type)
			continue;
		static const int ratios[] = { 512, 1024, 4096, 32768, 0 };
		for (unsigned k = 0; k < sizeof(ratios) / sizeof(ratios[0]); k++) {
			struct trial rt = { 0, zi, ratios[k] };
			if (run_trial(r, &zm, page_kb, s->gfp, s->order, &rt, NULL, NULL) == 1) {
				s->lowmem_ratio_zone = zi;
				s->lowmem_ratio_pass = ratios[k];
				break;
			}
		}
	}
}
