/* SPDX-License-Identifier: MIT */
/*
 * bench/bench_pool.c - page_pool (labyrinth/page_pool.h) against the
 * allocators a NIC driver's fast path is compared with:
 *
 *   pool direct      lab_page_pool_alloc_pages + recycle_direct, order 0,
 *                    on a host instance, the thread attached to CPU 0 with
 *                    bottom halves disabled (the pool's owning context)
 *   pool bare        the same on a bare core (no platform hooks: one context)
 *   pool ring        alloc in the owning context, put from process context
 *                    (not the owner: the lock-free ring); the alloc refills
 *                    its cache from the ring 64 pages at a time
 *   pool ring 2 threads
 *                    alloc on CPU 0, put by a second thread attached to
 *                    CPU 1 (an SPSC hand-off between them)
 *   per-CPU pair     lab_alloc_pages + lab_free_pages order 0 (host), the
 *                    path a driver without page_pool takes
 *   bare per-CPU pair
 *                    the same on the bare core
 *   tcmalloc         tc_malloc(4096) + free (per-thread cache)
 *   DPDK mempool     rte_mempool_get/put with a per-lcore cache of 256
 *                    (bench/peer_dpdk.c; n/a without libdpdk or when the
 *                    EAL does not start)
 *
 * The table's ratios are to "pool direct"; the lines after it are the
 * issue's targets (pool vs tcmalloc and DPDK, ring vs the per-CPU pair) and
 * every contender's cost in TSC cycles.
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <labyrinth/labyrinth.h>
#include <labyrinth/host.h>
#include <labyrinth/context.h>
#include <labyrinth/page_pool.h>
#include "bench_core.h"
#include "bench_pool.h"
#include "peers.h"

#define MiB (1ull << 20)

struct pool_arg {
	struct lab_mem *mem;
	struct lab_page_pool *pool;
	void *memory;
};

static struct pool_arg host_pool, bare_pool;
static struct lab_mem *host_mem, *bare_mem;
static void *bare_meta;

/* ---- the second thread of the 2-thread ring contender --------------------- */

#define HANDOFF 1024u
static struct lab_page *handoff[HANDOFF];
static unsigned ho_head, ho_tail;     /* (a) */
static int ho_stop;                   /* (a) */
static pthread_t ho_thread;
static int ho_running;

static void *putter_main(void *arg)
{
	struct pool_arg *a = arg;
	lab_host_cpu_attach(a->mem);
	while (!__atomic_load_n(&ho_stop, __ATOMIC_ACQUIRE)) {
		unsigned h = __atomic_load_n(&ho_head, __ATOMIC_RELAXED);
		if (h == __atomic_load_n(&ho_tail, __ATOMIC_ACQUIRE)) {
			sched_yield();          /* a shared machine: let the allocating thread run */
			continue;
		}
		lab_page_pool_put_page(a->pool, handoff[h & (HANDOFF - 1)], 0);
		__atomic_store_n(&ho_head, h + 1, __ATOMIC_RELEASE);
	}
	lab_host_cpu_detach(a->mem);
	return NULL;
}

/* ---- contenders ------------------------------------------------------------ */

static void pool_direct(void *arg, uint64_t iters)
{
	struct pool_arg *a = arg;
	lab_local_bh_disable();
	for (uint64_t i = 0; i < iters; i++) {
		struct lab_page *p = lab_page_pool_alloc_pages(a->pool, LAB_GFP_ATOMIC);
		if (__builtin_expect(!p, 0))
			bench_die("lab_page_pool_alloc_pages failed");
		bench_escape(p);
		lab_page_pool_recycle_direct(a->pool, p);
	}
	lab_local_bh_enable();
}

static void pool_bare(void *arg, uint64_t iters)
{
	struct pool_arg *a = arg;
	for (uint64_t i = 0; i < iters; i++) {
		struct lab_page *p = lab_page_pool_alloc_pages(a->pool, LAB_GFP_ATOMIC);
		if (__builtin_expect(!p, 0))
			bench_die("lab_page_pool_alloc_pages failed");
		bench_escape(p);
		lab_page_pool_recycle_direct(a->pool, p);
	}
}

