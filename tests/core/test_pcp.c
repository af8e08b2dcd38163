/* SPDX-License-Identifier: MIT */
/*
 * tests/core/test_pcp.c - per-CPU page lists: refill batch (I6), pindex
 * (I7), nr_pcp_free growth (I8), free_high (I10), drain-before-failure,
 * the bulk API and the trylock fallback an interrupt takes.
 */
#include <stdlib.h>
#include "util/fixture.h"
#include "util/rng.h"
#include "core/internal.h"

/* A 4096-page Normal zone (batch 1 from the formula): tests set batch/high by hand. */
static struct fixture *pcp_zone(unsigned cpus)
{
	struct fixture *f = fixture_create(&(struct fixture_opts){ .pages = 8192, .pageblock_order = 9,
		.pcp = 1, .nr_cpus = cpus, .no_arena = 1 });
	lab_set_watermark_scale_factor(f->mem, 1);
	return f;
}

static void set_pcp(struct fixture *f, unsigned cpu, int batch, int high)
{
	struct lab_pcp *pcp = pcp_of(f->mem, cpu, LAB_ZONE_NORMAL);
	pcp->batch = batch;
	pcp->high = high;
}

/* I6: an empty list is refilled with batch >> order blocks (at least 2). */
static void test_pcp_refill_batch_by_order(void **state)
{
	(void)state;
	const unsigned orders[] = { 0, 1, 2, 3 };
	const int expect[] = { 63, 31, 15, 7 };
	for (int i = 0; i < 4; i++) {
		struct fixture *f = pcp_zone(1);
		set_pcp(f, 0, 63, 5312);
		struct lab_page *p = lab_alloc_pages(f->mem, LAB_GFP_KERNEL, orders[i]);
		assert_non_null(p);
		struct lab_pcp *pcp = pcp_of(f->mem, 0, LAB_ZONE_NORMAL);
		assert_int_equal(pcp->count, (expect[i] - 1) << orders[i]);
		lab_free_pages(f->mem, p, orders[i]);
		lab_drain_all_pages(f->mem);
		assert_mem_ok(f);
		fixture_destroy(f);
	}
}

/*
 * The atomic path's worst case in list work (issue 3's instrumentation
 * bound), on a zone fragmented by 200000 random order-0..3 GFP_ATOMIC
 * allocations and frees with batch 63, high 189: a per-CPU list hit is one list
 * operation; a miss is one refill batch and the pop, at most
 * 3·batch + 2·(MAX_ORDER+1) operations (worst measured: 192 for batch 63,
 * bound 213). A fallback that steals a whole pageblock moves its free
 * blocks too (move_freepages_block, as Linux): not bounded by the batch,
 * bounded by pageblock_nr_pages; within the bound in this run.
 * Measured with lab_mem_list_ops() around every call.
 */
