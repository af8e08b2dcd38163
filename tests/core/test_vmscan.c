/* SPDX-License-Identifier: MIT */
/*
 * tests/core/test_vmscan.c - reclaim through page owners and shrinkers,
 * kswapd as a step function, and every branch of the slow path on tiny
 * fixtures: direct reclaim, __GFP_NORETRY, costly orders with and without
 * __GFP_RETRY_MAYFAIL, the OOM hook, __GFP_NOFAIL, non-blocking callers.
 */
#include <stdio.h>
#include <stdlib.h>
#include "util/fixture.h"
#include "util/owner.h"
#include "core/internal.h"

/* 2048 pages, min_free_kbytes 512 -> min 128, low 160, high 192. */
static struct fixture *small(void)
{
	struct fixture *f = fixture_create(&(struct fixture_opts){ .pages = 2048, .pageblock_order = 9,
								   .min_free_kbytes = 512 });
	lab_set_watermark_scale_factor(f->mem, 1);
	return f;
}

static void fill_cache(struct test_owner *o)
{
	while (test_owner_add(o, LAB_GFP_HIGHUSER_MOVABLE & ~LAB___GFP_DIRECT_RECLAIM) >= 0)
		;
}

static struct lab_mem_stats *stats(struct fixture *f)
{
	static struct lab_mem_stats s;
	lab_mem_get_stats(f->mem, &s);
	return &s;
}

/* A blocking allocation in a memory full of clean page cache reclaims it
 * through the owner and succeeds; allocstall and pgsteal_direct count it. */
static void test_vmscan_direct_reclaim_frees_page_cache(void **state)
{
	(void)state;
	struct fixture *f = small();
	struct test_owner o;
	test_owner_init(&o, f->mem, 2048, LAB_LRU_FILE);
	fill_cache(&o);
	unsigned before = o.used;
	struct lab_page *p = lab_alloc_pages(f->mem, LAB_GFP_KERNEL, 0);
	assert_non_null(p);
	assert_true(o.reclaims > 0);
	assert_int_equal(o.used, before - o.reclaims);
	struct lab_mem_stats *s = stats(f);
	assert_int_equal(s->events[LAB_ALLOCSTALL_NORMAL], 1);
	assert_int_equal(s->events[LAB_PGSTEAL_DIRECT], o.reclaims);
	assert_int_equal(test_owner_verify(&o), 0);
	lab_free_pages(f->mem, p, 0);
	test_owner_fini(&o);
	assert_mem_ok(f);
	fixture_destroy(f);
}

/* Anon pages are not reclaimed (no swap): with only anon, GFP_KERNEL fails
 * after the retries without losing a page, and the OOM hook is asked. */
static int oom_calls;
static int oom_hook(void *ctx, lab_gfp_t gfp, unsigned order)
{
	(void)ctx;
	(void)gfp;
	(void)order;
	oom_calls++;
	return 0;
}

static void test_vmscan_anon_not_reclaimed_oom_hook_called(void **state)
{
	(void)state;
	struct fixture *f = small();
	struct test_owner o;
	f->mem->plat.oom = oom_hook;
	oom_calls = 0;
	test_owner_init(&o, f->mem, 2048, LAB_LRU_ANON);
	fill_cache(&o);
	unsigned before = o.used;
	assert_null(lab_alloc_pages(f->mem, LAB_GFP_KERNEL | LAB___GFP_NOWARN, 0));
	assert_int_equal(o.reclaims, 0);
	assert_int_equal(o.used, before);
	assert_int_equal(oom_calls, 1);
	/* costly orders and __GFP_RETRY_MAYFAIL never invoke the OOM hook */
	assert_null(lab_alloc_pages(f->mem, LAB_GFP_KERNEL | LAB___GFP_NOWARN | LAB___GFP_RETRY_MAYFAIL, 0));
	assert_null(lab_alloc_pages(f->mem, LAB_GFP_KERNEL | LAB___GFP_NOWARN, 4));
	assert_int_equal(oom_calls, 1);
	test_owner_fini(&o);
	assert_mem_ok(f);
	fixture_destroy(f);
}

