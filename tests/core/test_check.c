/* SPDX-License-Identifier: MIT */
/*
 * tests/core/test_check.c - lab_mem_check() notices each kind of
 * corruption it promises to (it is the oracle of every other test, so it
 * must be able to fail).
 */
#include <stdlib.h>
#include "util/fixture.h"
#include "core/internal.h"

static struct fixture *make(void)
{
	struct fixture *f = fixture_create(&(struct fixture_opts){ .pages = 64 });
	assert_mem_ok(f);
	return f;
}

/* A counter that disagrees with the lists is reported. */
static void test_check_detects_counter_mismatch(void **state)
{
	(void)state;
	struct fixture *f = make();
	f->mem->zones[LAB_ZONE_NORMAL].free_pages++;
	assert_true(lab_mem_check(f->mem) > 0);
	assert_true(fixture_logged(f, "free_pages"));
	fixture_destroy(f);
}

/* A page that is in no block (lost) is reported. */
static void test_check_detects_lost_page(void **state)
{
	(void)state;
	struct fixture *f = make();
	struct lab_page *p = lab_alloc_pages(f->mem, LAB_GFP_KERNEL, 0);
	p->flags = 0;   /* forget it was allocated */
	assert_true(lab_mem_check(f->mem) > 0);
	assert_true(fixture_logged(f, "lost page"));
	fixture_destroy(f);
}

/* Two free buddies left unmerged are reported (invariant 2). */
static void test_check_detects_unmerged_buddies(void **state)
{
	(void)state;
	struct fixture *f = make();
	struct lab_mem *m = f->mem;
	struct lab_zone *z = &m->zones[LAB_ZONE_NORMAL];
	unsigned long fl;
	struct lab_page *p = lab_alloc_pages(m, LAB_GFP_KERNEL, 0);   /* pfn 0, leaves 1 free */
	zone_lock(m, z, &fl);
	lab__buddy_list_add(m, z, p, 0, LAB_MIGRATE_UNMOVABLE, false);   /* free without merging */
	assert_true(lab_mem_check(m) > 0);
	assert_true(fixture_logged(f, "not merged"));
	fixture_destroy(f);
}

/* A broken list link is reported. */
static void test_check_detects_broken_list(void **state)
{
	(void)state;
	struct fixture *f = make();
	struct lab_page *a = lab_alloc_pages(f->mem, LAB_GFP_KERNEL, 0);   /* splits into 5 free blocks */
	struct lab_zone *z = &f->mem->zones[LAB_ZONE_NORMAL];
	f->mem->pages[z->free_head[1][LAB_MIGRATE_UNMOVABLE]].prev = 7;
	assert_true(lab_mem_check(f->mem) > 0);
	assert_true(fixture_logged(f, "back link"));
	(void)a;
	fixture_destroy(f);
}

/* An allocation count that does not add up to managed is reported (invariant 4). */
static void test_check_detects_accounting_gap(void **state)
{
	(void)state;
	struct fixture *f = make();
	f->mem->zones[LAB_ZONE_NORMAL].managed++;
	assert_true(lab_mem_check(f->mem) > 0);
	assert_true(fixture_logged(f, "!= managed"));
	f->mem->zones[LAB_ZONE_NORMAL].managed--;
	assert_mem_ok(f);
	fixture_destroy(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_detects_counter_mismatch),
		cmocka_unit_test(test_check_detects_lost_page),
		cmocka_unit_test(test_check_detects_unmerged_buddies),
		cmocka_unit_test(test_check_detects_broken_list),
		cmocka_unit_test(test_check_detects_accounting_gap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
