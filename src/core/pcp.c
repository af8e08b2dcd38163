/* SPDX-License-Identifier: MIT */
/*
 * core/pcp.c - per-CPU page lists: the allocator's fast path (Linux
 * per_cpu_pages, rmqueue_pcplist, free_unref_page, free_pcppages_bulk,
 * drain_pages; 6.1.192 rules).
 *
 * Small blocks (order 0..3, and pageblock order for "THP") are cached per
 * CPU and zone. A hit costs one list operation under this CPU's pcp lock
 * and takes no zone lock: under a storm of NIC interrupts on every CPU,
 * the zone lock is taken once per batch instead of once per packet.
 *
 *   CPU 0 pcp (zone Normal)          zone free lists
 *   [U0] -> p -> p -> p   <-- refill batch>>order blocks (one lock hold)
 *   [M0] -> p                 --> free_pcppages_bulk when count >= high
 *   ...                           (tails first, round-robin over lists)
 *
 * The pcp lock is taken with trylock on the local CPU: an interrupt that
 * lands while its own CPU holds the lock fails the trylock and uses the
 * zone lock path instead (Linux 6.1's pcp_spin_trylock), so an ISR never
 * spins on a lock its own CPU holds. Draining another CPU's lists spins on
 * that CPU's lock (Linux 6.0+ drains remote pcps directly).
 *
 * Pages on a pcp list are not free in NR_FREE_PAGES (zone->free_pages) and
 * carry LAB_PG_PCP, their order and their real migratetype (HighAtomic and
 * CMA pages sit on the Movable list but go back to their own buddy list).
 */
#include "internal.h"

size_t lab__pcp_bytes(unsigned nr_cpus)
{
	return (size_t)nr_cpus * LAB_MAX_NR_ZONES * sizeof(struct lab_pcp);
}

void lab__pcp_init(struct lab_mem *mem, void *area)
{
	mem->pcp = area;
	if (!area)
		return;
	memset(area, 0, lab__pcp_bytes(mem->nr_cpus));
	for (unsigned c = 0; c < mem->nr_cpus; c++)
		for (unsigned z = 0; z < LAB_MAX_NR_ZONES; z++) {
			struct lab_pcp *pcp = pcp_of(mem, c, z);
			for (int i = 0; i < LAB_NR_PCP_LISTS; i++)
				pcp->head[i] = pcp->tail[i] = LAB_NIL;
		}
	lab__pcp_update_sizes(mem);
}

/* zone_pcp_update: copy the zone's batch/high into every CPU's pcp. */
void lab__pcp_update_sizes(struct lab_mem *mem)
{
	if (!mem->pcp)
		return;
	for (unsigned c = 0; c < mem->nr_cpus; c++)
		for (unsigned z = 0; z < LAB_MAX_NR_ZONES; z++) {
			struct lab_pcp *pcp = pcp_of(mem, c, z);
			__atomic_store_n(&pcp->high, (int)mem->zones[z].pcp_high, __ATOMIC_RELAXED);
			__atomic_store_n(&pcp->batch, (int)mem->zones[z].pcp_batch, __ATOMIC_RELAXED);
		}
}

static unsigned order_to_pindex(const struct lab_mem *mem, int mt, unsigned order)
{
	if (order > LAB_PAGE_ALLOC_COSTLY_ORDER)
		return LAB_NR_LOWORDER_PCP_LISTS + (mt == LAB_MIGRATE_MOVABLE);
	return order * LAB_MIGRATE_PCPTYPES + (unsigned)mt;
}

static unsigned pindex_to_order(const struct lab_mem *mem, unsigned pindex)
{
	return pindex < LAB_NR_LOWORDER_PCP_LISTS ? pindex / LAB_MIGRATE_PCPTYPES : mem->pcp_thp_order;
}

/*
 * PGALLOC and PGFREE of the per-CPU path, counted in the pcp under its lock
 * (Linux's __count_vm_events under the pcp lock: a plain per-CPU add). One
 * writer at a time, lockless readers: a relaxed load-add-store, no locked
 * instruction on the fast path.
 */
static inline void pcp_event(unsigned long *c, unsigned long n)
{
	__atomic_store_n(c, *c + n, __ATOMIC_RELAXED);
}

