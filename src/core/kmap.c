/* SPDX-License-Identifier: MIT */
/*
 * core/kmap.c - making pages without a permanent address addressable
 * (Linux mm/highmem.c: kmap_high, map_new_virtual, flush_all_zero_pkmaps,
 * kunmap_high, __kmap_local_pfn_prot, kunmap_local_indexed; 6.1 rules).
 *
 *   kmap_local stack (per task; the platform owns it, see kmap.h)
 *
 *     push (kmap_local)                  pop (kunmap_local: must be the top)
 *       idx 2 -> 3                          idx 3 -> 2
 *     +------+------+------+------+     +------+------+------+------+
 *     |  A   |  B   | [C]  |      |     |  A   |  B   |  C?  |      |
 *     +------+------+------+------+     +------+------+------+------+
 *      slot 0 slot 1 slot 2 ...          naming B instead: WARNING, refused
 *
 *   pkmap pool (per instance), last = 3:
 *     slot   0   1   2   3   4   5  ...  nr-1
 *     count  0   2   1   3   0   0        0      (0 free, 1 stale, n-1 users)
 *     the next new mapping scans 4, 5, ...; wrapping to 0 first turns every
 *     count-1 slot into a free one (flush_all_zero_pkmaps).
 *
 * Lowmem pages are never mapped: every variant returns page_address() and
 * uses no slot (test vector P1). Only the platform maps memory: the core
 * keeps the bookkeeping and calls the kmap hooks of struct lab_platform.
 *
 * Context rules (Linux's): kmap_local and kmap_atomic never sleep and work in
 * any context, interrupts included (an interrupt pushes above the task's
 * entries and must pop them before it returns, so the stack stays LIFO;
 * the push reserves the slot before mapping, the pop unmaps before
 * releasing it, so an interrupt between the two steps finds a consistent
 * stack). kmap may sleep for a free slot: from atomic context it is reported
 * as might_sleep would, then fails or degrades to a non-waiting attempt
 * (LAB_CFG_MIGHT_SLEEP_FAIL), and never calls wait_event.
 *
 * Misuse (16th nested kmap_local, out-of-order or unknown kunmap_local,
 * kunmap of a page that is not kmap()ed) is reported with the kernel's
 * "kernel BUG at" / "WARNING:" lines and refused: nothing changes.
 */
#include "internal.h"
#include <labyrinth/kmap.h>

#define KMAP_FILE "core/kmap.c"

static struct lab_mem *checked_page_mem(const struct lab_page *page)
{
	struct lab_mem *mem = page ? lab__mem_of_page(page) : NULL;
	return mem && mem->magic == LAB_MEM_MAGIC ? mem : NULL;
}

/* Some instance to report through when an address names none. */
static struct lab_mem *any_mem(void)
{
	for (unsigned i = 0; i < LAB_MAX_INSTANCES; i++) {
		struct lab_mem *m = lab__registry_at(i);
		if (m && m->plat.log)
			return m;
	}
	return NULL;
}

static bool sleep_forbidden(struct lab_mem *mem)
{
	return mem->plat.in_atomic && mem->plat.in_atomic(mem->plat.ctx);
}

/* "kernel BUG at file:line!" (BUG_ON) or "WARNING: CPU: c PID: p at file:line fn"
 * (WARN_ON), then what happened. */
static void report_kmap_bug(struct lab_mem *mem, bool warning, int line, const char *fn,
			    const char *what, uint64_t pfn, const void *addr)
{
	if (!mem)
		return;
	if (warning) {
		unsigned cpu = mem->plat.cpu_id ? mem->plat.cpu_id(mem->plat.ctx) : 0;
		int pid = mem->plat.pid ? mem->plat.pid(mem->plat.ctx) : 0;
		lab__log(mem, LAB_LOG_WARNING, "WARNING: CPU: %u PID: %d at %s:%d %s", cpu, pid, KMAP_FILE, line, fn);
	} else {
		lab__log(mem, LAB_LOG_ERR, "kernel BUG at %s:%d!", KMAP_FILE, line);
	}
	lab__log(mem, warning ? LAB_LOG_WARNING : LAB_LOG_ERR, "labyrinth: %s: %s (pfn %#llx, address %p): refused",
		fn, what, (unsigned long long)pfn, addr);
}

/* might_sleep() on behalf of kmap/kunmap, plus the caller (Linux's call trace). */
static void kmap_might_sleep(struct lab_mem *mem, int line, const char *fn, const void *caller)
{
	/* a plain read: 64-bit atomics do not exist on every target, and a
	 * racing report only costs a missing or extra call-trace line */
	const volatile uint64_t *last = &mem->might_sleep_last_ns;
	uint64_t before = *last;
	lab__report_might_sleep(mem, KMAP_FILE, line);
	if (!mem->plat.now_ns || *last != before) {
		lab__log(mem, LAB_LOG_ERR, "Call Trace:");
		lab__log(mem, LAB_LOG_ERR, " %s called from [<%p>]", fn, caller);
	}
}

