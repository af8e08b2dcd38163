/* SPDX-License-Identifier: MIT */
/*
 * bench/bench_pool.h - the page_pool benchmark (bench_pool.c) and its DPDK
 * peer (peer_dpdk.c: rte_mempool with a per-lcore cache, built only when
 * pkg-config finds libdpdk; else every call says n/a).
 */
#ifndef LAB_BENCH_POOL_H
#define LAB_BENCH_POOL_H

#include <stdint.h>

void bench_run_pool(void);

struct bench_dpdk;
/* Starts DPDK's EAL (once per process: no hugepages, no PCI, lcore 0 = the
 * calling thread, whose CPU affinity is restored afterwards) and creates a
 * mempool of 4 KiB objects with a per-lcore cache of 256. NULL if DPDK is
 * absent or does not start; bench_dpdk_why() then says why. */
struct bench_dpdk *bench_dpdk_open(void);
const char *bench_dpdk_why(void);
/* @iters rte_mempool_get + rte_mempool_put pairs (a bench_fn). */
void bench_dpdk_pair(void *arg, uint64_t iters);
void bench_dpdk_close(struct bench_dpdk *d);

/* ns per tick of the cycle counter (TSC on x86-64), calibrated over 20 ms
 * against CLOCK_MONOTONIC (bench_atomic.c). */
double bench_ns_per_tick(void);

#endif
