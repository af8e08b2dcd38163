/* SPDX-License-Identifier: MIT */
/*
 * tests/engines/test_replay.c - the replay engines (engines/replay_*.c).
 *
 * On the real corpus (tests/data/realkernel, parsed once in the group
 * setup): every trace replays in both modes without rejecting an event;
 * the shadow model reproduces the kernel's own buddyinfo where the trace
 * covers every change; the what-if replay of atomic-pressure reproduces an
 * order-0 GFP_ATOMIC failure in softirq context under the traced settings,
 * and shows what a larger min_free_kbytes changes.
 *
 * On hand-made traces over a tiny synthetic zone: splitting and merging
 * like the buddy allocator, the per-CPU lists, the reordering of equal
 * timestamps, and the accounting of frees of pre-trace pages.
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
#include "util/snapshot_zone.h"
#include "engines/replay.h"

#define NRUNS 4
static const char *const runs[NRUNS] = { "atomic-pressure-256M", "boot-idle-256M", "compaction-256M", "fragment-256M" };

struct run {
	struct lab_ftrace t;
	struct lab_snapshot snaps[16];
	int nsnaps, before;
	struct lab_replay_opts o;
	struct lab_shadow_result shadow;
	struct lab_whatif_result whatif;
	int shadow_rc, whatif_rc;
};
static struct run R[NRUNS];

static int load_run(struct run *r, const char *name)
{
	char dir[1024], path[1100], err[512];
	snprintf(dir, sizeof(dir), "%s", data_path("realkernel/"));
	strncat(dir, name, sizeof(dir) - strlen(dir) - 1);
	snprintf(path, sizeof(path), "%s/trace.txt.xz", dir);
	FILE *f = fopen(path, "r");
	if (f)
		fclose(f);
	else
		snprintf(path, sizeof(path), "%s/trace.txt", dir);
	struct lab_ftrace_opts fo = { .era = LAB_GFP_ERA_6_1 };
	if (lab_ftrace_load(path, &fo, &r->t, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	char names[16][32];
	r->nsnaps = lab_snapshot_list(dir, names, 16);
	r->before = -1;
	for (int i = 0; i < r->nsnaps; i++) {
		if (lab_snapshot_read(dir, names[i], &r->snaps[i], err, sizeof(err)))
			return -1;
		if (!strcmp(names[i], "before"))
			r->before = i;
	}
	if (r->before < 0)
		return -1;
	memset(&r->o, 0, sizeof(r->o));
	r->o.before = &r->snaps[r->before];
	lab_replay_settings_default(&r->o.set);
	lab_replay_match_snapshots(&r->t, r->snaps, (unsigned)r->nsnaps, &r->o);
	r->shadow_rc = lab_replay_shadow(&r->t, &r->o, &r->shadow, err, sizeof(err));
	r->whatif_rc = lab_replay_whatif(&r->t, &r->o, &r->whatif, err, sizeof(err));
	return 0;
}

static int setup(void **state)
{
	(void)state;
	for (int i = 0; i < NRUNS; i++)
		if (load_run(&R[i], runs[i]))
			return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (int i = 0; i < NRUNS; i++) {
		if (!R[i].shadow_rc)
			lab_shadow_result_free(&R[i].shadow);
		if (!R[i].whatif_rc)
			lab_whatif_result_free(&R[i].whatif);
		lab_ftrace_free(&R[i].t);
	}
	return 0;
}

static const struct lab_replay_failkey *key(const struct lab_whatif_result *r, unsigned order, lab_gfp_t gfp,
					    enum lab_context ctx)
{
	for (unsigned i = 0; i < r->nr_keys; i++)
		if (r->keys[i].order == order && r->keys[i].gfp == gfp && r->keys[i].ctx == ctx)
			return &r->keys[i];
	return NULL;
}

/* Checks one run: both engines ran, no event was rejected, every free found its place. */
static void check_accepts_every_event(int i)
{
	struct run *r = &R[i];
	assert_int_equal(r->t.malformed, 0);
	assert_int_equal(r->t.nr_unknown, 0);
	assert_int_equal(r->shadow_rc, 0);
	assert_int_equal(r->whatif_rc, 0);
	assert_int_equal(r->shadow.fixes[LAB_FIX_OUTSIDE_ZONES], 0);
	assert_int_equal(r->shadow.seed.events_outside_zones, 0);
	assert_int_equal(r->whatif.bad_frees, 0);
	assert_int_equal(r->whatif.allocs, r->t.count[LAB_FT_PAGE_ALLOC]);
	assert_int_equal(r->whatif.frees, r->t.count[LAB_FT_PAGE_FREE]);
	uint64_t applied = 0;
	for (int k = 0; k < LAB_FT_NR_TYPES; k++)
		applied += r->shadow.applied[k];
	assert_int_equal(applied, r->t.nr);
}

