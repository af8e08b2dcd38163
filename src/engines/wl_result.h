/* SPDX-License-Identifier: MIT */
/*
 * engines/wl_result.h - what each workload type counted during a run, for
 * the run report (report/workloads.c renders it as text and JSON).
 *
 *   wl_*.c   ops->result(sim, wl, &r)   fills r.type and r.u.<type>
 *   report/workloads.c                  prints r, knows nothing of the
 *                                       workload's working state
 *
 * Times are virtual ns; WL_RESULT_NONE (UINT64_MAX) = it never happened.
 */
#ifndef LAB_ENGINES_WL_RESULT_H
#define LAB_ENGINES_WL_RESULT_H

#include <labyrinth/page_pool.h>
#include <stdint.h>
#include <labyrinth/labyrinth.h>

#define WL_RESULT_NONE UINT64_MAX

enum sim_wl_type {
	WL_NICRX = 0,
	WL_CARDIAC,
	WL_PAGECACHE,
	WL_ANON,
	WL_SLAB,
	WL_CONTIG,
	WL_NR_TYPES
};

struct wl_nicrx_result {
	uint64_t packets, drops, refills, recycled, completed, bulk_calls;
	uint64_t packets_by_order[LAB_MAX_ORDER];
	uint64_t buffer_allocs, buffer_fails;   /* the workload's allocations, all orders */
	uint64_t max_in_flight_pages;
	uint64_t first_drop_ns;
	unsigned queues, ring, refill_batch;
	int bursts;                             /* pattern: bursts (else Poisson) */
	int context;                            /* enum lab_context of the refills */
	int bulk;                               /* order-0 refills in bulk */
	unsigned page_pool;                     /* each queue's page_pool ring size (0 = no pool) */
	struct lab_page_pool_stats pp;          /* summed over every queue's pools */
};

struct wl_cardiac_result {
	uint64_t ticks, served, attempts, miss_failed, miss_late;
	uint64_t first_miss_ns;
	uint64_t latency_p50_ns, latency_p99_ns, latency_max_ns;  /* tick -> buffer */
	uint64_t period_ns, deadline_ns;
	unsigned order, cpu;
};

struct wl_pagecache_result {
	uint64_t accesses, hits, misses, writes;
	uint64_t cached, cached_max, working_set;
	uint64_t evicted, dirty_skipped, alloc_fail;
	unsigned readers;
};

struct wl_anon_result {
	uint64_t births, exits, oom_kills, refused, alive_max;
	uint64_t faulted_pages, thp_tries, thp_ok;
	unsigned alive;
};

struct wl_slab_result {
	uint64_t slabs, pages, pages_max, target, reclaimable_pages;
	uint64_t allocs, alloc_fail, frees, shrunk;
	uint64_t by_order[LAB_MAX_ORDER];
};

struct wl_contig_result {
	uint64_t requests, failures, pages_per_request;
	uint64_t first_failure_ns;
	unsigned order;
	int contig_range;                       /* alloc_contig_pages (else the buddy) */
};

struct wl_result {
	int type;                               /* enum sim_wl_type */
	union {
		struct wl_nicrx_result nicrx;
		struct wl_cardiac_result cardiac;
		struct wl_pagecache_result pagecache;
		struct wl_anon_result anon;
		struct wl_slab_result slab;
		struct wl_contig_result contig;
	} u;
};

#endif
