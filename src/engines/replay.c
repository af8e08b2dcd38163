// SPDX-License-Identifier: MIT
/*
 * engines/replay.c - the two trace replay engines (what-if and shadow) and the
 * reconstruction of the state at trace start they share.
 *
 * The shadow model
 * ----------------
 * One byte per pfn of the span: 0 = no block head here, else the head of a
 * block: kind (FREE, PCP, ALLOC) in bits 0-1 and order in bits 2-5. Only
 * heads are stored; "which block holds pfn P" is the first head at P
 * rounded down to 2^o, o = 0..10, whose order is >= o (blocks never
 * overlap, so at most one matches): O(MAX_ORDER), and splitting or merging
 * a block rewrites O(MAX_ORDER) heads, never its tail pages. A pfn covered
 * by no head is unknown: allocated before tracing began, reserved, or free
 * and never touched. Per head: list migratetype and (PCP) CPU.
 *
 * Every event moves the model to the state the event implies. When the
 * model's prior state contradicts the event (the kernel took a page the
 * model holds allocated, ...) the event wins and the contradiction is
 * counted as a "fix" by kind, so the report says how much of the trace the
 * model could not explain and where (compaction windows are counted
 * apart: its free scanner and migration targets bypass the alloc/free
 * tracepoints).
 *
 * Seeding (lab_replay_seed): a first "probe" pass over the events with an
 * empty model records, for every page, what its first event implies about
 * its state when tracing began (taken from the buddy lists -> free; taken
 * from or drained off a pcp list -> on a pcp list; freed -> allocated), and
 * the first migratetype seen in each pageblock. The free blocks of
 * buddyinfo.before are then placed, largest first, on aligned ranges that
 * hold no page known to be allocated or on a pcp list, preferring ranges
 * with the most pages known to be free; no two placed blocks are buddies
 * (they would have merged). Pageblocks never seen get the remaining counts
 * of pagetypeinfo.before.
 *
 * The what-if engine seeds a real lab_mem the same way: allocate every
 * managed page at order 0, set the pageblock types, free the pages of the
 * initial free blocks (and the pcp pages: they are free memory), drain the
 * per-CPU lists. Pages still allocated are "pre-trace" pages.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "engines/replay.h"

enum { K_NONE = 0, K_FREE = 1, K_PCP = 2, K_ALLOC = 3 };

#define ST(kind, order) ((uint8_t)((kind) | ((order) << 2)))
#define ST_KIND(s) ((s) & 3u)
#define ST_ORDER(s) (((s) >> 2) & 15u)
#define MAXO (LAB_MAX_ORDER - 1)

static const char *const fix_names[LAB_NR_FIX] = {
	"take_not_free", "pcp_bypass", "alloc_from_buddy", "alloc_not_pcp",
	"free_not_allocated", "drain_not_pcp", "extfrag_not_free", "isolate_short",
	"outside_zones", "highatomic_inferred",
};

const char *lab_shadow_fix_name(enum lab_shadow_fix f)
{
	return (unsigned)f < LAB_NR_FIX ? fix_names[f] : "?";
}

void lab_replay_settings_default(struct lab_replay_settings *s)
{
	memset(s, 0, sizeof(*s));
	s->min_free_kbytes = s->watermark_scale_factor = s->watermark_boost_factor = -1;
	s->highatomic_reserve = s->percpu_pagelist_high_fraction = -1;
}

/* ---- zone geometry --------------------------------------------------------- */

struct geo {
	int populated[LAB_MAX_NR_ZONES];
	uint64_t start[LAB_MAX_NR_ZONES], end[LAB_MAX_NR_ZONES];
	uint64_t base, endpfn;
	unsigned pb_order;
};

static int geo_from_snapshot(const struct lab_snapshot *s, struct geo *g, char *err, size_t errsz)
{
	memset(g, 0, sizeof(*g));
	if (!s || !(s->have & LAB_SNAP_ZONEINFO)) {
		snprintf(err, errsz, "replay needs zoneinfo of the traced machine (zoneinfo.before next to the trace, or --snapshot DIR)");
		return LAB_EINVAL;
	}
	g->base = UINT64_MAX;
	for (int z = 0; z < LAB_MAX_NR_ZONES; z++) {
		const struct lab_snapshot_zone *sz = &s->zone[z];
		if (!sz->present_in_file || !sz->spanned || !sz->managed)
			continue;
		g->populated[z] = 1;
		g->start[z] = sz->start_pfn;
		g->end[z] = sz->start_pfn + sz->spanned;
		if (g->start[z] < g->base)
			g->base = g->start[z];
		if (g->end[z] > g->endpfn)
			g->endpfn = g->end[z];
	}
	if (g->base == UINT64_MAX) {
		snprintf(err, errsz, "zoneinfo has no populated zone");
		return LAB_EINVAL;
	}
	g->pb_order = s->pageblock_order > 0 && s->pageblock_order < LAB_MAX_ORDER ?
		      (unsigned)s->pageblock_order : LAB_DEFAULT_PAGEBLOCK_ORDER;
	/* pageblock-align the span so pageblock indexing is plain shifts */
	g->base &= ~((1ull << MAXO) - 1);
	return 0;
}

static int geo_zone(const struct geo *g, uint64_t pfn)
{
	for (int z = 0; z < LAB_MAX_NR_ZONES; z++)
		if (g->populated[z] && pfn >= g->start[z] && pfn < g->end[z])
			return z;
	return -1;
}

/* Trace migratetype number -> ours (kernels without CONFIG_CMA number
 * Isolate 4). */
static int map_mt(int mt, int has_cma)
{
	if (mt < 0)
		return LAB_MIGRATE_MOVABLE;
	if (mt == 4 && !has_cma)
		return LAB_MIGRATE_ISOLATE;
	if (mt >= LAB_MIGRATE_TYPES)
		return LAB_MIGRATE_MOVABLE;
	return mt;
}

/* ---- the shadow model ------------------------------------------------------- */

struct model {
	struct geo g;
	uint8_t *st, *mt, *cpu;         /* per pfn of [g.base, g.endpfn) */
	uint8_t *pb;                    /* per pageblock */
	int has_cma;
	struct lab_shadow_zone_state zs[LAB_MAX_NR_ZONES];
	/* probe pass */
	bool probe;
	uint8_t *init, *init_cpu;
	uint8_t *pb_seen;               /* 1 = type evidenced, 2 = changed by a steal first */
	/* fixes */
	uint64_t fixes[LAB_NR_FIX], fixes_cc[LAB_NR_FIX];
	uint32_t first_fix_line[LAB_NR_FIX];
	int in_compaction;
	uint32_t line;
	uint64_t isolated;
};

static void fix(struct model *m, enum lab_shadow_fix f)
{
	if (m->probe)
		return;
	if (!m->fixes[f])
		m->first_fix_line[f] = m->line;
	m->fixes[f]++;
	if (m->in_compaction)
		m->fixes_cc[f]++;
}

static int model_init(struct model *m, const struct geo *g, int has_cma)
{
	memset(m, 0, sizeof(*m));
	m->g = *g;
	m->has_cma = has_cma;
	size_t n = (size_t)(g->endpfn - g->base);
	size_t npb = (n >> g->pb_order) + 1;
	m->st = calloc(n, 1);
	m->mt = calloc(n, 1);
	m->cpu = calloc(n, 1);
	m->pb = calloc(npb, 1);
	if (!m->st || !m->mt || !m->cpu || !m->pb)
		return LAB_ENOMEM;
	memset(m->pb, LAB_MIGRATE_MOVABLE, npb);
	return 0;
}

static void model_fini(struct model *m)
{
	free(m->st);
	free(m->mt);
	free(m->cpu);
	free(m->pb);
	free(m->pb_seen);
	m->st = m->mt = m->cpu = m->pb = m->pb_seen = NULL;
}

static bool in_span(const struct model *m, uint64_t pfn, unsigned order)
{
	return pfn >= m->g.base && pfn + (1ull << order) <= m->g.endpfn;
}

static size_t pbi(const struct model *m, uint64_t pfn)
{
	return (size_t)((pfn - m->g.base) >> m->g.pb_order);
}

/* Sets or clears the head at @h and keeps the per-zone counters. */
static void head_put(struct model *m, uint64_t h, unsigned kind, unsigned order, int mt, unsigned cpu)
{
	size_t i = (size_t)(h - m->g.base);
	int z = geo_zone(&m->g, h);
	m->st[i] = ST(kind, order);
	m->mt[i] = (uint8_t)mt;
	m->cpu[i] = (uint8_t)cpu;
	if (z < 0)
		return;
	struct lab_shadow_zone_state *zs = &m->zs[z];
	if (kind == K_FREE) {
		zs->nr_free[order]++;
		zs->nr_free_mt[order][mt]++;
		if (mt != LAB_MIGRATE_ISOLATE)
			zs->free_pages += 1ull << order;
	} else if (kind == K_PCP) {
		zs->pcp_pages += 1ull << order;
		zs->pcp_cpu[cpu < LAB_MAX_CPUS ? cpu : LAB_MAX_CPUS - 1] += 1ull << order;
	}
}

