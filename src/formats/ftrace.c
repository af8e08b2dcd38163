// SPDX-License-Identifier: MIT
/*
 * formats/ftrace.c - the ftrace reader: tracefs / trace-cmd text, trace.dat
 * through libtracecmd, xz/gzip transparently.
 *
 * Why one file: every input form ends in the same per-event decoder
 * (decode_event), so a trace.dat, its `trace-cmd report` text and the
 * tracefs `trace` text of the same events give the same event array; the
 * tests check exactly that.
 *
 * Text path, per line: find the timestamp ("SECS.FRAC: "), parse the
 * prefix to its left from the right (irq-info column, [cpu], optional
 * (tgid), then "comm-pid" where comm may contain blanks and dashes), then
 * "event: payload". The payload is cut into key=value tokens and the
 * decoder of the event picks its fields by name, so the field order of
 * other kernel versions does not matter. gfp_flags strings are parsed by
 * lab_gfp_parse() with the era given in the options, through a small cache
 * (a trace has a few dozen distinct strings among 10^5 lines).
 *
 * Cost: O(line length) per line, no allocation per line except for new
 * comms, unknown event names, gfp strings and markers.
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <lzma.h>
#include <zlib.h>
#include "formats/ftrace.h"

#ifdef LAB_HAVE_TRACECMD
#include <trace-cmd.h>
#include <event-parse.h>
#endif

/* ---- names ------------------------------------------------------------ */

static const char *const type_names[LAB_FT_NR_TYPES] = {
	[LAB_FT_UNKNOWN] = "unknown",
	[LAB_FT_PAGE_ALLOC] = "mm_page_alloc",
	[LAB_FT_PAGE_FREE] = "mm_page_free",
	[LAB_FT_PAGE_FREE_BATCHED] = "mm_page_free_batched",
	[LAB_FT_PAGE_ALLOC_ZONE_LOCKED] = "mm_page_alloc_zone_locked",
	[LAB_FT_PAGE_PCPU_DRAIN] = "mm_page_pcpu_drain",
	[LAB_FT_PAGE_ALLOC_EXTFRAG] = "mm_page_alloc_extfrag",
	[LAB_FT_COMPACTION_BEGIN] = "mm_compaction_begin",
	[LAB_FT_COMPACTION_END] = "mm_compaction_end",
	[LAB_FT_COMPACTION_ISOLATE_MIGRATEPAGES] = "mm_compaction_isolate_migratepages",
	[LAB_FT_COMPACTION_ISOLATE_FREEPAGES] = "mm_compaction_isolate_freepages",
	[LAB_FT_COMPACTION_MIGRATEPAGES] = "mm_compaction_migratepages",
	[LAB_FT_COMPACTION_TRY_TO_COMPACT_PAGES] = "mm_compaction_try_to_compact_pages",
	[LAB_FT_COMPACTION_FINISHED] = "mm_compaction_finished",
	[LAB_FT_COMPACTION_SUITABLE] = "mm_compaction_suitable",
	[LAB_FT_COMPACTION_DEFERRED] = "mm_compaction_deferred",
	[LAB_FT_COMPACTION_DEFER_COMPACTION] = "mm_compaction_defer_compaction",
	[LAB_FT_COMPACTION_DEFER_RESET] = "mm_compaction_defer_reset",
	[LAB_FT_COMPACTION_KCOMPACTD_SLEEP] = "mm_compaction_kcompactd_sleep",
	[LAB_FT_COMPACTION_KCOMPACTD_WAKE] = "mm_compaction_kcompactd_wake",
	[LAB_FT_COMPACTION_WAKEUP_KCOMPACTD] = "mm_compaction_wakeup_kcompactd",
	[LAB_FT_VMSCAN_KSWAPD_SLEEP] = "mm_vmscan_kswapd_sleep",
	[LAB_FT_VMSCAN_KSWAPD_WAKE] = "mm_vmscan_kswapd_wake",
	[LAB_FT_VMSCAN_WAKEUP_KSWAPD] = "mm_vmscan_wakeup_kswapd",
	[LAB_FT_VMSCAN_DIRECT_RECLAIM_BEGIN] = "mm_vmscan_direct_reclaim_begin",
	[LAB_FT_VMSCAN_DIRECT_RECLAIM_END] = "mm_vmscan_direct_reclaim_end",
	[LAB_FT_OOM_MARK_VICTIM] = "mark_victim",
	[LAB_FT_MARKER] = "tracing_mark_write",
};

static const char *const status_names[LAB_FTS_NR] = {
	"unknown", "not_suitable_zone", "skipped", "deferred", "no_suitable_page",
	"continue", "complete", "partial_skipped", "contended", "success",
};

const char *lab_ftrace_type_name(enum lab_ftrace_type type)
{
	return (unsigned)type < LAB_FT_NR_TYPES ? type_names[type] : NULL;
}

const char *lab_ftrace_status_name(enum lab_ftrace_status s)
{
	return (unsigned)s < LAB_FTS_NR ? status_names[s] : NULL;
}

/* ---- string interning --------------------------------------------------- */

/* Open-addressing table from a string to a 32-bit value; keys are copied. */
struct strtab {
	uint32_t *slot;         /* entry index + 1, 0 = empty */
	size_t nslot;
	char **key;
	uint32_t *klen;
	uint64_t *val;
	size_t n, cap;
};

static uint64_t hash_bytes(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ull;
	}
	return h;
}

/* Finds @s; returns its entry index or -1. */
static long strtab_find(const struct strtab *t, const char *s, size_t n, uint64_t h)
{
	if (!t->nslot)
		return -1;
	for (size_t i = h & (t->nslot - 1);; i = (i + 1) & (t->nslot - 1)) {
		uint32_t e = t->slot[i];
		if (!e)
			return -1;
		e--;
		if (t->klen[e] == n && !memcmp(t->key[e], s, n))
			return (long)e;
	}
}

static int strtab_grow(struct strtab *t)
{
	size_t ns = t->nslot ? t->nslot * 2 : 64;
	uint32_t *slot = calloc(ns, sizeof(*slot));
	if (!slot)
		return -1;
	for (size_t e = 0; e < t->n; e++) {
		size_t i = hash_bytes(t->key[e], t->klen[e]) & (ns - 1);
		while (slot[i])
			i = (i + 1) & (ns - 1);
		slot[i] = (uint32_t)e + 1;
	}
	free(t->slot);
	t->slot = slot;
	t->nslot = ns;
	return 0;
}

