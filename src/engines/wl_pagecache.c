/* SPDX-License-Identifier: MIT */
/*
 * engines/wl_pagecache.c - "page-cache": processes reading and writing files;
 * every page of file data they touch is cached in memory until reclaim
 * evicts it.
 *
 *   access index i of the working set (hot subset with hot_fraction,
 *   else uniform)
 *     cached?  hit: move to the LRU tail (mark accessed); a write dirties
 *              it for dirty_expire (the flusher's writeback), during which
 *              it cannot be reclaimed; reclaim meeting a dirty page starts
 *              its writeback, which ends 2 ms later (pageout)
 *     else     miss: allocate i and up to readahead-1 following uncached
 *              pages (GFP_HIGHUSER_MOVABLE; the readahead ones with
 *              __GFP_NORETRY|__GFP_NOWARN as Linux's readahead_gfp_mask);
 *              a fraction are reclaimable slab (inodes, dentries)
 *
 *   idx_slot[W] -> slot {page, idx, dirty_until, lru prev/next}
 *   LRU: head = oldest ... tail = newest (one list; hits move to the tail)
 *
 * Eviction: the core's kswapd / direct reclaim through the owner's
 * reclaim op (LAB_HAVE_BACKGROUND), else the simulator's fallback reclaim
 * (wl_pagecache_reclaim: clean pages from the LRU head, dirty ones rotated).
 *
 * Parameters: rate (accesses/s per CPU), batch (accesses per event),
 * working_set, hot_pages, hot_fraction, readahead, write_fraction,
 * dirty_expire, reclaimable_fraction, gfp, comm. One process source per
 * CPU of `cpus`; all share one cache.
 */
#include <stdlib.h>
#include <string.h>
#include "sim_int.h"
#if LAB_HAVE_BACKGROUND
#include <labyrinth/background.h>
#endif

struct pc_slot {
	struct lab_page *page;
	uint64_t dirty_until;
	uint32_t idx;                   /* index in the working set */
	uint32_t prev, next;            /* LRU links, or free list (next) */
	uint8_t reclaimable;
};

struct pc_reader {
	struct sim_source src;
	struct sim_rng rng;
	struct sim_wl *wl;
};

struct pagecache {
	const struct wl_pagecache_params *p;
	uint64_t ws, hot;
	uint32_t *idx_slot;
	struct pc_slot *slot;
	uint32_t nr_slots, free_head;
	uint32_t lru_head, lru_tail;
	uint64_t cached;
	unsigned nr_readers;
	struct pc_reader *rd;
	uint64_t accesses, hits, misses, alloc_fail, evicted, rotated, writes;
	uint64_t cached_max;
	uint64_t interval_ns;           /* mean time between events per reader */
};

static void lru_unlink(struct pagecache *pc, uint32_t s)
{
	struct pc_slot *x = &pc->slot[s];
	if (x->prev != SIM_NIL)
		pc->slot[x->prev].next = x->next;
	else
		pc->lru_head = x->next;
	if (x->next != SIM_NIL)
		pc->slot[x->next].prev = x->prev;
	else
		pc->lru_tail = x->prev;
	x->prev = x->next = SIM_NIL;
}

static void lru_add_tail(struct pagecache *pc, uint32_t s)
{
	struct pc_slot *x = &pc->slot[s];
	x->next = SIM_NIL;
	x->prev = pc->lru_tail;
	if (pc->lru_tail != SIM_NIL)
		pc->slot[pc->lru_tail].next = s;
	else
		pc->lru_head = s;
	pc->lru_tail = s;
}

static uint32_t slot_get(struct pagecache *pc)
{
	if (pc->free_head == SIM_NIL) {
		uint32_t n = pc->nr_slots ? pc->nr_slots * 2 : 4096;
		struct pc_slot *ns = realloc(pc->slot, (size_t)n * sizeof(*ns));
		if (!ns)
			return SIM_NIL;
		pc->slot = ns;
		for (uint32_t i = n; i-- > pc->nr_slots;) {
			ns[i].next = pc->free_head;
			pc->free_head = i;
		}
		pc->nr_slots = n;
	}
	uint32_t s = pc->free_head;
	pc->free_head = pc->slot[s].next;
	return s;
}

static void slot_put(struct pagecache *pc, uint32_t s)
{
	pc->idx_slot[pc->slot[s].idx] = SIM_NIL;
	pc->slot[s].page = NULL;
	pc->slot[s].next = pc->free_head;
	pc->free_head = s;
	pc->cached--;
}

