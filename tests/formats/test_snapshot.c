/* SPDX-License-Identifier: MIT */
/*
 * tests/formats/test_snapshot.c - the /proc snapshot readers
 * (formats/snapshot.c) on the real files of
 * tests/data/realkernel/atomic-pressure-256M, whose numbers are quoted
 * in the expectations, and on small hand-made files for the errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util/fixture.h"
#include "formats/snapshot.h"

static const char *run_dir(void)
{
	return data_path("realkernel/atomic-pressure-256M");
}

/* zoneinfo.before: DMA32 geometry, watermarks, protection and pagesets as printed. */
static void test_snapshot_zoneinfo_fields(void **state)
{
	(void)state;
	struct lab_snapshot s;
	char err[512];
	assert_int_equal(lab_snapshot_read(run_dir(), "before", &s, err, sizeof(err)), 0);
	const struct lab_snapshot_zone *d = &s.zone[LAB_ZONE_DMA], *z = &s.zone[LAB_ZONE_DMA32];
	assert_true(s.have & LAB_SNAP_ZONEINFO);
	assert_int_equal(d->start_pfn, 1);
	assert_int_equal(d->spanned, 4095);
	assert_int_equal(d->present, 3998);
	assert_int_equal(d->managed, 3840);
	assert_int_equal(d->protection[1], 161);
	assert_int_equal(z->start_pfn, 4096);
	assert_int_equal(z->managed, 43667);
	assert_int_equal(z->free, 30572);
	assert_int_equal(z->min, 387);
	assert_int_equal(z->low, 483);
	assert_int_equal(z->high, 579);
	assert_int_equal(z->nr_cpus, 2);
	assert_int_equal(z->pcp[1].count, 68);
	assert_int_equal(z->pcp[1].high, 241);
	assert_int_equal(z->pcp[1].batch, 7);
	assert_false(s.zone[LAB_ZONE_NORMAL].managed);
}

/* zoneinfo prints watermarks with the boost added: both are kept (peak: 1255 = 387 + 868). */
static void test_snapshot_zoneinfo_boost(void **state)
{
	(void)state;
	struct lab_snapshot s;
	char err[512];
	assert_int_equal(lab_snapshot_read(run_dir(), "peak", &s, err, sizeof(err)), 0);
	assert_int_equal(s.zone[LAB_ZONE_DMA32].boost, 868);
	assert_int_equal(s.zone[LAB_ZONE_DMA32].min, 1255);
	assert_int_equal(s.zone[LAB_ZONE_DMA32].min - s.zone[LAB_ZONE_DMA32].boost, 387);
}

/* buddyinfo.before: 26 free order-10 blocks in DMA32, 3 in DMA. */
static void test_snapshot_buddyinfo(void **state)
{
	(void)state;
	struct lab_snapshot s;
	char err[512];
	assert_int_equal(lab_snapshot_read(run_dir(), "before", &s, err, sizeof(err)), 0);
	assert_true(s.zone[LAB_ZONE_DMA32].have_buddy);
	assert_int_equal(s.zone[LAB_ZONE_DMA32].buddy[10], 26);
	assert_int_equal(s.zone[LAB_ZONE_DMA32].buddy[1], 23);
	assert_int_equal(s.zone[LAB_ZONE_DMA].buddy[10], 3);
	assert_int_equal(lab_snapshot_buddy_pages(&s.zone[LAB_ZONE_DMA]), 32 + 64 + 128 + 512 + 3 * 1024);
}

/* pagetypeinfo.before: pageblock order, blocks per type, free lists per type; no CMA. */
static void test_snapshot_pagetypeinfo(void **state)
{
	(void)state;
	struct lab_snapshot s;
	char err[512];
	assert_int_equal(lab_snapshot_read(run_dir(), "before", &s, err, sizeof(err)), 0);
	assert_int_equal(s.pageblock_order, 9);
	assert_false(s.pagetype_has_cma);
	const struct lab_snapshot_zone *z = &s.zone[LAB_ZONE_DMA32];
	assert_int_equal(z->blocks_mt[LAB_MIGRATE_UNMOVABLE], 20);
	assert_int_equal(z->blocks_mt[LAB_MIGRATE_MOVABLE], 94);
	assert_int_equal(z->blocks_mt[LAB_MIGRATE_RECLAIMABLE], 6);
	assert_int_equal(z->free_mt[10][LAB_MIGRATE_MOVABLE], 26);
	assert_int_equal(z->free_mt[1][LAB_MIGRATE_UNMOVABLE], 15);
}

