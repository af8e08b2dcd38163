/* SPDX-License-Identifier: MIT */
/*
 * bench/peer_dpdk.c - DPDK's mempool as a peer of page_pool: the packet
 * buffer allocator of user-space NIC drivers. rte_mempool_get/put are
 * inline functions of DPDK's headers that serve the calling lcore's cache
 * first (here 256 objects), so this file is compiled against libdpdk when
 * CMake finds it (LAB_HAVE_DPDK) and otherwise reports n/a.
 */
#include <stdio.h>
#include <stdlib.h>
#include "bench_core.h"
#include "bench_pool.h"

#ifdef LAB_HAVE_DPDK
#include <sched.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_mempool.h>

struct bench_dpdk {
	struct rte_mempool *mp;
};

static char why[160];
static int eal_state;                   /* 0 not tried, 1 up, -1 failed */

static int eal_up(void)
{
	/* the EAL may permute its argv: writable copies */
	static char args[][24] = { "labyrinth-bench", "--no-huge", "-m", "64", "--no-pci", "--no-telemetry",
				   "--no-shconf", "--log-level=*:error", "-l", "0" };
	enum { NARGS = sizeof(args) / sizeof(args[0]) };
	char *argv[NARGS + 1];
	cpu_set_t saved;
	if (eal_state)
		return eal_state;
	for (int i = 0; i < NARGS; i++)
		argv[i] = args[i];
	argv[NARGS] = NULL;
	int have_aff = sched_getaffinity(0, sizeof(saved), &saved) == 0;
	int r = rte_eal_init(NARGS, argv);
	if (have_aff)
		sched_setaffinity(0, sizeof(saved), &saved);   /* the EAL pins lcore 0 */
	if (r < 0) {
		snprintf(why, sizeof(why), "rte_eal_init failed: %s", rte_strerror(rte_errno));
		eal_state = -1;
	} else {
		eal_state = 1;
	}
	return eal_state;
}

struct bench_dpdk *bench_dpdk_open(void)
{
	if (eal_up() < 0)
		return NULL;
	struct bench_dpdk *d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->mp = rte_mempool_create("lab_bench_pp", 4095, 4096, 256, 0, NULL, NULL, NULL, NULL, SOCKET_ID_ANY, 0);
	if (!d->mp) {
		snprintf(why, sizeof(why), "rte_mempool_create failed: %s", rte_strerror(rte_errno));
		free(d);
		return NULL;
	}
	return d;
}

const char *bench_dpdk_why(void)
{
	return why[0] ? why : NULL;
}

void bench_dpdk_pair(void *arg, uint64_t iters)
{
	struct bench_dpdk *d = arg;
	for (uint64_t i = 0; i < iters; i++) {
		void *obj;
		if (__builtin_expect(rte_mempool_get(d->mp, &obj) != 0, 0))
			bench_die("rte_mempool_get failed");
		bench_escape(obj);
		rte_mempool_put(d->mp, obj);
	}
}

void bench_dpdk_close(struct bench_dpdk *d)
{
	if (!d)
		return;
	rte_mempool_free(d->mp);
	free(d);
}

#else

struct bench_dpdk *bench_dpdk_open(void)
{
	return NULL;
}

const char *bench_dpdk_why(void)
{
	return "libdpdk not found at build time (Debian: libdpdk-dev)";
}

void bench_dpdk_pair(void *arg, uint64_t iters)
{
	(void)arg;
	(void)iters;
}

void bench_dpdk_close(struct bench_dpdk *d)
{
	(void)d;
}

#endif