static void insert_page(struct lab_sim *sim, struct sim_wl *wl, struct pagecache *pc, uint64_t idx, int write,
			struct sim_rng *rng, lab_gfp_t extra)
{
	const struct wl_pagecache_params *p = pc->p;
	int recl = p->reclaimable_fraction > 0 && rng_unit(rng) < p->reclaimable_fraction;
	lab_gfp_t gfp = recl ? (LAB_GFP_KERNEL | LAB___GFP_RECLAIMABLE) : p->gfp;
	uint32_t s = slot_get(pc);
	if (s == SIM_NIL)
		return;
	struct lab_page *page = sim_alloc(sim, wl, gfp | extra, 0);
	if (!page) {
		pc->alloc_fail++;
		pc->slot[s].next = pc->free_head;
		pc->free_head = s;
		return;
	}
	struct pc_slot *x = &pc->slot[s];
	x->page = page;
	x->idx = (uint32_t)idx;
	x->dirty_until = write ? sim->now + p->dirty_expire_ns : 0;
	x->reclaimable = (uint8_t)recl;
	pc->idx_slot[idx] = s;
	lru_add_tail(pc, s);
	if (++pc->cached > pc->cached_max)
		pc->cached_max = pc->cached;
#if LAB_HAVE_BACKGROUND
	if (wl->owner > 0) {
		sim_tag_set(sim, page, s);
		lab_page_set_owner(sim->mem, page, wl->owner, LAB_LRU_FILE);
		sim->lru_calls++;
	}
#endif
}

static void access_one(struct lab_sim *sim, struct sim_wl *wl, struct pagecache *pc, struct sim_rng *rng)
{
	const struct wl_pagecache_params *p = pc->p;
	uint64_t idx = (pc->hot && rng_unit(rng) < p->hot_fraction) ? rng_below(rng, pc->hot) :
		       rng_below(rng, pc->ws);
	int write = p->write_fraction > 0 && rng_unit(rng) < p->write_fraction;
	uint32_t s = pc->idx_slot[idx];

	pc->accesses++;
	pc->writes += (uint64_t)write;
	if (s != SIM_NIL) {
		pc->hits++;
		lru_unlink(pc, s);
		lru_add_tail(pc, s);
		if (write)
			pc->slot[s].dirty_until = sim->now + p->dirty_expire_ns;
#if LAB_HAVE_BACKGROUND
		if (wl->owner > 0)
		{
			lab_page_mark_accessed(sim->mem, pc->slot[s].page);
			sim->lru_calls++;
		}
#endif
		return;
	}
	pc->misses++;
	insert_page(sim, wl, pc, idx, write, rng, 0);
	for (unsigned k = 1; k < p->readahead && idx + k < pc->ws; k++)
		if (pc->idx_slot[idx + k] == SIM_NIL)
			insert_page(sim, wl, pc, idx + k, 0, rng,
				    (p->gfp & LAB___GFP_DIRECT_RECLAIM) ? LAB___GFP_NORETRY | LAB___GFP_NOWARN : 0);
}

static void reader_fire(struct lab_sim *sim, struct sim_source *src)
{
	struct pc_reader *r = src->arg;
	struct pagecache *pc = r->wl->state;
	for (unsigned i = 0; i < pc->p->batch; i++)
		access_one(sim, r->wl, pc, &r->rng);
	src->next_ns = r->wl->active ? sim->now + rng_exp(&r->rng, (double)pc->interval_ns) : SIM_NEVER;
}

/*
 * Reclaim met a dirty page: it starts writeback (pageout), and the page is
 * clean, so reclaimable, WRITEBACK_NS later unless written again.
 */
#define WRITEBACK_NS (2 * NSEC_PER_MSEC)

static void start_writeback(struct lab_sim *sim, struct pagecache *pc, uint32_t s)
{
	pc->rotated++;
	if (pc->slot[s].dirty_until > sim->now + WRITEBACK_NS)
		pc->slot[s].dirty_until = sim->now + WRITEBACK_NS;
}

/* Fallback reclaim: clean pages from the LRU head; dirty ones rotate. */
static uint64_t pagecache_reclaim(struct lab_sim *sim, struct sim_wl *wl, uint64_t nr)
{
	struct pagecache *pc = wl->state;
	uint64_t freed = 0, scanned = 0, limit = nr * 4 + 32;
	while (freed < nr && scanned < limit && pc->lru_head != SIM_NIL) {
		uint32_t s = pc->lru_head;
		struct pc_slot *x = &pc->slot[s];
		scanned++;
		lru_unlink(pc, s);
		if (x->dirty_until > sim->now) {
			start_writeback(sim, pc, s);
			lru_add_tail(pc, s);
			continue;
		}
		sim_free(sim, wl, x->page, 0);
		slot_put(pc, s);
		pc->evicted++;
		freed++;
	}
	return freed;
}

#if LAB_HAVE_BACKGROUND
static int pc_isolate(void *ctx, struct lab_page *page)
{
	(void)ctx;
	(void)page;
	return 0;
}

static int pc_migrate(void *ctx, struct lab_page *page, struct lab_page *newpage)
{
	struct sim_wl *wl = ctx;
	struct lab_sim *sim = wl->sim;
	struct pagecache *pc = wl->state;
	uint32_t s = sim_tag_get(sim, page);
	if (s == SIM_NIL || s >= pc->nr_slots || pc->slot[s].page != page)
		return -1;
	pc->slot[s].page = newpage;
	sim_tag_set(sim, newpage, s);
	sim->owner_callbacks++;
	return 0;
}

