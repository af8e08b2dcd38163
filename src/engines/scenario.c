/* SPDX-License-Identifier: MIT */
/*
 * engines/scenario.c - scenario files (YAML, through libyaml's document API)
 * and "key=value" overrides, into struct lab_scenario.
 *
 *   name: nic-rx-storm            top level      keys of the table below
 *   machine: {memory: 512M, ...}  machine_fields
 *   tunables: {...}               tunable_fields (sysctl names)
 *   sim: {...}                    sim_fields
 *   phases: [{name, duration}]    or duration: 4s (one phase "run")
 *   workloads:                    list; type: picks the field table
 *     - {type: nic-rx, name: rx, phases: [storm], cpus: [0, 1], rate: 400k}
 *
 * Every value goes through one table-driven path (struct field: key, type,
 * offset, range), whether it comes from the file or from --set, so both
 * get the same checks and the same messages. Errors name the file, line,
 * column and key path, and fall in the classes of enum
 * lab_scenario_errcode: syntax, unknown key, wrong type, bad value,
 * missing key.
 *
 * Units: sizes 4096, 4k, 16M, 2GiB, 1T (binary); pages 512 or a size
 * (rounded down to pages) or "15%" of machine.memory; durations 250ns,
 * 10us, 5ms, 2s, 1min, 1h, 1d (a unit is required); rates 1500, 400k, 2M
 * (per second, decimal).
 *
 * Bounded: input at most 1 MiB; the walk descends only where the schema
 * does (at most 4 levels), so aliases cannot make it loop.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>
#include "sim_int.h"

#define MAX_INPUT (1u << 20)
#define PCT_FLAG (1ull << 63)   /* F_PAGES value holds millipercent of memory */

/* ---- errors ------------------------------------------------------------------ */

void sim_error_set(struct lab_sim_error *e, enum lab_scenario_errcode code, const char *file,
		   unsigned line, unsigned col, const char *key, const char *fmt, ...)
{
	va_list ap;
	if (!e)
		return;
	e->code = code;
	snprintf(e->file, sizeof(e->file), "%s", file ? file : "");
	e->line = line;
	e->column = col;
	snprintf(e->key, sizeof(e->key), "%s", key ? key : "");
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
}

const char *lab_scenario_errcode_name(enum lab_scenario_errcode code)
{
	static const char *const names[LAB_SCN_ERR_NR] = {
		"ok", "io", "syntax", "unknown key", "wrong type", "bad value", "missing key", "nomem",
	};
	return code < LAB_SCN_ERR_NR ? names[code] : "?";
}

const char *lab_sim_error_format(const struct lab_sim_error *e, char *buf, size_t size)
{
	char pos[48] = "";
	if (e->line)
		snprintf(pos, sizeof(pos), ":%u:%u", e->line, e->column);
	snprintf(buf, size, "%s%s: %s%s%s (%s)", e->file[0] ? e->file : "scenario", pos,
		 e->key[0] ? e->key : "", e->key[0] ? ": " : "", e->msg, lab_scenario_errcode_name(e->code));
	return buf;
}

/* ---- field tables -------------------------------------------------------------- */

enum ftype {
	F_SIZE, F_PAGES, F_DURATION, F_RATE, F_FLOAT, F_UINT, F_INT, F_BOOL, F_GFP, F_CONTEXT,
	F_ORDERS, F_STRING, F_MINFREE, F_LRR, F_PATTERN, F_METHOD, F_ZONELIMIT, F_CPUS, F_PHASES,
	F_RANGES, F_TEXT
};

struct field {
	const char *key;
	uint8_t type;
	size_t off;
	double min, max;
	int tun_bit;                    /* tunables: bit in set_mask, else -1 */
};

#define SC(m) offsetof(struct lab_scenario, m)
#define WL(m) offsetof(struct sim_wl_cfg, m)
#define NOTUN -1

static const struct field top_fields[] = {
	{ "name", F_STRING, SC(name), 0, sizeof(((struct lab_scenario *)0)->name), NOTUN },
	{ "description", F_TEXT, SC(description), 0, sizeof(((struct lab_scenario *)0)->description), NOTUN },
	{ NULL, 0, 0, 0, 0, 0 }
};

static const struct field machine_fields[] = {
	{ "memory", F_SIZE, SC(mem_bytes), 1 << 20, 16.0 * (1ull << 40), NOTUN },
	{ "phys_base", F_SIZE, SC(phys_base), 0, 1ull << 52, NOTUN },
	{ "cpus", F_UINT, SC(nr_cpus), 1, LAB_MAX_CPUS, NOTUN },
	{ "pageblock_order", F_UINT, SC(pageblock_order), 1, LAB_MAX_ORDER - 1, NOTUN },
	{ "movable", F_SIZE, SC(movable_bytes), 0, 16.0 * (1ull << 40), NOTUN },
	{ "dma", F_ZONELIMIT, SC(dma_limit), 0, 1ull << 52, NOTUN },
	{ "dma32", F_ZONELIMIT, SC(dma32_limit), 0, 1ull << 52, NOTUN },
	{ "pcp", F_BOOL, SC(pcp), 0, 1, NOTUN },
	{ "reserved", F_RANGES, SC(reserved), 0, 0, NOTUN },
	{ NULL, 0, 0, 0, 0, 0 }
};

static const struct field tunable_fields[] = {
	{ "min_free_kbytes", F_MINFREE, SC(tun.min_free_kbytes), 0, 262144 * 4, TUN_MIN_FREE },
	{ "watermark_scale_factor", F_INT, SC(tun.watermark_scale_factor), 1, 3000, TUN_WSF },
	{ "watermark_boost_factor", F_INT, SC(tun.watermark_boost_factor), 0, 1e9, TUN_WBF },
	{ "lowmem_reserve_ratio", F_LRR, SC(tun.lowmem_reserve_ratio), 0, 1e9, TUN_LRR },
	{ "percpu_pagelist_high_fraction", F_INT, SC(tun.percpu_pagelist_high_fraction), 0, 1e9, TUN_PPHF },
	{ "extfrag_threshold", F_INT, SC(tun.extfrag_threshold), 0, 1000, TUN_EXTFRAG },
	{ "highatomic_reserve", F_BOOL, SC(tun.highatomic_reserve), 0, 1, TUN_HIGHATOMIC },
	{ "compaction_proactiveness", F_INT, SC(tun.compaction_proactiveness), 0, 100, TUN_PROACTIVE },
	{ NULL, 0, 0, 0, 0, 0 }
};

static const struct field sim_fields[] = {
	{ "samples", F_UINT, SC(sim.samples), 1, 1000000, NOTUN },
	{ "kswapd_batch", F_UINT, SC(sim.kswapd_batch), 1, 1 << 20, NOTUN },
	{ "kswapd_ns_per_page", F_DURATION, SC(sim.kswapd_ns_per_page), 0, 1e9, NOTUN },
	{ "kswapd_wake_latency", F_DURATION, SC(sim.kswapd_wake_ns), 0, 1e10, NOTUN },
	{ "kswapd_nap", F_DURATION, SC(sim.kswapd_nap_ns), 0, 1e11, NOTUN },
	{ "kswapd_cpu", F_INT, SC(sim.kswapd_cpu), -1, LAB_MAX_CPUS - 1, NOTUN },
	{ "kcompactd_batch", F_UINT, SC(sim.kcompactd_batch), 1, 1 << 20, NOTUN },
	{ "kcompactd_ns_per_page", F_DURATION, SC(sim.kcompactd_ns_per_page), 0, 1e9, NOTUN },
	{ "nest_window", F_DURATION, SC(sim.nest_window_ns), 0, 1e9, NOTUN },
	{ "warn_records", F_UINT, SC(sim.warn_records), 0, 64, NOTUN },
	{ "direct_reclaim_retries", F_UINT, SC(sim.direct_reclaim_retries), 0, 1000, NOTUN },
	{ "check", F_BOOL, SC(sim.check), 0, 1, NOTUN },
	{ NULL, 0, 0, 0, 0, 0 }
};

static const struct field wl_common_fields[] = {
	{ "phases", F_PHASES, WL(phase_mask), 0, 0, NOTUN },
	{ "cpus", F_CPUS, WL(cpu_mask), 0, 0, NOTUN },
	{ NULL, 0, 0, 0, 0, 0 }
};

#define NX(m) WL(p.nicrx.m)
static const struct field nicrx_fields[] = {
	{ "rate", F_RATE, NX(rate), 0, 1e9, NOTUN },
	{ "pattern", F_PATTERN, NX(pattern), 0, 0, NOTUN },
	{ "on", F_DURATION, NX(on_ns), 1, 1e13, NOTUN },
	{ "off", F_DURATION, NX(off_ns), 0, 1e13, NOTUN },
	{ "orders", F_ORDERS, NX(orders), 0, 0, NOTUN },
	{ "gfp", F_GFP, NX(gfp), 0, 0, NOTUN },
	{ "context", F_CONTEXT, NX(context), 0, 0, NOTUN },
	{ "ring", F_UINT, NX(ring), 1, 1 << 16, NOTUN },
	{ "refill_batch", F_UINT, NX(refill_batch), 1, 1 << 16, NOTUN },
	{ "bulk", F_BOOL, NX(bulk), 0, 1, NOTUN },
	{ "hold", F_DURATION, NX(hold_ns), 0, 1e12, NOTUN },
	{ "hold_jitter", F_DURATION, NX(hold_jitter_ns), 0, 1e12, NOTUN },
	{ "page_pool", F_UINT, NX(page_pool), 0, 1 << 16, NOTUN },
	{ "cost", F_DURATION, NX(cost_ns), 0, 1e9, NOTUN },
	{ NULL, 0, 0, 0, 0, 0 }
};

