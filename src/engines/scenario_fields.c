/* SPDX-License-Identifier: MIT */
/*
 * engines/scenario_fields.c - every key a scenario may set, as a table of
 * (key, type, offset, limits), and one parser per value type.
 *
 *   "machine.memory" -> scenario_machine_fields["memory"] = { F_SIZE, offset, 1M..16T }
 *                    -> value_parsers[F_SIZE]("512M") -> 536870912 at offset
 *
 * Units: sizes 4096, 4k, 16M, 2GiB, 1T (binary); pages 512 or a size
 * (rounded down to pages) or "15%" of machine.memory; durations 250ns,
 * 10us, 5ms, 2s, 1min, 1h, 1d (a unit is required, except for 0); rates
 * 1500, 400k, 2M (per second, decimal).
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "scenario_int.h"

/* ---- the field tables -------------------------------------------------------------- */


const struct field scenario_top_fields[] = {
	{ "name", F_STRING, SC(name), 0, sizeof(((struct lab_scenario *)0)->name), NOTUN },
	{ "description", F_TEXT, SC(description), 0, sizeof(((struct lab_scenario *)0)->description), NOTUN },
	{ "kernel", F_KERNEL, SC(kernel), 0, 0, NOTUN },
	{ "drain_before_failure", F_BOOL, SC(drain_before_failure), 0, 1, NOTUN },
	{ NULL, 0, 0, 0, 0, 0 }
};

