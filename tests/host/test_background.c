/* SPDX-License-Identifier: MIT */
/*
 * tests/host/test_background.c - the host's kswapd and kcompactd threads
 * (src/host/background.c): woken by allocations that never block, they
 * reclaim to the high watermark and build high-order blocks while nobody
 * calls into the allocator.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include "util/fixture.h"
#include "util/hostcap.h"
#include "util/owner.h"
#include <labyrinth/host.h>

/*
 * The instance and owner of the running test. A failed assertion leaves the
 * test early: the teardown then destroys the instance (stopping its
 * daemons, which would otherwise call into an owner on a dead stack frame)
 * and drops the owner's bookkeeping.
 */
static struct lab_mem *cur_mem;
static struct test_owner cur_owner;
static int cur_owner_live;

static struct lab_mem *new_host(int background)
{
	struct lab_mem *m = lab_host_create(&(struct lab_host_config){ .mem_bytes = 64u << 20, .quiet = 1,
		.background = background });
	assert_non_null(m);
	cur_mem = m;
	return m;
}

static struct test_owner *new_owner(struct lab_mem *m, unsigned lru)
{
	test_owner_init(&cur_owner, m, 16384, lru);
	cur_owner_live = 1;
	return &cur_owner;
}

/* The normal end of a test: pages back, invariants, instance gone. */
static void finish(struct lab_mem *m)
{
	if (cur_owner_live) {
		test_owner_fini(&cur_owner);
		cur_owner_live = 0;
	}
	assert_int_equal(lab_mem_check(m), 0);
	lab_host_destroy(m);
	cur_mem = NULL;
}

static int setup(void **state)
{
	cur_mem = NULL;
	cur_owner_live = 0;
	return hostcap_watchdog_setup(state);
}

static int teardown(void **state)
{
	if (cur_mem)
		lab_host_destroy(cur_mem);
	if (cur_owner_live)
		test_owner_abandon(&cur_owner);
	cur_mem = NULL;
	cur_owner_live = 0;
	return hostcap_watchdog_teardown(state);
}