#define CA(m) WL(p.cardiac.m)
static const struct field cardiac_fields[] = {
	{ "cpu", F_UINT, CA(cpu), 0, LAB_MAX_CPUS - 1, NOTUN },
	{ "period", F_DURATION, CA(period_ns), 1000, 1e12, NOTUN },
	{ "order", F_UINT, CA(order), 0, LAB_MAX_ORDER - 1, NOTUN },
	{ "gfp", F_GFP, CA(gfp), 0, 0, NOTUN },
	{ "deadline", F_DURATION, CA(deadline_ns), 1, 1e12, NOTUN },
	{ "retry", F_DURATION, CA(retry_ns), 0, 1e12, NOTUN },
	{ "hold", F_DURATION, CA(hold_ns), 0, 1e12, NOTUN },
	{ "cost", F_DURATION, CA(cost_ns), 0, 1e9, NOTUN },
	{ NULL, 0, 0, 0, 0, 0 }
};

#define PC(m) WL(p.pagecache.m)
static const struct field pagecache_fields[] = {
	{ "rate", F_RATE, PC(rate), 0, 1e9, NOTUN },
	{ "batch", F_UINT, PC(batch), 1, 4096, NOTUN },
	{ "working_set", F_PAGES, PC(working_set), 1, 1ull << 40, NOTUN },
	{ "hot_pages", F_PAGES, PC(hot_pages), 0, 1ull << 40, NOTUN },
	{ "hot_fraction", F_FLOAT, PC(hot_fraction), 0, 1, NOTUN },
	{ "readahead", F_UINT, PC(readahead), 1, 256, NOTUN },
	{ "write_fraction", F_FLOAT, PC(write_fraction), 0, 1, NOTUN },
	{ "dirty_expire", F_DURATION, PC(dirty_expire_ns), 0, 1e13, NOTUN },
	{ "reclaimable_fraction", F_FLOAT, PC(reclaimable_fraction), 0, 1, NOTUN },
	{ "gfp", F_GFP, PC(gfp), 0, 0, NOTUN },
	{ "comm", F_STRING, PC(comm), 0, SIM_COMM, NOTUN },
	{ NULL, 0, 0, 0, 0, 0 }
};

#define AN(m) WL(p.anon.m)
static const struct field anon_fields[] = {
	{ "spawn_rate", F_RATE, AN(spawn_rate), 0, 1e7, NOTUN },
	{ "burst", F_UINT, AN(burst), 1, 4096, NOTUN },
	{ "pages", F_PAGES, AN(pages), 1, 1ull << 40, NOTUN },
	{ "lifetime", F_DURATION, AN(lifetime_ns), 1, 1e15, NOTUN },
	{ "fault_rate", F_RATE, AN(fault_rate), 1, 1e12, NOTUN },
	{ "fault_batch", F_UINT, AN(fault_batch), 1, 1 << 20, NOTUN },
	{ "max_procs", F_UINT, AN(max_procs), 1, 1 << 20, NOTUN },
	{ "thp_fraction", F_FLOAT, AN(thp_fraction), 0, 1, NOTUN },
	{ "thp_order", F_UINT, AN(thp_order), 1, LAB_MAX_ORDER - 1, NOTUN },
	{ "gfp", F_GFP, AN(gfp), 0, 0, NOTUN },
	{ "comm", F_STRING, AN(comm), 0, SIM_COMM, NOTUN },
	{ NULL, 0, 0, 0, 0, 0 }
};

#define SL(m) WL(p.slab.m)
static const struct field slab_fields[] = {
	{ "target", F_PAGES, SL(target), 0, 1ull << 40, NOTUN },
	{ "grow_rate", F_RATE, SL(grow_rate), 0, 1e12, NOTUN },
	{ "churn", F_FLOAT, SL(churn), 0, 1000, NOTUN },
	{ "orders", F_ORDERS, SL(orders), 0, 0, NOTUN },
	{ "reclaimable", F_FLOAT, SL(reclaimable), 0, 1, NOTUN },
	{ "gfp", F_GFP, SL(gfp), 0, 0, NOTUN },
	{ "tick", F_DURATION, SL(tick_ns), 1000, 1e12, NOTUN },
	{ "comm", F_STRING, SL(comm), 0, SIM_COMM, NOTUN },
	{ NULL, 0, 0, 0, 0, 0 }
};

#define CG(m) WL(p.contig.m)
static const struct field contig_fields[] = {
	{ "period", F_DURATION, CG(period_ns), 1000, 1e15, NOTUN },
	{ "offset", F_DURATION, CG(offset_ns), 0, 1e15, NOTUN },
	{ "size", F_PAGES, CG(nr_pages), 1, 1ull << 40, NOTUN },
	{ "hold", F_DURATION, CG(hold_ns), 0, 1e15, NOTUN },
	{ "gfp", F_GFP, CG(gfp), 0, 0, NOTUN },
	{ "method", F_METHOD, CG(method), 0, 0, NOTUN },
	{ "comm", F_STRING, CG(comm), 0, SIM_COMM, NOTUN },
	{ NULL, 0, 0, 0, 0, 0 }
};

static const char *const wl_type_names[WL_NR_TYPES] = {
	"nic-rx", "cardiac-monitor", "page-cache", "anon", "slab", "contig-dma",
};

static const struct field *const wl_type_fields[WL_NR_TYPES] = {
	nicrx_fields, cardiac_fields, pagecache_fields, anon_fields, slab_fields, contig_fields,
};

const char *wl_type_name(int type)
{
	return type >= 0 && type < WL_NR_TYPES ? wl_type_names[type] : "?";
}

static const struct field *find_field(const struct field *t, const char *key)
{
	for (; t && t->key; t++)
		if (!strcmp(t->key, key))
			return t;
	return NULL;
}

static void list_keys(const struct field *t, char *buf, size_t size)
{
	size_t n = 0;
	buf[0] = '\0';
	for (; t && t->key && n < size; t++)
		n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? ", " : "", t->key);
}

/* ---- parsing context ---------------------------------------------------------- */

struct pctx {
	struct lab_scenario *sc;
	yaml_document_t *doc;           /* NULL for --set values */
	const char *file;
	struct lab_sim_error *err;
	char path[128];                 /* key path of the value being parsed */
	unsigned line, col;
};

static int fail(struct pctx *c, enum lab_scenario_errcode code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct pctx *c, enum lab_scenario_errcode code, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	sim_error_set(c->err, code, c->file, c->line, c->col, c->path, "%s", msg);
	return -1;
}

static void at_node(struct pctx *c, const yaml_node_t *n)
{
	if (n) {
		c->line = (unsigned)n->start_mark.line + 1;
		c->col = (unsigned)n->start_mark.column + 1;
	}
}

static const char *node_type_name(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_SCALAR_NODE: return "a scalar";
	case YAML_SEQUENCE_NODE: return "a list";
	case YAML_MAPPING_NODE: return "a mapping";
	default: return "nothing";
	}
}

/* ---- scalar parsers (strings; from the file or from --set) -------------------------- */

static int parse_number(const char *s, double *out, const char **rest)
{
	char *end;
	while (isspace((unsigned char)*s))
		s++;
	if (!*s || (!isdigit((unsigned char)*s) && *s != '-' && *s != '+' && *s != '.'))
		return -1;
	errno = 0;
	double v = strtod(s, &end);
	if (end == s || errno == ERANGE || !isfinite(v))
		return -1;
	while (isspace((unsigned char)*end))
		end++;
	*out = v;
	*rest = end;
	return 0;
}

struct unit {
	const char *name;
	double mult;
};

static int match_unit(const char *rest, const struct unit *units, double *mult)
{
	for (; units->name; units++)
		if (!strcmp(rest, units->name)) {
			*mult = units->mult;
			return 0;
		}
	return -1;
}

static const struct unit size_units[] = {
	{ "", 1 }, { "b", 1 }, { "B", 1 },
	{ "k", 1024.0 }, { "K", 1024.0 }, { "KB", 1024.0 }, { "KiB", 1024.0 }, { "kB", 1024.0 },
	{ "M", 1048576.0 }, { "MB", 1048576.0 }, { "MiB", 1048576.0 }, { "m", 1048576.0 },
	{ "G", 1073741824.0 }, { "GB", 1073741824.0 }, { "GiB", 1073741824.0 }, { "g", 1073741824.0 },
	{ "T", 1099511627776.0 }, { "TB", 1099511627776.0 }, { "TiB", 1099511627776.0 }, { "t", 1099511627776.0 },
	{ NULL, 0 }
};

