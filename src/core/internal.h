/* SPDX-License-Identifier: MIT */
/*
 * core/internal.h - the core's data structures. Read this first.
 *
 * Glossary
 *   pfn        physical frame number: physical address >> LAB_PAGE_SHIFT.
 *   idx        index of a page in mem->pages[]: pfn - mem->base_pfn. Lists
 *              link pages by idx (32 bits), which keeps struct lab_page at
 *              16 bytes (Linux: 64).
 *   block      2^order pages starting at a pfn aligned to 2^order.
 *   pageblock  2^pageblock_order pages sharing one migratetype byte.
 *   buddy      the other half of the block one order up: pfn ^ (1 << order).
 *
 *   mem->pages[]  one struct lab_page per pfn of the span [base_pfn, end_pfn)
 *   +--------+--------+--------+--------+--------+--------+-----
 *   | BUDDY  |        | HEAD   | TAIL?  |RESERVED| BUDDY  | ...
 *   | order 1|(inside)| order 1|(COMP)  | (hole) | order 0|
 *   +--------+--------+--------+--------+--------+--------+-----
 *      |                                            ^
 *      +-- next/prev idx links: free list (zone, order, migratetype)
 *
 *   zone->free_head[order][mt] -> idx -> idx -> ... (doubly linked, NIL-ended)
 *   zone->nonempty[mt]: bit o set <=> list (o, mt) is non-empty, so "the
 *   smallest order >= k with a block of type mt" is one ctz: O(1).
 *
 *   mem->pageblock_mt[]: one byte per pageblock: migratetype (low 4 bits)
 *   and the compaction skip hint (bit 7).
 *
 * Page states (invariant 1: every page of a zone is in exactly one):
 *   free       the head of a free block has LAB_PG_BUDDY and its order; the
 *              other pages of the block have no flags.
 *   allocated  the head has LAB_PG_HEAD and the allocation order; with
 *              __GFP_COMP the tails have LAB_PG_TAIL and next = head idx;
 *              without, tails have no flags (freeing one is refused because
 *              it is not a HEAD).
 *   per-CPU    LAB_PG_PCP on the head (the per-CPU lists, a later mechanism).
 *   reserved   LAB_PG_RESERVED: a hole or a range given as reserved.
 *
 * Counters (invariant 3), per zone, under the zone lock:
 *   free_pages == sum over (order, mt != ISOLATE) of nr_free_mt * 2^order
 *   nr_free[o] == sum over mt of nr_free_mt[o][mt]
 *   free_pages + allocated + pcp + isolated == managed          (invariant 4)
 *
 * Locks (lock letters used in field comments):
 *   (z) the zone lock, platform zone_lock(zone idx), irqsave
 *   (i) set at init or by a tunable setter (single writer), read anywhere
 *   (a) updated with atomic builtins
 */
#ifndef LAB_CORE_INTERNAL_H
#define LAB_CORE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>   /* the only libc the core uses: mem*, strlen */
#include <labyrinth/labyrinth.h>
#include <labyrinth/background.h>
#include <stdarg.h>

/*
 * Every function and object declared below is the core's own: its name
 * starts with lab__ and it is hidden, so that neither a kernel the core is
 * linked into (which has its own migrate_page, wakeup_kswapd ...) nor a
 * shared object's dynamic symbol table sees it. tests/core/symbols.sh fails
 * on any global the core defines outside lab_ / lab__.
 */
#pragma GCC visibility push(hidden)

#define LAB_MAX_SHRINKERS 32
#define LAB_DEF_PRIORITY 12
#define LAB_SWAP_CLUSTER_MAX 32
#define LAB_COMPACT_CLUSTER_MAX 32
#define LAB_MAX_RECLAIM_RETRIES 16
#define LAB_MAX_COMPACT_RETRIES 16
#define LAB_COMPACT_MAX_DEFER_SHIFT 6

#define LAB_NIL 0xffffffffu
#define LAB_HPAGE_PMD_ORDER 9   /* x86-64, 4 KiB pages */

/* LRU lists (enum lru_list) */
enum { LAB_LRU_INACTIVE_ANON, LAB_LRU_ACTIVE_ANON, LAB_LRU_INACTIVE_FILE, LAB_LRU_ACTIVE_FILE,
       LAB_LRU_UNEVICTABLE_LIST, LAB_NR_LRU };

/* struct lab_page.owner of an allocated head: owner id (bits 0-7) and state */
#define LAB_OWN_ID_MASK   0xffu
#define LAB_OWN_LRU       0x100u    /* on an LRU list */
#define LAB_OWN_ACTIVE    0x200u
#define LAB_OWN_FILE      0x400u
#define LAB_OWN_UNEVICT   0x800u
#define LAB_OWN_ISOLATED  0x1000u   /* taken off the LRU by reclaim/compaction */
#define LAB_OWN_CONTIG    0x2000u   /* a page of an alloc_contig_range range */
#define LAB_OWN_PAGE_POOL 0x4000u   /* a page_pool's page; bits 16-31: the pool's tag (page_pool.c) */
#define LAB_MEM_MAGIC 0x4c616279u /* "Laby" */

/* struct lab_page flags */
#define LAB_PG_BUDDY     0x01u  /* head of a free block on a buddy list */
#define LAB_PG_HEAD      0x02u  /* head of an allocated block */
#define LAB_PG_TAIL      0x04u  /* tail of a compound (__GFP_COMP) block */
#define LAB_PG_COMPOUND  0x08u  /* allocated head of a compound block */
#define LAB_PG_RESERVED  0x10u  /* hole or reserved range: never allocatable */
#define LAB_PG_PCP       0x20u  /* on a per-CPU list */
#define LAB_POISON_FREE  0x6b   /* debug poisoning of freed pages (slab's POISON_FREE) */