static void head_del(struct model *m, uint64_t h)
{
	size_t i = (size_t)(h - m->g.base);
	uint8_t s = m->st[i];
	unsigned kind = ST_KIND(s), order = ST_ORDER(s), cpu = m->cpu[i];
	int mt = m->mt[i];
	int z = geo_zone(&m->g, h);
	m->st[i] = 0;
	if (z < 0)
		return;
	struct lab_shadow_zone_state *zs = &m->zs[z];
	if (kind == K_FREE) {
		zs->nr_free[order]--;
		zs->nr_free_mt[order][mt]--;
		if (mt != LAB_MIGRATE_ISOLATE)
			zs->free_pages -= 1ull << order;
	} else if (kind == K_PCP) {
		zs->pcp_pages -= 1ull << order;
		zs->pcp_cpu[cpu < LAB_MAX_CPUS ? cpu : LAB_MAX_CPUS - 1] -= 1ull << order;
	}
}

/* The block covering @pfn: true and its head/order/kind, or false. */
static bool cover(const struct model *m, uint64_t pfn, uint64_t *head, unsigned *order, unsigned *kind)
{
	for (unsigned o = 0; o <= MAXO; o++) {
		uint64_t h = pfn & ~((1ull << o) - 1);
		if (h < m->g.base)
			break;
		uint8_t s = m->st[h - m->g.base];
		if (ST_KIND(s) && ST_ORDER(s) >= o) {
			*head = h;
			*order = ST_ORDER(s);
			*kind = ST_KIND(s);
			return true;
		}
	}
	return false;
}

/*
 * Empties [p, p + 2^k): a bigger block around it is split (its other parts
 * keep their kind, like expand()), blocks inside are removed. Returns a
 * mask of what was there: bit 0 unknown pages, bit K_* kinds.
 */
static unsigned clear_range(struct model *m, uint64_t p, unsigned k)
{
	uint64_t h;
	unsigned o, kind, mask = 0;
	if (cover(m, p, &h, &o, &kind) && (o > k || h < p)) {
		size_t hi = (size_t)(h - m->g.base);
		int mt = m->mt[hi];
		unsigned cpu = m->cpu[hi];
		head_del(m, h);
		uint64_t cur = h;
		for (unsigned q = o; q-- > k;) {
			uint64_t half = 1ull << q;
			if (p >= cur + half) {
				head_put(m, cur, kind, q, mt, cpu);
				cur += half;
			} else {
				head_put(m, cur + half, kind, q, mt, cpu);
			}
		}
		return 1u << kind;
	}
	uint64_t end = p + (1ull << k);
	for (uint64_t q = p; q < end;) {
		uint8_t s = m->st[q - m->g.base];
		if (ST_KIND(s)) {
			mask |= 1u << ST_KIND(s);
			head_del(m, q);
			q += 1ull << ST_ORDER(s);
		} else {
			mask |= 1u;
			q++;
		}
	}
	return mask;
}

static bool mergeable(int a, int b)
{
	return a == b || (a < LAB_MIGRATE_PCPTYPES && b < LAB_MIGRATE_PCPTYPES);
}

/* __free_one_page on the model: merge with free buddies, then list. The
 * range must already be empty. */
static void free_merge(struct model *m, uint64_t p, unsigned k, int mt)
{
	int z = geo_zone(&m->g, p);
	while (k < MAXO && z >= 0) {
		uint64_t b = p ^ (1ull << k);
		if (b < m->g.start[z] || b + (1ull << k) > m->g.end[z])
			break;
		uint8_t s = m->st[b - m->g.base];
		if (ST_KIND(s) != K_FREE || ST_ORDER(s) != k)
			break;
		if (k >= m->g.pb_order && !mergeable(mt, m->pb[pbi(m, b)]))
			break;
		head_del(m, b);
		p &= ~(1ull << k);
		k++;
	}
	head_put(m, p, K_FREE, k, mt, 0);
}

static bool pcp_allowed(const struct model *m, unsigned order)
{
	return order <= LAB_PAGE_ALLOC_COSTLY_ORDER || order == m->g.pb_order;
}

/* Probe pass: the first event to touch a page tells its state at start. */
static void touch(struct model *m, uint64_t p, unsigned k, unsigned ev, unsigned cpu)
{
	if (!m->probe)
		return;
	uint64_t end = p + (1ull << k);
	for (uint64_t q = p; q < end; q++) {
		size_t i = (size_t)(q - m->g.base);
		if (!m->init[i]) {
			m->init[i] = (uint8_t)ev;
			m->init_cpu[i] = (uint8_t)cpu;
		}
	}
}

static void pb_evidence(struct model *m, uint64_t pfn, int mt)
{
	if (m->probe && !m->pb_seen[pbi(m, pfn)]) {
		m->pb_seen[pbi(m, pfn)] = 1;
		m->pb[pbi(m, pfn)] = (uint8_t)mt;
	}
}

static void set_block(struct model *m, uint64_t p, unsigned k, unsigned kind, int mt, unsigned cpu)
{
	clear_range(m, p, k);
	head_put(m, p, kind, k, mt, cpu);
}

/* Removes up to @nr free pages from free blocks in [start, end): the
 * compaction free scanner isolating them (untraced allocation). */
static void isolate_free(struct model *m, uint64_t start, uint64_t end, uint64_t nr)
{
	uint64_t q = start;
	if (start < m->g.base)
		q = start = m->g.base;
	if (end > m->g.endpfn)
		end = m->g.endpfn;
	while (nr && q < end) {
		uint64_t h;
		unsigned o, kind;
		if (!cover(m, q, &h, &o, &kind)) {
			q++;
			continue;
		}
		uint64_t bend = h + (1ull << o);
		if (kind != K_FREE) {
			q = bend;
			continue;
		}
		/* take pages q.. of this free block one aligned piece at a time */
		while (nr && q < bend && q < end) {
			unsigned k = 0;
			while (k < o && !(q & ((2ull << k) - 1)) && q + (2ull << k) <= bend &&
			       q + (2ull << k) <= end && (2ull << k) <= nr)
				k++;
			set_block(m, q, k, K_ALLOC, LAB_MIGRATE_MOVABLE, 0);
			m->isolated += 1ull << k;
			nr -= 1ull << k;
			q += 1ull << k;
		}
	}
	if (nr)
		fix(m, LAB_FIX_ISOLATE_SHORT);
}

/* steal_suitable_fallback as the extfrag event reports it. */
static void apply_extfrag(struct model *m, const struct lab_ftrace_event *e)
{
	unsigned fo = e->a1;
	int amt = map_mt(e->mt, m->has_cma), fmt = map_mt((int8_t)e->a2, m->has_cma);
	uint64_t h;
	unsigned o, kind;
	if (fo > MAXO || !in_span(m, e->pfn, fo) || (e->pfn & ((1ull << fo) - 1))) {
		fix(m, LAB_FIX_OUTSIDE_ZONES);
		return;
	}
	touch(m, e->pfn, fo, LAB_SEED_FREE, e->cpu);
	pb_evidence(m, e->pfn, fmt);
	if (m->probe) {
		for (uint64_t q = e->pfn; q < e->pfn + (1ull << fo); q += 1ull << m->g.pb_order)
			if (m->pb_seen[pbi(m, q)] == 0)
				m->pb_seen[pbi(m, q)] = 2;
	}
	if (!(cover(m, e->pfn, &h, &o, &kind) && kind == K_FREE && h == e->pfn && o == fo)) {
		unsigned mask = clear_range(m, e->pfn, fo);
		if (mask & ~1u)
			fix(m, LAB_FIX_EXTFRAG_NOT_FREE);
		head_put(m, e->pfn, K_FREE, fo, fmt, 0);
	}
	size_t hi = (size_t)(e->pfn - m->g.base);
	int old = m->pb[pbi(m, e->pfn)];
	if (fo >= m->g.pb_order) {
		for (uint64_t q = e->pfn; q < e->pfn + (1ull << fo); q += 1ull << m->g.pb_order)
			m->pb[pbi(m, q)] = (uint8_t)amt;
		head_del(m, e->pfn);
		head_put(m, e->pfn, K_FREE, fo, amt, 0);
		(void)hi;
		return;
	}
	bool whole = fo >= m->g.pb_order / 2 || amt != LAB_MIGRATE_MOVABLE;
	if (old == LAB_MIGRATE_HIGHATOMIC)
		whole = false;
	if (whole) {
		uint64_t pb0 = e->pfn & ~((1ull << m->g.pb_order) - 1);
		uint64_t pb1 = pb0 + (1ull << m->g.pb_order);
		for (uint64_t q = pb0; q < pb1 && q < m->g.endpfn;) {
			uint8_t s = m->st[q - m->g.base];
			if (ST_KIND(s) == K_FREE) {
				unsigned qo = ST_ORDER(s);
				head_del(m, q);
				head_put(m, q, K_FREE, qo, amt, 0);
				q += 1ull << qo;
			} else if (ST_KIND(s)) {
				q += 1ull << ST_ORDER(s);
			} else {
				q++;
			}
		}
	} else {
		head_del(m, e->pfn);
		head_put(m, e->pfn, K_FREE, fo, amt, 0);
	}
	if (e->flags & LAB_FTF_CHANGE_OWNERSHIP)
		m->pb[pbi(m, e->pfn)] = (uint8_t)amt;
}