/* atomic-pressure replays in both modes with no rejected event. */
static void test_replay_atomic_pressure_accepts_every_event(void **state) { (void)state; check_accepts_every_event(0); }
/* boot-idle replays in both modes with no rejected event. */
static void test_replay_boot_idle_accepts_every_event(void **state) { (void)state; check_accepts_every_event(1); }
/* compaction replays in both modes with no rejected event. */
static void test_replay_compaction_accepts_every_event(void **state) { (void)state; check_accepts_every_event(2); }
/* fragment replays in both modes with no rejected event. */
static void test_replay_fragment_accepts_every_event(void **state) { (void)state; check_accepts_every_event(3); }

static int snap_index(const struct run *r, const char *name)
{
	for (unsigned i = 0; i < r->o.nr_snaps; i++)
		if (!strcmp(r->o.snaps[i].snap->suffix, name))
			return (int)i;
	return -1;
}

/* Shadow: the seeded model equals buddyinfo.before in DMA32 (atomic-pressure). */
static void test_replay_shadow_seed_matches_before(void **state)
{
	(void)state;
	struct run *r = &R[0];
	int si = snap_index(r, "before");
	assert_true(si >= 0);
	assert_int_equal(r->o.snaps[si].at_event, 0);
	assert_memory_equal(r->shadow.snaps[si].zone[LAB_ZONE_DMA32].nr_free,
			    r->o.snaps[si].snap->zone[LAB_ZONE_DMA32].buddy, sizeof(uint64_t) * LAB_MAX_ORDER);
}

/* Shadow: replaying the kernel's decisions reproduces buddyinfo.after of DMA32 exactly (atomic-pressure). */
static void test_replay_shadow_reproduces_after(void **state)
{
	(void)state;
	struct run *r = &R[0];
	int si = snap_index(r, "after");
	assert_true(si >= 0);
	assert_memory_equal(r->shadow.snaps[si].zone[LAB_ZONE_DMA32].nr_free,
			    r->o.snaps[si].snap->zone[LAB_ZONE_DMA32].buddy, sizeof(uint64_t) * LAB_MAX_ORDER);
}

/* Shadow: the mid-trace "net" snapshot of DMA32 is reproduced exactly too. */
static void test_replay_shadow_reproduces_net_snapshot(void **state)
{
	(void)state;
	struct run *r = &R[0];
	int si = snap_index(r, "net");
	assert_true(si > 0);
	assert_true(r->o.snaps[si].at_event > 0);
	assert_memory_equal(r->shadow.snaps[si].zone[LAB_ZONE_DMA32].nr_free,
			    r->o.snaps[si].snap->zone[LAB_ZONE_DMA32].buddy, sizeof(uint64_t) * LAB_MAX_ORDER);
}

/* Shadow: fragment's final free pages are within 1% of the kernel's. */
static void test_replay_shadow_fragment_after_close(void **state)
{
	(void)state;
	struct run *r = &R[3];
	int si = snap_index(r, "after");
	assert_true(si >= 0);
	uint64_t m = 0, k = 0;
	for (int o = 0; o < LAB_MAX_ORDER; o++) {
		m += r->shadow.snaps[si].zone[LAB_ZONE_DMA32].nr_free[o] << o;
		k += r->o.snaps[si].snap->zone[LAB_ZONE_DMA32].buddy[o] << o;
	}
	assert_true(m * 100 <= k * 101 && k * 100 <= m * 101);
}

/* What-if: the traced settings give our zones the kernel's watermarks. */
static void test_replay_whatif_uses_traced_watermarks(void **state)
{
	(void)state;
	const struct lab_whatif_result *w = &R[0].whatif;
	assert_true(w->kernel_watermarks);
	assert_int_equal(w->wmark[LAB_ZONE_DMA32][0], 387);
	assert_int_equal(w->wmark[LAB_ZONE_DMA32][1], 483);
	assert_int_equal(w->wmark[LAB_ZONE_DMA32][2], 579);
	assert_int_equal(w->tunables.min_free_kbytes, 1699);
}

