/* SPDX-License-Identifier: MIT */
/*
 * formats/ftrace_events.c - the payload of each event the reader knows,
 * decoded into struct lab_ftrace_event (formats/ftrace.h says which field
 * holds what for each type).
 *
 * The payload is cut into key=value tokens and each event's decoder picks
 * its fields by name, so the field order (and extra fields) of other
 * kernel versions do not matter; `kinds` maps each event name to its
 * decoder. gfp_flags strings are parsed by lab_gfp_parse() with the era of
 * the options, through a cache (a trace has a few dozen distinct strings
 * among 10^5 lines); trace.dat takes the raw value instead.
 *
 * Cost: O(payload length) per event; allocation only for unknown event
 * names, markers and new gfp strings.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/ftrace_int.h"

static const char *const status_names[LAB_FTS_NR] = {
	"unknown", "not_suitable_zone", "skipped", "deferred", "no_suitable_page",
	"continue", "complete", "partial_skipped", "contended", "success",
};

const char *lab_ftrace_status_name(enum lab_ftrace_status s)
{
	return (unsigned)s < LAB_FTS_NR ? status_names[s] : NULL;
}

struct kv {
	const char *k, *v;
	uint32_t kl, vl;
};

#define MAX_KV 24

/* ---- small parsers -------------------------------------------------------- */

bool lab__ft_parse_u64(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;
	if (n == 0)
		return false;
	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		i = 2;
		for (; i < n; i++) {
			unsigned c = (unsigned char)s[i], d;
			if (c >= '0' && c <= '9')
				d = c - '0';
			else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
				d = (c | 0x20) - 'a' + 10;
			else
				return false;
			if (v >> 60)
				return false;
			v = v << 4 | d;
		}
	} else {
		for (; i < n; i++) {
			unsigned c = (unsigned char)s[i];
			if (c < '0' || c > '9')
				return false;
			if (v > (UINT64_MAX - 9) / 10)
				return false;
			v = v * 10 + (c - '0');
		}
	}
	*out = v;
	return true;
}

static bool parse_i64(const char *s, size_t n, int64_t *out)
{
	uint64_t v;
	bool neg = n > 0 && s[0] == '-';
	if (!lab__ft_parse_u64(s + neg, n - neg, &v) || v > INT64_MAX)
		return false;
	*out = neg ? -(int64_t)v : (int64_t)v;
	return true;
}

/* Splits "k=v k=v ..." at blanks; values lose a trailing ','. */
static unsigned split_kv(const char *s, const char *end, struct kv *kv)
{
	unsigned n = 0;
	while (s < end && n < MAX_KV) {
		while (s < end && *s == ' ')
			s++;
		const char *tok = s;
		while (s < end && *s != ' ')
			s++;
		const char *eq = memchr(tok, '=', (size_t)(s - tok));
		if (!eq || eq == tok)
			continue;
		kv[n].k = tok;
		kv[n].kl = (uint32_t)(eq - tok);
		kv[n].v = eq + 1;
		kv[n].vl = (uint32_t)(s - eq - 1);
		if (kv[n].vl && kv[n].v[kv[n].vl - 1] == ',')
			kv[n].vl--;
		n++;
	}
	return n;
}

static const struct kv *kv_get(const struct kv *kv, unsigned n, const char *key)
{
	size_t kl = strlen(key);
	for (unsigned i = 0; i < n; i++)
		if (kv[i].kl == kl && !memcmp(kv[i].k, key, kl))
			return &kv[i];
	return NULL;
}

/* Field getters: 0 ok, else the error return of lab__ft_fail(). */
static int get_u64(struct ftrace_parser *p, const struct kv *kv, unsigned n, const char *ev,
		   const char *key, uint64_t *out)
{
	const struct kv *f = kv_get(kv, n, key);
	if (!f)
		return lab__ft_fail(p, "%s: missing field '%s'", ev, key);
	if (!lab__ft_parse_u64(f->v, f->vl, out))
		return lab__ft_fail(p, "%s: bad value '%.*s' for '%s'", ev, (int)f->vl, f->v, key);
	return 0;
}

static int get_int(struct ftrace_parser *p, const struct kv *kv, unsigned n, const char *ev,
		   const char *key, int64_t lo, int64_t hi, int64_t *out)
{
	const struct kv *f = kv_get(kv, n, key);
	if (!f)
		return lab__ft_fail(p, "%s: missing field '%s'", ev, key);
	if (!parse_i64(f->v, f->vl, out) || *out < lo || *out > hi)
		return lab__ft_fail(p, "%s: bad value '%.*s' for '%s'", ev, (int)f->vl, f->v, key);
	return 0;
}