static void test_pcp_atomic_list_ops_bounded_by_one_refill(void **state)
{
	(void)state;
	struct fixture *f = pcp_zone(1);
	set_pcp(f, 0, 63, 189);   /* high 3 batches: frees spill, lists run dry */
	enum { HELD = 1024 };
	struct lab_page *held[HELD] = { 0 };
	unsigned held_order[HELD] = { 0 };
	uint64_t rng = 42, worst_hit = 0, worst_miss = 0, hits = 0, misses = 0;
	for (int i = 0; i < 200000; i++) {
		unsigned k = (unsigned)(test_xorshift64(&rng) % HELD);
		if (held[k]) {
			lab_free_pages(f->mem, held[k], held_order[k]);
			held[k] = NULL;
			continue;
		}
		unsigned order = (unsigned)(test_xorshift64(&rng) % 4);
		struct lab_pcp *pcp = pcp_of(f->mem, 0, LAB_ZONE_NORMAL);
		int before_count = pcp->count;
		uint64_t before = lab_mem_list_ops(f->mem);
		held[k] = lab_alloc_pages(f->mem, LAB_GFP_ATOMIC, order);
		uint64_t ops = lab_mem_list_ops(f->mem) - before;
		held_order[k] = order;
		if (!held[k])
			continue;
		int batch = (63 >> order) > 2 ? 63 >> order : 2;
		if (before_count >= (1 << order) && pcp->count == before_count - (1 << order)) {
			hits++;
			worst_hit = ops > worst_hit ? ops : worst_hit;
			assert_true(ops <= 1);
		} else {
			misses++;
			worst_miss = ops > worst_miss ? ops : worst_miss;
			/* each refilled block: a buddy del and a pcp add, plus splits,
			 * amortised at most one add per block over the batch, plus one
			 * fresh split chain and the pop: 3·batch + 2·(MAX_ORDER+1) */
			uint64_t bound = 3 * (uint64_t)batch + 2 * (LAB_MAX_ORDER + 1);
			if (ops > bound)
				fail_msg("order %u: %llu list ops > one refill's bound %llu", order,
					 (unsigned long long)ops, (unsigned long long)bound);
		}
	}
	print_message("atomic list ops: %llu hits (worst %llu), %llu refills (worst %llu)\n",
		      (unsigned long long)hits, (unsigned long long)worst_hit, (unsigned long long)misses,
		      (unsigned long long)worst_miss);
	assert_true(hits > 1000 && misses > 100);
	for (int k = 0; k < HELD; k++)
		if (held[k])
			lab_free_pages(f->mem, held[k], held_order[k]);
	lab_drain_all_pages(f->mem);
	assert_mem_ok(f);
	fixture_destroy(f);
}

/* lab_mem_event reads one counter as the snapshot has it: the per-CPU
 * lists' share and the buddy paths' alike, every event. */
static void test_pcp_event_reads_the_snapshot_counter(void **state)
{
	(void)state;
	struct fixture *f = pcp_zone(2);
	set_pcp(f, 0, 15, 5312);
	struct lab_page *a = lab_alloc_pages(f->mem, LAB_GFP_KERNEL, 0);
	struct lab_page *b = lab_alloc_pages(f->mem, LAB_GFP_KERNEL, 2);
	lab_free_pages(f->mem, b, 2);
	struct lab_page *big = lab_alloc_pages(f->mem, LAB_GFP_KERNEL, 6);   /* above the pcp orders: buddy */
	lab_free_pages(f->mem, big, 6);
	struct lab_mem_stats st;
	lab_mem_get_stats(f->mem, &st);
	assert_true(st.events[LAB_PGALLOC_NORMAL] >= 69 && st.events[LAB_PGFREE] >= 68);
	for (int e = 0; e < LAB_NR_VM_EVENTS; e++)
		assert_int_equal(lab_mem_event(f->mem, (enum lab_vm_event)e), st.events[e]);
	assert_int_equal(lab_mem_event(f->mem, LAB_NR_VM_EVENTS), 0);
	assert_int_equal(lab_mem_event(NULL, LAB_PGFREE), 0);
	lab_free_pages(f->mem, a, 0);
	assert_mem_ok(f);
	fixture_destroy(f);
}

/* A pcp hit takes the head: refilled pages come out in physical order. */
/* lab_mem_free_pages counts the buddy free pages, and with @with_pcp the
 * pages parked on per-CPU lists too: the same sums as the stats snapshot. */
static void test_pcp_free_pages_counts_parked_pages_on_request(void **state)
{
	(void)state;
	struct fixture *f = pcp_zone(2);
	set_pcp(f, 0, 15, 5312);
	struct lab_page *a = lab_alloc_pages(f->mem, LAB_GFP_KERNEL, 0);   /* refill parks 14 more */
	struct lab_mem_stats st;
	lab_mem_get_stats(f->mem, &st);
	uint64_t pcp = 0;
	for (unsigned c = 0; c < st.zone[LAB_ZONE_NORMAL].nr_cpus; c++)
		pcp += st.zone[LAB_ZONE_NORMAL].pcp[c].count;
	assert_true(pcp > 0);
	assert_int_equal(lab_mem_free_pages(f->mem, 0), st.zone[LAB_ZONE_NORMAL].free);
	assert_int_equal(lab_mem_free_pages(f->mem, 1), st.zone[LAB_ZONE_NORMAL].free + pcp);
	assert_int_equal(lab_mem_free_pages(f->mem, 1), 8192 - 1);
	assert_int_equal(lab_mem_free_pages(NULL, 1), 0);
	lab_free_pages(f->mem, a, 0);
	assert_mem_ok(f);
	fixture_destroy(f);
}

