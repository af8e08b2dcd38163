/* SPDX-License-Identifier: MIT */
/*
 * tests/engines/test_simulate.c - `diagnose --simulate`: a report's zones
 * rebuilt in Labyrinth and its request re-run with 6.1.192's rules.
 *
 * Synthetic half: one-zone reports whose outcome is known by hand - below
 * the GFP_ATOMIC mark it fails and the min_free_kbytes found is exactly the
 * boundary (its mark is under the free pages, one kB more is not); above
 * the mark it is served; only order-0 blocks for an order-3 request is
 * served by no min_free_kbytes; free lists larger than the zone, zones
 * above the size limit and reports without zones are refused with a reason. Corpus half: every complete report either runs or says
 * why not, and the low-memory reports recorded on 4.4+ kernels fail the
 * same way in the rebuild while the pre-fix highatomic ones and 007 (the
 * boost exemption) are served; 002's nearly free DMA zone is laid out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/fixture.h"
#include "engines/diagnose.h"
#include "formats/dmesg.h"
#include "engines/simulate.h"
#include "util/corpus_index.h"

static struct lab_diagnosis diag;
static struct lab_simulation sim;

/* One Normal zone of @managed_kb, min @min_kb, free lists @buddy holding
 * @free_kb (the zone line's free:); 6.1 kernel. */
static char *one_zone_free(unsigned order, const char *mode, unsigned managed_kb, unsigned min_kb,
			   unsigned free_kb, const char *buddy)
{
	char *s = malloc(4096);
	assert_non_null(s);
	snprintf(s, 4096,
		 "[1.0] t: page allocation failure: order:%u, mode:%s, nodemask=(null)\n"
		 "[1.1] CPU: 0 PID: 7 Comm: t Not tainted 6.1.0 #1\n"
		 "[1.2] Mem-Info:\n"
		 "[1.3] Normal free:%ukB min:%ukB low:%ukB high:%ukB present:%ukB managed:%ukB free_cma:0kB\n"
		 "[1.4] lowmem_reserve[]: 0 0 0 0\n"
		 "[1.5] Normal: %s\n",
		 order, mode, free_kb, min_kb, min_kb * 5 / 4, min_kb * 6 / 4, managed_kb, managed_kb, buddy);
	return s;
}

static char *one_zone(unsigned order, const char *mode, unsigned managed_kb, unsigned min_kb, const char *buddy)
{
	return one_zone_free(order, mode, managed_kb, min_kb, strstr(buddy, "700*") ? 3600 : 2800, buddy);
}

static const struct lab_simulation *simulate(const char *text, struct lab_dmesg_log *log)
{
	assert_int_equal(lab_dmesg_parse(text, strlen(text), log), 0);
	assert_true(log->nr_reports >= 1);
	lab_diagnose(log, &log->reports[0], NULL, &diag);
	lab_diagnose_simulate(&log->reports[0], &diag, &sim);
	return &sim;
}

/* 500 order-0 + 100 order-1 blocks = 700 pages. */
#define BUDDY_700 "500*4kB (UME) 100*8kB (UM) 0*16kB 0*32kB 0*64kB 0*128kB 0*256kB 0*512kB 0*1024kB 0*2048kB 0*4096kB = 2800kB"
/* 900 pages. */
#define BUDDY_900 "700*4kB (UME) 100*8kB (UM) 0*16kB 0*32kB 0*64kB 0*128kB 0*256kB 0*512kB 0*1024kB 0*2048kB 0*4096kB = 3600kB"

/* 6.1's GFP_ATOMIC order-0 mark for min_free_kbytes @kb on one zone that
 * holds all lowmem: min = kb/4 pages, __GFP_HIGH halves it, ALLOC_HARDER
 * takes a quarter of the rest (written out here, independently of the core). */
static unsigned long atomic_mark(unsigned long kb)
{
	unsigned long m = kb / 4;
	m -= m / 2;
	m -= m / 4;
	return m;
}

/* Below the mark it fails like the report, and the min_free_kbytes found is
 * the largest that serves: its mark is under 700 free pages, one more kB's is not. */
static void test_simulate_atomic_below_mark_fails_and_finds_boundary(void **state)
{
	struct lab_dmesg_log log;
	char *s = one_zone(0, "0xa20(GFP_ATOMIC)", 4000000, 8000, BUDDY_700);
	const struct lab_simulation *r = simulate(s, &log);
	(void)state;
	assert_true(r->ran);
	assert_true(r->failed);
	assert_int_equal(r->min_free_kbytes_now, 8000);   /* sqrt(4000000 * 16) */
	assert_int_equal(r->min_free_kbytes_report, 8000);
	assert_true(r->min_free_kbytes_pass > 0);
	assert_true(r->min_free_kbytes_pass < r->min_free_kbytes_now);
	assert_true(atomic_mark((unsigned long)r->min_free_kbytes_pass) < 700);
	assert_true(atomic_mark((unsigned long)r->min_free_kbytes_pass + 1) >= 700);
	lab_dmesg_log_free(&log);
	free(s);
}

