/* SPDX-License-Identifier: MIT */
/*
 * host/kmap_host.c - real highmem mappings on the host: the platform side of
 * kmap_local/kmap_atomic (a per-thread window) and kmap (a per-instance
 * pkmap region), both mapping pages of the arena's memfd with
 * mmap(MAP_FIXED) into reserved address space.
 *
 *   memfd (the "physical memory")
 *   +------+------+------+------+------+------+------+------+
 *   | pfn0 | pfn1 | ...  |      |  H   |      |  K   | ...  |   H, K highmem
 *   +------+------+------+------+------+------+------+------+
 *                                   |             |
 *      thread window (16 slots,     v             |     pkmap region (nr slots,
 *      PROT_NONE when unused)                     |     per instance)
 *      +------+------+-- ... --+                  v
 *      |  H   |      |         |        +------+------+------+-- ...
 *      +------+------+-- ... --+        |      |  K   |      |
 *       slot 0 = window + 0              +------+------+------+--
 *       slot i = window + i pages         slot 1 = region + 1 page
 *
 * Unmapping puts PROT_NONE anonymous memory back over the slot (keeping the
 * reservation), so a stale pointer faults instead of reading another page.
 * Each map or unmap is one mmap(2): a few microseconds, plus a TLB
 * shootdown on the other CPUs running the process - what a real kernel
 * pays for a highmem PTE too (it is why kmap_local exists: no global
 * flush for the local window).
 *
 * The window and the kmap_local stack are thread-local (initial-exec TLS),
 * so the hooks are safe inside the interrupt signal handler. The window is
 * reserved at a thread's first highmem kmap_local and released at thread
 * exit.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <labyrinth/context.h>
#include <labyrinth/kmap.h>
#include <labyrinth/host.h>

#define TLS __thread __attribute__((tls_model("initial-exec")))

struct lab_host_kmap {
	int memfd;
	lab_pfn_t base_pfn;                 /* pfn of the memfd's offset 0 */
	lab_pfn_t end_pfn;
	struct lab_spinlock lock;           /* kmap_lock */
	struct lab_pkmap pool;
	void *region;                       /* pool.nr pages */
};

static TLS struct lab_kmap_stack kstack;
static TLS char *kwindow;               /* LAB_KM_MAX_IDX pages */
static TLS int kwindow_hooked;
static pthread_key_t window_key;
static pthread_once_t window_once = PTHREAD_ONCE_INIT;
static int window_key_ok;