static const struct unit time_units[] = {
	{ "ns", 1 }, { "us", 1e3 }, { "µs", 1e3 }, { "ms", 1e6 }, { "s", 1e9 }, { "sec", 1e9 },
	{ "min", 60e9 }, { "m", 60e9 }, { "h", 3600e9 }, { "d", 86400e9 }, { "w", 604800e9 },
	{ NULL, 0 }
};

static const struct unit rate_units[] = {
	{ "", 1 }, { "/s", 1 }, { "k", 1e3 }, { "k/s", 1e3 }, { "K", 1e3 }, { "M", 1e6 }, { "M/s", 1e6 },
	{ "G", 1e9 }, { NULL, 0 }
};

static int range_check(struct pctx *c, const struct field *f, double v)
{
	if (v < f->min || v > f->max)
		return fail(c, LAB_SCN_ERR_VALUE, "%g is out of range [%g, %g]", v, f->min, f->max);
	return 0;
}

static int parse_unit_value(struct pctx *c, const struct field *f, const char *s, const struct unit *u,
			    const char *what, double *out)
{
	double v, mult;
	const char *rest;
	if (parse_number(s, &v, &rest) != 0 || match_unit(rest, u, &mult) != 0) {
		/* a duration needs a unit, except 0 */
		if (u == time_units && parse_number(s, &v, &rest) == 0 && !*rest && v == 0) {
			*out = 0;
			return 0;
		}
		return fail(c, LAB_SCN_ERR_TYPE, "'%s' is not %s", s, what);
	}
	v *= mult;
	if (v < 0)
		return fail(c, LAB_SCN_ERR_VALUE, "'%s' is negative", s);
	*out = v;
	return range_check(c, f, v);
}

static int parse_bool(const char *s, int *out)
{
	static const char *const yes[] = { "true", "yes", "on", "1", "True", "TRUE", "y" };
	static const char *const no[] = { "false", "no", "off", "0", "False", "FALSE", "n" };
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!strcmp(s, yes[i])) {
			*out = 1;
			return 0;
		}
		if (!strcmp(s, no[i])) {
			*out = 0;
			return 0;
		}
	}
	return -1;
}

static int parse_int_strict(const char *s, long long *out)
{
	char *end;
	while (isspace((unsigned char)*s))
		s++;
	if (!*s)
		return -1;
	errno = 0;
	long long v = strtoll(s, &end, 0);
	while (isspace((unsigned char)*end))
		end++;
	if (*end || errno == ERANGE)
		return -1;
	*out = v;
	return 0;
}

/* Orders: "3", or "2:0.3,3:0.7" (from --set), into a distribution. */
static int orders_add(struct pctx *c, struct sim_order_dist *d, const char *key, const char *weight)
{
	long long o;
	double w;
	const char *rest;
	if (parse_int_strict(key, &o) != 0)
		return fail(c, LAB_SCN_ERR_TYPE, "order '%s' is not an integer", key);
	if (o < 0 || o >= LAB_MAX_ORDER)
		return fail(c, LAB_SCN_ERR_VALUE, "order %lld is out of range [0, %d]", o, LAB_MAX_ORDER - 1);
	if (parse_number(weight, &w, &rest) != 0 || *rest)
		return fail(c, LAB_SCN_ERR_TYPE, "weight '%s' of order %lld is not a number", weight, o);
	if (w < 0)
		return fail(c, LAB_SCN_ERR_VALUE, "weight %g of order %lld is negative", w, o);
	d->weight[o] += w;
	return 0;
}

static int orders_finish(struct pctx *c, struct sim_order_dist *d)
{
	double total = 0;
	for (int o = 0; o < LAB_MAX_ORDER; o++)
		total += d->weight[o];
	if (!(total > 0))
		return fail(c, LAB_SCN_ERR_VALUE, "the order weights add up to 0");
	order_dist_finish(d);
	return 0;
}

static int orders_from_string(struct pctx *c, struct sim_order_dist *d, const char *s)
{
	char buf[256];
	memset(d, 0, sizeof(*d));
	snprintf(buf, sizeof(buf), "%s", s);
	if (!strchr(buf, ':')) {
		if (orders_add(c, d, buf, "1") != 0)
			return -1;
		return orders_finish(c, d);
	}
	for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *colon = strchr(tok, ':');
		if (!colon)
			return fail(c, LAB_SCN_ERR_TYPE, "'%s' is not ORDER:WEIGHT", tok);
		*colon = '\0';
		if (orders_add(c, d, tok, colon + 1) != 0)
			return -1;
	}
	return orders_finish(c, d);
}

static int phase_index(const struct lab_scenario *sc, const char *name)
{
	for (unsigned i = 0; i < sc->nr_phases; i++)
		if (!strcmp(sc->phases[i].name, name))
			return (int)i;
	return -1;
}

static int add_phase_name(struct pctx *c, uint32_t *mask, const char *name)
{
	if (!strcmp(name, "all")) {
		*mask = (1u << c->sc->nr_phases) - 1;
		return 0;
	}
	int i = phase_index(c->sc, name);
	if (i < 0)
		return fail(c, LAB_SCN_ERR_UNKNOWN, "no phase named '%s'", name);
	*mask |= 1u << i;
	return 0;
}

static int add_cpu(struct pctx *c, uint64_t *mask, const char *s)
{
	long long v;
	if (!strcmp(s, "all")) {
		*mask = 0;
		return 0;
	}
	if (parse_int_strict(s, &v) != 0)
		return fail(c, LAB_SCN_ERR_TYPE, "CPU '%s' is not an integer", s);
	if (v < 0 || v >= LAB_MAX_CPUS)
		return fail(c, LAB_SCN_ERR_VALUE, "CPU %lld is out of range [0, %d]", v, LAB_MAX_CPUS - 1);
	*mask |= 1ull << v;
	return 0;
}

