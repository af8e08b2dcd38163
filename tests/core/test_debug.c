/* SPDX-License-Identifier: MIT */
/*
 * tests/core/test_debug.c - the debug tier (src/core/debug.h, Linux
 * CONFIG_DEBUG_VM): a page's state or links corrupted on purpose make the
 * allocation and free paths' checks fire, name the page, the rule and the
 * caller in the log, count, and leave the state as it was. Built with
 * LAB_DEBUG_VM only (Debug and sanitizer builds); elsewhere one test skips.
 */
#include <stdio.h>
#include "util/fixture.h"
#include "core/internal.h"

#ifdef LAB_DEBUG_VM

/* 64 pages at pfn 0x2000 (one order-6 free block), no per-CPU lists. */
static struct fixture *zone64(int pcp)
{
	return fixture_create(&(struct fixture_opts){ .pages = 64, .phys_base = 0x2000ull << 12,
						      .pageblock_order = 3, .pcp = pcp, .nr_cpus = 1 });
}

/* A free block whose order no longer matches its list is refused by
 * __rmqueue_smallest: the allocation fails, the block stays listed. */
static void test_debug_buddy_page_state_checked_on_take(void **state)
{
	(void)state;
	struct fixture *f = zone64(0);
	struct lab_mem *m = f->mem;
	struct lab_zone *z = &m->zones[LAB_ZONE_NORMAL];
	struct lab_page *head = lab_pfn_to_page(m, 0x2000);
	assert_int_equal(z->nr_free[6], 1);
	page_set_state(head, LAB_PG_BUDDY, 2, head->mt);   /* the corruption */
	assert_null(lab_alloc_pages(m, LAB_GFP_NOWAIT | LAB___GFP_MOVABLE | LAB___GFP_NOWARN, 0));
	assert_true(m->debug_vm_bugs >= 1);
	assert_true(fixture_logged(f, "BUG: debug_vm: pfn 0x2000 (flags 0x1 order 2"));
	assert_true(fixture_logged(f, "rule \"buddy page state (flag, order, zone, list type)\""));
	assert_true(fixture_logged(f, "broken in lab__buddy_rmqueue_smallest (core/buddy.c:"));
	assert_int_equal(z->nr_free[6], 1);                  /* nothing changed */
	assert_int_equal(z->free_head[6][head->mt], lab_page_to_pfn(head) - m->base_pfn);
	page_set_state(head, LAB_PG_BUDDY, 6, head->mt);     /* repaired: all well again */
	struct lab_page *p = lab_alloc_pages(m, LAB_GFP_NOWAIT | LAB___GFP_MOVABLE, 0);
	assert_non_null(p);
	lab_free_pages(m, p, 0);
	fixture_clear_log(f);
	assert_mem_ok(f);                                    /* counted, reported, not a violation */
	char want[64];
	snprintf(want, sizeof(want), "check: debug_vm: %lu BUG_ON and 0 WARN_ON fired", m->debug_vm_bugs);
	assert_true(fixture_logged(f, want));
	fixture_destroy(f);
}

/* A per-CPU page that lost its PG_pcp flag is refused at the list head; the
 * allocation goes on to the buddy lists and nothing is lost. */
