/* SPDX-License-Identifier: MIT */
/*
 * labyrinth/platform.h - the only seam between the freestanding core and the
 * world. An embedder fills a struct lab_platform with its own primitives; the
 * POSIX host (labyrinth/host.h) and the simulator (labyrinth/sim.h) are two
 * ready-made implementations.
 *
 * Every hook may be NULL; the core then assumes a single CPU, process
 * context, no locking, no clock and no log. Hooks marked "never blocks" are
 * the only ones the core calls on a path that cannot sleep (invariant 5 of
 * DESIGN.md): an atomic allocation calls nothing else.
 */
#ifndef LABYRINTH_PLATFORM_H
#define LABYRINTH_PLATFORM_H

#include <stdint.h>
#include <labyrinth/stats.h>

#ifdef __cplusplus
extern "C" {
#endif

/* preempt_count layout (Linux values, include/linux/preempt.h): what the
 * preempt_count hook returns; labyrinth/context.h draws it. */
#define LAB_PREEMPT_OFFSET          0x00000001u
#define LAB_SOFTIRQ_OFFSET          0x00000100u
#define LAB_SOFTIRQ_DISABLE_OFFSET  0x00000200u
#define LAB_HARDIRQ_OFFSET          0x00010000u
#define LAB_NMI_OFFSET              0x00100000u
#define LAB_PREEMPT_MASK            0x000000ffu
#define LAB_SOFTIRQ_MASK            0x0000ff00u
#define LAB_HARDIRQ_MASK            0x000f0000u
#define LAB_NMI_MASK                0x00f00000u

enum lab_log_level { LAB_LOG_ERR = 3, LAB_LOG_WARNING = 4, LAB_LOG_INFO = 6, LAB_LOG_DEBUG = 7 };

struct lab_platform {
	void *ctx;
	/* Zone lock, irqsave semantics (spin_lock_irqsave). Never blocks
	 * beyond spinning. @flags carries the saved interrupt state. */
	void (*zone_lock)(void *ctx, unsigned zone, unsigned long *flags);
	void (*zone_unlock)(void *ctx, unsigned zone, unsigned long flags);
	/* Current CPU (0..nr_cpus-1). Never blocks. */
	unsigned (*cpu_id)(void *ctx);
	/* Current context and whether sleeping is forbidden (preempt_count
	 * != 0 or interrupts disabled). Never blocks. */
	enum lab_context (*context)(void *ctx);
	int (*in_atomic)(void *ctx);
	/* Name of the current task, for reports ("comm"). Never blocks. */
	const char *(*comm)(void *ctx);
	/* Monotonic nanoseconds; used for report rate limiting. Never blocks. */
	uint64_t (*now_ns)(void *ctx);
	/* One complete line (no trailing newline) of kernel-style log text.
	 * Must not block: it is called from atomic paths (bad page reports). */
	void (*log)(void *ctx, enum lab_log_level level, const char *line);
	/* A failure record for warn_alloc (already rate-limited and NOWARN-
	 * filtered by the core). Never blocks; copy what you keep. */
	void (*warn_alloc)(void *ctx, const struct lab_alloc_failure *failure);
	/* Ask background reclaim to run (wakeup_kswapd). Never blocks. */
	void (*wake_kswapd)(void *ctx, unsigned order, int highest_zoneidx);
	/* Sleep until woken or @timeout_ns passes (may block): only called
	 * from allocations with __GFP_DIRECT_RECLAIM in process context. */
	void (*sleep)(void *ctx, uint64_t timeout_ns);
	/* Per-CPU list lock of @cpu, irqsave semantics. trylock returns 1 when
	 * taken; the core uses it on the allocating CPU (an interrupt nesting
	 * on the same CPU then fails the trylock and goes to the zone lock,
	 * as Linux 6.1 does), and lock (spinning) to drain another CPU's
	 * lists. NULL hooks = no locking (single CPU, no interrupts). */
	int (*pcp_trylock)(void *ctx, unsigned cpu, unsigned long *flags);
	void (*pcp_lock)(void *ctx, unsigned cpu, unsigned long *flags);
	void (*pcp_unlock)(void *ctx, unsigned cpu, unsigned long flags);
	/* For might_sleep reports: interrupts disabled? preempt_count value,
	 * task id. Never block; NULL = 0. */
	int (*irqs_disabled)(void *ctx);
	unsigned (*preempt_count)(void *ctx);
	int (*pid)(void *ctx);
	/* Ask background compaction to run (wakeup_kcompactd). Never blocks. */
	void (*wake_kcompactd)(void *ctx, unsigned order, int highest_zoneidx);
	/* Copy one page's contents for migration when the pages have no
	 * direct-map address (highmem, or an embedder without a direct map).
	 * NULL: pages without addresses migrate without a copy (a simulator's
	 * pages have no contents). Process context; may not block. */
	void (*copy_page)(void *ctx, lab_pfn_t dst, lab_pfn_t src);
	/* The out-of-memory hook (out_of_memory): free something (kill a
	 * task, drop a cache) and return nonzero if memory was freed. Called
	 * only from blocking allocations after reclaim and compaction failed.
	 * NULL: report and fail, never kill. */
	int (*oom)(void *ctx, lab_gfp_t gfp, unsigned order);

	/* --- waiting, preemption and highmem mapping --- */
	/* Sleep until *@word != @old, a wake_up(@word), or @timeout_ns passes
	 * (0 = no limit); may return early, callers re-check. MAY BLOCK: only
	 * called from process context where sleeping is allowed. */
	void (*wait_event)(void *ctx, const unsigned *word, unsigned old, uint64_t timeout_ns);
	/* Wake every waiter of @word. Never blocks. */
	void (*wake_up)(void *ctx, const unsigned *word);
	/* preempt_disable()/preempt_enable() of the current task (kmap_atomic).
	 * Never block. */
	void (*preempt_disable)(void *ctx);
	void (*preempt_enable)(void *ctx);
	/*
	 * Highmem mappings (src/core/kmap.c, labyrinth/kmap.h). These hooks
	 * get @kmap_ctx, not @ctx. NULL hooks: highmem pages cannot be mapped
	 * (lowmem pages still can: page_address()). None of them blocks; the
	 * kmap_local ones are called from interrupt routines too.
	 */
	void *kmap_ctx;
	/* The current task's kmap_local stack (zero-initialised by the platform). */
	struct lab_kmap_stack *(*kmap_stack)(void *kmap_ctx);
	/* Map/unmap page frame @pfn at slot @idx of the current task's window. */
	void *(*kmap_local_map)(void *kmap_ctx, unsigned idx, lab_pfn_t pfn);
	void (*kmap_local_unmap)(void *kmap_ctx, unsigned idx, void *addr);
	/* The pkmap pool of this instance, NULL = no kmap() of highmem. */
	struct lab_pkmap *(*pkmap)(void *kmap_ctx);
	void *(*pkmap_map)(void *kmap_ctx, unsigned slot, lab_pfn_t pfn);
	void (*pkmap_unmap)(void *kmap_ctx, unsigned slot, void *addr);
	/* kmap_lock: spinning, irqsave semantics; protects the pkmap pool. */
	void (*kmap_lock)(void *kmap_ctx, unsigned long *flags);
	void (*kmap_unlock)(void *kmap_ctx, unsigned long flags);

	/* --- DMA mapping (labyrinth/page_pool.h, LAB_PP_FLAG_DMA_MAP) --- */
	/* The bus address a device uses for the 2^@order pages at @pfn
	 * (dma_map_page_attrs), page aligned, or LAB_DMA_MAPPING_ERROR.
	 * Never blocks (called from the pool's softirq). NULL: the bus address
	 * is the physical address. */
	lab_phys_t (*dma_map)(void *ctx, lab_pfn_t pfn, unsigned order);
	/* Undo dma_map (dma_unmap_page_attrs). Never blocks. NULL: nothing to undo. */
	void (*dma_unmap)(void *ctx, lab_phys_t dma, unsigned order);
};
#define LAB_DMA_MAPPING_ERROR (~(lab_phys_t)0)

#ifdef __cplusplus
}
#endif
#endif