/* The pcp share of vm event @e (0 for events the pcps do not count). */
uint64_t lab__pcp_event_sum(const struct lab_mem *mem, enum lab_vm_event e)
{
	uint64_t sum = 0;
	if (!mem->pcp)
		return 0;
	if (e == LAB_PGFREE) {
		for (unsigned i = 0; i < mem->nr_cpus * LAB_MAX_NR_ZONES; i++)
			sum += __atomic_load_n(&mem->pcp[i].pgfree, __ATOMIC_RELAXED);
	} else if ((unsigned)e - LAB_PGALLOC_DMA < LAB_MAX_NR_ZONES) {
		unsigned zi = (unsigned)e - LAB_PGALLOC_DMA;
		for (unsigned c = 0; c < mem->nr_cpus; c++)
			sum += __atomic_load_n(&mem->pcp[c * LAB_MAX_NR_ZONES + zi].pgalloc, __ATOMIC_RELAXED);
	}
	return sum;
}

static int pcp_trylock(struct lab_mem *mem, unsigned cpu, unsigned long *flags)
{
	return mem->plat.pcp_trylock ? mem->plat.pcp_trylock(mem->plat.ctx, cpu, flags) : 1;
}

static void pcp_lock(struct lab_mem *mem, unsigned cpu, unsigned long *flags)
{
	if (mem->plat.pcp_lock)
		mem->plat.pcp_lock(mem->plat.ctx, cpu, flags);
}

static void pcp_unlock(struct lab_mem *mem, unsigned cpu, unsigned long flags)
{
	if (mem->plat.pcp_unlock)
		mem->plat.pcp_unlock(mem->plat.ctx, cpu, flags);
}

static void pcp_list_add(struct lab_mem *mem, struct lab_pcp *pcp, unsigned pindex,
			 struct lab_page *p, bool tail)
{
	__atomic_store_n(&pcp->list_ops, pcp->list_ops + 1, __ATOMIC_RELAXED);
	idx_list_add(mem->pages, &pcp->head[pindex], &pcp->tail[pindex], p, page_idx(mem, p), tail);
}

static void pcp_list_del(struct lab_mem *mem, struct lab_pcp *pcp, unsigned pindex, struct lab_page *p)
{
	if (LAB_BUG_ON(!idx_list_linked(mem->pages, &pcp->head[pindex], &pcp->tail[pindex], p), p,
		       "pcp list membership (prev/next)"))
		return;
	__atomic_store_n(&pcp->list_ops, pcp->list_ops + 1, __ATOMIC_RELAXED);
	idx_list_del(mem->pages, &pcp->head[pindex], &pcp->tail[pindex], p);
}

/*
 * rmqueue_bulk: @count blocks of @order via __rmqueue under one zone-lock
 * hold, appended to the list tail (physical order preserved). Returns the
 * number of blocks taken.
 */
static int rmqueue_bulk(struct lab_mem *mem, struct lab_zone *z, unsigned order, int count,
			struct lab_pcp *pcp, unsigned pindex, int mt, unsigned alloc_flags)
{
	unsigned long flags;
	int i;

	zone_lock(mem, z, &flags);
	for (i = 0; i < count; i++) {
		struct lab_page *p = lab__rmqueue_locked(mem, z, order, mt, alloc_flags);
		if (!p)
			break;
		/* keep the type of the list it came from (get_pcppage_migratetype) */
		page_set_state(p, LAB_PG_PCP, order, page_state(p).mt);
		pcp_list_add(mem, pcp, pindex, p, true);
	}
	zone_unlock(mem, z, flags);
	return i;
}

/*
 * rmqueue_pcplist: the fast path. NULL when the trylock fails (an interrupt
 * nested on this CPU) or the list stays empty after a refill; the caller
 * then goes to the buddy lists. O(1) on a hit; a refill is one batch.
 */
/* __rmqueue_pcplist: one block from @pcp's list, refilling it with a batch
 * when empty. pcp lock held. */
static struct lab_page *pcplist_take(struct lab_mem *mem, struct lab_zone *z, struct lab_pcp *pcp,
				     unsigned order, int mt, unsigned alloc_flags)
{
	unsigned pindex = order_to_pindex(mem, mt, order);
	if (pcp->head[pindex] == LAB_NIL) {
		int batch = pcp->batch;
		if (batch > 1)
			batch = (batch >> order) > 2 ? batch >> order : 2;
		int got = rmqueue_bulk(mem, z, order, batch, pcp, pindex, mt, alloc_flags);
		pcp->count += got << order;
	}
	if (pcp->head[pindex] == LAB_NIL)
		return NULL;
	struct lab_page *p = &mem->pages[pcp->head[pindex]];
	/* debug tier: refuse a page whose state does not match the list, or a
	 * count that would go negative, and leave the list as it is */
	if (LAB_BUG_ON(p->flags != LAB_PG_PCP || p->order != order || p->zone != z->idx, p,
		       "pcp page state (flag, order, zone)") ||
	    LAB_BUG_ON(pcp->count < (1 << order), p, "pcp count not negative"))
		return NULL;
	pcp_list_del(mem, pcp, pindex, p);
	pcp->count -= 1 << order;
	page_set_flags(p, 0);
	return p;
}