static int get_gfp(struct ftrace_parser *p, const struct kv *kv, unsigned n, const char *ev,
		   const char *key, uint32_t *out)
{
	const struct kv *f = kv_get(kv, n, key);
	if (!f)
		return lab__ft_fail(p, "%s: missing field '%s'", ev, key);
	if (p->gfp_numeric) {
		*out = 0;
		return 0;
	}
	uint64_t h = lab__ft_hash(f->v, f->vl);
	long e = lab__ft_strtab_find(&p->gfps, f->v, f->vl, h);
	if (e >= 0) {
		*out = (uint32_t)p->gfps.val[e];
		return 0;
	}
	char buf[512];
	if (f->vl >= sizeof(buf))
		return lab__ft_fail(p, "%s: %s too long", ev, key);
	memcpy(buf, f->v, f->vl);
	buf[f->vl] = 0;
	lab_gfp_t g;
	const char *bad = NULL;
	size_t badlen = 0;
	if (lab_gfp_parse(buf, p->era, &g, &bad, &badlen))
		return lab__ft_fail(p, "%s: unknown gfp flag '%.*s' in '%s' (gfp names of kernel era %s)",
			    ev, bad ? (int)badlen : 0, bad ? bad : "", buf, lab_gfp_era_name(p->era));
	if (lab__ft_strtab_add(&p->gfps, f->v, f->vl, h, g) < 0)
		return LAB_FTRACE_ENOMEM;
	*out = g;
	return 0;
}

static int zone_index(const char *s, size_t n)
{
	for (int i = 0; i < LAB_MAX_NR_ZONES; i++)
		if (strlen(lab_zone_names[i]) == n && !memcmp(lab_zone_names[i], s, n))
			return i;
	if (n == 7 && !memcmp(s, "HighMem", 7))
		return LAB_ZONE_NORMAL + 1;     /* x86-32 layout: not ours, kept as a number */
	return 255;
}

static int status_index(const char *s, size_t n)
{
	for (int i = 1; i < LAB_FTS_NR; i++)
		if (strlen(status_names[i]) == n && !memcmp(status_names[i], s, n))
			return i;
	return LAB_FTS_UNKNOWN;
}


/* ---- per-event decoders ---------------------------------------------------- */

#define TRY(x) do { int r_ = (x); if (r_) return r_; } while (0)

/* Decoders of key=value payloads: fields already split into @kv[0..@n). */
typedef int (*fields_fn)(struct ftrace_parser *p, const struct kv *kv, unsigned n,
			 const char *nm, struct lab_ftrace_event *e);
/* Decoders of payloads that are not key=value lists. */
typedef int (*payload_fn)(struct ftrace_parser *p, const char *name, size_t namelen,
			  const char *pl, const char *end, struct lab_ftrace_event *e);

static bool is_null_page(const struct kv *f)
{
	if (!f)
		return false;
	if (f->vl == 6 && !memcmp(f->v, "(null)", 6))
		return true;
	if (f->vl == 5 && !memcmp(f->v, "(nil)", 5))
		return true;
	for (uint32_t i = 0; i < f->vl; i++)
		if (f->v[i] != '0' && !(i == 1 && (f->v[i] == 'x' || f->v[i] == 'X')))
			return false;
	return f->vl > 0;
}

/* An event this reader does not know: counted by name in t->unknown. */
static int decode_unknown(struct ftrace_parser *p, const char *name, size_t namelen,
			  const char *pl, const char *end, struct lab_ftrace_event *e)
{
	struct lab_ftrace *t = p->t;
	uint64_t h = lab__ft_hash(name, namelen);
	long x = lab__ft_strtab_find(&p->unknown, name, namelen, h);

	(void)pl;
	(void)end;
	if (x < 0) {
		x = lab__ft_strtab_add(&p->unknown, name, namelen, h, t->nr_unknown);
		if (x < 0)
			return LAB_FTRACE_ENOMEM;
		if (t->nr_unknown == t->cap_unknown) {
			size_t nc = t->cap_unknown ? t->cap_unknown * 2 : 16;
			struct lab_ftrace_name *a = realloc(t->unknown, nc * sizeof(*a));
			if (!a)
				return LAB_FTRACE_ENOMEM;
			t->unknown = a;
			t->cap_unknown = nc;
		}
		struct lab_ftrace_name *un = &t->unknown[t->nr_unknown++];
		un->name = strdup(p->unknown.key[x]);
		if (!un->name)
			return LAB_FTRACE_ENOMEM;
		un->count = 0;
		un->first_line = p->lineno;
	}
	size_t idx = (size_t)p->unknown.val[x];
	t->unknown[idx].count++;
	e->arg = idx;
	return 0;
}

