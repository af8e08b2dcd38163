/* SPDX-License-Identifier: MIT */
/*
 * engines/replay_shadow.c - the shadow replay: the seed loaded into the
 * model (replay_model.c), every event applied in replay order, the
 * model's counts taken at each snapshot and timeline point; and where the
 * snapshots the trace marks lie in it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "engines/replay_int.h"

static const char *const fix_names[LAB_NR_FIX] = {
	"take_not_free", "pcp_bypass", "alloc_from_buddy", "alloc_not_pcp",
	"free_not_allocated", "drain_not_pcp", "extfrag_not_free", "isolate_short",
	"outside_zones", "highatomic_inferred", "bulk_alloc_inferred",
};

const char *lab_shadow_fix_name(enum lab_shadow_fix f)
{
	return (unsigned)f < LAB_NR_FIX ? fix_names[f] : "?";
}

int lab_shadow_fix_is_inferred(enum lab_shadow_fix f)
{
	return f == LAB_FIX_HIGHATOMIC_INFERRED || f == LAB_FIX_BULK_INFERRED;
}

void lab_replay_settings_default(struct lab_replay_settings *s)
{
	memset(s, 0, sizeof(*s));
	s->min_free_kbytes = s->watermark_scale_factor = s->watermark_boost_factor = -1;
	s->highatomic_reserve = s->percpu_pagelist_high_fraction = -1;
}

/* Puts the seed into a fresh model (shadow pass 2). */
static void model_load_seed(struct model *m, const struct lab_replay_seed *s)
{
	memcpy(m->pb, s->pb_mt, s->nr_pb);
	for (size_t b = 0; b < s->nr_blocks; b++) {
		const struct lab_seed_block *bl = &s->blocks[b];
		if (bl->order == 0 && !bl->placed && s->init[bl->pfn - s->base_pfn] == LAB_SEED_FREE &&
		    !ST_KIND(m->st[bl->pfn - m->g.base]))
			replay_free_merge(m, bl->pfn, 0, bl->mt);   /* extra: may merge */
		else
			replay_head_put(m, bl->pfn, K_FREE, bl->order, bl->mt, 0);
	}
	size_t n = (size_t)(s->end_pfn - s->base_pfn);
	for (size_t i = 0; i < n; i++) {
		uint64_t pfn = s->base_pfn + i;
		if (s->init[i] == LAB_SEED_PCP)
			replay_head_put(m, pfn, K_PCP, 0, s->pb_mt[i >> s->pageblock_order], s->init_cpu[i]);
		else if (s->init[i] == LAB_SEED_ALLOC)
			replay_head_put(m, pfn, K_ALLOC, 0, s->pb_mt[i >> s->pageblock_order], 0);
	}
}

/* ---- shadow -------------------------------------------------------------------- */

void lab_shadow_result_free(struct lab_shadow_result *r)
{
	lab_replay_seed_free(&r->seed);
	free(r->snaps);
	free(r->timeline);
	memset(r, 0, sizeof(*r));
}

int lab_replay_shadow(const struct lab_ftrace *t, const struct lab_replay_opts *o,
		      struct lab_shadow_result *r, char *err, size_t errsz)
{
	struct geo g;
	struct model m;
	int rc;
	unsigned nsamp = o->nr_samples ? o->nr_samples : 40;

