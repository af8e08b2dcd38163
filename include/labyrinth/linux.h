/* SPDX-License-Identifier: MIT */
/*
 * labyrinth/linux.h - Linux's names over a default Labyrinth instance, so
 * driver code written against the kernel's page allocator API compiles and
 * runs unchanged:
 *
 *   driver code                      this header                 Labyrinth
 *   alloc_pages(GFP_ATOMIC, 2) ----> lab_alloc_pages(default, LAB_GFP_ATOMIC, 2)
 *   struct page *              ----> struct lab_page * (same object, own tag)
 *   spin_lock_irqsave(&l, f)   ----> f = lab_spin_lock_irqsave(&l)   (context.h)
 *   kmap_local_page(p)         ----> lab_kmap_local(p)
 *
 *   lab_linux_set_default(mem) chooses the instance (none: allocations fail).
 *
 * `struct page` is an incomplete type that is the same object as struct
 * lab_page; cast with lab_page_of()/page_of() when mixing both APIs. GFP
 * values are Linux 6.1's. Context and locking names need the host's
 * context tracking (src/host/context.c). Include it instead of the kernel's
 * <linux/gfp.h>, <linux/mm.h>, <linux/highmem.h>, <linux/spinlock.h>,
 * <linux/preempt.h>, <linux/irqflags.h>.
 */
#ifndef LABYRINTH_LINUX_H
#define LABYRINTH_LINUX_H

#include <labyrinth/labyrinth.h>
#include <labyrinth/context.h>
#include <labyrinth/kmap.h>
#include <labyrinth/page_pool.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The instance the Linux names use (implemented by the host, src/host/host.c). */
void lab_linux_set_default(struct lab_mem *mem);
struct lab_mem *lab_linux_default(void);

struct page;
typedef lab_gfp_t gfp_t;
typedef struct lab_spinlock spinlock_t;

static inline struct lab_page *lab_page_of(const struct page *page)
{
	return (struct lab_page *)(uintptr_t)page;
}

static inline struct page *page_of(const struct lab_page *page)
{
	return (struct page *)(uintptr_t)page;
}

#ifndef PAGE_SHIFT
#define PAGE_SHIFT LAB_PAGE_SHIFT
#endif
#ifndef PAGE_SIZE
#define PAGE_SIZE LAB_PAGE_SIZE
#endif
#ifndef PAGE_MASK
#define PAGE_MASK (~(PAGE_SIZE - 1))
#endif
#ifndef MAX_ORDER
#define MAX_ORDER LAB_MAX_ORDER
#endif
#define PAGE_ALLOC_COSTLY_ORDER LAB_PAGE_ALLOC_COSTLY_ORDER

/* ---- GFP flags (include/linux/gfp_types.h, 6.1) ------------------------------- */
#define __GFP_DMA             LAB___GFP_DMA
#define __GFP_HIGHMEM         LAB___GFP_HIGHMEM
#define __GFP_DMA32           LAB___GFP_DMA32
#define __GFP_MOVABLE         LAB___GFP_MOVABLE
#define __GFP_RECLAIMABLE     LAB___GFP_RECLAIMABLE
#define __GFP_HIGH            LAB___GFP_HIGH
#define __GFP_IO              LAB___GFP_IO
#define __GFP_FS              LAB___GFP_FS
#define __GFP_ZERO            LAB___GFP_ZERO
#define __GFP_ATOMIC          LAB___GFP_ATOMIC
#define __GFP_DIRECT_RECLAIM  LAB___GFP_DIRECT_RECLAIM
#define __GFP_KSWAPD_RECLAIM  LAB___GFP_KSWAPD_RECLAIM
#define __GFP_WRITE           LAB___GFP_WRITE
#define __GFP_NOWARN          LAB___GFP_NOWARN
#define __GFP_RETRY_MAYFAIL   LAB___GFP_RETRY_MAYFAIL
#define __GFP_NOFAIL          LAB___GFP_NOFAIL
#define __GFP_NORETRY         LAB___GFP_NORETRY
#define __GFP_MEMALLOC        LAB___GFP_MEMALLOC
#define __GFP_COMP            LAB___GFP_COMP
#define __GFP_NOMEMALLOC      LAB___GFP_NOMEMALLOC
#define __GFP_HARDWALL        LAB___GFP_HARDWALL
#define __GFP_THISNODE        LAB___GFP_THISNODE
#define __GFP_ACCOUNT         LAB___GFP_ACCOUNT
#define __GFP_ZEROTAGS        LAB___GFP_ZEROTAGS
#define __GFP_RECLAIM         LAB___GFP_RECLAIM
#define GFP_ATOMIC            LAB_GFP_ATOMIC
#define GFP_KERNEL            LAB_GFP_KERNEL
#define GFP_KERNEL_ACCOUNT    LAB_GFP_KERNEL_ACCOUNT
#define GFP_NOWAIT            LAB_GFP_NOWAIT
#define GFP_NOIO              LAB_GFP_NOIO
#define GFP_NOFS              LAB_GFP_NOFS
#define GFP_USER              LAB_GFP_USER
#define GFP_DMA               LAB_GFP_DMA
#define GFP_DMA32             LAB_GFP_DMA32
#define GFP_HIGHUSER          LAB_GFP_HIGHUSER
#define GFP_HIGHUSER_MOVABLE  LAB_GFP_HIGHUSER_MOVABLE
#define GFP_TRANSHUGE_LIGHT   LAB_GFP_TRANSHUGE_LIGHT
#define GFP_TRANSHUGE         LAB_GFP_TRANSHUGE
#define gfpflags_allow_blocking(gfp) lab_gfpflags_allow_blocking(gfp)