/* tracing_mark_write (tracefs) or print (trace-cmd): the text is kept. */
static int decode_marker(struct ftrace_parser *p, const char *name, size_t namelen,
			 const char *pl, const char *end, struct lab_ftrace_event *e)
{
	struct lab_ftrace *t = p->t;

	(void)name;
	/* trace-cmd prints "print: tracing_mark_write: text" for markers */
	if (namelen == 5 && end - pl > 20 && !memcmp(pl, "tracing_mark_write: ", 20))
		pl += 20;
	e->arg = t->nr_markers;
	if (lab__ft_push_str(&t->markers, &t->nr_markers, &t->cap_markers, pl, (size_t)(end - pl)))
		return LAB_FTRACE_ENOMEM;
	return 0;
}

/* mm_compaction_isolate_{migrate,free}pages, mm_compaction_fast_isolate_freepages:
 * "range=(0x5800 ~ 0x5a00) nr_scanned=1 nr_taken=0" */
static int decode_isolate(struct ftrace_parser *p, const char *name, size_t namelen,
			  const char *pl, const char *end, struct lab_ftrace_event *e)
{
	const char *nm = lab_ftrace_type_name((enum lab_ftrace_type)e->type);
	const char *r = pl, *q;
	struct kv kv[MAX_KV];
	unsigned n;
	uint64_t u;

	(void)name;
	(void)namelen;
	if (end - r < 7 || memcmp(r, "range=(", 7))
		return lab__ft_fail(p, "%s: expected 'range=(START ~ END)'", nm);
	r += 7;
	q = r;
	while (q < end && *q != ' ')
		q++;
	if (!lab__ft_parse_u64(r, (size_t)(q - r), &e->pfn))
		return lab__ft_fail(p, "%s: bad range start", nm);
	if (end - q < 3 || memcmp(q, " ~ ", 3))
		return lab__ft_fail(p, "%s: expected 'range=(START ~ END)'", nm);
	r = q + 3;
	q = r;
	while (q < end && *q != ')')
		q++;
	if (q == end || !lab__ft_parse_u64(r, (size_t)(q - r), &e->arg))
		return lab__ft_fail(p, "%s: bad range end", nm);
	n = split_kv(q + 1, end, kv);
	TRY(get_u64(p, kv, n, nm, "nr_scanned", &e->arg2));
	TRY(get_u64(p, kv, n, nm, "nr_taken", &u));
	e->gfp = u > UINT32_MAX ? UINT32_MAX : (uint32_t)u;
	return 0;
}

/* pfn= order= of every mm_page_* event */
static int page_pfn_order(struct ftrace_parser *p, const struct kv *kv, unsigned n,
			  const char *nm, struct lab_ftrace_event *e)
{
	int64_t v;

	TRY(get_u64(p, kv, n, nm, "pfn", &e->pfn));
	TRY(get_int(p, kv, n, nm, "order", 0, 63, &v));
	e->order = (int8_t)v;
	return 0;
}

/* pfn= order= migratetype= */
static int page_pfn_order_mt(struct ftrace_parser *p, const struct kv *kv, unsigned n,
			     const char *nm, struct lab_ftrace_event *e)
{
	int64_t v;

	TRY(page_pfn_order(p, kv, n, nm, e));
	TRY(get_int(p, kv, n, nm, "migratetype", -1, 15, &v));
	e->mt = (int8_t)v;
	return 0;
}

/* mm_page_free, mm_page_free_batched */
static int decode_page_free(struct ftrace_parser *p, const struct kv *kv, unsigned n,
			    const char *nm, struct lab_ftrace_event *e)
{
	return page_pfn_order(p, kv, n, nm, e);
}

/* mm_page_alloc: a failed allocation prints pfn=0 (or page=(null)) */
static int decode_page_alloc(struct ftrace_parser *p, const struct kv *kv, unsigned n,
			     const char *nm, struct lab_ftrace_event *e)
{
	TRY(page_pfn_order_mt(p, kv, n, nm, e));
	TRY(get_gfp(p, kv, n, nm, "gfp_flags", &e->gfp));
	if (e->pfn == 0 || is_null_page(kv_get(kv, n, "page")))
		e->flags |= LAB_FTF_FAILED;
	return 0;
}

