/* SPDX-License-Identifier: MIT */
/*
 * labyrinth/kmap.h - page mappings (Linux include/linux/highmem.h): kmap,
 * kmap_local_page, kmap_atomic.
 *
 * The freestanding core implements them (src/core/kmap.c); they reach the
 * world through the kmap hooks of struct lab_platform (kmap_stack,
 * kmap_local_map, pkmap ...) and work with any platform. Lowmem pages are
 * mapped by page_address() and use no slot; highmem pages take a slot of
 * the calling task's kmap_local stack or of the instance's pkmap pool.
 * Built with LAB_CONFIG_HIGHMEM=0 there is no highmem (as Linux without
 * CONFIG_HIGHMEM): every map is page_address(), every unmap does nothing
 * (misuse is no longer caught), lab_kmap_local_depth is 0 and
 * lab_kmap_pool NULL.
 *
 *   kmap_local stack of a task (per thread on the host):
 *     idx -> 3
 *            +-------+-------+-------+-------+-- ... --+--------+
 *     ent[]  | A  s0 | B  s1 | C  s2 |       |         | (15)   |
 *            +-------+-------+-------+-------+-- ... --+--------+
 *     a push maps into slot idx and increments; a pop must name the top.
 *
 *   pkmap pool (one per instance): nr slots, count per slot:
 *     0 = free, 1 = unused but still mapped (flushed at the next wrap),
 *     n >= 2 = n - 1 users (kmap_high's counting).
 */
#ifndef LABYRINTH_KMAP_H
#define LABYRINTH_KMAP_H

#include <labyrinth/page.h>       /* struct lab_page, struct lab_mem */

#ifdef __cplusplus
extern "C" {
#endif

#define LAB_KM_MAX_IDX 16           /* KM_MAX_IDX: at most 15 nested mappings */

struct lab_kmap_stack {
	int idx;                        /* depth (kmap_ctrl.idx) */
	int pad;
	struct lab_kmap_entry {
		void *addr;             /* slot address */
		const struct lab_page *page;
		struct lab_mem *mem;
	} ent[LAB_KM_MAX_IDX];
};

struct lab_pkmap_slot {
	int count;
	int pad;
	const struct lab_page *page;    /* mapped page, NULL when count == 0 */
	void *addr;                     /* its address while mapped */
};

struct lab_pkmap {
	struct lab_pkmap_slot *slot;    /* [nr], zeroed by the platform */
	unsigned nr;                    /* LAST_PKMAP */
	unsigned last;                  /* last_pkmap_nr */
	unsigned seq;                   /* bumped at each wake-up (wait word) */
	unsigned waiters;
	unsigned long flushes;          /* wrap-around flushes */
	unsigned long waits;            /* times a kmap slept for a slot (atomic) */
};

/*
 * kmap(): a long-lived mapping from the pkmap pool. Lowmem: page_address().
 * May sleep waiting for a free slot. From atomic context it is reported
 * ("BUG: sleeping function called from invalid context") and, by policy
 * (LAB_CFG_MIGHT_SLEEP_FAIL), fails or degrades to a non-waiting attempt.
 * NULL on failure. Cost: O(pool slots) under the kmap lock.
 */
void *lab_kmap(struct lab_page *page);
/* kunmap(): drops a kmap() reference; unmapping a page that is not kmap()ed
 * is reported ("kernel BUG at ...") and refused. Never blocks. */
void lab_kunmap(struct lab_page *page);
/*
 * kmap_local_page(): any context, never sleeps. Lowmem: page_address(), no
 * slot used. Highmem: the next slot of the calling task's stack; the 16th
 * nested push is reported ("kernel BUG at ...") and returns NULL.
 */
void *lab_kmap_local(struct lab_page *page);
/* kunmap_local(): must name the most recent mapping (LIFO); anything else is
 * reported ("WARNING: ... kunmap_local") and refused. Lowmem addresses: no-op. */
void lab_kunmap_local(void *addr);
/* kmap_atomic(): preempt_disable() (+ pagefault_disable, a no-op here) and
 * kmap_local; kunmap_atomic undoes both. */
void *lab_kmap_atomic(struct lab_page *page);
void lab_kunmap_atomic(void *addr);
/* The instance's pkmap pool (read-only view), or NULL without one. */
const struct lab_pkmap *lab_kmap_pool(struct lab_mem *mem);
/* Depth of the calling task's kmap_local stack for @mem's platform. */
int lab_kmap_local_depth(struct lab_mem *mem);

#ifdef __cplusplus
}
#endif
#endif