struct lab_page *lab__rmqueue_pcplist(struct lab_mem *mem, struct lab_zone *z, unsigned order,
				 int mt, unsigned alloc_flags)
{
	unsigned cpu = mem_cpu(mem);
	struct lab_pcp *pcp = pcp_of(mem, cpu, z->idx);
	unsigned long flags;

	if (!pcp_trylock(mem, cpu, &flags))
		return NULL;
	pcp->free_factor >>= 1;
	struct lab_page *p = pcplist_take(mem, z, pcp, order, mt, alloc_flags);
	if (p)
		pcp_event(&pcp->pgalloc, 1ul << order);
	pcp_unlock(mem, cpu, flags);
	return p;
}

/*
 * The batch half of __alloc_pages_bulk: up to @nr order-0 blocks into
 * @out under ONE per-CPU lock hold (the point of the bulk API: a NIC
 * refilling its ring pays the lock once). Returns how many; each is a bare
 * block (no flags) the caller turns into an allocation.
 */
unsigned lab__rmqueue_pcplist_bulk(struct lab_mem *mem, struct lab_zone *z, int mt, unsigned alloc_flags,
			      unsigned nr, struct lab_page **out)
{
	unsigned cpu = mem_cpu(mem), n = 0;
	struct lab_pcp *pcp = pcp_of(mem, cpu, z->idx);
	unsigned long flags;

	if (!pcp_trylock(mem, cpu, &flags))
		return 0;
	pcp->free_factor >>= 1;
	while (n < nr && (out[n] = pcplist_take(mem, z, pcp, 0, mt, alloc_flags)))
		n++;
	pcp_event(&pcp->pgalloc, n);
	pcp_unlock(mem, cpu, flags);
	return n;
}

/*
 * free_pcppages_bulk: return @count pages from @pcp to the buddy lists,
 * round-robin over the non-empty lists starting after @pindex, taking from
 * list tails (the coldest pages). Call with the pcp lock held; takes the
 * zone lock once.
 */
static void free_pcppages_bulk(struct lab_mem *mem, struct lab_zone *z, int count,
			       struct lab_pcp *pcp, unsigned pindex)
{
	unsigned long flags;

	if (count > pcp->count)
		count = pcp->count;
	if (count <= 0)
		return;
	zone_lock(mem, z, &flags);
	pindex = pindex ? pindex - 1 : LAB_NR_PCP_LISTS - 1;
	while (count > 0) {
		do {
			if (++pindex > LAB_NR_PCP_LISTS - 1)
				pindex = 0;
		} while (pcp->tail[pindex] == LAB_NIL);
		unsigned order = pindex_to_order(mem, pindex);
		int nr_pages = 1 << order;
		do {
			struct lab_page *p = &mem->pages[pcp->tail[pindex]];
			int mt = p->mt;
			if (LAB_BUG_ON(p->flags != LAB_PG_PCP || p->order != order || pcp->count < nr_pages, p,
				       "pcp page state and count on drain")) {
				count = 0;   /* stop the drain, the list as it is */
				break;
			}
			pcp_list_del(mem, pcp, pindex, p);
			count -= nr_pages;
			pcp->count -= nr_pages;
			page_set_flags(p, 0);
			lab__buddy_free_one(mem, z, page_pfn(mem, p), order, mt, false);
		} while (count > 0 && pcp->tail[pindex] != LAB_NIL);
	}
	zone_unlock(mem, z, flags);
}

/* nr_pcp_high: 0 for a "free_high" burst of high-order frees. */
static int nr_pcp_high(const struct lab_pcp *pcp, bool free_high)
{
	return (!pcp->high || free_high) ? 0 : pcp->high;
}

/* nr_pcp_free: how many to give back; grows batch << free_factor with
 * consecutive frees (capped at free_factor 5, CONFIG_PCP_BATCH_SCALE_MAX). */
static int nr_pcp_free(struct lab_pcp *pcp, int high, int batch, bool free_high)
{
	int min_nr = batch, max_nr = high - batch;
	if (free_high)
		return pcp->count;
	if (high < batch)
		return 1;
	int n = batch << pcp->free_factor;
	if (n < min_nr)
		n = min_nr;
	if (n > max_nr)
		n = max_nr;
	if (pcp->free_factor < 5 && n < max_nr)
		pcp->free_factor++;
	return n;
}