static void pc_putback(void *ctx, struct lab_page *page)
{
	(void)ctx;
	(void)page;
}

static int pc_reclaim_page(void *ctx, struct lab_page *page)
{
	struct sim_wl *wl = ctx;
	struct lab_sim *sim = wl->sim;
	struct pagecache *pc = wl->state;
	uint32_t s = sim_tag_get(sim, page);
	if (s == SIM_NIL || s >= pc->nr_slots || pc->slot[s].page != page)
		return -1;
	if (pc->slot[s].dirty_until > sim->now) {
		start_writeback(sim, pc, s);
		return -1;
	}
	lru_unlink(pc, s);
	slot_put(pc, s);
	pc->evicted++;
	sim->reclaimed_pages++;
	sim->owner_callbacks++;
	sim_forget(sim, wl, 0);
	return 0;
}

static const struct lab_page_owner_ops pc_owner_ops = {
	.isolate = pc_isolate,
	.migrate = pc_migrate,
	.putback = pc_putback,
	.reclaim = pc_reclaim_page,
};
#endif

static int pagecache_init(struct lab_sim *sim, struct sim_wl *wl)
{
	struct pagecache *pc = calloc(1, sizeof(*pc));
	uint64_t mask = sim_cpu_mask(sim, wl->cfg);
	if (!pc)
		return -1;
	wl->state = pc;
	pc->p = &wl->cfg->p.pagecache;
	pc->ws = scenario_pages(&sim->sc, pc->p->working_set);
	pc->hot = scenario_pages(&sim->sc, pc->p->hot_pages);
	pc->free_head = pc->lru_head = pc->lru_tail = SIM_NIL;
	pc->idx_slot = malloc(pc->ws * sizeof(*pc->idx_slot));
	if (!pc->idx_slot)
		return -1;
	memset(pc->idx_slot, 0xff, pc->ws * sizeof(*pc->idx_slot));
	pc->nr_readers = (unsigned)__builtin_popcountll(mask);
	pc->rd = calloc(pc->nr_readers, sizeof(*pc->rd));
	if (!pc->rd)
		return -1;
	/* each reader does batch accesses per event at rate accesses/s */
	pc->interval_ns = pc->p->rate > 0 ? (uint64_t)(1e9 * pc->p->batch / pc->p->rate) : SIM_NEVER;
	if (!pc->interval_ns)
		pc->interval_ns = 1;
	unsigned i = 0;
	for (unsigned cpu = 0; cpu < sim->nr_cpus; cpu++) {
		if (!(mask >> cpu & 1))
			continue;
		struct pc_reader *r = &pc->rd[i++];
		r->wl = wl;
		rng_seed(&r->rng, sim->seed, ((uint64_t)wl->index << 16) | cpu);
		sim_source_init(sim, &r->src, reader_fire, r, cpu, LAB_CTX_PROCESS, pc->p->comm);
	}
#if LAB_HAVE_BACKGROUND
	wl->sim = sim;
	wl->owner = lab_owner_register(sim->mem, &pc_owner_ops, wl);
	if (wl->owner < 0)
		wl->owner = 0;
#endif
	return 0;
}

static void pagecache_phase(struct lab_sim *sim, struct sim_wl *wl, int active)
{
	struct pagecache *pc = wl->state;
	for (unsigned i = 0; i < pc->nr_readers; i++) {
		struct pc_reader *r = &pc->rd[i];
		if (active && pc->interval_ns != SIM_NEVER)
			sim_schedule(sim, &r->src, sim->now + rng_exp(&r->rng, (double)pc->interval_ns));
		else if (!active)
			sim_schedule(sim, &r->src, SIM_NEVER);
	}
}

static void pagecache_result(struct lab_sim *sim, struct sim_wl *wl, struct wl_result *out)
{
	const struct pagecache *pc = wl->state;
	struct wl_pagecache_result *r = &out->u.pagecache;
	(void)sim;
	out->type = WL_PAGECACHE;
	r->accesses = pc->accesses;
	r->hits = pc->hits;
	r->misses = pc->misses;
	r->writes = pc->writes;
	r->cached = pc->cached;
	r->cached_max = pc->cached_max;
	r->working_set = pc->ws;
	r->evicted = pc->evicted;
	r->dirty_skipped = pc->rotated;
	r->alloc_fail = pc->alloc_fail;
	r->readers = pc->nr_readers;
}

static void pagecache_fini(struct lab_sim *sim, struct sim_wl *wl)
{
	struct pagecache *pc = wl->state;
	(void)sim;
	if (!pc)
		return;
	free(pc->idx_slot);
	free(pc->slot);
	free(pc->rd);
	free(pc);
	wl->state = NULL;
}

const struct sim_wl_ops wl_pagecache_ops = {
	.init = pagecache_init,
	.phase = pagecache_phase,
	.reclaim = pagecache_reclaim,
	.result = pagecache_result,
	.fini = pagecache_fini,
};