/* Applies one event. */
static void model_apply(struct model *m, const struct lab_ftrace_event *e)
{
	uint64_t p = e->pfn, h;
	unsigned k = e->order < 0 ? 0 : (unsigned)e->order, o, kind, mask;
	int mt;

	m->line = e->line;
	switch (e->type) {
	case LAB_FT_COMPACTION_BEGIN:
		m->in_compaction++;
		return;
	case LAB_FT_COMPACTION_END:
		if (m->in_compaction)
			m->in_compaction--;
		return;
	case LAB_FT_COMPACTION_ISOLATE_FREEPAGES:
		if (!m->probe)
			isolate_free(m, e->pfn, e->arg, e->gfp);
		return;
	case LAB_FT_PAGE_ALLOC_EXTFRAG:
		apply_extfrag(m, e);
		return;
	case LAB_FT_PAGE_ALLOC_ZONE_LOCKED:
	case LAB_FT_PAGE_PCPU_DRAIN:
	case LAB_FT_PAGE_FREE:
		break;
	case LAB_FT_PAGE_ALLOC:
		if (e->flags & LAB_FTF_FAILED)
			return;
		break;
	default:
		return;
	}
	if (k > MAXO || !in_span(m, p, k) || (p & ((1ull << k) - 1)) || geo_zone(&m->g, p) < 0) {
		fix(m, LAB_FIX_OUTSIDE_ZONES);
		return;
	}
	bool found = cover(m, p, &h, &o, &kind);
	switch (e->type) {
	case LAB_FT_PAGE_ALLOC_ZONE_LOCKED:
		mt = map_mt(e->mt, m->has_cma);
		touch(m, p, k, LAB_SEED_FREE, e->cpu);
		pb_evidence(m, p, mt);
		if (found && kind == K_PCP) {
			/* the free that put it there went to the buddy lists */
			fix(m, LAB_FIX_PCP_BYPASS);
			int fmt = m->mt[h - m->g.base];
			unsigned ho = o;
			head_del(m, h);
			free_merge(m, h, ho, fmt);
			found = cover(m, p, &h, &o, &kind);
		}
		if (!(found && kind == K_FREE && o >= k)) {
			mask = clear_range(m, p, k);
			if (mask & ((1u << K_ALLOC) | (1u << K_PCP)))
				fix(m, LAB_FIX_TAKE_NOT_FREE);
		} else {
			clear_range(m, p, k);
		}
		/* highatomic reserve/unreserve are not traced: infer them */
		if (!m->probe && e->mt >= 0 && e->mt < LAB_MIGRATE_PCPTYPES + 1) {
			int pbt = m->pb[pbi(m, p)];
			if ((mt == LAB_MIGRATE_HIGHATOMIC) != (pbt == LAB_MIGRATE_HIGHATOMIC)) {
				fix(m, LAB_FIX_HIGHATOMIC_INFERRED);
				m->pb[pbi(m, p)] = (uint8_t)mt;
			}
		}
		if (e->flags & LAB_FTF_PCP_REFILL)
			head_put(m, p, K_PCP, k, mt, e->cpu);
		else
			head_put(m, p, K_ALLOC, k, mt, e->cpu);
		return;
	case LAB_FT_PAGE_PCPU_DRAIN:
		mt = map_mt(e->mt, m->has_cma);
		touch(m, p, k, LAB_SEED_PCP, e->cpu);
		pb_evidence(m, p, mt);
		mask = clear_range(m, p, k);
		if (mask & ((1u << K_ALLOC) | (1u << K_FREE)))
			fix(m, LAB_FIX_DRAIN_NOT_PCP);
		free_merge(m, p, k, mt);
		return;
	case LAB_FT_PAGE_ALLOC:
		touch(m, p, k, LAB_SEED_PCP, e->cpu);
		mask = clear_range(m, p, k);
		/* K_ALLOC here: taken by zone_locked (percpu_refill=0) just before */
		if (mask & (1u << K_FREE))
			fix(m, LAB_FIX_ALLOC_FROM_BUDDY);
		head_put(m, p, K_ALLOC, k, map_mt(e->mt, m->has_cma), e->cpu);
		return;
	case LAB_FT_PAGE_FREE:
		touch(m, p, k, LAB_SEED_ALLOC, e->cpu);
		mask = clear_range(m, p, k);
		if (mask & ((1u << K_FREE) | (1u << K_PCP)))
			fix(m, LAB_FIX_FREE_NOT_ALLOCATED);
		mt = m->pb[pbi(m, p)];
		if (pcp_allowed(m, k) && mt != LAB_MIGRATE_ISOLATE)
			head_put(m, p, K_PCP, k, mt, e->cpu);
		else
			free_merge(m, p, k, mt);
		return;
	default:
		return;
	}
}

static void model_point(const struct model *m, size_t at, uint64_t ts, struct lab_shadow_point *pt)
{
	pt->at_event = at;
	pt->ts_ns = ts;
	memcpy(pt->zone, m->zs, sizeof(pt->zone));
	for (int z = 0; z < LAB_MAX_NR_ZONES; z++) {
		memset(pt->zone[z].blocks_mt, 0, sizeof(pt->zone[z].blocks_mt));
		if (!m->g.populated[z])
			continue;
		uint64_t pb0 = m->g.start[z] & ~((1ull << m->g.pb_order) - 1);
		for (uint64_t q = pb0; q < m->g.end[z]; q += 1ull << m->g.pb_order)
			pt->zone[z].blocks_mt[m->pb[pbi(m, q)] % LAB_MIGRATE_TYPES]++;
	}
}

/* ---- replay order ---------------------------------------------------------------- */

/* Would @e find the page states it implies? (unknown pages: yes) */
static bool consistent(const struct model *m, const struct lab_ftrace_event *e)
{
	uint64_t h;
	unsigned o, kind, k = e->order < 0 ? 0 : (unsigned)e->order;
	switch (e->type) {
	case LAB_FT_PAGE_ALLOC_ZONE_LOCKED:
	case LAB_FT_PAGE_PCPU_DRAIN:
	case LAB_FT_PAGE_FREE:
		break;
	case LAB_FT_PAGE_ALLOC:
		if (e->flags & LAB_FTF_FAILED)
			return true;
		break;
	default:
		return true;
	}
	if (k > MAXO || !in_span(m, e->pfn, k) || !cover(m, e->pfn, &h, &o, &kind))
		return true;
	switch (e->type) {
	case LAB_FT_PAGE_ALLOC_ZONE_LOCKED:
		return kind == K_FREE;
	case LAB_FT_PAGE_PCPU_DRAIN:
		return kind == K_PCP;
	case LAB_FT_PAGE_ALLOC:
		return kind != K_FREE;
	default:
		return kind == K_ALLOC;
	}
}

#define MAX_TIE_GROUP 4096

/*
 * Probe pass over the events, in replay order. A run of events with one
 * timestamp on several CPUs is emitted by picking, among the oldest
 * not-yet-emitted event of each CPU (per-CPU order is exact), one the
 * page states allow; when none is, the oldest event. O(n^2) per run;
 * runs above MAX_TIE_GROUP keep the file order.
 */
