/* SPDX-License-Identifier: MIT */
/*
 * cli/cmd_demo.c - `labyrinth demo`: the real allocator, a real workload,
 * real reports.
 *
 * A 512 MiB host instance (DMA + DMA32, like a small x86-64 box) lives
 * through three phases, driven by a seeded PRNG so every run is the same:
 *
 *   1. boot: kernel objects (unmovable, orders 0-2) and page cache
 *      (movable, order 0) fill ~90% of memory, interleaved;
 *   2. uptime: page cache is evicted at random and refilled, slab churns,
 *      reclaimable dentries come and go - free memory ends up scattered
 *      between the unmovable walls of the labyrinth;
 *   3. NIC storm: the NET_RX softirq (lab_do_softirq) asks for order-3
 *      GFP_ATOMIC receive buffers (32 KiB jumbo frames) and holds some.
 *
 * Then it prints what a kernel engineer would look at: the failure report
 * in warn_alloc format, /proc/buddyinfo, /proc/pagetypeinfo, the zone
 * watermarks (zoneinfo), fragmentation indices and counters, and with
 * --map a picture of the maze.
 */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <labyrinth/labyrinth.h>
#include <labyrinth/host.h>
#include <labyrinth/map.h>
#include <labyrinth/report.h>
#include <labyrinth/context.h>
#include "cli.h"

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

static const char *const help =
	"usage: labyrinth demo [--seed N] [--mem MiB] [--map FILE.png] [--quiet]\n\n"
	"Fragments a host instance (default 512 MiB) with boot, uptime churn and a NIC\n"
	"storm of order-3 GFP_ATOMIC requests, then prints the first failure report,\n"
	"/proc/buddyinfo, /proc/pagetypeinfo, zoneinfo watermarks, extfrag indices and\n"
	"counters. --map writes a picture of the physical memory (pageblocks).\n";

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64*: deterministic and good enough for a workload */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1Dull;
}

struct held {
	struct lab_page *page;
	unsigned order;
	int kind;   /* 0 page cache, 1 slab, 2 dentry, 3 rx buffer */
};

struct pool {
	struct held *v;
	size_t n, cap;
};

static void pool_push(struct pool *p, struct lab_page *page, unsigned order, int kind)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 4096;
		p->v = realloc(p->v, p->cap * sizeof(*p->v));
		if (!p->v) {
			perror("labyrinth demo");
			exit(2);
		}
	}
	p->v[p->n++] = (struct held){ page, order, kind };
}

static void pool_free_at(struct lab_mem *mem, struct pool *p, size_t i)
{
	lab_free_pages(mem, p->v[i].page, p->v[i].order);
	p->v[i] = p->v[--p->n];
}