/*
 * The page descriptor: 16 bytes.
 *   0  next   list link (idx) / compound tail: head idx
 *   4  prev   list link (idx)
 *   8  flags  LAB_PG_*
 *   9  order  buddy order (BUDDY) or allocation order (HEAD, PCP)
 *  10  mt     migratetype of the list it is on (BUDDY, PCP) or requested (HEAD)
 *  11  zone   zone index
 *  12  owner  owner cookie of an allocated page (page-owner ops), else 0
 */
struct lab_page {
	uint32_t next;
	uint32_t prev;
	union {
		struct {
			uint8_t flags;
			uint8_t order;
			uint8_t mt;
			uint8_t zone;
		};
		uint32_t state;     /* the four bytes as one word, for compare-and-swap
				     * (32-bit atomics exist on every target; byte ones do not) */
	};
	uint32_t owner;
};
_Static_assert(sizeof(struct lab_page) == 16, "struct lab_page must stay 16 bytes");

/*
 * The state word (flags, order, migratetype, zone) is written without the
 * zone lock by the per-CPU and free paths and read by others: the buddy
 * merge check and compaction's scanners look at neighbours another CPU may
 * be handing out (Linux's racy PageBuddy() peeks). Such accesses are ONE
 * relaxed 32-bit atomic load or store: a reader sees a whole old or new
 * state, never a torn one, and the store is a single plain instruction.
 * (One store also keeps store-to-load forwarding into the free's CAS.)
 */
static inline struct lab_page page_state(const struct lab_page *p)
{
	struct lab_page s;
	s.state = __atomic_load_n(&p->state, __ATOMIC_RELAXED);
	return s;
}

static inline void page_set_state(struct lab_page *p, uint8_t flags, unsigned order, int mt)
{
	struct lab_page s = page_state(p);   /* the zone byte */
	s.flags = flags;
	s.order = (uint8_t)order;
	s.mt = (uint8_t)mt;
	__atomic_store_n(&p->state, s.state, __ATOMIC_RELAXED);
}

/* The owner word changes only under the zone lock, but the free path reads
 * it without the lock (is the page on an LRU? isolated by a daemon?):
 * relaxed atomic stores, and an atomic load where no lock is held. */
static inline uint32_t page_owner(const struct lab_page *p)
{
	return __atomic_load_n(&p->owner, __ATOMIC_RELAXED);
}

static inline void page_owner_set(struct lab_page *p, uint32_t owner)
{
	__atomic_store_n(&p->owner, owner, __ATOMIC_RELAXED);
}

/* New flags, same order, migratetype and zone. */
static inline void page_set_flags(struct lab_page *p, uint8_t flags)
{
	struct lab_page s = page_state(p);
	s.flags = flags;
	__atomic_store_n(&p->state, s.state, __ATOMIC_RELAXED);
}

/* Memory init (no other thread yet): the whole word, zone included; order
 * and migratetype 0. */
static inline void page_init_state(struct lab_page *p, uint8_t flags, unsigned zone)
{
	struct lab_page s;
	s.state = 0;
	s.flags = flags;
	s.zone = (uint8_t)zone;
	__atomic_store_n(&p->state, s.state, __ATOMIC_RELAXED);
}

#include "list.h"   /* the index-linked lists over mem->pages (struct lab_page above) */
#include "debug.h"  /* LAB_BUG_ON / LAB_WARN_ON: the debug tier */
#include "config.h" /* LAB_CONFIG_*: mechanisms compiled in or out */
/* A reason returned as text (lab_mem_init's): "" without reports, still
 * not NULL, so the refusal stands and only its words leave the image. */
#define LAB_WHY(text) (LAB_CONFIG_REPORTS ? (text) : "")

#define LAB_PB_MT_MASK 0x0fu
#define LAB_PB_SKIP    0x80u

/* alloc_flags (mm/internal.h, 6.1.116+ / 6.3+ values) */
#define ALLOC_WMARK_MIN      0x00u
#define ALLOC_WMARK_LOW      0x01u
#define ALLOC_WMARK_HIGH     0x02u
#define ALLOC_NO_WATERMARKS  0x04u
#define ALLOC_WMARK_MASK     0x03u
#define ALLOC_OOM            0x08u
#define ALLOC_NON_BLOCK      0x10u
#define ALLOC_MIN_RESERVE    0x20u
#define ALLOC_CPUSET         0x40u
#define ALLOC_CMA            0x80u
#define ALLOC_NOFRAGMENT     0x100u
#define ALLOC_HIGHATOMIC     0x200u
#define ALLOC_KSWAPD         0x800u
#define ALLOC_RESERVES (ALLOC_NON_BLOCK | ALLOC_MIN_RESERVE | ALLOC_HIGHATOMIC | ALLOC_OOM)

/* zone->flags */
#define LAB_ZONE_BOOSTED_WATERMARK 0x1u