static void order_events(struct model *m, const struct lab_ftrace *t, struct lab_replay_seed *s)
{
	size_t out = 0;
	for (size_t i = 0; i < t->nr;) {
		size_t j = i + 1;
		bool multi = false;
		while (j < t->nr && t->ev[j].ts_ns == t->ev[i].ts_ns) {
			multi |= t->ev[j].cpu != t->ev[i].cpu;
			j++;
		}
		if (!multi || j - i > MAX_TIE_GROUP) {
			for (size_t k = i; k < j; k++) {
				s->order[out++] = (uint32_t)k;
				model_apply(m, &t->ev[k]);
			}
			i = j;
			continue;
		}
		s->tie_groups++;
		bool used[MAX_TIE_GROUP];
		memset(used, 0, (j - i) * sizeof(bool));
		for (size_t done = 0; done < j - i; done++) {
			size_t pick = SIZE_MAX, oldest = SIZE_MAX;
			uint32_t seen_cpu[64];
			unsigned nseen = 0;
			for (size_t k = i; k < j; k++) {
				if (used[k - i])
					continue;
				if (oldest == SIZE_MAX)
					oldest = k;
				uint16_t c = t->ev[k].cpu;
				bool head = true;
				for (unsigned q = 0; q < nseen; q++)
					if (seen_cpu[q] == c)
						head = false;
				if (!head)
					continue;
				if (nseen < 64)
					seen_cpu[nseen++] = c;
				if (consistent(m, &t->ev[k])) {
					pick = k;
					break;
				}
			}
			if (pick == SIZE_MAX)
				pick = oldest;
			used[pick - i] = true;
			if (pick != i + done)
				s->reordered++;
			s->order[out++] = (uint32_t)pick;
			model_apply(m, &t->ev[pick]);
		}
		i = j;
	}
}

/* ---- seeding ------------------------------------------------------------------- */

void lab_replay_seed_free(struct lab_replay_seed *s)
{
	free(s->init);
	free(s->init_cpu);
	free(s->order);
	free(s->pb_mt);
	free(s->pb_known);
	free(s->blocks);
	memset(s, 0, sizeof(*s));
}

struct cand {
	uint64_t pfn;
	uint32_t score;
};

static int cand_cmp(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	return x->pfn > y->pfn ? -1 : (x->pfn < y->pfn);
}

static int push_block(struct lab_replay_seed *s, size_t *cap, uint64_t pfn, unsigned order, int mt,
		      int zone, int placed)
{
	if (s->nr_blocks == *cap) {
		size_t nc = *cap ? *cap * 2 : 256;
		void *n = realloc(s->blocks, nc * sizeof(*s->blocks));
		if (!n)
			return LAB_ENOMEM;
		s->blocks = n;
		*cap = nc;
	}
	s->blocks[s->nr_blocks++] = (struct lab_seed_block){ pfn, (uint8_t)order, (uint8_t)mt, (uint8_t)zone,
							    (uint8_t)placed };
	return 0;
}

static int blk_cmp(const void *a, const void *b)
{
	const struct lab_seed_block *x = a, *y = b;
	return (x->pfn > y->pfn) - (x->pfn < y->pfn);
}

/* Places the free blocks of one zone; see the top comment. */
static int place_zone(struct lab_replay_seed *s, const struct geo *g, int z, const struct lab_snapshot_zone *sz,
		      uint8_t *chosen, size_t *cap)
{
	uint64_t zs = g->start[z], ze = g->end[z], n = ze - zs;
	uint32_t *bad = malloc((n + 1) * sizeof(uint32_t));
	uint32_t *good = malloc((n + 1) * sizeof(uint32_t));
	struct cand *c = NULL;
	uint8_t *picked = NULL;
	int rc = 0;
	if (!bad || !good) {
		rc = LAB_ENOMEM;
		goto out;
	}
	good[0] = 0;
	for (uint64_t i = 0; i < n; i++) {
		uint8_t v = s->init[zs + i - s->base_pfn];
		good[i + 1] = good[i] + (v == LAB_SEED_FREE);
	}
	for (int o = MAXO; o >= 0; o--) {
		uint64_t want = sz->buddy[o], size = 1ull << o;
		if (!want)
			continue;
		bad[0] = 0;
		for (uint64_t i = 0; i < n; i++) {
			size_t gi = (size_t)(zs + i - s->base_pfn);
			uint8_t v = s->init[gi];
			bad[i + 1] = bad[i] + (v == LAB_SEED_PCP || v == LAB_SEED_ALLOC || chosen[gi]);
		}
		uint64_t first = (zs + size - 1) & ~(size - 1);
		size_t nc = 0, maxc = first + size <= ze ? (size_t)((ze - first) >> o) : 0;
		free(c);
		free(picked);
		c = malloc((maxc + 1) * sizeof(*c));
		picked = calloc(maxc + 2, 1);
		if (!c || !picked) {
			rc = LAB_ENOMEM;
			goto out;
		}
		for (uint64_t h = first; h + size <= ze; h += size) {
			uint64_t a = h - zs, b = a + size;
			if (bad[b] - bad[a])
				continue;
			c[nc++] = (struct cand){ h, good[b] - good[a] };
		}
		qsort(c, nc, sizeof(*c), cand_cmp);
		uint64_t got = 0;
		for (size_t i = 0; i < nc && got < want; i++) {
			uint64_t h = c[i].pfn;
			size_t ri = (size_t)((h - first) >> o);
			if (o < MAXO) {
				uint64_t bud = h ^ size;
				if (bud >= first && bud + size <= ze && picked[(size_t)((bud - first) >> o)])
					continue;
			}
			picked[ri] = 1;
			got++;
			memset(chosen + (h - s->base_pfn), 1, (size_t)size);
			int mt = s->pb_mt[(h - s->base_pfn) >> s->pageblock_order];
			bool untouched = good[h - zs + size] - good[h - zs] < size;
			if ((rc = push_block(s, cap, h, (unsigned)o, mt, z, untouched)))
				goto out;
		}
		s->unplaced_blocks[z][o] = want - got;
	}
out:
	free(bad);
	free(good);
	free(c);
	free(picked);
	return rc;
}

/* Gives pageblocks the trace never showed the remaining counts of
 * pagetypeinfo.before (Movable last, so it takes what is left). */
static void fill_pageblocks(struct lab_replay_seed *s, const struct geo *g, const struct lab_snapshot *before)
{
	for (int z = 0; z < LAB_MAX_NR_ZONES; z++) {
		if (!g->populated[z])
			continue;
		const struct lab_snapshot_zone *sz = &before->zone[z];
		int64_t left[LAB_MIGRATE_TYPES];
		for (int t = 0; t < LAB_MIGRATE_TYPES; t++)
			left[t] = (int64_t)sz->blocks_mt[t];
		uint64_t pb0 = g->start[z] & ~((1ull << s->pageblock_order) - 1);
		for (uint64_t q = pb0; q < g->end[z]; q += 1ull << s->pageblock_order) {
			size_t i = (size_t)((q - s->base_pfn) >> s->pageblock_order);
			if (s->pb_known[i])
				left[s->pb_mt[i]]--;
		}
		static const int order_of_fill[] = { LAB_MIGRATE_UNMOVABLE, LAB_MIGRATE_RECLAIMABLE,
						     LAB_MIGRATE_HIGHATOMIC, LAB_MIGRATE_CMA,
						     LAB_MIGRATE_ISOLATE, LAB_MIGRATE_MOVABLE };
		unsigned fi = 0;
		for (uint64_t q = pb0; q < g->end[z]; q += 1ull << s->pageblock_order) {
			size_t i = (size_t)((q - s->base_pfn) >> s->pageblock_order);
			if (s->pb_known[i])
				continue;
			while (fi < 5 && left[order_of_fill[fi]] <= 0)
				fi++;
			int t = order_of_fill[fi];
			if (!(before->have & LAB_SNAP_PAGETYPEINFO))
				t = LAB_MIGRATE_MOVABLE;
			s->pb_mt[i] = (uint8_t)t;
			left[t]--;
		}
	}
}

int lab_replay_seed(const struct lab_ftrace *t, const struct lab_replay_opts *o,
		    struct lab_replay_seed *s, char *err, size_t errsz)
{
	struct geo g;
	struct model m;
	int rc;

	memset(s, 0, sizeof(*s));
	if ((rc = geo_from_snapshot(o->before, &g, err, errsz)))
		return rc;
	if ((rc = model_init(&m, &g, o->kernel_has_cma)))
		goto nomem;
	size_t n = (size_t)(g.endpfn - g.base), npb = (n >> g.pb_order) + 1;
	m.probe = true;
	m.init = calloc(n, 1);
	m.init_cpu = calloc(n, 1);
	m.pb_seen = calloc(npb, 1);
	if (!m.init || !m.init_cpu || !m.pb_seen)
		goto nomem;
	s->order = malloc((t->nr + 1) * sizeof(*s->order));
	if (!s->order)
		goto nomem;
	order_events(&m, t, s);
	s->base_pfn = g.base;
	s->end_pfn = g.endpfn;
	s->init = m.init;
	s->init_cpu = m.init_cpu;
	m.init = m.init_cpu = NULL;
	s->nr_pb = npb;
	s->pageblock_order = g.pb_order;
	s->pb_mt = malloc(npb);
	s->pb_known = calloc(npb, 1);
	if (!s->pb_mt || !s->pb_known)
		goto nomem;
	for (size_t i = 0; i < npb; i++) {
		s->pb_known[i] = m.pb_seen[i] == 1;
		s->pb_mt[i] = s->pb_known[i] ? m.pb[i] : LAB_MIGRATE_MOVABLE;
	}
	model_fini(&m);
	fill_pageblocks(s, &g, o->before);