/* An OOM hook that frees memory turns the failure into a success. */
static struct test_owner *victim;
static int oom_kill(void *ctx, lab_gfp_t gfp, unsigned order)
{
	(void)ctx;
	(void)gfp;
	(void)order;
	for (unsigned i = 0; i < 64; i++)
		test_owner_remove(victim, (int)i);
	return 1;
}

static void test_vmscan_oom_hook_progress_retries(void **state)
{
	(void)state;
	struct fixture *f = small();
	struct test_owner o;
	test_owner_init(&o, f->mem, 2048, LAB_LRU_ANON);
	fill_cache(&o);
	victim = &o;
	f->mem->plat.oom = oom_kill;
	struct lab_page *p = lab_alloc_pages(f->mem, LAB_GFP_KERNEL, 0);
	assert_non_null(p);
	lab_free_pages(f->mem, p, 0);
	test_owner_fini(&o);
	assert_mem_ok(f);
	fixture_destroy(f);
}

/* Non-blocking requests never reclaim, never stall, never call the OOM hook. */
static void test_vmscan_nonblocking_never_reclaims(void **state)
{
	(void)state;
	struct fixture *f = small();
	struct test_owner o;
	f->mem->plat.oom = oom_hook;
	oom_calls = 0;
	test_owner_init(&o, f->mem, 2048, LAB_LRU_FILE);
	fill_cache(&o);
	unsigned long reclaims = o.reclaims;
	assert_null(lab_alloc_pages(f->mem, LAB_GFP_NOWAIT | LAB___GFP_NOWARN, 0));
	/* GFP_ATOMIC may dip below min (3/8 of it) and succeeds without reclaim */
	struct lab_page *a = lab_alloc_pages(f->mem, LAB_GFP_ATOMIC | LAB___GFP_NOWARN, 3);
	assert_non_null(a);
	assert_int_equal(o.reclaims, reclaims);
	lab_free_pages(f->mem, a, 3);
	assert_int_equal(stats(f)->events[LAB_ALLOCSTALL_NORMAL], 0);
	assert_int_equal(oom_calls, 0);
	test_owner_fini(&o);
	assert_mem_ok(f);
	fixture_destroy(f);
}

/* __GFP_NOFAIL without a sleep hook cannot wait: reported, fails. With a
 * sleep hook that frees memory, it succeeds. */
static struct test_owner *sleeper_owner;
static int sleeps;
static void sleep_frees(void *ctx, uint64_t ns)
{
	(void)ctx;
	(void)ns;
	/* while the caller sleeps, kswapd runs (it drops the boost the
	 * fallbacks raised even when it cannot reclaim anything) ... */
	struct lab_mem *m = lab_page_mem(sleeper_owner->slot[400]);
	while (lab_kswapd_balance_once(m, 32) == LAB_BG_MORE)
		;
	/* ... and at the third nap some task exits */
	if (++sleeps == 3)
		for (unsigned i = 0; i < 300; i++)
			test_owner_remove(sleeper_owner, (int)i);
	if (sleeps > 1000)
		fail_msg("__GFP_NOFAIL kept sleeping after memory was freed");
}