/* A scalar value @s into field @f of @base. */
static int set_scalar(struct pctx *c, const struct field *f, void *base, const char *s)
{
	char *dst = (char *)base + f->off;
	double v;
	long long iv;

	switch (f->type) {
	case F_SIZE:
	case F_ZONELIMIT:
		if (f->type == F_ZONELIMIT && !strcmp(s, "none")) {
			*(uint64_t *)(void *)dst = 0;
			if (f->off == SC(dma_limit))
				c->sc->no_dma = 1;
			else
				c->sc->no_dma32 = 1;
			return 0;
		}
		if (parse_unit_value(c, f, s, size_units, "a size like 512M", &v) != 0)
			return -1;
		if (((uint64_t)v) % LAB_PAGE_SIZE && f->type != F_SIZE)
			return fail(c, LAB_SCN_ERR_VALUE, "'%s' is not a multiple of the page size", s);
		*(uint64_t *)(void *)dst = (uint64_t)v;
		if (f->type == F_ZONELIMIT) {
			if (f->off == SC(dma_limit))
				c->sc->no_dma = 0;
			else
				c->sc->no_dma32 = 0;
		}
		return 0;
	case F_PAGES: {
		size_t len = strlen(s);
		if (len > 1 && s[len - 1] == '%') {
			char num[64];
			const char *rest;
			snprintf(num, sizeof(num), "%.*s", (int)(len - 1), s);
			if (parse_number(num, &v, &rest) != 0 || *rest)
				return fail(c, LAB_SCN_ERR_TYPE, "'%s' is not a percentage", s);
			if (v < 0 || v > 10000)
				return fail(c, LAB_SCN_ERR_VALUE, "%g%% is out of range [0, 10000]", v);
			*(uint64_t *)(void *)dst = PCT_FLAG | (uint64_t)(v * 1000.0);
			return 0;
		}
		if (parse_int_strict(s, &iv) == 0) {
			v = (double)iv;
		} else {
			if (parse_unit_value(c, f, s, size_units, "a page count, a size like 64M or a percentage", &v) != 0)
				return -1;
			v = floor(v / LAB_PAGE_SIZE);
		}
		if (v < 0)
			return fail(c, LAB_SCN_ERR_VALUE, "'%s' is negative", s);
		if (range_check(c, f, v) != 0)
			return -1;
		*(uint64_t *)(void *)dst = (uint64_t)v;
		return 0;
	}
	case F_DURATION:
		if (parse_unit_value(c, f, s, time_units, "a duration like 10ms (ns, us, ms, s, min, h, d)", &v) != 0)
			return -1;
		*(uint64_t *)(void *)dst = (uint64_t)v;
		return 0;
	case F_RATE:
		if (parse_unit_value(c, f, s, rate_units, "a rate like 400k (per second)", &v) != 0)
			return -1;
		*(double *)(void *)dst = v;
		return 0;
	case F_FLOAT: {
		const char *rest;
		if (parse_number(s, &v, &rest) != 0 || *rest)
			return fail(c, LAB_SCN_ERR_TYPE, "'%s' is not a number", s);
		if (range_check(c, f, v) != 0)
			return -1;
		*(double *)(void *)dst = v;
		return 0;
	}
	case F_UINT:
	case F_INT:
	case F_MINFREE:
		if (f->type == F_MINFREE && !strcmp(s, "default")) {
			*(int *)(void *)dst = 0;
			return 0;
		}
		if (parse_int_strict(s, &iv) != 0)
			return fail(c, LAB_SCN_ERR_TYPE, "'%s' is not an integer", s);
		if (range_check(c, f, (double)iv) != 0)
			return -1;
		if (f->type == F_UINT)
			*(unsigned *)(void *)dst = (unsigned)iv;
		else
			*(int *)(void *)dst = (int)iv;
		return 0;
	case F_BOOL: {
		int b;
		if (parse_bool(s, &b) != 0)
			return fail(c, LAB_SCN_ERR_TYPE, "'%s' is not a boolean (true/false)", s);
		*(int *)(void *)dst = b;
		return 0;
	}
	case F_GFP: {
		lab_gfp_t g;
		const char *bad = NULL;
		size_t bad_len = 0;
		if (lab_gfp_parse(s, LAB_GFP_ERA_6_1, &g, &bad, &bad_len) != 0)
			return fail(c, LAB_SCN_ERR_TYPE, "'%.*s' is not a GFP flag (e.g. GFP_ATOMIC|__GFP_COMP)",
				    (int)(bad_len < 64 ? bad_len : 64), bad ? bad : s);
		if (lab_gfp_zone(g) < 0)
			return fail(c, LAB_SCN_ERR_VALUE, "'%s': invalid zone modifier combination", s);
		*(lab_gfp_t *)(void *)dst = g;
		return 0;
	}
	case F_CONTEXT:
		if (!strcmp(s, "softirq"))
			*(int *)(void *)dst = LAB_CTX_SOFTIRQ;
		else if (!strcmp(s, "hardirq"))
			*(int *)(void *)dst = LAB_CTX_HARDIRQ;
		else
			return fail(c, LAB_SCN_ERR_VALUE, "'%s' is not softirq or hardirq", s);
		return 0;
	case F_PATTERN:
		if (!strcmp(s, "poisson"))
			*(int *)(void *)dst = NICRX_POISSON;
		else if (!strcmp(s, "bursts"))
			*(int *)(void *)dst = NICRX_BURSTS;
		else
			return fail(c, LAB_SCN_ERR_VALUE, "'%s' is not poisson or bursts", s);
		return 0;
	case F_METHOD:
		if (!strcmp(s, "buddy"))
			*(int *)(void *)dst = CONTIG_BUDDY;
		else if (!strcmp(s, "contig"))
			*(int *)(void *)dst = CONTIG_RANGE;
		else if (!strcmp(s, "cma"))
			*(int *)(void *)dst = CONTIG_CMA;
		else
			return fail(c, LAB_SCN_ERR_VALUE, "'%s' is not buddy, contig or cma", s);
		return 0;
	case F_STRING:
	case F_TEXT:
		if (strlen(s) >= (size_t)f->max)
			return fail(c, LAB_SCN_ERR_VALUE, "'%.40s' is longer than %d characters", s, (int)f->max - 1);
		if (f->type == F_STRING)
			for (const char *p = s; *p; p++)
				if (!isprint((unsigned char)*p))
					return fail(c, LAB_SCN_ERR_VALUE, "contains a non-printable character");
		memcpy(dst, s, strlen(s) + 1);
		return 0;
	case F_ORDERS:
		return orders_from_string(c, (struct sim_order_dist *)(void *)dst, s);
	case F_CPUS: {
		uint64_t m = 0;
		char buf[256];
		snprintf(buf, sizeof(buf), "%s", s);
		for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save))
			if (add_cpu(c, &m, t) != 0)
				return -1;
		*(uint64_t *)(void *)dst = m;
		return 0;
	}
	case F_PHASES: {
		uint32_t m = 0;
		char buf[256];
		snprintf(buf, sizeof(buf), "%s", s);
		for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save))
			if (add_phase_name(c, &m, t) != 0)
				return -1;
		*(uint32_t *)(void *)dst = m;
		return 0;
	}
	case F_LRR: {
		int *arr = (int *)(void *)dst, n = 0;
		char buf[256];
		snprintf(buf, sizeof(buf), "%s", s);
		for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
			if (n >= LAB_MAX_NR_ZONES)
				return fail(c, LAB_SCN_ERR_VALUE, "more than %d ratios", LAB_MAX_NR_ZONES);
			if (parse_int_strict(t, &iv) != 0)
				return fail(c, LAB_SCN_ERR_TYPE, "'%s' is not an integer", t);
			if (iv < 0 || iv > 1000000000)
				return fail(c, LAB_SCN_ERR_VALUE, "%lld is out of range [0, 1e9]", iv);
			arr[n++] = (int)iv;
		}
		if (n != LAB_MAX_NR_ZONES - 1 && n != LAB_MAX_NR_ZONES)
			return fail(c, LAB_SCN_ERR_VALUE, "expected %d or %d ratios (DMA DMA32 Normal Movable [Device])",
				    LAB_MAX_NR_ZONES - 1, LAB_MAX_NR_ZONES);
		if (n == LAB_MAX_NR_ZONES - 1)
			arr[n] = 0;
		return 0;
	}
	case F_RANGES:
		return fail(c, LAB_SCN_ERR_TYPE, "expected a list of {start, size}");
	}
	return fail(c, LAB_SCN_ERR_TYPE, "unsupported value");
}

/* ---- YAML nodes into fields ------------------------------------------------------- */

static const char *scalar_of(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

/* Joins a sequence of scalars with commas for the list parsers. */
static int join_sequence(struct pctx *c, yaml_node_t *n, char *buf, size_t size)
{
	size_t len = 0;
	buf[0] = '\0';
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *item = yaml_document_get_node(c->doc, *it);
		if (!item)
			continue;
		if (item->type != YAML_SCALAR_NODE) {
			at_node(c, item);
			return fail(c, LAB_SCN_ERR_TYPE, "list items must be scalars, not %s", node_type_name(item));
		}
		const char *s = scalar_of(item);
		if (strchr(s, ',')) {
			at_node(c, item);
			return fail(c, LAB_SCN_ERR_VALUE, "'%s' contains a comma", s);
		}
		size_t l = strlen(s);
		if (len + l + 2 > size) {
			at_node(c, item);
			return fail(c, LAB_SCN_ERR_VALUE, "list too long");
		}
		if (len)
			buf[len++] = ',';
		memcpy(buf + len, s, l + 1);
		len += l;
	}
	if (!len)
		return fail(c, LAB_SCN_ERR_VALUE, "empty list");
	return 0;
}

static int parse_ranges(struct pctx *c, yaml_node_t *n)
{
	struct lab_scenario *sc = c->sc;
	if (n->type != YAML_SEQUENCE_NODE)
		return fail(c, LAB_SCN_ERR_TYPE, "expected a list of {start, size}, not %s", node_type_name(n));
	sc->nr_reserved = 0;
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *item = yaml_document_get_node(c->doc, *it);
		static const struct field rf[] = {
			{ "start", F_SIZE, offsetof(struct lab_range, start), 0, 1ull << 52, NOTUN },
			{ "size", F_SIZE, offsetof(struct lab_range, size), 1, 1ull << 52, NOTUN },
			{ NULL, 0, 0, 0, 0, 0 }
		};
		if (!item)
			continue;
		at_node(c, item);
		if (item->type != YAML_MAPPING_NODE)
			return fail(c, LAB_SCN_ERR_TYPE, "expected {start, size}, not %s", node_type_name(item));
		if (sc->nr_reserved >= SIM_MAX_RESERVED)
			return fail(c, LAB_SCN_ERR_VALUE, "more than %d reserved ranges", SIM_MAX_RESERVED);
		struct lab_range *r = &sc->reserved[sc->nr_reserved];
		int have = 0;
		memset(r, 0, sizeof(*r));
		for (yaml_node_pair_t *p = item->data.mapping.pairs.start; p < item->data.mapping.pairs.top; p++) {
			yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
			yaml_node_t *v = yaml_document_get_node(c->doc, p->value);
			if (!k || !v)
				continue;
			at_node(c, k);
			const struct field *f = k->type == YAML_SCALAR_NODE ? find_field(rf, scalar_of(k)) : NULL;
			if (!f)
				return fail(c, LAB_SCN_ERR_UNKNOWN, "unknown key (expected start, size)");
			at_node(c, v);
			if (v->type != YAML_SCALAR_NODE)
				return fail(c, LAB_SCN_ERR_TYPE, "%s: expected a size, not %s", f->key, node_type_name(v));
			if (set_scalar(c, f, r, scalar_of(v)) != 0)
				return -1;
			have |= f->off == offsetof(struct lab_range, size) ? 2 : 1;
		}
		if (have != 3) {
			at_node(c, item);
			return fail(c, LAB_SCN_ERR_MISSING, "a reserved range needs start and size");
		}
		sc->nr_reserved++;
	}
	return 0;
}

