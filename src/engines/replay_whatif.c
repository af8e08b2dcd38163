/* SPDX-License-Identifier: MIT */
/*
 * engines/replay_whatif.c - the what-if replay: the trace's demand on a
 * Labyrinth instance built like the traced machine.
 *
 * The instance is built from zoneinfo.before (ranges, holes, reserved
 * pages, CPUs, tunables, the kernel's own watermarks) and seeded with the
 * state at trace start (replay_seed.c): every managed page allocated at
 * order 0, the pageblock types set, the pages of the initial free blocks
 * (and the pcp pages: they are free memory) freed, the per-CPU lists
 * drained. Pages still allocated are "pre-trace" pages. Then every
 * mm_page_alloc asks our allocator (its own placement) and every
 * mm_page_free frees what we gave for that kernel pfn. Everything goes
 * through the public API (lab_mem_restore_zone_parts for the marks and
 * pageblock types), so the engine sees the allocator as any user does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "engines/replay_int.h"

/* pfn (kernel's) -> our allocation */
struct slot {
	uint64_t pfn;                   /* key; UINT64_MAX = empty */
	struct lab_page *page;          /* NULL: we failed where the kernel succeeded */
	uint32_t left;                  /* pages not yet freed (partial frees) */
	uint8_t order;
};

struct pmap {
	struct slot *s;
	size_t cap, n;
};

static uint64_t hmix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	return x;
}

static int pmap_init(struct pmap *m, size_t cap)
{
	size_t c = 1024;
	while (c < cap * 2)
		c *= 2;
	m->s = malloc(c * sizeof(*m->s));
	if (!m->s)
		return LAB_ENOMEM;
	for (size_t i = 0; i < c; i++)
		m->s[i].pfn = UINT64_MAX;
	m->cap = c;
	m->n = 0;
	return 0;
}

static struct slot *pmap_find(struct pmap *m, uint64_t pfn)
{
	for (size_t i = hmix(pfn) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		if (m->s[i].pfn == pfn)
			return &m->s[i];
		if (m->s[i].pfn == UINT64_MAX)
			return NULL;
	}
}

static int pmap_grow(struct pmap *m);

static struct slot *pmap_put(struct pmap *m, uint64_t pfn)
{
	if ((m->n + 1) * 2 > m->cap && pmap_grow(m))
		return NULL;
	size_t i = hmix(pfn) & (m->cap - 1);
	while (m->s[i].pfn != UINT64_MAX && m->s[i].pfn != pfn)
		i = (i + 1) & (m->cap - 1);
	if (m->s[i].pfn == UINT64_MAX)
		m->n++;
	m->s[i].pfn = pfn;
	return &m->s[i];
}

static int pmap_grow(struct pmap *m)
{
	struct pmap n;
	if (pmap_init(&n, m->cap))
		return LAB_ENOMEM;
	for (size_t i = 0; i < m->cap; i++)
		if (m->s[i].pfn != UINT64_MAX)
			*pmap_put(&n, m->s[i].pfn) = m->s[i];
	free(m->s);
	*m = n;
	return 0;
}

/* Linear-probing delete with backward shift (no tombstones). */
static void pmap_del(struct pmap *m, struct slot *sl)
{
	size_t i = (size_t)(sl - m->s);
	m->s[i].pfn = UINT64_MAX;
	m->n--;
	for (size_t j = (i + 1) & (m->cap - 1); m->s[j].pfn != UINT64_MAX; j = (j + 1) & (m->cap - 1)) {
		size_t home = hmix(m->s[j].pfn) & (m->cap - 1);
		bool move = (j > i) ? (home <= i || home > j) : (home <= i && home > j);
		if (move) {
			m->s[i] = m->s[j];
			m->s[j].pfn = UINT64_MAX;
			i = j;
		}
	}
}

struct wctx {
	const struct lab_ftrace *t;
	const struct lab_ftrace_event *cur;
	bool seeding;
	struct lab_whatif_result *r;
	struct lab_platform plat;
	void *meta;
	uint8_t *filler;                /* per pfn: still a seeded (pre-trace) allocation */
	uint64_t filler_base;
	struct pmap map;
};


static unsigned w_cpu(void *ctx)
{
	struct wctx *w = ctx;
	return w->cur ? w->cur->cpu : 0;
}