	for (size_t i = 0; i < n; i++) {
		int z = geo_zone(&g, g.base + i);
		if (z < 0) {
			if (s->init[i])
				s->events_outside_zones++;
			continue;
		}
		if (s->init[i] == LAB_SEED_FREE)
			s->revealed_free[z]++;
		else if (s->init[i] == LAB_SEED_PCP)
			s->revealed_pcp[z]++;
		else if (s->init[i] == LAB_SEED_ALLOC)
			s->revealed_alloc[z]++;
	}

	uint8_t *chosen = calloc(n, 1);
	size_t cap = 0;
	if (!chosen)
		goto nomem;
	for (int z = 0; z < LAB_MAX_NR_ZONES; z++) {
		if (!g.populated[z] || !o->before->zone[z].have_buddy)
			continue;
		if ((rc = place_zone(s, &g, z, &o->before->zone[z], chosen, &cap))) {
			free(chosen);
			goto fail;
		}
	}
	/* pages shown free that no placed block holds: free blocks of their own */
	for (size_t i = 0; i < n; i++) {
		int z = geo_zone(&g, g.base + i);
		if (z < 0)
			continue;
		if (s->init[i] == LAB_SEED_FREE && !chosen[i]) {
			s->extra_free[z]++;
			if ((rc = push_block(s, &cap, g.base + i, 0, s->pb_mt[i >> g.pb_order], z, 0))) {
				free(chosen);
				goto fail;
			}
		} else if (chosen[i] && s->init[i] == LAB_SEED_UNTOUCHED) {
			s->init[i] = LAB_SEED_PLACED;
			s->placed_free[z]++;
		}
	}
	free(chosen);
	qsort(s->blocks, s->nr_blocks, sizeof(*s->blocks), blk_cmp);
	return 0;
nomem:
	rc = LAB_ENOMEM;
	snprintf(err, errsz, "out of memory");
fail:
	model_fini(&m);
	free(m.init);
	free(m.init_cpu);
	lab_replay_seed_free(s);
	return rc;
}

/* Puts the seed into a fresh model (shadow pass 2). */
static void model_load_seed(struct model *m, const struct lab_replay_seed *s)
{
	memcpy(m->pb, s->pb_mt, s->nr_pb);
	for (size_t b = 0; b < s->nr_blocks; b++) {
		const struct lab_seed_block *bl = &s->blocks[b];
		if (bl->order == 0 && !bl->placed && s->init[bl->pfn - s->base_pfn] == LAB_SEED_FREE &&
		    !ST_KIND(m->st[bl->pfn - m->g.base]))
			free_merge(m, bl->pfn, 0, bl->mt);   /* extra: may merge */
		else
			head_put(m, bl->pfn, K_FREE, bl->order, bl->mt, 0);
	}
	size_t n = (size_t)(s->end_pfn - s->base_pfn);
	for (size_t i = 0; i < n; i++) {
		uint64_t pfn = s->base_pfn + i;
		if (s->init[i] == LAB_SEED_PCP)
			head_put(m, pfn, K_PCP, 0, s->pb_mt[i >> s->pageblock_order], s->init_cpu[i]);
		else if (s->init[i] == LAB_SEED_ALLOC)
			head_put(m, pfn, K_ALLOC, 0, s->pb_mt[i >> s->pageblock_order], 0);
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
	if ((rc = geo_from_snapshot(o->before, &g, err, errsz)))
		return rc;
	if ((rc = lab_replay_seed(t, o, &r->seed, err, errsz)))
		return rc;
	if ((rc = model_init(&m, &g, o->kernel_has_cma)))
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
				model_point(&m, i, ts, &r->snaps[si]);
		if ((p % step == 0 || p == t->nr) && r->nr_timeline < nsamp + 2)
			model_point(&m, i, ts, &r->timeline[r->nr_timeline++]);
		if (p == t->nr)
			break;
		r->applied[t->ev[i].type]++;
		model_apply(&m, &t->ev[i]);
	}
	model_point(&m, t->nr, t->nr ? t->ev[t->nr - 1].ts_ns : 0, &r->final);
	memcpy(r->fixes, m.fixes, sizeof(r->fixes));
	memcpy(r->fixes_in_compaction, m.fixes_cc, sizeof(r->fixes_in_compaction));
	memcpy(r->first_fix_line, m.first_fix_line, sizeof(r->first_fix_line));
	r->isolated_by_compaction = m.isolated;
	model_fini(&m);
	return 0;
nomem:
	model_fini(&m);
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

/* ---- what-if ---------------------------------------------------------------------- */

/* pfn (kernel's) -> our allocation */
struct slot {
	uint64_t pfn;                   /* key; UINT64_MAX = empty */
	struct lab_page *page;          /* NULL: we failed where the kernel succeeded */
	uint32_t left;                  /* pages not yet freed (partial frees) */
	uint8_t order;
};

struct pmap {
	struct slot *s;
	size_t cap, n;
};

static uint64_t hmix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	return x;
}

static int pmap_init(struct pmap *m, size_t cap)
{
	size_t c = 1024;
	while (c < cap * 2)
		c *= 2;
	m->s = malloc(c * sizeof(*m->s));
	if (!m->s)
		return LAB_ENOMEM;
	for (size_t i = 0; i < c; i++)
		m->s[i].pfn = UINT64_MAX;
	m->cap = c;
	m->n = 0;
	return 0;
}

static struct slot *pmap_find(struct pmap *m, uint64_t pfn)
{
	for (size_t i = hmix(pfn) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		if (m->s[i].pfn == pfn)
			return &m->s[i];
		if (m->s[i].pfn == UINT64_MAX)
			return NULL;
	}
}

static int pmap_grow(struct pmap *m);

static struct slot *pmap_put(struct pmap *m, uint64_t pfn)
{
	if ((m->n + 1) * 2 > m->cap && pmap_grow(m))
		return NULL;
	size_t i = hmix(pfn) & (m->cap - 1);
	while (m->s[i].pfn != UINT64_MAX && m->s[i].pfn != pfn)
		i = (i + 1) & (m->cap - 1);
	if (m->s[i].pfn == UINT64_MAX)
		m->n++;
	m->s[i].pfn = pfn;
	return &m->s[i];
}

static int pmap_grow(struct pmap *m)
{
	struct pmap n;
	if (pmap_init(&n, m->cap))
		return LAB_ENOMEM;
	for (size_t i = 0; i < m->cap; i++)
		if (m->s[i].pfn != UINT64_MAX)
			*pmap_put(&n, m->s[i].pfn) = m->s[i];
	free(m->s);
	*m = n;
	return 0;
}

/* Linear-probing delete with backward shift (no tombstones). */
static void pmap_del(struct pmap *m, struct slot *sl)
{
	size_t i = (size_t)(sl - m->s);
	m->s[i].pfn = UINT64_MAX;
	m->n--;
	for (size_t j = (i + 1) & (m->cap - 1); m->s[j].pfn != UINT64_MAX; j = (j + 1) & (m->cap - 1)) {
		size_t home = hmix(m->s[j].pfn) & (m->cap - 1);
		bool move = (j > i) ? (home <= i || home > j) : (home <= i && home > j);
		if (move) {
			m->s[i] = m->s[j];
			m->s[j].pfn = UINT64_MAX;
			i = j;
		}
	}
}

struct wctx {
	const struct lab_ftrace *t;
	const struct lab_ftrace_event *cur;
	bool seeding;
	struct lab_whatif_result *r;
	struct lab_platform plat;
	void *meta;
	uint8_t *filler;                /* per pfn: still a seeded (pre-trace) allocation */
	uint64_t filler_base;
	struct pmap map;
};

static unsigned w_cpu(void *ctx)
{
	struct wctx *w = ctx;
	return w->cur ? w->cur->cpu : 0;
}

static enum lab_context w_context(void *ctx)
{
	struct wctx *w = ctx;
	return w->cur ? lab_ftrace_context(w->cur) : LAB_CTX_PROCESS;
}

static int w_in_atomic(void *ctx)
{
	struct wctx *w = ctx;
	return w->cur && (lab_ftrace_context(w->cur) != LAB_CTX_PROCESS);
}

static const char *w_comm(void *ctx)
{
	struct wctx *w = ctx;
	if (!w->cur || w->cur->comm >= w->t->nr_comms)
		return "replay";
	return w->t->comms[w->cur->comm];
}

static int w_pid(void *ctx)
{
	struct wctx *w = ctx;
	return w->cur ? (int)w->cur->pid : 0;
}