/* ---- kmap_local / kmap_atomic -------------------------------------------------- */

static struct lab_kmap_stack *task_stack(struct lab_mem *mem)
{
	return mem->plat.kmap_stack ? mem->plat.kmap_stack(mem->plat.kmap_ctx) : NULL;
}

/*
 * __kmap_local_pfn_prot + kmap_local_idx_push: map @page into the next slot
 * of the calling task's stack. NULL (reported) at the 16th nesting or when
 * the platform cannot map. O(1) plus the platform's map.
 */
static void *kmap_local_push(struct lab_mem *mem, struct lab_page *page)
{
	struct lab_kmap_stack *st = task_stack(mem);
	uint64_t pfn = page_pfn(mem, page);

	if (!st || !mem->plat.kmap_local_map || !mem->plat.kmap_local_unmap) {
		lab__log(mem, LAB_LOG_ERR,
			"labyrinth: kmap_local: pfn %#llx has no permanent address and the platform cannot map it",
			(unsigned long long)pfn);
		return NULL;
	}
	int idx = __atomic_load_n(&st->idx, __ATOMIC_RELAXED);
	if (idx < 0 || idx + 1 >= LAB_KM_MAX_IDX) {
		report_kmap_bug(mem, false, __LINE__, "kmap_local_idx_push",
				"more than 15 nested kmap_local mappings (KM_MAX_IDX 16)", pfn, NULL);
		return NULL;
	}
	/* reserve the slot first: an interrupt from here on pushes above it */
	__atomic_store_n(&st->idx, idx + 1, __ATOMIC_RELAXED);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	void *va = mem->plat.kmap_local_map(mem->plat.kmap_ctx, (unsigned)idx, pfn);
	if (!va) {
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
		__atomic_store_n(&st->idx, idx, __ATOMIC_RELAXED);
		lab__log(mem, LAB_LOG_ERR, "labyrinth: kmap_local: the platform could not map pfn %#llx",
			(unsigned long long)pfn);
		return NULL;
	}
	st->ent[idx].page = page;
	st->ent[idx].mem = mem;
	st->ent[idx].addr = va;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	return va;
}

void *lab_kmap_local(struct lab_page *page)
{
	struct lab_mem *mem = checked_page_mem(page);
	if (!mem)
		return NULL;
	void *va = lab__page_lowmem_address(page);
	return va || !LAB_CONFIG_HIGHMEM ? va : kmap_local_push(mem, page);
}

/*
 * The calling task's stack entry for @addr (any address inside the page):
 * the stacks of every instance's platform are searched (usually one
 * platform, so one stack of at most 15 entries).
 */
static struct lab_kmap_stack *find_local(const void *addr, int *pos)
{
	uintptr_t a = (uintptr_t)addr & ~(uintptr_t)(LAB_PAGE_SIZE - 1);
	struct lab_kmap_stack *seen = NULL;

	for (unsigned i = 0; i < LAB_MAX_INSTANCES; i++) {
		struct lab_mem *m = lab__registry_at(i);
		struct lab_kmap_stack *st = m ? task_stack(m) : NULL;
		if (!st || st == seen)
			continue;
		seen = st;
		for (int k = __atomic_load_n(&st->idx, __ATOMIC_RELAXED) - 1; k >= 0; k--)
			if ((uintptr_t)st->ent[k].addr == a) {
				*pos = k;
				return st;
			}
	}
	return NULL;
}

/*
 * kunmap_local_indexed: pop @addr if it is the top of the stack. Returns the
 * instance whose mapping (or lowmem page) @addr was, NULL when refused.
 */
static struct lab_mem *kunmap_local_pop(void *addr, const char *fn)
{
	int pos = -1;
	struct lab_kmap_stack *st = find_local(addr, &pos);

	if (!st) {
		struct lab_page *p = lab_virt_to_page(addr);
		if (p)
			return checked_page_mem(p);   /* lowmem: nothing was mapped */
		report_kmap_bug(any_mem(), true, __LINE__, fn,
				"address is not a kmap_local mapping of this task", 0, addr);
		return NULL;
	}
	struct lab_kmap_entry *e = &st->ent[pos];
	struct lab_mem *mem = e->mem;
	int top = __atomic_load_n(&st->idx, __ATOMIC_RELAXED) - 1;
	if (pos != top) {
		char what[96];
		lab__snprintf(what, sizeof(what), "out-of-order unmap: slot %d named, the most recent is slot %d",
			     pos, top);
		report_kmap_bug(mem, true, __LINE__, fn, what, page_pfn(mem, e->page), addr);
		return NULL;
	}
	mem->plat.kmap_local_unmap(mem->plat.kmap_ctx, (unsigned)pos, e->addr);
	e->addr = NULL;
	e->page = NULL;
	e->mem = NULL;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	__atomic_store_n(&st->idx, top, __ATOMIC_RELAXED);
	return mem;
}