static enum lab_context w_context(void *ctx)
{
	struct wctx *w = ctx;
	return w->cur ? lab_ftrace_context(w->cur) : LAB_CTX_PROCESS;
}

static int w_in_atomic(void *ctx)
{
	struct wctx *w = ctx;
	return w->cur && (lab_ftrace_context(w->cur) != LAB_CTX_PROCESS);
}

static const char *w_comm(void *ctx)
{
	struct wctx *w = ctx;
	if (!w->cur || w->cur->comm >= w->t->nr_comms)
		return "replay";
	return w->t->comms[w->cur->comm];
}

static int w_pid(void *ctx)
{
	struct wctx *w = ctx;
	return w->cur ? (int)w->cur->pid : 0;
}

static uint64_t w_now(void *ctx)
{
	struct wctx *w = ctx;
	return w->cur ? w->cur->ts_ns : 0;
}

static void w_log(void *ctx, enum lab_log_level level, const char *line)
{
	struct wctx *w = ctx;
	(void)level;
	(void)line;
	if (!w->seeding)
		w->r->log_lines++;
}

static void w_warn(void *ctx, const struct lab_alloc_failure *f)
{
	struct wctx *w = ctx;
	if (w->seeding)
		return;
	if (!w->r->warn_reports)
		w->r->first_warn = *f;
	w->r->warn_reports++;
}

static void w_kswapd(void *ctx, unsigned order, int zi)
{
	struct wctx *w = ctx;
	(void)order;
	(void)zi;
	if (!w->seeding)
		w->r->kswapd_wakeups++;
}

void lab_whatif_result_free(struct lab_whatif_result *r)
{
	struct wctx *w = r->priv;
	if (r->mem)
		lab_mem_fini(r->mem);
	if (w) {
		free(w->meta);
		free(w->filler);
		free(w->map.s);
		free(w);
	}
	lab_replay_seed_free(&r->seed);
	free(r->timeline);
	free(r->snap_stats);
	memset(r, 0, sizeof(*r));
}

static struct lab_replay_failkey *failkey(struct lab_whatif_result *r, unsigned order, lab_gfp_t gfp,
					  enum lab_context ctx)
{
	for (unsigned i = 0; i < r->nr_keys; i++)
		if (r->keys[i].order == order && r->keys[i].gfp == gfp && r->keys[i].ctx == ctx)
			return &r->keys[i];
	if (r->nr_keys == LAB_REPLAY_MAX_FAILKEYS)
		return NULL;
	struct lab_replay_failkey *k = &r->keys[r->nr_keys++];
	memset(k, 0, sizeof(*k));
	k->order = order;
	k->gfp = gfp;
	k->ctx = ctx;
	return k;
}

/* gfp that selects exactly zone @z (zone modifier) for seeding. */
static lab_gfp_t zone_gfp(int z)
{
	switch (z) {
	case LAB_ZONE_DMA:
		return LAB___GFP_DMA | LAB___GFP_MOVABLE;
	case LAB_ZONE_DMA32:
		return LAB___GFP_DMA32 | LAB___GFP_MOVABLE;
	case LAB_ZONE_MOVABLE:
		return LAB___GFP_HIGHMEM | LAB___GFP_MOVABLE;
	default:
		return LAB___GFP_MOVABLE;
	}
}

