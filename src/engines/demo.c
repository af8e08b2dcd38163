/* SPDX-License-Identifier: MIT */
/*
 * engines/demo.c - `labyrinth demo`: the real allocator, a real workload.
 *
 * A host instance (DMA + DMA32, like a small x86-64 box) lives through
 * three phases, driven by a seeded PRNG so every run is the same:
 *
 *   1. boot: kernel objects (unmovable, orders 0-2) and page cache
 *      (movable, order 0) fill ~90% of memory, interleaved;
 *   2. uptime: page cache is evicted at random and refilled, slab churns,
 *      reclaimable dentries come and go - free memory ends up scattered
 *      between the unmovable walls of the labyrinth;
 *   3. NIC storm: the NET_RX softirq (lab_do_softirq) asks for order-3
 *      GFP_ATOMIC receive buffers (32 KiB jumbo frames) and holds some.
 *
 * What is left (the instance, its statistics, the first failure record)
 * is report/demo.c's to print.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <labyrinth/context.h>
#include <labyrinth/host.h>
#include "engines/demo.h"

enum held_kind { PAGE_CACHE = 0, SLAB, DENTRY, RX_BUFFER };

struct lab_demo_held {
	struct lab_page *page;
	unsigned order;
	int kind;                       /* enum held_kind */
};

/* One NET_RX softirq refill: an order-3 jumbo-frame buffer. */
struct rx_refill {
	struct lab_mem *mem;
	struct lab_page *page;
};

static void rx_softirq(void *arg)
{
	struct rx_refill *rx = arg;
	rx->page = lab_alloc_pages(rx->mem, LAB_GFP_ATOMIC | LAB___GFP_COMP, 3);
}

/* xorshift64*: deterministic and good enough for a workload */
static uint64_t rnd(struct lab_demo *d)
{
	d->rng ^= d->rng >> 12;
	d->rng ^= d->rng << 25;
	d->rng ^= d->rng >> 27;
	return d->rng * 0x2545F4914F6CDD1Dull;
}

static int hold(struct lab_demo *d, struct lab_page *page, unsigned order, int kind)
{
	if (d->nr_held == d->cap_held) {
		size_t cap = d->cap_held ? d->cap_held * 2 : 4096;
		struct lab_demo_held *v = realloc(d->held, cap * sizeof(*v));
		if (!v) {
			lab_free_pages(d->mem, page, order);
			errno = ENOMEM;
			return -1;
		}
		d->held = v;
		d->cap_held = cap;
	}
	d->held[d->nr_held++] = (struct lab_demo_held){ page, order, kind };
	return 0;
}

static void release(struct lab_demo *d, size_t i)
{
	lab_free_pages(d->mem, d->held[i].page, d->held[i].order);
	d->held[i] = d->held[--d->nr_held];
}

/* 1. boot: fill to ~90% with page cache and kernel objects, interleaved */
static int boot(struct lab_demo *d, uint64_t total_pages)
{
	uint64_t target = total_pages * 9 / 10, used = 0;
	while (used < target) {
		uint64_t r = rnd(d) % 100;
		struct lab_page *p;
		unsigned order = 0;
		int kind;
		if (r < 78) {
			p = lab_alloc_pages(d->mem, LAB_GFP_HIGHUSER_MOVABLE | LAB___GFP_NOWARN, 0);
			kind = PAGE_CACHE;
		} else if (r < 92) {
			order = (unsigned)(rnd(d) % 3);
			p = lab_alloc_pages(d->mem, LAB_GFP_KERNEL | LAB___GFP_NOWARN, order);
			kind = SLAB;
		} else {
			p = lab_alloc_pages(d->mem, LAB_GFP_KERNEL | LAB___GFP_RECLAIMABLE | LAB___GFP_NOWARN, 0);
			kind = DENTRY;
		}
		if (!p)
			break;
		if (hold(d, p, order, kind) != 0)
			return -1;
		used += 1ull << order;
	}
	return 0;
}