/* Adds @s (known absent) with @val; returns its index or -1 on ENOMEM. */
static long strtab_add(struct strtab *t, const char *s, size_t n, uint64_t h, uint64_t val)
{
	if ((t->n + 1) * 2 > t->nslot && strtab_grow(t))
		return -1;
	if (t->n == t->cap) {
		size_t nc = t->cap ? t->cap * 2 : 32;
		char **k = realloc(t->key, nc * sizeof(*k));
		if (!k)
			return -1;
		t->key = k;
		uint32_t *l = realloc(t->klen, nc * sizeof(*l));
		if (!l)
			return -1;
		t->klen = l;
		uint64_t *v = realloc(t->val, nc * sizeof(*v));
		if (!v)
			return -1;
		t->val = v;
		t->cap = nc;
	}
	char *copy = malloc(n + 1);
	if (!copy)
		return -1;
	memcpy(copy, s, n);
	copy[n] = 0;
	t->key[t->n] = copy;
	t->klen[t->n] = (uint32_t)n;
	t->val[t->n] = val;
	size_t i = h & (t->nslot - 1);
	while (t->slot[i])
		i = (i + 1) & (t->nslot - 1);
	t->slot[i] = (uint32_t)t->n + 1;
	return (long)t->n++;
}

static void strtab_free(struct strtab *t)
{
	for (size_t e = 0; e < t->n; e++)
		free(t->key[e]);
	free(t->key);
	free(t->klen);
	free(t->val);
	free(t->slot);
	memset(t, 0, sizeof(*t));
}

/* ---- parser state --------------------------------------------------------- */

#define PID_CACHE 1024

struct parser {
	struct lab_ftrace *t;
	enum lab_gfp_era era;
	unsigned flags;
	bool gfp_numeric;               /* trace.dat: gfp comes from the raw field */
	const char *name;
	char *err;
	size_t errsz;
	uint32_t lineno;
	struct strtab comms;            /* comm -> index into t->comms */
	struct strtab unknown;          /* event name -> index into t->unknown */
	struct strtab gfps;             /* gfp string -> value */
	struct { uint32_t pid, comm; bool valid; } pid_cache[PID_CACHE];
};

struct kv {
	const char *k, *v;
	uint32_t kl, vl;
};

#define MAX_KV 24

static int fail(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct parser *p, const char *fmt, ...)
{
	if (p->flags & LAB_FTRACE_LENIENT) {
		if (!p->t->malformed && p->err && p->errsz) {
			int n = snprintf(p->err, p->errsz, "%s:%u: ", p->name, p->lineno);
			va_list ap;
			va_start(ap, fmt);
			if (n >= 0 && (size_t)n < p->errsz)
				vsnprintf(p->err + n, p->errsz - (size_t)n, fmt, ap);
			va_end(ap);
		}
		p->t->malformed++;
		return 1;               /* skip the line */
	}
	if (p->err && p->errsz) {
		int n = snprintf(p->err, p->errsz, "%s:%u: ", p->name, p->lineno);
		va_list ap;
		va_start(ap, fmt);
		if (n >= 0 && (size_t)n < p->errsz)
			vsnprintf(p->err + n, p->errsz - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return LAB_FTRACE_EMALFORMED;
}

static int push_event(struct lab_ftrace *t, const struct lab_ftrace_event *e)
{
	if (t->nr == t->cap) {
		size_t nc = t->cap ? t->cap * 2 : 4096;
		struct lab_ftrace_event *n = realloc(t->ev, nc * sizeof(*n));
		if (!n)
			return LAB_FTRACE_ENOMEM;
		t->ev = n;
		t->cap = nc;
	}
	t->ev[t->nr++] = *e;
	return 0;
}

static int push_str(char ***arr, size_t *n, size_t *cap, const char *s, size_t len)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 32;
		char **a = realloc(*arr, nc * sizeof(*a));
		if (!a)
			return -1;
		*arr = a;
		*cap = nc;
	}
	char *c = malloc(len + 1);
	if (!c)
		return -1;
	memcpy(c, s, len);
	c[len] = 0;
	(*arr)[(*n)++] = c;
	return 0;
}

static long intern_comm(struct parser *p, const char *s, size_t n, uint32_t pid)
{
	struct lab_ftrace *t = p->t;
	unsigned ci = pid % PID_CACHE;
	if (p->pid_cache[ci].valid && p->pid_cache[ci].pid == pid) {
		uint32_t id = p->pid_cache[ci].comm;
		if (strlen(t->comms[id]) == n && !memcmp(t->comms[id], s, n))
			return id;
	}
	uint64_t h = hash_bytes(s, n);
	long e = strtab_find(&p->comms, s, n, h);
	if (e < 0) {
		e = strtab_add(&p->comms, s, n, h, t->nr_comms);
		if (e < 0 || push_str(&t->comms, &t->nr_comms, &t->cap_comms, s, n))
			return -1;
	}
	long id = (long)p->comms.val[e];
	p->pid_cache[ci].valid = true;
	p->pid_cache[ci].pid = pid;
	p->pid_cache[ci].comm = (uint32_t)id;
	return id;
}

/* ---- small parsers -------------------------------------------------------- */

static bool parse_u64(const char *s, size_t n, uint64_t *out)
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
	if (!parse_u64(s + neg, n - neg, &v) || v > INT64_MAX)
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

/* Field getters: 0 ok, else the error return of fail(). */
static int get_u64(struct parser *p, const struct kv *kv, unsigned n, const char *ev,
		   const char *key, uint64_t *out)
{
	const struct kv *f = kv_get(kv, n, key);
	if (!f)
		return fail(p, "%s: missing field '%s'", ev, key);
	if (!parse_u64(f->v, f->vl, out))
		return fail(p, "%s: bad value '%.*s' for '%s'", ev, (int)f->vl, f->v, key);
	return 0;
}

