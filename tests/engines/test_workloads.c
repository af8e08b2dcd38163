/* SPDX-License-Identifier: MIT */
/*
 * tests/engines/test_workloads.c - each workload generator produces what its
 * parameters say: rates, order mixes, periods, fractions, within
 * statistical tolerance (about 4 standard deviations of the count, or a
 * stated relative margin). Machines are big enough that nothing fails, so
 * the counts measure the generator, not the allocator.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>
#include <labyrinth/sim.h>

/* Runs @yaml with seed 1 and returns the JSON of workload @index. */
static json_t *run_wl(const char *yaml, size_t index, json_t **root)
{
	struct lab_sim_error err;
	struct lab_scenario *sc = lab_scenario_parse(yaml, strlen(yaml), "wl.yaml", &err);
	if (!sc) {
		char buf[600];
		fail_msg("%s", lab_sim_error_format(&err, buf, sizeof(buf)));
	}
	struct lab_sim *sim = lab_sim_create(sc, 1, &err);
	lab_scenario_free(sc);
	assert_non_null(sim);
	assert_int_equal(lab_sim_run(sim, 0, NULL, NULL), 0);
	*root = lab_sim_report_json(sim);
	lab_sim_destroy(sim);
	json_t *w = json_array_get(json_object_get(*root, "workloads"), index);
	assert_non_null(w);
	return w;
}

static double num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	assert_non_null(v);
	return json_number_value(v);
}

static double arr(json_t *o, const char *key, size_t i)
{
	json_t *v = json_array_get(json_object_get(o, key), i);
	assert_non_null(v);
	return json_number_value(v);
}

/* |got - want| within @k standard deviations of a Poisson count. */
static void assert_poisson(double got, double want, double k)
{
	double tol = k * sqrt(want) + 1;
	if (fabs(got - want) > tol)
		fail_msg("count %.0f, expected %.0f +- %.0f", got, want, tol);
}

static void assert_fraction(double got, double want, double tol)
{
	if (fabs(got - want) > tol)
		fail_msg("fraction %.4f, expected %.4f +- %.4f", got, want, tol);
}

/* nic-rx Poisson arrivals: packets = rate x time x CPUs. */
static void test_wl_nicrx_poisson_rate(void **state)
{
	(void)state;
	json_t *root, *w = run_wl("machine: {memory: 1G, cpus: 2}\nduration: 200ms\n"
				  "workloads: [{type: nic-rx, rate: 100k, hold: 20us}]\n", 0, &root);
	assert_poisson(num(w, "packets"), 100000.0 * 0.2 * 2, 4);
	assert_int_equal((int)num(w, "drops"), 0);
	json_decref(root);
}

/* nic-rx draws buffer orders in the weights' proportions. */
static void test_wl_nicrx_order_mix(void **state)
{
	(void)state;
	json_t *root, *w = run_wl("machine: {memory: 1G, cpus: 2}\nduration: 200ms\n"
				  "workloads: [{type: nic-rx, rate: 100k, hold: 20us, orders: {0: 2, 2: 1, 3: 1}}]\n",
				  0, &root);
	double p0 = arr(w, "packets_by_order", 0), p2 = arr(w, "packets_by_order", 2);
	double p3 = arr(w, "packets_by_order", 3), total = num(w, "packets");
	assert_true(p0 + p2 + p3 == total);
	assert_fraction(p0 / total, 0.5, 0.02);
	assert_fraction(p2 / total, 0.25, 0.02);
	assert_fraction(p3 / total, 0.25, 0.02);
	json_decref(root);
}

/* nic-rx bursts: the mean rate is rate x on / (on + off). */
static void test_wl_nicrx_bursts_mean_rate(void **state)
{
	(void)state;
	json_t *root, *w = run_wl("machine: {memory: 1G, cpus: 1}\nduration: 2s\n"
				  "workloads: [{type: nic-rx, pattern: bursts, rate: 200k, on: 2ms, off: 6ms,"
				  " hold: 10us}]\n", 0, &root);
	double want = 200000.0 * 2.0 * 2 / 8;
	/* burst lengths are random too: allow 10% */
	assert_fraction(num(w, "packets") / want, 1.0, 0.10);
	json_decref(root);
}

/* nic-rx refills order-0 rings through the bulk API. */
static void test_wl_nicrx_bulk_refill(void **state)
{
	(void)state;
	json_t *root, *w = run_wl("machine: {memory: 1G, cpus: 1}\nduration: 50ms\n"
				  "workloads: [{type: nic-rx, rate: 100k, refill_batch: 32}]\n", 0, &root);
	assert_true(num(w, "bulk_calls") > 0);
	/* a refill of up to the whole ring (the first fill) takes at most 4 calls of 64 */
	assert_true(num(w, "bulk_calls") <= 4 * num(w, "refills"));
	json_decref(root);
}