struct lab_zone {
	/*
	 * Cache lines 0 and 1: what the allocation fast path reads (the
	 * watermark check, the pcp decision), so that a cold interrupt
	 * handler pays two lines for its zone. Line 0 holds the counters the
	 * zone lock's holder writes; line 1 is read-mostly.
	 */
	uint32_t idx;                       /* (i) enum lab_zone_type */
	bool populated;                     /* (i) managed > 0 */
	/* (i) the kernel profile (kernel.c): the watermark check keeps
	 * free_highatomic (6.12) or nr_reserved_highatomic (6.1) from
	 * callers without reserve rights (in line 0's padding) */
	bool unusable_free_highatomic;
	uint32_t flags;                     /* (a) LAB_ZONE_* */
	/* Written under the zone lock, read without it by the watermark checks
	 * (Linux: zone_page_state, an atomic_long): use zone_free() & co. */
	unsigned long free_pages;           /* NR_FREE_PAGES (isolated not counted) */
	unsigned long free_cma;             /* NR_FREE_CMA_PAGES */
	unsigned long free_highatomic;      /* nr_free_highatomic (6.12): pages on HighAtomic lists */
	unsigned long nr_reserved_highatomic;
	unsigned long boost;                /* watermark_boost (zone lock; kswapd clears it) */
	uint64_t cma_pages;                 /* (i) */
	/* line 1 (i): lowmem reserve, then the watermarks (min and low in
	 * the line; high and promo, kswapd's, spill over) */
	int64_t lowmem_reserve[LAB_MAX_NR_ZONES] __attribute__((aligned(64)));
	uint64_t wmark[LAB_NR_WMARK];       /* _watermark[], without boost */
	uint32_t pcp_batch;
	uint32_t pcp_high;
	/* (i) the kernel profile (kernel.c): an order-0 request at WMARK_MIN
	 * of a boosted zone is checked without the boost if its gfp has a
	 * bit of boost_exempt_gfp (6.1: __GFP_ATOMIC) or its alloc_flags one
	 * of boost_exempt_alloc (6.3+: ALLOC_MIN_RESERVE); the slow check only */
	uint32_t boost_exempt_gfp;
	uint32_t boost_exempt_alloc;
	/* (i) geometry */
	uint64_t start_pfn;                 /* zone_start_pfn */
	uint64_t end_pfn;                   /* exclusive; spanned = end - start */
	uint64_t present;
	uint64_t managed;
	uint64_t reserved_pages;            /* present - managed */
	/* (z) list operations on the buddy lists (add/del), for the
	 * per-allocation bound of the atomic path; read locklessly */
	unsigned long list_ops;
	/* (z) buddy free lists */
	uint32_t free_head[LAB_MAX_ORDER][LAB_MIGRATE_TYPES];
	uint32_t free_tail[LAB_MAX_ORDER][LAB_MIGRATE_TYPES];
	uint32_t nr_free_mt[LAB_MAX_ORDER][LAB_MIGRATE_TYPES];
	uint32_t nr_free[LAB_MAX_ORDER];
	uint16_t nonempty[LAB_MIGRATE_TYPES]; /* bit o: list (o, mt) non-empty */
	/* (z) LRU lists of owned pages (Linux enum lru_list order) */
	uint32_t lru_head[LAB_NR_LRU], lru_tail[LAB_NR_LRU];
	unsigned long nr_lru[LAB_NR_LRU];   /* pages (not blocks); a word: atomic on 32-bit targets */
	uint32_t nr_isolate_pageblock;      /* (z) pageblocks set to MIGRATE_ISOLATE */
	/* (z) HighAtomic pageblocks that steal_suitable_fallback retyped whole
	 * while nr_reserved_highatomic still counts them: Linux 6.1's own
	 * accounting drift (migratetype.c, change_pageblock_range), which
	 * lab_mem_check reports by name instead of as corruption */
	uint32_t highatomic_drift;
	/* (c) compaction state, c = the compacting context (one at a time per zone) */
	uint64_t compact_cached_migrate_pfn;
	uint64_t compact_cached_free_pfn;
	unsigned compact_considered;
	unsigned compact_defer_shift;
	int compact_order_failed;
	uint32_t compacting;                /* (a) 1 while a compaction runs in this zone */
} __attribute__((aligned(64)));
_Static_assert(__builtin_offsetof(struct lab_zone, lowmem_reserve) == 64 &&
	       __builtin_offsetof(struct lab_zone, wmark) + sizeof(uint64_t) * (LAB_WMARK_LOW + 1) <= 128,
	       "the fast path's zone fields fill cache lines 0 and 1");

/*
 * Per-CPU page lists (Linux per_cpu_pages), one per (CPU, zone):
 *
 *   pindex  0  1  2 | 3  4  5 | 6  7  8 | 9 10 11 | 12      13
 *   order   0  0  0 | 1  1  1 | 2  2  2 | 3  3  3 | pb(U/R) pb(M)
 *   type    U  M  R | U  M  R | ...               | "THP" lists
 *
 * Allocation takes the head; a refill appends batch >> order blocks to the
 * tail under one zone-lock hold; a free adds at the head; when count
 * reaches high, free_pcppages_bulk returns blocks from list tails
 * round-robin. Protected by the platform's pcp lock of that CPU (p).
 */
#define LAB_NR_LOWORDER_PCP_LISTS (LAB_MIGRATE_PCPTYPES * (LAB_PAGE_ALLOC_COSTLY_ORDER + 1))
#define LAB_NR_PCP_LISTS (LAB_NR_LOWORDER_PCP_LISTS + 2)

struct lab_pcp {
	/* cache line 0: everything a hit of order 0..3 reads or writes
	 * besides the instrument (16 + 12 * 4 = 64 bytes) */
	int count;                          /* (p) pages on all lists */
	short free_factor;                  /* (p) grows with frees, halves with allocs */
	short pad;
	int high;                           /* (i) zone_highsize */
	int batch;                          /* (i) zone_batchsize */
	uint32_t head[LAB_NR_PCP_LISTS];    /* (p) */
	uint32_t tail[LAB_NR_PCP_LISTS];    /* (p) */
	unsigned long list_ops;             /* (p) pcp list adds/dels; read locklessly */
	/* (p) PGALLOC_<zone> and PGFREE of the blocks that went through this
	 * pcp, read locklessly; lab_mem_get_stats adds them to the per-CPU
	 * counters (a hit then pays no atomic read-modify-write) */
	unsigned long pgalloc;
	unsigned long pgfree;
} __attribute__((aligned(64)));         /* a cold interrupt pays whole lines: no straddling */
_Static_assert(__builtin_offsetof(struct lab_pcp, head) + LAB_NR_LOWORDER_PCP_LISTS * sizeof(uint32_t) <= 64,
	       "the low-order list heads share the counters' cache line");

struct lab_cpu_counters {
	unsigned long events[LAB_NR_VM_EVENTS];
} __attribute__((aligned(64)));

