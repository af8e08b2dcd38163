/* SPDX-License-Identifier: MIT */
/*
 * core/compaction.c - memory compaction (mm/compaction.c, Linux 6.1): two
 * scanners, migration through page owners, suitability, deferral, direct
 * compaction, kcompactd and proactive compaction.
 *
 *   zone start                                                    zone end
 *   |migrate scanner ->  [M . M M . U . M]     ...     [. . M . . .] <- free scanner|
 *        isolates movable owned pages            isolates free pages (split to
 *        (order 0) from low pageblocks           order 0) from high Movable blocks
 *                        \________ migrate: copy + owner->migrate ______/
 *   the low pageblocks empty out and their free pages merge into big blocks;
 *   the run ends when the scanners meet (COMPLETE) or a free block of the
 *   requested order exists (SUCCESS).
 *
 * Like 6.1, only order-0 pages are migrated by compaction (compound pages
 * are skipped unless the request is larger than them); a pageblock where
 * nothing could be isolated gets its skip hint, ignored at SYNC_FULL
 * priority and reset when kswapd goes to sleep.
 *
 * Runs without the zone lock except around list operations; owners'
 * callbacks run unlocked. Cost is bounded by the zone size per run and by
 * a page budget per kcompactd step.
 */
#include "internal.h"

/* vm.compaction_proactiveness: a sysctl, set from any thread while
 * kcompactd runs (Linux reads it with READ_ONCE too). */
static int proactiveness(const struct lab_mem *mem)
{
	return __atomic_load_n(&mem->tun.compaction_proactiveness, __ATOMIC_RELAXED);
}
#include <labyrinth/fragindex.h>

static int fragmentation_score_zone(struct lab_mem *mem, struct lab_zone *z);

struct compact_control {
	struct lab_zone *z;
	int order;                  /* -1: manual (compact_memory) */
	int migratetype;
	bool sync;
	bool whole_zone;
	bool ignore_skip;
	bool ignore_block_suitable;
	bool proactive;
	unsigned alloc_flags;
	int highest_zoneidx;
	uint64_t migrate_pfn, free_pfn;
	uint32_t freelist;          /* isolated free pages (order 0, allocated to us) */
	unsigned nr_free;
	unsigned long budget;       /* pages to migrate before yielding (0 = no limit) */
	unsigned long migrated;
};

unsigned lab__compact_gap(unsigned order)
{
	return 2u << order;
}

/* compaction_suitable / __compaction_suitable (facts §10.2). */
enum compact_result lab__compaction_suitable(struct lab_mem *mem, struct lab_zone *z, int order,
					unsigned alloc_flags, int highest_zoneidx)
{
	if (order < 0)
		return COMPACT_CONTINUE;
	uint64_t mark = zone_wmark(z, (int)(alloc_flags & ALLOC_WMARK_MASK));
	if (lab__zone_watermark_ok_free(z, (unsigned)order, mark, highest_zoneidx, alloc_flags, (int64_t)zone_free(z)))
		return COMPACT_SUCCESS;
	uint64_t wm = (order > LAB_PAGE_ALLOC_COSTLY_ORDER ? zone_wmark(z, LAB_WMARK_LOW) : zone_wmark(z, LAB_WMARK_MIN)) +
		      lab__compact_gap((unsigned)order);
	if (!lab__zone_watermark_ok_free(z, 0, wm, highest_zoneidx, ALLOC_CMA, (int64_t)zone_free(z)))
		return COMPACT_SKIPPED;
	if (order > LAB_PAGE_ALLOC_COSTLY_ORDER) {
		uint64_t nr_free[LAB_MAX_ORDER];
		for (int o = 0; o < LAB_MAX_ORDER; o++)
			nr_free[o] = zone_nr_free(z, (unsigned)o);
		int fragindex = lab_fragmentation_index(nr_free, (unsigned)order);
		if (fragindex >= 0 && fragindex <= mem->tun.extfrag_threshold)
			return COMPACT_SKIPPED;   /* NOT_SUITABLE_ZONE, reported as SKIPPED */
	}
	return COMPACT_CONTINUE;
}