static int get_int(struct parser *p, const struct kv *kv, unsigned n, const char *ev,
		   const char *key, int64_t lo, int64_t hi, int64_t *out)
{
	const struct kv *f = kv_get(kv, n, key);
	if (!f)
		return fail(p, "%s: missing field '%s'", ev, key);
	if (!parse_i64(f->v, f->vl, out) || *out < lo || *out > hi)
		return fail(p, "%s: bad value '%.*s' for '%s'", ev, (int)f->vl, f->v, key);
	return 0;
}

static int get_gfp(struct parser *p, const struct kv *kv, unsigned n, const char *ev,
		   const char *key, uint32_t *out)
{
	const struct kv *f = kv_get(kv, n, key);
	if (!f)
		return fail(p, "%s: missing field '%s'", ev, key);
	if (p->gfp_numeric) {
		*out = 0;
		return 0;
	}
	uint64_t h = hash_bytes(f->v, f->vl);
	long e = strtab_find(&p->gfps, f->v, f->vl, h);
	if (e >= 0) {
		*out = (uint32_t)p->gfps.val[e];
		return 0;
	}
	char buf[512];
	if (f->vl >= sizeof(buf))
		return fail(p, "%s: %s too long", ev, key);
	memcpy(buf, f->v, f->vl);
	buf[f->vl] = 0;
	lab_gfp_t g;
	const char *bad = NULL;
	size_t badlen = 0;
	if (lab_gfp_parse(buf, p->era, &g, &bad, &badlen))
		return fail(p, "%s: unknown gfp flag '%.*s' in '%s' (gfp names of kernel era %s)",
			    ev, bad ? (int)badlen : 0, bad ? bad : "", buf, lab_gfp_era_name(p->era));
	if (strtab_add(&p->gfps, f->v, f->vl, h, g) < 0)
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

static enum lab_ftrace_type type_of(const char *s, size_t n)
{
	/* all known names start with "mm_" except three */
	for (int i = 1; i < LAB_FT_NR_TYPES; i++)
		if (strlen(type_names[i]) == n && !memcmp(type_names[i], s, n))
			return (enum lab_ftrace_type)i;
	if (n == 5 && !memcmp(s, "print", 5))
		return LAB_FT_MARKER;
	return LAB_FT_UNKNOWN;
}

#define TRY(x) do { int r_ = (x); if (r_) return r_; } while (0)

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

static int decode_zone_order(struct parser *p, const struct kv *kv, unsigned n, const char *name,
			     struct lab_ftrace_event *e)
{
	int64_t v;
	const struct kv *z = kv_get(kv, n, "zone");
	if (!z)
		z = kv_get(kv, n, "classzone_idx");
	if (z)
		e->a1 = (uint8_t)zone_index(z->v, z->vl);
	if (kv_get(kv, n, "order")) {
		TRY(get_int(p, kv, n, name, "order", -1, 64, &v));
		e->order = (int8_t)v;
	}
	return 0;
}

/*
 * Decodes the payload of one event into @e (type already set). Returns 0,
 * 1 (skip line, lenient) or a negative error.
 */
static int decode_event(struct parser *p, const char *name, size_t namelen,
			const char *pl, const char *end, struct lab_ftrace_event *e)
{
	struct kv kv[MAX_KV];
	unsigned n;
	uint64_t u;
	int64_t v;
	const char *nm = type_names[e->type];

	switch (e->type) {
	case LAB_FT_UNKNOWN: {
		uint64_t h = hash_bytes(name, namelen);
		long x = strtab_find(&p->unknown, name, namelen, h);
		struct lab_ftrace *t = p->t;
		if (x < 0) {
			x = strtab_add(&p->unknown, name, namelen, h, t->nr_unknown);
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
	case LAB_FT_MARKER: {
		struct lab_ftrace *t = p->t;
		/* trace-cmd prints "print: tracing_mark_write: text" for markers */
		if (namelen == 5 && end - pl > 20 && !memcmp(pl, "tracing_mark_write: ", 20))
			pl += 20;
		e->arg = t->nr_markers;
		if (push_str(&t->markers, &t->nr_markers, &t->cap_markers, pl, (size_t)(end - pl)))
			return LAB_FTRACE_ENOMEM;
		return 0;
	}
	case LAB_FT_COMPACTION_ISOLATE_MIGRATEPAGES:
	case LAB_FT_COMPACTION_ISOLATE_FREEPAGES: {
		/* "range=(0x5800 ~ 0x5a00) nr_scanned=1 nr_taken=0" */
		const char *r = pl, *q;
		if (end - r < 7 || memcmp(r, "range=(", 7))
			return fail(p, "%s: expected 'range=(START ~ END)'", nm);
		r += 7;
		q = r;
		while (q < end && *q != ' ')
			q++;
		if (!parse_u64(r, (size_t)(q - r), &e->pfn))
			return fail(p, "%s: bad range start", nm);
		if (end - q < 3 || memcmp(q, " ~ ", 3))
			return fail(p, "%s: expected 'range=(START ~ END)'", nm);
		r = q + 3;
		q = r;
		while (q < end && *q != ')')
			q++;
		if (q == end || !parse_u64(r, (size_t)(q - r), &e->arg))
			return fail(p, "%s: bad range end", nm);
		n = split_kv(q + 1, end, kv);
		TRY(get_u64(p, kv, n, nm, "nr_scanned", &e->arg2));
		TRY(get_u64(p, kv, n, nm, "nr_taken", &u));
		e->gfp = u > UINT32_MAX ? UINT32_MAX : (uint32_t)u;
		return 0;
	}
	default:
		break;
	}

	n = split_kv(pl, end, kv);
	switch (e->type) {
	case LAB_FT_PAGE_ALLOC:
	case LAB_FT_PAGE_ALLOC_ZONE_LOCKED:
	case LAB_FT_PAGE_PCPU_DRAIN:
	case LAB_FT_PAGE_FREE:
	case LAB_FT_PAGE_FREE_BATCHED:
		TRY(get_u64(p, kv, n, nm, "pfn", &e->pfn));
		TRY(get_int(p, kv, n, nm, "order", 0, 63, &v));
		e->order = (int8_t)v;
		if (e->type == LAB_FT_PAGE_FREE || e->type == LAB_FT_PAGE_FREE_BATCHED)
			return 0;
		TRY(get_int(p, kv, n, nm, "migratetype", -1, 15, &v));
		e->mt = (int8_t)v;
		if (e->type == LAB_FT_PAGE_ALLOC) {
			TRY(get_gfp(p, kv, n, nm, "gfp_flags", &e->gfp));
			if (e->pfn == 0 || is_null_page(kv_get(kv, n, "page")))
				e->flags |= LAB_FTF_FAILED;
		} else if (e->type == LAB_FT_PAGE_ALLOC_ZONE_LOCKED) {
			const struct kv *f = kv_get(kv, n, "percpu_refill");
			if (f && !(f->vl == 1 && f->v[0] == '0'))
				e->flags |= LAB_FTF_PCP_REFILL;
		}
		return 0;
	case LAB_FT_PAGE_ALLOC_EXTFRAG:
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
	case LAB_FT_COMPACTION_BEGIN:
	case LAB_FT_COMPACTION_END: {
		TRY(get_u64(p, kv, n, nm, "zone_start", &e->pfn));
		TRY(get_u64(p, kv, n, nm, "zone_end", &e->arg));
		TRY(get_u64(p, kv, n, nm, "migrate_pfn", &e->arg2));
		TRY(get_u64(p, kv, n, nm, "free_pfn", &u));
		e->gfp = u > UINT32_MAX ? UINT32_MAX : (uint32_t)u;
		const struct kv *m = kv_get(kv, n, "mode");
		e->a1 = m && m->vl == 4 && !memcmp(m->v, "sync", 4);
		if (e->type == LAB_FT_COMPACTION_END) {
			const struct kv *s = kv_get(kv, n, "status");
			if (!s)
				return fail(p, "%s: missing field 'status'", nm);
			e->a2 = (uint8_t)status_index(s->v, s->vl);
		}
		return 0;
	}
	case LAB_FT_COMPACTION_MIGRATEPAGES:
		TRY(get_u64(p, kv, n, nm, "nr_migrated", &e->pfn));
		TRY(get_u64(p, kv, n, nm, "nr_failed", &e->arg));
		return 0;
	case LAB_FT_COMPACTION_TRY_TO_COMPACT_PAGES:
		TRY(get_int(p, kv, n, nm, "order", -1, 63, &v));
		e->order = (int8_t)v;
		TRY(get_gfp(p, kv, n, nm, "gfp_mask", &e->gfp));
		if (kv_get(kv, n, "priority")) {
			TRY(get_int(p, kv, n, nm, "priority", 0, 255, &v));
			e->a1 = (uint8_t)v;
		}
		return 0;
	case LAB_FT_COMPACTION_FINISHED:
	case LAB_FT_COMPACTION_SUITABLE: {
		TRY(decode_zone_order(p, kv, n, nm, e));
		const struct kv *s = kv_get(kv, n, "ret");
		if (!s)
			return fail(p, "%s: missing field 'ret'", nm);
		e->a2 = (uint8_t)status_index(s->v, s->vl);
		return 0;
	}
	case LAB_FT_COMPACTION_DEFERRED:
	case LAB_FT_COMPACTION_DEFER_COMPACTION:
	case LAB_FT_COMPACTION_DEFER_RESET:
		TRY(decode_zone_order(p, kv, n, nm, e));
		TRY(get_int(p, kv, n, nm, "order_failed", -1, 64, &v));
		e->pfn = (uint64_t)v;
		TRY(get_u64(p, kv, n, nm, "consider", &e->arg));
		TRY(get_u64(p, kv, n, nm, "limit", &e->arg2));
		return 0;
	case LAB_FT_COMPACTION_KCOMPACTD_WAKE:
	case LAB_FT_COMPACTION_WAKEUP_KCOMPACTD:
	case LAB_FT_VMSCAN_KSWAPD_WAKE:
		return decode_zone_order(p, kv, n, nm, e);
	case LAB_FT_COMPACTION_KCOMPACTD_SLEEP:
	case LAB_FT_VMSCAN_KSWAPD_SLEEP:
		return 0;
	case LAB_FT_VMSCAN_WAKEUP_KSWAPD:
	case LAB_FT_VMSCAN_DIRECT_RECLAIM_BEGIN:
		TRY(get_int(p, kv, n, nm, "order", -1, 63, &v));
		e->order = (int8_t)v;
		return get_gfp(p, kv, n, nm, "gfp_flags", &e->gfp);
	case LAB_FT_VMSCAN_DIRECT_RECLAIM_END:
		return get_u64(p, kv, n, nm, "nr_reclaimed", &e->pfn);
	case LAB_FT_OOM_MARK_VICTIM:
		return get_u64(p, kv, n, nm, "pid", &e->pfn);
	default:
		return fail(p, "internal: no decoder for %s", nm);
	}
}

/* ---- line layer ------------------------------------------------------------- */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Finds "SECS.FRAC:" preceded by a blank; returns the ':' and sets *ts. */
static const char *find_timestamp(const char *s, const char *end, const char **ts)
{
	const char *c = s;
	while (c < end && (c = memchr(c, ':', (size_t)(end - c)))) {
		const char *q = c;
		if (c + 1 < end && c[1] != ' ') {
			c++;
			continue;
		}
		while (q > s && is_digit(q[-1]))
			q--;
		if (q == c || q - 1 <= s || q[-1] != '.') {
			c++;
			continue;
		}
		const char *r = q - 1;
		while (r > s && is_digit(r[-1]))
			r--;
		if (r == q - 1 || r == s || r[-1] != ' ') {
			c++;
			continue;
		}
		*ts = r;
		return c;
	}
	return NULL;
}

static void decode_irq_info(const char *f, size_t n, struct lab_ftrace_event *e)
{
	if (n < 3)
		return;
	if (f[0] == 'd' || f[0] == 'D')
		e->flags |= LAB_FTF_IRQS_OFF;
	switch (f[2]) {
	case '.':
		e->flags |= LAB_FTF_CTX_KNOWN | LAB_CTX_PROCESS;
		break;
	case 's':
		e->flags |= LAB_FTF_CTX_KNOWN | LAB_CTX_SOFTIRQ;
		break;
	case 'h':
	case 'H':
		e->flags |= LAB_FTF_CTX_KNOWN | LAB_CTX_HARDIRQ;
		break;
	case 'z':
	case 'Z':
		e->flags |= LAB_FTF_CTX_KNOWN | LAB_CTX_NMI;
		break;
	default:
		break;
	}
}

static bool irq_info_ok(const char *f, size_t n)
{
	if (n < 3 || n > 6)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!strchr(".dDbBXnNpLhHszZ0123456789abcdef", f[i]) || !f[i])
			return false;
	return true;
}

static int parse_header_line(struct parser *p, const char *s, const char *end)
{
	struct lab_ftrace *t = p->t;
	const char *q;
	size_t n = (size_t)(end - s);
	if ((q = memmem(s, n, "entries-in-buffer/entries-written:", 34))) {
		q += 34;
		while (q < end && *q == ' ')
			q++;
		char buf[128];
		size_t m = (size_t)(end - q) < sizeof(buf) - 1 ? (size_t)(end - q) : sizeof(buf) - 1;
		memcpy(buf, q, m);
		buf[m] = 0;
		unsigned long long a, b;
		int np;
		if (sscanf(buf, "%llu/%llu", &a, &b) == 2) {
			t->entries_in_buffer = a;
			t->entries_written = b;
		}
		const char *pp = strstr(buf, "#P:");
		if (pp && sscanf(pp + 3, "%d", &np) == 1)
			t->nr_cpus = np;
	}
	if (memmem(s, n, "buffer started", 14))
		t->buffer_started++;
	return 0;
}

/*
 * Lines that are not events but are part of the formats: trace-cmd's
 * "cpus=2", "version = 6", "CPU 0 is empty", and the lost-events notice
 * "CPU:1 [LOST 123 EVENTS]". Returns true when @s is one of them.
 */
static bool parse_info_line(struct parser *p, const char *s, const char *end)
{
	struct lab_ftrace *t = p->t;
	size_t n = (size_t)(end - s);
	const char *q;
	if ((q = memmem(s, n, "[LOST ", 6))) {
		uint64_t v = 0;
		const char *r = q + 6;
		while (r < end && is_digit(*r))
			v = v * 10 + (uint64_t)(*r++ - '0');
		t->lost_events += v;
		t->lost_reports++;
		return true;
	}
	if (n > 5 && !memcmp(s, "cpus=", 5)) {
		t->nr_cpus = atoi(s + 5) > 0 ? atoi(s + 5) : t->nr_cpus;
		return true;
	}
	if (n > 7 && !memcmp(s, "version", 7) && memchr(s, '=', n))
		return true;
	if (n > 4 && !memcmp(s, "CPU ", 4) && memmem(s, n, "is empty", 8))
		return true;
	if (n > 4 && !memcmp(s, "CPU:", 4) && memmem(s, n, "buffer started", 14)) {
		t->buffer_started++;
		return true;
	}
	return false;
}

static int parse_line(struct parser *p, const char *s, const char *end)
{
	struct lab_ftrace *t = p->t;
	struct lab_ftrace_event e;
	const char *ts, *colon, *q, *r;

	while (end > s && (end[-1] == '\r' || end[-1] == ' ' || end[-1] == '\t'))
		end--;
	const char *b = s;
	while (b < end && (*b == ' ' || *b == '\t'))
		b++;
	if (b == end)
		return 0;
	if (*b == '#')
		return parse_header_line(p, b, end);
	if (parse_info_line(p, b, end))
		return 0;

	colon = find_timestamp(b, end, &ts);
	if (!colon)
		return fail(p, "not an ftrace event line (expected 'COMM-PID [CPU] FLAGS SECS.USECS: EVENT: FIELDS')");

	memset(&e, 0, sizeof(e));
	e.order = -1;
	e.mt = -1;
	e.line = p->lineno;

	/* timestamp */
	uint64_t sec = 0, frac = 0;
	unsigned fd = 0;
	for (q = ts; *q != '.'; q++)
		sec = sec * 10 + (uint64_t)(*q - '0');
	for (q++; q < colon; q++, fd++)
		if (fd < 9)
			frac = frac * 10 + (uint64_t)(*q - '0');
	if (fd > 9 || sec > UINT64_MAX / 1000000000ull - 1)
		return fail(p, "bad timestamp");
	for (; fd < 9; fd++)
		frac *= 10;
	e.ts_ns = sec * 1000000000ull + frac;

	/* prefix, right to left */
	q = ts;
	while (q > b && q[-1] == ' ')
		q--;
	r = q;
	while (r > b && r[-1] != ' ')
		r--;
	enum lab_ftrace_layout layout;
	const char *cpu_s, *cpu_e;
	if (r == q)
		return fail(p, "missing CPU column");
	if (*r == '[') {
		layout = LAB_FTRACE_LAYOUT_TRACECMD;
		cpu_s = r;
		cpu_e = q;
	} else if (is_digit(*r)) {
		layout = LAB_FTRACE_LAYOUT_TRACECMD_LAT;
		const char *d = r;
		while (d < q && is_digit(*d))
			d++;
		if (!irq_info_ok(d, (size_t)(q - d)))
			return fail(p, "bad CPU/irq-info column '%.*s'", (int)(q - r), r);
		decode_irq_info(d, (size_t)(q - d), &e);
		uint64_t c;
		if (!parse_u64(r, (size_t)(d - r), &c) || c > 65535)
			return fail(p, "bad CPU number");
		e.cpu = (uint16_t)c;
		cpu_s = cpu_e = NULL;
	} else {
		if (!irq_info_ok(r, (size_t)(q - r)))
			return fail(p, "bad irq-info column '%.*s'", (int)(q - r), r);
		decode_irq_info(r, (size_t)(q - r), &e);
		layout = LAB_FTRACE_LAYOUT_TRACEFS;
		q = r;
		while (q > b && q[-1] == ' ')
			q--;
		r = q;
		while (r > b && r[-1] != ' ')
			r--;
		if (r == q || *r != '[')
			return fail(p, "missing [CPU] column");
		cpu_s = r;
		cpu_e = q;
	}
	if (cpu_s) {
		uint64_t c;
		if (cpu_e - cpu_s < 3 || cpu_e[-1] != ']' ||
		    !parse_u64(cpu_s + 1, (size_t)(cpu_e - cpu_s - 2), &c) || c > 65535)
			return fail(p, "bad [CPU] column '%.*s'", (int)(cpu_e - cpu_s), cpu_s);
		e.cpu = (uint16_t)c;
		q = cpu_s;
	} else {
		q = r;
	}
	while (q > b && q[-1] == ' ')
		q--;
	/* optional "(tgid)" column (record-tgid) */
	if (q > b && q[-1] == ')') {
		const char *o = q - 1;
		while (o > b && *o != '(')
			o--;
		if (*o == '(' && o > b && o[-1] == ' ') {
			q = o;
			while (q > b && q[-1] == ' ')
				q--;
		}
	}
	/* comm-pid: pid after the last '-' */
	r = q;
	while (r > b && is_digit(r[-1]))
		r--;
	if (r == q || r == b || r[-1] != '-')
		return fail(p, "missing COMM-PID column");
	uint64_t pid;
	if (!parse_u64(r, (size_t)(q - r), &pid) || pid > UINT32_MAX)
		return fail(p, "bad pid");
	e.pid = (uint32_t)pid;
	long cid = intern_comm(p, b, (size_t)(r - 1 - b), e.pid);
	if (cid < 0)
		return LAB_FTRACE_ENOMEM;
	e.comm = (uint32_t)cid;

	/* "event: payload" */
	q = colon + 1;
	while (q < end && *q == ' ')
		q++;
	r = q;
	while (r < end && *r != ':' && *r != ' ')
		r++;
	if (r == q || r == end || *r != ':')
		return fail(p, "missing 'EVENT:' after the timestamp");
	const char *name = q;
	size_t namelen = (size_t)(r - q);
	q = r + 1;
	while (q < end && *q == ' ')
		q++;
	e.type = (uint8_t)type_of(name, namelen);
	int rc = decode_event(p, name, namelen, q, end, &e);
	if (rc)
		return rc;
	if (t->layout == LAB_FTRACE_LAYOUT_NONE)
		t->layout = layout;
	t->count[e.type]++;
	return push_event(t, &e);
}

static void parser_init(struct parser *p, struct lab_ftrace *t, const struct lab_ftrace_opts *o,
			const char *name, char *err, size_t errsz)
{
	memset(p, 0, sizeof(*p));
	p->t = t;
	p->era = o ? o->era : LAB_GFP_ERA_6_1;
	p->flags = o ? o->flags : 0;
	p->name = name ? name : "<trace>";
	p->err = err;
	p->errsz = errsz;
	if (err && errsz)
		err[0] = 0;
}

static void parser_fini(struct parser *p)
{
	strtab_free(&p->comms);
	strtab_free(&p->unknown);
	strtab_free(&p->gfps);
}

int lab_ftrace_parse_text(const char *buf, size_t len, const char *name,
			  const struct lab_ftrace_opts *o, struct lab_ftrace *t,
			  char *err, size_t errsz)
{
	struct parser *p = malloc(sizeof(*p));
	int rc = 0;

	memset(t, 0, sizeof(*t));
	if (!p)
		return LAB_FTRACE_ENOMEM;
	parser_init(p, t, o, name, err, errsz);
	const char *s = buf, *end = buf + len;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *le = nl ? nl : end;
		p->lineno++;
		if (memchr(s, 0, (size_t)(le - s))) {
			rc = fail(p, "NUL byte in text");
		} else {
			rc = parse_line(p, s, le);
		}
		if (rc < 0)
			break;
		rc = 0;
		s = nl ? nl + 1 : end;
	}
	t->lines = p->lineno;
	parser_fini(p);
	free(p);
	if (rc < 0)
		lab_ftrace_free(t);
	return rc;
}

void lab_ftrace_free(struct lab_ftrace *t)
{
	if (!t)
		return;
	free(t->ev);
	for (size_t i = 0; i < t->nr_comms; i++)
		free(t->comms[i]);
	free(t->comms);
	for (size_t i = 0; i < t->nr_unknown; i++)
		free(t->unknown[i].name);
	free(t->unknown);
	for (size_t i = 0; i < t->nr_markers; i++)
		free(t->markers[i]);
	free(t->markers);
	memset(t, 0, sizeof(*t));
}

/* ---- input: files, xz, gzip -------------------------------------------------- */

static int set_err(char *err, size_t errsz, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int set_err(char *err, size_t errsz, int rc, const char *fmt, ...)
{
	if (err && errsz) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, errsz, fmt, ap);
		va_end(ap);
	}
	return rc;
}