struct lab_mem {
	uint32_t magic;
	uint32_t flags;                     /* (i) LAB_CFG_* */
	uint8_t kernel;                     /* (i) enum lab_kernel, resolved (kernel.c) */
	uint32_t gfp_unused;                /* (i) bits the profile's kernel does not have (kernel.c) */
	struct lab_platform plat;           /* (i) copy; NULL hooks allowed */
	uint64_t base_pfn;                  /* (i) first pfn of the span */
	uint64_t end_pfn;                   /* (i) exclusive */
	uint64_t highmem_start_pfn;         /* (i) ~0 = no highmem */
	bool highmem_zone;                  /* (i) zone 3 holds the highmem pages (x86-32 style) */
	uintptr_t virt_base;                /* (i) va of base_pfn, 0 = none */
	struct lab_page *pages;             /* (i) [end_pfn - base_pfn] */
	uint8_t *pageblock_mt;              /* (z of the zone) one byte per pageblock */
	struct lab_pcp *pcp;                /* [nr_cpus][LAB_MAX_NR_ZONES], NULL with LAB_CFG_NO_PCP */
	uint64_t pb_base_pfn;               /* (i) base_pfn rounded down to a pageblock */
	uint32_t pageblock_order;           /* (i) */
	uint32_t pcp_thp_order;             /* (i) the order of the per-CPU "THP" list (kernel.c) */
	uint32_t nr_cpus;                   /* (i) */
	uint32_t nr_zones;                  /* (i) LAB_MAX_NR_ZONES */
	struct lab_zone zones[LAB_MAX_NR_ZONES];
	struct lab_tunables tun;            /* (i) */
	uint64_t totalreserve_pages;        /* (i) */
	/* (a) per-CPU counters (Linux's vm_event_states and per-cpu zone
	 * stats): each CPU adds to its own cache line, so two CPUs allocating
	 * never bounce a counter between them; readers sum. Native-word
	 * atomics (a thread that is not attached may share a CPU's slot; a
	 * 32-bit MCU has no 64-bit atomic add). */
	struct lab_cpu_counters *counters;  /* [nr_cpus] */
	/* failure reports: (z of a global report lock; here single writer via atomics) */
	unsigned long fail_seq;             /* (a) */
	uint64_t fail_last_report_ns;       /* ratelimit: 10 s, burst 1 */
	uint32_t fail_reporting;            /* (a) 1 while a record is being written */
	struct lab_alloc_failure last_failure;
	bool have_failure;
	/* page owners and shrinkers (i: registered at setup) */
	struct { const struct lab_page_owner_ops *ops; void *ctx; } owners[LAB_MAX_OWNERS + 1];
	struct lab_shrinker *shrinkers[LAB_MAX_SHRINKERS];
	/* kswapd / kcompactd state (k: the background context) */
	/* (a) kswapd's pending request, one word so that a wake and kswapd's
	 * "balanced, request done" cannot lose each other: generation:16 |
	 * order:8 | highest_zoneidx + 1:8 (0 = not woken). Every wake bumps the
	 * generation; kswapd clears the request only if it is unchanged. */
	uint32_t kswapd_req;
	int kswapd_failures;                /* (k) balance runs without progress */
	int kswapd_priority;                /* (k) current scan priority, DEF_PRIORITY down to 0 */
	int kswapd_boosted;                 /* (k) this run started with a boost */
	unsigned long kswapd_reclaimed;     /* (k) pages reclaimed in this balance run */
	int kcompactd_order;                /* (a) */
	int kcompactd_highest_zoneidx;      /* (a) -1 = not woken */
	int kcompactd_zone;                 /* (k) next zone to compact */
	uint64_t proactive_last_ns;         /* (k) */
	/* CMA areas (i) */
	unsigned nr_cma;
	struct { uint64_t start_pfn, end_pfn; uint8_t *bitmap; } cma[LAB_MAX_CMA_AREAS];
	/* might_sleep report rate limit: once a second */
	uint64_t might_sleep_last_ns;
	/* bad-page report rate limit: 60 per minute */
	uint64_t badpage_window_ns;
	uint32_t badpage_in_window;
	uint64_t badpage_suppressed;
	/* (a) debug tier (debug.h): checks that fired, reported by lab_mem_check */
	unsigned long debug_vm_bugs;
	unsigned long debug_vm_warnings;
};

/* ---- inline helpers --------------------------------------------------- */

static inline uint32_t page_idx(const struct lab_mem *mem, const struct lab_page *p)
{
	return (uint32_t)(p - mem->pages);
}

/* NULL if @page is a page descriptor of @mem, else why not (the frees and
 * page_pool's puts check a pointer before they read the page). */
static inline const char *lab__foreign_page(const struct lab_mem *mem, const struct lab_page *page)
{
	uintptr_t a = (uintptr_t)page, lo = (uintptr_t)mem->pages;
	uintptr_t hi = (uintptr_t)(mem->pages + (mem->end_pfn - mem->base_pfn));
	if (!page)
		return LAB_WHY("NULL page");
	if (a < lo || a >= hi)
		return LAB_WHY("page does not belong to this allocator");
	if ((a - lo) % sizeof(struct lab_page))
		return LAB_WHY("misaligned page pointer");
	return NULL;
}

static inline uint64_t page_pfn(const struct lab_mem *mem, const struct lab_page *p)
{
	return mem->base_pfn + (uint64_t)(p - mem->pages);
}

static inline struct lab_page *pfn_page(struct lab_mem *mem, uint64_t pfn)
{
	return &mem->pages[pfn - mem->base_pfn];
}

static inline bool pfn_in_span(const struct lab_mem *mem, uint64_t pfn)
{
	return pfn >= mem->base_pfn && pfn < mem->end_pfn;
}

static inline uint32_t pageblock_nr_pages(const struct lab_mem *mem)
{
	return 1u << mem->pageblock_order;
}