/* 2. uptime: evict page cache at random, churn slab and dentries; then
 * memory pressure eases: a third of the page cache is dropped */
static int uptime(struct lab_demo *d, uint64_t total_pages)
{
	for (int round = 0; round < 40; round++) {
		for (size_t i = 0; i < d->nr_held / 20; i++) {
			size_t k = (size_t)(rnd(d) % d->nr_held);
			if (d->held[k].kind == PAGE_CACHE || (d->held[k].kind != RX_BUFFER && rnd(d) % 8 == 0))
				release(d, k);
		}
		uint64_t refill = total_pages / 40;
		for (uint64_t i = 0; i < refill; i++) {
			uint64_t r = rnd(d) % 100;
			struct lab_page *p;
			unsigned order = 0;
			int kind = PAGE_CACHE;
			if (r < 85) {
				p = lab_alloc_pages(d->mem, LAB_GFP_HIGHUSER_MOVABLE | LAB___GFP_NOWARN, 0);
			} else {
				order = (unsigned)(rnd(d) % 2);
				p = lab_alloc_pages(d->mem, LAB_GFP_KERNEL | LAB___GFP_NOWARN, order);
				kind = SLAB;
			}
			if (p && hold(d, p, order, kind) != 0)
				return -1;
		}
	}
	for (size_t i = 0; i < d->nr_held;) {
		if (d->held[i].kind == PAGE_CACHE && rnd(d) % 3 == 0)
			release(d, i);
		else
			i++;
	}
	return 0;
}

/* 3. NIC storm: order-3 GFP_ATOMIC rx buffers, a fraction held; each
 * refill runs in softirq context (NET_RX), where the allocator sees
 * preempt_count's softirq bits as a driver's refill would */
static int storm(struct lab_demo *d)
{
	for (int i = 0; i < 20000; i++) {
		d->atomic_requests++;
		struct rx_refill rx = { d->mem, NULL };
		lab_do_softirq(rx_softirq, &rx);
		struct lab_page *p = rx.page;
		if (!p) {
			d->atomic_failures++;
			if (!d->first && lab_mem_last_failure(d->mem)) {
				d->first = malloc(sizeof(*d->first));
				if (d->first)
					memcpy(d->first, lab_mem_last_failure(d->mem), sizeof(*d->first));
				d->first_failure_at = d->atomic_requests;
			}
			continue;
		}
		if (rnd(d) % 4 == 0) {
			if (hold(d, p, 3, RX_BUFFER) != 0)
				return -1;
		} else {
			lab_free_pages(d->mem, p, 3);
		}
	}
	return 0;
}

int lab_demo_run(struct lab_demo *d, uint64_t seed, uint64_t mem_mib)
{
	memset(d, 0, sizeof(*d));
	d->seed = seed;
	d->mem_mib = mem_mib;
	d->rng = seed * 0x9E3779B97F4A7C15ull + 1;
	d->mem = lab_host_create(&(struct lab_host_config){
		.mem_bytes = mem_mib << 20, .nr_cpus = 2, .quiet = 1 });
	if (!d->mem)
		return -1;
	d->stats = malloc(sizeof(*d->stats));
	if (!d->stats) {
		errno = ENOMEM;
		return -1;
	}
	uint64_t total_pages = (mem_mib << 20) / LAB_PAGE_SIZE;
	if (boot(d, total_pages) != 0 || uptime(d, total_pages) != 0 || storm(d) != 0)
		return -1;
	lab_mem_get_stats(d->mem, d->stats);
	return 0;
}

void lab_demo_free(struct lab_demo *d)
{
	if (d->mem)
		for (size_t i = 0; i < d->nr_held; i++)
			lab_free_pages(d->mem, d->held[i].page, d->held[i].order);
	free(d->held);
	free(d->first);
	free(d->stats);
	if (d->mem)
		lab_host_destroy(d->mem);
	memset(d, 0, sizeof(*d));
}