static int read_raw(const char *path, unsigned char **buf, size_t *len, char *err, size_t errsz)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return set_err(err, errsz, LAB_FTRACE_EIO, "%s: %s", path, strerror(errno));
	size_t cap = 1 << 16, n = 0;
	unsigned char *b = malloc(cap + 1);
	while (b) {
		size_t got = fread(b + n, 1, cap - n, f);
		n += got;
		if (n < cap)
			break;
		unsigned char *nb = realloc(b, cap * 2 + 1);
		if (!nb) {
			free(b);
			b = NULL;
			break;
		}
		b = nb;
		cap *= 2;
	}
	int ioerr = ferror(f);
	fclose(f);
	if (!b)
		return set_err(err, errsz, LAB_FTRACE_ENOMEM, "%s: out of memory", path);
	if (ioerr) {
		free(b);
		return set_err(err, errsz, LAB_FTRACE_EIO, "%s: read error", path);
	}
	b[n] = 0;
	*buf = b;
	*len = n;
	return 0;
}

static int grow(unsigned char **out, size_t *cap, size_t need)
{
	if (need + 1 <= *cap)
		return 0;
	size_t nc = *cap ? *cap : 1 << 20;
	while (nc < need + 1)
		nc *= 2;
	unsigned char *n = realloc(*out, nc);
	if (!n)
		return -1;
	*out = n;
	*cap = nc;
	return 0;
}