static inline uint8_t *pageblock_byte(struct lab_mem *mem, uint64_t pfn)
{
	return &mem->pageblock_mt[(pfn - mem->pb_base_pfn) >> mem->pageblock_order];
}

/*
 * Pageblock bytes (migratetype and skip hint) are read without a lock (the
 * free path, compaction's skip test) and written only under the zone lock:
 * relaxed atomic byte loads and stores, so a reader sees a whole old or new
 * byte and two writers never lose each other's bits (Linux updates its
 * pageblock bitmap words with cmpxchg for the same reason).
 */
static inline uint8_t pageblock_get(struct lab_mem *mem, uint64_t pfn)
{
	return __atomic_load_n(pageblock_byte(mem, pfn), __ATOMIC_RELAXED);
}

/* Zone lock held (or no other thread yet): clear @clear, set @set. */
static inline void pageblock_update(struct lab_mem *mem, uint64_t pfn, uint8_t clear, uint8_t set)
{
	uint8_t *b = pageblock_byte(mem, pfn);
	__atomic_store_n(b, (uint8_t)((__atomic_load_n(b, __ATOMIC_RELAXED) & ~clear) | set), __ATOMIC_RELAXED);
}

static inline int get_pageblock_migratetype(struct lab_mem *mem, uint64_t pfn)
{
	return pageblock_get(mem, pfn) & LAB_PB_MT_MASK;
}

static inline void set_pageblock_migratetype(struct lab_mem *mem, uint64_t pfn, int mt)
{
	pageblock_update(mem, pfn, LAB_PB_MT_MASK, (uint8_t)mt);
}

static inline bool is_migrate_highatomic(int mt) { return mt == LAB_MIGRATE_HIGHATOMIC; }
static inline bool is_migrate_isolate(int mt) { return mt == LAB_MIGRATE_ISOLATE; }
static inline bool is_migrate_cma(int mt) { return mt == LAB_MIGRATE_CMA; }
static inline bool migratetype_is_mergeable(int mt) { return mt < LAB_MIGRATE_PCPTYPES; }

static inline void zone_lock(struct lab_mem *mem, struct lab_zone *z, unsigned long *flags)
{
	if (mem->plat.zone_lock)
		mem->plat.zone_lock(mem->plat.ctx, z->idx, flags);
}

static inline void zone_unlock(struct lab_mem *mem, struct lab_zone *z, unsigned long flags)
{
	if (mem->plat.zone_unlock)
		mem->plat.zone_unlock(mem->plat.ctx, z->idx, flags);
}

/* The current CPU (platform cpu_id, folded into 0..nr_cpus-1). Built for
 * size (-Os), one out-of-line copy in stats.c instead of one per file. */
static inline unsigned mem_cpu_inline(struct lab_mem *mem)
{
	unsigned c = mem->plat.cpu_id ? mem->plat.cpu_id(mem->plat.ctx) : 0;
	return c < mem->nr_cpus ? c : c % mem->nr_cpus;
}
#ifdef __OPTIMIZE_SIZE__
unsigned lab__mem_cpu(struct lab_mem *mem);
#define mem_cpu lab__mem_cpu
#else
#define mem_cpu mem_cpu_inline
#endif

static inline struct lab_cpu_counters *cpu_counters(struct lab_mem *mem)
{
	return &mem->counters[mem_cpu(mem)];
}

static inline void count_event_inline(struct lab_mem *mem, enum lab_vm_event e, uint64_t n)
{
	__atomic_fetch_add(&cpu_counters(mem)->events[e], (unsigned long)n, __ATOMIC_RELAXED);
}
#ifdef __OPTIMIZE_SIZE__   /* likewise: one copy, in stats.c */
void lab__count_event(struct lab_mem *mem, enum lab_vm_event e, uint64_t n);
#define count_event lab__count_event
#else
#define count_event count_event_inline
#endif

static inline uint64_t event_sum(const struct lab_mem *mem, enum lab_vm_event e)
{
	uint64_t sum = 0;
	for (unsigned c = 0; c < mem->nr_cpus; c++)
		sum += __atomic_load_n(&mem->counters[c].events[e], __ATOMIC_RELAXED);
	return sum;
}

/* Lockless readers of the counters the zone lock's holder updates: relaxed
 * atomic loads (a stale value is fine, a torn or "racy" one is not). */
/* Lockless readers of the buddy and LRU counters the zone lock's holder
 * updates (the fragmentation score, reclaim's scan sizes). */
static inline uint64_t zone_nr_free(const struct lab_zone *z, unsigned order)
{
	return __atomic_load_n(&z->nr_free[order], __ATOMIC_RELAXED);
}

static inline uint64_t zone_nr_lru(const struct lab_zone *z, int lru)
{
	return __atomic_load_n(&z->nr_lru[lru], __ATOMIC_RELAXED);
}

static inline uint32_t kswapd_req_load(const struct lab_mem *mem)
{
	return __atomic_load_n(&mem->kswapd_req, __ATOMIC_RELAXED);
}

static inline int kswapd_req_zone(uint32_t req) { return (int)(req & 0xffu) - 1; }
static inline unsigned kswapd_req_order(uint32_t req) { return (req >> 8) & 0xffu; }

/* kswapd's failure count: kswapd increments it, direct reclaim resets it,
 * allocations read it (a racy counter in Linux too): relaxed atomics. */
static inline int kswapd_failures(const struct lab_mem *mem)
{
	return __atomic_load_n(&mem->kswapd_failures, __ATOMIC_RELAXED);
}

static inline unsigned long zone_free(const struct lab_zone *z)
{
	return __atomic_load_n(&z->free_pages, __ATOMIC_RELAXED);
}

static inline unsigned long zone_free_cma(const struct lab_zone *z)
{
	return __atomic_load_n(&z->free_cma, __ATOMIC_RELAXED);
}