static void test_vmscan_nofail_waits_with_sleep_hook(void **state)
{
	(void)state;
	struct fixture *f = small();
	struct test_owner o;
	test_owner_init(&o, f->mem, 2048, LAB_LRU_ANON);
	fill_cache(&o);
	/* take the reserves too: nothing is left for even ALLOC_MIN_RESERVE */
	struct lab_page *rsv[256];
	int nr = 0;
	while (nr < 256 && (rsv[nr] = lab_alloc_pages(f->mem, LAB_GFP_ATOMIC | LAB___GFP_MEMALLOC | LAB___GFP_NOWARN, 0)))
		nr++;
	assert_null(lab_alloc_pages(f->mem, LAB_GFP_KERNEL | LAB___GFP_NOFAIL | LAB___GFP_NOWARN, 0));
	assert_true(fixture_logged(f, "__GFP_NOFAIL order 0 cannot be honoured without a platform sleep hook"));
	sleeper_owner = &o;
	sleeps = 0;
	f->mem->plat.sleep = sleep_frees;
	struct lab_page *p = lab_alloc_pages(f->mem, LAB_GFP_KERNEL | LAB___GFP_NOFAIL, 0);
	assert_non_null(p);
	assert_int_equal(sleeps, 3);
	lab_free_pages(f->mem, p, 0);
	for (int i = 0; i < nr; i++)
		lab_free_pages(f->mem, rsv[i], 0);
	test_owner_fini(&o);
	assert_mem_ok(f);
	fixture_destroy(f);
}

/* Shrinkers are asked for objects under reclaim, in proportion to pressure. */
static unsigned long objects = 10000, scanned_objects;
static unsigned long count_objs(void *ctx)
{
	(void)ctx;
	return objects;
}
static unsigned long scan_objs(void *ctx, unsigned long nr)
{
	(void)ctx;
	if (nr > objects)
		nr = objects;
	objects -= nr;
	scanned_objects += nr;
	return nr;
}

static void test_vmscan_shrinker_called_under_pressure(void **state)
{
	(void)state;
	struct fixture *f = small();
	struct lab_shrinker sh = { .count_objects = count_objs, .scan_objects = scan_objs, .seeks = 2 };
	assert_int_equal(lab_register_shrinker(f->mem, &sh), 0);
	struct test_owner o;
	test_owner_init(&o, f->mem, 2048, LAB_LRU_FILE);
	fill_cache(&o);
	scanned_objects = 0;
	struct lab_page *p = lab_alloc_pages(f->mem, LAB_GFP_KERNEL, 0);
	assert_non_null(p);
	assert_true(scanned_objects > 0);
	assert_true(scanned_objects < 10000);
	lab_unregister_shrinker(f->mem, &sh);
	lab_free_pages(f->mem, p, 0);
	test_owner_fini(&o);
	fixture_destroy(f);
}

/* kswapd: woken below low by an allocation, stepped, it reclaims to high
 * and naps; counters record it. */
static int kswapd_woken;
static void wake_hook(void *ctx, unsigned order, int zi)
{
	(void)ctx;
	(void)order;
	(void)zi;
	kswapd_woken++;
}

static void test_vmscan_kswapd_reclaims_to_high_and_naps(void **state)
{
	(void)state;
	struct fixture *f = small();
	struct lab_zone *z = &f->mem->zones[LAB_ZONE_NORMAL];
	f->mem->plat.wake_kswapd = wake_hook;
	kswapd_woken = 0;
	struct test_owner o;
	test_owner_init(&o, f->mem, 2048, LAB_LRU_FILE);
	/* fill with non-blocking requests until below low: they wake kswapd */
	while (z->free_pages > zone_wmark(z, LAB_WMARK_MIN) + 4 && test_owner_add(&o, LAB_GFP_NOWAIT | LAB___GFP_MOVABLE) >= 0)
		;
	assert_true(kswapd_woken > 0);
	assert_true(lab_kswapd_wanted(f->mem));
	enum lab_bg_result r;
	int steps = 0;
	while ((r = lab_kswapd_balance_once(f->mem, 32)) == LAB_BG_MORE && steps < 1000)
		steps++;
	assert_int_equal(r, LAB_BG_NAP);
	assert_true(z->free_pages > zone_wmark(z, LAB_WMARK_HIGH));
	assert_false(lab_kswapd_wanted(f->mem));
	assert_int_equal(lab_kswapd_balance_once(f->mem, 32), LAB_BG_IDLE);
	struct lab_mem_stats *s = stats(f);
	assert_true(s->events[LAB_PGSTEAL_KSWAPD] > 0);
	assert_int_equal(s->events[LAB_PAGEOUTRUN], 1);
	assert_int_equal(test_owner_verify(&o), 0);
	test_owner_fini(&o);
	assert_mem_ok(f);
	fixture_destroy(f);
}