static int unxz(const unsigned char *in, size_t inlen, unsigned char **out, size_t *outlen,
		const char *path, char *err, size_t errsz)
{
	lzma_stream s = LZMA_STREAM_INIT;
	if (lzma_stream_decoder(&s, UINT64_MAX, LZMA_CONCATENATED) != LZMA_OK)
		return set_err(err, errsz, LAB_FTRACE_EIO, "%s: cannot start xz decoder", path);
	size_t cap = 0, n = 0;
	unsigned char *o = NULL;
	s.next_in = in;
	s.avail_in = inlen;
	lzma_ret r;
	do {
		if (grow(&o, &cap, n + (inlen * 4 > (1u << 20) ? inlen * 4 : (1u << 20)) - 1)) {
			lzma_end(&s);
			free(o);
			return set_err(err, errsz, LAB_FTRACE_ENOMEM, "%s: out of memory", path);
		}
		s.next_out = o + n;
		s.avail_out = cap - 1 - n;
		r = lzma_code(&s, LZMA_FINISH);
		n = (size_t)(s.next_out - o);
	} while (r == LZMA_OK || (r == LZMA_BUF_ERROR && s.avail_out == 0));
	lzma_end(&s);
	if (r != LZMA_STREAM_END) {
		free(o);
		return set_err(err, errsz, LAB_FTRACE_EIO, "%s: xz data corrupt or truncated (lzma error %d)",
			       path, (int)r);
	}
	o[n] = 0;
	*out = o;
	*outlen = n;
	return 0;
}

