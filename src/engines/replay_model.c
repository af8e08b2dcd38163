/* SPDX-License-Identifier: MIT */
/*
 * engines/replay_model.c - the shadow model of the traced kernel's zones,
 * the events applied to it, and the replay order of equal timestamps.
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
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "engines/replay_int.h"

/* ---- zone geometry --------------------------------------------------------- */


int replay_geo_from_snapshot(const struct lab_snapshot *s, struct geo *g, char *err, size_t errsz)
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

int replay_geo_zone(const struct geo *g, uint64_t pfn)
{
	for (int z = 0; z < LAB_MAX_NR_ZONES; z++)
		if (g->populated[z] && pfn >= g->start[z] && pfn < g->end[z])
			return z;
	return -1;
}

/* replay_geo_zone(@g, @pfn), and in *@run_end the first pfn after @pfn
 * where the answer may change: the nearest zone start or end above @pfn
 * (between two boundaries every zone holds all of the pfns or none, so the
 * first zone that holds them is the same). Lets a walk over the span ask
 * once per run of pfns instead of once per pfn. */
int replay_geo_zone_run(const struct geo *g, uint64_t pfn, uint64_t *run_end)
{
	uint64_t end = UINT64_MAX;
	for (int z = 0; z < LAB_MAX_NR_ZONES; z++) {
		if (!g->populated[z])
			continue;
		if (g->start[z] > pfn && g->start[z] < end)
			end = g->start[z];
		if (g->end[z] > pfn && g->end[z] < end)
			end = g->end[z];
	}
	*run_end = end;
	return replay_geo_zone(g, pfn);
}

/* Trace migratetype number -> ours (kernels without CONFIG_CMA number
 * Isolate 4). */
int replay_map_mt(int mt, int has_cma)
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