/* What-if: atomic-pressure reproduces order-0 GFP_ATOMIC failures in softirq context, with a warn_alloc record. */
static void test_replay_whatif_reproduces_atomic_softirq_failure(void **state)
{
	(void)state;
	const struct lab_whatif_result *w = &R[0].whatif;
	const struct lab_replay_failkey *k = key(w, 0, LAB_GFP_ATOMIC, LAB_CTX_SOFTIRQ);
	assert_non_null(k);
	if (!k)
		return;   /* (assert_non_null already failed; tells the compiler k is set below) */
	assert_true(k->kernel_fail > 0);
	assert_true(k->replay_fail > 0);
	assert_true(k->both_fail * 10 >= k->kernel_fail * 9);   /* 90 % of the kernel's failures recur */
	assert_true(w->warn_reports >= 1);
	assert_int_equal(w->first_warn.order, 0);
	/* Without Labyrinth's drain before failure (the kernels' rules), the
	 * first record is a blocking GFP_HIGHUSER_MOVABLE request the kernel
	 * served by direct reclaim, which what-if does not model (the page
	 * cache is not in the trace): the atomic classes above are what the
	 * kernel failed. */
}

/* What-if: the traces without kernel failures replay without any. */
static void test_replay_whatif_no_failures_where_kernel_had_none(void **state)
{
	(void)state;
	for (int i = 1; i < NRUNS; i++) {
		assert_int_equal(R[i].whatif.kernel_fail, 0);
		assert_int_equal(R[i].whatif.replay_fail, 0);
	}
}

/*
 * What-if with min_free_kbytes=8192: our min watermark rises 387 -> 1882,
 * the hog's process-context allocations fail (where the kernel would
 * reclaim), and the softirq GFP_ATOMIC failures remain: a larger
 * min_free_kbytes alone would not have prevented them.
 */
static void test_replay_whatif_larger_min_free_kbytes(void **state)
{
	(void)state;
	struct run *r = &R[0];
	struct lab_replay_opts o = r->o;
	struct lab_whatif_result w;
	char err[512];
	o.set.min_free_kbytes = 8192;
	assert_int_equal(lab_replay_whatif(&r->t, &o, &w, err, sizeof(err)), 0);
	assert_false(w.kernel_watermarks);
	assert_true(w.wmark[LAB_ZONE_DMA32][0] > 4 * r->whatif.wmark[LAB_ZONE_DMA32][0]);
	const lab_gfp_t hog = LAB_GFP_HIGHUSER_MOVABLE | LAB___GFP_COMP | LAB___GFP_ZERO;
	const struct lab_replay_failkey *k0 = key(&r->whatif, 0, hog, LAB_CTX_PROCESS);
	const struct lab_replay_failkey *k1 = key(&w, 0, hog, LAB_CTX_PROCESS);
	assert_non_null(k0);
	assert_non_null(k1);
	if (!k0 || !k1)
		return;
	assert_true(k1->replay_fail > k0->replay_fail + 100);
	const struct lab_replay_failkey *a = key(&w, 0, LAB_GFP_ATOMIC, LAB_CTX_SOFTIRQ);
	assert_non_null(a);
	if (!a)
		return;
	assert_true(a->replay_fail > 0);
	lab_whatif_result_free(&w);
}

/* ---- hand-made traces on a 2048-page zone --------------------------------------------- */

/* DMA32 of 2048 pages at pfn 0x1000, all free in two order-10 blocks. */
static void tiny_snapshot(struct lab_snapshot *s)
{
	snapshot_free_dma32(s, 2048, 8, 128);
}

static struct lab_ftrace parse(const char *text)
{
	struct lab_ftrace t;
	char err[256];
	struct lab_ftrace_opts o = { .era = LAB_GFP_ERA_6_1 };
	if (lab_ftrace_parse_text(text, strlen(text), "tiny", &o, &t, err, sizeof(err)))
		fail_msg("%s", err);
	return t;
}

static void opts_for(struct lab_replay_opts *o, const struct lab_snapshot *s)
{
	memset(o, 0, sizeof(*o));
	o->before = s;
	lab_replay_settings_default(&o->set);
	o->nr_samples = 100;
}