/* A 40 MB zone whose printed min (8000 kB) is ten times Linux's default
 * (800): the min_free_kbytes found is measured against the report's. */
static void test_simulate_raised_min_free_kbytes_is_seen(void **state)
{
	struct lab_dmesg_log log;
	char *s = one_zone(0, "0xa20(GFP_ATOMIC)", 40000, 8000, BUDDY_700);
	const struct lab_simulation *r = simulate(s, &log);
	(void)state;
	assert_true(r->ran);
	assert_true(r->failed);
	assert_int_equal(r->min_free_kbytes_now, 800);
	assert_int_equal(r->min_free_kbytes_report, 8000);
	assert_true(atomic_mark((unsigned long)r->min_free_kbytes_pass) < 700);
	assert_true(atomic_mark((unsigned long)r->min_free_kbytes_pass + 1) >= 700);
	lab_dmesg_log_free(&log);
	free(s);
}

/* 900 free pages clear the 750-page mark: the rebuilt zone serves it. */
static void test_simulate_atomic_above_mark_is_served(void **state)
{
	struct lab_dmesg_log log;
	char *s = one_zone(0, "0xa20(GFP_ATOMIC)", 4000000, 8000, BUDDY_900);
	const struct lab_simulation *r = simulate(s, &log);
	(void)state;
	assert_true(r->ran);
	assert_false(r->failed);
	assert_int_equal(r->served_zone, LAB_ZONE_NORMAL);
	lab_dmesg_log_free(&log);
	free(s);
}

/* No block of order >= 3 exists: no watermark setting can serve order 3. */
static void test_simulate_missing_blocks_no_min_free_kbytes_serves(void **state)
{
	struct lab_dmesg_log log;
	char *s = one_zone(3, "0xcc0(GFP_KERNEL)", 4000000, 8000, BUDDY_700);
	const struct lab_simulation *r = simulate(s, &log);
	(void)state;
	assert_true(r->ran);
	assert_true(r->failed);
	assert_int_equal(r->order, 3);
	assert_int_equal(r->min_free_kbytes_pass, -1);
	lab_dmesg_log_free(&log);
	free(s);
}

/* 2800 kB free in a 400 kB zone is no real zone: refused, with the numbers. */
static void test_simulate_free_larger_than_zone_not_run(void **state)
{
	struct lab_dmesg_log log;
	char *s = one_zone(0, "0xa20(GFP_ATOMIC)", 400, 8, BUDDY_700);
	const struct lab_simulation *r = simulate(s, &log);
	(void)state;
	assert_false(r->ran);
	assert_non_null(strstr(r->why, "zone Normal: 2800 kB free (lists: 2800 kB) in 400 kB managed"));
	lab_dmesg_log_free(&log);
	free(s);
}

/* The watermark check reads free:, not the lists: lists of 900 pages under
 * a free: of 700 are trimmed (smallest first) and it fails; lists of 700
 * under a free: of 900 get 200 order-0 pages and it is served. */
static void test_simulate_free_lists_matched_to_zone_free(void **state)
{
	struct lab_dmesg_log log;
	char *s = one_zone_free(0, "0xa20(GFP_ATOMIC)", 4000000, 8000, 2800, BUDDY_900);
	const struct lab_simulation *r = simulate(s, &log);
	(void)state;
	assert_true(r->ran);
	assert_true(r->failed);
	assert_string_equal(r->adjusted, "Normal -800 kB");
	lab_dmesg_log_free(&log);
	free(s);
	s = one_zone_free(0, "0xa20(GFP_ATOMIC)", 4000000, 8000, 3600, BUDDY_700);
	r = simulate(s, &log);
	assert_true(r->ran);
	assert_false(r->failed);
	assert_string_equal(r->adjusted, "Normal +800 kB");
	lab_dmesg_log_free(&log);
	free(s);
}

/* A zone that is all free but a few pages (x86's DMA: 15888 of 15904 kB)
 * is laid out: three top-order blocks side by side, the rest in the last
 * one's halves, no two free buddies meeting. */
static void test_simulate_nearly_free_zone_is_laid_out(void **state)
{
	struct lab_dmesg_log log;
	char *s = one_zone_free(5, "0xcc0(GFP_KERNEL)", 15904, 8, 15888,
		"0*4kB 0*8kB 1*16kB (U) 0*32kB 2*64kB (U) 1*128kB (U) 1*256kB (U) 0*512kB 1*1024kB (U) "
		"1*2048kB (M) 3*4096kB (M) = 15888kB");
	const struct lab_simulation *r = simulate(s, &log);
	(void)state;
	assert_true(r->ran);
	assert_false(r->failed);
	assert_string_equal(r->adjusted, "");
	lab_dmesg_log_free(&log);
	free(s);
}

