/* SPDX-License-Identifier: MIT */
/* tests/util/owner.c - see owner.h. */
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
	return (o->busy || slot_of(o, p) < 0) ? -1 : 0;
}

static int t_migrate(void *ctx, struct lab_page *p, struct lab_page *np)
{
	struct test_owner *o = ctx;
	int s = slot_of(o, p);
	if (s < 0)
		return -1;
	o->slot_of[lab_page_to_pfn(p)] = -1;
	o->slot_of[lab_page_to_pfn(np)] = s;
	o->slot[s] = np;
	o->migrations++;
	return 0;
}

static void t_putback(void *ctx, struct lab_page *p)
{
	struct test_owner *o = ctx;
	(void)p;
	o->putbacks++;
}

static int t_reclaim(void *ctx, struct lab_page *p)
{
	struct test_owner *o = ctx;
	int s = slot_of(o, p);
	if (s < 0 || !(o->lru & LAB_LRU_FILE))
		return -1;
	o->slot_of[lab_page_to_pfn(p)] = -1;
	o->slot[s] = NULL;
	o->used--;
	o->reclaims++;
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
	o->slot = calloc(cap, sizeof(*o->slot));
	o->sum = calloc(cap, sizeof(*o->sum));
	lab_mem_span(mem, &s, &e);
	o->span = e;
	o->slot_of = malloc(e * sizeof(*o->slot_of));
	memset(o->slot_of, 0xff, e * sizeof(*o->slot_of));
	o->id = lab_owner_register(mem, &test_ops, o);
}

void test_owner_fini(struct test_owner *o)
{
	for (unsigned i = 0; i < o->cap; i++)
		if (o->slot[i])
			test_owner_remove(o, (int)i);
	free(o->slot);
	free(o->sum);
	free(o->slot_of);
}

int test_owner_add(struct test_owner *o, lab_gfp_t gfp)
{
	unsigned s;
	for (s = 0; s < o->cap && o->slot[s]; s++)
		;
	if (s == o->cap)
		return -1;
	struct lab_page *p = lab_alloc_pages(o->mem, gfp | LAB___GFP_NOWARN, 0);
	if (!p)
		return -1;
	uint32_t *w = lab_page_address(p);
	if (w) {
		for (unsigned i = 0; i < LAB_PAGE_SIZE / 4; i++)
			w[i] = (uint32_t)(s * 2654435761u + i * 40503u);
		o->sum[s] = checksum(w);
	}
	o->slot[s] = p;
	o->slot_of[lab_page_to_pfn(p)] = (int32_t)s;
	o->used++;
	lab_page_set_owner(o->mem, p, o->id, o->lru);
	return (int)s;
}

void test_owner_remove(struct test_owner *o, int s)
{
	struct lab_page *p = o->slot[s];
	if (!p)
		return;
	lab_page_clear_owner(o->mem, p);
	o->slot_of[lab_page_to_pfn(p)] = -1;
	o->slot[s] = NULL;
	o->used--;
	lab_free_pages(o->mem, p, 0);
}

unsigned test_owner_verify(const struct test_owner *o)
{
	unsigned bad = 0;
	for (unsigned s = 0; s < o->cap; s++) {
		const void *va = o->slot[s] ? lab_page_address(o->slot[s]) : NULL;
		if (va && checksum(va) != o->sum[s])
			bad++;
	}
	return bad;
}
