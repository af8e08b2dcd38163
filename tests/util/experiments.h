/* SPDX-License-Identifier: MIT */
/*
 * tests/util/experiments.h - the measured experiments shared by the tests
 * (which assert their direction) and labyrinth-bench (which reports their
 * figures), so both run exactly the same workload. No cmocka in here.
 */
#ifndef LAB_TEST_EXPERIMENTS_H
#define LAB_TEST_EXPERIMENTS_H

#include <stdint.h>

struct lab_experiment {
	int result;                      /* the figure: blocks allocatable / failures */
	int unmovable_blocks;            /* gorman: Unmovable pageblocks after the fill */
	uint64_t max_reserved;           /* storm: peak nr_reserved_highatomic */
	int check_errors;                /* lab_mem_check() violations seen (must be 0) */
	unsigned verify_errors;          /* owned pages whose contents changed (must be 0) */
};

/*
 * Gorman's anti-fragmentation measurement on @pages pages (one Normal zone,
 * per-CPU lists, @flags LAB_CFG_*): fill 92% with page cache (60%), anon
 * (25%) and kernel objects (15%, a third reclaimable) without reclaim, drop
 * the page cache, then count order-9 blocks GFP_KERNEL|__GFP_RETRY_MAYFAIL
 * gets (compaction included).
 */
void lab_exp_gorman(struct lab_experiment *out, unsigned flags, uint64_t pages, uint64_t seed);

/*
 * A NIC under fragmentation on 16384 pages (64 MiB): fill memory with kernel
 * objects and page cache, free 2% at random, then 100000 steps of churn
 * near the watermarks with order-3 GFP_ATOMIC receive buffers in a 64-slot
 * ring. result = failed order-3 requests; @reserve 0/1 switches the
 * highatomic reserve.
 */
void lab_exp_atomic_storm(struct lab_experiment *out, int reserve, unsigned flags, uint64_t seed);

#endif