/* ---- the page allocator (include/linux/gfp.h, mm.h) ----------------------------- */
static inline struct page *alloc_pages(gfp_t gfp, unsigned int order)
{
	return page_of(lab_alloc_pages(lab_linux_default(), gfp, order));
}

static inline struct page *alloc_page(gfp_t gfp)
{
	return alloc_pages(gfp, 0);
}

static inline void __free_pages(struct page *page, unsigned int order)
{
	lab_free_pages(lab_linux_default(), lab_page_of(page), order);
}

static inline void __free_page(struct page *page)
{
	__free_pages(page, 0);
}

static inline unsigned long __get_free_pages(gfp_t gfp, unsigned int order)
{
	return (unsigned long)(uintptr_t)lab_get_free_pages(lab_linux_default(), gfp, order);
}

static inline unsigned long __get_free_page(gfp_t gfp)
{
	return __get_free_pages(gfp, 0);
}

static inline unsigned long get_zeroed_page(gfp_t gfp)
{
	return __get_free_pages(gfp | __GFP_ZERO, 0);
}

static inline void free_pages(unsigned long addr, unsigned int order)
{
	if (addr)
		lab_free_pages_addr(lab_linux_default(), (void *)(uintptr_t)addr, order);
}

static inline void free_page(unsigned long addr)
{
	free_pages(addr, 0);
}

static inline void *alloc_pages_exact(size_t size, gfp_t gfp)
{
	return lab_alloc_pages_exact(lab_linux_default(), size, gfp);
}

static inline void free_pages_exact(void *virt, size_t size)
{
	lab_free_pages_exact(lab_linux_default(), virt, size);
}

static inline void *page_address(const struct page *page)
{
	return lab_page_address(lab_page_of(page));
}

static inline struct page *virt_to_page(const void *addr)
{
	return page_of(lab_virt_to_page(addr));
}

static inline unsigned long page_to_pfn(const struct page *page)
{
	return (unsigned long)lab_page_to_pfn(lab_page_of(page));
}

static inline struct page *pfn_to_page(unsigned long pfn)
{
	return page_of(lab_pfn_to_page(lab_linux_default(), pfn));
}

static inline lab_phys_t page_to_phys(const struct page *page)
{
	return lab_page_to_phys(lab_page_of(page));
}

static inline unsigned int compound_order(const struct page *page)
{
	return lab_compound_order(lab_page_of(page));
}

static inline void drain_local_pages(void *zone_unused)
{
	(void)zone_unused;
	lab_drain_local_pages(lab_linux_default());
}

static inline void drain_all_pages(void *zone_unused)
{
	(void)zone_unused;
	lab_drain_all_pages(lab_linux_default());
}

/* ---- page_pool (include/net/page_pool/{types,helpers}.h) ------------------------------
 * Differences: params.memory holds the pool (the core allocates nothing) and
 * params.cpu names the NAPI CPU (Linux: params.napi); page_pool_create returns
 * NULL, not an ERR_PTR, on bad params. */
#define page_pool        lab_page_pool
#define page_pool_params lab_page_pool_params
#define page_pool_stats  lab_page_pool_stats
#define PP_FLAG_DMA_MAP  LAB_PP_FLAG_DMA_MAP
typedef lab_phys_t dma_addr_t;

static inline struct page_pool *page_pool_create(const struct page_pool_params *params)
{
	return lab_page_pool_create(lab_linux_default(), params, NULL);
}

static inline struct page *page_pool_alloc_pages(struct page_pool *pool, gfp_t gfp)
{
	return page_of(lab_page_pool_alloc_pages(pool, gfp));
}

static inline struct page *page_pool_dev_alloc_pages(struct page_pool *pool)
{
	return page_pool_alloc_pages(pool, GFP_ATOMIC | __GFP_NOWARN);
}

