/* SPDX-License-Identifier: MIT */
/*
 * tests/util/owner.h - a page owner for tests: a "page cache" whose pages
 * carry a checksummed pattern, so every migration is seen (the owner's
 * migrate op moves the slot) and every byte must survive it.
 */
#ifndef LAB_TEST_OWNER_H
#define LAB_TEST_OWNER_H

#include <pthread.h>
#include <stdint.h>
#include <labyrinth/background.h>

struct test_owner {
	struct lab_mem *mem;
	int id;
	unsigned lru;                    /* LAB_LRU_FILE (reclaimable) or LAB_LRU_ANON */
	struct lab_page **slot;          /* slot -> page (NULL = empty) */
	uint32_t *sum;                   /* slot -> checksum of its contents */
	int32_t *slot_of;                /* pfn -> slot (-1) */
	uint64_t span;
	unsigned cap, used;
	int busy;                        /* isolate() refuses while set */
	pthread_mutex_t lock;            /* slots vs. a daemon thread's operations */
	uint8_t *isolated;               /* slot -> the allocator holds it isolated */
	unsigned long migrations, reclaims, putbacks;
};

void test_owner_init(struct test_owner *o, struct lab_mem *mem, unsigned cap, unsigned lru);
void test_owner_fini(struct test_owner *o);
/* Allocates one order-0 page with @gfp into a free slot and fills it; returns the slot or -1. */
int test_owner_add(struct test_owner *o, lab_gfp_t gfp);
/* Frees the page of @slot: 0, or -EBUSY while the allocator holds it
 * isolated (reclaim or migration in a daemon's thread; try again). */
int test_owner_remove(struct test_owner *o, int slot);
/* Frees the owner's bookkeeping without touching its pages (after the
 * instance is gone: a failed test's cleanup). */
void test_owner_abandon(struct test_owner *o);
/* Every slot's page still holds its pattern (0 = all good, else mismatches). */
unsigned test_owner_verify(struct test_owner *o);

#endif
