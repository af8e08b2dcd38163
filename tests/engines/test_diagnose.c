/* SPDX-License-Identifier: MIT */
/*
 * tests/engines/test_diagnose.c - the verdict engine.
 *
 * Corpus half: the verdict of every report of tests/data/dmesg equals the
 * verdict column of its INDEX.md (parsed at run time), decoded flag names
 * equal the names the kernel printed, every report gets advice, incomplete
 * ones say what is missing. Synthetic half: one small report per rule of
 * "How the verdicts were computed", each checked at the number that decides
 * it (the watermark reductions per version, lowmem_reserve lookup, the
 * pre-4.4 per-order loop vs the 4.4 rule, highatomic before/after the
 * October 2024 fix, CMA), the flag decoding across eras, and JSON. If the
 * CLI binary was built ($LAB_CLI) its exit codes are checked too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "util/fixture.h"
#include "engines/diagnose.h"
#include "formats/dmesg.h"
#include "report/diagnose.h"
#include "util/corpus_index.h"
#include "util/interleave.h"

/* ---- INDEX.md ------------------------------------------------------------- */

static void parse_row(const struct corpus_row *r, struct lab_dmesg_log *log)
{
	corpus_index_parse_file(r, log);
	if (log->nr_reports == 0)
		fail_msg("%s: no report", r->col[C_FILE]);
}

/* ---- corpus ------------------------------------------------------------------ */

/* Every report's verdict equals INDEX's verdict column. */
static void test_diagnose_corpus_verdicts_match_index(void **state)
{
	static struct lab_diagnosis d;
	(void)state;
	for (int i = 0; i < corpus_nr_rows; i++) {
		struct lab_dmesg_log log;
		parse_row(&corpus_rows[i], &log);
		for (size_t k = 0; k < log.nr_reports; k++) {
			lab_diagnose(&log, &log.reports[k], NULL, &d);
			if (strcmp(lab_verdict_name(d.verdict), corpus_rows[i].col[C_VERDICT]) != 0)
				fail_msg("%s report %zu: %s (%s), INDEX %s", corpus_rows[i].col[C_FILE], k,
					 lab_verdict_name(d.verdict), d.summary, corpus_rows[i].col[C_VERDICT]);
		}
		lab_dmesg_log_free(&log);
	}
}

/*
 * Two complete corpus reports printed at once by two CPUs (caller ids,
 * KERN_CONT pieces split by the other CPU's lines, mail-wrapped at 80
 * columns): each gets the verdict and summary it gets alone. Pairs are
 * reports that name their own kernel, so that one log's version is not
 * lent to the other.
 */
static void test_diagnose_interleaved_reports_get_their_verdicts_alone(void **state)
{
	static struct lab_diagnosis got, want;
	const char *names[CORPUS_INDEX_MAX_ROWS];
	int n = 0, checked = 0;
	uint64_t seed = interleave_seed("interleaved diagnose");
	(void)state;
	for (int i = 0; i < corpus_nr_rows; i++) {
		struct lab_dmesg_log log;
		if (strcmp(corpus_rows[i].col[C_COMPLETE], "yes") != 0 ||
		    !interleave_corpus_usable(corpus_rows[i].col[C_FILE]))
			continue;
		parse_row(&corpus_rows[i], &log);
		if (log.nr_reports == 1 && log.reports[0].version[0])
			names[n++] = corpus_rows[i].col[C_FILE];
		lab_dmesg_log_free(&log);
	}
	assert_true(n >= 4);
	for (int i = 0; i < n; i++) {
		const char *a = names[i], *b = names[(i + 1) % n];
		char *text = interleave_corpus(a, "C3", b, "T4242", seed + (uint64_t)i, 80);
		struct lab_dmesg_log mixed;
		assert_int_equal(lab_dmesg_parse(text, strlen(text), &mixed), 0);
		assert_int_equal(mixed.nr_reports, 2);
		for (int c = 0; c < 2; c++) {
			struct lab_dmesg_log alone;
			char path[512], err[256];
			const struct lab_dmesg_report *r = NULL;
			snprintf(path, sizeof(path), "%s/tests/data/dmesg/%s", LAB_SOURCE_DIR, c ? b : a);
			assert_int_equal(lab_dmesg_parse_file(path, &alone, err, sizeof(err)), 0);
			for (size_t k = 0; k < 2; k++)
				if (strcmp(mixed.reports[k].comm, alone.reports[0].comm) == 0)
					r = &mixed.reports[k];
			assert_non_null(r);
			lab_diagnose(&alone, &alone.reports[0], NULL, &want);
			lab_diagnose(&mixed, r, NULL, &got);
			if (got.verdict != want.verdict || strcmp(got.summary, want.summary) != 0)
				fail_msg("%s with %s (seed %llu): %s (%s), alone %s (%s)", c ? b : a, c ? a : b,
					 (unsigned long long)(seed + (uint64_t)i), lab_verdict_name(got.verdict),
					 got.summary, lab_verdict_name(want.verdict), want.summary);
			checked++;
			lab_dmesg_log_free(&alone);
		}
		lab_dmesg_log_free(&mixed);
		free(text);
	}
	assert_int_equal(checked, 2 * n);
}