static void pool_ring(void *arg, uint64_t iters)
{
	struct pool_arg *a = arg;
	for (uint64_t i = 0; i < iters; i++) {
		lab_local_bh_disable();
		struct lab_page *p = lab_page_pool_alloc_pages(a->pool, LAB_GFP_ATOMIC);
		lab_local_bh_enable();
		if (__builtin_expect(!p, 0))
			bench_die("lab_page_pool_alloc_pages failed");
		lab_page_pool_put_page(a->pool, p, 0);
	}
}

static void pool_ring_2threads(void *arg, uint64_t iters)
{
	struct pool_arg *a = arg;
	lab_local_bh_disable();
	for (uint64_t i = 0; i < iters; i++) {
		struct lab_page *p = lab_page_pool_alloc_pages(a->pool, LAB_GFP_ATOMIC);
		if (__builtin_expect(!p, 0))
			bench_die("lab_page_pool_alloc_pages failed");
		unsigned t = __atomic_load_n(&ho_tail, __ATOMIC_RELAXED);
		while (t - __atomic_load_n(&ho_head, __ATOMIC_ACQUIRE) == HANDOFF)
			sched_yield();
		handoff[t & (HANDOFF - 1)] = p;
		__atomic_store_n(&ho_tail, t + 1, __ATOMIC_RELEASE);
	}
	lab_local_bh_enable();
	/* the batch ends when the other thread has put every page */
	while (__atomic_load_n(&ho_head, __ATOMIC_ACQUIRE) != __atomic_load_n(&ho_tail, __ATOMIC_RELAXED))
		sched_yield();
}

static void pcp_pair(void *arg, uint64_t iters)
{
	struct lab_mem *m = arg;
	for (uint64_t i = 0; i < iters; i++) {
		struct lab_page *p = lab_alloc_pages(m, LAB_GFP_ATOMIC, 0);
		if (__builtin_expect(!p, 0))
			bench_die("lab_alloc_pages failed");
		bench_escape(p);
		lab_free_pages(m, p, 0);
	}
}

/* ---- set-up ------------------------------------------------------------------ */

static struct lab_page_pool *new_pool(struct lab_mem *m, unsigned cpu, void **memory)
{
	struct lab_page_pool_params p = { .order = 0, .pool_size = 1024, .cpu = cpu };
	p.memory_bytes = lab_page_pool_bytes(&p);
	if (posix_memalign(memory, 64, p.memory_bytes))
		bench_die("no memory for a page_pool");
	p.memory = *memory;
	struct lab_page_pool *pool = lab_page_pool_create(m, &p, NULL);
	if (!pool)
		bench_die("lab_page_pool_create failed");
	return pool;
}

static void pools_up(void)
{
	host_mem = lab_host_create(&(struct lab_host_config){ .mem_bytes = 256 * MiB, .nr_cpus = 2, .quiet = 1 });
	if (!host_mem)
		bench_die("lab_host_create failed");
	int cpu = lab_host_cpu_attach(host_mem);
	if (cpu < 0)
		bench_die("lab_host_cpu_attach failed");
	host_pool = (struct pool_arg){ .mem = host_mem };
	host_pool.pool = new_pool(host_mem, (unsigned)cpu, &host_pool.memory);

	struct lab_range r = { 0, 256 * MiB };
	struct lab_mem_config cfg = { .ranges = &r, .nr_ranges = 1 };
	size_t need = lab_mem_metadata_bytes(&cfg);
	if (!need || posix_memalign(&bare_meta, 64, need))
		bench_die("no metadata for the bare instance");
	cfg.metadata = bare_meta;
	cfg.metadata_bytes = need;
	bare_mem = lab_mem_init(&cfg, NULL);
	if (!bare_mem)
		bench_die("lab_mem_init failed");
	bare_pool = (struct pool_arg){ .mem = bare_mem };
	bare_pool.pool = new_pool(bare_mem, 0, &bare_pool.memory);

	__atomic_store_n(&ho_stop, 0, __ATOMIC_RELAXED);
	ho_running = pthread_create(&ho_thread, NULL, putter_main, &host_pool) == 0;
}

