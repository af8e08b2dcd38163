/* SPDX-License-Identifier: MIT */
/*
 * engines/simulate.c - see simulate.h.
 *
 *   report zones (managed kB, min/low/high, boost, lowmem_reserve,
 *   reserved_highatomic, "N*SIZEkB (letters)")
 *        |  one range per zone, back to back, in zone order, each with
 *        |  spare allocated pages after its managed ones (see run_trial)
 *        v
 *   lab_mem_init (metadata only) -> lab_mem_restore_zone per zone
 *        |
 *        v
 *   lab_alloc_pages(request in 6.1 bits | __GFP_NOWARN, order): served?
 *        |  rebuilt afresh for every trial: built and restored once per
 *        |  report, later trials copy that metadata back and set only
 *        |  their own marks and lowmem_reserve
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
#include "engines/simulate.h"

struct zone_map {
	int type[LAB_DMESG_MAX_ZONES];   /* report zone -> lab zone type, -1 skip */
	uint64_t pages[LAB_MAX_NR_ZONES];
	int src[LAB_MAX_NR_ZONES];       /* lab zone type -> report zone, -1 */
	bool highmem;
	enum lab_kernel kernel;          /* whose rules the instance mirrors */
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

/* The watermark check reads the zone's NR_FREE_PAGES counter, which the
 * zone line prints as free:; the buddy line, printed a moment later and
 * summed from the lists, can differ (pages freed or taken in between,
 * per-CPU counter drift). The rebuilt lists are made to hold exactly the
 * counter: the smallest blocks go first (from the fullest list), and a
 * shortfall is made up with order-0 Movable pages. Returns the change in
 * pages (negative: removed). */
static int64_t match_zone_free(const struct lab_dmesg_zone *rz, unsigned page_kb, struct lab_zone_stats *w)
{
	if (!(rz->have & (1u << LAB_ZF_FREE)))
		return 0;
	uint64_t target = rz->kb[LAB_ZF_FREE] / page_kb, sum = 0;
	for (int o = 0; o < LAB_MAX_ORDER; o++)
		for (int mt = 0; mt < LAB_MIGRATE_TYPES; mt++)
			sum += w->nr_free_mt[o][mt] << o;
	int64_t delta = 0;
	for (int o = 0; o < LAB_MAX_ORDER && sum > target; o++) {
		while (sum > target) {
			int best = -1;
			for (int mt = 0; mt < LAB_MIGRATE_TYPES; mt++)
				if (w->nr_free_mt[o][mt] && (best < 0 || w->nr_free_mt[o][mt] > w->nr_free_mt[o][best]))
					best = mt;
			if (best < 0)
				break;
			w->nr_free_mt[o][best]--;
			sum -= 1ull << o;
			delta -= (int64_t)1 << o;
		}
	}
	if (sum < target) {
		w->nr_free_mt[0][LAB_MIGRATE_MOVABLE] += target - sum;
		delta += (int64_t)(target - sum);
	}
	return delta;
}

/* The report zone as the restore API wants it (pages, marks without boost).
 * Returns the change match_zone_free made, in pages. */
static int64_t zone_want(const struct lab_dmesg_zone *rz, unsigned page_kb, struct lab_zone_stats *w)
{
	memset(w, 0, sizeof(*w));
	/* printed boost:, or the hidden one old kernels fold into min: */
	int64_t m0 = lab_dmesg_zone_unboosted_min(rz, page_kb);
	uint64_t min = rz->kb[LAB_ZF_MIN] / page_kb;
	uint64_t boost = min > (uint64_t)m0 ? min - (uint64_t)m0 : 0;
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
	return match_zone_free(rz, page_kb, w);
}

struct trial {
	long min_free_kbytes;            /* 0 = as printed */
	int ratio_zone, ratio;           /* -1 = as printed */
	bool fold_boost;                 /* the boost as part of min (no exemption) */
};

/* An instance with one range per zone, back to back: @pad false gives each
 * zone exactly its managed pages (the geometry the watermark formulas see);
 * @pad true adds spare pages after each (see the top of the file). Returns
 * NULL if it cannot be built; *meta (*meta_bytes long) is to be freed after
 * lab_mem_fini. */