void lab_kunmap_local(void *addr)
{
	if (addr && LAB_CONFIG_HIGHMEM)   /* without highmem nothing was mapped */
		kunmap_local_pop(addr, "kunmap_local");
}

void *lab_kmap_atomic(struct lab_page *page)
{
	struct lab_mem *mem = checked_page_mem(page);
	if (!mem)
		return NULL;
	if (mem->plat.preempt_disable)
		mem->plat.preempt_disable(mem->plat.ctx);
	void *va = lab_kmap_local(page);
	if (!va && mem->plat.preempt_enable)
		mem->plat.preempt_enable(mem->plat.ctx);   /* refused: leave the context as it was */
	return va;
}

void lab_kunmap_atomic(void *addr)
{
	if (!addr)
		return;
	struct lab_mem *mem = LAB_CONFIG_HIGHMEM ? kunmap_local_pop(addr, "kunmap_atomic") :
			      checked_page_mem(lab_virt_to_page(addr));
	if (mem && mem->plat.preempt_enable)
		mem->plat.preempt_enable(mem->plat.ctx);
}

int lab_kmap_local_depth(struct lab_mem *mem)
{
	struct lab_kmap_stack *st = LAB_CONFIG_HIGHMEM && mem && mem->magic == LAB_MEM_MAGIC ? task_stack(mem) : NULL;
	return st ? __atomic_load_n(&st->idx, __ATOMIC_RELAXED) : 0;
}

/* ---- kmap / kunmap: the pkmap pool ------------------------------------------------ */

static struct lab_pkmap *pkmap_pool(struct lab_mem *mem)
{
	if (!mem->plat.pkmap || !mem->plat.pkmap_map || !mem->plat.pkmap_unmap)
		return NULL;
	struct lab_pkmap *pool = mem->plat.pkmap(mem->plat.kmap_ctx);
	return pool && pool->nr && pool->slot ? pool : NULL;
}

const struct lab_pkmap *lab_kmap_pool(struct lab_mem *mem)
{
	return LAB_CONFIG_HIGHMEM && mem && mem->magic == LAB_MEM_MAGIC ? pkmap_pool(mem) : NULL;
}

static void kmap_lock(struct lab_mem *mem, unsigned long *flags)
{
	*flags = 0;
	if (mem->plat.kmap_lock)
		mem->plat.kmap_lock(mem->plat.kmap_ctx, flags);
}

static void kmap_unlock(struct lab_mem *mem, unsigned long flags)
{
	if (mem->plat.kmap_unlock)
		mem->plat.kmap_unlock(mem->plat.kmap_ctx, flags);
}

/* The slot that maps @page (count >= 1), or -1. O(nr). Kmap lock held. */
static int pkmap_find(const struct lab_pkmap *pool, const struct lab_page *page)
{
	for (unsigned i = 0; i < pool->nr; i++)
		if (pool->slot[i].count > 0 && pool->slot[i].page == page)
			return (int)i;
	return -1;
}

/* The address of @page's pkmap slot (count >= 1: in use or not yet
 * flushed), or NULL: page_address() of a highmem page. O(pkmap slots). */
void *lab__pkmap_page_address(struct lab_mem *mem, const struct lab_page *page)
{
	struct lab_pkmap *pool = LAB_CONFIG_HIGHMEM ? pkmap_pool(mem) : NULL;
	unsigned long flags;
	void *va = NULL;
	if (!pool)
		return NULL;
	kmap_lock(mem, &flags);
	int s = pkmap_find(pool, page);
	if (s >= 0)
		va = pool->slot[s].addr;
	kmap_unlock(mem, flags);
	return va;
}

/* flush_all_zero_pkmaps: every unused-but-mapped slot (count 1) becomes free.
 * Kmap lock held. O(nr) plus one platform unmap per stale slot. */
static void flush_all_zero_pkmaps(struct lab_mem *mem, struct lab_pkmap *pool)
{
	for (unsigned i = 0; i < pool->nr; i++) {
		struct lab_pkmap_slot *s = &pool->slot[i];
		if (s->count != 1)
			continue;
		mem->plat.pkmap_unmap(mem->plat.kmap_ctx, i, s->addr);
		s->count = 0;
		s->page = NULL;
		s->addr = NULL;
	}
	pool->flushes++;
}

/*
 * map_new_virtual without the sleep: scan round-robin from last + 1 for a
 * free slot, flushing at each wrap to slot 0. Returns the slot (count 1),
 * -1 when every slot is in use, -2 when the platform failed to map.
 * Kmap lock held. At most nr + 1 probes.
 */