static inline unsigned zone_nonempty(const struct lab_zone *z, int mt)
{
	return __atomic_load_n(&z->nonempty[mt], __ATOMIC_RELAXED);
}

static inline unsigned long zone_boost(const struct lab_zone *z)
{
	return __atomic_load_n(&z->boost, __ATOMIC_RELAXED);
}

static inline void zone_set_boost(struct lab_zone *z, unsigned long v)
{
	__atomic_store_n(&z->boost, v, __ATOMIC_RELAXED);
}

static inline unsigned long zone_reserved_highatomic(const struct lab_zone *z)
{
	return __atomic_load_n(&z->nr_reserved_highatomic, __ATOMIC_RELAXED);
}

static inline void zone_set_reserved_highatomic(struct lab_zone *z, unsigned long v)
{
	__atomic_store_n(&z->nr_reserved_highatomic, v, __ATOMIC_RELAXED);
}

static inline uint64_t zone_wmark(const struct lab_zone *z, int w)
{
	return z->wmark[w] + zone_boost(z);
}

static inline unsigned lab_ctz32(uint32_t x) { return (unsigned)__builtin_ctz(x); }

/*
 * The allocation fast path's small steps, inline here so a per-CPU list hit
 * crosses no call it does not need (an out-of-line call per step cost more
 * than the list operation itself).
 */

/*
 * x86-64 GFP_ZONE_TABLE: 2 bits per combination of the four zone modifiers
 * (DMA 0, DMA32 1, NORMAL 2, MOVABLE 3; HIGHMEM means NORMAL without
 * CONFIG_HIGHMEM), and GFP_ZONE_BAD, one bit per invalid combination.
 */
#define GFP_ZONE_TABLE	0x1320122u
#define GFP_ZONES_SHIFT	2
#define GFP_ZONE_BAD	0xe8e8u

/*
 * Mirrors include/linux/gfp.h:gfp_zone(): the highest zone a request may
 * use. Where Linux has VM_BUG_ON for a bad combination, return -1 so the
 * caller can refuse the request (lab_gfp_zone).
 */
static inline int gfp_zone_idx(lab_gfp_t gfp)
{
	unsigned idx = gfp & LAB_GFP_ZONEMASK;

	if ((GFP_ZONE_BAD >> idx) & 1)
		return -1;
	return (int)((GFP_ZONE_TABLE >> (idx * GFP_ZONES_SHIFT)) & ((1u << GFP_ZONES_SHIFT) - 1));
}

/* gfp_migratetype() with mobility grouping on (lab_gfp_migratetype). */
static inline int gfp_migratetype(lab_gfp_t gfp)
{
	return (int)((gfp & LAB_GFP_MOVABLE_MASK) >> 3);
}

/* The highest zone index for @gfp; with a highmem zone, __GFP_HIGHMEM
 * reaches it (zone 3). -1 for a bad combination. */
static inline int gfp_highest_zone(const struct lab_mem *mem, lab_gfp_t gfp)
{
	int z = gfp_zone_idx(gfp);
	if (mem->highmem_zone && (gfp & LAB___GFP_HIGHMEM) && z == LAB_ZONE_NORMAL)
		z = LAB_ZONE_MOVABLE;
	return z;
}

/*
 * __zone_watermark_unusable_free: pages this caller may not count - the
 * order's own 2^order - 1, the highatomic reserve unless ALLOC_RESERVES,
 * free CMA unless ALLOC_CMA. On plain numbers, so that the allocator and
 * lab_zone_watermark_check() (diagnose, the simulator) share the rule.
 */
static inline int64_t watermark_unusable_free(unsigned order, unsigned alloc_flags,
					      uint64_t reserved_highatomic, uint64_t free_cma)
{
	int64_t unusable = (int64_t)(1u << order) - 1;
	if (!(alloc_flags & ALLOC_RESERVES))
		unusable += (int64_t)reserved_highatomic;
	if (!(alloc_flags & ALLOC_CMA))
		unusable += (int64_t)free_cma;
	return unusable;
}

static inline unsigned long zone_free_highatomic(const struct lab_zone *z)
{
	return __atomic_load_n(&z->free_highatomic, __ATOMIC_RELAXED);
}

/* The highatomic pages the profile keeps from callers without reserve
 * rights: nr_reserved_highatomic (6.1) or nr_free_highatomic (6.12). */
static inline unsigned long zone_unusable_highatomic(const struct lab_zone *z)
{
	return z->unusable_free_highatomic ? zone_free_highatomic(z) : zone_reserved_highatomic(z);
}

static inline int64_t zone_watermark_unusable_free(const struct lab_zone *z, unsigned order,
						   unsigned alloc_flags)
{
	return watermark_unusable_free(order, alloc_flags, zone_unusable_highatomic(z), zone_free_cma(z));
}

bool lab__zone_watermark_fast_full(const struct lab_zone *z, unsigned order, uint64_t mark,
			      int highest_zoneidx, unsigned alloc_flags, lab_gfp_t gfp, int64_t free_pages);

/*
 * zone_watermark_fast: the order-0 shortcut inline (the common case: free
 * pages well above the mark); the full check and the 6.1 boost exception
 * out of line (watermark.c).
 */
static inline bool zone_watermark_fast(const struct lab_zone *z, unsigned order, uint64_t mark,
				       int highest_zoneidx, unsigned alloc_flags, lab_gfp_t gfp)
{
	int64_t free_pages = (int64_t)zone_free(z);

	if (!order) {
		int64_t reserved = zone_watermark_unusable_free(z, 0, alloc_flags);
		int64_t usable = free_pages - (reserved < free_pages ? reserved : free_pages);
		if (usable > (int64_t)mark + z->lowmem_reserve[highest_zoneidx])
			return true;
	}
	return lab__zone_watermark_fast_full(z, order, mark, highest_zoneidx, alloc_flags, gfp, free_pages);
}