/* Shadow: taking a page splits a block like expand(); pcp free and drain merge it back. */
static void test_replay_shadow_split_and_merge(void **state)
{
	(void)state;
	struct lab_snapshot s;
	tiny_snapshot(&s);
	struct lab_ftrace t = parse(
		"  a-1 [000] d..1.  1.000001: mm_page_alloc_zone_locked: page=00000000ab pfn=0x1000 order=0 migratetype=1 percpu_refill=1\n"
		"  a-1 [000] .....  1.000002: mm_page_alloc: page=00000000ab pfn=0x1000 order=0 migratetype=1 gfp_flags=GFP_HIGHUSER_MOVABLE\n"
		"  a-1 [000] .....  1.000003: mm_page_free: page=00000000ab pfn=0x1000 order=0\n"
		"  a-1 [000] d..3.  1.000004: mm_page_pcpu_drain: page=00000000ab pfn=0x1000 order=0 migratetype=1\n");
	struct lab_replay_opts o;
	struct lab_shadow_result r;
	char err[256];
	opts_for(&o, &s);
	o.snaps[0] = (struct lab_replay_snap){ &s, 2, 0 };   /* after the alloc */
	o.snaps[1] = (struct lab_replay_snap){ &s, 3, 0 };   /* after the free (on the pcp list) */
	o.nr_snaps = 2;
	assert_int_equal(lab_replay_shadow(&t, &o, &r, err, sizeof(err)), 0);
	const struct lab_shadow_zone_state *a = &r.snaps[0].zone[LAB_ZONE_DMA32];
	for (int k = 0; k < 10; k++)
		assert_int_equal(a->nr_free[k], 1);
	assert_int_equal(a->nr_free[10], 1);
	assert_int_equal(r.snaps[1].zone[LAB_ZONE_DMA32].pcp_pages, 1);
	assert_int_equal(r.snaps[1].zone[LAB_ZONE_DMA32].pcp_cpu[0], 1);
	assert_int_equal(r.final.zone[LAB_ZONE_DMA32].nr_free[10], 2);
	assert_int_equal(r.final.zone[LAB_ZONE_DMA32].pcp_pages, 0);
	for (int k = 0; k < LAB_NR_FIX; k++)
		assert_int_equal(r.fixes[k], 0);
	lab_shadow_result_free(&r);
	lab_ftrace_free(&t);
}

/* Shadow: equal timestamps on two CPUs are replayed in the order the page states allow. */
static void test_replay_reorders_equal_timestamps(void **state)
{
	(void)state;
	struct lab_snapshot s;
	tiny_snapshot(&s);
	/* CPU 0 takes pfn 0x1400 from the buddy lists "at the same time" as CPU 1
	 * frees and drains it; tracefs lists CPU 0 first. */
	struct lab_ftrace t = parse(
		"  a-1 [000] d..1.  1.000001: mm_page_alloc_zone_locked: page=00000000ab pfn=0x1400 order=0 migratetype=1 percpu_refill=0\n"
		"  a-1 [000] .....  1.000002: mm_page_alloc: page=00000000ab pfn=0x1400 order=0 migratetype=1 gfp_flags=GFP_KERNEL\n"
		"  b-2 [000] d..1.  1.000005: mm_page_alloc_zone_locked: page=00000000ab pfn=0x1400 order=0 migratetype=1 percpu_refill=0\n"
		"  a-1 [001] .....  1.000005: mm_page_free: page=00000000ab pfn=0x1400 order=0\n"
		"  a-1 [001] d..3.  1.000005: mm_page_pcpu_drain: page=00000000ab pfn=0x1400 order=0 migratetype=1\n"
		"  b-2 [000] .....  1.000006: mm_page_alloc: page=00000000ab pfn=0x1400 order=0 migratetype=1 gfp_flags=GFP_KERNEL\n");
	struct lab_replay_opts o;
	struct lab_shadow_result r;
	char err[256];
	opts_for(&o, &s);
	assert_int_equal(lab_replay_shadow(&t, &o, &r, err, sizeof(err)), 0);
	assert_int_equal(r.seed.tie_groups, 1);
	assert_int_equal(r.seed.reordered, 3);
	for (int k = 0; k < LAB_NR_FIX; k++)
		assert_int_equal(r.fixes[k], 0);
	assert_int_equal(r.seed.order[2], 3);     /* the free comes first */
	lab_shadow_result_free(&r);
	lab_ftrace_free(&t);
}