static void test_pcp_hits_in_physical_order(void **state)
{
	(void)state;
	struct fixture *f = pcp_zone(1);
	set_pcp(f, 0, 15, 5312);
	struct lab_page *a = lab_alloc_pages(f->mem, LAB_GFP_KERNEL, 0);
	struct lab_page *b = lab_alloc_pages(f->mem, LAB_GFP_KERNEL, 0);
	assert_int_equal(lab_page_to_pfn(b), lab_page_to_pfn(a) + 1);
	lab_free_pages(f->mem, a, 0);
	lab_free_pages(f->mem, b, 0);
	/* the last freed page is at the head: it comes back first */
	assert_ptr_equal(lab_alloc_pages(f->mem, LAB_GFP_KERNEL, 0), b);
	assert_mem_ok(f);
	fixture_destroy(f);
}

/* I8: consecutive frees over high give back 63, 126, 252, 504, 1008, 2016, 2016
 * (free_factor capped at 5, CONFIG_PCP_BATCH_SCALE_MAX, 6.1.104+). */
static void test_pcp_free_batch_grows_and_caps(void **state)
{
	(void)state;
	struct fixture *f = pcp_zone(1);
	struct lab_mem *m = f->mem;
	/* high 2100: high - batch (2037) stays above the 2016 cap, as with 5312 */
	set_pcp(f, 0, 63, 2100);
	void *held[8192];
	int n = 0;
	struct lab_page *p;
	/* take 7800 pages without the pcp growing (batch 63 refills) */
	while (n < 7800 && (p = lab_alloc_pages(m, LAB_GFP_KERNEL | LAB___GFP_NOWARN, 0)))
		held[n++] = p;
	lab_drain_all_pages(m);
	struct lab_pcp *pcp = pcp_of(m, 0, LAB_ZONE_NORMAL);
	pcp->free_factor = 0;
	const int expect[] = { 63, 126, 252, 504, 1008, 2016, 2016 };
	int k = 0, i = 0;
	while (k < 7 && i < n) {
		int before = pcp->count;
		lab_free_pages(m, held[i++], 0);
		if (pcp->count < before + 1) {
			assert_int_equal(before + 1 - pcp->count, expect[k]);
			k++;
		}
	}
	assert_int_equal(k, 7);
	while (i < n)
		lab_free_pages(m, held[i++], 0);
	assert_mem_ok(f);
	fixture_destroy(f);
}

/* I10: freeing an order-2 page while free_factor > 0 drains the whole pcp. */
static void test_pcp_free_high_drains_everything(void **state)
{
	(void)state;
	struct fixture *f = pcp_zone(1);
	set_pcp(f, 0, 15, 5312);
	struct lab_page *a = lab_alloc_pages(f->mem, LAB_GFP_KERNEL, 0);
	struct lab_page *b = lab_alloc_pages(f->mem, LAB_GFP_KERNEL, 2);
	struct lab_pcp *pcp = pcp_of(f->mem, 0, LAB_ZONE_NORMAL);
	lab_free_pages(f->mem, a, 0);
	assert_true(pcp->count > 0);
	pcp->free_factor = 1;
	lab_free_pages(f->mem, b, 2);
	assert_int_equal(pcp->count, 0);
	assert_mem_ok(f);
	fixture_destroy(f);
}