const struct field scenario_machine_fields[] = {
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

const struct field scenario_tunable_fields[] = {
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

const struct field scenario_sim_fields[] = {
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

const struct field scenario_wl_common_fields[] = {
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
	{ "page_pool", F_UINT, NX(page_pool), 0, 32768, NOTUN },
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

const char *const scenario_wl_type_names[WL_NR_TYPES] = {
	"nic-rx", "cardiac-monitor", "page-cache", "anon", "slab", "contig-dma",
};

const struct field *const scenario_wl_type_fields[WL_NR_TYPES] = {
	nicrx_fields, cardiac_fields, pagecache_fields, anon_fields, slab_fields, contig_fields,
};

const char *wl_type_name(int type)
{
	return type >= 0 && type < WL_NR_TYPES ? scenario_wl_type_names[type] : "?";
}

const struct field *scenario_find_field(const struct field *t, const char *key)
{
	for (; t && t->key; t++)
		if (!strcmp(t->key, key))
			return t;
	return NULL;
}

void scenario_list_keys(const struct field *t, char *buf, size_t size)
{
	size_t n = 0;
	buf[0] = '\0';
	for (; t && t->key && n < size; t++)
		n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? ", " : "", t->key);
}

/* ---- errors in values --------------------------------------------------------- */

int scenario_fail(struct pctx *c, enum lab_scenario_errcode code, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	sim_error_set(c->err, code, c->file, c->line, c->col, c->path, "%s", msg);
	return -1;
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
		return scenario_fail(c, LAB_SCN_ERR_VALUE, "%g is out of range [%g, %g]", v, f->min, f->max);
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
		return scenario_fail(c, LAB_SCN_ERR_TYPE, "'%s' is not %s", s, what);
	}
	v *= mult;
	if (v < 0)
		return scenario_fail(c, LAB_SCN_ERR_VALUE, "'%s' is negative", s);
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
int scenario_orders_add(struct pctx *c, struct sim_order_dist *d, const char *key, const char *weight)
{
	long long o;
	double w;
	const char *rest;
	if (parse_int_strict(key, &o) != 0)
		return scenario_fail(c, LAB_SCN_ERR_TYPE, "order '%s' is not an integer", key);
	if (o < 0 || o >= LAB_MAX_ORDER)
		return scenario_fail(c, LAB_SCN_ERR_VALUE, "order %lld is out of range [0, %d]", o, LAB_MAX_ORDER - 1);
	if (parse_number(weight, &w, &rest) != 0 || *rest)
		return scenario_fail(c, LAB_SCN_ERR_TYPE, "weight '%s' of order %lld is not a number", weight, o);
	if (w < 0)
		return scenario_fail(c, LAB_SCN_ERR_VALUE, "weight %g of order %lld is negative", w, o);
	d->weight[o] += w;
	return 0;
}

int scenario_orders_finish(struct pctx *c, struct sim_order_dist *d)
{
	double total = 0;
	for (int o = 0; o < LAB_MAX_ORDER; o++)
		total += d->weight[o];
	if (!(total > 0))
		return scenario_fail(c, LAB_SCN_ERR_VALUE, "the order weights add up to 0");
	order_dist_finish(d);
	return 0;
}

int scenario_orders_parse(struct pctx *c, struct sim_order_dist *d, const char *s)
{
	char buf[256];
	memset(d, 0, sizeof(*d));
	snprintf(buf, sizeof(buf), "%s", s);
	if (!strchr(buf, ':')) {
		if (scenario_orders_add(c, d, buf, "1") != 0)
			return -1;
		return scenario_orders_finish(c, d);
	}
	for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *colon = strchr(tok, ':');
		if (!colon)
			return scenario_fail(c, LAB_SCN_ERR_TYPE, "'%s' is not ORDER:WEIGHT", tok);
		*colon = '\0';
		if (scenario_orders_add(c, d, tok, colon + 1) != 0)
			return -1;
	}
	return scenario_orders_finish(c, d);
}

int scenario_phase_index(const struct lab_scenario *sc, const char *name)
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
	int i = scenario_phase_index(c->sc, name);
	if (i < 0)
		return scenario_fail(c, LAB_SCN_ERR_UNKNOWN, "no phase named '%s'", name);
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
		return scenario_fail(c, LAB_SCN_ERR_TYPE, "CPU '%s' is not an integer", s);
	if (v < 0 || v >= LAB_MAX_CPUS)
		return scenario_fail(c, LAB_SCN_ERR_VALUE, "CPU %lld is out of range [0, %d]", v, LAB_MAX_CPUS - 1);
	*mask |= 1ull << v;
	return 0;
}

/* ---- the value parsers, one per field type ------------------------------------------ */

/*
 * Each parser reads @s into @dst (the field's place in its struct): it
 * parses, checks the field's range, and stores only when the whole value
 * is good, so a refused --set leaves the scenario as it was.
 */
typedef int (*value_parser)(struct pctx *c, const struct field *f, char *dst, const char *s);

static int set_size(struct pctx *c, const struct field *f, char *dst, const char *s)
{
	double v;
	if (parse_unit_value(c, f, s, size_units, "a size like 512M", &v) != 0)
		return -1;
	*(uint64_t *)(void *)dst = (uint64_t)v;
	return 0;
}

/* machine.dma / machine.dma32: a page-aligned limit, or "none" (no such zone). */
static int set_zonelimit(struct pctx *c, const struct field *f, char *dst, const char *s)
{
	int *no_zone = f->off == SC(dma_limit) ? &c->sc->no_dma : &c->sc->no_dma32;
	double v;
	if (!strcmp(s, "none")) {
		*(uint64_t *)(void *)dst = 0;
		*no_zone = 1;
		return 0;
	}
	if (parse_unit_value(c, f, s, size_units, "a size like 512M", &v) != 0)
		return -1;
	if (((uint64_t)v) % LAB_PAGE_SIZE)
		return scenario_fail(c, LAB_SCN_ERR_VALUE, "'%s' is not a multiple of the page size", s);
	*(uint64_t *)(void *)dst = (uint64_t)v;
	*no_zone = 0;
	return 0;
}

/* Pages: a count, a size (rounded down to pages) or "N%" of machine.memory. */
static int set_pages(struct pctx *c, const struct field *f, char *dst, const char *s)
{
	size_t len = strlen(s);
	long long iv;
	double v;
	if (len > 1 && s[len - 1] == '%') {
		char num[64];
		const char *rest;
		snprintf(num, sizeof(num), "%.*s", (int)(len - 1), s);
		if (parse_number(num, &v, &rest) != 0 || *rest)
			return scenario_fail(c, LAB_SCN_ERR_TYPE, "'%s' is not a percentage", s);
		if (v < 0 || v > 10000)
			return scenario_fail(c, LAB_SCN_ERR_VALUE, "%g%% is out of range [0, 10000]", v);
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
		return scenario_fail(c, LAB_SCN_ERR_VALUE, "'%s' is negative", s);
	if (range_check(c, f, v) != 0)
		return -1;
	*(uint64_t *)(void *)dst = (uint64_t)v;
	return 0;
}

static int set_duration(struct pctx *c, const struct field *f, char *dst, const char *s)
{
	double v;
	if (parse_unit_value(c, f, s, time_units, "a duration like 10ms (ns, us, ms, s, min, h, d)", &v) != 0)
		return -1;
	*(uint64_t *)(void *)dst = (uint64_t)v;
	return 0;
}

static int set_rate(struct pctx *c, const struct field *f, char *dst, const char *s)
{
	double v;
	if (parse_unit_value(c, f, s, rate_units, "a rate like 400k (per second)", &v) != 0)
		return -1;
	*(double *)(void *)dst = v;
	return 0;
}

static int set_float(struct pctx *c, const struct field *f, char *dst, const char *s)
{
	const char *rest;
	double v;
	if (parse_number(s, &v, &rest) != 0 || *rest)
		return scenario_fail(c, LAB_SCN_ERR_TYPE, "'%s' is not a number", s);
	if (range_check(c, f, v) != 0)
		return -1;
	*(double *)(void *)dst = v;
	return 0;
}

/* F_UINT into an unsigned, F_INT and F_MINFREE into an int. */
static int set_integer(struct pctx *c, const struct field *f, char *dst, const char *s)
{
	long long iv;
	if (parse_int_strict(s, &iv) != 0)
		return scenario_fail(c, LAB_SCN_ERR_TYPE, "'%s' is not an integer", s);
	if (range_check(c, f, (double)iv) != 0)
		return -1;
	if (f->type == F_UINT)
		*(unsigned *)(void *)dst = (unsigned)iv;
	else
		*(int *)(void *)dst = (int)iv;
	return 0;
}

/* min_free_kbytes: a number, or "default" (0: the kernel's formula). */
static int set_minfree(struct pctx *c, const struct field *f, char *dst, const char *s)
{
	if (!strcmp(s, "default")) {
		*(int *)(void *)dst = 0;
		return 0;
	}
	return set_integer(c, f, dst, s);
}

static int set_bool(struct pctx *c, const struct field *f, char *dst, const char *s)
{
	int b;
	if (parse_bool(s, &b) != 0)
		return scenario_fail(c, LAB_SCN_ERR_TYPE, "'%s' is not a boolean (true/false)", s);
	*(int *)(void *)dst = b;
	return 0;
}

static int set_gfp(struct pctx *c, const struct field *f, char *dst, const char *s)
{
	lab_gfp_t g;
	const char *bad = NULL;
	size_t bad_len = 0;
	if (lab_gfp_parse(s, LAB_GFP_ERA_6_1, &g, &bad, &bad_len) != 0)
		return scenario_fail(c, LAB_SCN_ERR_TYPE, "'%.*s' is not a GFP flag (e.g. GFP_ATOMIC|__GFP_COMP)",
				     (int)(bad_len < 64 ? bad_len : 64), bad ? bad : s);
	if (lab_gfp_zone(g) < 0)
		return scenario_fail(c, LAB_SCN_ERR_VALUE, "'%s': invalid zone modifier combination", s);
	*(lab_gfp_t *)(void *)dst = g;
	return 0;
}

/* A word from a closed set, stored as its enum value. */
struct keyword {
	const char *name;
	int value;
};

static int set_keyword(struct pctx *c, char *dst, const char *s, const struct keyword *k, const char *choices)
{
	for (; k->name; k++)
		if (!strcmp(s, k->name)) {
			*(int *)(void *)dst = k->value;
			return 0;
		}
	return scenario_fail(c, LAB_SCN_ERR_VALUE, "'%s' is not %s", s, choices);
}

static int set_context(struct pctx *c, const struct field *f, char *dst, const char *s)
{
	static const struct keyword k[] = {
		{ "softirq", LAB_CTX_SOFTIRQ }, { "hardirq", LAB_CTX_HARDIRQ }, { NULL, 0 }
	};
	return set_keyword(c, dst, s, k, "softirq or hardirq");
}

static int set_pattern(struct pctx *c, const struct field *f, char *dst, const char *s)
{
	static const struct keyword k[] = {
		{ "poisson", NICRX_POISSON }, { "bursts", NICRX_BURSTS }, { NULL, 0 }
	};
	return set_keyword(c, dst, s, k, "poisson or bursts");
}

static int set_method(struct pctx *c, const struct field *f, char *dst, const char *s)
{
	static const struct keyword k[] = {
		{ "buddy", CONTIG_BUDDY }, { "contig", CONTIG_RANGE }, { "cma", CONTIG_CMA }, { NULL, 0 }
	};
	return set_keyword(c, dst, s, k, "buddy, contig or cma");
}

/* F_STRING (printable, one line) and F_TEXT (any text); f->max is the buffer size. */
static int set_string(struct pctx *c, const struct field *f, char *dst, const char *s)
{
	if (strlen(s) >= (size_t)f->max)
		return scenario_fail(c, LAB_SCN_ERR_VALUE, "'%.40s' is longer than %d characters", s, (int)f->max - 1);
	if (f->type == F_STRING)
		for (const char *p = s; *p; p++)
			if (!isprint((unsigned char)*p))
				return scenario_fail(c, LAB_SCN_ERR_VALUE, "contains a non-printable character");
	memcpy(dst, s, strlen(s) + 1);
	return 0;
}

static int set_orders(struct pctx *c, const struct field *f, char *dst, const char *s)
{
	return scenario_orders_parse(c, (struct sim_order_dist *)(void *)dst, s);
}

static int set_cpus(struct pctx *c, const struct field *f, char *dst, const char *s)
{
	uint64_t m = 0;
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", s);
	for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save))
		if (add_cpu(c, &m, t) != 0)
			return -1;
	*(uint64_t *)(void *)dst = m;
	return 0;
}