static struct lab_mem *build(const struct zone_map *zm, bool pad, uint64_t end[LAB_MAX_NR_ZONES], void **meta,
			     size_t *meta_bytes)
{
	struct lab_range ranges[LAB_MAX_NR_ZONES];
	unsigned nr = 0;
	uint64_t pfn = 0, top = 1ull << (LAB_MAX_ORDER - 1);
	for (int i = 0; i < LAB_MAX_NR_ZONES; i++) {
		if (zm->pages[i]) {
			uint64_t span = pad ? ((zm->pages[i] + top - 1) & ~(top - 1)) + top : zm->pages[i];
			ranges[nr].start = pfn << 12;
			ranges[nr].size = span << 12;
			nr++;
			pfn += span;
		}
		end[i] = pfn;
	}
	struct lab_mem_config cfg = {
		.ranges = ranges, .nr_ranges = nr, .pageblock_order = 9, .nr_cpus = 1, .kernel = zm->kernel,
		.zone_dma_limit = end[LAB_ZONE_DMA] << 12, .zone_dma32_limit = end[LAB_ZONE_DMA32] << 12,
		.flags = LAB_CFG_NO_PCP | (zm->pages[LAB_ZONE_DMA] ? 0 : LAB_CFG_NO_ZONE_DMA) |
			 (zm->pages[LAB_ZONE_DMA32] ? 0 : LAB_CFG_NO_ZONE_DMA32),
	};
	if (zm->pages[LAB_ZONE_MOVABLE]) {
		if (zm->highmem)
			cfg.highmem_start = end[LAB_ZONE_NORMAL] << 12;
		else
			cfg.movable_bytes = (end[LAB_ZONE_MOVABLE] - end[LAB_ZONE_NORMAL]) << 12;
	}
	if (!cfg.zone_dma_limit)
		cfg.flags |= LAB_CFG_NO_ZONE_DMA;
	size_t bytes = lab_mem_metadata_bytes(&cfg);
	*meta = bytes ? aligned_alloc(64, (bytes + 63) & ~(size_t)63) : NULL;
	if (!*meta)
		return NULL;
	cfg.metadata = *meta;
	cfg.metadata_bytes = *meta_bytes = bytes;
	struct lab_mem *mem = lab_mem_init(&cfg, NULL);
	if (!mem) {
		free(*meta);
		*meta = NULL;
	}
	return mem;
}

/*
 * One geometry (build's @pad) for all the trials of a report: built by
 * lab_mem_init on first use, its metadata copied aside; every later use
 * copies those bytes back into the same buffer (same address, the instance
 * still registered), which is the state lab_mem_init leaves, at the cost
 * of a memcpy instead of an O(pages) initialisation. The search runs up to
 * ~60 trials per report.
 */
struct machine {
	bool tried;
	struct lab_mem *mem;            /* NULL: cannot be built */
	void *meta, *pristine;
	void *restored;                 /* padded: after machine_restored's restore */
	int restore_rc;
	size_t bytes;
	uint64_t end[LAB_MAX_NR_ZONES];
};

struct machines {
	struct machine geometry;        /* build(pad = false): the watermark formulas */
	struct machine padded;          /* build(pad = true): the trials */
};

/* @m as lab_mem_init leaves it for @zm and @pad, or NULL; @end as build's. */
static struct lab_mem *machine_fresh(const struct zone_map *zm, bool pad, struct machine *m,
				     uint64_t end[LAB_MAX_NR_ZONES])
{
	if (!m->tried) {
		m->tried = true;
		m->mem = build(zm, pad, m->end, &m->meta, &m->bytes);
		if (m->mem && !(m->pristine = malloc(m->bytes))) {
			lab_mem_fini(m->mem);
			m->mem = NULL;
		}
		if (m->mem)
			memcpy(m->pristine, m->meta, m->bytes);
	} else if (m->mem) {
		memcpy(m->meta, m->pristine, m->bytes);
	}
	memcpy(end, m->end, sizeof(m->end));
	return m->mem;
}

static void machines_free(struct machines *ms)
{
	struct machine *all[] = { &ms->geometry, &ms->padded };
	for (unsigned i = 0; i < 2; i++) {
		if (all[i]->mem)
			lab_mem_fini(all[i]->mem);
		free(all[i]->meta);
		free(all[i]->pristine);
		free(all[i]->restored);
	}
}

/*
 * The padded machine with every zone's free lists, pageblock types and
 * highatomic reserve restored from the report (what every trial restores
 * alike; only the marks and lowmem_reserve differ, and those parts are
 * plain assignments the others never read): restored once, copied back
 * for later trials. The restore's error (0 if none); *@out NULL if the
 * machine cannot be built.
 */