/* Orders served by the per-CPU lists: 0..PAGE_ALLOC_COSTLY_ORDER and
 * the THP order (the "THP" list: pageblock_order in 6.1, HPAGE_PMD_ORDER in
 * 6.12; mem->pcp_thp_order). */
static inline bool pcp_allowed_order(const struct lab_mem *mem, unsigned order)
{
	return mem->pcp && (order <= LAB_PAGE_ALLOC_COSTLY_ORDER || order == mem->pcp_thp_order);
}

static inline struct lab_pcp *pcp_of(struct lab_mem *mem, unsigned cpu, unsigned zone)
{
	return &mem->pcp[cpu * LAB_MAX_NR_ZONES + zone];
}

/* ---- buddy.c: free lists (call with the zone lock held) ---------------- */
void lab__buddy_list_add(struct lab_mem *mem, struct lab_zone *z, struct lab_page *p,
		    unsigned order, int mt, bool tail);
void lab__buddy_list_del(struct lab_mem *mem, struct lab_zone *z, struct lab_page *p);
void lab__buddy_list_move(struct lab_mem *mem, struct lab_zone *z, struct lab_page *p, int mt, bool tail);
void lab__buddy_take_as_pages(struct lab_mem *mem, struct lab_zone *z, struct lab_page *p, int mt);
struct lab_page *lab__buddy_rmqueue_smallest(struct lab_mem *mem, struct lab_zone *z,
					unsigned order, int mt);
void lab__buddy_free_one(struct lab_mem *mem, struct lab_zone *z, uint64_t pfn,
		    unsigned order, int mt, bool to_tail);
void lab__buddy_free_range(struct lab_mem *mem, struct lab_zone *z, uint64_t start, uint64_t end, bool to_tail);
/* __rmqueue (zone lock held) and rmqueue_buddy (takes it) */
struct lab_page *lab__rmqueue_locked(struct lab_mem *mem, struct lab_zone *z, unsigned order,
				int mt, unsigned alloc_flags);
struct lab_page *lab__rmqueue_buddy(struct lab_mem *mem, struct lab_zone *z, unsigned order,
				   int mt, unsigned alloc_flags);

/* ---- migratetype.c: pageblocks and anti-fragmentation (zone lock held) --- */
extern const int lab__fallbacks[LAB_MIGRATE_TYPES][2];
bool lab__can_steal_fallback(const struct lab_mem *mem, unsigned order, int start_mt);
int lab__find_suitable_fallback(struct lab_mem *mem, struct lab_zone *z, unsigned order,
			   int migratetype, bool only_stealable, bool *can_steal);
bool lab__rmqueue_fallback(struct lab_mem *mem, struct lab_zone *z, unsigned order,
		      int start_mt, unsigned alloc_flags);
unsigned lab__move_freepages_block(struct lab_mem *mem, struct lab_zone *z, uint64_t pfn,
			      int mt, unsigned *movable_pages);

/* ---- highatomic.c ------------------------------------------------------ */
void lab__reserve_highatomic_pageblock(struct lab_mem *mem, struct lab_zone *z, struct lab_page *p);
bool lab__unreserve_highatomic_pageblock(struct lab_mem *mem, int highest_zoneidx, int migratetype, bool force);

/* ---- watermark.c ------------------------------------------------------- */
void lab__setup_per_zone_wmarks(struct lab_mem *mem);
/* kernel.c: resolve profile @k into mem's plain (i) fields. */
void lab__kernel_setup(struct lab_mem *mem, enum lab_kernel k);
void lab__setup_per_zone_lowmem_reserve(struct lab_mem *mem);
void lab__init_per_zone_wmark_min(struct lab_mem *mem);
bool lab__boost_watermark(struct lab_mem *mem, struct lab_zone *z);
bool lab__zone_watermark_ok_free(const struct lab_zone *z, unsigned order, uint64_t mark,
			    int highest_zoneidx, unsigned alloc_flags, int64_t free_pages);
void lab__zone_refusal(const struct lab_zone *z, unsigned order, uint64_t mark, int highest_zoneidx,
		       unsigned alloc_flags, lab_gfp_t gfp, struct lab_zone_refused *out);

/* ---- zone.c --------------------------------------------------------------- */
void lab__zone_pcp_update_sizes(struct lab_mem *mem);
uint32_t lab__zone_batchsize(uint64_t managed);
uint32_t lab__zone_highsize(const struct lab_zone *z, uint32_t batch, unsigned nr_cpus, int fraction);
uint32_t lab__zone_vmstat_threshold(uint64_t managed, unsigned nr_cpus);

/* ---- pcp.c: per-CPU lists ------------------------------------------------- */
struct lab_page *lab__rmqueue_pcplist(struct lab_mem *mem, struct lab_zone *z, unsigned order,
				 int mt, unsigned alloc_flags);
unsigned lab__rmqueue_pcplist_bulk(struct lab_mem *mem, struct lab_zone *z, int mt, unsigned alloc_flags,
			      unsigned nr, struct lab_page **out);
/* free_unref_page: 0 if the page went to a pcp list or the buddy */
void lab__free_unref_page(struct lab_mem *mem, struct lab_zone *z, struct lab_page *p, unsigned order);
void lab__free_unref_page_list(struct lab_mem *mem, struct lab_page **pages, unsigned n);
uint64_t lab__pcp_event_sum(const struct lab_mem *mem, enum lab_vm_event e);
bool lab__drain_all_pages_nonblocking(struct lab_mem *mem, int highest_zoneidx);
void lab__pcp_update_sizes(struct lab_mem *mem);
size_t lab__pcp_bytes(unsigned nr_cpus);
void lab__pcp_init(struct lab_mem *mem, void *area);
int lab__pcp_check(struct lab_mem *mem, struct lab_zone *z, uint64_t *pcp_pages);