static int set_phases(struct pctx *c, const struct field *f, char *dst, const char *s)
{
	uint32_t m = 0;
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", s);
	for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save))
		if (add_phase_name(c, &m, t) != 0)
			return -1;
	*(uint32_t *)(void *)dst = m;
	return 0;
}

/* lowmem_reserve_ratio: 4 or 5 ratios (DMA DMA32 Normal Movable [Device]). */
static int set_lrr(struct pctx *c, const struct field *f, char *dst, const char *s)
{
	int *arr = (int *)(void *)dst, n = 0;
	long long iv;
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", s);
	for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (n >= LAB_MAX_NR_ZONES)
			return scenario_fail(c, LAB_SCN_ERR_VALUE, "more than %d ratios", LAB_MAX_NR_ZONES);
		if (parse_int_strict(t, &iv) != 0)
			return scenario_fail(c, LAB_SCN_ERR_TYPE, "'%s' is not an integer", t);
		if (iv < 0 || iv > 1000000000)
			return scenario_fail(c, LAB_SCN_ERR_VALUE, "%lld is out of range [0, 1e9]", iv);
		arr[n++] = (int)iv;
	}
	if (n != LAB_MAX_NR_ZONES - 1 && n != LAB_MAX_NR_ZONES)
		return scenario_fail(c, LAB_SCN_ERR_VALUE, "expected %d or %d ratios (DMA DMA32 Normal Movable [Device])",
				     LAB_MAX_NR_ZONES - 1, LAB_MAX_NR_ZONES);
	if (n == LAB_MAX_NR_ZONES - 1)
		arr[n] = 0;
	return 0;
}