/* I7: pindex layout: order*3 + type; pageblock-order blocks use lists 12/13. */
static void test_pcp_pageblock_order_blocks_cached(void **state)
{
	(void)state;
	struct fixture *f = pcp_zone(1);
	set_pcp(f, 0, 63, 5312);
	struct lab_page *p = lab_alloc_pages(f->mem, LAB_GFP_HIGHUSER_MOVABLE, 9);
	lab_free_pages(f->mem, p, 9);
	struct lab_pcp *pcp = pcp_of(f->mem, 0, LAB_ZONE_NORMAL);
	assert_int_not_equal(pcp->head[LAB_NR_LOWORDER_PCP_LISTS + 1], LAB_NIL);
	assert_int_equal(pcp->count, 512 + 512);   /* the refill took 2 blocks */
	lab_drain_local_pages(f->mem);
	assert_int_equal(pcp->count, 0);
	assert_mem_ok(f);
	fixture_destroy(f);
}

/* Pages parked on another CPU's list never make an allocation fail. */
static int cur_cpu;
static unsigned fixed_cpu(void *ctx)
{
	(void)ctx;
	return (unsigned)cur_cpu;
}

/* Pages parked on CPU 1's list; CPU 0 asks for an order-10 GFP_ATOMIC
 * block that only a drain can make. @drain: LAB_CFG_DRAIN_BEFORE_FAILURE. */
static struct lab_page *atomic_with_remote_pcp(struct fixture *f, bool drain)
{
	struct lab_mem *m = f->mem;
	m->plat.cpu_id = fixed_cpu;
	if (drain)
		m->flags |= LAB_CFG_DRAIN_BEFORE_FAILURE;
	set_pcp(f, 0, 63, 100000);
	set_pcp(f, 1, 63, 100000);
	void *held[8192];
	int n = 0;
	struct lab_page *p;
	cur_cpu = 1;
	while ((p = lab_alloc_pages(m, LAB_GFP_KERNEL | LAB___GFP_NOWARN, 0)))
		held[n++] = p;
	for (int i = 0; i < n; i++)
		lab_free_pages(m, held[i], 0);   /* all park on CPU 1's list */
	assert_true(pcp_of(m, 1, LAB_ZONE_NORMAL)->count > 4000);
	cur_cpu = 0;
	return lab_alloc_pages(m, LAB_GFP_ATOMIC | LAB___GFP_NOWARN, 10);
}

/* Labyrinth's option: the remote list is drained before a failure. */
static void test_pcp_drained_before_failure_with_option(void **state)
{
	(void)state;
	struct fixture *f = pcp_zone(2);
	struct lab_page *p = atomic_with_remote_pcp(f, true);
	assert_non_null(p);
	lab_free_pages(f->mem, p, 10);
	assert_mem_ok(f);
	fixture_destroy(f);
}

/* Linux 6.1 and 6.12 (and Labyrinth by default): a request that cannot
 * block fails although another CPU's list holds the pages; nothing moved. */
static void test_pcp_not_drained_for_nonblocking_failure(void **state)
{
	(void)state;
	struct fixture *f = pcp_zone(2);
	struct lab_page *p = atomic_with_remote_pcp(f, false);
	assert_null(p);
	assert_true(pcp_of(f->mem, 1, LAB_ZONE_NORMAL)->count > 4000);
	assert_mem_ok(f);
	fixture_destroy(f);
}

/* An interrupt nesting inside its CPU's pcp section fails the trylock and
 * is served from the buddy lists under the zone lock. */
static int pcp_busy;
static int busy_trylock(void *ctx, unsigned cpu, unsigned long *flags)
{
	(void)ctx;
	(void)cpu;
	*flags = 0;
	return !pcp_busy;
}

static void test_pcp_trylock_failure_uses_buddy(void **state)
{
	(void)state;
	struct fixture *f = pcp_zone(1);
	struct lab_mem *m = f->mem;
	m->plat.pcp_trylock = busy_trylock;
	set_pcp(f, 0, 63, 5312);
	pcp_busy = 1;
	struct lab_page *p = lab_alloc_pages(m, LAB_GFP_ATOMIC, 0);
	assert_non_null(p);
	assert_int_equal(pcp_of(m, 0, LAB_ZONE_NORMAL)->count, 0);   /* no refill happened */
	lab_free_pages(m, p, 0);                                     /* straight to the buddy */
	assert_int_equal(pcp_of(m, 0, LAB_ZONE_NORMAL)->count, 0);
	assert_int_equal(fixture_zone_free(f, LAB_ZONE_NORMAL), 8192);
	pcp_busy = 0;
	assert_mem_ok(f);
	fixture_destroy(f);
}