/* compaction_deferred / defer_compaction / compaction_defer_reset (§10.5). */
bool lab__compaction_deferred(struct lab_zone *z, int order)
{
	unsigned limit = 1u << z->compact_defer_shift;
	if (order < z->compact_order_failed)
		return false;
	if (++z->compact_considered >= limit) {
		z->compact_considered = limit;
		return false;
	}
	return true;
}

void lab__defer_compaction(struct lab_zone *z, int order)
{
	z->compact_considered = 0;
	z->compact_defer_shift++;
	if (order < z->compact_order_failed)
		z->compact_order_failed = order;
	if (z->compact_defer_shift > LAB_COMPACT_MAX_DEFER_SHIFT)
		z->compact_defer_shift = LAB_COMPACT_MAX_DEFER_SHIFT;
}

void lab__compaction_defer_reset(struct lab_zone *z, int order, bool alloc_success)
{
	if (alloc_success) {
		z->compact_considered = 0;
		z->compact_defer_shift = 0;
	}
	if (order >= z->compact_order_failed)
		z->compact_order_failed = order + 1;
}

static uint64_t pb_start(const struct lab_mem *mem, uint64_t pfn)
{
	return pfn & ~((uint64_t)pageblock_nr_pages(mem) - 1);
}

/* __compact_finished: the scanners met, or the requested block exists. */
static enum compact_result compact_finished(struct lab_mem *mem, struct compact_control *cc)
{
	struct lab_zone *z = cc->z;
	if (pb_start(mem, cc->free_pfn) <= pb_start(mem, cc->migrate_pfn)) {
		z->compact_cached_migrate_pfn = z->start_pfn;
		z->compact_cached_free_pfn = pb_start(mem, z->end_pfn - 1);
		return cc->whole_zone ? COMPACT_COMPLETE : COMPACT_PARTIAL_SKIPPED;
	}
	if (cc->proactive) {
		int wlow = 100 - proactiveness(mem);
		if (wlow < 5)
			wlow = 5;
		return fragmentation_score_zone(mem, z) > wlow ? COMPACT_CONTINUE : COMPACT_SUCCESS;
	}
	if (cc->order < 0)
		return COMPACT_CONTINUE;
	for (int o = cc->order; o < LAB_MAX_ORDER; o++) {
		bool can_steal;
		if (zone_nonempty(z, cc->migratetype) & (1u << o))
			return COMPACT_SUCCESS;
		if (cc->migratetype == LAB_MIGRATE_MOVABLE && (zone_nonempty(z, LAB_MIGRATE_CMA) & (1u << o)))
			return COMPACT_SUCCESS;
		if (lab__find_suitable_fallback(mem, z, (unsigned)o, cc->migratetype, true, &can_steal) != -1)
			return COMPACT_SUCCESS;
	}
	return COMPACT_CONTINUE;
}

/* suitable_migration_target: free scanner takes Movable/CMA pageblocks
 * that are not already one free pageblock-sized block. */
static bool suitable_target(struct lab_mem *mem, struct compact_control *cc, uint64_t pb)
{
	struct lab_page *p = pfn_page(mem, pb);
	if ((p->flags & LAB_PG_BUDDY) && p->order >= mem->pageblock_order)
		return false;
	if (cc->ignore_block_suitable)
		return true;
	int mt = get_pageblock_migratetype(mem, pb);
	return mt == LAB_MIGRATE_MOVABLE || mt == LAB_MIGRATE_CMA;
}

/* isolate_freepages: walk pageblocks down from free_pfn, isolating free
 * blocks (split to order 0) until at least @want pages are on the list. */