/* ---- owner.c: page owners and LRU lists (zone lock held for lru_*) ---------- */
void lab__lru_add(struct lab_mem *mem, struct lab_zone *z, struct lab_page *p, bool head);
void lab__lru_del(struct lab_mem *mem, struct lab_zone *z, struct lab_page *p);
int lab__lru_index(const struct lab_page *p);
const struct lab_page_owner_ops *lab__owner_ops(struct lab_mem *mem, const struct lab_page *p, void **ctx);
bool lab__page_is_movable(struct lab_mem *mem, const struct lab_page *p);
unsigned long lab__shrink_slab(struct lab_mem *mem, int priority);

/* ---- migrate.c ----------------------------------------------------------- */
/* Moves allocated, isolated head @src (order 0..) to @dst (allocated, same
 * order); true on success (then @src is freed by the caller). */
bool lab__migrate_page(struct lab_mem *mem, struct lab_page *src, struct lab_page *dst);
void lab__free_isolated_page(struct lab_mem *mem, struct lab_page *p, unsigned order);
/* free.c */
void lab__unaccount_allocated(struct lab_mem *mem, struct lab_page *p, unsigned order, uint8_t flags_before);

/* ---- vmscan.c ------------------------------------------------------------------ */
unsigned long lab__shrink_zone_lru(struct lab_mem *mem, struct lab_zone *z, unsigned long nr_to_reclaim,
			      int priority, unsigned long *nr_scanned);
unsigned long lab__try_to_free_pages(struct lab_mem *mem, unsigned order, lab_gfp_t gfp, int highest_zoneidx);
uint64_t lab__zone_reclaimable_pages(const struct lab_zone *z);

/* ---- kswapd.c -------------------------------------------------------------------- */
void lab__wakeup_kswapd(struct lab_mem *mem, struct lab_zone *z, lab_gfp_t gfp, unsigned order, int highest_zoneidx);
void lab__wakeup_kcompactd(struct lab_mem *mem, unsigned order, int highest_zoneidx);

/* ---- compaction.c ---------------------------------------------------------------- */
enum compact_result {
	COMPACT_NOT_SUITABLE_ZONE = 0, COMPACT_SKIPPED, COMPACT_DEFERRED, COMPACT_NO_SUITABLE_PAGE,
	COMPACT_CONTINUE, COMPACT_COMPLETE, COMPACT_PARTIAL_SKIPPED, COMPACT_CONTENDED, COMPACT_SUCCESS
};
enum compact_priority { COMPACT_PRIO_SYNC_FULL = 0, COMPACT_PRIO_SYNC_LIGHT = 1, COMPACT_PRIO_ASYNC = 2 };
#define MIN_COMPACT_PRIORITY COMPACT_PRIO_SYNC_FULL
#define MIN_COMPACT_COSTLY_PRIORITY COMPACT_PRIO_SYNC_LIGHT
#define DEF_COMPACT_PRIORITY COMPACT_PRIO_SYNC_LIGHT
#define INIT_COMPACT_PRIORITY COMPACT_PRIO_ASYNC
enum compact_result lab__compaction_suitable(struct lab_mem *mem, struct lab_zone *z, int order,
					unsigned alloc_flags, int highest_zoneidx);
bool lab__compaction_deferred(struct lab_zone *z, int order);
void lab__defer_compaction(struct lab_zone *z, int order);
void lab__compaction_defer_reset(struct lab_zone *z, int order, bool alloc_success);
enum compact_result lab__try_to_compact_pages(struct lab_mem *mem, lab_gfp_t gfp, unsigned order,
					 unsigned alloc_flags, int highest_zoneidx, int migratetype,
					 enum compact_priority prio);
unsigned lab__compact_gap(unsigned order);

/* ---- isolation.c ------------------------------------------------------------------ */
int lab__start_isolate_page_range(struct lab_mem *mem, struct lab_zone *z, uint64_t start, uint64_t end, int undo_mt);
void lab__undo_isolate_page_range(struct lab_mem *mem, struct lab_zone *z, uint64_t start, uint64_t end, int mt);

/* ---- alloc.c -------------------------------------------------------------- */
unsigned lab__gfp_to_alloc_flags(lab_gfp_t gfp, unsigned order);

/* ---- report.c (core side of reports: log text, failure records) --------- */
void lab__log(struct lab_mem *mem, enum lab_log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void lab__report_bad_page(struct lab_mem *mem, struct lab_page *p, const char *reason);
void lab__report_might_sleep(struct lab_mem *mem, const char *file, int line);
void lab__report_alloc_failure(struct lab_mem *mem, lab_gfp_t gfp, unsigned order,
			       const struct lab_alloc_refusals *why);
#if !LAB_CONFIG_REPORTS
/* no text: the call stays (arguments type-checked, nothing unused) but is
 * dead, so its format strings and lab__log itself leave the image */
#define lab__log(...) do { if (0) lab__log(__VA_ARGS__); } while (0)
#endif
#if !LAB_CONFIG_REPORTS
/* counted, not described: the reason's text is dropped at the call */
#define lab__report_bad_page(mem, p, reason) ((void)(reason), lab__report_bad_page(mem, p, ""))
#define lab__report_might_sleep(mem, file, line) ((void)(file), lab__report_might_sleep(mem, "", line))
#endif

/* ---- fmt.c: freestanding formatting ------------------------------------ */
int lab__vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int lab__snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ---- init.c: instance registry ----------------------------------------- */
#define LAB_MAX_INSTANCES 32
struct lab_mem *lab__mem_of_page(const struct lab_page *p);
void *lab__page_lowmem_address(const struct lab_page *page);                          /* page.c */
void *lab__pkmap_page_address(struct lab_mem *mem, const struct lab_page *page);      /* kmap.c */
struct lab_mem *lab__registry_at(unsigned i);

#pragma GCC visibility pop

#endif