/* Where the kernel printed flag names, decoding the value for the report's kernel gives the same names. */
static void test_diagnose_corpus_decoded_modes_match_printed_names(void **state)
{
	static struct lab_diagnosis d;
	int checked = 0;
	(void)state;
	for (int i = 0; i < corpus_nr_rows; i++) {
		struct lab_dmesg_log log;
		parse_row(&corpus_rows[i], &log);
		for (size_t k = 0; k < log.nr_reports; k++) {
			const struct lab_dmesg_report *r = &log.reports[k];
			if (!r->names_printed)
				continue;
			lab_diagnose(&log, r, NULL, &d);
			if (strcmp(d.decoded, r->names) != 0)
				fail_msg("%s: %#x decoded as '%s' (era %s), printed '%s'", corpus_rows[i].col[C_FILE],
					 r->mode, d.decoded, lab_gfp_era_name(d.era), r->names);
			checked++;
		}
		lab_dmesg_log_free(&log);
	}
	assert_true(checked >= 12);
}

/* Incomplete reports (INDEX complete: no) carry a description of what is missing. */
static void test_diagnose_corpus_incomplete_reports_say_what_is_missing(void **state)
{
	static struct lab_diagnosis d;
	(void)state;
	for (int i = 0; i < corpus_nr_rows; i++) {
		struct lab_dmesg_log log;
		if (strncmp(corpus_rows[i].col[C_COMPLETE], "no", 2) != 0)
			continue;
		parse_row(&corpus_rows[i], &log);
		for (size_t k = 0; k < log.nr_reports; k++) {
			lab_diagnose(&log, &log.reports[k], NULL, &d);
			if (!strstr(d.missing, "Mem-Info"))
				fail_msg("%s: missing '%s'", corpus_rows[i].col[C_FILE], d.missing);
		}
		lab_dmesg_log_free(&log);
	}
}

/* Every report gets a summary and at least one piece of advice. */
static void test_diagnose_corpus_every_report_gets_advice(void **state)
{
	static struct lab_diagnosis d;
	(void)state;
	for (int i = 0; i < corpus_nr_rows; i++) {
		struct lab_dmesg_log log;
		parse_row(&corpus_rows[i], &log);
		for (size_t k = 0; k < log.nr_reports; k++) {
			lab_diagnose(&log, &log.reports[k], NULL, &d);
			if (d.nr_advice < 1 || !d.summary[0])
				fail_msg("%s: no advice/summary", corpus_rows[i].col[C_FILE]);
		}
		lab_dmesg_log_free(&log);
	}
}

/* 007 (5.4, GFP_ATOMIC): Normal's watermark is min 56392 kB -> 28196 -> 21148 kB, and DMA32 is charged lowmem_reserve 4433 pages. */
static void test_diagnose_corpus_007_numbers(void **state)
{
	static struct lab_diagnosis d;
	struct lab_dmesg_log log;
	char err[256];
	(void)state;
	assert_int_equal(lab_dmesg_parse_file(data_path("dmesg/007-x86_64-kvm-5.4-ceph-virtio_net-order0-atomic.txt"),
					      &log, err, sizeof(err)), 0);
	lab_diagnose(&log, &log.reports[0], NULL, &d);
	assert_int_equal(d.nr_zones, 3);
	assert_string_equal(log.reports[0].zones[d.zones[0].zi].name, "Normal");
	assert_int_equal(d.zones[0].mark * 4, 21148);
	assert_int_equal(d.zones[1].reserve, 4433);
	assert_int_equal(d.zones[2].reserve, 7878);
	assert_int_equal(d.zones[1].outcome, LAB_ZONE_PROTECTED);
	lab_dmesg_log_free(&log);
}