static int decode_page_alloc_zone_locked(struct ftrace_parser *p, const struct kv *kv, unsigned n,
					 const char *nm, struct lab_ftrace_event *e)
{
	const struct kv *f;

	TRY(page_pfn_order_mt(p, kv, n, nm, e));
	f = kv_get(kv, n, "percpu_refill");
	if (f && !(f->vl == 1 && f->v[0] == '0'))
		e->flags |= LAB_FTF_PCP_REFILL;
	return 0;
}

static int decode_page_pcpu_drain(struct ftrace_parser *p, const struct kv *kv, unsigned n,
				  const char *nm, struct lab_ftrace_event *e)
{
	return page_pfn_order_mt(p, kv, n, nm, e);
}

static int decode_page_alloc_extfrag(struct ftrace_parser *p, const struct kv *kv, unsigned n,
				     const char *nm, struct lab_ftrace_event *e)
{
	int64_t v;

	TRY(get_u64(p, kv, n, nm, "pfn", &e->pfn));
	TRY(get_int(p, kv, n, nm, "alloc_order", 0, 63, &v));
	e->order = (int8_t)v;
	TRY(get_int(p, kv, n, nm, "fallback_order", 0, 63, &v));
	e->a1 = (uint8_t)v;
	TRY(get_int(p, kv, n, nm, "pageblock_order", 0, 63, &v));
	e->arg = (uint64_t)v;
	TRY(get_int(p, kv, n, nm, "alloc_migratetype", -1, 15, &v));
	e->mt = (int8_t)v;
	TRY(get_int(p, kv, n, nm, "fallback_migratetype", -1, 15, &v));
	e->a2 = (uint8_t)v;
	TRY(get_int(p, kv, n, nm, "fragmenting", 0, 1, &v));
	if (v)
		e->flags |= LAB_FTF_FRAGMENTING;
	TRY(get_int(p, kv, n, nm, "change_ownership", 0, 1, &v));
	if (v)
		e->flags |= LAB_FTF_CHANGE_OWNERSHIP;
	return 0;
}

static int decode_compaction_begin(struct ftrace_parser *p, const struct kv *kv, unsigned n,
				   const char *nm, struct lab_ftrace_event *e)
{
	const struct kv *m;
	uint64_t u;

	TRY(get_u64(p, kv, n, nm, "zone_start", &e->pfn));
	TRY(get_u64(p, kv, n, nm, "zone_end", &e->arg));
	TRY(get_u64(p, kv, n, nm, "migrate_pfn", &e->arg2));
	TRY(get_u64(p, kv, n, nm, "free_pfn", &u));
	e->gfp = u > UINT32_MAX ? UINT32_MAX : (uint32_t)u;
	m = kv_get(kv, n, "mode");
	e->a1 = m && m->vl == 4 && !memcmp(m->v, "sync", 4);
	return 0;
}

/* mm_compaction_end: the fields of mm_compaction_begin and status= */
static int decode_compaction_end(struct ftrace_parser *p, const struct kv *kv, unsigned n,
				 const char *nm, struct lab_ftrace_event *e)
{
	const struct kv *s;

	TRY(decode_compaction_begin(p, kv, n, nm, e));
	s = kv_get(kv, n, "status");
	if (!s)
		return lab__ft_fail(p, "%s: missing field 'status'", nm);
	e->a2 = (uint8_t)status_index(s->v, s->vl);
	return 0;
}

static int decode_compaction_migratepages(struct ftrace_parser *p, const struct kv *kv, unsigned n,
					  const char *nm, struct lab_ftrace_event *e)
{
	TRY(get_u64(p, kv, n, nm, "nr_migrated", &e->pfn));
	return get_u64(p, kv, n, nm, "nr_failed", &e->arg);
}

static int decode_compaction_try_to_compact_pages(struct ftrace_parser *p, const struct kv *kv,
						  unsigned n, const char *nm, struct lab_ftrace_event *e)
{
	int64_t v;

	TRY(get_int(p, kv, n, nm, "order", -1, 63, &v));
	e->order = (int8_t)v;
	TRY(get_gfp(p, kv, n, nm, "gfp_mask", &e->gfp));
	if (kv_get(kv, n, "priority")) {
		TRY(get_int(p, kv, n, nm, "priority", 0, 255, &v));
		e->a1 = (uint8_t)v;
	}
	return 0;
}