/*
 * free_unref_page: a freed pcp-order block goes to this CPU's list, and a
 * batch goes back to the buddy when the list is over its high mark.
 * Isolated pageblocks bypass the lists; a failed trylock frees straight to
 * the buddy. @p must already be validated and have no flags.
 */
/* free_unref_page_commit: @p onto @cpu's list for its zone; a batch back to
 * the buddy when over high. pcp lock held. */
static void free_unref_page_commit(struct lab_mem *mem, unsigned cpu, struct lab_page *p, unsigned order,
				   int mt, int pcpmt)
{
	struct lab_zone *z = &mem->zones[p->zone];
	struct lab_pcp *pcp = pcp_of(mem, cpu, z->idx);
	unsigned pindex = order_to_pindex(mem, pcpmt, order);
	page_set_state(p, LAB_PG_PCP, order, mt);
	pcp_list_add(mem, pcp, pindex, p, false);
	pcp->count += 1 << order;
	pcp_event(&pcp->pgfree, 1ul << order);
	bool free_high = pcp->free_factor && order && order <= LAB_PAGE_ALLOC_COSTLY_ORDER;
	int high = nr_pcp_high(pcp, free_high);
	if (pcp->count >= high)
		free_pcppages_bulk(mem, z, nr_pcp_free(pcp, high, pcp->batch, free_high), pcp, pindex);
}

/* The pageblock's type, and the per-CPU list type it goes on; false if the
 * page must bypass the lists (isolated pageblock). */
static bool pcp_types(struct lab_mem *mem, struct lab_page *p, int *mt, int *pcpmt)
{
	*mt = *pcpmt = get_pageblock_migratetype(mem, page_pfn(mem, p));
	if (*mt >= LAB_MIGRATE_PCPTYPES) {
		if (is_migrate_isolate(*mt))
			return false;
		*pcpmt = LAB_MIGRATE_MOVABLE;
	}
	return true;
}

static void free_to_buddy(struct lab_mem *mem, struct lab_page *p, unsigned order, int mt)
{
	struct lab_zone *z = &mem->zones[p->zone];
	unsigned long flags;
	zone_lock(mem, z, &flags);
	lab__buddy_free_one(mem, z, page_pfn(mem, p), order, mt, false);
	zone_unlock(mem, z, flags);
	count_event(mem, LAB_PGFREE, 1ull << order);
}

void lab__free_unref_page(struct lab_mem *mem, struct lab_zone *z, struct lab_page *p, unsigned order)
{
	int mt, pcpmt;
	unsigned long flags;
	unsigned cpu = mem_cpu(mem);
	(void)z;
	if (!pcp_types(mem, p, &mt, &pcpmt) || !pcp_trylock(mem, cpu, &flags)) {
		free_to_buddy(mem, p, order, mt);
		return;
	}
	free_unref_page_commit(mem, cpu, p, order, mt, pcpmt);
	pcp_unlock(mem, cpu, flags);
}

/* free_unref_page_list: order-0 pages already claimed by the caller, onto
 * this CPU's lists under one lock hold. */
void lab__free_unref_page_list(struct lab_mem *mem, struct lab_page **pages, unsigned n)
{
	unsigned cpu = mem_cpu(mem);
	unsigned long flags;
	bool locked = pcp_trylock(mem, cpu, &flags);
	for (unsigned i = 0; i < n; i++) {
		int mt, pcpmt;
		if (locked && pcp_types(mem, pages[i], &mt, &pcpmt)) {
			free_unref_page_commit(mem, cpu, pages[i], 0, mt, pcpmt);
		} else {
			if (locked) {
				pcp_unlock(mem, cpu, flags);
				locked = false;
			}
			pcp_types(mem, pages[i], &mt, &pcpmt);
			page_set_flags(pages[i], 0);
			free_to_buddy(mem, pages[i], 0, mt);
		}
	}
	if (locked)
		pcp_unlock(mem, cpu, flags);
}

/* drain_pages_zone: everything on @cpu's lists for @z goes back. */
static void drain_pages_zone(struct lab_mem *mem, unsigned cpu, struct lab_zone *z, bool spin)
{
	struct lab_pcp *pcp = pcp_of(mem, cpu, z->idx);
	unsigned long flags;

	if (!__atomic_load_n(&pcp->count, __ATOMIC_RELAXED))
		return;
	if (spin)
		pcp_lock(mem, cpu, &flags);
	else if (!pcp_trylock(mem, cpu, &flags))
		return;
	if (pcp->count) {
		free_pcppages_bulk(mem, z, pcp->count, pcp, 0);
		count_event(mem, LAB_EV_PCP_DRAIN, 1);
	}
	pcp_unlock(mem, cpu, flags);
}