static void *reserve(size_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

/* Back to an inaccessible reservation. */
static void unmap_slot(void *addr)
{
	mmap(addr, LAB_PAGE_SIZE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
}

static void *map_slot(struct lab_host_kmap *km, void *addr, lab_pfn_t pfn)
{
	if (pfn < km->base_pfn || pfn >= km->end_pfn)
		return NULL;
	off_t off = (off_t)((pfn - km->base_pfn) << LAB_PAGE_SHIFT);
	void *p = mmap(addr, LAB_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, km->memfd, off);
	return p == MAP_FAILED ? NULL : p;
}

/* ---- the per-thread kmap_local window ------------------------------------------ */

static void window_release(void *arg)
{
	(void)arg;
	if (kwindow)
		munmap(kwindow, LAB_KM_MAX_IDX * LAB_PAGE_SIZE);
	kwindow = NULL;
	kwindow_hooked = 0;
}

static void window_key_create(void)
{
	window_key_ok = pthread_key_create(&window_key, window_release) == 0;
}

/*
 * Reserves the calling thread's window. May run inside the interrupt
 * handler: mmap is a plain syscall; the exit hook (pthread_setspecific) is
 * armed only where that cannot allocate (process context, or glibc's first
 * 32 keys which live in the thread descriptor); otherwise at the next
 * process-context mapping.
 */
static char *window(void)
{
	if (!kwindow) {
		kwindow = reserve(LAB_KM_MAX_IDX * LAB_PAGE_SIZE);
		if (!kwindow)
			return NULL;
	}
	if (!kwindow_hooked) {
		if (!lab_in_hardirq() && !lab_in_nmi())
			pthread_once(&window_once, window_key_create);
		if (window_key_ok && (!(lab_in_hardirq() || lab_in_nmi()) || window_key < 32)) {
			pthread_setspecific(window_key, kwindow);
			kwindow_hooked = 1;
		}
	}
	return kwindow;
}

void *lab_host_kmap_local_slot(unsigned idx)
{
	return kwindow && idx < LAB_KM_MAX_IDX ? kwindow + (size_t)idx * LAB_PAGE_SIZE : NULL;
}

static struct lab_kmap_stack *k_stack(void *kctx)
{
	(void)kctx;
	return &kstack;
}

static void *k_local_map(void *kctx, unsigned idx, lab_pfn_t pfn)
{
	char *w = idx < LAB_KM_MAX_IDX ? window() : NULL;
	return w ? map_slot(kctx, w + (size_t)idx * LAB_PAGE_SIZE, pfn) : NULL;
}

static void k_local_unmap(void *kctx, unsigned idx, void *addr)
{
	(void)kctx;
	(void)idx;
	unmap_slot(addr);
}

/* ---- the per-instance pkmap pool ------------------------------------------------- */

static struct lab_pkmap *k_pool(void *kctx)
{
	struct lab_host_kmap *km = kctx;
	return &km->pool;
}

static void *k_pkmap_map(void *kctx, unsigned slot, lab_pfn_t pfn)
{
	struct lab_host_kmap *km = kctx;
	if (slot >= km->pool.nr)
		return NULL;
	return map_slot(km, (char *)km->region + (size_t)slot * LAB_PAGE_SIZE, pfn);
}

static void k_pkmap_unmap(void *kctx, unsigned slot, void *addr)
{
	(void)kctx;
	(void)slot;
	unmap_slot(addr);
}

static void k_lock(void *kctx, unsigned long *flags)
{
	struct lab_host_kmap *km = kctx;
	*flags = lab_spin_lock_irqsave(&km->lock);
}

static void k_unlock(void *kctx, unsigned long flags)
{
	struct lab_host_kmap *km = kctx;
	lab_spin_unlock_irqrestore(&km->lock, flags);
}

struct lab_host_kmap *lab_host_kmap_create(int memfd, lab_pfn_t base_pfn, lab_pfn_t nr_pages, unsigned pkmap_slots)
{
	struct lab_host_kmap *km;

	if (memfd < 0 || !nr_pages) {
		errno = EINVAL;
		return NULL;
	}
	if (!pkmap_slots)
		pkmap_slots = LAB_HOST_PKMAP_SLOTS;
	km = calloc(1, sizeof(*km));
	if (!km)
		return NULL;
	km->pool.slot = calloc(pkmap_slots, sizeof(*km->pool.slot));
	km->region = reserve((size_t)pkmap_slots * LAB_PAGE_SIZE);
	if (!km->pool.slot || !km->region) {
		int e = errno ? errno : ENOMEM;
		free(km->pool.slot);
		if (km->region)
			munmap(km->region, (size_t)pkmap_slots * LAB_PAGE_SIZE);
		free(km);
		errno = e;
		return NULL;
	}
	km->memfd = memfd;
	km->base_pfn = base_pfn;
	km->end_pfn = base_pfn + nr_pages;
	km->pool.nr = pkmap_slots;
	lab_spin_lock_init(&km->lock);
	return km;
}

void lab_host_kmap_destroy(struct lab_host_kmap *km)
{
	if (!km)
		return;
	munmap(km->region, (size_t)km->pool.nr * LAB_PAGE_SIZE);
	free(km->pool.slot);
	free(km);
}

void lab_host_kmap_hooks(struct lab_host_kmap *km, struct lab_platform *plat)
{
	plat->kmap_ctx = km;
	plat->kmap_stack = k_stack;
	plat->kmap_local_map = k_local_map;
	plat->kmap_local_unmap = k_local_unmap;
	plat->pkmap = k_pool;
	plat->pkmap_map = k_pkmap_map;
	plat->pkmap_unmap = k_pkmap_unmap;
	plat->kmap_lock = k_lock;
	plat->kmap_unlock = k_unlock;
}