static int machine_restored(struct machines *ms, const struct lab_dmesg_report *r, const struct zone_map *zm,
			    unsigned page_kb, uint64_t end[LAB_MAX_NR_ZONES], struct lab_mem **out)
{
	struct machine *m = &ms->padded;
	if (m->restored) {
		memcpy(m->meta, m->restored, m->bytes);
		memcpy(end, m->end, sizeof(m->end));
		*out = m->mem;
		return m->restore_rc;
	}
	struct lab_mem *mem = *out = machine_fresh(zm, true, m, end);
	int rc = 0;
	if (!mem)
		return -1;
	for (int i = 0; i < LAB_MAX_NR_ZONES && !rc; i++) {
		if (zm->src[i] < 0)
			continue;
		struct lab_zone_stats want;
		zone_want(&r->zones[zm->src[i]], page_kb, &want);
		struct lab_zone_restore how = {
			.parts = LAB_RESTORE_ALL & ~(LAB_RESTORE_WATERMARKS | LAB_RESTORE_LOWMEM), .want = &want,
		};
		bool counts = false;   /* lab_mem_restore_zone's rule: pageblock types only when counted */
		for (int mt = 0; mt < LAB_MIGRATE_TYPES; mt++)
			counts |= want.nr_blocks_mt[mt] != 0;
		if (!counts)
			how.parts &= ~LAB_RESTORE_PAGEBLOCKS;
		rc = lab_mem_restore_zone_parts(mem, (unsigned)i, &how);
	}
	m->restore_rc = rc;
	if ((m->restored = malloc(m->bytes)))
		memcpy(m->restored, m->meta, m->bytes);
	return rc;
}

/* The watermarks Linux computes for the report's zone sizes at @mfk (0:
 * its default, returned in *default_mfk). 0, or -1 if it cannot build. */
static int geometry_marks(struct machines *ms, const struct zone_map *zm, long mfk, long *default_mfk,
			  uint64_t wmark[LAB_MAX_NR_ZONES][LAB_NR_WMARK])
{
	uint64_t end[LAB_MAX_NR_ZONES];
	struct lab_mem *mem = machine_fresh(zm, false, &ms->geometry, end);
	struct lab_mem_stats *st = malloc(sizeof(*st));
	int rc = -1;
	if (mem && st) {
		struct lab_tunables tun;
		lab_get_tunables(mem, &tun);
		if (default_mfk)
			*default_mfk = tun.min_free_kbytes;
		if (mfk > 0)
			lab_set_min_free_kbytes(mem, (int)mfk);
		lab_mem_get_stats(mem, st);
		for (int i = 0; i < LAB_MAX_NR_ZONES; i++)
			memcpy(wmark[i], st->zone[i].wmark, sizeof(wmark[i]));
		rc = 0;
	}
	free(st);
	return rc;
}

/* Builds the snapshot and runs the request once. 1 served, 0 failed, -1 error.
 *
 * The rebuild runs on padded zones: each gets spare (allocated) pages
 * after its managed ones, because a report's zone had reserved pages and
 * holes between its free blocks, and an almost wholly free zone (x86's
 * DMA) cannot be laid out in exactly its managed pages without two free
 * buddies meeting. The padding changes nothing the request sees: free
 * lists, watermarks (computed on the unpadded geometry), lowmem_reserve
 * and the highatomic reserve are all set as the report has them. */