void lab_drain_local_pages(struct lab_mem *mem)
{
	if (!mem || mem->magic != LAB_MEM_MAGIC || !mem->pcp)
		return;
	unsigned cpu = mem_cpu(mem);
	for (int zi = 0; zi < LAB_MAX_NR_ZONES; zi++)
		if (mem->zones[zi].populated)
			drain_pages_zone(mem, cpu, &mem->zones[zi], false);
}

void lab_drain_all_pages(struct lab_mem *mem)
{
	if (!mem || mem->magic != LAB_MEM_MAGIC || !mem->pcp)
		return;
	unsigned self = mem_cpu(mem);
	for (unsigned cpu = 0; cpu < mem->nr_cpus; cpu++)
		for (int zi = 0; zi < LAB_MAX_NR_ZONES; zi++)
			if (mem->zones[zi].populated)
				/* our own CPU: trylock (we may be an interrupt
				 * nested inside its pcp section) */
				drain_pages_zone(mem, cpu, &mem->zones[zi], cpu != self);
}

/*
 * Drain every CPU's lists of the zones <= @highest_zoneidx without ever
 * spinning (trylock only), for a failing allocation in any context.
 * Returns true if any page went back.
 */
bool lab__drain_all_pages_nonblocking(struct lab_mem *mem, int highest_zoneidx)
{
	bool any = false;
	if (!mem->pcp)
		return false;
	for (int zi = highest_zoneidx; zi >= 0; zi--) {
		struct lab_zone *z = &mem->zones[zi];
		if (!z->populated)
			continue;
		for (unsigned cpu = 0; cpu < mem->nr_cpus; cpu++) {
			struct lab_pcp *pcp = pcp_of(mem, cpu, z->idx);
			int before = __atomic_load_n(&pcp->count, __ATOMIC_RELAXED);
			drain_pages_zone(mem, cpu, z, false);
			any |= before != __atomic_load_n(&pcp->count, __ATOMIC_RELAXED);
		}
	}
	return any;
}

/* Invariants of the pcp lists of @z: every element is a PCP block of the
 * list's order in this zone, links are consistent, counts add up. Returns
 * errors; *@pcp_pages gets the pages found. Caller holds the zone lock;
 * quiescent per-CPU lists are assumed (a debugging check). */
int lab__pcp_check(struct lab_mem *mem, struct lab_zone *z, uint64_t *pcp_pages)
{
	int errors = 0;
	uint64_t total = 0, span = mem->end_pfn - mem->base_pfn;
	*pcp_pages = 0;
	if (!mem->pcp)
		return 0;
	for (unsigned cpu = 0; cpu < mem->nr_cpus; cpu++) {
		struct lab_pcp *pcp = pcp_of(mem, cpu, z->idx);
		uint64_t cpu_pages = 0;
		for (unsigned pi = 0; pi < LAB_NR_PCP_LISTS; pi++) {
			unsigned order = pindex_to_order(mem, pi);
			uint32_t prev = LAB_NIL;
			uint64_t len = 0;
			for (uint32_t i = pcp->head[pi]; i != LAB_NIL; i = mem->pages[i].next) {
				struct lab_page *p = &mem->pages[i];
				if (i >= span || ++len > span || !(p->flags & LAB_PG_PCP) || p->order != order ||
				    p->zone != z->idx || p->prev != prev) {
					lab__log(mem, LAB_LOG_ERR, "check: zone %s cpu %u pcp list %u corrupt at pfn %#llx",
						lab_zone_names[z->idx], cpu, pi, (unsigned long long)page_pfn(mem, p));
					errors++;
					break;
				}
				prev = i;
				cpu_pages += 1ull << order;
			}
			if (pcp->tail[pi] != prev) {
				lab__log(mem, LAB_LOG_ERR, "check: zone %s cpu %u pcp list %u tail wrong",
					lab_zone_names[z->idx], cpu, pi);
				errors++;
			}
		}
		if ((uint64_t)pcp->count != cpu_pages) {
			lab__log(mem, LAB_LOG_ERR, "check: zone %s cpu %u pcp count %d, lists hold %llu",
				lab_zone_names[z->idx], cpu, pcp->count, (unsigned long long)cpu_pages);
			errors++;
		}
		total += cpu_pages;
	}
	*pcp_pages = total;
	return errors;
}