/* vm_sysctl and meminfo: min_free_kbytes, the reserve ratios, MemTotal. */
static void test_snapshot_sysctl_and_meminfo(void **state)
{
	(void)state;
	struct lab_snapshot s;
	char err[512];
	assert_int_equal(lab_snapshot_read(run_dir(), "before", &s, err, sizeof(err)), 0);
	assert_int_equal(s.min_free_kbytes, 1699);
	assert_int_equal(s.watermark_scale_factor, 10);
	assert_int_equal(s.watermark_boost_factor, 15000);
	assert_int_equal(s.nr_lowmem_reserve_ratio, 5);
	assert_int_equal(s.lowmem_reserve_ratio[2], 32);
	assert_int_equal(s.mem_total_kb, 190028);
}

/* The snapshot suffixes of a run are listed: before net hogged peak after. */
static void test_snapshot_list(void **state)
{
	(void)state;
	char names[16][32];
	int n = lab_snapshot_list(run_dir(), names, 16);
	assert_int_equal(n, 5);
	int found = 0;
	for (int i = 0; i < n; i++)
		found += !strcmp(names[i], "before") || !strcmp(names[i], "net") || !strcmp(names[i], "hogged") ||
			 !strcmp(names[i], "peak") || !strcmp(names[i], "after");
	assert_int_equal(found, 5);
}

/* trace_stats.txt: two CPUs, 165114 entries, nothing overrun or dropped. */
static void test_snapshot_trace_stats(void **state)
{
	(void)state;
	struct lab_trace_stats ts;
	char err[512];
	assert_int_equal(lab_trace_stats_read(run_dir(), &ts, err, sizeof(err)), 0);
	assert_int_equal(ts.nr_cpus, 2);
	assert_int_equal(ts.entries, 165114);
	assert_int_equal(ts.overrun, 0);
	assert_int_equal(ts.dropped, 0);
}

/* A buddyinfo line with too few counts is an error naming file and line. */
static void test_snapshot_bad_buddyinfo_names_line(void **state)
{
	(void)state;
	struct lab_snapshot s;
	char err[512];
	lab_snapshot_init(&s);
	const char *text = "Node 0, zone      DMA      0 0 0 0 0 1 1 1 0 1 3\nNode 0, zone    DMA32      2 23\n";
	assert_int_equal(lab_snapshot_parse_buddyinfo(text, "buddyinfo.x", &s, err, sizeof(err)), LAB_SNAP_EMALFORMED);
	assert_non_null(strstr(err, "buddyinfo.x:2:"));
}

/* A sysctl line without '=' is an error naming file and line. */
static void test_snapshot_bad_sysctl_names_line(void **state)
{
	(void)state;
	struct lab_snapshot s;
	char err[512];
	lab_snapshot_init(&s);
	assert_int_equal(lab_snapshot_parse_sysctl("min_free_kbytes=1\nbogus line\n", "vm_sysctl.x", &s, err, sizeof(err)),
			 LAB_SNAP_EMALFORMED);
	assert_non_null(strstr(err, "vm_sysctl.x:2:"));
}

/* `sysctl -a` style "vm.key = value" lines are read too. */
static void test_snapshot_sysctl_dotted_form(void **state)
{
	(void)state;
	struct lab_snapshot s;
	char err[512];
	lab_snapshot_init(&s);
	assert_int_equal(lab_snapshot_parse_sysctl("vm.min_free_kbytes = 67584\nvm.lowmem_reserve_ratio = 256\t256\t32\t0\t0\n",
						   "s", &s, err, sizeof(err)), 0);
	assert_int_equal(s.min_free_kbytes, 67584);
	assert_int_equal(s.nr_lowmem_reserve_ratio, 5);
}

/* A missing suffix is ENOENT with a message. */
static void test_snapshot_missing_suffix(void **state)
{
	(void)state;
	struct lab_snapshot s;
	char err[512];
	assert_int_equal(lab_snapshot_read(run_dir(), "nosuch", &s, err, sizeof(err)), LAB_SNAP_ENOENT);
	assert_non_null(strstr(err, "nosuch"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_snapshot_zoneinfo_fields),
		cmocka_unit_test(test_snapshot_zoneinfo_boost),
		cmocka_unit_test(test_snapshot_buddyinfo),
		cmocka_unit_test(test_snapshot_pagetypeinfo),
		cmocka_unit_test(test_snapshot_sysctl_and_meminfo),
		cmocka_unit_test(test_snapshot_list),
		cmocka_unit_test(test_snapshot_trace_stats),
		cmocka_unit_test(test_snapshot_bad_buddyinfo_names_line),
		cmocka_unit_test(test_snapshot_bad_sysctl_names_line),
		cmocka_unit_test(test_snapshot_sysctl_dotted_form),
		cmocka_unit_test(test_snapshot_missing_suffix),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
