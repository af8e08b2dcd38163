/* SPDX-License-Identifier: MIT */
/*
 * tests/core/test_init.c - instance creation: metadata sizing, bad
 * configurations refused with a reason, holes and reserved ranges.
 */
#include <stdio.h>
#include <stdlib.h>
#include "util/fixture.h"
#include "core/internal.h"

#define MIB (1ull << 20)

static char last_log[256];
static void keep_log(void *ctx, enum lab_log_level l, const char *line)
{
	(void)ctx;
	(void)l;
	snprintf(last_log, sizeof(last_log), "%s", line);
}
static const struct lab_platform logplat = { .log = keep_log };

static int init_fails(struct lab_mem_config *cfg, const char *why)
{
	static char meta[1 << 16] __attribute__((aligned(64)));
	int err = 0;
	cfg->platform = &logplat;
	if (!cfg->metadata) {
		cfg->metadata = meta;
		cfg->metadata_bytes = sizeof(meta);
	}
	last_log[0] = '\0';
	struct lab_mem *m = lab_mem_init(cfg, &err);
	return !m && err == LAB_EINVAL && strstr(last_log, why) != NULL;
}

/* Metadata is about 16 bytes per page plus a byte per pageblock. */
static void test_init_metadata_bytes_per_page(void **state)
{
	(void)state;
	struct lab_range r = { 0, 1ull << 30 };
	struct lab_mem_config cfg = { .ranges = &r, .nr_ranges = 1 };
	size_t n = lab_mem_metadata_bytes(&cfg);
	size_t pages = (1ull << 30) / 4096;
	assert_true(n >= pages * 16 + 512);
	assert_true(n < pages * 16 + 512 + 64 * 1024);
	assert_int_equal(sizeof(struct lab_page), 16);
}

/* Each bad configuration is refused with LAB_EINVAL and a reason. */
static void test_init_bad_configs_refused_with_reason(void **state)
{
	(void)state;
	struct lab_range ok = { 0, 1 * MIB }, odd = { 100, 1 * MIB }, empty = { 0, 0 };
	struct lab_range overlap[] = { { 0, 2 * MIB }, { 1 * MIB, 2 * MIB } };
	struct lab_mem_config c;

	c = (struct lab_mem_config){ .ranges = NULL, .nr_ranges = 0 };
	assert_true(init_fails(&c, "no memory ranges"));
	c = (struct lab_mem_config){ .ranges = &odd, .nr_ranges = 1 };
	assert_true(init_fails(&c, "not page aligned"));
	c = (struct lab_mem_config){ .ranges = &empty, .nr_ranges = 1 };
	assert_true(init_fails(&c, "empty"));
	c = (struct lab_mem_config){ .ranges = overlap, .nr_ranges = 2 };
	assert_true(init_fails(&c, "overlap"));
	c = (struct lab_mem_config){ .ranges = &ok, .nr_ranges = 1, .pageblock_order = 11 };
	assert_true(init_fails(&c, "pageblock_order"));
	c = (struct lab_mem_config){ .ranges = &ok, .nr_ranges = 1, .nr_cpus = 65 };
	assert_true(init_fails(&c, "nr_cpus"));
	c = (struct lab_mem_config){ .ranges = &ok, .nr_ranges = 1, .metadata = (char *)&c + 1,
				     .metadata_bytes = 1 << 20 };
	assert_true(init_fails(&c, "aligned"));
	static char small[64] __attribute__((aligned(64)));
	c = (struct lab_mem_config){ .ranges = &ok, .nr_ranges = 1, .metadata = small, .metadata_bytes = 64 };
	assert_true(init_fails(&c, "too small"));
	assert_int_equal(lab_mem_metadata_bytes(NULL), 0);
}

/* Holes between ranges and reserved ranges are never handed out, and
 * present/managed/spanned count them as zoneinfo does. */
static void test_init_holes_and_reserved_never_allocated(void **state)
{
	(void)state;
	struct lab_range r[] = { { 0, 1 * MIB }, { 2 * MIB, 1 * MIB } };
	struct lab_range res = { 4096, 2 * 4096 };
	struct fixture *f = fixture_create(&(struct fixture_opts){ .ranges = r, .nr_ranges = 2,
		.reserved = &res, .nr_reserved = 1, .pageblock_order = 4 });
	struct lab_zone *z = &f->mem->zones[LAB_ZONE_NORMAL];
	assert_int_equal(z->end_pfn - z->start_pfn, 768);
	assert_int_equal(z->present, 512);
	assert_int_equal(z->managed, 510);
	struct lab_page *p;
	int n = 0;
	while ((p = lab_alloc_pages(f->mem, LAB_GFP_KERNEL | LAB___GFP_NOWARN, 0))) {
		uint64_t pfn = lab_page_to_pfn(p);
		assert_false(pfn >= 256 && pfn < 512);
		assert_false(pfn == 1 || pfn == 2);
		n++;
	}
	assert_int_equal(n, 510);
	assert_mem_ok(f);
	fixture_destroy(f);
}

/* lab_mem_fini forgets the instance: its pages no longer resolve. */
static void test_init_fini_unregisters(void **state)
{
	(void)state;
	struct fixture *f = fixture_create(&(struct fixture_opts){ .pages = 64 });
	struct lab_page *p = lab_alloc_pages(f->mem, LAB_GFP_KERNEL, 0);
	assert_non_null(lab_page_address(p));
	lab_mem_fini(f->mem);
	assert_null(lab_page_address(p));
	assert_null(lab_alloc_pages(f->mem, LAB_GFP_KERNEL, 0));
	assert_int_not_equal(lab_mem_check(f->mem), 0);
	free(f->meta);
	free(f->arena);
	free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_metadata_bytes_per_page),
		cmocka_unit_test(test_init_bad_configs_refused_with_reason),
		cmocka_unit_test(test_init_holes_and_reserved_never_allocated),
		cmocka_unit_test(test_init_fini_unregisters),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