static uint64_t w_now(void *ctx)
{
	struct wctx *w = ctx;
	return w->cur ? w->cur->ts_ns : 0;
}

static void w_log(void *ctx, enum lab_log_level level, const char *line)
{
	struct wctx *w = ctx;
	(void)level;
	(void)line;
	if (!w->seeding)
		w->r->log_lines++;
}

static void w_warn(void *ctx, const struct lab_alloc_failure *f)
{
	struct wctx *w = ctx;
	if (w->seeding)
		return;
	if (!w->r->warn_reports)
		w->r->first_warn = *f;
	w->r->warn_reports++;
}

static void w_kswapd(void *ctx, unsigned order, int zi)
{
	struct wctx *w = ctx;
	(void)order;
	(void)zi;
	if (!w->seeding)
		w->r->kswapd_wakeups++;
}

void lab_whatif_result_free(struct lab_whatif_result *r)
{
	struct wctx *w = r->priv;
	if (r->mem)
		lab_mem_fini(r->mem);
	if (w) {
		free(w->meta);
		free(w->filler);
		free(w->map.s);
		free(w);
	}
	lab_replay_seed_free(&r->seed);
	free(r->timeline);
	free(r->snap_stats);
	memset(r, 0, sizeof(*r));
}

static struct lab_replay_failkey *failkey(struct lab_whatif_result *r, unsigned order, lab_gfp_t gfp,
					  enum lab_context ctx)
{
	for (unsigned i = 0; i < r->nr_keys; i++)
		if (r->keys[i].order == order && r->keys[i].gfp == gfp && r->keys[i].ctx == ctx)
			return &r->keys[i];
	if (r->nr_keys == LAB_REPLAY_MAX_FAILKEYS)
		return NULL;
	struct lab_replay_failkey *k = &r->keys[r->nr_keys++];
	memset(k, 0, sizeof(*k));
	k->order = order;
	k->gfp = gfp;
	k->ctx = ctx;
	return k;
}

/* gfp that selects exactly zone @z (zone modifier) for seeding. */
static lab_gfp_t zone_gfp(int z)
{
	switch (z) {
	case LAB_ZONE_DMA:
		return LAB___GFP_DMA | LAB___GFP_MOVABLE;
	case LAB_ZONE_DMA32:
		return LAB___GFP_DMA32 | LAB___GFP_MOVABLE;
	case LAB_ZONE_MOVABLE:
		return LAB___GFP_HIGHMEM | LAB___GFP_MOVABLE;
	default:
		return LAB___GFP_MOVABLE;
	}
}

/* Ranges, holes and reserved pages of the traced machine's zones. */
static int build_config(const struct geo *g, const struct lab_snapshot *b, const struct lab_replay_seed *s,
			struct lab_range *ranges, unsigned *nr_ranges,
			struct lab_range **reserved, unsigned *nr_reserved, char *err, size_t errsz)
{
	unsigned nr = 0;
	size_t rcap = 64, rn = 0;
	struct lab_range *res = malloc(rcap * sizeof(*res));
	if (!res)
		return LAB_ENOMEM;
	for (int z = 0; z < LAB_MAX_NR_ZONES; z++) {
		if (!g->populated[z])
			continue;
		const struct lab_snapshot_zone *sz = &b->zone[z];
		uint64_t zs = g->start[z], ze = g->end[z];
		uint64_t holes = sz->spanned > sz->present ? sz->spanned - sz->present : 0;
		uint64_t hs = 0, he = 0;
		if (holes) {
			/* x86: the legacy hole below 1 MiB ends at pfn 0x100 */
			if (zs < 0x100 && ze > 0x100 && 0x100 - holes > zs) {
				hs = 0x100 - holes;
				he = 0x100;
			} else {
				/* elsewhere: a run of untouched pages below the zone end */
				uint64_t run = 0;
				for (uint64_t q = ze - 1; q-- > zs;) {
					uint8_t v = s->init[q - s->base_pfn];
					run = v == LAB_SEED_UNTOUCHED ? run + 1 : 0;
					if (run == holes) {
						hs = q;
						he = q + holes;
						break;
					}
				}
			}
		}
		if (nr + 2 > LAB_MAX_RANGES) {
			free(res);
			snprintf(err, errsz, "too many memory ranges");
			return LAB_EINVAL;
		}
		if (he > hs) {
			if (hs > zs)
				ranges[nr++] = (struct lab_range){ zs << LAB_PAGE_SHIFT, (hs - zs) << LAB_PAGE_SHIFT };
			if (ze > he)
				ranges[nr++] = (struct lab_range){ he << LAB_PAGE_SHIFT, (ze - he) << LAB_PAGE_SHIFT };
		} else {
			ranges[nr++] = (struct lab_range){ zs << LAB_PAGE_SHIFT, (ze - zs) << LAB_PAGE_SHIFT };
		}
		/* reserved: present - managed untouched, non-free pages, lowest first */
		uint64_t want = sz->present > sz->managed ? sz->present - sz->managed : 0;
		for (uint64_t q = zs; q < ze && want; q++) {
			if (q >= hs && q < he)
				continue;
			if (s->init[q - s->base_pfn] != LAB_SEED_UNTOUCHED)
				continue;
			if (rn && (res[rn - 1].start + res[rn - 1].size) >> LAB_PAGE_SHIFT == q) {
				res[rn - 1].size += LAB_PAGE_SIZE;
			} else {
				if (rn == rcap) {
					struct lab_range *nn = realloc(res, rcap * 2 * sizeof(*res));
					if (!nn) {
						free(res);
						return LAB_ENOMEM;
					}
					res = nn;
					rcap *= 2;
				}
				res[rn++] = (struct lab_range){ q << LAB_PAGE_SHIFT, LAB_PAGE_SIZE };
			}
			want--;
		}
	}
	/* merge adjacent ranges (zones are contiguous) */
	unsigned w = 0;
	for (unsigned i = 0; i < nr; i++) {
		if (w && ranges[w - 1].start + ranges[w - 1].size == ranges[i].start)
			ranges[w - 1].size += ranges[i].size;
		else
			ranges[w++] = ranges[i];
	}
	*nr_ranges = w;
	*reserved = res;
	*nr_reserved = (unsigned)rn;
	return 0;
}

static void whatif_sample(struct wctx *w, size_t at, uint64_t ts, struct lab_whatif_sample *sm,
			  struct lab_mem_stats *st)
{
	lab_mem_get_stats(w->r->mem, st);
	sm->at_event = at;
	sm->ts_ns = ts;
	for (int z = 0; z < LAB_MAX_NR_ZONES; z++) {
		sm->free[z] = st->zone[z].free;
		sm->min[z] = st->zone[z].wmark[LAB_WMARK_MIN] + st->zone[z].boost;
		memcpy(sm->nr_free[z], st->zone[z].nr_free, sizeof(sm->nr_free[z]));
	}
	sm->replay_fail = w->r->replay_fail;
	sm->kernel_fail = w->r->kernel_fail;
}

/* A free of the kernel's [pfn, pfn + 2^order). */
static void whatif_free(struct wctx *w, const struct lab_ftrace_event *e, const struct lab_replay_opts *o)
{
	struct lab_whatif_result *r = w->r;
	unsigned order = (unsigned)(e->order < 0 ? 0 : e->order);
	struct slot *sl = pmap_find(&w->map, e->pfn);
	if (!sl) {
		/* part of a larger allocation? */
		for (unsigned q = 1; q < LAB_MAX_ORDER && !sl; q++) {
			struct slot *c = pmap_find(&w->map, e->pfn & ~((1ull << q) - 1));
			if (c && c->order >= q)
				sl = c;
		}
	}
	if (!sl) {
		r->frees_pretrace++;
		r->frees_pretrace_pages += 1ull << order;
		if (o->pretrace_frees == LAB_REPLAY_PRETRACE_RELEASE && w->filler) {
			for (uint64_t q = e->pfn; q < e->pfn + (1ull << order); q++) {
				if (q < w->filler_base || q - w->filler_base >= r->seed.end_pfn - r->seed.base_pfn ||
				    !w->filler[q - w->filler_base])
					continue;
				struct lab_page *pg = lab_pfn_to_page(r->mem, q);
				if (pg && !lab_try_free_pages(r->mem, pg, 0)) {
					w->filler[q - w->filler_base] = 0;
					r->frees_pretrace_released++;
				}
			}
		}
		return;
	}
	if (sl->pfn == e->pfn && sl->order == order && sl->left == (1u << order)) {
		if (sl->page) {
			if (lab_try_free_pages(r->mem, sl->page, order))
				r->bad_frees++;
		} else {
			r->frees_of_replay_failures++;
		}
		pmap_del(&w->map, sl);
		return;
	}
	r->frees_partial++;
	uint32_t pages = 1u << order;
	sl->left = sl->left > pages ? sl->left - pages : 0;
	if (!sl->left) {
		if (sl->page) {
			if (lab_try_free_pages(r->mem, sl->page, sl->order))
				r->bad_frees++;
		} else {
			r->frees_of_replay_failures++;
		}
		pmap_del(&w->map, sl);
	}
}