/* Ranges, holes and reserved pages of the traced machine's zones. */
static int build_config(const struct geo *g, const struct lab_snapshot *b, const struct lab_replay_seed *s,
			struct lab_range *ranges, unsigned *nr_ranges,
			struct lab_range **reserved, unsigned *nr_reserved, char *err, size_t errsz)
{
	unsigned nr = 0;
	size_t rcap = 64, rn = 0;
	struct lab_range *res = malloc(rcap * sizeof(*res));
	if (!res)
		return LAB_ENOMEM;
	for (int z = 0; z < LAB_MAX_NR_ZONES; z++) {
		if (!g->populated[z])
			continue;
		const struct lab_snapshot_zone *sz = &b->zone[z];
		uint64_t zs = g->start[z], ze = g->end[z];
		uint64_t holes = sz->spanned > sz->present ? sz->spanned - sz->present : 0;
		uint64_t hs = 0, he = 0;
		if (holes) {
			/* x86: the legacy hole below 1 MiB ends at pfn 0x100 */
			if (zs < 0x100 && ze > 0x100 && 0x100 - holes > zs) {
				hs = 0x100 - holes;
				he = 0x100;
			} else {
				/* elsewhere: a run of untouched pages below the zone end */
				uint64_t run = 0;
				for (uint64_t q = ze - 1; q-- > zs;) {
					uint8_t v = s->init[q - s->base_pfn];
					run = v == LAB_SEED_UNTOUCHED ? run + 1 : 0;
					if (run == holes) {
						hs = q;
						he = q + holes;
						break;
					}
				}
			}
		}
		if (nr + 2 > LAB_MAX_RANGES) {
			free(res);
			snprintf(err, errsz, "too many memory ranges");
			return LAB_EINVAL;
		}
		if (he > hs) {
			if (hs > zs)
				ranges[nr++] = (struct lab_range){ zs << LAB_PAGE_SHIFT, (hs - zs) << LAB_PAGE_SHIFT };
			if (ze > he)
				ranges[nr++] = (struct lab_range){ he << LAB_PAGE_SHIFT, (ze - he) << LAB_PAGE_SHIFT };
		} else {
			ranges[nr++] = (struct lab_range){ zs << LAB_PAGE_SHIFT, (ze - zs) << LAB_PAGE_SHIFT };
		}
		/* reserved: present - managed untouched, non-free pages, lowest first */
		uint64_t want = sz->present > sz->managed ? sz->present - sz->managed : 0;
		for (uint64_t q = zs; q < ze && want; q++) {
			if (q >= hs && q < he)
				continue;
			if (s->init[q - s->base_pfn] != LAB_SEED_UNTOUCHED)
				continue;
			if (rn && (res[rn - 1].start + res[rn - 1].size) >> LAB_PAGE_SHIFT == q) {
				res[rn - 1].size += LAB_PAGE_SIZE;
			} else {
				if (rn == rcap) {
					struct lab_range *nn = realloc(res, rcap * 2 * sizeof(*res));
					if (!nn) {
						free(res);
						return LAB_ENOMEM;
					}
					res = nn;
					rcap *= 2;
				}
				res[rn++] = (struct lab_range){ q << LAB_PAGE_SHIFT, LAB_PAGE_SIZE };
			}
			want--;
		}
	}
	/* merge adjacent ranges (zones are contiguous) */
	unsigned w = 0;
	for (unsigned i = 0; i < nr; i++) {
		if (w && ranges[w - 1].start + ranges[w - 1].size == ranges[i].start)
			ranges[w - 1].size += ranges[i].size;
		else
			ranges[w++] = ranges[i];
	}
	*nr_ranges = w;
	*reserved = res;
	*nr_reserved = (unsigned)rn;
	return 0;
}

static void whatif_sample(struct wctx *w, size_t at, uint64_t ts, struct lab_whatif_sample *sm,
			  struct lab_mem_stats *st)
{
	lab_mem_get_stats(w->r->mem, st);
	sm->at_event = at;
	sm->ts_ns = ts;
	for (int z = 0; z < LAB_MAX_NR_ZONES; z++) {
		sm->free[z] = st->zone[z].free;
		sm->min[z] = st->zone[z].wmark[LAB_WMARK_MIN] + st->zone[z].boost;
		memcpy(sm->nr_free[z], st->zone[z].nr_free, sizeof(sm->nr_free[z]));
	}
	sm->replay_fail = w->r->replay_fail;
	sm->kernel_fail = w->r->kernel_fail;
}