/* What-if: a free of a page allocated before tracing is counted and skipped. */
static void test_replay_whatif_pretrace_free_skipped(void **state)
{
	(void)state;
	struct lab_snapshot s;
	tiny_snapshot(&s);
	s.zone[LAB_ZONE_DMA32].free = 1024;
	s.zone[LAB_ZONE_DMA32].buddy[10] = 1;
	struct lab_ftrace t = parse(
		"  a-1 [000] .....  1.000001: mm_page_free: page=00000000ab pfn=0x1004 order=2\n"
		"  a-1 [000] d..1.  1.000002: mm_page_alloc_zone_locked: page=00000000ab pfn=0x1400 order=1 migratetype=0 percpu_refill=1\n"
		"  a-1 [000] .....  1.000002: mm_page_alloc: page=00000000ab pfn=0x1400 order=1 migratetype=0 gfp_flags=GFP_KERNEL\n"
		"  a-1 [000] .....  1.000003: mm_page_free: page=00000000ab pfn=0x1400 order=1\n");
	struct lab_replay_opts o;
	struct lab_whatif_result r;
	char err[256];
	opts_for(&o, &s);
	assert_int_equal(lab_replay_whatif(&t, &o, &r, err, sizeof(err)), 0);
	assert_int_equal(r.frees_pretrace, 1);
	assert_int_equal(r.frees_pretrace_pages, 4);
	assert_int_equal(r.allocs, 1);
	assert_int_equal(r.replay_fail, 0);
	assert_int_equal(r.bad_frees, 0);
	assert_int_equal(r.final.zone[LAB_ZONE_DMA32].free + r.final.zone[LAB_ZONE_DMA32].free_pcp,
			 r.seeded_free[LAB_ZONE_DMA32]);
	lab_whatif_result_free(&r);
	lab_ftrace_free(&t);
}

/* What-if: the failure record carries the replayed event's context and task name. */
static void test_replay_whatif_failure_carries_context_and_comm(void **state)
{
	(void)state;
	struct lab_snapshot s;
	tiny_snapshot(&s);
	struct lab_ftrace t = parse(
		"  irqtask-9 [001] ..s1.  1.000001: mm_page_alloc: page=0000000000000000 pfn=0x0 order=10 migratetype=0 gfp_flags=GFP_ATOMIC\n"
		"  irqtask-9 [001] ..s1.  1.000002: mm_page_alloc: page=0000000000000000 pfn=0x0 order=10 migratetype=0 gfp_flags=GFP_ATOMIC\n"
		"  irqtask-9 [001] ..s1.  1.000003: mm_page_alloc: page=0000000000000000 pfn=0x0 order=10 migratetype=0 gfp_flags=GFP_ATOMIC\n");
	struct lab_replay_opts o;
	struct lab_whatif_result r;
	char err[256];
	opts_for(&o, &s);
	assert_int_equal(lab_replay_whatif(&t, &o, &r, err, sizeof(err)), 0);
	/* the first takes one of the two order-10 blocks (held: the kernel failed it);
	 * then the watermark check fails the others; one report (10 s rate limit) */
	assert_int_equal(r.phantom_allocs, 1);
	assert_int_equal(r.replay_fail, 2);
	assert_int_equal(r.warn_reports, 1);
	assert_int_equal(r.first_warn.context, LAB_CTX_SOFTIRQ);
	assert_string_equal(r.first_warn.comm, "irqtask");
	lab_whatif_result_free(&r);
	lab_ftrace_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_replay_atomic_pressure_accepts_every_event),
		cmocka_unit_test(test_replay_boot_idle_accepts_every_event),
		cmocka_unit_test(test_replay_compaction_accepts_every_event),
		cmocka_unit_test(test_replay_fragment_accepts_every_event),
		cmocka_unit_test(test_replay_shadow_seed_matches_before),
		cmocka_unit_test(test_replay_shadow_reproduces_after),
		cmocka_unit_test(test_replay_shadow_reproduces_net_snapshot),
		cmocka_unit_test(test_replay_shadow_fragment_after_close),
		cmocka_unit_test(test_replay_whatif_uses_traced_watermarks),
		cmocka_unit_test(test_replay_whatif_reproduces_atomic_softirq_failure),
		cmocka_unit_test(test_replay_whatif_no_failures_where_kernel_had_none),
		cmocka_unit_test(test_replay_whatif_larger_min_free_kbytes),
		cmocka_unit_test(test_replay_shadow_split_and_merge),
		cmocka_unit_test(test_replay_reorders_equal_timestamps),
		cmocka_unit_test(test_replay_whatif_pretrace_free_skipped),
		cmocka_unit_test(test_replay_whatif_failure_carries_context_and_comm),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