/* ---- synthetic ------------------------------------------------------------------ */

static struct lab_diagnosis diag;

/* Parses @text and diagnoses its first report (with @kernel as --kernel). */
static const struct lab_diagnosis *run(const char *text, const char *kernel, struct lab_dmesg_log *log)
{
	assert_int_equal(lab_dmesg_parse(text, strlen(text), log), 0);
	assert_true(log->nr_reports >= 1);
	lab_diagnose(log, &log->reports[0], kernel, &diag);
	return &diag;
}

/* A report of task @comm with one zone "Normal": free, boost (0: no boost:
 * field) and min in kB, low/high at 5/4 and 6/4 of min, and a buddy line. */
static char *zone_report(const char *comm, const char *version, unsigned order, const char *mode,
			 unsigned free_kb, unsigned boost_kb, unsigned min_kb, const char *buddy)
{
	char *s = malloc(4096), boost[32] = "";
	assert_non_null(s);
	if (boost_kb)
		snprintf(boost, sizeof(boost), " boost:%ukB", boost_kb);
	snprintf(s, 4096,
		 "[1.0] %s: page allocation failure: order:%u, mode:%s, nodemask=(null)\n"
		 "[1.1] CPU: 0 PID: 7 Comm: %s Not tainted %s #1\n"
		 "[1.2] Mem-Info:\n"
		 "[1.3] Normal free:%ukB%s min:%ukB low:%ukB high:%ukB present:4194304kB managed:4000000kB free_cma:0kB\n"
		 "[1.4] lowmem_reserve[]: 0 0 0 0\n"
		 "[1.5] Normal: %s\n",
		 comm, order, mode, comm, version, free_kb, boost, min_kb, min_kb * 5 / 4, min_kb * 6 / 4, buddy);
	return s;
}

/* One zone "Normal" of task t, no boost; order and mode as given. */
static char *one_zone(const char *version, unsigned order, const char *mode, unsigned free_kb,
		      unsigned min_kb, const char *buddy)
{
	return zone_report("t", version, order, mode, free_kb, 0, min_kb, buddy);
}

#define BUDDY_SMALL "500*4kB (UME) 100*8kB (UM) 0*16kB 0*32kB 0*64kB 0*128kB 0*256kB 0*512kB 0*1024kB 0*2048kB 0*4096kB = 2800kB"
#define BUDDY_H_ONLY "500*4kB (H) 100*8kB (H) 0*16kB 0*32kB 0*64kB 0*128kB 0*256kB 0*512kB 0*1024kB 0*2048kB 0*4096kB = 2800kB"

/* GFP_ATOMIC on 5.x: min 8000 kB (2000 pages) -> 1000 (__GFP_HIGH) -> 750 (ALLOC_HARDER). */
static void test_diagnose_atomic_mark_is_three_eighths_of_min(void **state)
{
	struct lab_dmesg_log log;
	char *s = one_zone("5.10.0", 0, "0xa20(GFP_ATOMIC)", 2996, 8000, BUDDY_SMALL);
	const struct lab_diagnosis *d = run(s, NULL, &log);
	(void)state;
	assert_int_equal(d->zones[0].mark, 750);
	assert_int_equal(d->verdict, LAB_VERDICT_LOW_MEMORY);   /* 749 pages <= 750 */
	lab_dmesg_log_free(&log);
	free(s);
}

/* One page more than the atomic watermark: the snapshot does not explain the failure. */
static void test_diagnose_one_page_above_mark_is_undetermined(void **state)
{
	struct lab_dmesg_log log;
	char *s = one_zone("5.10.0", 0, "0xa20(GFP_ATOMIC)", 3004, 8000, BUDDY_SMALL);
	const struct lab_diagnosis *d = run(s, NULL, &log);
	(void)state;
	assert_int_equal(d->zones[0].outcome, LAB_ZONE_OK);
	assert_int_equal(d->verdict, LAB_VERDICT_UNDETERMINED);
	lab_dmesg_log_free(&log);
	free(s);
}