int lab_cmd_demo(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seed", required_argument, 0, 's' }, { "mem", required_argument, 0, 'm' },
		{ "map", required_argument, 0, 'p' },  { "quiet", no_argument, 0, 'q' },
		{ "help", no_argument, 0, 'h' },       { 0, 0, 0, 0 },
	};
	uint64_t seed = 42, mem_mib = 512;
	const char *map = NULL;
	int quiet = 0, c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (cli_parse_u64(optarg, &seed))
				return cli_error("demo", "--seed '%s': expected a number", optarg);
			break;
		case 'm':
			if (cli_parse_u64(optarg, &mem_mib) || mem_mib < 32 || mem_mib > 65536)
				return cli_error("demo", "--mem '%s': expected 32..65536 (MiB)", optarg);
			break;
		case 'p':
			map = optarg;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'h':
		default:
			return cli_help(help, c == 'h');
		}
	}
	if (optind < argc)
		return cli_error("demo", "unexpected argument '%s'", argv[optind]);
	rng_state = seed * 0x9E3779B97F4A7C15ull + 1;

	struct lab_mem *mem = lab_host_create(&(struct lab_host_config){
		.mem_bytes = mem_mib << 20, .nr_cpus = 2, .quiet = 1 });
	if (!mem)
		return cli_error("demo", "cannot create a %llu MiB host instance", (unsigned long long)mem_mib);
	struct lab_mem_stats *st = malloc(sizeof(*st));
	struct pool pool = { 0 };
	uint64_t total_pages = (mem_mib << 20) / LAB_PAGE_SIZE;
	uint64_t atomic_req = 0, atomic_fail = 0, first_fail_at = 0;

	/* 1. boot: fill to ~90% with page cache and kernel objects, interleaved */
	uint64_t target = total_pages * 9 / 10, used = 0;
	while (used < target) {
		uint64_t r = rnd() % 100;
		struct lab_page *p;
		unsigned order = 0;
		int kind;
		if (r < 78) {
			p = lab_alloc_pages(mem, LAB_GFP_HIGHUSER_MOVABLE | LAB___GFP_NOWARN, 0);
			kind = 0;
		} else if (r < 92) {
			order = (unsigned)(rnd() % 3);
			p = lab_alloc_pages(mem, LAB_GFP_KERNEL | LAB___GFP_NOWARN, order);
			kind = 1;
		} else {
			p = lab_alloc_pages(mem, LAB_GFP_KERNEL | LAB___GFP_RECLAIMABLE | LAB___GFP_NOWARN, 0);
			kind = 2;
		}
		if (!p)
			break;
		pool_push(&pool, p, order, kind);
		used += 1ull << order;
	}

	/* 2. uptime: evict page cache at random, churn slab and dentries */
	for (int round = 0; round < 40; round++) {
		for (size_t i = 0; i < pool.n / 20; i++) {
			size_t k = (size_t)(rnd() % pool.n);
			if (pool.v[k].kind == 0 || (pool.v[k].kind != 3 && rnd() % 8 == 0))
				pool_free_at(mem, &pool, k);
		}
		uint64_t refill = total_pages / 40;
		for (uint64_t i = 0; i < refill; i++) {
			uint64_t r = rnd() % 100;
			struct lab_page *p;
			if (r < 85) {
				p = lab_alloc_pages(mem, LAB_GFP_HIGHUSER_MOVABLE | LAB___GFP_NOWARN, 0);
				if (p)
					pool_push(&pool, p, 0, 0);
			} else {
				unsigned order = (unsigned)(rnd() % 2);
				p = lab_alloc_pages(mem, LAB_GFP_KERNEL | LAB___GFP_NOWARN, order);
				if (p)
					pool_push(&pool, p, order, 1);
			}
		}
	}
	/* memory pressure eases: a third of the page cache is dropped */
	for (size_t i = 0; i < pool.n;) {
		if (pool.v[i].kind == 0 && rnd() % 3 == 0)
			pool_free_at(mem, &pool, i);
		else
			i++;
	}

	/* 3. NIC storm: order-3 GFP_ATOMIC rx buffers, a fraction held; each
	 * refill runs in softirq context (NET_RX), where the allocator sees
	 * preempt_count's softirq bits as a driver's refill would */
	struct lab_alloc_failure *first = NULL;
	for (int i = 0; i < 20000; i++) {
		atomic_req++;
		struct rx_refill rx = { mem, NULL };
		lab_do_softirq(rx_softirq, &rx);
		struct lab_page *p = rx.page;
		if (!p) {
			atomic_fail++;
			if (!first && lab_mem_last_failure(mem)) {
				first = malloc(sizeof(*first));
				if (first)
					memcpy(first, lab_mem_last_failure(mem), sizeof(*first));
				first_fail_at = atomic_req;
			}
			continue;
		}
		if (rnd() % 4 == 0)
			pool_push(&pool, p, 3, 3);
		else
			lab_free_pages(mem, p, 3);
	}

	lab_mem_get_stats(mem, st);
	printf("Labyrinth demo: %llu MiB, 2 CPUs, seed %llu\n", (unsigned long long)mem_mib,
	       (unsigned long long)seed);
	printf("NIC storm: %llu order-3 GFP_ATOMIC requests, %llu failed (%.1f%%)",
	       (unsigned long long)atomic_req, (unsigned long long)atomic_fail,
	       atomic_req ? 100.0 * (double)atomic_fail / (double)atomic_req : 0.0);
	if (first_fail_at)
		printf(", first failure at request %llu", (unsigned long long)first_fail_at);
	printf("\n\n");
	if (first) {
		printf("== first failure (warn_alloc, as dmesg shows it) ==\n");
		lab_report_warn_alloc(stdout, first, LAB_GFP_ERA_6_1);
		printf("\n");
	}
	if (!quiet) {
		printf("== /proc/buddyinfo ==\n");
		lab_report_buddyinfo(stdout, st);
		printf("\n== /proc/pagetypeinfo ==\n");
		lab_report_pagetypeinfo(stdout, st);
		printf("\n== /proc/zoneinfo (allocator fields) ==\n");
		lab_report_zoneinfo(stdout, st);
		printf("\n== extfrag/extfrag_index ==\n");
		lab_report_extfrag_index(stdout, st);
		printf("\n== extfrag/unusable_index ==\n");
		lab_report_unusable_index(stdout, st);
		printf("\n== /proc/vmstat (allocator counters) ==\n");
		lab_report_vmstat(stdout, st);
		printf("\n== labyrinth counters ==\n");
		for (int e = 0; e < LAB_NR_VM_EVENTS; e++)
			if (!lab_vm_event_is_linux((enum lab_vm_event)e))
				printf("%s %llu\n", lab_vm_event_name((enum lab_vm_event)e),
				       (unsigned long long)st->events[e]);
	}
	int rc = 0;
	if (map) {
		int err = lab_map_write_png_mem(map, mem, "labyrinth demo: after the NIC storm", 0);
		if (err) {
			rc = cli_error("demo", "cannot write %s: %s", map, strerror(-err));
		} else {
			printf("\nmap of the physical memory written to %s\n", map);
		}
	}
	int bad = lab_mem_check(mem);
	if (bad) {
		fprintf(stderr, "labyrinth demo: lab_mem_check found %d violations\n", bad);
		rc = 1;
	}
	for (size_t i = 0; i < pool.n; i++)
		lab_free_pages(mem, pool.v[i].page, pool.v[i].order);
	free(pool.v);
	free(first);
	free(st);
	lab_host_destroy(mem);
	return rc;
}