/* zone= (or classzone_idx=) and order= when printed: kswapd/kcompactd
 * wakes, and the head of the compaction_{finished,suitable,defer*} events */
static int decode_zone_order(struct ftrace_parser *p, const struct kv *kv, unsigned n,
			     const char *nm, struct lab_ftrace_event *e)
{
	int64_t v;
	const struct kv *z = kv_get(kv, n, "zone");
	if (!z)
		z = kv_get(kv, n, "classzone_idx");
	if (z)
		e->a1 = (uint8_t)zone_index(z->v, z->vl);
	if (kv_get(kv, n, "order")) {
		TRY(get_int(p, kv, n, nm, "order", -1, 64, &v));
		e->order = (int8_t)v;
	}
	return 0;
}

/* mm_compaction_finished, mm_compaction_suitable: zone, order, ret= */
static int decode_compaction_ret(struct ftrace_parser *p, const struct kv *kv, unsigned n,
				 const char *nm, struct lab_ftrace_event *e)
{
	const struct kv *s;

	TRY(decode_zone_order(p, kv, n, nm, e));
	s = kv_get(kv, n, "ret");
	if (!s)
		return lab__ft_fail(p, "%s: missing field 'ret'", nm);
	e->a2 = (uint8_t)status_index(s->v, s->vl);
	return 0;
}

/* mm_compaction_deferred, _defer_compaction, _defer_reset */
static int decode_compaction_defer(struct ftrace_parser *p, const struct kv *kv, unsigned n,
				   const char *nm, struct lab_ftrace_event *e)
{
	int64_t v;

	TRY(decode_zone_order(p, kv, n, nm, e));
	TRY(get_int(p, kv, n, nm, "order_failed", -1, 64, &v));
	e->pfn = (uint64_t)v;
	TRY(get_u64(p, kv, n, nm, "consider", &e->arg));
	return get_u64(p, kv, n, nm, "limit", &e->arg2);
}

/* kswapd and kcompactd going to sleep: nothing but the time */
static int decode_sleep(struct ftrace_parser *p, const struct kv *kv, unsigned n,
			const char *nm, struct lab_ftrace_event *e)
{
	(void)p;
	(void)kv;
	(void)n;
	(void)nm;
	(void)e;
	return 0;
}

/* mm_vmscan_wakeup_kswapd, mm_vmscan_direct_reclaim_begin: order=, gfp_flags= */
static int decode_order_gfp(struct ftrace_parser *p, const struct kv *kv, unsigned n,
			    const char *nm, struct lab_ftrace_event *e)
{
	int64_t v;

	TRY(get_int(p, kv, n, nm, "order", -1, 63, &v));
	e->order = (int8_t)v;
	return get_gfp(p, kv, n, nm, "gfp_flags", &e->gfp);
}

static int decode_direct_reclaim_end(struct ftrace_parser *p, const struct kv *kv, unsigned n,
				     const char *nm, struct lab_ftrace_event *e)
{
	return get_u64(p, kv, n, nm, "nr_reclaimed", &e->pfn);
}

static int decode_mark_victim(struct ftrace_parser *p, const struct kv *kv, unsigned n,
			      const char *nm, struct lab_ftrace_event *e)
{
	return get_u64(p, kv, n, nm, "pid", &e->pfn);
}

/* ---- the events: name -> decoder --------------------------------------------- */