/*
 * The seed's pageblock types, zone by zone, through lab_mem_restore_zone
 * (the highatomic reserve follows the HighAtomic pageblocks). Isolation is
 * transient and not seeded; neither are a CMA type (the instance has no
 * CMA areas) nor a HighAtomic pageblock a zone only partly holds (no
 * reserve lies there): those pageblocks are Movable.
 */
static int seed_pageblocks(struct lab_mem *mem, const struct lab_replay_seed *seed, char *err, size_t errsz)
{
	struct lab_mem_stats *st = malloc(sizeof(*st));
	uint8_t *types = NULL;
	int rc = LAB_ENOMEM;
	if (!st)
		goto out;
	lab_mem_get_stats(mem, st);
	uint64_t nr = 1ull << seed->pageblock_order;
	for (int z = 0; z < LAB_MAX_NR_ZONES; z++) {
		const struct lab_zone_stats *zs = &st->zone[z];
		if (!zs->managed)
			continue;
		uint64_t start = zs->start_pfn, end = start + zs->spanned, n = (zs->spanned + nr - 1) / nr;
		free(types);
		if (!(types = malloc((size_t)n)))
			goto out;
		for (uint64_t k = 0; k < n; k++) {
			uint64_t pb = (start + k * nr) & ~(nr - 1);
			size_t i = (size_t)((pb - seed->base_pfn) >> seed->pageblock_order);
			int mt = pb >= seed->base_pfn && i < seed->nr_pb ? seed->pb_mt[i] : LAB_MIGRATE_MOVABLE;
			if (mt == LAB_MIGRATE_ISOLATE || mt == LAB_MIGRATE_CMA ||
			    (mt == LAB_MIGRATE_HIGHATOMIC && (pb < start || pb + nr > end)))
				mt = LAB_MIGRATE_MOVABLE;
			types[k] = (uint8_t)mt;
		}
		struct lab_zone_stats want;
		memset(&want, 0, sizeof(want));
		struct lab_zone_restore how = { .parts = LAB_RESTORE_PAGEBLOCKS, .want = &want,
						.pageblock_mt = types, .nr_pageblock_mt = (size_t)n };
		if ((rc = lab_mem_restore_zone_parts(mem, (unsigned)z, &how))) {
			snprintf(err, errsz, "the seed's pageblock types do not fit zone %d (%d)", z, rc);
			goto out;
		}
	}
	rc = 0;
out:
	if (rc == LAB_ENOMEM)
		snprintf(err, errsz, "out of memory");
	free(types);
	free(st);
	return rc;
}

int lab_replay_whatif(const struct lab_ftrace *t, const struct lab_replay_opts *o,
		      struct lab_whatif_result *r, char *err, size_t errsz)
{
	struct geo g;
	int rc;
	struct lab_range ranges[LAB_MAX_RANGES], *reserved = NULL;
	unsigned nr_ranges = 0, nr_reserved = 0;
	unsigned nsamp = o->nr_samples ? o->nr_samples : 40;
	const struct lab_snapshot *b = o->before;
	struct lab_mem_stats *st = NULL;

	memset(r, 0, sizeof(*r));
	r->first_replay_fail_event = r->first_kernel_fail_event = SIZE_MAX;
	if ((rc = geo_from_snapshot(b, &g, err, errsz)))
		return rc;
	struct wctx *w = calloc(1, sizeof(*w));
	if (!w)
		return LAB_ENOMEM;
	r->priv = w;
	w->r = r;
	w->t = t;
	w->seeding = true;
	if ((rc = lab_replay_seed(t, o, &r->seed, err, errsz)))
		goto fail;
	if ((rc = build_config(&g, b, &r->seed, ranges, &nr_ranges, &reserved, &nr_reserved, err, errsz)))
		goto fail;

	w->plat = (struct lab_platform){
		.ctx = w, .cpu_id = w_cpu, .context = w_context, .in_atomic = w_in_atomic,
		.comm = w_comm, .pid = w_pid, .now_ns = w_now, .log = w_log, .warn_alloc = w_warn,
		.wake_kswapd = w_kswapd,
	};
	struct lab_mem_config cfg;
	memset(&cfg, 0, sizeof(cfg));
	cfg.ranges = ranges;
	cfg.nr_ranges = nr_ranges;
	cfg.reserved = reserved;
	cfg.nr_reserved = nr_reserved;
	cfg.pageblock_order = g.pb_order;
	cfg.platform = &w->plat;
	unsigned ncpu = 1;
	for (int z = 0; z < LAB_MAX_NR_ZONES; z++)
		if (b->zone[z].nr_cpus > ncpu)
			ncpu = b->zone[z].nr_cpus;
	if (t->nr_cpus > (int)ncpu && t->nr_cpus <= LAB_MAX_CPUS)
		ncpu = (unsigned)t->nr_cpus;
	cfg.nr_cpus = ncpu;
	if (!g.populated[LAB_ZONE_DMA])
		cfg.flags |= LAB_CFG_NO_ZONE_DMA;
	else
		cfg.zone_dma_limit = g.end[LAB_ZONE_DMA] << LAB_PAGE_SHIFT;
	if (!g.populated[LAB_ZONE_DMA32])
		cfg.flags |= LAB_CFG_NO_ZONE_DMA32;
	else
		cfg.zone_dma32_limit = g.end[LAB_ZONE_DMA32] << LAB_PAGE_SHIFT;
	if (g.populated[LAB_ZONE_MOVABLE]) {
		cfg.movable_bytes = (g.end[LAB_ZONE_MOVABLE] - g.start[LAB_ZONE_MOVABLE]) << LAB_PAGE_SHIFT;
	}
	int mfk = o->set.min_free_kbytes >= 0 ? o->set.min_free_kbytes : b->min_free_kbytes;
	cfg.min_free_kbytes = mfk > 0 ? mfk : 0;
	size_t need = lab_mem_metadata_bytes(&cfg);
	if (!need) {
		snprintf(err, errsz, "the traced machine's zones make no valid configuration");
		rc = LAB_EINVAL;
		goto fail;
	}
	need = (need + 63) & ~(size_t)63;
	w->meta = aligned_alloc(64, need);
	if (!w->meta)
		goto nomem;
	cfg.metadata = w->meta;
	cfg.metadata_bytes = need;
	int ierr = 0;
	r->mem = lab_mem_init(&cfg, &ierr);
	free(reserved);
	reserved = NULL;
	if (!r->mem) {
		snprintf(err, errsz, "lab_mem_init failed (%d) for the traced machine's layout", ierr);
		rc = LAB_EINVAL;
		goto fail;
	}
	struct lab_mem *mem = r->mem;
	/* tunables as traced, then the --set overrides */
	int wsf = o->set.watermark_scale_factor >= 0 ? o->set.watermark_scale_factor : b->watermark_scale_factor;
	int wbf = o->set.watermark_boost_factor >= 0 ? o->set.watermark_boost_factor : b->watermark_boost_factor;
	int phf = o->set.percpu_pagelist_high_fraction >= 0 ? o->set.percpu_pagelist_high_fraction :
		  b->percpu_pagelist_high_fraction;
	if (wsf > 0 && lab_set_watermark_scale_factor(mem, wsf))
		goto badset;
	if (wbf >= 0 && lab_set_watermark_boost_factor(mem, wbf))
		goto badset;
	if (phf >= 0 && lab_set_percpu_pagelist_high_fraction(mem, phf))
		goto badset;
	if (o->set.nr_lowmem_reserve_ratio || b->nr_lowmem_reserve_ratio) {
		struct lab_tunables tun;
		lab_get_tunables(mem, &tun);
		int ratio[LAB_MAX_NR_ZONES];
		memcpy(ratio, tun.lowmem_reserve_ratio, sizeof(ratio));
		const int *src = o->set.nr_lowmem_reserve_ratio ? o->set.lowmem_reserve_ratio : b->lowmem_reserve_ratio;
		int nsrc = o->set.nr_lowmem_reserve_ratio ? o->set.nr_lowmem_reserve_ratio : b->nr_lowmem_reserve_ratio;
		for (int i = 0; i < nsrc && i < LAB_MAX_NR_ZONES; i++)
			ratio[i] = src[i];
		if (lab_set_lowmem_reserve_ratio(mem, ratio))
			goto badset;
	}
	if (o->set.highatomic_reserve >= 0 && lab_set_highatomic_reserve(mem, o->set.highatomic_reserve))
		goto badset;
	/*
	 * As traced, the zones keep the kernel's own watermarks and protection
	 * (zoneinfo.before): Linux computed them at boot from the managed
	 * pages of that moment and does not redo it when init memory is freed
	 * later, so the formula on today's managed pages is a few pages off.
	 * Any --set of a watermark tunable recomputes them as writing the
	 * sysctl would (with the managed pages of now).
	 */
	r->kernel_watermarks = o->set.min_free_kbytes < 0 && o->set.watermark_scale_factor < 0 &&
			       !o->set.nr_lowmem_reserve_ratio;
	if (r->kernel_watermarks) {
		for (int z = 0; z < LAB_MAX_NR_ZONES; z++) {
			const struct lab_snapshot_zone *sz = &b->zone[z];
			if (!g.populated[z] || sz->min < sz->boost)
				continue;
			struct lab_zone_stats want;
			memset(&want, 0, sizeof(want));
			want.wmark[LAB_WMARK_MIN] = sz->min - sz->boost;
			want.wmark[LAB_WMARK_LOW] = sz->low - sz->boost;
			want.wmark[LAB_WMARK_HIGH] = sz->high - sz->boost;
			for (int k = 0; k < LAB_MAX_NR_ZONES; k++)
				want.lowmem_reserve[k] = sz->protection[k];
			struct lab_zone_restore how = { .parts = LAB_RESTORE_WATERMARKS | LAB_RESTORE_LOWMEM, .want = &want };
			lab_mem_restore_zone_parts(mem, (unsigned)z, &how);   /* LAB_EINVAL: not populated here */
		}
	}
	lab_get_tunables(mem, &r->tunables);