/* A 2 TiB zone is refused before anything is allocated, naming the limit. */
static void test_simulate_zone_above_limit_not_run(void **state)
{
	struct lab_dmesg_log log;
	char *s = one_zone(0, "0xa20(GFP_ATOMIC)", 2147483648u, 8000, BUDDY_700);
	const struct lab_simulation *r = simulate(s, &log);
	(void)state;
	assert_false(r->ran);
	assert_non_null(strstr(r->why, "2048 GiB"));
	assert_non_null(strstr(r->why, "at most 1024 GiB"));
	lab_dmesg_log_free(&log);
	free(s);
}

/* A report without zones (incomplete) is not run and says so. */
static void test_simulate_report_without_zones_not_run(void **state)
{
	static const char text[] =
		"[1.0] t: page allocation failure: order:0, mode:0xa20(GFP_ATOMIC), nodemask=(null)\n"
		"[1.1] CPU: 0 PID: 7 Comm: t Not tainted 6.1.0 #1\n";
	struct lab_dmesg_log log;
	const struct lab_simulation *r = simulate(text, &log);
	(void)state;
	assert_false(r->ran);
	assert_true(r->why[0] != '\0');
	lab_dmesg_log_free(&log);
}

/* ---- corpus ------------------------------------------------------------------ */

/* Simulates the first report of the corpus file whose name starts with @prefix. */
static const struct lab_simulation *simulate_corpus(const char *prefix)
{
	for (int i = 0; i < corpus_nr_rows; i++) {
		if (strncmp(corpus_rows[i].col[C_FILE], prefix, strlen(prefix)))
			continue;
		struct lab_dmesg_log log;
		corpus_index_parse_file(&corpus_rows[i], &log);
		assert_true(log.nr_reports >= 1);
		lab_diagnose(&log, &log.reports[0], NULL, &diag);
		lab_diagnose_simulate(&log.reports[0], &diag, &sim);
		lab_dmesg_log_free(&log);
		return &sim;
	}
	fail_msg("corpus file %s* not in INDEX.md", prefix);
	return NULL;
}

/* Every report either runs or says why not. */
static void test_simulate_corpus_every_report_runs_or_says_why(void **state)
{
	(void)state;
	for (int i = 0; i < corpus_nr_rows; i++) {
		struct lab_dmesg_log log;
		corpus_index_parse_file(&corpus_rows[i], &log);
		for (size_t k = 0; k < log.nr_reports; k++) {
			lab_diagnose(&log, &log.reports[k], NULL, &diag);
			lab_diagnose_simulate(&log.reports[k], &diag, &sim);
			if (!sim.ran && sim.why[0] == '\0')
				fail_msg("%s report %zu: not run, no reason", corpus_rows[i].col[C_FILE], k);
			/* it failed at the report's own watermarks, so what serves lies below them */
			if (sim.ran && sim.failed && sim.min_free_kbytes_pass >= sim.min_free_kbytes_report)
				fail_msg("%s: passes at %ld, not below the report's %ld, yet failed", corpus_rows[i].col[C_FILE],
					 sim.min_free_kbytes_pass, sim.min_free_kbytes_report);
		}
		lab_dmesg_log_free(&log);
	}
}

/* The re-run uses the profile of the report's kernel: 6.1's for 2.6..6.2
 * (006 is 5.4, 014 is 4.2), 6.12's for 023 (6.8-rc3), and says so. */
static void test_simulate_corpus_profile_of_report_kernel(void **state)
{
	(void)state;
	const struct lab_simulation *r = simulate_corpus("006-");
	assert_int_equal(r->kernel, LAB_KERNEL_6_1);
	assert_non_null(strstr(r->kernel_why, "5.4"));
	r = simulate_corpus("014-");
	assert_int_equal(r->kernel, LAB_KERNEL_6_1);
	r = simulate_corpus("023-");
	assert_int_equal(r->kernel, LAB_KERNEL_6_12);
	assert_non_null(strstr(r->kernel_why, "6.8.0-rc3"));
	assert_non_null(strstr(r->kernel_why, "from the report"));
}

/* 006 (5.4) and 014 (4.2): watermark failures in INDEX; 6.1's rules fail too,
 * and a lower min_free_kbytes would have served them. */
static void test_simulate_corpus_low_memory_reports_fail_the_same_way(void **state)
{
	static const char *const files[] = { "006-", "014-" };
	(void)state;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		const struct lab_simulation *r = simulate_corpus(files[i]);
		assert_true(r->ran);
		assert_true(r->failed);
		assert_true(r->min_free_kbytes_pass > 0);
		assert_true(r->min_free_kbytes_pass < r->min_free_kbytes_now);
	}
}

