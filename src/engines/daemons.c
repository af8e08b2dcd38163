/* SPDX-License-Identifier: MIT */
/*
 * engines/daemons.c - kswapd and kcompactd on the virtual clock.
 *
 *   wake_kswapd (platform hook, from the allocator's slow path)
 *        |  idle? schedule a step after sim.kswapd_wake_latency
 *        v
 *   step: lab_kswapd_balance_once(mem, sim.kswapd_batch)      [core]
 *         or, without the core's reclaim, sim_reclaim() towards the
 *         high watermark of every zone below it                 [fallback]
 *        |  cost = pages reclaimed * sim.kswapd_ns_per_page + pages
 *        |         scanned * 50 ns + 2 us a step
 *        v  MORE: next step after the cost; NAP: a short nap, then idle
 *           unless still wanted; IDLE/STUCK: wait for the next wake
 *
 * kcompactd is the same with lab_kcompactd_once; without the core's
 * compaction it only counts wakes. Busy time is the daemons' CPU time:
 * kswapd's CPU share = busy_ns / virtual time.
 *
 * The fallback reclaim (sim_reclaim) asks the workloads that own
 * reclaimable memory (page cache: clean LRU-oldest pages; slab: the
 * reclaimable caches) for pages, page cache first. It is a model of
 * shrink_node for the time the core has none, and says so in reports.
 */
#include <string.h>
#include "sim_int.h"
#if LAB_HAVE_BACKGROUND
#include <labyrinth/background.h>
#endif

#define STEP_OVERHEAD_NS 2000ull
#define SCAN_NS_PER_PAGE 50ull   /* looking at an LRU page that is not taken */

uint64_t sim_reclaim(struct lab_sim *sim, uint64_t nr)
{
	uint64_t got = 0;
	/* page cache first (LRU), then shrinkable slab */
	for (int pass = 0; pass < 2 && got < nr; pass++)
		for (unsigned i = 0; i < sim->nr_wl && got < nr; i++) {
			struct sim_wl *wl = &sim->wl[i];
			if (!wl->ops->reclaim || (wl->cfg->type == WL_PAGECACHE) != (pass == 0))
				continue;
			got += wl->ops->reclaim(sim, wl, nr - got);
		}
	sim->reclaimed_pages += got;
	return got;
}

#if !LAB_HAVE_BACKGROUND
/*
 * pgdat_balanced: the node is balanced when any zone the wake was for
 * (<= its highest_zoneidx) has free pages at its high watermark (+ boost).
 * Returns the pages still missing in the zone closest to it, 0 if balanced.
 */
static uint64_t kswapd_shortfall(struct lab_sim *sim)
{
	struct lab_mem_stats *st = sim->stats_tmp;
	uint64_t need = UINT64_MAX;
	int top = sim->kswapd.zoneidx;
	lab_mem_get_stats(sim->mem, st);
	if (top < 0 || top >= LAB_MAX_NR_ZONES)
		top = LAB_MAX_NR_ZONES - 1;
	for (int z = 0; z <= top; z++) {
		const struct lab_zone_stats *zs = &st->zone[z];
		uint64_t mark = zs->wmark[LAB_WMARK_HIGH] + zs->boost;
		if (!st->populated[z])
			continue;
		if (zs->free >= mark)
			return 0;
		if (mark - zs->free < need)
			need = mark - zs->free;
	}
	return need == UINT64_MAX ? 0 : need;
}
#endif