static int parse_orders_node(struct pctx *c, struct sim_order_dist *d, yaml_node_t *n)
{
	if (n->type == YAML_SCALAR_NODE)
		return orders_from_string(c, d, scalar_of(n));
	if (n->type != YAML_MAPPING_NODE)
		return fail(c, LAB_SCN_ERR_TYPE, "expected an order or {order: weight}, not %s", node_type_name(n));
	memset(d, 0, sizeof(*d));
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(c->doc, p->value);
		if (!k || !v)
			continue;
		at_node(c, k);
		if (k->type != YAML_SCALAR_NODE || v->type != YAML_SCALAR_NODE)
			return fail(c, LAB_SCN_ERR_TYPE, "expected order: weight pairs of scalars");
		if (orders_add(c, d, scalar_of(k), scalar_of(v)) != 0)
			return -1;
	}
	at_node(c, n);
	return orders_finish(c, d);
}

static int set_from_node(struct pctx *c, const struct field *f, void *base, yaml_node_t *v)
{
	char buf[1024];
	at_node(c, v);
	switch (f->type) {
	case F_RANGES:
		return parse_ranges(c, v);
	case F_ORDERS:
		return parse_orders_node(c, (struct sim_order_dist *)(void *)((char *)base + f->off), v);
	case F_CPUS:
	case F_PHASES:
	case F_LRR:
		if (v->type == YAML_SEQUENCE_NODE) {
			if (join_sequence(c, v, buf, sizeof(buf)) != 0)
				return -1;
			at_node(c, v);
			return set_scalar(c, f, base, buf);
		}
		if (v->type == YAML_SCALAR_NODE)
			return set_scalar(c, f, base, scalar_of(v));
		return fail(c, LAB_SCN_ERR_TYPE, "expected a list, not %s", node_type_name(v));
	default:
		if (v->type != YAML_SCALAR_NODE)
			return fail(c, LAB_SCN_ERR_TYPE, "expected a single value, not %s", node_type_name(v));
		return set_scalar(c, f, base, scalar_of(v));
	}
}

/* Walks a mapping whose keys must be in @table (or @extra). */
static int parse_map(struct pctx *c, yaml_node_t *n, const struct field *table, const struct field *extra,
		     void *base, const char *prefix, uint32_t *set_mask)
{
	char keys[512];
	at_node(c, n);
	snprintf(c->path, sizeof(c->path), "%s", prefix);
	if (n->type != YAML_MAPPING_NODE)
		return fail(c, LAB_SCN_ERR_TYPE, "expected a mapping, not %s", node_type_name(n));
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(c->doc, p->value);
		if (!k || !v)
			continue;
		at_node(c, k);
		if (k->type != YAML_SCALAR_NODE)
			return fail(c, LAB_SCN_ERR_TYPE, "keys must be scalars");
		const char *key = scalar_of(k);
		snprintf(c->path, sizeof(c->path), "%s%s%s", prefix, *prefix ? "." : "", key);
		if (extra && find_field(extra, key))
			continue;   /* handled by the caller */
		const struct field *f = find_field(table, key);
		if (!f) {
			list_keys(table, keys, sizeof(keys));
			return fail(c, LAB_SCN_ERR_UNKNOWN, "unknown key (known: %s)", keys);
		}
		if (set_from_node(c, f, base, v) != 0)
			return -1;
		if (set_mask && f->tun_bit >= 0)
			*set_mask |= 1u << f->tun_bit;
	}
	return 0;
}

static yaml_node_t *map_get(yaml_document_t *doc, yaml_node_t *map, const char *key)
{
	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(doc, p->key);
		if (k && k->type == YAML_SCALAR_NODE && !strcmp(scalar_of(k), key))
			return yaml_document_get_node(doc, p->value);
	}
	return NULL;
}

/* ---- defaults ------------------------------------------------------------------ */

static void scenario_defaults(struct lab_scenario *sc)
{
	memset(sc, 0, sizeof(*sc));
	sc->nr_cpus = 1;
	sc->pcp = 1;
	sc->tun.highatomic_reserve = 1;
	sc->sim.samples = 2000;
	sc->sim.kswapd_batch = 32;
	sc->sim.kswapd_ns_per_page = 1000;
	sc->sim.kswapd_wake_ns = 50 * NSEC_PER_USEC;
	sc->sim.kswapd_nap_ns = 10 * NSEC_PER_MSEC;
	sc->sim.kswapd_cpu = -1;
	sc->sim.kcompactd_batch = 32;
	sc->sim.kcompactd_ns_per_page = 4000;
	sc->sim.nest_window_ns = 300;
	sc->sim.warn_records = 4;
	sc->sim.direct_reclaim_retries = 16;
}

static void wl_defaults(struct sim_wl_cfg *w, int type)
{
	memset(&w->p, 0, sizeof(w->p));
	switch (type) {
	case WL_NICRX: {
		struct wl_nicrx_params *p = &w->p.nicrx;
		p->rate = 10000;
		p->pattern = NICRX_POISSON;
		p->on_ns = 5 * NSEC_PER_MSEC;
		p->off_ns = 20 * NSEC_PER_MSEC;
		p->orders.weight[0] = 1;
		order_dist_finish(&p->orders);
		p->gfp = LAB_GFP_ATOMIC | LAB___GFP_COMP;
		p->context = LAB_CTX_SOFTIRQ;
		p->ring = 256;
		p->refill_batch = 16;
		p->bulk = 1;
		p->hold_ns = 50 * NSEC_PER_USEC;
		p->cost_ns = 1000;
		break;
	}
	case WL_CARDIAC: {
		struct wl_cardiac_params *p = &w->p.cardiac;
		p->period_ns = NSEC_PER_MSEC;
		p->order = 1;
		p->gfp = LAB_GFP_ATOMIC | LAB___GFP_DMA;
		p->deadline_ns = 100 * NSEC_PER_USEC;
		p->retry_ns = 20 * NSEC_PER_USEC;
		p->hold_ns = 500 * NSEC_PER_USEC;
		p->cost_ns = 2000;
		break;
	}
	case WL_PAGECACHE: {
		struct wl_pagecache_params *p = &w->p.pagecache;
		p->rate = 10000;
		p->batch = 8;
		p->working_set = PCT_FLAG | 200000;
		p->hot_pages = PCT_FLAG | 10000;
		p->hot_fraction = 0.8;
		p->readahead = 4;
		p->write_fraction = 0.1;
		p->dirty_expire_ns = 100 * NSEC_PER_MSEC;
		p->reclaimable_fraction = 0.02;
		p->gfp = LAB_GFP_HIGHUSER_MOVABLE;
		snprintf(p->comm, SIM_COMM, "reader");
		break;
	}
	case WL_ANON: {
		struct wl_anon_params *p = &w->p.anon;
		p->spawn_rate = 10;
		p->burst = 1;
		p->pages = 2048;
		p->lifetime_ns = NSEC_PER_SEC;
		p->fault_rate = 1e6;
		p->fault_batch = 64;
		p->max_procs = 256;
		p->thp_order = 9;
		p->gfp = LAB_GFP_HIGHUSER_MOVABLE;
		snprintf(p->comm, SIM_COMM, "app");
		break;
	}
	case WL_SLAB: {
		struct wl_slab_params *p = &w->p.slab;
		p->target = PCT_FLAG | 10000;
		p->grow_rate = 1e6;
		p->churn = 0.05;
		p->orders.weight[0] = 0.7;
		p->orders.weight[1] = 0.15;
		p->orders.weight[2] = 0.1;
		p->orders.weight[3] = 0.05;
		order_dist_finish(&p->orders);
		p->reclaimable = 0.3;
		p->gfp = LAB_GFP_KERNEL;
		p->tick_ns = NSEC_PER_MSEC;
		snprintf(p->comm, SIM_COMM, "kworker/u8:0");
		break;
	}
	case WL_CONTIG: {
		struct wl_contig_params *p = &w->p.contig;
		p->period_ns = 100 * NSEC_PER_MSEC;
		p->nr_pages = 256;
		p->hold_ns = 20 * NSEC_PER_MSEC;
		p->gfp = LAB_GFP_KERNEL;
		p->method = CONTIG_BUDDY;
		snprintf(p->comm, SIM_COMM, "v4l2-capture");
		break;
	}
	default:
		break;
	}
}

/* ---- the document ---------------------------------------------------------------- */