/* A free of the kernel's [pfn, pfn + 2^order). */
static void whatif_free(struct wctx *w, const struct lab_ftrace_event *e, const struct lab_replay_opts *o)
{
	struct lab_whatif_result *r = w->r;
	unsigned order = (unsigned)(e->order < 0 ? 0 : e->order);
	struct slot *sl = pmap_find(&w->map, e->pfn);
	if (!sl) {
		/* part of a larger allocation? */
		for (unsigned q = 1; q < LAB_MAX_ORDER && !sl; q++) {
			struct slot *c = pmap_find(&w->map, e->pfn & ~((1ull << q) - 1));
			if (c && c->order >= q)
				sl = c;
		}
	}
	if (!sl) {
		r->frees_pretrace++;
		r->frees_pretrace_pages += 1ull << order;
		if (o->pretrace_frees == LAB_REPLAY_PRETRACE_RELEASE && w->filler) {
			for (uint64_t q = e->pfn; q < e->pfn + (1ull << order); q++) {
				if (q < w->filler_base || q - w->filler_base >= r->seed.end_pfn - r->seed.base_pfn ||
				    !w->filler[q - w->filler_base])
					continue;
				struct lab_page *pg = lab_pfn_to_page(r->mem, q);
				if (pg && !lab_try_free_pages(r->mem, pg, 0)) {
					w->filler[q - w->filler_base] = 0;
					r->frees_pretrace_released++;
				}
			}
		}
		return;
	}
	if (sl->pfn == e->pfn && sl->order == order && sl->left == (1u << order)) {
		if (sl->page) {
			if (lab_try_free_pages(r->mem, sl->page, order))
				r->bad_frees++;
		} else {
			r->frees_of_replay_failures++;
		}
		pmap_del(&w->map, sl);
		return;
	}
	r->frees_partial++;
	uint32_t pages = 1u << order;
	sl->left = sl->left > pages ? sl->left - pages : 0;
	if (!sl->left) {
		if (sl->page) {
			if (lab_try_free_pages(r->mem, sl->page, sl->order))
				r->bad_frees++;
		} else {
			r->frees_of_replay_failures++;
		}
		pmap_del(&w->map, sl);
	}
}

/*
 * The seed's pageblock types, zone by zone, through lab_mem_restore_zone
 * (the highatomic reserve follows the HighAtomic pageblocks). Isolation is
 * transient and not seeded; neither are a CMA type (the instance has no
 * CMA areas) nor a HighAtomic pageblock a zone only partly holds (no
 * reserve lies there): those pageblocks are Movable.
 */
static int seed_pageblocks(struct lab_mem *mem, const struct lab_replay_seed *seed, char *err, size_t errsz)
{
	struct lab_mem_stats *st = malloc(sizeof(*st));
	uint8_t *types = NULL;
	int rc = LAB_ENOMEM;
	if (!st)
		goto out;
	lab_mem_get_stats(mem, st);
	uint64_t nr = 1ull << seed->pageblock_order;
	for (int z = 0; z < LAB_MAX_NR_ZONES; z++) {
		const struct lab_zone_stats *zs = &st->zone[z];
		if (!zs->managed)
			continue;
		uint64_t start = zs->start_pfn, end = start + zs->spanned, n = (zs->spanned + nr - 1) / nr;
		free(types);
		if (!(types = malloc((size_t)n)))
			goto out;
		for (uint64_t k = 0; k < n; k++) {
			uint64_t pb = (start + k * nr) & ~(nr - 1);
			size_t i = (size_t)((pb - seed->base_pfn) >> seed->pageblock_order);
			int mt = pb >= seed->base_pfn && i < seed->nr_pb ? seed->pb_mt[i] : LAB_MIGRATE_MOVABLE;
			if (mt == LAB_MIGRATE_ISOLATE || mt == LAB_MIGRATE_CMA ||
			    (mt == LAB_MIGRATE_HIGHATOMIC && (pb < start || pb + nr > end)))
				mt = LAB_MIGRATE_MOVABLE;
			types[k] = (uint8_t)mt;
		}
		struct lab_zone_stats want;
		memset(&want, 0, sizeof(want));
		struct lab_zone_restore how = { .parts = LAB_RESTORE_PAGEBLOCKS, .want = &want,
						.pageblock_mt = types, .nr_pageblock_mt = (size_t)n };
		if ((rc = lab_mem_restore_zone_parts(mem, (unsigned)z, &how))) {
			snprintf(err, errsz, "the seed's pageblock types do not fit zone %d (%d)", z, rc);
			goto out;
		}
	}
	rc = 0;
out:
	if (rc == LAB_ENOMEM)
		snprintf(err, errsz, "out of memory");
	free(types);
	free(st);
	return rc;
}

/* The instance: the traced machine's ranges, holes, reserved pages, CPUs
 * and zone limits, min_free_kbytes as traced or --set. */