static void isolate_freepages(struct lab_mem *mem, struct compact_control *cc, unsigned want)
{
	struct lab_zone *z = cc->z;
	uint64_t nr = pageblock_nr_pages(mem);
	unsigned long flags;
	unsigned long scanned = 0, isolated = 0;

	while (cc->nr_free < want && pb_start(mem, cc->free_pfn) > pb_start(mem, cc->migrate_pfn)) {
		uint64_t pb = pb_start(mem, cc->free_pfn), end = pb + nr;
		if (pb < z->start_pfn)
			pb = z->start_pfn;
		if (end > z->end_pfn)
			end = z->end_pfn;
		bool skip = !cc->ignore_skip && (pageblock_get(mem, pb) & LAB_PB_SKIP);
		if (!skip && suitable_target(mem, cc, pb)) {
			zone_lock(mem, z, &flags);
			for (uint64_t pfn = pb; pfn < end;) {
				struct lab_page *p = pfn_page(mem, pfn);
				struct lab_page st = page_state(p);   /* pcp pages change without the lock */
				scanned++;
				if (!(st.flags & LAB_PG_BUDDY) || st.mt == LAB_MIGRATE_ISOLATE ||
				    st.mt == LAB_MIGRATE_HIGHATOMIC) {
					pfn += (st.flags & (LAB_PG_BUDDY | LAB_PG_HEAD | LAB_PG_PCP)) ? 1ull << st.order : 1;
					continue;
				}
				unsigned o = st.order;
				/* __isolate_free_page: keep the zone above min + the block */
				if (!lab__zone_watermark_ok_free(z, 0, z->wmark[LAB_WMARK_MIN] + (1ull << o), 0, ALLOC_CMA,
							    (int64_t)zone_free(z)))
					break;
				lab__buddy_take_as_pages(mem, z, p, LAB_MIGRATE_MOVABLE);
				for (uint64_t i = 0; i < (1ull << o); i++) {
					struct lab_page *q = p + i;
					q->next = cc->freelist;
					cc->freelist = page_idx(mem, q);
				}
				cc->nr_free += 1u << o;
				isolated += 1ull << o;
				pfn += 1ull << o;
			}
			zone_unlock(mem, z, flags);
		}
		if (cc->free_pfn < nr || pb_start(mem, cc->free_pfn) == 0)
			break;
		cc->free_pfn = pb_start(mem, cc->free_pfn) - nr;
		if (cc->free_pfn < z->start_pfn)
			cc->free_pfn = z->start_pfn;
	}
	count_event(mem, LAB_COMPACT_FREE_SCANNED, scanned);
	count_event(mem, LAB_COMPACT_ISOLATED, isolated);
}

static void release_freepages(struct lab_mem *mem, struct compact_control *cc)
{
	while (cc->freelist != LAB_NIL) {
		struct lab_page *p = &mem->pages[cc->freelist];
		cc->freelist = p->next;
		p->next = LAB_NIL;
		lab__free_isolated_page(mem, p, 0);
	}
	cc->nr_free = 0;
}

/* isolate_migratepages_block: from cc->migrate_pfn to the end of its
 * pageblock, order-0 movable owned pages, taken off the LRU (up to
 * COMPACT_CLUSTER_MAX). Advances cc->migrate_pfn past what was scanned and
 * returns the private list (linked by next). */
static uint32_t isolate_migratepages(struct lab_mem *mem, struct compact_control *cc, unsigned *got)
{
	struct lab_zone *z = cc->z;
	uint64_t pfn = cc->migrate_pfn < z->start_pfn ? z->start_pfn : cc->migrate_pfn;
	uint64_t end = pb_start(mem, pfn) + pageblock_nr_pages(mem);
	uint32_t list = LAB_NIL;
	unsigned long flags, scanned = 0;
	*got = 0;
	if (end > z->end_pfn)
		end = z->end_pfn;
	zone_lock(mem, z, &flags);
	while (pfn < end && *got < LAB_COMPACT_CLUSTER_MAX) {
		struct lab_page *p = pfn_page(mem, pfn);
		struct lab_page st = page_state(p);   /* pcp pages change without the lock */
		scanned++;
		if (st.flags & (LAB_PG_BUDDY | LAB_PG_PCP)) {
			pfn += 1ull << st.order;
			continue;
		}
		if (!(st.flags & LAB_PG_HEAD)) {
			pfn++;
			continue;
		}
		unsigned o = st.order;
		if (o == 0 && lab__page_is_movable(mem, p)) {
			lab__lru_del(mem, z, p);
			page_owner_set(p, page_owner(p) | LAB_OWN_ISOLATED);
			p->next = list;
			list = page_idx(mem, p);
			(*got)++;
		}
		pfn += 1ull << o;
	}
	zone_unlock(mem, z, flags);
	cc->migrate_pfn = pfn;
	count_event(mem, LAB_COMPACT_MIGRATE_SCANNED, scanned);
	count_event(mem, LAB_COMPACT_ISOLATED, *got);
	return list;
}