	/* seed: every managed page allocated, then the initial free blocks freed */
	size_t span = (size_t)(r->seed.end_pfn - r->seed.base_pfn);
	w->filler = calloc(span, 1);
	w->filler_base = r->seed.base_pfn;
	if (!w->filler || pmap_init(&w->map, 1 << 16))
		goto nomem;
	for (int z = 0; z < LAB_MAX_NR_ZONES; z++) {
		if (!g.populated[z])
			continue;
		lab_gfp_t gf = zone_gfp(z) | LAB___GFP_MEMALLOC | LAB___GFP_NOWARN;
		struct lab_page *pg;
		while ((pg = lab_alloc_pages(mem, gf, 0))) {
			uint64_t pfn = lab_page_to_pfn(pg);
			if (pfn >= w->filler_base && pfn - w->filler_base < span)
				w->filler[pfn - w->filler_base] = 1;
		}
	}
	if ((rc = seed_pageblocks(mem, &r->seed, err, errsz)))
		goto fail;
	for (size_t bi = 0; bi < r->seed.nr_blocks; bi++) {
		const struct lab_seed_block *bl = &r->seed.blocks[bi];
		for (uint64_t q = bl->pfn; q < bl->pfn + (1ull << bl->order); q++) {
			if (q - w->filler_base >= span || !w->filler[q - w->filler_base])
				continue;
			struct lab_page *pg = lab_pfn_to_page(mem, q);
			if (pg && !lab_try_free_pages(mem, pg, 0))
				w->filler[q - w->filler_base] = 0;
		}
	}
	for (size_t i = 0; i < span; i++) {
		if (r->seed.init[i] != LAB_SEED_PCP || !w->filler[i])
			continue;
		struct lab_page *pg = lab_pfn_to_page(mem, w->filler_base + i);
		if (pg && !lab_try_free_pages(mem, pg, 0))
			w->filler[i] = 0;
	}
	lab_drain_all_pages(mem);

	st = malloc(sizeof(*st));
	r->timeline = calloc(nsamp + 2, sizeof(*r->timeline));
	r->snap_stats = calloc(o->nr_snaps + 1, sizeof(*r->snap_stats));
	if (!st || !r->timeline || !r->snap_stats)
		goto nomem;
	r->nr_snaps = o->nr_snaps;
	lab_mem_get_stats(mem, st);
	uint64_t extfrag0 = st->events[LAB_EV_EXTFRAG];
	for (int z = 0; z < LAB_MAX_NR_ZONES; z++) {
		r->populated[z] = g.populated[z];
		r->seeded_free[z] = st->zone[z].free + st->zone[z].free_pcp;
		r->kernel_free_before[z] = b->zone[z].free;
		for (int k = 0; k < 3; k++)
			r->wmark[z][k] = st->zone[z].wmark[k];
		r->kernel_wmark[z][0] = b->zone[z].min - (b->zone[z].min >= b->zone[z].boost ? b->zone[z].boost : 0);
		r->kernel_wmark[z][1] = b->zone[z].low - (b->zone[z].low >= b->zone[z].boost ? b->zone[z].boost : 0);
		r->kernel_wmark[z][2] = b->zone[z].high - (b->zone[z].high >= b->zone[z].boost ? b->zone[z].boost : 0);
		for (int k = 0; k < LAB_MAX_NR_ZONES; k++) {
			r->protection[z][k] = st->zone[z].lowmem_reserve[k];
			r->kernel_protection[z][k] = b->zone[z].protection[k];
		}
	}
	w->seeding = false;

	/* the demand */
	size_t step = t->nr / nsamp + 1;
	for (size_t p = 0; p <= t->nr; p++) {
		size_t i = p < t->nr ? r->seed.order[p] : t->nr;
		const struct lab_ftrace_event *e = i < t->nr ? &t->ev[i] : NULL;
		for (unsigned si = 0; si < o->nr_snaps; si++)
			if (o->snaps[si].at_event == i)
				lab_mem_get_stats(mem, &r->snap_stats[si]);
		if ((p % step == 0 || p == t->nr) && r->nr_timeline < nsamp + 2)
			whatif_sample(w, i, e ? e->ts_ns : (t->nr ? t->ev[t->nr - 1].ts_ns : 0),
				      &r->timeline[r->nr_timeline++], st);
		if (!e)
			break;
		w->cur = e;
		switch (e->type) {
		case LAB_FT_PAGE_ALLOC: {
			unsigned order = (unsigned)(e->order < 0 ? 0 : e->order);
			bool kfail = (e->flags & LAB_FTF_FAILED) != 0;
			struct lab_page *pg = order < LAB_MAX_ORDER ? lab_alloc_pages(mem, e->gfp, order) : NULL;
			struct lab_replay_failkey *k = failkey(r, order, e->gfp, lab_ftrace_context(e));
			r->allocs++;
			if (!k)
				r->keys_overflow++;
			if (k)
				k->requests++;
			if (kfail) {
				r->kernel_fail++;
				if (r->first_kernel_fail_event == SIZE_MAX)
					r->first_kernel_fail_event = i;
				if (k && !k->kernel_fail)
					k->first_kernel_fail_line = e->line;
				if (k)
					k->kernel_fail++;
			}
			if (!pg) {
				r->replay_fail++;
				if (r->first_replay_fail_event == SIZE_MAX)
					r->first_replay_fail_event = i;
				if (k && !k->replay_fail)
					k->first_replay_fail_line = e->line;
				if (k)
					k->replay_fail++;
			}
			if (k) {
				if (kfail && !pg)
					k->both_fail++;
				else if (kfail)
					k->only_kernel_fail++;
				else if (!pg)
					k->only_replay_fail++;
			}
			if (kfail) {
				if (pg) {
					r->phantom_allocs++;
					r->phantom_pages += 1ull << order;
				}
				break;
			}
			struct slot *sl = pmap_find(&w->map, e->pfn);
			if (sl)
				r->realloc_without_free++;
			sl = pmap_put(&w->map, e->pfn);
			if (!sl)
				goto nomem;
			sl->page = pg;
			sl->order = (uint8_t)order;
			sl->left = 1u << order;
			break;
		}
		case LAB_FT_PAGE_FREE:
			r->frees++;
			whatif_free(w, e, o);
			break;
		case LAB_FT_PAGE_FREE_BATCHED:
			r->frees_batched_ignored++;
			break;
		case LAB_FT_VMSCAN_WAKEUP_KSWAPD:
			r->kernel_kswapd_wakeups++;
			break;
		case LAB_FT_PAGE_ALLOC_EXTFRAG:
			r->kernel_extfrag++;
			break;
		default:
			break;
		}
	}
	lab_mem_get_stats(mem, &r->final);
	r->extfrag = r->final.events[LAB_EV_EXTFRAG] - extfrag0;
	free(st);
	return 0;
badset:
	snprintf(err, errsz, "a tunable is out of its sysctl range");
	rc = LAB_EINVAL;
	goto fail;
nomem:
	snprintf(err, errsz, "out of memory");
	rc = LAB_ENOMEM;
fail:
	free(reserved);
	free(st);
	lab_whatif_result_free(r);
	return rc;
}