static int whatif_build(struct wctx *w, const struct geo *g, const struct lab_replay_opts *o, char *err, size_t errsz)
{
	const struct lab_snapshot *b = o->before;
	struct lab_whatif_result *r = w->r;
	struct lab_range ranges[LAB_MAX_RANGES], *reserved = NULL;
	unsigned nr_ranges = 0, nr_reserved = 0;
	int rc = build_config(g, b, &r->seed, ranges, &nr_ranges, &reserved, &nr_reserved, err, errsz);
	if (rc)
		return rc;
	w->plat = (struct lab_platform){
		.ctx = w, .cpu_id = w_cpu, .context = w_context, .in_atomic = w_in_atomic,
		.comm = w_comm, .pid = w_pid, .now_ns = w_now, .log = w_log, .warn_alloc = w_warn,
		.wake_kswapd = w_kswapd,
	};
	struct lab_mem_config cfg;
	memset(&cfg, 0, sizeof(cfg));
	cfg.ranges = ranges;
	cfg.nr_ranges = nr_ranges;
	cfg.reserved = reserved;
	cfg.nr_reserved = nr_reserved;
	cfg.pageblock_order = g->pb_order;
	cfg.kernel = o->kernel;
	cfg.platform = &w->plat;
	unsigned ncpu = 1;
	for (int z = 0; z < LAB_MAX_NR_ZONES; z++)
		if (b->zone[z].nr_cpus > ncpu)
			ncpu = b->zone[z].nr_cpus;
	if (w->t->nr_cpus > (int)ncpu && w->t->nr_cpus <= LAB_MAX_CPUS)
		ncpu = (unsigned)w->t->nr_cpus;
	cfg.nr_cpus = ncpu;
	if (!g->populated[LAB_ZONE_DMA])
		cfg.flags |= LAB_CFG_NO_ZONE_DMA;
	else
		cfg.zone_dma_limit = g->end[LAB_ZONE_DMA] << LAB_PAGE_SHIFT;
	if (!g->populated[LAB_ZONE_DMA32])
		cfg.flags |= LAB_CFG_NO_ZONE_DMA32;
	else
		cfg.zone_dma32_limit = g->end[LAB_ZONE_DMA32] << LAB_PAGE_SHIFT;
	if (g->populated[LAB_ZONE_MOVABLE])
		cfg.movable_bytes = (g->end[LAB_ZONE_MOVABLE] - g->start[LAB_ZONE_MOVABLE]) << LAB_PAGE_SHIFT;
	int mfk = o->set.min_free_kbytes >= 0 ? o->set.min_free_kbytes : b->min_free_kbytes;
	cfg.min_free_kbytes = mfk > 0 ? mfk : 0;
	size_t need = lab_mem_metadata_bytes(&cfg);
	if (!need) {
		free(reserved);
		snprintf(err, errsz, "the traced machine's zones make no valid configuration");
		return LAB_EINVAL;
	}
	need = (need + 63) & ~(size_t)63;
	w->meta = aligned_alloc(64, need);
	if (!w->meta) {
		free(reserved);
		snprintf(err, errsz, "out of memory");
		return LAB_ENOMEM;
	}
	cfg.metadata = w->meta;
	cfg.metadata_bytes = need;
	int ierr = 0;
	r->mem = lab_mem_init(&cfg, &ierr);
	free(reserved);
	if (!r->mem) {
		snprintf(err, errsz, "lab_mem_init failed (%d) for the traced machine's layout", ierr);
		return LAB_EINVAL;
	}
	return 0;
}

/*
 * Tunables as traced, then the --set overrides. As traced, the zones keep
 * the kernel's own watermarks and protection (zoneinfo.before): Linux
 * computed them at boot from the managed pages of that moment and does not
 * redo it when init memory is freed later, so the formula on today's
 * managed pages is a few pages off. Any --set of a watermark tunable
 * recomputes them as writing the sysctl would (with the managed pages of
 * now).
 */