static struct lab_mem_stats *stats(struct lab_mem *m)
{
	static struct lab_mem_stats st;
	lab_mem_get_stats(m, &st);
	return &st;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

static unsigned long kswapd_wakeups(struct lab_mem *m)
{
	struct lab_host_background_stats bs = { 0 };
	lab_host_background_stats(m, &bs);
	return bs.kswapd_wakeups;
}

/* pgdat_balanced, as kswapd judges it: some zone of the node above its
 * high watermark (+ boost), and no request pending. */
static int node_balanced(struct lab_mem *m)
{
	struct lab_mem_stats *st = stats(m);
	if (lab_kswapd_wanted(m))
		return 0;
	for (int z = 0; z < LAB_MAX_NR_ZONES; z++)
		if (st->populated[z] && st->zone[z].free > st->zone[z].wmark[LAB_WMARK_HIGH] + st->zone[z].boost)
			return 1;
	return 0;
}

/* Waits (up to @ms) for kswapd to have balanced the node; says where it
 * stands when it gives up. */
static int balanced_within(struct lab_mem *m, unsigned ms)
{
	for (unsigned t = 0; t < ms; t += 5) {
		if (node_balanced(m))
			return 1;
		sleep_ms(5);
	}
	struct lab_mem_stats *st = stats(m);
	struct lab_host_background_stats bs = { 0 };
	lab_host_background_stats(m, &bs);
	for (int z = 0; z < LAB_MAX_NR_ZONES; z++)
		if (st->populated[z])
			print_message("zone %d: free %llu high %llu boost %llu kswapd_failures %llu\n", z,
				      (unsigned long long)st->zone[z].free,
				      (unsigned long long)st->zone[z].wmark[LAB_WMARK_HIGH],
				      (unsigned long long)st->zone[z].boost,
				      (unsigned long long)st->zone[z].kswapd_failures);
	print_message("not balanced after %u ms: wanted %d pgsteal_kswapd %llu kswapd wakeups %lu runs %lu\n", ms,
		      lab_kswapd_wanted(m), (unsigned long long)st->events[LAB_PGSTEAL_KSWAPD], bs.kswapd_wakeups,
		      bs.kswapd_runs);
	return 0;
}

/* Page cache until an allocation wakes kswapd: every zone the requests may
 * use is below its low watermark, and the request that finds it so takes
 * the slow path (non-blocking requests never reclaim themselves). */
static unsigned fill_until_kswapd_woken(struct test_owner *o, struct lab_mem *m)
{
	unsigned long woken = kswapd_wakeups(m);
	unsigned added = 0;
	while (kswapd_wakeups(m) == woken && test_owner_add(o, LAB_GFP_NOWAIT | LAB___GFP_MOVABLE) >= 0)
		added++;
	return added;
}

/* With no call into the allocator after the filling, kswapd's thread
 * brings the zone back above its high watermark by reclaiming page cache. */
static void test_background_kswapd_reclaims_to_high_in_its_thread(void **state)
{
	(void)state;
	struct lab_mem *m = new_host(1);
	lab_set_compaction_proactiveness(m, 0);   /* only kswapd frees memory here */
	struct test_owner *o = new_owner(m, LAB_LRU_FILE);
	assert_true(fill_until_kswapd_woken(o, m) > 1000);
	assert_true(balanced_within(m, 20000));
	struct lab_mem_stats *st = stats(m);
	assert_true(st->events[LAB_PGSTEAL_KSWAPD] > 0);
	assert_true(st->events[LAB_PAGEOUTRUN] > 0);
	assert_int_equal(st->events[LAB_PGSTEAL_DIRECT], 0);   /* nobody reclaimed for themselves */
	struct lab_host_background_stats bs;
	assert_int_equal(lab_host_background_stats(m, &bs), 0);
	assert_true(bs.kswapd_wakeups > 0);
	assert_true(bs.kswapd_runs > 0);
	assert_true(o->reclaims > 0);
	assert_int_equal(test_owner_verify(o), 0);
	finish(m);
}

/* A wake that comes during kswapd's 100 ms nap (or a nap that ends with the
 * zone below low again) is counted as Linux counts it. */
static void test_background_kswapd_nap_cut_short_counted(void **state)
{
	(void)state;
	struct lab_mem *m = new_host(1);
	lab_set_compaction_proactiveness(m, 0);
	struct test_owner *o = new_owner(m, LAB_LRU_FILE);
	for (int round = 0; round < 3; round++) {
		fill_until_kswapd_woken(o, m);
		assert_true(balanced_within(m, 20000));
	}
	sleep_ms(250);   /* the last nap runs out */
	struct lab_mem_stats *st = stats(m);
	assert_true(st->events[LAB_KSWAPD_LOW_WMARK_HIT_QUICKLY] + st->events[LAB_KSWAPD_HIGH_WMARK_HIT_QUICKLY] > 0);
	assert_true(st->events[LAB_KSWAPD_LOW_WMARK_HIT_QUICKLY] + st->events[LAB_KSWAPD_HIGH_WMARK_HIT_QUICKLY] <=
		    st->events[LAB_PAGEOUTRUN]);
	finish(m);
}

/*
 * An interrupt-style caller's order-3 GFP_ATOMIC request fails in a zone
 * of order-0 holes between movable pages; the failure wakes the daemons,
 * kcompactd migrates pages in its own thread, and a later request is served.
 */
static void test_background_kcompactd_builds_the_block_an_atomic_caller_missed(void **state)
{
	(void)state;
	struct lab_mem *m = new_host(1);
	struct test_owner *o = new_owner(m, LAB_LRU_ANON);   /* migratable, never reclaimed */
	/* every page, reserves included, then every other frame back: free
	 * memory in one-page holes, no order-1 block anywhere */
	while (test_owner_add(o, LAB_GFP_NOWAIT | LAB___GFP_MOVABLE) >= 0)
		;
	while (test_owner_add(o, LAB_GFP_ATOMIC | LAB___GFP_MOVABLE) >= 0)
		;
	lab_drain_all_pages(m);
	while (test_owner_add(o, LAB_GFP_ATOMIC | LAB___GFP_MOVABLE) >= 0)
		;
	/* every other frame back; a page a daemon holds right now is retried */
	for (uint64_t pfn = 0; pfn < o->span; pfn += 2) {
		pthread_mutex_lock(&o->lock);
		int slot = o->slot_of[pfn];
		pthread_mutex_unlock(&o->lock);
		if (slot >= 0)
			while (test_owner_remove(o, slot) == -EBUSY)
				sleep_ms(1);
	}
	/* the few blocks below the reserves the filling could not take (and
	 * any the daemons built meanwhile): held */
	struct lab_page *held[64];
	unsigned nheld = 0;
	while (nheld < 64 && (held[nheld] = lab_alloc_pages(m, LAB_GFP_ATOMIC | LAB___GFP_NOWARN, 3)))
		nheld++;
	int served = 0;
	for (int t = 0; t < 2000 && !served; t++) {
		struct lab_page *p = lab_alloc_pages(m, LAB_GFP_ATOMIC | LAB___GFP_NOWARN, 3);
		if (p) {
			served = 1;
			lab_free_pages(m, p, 3);
		} else {
			sleep_ms(5);
		}
	}
	assert_true(served);
	for (unsigned i = 0; i < nheld; i++)
		lab_free_pages(m, held[i], 3);
	struct lab_mem_stats *st = stats(m);
	assert_true(st->events[LAB_COMPACT_DAEMON_WAKE] > 0);
	assert_true(st->events[LAB_PGMIGRATE_SUCCESS] > 0);
	assert_int_equal(st->events[LAB_COMPACT_STALL], 0);   /* nobody compacted for themselves */
	struct lab_host_background_stats bs;
	assert_int_equal(lab_host_background_stats(m, &bs), 0);
	assert_true(bs.kcompactd_runs > 0);
	assert_int_equal(test_owner_verify(o), 0);
	finish(m);
}

/* An interrupt routine's GFP_ATOMIC allocations (a NIC refilling its ring)
 * take the zone below low: the wake comes from the signal handler, a
 * semaphore post, and kswapd reclaims page cache in its own thread. */
#define ISR_PAGES 4096
static struct lab_page *isr_pages[ISR_PAGES];
static unsigned isr_n, isr_fails;
static struct lab_mem *isr_mem;

static void refill_isr(void *arg)
{
	(void)arg;
	for (int i = 0; i < 8 && isr_n < ISR_PAGES; i++) {
		struct lab_page *p = lab_alloc_pages(isr_mem, LAB_GFP_ATOMIC | LAB___GFP_NOWARN, 0);
		if (!p) {
			isr_fails++;
			return;
		}
		isr_pages[isr_n++] = p;
	}
}

static void test_background_kswapd_woken_from_an_interrupt(void **state)
{
	(void)state;
	struct lab_mem *m = new_host(1);
	lab_set_compaction_proactiveness(m, 0);
	struct test_owner *o = new_owner(m, LAB_LRU_FILE);
	fill_until_kswapd_woken(o, m);
	assert_true(balanced_within(m, 20000));   /* page cache fills memory; kswapd naps */
	sleep_ms(250);                             /* ... and sleeps for good */
	unsigned long woken = kswapd_wakeups(m);
	isr_mem = m;
	isr_n = isr_fails = 0;
	assert_true(lab_host_cpu_attach(m) >= 0);
	assert_int_equal(lab_host_irq_start(m, 2000, refill_isr, NULL), 0);
	for (int t = 0; t < 400 && (kswapd_wakeups(m) == woken || isr_n < 512); t++)
		sleep_ms(5);   /* only the interrupt allocates meanwhile */
	lab_host_irq_stop(m);
	assert_true(kswapd_wakeups(m) > woken);
	assert_true(balanced_within(m, 20000));
	for (unsigned i = 0; i < isr_n; i++)
		lab_free_pages(m, isr_pages[i], 0);
	lab_host_cpu_detach(m);
	finish(m);
}

/* Destroying an instance whose kswapd is busy stops and joins it first. */
static void test_background_destroy_while_kswapd_busy(void **state)
{
	(void)state;
	for (int i = 0; i < 3; i++) {
		struct lab_mem *m = new_host(1);
		struct test_owner *o = new_owner(m, LAB_LRU_FILE);
		fill_until_kswapd_woken(o, m);
		lab_host_destroy(m);   /* kswapd is reclaiming: stopped and joined */
		cur_mem = NULL;
		test_owner_abandon(o);
		cur_owner_live = 0;
	}
}

/* Without .background there are no daemons: -ENOENT; a foreign pointer is -EINVAL. */
static void test_background_stats_refused_without_daemons(void **state)
{
	(void)state;
	struct lab_mem *m = new_host(0);
	struct lab_host_background_stats bs;
	assert_int_equal(lab_host_background_stats(m, &bs), -ENOENT);
	assert_int_equal(lab_host_background_stats((struct lab_mem *)&bs, &bs), -EINVAL);
	assert_int_equal(lab_host_background_stats(m, NULL), -EINVAL);
	finish(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_background_kswapd_reclaims_to_high_in_its_thread),
		T(test_background_kswapd_nap_cut_short_counted),
		T(test_background_kcompactd_builds_the_block_an_atomic_caller_missed),
		T(test_background_kswapd_woken_from_an_interrupt),
		T(test_background_destroy_while_kswapd_busy),
		T(test_background_stats_refused_without_daemons),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
