/* SPDX-License-Identifier: MIT */
/*
 * engines/wl_slab.c - "slab": long-lived kernel allocations (kmalloc caches,
 * inodes, dentries, skb heads): the unmovable walls of the labyrinth.
 *
 *   every `tick`:
 *     grow   while below `target` pages: grow_rate * tick pages of new slabs
 *     churn  churn * target * tick pages: free random slabs, allocate as many
 *   each slab is an order drawn from `orders` (kmalloc-8k slabs are order 3),
 *   GFP_KERNEL (unmovable), or GFP_KERNEL|__GFP_RECLAIMABLE for the
 *   `reclaimable` fraction (dentry and inode caches: shrinkable)
 *
 *   pool[]: {page, order, reclaimable}; a free picks a uniform random slab
 *   (swap-remove, O(1)), so old and young slabs die alike and the
 *   survivors stay scattered where they were allocated.
 *
 * Shrinking: the reclaimable part is given back on request: by the core's
 * shrinker call (LAB_HAVE_BACKGROUND) or the fallback reclaim.
 * Parameters: target, grow_rate, churn, orders, reclaimable, gfp, tick, comm.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "sim_int.h"
#if LAB_HAVE_BACKGROUND
#include <labyrinth/background.h>
#endif

struct sl_slab {
	struct lab_page *page;
	uint8_t order;
	uint8_t reclaimable;
};

struct slab {
	struct sim_source src;
	const struct wl_slab_params *p;
	struct sim_rng rng;
	uint64_t target;
	struct sl_slab *pool;
	uint64_t n, cap;
	uint64_t pages, reclaimable_pages;
	double grow_credit, churn_credit;
	uint64_t allocs, frees, alloc_fail, shrunk, pages_max;
	uint64_t by_order[LAB_MAX_ORDER];
#if LAB_HAVE_BACKGROUND
	struct lab_shrinker shrinker;
#endif
};

static void slab_remove_at(struct lab_sim *sim, struct sim_wl *wl, struct slab *s, uint64_t i)
{
	struct sl_slab x = s->pool[i];
	sim_free(sim, wl, x.page, x.order);
	s->pages -= 1ull << x.order;
	if (x.reclaimable)
		s->reclaimable_pages -= 1ull << x.order;
	s->pool[i] = s->pool[--s->n];
	s->frees++;
}

/* Allocates about @pages pages of slabs; returns pages obtained. */
static uint64_t slab_alloc(struct lab_sim *sim, struct sim_wl *wl, struct slab *s, uint64_t pages)
{
	uint64_t got = 0;
	while (got < pages) {
		unsigned order = order_dist_draw(&s->p->orders, &s->rng);
		int recl = s->p->reclaimable > 0 && rng_unit(&s->rng) < s->p->reclaimable;
		lab_gfp_t gfp = s->p->gfp | (recl ? LAB___GFP_RECLAIMABLE : 0);
		if (s->n == s->cap) {
			uint64_t ncap = s->cap ? s->cap * 2 : 4096;
			struct sl_slab *np = realloc(s->pool, ncap * sizeof(*np));
			if (!np)
				return got;
			s->pool = np;
			s->cap = ncap;
		}
		struct lab_page *page = sim_alloc(sim, wl, gfp, order);
		s->allocs++;
		if (!page) {
			s->alloc_fail++;
			return got;
		}
		s->pool[s->n++] = (struct sl_slab){ page, (uint8_t)order, (uint8_t)recl };
		s->by_order[order]++;
		s->pages += 1ull << order;
		if (recl)
			s->reclaimable_pages += 1ull << order;
		if (s->pages > s->pages_max)
			s->pages_max = s->pages;
		got += 1ull << order;
	}
	return got;
}

/*
 * One tick: free churn x target x tick pages of random slabs, then
 * allocate toward the target: the churned pages are replaced at once, new
 * growth is limited to grow_rate. Allocating "until at least N pages"
 * overshoots by less than one slab, and the deficit is measured against
 * the target each tick, so the size does not drift.
 */