int replay_model_init(struct model *m, const struct geo *g, int has_cma, bool lists_follow_blocks)
{
	memset(m, 0, sizeof(*m));
	m->g = *g;
	m->has_cma = has_cma;
	m->lists_follow_blocks = lists_follow_blocks;
	m->last_new_pb = -1;
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

void replay_model_fini(struct model *m)
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
void replay_head_put(struct model *m, uint64_t h, unsigned kind, unsigned order, int mt, unsigned cpu)
{
	size_t i = (size_t)(h - m->g.base);
	int z = replay_geo_zone(&m->g, h);
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
	int z = replay_geo_zone(&m->g, h);
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
				replay_head_put(m, cur, kind, q, mt, cpu);
				cur += half;
			} else {
				replay_head_put(m, cur + half, kind, q, mt, cpu);
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

/* Every pageblock of [p, p + 2^k) becomes type @mt. */
static void set_pb_range(struct model *m, uint64_t p, unsigned k, int mt)
{
	uint64_t end = p + (1ull << k);
	for (uint64_t q = p; q < end && q < m->g.endpfn; q += 1ull << m->g.pb_order)
		m->pb[pbi(m, q)] = (uint8_t)mt;
}

static bool mergeable(int a, int b)
{
	return a == b || (a < LAB_MIGRATE_PCPTYPES && b < LAB_MIGRATE_PCPTYPES);
}

/* __free_one_page on the model: merge with free buddies, then list. The
 * range must already be empty. */
void replay_free_merge(struct model *m, uint64_t p, unsigned k, int mt)
{
	int z = replay_geo_zone(&m->g, p);
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
		/* 6.10+: the buddy's pageblocks take the freed block's type, so
		 * that a later expand() lists the halves right */
		if (m->lists_follow_blocks && k >= m->g.pb_order)
			set_pb_range(m, b, k, mt);
		p &= ~(1ull << k);
		k++;
	}
	replay_head_put(m, p, K_FREE, k, mt, 0);
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

/*
 * Probe: the first type an event shows for the pageblock of @pfn. A free
 * list's type (@list: zone_locked, extfrag's fallback) is the pageblock's
 * only when lists follow pageblocks (6.10+); under 6.1 a single-block steal
 * leaves blocks on another type's list, so such evidence is weak (3) and
 * gives way to the snapshot's counts; a pcp drain's type is the one the
 * pageblock had when the page was freed (1).
 */
static void pb_evidence(struct model *m, uint64_t pfn, int mt, bool list)
{
	m->last_new_pb = -1;
	if (m->probe && !m->pb_seen[pbi(m, pfn)]) {
		m->pb_seen[pbi(m, pfn)] = list && !m->lists_follow_blocks ? 3 : 1;
		m->pb[pbi(m, pfn)] = (uint8_t)mt;
		m->last_new_pb = (int)pbi(m, pfn);
	}
}

static void set_block(struct model *m, uint64_t p, unsigned k, unsigned kind, int mt, unsigned cpu)
{
	clear_range(m, p, k);
	replay_head_put(m, p, kind, k, mt, cpu);
}

/* Removes up to @nr free pages from free blocks in [start, end): the
 * compaction free scanner isolating them (untraced allocation). */
/*
 * isolate_freepages_block's walk over [start, end) with @stride: a free
 * block's head is isolated whole (nr_scanned counts its pages), an
 * allocated block of order > 0 is skipped whole (a compound page), and the
 * walk stops once @nr pages are taken. With @apply 0 it only counts; the
 * counts are compared with the event's to find the stride the kernel
 * used (async compaction starts at COMPACT_CLUSTER_MAX = 32, back to 1
 * after a block with isolations, doubling after one without).
 */
static void scan_free_block(struct model *m, uint64_t start, uint64_t end, unsigned stride, uint64_t nr,
			    bool apply, uint64_t *scanned, uint64_t *taken)
{
	*scanned = *taken = 0;
	for (uint64_t q = start; q < end && *taken < nr; q += stride) {
		uint64_t h;
		unsigned o, kind;
		++*scanned;
		if (!cover(m, q, &h, &o, &kind) || h != q)
			continue;
		uint64_t sz = 1ull << o;
		if (kind == K_FREE) {
			*scanned += sz - 1;
			*taken += sz;
			if (apply) {
				set_block(m, q, o, K_ALLOC, LAB_MIGRATE_MOVABLE, 0);
				m->isolated += sz;
			}
		} else if (o && q + sz <= end) {
			*scanned += sz - 1;
		} else {
			continue;
		}
		q += sz - 1;
		/* the kernel's loop adds the stride after the block: its
		 * "blockpfn += isolated - 1" then "blockpfn += stride" */
		q -= stride - 1;
	}
}

/* mm_compaction_isolate_freepages: the walk whose counts match the event's,
 * else (no stride matches) nr free pages from the range's start. */
static void isolate_free(struct model *m, uint64_t start, uint64_t end, uint64_t nr_scanned, uint64_t nr);

static bool isolate_by_stride(struct model *m, uint64_t start, uint64_t end, uint64_t nr_scanned, uint64_t nr)
{
	uint64_t sc, tk;
	int best = -1;
	if (start < m->g.base || end > m->g.endpfn || start >= end)
		return false;
	for (unsigned s = 1; s <= 32; s <<= 1) {
		scan_free_block(m, start, end, s, nr, false, &sc, &tk);
		if (tk == nr && sc == nr_scanned) {
			best = (int)s;
			break;
		}
		if (tk == nr && best < 0)
			best = (int)s;
	}
	if (best < 0)
		return false;
	scan_free_block(m, start, end, (unsigned)best, nr, true, &sc, &tk);
	return true;
}

static void isolate_free(struct model *m, uint64_t start, uint64_t end, uint64_t nr_scanned, uint64_t nr)
{
	uint64_t q = start;
	if (!nr || isolate_by_stride(m, start, end, nr_scanned, nr))
		return;
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

/*
 * fast_isolate_freepages (6.12 traces it): one free block of order log2
 * @nr off the Movable free list, at a pfn in [start, end) - the kernel
 * takes the list's oldest entry in the top quarter of the scan space, or
 * the highest candidate above @start. The list order is not traced: the
 * model takes the highest such block.
 */
static void isolate_fast(struct model *m, uint64_t start, uint64_t end, uint64_t nr)
{
	unsigned k = 0;
	while (k < MAXO && (1ull << k) < nr)
		k++;
	if (!nr)
		return;
	if ((1ull << k) != nr) {
		fix(m, LAB_FIX_ISOLATE_SHORT);
		return;
	}
	if (start < m->g.base)
		start = m->g.base;
	if (end > m->g.endpfn)
		end = m->g.endpfn;
	uint64_t sz = 1ull << k;
	for (uint64_t q = end >= sz ? (end - sz) & ~(sz - 1) : 0; end >= sz && q >= start; q -= sz) {
		uint8_t s = m->st[q - m->g.base];
		if (ST_KIND(s) == K_FREE && ST_ORDER(s) == k && m->mt[q - m->g.base] == LAB_MIGRATE_MOVABLE) {
			set_block(m, q, k, K_ALLOC, LAB_MIGRATE_MOVABLE, 0);
			m->isolated += nr;
			return;
		}
		if (q < sz)
			break;
	}
	fix(m, LAB_FIX_ISOLATE_SHORT);
}

/* steal_suitable_fallback as the extfrag event reports it. */
static void apply_extfrag(struct model *m, const struct lab_ftrace_event *e)
{
	unsigned fo = e->a1;
	int amt = replay_map_mt(e->mt, m->has_cma), fmt = replay_map_mt((int8_t)e->a2, m->has_cma);
	uint64_t h;
	unsigned o, kind;
	if (fo > MAXO || !in_span(m, e->pfn, fo) || (e->pfn & ((1ull << fo) - 1))) {
		fix(m, LAB_FIX_OUTSIDE_ZONES);
		return;
	}
	touch(m, e->pfn, fo, LAB_SEED_FREE, e->cpu);
	pb_evidence(m, e->pfn, fmt, true);
	if (m->probe) {
		for (uint64_t q = e->pfn; q < e->pfn + (1ull << fo); q += 1ull << m->g.pb_order)
			if (m->pb_seen[pbi(m, q)] == 0)
				m->pb_seen[pbi(m, q)] = 2;
	}
	if (!(cover(m, e->pfn, &h, &o, &kind) && kind == K_FREE && h == e->pfn && o == fo)) {
		unsigned mask = clear_range(m, e->pfn, fo);
		if (mask & ~1u)
			fix(m, LAB_FIX_EXTFRAG_NOT_FREE);
		replay_head_put(m, e->pfn, K_FREE, fo, fmt, 0);
	}
	size_t hi = (size_t)(e->pfn - m->g.base);
	int old = m->pb[pbi(m, e->pfn)];
	if (fo >= m->g.pb_order) {
		for (uint64_t q = e->pfn; q < e->pfn + (1ull << fo); q += 1ull << m->g.pb_order)
			m->pb[pbi(m, q)] = (uint8_t)amt;
		head_del(m, e->pfn);
		replay_head_put(m, e->pfn, K_FREE, fo, amt, 0);
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
				replay_head_put(m, q, K_FREE, qo, amt, 0);
				q += 1ull << qo;
			} else if (ST_KIND(s)) {
				q += 1ull << ST_ORDER(s);
			} else {
				q++;
			}
		}
	} else {
		head_del(m, e->pfn);
		replay_head_put(m, e->pfn, K_FREE, fo, amt, 0);
	}
	/* change_ownership is the pageblock's type after the steal == amt:
	 * either way it states the type (a wrong seed is corrected here) */
	if (e->flags & LAB_FTF_CHANGE_OWNERSHIP)
		m->pb[pbi(m, e->pfn)] = (uint8_t)amt;
	else if (m->pb[pbi(m, e->pfn)] == amt)
		m->pb[pbi(m, e->pfn)] = (uint8_t)(old != amt ? old : fmt);
}

/*
 * 6.10+ (__rmqueue_claim / __rmqueue_steal as the extfrag event reports
 * it): the event's pfn is the allocated page of order alloc_order.
 *  - claim of a block below pageblock order (change_ownership=1): the
 *    pageblock's free pages moved to the allocation's type and
 *    __rmqueue_smallest took the page - its zone_locked event came first;
 *    only the pageblock's type and lists change here;
 *  - claim of a pageblock-order or larger block: the whole range takes the
 *    type, the block at pfn is split (expand) and its head allocated;
 *  - steal of a single block (change_ownership=0): split with the
 *    fallback type, the pageblock keeps its type.
 * The allocated head goes to the CPU's pcp list when the order is one
 * the lists cache (rmqueue_bulk), else it is handed out directly.
 */
static void apply_extfrag_alloc(struct model *m, const struct lab_ftrace_event *e)
{
	unsigned fo = e->a1, k = e->order < 0 ? 0 : (unsigned)e->order;
	int amt = replay_map_mt(e->mt, m->has_cma), fmt = replay_map_mt((int8_t)e->a2, m->has_cma);
	uint64_t h, p = e->pfn & ~((1ull << fo) - 1);
	unsigned o, kind;
	if (fo > MAXO || k > fo || !in_span(m, p, fo) || (e->pfn & ((1ull << k) - 1))) {
		fix(m, LAB_FIX_OUTSIDE_ZONES);
		return;
	}
	if (fo < m->g.pb_order && (e->flags & LAB_FTF_CHANGE_OWNERSHIP)) {
		size_t b = pbi(m, e->pfn);
		/* the zone_locked before gave the block its new type as evidence */
		if (m->probe && m->last_new_pb == (int)b)
			m->pb[b] = (uint8_t)fmt;
		if (m->probe) {
			m->pb_seen[b] = 2;
			return;
		}
		uint64_t pb0 = e->pfn & ~((1ull << m->g.pb_order) - 1), pb1 = pb0 + (1ull << m->g.pb_order);
		for (uint64_t q = pb0; q < pb1 && q < m->g.endpfn;) {
			uint8_t s = m->st[q - m->g.base];
			if (ST_KIND(s) == K_FREE && m->mt[q - m->g.base] != amt) {
				unsigned qo = ST_ORDER(s);
				head_del(m, q);
				replay_head_put(m, q, K_FREE, qo, amt, 0);
			}
			q += ST_KIND(s) ? 1ull << ST_ORDER(s) : 1;
		}
		m->pb[b] = (uint8_t)amt;
		return;
	}
	touch(m, p, fo, LAB_SEED_FREE, e->cpu);
	pb_evidence(m, p, fmt, true);
	if (m->probe)
		for (uint64_t q = p; q < p + (1ull << fo); q += 1ull << m->g.pb_order)
			if (m->pb_seen[pbi(m, q)] == 0)
				m->pb_seen[pbi(m, q)] = 2;
	if (!(cover(m, p, &h, &o, &kind) && kind == K_FREE && h == p && o == fo)) {
		if (clear_range(m, p, fo) & ~1u)
			fix(m, LAB_FIX_EXTFRAG_NOT_FREE);
	} else {
		head_del(m, p);
	}
	int lmt = fmt;
	if (fo >= m->g.pb_order) {
		set_pb_range(m, p, fo, amt);
		lmt = amt;
	}
	for (unsigned q = fo; q-- > k;)
		replay_head_put(m, p + (1ull << q), K_FREE, q, lmt, 0);
	bool to_pcp = pcp_allowed(m, k) && amt < LAB_MIGRATE_PCPTYPES;
	replay_head_put(m, p, to_pcp ? K_PCP : K_ALLOC, k, amt, e->cpu);
}

/* Applies one event. */
void replay_model_apply(struct model *m, const struct lab_ftrace_event *e)
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
			isolate_free(m, e->pfn, e->arg, e->arg2, e->gfp);
		return;
	case LAB_FT_COMPACTION_FAST_ISOLATE_FREEPAGES:
		if (!m->probe)
			isolate_fast(m, e->pfn, e->arg, e->gfp);
		return;
	case LAB_FT_PAGE_ALLOC_EXTFRAG:
		if (m->lists_follow_blocks)
			apply_extfrag_alloc(m, e);
		else
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
	if (k > MAXO || !in_span(m, p, k) || (p & ((1ull << k) - 1)) || replay_geo_zone(&m->g, p) < 0) {
		fix(m, LAB_FIX_OUTSIDE_ZONES);
		return;
	}
	bool found = cover(m, p, &h, &o, &kind);
	switch (e->type) {
	case LAB_FT_PAGE_ALLOC_ZONE_LOCKED:
		mt = replay_map_mt(e->mt, m->has_cma);
		touch(m, p, k, LAB_SEED_FREE, e->cpu);
		pb_evidence(m, p, mt, true);
		if (found && kind == K_PCP) {
			/* the free that put it there went to the buddy lists */
			fix(m, LAB_FIX_PCP_BYPASS);
			int fmt = m->mt[h - m->g.base];
			unsigned ho = o;
			head_del(m, h);
			replay_free_merge(m, h, ho, fmt);
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
			replay_head_put(m, p, K_PCP, k, mt, e->cpu);
		else
			replay_head_put(m, p, K_ALLOC, k, mt, e->cpu);
		return;
	case LAB_FT_PAGE_PCPU_DRAIN:
		mt = replay_map_mt(e->mt, m->has_cma);
		touch(m, p, k, LAB_SEED_PCP, e->cpu);
		pb_evidence(m, p, mt, false);
		mask = clear_range(m, p, k);
		if (mask & ((1u << K_ALLOC) | (1u << K_FREE)))
			fix(m, LAB_FIX_DRAIN_NOT_PCP);
		replay_free_merge(m, p, k, mt);
		return;
	case LAB_FT_PAGE_ALLOC:
		touch(m, p, k, LAB_SEED_PCP, e->cpu);
		mask = clear_range(m, p, k);
		/* K_ALLOC here: taken by zone_locked (percpu_refill=0) just before */
		if (mask & (1u << K_FREE))
			fix(m, LAB_FIX_ALLOC_FROM_BUDDY);
		replay_head_put(m, p, K_ALLOC, k, replay_map_mt(e->mt, m->has_cma), e->cpu);
		return;
	case LAB_FT_PAGE_FREE:
		touch(m, p, k, LAB_SEED_ALLOC, e->cpu);
		mask = clear_range(m, p, k);
		if (k == 0 && mask == (1u << K_PCP))
			fix(m, LAB_FIX_BULK_INFERRED);
		else if (mask & ((1u << K_FREE) | (1u << K_PCP)))
			fix(m, LAB_FIX_FREE_NOT_ALLOCATED);
		mt = m->pb[pbi(m, p)];
		if (pcp_allowed(m, k) && mt != LAB_MIGRATE_ISOLATE)
			replay_head_put(m, p, K_PCP, k, mt, e->cpu);
		else
			replay_free_merge(m, p, k, mt);
		return;
	default:
		return;
	}
}

void replay_model_point(const struct model *m, size_t at, uint64_t ts, struct lab_shadow_point *pt)
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
void replay_order_events(struct model *m, const struct lab_ftrace *t, struct lab_replay_seed *s)
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
				replay_model_apply(m, &t->ev[k]);
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
			replay_model_apply(m, &t->ev[pick]);
		}
		i = j;
	}
}