/* GFP_NOWAIT on 6.3+ (ALLOC_NON_BLOCK without MIN_RESERVE) gets no reduction at all. */
static void test_diagnose_gfp_nowait_has_no_reduction_on_6_3(void **state)
{
	struct lab_dmesg_log log;
	char *s = one_zone("6.5.0", 0, "0x800(GFP_NOWAIT)", 2996, 8000, BUDDY_SMALL);
	const struct lab_diagnosis *d = run(s, NULL, &log);
	(void)state;
	assert_false(d->can_block);
	assert_int_equal(d->zones[0].mark, 2000);
	lab_dmesg_log_free(&log);
	free(s);
}

/* One boosted zone "Normal" on 6.1.160: printed min 8000 kB = 1000 pages unboosted + 1000 boost. */
static char *boosted_zone(const char *mode)
{
	return zone_report("t", "6.1.160", 0, mode, 2800, 4000, 8000, BUDDY_SMALL);
}

/*
 * zone_watermark_fast() of 6.1.y ignores the boost for an order-0 request
 * with __GFP_ATOMIC, not for any __GFP_HIGH one: GFP_ATOMIC (0xa20) passes at
 * the unboosted mark (1000 pages -> 375 after the __GFP_HIGH half and the
 * non-blocking quarter), __GFP_HIGH|__GFP_KSWAPD_RECLAIM (0x820 on 6.1) fails
 * at the boosted 750 with the same 700 free pages.
 */
static void test_diagnose_6_1_boost_exemption_needs_gfp_atomic(void **state)
{
	struct lab_dmesg_log log;
	char *s = boosted_zone("0xa20(GFP_ATOMIC)");
	const struct lab_diagnosis *d = run(s, "6.1.160", &log);
	(void)state;
	assert_true(d->zones[0].unboosted);
	assert_int_equal(d->zones[0].mark, 375);
	assert_int_equal(d->zones[0].outcome, LAB_ZONE_OK);
	lab_dmesg_log_free(&log);
	free(s);

	s = boosted_zone("0x820(__GFP_HIGH|__GFP_KSWAPD_RECLAIM)");
	d = run(s, "6.1.160", &log);
	assert_false(d->zones[0].unboosted);
	assert_int_equal(d->zones[0].mark, 750);
	assert_int_equal(d->verdict, LAB_VERDICT_LOW_MEMORY);
	lab_dmesg_log_free(&log);
	free(s);
}

#define BUDDY_NONE "0*4kB 0*8kB 0*16kB 0*32kB 0*64kB 0*128kB 0*256kB 0*512kB 0*1024kB 0*2048kB 0*4096kB = 0kB"

/* kswapd (PF_MEMALLOC: no watermark) fails an order-0 request on 6.x with
 * every buddy list empty: out of memory, never FRAGMENTATION. */
static void test_diagnose_order0_with_empty_lists_is_low_memory(void **state)
{
	struct lab_dmesg_log log;
	char *s = zone_report("kswapd0", "6.5.0", 0, "0xcc0(GFP_KERNEL)", 0, 0, 8000, BUDDY_NONE);
	const struct lab_diagnosis *d = run(s, NULL, &log);
	(void)state;
	assert_true(d->no_watermarks);
	assert_int_equal(d->zones[0].outcome, LAB_ZONE_NO_FREE);
	assert_int_equal(d->verdict, LAB_VERDICT_LOW_MEMORY);
	lab_dmesg_log_free(&log);
	free(s);
}

/* The watermark passes (free counts pages the buddy line does not hold, e.g.
 * per-CPU lists) but no list has a block: an order-0 GFP_ATOMIC failure is
 * still LOW_MEMORY; at order 2 the same zone has no block of any order. */
static void test_diagnose_no_block_of_any_order_is_low_memory(void **state)
{
	struct lab_dmesg_log log;
	(void)state;
	for (unsigned order = 0; order <= 2; order += 2) {
		char *s = one_zone("6.5.0", order, "0x820(GFP_ATOMIC)", 40000, 8000, BUDDY_NONE);
		const struct lab_diagnosis *d = run(s, NULL, &log);
		assert_int_equal(d->zones[0].outcome, LAB_ZONE_NO_FREE);
		assert_int_equal(d->verdict, LAB_VERDICT_LOW_MEMORY);
		assert_non_null(strstr(d->summary, "no free page"));
		lab_dmesg_log_free(&log);
		free(s);
	}
}