/* page_pool recycling serves refills from freed buffers. */
static void test_wl_nicrx_page_pool_recycles(void **state)
{
	(void)state;
	json_t *root, *w = run_wl("machine: {memory: 1G, cpus: 1}\nduration: 50ms\n"
				  "workloads: [{type: nic-rx, rate: 100k, page_pool: 128, orders: {2: 1}}]\n", 0, &root);
	double recycled = num(w, "recycled"), packets = num(w, "packets");
	assert_true(recycled > 0.9 * packets - 300);
	/* only the first ring fill and the pool's slack need the allocator */
	assert_true(arr(w, "requests_by_order", 2) < packets / 4);
	/* the library's page_pool did it, and its ethtool counters say so:
	 * every completed buffer was put back into the direct cache (the
	 * queue's NAPI context completes them), every pool page came from one
	 * order-2 allocation (slow_ho) */
	json_t *pp = json_object_get(w, "page_pool");
	assert_non_null(pp);
	assert_int_equal(num(pp, "ring"), 128);
	assert_true(num(pp, "rx_pp_alloc_fast") > 0.9 * packets - 300);
	assert_int_equal(num(pp, "rx_pp_recycle_cached") + num(pp, "rx_pp_recycle_ring"), recycled);
	assert_int_equal(num(pp, "rx_pp_alloc_slow_ho"), arr(w, "requests_by_order", 2) - 256);
	json_decref(root);
}

/* cardiac-monitor ticks exactly once per period. */
static void test_wl_cardiac_period(void **state)
{
	(void)state;
	json_t *root, *w = run_wl("machine: {memory: 256M, cpus: 1}\nduration: 500ms\n"
				  "workloads: [{type: cardiac-monitor, period: 1ms}]\n", 0, &root);
	double ticks = num(w, "ticks");
	assert_true(ticks >= 499 && ticks <= 501);
	assert_int_equal((int)num(w, "deadline_misses"), 0);
	assert_int_equal((int)arr(w, "requests_by_order", 1), (int)ticks);
	json_decref(root);
}

/* cardiac-monitor: hardirq storms on its CPU make ticks late (misses). */
static void test_wl_cardiac_late_under_hardirq_storm(void **state)
{
	(void)state;
	json_t *root, *w = run_wl("machine: {memory: 256M, cpus: 1}\nduration: 200ms\n"
				  "workloads:\n"
				  "  - {type: nic-rx, context: hardirq, rate: 40k, cost: 20us, hold: 10us}\n"
				  "  - {type: cardiac-monitor, period: 1ms, deadline: 10us}\n", 1, &root);
	assert_true(num(w, "misses_late") > 0);
	json_decref(root);
}

/* page-cache: accesses = rate x time x CPUs, writes = write_fraction. */
static void test_wl_pagecache_rate_and_writes(void **state)
{
	(void)state;
	json_t *root, *w = run_wl("machine: {memory: 1G, cpus: 2}\nduration: 200ms\n"
				  "workloads: [{type: page-cache, rate: 80k, batch: 4, working_set: 10%,"
				  " write_fraction: 0.25}]\n", 0, &root);
	double acc = num(w, "accesses");
	/* events are Poisson with batch accesses each */
	assert_poisson(acc / 4, 80000.0 * 0.2 * 2 / 4, 4);
	assert_fraction(num(w, "writes") / acc, 0.25, 0.01);
	assert_true(num(w, "hits") + num(w, "misses") == acc);
	json_decref(root);
}

/* page-cache: a working set that fits stays cached (misses = its size). */
static void test_wl_pagecache_working_set_fits(void **state)
{
	(void)state;
	json_t *root, *w = run_wl("machine: {memory: 1G, cpus: 1}\nduration: 300ms\n"
				  "workloads: [{type: page-cache, rate: 200k, working_set: 2000, hot_pages: 0,"
				  " readahead: 1}]\n", 0, &root);
	assert_int_equal((int)num(w, "misses"), 2000);
	assert_int_equal((int)num(w, "cached_pages"), 2000);
	assert_int_equal((int)num(w, "evicted"), 0);
	json_decref(root);
}