static int ungz(const unsigned char *in, size_t inlen, unsigned char **out, size_t *outlen,
		const char *path, char *err, size_t errsz)
{
	z_stream s;
	memset(&s, 0, sizeof(s));
	if (inflateInit2(&s, 16 + MAX_WBITS) != Z_OK)
		return set_err(err, errsz, LAB_FTRACE_EIO, "%s: cannot start gzip decoder", path);
	size_t cap = 0, n = 0;
	unsigned char *o = NULL;
	const unsigned char *ip = in;
	size_t left = inlen;
	int r = Z_OK;
	for (;;) {
		if (grow(&o, &cap, n + (1u << 20))) {
			inflateEnd(&s);
			free(o);
			return set_err(err, errsz, LAB_FTRACE_ENOMEM, "%s: out of memory", path);
		}
		uInt chunk_in = left > (1u << 30) ? (1u << 30) : (uInt)left;
		s.next_in = (Bytef *)(uintptr_t)ip;
		s.avail_in = chunk_in;
		s.next_out = o + n;
		s.avail_out = (uInt)(cap - 1 - n > (1u << 30) ? (1u << 30) : cap - 1 - n);
		r = inflate(&s, Z_NO_FLUSH);
		size_t used = chunk_in - s.avail_in;
		ip += used;
		left -= used;
		n = (size_t)(s.next_out - o);
		if (r == Z_STREAM_END) {
			/* concatenated members (gzip -c a b) */
			if (left > 2 && ip[0] == 0x1f && ip[1] == 0x8b) {
				inflateReset(&s);
				continue;
			}
			break;
		}
		if (r != Z_OK && !(r == Z_BUF_ERROR && s.avail_out == 0)) {
			break;
		}
	}
	inflateEnd(&s);
	if (r != Z_STREAM_END) {
		free(o);
		return set_err(err, errsz, LAB_FTRACE_EIO, "%s: gzip data corrupt or truncated (zlib error %d)",
			       path, r);
	}
	o[n] = 0;
	*out = o;
	*outlen = n;
	return 0;
}