static int map_new_virtual(struct lab_mem *mem, struct lab_pkmap *pool, struct lab_page *page)
{
	unsigned count = pool->nr;
	for (;;) {
		pool->last = (pool->last + 1) % pool->nr;
		if (pool->last == 0) {
			flush_all_zero_pkmaps(mem, pool);
			count = pool->nr;
		}
		if (!pool->slot[pool->last].count)
			break;
		if (--count == 0)
			return -1;
	}
	struct lab_pkmap_slot *s = &pool->slot[pool->last];
	void *va = mem->plat.pkmap_map(mem->plat.kmap_ctx, pool->last, page_pfn(mem, page));
	if (!va)
		return -2;
	s->count = 1;
	s->page = page;
	s->addr = va;
	return (int)pool->last;
}

/*
 * kmap_high: reuse the page's slot or map a new one; with @may_wait, sleep
 * (platform wait_event on pool->seq) until a kunmap frees a slot.
 */
static void *kmap_high(struct lab_mem *mem, struct lab_page *page, bool may_wait)
{
	struct lab_pkmap *pool = pkmap_pool(mem);
	unsigned long flags;

	if (!pool) {
		lab__log(mem, LAB_LOG_ERR, "labyrinth: kmap: pfn %#llx has no permanent address and the platform has no pkmap pool",
			(unsigned long long)page_pfn(mem, page));
		return NULL;
	}
	kmap_lock(mem, &flags);
	for (;;) {
		int s = pkmap_find(pool, page);
		if (s < 0)
			s = map_new_virtual(mem, pool, page);
		if (s >= 0) {
			pool->slot[s].count++;
			void *va = pool->slot[s].addr;
			kmap_unlock(mem, flags);
			return va;
		}
		if (s == -2 || !may_wait || !mem->plat.wait_event) {
			kmap_unlock(mem, flags);
			lab__log(mem, LAB_LOG_WARNING, "labyrinth: kmap: pfn %#llx: %s",
				(unsigned long long)page_pfn(mem, page),
				s == -2 ? "the platform could not map it" :
				!may_wait ? "all pkmap slots in use and the caller may not sleep" :
				"all pkmap slots in use and the platform cannot wait");
			return NULL;
		}
		unsigned seen = __atomic_load_n(&pool->seq, __ATOMIC_RELAXED);
		pool->waiters++;
		__atomic_add_fetch(&pool->waits, 1ul, __ATOMIC_RELAXED);   /* read unlocked by statistics */
		kmap_unlock(mem, flags);
		mem->plat.wait_event(mem->plat.ctx, &pool->seq, seen, 0);
		kmap_lock(mem, &flags);
		pool->waiters--;
	}
}

void *lab_kmap(struct lab_page *page)
{
	struct lab_mem *mem = checked_page_mem(page);
	bool may_wait = true;

	if (!mem)
		return NULL;
	if (sleep_forbidden(mem)) {
		kmap_might_sleep(mem, __LINE__, "kmap", __builtin_return_address(0));
		if (mem->flags & LAB_CFG_MIGHT_SLEEP_FAIL)
			return NULL;
		may_wait = false;   /* degrade: take a slot only if one is free now */
	}
	void *va = lab__page_lowmem_address(page);
	return va || !LAB_CONFIG_HIGHMEM ? va : kmap_high(mem, page, may_wait);
}

/*
 * kunmap / kunmap_high: drop one reference; when the slot becomes unused
 * (count 1) wake those waiting for a slot. From atomic context it is
 * reported (Linux's kunmap has might_sleep) but done: it never blocks here.
 */
void lab_kunmap(struct lab_page *page)
{
	struct lab_mem *mem = checked_page_mem(page);
	unsigned long flags;
	bool wake = false;

	if (!mem)
		return;
	if (sleep_forbidden(mem))
		kmap_might_sleep(mem, __LINE__, "kunmap", __builtin_return_address(0));
	if (lab__page_lowmem_address(page) || !LAB_CONFIG_HIGHMEM)
		return;
	struct lab_pkmap *pool = pkmap_pool(mem);
	int s = -1;
	if (pool) {
		kmap_lock(mem, &flags);
		s = pkmap_find(pool, page);
		if (s >= 0 && pool->slot[s].count >= 2) {
			if (--pool->slot[s].count == 1) {
				__atomic_add_fetch(&pool->seq, 1u, __ATOMIC_RELAXED);
				wake = pool->waiters != 0;
			}
		} else {
			s = -1;
		}
		kmap_unlock(mem, flags);
	}
	if (s < 0) {
		report_kmap_bug(mem, false, __LINE__, "kunmap_high", "page is not kmap()ed",
				page_pfn(mem, page), NULL);
		return;
	}
	if (wake && mem->plat.wake_up)
		mem->plat.wake_up(mem->plat.ctx, &pool->seq);
}