/* page-cache: a working set larger than memory is evicted by kswapd. */
static void test_wl_pagecache_evicted_by_kswapd(void **state)
{
	(void)state;
	json_t *root, *w = run_wl("machine: {memory: 64M, cpus: 1}\nduration: 150ms\n"
				  "workloads: [{type: page-cache, rate: 400k, working_set: 300%, write_fraction: 0}]\n",
				  0, &root);
	json_t *ks = json_object_get(json_object_get(root, "daemons"), "kswapd");
	assert_true(num(w, "evicted") > 1000);
	assert_true(num(ks, "pages") > 1000);
	assert_true(num(ks, "wakes") > 0);
	/* the cache fills memory but leaves the watermarks' worth free */
	assert_true(num(w, "cached_pages_max") > 64.0 * 256 * 0.7);
	json_decref(root);
}

/* anon: births = spawn_rate x burst x time; mean size = pages. */
static void test_wl_anon_births_and_size(void **state)
{
	(void)state;
	json_t *root, *w = run_wl("machine: {memory: 2G, cpus: 2}\nduration: 1s\n"
				  "workloads: [{type: anon, spawn_rate: 200, burst: 2, pages: 256, lifetime: 20ms,"
				  " fault_rate: 10M, max_procs: 1000}]\n", 0, &root);
	double births = num(w, "births");
	assert_poisson(births / 2, 200, 4);
	assert_int_equal((int)num(w, "oom_kills"), 0);
	/* exponential sizes: the mean of ~400 draws is within 15% */
	assert_fraction(num(w, "faulted_pages") / births / 256.0, 1.0, 0.15);
	json_decref(root);
}

/* slab grows to its target and churns churn x target pages per second. */
static void test_wl_slab_target_and_churn(void **state)
{
	(void)state;
	json_t *root, *w = run_wl("machine: {memory: 1G, cpus: 1}\nduration: 1s\n"
				  "workloads: [{type: slab, target: 8192, grow_rate: 1M, churn: 2, reclaimable: 0,"
				  " orders: {0: 1, 1: 1}}]\n", 0, &root);
	double pages = num(w, "pages");
	assert_true(pages >= 8192 && pages < 8192 + 2);
	/* freed pages per second ~ churn x target (slabs of 1.5 pages on average) */
	double freed_slabs = num(w, "frees");
	assert_fraction(freed_slabs * 1.5 / (2.0 * 8192), 1.0, 0.1);
	assert_fraction(arr(w, "slabs_by_order", 0) / (arr(w, "slabs_by_order", 0) + arr(w, "slabs_by_order", 1)),
			0.5, 0.03);
	json_decref(root);
}

/* contig-dma requests once per period from its offset. */
static void test_wl_contig_period(void **state)
{
	(void)state;
	json_t *root, *w = run_wl("machine: {memory: 1G, cpus: 1}\nduration: 1s\n"
				  "workloads: [{type: contig-dma, period: 10ms, offset: 5ms, size: 4M, hold: 5ms}]\n",
				  0, &root);
	assert_int_equal((int)num(w, "requests"), 100);
	assert_int_equal((int)num(w, "order"), 10);
	assert_int_equal((int)num(w, "failures"), 0);
	json_decref(root);
}

/* A workload only runs in its phases. */
static void test_wl_runs_only_in_its_phases(void **state)
{
	(void)state;
	json_t *root, *w = run_wl("machine: {memory: 1G, cpus: 1}\n"
				  "phases: [{name: a, duration: 100ms}, {name: b, duration: 100ms}]\n"
				  "workloads: [{type: cardiac-monitor, period: 1ms, phases: [b]}]\n", 0, &root);
	double ticks = num(w, "ticks");
	assert_true(ticks >= 99 && ticks <= 101);
	json_decref(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wl_nicrx_poisson_rate),
		cmocka_unit_test(test_wl_nicrx_order_mix),
		cmocka_unit_test(test_wl_nicrx_bursts_mean_rate),
		cmocka_unit_test(test_wl_nicrx_bulk_refill),
		cmocka_unit_test(test_wl_nicrx_page_pool_recycles),
		cmocka_unit_test(test_wl_cardiac_period),
		cmocka_unit_test(test_wl_cardiac_late_under_hardirq_storm),
		cmocka_unit_test(test_wl_pagecache_rate_and_writes),
		cmocka_unit_test(test_wl_pagecache_working_set_fits),
		cmocka_unit_test(test_wl_pagecache_evicted_by_kswapd),
		cmocka_unit_test(test_wl_anon_births_and_size),
		cmocka_unit_test(test_wl_slab_target_and_churn),
		cmocka_unit_test(test_wl_contig_period),
		cmocka_unit_test(test_wl_runs_only_in_its_phases),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