/* 009/018/019: order-0 atomic failures caused by highatomic blocks the
 * pre-fix kernels would not hand to order 0; 6.1.192 serves them. */
static void test_simulate_corpus_highatomic_reports_served(void **state)
{
	static const char *const files[] = { "009-", "018-", "019-" };
	(void)state;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		const struct lab_simulation *r = simulate_corpus(files[i]);
		assert_true(r->ran);
		assert_false(r->failed);
		assert_true(r->served_zone >= 0);
	}
}

/* 007 (5.4, softirq GFP_ATOMIC order 0): Normal's printed min hides an
 * ~18 MB boost; 6.1 checks order-0 atomic without it and serves it. */
static void test_simulate_corpus_007_served_by_boost_exemption(void **state)
{
	const struct lab_simulation *r = simulate_corpus("007-");
	(void)state;
	assert_true(r->ran);
	assert_false(r->failed);
	assert_true(r->served_by_unboost);
	assert_string_equal(r->adjusted, "DMA32 -704 kB, Normal -44 kB");
}

/* 002 (5.4, GFP_KERNEL order 5): the order-5+ blocks are all highatomic;
 * its x86 DMA zone is all but 16 kB free and is laid out all the same. */
static void test_simulate_corpus_002_reserved_blocks_stay_reserved(void **state)
{
	const struct lab_simulation *r = simulate_corpus("002-");
	(void)state;
	assert_true(r->ran);
	assert_true(r->failed);
	assert_int_equal(r->min_free_kbytes_pass, -1);
}

/* 012 (3.3) and 015 (2.6) print no managed:, so present: sizes the zones;
 * the pre-4.4 per-order loop failed them and 6.1's rules serve them. 016's
 * DMA prints more free than present: refused, with the numbers. */
static void test_simulate_corpus_pre_3_8_reports_sized_by_present(void **state)
{
	static const char *const served[] = { "012-", "015-" };
	(void)state;
	for (size_t i = 0; i < sizeof(served) / sizeof(served[0]); i++) {
		const struct lab_simulation *r = simulate_corpus(served[i]);
		assert_true(r->ran);
		assert_false(r->failed);
		assert_non_null(strstr(r->assumed, "Normal"));
	}
	const struct lab_simulation *r = simulate_corpus("016-");
	assert_false(r->ran);
	assert_non_null(strstr(r->why, "zone DMA: 15880 kB free (lists: 15880 kB) in 15688 kB present"));
}

/* 020: order 5 with no order >= 5 block anywhere: nothing but compaction helps. */
static void test_simulate_corpus_fragmented_report_has_no_watermark_fix(void **state)
{
	const struct lab_simulation *r = simulate_corpus("020-");
	(void)state;
	assert_true(r->ran);
	assert_true(r->failed);
	assert_int_equal(r->min_free_kbytes_pass, -1);
}

int main(void)
{
	const struct CMUnitTest synthetic[] = {
		cmocka_unit_test(test_simulate_atomic_below_mark_fails_and_finds_boundary),
		cmocka_unit_test(test_simulate_raised_min_free_kbytes_is_seen),
		cmocka_unit_test(test_simulate_atomic_above_mark_is_served),
		cmocka_unit_test(test_simulate_missing_blocks_no_min_free_kbytes_serves),
		cmocka_unit_test(test_simulate_free_larger_than_zone_not_run),
		cmocka_unit_test(test_simulate_free_lists_matched_to_zone_free),
		cmocka_unit_test(test_simulate_nearly_free_zone_is_laid_out),
		cmocka_unit_test(test_simulate_zone_above_limit_not_run),
		cmocka_unit_test(test_simulate_report_without_zones_not_run),
	};
	const struct CMUnitTest corpus[] = {
		cmocka_unit_test(test_simulate_corpus_every_report_runs_or_says_why),
		cmocka_unit_test(test_simulate_corpus_profile_of_report_kernel),
		cmocka_unit_test(test_simulate_corpus_low_memory_reports_fail_the_same_way),
		cmocka_unit_test(test_simulate_corpus_highatomic_reports_served),
		cmocka_unit_test(test_simulate_corpus_007_served_by_boost_exemption),
		cmocka_unit_test(test_simulate_corpus_002_reserved_blocks_stay_reserved),
		cmocka_unit_test(test_simulate_corpus_pre_3_8_reports_sized_by_present),
		cmocka_unit_test(test_simulate_corpus_fragmented_report_has_no_watermark_fix),
	};
	int failed = cmocka_run_group_tests_name("simulate synthetic", synthetic, NULL, NULL);
	failed += cmocka_run_group_tests_name("simulate corpus", corpus, corpus_index_setup, NULL);
	return failed;
}