static void kswapd_fire(struct lab_sim *sim, struct sim_source *src)
{
	struct sim_daemon *d = &sim->kswapd;
	uint64_t cost;
	int result;

	if (d->state == D_NAP) {
		/* the nap ended: sleep for good unless woken meanwhile */
#if LAB_HAVE_BACKGROUND
		if (!lab_kswapd_wanted(sim->mem)) {
#else
		if (!kswapd_shortfall(sim)) {
#endif
			d->state = D_IDLE;
			src->next_ns = SIM_NEVER;
			return;
		}
#if LAB_HAVE_BACKGROUND
		lab_kswapd_nap_cut_short(sim->mem, 0);   /* the nap ran out unbalanced */
#endif
		d->state = D_RUN;
	}
	d->steps++;
	uint64_t scanned = 0;
#if LAB_HAVE_BACKGROUND
	uint64_t before = sim->reclaimed_pages;
	enum lab_bg_result r = lab_kswapd_balance_once(sim->mem, sim->sc.sim.kswapd_batch);
	uint64_t pages = sim->reclaimed_pages - before;
	/* only kswapd counts pgscan_kswapd: the delta since its last step (one
	 * counter, not the whole lab_mem_get_stats: this runs every step) */
	uint64_t pgscan = lab_mem_event(sim->mem, LAB_PGSCAN_KSWAPD);
	scanned = pgscan - sim->kswapd_scanned;
	sim->kswapd_scanned = pgscan;
	result = (int)r;
#else
	uint64_t need = kswapd_shortfall(sim), pages = 0;
	if (!need) {
		result = 2;   /* balanced: nap */
	} else {
		uint64_t want = need < sim->sc.sim.kswapd_batch ? need : sim->sc.sim.kswapd_batch;
		pages = sim_reclaim(sim, want);
		result = pages ? 1 : 3;
	}
#endif
	d->pages += pages;
	cost = STEP_OVERHEAD_NS + pages * sim->sc.sim.kswapd_ns_per_page + scanned * SCAN_NS_PER_PAGE;
	d->busy_ns += cost;
	switch (result) {
	case 1: /* MORE */
		src->next_ns = sim->now + cost;
		break;
	case 2: /* NAP */
		d->state = D_NAP;
		src->next_ns = sim->now + cost + sim->sc.sim.kswapd_nap_ns;
		break;
	case 3: /* STUCK */
		d->stuck++;
		d->state = D_IDLE;
		src->next_ns = SIM_NEVER;
		break;
	default:
		d->state = D_IDLE;
		src->next_ns = SIM_NEVER;
		break;
	}
	if (d->state == D_IDLE) {
		d->order = 0;
		d->zoneidx = 0;
	}
}

static void kcompactd_fire(struct lab_sim *sim, struct sim_source *src)
{
	struct sim_daemon *d = &sim->kcompactd;
#if LAB_HAVE_BACKGROUND
	uint64_t before_ok, cost;
	before_ok = lab_mem_event(sim->mem, LAB_PGMIGRATE_SUCCESS);
	enum lab_bg_result r = lab_kcompactd_once(sim->mem, sim->sc.sim.kcompactd_batch);
	uint64_t pages = lab_mem_event(sim->mem, LAB_PGMIGRATE_SUCCESS) - before_ok;
	d->steps++;
	d->pages += pages;
	cost = STEP_OVERHEAD_NS + pages * sim->sc.sim.kcompactd_ns_per_page;
	d->busy_ns += cost;
	if (r == LAB_BG_MORE) {
		src->next_ns = sim->now + cost;
		return;
	}
	if (r == LAB_BG_STUCK)
		d->stuck++;
#endif
	d->state = D_IDLE;
	src->next_ns = SIM_NEVER;
}

static void wake(struct lab_sim *sim, struct sim_daemon *d, unsigned order, int zoneidx)
{
	if (order > d->order)
		d->order = order;
	if (zoneidx > d->zoneidx)
		d->zoneidx = zoneidx;
	if (d->state == D_RUN)
		return;
#if LAB_HAVE_BACKGROUND
	if (d == &sim->kswapd && d->state == D_NAP)
		lab_kswapd_nap_cut_short(sim->mem, 1);   /* woken before the nap was over */
#endif
	d->wakes++;
	d->state = D_RUN;
	sim_schedule(sim, &d->src, sim->now + sim->sc.sim.kswapd_wake_ns);
}

void sim_wake_kswapd(void *ctx, unsigned order, int highest_zoneidx)
{
	struct lab_sim *sim = ctx;
	wake(sim, &sim->kswapd, order, highest_zoneidx);
}

void sim_wake_kcompactd(void *ctx, unsigned order, int highest_zoneidx)
{
	struct lab_sim *sim = ctx;
	wake(sim, &sim->kcompactd, order, highest_zoneidx);
}

void sim_daemons_init(struct lab_sim *sim)
{
	int cpu = sim->sc.sim.kswapd_cpu;
	unsigned c = cpu < 0 ? sim->nr_cpus - 1 : (unsigned)cpu;
	memset(&sim->kswapd, 0, sizeof(sim->kswapd));
	memset(&sim->kcompactd, 0, sizeof(sim->kcompactd));
	sim_source_init(sim, &sim->kswapd.src, kswapd_fire, NULL, c, LAB_CTX_PROCESS, "kswapd0");
	sim_source_init(sim, &sim->kcompactd.src, kcompactd_fire, NULL, c, LAB_CTX_PROCESS, "kcompactd0");
}