/* kernel: a profile name (labyrinth/kernel.h). */
static int set_kernel(struct pctx *c, const struct field *f, char *dst, const char *s)
{
	enum lab_kernel k;
	if (lab_kernel_parse(s, &k) != 0)
		return scenario_fail(c, LAB_SCN_ERR_VALUE, "'%.40s' is no kernel profile (6.1 or 6.12)", s);
	*(int *)(void *)dst = (int)k;
	return 0;
}

/* machine.reserved is a YAML list of mappings (scenario.c's parse_ranges). */
static int set_ranges(struct pctx *c, const struct field *f, char *dst, const char *s)
{
	return scenario_fail(c, LAB_SCN_ERR_TYPE, "expected a list of {start, size}");
}

static const value_parser value_parsers[F_NR] = {
	[F_SIZE] = set_size,         [F_ZONELIMIT] = set_zonelimit, [F_PAGES] = set_pages,
	[F_DURATION] = set_duration, [F_RATE] = set_rate,           [F_FLOAT] = set_float,
	[F_UINT] = set_integer,      [F_INT] = set_integer,         [F_MINFREE] = set_minfree,
	[F_BOOL] = set_bool,         [F_GFP] = set_gfp,             [F_CONTEXT] = set_context,
	[F_PATTERN] = set_pattern,   [F_METHOD] = set_method,       [F_STRING] = set_string,
	[F_TEXT] = set_string,       [F_ORDERS] = set_orders,       [F_CPUS] = set_cpus,
	[F_PHASES] = set_phases,     [F_LRR] = set_lrr,             [F_RANGES] = set_ranges,
	[F_KERNEL] = set_kernel,
};

int scenario_set_value(struct pctx *c, const struct field *f, void *base, const char *s)
{
	value_parser parse = f->type < F_NR ? value_parsers[f->type] : NULL;
	if (!parse)
		return scenario_fail(c, LAB_SCN_ERR_TYPE, "unsupported value");
	return parse(c, f, (char *)base + f->off, s);
}