static int parse_phases(struct pctx *c, yaml_node_t *n)
{
	struct lab_scenario *sc = c->sc;
	static const struct field pf[] = {
		{ "name", F_STRING, offsetof(struct sim_phase, name), 0, SIM_NAME, NOTUN },
		{ "duration", F_DURATION, offsetof(struct sim_phase, duration_ns), 1, 1e16, NOTUN },
		{ NULL, 0, 0, 0, 0, 0 }
	};
	at_node(c, n);
	snprintf(c->path, sizeof(c->path), "phases");
	if (n->type != YAML_SEQUENCE_NODE)
		return fail(c, LAB_SCN_ERR_TYPE, "expected a list of {name, duration}, not %s", node_type_name(n));
	sc->nr_phases = 0;
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *item = yaml_document_get_node(c->doc, *it);
		char prefix[32];
		if (!item)
			continue;
		snprintf(prefix, sizeof(prefix), "phases[%u]", sc->nr_phases);
		snprintf(c->path, sizeof(c->path), "%s", prefix);
		at_node(c, item);
		if (sc->nr_phases >= SIM_MAX_PHASES)
			return fail(c, LAB_SCN_ERR_VALUE, "more than %d phases", SIM_MAX_PHASES);
		struct sim_phase *ph = &sc->phases[sc->nr_phases];
		memset(ph, 0, sizeof(*ph));
		if (parse_map(c, item, pf, NULL, ph, prefix, NULL) != 0)
			return -1;
		snprintf(c->path, sizeof(c->path), "%s", prefix);
		at_node(c, item);
		if (!ph->name[0])
			return fail(c, LAB_SCN_ERR_MISSING, "a phase needs a name");
		if (!ph->duration_ns)
			return fail(c, LAB_SCN_ERR_MISSING, "phase '%s' needs a duration", ph->name);
		if (!strcmp(ph->name, "all") || strchr(ph->name, ',') || strchr(ph->name, '.'))
			return fail(c, LAB_SCN_ERR_VALUE, "'%s' cannot name a phase", ph->name);
		if (phase_index(sc, ph->name) >= 0)
			return fail(c, LAB_SCN_ERR_VALUE, "two phases named '%s'", ph->name);
		sc->nr_phases++;
	}
	if (!sc->nr_phases)
		return fail(c, LAB_SCN_ERR_VALUE, "no phases");
	return 0;
}

static int find_wl(const struct lab_scenario *sc, const char *name)
{
	for (unsigned i = 0; i < sc->nr_wl; i++)
		if (!strcmp(sc->wl[i].name, name))
			return (int)i;
	return -1;
}

static int parse_workloads(struct pctx *c, yaml_node_t *n)
{
	struct lab_scenario *sc = c->sc;
	static const struct field head[] = {
		{ "type", F_STRING, 0, 0, 0, NOTUN }, { "name", F_STRING, 0, 0, 0, NOTUN },
		{ "phases", F_PHASES, 0, 0, 0, NOTUN }, { "cpus", F_CPUS, 0, 0, 0, NOTUN },
		{ NULL, 0, 0, 0, 0, 0 }
	};
	at_node(c, n);
	snprintf(c->path, sizeof(c->path), "workloads");
	if (n->type != YAML_SEQUENCE_NODE)
		return fail(c, LAB_SCN_ERR_TYPE, "expected a list of workloads, not %s", node_type_name(n));
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *item = yaml_document_get_node(c->doc, *it);
		char prefix[48];
		if (!item)
			continue;
		snprintf(prefix, sizeof(prefix), "workloads[%u]", sc->nr_wl);
		snprintf(c->path, sizeof(c->path), "%s", prefix);
		at_node(c, item);
		if (sc->nr_wl >= SIM_MAX_WORKLOADS)
			return fail(c, LAB_SCN_ERR_VALUE, "more than %d workloads", SIM_MAX_WORKLOADS);
		if (item->type != YAML_MAPPING_NODE)
			return fail(c, LAB_SCN_ERR_TYPE, "expected a mapping, not %s", node_type_name(item));
		struct sim_wl_cfg *w = &sc->wl[sc->nr_wl];
		memset(w, 0, sizeof(*w));
		w->line = (unsigned)item->start_mark.line + 1;
		yaml_node_t *t = map_get(c->doc, item, "type");
		if (!t)
			return fail(c, LAB_SCN_ERR_MISSING, "a workload needs a type (nic-rx, cardiac-monitor, "
				    "page-cache, anon, slab, contig-dma)");
		snprintf(c->path, sizeof(c->path), "%s.type", prefix);
		at_node(c, t);
		if (t->type != YAML_SCALAR_NODE)
			return fail(c, LAB_SCN_ERR_TYPE, "expected a type name, not %s", node_type_name(t));
		w->type = -1;
		for (int i = 0; i < WL_NR_TYPES; i++)
			if (!strcmp(scalar_of(t), wl_type_names[i]))
				w->type = i;
		if (w->type < 0)
			return fail(c, LAB_SCN_ERR_UNKNOWN, "unknown workload type '%s' (nic-rx, cardiac-monitor, "
				    "page-cache, anon, slab, contig-dma)", scalar_of(t));
		wl_defaults(w, w->type);
		w->phase_mask = (1u << sc->nr_phases) - 1;
		yaml_node_t *nm = map_get(c->doc, item, "name");
		snprintf(c->path, sizeof(c->path), "%s.name", prefix);
		if (nm) {
			static const struct field namef = { "name", F_STRING, WL(name), 0, SIM_NAME, NOTUN };
			if (set_from_node(c, &namef, w, nm) != 0)
				return -1;
			if (!w->name[0] || strchr(w->name, '.') || strchr(w->name, '=') || strchr(w->name, ' '))
				return fail(c, LAB_SCN_ERR_VALUE, "'%s' cannot name a workload (no '.', '=', spaces)",
					    w->name);
		} else {
			snprintf(w->name, SIM_NAME, "%s", wl_type_names[w->type]);
		}
		if (find_wl(sc, w->name) >= 0) {
			at_node(c, nm ? nm : item);
			return fail(c, LAB_SCN_ERR_VALUE, "two workloads named '%s' (give one a name:)", w->name);
		}
		/* the type's own keys, then phases and cpus */
		if (parse_map(c, item, wl_type_fields[w->type], head, w, prefix, NULL) != 0)
			return -1;
		yaml_node_t *ph = map_get(c->doc, item, "phases");
		if (ph) {
			snprintf(c->path, sizeof(c->path), "%s.phases", prefix);
			w->phase_mask = 0;
			if (set_from_node(c, &wl_common_fields[0], w, ph) != 0)
				return -1;
		}
		yaml_node_t *cp = map_get(c->doc, item, "cpus");
		if (cp) {
			snprintf(c->path, sizeof(c->path), "%s.cpus", prefix);
			if (set_from_node(c, &wl_common_fields[1], w, cp) != 0)
				return -1;
		}
		sc->nr_wl++;
	}
	if (!sc->nr_wl) {
		at_node(c, n);
		return fail(c, LAB_SCN_ERR_MISSING, "no workloads");
	}
	return 0;
}

static int parse_document(struct pctx *c, yaml_node_t *root)
{
	static const struct field top_known[] = {
		{ "name", 0, 0, 0, 0, 0 }, { "description", 0, 0, 0, 0, 0 }, { "machine", 0, 0, 0, 0, 0 },
		{ "tunables", 0, 0, 0, 0, 0 }, { "sim", 0, 0, 0, 0, 0 }, { "phases", 0, 0, 0, 0, 0 },
		{ "duration", 0, 0, 0, 0, 0 }, { "workloads", 0, 0, 0, 0, 0 }, { NULL, 0, 0, 0, 0, 0 }
	};
	struct lab_scenario *sc = c->sc;
	char keys[256];

	if (!root) {
		c->line = 1;
		return fail(c, LAB_SCN_ERR_MISSING, "the file is empty");
	}
	at_node(c, root);
	if (root->type != YAML_MAPPING_NODE)
		return fail(c, LAB_SCN_ERR_TYPE, "a scenario is a mapping, not %s", node_type_name(root));
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
		if (!k)
			continue;
		at_node(c, k);
		if (k->type != YAML_SCALAR_NODE)
			return fail(c, LAB_SCN_ERR_TYPE, "keys must be scalars");
		snprintf(c->path, sizeof(c->path), "%s", scalar_of(k));
		if (!find_field(top_known, scalar_of(k))) {
			list_keys(top_known, keys, sizeof(keys));
			return fail(c, LAB_SCN_ERR_UNKNOWN, "unknown key (known: %s)", keys);
		}
	}
	static const struct field top_sections[] = {
		{ "machine", 0, 0, 0, 0, 0 }, { "tunables", 0, 0, 0, 0, 0 }, { "sim", 0, 0, 0, 0, 0 },
		{ "phases", 0, 0, 0, 0, 0 }, { "duration", 0, 0, 0, 0, 0 }, { "workloads", 0, 0, 0, 0, 0 },
		{ NULL, 0, 0, 0, 0, 0 }
	};
	if (parse_map(c, root, top_fields, top_sections, sc, "", NULL) != 0)
		return -1;
	yaml_node_t *m = map_get(c->doc, root, "machine");
	if (!m) {
		at_node(c, root);
		snprintf(c->path, sizeof(c->path), "machine");
		return fail(c, LAB_SCN_ERR_MISSING, "no machine: (memory, cpus, zones)");
	}
	if (parse_map(c, m, machine_fields, NULL, sc, "machine", NULL) != 0)
		return -1;
	if (!map_get(c->doc, m, "memory")) {
		at_node(c, m);
		snprintf(c->path, sizeof(c->path), "machine.memory");
		return fail(c, LAB_SCN_ERR_MISSING, "the machine needs a memory size");
	}
	yaml_node_t *t = map_get(c->doc, root, "tunables");
	if (t && parse_map(c, t, tunable_fields, NULL, sc, "tunables", &sc->tun.set_mask) != 0)
		return -1;
	yaml_node_t *s = map_get(c->doc, root, "sim");
	if (s && parse_map(c, s, sim_fields, NULL, sc, "sim", NULL) != 0)
		return -1;
	yaml_node_t *ph = map_get(c->doc, root, "phases"), *du = map_get(c->doc, root, "duration");
	if (ph && du) {
		at_node(c, du);
		snprintf(c->path, sizeof(c->path), "duration");
		return fail(c, LAB_SCN_ERR_VALUE, "give either phases: or duration:, not both");
	}
	if (ph) {
		if (parse_phases(c, ph) != 0)
			return -1;
	} else if (du) {
		static const struct field df = { "duration", F_DURATION, offsetof(struct sim_phase, duration_ns),
						 1, 1e16, NOTUN };
		snprintf(c->path, sizeof(c->path), "duration");
		if (set_from_node(c, &df, &sc->phases[0], du) != 0)
			return -1;
		snprintf(sc->phases[0].name, SIM_NAME, "run");
		sc->nr_phases = 1;
	} else {
		at_node(c, root);
		snprintf(c->path, sizeof(c->path), "phases");
		return fail(c, LAB_SCN_ERR_MISSING, "no phases: (or duration:)");
	}
	yaml_node_t *w = map_get(c->doc, root, "workloads");
	if (!w) {
		at_node(c, root);
		snprintf(c->path, sizeof(c->path), "workloads");
		return fail(c, LAB_SCN_ERR_MISSING, "no workloads:");
	}
	if (parse_workloads(c, w) != 0)
		return -1;
	return scenario_validate(sc, c->err);
}

