/* SPDX-License-Identifier: MIT */
/*
 * tests/core/test_free.c - every misuse class of freeing is detected,
 * reported in Linux's words, refused, and leaves the state intact.
 */
#include <stdio.h>
#include <stdlib.h>
#include "util/fixture.h"
#include "core/internal.h"

struct setup {
	struct fixture *f;
	struct lab_page *a;    /* order 2, allocated */
	uint64_t free_before;
};

static int setup(void **state)
{
	struct setup *s = calloc(1, sizeof(*s));
	struct lab_range res = { 60 * 4096, 4096 };
	s->f = fixture_create(&(struct fixture_opts){ .pages = 64, .reserved = &res, .nr_reserved = 1 });
	s->f->comm = "bash";
	s->a = lab_alloc_pages(s->f->mem, LAB_GFP_KERNEL, 2);
	s->free_before = fixture_zone_free(s->f, LAB_ZONE_NORMAL);
	fixture_clear_log(s->f);
	*state = s;
	return 0;
}

static int teardown(void **state)
{
	struct setup *s = *state;
	fixture_destroy(s->f);
	free(s);
	return 0;
}

/* The refused free left everything as it was. */
static void assert_intact(struct setup *s)
{
	assert_int_equal(fixture_zone_free(s->f, LAB_ZONE_NORMAL), s->free_before);
	assert_mem_ok(s->f);
	struct lab_mem_stats st;
	lab_mem_get_stats(s->f->mem, &st);
	assert_true(st.events[LAB_EV_BAD_PAGE] >= 1);
}

/* A double free is reported with Linux's header and refused. */
static void test_free_double_free_refused(void **state)
{
	struct setup *s = *state;
	uint64_t pfn = lab_page_to_pfn(s->a);
	lab_free_pages(s->f->mem, s->a, 2);
	s->free_before += 4;
	assert_int_equal(lab_try_free_pages(s->f->mem, s->a, 2), LAB_EINVAL);
	char hdr[80];
	snprintf(hdr, sizeof(hdr), "BUG: Bad page state in process bash  pfn:%05llx", (unsigned long long)pfn);
	assert_true(fixture_logged(s->f, hdr));
	assert_true(fixture_logged(s->f, "page dumped because: page is already free (double free)"));
	assert_intact(s);
}

/* Freeing with another order than allocated is refused and says both. */
static void test_free_wrong_order_refused(void **state)
{
	struct setup *s = *state;
	assert_int_equal(lab_try_free_pages(s->f->mem, s->a, 1), LAB_EINVAL);
	assert_true(fixture_logged(s->f, "freed with order 1 but allocated with order 2"));
	assert_intact(s);
	lab_free_pages(s->f->mem, s->a, 2);   /* the right free still works */
	assert_mem_ok(s->f);
}

/* A page inside an allocated (non-compound) block is not a head. */
static void test_free_interior_page_refused(void **state)
{
	struct setup *s = *state;
	assert_int_equal(lab_try_free_pages(s->f->mem, s->a + 1, 0), LAB_EINVAL);
	assert_true(fixture_logged(s->f, "not the first page of an allocated block"));
	assert_intact(s);
}

/* A page inside a free block is refused too (it is not a head). */
static void test_free_page_inside_free_block_refused(void **state)
{
	struct setup *s = *state;
	struct lab_page *p = lab_pfn_to_page(s->f->mem, 33);
	assert_int_equal(lab_try_free_pages(s->f->mem, p, 0), LAB_EINVAL);
	assert_intact(s);
}

/* A reserved page (firmware, kernel image) can never be freed into the allocator. */
static void test_free_reserved_page_refused(void **state)
{
	struct setup *s = *state;
	struct lab_page *p = lab_pfn_to_page(s->f->mem, 60);
	assert_int_equal(lab_try_free_pages(s->f->mem, p, 0), LAB_EINVAL);
	assert_true(fixture_logged(s->f, "PG_reserved"));
	assert_intact(s);
}

