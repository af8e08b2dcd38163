/* SPDX-License-Identifier: MIT */
/*
 * tests/util/snapshot_machine.h - one node of a /proc snapshot rebuilt in a
 * Labyrinth instance through the public restore API, to let the allocator
 * itself confirm numbers computed from the same snapshot (labyrinth top's
 * headroom). Zones back to back in zone order, each of its managed pages
 * (or its pagetypeinfo pageblocks, whichever is more) rounded up to a
 * MAX_ORDER block plus one spare block, so every free block finds room;
 * pages not on a restored free list are allocated. Per-CPU lists off.
 */
#ifndef LAB_TEST_SNAPSHOT_MACHINE_H
#define LAB_TEST_SNAPSHOT_MACHINE_H

#include <stdint.h>
#include <labyrinth/labyrinth.h>
#include "formats/snapshot.h"

struct snapshot_machine {
	struct lab_mem *mem;
	void *meta;
	size_t bytes;
	uint64_t end[LAB_MAX_NR_ZONES];     /* first pfn after each zone */
};

/*
 * Builds @m from node snapshot @s with every zone restored (free lists per
 * order and migratetype from pagetypeinfo, else buddyinfo as Movable;
 * pageblock types; marks without the boost, the boost; protection as
 * lowmem_reserve; the highatomic reserve). @boost_factor is set before the
 * restore. 0, or the failing call's error (message in @err).
 */
int snapshot_machine_build(struct snapshot_machine *m, const struct lab_snapshot *s, int boost_factor,
			   char *err, size_t errsz);
void snapshot_machine_free(struct snapshot_machine *m);
/* Zone type holding @page in @m; -1 if none. */
int snapshot_machine_zone(const struct snapshot_machine *m, const struct lab_page *page);

#endif