/* ---- cross-field validation ------------------------------------------------------- */

static uint64_t resolve_pages(const struct lab_scenario *sc, uint64_t v)
{
	if (!(v & PCT_FLAG))
		return v;
	double pct = (double)(v & ~PCT_FLAG) / 1000.0;
	return (uint64_t)((double)(sc->mem_bytes / LAB_PAGE_SIZE) * pct / 100.0);
}

int scenario_validate(struct lab_scenario *sc, struct lab_sim_error *err)
{
	const char *f = sc->file;
	uint64_t all_cpus = sc->nr_cpus >= 64 ? ~0ull : (1ull << sc->nr_cpus) - 1;

#define BAD(key, ...) do { sim_error_set(err, LAB_SCN_ERR_VALUE, f, 0, 0, key, __VA_ARGS__); return -1; } while (0)
	if (sc->mem_bytes % LAB_PAGE_SIZE)
		BAD("machine.memory", "%llu is not a multiple of the page size", (unsigned long long)sc->mem_bytes);
	if (sc->mem_bytes < (1u << 20))
		BAD("machine.memory", "at least 1M");
	if (sc->phys_base % LAB_PAGE_SIZE)
		BAD("machine.phys_base", "not page aligned");
	if (sc->nr_cpus < 1 || sc->nr_cpus > LAB_MAX_CPUS)
		BAD("machine.cpus", "must be 1..%d", LAB_MAX_CPUS);
	if (!sc->no_dma && !sc->no_dma32 && sc->dma_limit && sc->dma32_limit && sc->dma_limit > sc->dma32_limit)
		BAD("machine.dma", "the DMA limit is above the DMA32 limit");
	if ((sc->dma_limit | sc->dma32_limit) % LAB_PAGE_SIZE)
		BAD("machine.dma", "zone limits must be page aligned");
	if (sc->movable_bytes >= sc->mem_bytes)
		BAD("machine.movable", "ZONE_MOVABLE cannot take all memory");
	for (unsigned i = 0; i < sc->nr_reserved; i++) {
		const struct lab_range *r = &sc->reserved[i];
		if (r->start < sc->phys_base || r->start + r->size > sc->phys_base + sc->mem_bytes ||
		    r->start + r->size < r->start)
			BAD("machine.reserved", "range %u is outside the memory", i);
	}
	if (sc->sim.kswapd_cpu >= (int)sc->nr_cpus)
		BAD("sim.kswapd_cpu", "CPU %d does not exist (%u CPUs)", sc->sim.kswapd_cpu, sc->nr_cpus);
	if (!sc->nr_phases)
		BAD("phases", "no phases");
	uint64_t total = 0;
	for (unsigned i = 0; i < sc->nr_phases; i++) {
		if (!sc->phases[i].duration_ns)
			BAD("phases", "phase '%s' has no duration", sc->phases[i].name);
		total += sc->phases[i].duration_ns;
	}
	if (total > 1000000ull * NSEC_PER_SEC)
		BAD("phases", "more than 1e6 s of virtual time");
	if (!sc->nr_wl)
		BAD("workloads", "no workloads");
	for (unsigned i = 0; i < sc->nr_wl; i++) {
		struct sim_wl_cfg *w = &sc->wl[i];
		char key[64];
		snprintf(key, sizeof(key), "workloads.%s", w->name);
		if (w->cpu_mask & ~all_cpus)
			BAD(key, "uses a CPU beyond machine.cpus (%u)", sc->nr_cpus);
		if (!w->phase_mask)
			BAD(key, "is active in no phase");
		switch (w->type) {
		case WL_NICRX:
			if (w->p.nicrx.refill_batch > w->p.nicrx.ring)
				BAD(key, "refill_batch %u is larger than ring %u", w->p.nicrx.refill_batch, w->p.nicrx.ring);
			if (w->p.nicrx.pattern == NICRX_BURSTS && !w->p.nicrx.on_ns)
				BAD(key, "bursts need on > 0");
			break;
		case WL_CARDIAC:
			if (w->p.cardiac.cpu >= sc->nr_cpus)
				BAD(key, "cpu %u does not exist (%u CPUs)", w->p.cardiac.cpu, sc->nr_cpus);
			break;
		case WL_PAGECACHE: {
			uint64_t ws = resolve_pages(sc, w->p.pagecache.working_set);
			if (!ws)
				BAD(key, "working_set is 0 pages");
			if (ws > (1ull << 31))
				BAD(key, "working_set above 2^31 pages");
			if (resolve_pages(sc, w->p.pagecache.hot_pages) > ws)
				BAD(key, "hot_pages is larger than working_set");
			break;
		}
		case WL_ANON:
			if (!resolve_pages(sc, w->p.anon.pages))
				BAD(key, "pages is 0");
			if (sc->pageblock_order && w->p.anon.thp_order > sc->pageblock_order + 1)
				BAD(key, "thp_order %u is above the pageblock order", w->p.anon.thp_order);
			break;
		case WL_SLAB:
			break;
		case WL_CONTIG:
			if (w->p.contig.method == CONTIG_BUDDY && w->p.contig.nr_pages > (1u << (LAB_MAX_ORDER - 1)))
				BAD(key, "method buddy allocates at most %u pages (order %d)", 1u << (LAB_MAX_ORDER - 1),
				    LAB_MAX_ORDER - 1);
			if (w->p.contig.method == CONTIG_CMA)
				BAD(key, "method cma: this core has no CMA areas yet");
#if !LAB_HAVE_BACKGROUND
			if (w->p.contig.method == CONTIG_RANGE)
				BAD(key, "method contig needs the core's alloc_contig_pages (not built yet); use buddy");
#endif
			break;
		default:
			BAD(key, "unknown type");
		}
	}
#undef BAD
	return 0;
}

uint64_t scenario_pages(const struct lab_scenario *sc, uint64_t v)
{
	return resolve_pages(sc, v);
}

/* ---- entry points ------------------------------------------------------------------ */

struct lab_scenario *lab_scenario_parse(const char *buf, size_t len, const char *name,
					struct lab_sim_error *err)
{
	struct lab_sim_error dummy;
	yaml_parser_t parser;
	yaml_document_t doc;
	struct lab_scenario *sc;
	struct pctx c;