	memset(r, 0, sizeof(*r));
	if ((rc = replay_geo_from_snapshot(o->before, &g, err, errsz)))
		return rc;
	if ((rc = lab_replay_seed(t, o, &r->seed, err, errsz)))
		return rc;
	if ((rc = replay_model_init(&m, &g, o->kernel_has_cma, lab_kernel_resolve(o->kernel) == LAB_KERNEL_6_12)))
		goto nomem;
	for (int z = 0; z < LAB_MAX_NR_ZONES; z++)
		r->populated[z] = g.populated[z];
	model_load_seed(&m, &r->seed);
	r->snaps = calloc(o->nr_snaps + 1, sizeof(*r->snaps));
	r->timeline = calloc(nsamp + 2, sizeof(*r->timeline));
	if (!r->snaps || !r->timeline)
		goto nomem;
	r->nr_snaps = o->nr_snaps;
	size_t step = t->nr / nsamp + 1;
	for (size_t p = 0; p <= t->nr; p++) {
		size_t i = p < t->nr ? r->seed.order[p] : t->nr;
		uint64_t ts = i < t->nr ? t->ev[i].ts_ns : (t->nr ? t->ev[t->nr - 1].ts_ns : 0);
		for (unsigned si = 0; si < o->nr_snaps; si++)
			if (o->snaps[si].at_event == i)
				replay_model_point(&m, i, ts, &r->snaps[si]);
		if ((p % step == 0 || p == t->nr) && r->nr_timeline < nsamp + 2)
			replay_model_point(&m, i, ts, &r->timeline[r->nr_timeline++]);
		if (p == t->nr)
			break;
		r->applied[t->ev[i].type]++;
		replay_model_apply(&m, &t->ev[i]);
	}
	replay_model_point(&m, t->nr, t->nr ? t->ev[t->nr - 1].ts_ns : 0, &r->final);
	memcpy(r->fixes, m.fixes, sizeof(r->fixes));
	memcpy(r->fixes_in_compaction, m.fixes_cc, sizeof(r->fixes_in_compaction));
	memcpy(r->first_fix_line, m.first_fix_line, sizeof(r->first_fix_line));
	r->isolated_by_compaction = m.isolated;
	replay_model_fini(&m);
	return 0;
nomem:
	replay_model_fini(&m);
	lab_shadow_result_free(r);
	snprintf(err, errsz, "out of memory");
	return LAB_ENOMEM;
}

/* ---- snapshots in the trace ------------------------------------------------------- */

unsigned lab_replay_match_snapshots(const struct lab_ftrace *t, const struct lab_snapshot *snaps,
				    unsigned nr, struct lab_replay_opts *o)
{
	o->nr_snaps = 0;
	for (unsigned s = 0; s < nr && o->nr_snaps < LAB_REPLAY_MAX_SNAPS; s++) {
		const char *name = snaps[s].suffix;
		size_t at = SIZE_MAX;
		uint64_t ts = 0;
		char want[64];
		snprintf(want, sizeof(want), "snapshot %s ", name);
		for (size_t i = 0; i < t->nr && at == SIZE_MAX; i++) {
			const struct lab_ftrace_event *e = &t->ev[i];
			if (e->type != LAB_FT_MARKER || e->arg >= t->nr_markers)
				continue;
			const char *txt = t->markers[e->arg];
			const char *hit = strstr(txt, want);
			if (!hit)
				continue;
			const char *what = hit + strlen(want);
			if (!strncmp(what, "begin", 5)) {
				at = i;
				ts = e->ts_ns;
			} else if (!strncmp(what, "taken", 5) && !strcmp(name, "before")) {
				at = 0;
				ts = t->ev[0].ts_ns;
			}
		}
		if (at == SIZE_MAX && !strcmp(name, "before") && t->nr) {
			at = 0;
			ts = t->ev[0].ts_ns;
		}
		if (at == SIZE_MAX && !strcmp(name, "after") && t->nr) {
			at = t->nr;
			ts = t->ev[t->nr - 1].ts_ns;
		}
		if (at == SIZE_MAX)
			continue;
		o->snaps[o->nr_snaps].snap = &snaps[s];
		o->snaps[o->nr_snaps].at_event = at;
		o->snaps[o->nr_snaps].ts_ns = ts;
		o->nr_snaps++;
	}
	/* in trace order */
	for (unsigned a = 1; a < o->nr_snaps; a++)
		for (unsigned b = a; b > 0 && o->snaps[b].at_event < o->snaps[b - 1].at_event; b--) {
			struct lab_replay_snap tmp = o->snaps[b];
			o->snaps[b] = o->snaps[b - 1];
			o->snaps[b - 1] = tmp;
		}
	return o->nr_snaps;
}
