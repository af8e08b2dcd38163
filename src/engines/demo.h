/* SPDX-License-Identifier: MIT */
/*
 * engines/demo.h - `labyrinth demo`'s workload and what it leaves behind
 * (engines/demo.c drives it, report/demo.c prints it).
 */
#ifndef LAB_ENGINES_DEMO_H
#define LAB_ENGINES_DEMO_H

#include <stddef.h>
#include <stdint.h>
#include <labyrinth/labyrinth.h>

struct lab_demo_held;

struct lab_demo {
	uint64_t seed, mem_mib;
	struct lab_mem *mem;                    /* the host instance after the storm */
	struct lab_mem_stats *stats;            /* its statistics right after the storm */
	uint64_t atomic_requests, atomic_failures;
	uint64_t first_failure_at;              /* request number; 0 = none failed */
	struct lab_alloc_failure *first;        /* its failure record; NULL = none */
	/* pages the workload still holds (freed by lab_demo_free) */
	struct lab_demo_held *held;
	size_t nr_held, cap_held;
	uint64_t rng;
};

/*
 * Runs the demo on a fresh 2-CPU host instance of @mem_mib MiB: boot fills
 * ~90% with page cache and kernel objects, uptime churns them, then a NIC
 * storm of 20000 order-3 GFP_ATOMIC refills runs in softirq context. The
 * same @seed gives the same run. 0; -1 if the instance cannot be created
 * (@d->mem NULL) or memory ran out (errno ENOMEM). Either way
 * lab_demo_free(@d) releases what was set up.
 */
int lab_demo_run(struct lab_demo *d, uint64_t seed, uint64_t mem_mib);
void lab_demo_free(struct lab_demo *d);

#endif