static int whatif_tunables(struct lab_whatif_result *r, const struct geo *g, const struct lab_replay_opts *o,
			   char *err, size_t errsz)
{
	struct lab_mem *mem = r->mem;
	const struct lab_snapshot *b = o->before;
	int wsf = o->set.watermark_scale_factor >= 0 ? o->set.watermark_scale_factor : b->watermark_scale_factor;
	int wbf = o->set.watermark_boost_factor >= 0 ? o->set.watermark_boost_factor : b->watermark_boost_factor;
	int phf = o->set.percpu_pagelist_high_fraction >= 0 ? o->set.percpu_pagelist_high_fraction :
		  b->percpu_pagelist_high_fraction;
	if ((wsf > 0 && lab_set_watermark_scale_factor(mem, wsf)) ||
	    (wbf >= 0 && lab_set_watermark_boost_factor(mem, wbf)) ||
	    (phf >= 0 && lab_set_percpu_pagelist_high_fraction(mem, phf)))
		goto badset;
	if (o->set.nr_lowmem_reserve_ratio || b->nr_lowmem_reserve_ratio) {
		struct lab_tunables tun;
		lab_get_tunables(mem, &tun);
		int ratio[LAB_MAX_NR_ZONES];
		memcpy(ratio, tun.lowmem_reserve_ratio, sizeof(ratio));
		const int *src = o->set.nr_lowmem_reserve_ratio ? o->set.lowmem_reserve_ratio : b->lowmem_reserve_ratio;
		int nsrc = o->set.nr_lowmem_reserve_ratio ? o->set.nr_lowmem_reserve_ratio : b->nr_lowmem_reserve_ratio;
		for (int i = 0; i < nsrc && i < LAB_MAX_NR_ZONES; i++)
			ratio[i] = src[i];
		if (lab_set_lowmem_reserve_ratio(mem, ratio))
			goto badset;
	}
	if (o->set.highatomic_reserve >= 0 && lab_set_highatomic_reserve(mem, o->set.highatomic_reserve))
		goto badset;
	r->kernel_watermarks = o->set.min_free_kbytes < 0 && o->set.watermark_scale_factor < 0 &&
			       !o->set.nr_lowmem_reserve_ratio;
	for (int z = 0; z < LAB_MAX_NR_ZONES && r->kernel_watermarks; z++) {
		const struct lab_snapshot_zone *sz = &b->zone[z];
		if (!g->populated[z] || sz->min < sz->boost)
			continue;
		struct lab_zone_stats want;
		memset(&want, 0, sizeof(want));
		want.wmark[LAB_WMARK_MIN] = sz->min - sz->boost;
		want.wmark[LAB_WMARK_LOW] = sz->low - sz->boost;
		want.wmark[LAB_WMARK_HIGH] = sz->high - sz->boost;
		for (int k = 0; k < LAB_MAX_NR_ZONES; k++)
			want.lowmem_reserve[k] = sz->protection[k];
		struct lab_zone_restore how = { .parts = LAB_RESTORE_WATERMARKS | LAB_RESTORE_LOWMEM, .want = &want };
		lab_mem_restore_zone_parts(mem, (unsigned)z, &how);   /* LAB_EINVAL: not populated here */
	}
	lab_get_tunables(mem, &r->tunables);
	return 0;
badset:
	snprintf(err, errsz, "a tunable is out of its sysctl range");
	return LAB_EINVAL;
}

/* The seed on the instance: every managed page allocated, the pageblock
 * types set, then the initial free blocks and the pcp pages freed and the
 * per-CPU lists drained. Pages still allocated are "pre-trace" pages. */
static int whatif_seed_instance(struct wctx *w, const struct geo *g, char *err, size_t errsz)
{
	struct lab_whatif_result *r = w->r;
	struct lab_mem *mem = r->mem;
	size_t span = (size_t)(r->seed.end_pfn - r->seed.base_pfn);
	w->filler = calloc(span, 1);
	w->filler_base = r->seed.base_pfn;
	if (!w->filler || pmap_init(&w->map, 1 << 16)) {
		snprintf(err, errsz, "out of memory");
		return LAB_ENOMEM;
	}
	for (int z = 0; z < LAB_MAX_NR_ZONES; z++) {
		if (!g->populated[z])
			continue;
		lab_gfp_t gf = zone_gfp(z) | LAB___GFP_MEMALLOC | LAB___GFP_NOWARN;
		struct lab_page *pg;
		while ((pg = lab_alloc_pages(mem, gf, 0))) {
			uint64_t pfn = lab_page_to_pfn(pg);
			if (pfn >= w->filler_base && pfn - w->filler_base < span)
				w->filler[pfn - w->filler_base] = 1;
		}
	}
	int rc = seed_pageblocks(mem, &r->seed, err, errsz);
	if (rc)
		return rc;
	for (size_t bi = 0; bi < r->seed.nr_blocks; bi++) {
		const struct lab_seed_block *bl = &r->seed.blocks[bi];
		for (uint64_t q = bl->pfn; q < bl->pfn + (1ull << bl->order); q++) {
			if (q - w->filler_base >= span || !w->filler[q - w->filler_base])
				continue;
			struct lab_page *pg = lab_pfn_to_page(mem, q);
			if (pg && !lab_try_free_pages(mem, pg, 0))
				w->filler[q - w->filler_base] = 0;
		}
	}
	for (size_t i = 0; i < span; i++) {
		if (r->seed.init[i] != LAB_SEED_PCP || !w->filler[i])
			continue;
		struct lab_page *pg = lab_pfn_to_page(mem, w->filler_base + i);
		if (pg && !lab_try_free_pages(mem, pg, 0))
			w->filler[i] = 0;
	}
	lab_drain_all_pages(mem);
	return 0;
}