/* GFP_ATOMIC is decoded from 0x2080020 on 4.9, 0xa20 on 6.1 and 0x820 on 6.3, and is atomic each time. */
static void test_diagnose_gfp_atomic_decodes_in_every_era(void **state)
{
	static const struct { const char *kernel, *mode; } cases[] = {
		{ "4.9.0", "0x2080020" }, { "6.1.0", "0xa20" }, { "6.3.0", "0x820" }, { "6.18.4", "0x820" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct lab_dmesg_log log;
		char *s = one_zone("1.0", 0, cases[i].mode, 100, 8000, BUDDY_SMALL);
		const struct lab_diagnosis *d = run(s, cases[i].kernel, &log);
		assert_string_equal(d->decoded, "GFP_ATOMIC");
		assert_true(d->high);
		assert_false(d->can_block);
		assert_int_equal(d->zones[0].mark, 750);
		lab_dmesg_log_free(&log);
		free(s);
	}
}

/* Without any version, the printed names pick the era: 0x480020(GFP_ATOMIC) is a 4.18-era kernel. */
static void test_diagnose_era_inferred_from_printed_names(void **state)
{
	struct lab_dmesg_log log;
	const struct lab_diagnosis *d = run(
		"a: page allocation failure: order:0, mode:0x480020(GFP_ATOMIC), nodemask=(null)\n", NULL, &log);
	(void)state;
	assert_int_equal(d->era, LAB_GFP_ERA_4_18);
	assert_string_equal(d->version_source, "inferred");
	assert_true(d->atomic);
	lab_dmesg_log_free(&log);
}

/* GFP_DMA32: DMA is charged lowmem_reserve[DMA32] (the first step, 1000), not Normal's 3000; Normal is not eligible. */
static void test_diagnose_lowmem_reserve_of_the_request_zone(void **state)
{
	struct lab_dmesg_log log;
	const struct lab_diagnosis *d = run(
		"a: page allocation failure: order:0, mode:0xcc4(GFP_KERNEL|GFP_DMA32), nodemask=(null)\n"
		"CPU: 0 PID: 1 Comm: a Not tainted 5.15.0 #1\n"
		"Mem-Info:\n"
		"DMA free:4000kB min:40kB low:50kB high:60kB present:16000kB managed:15000kB\n"
		"lowmem_reserve[]: 0 1000 3000 3000\n"
		"DMA32 free:100kB min:4000kB low:5000kB high:6000kB present:3000000kB managed:2900000kB\n"
		"lowmem_reserve[]: 0 0 2000 2000\n"
		"Normal free:900000kB min:8000kB low:10000kB high:12000kB present:8000000kB managed:7900000kB\n"
		"lowmem_reserve[]: 0 0 0 0\n"
		"DMA: 1000*4kB (U) = 4000kB\n"
		"DMA32: 25*4kB (U) = 100kB\n"
		"Normal: 225000*4kB (U) = 900000kB\n", NULL, &log);
	(void)state;
	assert_int_equal(d->nr_zones, 2);
	assert_string_equal(d->ineligible, "Normal");
	assert_int_equal(d->zones[1].reserve, 1000);
	assert_int_equal(d->zones[0].reserve, 0);
	assert_int_equal(d->verdict, LAB_VERDICT_LOW_MEMORY);
	lab_dmesg_log_free(&log);
}

#define PRE44 "[1.0] t: page allocation failure: order:4, mode:0xd0\n" \
	"[1.2] Mem-Info:\n" \
	"[1.3] Normal free:2756kB min:1904kB low:2380kB high:2856kB present:242824kB\n" \
	"[1.4] lowmem_reserve[]: 0 0 0\n" \
	"[1.5] Normal: 233*4kB 202*8kB 5*16kB 0*32kB 2*64kB 0*128kB 0*256kB 0*512kB 0*1024kB 0*2048kB 0*4096kB = 2756kB\n"

/* Before 4.4 the per-order loop fails although two order-4 blocks are free (012's numbers). */
static void test_diagnose_pre44_per_order_loop_fails(void **state)
{
	struct lab_dmesg_log log;
	const struct lab_diagnosis *d = run(PRE44, "3.3.0", &log);
	(void)state;
	assert_int_equal(d->zones[0].loop_fail_order, 1);
	assert_int_equal(d->zones[0].loop_free, 37);
	assert_int_equal(d->zones[0].loop_min, 119);
	assert_int_equal(d->verdict, LAB_VERDICT_FRAGMENTATION);
	lab_dmesg_log_free(&log);
}

/* The same numbers under the 4.4 rule pass: one free block of the order is enough. */
static void test_diagnose_same_numbers_pass_from_4_4(void **state)
{
	struct lab_dmesg_log log;
	const struct lab_diagnosis *d = run(PRE44, "4.4.0", &log);
	(void)state;
	assert_int_equal(d->zones[0].loop_fail_order, -1);
	assert_int_equal(d->zones[0].outcome, LAB_ZONE_OK);
	assert_int_equal(d->verdict, LAB_VERDICT_UNDETERMINED);
	lab_dmesg_log_free(&log);
}

/* Order-0 GFP_ATOMIC with only highatomic blocks fails before the Oct 2024 fix (6.1.0) ... */
static void test_diagnose_order0_atomic_highatomic_before_fix(void **state)
{
	struct lab_dmesg_log log;
	char *s = one_zone("6.1.0", 0, "0xa20(GFP_ATOMIC)", 2800, 1000, BUDDY_H_ONLY);
	const struct lab_diagnosis *d = run(s, NULL, &log);
	(void)state;
	assert_true(d->zones[0].wmark_ok);
	assert_int_equal(d->verdict, LAB_VERDICT_RESERVE_OR_MIGRATETYPE);
	lab_dmesg_log_free(&log);
	free(s);
}

/* ... and may take them with the fix (6.12, or 6.1.116 in 6.1.y). */
static void test_diagnose_order0_atomic_highatomic_after_fix(void **state)
{
	static const char *const kernels[] = { "6.12.0", "6.1.116" };
	(void)state;
	for (int i = 0; i < 2; i++) {
		struct lab_dmesg_log log;
		char *s = one_zone(kernels[i], 0, i == 0 ? "0x820(GFP_ATOMIC)" : "0xa20(GFP_ATOMIC)",
				   2800, 1000, BUDDY_H_ONLY);
		const struct lab_diagnosis *d = run(s, NULL, &log);
		assert_true(d->may_use_highatomic);
		assert_int_equal(d->zones[0].outcome, LAB_ZONE_OK);
		lab_dmesg_log_free(&log);
		free(s);
	}
}

/* GFP_KERNEL never takes highatomic blocks, whatever the version. */
static void test_diagnose_non_atomic_never_uses_highatomic(void **state)
{
	struct lab_dmesg_log log;
	char *s = one_zone("6.12.0", 1, "0xcc0(GFP_KERNEL)", 2800, 1000, BUDDY_H_ONLY);
	const struct lab_diagnosis *d = run(s, NULL, &log);
	(void)state;
	assert_false(d->may_use_highatomic);
	assert_int_equal(d->verdict, LAB_VERDICT_RESERVE_OR_MIGRATETYPE);
	lab_dmesg_log_free(&log);
	free(s);
}

#define BUDDY_C_HIGH "500*4kB (UM) 0*8kB 0*16kB 0*32kB 0*64kB 4*128kB (C) 0*256kB 0*512kB 0*1024kB 0*2048kB 0*4096kB = 2512kB"

/* Blocks of the order only in CMA: RESERVE_OR_MIGRATETYPE for unmovable, usable for movable. */
static void test_diagnose_cma_blocks_only_for_movable(void **state)
{
	struct lab_dmesg_log log;
	char *s = one_zone("5.10.0", 5, "0xcc0(GFP_KERNEL)", 2512, 1000, BUDDY_C_HIGH);
	const struct lab_diagnosis *d = run(s, NULL, &log);
	(void)state;
	assert_int_equal(d->verdict, LAB_VERDICT_RESERVE_OR_MIGRATETYPE);
	assert_non_null(strstr(d->advice[0], "CMA is unusable for unmovable requests"));
	lab_dmesg_log_free(&log);
	free(s);
	s = one_zone("5.10.0", 5, "0x100cca(GFP_HIGHUSER_MOVABLE)", 2512, 1000, BUDDY_C_HIGH);
	d = run(s, NULL, &log);
	assert_true(d->may_use_cma);
	assert_int_equal(d->zones[0].outcome, LAB_ZONE_OK);
	lab_dmesg_log_free(&log);
	free(s);
}

/* No block of the order anywhere with plenty of free pages: FRAGMENTATION, with the largest order named. */
static void test_diagnose_no_block_is_fragmentation(void **state)
{
	struct lab_dmesg_log log;
	char *s = one_zone("6.8.0", 3, "0xcc0(GFP_KERNEL)", 2800, 1000, BUDDY_SMALL);
	const struct lab_diagnosis *d = run(s, NULL, &log);
	(void)state;
	assert_int_equal(d->verdict, LAB_VERDICT_FRAGMENTATION);
	assert_int_equal(d->zones[0].largest_order, 1);
	lab_dmesg_log_free(&log);
	free(s);
}

/* --kernel overrides the report's version and with it the rules. */
static void test_diagnose_kernel_override_changes_rules(void **state)
{
	struct lab_dmesg_log log;
	char *s = one_zone("4.4.0", 4, "0xd0", 2756, 1904, "233*4kB 202*8kB 5*16kB 0*32kB 2*64kB = 2756kB");
	const struct lab_diagnosis *d = run(s, "3.10.0", &log);
	(void)state;
	assert_string_equal(d->version_source, "--kernel");
	assert_int_equal(d->kmajor, 3);
	assert_int_equal(d->verdict, LAB_VERDICT_FRAGMENTATION);
	lab_dmesg_log_free(&log);
	free(s);
}

/* A failure line without mode is UNDETERMINED and says so. */
static void test_diagnose_missing_mode_is_undetermined(void **state)
{
	struct lab_dmesg_log log;
	const struct lab_diagnosis *d = run("x: page allocation failure: order:2\n", NULL, &log);
	(void)state;
	assert_int_equal(d->verdict, LAB_VERDICT_UNDETERMINED);
	assert_non_null(strstr(d->summary, "mode:"));
	assert_non_null(strstr(d->missing, "mode:0x"));
	lab_dmesg_log_free(&log);
}

/* An empty preferred zone (present:0) is skipped: the verdict comes from the next zone. */
static void test_diagnose_empty_zone_is_skipped(void **state)
{
	struct lab_dmesg_log log;
	const struct lab_diagnosis *d = run(
		"a: page allocation failure: order:0, mode:0xcc0(GFP_KERNEL), nodemask=(null)\n"
		"CPU: 0 PID: 1 Comm: a Not tainted 5.15.0 #1\n"
		"Mem-Info:\n"
		"DMA32 free:100kB min:4000kB low:5000kB high:6000kB present:3000000kB managed:2900000kB\n"
		"lowmem_reserve[]: 0 0 0 0\n"
		"Normal free:0kB min:0kB low:0kB high:0kB present:0kB managed:0kB\n"
		"lowmem_reserve[]: 0 0 0 0\n"
		"DMA32: 25*4kB (U) = 100kB\n", NULL, &log);
	(void)state;
	assert_int_equal(d->zones[0].outcome, LAB_ZONE_EMPTY);
	assert_int_equal(d->deciding, 1);
	assert_int_equal(d->verdict, LAB_VERDICT_LOW_MEMORY);
	lab_dmesg_log_free(&log);
}

/* LOW_MEMORY advice for an atomic caller names watermark_scale_factor and min_free_kbytes with numbers. */
static void test_diagnose_low_memory_advice_has_tunables(void **state)
{
	struct lab_dmesg_log log;
	char *s = one_zone("5.10.0", 0, "0xa20(GFP_ATOMIC)", 2000, 8000, BUDDY_SMALL);
	const struct lab_diagnosis *d = run(s, NULL, &log);
	bool wsf = false, mfk = false;
	(void)state;
	for (int i = 0; i < d->nr_advice; i++) {
		wsf |= strstr(d->advice[i], "vm.watermark_scale_factor >= ") != NULL;
		mfk |= strstr(d->advice[i], "vm.min_free_kbytes >= ") != NULL;
	}
	assert_true(wsf);
	assert_true(mfk);
	lab_dmesg_log_free(&log);
	free(s);
}

/* The JSON object carries the verdict, the order and the zones. */
static void test_diagnose_json_has_verdict_and_zones(void **state)
{
	struct lab_dmesg_log log;
	char *s = one_zone("5.10.0", 0, "0xa20(GFP_ATOMIC)", 2000, 8000, BUDDY_SMALL);
	const struct lab_diagnosis *d = run(s, NULL, &log);
	json_t *o = lab_diagnosis_to_json("x.log", &log, &log.reports[0], d);
	(void)state;
	assert_non_null(o);
	assert_string_equal(json_string_value(json_object_get(o, "verdict")), "LOW_MEMORY");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(o, "request"), "order")), 0);
	assert_int_equal(json_array_size(json_object_get(o, "zones")), 1);
	json_decref(o);
	lab_dmesg_log_free(&log);
	free(s);
}