/* suitable_migration_source: async compaction for a non-movable request
 * only empties pageblocks of the request's own type. */
static bool suitable_source(struct lab_mem *mem, struct compact_control *cc, uint64_t pb)
{
	if (cc->sync || cc->order < 0 || cc->migratetype == LAB_MIGRATE_MOVABLE)
		return true;
	int mt = get_pageblock_migratetype(mem, pb);
	return mt == cc->migratetype;
}

/*
 * compact_zone: run the scanners until compact_finished or the budget is
 * spent. Returns the compact_result (CONTINUE when the budget ran out).
 */
static enum compact_result compact_zone(struct lab_mem *mem, struct compact_control *cc)
{
	struct lab_zone *z = cc->z;
	uint64_t nr = pageblock_nr_pages(mem);
	enum compact_result ret;

	if (cc->order >= 0 && !cc->proactive) {
		ret = lab__compaction_suitable(mem, z, cc->order, cc->alloc_flags, cc->highest_zoneidx);
		if (ret == COMPACT_SUCCESS || ret == COMPACT_SKIPPED)
			return ret;
	}
	if (__atomic_exchange_n(&z->compacting, 1, __ATOMIC_ACQUIRE))
		return COMPACT_CONTENDED;
	if (cc->whole_zone || !z->compact_cached_free_pfn) {
		cc->migrate_pfn = z->start_pfn;
		cc->free_pfn = pb_start(mem, z->end_pfn - 1);
	} else {
		cc->migrate_pfn = z->compact_cached_migrate_pfn;
		cc->free_pfn = z->compact_cached_free_pfn;
	}
	cc->freelist = LAB_NIL;
	while ((ret = compact_finished(mem, cc)) == COMPACT_CONTINUE) {
		if (cc->budget && cc->migrated >= cc->budget)
			break;
		uint64_t pb = pb_start(mem, cc->migrate_pfn);
		uint64_t pbz = pb < z->start_pfn ? z->start_pfn : pb;
		bool block_start = cc->migrate_pfn <= pbz;
		unsigned got = 0;
		uint32_t list = LAB_NIL;
		bool skip = !cc->ignore_skip && (pageblock_get(mem, pbz) & LAB_PB_SKIP);
		bool scan = !skip && suitable_source(mem, cc, pbz);
		if (scan)
			list = isolate_migratepages(mem, cc, &got);
		else
			cc->migrate_pfn = pb + nr;
		if (!got) {
			/* scanned the whole pageblock and found nothing movable: hint */
			if (scan && block_start && !cc->ignore_skip && cc->migrate_pfn >= pb + nr) {
				unsigned long flags;
				zone_lock(mem, z, &flags);
				pageblock_update(mem, pbz, 0, LAB_PB_SKIP);
				zone_unlock(mem, z, flags);
			}
			continue;
		}
		isolate_freepages(mem, cc, got);
		while (list != LAB_NIL) {
			struct lab_page *src = &mem->pages[list];
			void *ctx = NULL;
			const struct lab_page_owner_ops *ops = lab__owner_ops(mem, src, &ctx);
			list = src->next;
			bool done = false;
			if (cc->freelist != LAB_NIL && ops && (!ops->isolate || ops->isolate(ctx, src) == 0)) {
				struct lab_page *dst = &mem->pages[cc->freelist];
				cc->freelist = dst->next;
				cc->nr_free--;
				dst->next = LAB_NIL;
				if (lab__migrate_page(mem, src, dst)) {
					lab__free_isolated_page(mem, src, 0);
					cc->migrated++;
					done = true;
				} else {
					dst->next = cc->freelist;
					cc->freelist = page_idx(mem, dst);
					cc->nr_free++;
				}
			}
			if (!done) {
				unsigned long flags;
				if (ops && ops->putback)
					ops->putback(ctx, src);
				zone_lock(mem, z, &flags);
				page_owner_set(src, page_owner(src) & ~LAB_OWN_ISOLATED);
				lab__lru_add(mem, z, src, true);
				zone_unlock(mem, z, flags);
			}
		}
	}
	release_freepages(mem, cc);
	if (ret != COMPACT_COMPLETE && ret != COMPACT_PARTIAL_SKIPPED) {
		z->compact_cached_migrate_pfn = cc->migrate_pfn;
		z->compact_cached_free_pfn = cc->free_pfn;
	}
	__atomic_store_n(&z->compacting, 0, __ATOMIC_RELEASE);
	return ret;
}