/* The seeded instance next to the kernel's numbers of zoneinfo.before. */
static void whatif_record_start(struct lab_whatif_result *r, const struct geo *g, const struct lab_snapshot *b,
				const struct lab_mem_stats *st)
{
	for (int z = 0; z < LAB_MAX_NR_ZONES; z++) {
		const struct lab_snapshot_zone *kz = &b->zone[z];
		r->populated[z] = g->populated[z];
		r->seeded_free[z] = st->zone[z].free + st->zone[z].free_pcp;
		r->kernel_free_before[z] = kz->free;
		for (int k = 0; k < 3; k++)
			r->wmark[z][k] = st->zone[z].wmark[k];
		r->kernel_wmark[z][0] = kz->min - (kz->min >= kz->boost ? kz->boost : 0);
		r->kernel_wmark[z][1] = kz->low - (kz->low >= kz->boost ? kz->boost : 0);
		r->kernel_wmark[z][2] = kz->high - (kz->high >= kz->boost ? kz->boost : 0);
		for (int k = 0; k < LAB_MAX_NR_ZONES; k++) {
			r->protection[z][k] = st->zone[z].lowmem_reserve[k];
			r->kernel_protection[z][k] = kz->protection[k];
		}
	}
}

/* One mm_page_alloc of the demand (event @i): ours next to the kernel's
 * outcome, a success remembered under the kernel's pfn. */
static int whatif_alloc(struct wctx *w, const struct lab_ftrace_event *e, size_t i)
{
	struct lab_whatif_result *r = w->r;
	unsigned order = (unsigned)(e->order < 0 ? 0 : e->order);
	bool kfail = (e->flags & LAB_FTF_FAILED) != 0;
	struct lab_page *pg = order < LAB_MAX_ORDER ? lab_alloc_pages(r->mem, e->gfp, order) : NULL;
	struct lab_replay_failkey *k = failkey(r, order, e->gfp, lab_ftrace_context(e));
	r->allocs++;
	if (!k)
		r->keys_overflow++;
	if (k)
		k->requests++;
	if (kfail) {
		r->kernel_fail++;
		if (r->first_kernel_fail_event == SIZE_MAX)
			r->first_kernel_fail_event = i;
		if (k && !k->kernel_fail)
			k->first_kernel_fail_line = e->line;
		if (k)
			k->kernel_fail++;
	}
	if (!pg) {
		r->replay_fail++;
		if (r->first_replay_fail_event == SIZE_MAX)
			r->first_replay_fail_event = i;
		if (k && !k->replay_fail)
			k->first_replay_fail_line = e->line;
		if (k)
			k->replay_fail++;
	}
	if (k) {
		if (kfail && !pg)
			k->both_fail++;
		else if (kfail)
			k->only_kernel_fail++;
		else if (!pg)
			k->only_replay_fail++;
	}
	if (kfail) {
		if (pg) {
			r->phantom_allocs++;
			r->phantom_pages += 1ull << order;
		}
		return 0;
	}
	if (pmap_find(&w->map, e->pfn))
		r->realloc_without_free++;
	struct slot *sl = pmap_put(&w->map, e->pfn);
	if (!sl)
		return LAB_ENOMEM;
	sl->page = pg;
	sl->order = (uint8_t)order;
	sl->left = 1u << order;
	return 0;
}

/*
 * The kernel's kswapd went to sleep (mm_vmscan_kswapd_sleep): it sleeps
 * only with the node balanced at high + boost, and balance_pgdat ends by
 * taking back the boost it started with, so the zones' watermark boosts
 * are gone. Reclaim is not replayed (its frees are in the trace), but the
 * boost it clears decides the watermark checks that follow.
 */