static uint64_t ev(struct lab_mem *m, enum lab_vm_event e)
{
	static struct lab_mem_stats st;
	lab_mem_get_stats(m, &st);
	return st.events[e];
}

/*
 * pgalloc_normal and pgfree count every page once, whichever path it took:
 * a per-CPU hit (counted in the pcp under its lock), the buddy after a
 * failed trylock, an order the lists do not cache, the bulk API, and a free
 * that pushes the list over high (the batch it returns is not a free).
 */
static void test_pcp_pgalloc_pgfree_count_every_path(void **state)
{
	(void)state;
	struct fixture *f = pcp_zone(1);
	struct lab_mem *m = f->mem;
	set_pcp(f, 0, 7, 20);
	uint64_t pages = 0;

	struct lab_page *held[40];
	for (int i = 0; i < 40; i++) {               /* hits, refills; frees go over high */
		held[i] = lab_alloc_pages(m, LAB_GFP_KERNEL, (unsigned)i & 3);
		assert_non_null(held[i]);
		pages += 1u << (i & 3);
	}
	struct lab_page *big = lab_alloc_pages(m, LAB_GFP_KERNEL, 5);   /* not a pcp order */
	assert_non_null(big);
	pages += 32;
	struct lab_page *ring[16] = { 0 };
	assert_int_equal(lab_alloc_pages_bulk(m, LAB_GFP_ATOMIC, 16, ring), 16);
	pages += 16;
	m->plat.pcp_trylock = busy_trylock;
	pcp_busy = 1;
	struct lab_page *side = lab_alloc_pages(m, LAB_GFP_ATOMIC, 0);   /* trylock fails: buddy */
	assert_non_null(side);
	pages += 1;
	assert_int_equal(ev(m, LAB_PGALLOC_NORMAL), pages);
	assert_int_equal(ev(m, LAB_PGFREE), 0);

	lab_free_pages(m, side, 0);                                      /* trylock fails: buddy */
	pcp_busy = 0;
	lab_free_pages(m, big, 5);
	lab_free_pages_bulk(m, 16, ring);
	for (int i = 0; i < 40; i++)
		lab_free_pages(m, held[i], (unsigned)i & 3);
	lab_drain_all_pages(m);
	assert_int_equal(ev(m, LAB_PGFREE), pages);
	assert_int_equal(ev(m, LAB_PGALLOC_NORMAL), pages);
	assert_int_equal(fixture_zone_free(f, LAB_ZONE_NORMAL), 8192);
	assert_mem_ok(f);
	fixture_destroy(f);
}

/* alloc_pages_bulk fills only NULL slots and reports the populated count. */
static void test_pcp_bulk_fills_null_slots(void **state)
{
	(void)state;
	struct fixture *f = pcp_zone(1);
	set_pcp(f, 0, 63, 5312);
	struct lab_page *ring[64] = { 0 };
	ring[5] = lab_alloc_pages(f->mem, LAB_GFP_KERNEL, 0);
	struct lab_page *keep = ring[5];
	assert_int_equal(lab_alloc_pages_bulk(f->mem, LAB_GFP_ATOMIC, 64, ring), 64);
	assert_ptr_equal(ring[5], keep);
	for (int i = 0; i < 64; i++)
		for (int j = i + 1; j < 64; j++)
			assert_ptr_not_equal(ring[i], ring[j]);
	assert_int_equal(lab_alloc_pages_bulk(f->mem, LAB_GFP_ATOMIC, 64, ring), 64);   /* full: no-op */
	lab_free_pages_bulk(f->mem, 64, ring);
	lab_drain_all_pages(f->mem);
	assert_int_equal(fixture_zone_free(f, LAB_ZONE_NORMAL), 8192);
	assert_mem_ok(f);
	fixture_destroy(f);
}

/* Bulk free validates every page: a duplicate in the array is reported as
 * a double free and skipped, and nothing is lost. */