static bool is_xz(const unsigned char *b, size_t n)
{
	return n >= 6 && !memcmp(b, "\xfd" "7zXZ\0", 6);
}

static bool is_gz(const unsigned char *b, size_t n)
{
	return n >= 2 && b[0] == 0x1f && b[1] == 0x8b;
}

static bool is_dat(const unsigned char *b, size_t n)
{
	return n >= 10 && !memcmp(b, "\x17\x08\x44tracing", 10);
}

/* Raw bytes, decompressed when they are xz or gzip. */
static int read_decompressed(const char *path, unsigned char **buf, size_t *len, char *err, size_t errsz)
{
	unsigned char *raw;
	size_t n;
	int rc = read_raw(path, &raw, &n, err, errsz);
	if (rc)
		return rc;
	if (is_xz(raw, n) || is_gz(raw, n)) {
		rc = is_xz(raw, n) ? unxz(raw, n, buf, len, path, err, errsz) :
				     ungz(raw, n, buf, len, path, err, errsz);
		free(raw);
		return rc;
	}
	*buf = raw;
	*len = n;
	return 0;
}

int lab_read_file_decompressed(const char *path, char **buf, size_t *len, char *err, size_t errsz)
{
	unsigned char *b;
	int rc = read_decompressed(path, &b, len, err, errsz);
	if (!rc)
		*buf = (char *)b;
	return rc;
}

/* ---- trace.dat ----------------------------------------------------------------- */

#ifdef LAB_HAVE_TRACECMD
struct dat_ctx {
	struct parser *p;
	struct tep_handle *tep;
	struct trace_seq s;
	int rc;
};

/* TRACE_FLAG_* of the kernel's trace_entry.flags (kernel/trace/trace.h) */
#define KTRACE_FLAG_IRQS_OFF 0x01
#define KTRACE_FLAG_HARDIRQ  0x08
#define KTRACE_FLAG_SOFTIRQ  0x10
#define KTRACE_FLAG_NMI      0x40