/* compact_zone_order + try_to_compact_pages (direct compaction). */
enum compact_result lab__try_to_compact_pages(struct lab_mem *mem, lab_gfp_t gfp, unsigned order,
					 unsigned alloc_flags, int highest_zoneidx, int migratetype,
					 enum compact_priority prio)
{
	enum compact_result rc = COMPACT_SKIPPED;
	(void)gfp;
	for (int zi = highest_zoneidx; zi >= 0; zi--) {
		struct lab_zone *z = &mem->zones[zi];
		if (!z->populated)
			continue;
		if (prio > MIN_COMPACT_PRIORITY && lab__compaction_deferred(z, (int)order)) {
			if (rc < COMPACT_DEFERRED)
				rc = COMPACT_DEFERRED;
			continue;
		}
		struct compact_control cc = {
			.z = z, .order = (int)order, .migratetype = migratetype,
			.sync = prio != COMPACT_PRIO_ASYNC, .alloc_flags = alloc_flags,
			.highest_zoneidx = highest_zoneidx,
			.whole_zone = prio == MIN_COMPACT_PRIORITY, .ignore_skip = prio == MIN_COMPACT_PRIORITY,
			.ignore_block_suitable = prio == MIN_COMPACT_PRIORITY,
		};
		enum compact_result status = compact_zone(mem, &cc);
		if (status > rc)
			rc = status;
		if (status == COMPACT_SUCCESS) {
			lab__compaction_defer_reset(z, (int)order, false);
			break;
		}
		if (prio != COMPACT_PRIO_ASYNC && (status == COMPACT_COMPLETE || status == COMPACT_PARTIAL_SKIPPED))
			lab__defer_compaction(z, (int)order);
	}
	return rc;
}

/* fragmentation_score_zone: extfrag_for_order at the huge page order (pageblock order). */
static int fragmentation_score_zone(struct lab_mem *mem, struct lab_zone *z)
{
	uint64_t nr_free[LAB_MAX_ORDER];
	for (int o = 0; o < LAB_MAX_ORDER; o++)
		nr_free[o] = zone_nr_free(z, (unsigned)o);
	return lab_extfrag_for_order(nr_free, mem->pageblock_order);
}

/* fragmentation_score_node: zones weighted by present pages. */
static int fragmentation_score_node(struct lab_mem *mem)
{
	uint64_t present = 0, score = 0;
	for (int i = 0; i < LAB_MAX_NR_ZONES; i++)
		present += mem->zones[i].present;
	for (int i = 0; i < LAB_MAX_NR_ZONES; i++) {
		struct lab_zone *z = &mem->zones[i];
		if (z->populated)
			score += z->present * (uint64_t)fragmentation_score_zone(mem, z);
	}
	return (int)(score / (present + 1));
}

static int wmark_high_score(const struct lab_mem *mem)
{
	int low = 100 - proactiveness(mem);
	if (low < 5)
		low = 5;
	return low + 10 < 100 ? low + 10 : 100;
}

/* wakeup_kcompactd: record the request and wake kcompactd. As Linux, an
 * order-0 request wakes nobody: there is no block to build for it. */
void lab__wakeup_kcompactd(struct lab_mem *mem, unsigned order, int highest_zoneidx)
{
	if (!order)
		return;
	int cur = __atomic_load_n(&mem->kcompactd_order, __ATOMIC_RELAXED);
	if ((int)order > cur)
		__atomic_store_n(&mem->kcompactd_order, (int)order, __ATOMIC_RELAXED);
	cur = __atomic_load_n(&mem->kcompactd_highest_zoneidx, __ATOMIC_RELAXED);
	if (highest_zoneidx > cur)
		__atomic_store_n(&mem->kcompactd_highest_zoneidx, highest_zoneidx, __ATOMIC_RELAXED);
	if (mem->plat.wake_kcompactd)
		mem->plat.wake_kcompactd(mem->plat.ctx, order, highest_zoneidx);
}

