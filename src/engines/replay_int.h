/* SPDX-License-Identifier: MIT */
/*
 * engines/replay_int.h - what the replay engines share: the traced
 * machine's zone geometry and the shadow model of its zones
 * (engines/replay_model.c), which the seed's probe pass (replay_seed.c)
 * and the shadow replay (replay_shadow.c) run; the what-if replay
 * (replay_whatif.c) takes the geometry only.
 */
#ifndef LAB_ENGINES_REPLAY_INT_H
#define LAB_ENGINES_REPLAY_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "engines/replay.h"

/* Model byte per pfn: 0 = no block head, else kind (bits 0-1) and order
 * (bits 2-5) of the block whose head is here. */
enum { K_NONE = 0, K_FREE = 1, K_PCP = 2, K_ALLOC = 3 };

#define ST(kind, order) ((uint8_t)((kind) | ((order) << 2)))
#define ST_KIND(s) ((s) & 3u)
#define ST_ORDER(s) (((s) >> 2) & 15u)
#define MAXO (LAB_MAX_ORDER - 1)

/* The zones of zoneinfo.before, the span pageblock-aligned. */
struct geo {
	int populated[LAB_MAX_NR_ZONES];
	uint64_t start[LAB_MAX_NR_ZONES], end[LAB_MAX_NR_ZONES];
	uint64_t base, endpfn;
	unsigned pb_order;
};

/* The shadow model (replay_model.c's top comment). */
struct model {
	struct geo g;
	uint8_t *st, *mt, *cpu;         /* per pfn of [g.base, g.endpfn) */
	uint8_t *pb;                    /* per pageblock */
	int has_cma;
	/* 6.10+ (the 6.12 profile): free lists follow pageblock types, a
	 * merge across pageblocks retypes the buddy's, and an extfrag event
	 * is the allocation itself (6.1: the stolen block, taken by a
	 * zone_locked event after it) */
	bool lists_follow_blocks;
	int last_new_pb;                /* probe: pageblock the last event gave its first type, or -1 */
	struct lab_shadow_zone_state zs[LAB_MAX_NR_ZONES];
	/* probe pass */
	bool probe;
	uint8_t *init, *init_cpu;
	uint8_t *pb_seen;               /* 1 = type evidenced, 2 = changed by a steal first,
					 * 3 = evidenced by a 6.1 free list's type only (weak) */
	/* fixes */
	uint64_t fixes[LAB_NR_FIX], fixes_cc[LAB_NR_FIX];
	uint32_t first_fix_line[LAB_NR_FIX];
	int in_compaction;
	uint32_t line;
	uint64_t isolated;
};

int replay_geo_from_snapshot(const struct lab_snapshot *s, struct geo *g, char *err, size_t errsz);
/* The zone holding @pfn, or -1. */
int replay_geo_zone(const struct geo *g, uint64_t pfn);
/* The same, and the end of the run of pfns from @pfn that share the answer. */
int replay_geo_zone_run(const struct geo *g, uint64_t pfn, uint64_t *run_end);
/* Trace migratetype number -> ours. */
int replay_map_mt(int mt, int has_cma);

int replay_model_init(struct model *m, const struct geo *g, int has_cma, bool lists_follow_blocks);
void replay_model_fini(struct model *m);
/* Moves the model to the state event @e implies (fixes counted). */
void replay_model_apply(struct model *m, const struct lab_ftrace_event *e);
/* The model's per-zone counts and pageblock types at event @at. */
void replay_model_point(const struct model *m, size_t at, uint64_t ts, struct lab_shadow_point *pt);
/* Head of a free block of order @k at @p (range empty), merged with its free buddies. */
void replay_free_merge(struct model *m, uint64_t p, unsigned k, int mt);
/* Sets the head at @h and keeps the per-zone counters. */
void replay_head_put(struct model *m, uint64_t h, unsigned kind, unsigned order, int mt, unsigned cpu);
/* The probe pass over @t in replay order; fills @s->order, reordered, tie_groups. */
void replay_order_events(struct model *m, const struct lab_ftrace *t, struct lab_replay_seed *s);

#endif