static inline struct page *page_pool_alloc_frag(struct page_pool *pool, unsigned int *offset,
						unsigned int size, gfp_t gfp)
{
	return page_of(lab_page_pool_alloc_frag(pool, offset, size, gfp));
}

static inline struct page *page_pool_dev_alloc_frag(struct page_pool *pool, unsigned int *offset,
						    unsigned int size)
{
	return page_pool_alloc_frag(pool, offset, size, GFP_ATOMIC | __GFP_NOWARN);
}

static inline void page_pool_put_full_page(struct page_pool *pool, struct page *page, int allow_direct)
{
	lab_page_pool_put_page(pool, lab_page_of(page), allow_direct);
}

static inline void page_pool_put_page(struct page_pool *pool, struct page *page,
				      unsigned int dma_sync_size, int allow_direct)
{
	(void)dma_sync_size;
	lab_page_pool_put_page(pool, lab_page_of(page), allow_direct);
}

static inline void page_pool_recycle_direct(struct page_pool *pool, struct page *page)
{
	lab_page_pool_recycle_direct(pool, lab_page_of(page));
}

static inline void page_pool_destroy(struct page_pool *pool)
{
	lab_page_pool_destroy(pool);
}

static inline dma_addr_t page_pool_get_dma_addr(const struct page *page)
{
	return lab_page_pool_get_dma_addr(lab_page_of(page));
}

/* Linux adds the pool's counters to *stats; so does this. */
static inline int page_pool_get_stats(const struct page_pool *pool, struct page_pool_stats *stats)
{
	struct lab_page_pool_stats s;
	if (!pool || !stats)
		return 0;
	lab_page_pool_get_stats(pool, &s);
	lab_page_pool_stats_add(stats, &s);
	return 1;
}

/* ---- highmem (include/linux/highmem.h) ---------------------------------------------- */
static inline void *kmap(struct page *page)
{
	return lab_kmap(lab_page_of(page));
}

static inline void kunmap(struct page *page)
{
	lab_kunmap(lab_page_of(page));
}

static inline void *kmap_local_page(struct page *page)
{
	return lab_kmap_local(lab_page_of(page));
}

static inline void *kmap_atomic(struct page *page)
{
	return lab_kmap_atomic(lab_page_of(page));
}

/* Macros in Linux too: they take a pointer of any type. */
#define kunmap_local(addr)  lab_kunmap_local((void *)(uintptr_t)(addr))
#define kunmap_atomic(addr) lab_kunmap_atomic((void *)(uintptr_t)(addr))

/* ---- context (include/linux/preempt.h, irqflags.h, spinlock.h) ------------------------ */
#define preempt_count()        lab_preempt_count()
#define in_atomic()            lab_in_atomic()
#define in_interrupt()         lab_in_interrupt()
#define in_irq()               lab_in_hardirq()
#define in_hardirq()           lab_in_hardirq()
#define in_softirq()           lab_in_softirq()
#define in_serving_softirq()   lab_in_serving_softirq()
#define in_nmi()               lab_in_nmi()
#define in_task()              lab_in_task()
#define irqs_disabled()        lab_irqs_disabled()
#define preempt_disable()      lab_preempt_disable()
#define preempt_enable()       lab_preempt_enable()
#define local_bh_disable()     lab_local_bh_disable()
#define local_bh_enable()      lab_local_bh_enable()
#define local_irq_disable()    lab_local_irq_disable()
#define local_irq_enable()     lab_local_irq_enable()
#define local_irq_save(flags)    do { (flags) = lab_local_irq_save(); } while (0)
#define local_irq_restore(flags) lab_local_irq_restore(flags)

#define DEFINE_SPINLOCK(x)     spinlock_t x = LAB_SPINLOCK_INIT
#define spin_lock_init(lock)   lab_spin_lock_init(lock)
#define spin_lock(lock)        lab_spin_lock(lock)
#define spin_unlock(lock)      lab_spin_unlock(lock)
#define spin_trylock(lock)     lab_spin_trylock(lock)
#define spin_lock_bh(lock)     lab_spin_lock_bh(lock)
#define spin_unlock_bh(lock)   lab_spin_unlock_bh(lock)
#define spin_lock_irq(lock)    lab_spin_lock_irq(lock)
#define spin_unlock_irq(lock)  lab_spin_unlock_irq(lock)
#define spin_lock_irqsave(lock, flags)      do { (flags) = lab_spin_lock_irqsave(lock); } while (0)
#define spin_trylock_irqsave(lock, flags)   lab_spin_trylock_irqsave((lock), &(flags))
#define spin_unlock_irqrestore(lock, flags) lab_spin_unlock_irqrestore((lock), (flags))

#ifdef __cplusplus
}
#endif
#endif