static void test_pcp_bulk_free_refuses_duplicates(void **state)
{
	(void)state;
	struct fixture *f = pcp_zone(1);
	set_pcp(f, 0, 63, 5312);
	struct lab_page *ring[8] = { 0 };
	assert_int_equal(lab_alloc_pages_bulk(f->mem, LAB_GFP_ATOMIC, 7, ring), 7);
	ring[7] = ring[3];   /* the driver's bug */
	lab_free_pages_bulk(f->mem, 8, ring);
	assert_true(fixture_logged(f, "double free"));
	lab_drain_all_pages(f->mem);
	assert_int_equal(fixture_zone_free(f, LAB_ZONE_NORMAL), 8192);
	assert_mem_ok(f);
	fixture_destroy(f);
}

/* might_sleep: GFP_KERNEL from atomic context is reported in Linux's words
 * and degraded (default) or failed (LAB_CFG_MIGHT_SLEEP_FAIL); never sleeps. */
static int atomic_now = 1;
static int in_atomic_hook(void *ctx)
{
	(void)ctx;
	return atomic_now;
}
static void sleep_aborts(void *ctx, uint64_t ns)
{
	(void)ctx;
	(void)ns;
	fail_msg("the core slept in atomic context");
}

static void test_pcp_might_sleep_reported_and_degraded(void **state)
{
	(void)state;
	struct fixture *f = pcp_zone(1);
	f->mem->plat.in_atomic = in_atomic_hook;
	f->mem->plat.sleep = sleep_aborts;
	f->comm = "irq/24-eth0";
	struct lab_page *p = lab_alloc_pages(f->mem, LAB_GFP_KERNEL, 0);
	assert_non_null(p);
	assert_true(fixture_logged(f, "BUG: sleeping function called from invalid context at"));
	assert_true(fixture_logged(f, "in_atomic(): 1, irqs_disabled(): 0, non_block: 0, pid: 0, name: irq/24-eth0"));
	struct lab_mem_stats s;
	lab_mem_get_stats(f->mem, &s);
	assert_int_equal(s.events[LAB_EV_MIGHT_SLEEP], 1);
	lab_free_pages(f->mem, p, 0);
	f->mem->flags |= LAB_CFG_MIGHT_SLEEP_FAIL;
	assert_null(lab_alloc_pages(f->mem, LAB_GFP_KERNEL, 0));
	assert_null(lab_alloc_pages(f->mem, LAB_GFP_KERNEL, 0));
	lab_mem_get_stats(f->mem, &s);
	assert_int_equal(s.events[LAB_EV_MIGHT_SLEEP], 3);
	/* an atomic request from atomic context is fine */
	p = lab_alloc_pages(f->mem, LAB_GFP_ATOMIC, 0);
	assert_non_null(p);
	lab_free_pages(f->mem, p, 0);
	assert_mem_ok(f);
	fixture_destroy(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pcp_refill_batch_by_order),
		cmocka_unit_test(test_pcp_atomic_list_ops_bounded_by_one_refill),
		cmocka_unit_test(test_pcp_hits_in_physical_order),
		cmocka_unit_test(test_pcp_free_pages_counts_parked_pages_on_request),
		cmocka_unit_test(test_pcp_event_reads_the_snapshot_counter),
		cmocka_unit_test(test_pcp_free_batch_grows_and_caps),
		cmocka_unit_test(test_pcp_free_high_drains_everything),
		cmocka_unit_test(test_pcp_pageblock_order_blocks_cached),
		cmocka_unit_test(test_pcp_drained_before_failure_with_option),
		cmocka_unit_test(test_pcp_not_drained_for_nonblocking_failure),
		cmocka_unit_test(test_pcp_trylock_failure_uses_buddy),
		cmocka_unit_test(test_pcp_bulk_fills_null_slots),
		cmocka_unit_test(test_pcp_pgalloc_pgfree_count_every_path),
		cmocka_unit_test(test_pcp_bulk_free_refuses_duplicates),
		cmocka_unit_test(test_pcp_might_sleep_reported_and_degraded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