	if (!err)
		err = &dummy;
	memset(err, 0, sizeof(*err));
	if (!name)
		name = "scenario";
	if (len > MAX_INPUT) {
		sim_error_set(err, LAB_SCN_ERR_IO, name, 0, 0, "", "larger than 1 MiB");
		return NULL;
	}
	sc = malloc(sizeof(*sc));
	if (!sc) {
		sim_error_set(err, LAB_SCN_ERR_NOMEM, name, 0, 0, "", "out of memory");
		return NULL;
	}
	scenario_defaults(sc);
	snprintf(sc->file, sizeof(sc->file), "%s", name);
	if (!yaml_parser_initialize(&parser)) {
		free(sc);
		sim_error_set(err, LAB_SCN_ERR_NOMEM, name, 0, 0, "", "out of memory");
		return NULL;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	if (!yaml_parser_load(&parser, &doc)) {
		sim_error_set(err, LAB_SCN_ERR_SYNTAX, name, (unsigned)parser.problem_mark.line + 1,
			      (unsigned)parser.problem_mark.column + 1, "", "%s%s%s",
			      parser.problem ? parser.problem : "not YAML",
			      parser.context ? " " : "", parser.context ? parser.context : "");
		yaml_parser_delete(&parser);
		free(sc);
		return NULL;
	}
	memset(&c, 0, sizeof(c));
	c.sc = sc;
	c.doc = &doc;
	c.file = sc->file;
	c.err = err;
	int rc = parse_document(&c, yaml_document_get_root_node(&doc));
	if (rc == 0) {
		/* a second document is a mistake worth naming */
		yaml_document_t extra;
		if (yaml_parser_load(&parser, &extra)) {
			yaml_node_t *r = yaml_document_get_root_node(&extra);
			if (r) {
				sim_error_set(err, LAB_SCN_ERR_SYNTAX, name, (unsigned)r->start_mark.line + 1,
					      (unsigned)r->start_mark.column + 1, "", "a second YAML document");
				rc = -1;
			}
			yaml_document_delete(&extra);
		} else {
			sim_error_set(err, LAB_SCN_ERR_SYNTAX, name, (unsigned)parser.problem_mark.line + 1,
				      (unsigned)parser.problem_mark.column + 1, "", "%s",
				      parser.problem ? parser.problem : "not YAML");
			rc = -1;
		}
	}
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	if (rc != 0) {
		if (err->code == LAB_SCN_OK)
			sim_error_set(err, LAB_SCN_ERR_VALUE, name, 0, 0, "", "invalid scenario");
		free(sc);
		return NULL;
	}
	return sc;
}

struct lab_scenario *lab_scenario_load(const char *path, struct lab_sim_error *err)
{
	struct lab_sim_error dummy;
	FILE *f;
	char *buf;
	long len;

	if (!err)
		err = &dummy;
	memset(err, 0, sizeof(*err));
	f = fopen(path, "rb");
	if (!f) {
		sim_error_set(err, LAB_SCN_ERR_IO, path, 0, 0, "", "cannot open: %s", strerror(errno));
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		sim_error_set(err, LAB_SCN_ERR_IO, path, 0, 0, "", "cannot read: %s", strerror(errno));
		fclose(f);
		return NULL;
	}
	if ((unsigned long)len > MAX_INPUT) {
		sim_error_set(err, LAB_SCN_ERR_IO, path, 0, 0, "", "larger than 1 MiB");
		fclose(f);
		return NULL;
	}
	buf = malloc((size_t)len + 1);
	if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len) {
		sim_error_set(err, buf ? LAB_SCN_ERR_IO : LAB_SCN_ERR_NOMEM, path, 0, 0, "", "cannot read");
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	buf[len] = '\0';
	struct lab_scenario *sc = lab_scenario_parse(buf, (size_t)len, path, err);
	free(buf);
	return sc;
}

struct lab_scenario *lab_scenario_clone(const struct lab_scenario *sc)
{
	struct lab_scenario *c = malloc(sizeof(*c));
	if (c)
		*c = *sc;
	return c;
}

void lab_scenario_free(struct lab_scenario *sc)
{
	free(sc);
}

int lab_scenario_set(struct lab_scenario *sc, const char *assignment, struct lab_sim_error *err)
{
	struct lab_sim_error dummy;
	struct pctx c;
	char key[128], seg[3][64];
	const char *eq;
	const struct field *f = NULL;
	void *base = sc;
	uint32_t *mask = NULL;
	int bit = -1;

	if (!err)
		err = &dummy;
	memset(err, 0, sizeof(*err));
	memset(&c, 0, sizeof(c));
	c.sc = sc;
	c.file = "--set";
	c.err = err;
	eq = strchr(assignment, '=');
	if (!eq || eq == assignment || (size_t)(eq - assignment) >= sizeof(key)) {
		snprintf(c.path, sizeof(c.path), "%.100s", assignment);
		return fail(&c, LAB_SCN_ERR_TYPE, "expected key=value");
	}
	snprintf(key, sizeof(key), "%.*s", (int)(eq - assignment), assignment);
	snprintf(c.path, sizeof(c.path), "%s", key);
	const char *value = eq + 1;
	int n = 0;
	memset(seg, 0, sizeof(seg));
	for (const char *p = key; *p && n < 3;) {
		const char *dot = strchr(p, '.');
		size_t l = dot ? (size_t)(dot - p) : strlen(p);
		if (n == 2 && dot)
			l = strlen(p);   /* the rest (no more levels) */
		snprintf(seg[n++], sizeof(seg[0]), "%.*s", (int)l, p);
		p += l;
		if (*p == '.')
			p++;
	}
	if (n == 1) {
		f = find_field(tunable_fields, seg[0]);
		if (f) {
			mask = &sc->tun.set_mask;
			bit = f->tun_bit;
		} else if (!strcmp(seg[0], "duration")) {
			if (sc->nr_phases != 1)
				return fail(&c, LAB_SCN_ERR_VALUE, "the scenario has %u phases: set phases.NAME.duration",
					    sc->nr_phases);
			static const struct field df = { "duration", F_DURATION,
							 offsetof(struct sim_phase, duration_ns), 1, 1e16, NOTUN };
			f = &df;
			base = &sc->phases[0];
		} else {
			f = find_field(top_fields, seg[0]);
		}
	} else if (n == 2 && !strcmp(seg[0], "machine")) {
		f = find_field(machine_fields, seg[1]);
	} else if (n == 2 && !strcmp(seg[0], "tunables")) {
		f = find_field(tunable_fields, seg[1]);
		mask = &sc->tun.set_mask;
		bit = f ? f->tun_bit : -1;
	} else if (n == 2 && !strcmp(seg[0], "sim")) {
		f = find_field(sim_fields, seg[1]);
	} else if (n == 3 && !strcmp(seg[0], "phases")) {
		int i = phase_index(sc, seg[1]);
		if (i < 0)
			return fail(&c, LAB_SCN_ERR_UNKNOWN, "no phase named '%s'", seg[1]);
		static const struct field pd = { "duration", F_DURATION, offsetof(struct sim_phase, duration_ns),
						 1, 1e16, NOTUN };
		if (!strcmp(seg[2], "duration")) {
			f = &pd;
			base = &sc->phases[i];
		}
	} else if (n == 3 && !strcmp(seg[0], "workloads")) {
		int i = find_wl(sc, seg[1]);
		if (i < 0)
			return fail(&c, LAB_SCN_ERR_UNKNOWN, "no workload named '%s'", seg[1]);
		base = &sc->wl[i];
		f = find_field(wl_common_fields, seg[2]);
		if (!f)
			f = find_field(wl_type_fields[sc->wl[i].type], seg[2]);
	}
	if (!f)
		return fail(&c, LAB_SCN_ERR_UNKNOWN, "unknown key (a tunable, machine.*, sim.*, "
			    "phases.NAME.duration or workloads.NAME.*)");
	if (f->type == F_RANGES)
		return fail(&c, LAB_SCN_ERR_TYPE, "reserved ranges can only be given in the file");
	struct lab_scenario backup = *sc;
	if (set_scalar(&c, f, base, value) != 0) {
		*sc = backup;
		return -1;
	}
	if (mask && bit >= 0)
		*mask |= 1u << bit;
	if (scenario_validate(sc, err) != 0) {
		*sc = backup;
		return -1;
	}
	return 0;
}

int lab_scenario_resolve(const char *name, const char *const *dirs, char *out, size_t size)
{
	struct stat st;
	char buf[1024];
	if (!name || !*name)
		return -1;
	if (stat(name, &st) == 0 && S_ISREG(st.st_mode)) {
		snprintf(out, size, "%s", name);
		return 0;
	}
	if (strchr(name, '/'))
		return -1;
	const char *env = getenv("LAB_SCENARIO_PATH");
	if (env && *env) {
		char tmp[1024];
		snprintf(tmp, sizeof(tmp), "%s", env);
		for (char *save = NULL, *d = strtok_r(tmp, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
			snprintf(buf, sizeof(buf), "%s/%s.yaml", d, name);
			if (stat(buf, &st) == 0 && S_ISREG(st.st_mode)) {
				snprintf(out, size, "%s", buf);
				return 0;
			}
		}
	}
	for (; dirs && *dirs; dirs++) {
		snprintf(buf, sizeof(buf), "%s/%s.yaml", *dirs, name);
		if (stat(buf, &st) == 0 && S_ISREG(st.st_mode)) {
			snprintf(out, size, "%s", buf);
			return 0;
		}
	}
	return -1;
}

const char *lab_scenario_name(const struct lab_scenario *sc)
{
	return sc->name[0] ? sc->name : sc->file;
}

uint64_t lab_scenario_duration_ns(const struct lab_scenario *sc)
{
	uint64_t t = 0;
	for (unsigned i = 0; i < sc->nr_phases; i++)
		t += sc->phases[i].duration_ns;
	return t;
}

uint64_t lab_scenario_memory_bytes(const struct lab_scenario *sc)
{
	return sc->mem_bytes;
}