/* Pointers that are not page descriptors of this instance are refused. */
static void test_free_foreign_pointers_refused(void **state)
{
	struct setup *s = *state;
	struct lab_page bogus;
	memset(&bogus, 0, sizeof(bogus));
	assert_int_equal(lab_try_free_pages(s->f->mem, &bogus, 0), LAB_EINVAL);
	assert_int_equal(lab_try_free_pages(s->f->mem, NULL, 0), LAB_EINVAL);
	assert_int_equal(lab_try_free_pages(s->f->mem, (struct lab_page *)(void *)((char *)s->a + 4), 2), LAB_EINVAL);
	assert_int_equal(lab_try_free_pages(s->f->mem, s->a, LAB_MAX_ORDER), LAB_EINVAL);
	assert_true(fixture_logged(s->f, "does not belong to this allocator"));
	assert_true(fixture_logged(s->f, "misaligned page pointer"));
	assert_intact(s);
}

/* free_pages() of an address outside the direct map is refused; NULL is a no-op. */
static void test_free_foreign_address_refused(void **state)
{
	struct setup *s = *state;
	int local;
	lab_free_pages_addr(s->f->mem, &local, 0);
	assert_true(fixture_logged(s->f, "is not a page of this allocator"));
	lab_free_pages_addr(s->f->mem, (char *)lab_page_address(s->a) + 8, 2);   /* unaligned */
	assert_intact(s);
	fixture_clear_log(s->f);
	lab_free_pages_addr(s->f->mem, NULL, 0);
	assert_int_equal(s->f->nlog, 0);
}

/* Bad-page reports are rate limited to 60 a minute, then summarised. */
static void test_free_bad_page_reports_rate_limited(void **state)
{
	struct setup *s = *state;
	s->f->now = 1;
	for (int i = 0; i < 100; i++)
		lab_free_pages(s->f->mem, s->a + 1, 0);
	int headers = 0;
	for (int i = 0; i < s->f->nlog; i++)
		headers += strstr(s->f->log[i], "BUG: Bad page state in process") != NULL;
	assert_true(headers <= 60);
	fixture_clear_log(s->f);
	s->f->now += 61ull * 1000000000ull;
	lab_free_pages(s->f->mem, s->a + 1, 0);
	assert_true(fixture_logged(s->f, "BUG: Bad page state: 40 messages suppressed"));
	assert_intact(s);
}

/* LAB_CFG_DEBUG_POISON: a write after free is reported when the block is handed out again. */
static void test_free_poison_detects_write_after_free(void **state)
{
	(void)state;
	struct fixture *f = fixture_create(&(struct fixture_opts){ .pages = 64, .flags = LAB_CFG_DEBUG_POISON });
	struct lab_page *p = lab_alloc_pages(f->mem, LAB_GFP_KERNEL, 0);
	unsigned char *va = lab_page_address(p);
	assert_int_equal(va[0], 0x6b);                  /* fresh memory is poisoned */
	memset(va, 0, 4096);
	lab_free_pages(f->mem, p, 0);
	assert_int_equal(va[100], 0x6b);                /* freeing poisons */
	assert_int_equal(f->nlog, 0);
	va[100] = 1;                                    /* the bug: a write after free */
	struct lab_page *q = lab_alloc_pages(f->mem, LAB_GFP_KERNEL, 0);
	assert_ptr_equal(q, p);
	assert_true(fixture_logged(f, "poison overwritten at byte 100 of the block: written after free"));
	lab_free_pages(f->mem, q, 0);
	assert_mem_ok(f);
	fixture_destroy(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_free_double_free_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_wrong_order_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_interior_page_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_page_inside_free_block_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_reserved_page_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_foreign_pointers_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_foreign_address_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_bad_page_reports_rate_limited, setup, teardown),
		cmocka_unit_test(test_free_poison_detects_write_after_free),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