static void pools_down(void)
{
	if (ho_running) {
		__atomic_store_n(&ho_stop, 1, __ATOMIC_RELEASE);
		pthread_join(ho_thread, NULL);
	}
	lab_page_pool_destroy(host_pool.pool);
	lab_page_pool_destroy(bare_pool.pool);
	if (!lab_page_pool_released(host_pool.pool) || !lab_page_pool_released(bare_pool.pool))
		bench_die("a page_pool was not released after the benchmark");
	if (lab_mem_check(host_mem) || lab_mem_check(bare_mem))
		bench_die("lab_mem_check found violations after the page_pool benchmark");
	lab_host_cpu_detach(host_mem);
	lab_host_destroy(host_mem);
	lab_mem_fini(bare_mem);
	free(bare_meta);
	free(host_pool.memory);
	free(bare_pool.memory);
}

enum { C_DIRECT, C_BARE, C_RING, C_RING2, C_PCP, C_BARE_PCP, C_TCMALLOC, C_DPDK, NR_C };

static double ratio(const struct bench_contender *c, int a, int b)
{
	return c[a].median_ns > 0 && c[b].median_ns > 0 ? c[a].median_ns / c[b].median_ns : -1;
}

static void target_line(const char *what, double r, double target)
{
	if (r < 0)
		printf("  %-58s n/a\n", what);
	else
		printf("  %-58s %.2fx (target <= %.1fx: %s)\n", what, r, target, r <= target ? "met" : "NOT met");
}

void bench_run_pool(void)
{
	const struct bench_peer *peers = bench_peers_load();
	struct bench_peer_arg tc;
	struct bench_dpdk *dpdk = bench_dpdk_open();
	struct bench_contender c[NR_C] = {
		[C_DIRECT] = { .name = "page_pool alloc + recycle_direct (host)", .run = pool_direct, .arg = &host_pool },
		[C_BARE] = { .name = "page_pool alloc + recycle_direct (bare)", .run = pool_bare, .arg = &bare_pool },
		[C_RING] = { .name = "page_pool alloc + put via ring (process ctx)", .run = pool_ring, .arg = &host_pool },
		[C_RING2] = { .name = "page_pool alloc + put by another thread", .run = pool_ring_2threads,
			      .arg = &host_pool },
		[C_PCP] = { .name = "per-CPU pair lab_alloc_pages+free (host)", .run = pcp_pair },
		[C_BARE_PCP] = { .name = "per-CPU pair (bare)", .run = pcp_pair },
		[C_DPDK] = { .name = "DPDK rte_mempool_get/put (lcore cache 256)", .run = bench_dpdk_pair, .arg = dpdk,
			     .why = bench_dpdk_why() },
	};
	pools_up();
	c[C_PCP].arg = host_mem;
	c[C_BARE_PCP].arg = bare_mem;
	if (!ho_running) {
		c[C_RING2].run = NULL;
		c[C_RING2].why = "no second thread";
	}
	if (!dpdk)
		c[C_DPDK].run = NULL;
	for (int i = 0; i < BENCH_NR_PEERS; i++)
		if (!strcmp(peers[i].name, "tcmalloc")) {
			tc = (struct bench_peer_arg){ .peer = &peers[i], .size = 4096 };
			c[C_TCMALLOC] = (struct bench_contender){ .name = "tcmalloc tc_malloc(4096)+free",
				.run = peers[i].available ? bench_peer_pair : NULL, .arg = &tc,
				.why = peers[i].available ? NULL : peers[i].why };
		}
	bench_compare(c, NR_C);
	bench_report("page_pool", "page_pool order-0 pairs vs the per-CPU lists, tcmalloc and DPDK's mempool",
		     "alloc + free/put of one 4 KiB page", c, NR_C, C_DIRECT);
	target_line("page_pool direct pair / tcmalloc malloc(4096)+free", ratio(c, C_DIRECT, C_TCMALLOC), 1.0);
	target_line("page_pool direct pair / DPDK rte_mempool_get+put", ratio(c, C_DIRECT, C_DPDK), 1.0);
	target_line("page_pool ring, another thread / host per-CPU pair", ratio(c, C_RING2, C_PCP), 0.5);
	target_line("page_pool ring, process ctx / host per-CPU pair", ratio(c, C_RING, C_PCP), 0.5);
	double npt = bench_ns_per_tick();
	printf("  TSC cycles per operation (%.3f ns per cycle):\n", npt);
	for (int i = 0; i < NR_C; i++)
		if (c[i].median_ns > 0)
			printf("    %-52s %6.1f cycles\n", c[i].name, c[i].median_ns / npt);
	pools_down();
	bench_dpdk_close(dpdk);
}