static int run_trial(struct machines *ms, const struct lab_dmesg_report *r, const struct zone_map *zm,
		     unsigned page_kb, lab_gfp_t gfp, unsigned order, const struct trial *t, long *default_mfk,
		     int *served)
{
	uint64_t (*marks)[LAB_NR_WMARK] = NULL;
	if (t->min_free_kbytes > 0 || default_mfk) {
		marks = calloc(LAB_MAX_NR_ZONES, sizeof(*marks));
		if (!marks || geometry_marks(ms, zm, t->min_free_kbytes, default_mfk, marks)) {
			free(marks);
			return -1;
		}
	}
	uint64_t end[LAB_MAX_NR_ZONES];
	struct lab_mem *mem;
	int rc = -1;
	if (machine_restored(ms, r, zm, page_kb, end, &mem))
		goto out;
	for (int i = 0; i < LAB_MAX_NR_ZONES; i++) {
		if (zm->src[i] < 0)
			continue;
		struct lab_zone_stats want;
		zone_want(&r->zones[zm->src[i]], page_kb, &want);
		if (t->min_free_kbytes > 0) {
			/* keep the rebuilt lists, take the recomputed marks */
			memcpy(want.wmark, marks[i], sizeof(want.wmark));
			want.boost = 0;
		}
		if (t->fold_boost) {
			for (int k = LAB_WMARK_MIN; k <= LAB_WMARK_HIGH; k++)
				want.wmark[k] += want.boost;
			want.boost = 0;
		}
		if (t->ratio_zone == i) {
			uint64_t above = 0;
			for (int j = i + 1; j < LAB_MAX_NR_ZONES; j++) {
				above += zm->pages[j];
				want.lowmem_reserve[j] = t->ratio > 0 ? (int64_t)(above / (uint64_t)t->ratio) : 0;
			}
		}
		struct lab_zone_restore how = { .parts = LAB_RESTORE_WATERMARKS | LAB_RESTORE_LOWMEM, .want = &want };
		if (lab_mem_restore_zone_parts(mem, (unsigned)i, &how))
			goto out;
	}
	struct lab_page *p = lab_alloc_pages(mem, gfp | LAB___GFP_NOWARN, order);
	rc = p != NULL;
	if (served) {
		*served = -1;
		for (int i = 0; p && i < LAB_MAX_NR_ZONES && *served < 0; i++)
			if (lab_page_to_pfn(p) < end[i])
				*served = i;
	}
out:
	free(marks);
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

/* Which report zone stands for each Labyrinth zone, and its size in
 * pages; false with @s->why set when a zone cannot be rebuilt. */
static bool map_zones(const struct lab_dmesg_report *r, unsigned page_kb, struct zone_map *zm,
		      struct lab_simulation *s)
{
	for (int i = 0; i < r->nr_zones; i++) {
		const struct lab_dmesg_zone *rz = &r->zones[i];
		int t = zone_type_of(rz->name, &zm->highmem);
		zm->type[i] = t;
		if (t < 0)
			continue;
		/* kernels before 3.8 print present: but not managed: (present less the
		 * pages the kernel reserved): present stands in, and the output says so */
		int size_field = (rz->have & (1u << LAB_ZF_MANAGED)) ? LAB_ZF_MANAGED : LAB_ZF_PRESENT;
		if (!rz->has_zone_line || !rz->has_buddy || !(rz->have & (1u << size_field)) ||
		    !(rz->have & (1u << LAB_ZF_MIN))) {
			snprintf(s->why, sizeof(s->why), "zone %s lacks its zone line, free lists or size (managed:/present:)",
				 rz->name);
			return false;
		}
		if (zm->src[t] >= 0) {
			snprintf(s->why, sizeof(s->why), "zone %s printed twice (several nodes are not simulated)", rz->name);
			return false;
		}
		uint64_t size_kb = rz->kb[size_field];
		uint64_t lists = 0;
		for (int o = 0; o < rz->nr_orders; o++)
			lists += rz->block_kb[o] * rz->nr_free[o];
		uint64_t free_kb = (rz->have & (1u << LAB_ZF_FREE)) ? rz->kb[LAB_ZF_FREE] : lists;
		if (free_kb > size_kb || lists > size_kb + size_kb / 8) {
			snprintf(s->why, sizeof(s->why), "zone %s: %llu kB free (lists: %llu kB) in %llu kB %s",
				 rz->name, (unsigned long long)free_kb, (unsigned long long)lists,
				 (unsigned long long)size_kb, size_field == LAB_ZF_MANAGED ? "managed" : "present");
			return false;
		}
		if (size_field == LAB_ZF_PRESENT) {
			size_t len = strlen(s->assumed);
			snprintf(s->assumed + len, sizeof(s->assumed) - len, "%s%s", len ? ", " : "", rz->name);
		}
		zm->src[t] = i;
		zm->pages[t] = size_kb / page_kb;
	}
	if (!r->nr_zones) {
		snprintf(s->why, sizeof(s->why), "the report prints no zones");
		return false;
	}
	return true;
}

/* The failing request re-run under other tunables: the largest
 * min_free_kbytes, then the smallest change of a lower zone's
 * lowmem_reserve_ratio, under which the same snapshot serves it. */
static void search_tunables(struct machines *ms, const struct lab_dmesg_report *r, const struct lab_diagnosis *d,
			    const struct zone_map *zm, unsigned page_kb, struct lab_simulation *s)
{
	/* min_free_kbytes: it served at 0? then the largest value that serves */
	struct trial t = { 128, -1, 0, false };
	if (run_trial(ms, r, zm, page_kb, s->gfp, s->order, &t, NULL, NULL) == 1) {
		long lo = 128, hi = s->min_free_kbytes_now > 128 ? s->min_free_kbytes_now : 129;
		t.min_free_kbytes = hi;
		while (run_trial(ms, r, zm, page_kb, s->gfp, s->order, &t, NULL, NULL) == 1 && hi < 1L << 30)
			t.min_free_kbytes = hi *= 2;
		while (hi - lo > 1) {
			t.min_free_kbytes = (lo + hi) / 2;
			if (run_trial(ms, r, zm, page_kb, s->gfp, s->order, &t, NULL, NULL) == 1)
				lo = t.min_free_kbytes;
			else
				hi = t.min_free_kbytes;
		}
		s->min_free_kbytes_pass = lo;
	}
	/* lowmem_reserve_ratio of the zones below the request's highest one */
	for (int zi = 0; zi < LAB_MAX_NR_ZONES && s->lowmem_ratio_zone < 0; zi++) {
		if (zm->src[zi] < 0 || zi >= d->highest_type)
			continue;
		static const int ratios[] = { 512, 1024, 4096, 32768, 0 };
		for (unsigned k = 0; k < sizeof(ratios) / sizeof(ratios[0]); k++) {
			struct trial rt = { 0, zi, ratios[k], false };
			if (run_trial(ms, r, zm, page_kb, s->gfp, s->order, &rt, NULL, NULL) == 1) {
				s->lowmem_ratio_zone = zi;
				s->lowmem_ratio_pass = ratios[k];
				break;
			}
		}
	}
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
	/* the report's own kernel's rules: 6.1's up to 6.2, 6.12's from 6.3 */
	char rel[32];
	snprintf(rel, sizeof(rel), "%d.%d.%d", d->kmajor, d->kminor, d->kpatch);
	if (lab_kernel_for_release(d->version[0] ? d->version : rel, &s->kernel))
		s->kernel = LAB_KERNEL_6_1;
	const char *src = d->version_source ? d->version_source : "none";
	snprintf(s->kernel_why, sizeof(s->kernel_why), "kernel %s, %s%s", d->version[0] ? d->version : rel,
		 strcmp(src, "--kernel") ? "version from the " : "given by ", src);
	zm.kernel = s->kernel;
	unsigned page_kb = r->page_kb ? r->page_kb : 4;
	if (page_kb != 4) {
		snprintf(s->why, sizeof(s->why), "the report's pages are %u KiB; the simulation models 4 KiB pages", page_kb);
		return;
	}
	if (!r->has_order || !r->has_mode || !d->decoded[0]) {
		snprintf(s->why, sizeof(s->why), "no order or mode in the report");
		return;
	}
	if (!map_zones(r, page_kb, &zm, s))
		return;
	for (int t = LAB_ZONE_DMA; t <= LAB_ZONE_NORMAL; t++) {
		/* setup_per_zone_wmarks spreads min_free_kbytes over the lowmem zones */
		if (zm.src[t] < 0)
			continue;
		uint64_t min = (uint64_t)lab_dmesg_zone_unboosted_min(&r->zones[zm.src[t]], page_kb) * page_kb;
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
	for (int i = 0; i < LAB_MAX_NR_ZONES; i++) {
		if (zm.src[i] < 0)
			continue;
		struct lab_zone_stats want;
		int64_t delta = zone_want(&r->zones[zm.src[i]], page_kb, &want);
		size_t len = strlen(s->adjusted);
		if (delta && len + 40 < sizeof(s->adjusted))
			snprintf(s->adjusted + len, sizeof(s->adjusted) - len, "%s%s %+lld kB", len ? ", " : "",
				 r->zones[zm.src[i]].name, (long long)delta * page_kb);
	}
	s->gfp = gfp_in_61(d->decoded, s->dropped, sizeof(s->dropped));
	lab_gfp_format(s->gfp_names, sizeof(s->gfp_names), s->gfp, LAB_GFP_ERA_6_1);
	s->order = r->order;
	struct trial as_printed = { 0, -1, 0, false };
	struct machines ms = { 0 };
	int rc = run_trial(&ms, r, &zm, page_kb, s->gfp, s->order, &as_printed, &s->min_free_kbytes_now, &s->served_zone);
	if (rc < 0) {
		snprintf(s->why, sizeof(s->why), "the free lists cannot be laid out in the printed zone sizes");
	} else if (rc == 1) {
		/* served: was it zone_watermark_fast()'s boost exemption? */
		struct trial folded = { 0, -1, 0, true };
		s->ran = true;
		s->served_by_unboost = run_trial(&ms, r, &zm, page_kb, s->gfp, s->order, &folded, NULL, NULL) == 0;
	} else {
		s->ran = s->failed = true;
		search_tunables(&ms, r, d, &zm, page_kb, s);
	}
	machines_free(&ms);
}