static void slab_fire(struct lab_sim *sim, struct sim_source *src)
{
	struct sim_wl *wl = src->arg;
	struct slab *s = wl->state;
	double dt = (double)s->p->tick_ns / 1e9;
	uint64_t freed = 0;

	s->churn_credit += s->p->churn * (double)s->target * dt;
	uint64_t churn = (uint64_t)s->churn_credit;
	if (churn) {
		s->churn_credit -= (double)churn;
		while (freed < churn && s->n) {
			uint64_t i = rng_below(&s->rng, s->n);
			freed += 1ull << s->pool[i].order;
			slab_remove_at(sim, wl, s, i);
		}
	}
	if (s->pages < s->target) {
		s->grow_credit += s->p->grow_rate * dt;
		uint64_t deficit = s->target - s->pages, allowed = freed + (uint64_t)s->grow_credit;
		uint64_t want = deficit < allowed ? deficit : allowed;
		if (want > freed)
			s->grow_credit -= (double)(want - freed);
		if (want)
			slab_alloc(sim, wl, s, want);
	} else {
		s->grow_credit = 0;
	}
	src->next_ns = wl->active ? sim->now + s->p->tick_ns : SIM_NEVER;
}

/* Frees up to @nr pages of reclaimable slabs (random ones). */
static uint64_t slab_shrink(struct lab_sim *sim, struct sim_wl *wl, uint64_t nr)
{
	struct slab *s = wl->state;
	uint64_t freed = 0, tries = 0;
	while (freed < nr && s->reclaimable_pages && s->n && tries < 4 * nr + 64) {
		uint64_t i = rng_below(&s->rng, s->n);
		tries++;
		if (!s->pool[i].reclaimable)
			continue;
		freed += 1ull << s->pool[i].order;
		slab_remove_at(sim, wl, s, i);
	}
	s->shrunk += freed;
	return freed;
}

#if LAB_HAVE_BACKGROUND
static unsigned long sl_count(void *ctx)
{
	struct sim_wl *wl = ctx;
	return (unsigned long)((struct slab *)wl->state)->reclaimable_pages;
}

static unsigned long sl_scan(void *ctx, unsigned long nr)
{
	struct sim_wl *wl = ctx;
	uint64_t got = slab_shrink(wl->sim, wl, nr);
	wl->sim->reclaimed_pages += got;
	return (unsigned long)got;
}
#endif

static int slab_init(struct lab_sim *sim, struct sim_wl *wl)
{
	struct slab *s = calloc(1, sizeof(*s));
	if (!s)
		return -1;
	wl->state = s;
	s->p = &wl->cfg->p.slab;
	s->target = scenario_pages(&sim->sc, s->p->target);
	rng_seed(&s->rng, sim->seed, (uint64_t)wl->index << 16);
	unsigned cpu = (unsigned)__builtin_ctzll(sim_cpu_mask(sim, wl->cfg));
	sim_source_init(sim, &s->src, slab_fire, wl, cpu, LAB_CTX_PROCESS, s->p->comm);
#if LAB_HAVE_BACKGROUND
	s->shrinker = (struct lab_shrinker){ sl_count, sl_scan, wl, 2 };
	lab_register_shrinker(sim->mem, &s->shrinker);
#endif
	return 0;
}

static void slab_phase(struct lab_sim *sim, struct sim_wl *wl, int active)
{
	struct slab *s = wl->state;
	sim_schedule(sim, &s->src, active ? sim->now : SIM_NEVER);
}

static uint64_t slab_reclaim(struct lab_sim *sim, struct sim_wl *wl, uint64_t nr)
{
	return slab_shrink(sim, wl, nr);
}

static void slab_result(struct lab_sim *sim, struct sim_wl *wl, struct wl_result *out)
{
	const struct slab *s = wl->state;
	struct wl_slab_result *r = &out->u.slab;
	(void)sim;
	out->type = WL_SLAB;
	r->slabs = s->n;
	r->pages = s->pages;
	r->pages_max = s->pages_max;
	r->target = s->target;
	r->reclaimable_pages = s->reclaimable_pages;
	r->allocs = s->allocs;
	r->alloc_fail = s->alloc_fail;
	r->frees = s->frees;
	r->shrunk = s->shrunk;
	memcpy(r->by_order, s->by_order, sizeof(r->by_order));
}

static void slab_fini(struct lab_sim *sim, struct sim_wl *wl)
{
	struct slab *s = wl->state;
	(void)sim;
	if (!s)
		return;
#if LAB_HAVE_BACKGROUND
	if (sim->mem)
		lab_unregister_shrinker(sim->mem, &s->shrinker);
#endif
	free(s->pool);
	free(s);
	wl->state = NULL;
}

const struct sim_wl_ops wl_slab_ops = {
	.init = slab_init,
	.phase = slab_phase,
	.reclaim = slab_reclaim,
	.result = slab_result,
	.fini = slab_fini,
};