/* Runs $LAB_CLI with @args; returns the exit status, -1 if it could not run. */
static int run_cli(const char *args)
{
	const char *cli = getenv("LAB_CLI");
	char cmd[2048];
	int st;
	if (!cli || access(cli, X_OK) != 0)
		return -1;
	snprintf(cmd, sizeof(cmd), "%s diagnose %s >/dev/null 2>&1", cli, args);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The CLI exits 0 on a report, 1 when none is found, 2 for an unreadable file or bad usage. */
static void test_diagnose_cli_exit_codes(void **state)
{
	char args[1200];
	int help;
	(void)state;
	help = run_cli("--help");
	if (help < 0 || help == 2)
		skip();	/* no binary yet, or main.c does not dispatch "diagnose" yet */
	assert_int_equal(help, 0);
	snprintf(args, sizeof(args), "%s", data_path("dmesg/007-x86_64-kvm-5.4-ceph-virtio_net-order0-atomic.txt"));
	assert_int_equal(run_cli(args), 0);
	snprintf(args, sizeof(args), "--json %s", data_path("dmesg/007-x86_64-kvm-5.4-ceph-virtio_net-order0-atomic.txt"));
	assert_int_equal(run_cli(args), 0);
	snprintf(args, sizeof(args), "%s", data_path("dmesg/INDEX.md"));
	assert_int_equal(run_cli(args), 1);
	assert_int_equal(run_cli("/nonexistent/kern.log"), 2);
	assert_int_equal(run_cli("--bogus x"), 2);
	assert_int_equal(run_cli(""), 2);
}

int main(void)
{
	const struct CMUnitTest corpus[] = {
		cmocka_unit_test(test_diagnose_corpus_verdicts_match_index),
		cmocka_unit_test(test_diagnose_interleaved_reports_get_their_verdicts_alone),
		cmocka_unit_test(test_diagnose_corpus_decoded_modes_match_printed_names),
		cmocka_unit_test(test_diagnose_corpus_incomplete_reports_say_what_is_missing),
		cmocka_unit_test(test_diagnose_corpus_every_report_gets_advice),
		cmocka_unit_test(test_diagnose_corpus_007_numbers),
	};
	const struct CMUnitTest synthetic[] = {
		cmocka_unit_test(test_diagnose_atomic_mark_is_three_eighths_of_min),
		cmocka_unit_test(test_diagnose_one_page_above_mark_is_undetermined),
		cmocka_unit_test(test_diagnose_gfp_nowait_has_no_reduction_on_6_3),
		cmocka_unit_test(test_diagnose_6_1_boost_exemption_needs_gfp_atomic),
		cmocka_unit_test(test_diagnose_order0_with_empty_lists_is_low_memory),
		cmocka_unit_test(test_diagnose_no_block_of_any_order_is_low_memory),
		cmocka_unit_test(test_diagnose_gfp_atomic_decodes_in_every_era),
		cmocka_unit_test(test_diagnose_era_inferred_from_printed_names),
		cmocka_unit_test(test_diagnose_lowmem_reserve_of_the_request_zone),
		cmocka_unit_test(test_diagnose_pre44_per_order_loop_fails),
		cmocka_unit_test(test_diagnose_same_numbers_pass_from_4_4),
		cmocka_unit_test(test_diagnose_order0_atomic_highatomic_before_fix),
		cmocka_unit_test(test_diagnose_order0_atomic_highatomic_after_fix),
		cmocka_unit_test(test_diagnose_non_atomic_never_uses_highatomic),
		cmocka_unit_test(test_diagnose_cma_blocks_only_for_movable),
		cmocka_unit_test(test_diagnose_no_block_is_fragmentation),
		cmocka_unit_test(test_diagnose_kernel_override_changes_rules),
		cmocka_unit_test(test_diagnose_missing_mode_is_undetermined),
		cmocka_unit_test(test_diagnose_empty_zone_is_skipped),
		cmocka_unit_test(test_diagnose_low_memory_advice_has_tunables),
		cmocka_unit_test(test_diagnose_json_has_verdict_and_zones),
		cmocka_unit_test(test_diagnose_cli_exit_codes),
	};
	int failed = cmocka_run_group_tests_name("diagnose corpus", corpus, corpus_index_setup, NULL);
	failed += cmocka_run_group_tests_name("diagnose synthetic", synthetic, NULL, NULL);
	return failed;
}