/* An owner that tries to untag its page while reclaim holds it isolated
 * (as a thread freeing pages while kswapd runs would). */
static struct lab_mem *probe_mem;
static int probe_clear_rc = 1;
static int probe_isolate(void *ctx, struct lab_page *p)
{
	(void)ctx;
	probe_clear_rc = lab_page_clear_owner(probe_mem, p);
	return 0;
}
static int probe_reclaim(void *ctx, struct lab_page *p)
{
	(void)ctx;
	(void)p;
	return 0;   /* clean page cache: drop it */
}

/* lab_page_clear_owner refuses (LAB_EBUSY) while reclaim holds the page;
 * the page stays the owner's and reclaim finishes with it normally. */
static void test_vmscan_clear_owner_busy_while_isolated(void **state)
{
	(void)state;
	struct fixture *f = small();
	static const struct lab_page_owner_ops ops = { .isolate = probe_isolate, .reclaim = probe_reclaim };
	probe_mem = f->mem;
	int id = lab_owner_register(f->mem, &ops, NULL);
	assert_true(id > 0);
	struct lab_page *p = lab_alloc_pages(f->mem, LAB_GFP_KERNEL | LAB___GFP_MOVABLE, 0);
	assert_non_null(p);
	assert_int_equal(lab_page_set_owner(f->mem, p, id, LAB_LRU_FILE), 0);
	uint64_t free_before = f->mem->zones[p->zone].free_pages;
	unsigned long scanned = 0;
	assert_int_equal(lab__shrink_zone_lru(f->mem, &f->mem->zones[p->zone], 32, 0, &scanned), 1);
	assert_int_equal(probe_clear_rc, LAB_EBUSY);
	assert_true(f->mem->zones[p->zone].free_pages > free_before);   /* reclaim freed it after all */
	assert_int_equal(lab_page_clear_owner(f->mem, NULL), LAB_EINVAL);
	assert_mem_ok(f);
	fixture_destroy(f);
}

/* A high-order request that makes kswapd give up (nothing reclaimable: all
 * anon) is handed to kcompactd, and the skip hints are reset, as kswapd
 * goes to sleep: Linux's kswapd_try_to_sleep does both for a hopeless node. */
static void test_vmscan_hopeless_kswapd_wakes_kcompactd(void **state)
{
	(void)state;
	struct fixture *f = small();
	f->mem->tun.compaction_proactiveness = 0;
	struct test_owner o;
	test_owner_init(&o, f->mem, 2048, LAB_LRU_ANON);
	fill_cache(&o);
	struct lab_page *held[64];
	unsigned n = 0;
	while (n < 64 && (held[n] = lab_alloc_pages(f->mem, LAB_GFP_ATOMIC | LAB___GFP_NOWARN, 3)))
		n++;   /* the reserves' order-3 blocks; the request that fails wakes kswapd for order 3 */
	assert_true(n < 64);
	struct lab_mem *m = f->mem;
	for (uint64_t pfn = m->pb_base_pfn; pfn < m->end_pfn; pfn += pageblock_nr_pages(m))
		if (pfn >= m->base_pfn)
			pageblock_update(m, pfn, 0, LAB_PB_SKIP);   /* compaction's hints, all set */
	enum lab_bg_result r = LAB_BG_MORE;
	int steps = 0;
	while (r == LAB_BG_MORE && steps++ < 100000)
		r = lab_kswapd_balance_once(f->mem, 32);
	assert_int_equal(r, LAB_BG_STUCK);
	assert_true(lab_kcompactd_wanted(f->mem));
	assert_true(__atomic_load_n(&m->kcompactd_order, __ATOMIC_RELAXED) >= 3);
	for (uint64_t pfn = m->pb_base_pfn; pfn < m->end_pfn; pfn += pageblock_nr_pages(m))
		if (pfn >= m->base_pfn)
			assert_false(pageblock_get(m, pfn) & LAB_PB_SKIP);   /* reset on the way to sleep */
	for (unsigned i = 0; i < n; i++)
		lab_free_pages(f->mem, held[i], 3);
	test_owner_fini(&o);
	assert_mem_ok(f);
	fixture_destroy(f);
}

