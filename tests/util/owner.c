/* SPDX-License-Identifier: MIT */
/*
 * tests/util/owner.c - see owner.h. The operations may run in kswapd's or
 * kcompactd's thread while the test adds and removes pages: every slot
 * change is under o->lock (never held across an allocation, which may
 * reclaim and call back in), and a page the allocator isolated is not
 * removed until it comes back (migrate, putback or reclaim).
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util/owner.h"

static uint32_t checksum(const void *p)
{
	const uint32_t *w = p;
	uint32_t h = 2166136261u;
	for (unsigned i = 0; i < LAB_PAGE_SIZE / 4; i++)
		h = (h ^ w[i]) * 16777619u;
	return h;
}

static int slot_of(const struct test_owner *o, const struct lab_page *p)
{
	uint64_t pfn = lab_page_to_pfn(p);
	return pfn < o->span ? o->slot_of[pfn] : -1;
}

static int t_isolate(void *ctx, struct lab_page *p)
{
	struct test_owner *o = ctx;
	pthread_mutex_lock(&o->lock);
	int s = slot_of(o, p);
	int busy = __atomic_load_n(&o->busy, __ATOMIC_RELAXED) || s < 0;
	if (!busy)
		o->isolated[s] = 1;
	pthread_mutex_unlock(&o->lock);
	return busy ? -1 : 0;
}

static int t_migrate(void *ctx, struct lab_page *p, struct lab_page *np)
{
	struct test_owner *o = ctx;
	pthread_mutex_lock(&o->lock);
	int s = slot_of(o, p);
	if (s < 0) {
		pthread_mutex_unlock(&o->lock);
		return -1;
	}
	o->slot_of[lab_page_to_pfn(p)] = -1;
	o->slot_of[lab_page_to_pfn(np)] = s;
	o->slot[s] = np;
	o->isolated[s] = 0;
	o->migrations++;
	pthread_mutex_unlock(&o->lock);
	return 0;
}

static void t_putback(void *ctx, struct lab_page *p)
{
	struct test_owner *o = ctx;
	pthread_mutex_lock(&o->lock);
	int s = slot_of(o, p);
	if (s >= 0)
		o->isolated[s] = 0;
	o->putbacks++;
	pthread_mutex_unlock(&o->lock);
}

static int t_reclaim(void *ctx, struct lab_page *p)
{
	struct test_owner *o = ctx;
	pthread_mutex_lock(&o->lock);
	int s = slot_of(o, p);
	if (s < 0 || !(o->lru & LAB_LRU_FILE)) {
		if (s >= 0)
			o->isolated[s] = 0;   /* kept: back to the owner */
		pthread_mutex_unlock(&o->lock);
		return -1;
	}
	o->slot_of[lab_page_to_pfn(p)] = -1;
	o->slot[s] = NULL;
	o->isolated[s] = 0;
	o->used--;
	o->reclaims++;
	pthread_mutex_unlock(&o->lock);
	return 0;
}

static const struct lab_page_owner_ops test_ops = {
	.isolate = t_isolate, .migrate = t_migrate, .putback = t_putback, .reclaim = t_reclaim,
};

void test_owner_init(struct test_owner *o, struct lab_mem *mem, unsigned cap, unsigned lru)
{
	lab_pfn_t s, e;
	memset(o, 0, sizeof(*o));
	o->mem = mem;
	o->lru = lru;
	o->cap = cap;
	pthread_mutex_init(&o->lock, NULL);
	o->slot = calloc(cap, sizeof(*o->slot));
	o->sum = calloc(cap, sizeof(*o->sum));
	o->isolated = calloc(cap, 1);
	lab_mem_span(mem, &s, &e);
	o->span = e;
	o->slot_of = malloc(e * sizeof(*o->slot_of));
	memset(o->slot_of, 0xff, e * sizeof(*o->slot_of));
	o->id = lab_owner_register(mem, &test_ops, o);
}

void test_owner_fini(struct test_owner *o)
{
	for (unsigned round = 0;; round++) {
		unsigned left = 0;
		for (unsigned i = 0; i < o->cap; i++)
			if (test_owner_remove(o, (int)i) == -EBUSY)
				left++;   /* a daemon holds it isolated: again after it */
		if (!left)
			break;
		if (round == 1000000) {
			fprintf(stderr, "test_owner_fini: %u pages isolated and never given back\n", left);
			abort();
		}
		sched_yield();
	}
	pthread_mutex_destroy(&o->lock);
	free(o->slot);
	free(o->sum);
	free(o->slot_of);
	free(o->isolated);
}

void test_owner_abandon(struct test_owner *o)
{
	pthread_mutex_destroy(&o->lock);
	free(o->slot);
	free(o->sum);
	free(o->slot_of);
	free(o->isolated);
	o->slot = NULL;
	o->sum = NULL;
	o->slot_of = NULL;
	o->isolated = NULL;
}

int test_owner_add(struct test_owner *o, lab_gfp_t gfp)
{
	unsigned s;
	pthread_mutex_lock(&o->lock);
	for (s = 0; s < o->cap && o->slot[s]; s++)
		;
	pthread_mutex_unlock(&o->lock);
	if (s == o->cap)
		return -1;
	/* slot s stays empty meanwhile: only this thread fills slots */
	struct lab_page *p = lab_alloc_pages(o->mem, gfp | LAB___GFP_NOWARN, 0);
	if (!p)
		return -1;
	uint32_t *w = lab_page_address(p);
	if (w) {
		for (unsigned i = 0; i < LAB_PAGE_SIZE / 4; i++)
			w[i] = (uint32_t)(s * 2654435761u + i * 40503u);
		o->sum[s] = checksum(w);
	}
	pthread_mutex_lock(&o->lock);
	o->slot[s] = p;
	o->slot_of[lab_page_to_pfn(p)] = (int32_t)s;
	o->used++;
	pthread_mutex_unlock(&o->lock);
	lab_page_set_owner(o->mem, p, o->id, o->lru);
	return (int)s;
}

int test_owner_remove(struct test_owner *o, int s)
{
	pthread_mutex_lock(&o->lock);
	struct lab_page *p = o->slot[s];
	if (!p || o->isolated[s]) {
		pthread_mutex_unlock(&o->lock);
		return p ? -EBUSY : 0;
	}
	/* off the LRU first: no daemon can isolate it from now on; refused
	 * while reclaim or compaction already holds it (its ops come next) */
	if (lab_page_clear_owner(o->mem, p) == LAB_EBUSY) {
		pthread_mutex_unlock(&o->lock);
		return -EBUSY;
	}
	o->slot_of[lab_page_to_pfn(p)] = -1;
	o->slot[s] = NULL;
	o->used--;
	pthread_mutex_unlock(&o->lock);
	lab_free_pages(o->mem, p, 0);
	return 0;
}

unsigned test_owner_verify(struct test_owner *o)
{
	unsigned bad = 0;
	pthread_mutex_lock(&o->lock);
	for (unsigned s = 0; s < o->cap; s++) {
		const void *va = o->slot[s] ? lab_page_address(o->slot[s]) : NULL;
		if (va && checksum(va) != o->sum[s])
			bad++;
	}
	pthread_mutex_unlock(&o->lock);
	return bad;
}