static void test_debug_pcp_page_state_checked_on_take(void **state)
{
	(void)state;
	struct fixture *f = zone64(1);
	struct lab_mem *m = f->mem;
	struct lab_page *a = lab_alloc_pages(m, LAB_GFP_HIGHUSER_MOVABLE, 0);
	struct lab_page *c = lab_alloc_pages(m, LAB_GFP_HIGHUSER_MOVABLE, 0);
	assert_non_null(a);
	assert_non_null(c);
	lab_free_pages(m, c, 0);                              /* parked on the per-CPU list */
	struct lab_pcp *pcp = pcp_of(m, 0, LAB_ZONE_NORMAL);
	unsigned pindex = 0;
	while (pindex < LAB_NR_PCP_LISTS && pcp->head[pindex] == LAB_NIL)
		pindex++;
	assert_true(pindex < LAB_NR_PCP_LISTS);
	struct lab_page *victim = &m->pages[pcp->head[pindex]];
	int count = pcp->count;
	page_set_flags(victim, 0);                            /* the corruption */
	struct lab_page *b = lab_alloc_pages(m, LAB_GFP_HIGHUSER_MOVABLE, 0);
	assert_non_null(b);                                   /* served by the buddy lists */
	assert_ptr_not_equal(b, victim);
	assert_int_equal(m->debug_vm_bugs, 1);
	assert_int_equal(pcp->count, count);                  /* the list as it was */
	assert_int_equal(pcp->head[pindex], lab_page_to_pfn(victim) - m->base_pfn);
	assert_true(fixture_logged(f, "rule \"pcp page state (flag, order, zone)\" broken in pcplist_take (core/pcp.c:"));
	page_set_flags(victim, LAB_PG_PCP);
	lab_free_pages(m, a, 0);
	lab_free_pages(m, b, 0);
	lab_drain_all_pages(m);
	assert_mem_ok(f);
	fixture_destroy(f);
}

/* Deleting a page whose neighbours do not point back at it, or from a list
 * whose counter is already 0, and adding a page that is already listed, are
 * refused: list and counters stay. */
static void test_debug_list_membership_and_counters_checked_on_del(void **state)
{
	(void)state;
	struct fixture *f = zone64(0);
	struct lab_mem *m = f->mem;
	struct lab_zone *z = &m->zones[LAB_ZONE_NORMAL];
	struct lab_page *p = lab_alloc_pages(m, LAB_GFP_KERNEL, 0);   /* splits: one block per order 0..5 */
	assert_non_null(p);
	struct lab_page *blk = lab_pfn_to_page(m, 0x2020);            /* the order-5 half */
	assert_int_equal(blk->order, 5);
	int mt = blk->mt;
	uint32_t prev = blk->prev;
	blk->prev = 7;                                                 /* the corruption: a stale link */
	lab__buddy_list_del(m, z, blk);
	assert_int_equal(m->debug_vm_bugs, 1);
	assert_true(fixture_logged(f, "pfn 0x2020 (flags 0x1 order 5"));
	assert_true(fixture_logged(f, "rule \"free list membership (prev/next)\" broken in lab__buddy_list_del"));
	assert_int_equal(z->nr_free_mt[5][mt], 1);
	blk->prev = prev;
	z->nr_free_mt[5][mt] = 0;                                      /* a counter about to go negative */
	lab__buddy_list_del(m, z, blk);
	assert_int_equal(m->debug_vm_bugs, 2);
	assert_true(fixture_logged(f, "rule \"nr_free not negative\""));
	assert_int_equal(blk->flags, LAB_PG_BUDDY);                    /* still listed */
	z->nr_free_mt[5][mt] = 1;
	lab__buddy_list_add(m, z, blk, 5, mt, false);                  /* a second add: linked twice */
	assert_int_equal(m->debug_vm_bugs, 3);
	assert_true(fixture_logged(f, "rule \"add to a free list: page already listed\" broken in lab__buddy_list_add"));
	assert_int_equal(z->nr_free_mt[5][mt], 1);
	lab_free_pages(m, p, 0);
	assert_mem_ok(f);
	fixture_destroy(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_debug_buddy_page_state_checked_on_take),
		cmocka_unit_test(test_debug_pcp_page_state_checked_on_take),
		cmocka_unit_test(test_debug_list_membership_and_counters_checked_on_del),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

#else

/* Release build: the checks compile to nothing, there is nothing to fire. */
static void test_debug_tier_not_built(void **state)
{
	(void)state;
	skip();
}

int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(test_debug_tier_not_built) };
	return cmocka_run_group_tests(tests, NULL, NULL);
}

#endif