static int dat_record(struct tracecmd_input *h, struct tep_record *rec, int cpu, void *data)
{
	struct dat_ctx *c = data;
	struct parser *p = c->p;
	struct lab_ftrace *t = p->t;
	struct lab_ftrace_event e;
	(void)h;

	p->lineno++;
	if (rec->missed_events) {
		t->lost_reports++;
		if (rec->missed_events > 0)
			t->lost_events += (uint64_t)rec->missed_events;
	}
	struct tep_event *ev = tep_find_event_by_record(c->tep, rec);
	if (!ev)
		return 0;       /* padding/unknown id: libtracecmd already warned */
	memset(&e, 0, sizeof(e));
	e.order = -1;
	e.mt = -1;
	e.line = p->lineno;
	e.ts_ns = rec->ts;
	e.cpu = (uint16_t)cpu;
	int pid = tep_data_pid(c->tep, rec);
	e.pid = pid < 0 ? 0 : (uint32_t)pid;
	const char *comm = tep_data_comm_from_pid(c->tep, pid);
	if (!comm)
		comm = "<...>";
	long cid = intern_comm(p, comm, strlen(comm), e.pid);
	if (cid < 0) {
		c->rc = LAB_FTRACE_ENOMEM;
		return -1;
	}
	e.comm = (uint32_t)cid;
	int fl = tep_data_flags(c->tep, rec);
	if (fl >= 0) {
		e.flags |= LAB_FTF_CTX_KNOWN;
		if (fl & KTRACE_FLAG_IRQS_OFF)
			e.flags |= LAB_FTF_IRQS_OFF;
		if (fl & KTRACE_FLAG_NMI)
			e.flags |= LAB_CTX_NMI;
		else if (fl & KTRACE_FLAG_HARDIRQ)
			e.flags |= LAB_CTX_HARDIRQ;
		else if (fl & KTRACE_FLAG_SOFTIRQ)
			e.flags |= LAB_CTX_SOFTIRQ;
	}
	trace_seq_reset(&c->s);
	tep_print_event(c->tep, &c->s, rec, "%s", TEP_PRINT_INFO);
	trace_seq_terminate(&c->s);
	const char *pl = c->s.buffer;
	size_t pn = strlen(pl);
	while (pn && (pl[pn - 1] == '\n' || pl[pn - 1] == ' '))
		pn--;
	while (pn && *pl == ' ') {
		pl++;
		pn--;
	}
	e.type = (uint8_t)type_of(ev->name, strlen(ev->name));
	int rc = decode_event(p, ev->name, strlen(ev->name), pl, pl + pn, &e);
	if (rc < 0) {
		c->rc = rc;
		return -1;
	}
	if (rc > 0)
		return 0;
	/* gfp from the raw field: exact, whatever names the kernel printed */
	unsigned long long val;
	if (tep_find_field(ev, "gfp_flags") &&
	    !tep_get_field_val(NULL, ev, "gfp_flags", rec, &val, 0))
		e.gfp = (uint32_t)val;
	else if (tep_find_field(ev, "gfp_mask") &&
		 !tep_get_field_val(NULL, ev, "gfp_mask", rec, &val, 0))
		e.gfp = (uint32_t)val;
	if (e.type == LAB_FT_PAGE_ALLOC && tep_find_field(ev, "pfn") &&
	    !tep_get_field_val(NULL, ev, "pfn", rec, &val, 0) && val == ~0ull) {
		e.flags |= LAB_FTF_FAILED;
		e.pfn = 0;
	}
	t->count[e.type]++;
	if (push_event(t, &e)) {
		c->rc = LAB_FTRACE_ENOMEM;
		return -1;
	}
	return 0;
}

static int load_dat(const char *path, const unsigned char *buf, size_t len, bool from_file,
		    const struct lab_ftrace_opts *o, struct lab_ftrace *t, char *err, size_t errsz)
{
	struct tracecmd_input *h;
	int fd = -1;

	tracecmd_set_loglevel(TEP_LOG_CRITICAL);
	tep_set_loglevel(TEP_LOG_CRITICAL);
	if (from_file) {
		h = tracecmd_open(path, 0);
	} else {
		/* decompressed in memory: hand libtracecmd a memfd */
		fd = memfd_create("lab-trace-dat", 0);
		if (fd < 0)
			return set_err(err, errsz, LAB_FTRACE_EIO, "%s: memfd_create: %s", path, strerror(errno));
		size_t off = 0;
		while (off < len) {
			ssize_t w = write(fd, buf + off, len - off);
			if (w <= 0) {
				close(fd);
				return set_err(err, errsz, LAB_FTRACE_EIO, "%s: cannot stage decompressed data", path);
			}
			off += (size_t)w;
		}
		lseek(fd, 0, SEEK_SET);
		h = tracecmd_open_fd(fd, 0);
	}
	if (!h) {
		if (fd >= 0)
			close(fd);
		return set_err(err, errsz, LAB_FTRACE_EIO, "%s: libtracecmd cannot open this trace.dat", path);
	}
	struct parser *p = malloc(sizeof(*p));
	struct dat_ctx c;
	memset(&c, 0, sizeof(c));
	memset(t, 0, sizeof(*t));
	if (!p) {
		tracecmd_close(h);
		return LAB_FTRACE_ENOMEM;
	}
	parser_init(p, t, o, path, err, errsz);
	p->gfp_numeric = true;
	c.p = p;
	c.tep = tracecmd_get_tep(h);
	trace_seq_init(&c.s);
	t->layout = LAB_FTRACE_LAYOUT_DAT;
	t->nr_cpus = c.tep ? tep_get_cpus(c.tep) : 0;
	tracecmd_iterate_events(h, NULL, 0, dat_record, &c);
	trace_seq_destroy(&c.s);
	tracecmd_close(h);
	t->lines = p->lineno;
	parser_fini(p);
	free(p);
	if (c.rc < 0) {
		lab_ftrace_free(t);
		return c.rc;
	}
	return 0;
}
#endif

int lab_ftrace_load(const char *path, const struct lab_ftrace_opts *o, struct lab_ftrace *t,
		    char *err, size_t errsz)
{
	unsigned char *raw;
	size_t n;
	int rc;

	memset(t, 0, sizeof(*t));
	rc = read_raw(path, &raw, &n, err, errsz);
	if (rc)
		return rc;
	bool compressed = is_xz(raw, n) || is_gz(raw, n);
	if (compressed) {
		unsigned char *d;
		size_t dn;
		rc = is_xz(raw, n) ? unxz(raw, n, &d, &dn, path, err, errsz) :
				     ungz(raw, n, &d, &dn, path, err, errsz);
		free(raw);
		if (rc)
			return rc;
		raw = d;
		n = dn;
	}
	if (is_dat(raw, n)) {
#ifdef LAB_HAVE_TRACECMD
		rc = load_dat(path, raw, n, !compressed, o, t, err, errsz);
#else
		rc = set_err(err, errsz, LAB_FTRACE_ENOSYS,
			     "%s: a binary trace.dat, but this build has no libtracecmd "
			     "(convert it with `trace-cmd report -l`)", path);
#endif
		free(raw);
		return rc;
	}
	rc = lab_ftrace_parse_text((const char *)raw, n, path, o, t, err, errsz);
	free(raw);
	return rc;
}