int lab_kcompactd_wanted(struct lab_mem *mem)
{
	if (!LAB_CONFIG_COMPACTION || !mem || mem->magic != LAB_MEM_MAGIC)
		return 0;
	if (__atomic_load_n(&mem->kcompactd_highest_zoneidx, __ATOMIC_RELAXED) >= 0)
		return 1;
	if (!proactiveness(mem))
		return 0;
	uint64_t now = mem->plat.now_ns ? mem->plat.now_ns(mem->plat.ctx) : 0;
	if (mem->plat.now_ns && now - mem->proactive_last_ns < 500000000ull)
		return 0;
	return fragmentation_score_node(mem) > wmark_high_score(mem);
}

/*
 * kcompactd_do_work as a step: compact the zones it was woken for (or,
 * when the node's fragmentation score is above the proactive high mark,
 * proactively) for at most @budget migrated pages.
 */
enum lab_bg_result lab_kcompactd_once(struct lab_mem *mem, unsigned long budget)
{
	if (!LAB_CONFIG_COMPACTION || !mem || mem->magic != LAB_MEM_MAGIC)
		return LAB_BG_IDLE;
	int hz = __atomic_load_n(&mem->kcompactd_highest_zoneidx, __ATOMIC_RELAXED);
	int order = __atomic_load_n(&mem->kcompactd_order, __ATOMIC_RELAXED);
	bool proactive = false;
	if (hz < 0) {
		if (!lab_kcompactd_wanted(mem))
			return LAB_BG_IDLE;
		proactive = true;
		hz = LAB_MAX_NR_ZONES - 1;
		mem->proactive_last_ns = mem->plat.now_ns ? mem->plat.now_ns(mem->plat.ctx) : 0;
	}
	count_event(mem, LAB_COMPACT_DAEMON_WAKE, 1);
	bool more = false;
	for (int zi = hz; zi >= 0; zi--) {
		struct lab_zone *z = &mem->zones[zi];
		if (!z->populated)
			continue;
		if (!proactive) {
			if (lab__compaction_deferred(z, order))
				continue;
			if (lab__compaction_suitable(mem, z, order, ALLOC_WMARK_MIN, zi) != COMPACT_CONTINUE)
				continue;
		}
		struct compact_control cc = {
			.z = z, .order = proactive ? -1 : order, .migratetype = LAB_MIGRATE_MOVABLE,
			.sync = true, .alloc_flags = ALLOC_WMARK_MIN, .highest_zoneidx = zi,
			.whole_zone = proactive, .proactive = proactive, .budget = budget,
		};
		enum compact_result r = compact_zone(mem, &cc);
		if (r == COMPACT_CONTINUE && cc.budget && cc.migrated >= cc.budget) {
			more = true;
			break;
		}
		if (!proactive) {
			if (r == COMPACT_SUCCESS)
				lab__compaction_defer_reset(z, order, false);
			else if (r == COMPACT_COMPLETE || r == COMPACT_PARTIAL_SKIPPED)
				lab__defer_compaction(z, order);
		}
	}
	if (more)
		return LAB_BG_MORE;
	__atomic_store_n(&mem->kcompactd_highest_zoneidx, -1, __ATOMIC_RELAXED);
	__atomic_store_n(&mem->kcompactd_order, 0, __ATOMIC_RELAXED);
	return LAB_BG_IDLE;
}

unsigned long lab_compact_memory(struct lab_mem *mem)
{
	unsigned long migrated = 0;
	if (!LAB_CONFIG_COMPACTION || !mem || mem->magic != LAB_MEM_MAGIC)
		return 0;
	lab_drain_all_pages(mem);
	for (int zi = 0; zi < LAB_MAX_NR_ZONES; zi++) {
		struct lab_zone *z = &mem->zones[zi];
		if (!z->populated)
			continue;
		struct compact_control cc = {
			.z = z, .order = -1, .migratetype = LAB_MIGRATE_MOVABLE, .sync = true,
			.whole_zone = true, .ignore_skip = true, .ignore_block_suitable = false,
			.alloc_flags = ALLOC_WMARK_MIN, .highest_zoneidx = zi,
		};
		compact_zone(mem, &cc);
		migrated += cc.migrated;
	}
	return migrated;
}