static const struct event_kind {
	const char *name;
	payload_fn payload;     /* reads the raw payload, or */
	fields_fn fields;       /* reads its key=value fields */
} kinds[LAB_FT_NR_TYPES] = {
	[LAB_FT_UNKNOWN] = { "unknown", decode_unknown, NULL },
	[LAB_FT_PAGE_ALLOC] = { "mm_page_alloc", NULL, decode_page_alloc },
	[LAB_FT_PAGE_FREE] = { "mm_page_free", NULL, decode_page_free },
	[LAB_FT_PAGE_FREE_BATCHED] = { "mm_page_free_batched", NULL, decode_page_free },
	[LAB_FT_PAGE_ALLOC_ZONE_LOCKED] = { "mm_page_alloc_zone_locked", NULL,
					    decode_page_alloc_zone_locked },
	[LAB_FT_PAGE_PCPU_DRAIN] = { "mm_page_pcpu_drain", NULL, decode_page_pcpu_drain },
	[LAB_FT_PAGE_ALLOC_EXTFRAG] = { "mm_page_alloc_extfrag", NULL, decode_page_alloc_extfrag },
	[LAB_FT_COMPACTION_BEGIN] = { "mm_compaction_begin", NULL, decode_compaction_begin },
	[LAB_FT_COMPACTION_END] = { "mm_compaction_end", NULL, decode_compaction_end },
	[LAB_FT_COMPACTION_ISOLATE_MIGRATEPAGES] = { "mm_compaction_isolate_migratepages",
						     decode_isolate, NULL },
	[LAB_FT_COMPACTION_ISOLATE_FREEPAGES] = { "mm_compaction_isolate_freepages",
						  decode_isolate, NULL },
	[LAB_FT_COMPACTION_FAST_ISOLATE_FREEPAGES] = { "mm_compaction_fast_isolate_freepages",
						       decode_isolate, NULL },
	[LAB_FT_COMPACTION_MIGRATEPAGES] = { "mm_compaction_migratepages", NULL,
					     decode_compaction_migratepages },
	[LAB_FT_COMPACTION_TRY_TO_COMPACT_PAGES] = { "mm_compaction_try_to_compact_pages", NULL,
						     decode_compaction_try_to_compact_pages },
	[LAB_FT_COMPACTION_FINISHED] = { "mm_compaction_finished", NULL, decode_compaction_ret },
	[LAB_FT_COMPACTION_SUITABLE] = { "mm_compaction_suitable", NULL, decode_compaction_ret },
	[LAB_FT_COMPACTION_DEFERRED] = { "mm_compaction_deferred", NULL, decode_compaction_defer },
	[LAB_FT_COMPACTION_DEFER_COMPACTION] = { "mm_compaction_defer_compaction", NULL,
						 decode_compaction_defer },
	[LAB_FT_COMPACTION_DEFER_RESET] = { "mm_compaction_defer_reset", NULL, decode_compaction_defer },
	[LAB_FT_COMPACTION_KCOMPACTD_SLEEP] = { "mm_compaction_kcompactd_sleep", NULL, decode_sleep },
	[LAB_FT_COMPACTION_KCOMPACTD_WAKE] = { "mm_compaction_kcompactd_wake", NULL, decode_zone_order },
	[LAB_FT_COMPACTION_WAKEUP_KCOMPACTD] = { "mm_compaction_wakeup_kcompactd", NULL,
						 decode_zone_order },
	[LAB_FT_VMSCAN_KSWAPD_SLEEP] = { "mm_vmscan_kswapd_sleep", NULL, decode_sleep },
	[LAB_FT_VMSCAN_KSWAPD_WAKE] = { "mm_vmscan_kswapd_wake", NULL, decode_zone_order },
	[LAB_FT_VMSCAN_WAKEUP_KSWAPD] = { "mm_vmscan_wakeup_kswapd", NULL, decode_order_gfp },
	[LAB_FT_VMSCAN_DIRECT_RECLAIM_BEGIN] = { "mm_vmscan_direct_reclaim_begin", NULL,
						 decode_order_gfp },
	[LAB_FT_VMSCAN_DIRECT_RECLAIM_END] = { "mm_vmscan_direct_reclaim_end", NULL,
					       decode_direct_reclaim_end },
	[LAB_FT_OOM_MARK_VICTIM] = { "mark_victim", NULL, decode_mark_victim },
	[LAB_FT_MARKER] = { "tracing_mark_write", decode_marker, NULL },
};

const char *lab_ftrace_type_name(enum lab_ftrace_type type)
{
	return (unsigned)type < LAB_FT_NR_TYPES ? kinds[type].name : NULL;
}

enum lab_ftrace_type lab__ft_type_of(const char *s, size_t n)
{
	/* all known names start with "mm_" except three */
	for (int i = 1; i < LAB_FT_NR_TYPES; i++)
		if (strlen(kinds[i].name) == n && !memcmp(kinds[i].name, s, n))
			return (enum lab_ftrace_type)i;
	if (n == 5 && !memcmp(s, "print", 5))
		return LAB_FT_MARKER;
	return LAB_FT_UNKNOWN;
}

int lab__ft_decode_event(struct ftrace_parser *p, const char *name, size_t namelen,
			 const char *pl, const char *end, struct lab_ftrace_event *e)
{
	const struct event_kind *k = &kinds[e->type];
	struct kv kv[MAX_KV];
	unsigned n;

	if (k->payload)
		return k->payload(p, name, namelen, pl, end, e);
	if (!k->fields)
		return lab__ft_fail(p, "internal: no decoder for %s", k->name);
	n = split_kv(pl, end, kv);
	return k->fields(p, kv, n, k->name, e);
}