static void whatif_kswapd_slept(struct wctx *w, struct lab_mem_stats *st)
{
	struct lab_whatif_result *r = w->r;
	lab_mem_get_stats(r->mem, st);
	for (unsigned z = 0; z < LAB_MAX_NR_ZONES; z++) {
		if (!st->populated[z] || !st->zone[z].boost)
			continue;
		st->zone[z].boost = 0;
		struct lab_zone_restore rs = { .parts = LAB_RESTORE_WATERMARKS, .want = &st->zone[z] };
		if (!lab_mem_restore_zone_parts(r->mem, z, &rs))
			r->kswapd_boost_clears++;
	}
}

/* The demand, in replay order, with the compare points and the timeline. */
static int whatif_demand(struct wctx *w, const struct lab_replay_opts *o, struct lab_mem_stats *st, unsigned nsamp)
{
	const struct lab_ftrace *t = w->t;
	struct lab_whatif_result *r = w->r;
	size_t step = t->nr / nsamp + 1;
	for (size_t p = 0; p <= t->nr; p++) {
		size_t i = p < t->nr ? r->seed.order[p] : t->nr;
		const struct lab_ftrace_event *e = i < t->nr ? &t->ev[i] : NULL;
		for (unsigned si = 0; si < o->nr_snaps; si++)
			if (o->snaps[si].at_event == i)
				lab_mem_get_stats(r->mem, &r->snap_stats[si]);
		if ((p % step == 0 || p == t->nr) && r->nr_timeline < nsamp + 2)
			whatif_sample(w, i, e ? e->ts_ns : (t->nr ? t->ev[t->nr - 1].ts_ns : 0),
				      &r->timeline[r->nr_timeline++], st);
		if (!e)
			break;
		w->cur = e;
		switch (e->type) {
		case LAB_FT_PAGE_ALLOC:
			if (whatif_alloc(w, e, i))
				return LAB_ENOMEM;
			break;
		case LAB_FT_PAGE_FREE:
			r->frees++;
			whatif_free(w, e, o);
			break;
		case LAB_FT_PAGE_FREE_BATCHED:
			r->frees_batched_ignored++;
			break;
		case LAB_FT_VMSCAN_WAKEUP_KSWAPD:
			r->kernel_kswapd_wakeups++;
			break;
		case LAB_FT_PAGE_ALLOC_EXTFRAG:
			r->kernel_extfrag++;
			break;
		case LAB_FT_VMSCAN_KSWAPD_SLEEP:
			whatif_kswapd_slept(w, st);
			break;
		default:
			break;
		}
	}
	return 0;
}

int lab_replay_whatif(const struct lab_ftrace *t, const struct lab_replay_opts *o,
		      struct lab_whatif_result *r, char *err, size_t errsz)
{
	struct geo g;
	int rc;
	unsigned nsamp = o->nr_samples ? o->nr_samples : 40;
	struct lab_mem_stats *st = NULL;

	memset(r, 0, sizeof(*r));
	r->first_replay_fail_event = r->first_kernel_fail_event = SIZE_MAX;
	if ((rc = replay_geo_from_snapshot(o->before, &g, err, errsz)))
		return rc;
	struct wctx *w = calloc(1, sizeof(*w));
	if (!w)
		return LAB_ENOMEM;
	r->priv = w;
	w->r = r;
	w->t = t;
	w->seeding = true;
	if ((rc = lab_replay_seed(t, o, &r->seed, err, errsz)) || (rc = whatif_build(w, &g, o, err, errsz)) ||
	    (rc = whatif_tunables(r, &g, o, err, errsz)) || (rc = whatif_seed_instance(w, &g, err, errsz)))
		goto fail;
	st = malloc(sizeof(*st));
	r->timeline = calloc(nsamp + 2, sizeof(*r->timeline));
	r->snap_stats = calloc(o->nr_snaps + 1, sizeof(*r->snap_stats));
	if (!st || !r->timeline || !r->snap_stats)
		goto nomem;
	r->nr_snaps = o->nr_snaps;
	lab_mem_get_stats(r->mem, st);
	uint64_t extfrag0 = st->events[LAB_EV_EXTFRAG];
	whatif_record_start(r, &g, o->before, st);
	w->seeding = false;
	if (whatif_demand(w, o, st, nsamp))
		goto nomem;
	lab_mem_get_stats(r->mem, &r->final);
	r->extfrag = r->final.events[LAB_EV_EXTFRAG] - extfrag0;
	free(st);
	return 0;
nomem:
	snprintf(err, errsz, "out of memory");
	rc = LAB_ENOMEM;
fail:
	free(st);
	lab_whatif_result_free(r);
	return rc;
}