/* kswapd_try_to_sleep's two verdicts on a nap cut short land in their own
 * vmstat counters; a foreign pointer is ignored. */
static void test_vmscan_kswapd_nap_cut_short_counts_low_and_high(void **state)
{
	(void)state;
	struct fixture *f = small();
	lab_kswapd_nap_cut_short(f->mem, 1);
	lab_kswapd_nap_cut_short(f->mem, 1);
	lab_kswapd_nap_cut_short(f->mem, 0);
	lab_kswapd_nap_cut_short(NULL, 1);
	struct lab_mem_stats *s = stats(f);
	assert_int_equal(s->events[LAB_KSWAPD_LOW_WMARK_HIT_QUICKLY], 2);
	assert_int_equal(s->events[LAB_KSWAPD_HIGH_WMARK_HIT_QUICKLY], 1);
	assert_true(s->events_valid & LAB_VM_EVENT_BIT(LAB_KSWAPD_LOW_WMARK_HIT_QUICKLY));
	assert_true(s->events_valid & LAB_VM_EVENT_BIT(LAB_KSWAPD_HIGH_WMARK_HIT_QUICKLY));
	assert_mem_ok(f);
	fixture_destroy(f);
}

/* kswapd with nothing reclaimable counts failures up to 16 and gives up
 * (node_unreclaimable); zoneinfo's flag follows. */
static void test_vmscan_kswapd_hopeless_after_16_failures(void **state)
{
	(void)state;
	struct fixture *f = small();
	struct test_owner o;
	test_owner_init(&o, f->mem, 2048, LAB_LRU_ANON);
	fill_cache(&o);
	lab_alloc_pages(f->mem, LAB_GFP_ATOMIC | LAB___GFP_NOWARN, 0);   /* wakes kswapd */
	enum lab_bg_result r = LAB_BG_MORE;
	int steps = 0;
	while (r == LAB_BG_MORE && steps++ < 100000)
		r = lab_kswapd_balance_once(f->mem, 32);
	assert_int_equal(r, LAB_BG_STUCK);
	assert_int_equal(stats(f)->zone[LAB_ZONE_NORMAL].kswapd_failures, 16);
	assert_false(lab_kswapd_wanted(f->mem));
	test_owner_fini(&o);
	assert_mem_ok(f);
	fixture_destroy(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vmscan_direct_reclaim_frees_page_cache),
		cmocka_unit_test(test_vmscan_anon_not_reclaimed_oom_hook_called),
		cmocka_unit_test(test_vmscan_oom_hook_progress_retries),
		cmocka_unit_test(test_vmscan_nonblocking_never_reclaims),
		cmocka_unit_test(test_vmscan_nofail_waits_with_sleep_hook),
		cmocka_unit_test(test_vmscan_shrinker_called_under_pressure),
		cmocka_unit_test(test_vmscan_kswapd_reclaims_to_high_and_naps),
		cmocka_unit_test(test_vmscan_kswapd_hopeless_after_16_failures),
		cmocka_unit_test(test_vmscan_kswapd_nap_cut_short_counts_low_and_high),
		cmocka_unit_test(test_vmscan_clear_owner_busy_while_isolated),
		cmocka_unit_test(test_vmscan_hopeless_kswapd_wakes_kcompactd),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
