/* SPDX-License-Identifier: MIT */
/*
 * engines/scenario.c - scenario files (YAML, through libyaml's document API)
 * and "key=value" overrides, into struct lab_scenario.
 *
 *   name: nic-rx-storm            top level      keys of the table below
 *   machine: {memory: 512M, ...}  scenario_machine_fields
 *   tunables: {...}               scenario_tunable_fields (sysctl names)
 *   sim: {...}                    scenario_sim_fields
 *   phases: [{name, duration}]    or duration: 4s (one phase "run")
 *   workloads:                    list; type: picks the field table
 *     - {type: nic-rx, name: rx, phases: [storm], cpus: [0, 1], rate: 400k}
 *
 * Every value goes through one table-driven path (scenario_fields.c:
 * key, type, offset, range), whether it comes from the file or from --set,
 * so both get the same checks and the same messages. Errors name the file, line,
 * column and key path, and fall in the classes of enum
 * lab_scenario_errcode: syntax, unknown key, wrong type, bad value,
 * missing key.
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
#include "scenario_int.h"

#define MAX_INPUT (1u << 20)

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
			return scenario_fail(c, LAB_SCN_ERR_TYPE, "list items must be scalars, not %s", node_type_name(item));
		}
		const char *s = scalar_of(item);
		if (strchr(s, ',')) {
			at_node(c, item);
			return scenario_fail(c, LAB_SCN_ERR_VALUE, "'%s' contains a comma", s);
		}
		size_t l = strlen(s);
		if (len + l + 2 > size) {
			at_node(c, item);
			return scenario_fail(c, LAB_SCN_ERR_VALUE, "list too long");
		}
		if (len)
			buf[len++] = ',';
		memcpy(buf + len, s, l + 1);
		len += l;
	}
	if (!len)
		return scenario_fail(c, LAB_SCN_ERR_VALUE, "empty list");
	return 0;
}

static int parse_ranges(struct pctx *c, yaml_node_t *n)
{
	struct lab_scenario *sc = c->sc;
	if (n->type != YAML_SEQUENCE_NODE)
		return scenario_fail(c, LAB_SCN_ERR_TYPE, "expected a list of {start, size}, not %s", node_type_name(n));
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
			return scenario_fail(c, LAB_SCN_ERR_TYPE, "expected {start, size}, not %s", node_type_name(item));
		if (sc->nr_reserved >= SIM_MAX_RESERVED)
			return scenario_fail(c, LAB_SCN_ERR_VALUE, "more than %d reserved ranges", SIM_MAX_RESERVED);
		struct lab_range *r = &sc->reserved[sc->nr_reserved];
		int have = 0;
		memset(r, 0, sizeof(*r));
		for (yaml_node_pair_t *p = item->data.mapping.pairs.start; p < item->data.mapping.pairs.top; p++) {
			yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
			yaml_node_t *v = yaml_document_get_node(c->doc, p->value);
			if (!k || !v)
				continue;
			at_node(c, k);
			const struct field *f = k->type == YAML_SCALAR_NODE ? scenario_find_field(rf, scalar_of(k)) : NULL;
			if (!f)
				return scenario_fail(c, LAB_SCN_ERR_UNKNOWN, "unknown key (expected start, size)");
			at_node(c, v);
			if (v->type != YAML_SCALAR_NODE)
				return scenario_fail(c, LAB_SCN_ERR_TYPE, "%s: expected a size, not %s", f->key, node_type_name(v));
			if (scenario_set_value(c, f, r, scalar_of(v)) != 0)
				return -1;
			have |= f->off == offsetof(struct lab_range, size) ? 2 : 1;
		}
		if (have != 3) {
			at_node(c, item);
			return scenario_fail(c, LAB_SCN_ERR_MISSING, "a reserved range needs start and size");
		}
		sc->nr_reserved++;
	}
	return 0;
}

static int parse_orders_node(struct pctx *c, struct sim_order_dist *d, yaml_node_t *n)
{
	if (n->type == YAML_SCALAR_NODE)
		return scenario_orders_parse(c, d, scalar_of(n));
	if (n->type != YAML_MAPPING_NODE)
		return scenario_fail(c, LAB_SCN_ERR_TYPE, "expected an order or {order: weight}, not %s", node_type_name(n));
	memset(d, 0, sizeof(*d));
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(c->doc, p->value);
		if (!k || !v)
			continue;
		at_node(c, k);
		if (k->type != YAML_SCALAR_NODE || v->type != YAML_SCALAR_NODE)
			return scenario_fail(c, LAB_SCN_ERR_TYPE, "expected order: weight pairs of scalars");
		if (scenario_orders_add(c, d, scalar_of(k), scalar_of(v)) != 0)
			return -1;
	}
	at_node(c, n);
	return scenario_orders_finish(c, d);
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
			return scenario_set_value(c, f, base, buf);
		}
		if (v->type == YAML_SCALAR_NODE)
			return scenario_set_value(c, f, base, scalar_of(v));
		return scenario_fail(c, LAB_SCN_ERR_TYPE, "expected a list, not %s", node_type_name(v));
	default:
		if (v->type != YAML_SCALAR_NODE)
			return scenario_fail(c, LAB_SCN_ERR_TYPE, "expected a single value, not %s", node_type_name(v));
		return scenario_set_value(c, f, base, scalar_of(v));
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
		return scenario_fail(c, LAB_SCN_ERR_TYPE, "expected a mapping, not %s", node_type_name(n));
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(c->doc, p->value);
		if (!k || !v)
			continue;
		at_node(c, k);
		if (k->type != YAML_SCALAR_NODE)
			return scenario_fail(c, LAB_SCN_ERR_TYPE, "keys must be scalars");
		const char *key = scalar_of(k);
		snprintf(c->path, sizeof(c->path), "%s%s%s", prefix, *prefix ? "." : "", key);
		if (extra && scenario_find_field(extra, key))
			continue;   /* handled by the caller */
		const struct field *f = scenario_find_field(table, key);
		if (!f) {
			scenario_list_keys(table, keys, sizeof(keys));
			return scenario_fail(c, LAB_SCN_ERR_UNKNOWN, "unknown key (known: %s)", keys);
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
		return scenario_fail(c, LAB_SCN_ERR_TYPE, "expected a list of {name, duration}, not %s", node_type_name(n));
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
			return scenario_fail(c, LAB_SCN_ERR_VALUE, "more than %d phases", SIM_MAX_PHASES);
		struct sim_phase *ph = &sc->phases[sc->nr_phases];
		memset(ph, 0, sizeof(*ph));
		if (parse_map(c, item, pf, NULL, ph, prefix, NULL) != 0)
			return -1;
		snprintf(c->path, sizeof(c->path), "%s", prefix);
		at_node(c, item);
		if (!ph->name[0])
			return scenario_fail(c, LAB_SCN_ERR_MISSING, "a phase needs a name");
		if (!ph->duration_ns)
			return scenario_fail(c, LAB_SCN_ERR_MISSING, "phase '%s' needs a duration", ph->name);
		if (!strcmp(ph->name, "all") || strchr(ph->name, ',') || strchr(ph->name, '.'))
			return scenario_fail(c, LAB_SCN_ERR_VALUE, "'%s' cannot name a phase", ph->name);
		if (scenario_phase_index(sc, ph->name) >= 0)
			return scenario_fail(c, LAB_SCN_ERR_VALUE, "two phases named '%s'", ph->name);
		sc->nr_phases++;
	}
	if (!sc->nr_phases)
		return scenario_fail(c, LAB_SCN_ERR_VALUE, "no phases");
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
		return scenario_fail(c, LAB_SCN_ERR_TYPE, "expected a list of workloads, not %s", node_type_name(n));
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *item = yaml_document_get_node(c->doc, *it);
		char prefix[48];
		if (!item)
			continue;
		snprintf(prefix, sizeof(prefix), "workloads[%u]", sc->nr_wl);
		snprintf(c->path, sizeof(c->path), "%s", prefix);
		at_node(c, item);
		if (sc->nr_wl >= SIM_MAX_WORKLOADS)
			return scenario_fail(c, LAB_SCN_ERR_VALUE, "more than %d workloads", SIM_MAX_WORKLOADS);
		if (item->type != YAML_MAPPING_NODE)
			return scenario_fail(c, LAB_SCN_ERR_TYPE, "expected a mapping, not %s", node_type_name(item));
		struct sim_wl_cfg *w = &sc->wl[sc->nr_wl];
		memset(w, 0, sizeof(*w));
		w->line = (unsigned)item->start_mark.line + 1;
		yaml_node_t *t = map_get(c->doc, item, "type");
		if (!t)
			return scenario_fail(c, LAB_SCN_ERR_MISSING, "a workload needs a type (nic-rx, cardiac-monitor, "
				    "page-cache, anon, slab, contig-dma)");
		snprintf(c->path, sizeof(c->path), "%s.type", prefix);
		at_node(c, t);
		if (t->type != YAML_SCALAR_NODE)
			return scenario_fail(c, LAB_SCN_ERR_TYPE, "expected a type name, not %s", node_type_name(t));
		w->type = -1;
		for (int i = 0; i < WL_NR_TYPES; i++)
			if (!strcmp(scalar_of(t), scenario_wl_type_names[i]))
				w->type = i;
		if (w->type < 0)
			return scenario_fail(c, LAB_SCN_ERR_UNKNOWN, "unknown workload type '%s' (nic-rx, cardiac-monitor, "
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
				return scenario_fail(c, LAB_SCN_ERR_VALUE, "'%s' cannot name a workload (no '.', '=', spaces)",
					    w->name);
		} else {
			snprintf(w->name, SIM_NAME, "%s", scenario_wl_type_names[w->type]);
		}
		if (find_wl(sc, w->name) >= 0) {
			at_node(c, nm ? nm : item);
			return scenario_fail(c, LAB_SCN_ERR_VALUE, "two workloads named '%s' (give one a name:)", w->name);
		}
		/* the type's own keys, then phases and cpus */
		if (parse_map(c, item, scenario_wl_type_fields[w->type], head, w, prefix, NULL) != 0)
			return -1;
		yaml_node_t *ph = map_get(c->doc, item, "phases");
		if (ph) {
			snprintf(c->path, sizeof(c->path), "%s.phases", prefix);
			w->phase_mask = 0;
			if (set_from_node(c, &scenario_wl_common_fields[0], w, ph) != 0)
				return -1;
		}
		yaml_node_t *cp = map_get(c->doc, item, "cpus");
		if (cp) {
			snprintf(c->path, sizeof(c->path), "%s.cpus", prefix);
			if (set_from_node(c, &scenario_wl_common_fields[1], w, cp) != 0)
				return -1;
		}
		sc->nr_wl++;
	}
	if (!sc->nr_wl) {
		at_node(c, n);
		return scenario_fail(c, LAB_SCN_ERR_MISSING, "no workloads");
	}
	return 0;
}

static int parse_document(struct pctx *c, yaml_node_t *root)
{
	static const struct field top_known[] = {
		{ "name", 0, 0, 0, 0, 0 }, { "description", 0, 0, 0, 0, 0 }, { "kernel", 0, 0, 0, 0, 0 },
		{ "drain_before_failure", 0, 0, 0, 0, 0 }, { "machine", 0, 0, 0, 0, 0 },
		{ "tunables", 0, 0, 0, 0, 0 }, { "sim", 0, 0, 0, 0, 0 }, { "phases", 0, 0, 0, 0, 0 },
		{ "duration", 0, 0, 0, 0, 0 }, { "workloads", 0, 0, 0, 0, 0 }, { NULL, 0, 0, 0, 0, 0 }
	};
	struct lab_scenario *sc = c->sc;
	char keys[256];

	if (!root) {
		c->line = 1;
		return scenario_fail(c, LAB_SCN_ERR_MISSING, "the file is empty");
	}
	at_node(c, root);
	if (root->type != YAML_MAPPING_NODE)
		return scenario_fail(c, LAB_SCN_ERR_TYPE, "a scenario is a mapping, not %s", node_type_name(root));
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
		if (!k)
			continue;
		at_node(c, k);
		if (k->type != YAML_SCALAR_NODE)
			return scenario_fail(c, LAB_SCN_ERR_TYPE, "keys must be scalars");
		snprintf(c->path, sizeof(c->path), "%s", scalar_of(k));
		if (!scenario_find_field(top_known, scalar_of(k))) {
			scenario_list_keys(top_known, keys, sizeof(keys));
			return scenario_fail(c, LAB_SCN_ERR_UNKNOWN, "unknown key (known: %s)", keys);
		}
	}
	static const struct field top_sections[] = {
		{ "machine", 0, 0, 0, 0, 0 }, { "tunables", 0, 0, 0, 0, 0 }, { "sim", 0, 0, 0, 0, 0 },
		{ "phases", 0, 0, 0, 0, 0 }, { "duration", 0, 0, 0, 0, 0 }, { "workloads", 0, 0, 0, 0, 0 },
		{ NULL, 0, 0, 0, 0, 0 }
	};
	if (parse_map(c, root, scenario_top_fields, top_sections, sc, "", NULL) != 0)
		return -1;
	yaml_node_t *m = map_get(c->doc, root, "machine");
	if (!m) {
		at_node(c, root);
		snprintf(c->path, sizeof(c->path), "machine");
		return scenario_fail(c, LAB_SCN_ERR_MISSING, "no machine: (memory, cpus, zones)");
	}
	if (parse_map(c, m, scenario_machine_fields, NULL, sc, "machine", NULL) != 0)
		return -1;
	if (!map_get(c->doc, m, "memory")) {
		at_node(c, m);
		snprintf(c->path, sizeof(c->path), "machine.memory");
		return scenario_fail(c, LAB_SCN_ERR_MISSING, "the machine needs a memory size");
	}
	yaml_node_t *t = map_get(c->doc, root, "tunables");
	if (t && parse_map(c, t, scenario_tunable_fields, NULL, sc, "tunables", &sc->tun.set_mask) != 0)
		return -1;
	yaml_node_t *s = map_get(c->doc, root, "sim");
	if (s && parse_map(c, s, scenario_sim_fields, NULL, sc, "sim", NULL) != 0)
		return -1;
	yaml_node_t *ph = map_get(c->doc, root, "phases"), *du = map_get(c->doc, root, "duration");
	if (ph && du) {
		at_node(c, du);
		snprintf(c->path, sizeof(c->path), "duration");
		return scenario_fail(c, LAB_SCN_ERR_VALUE, "give either phases: or duration:, not both");
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
		return scenario_fail(c, LAB_SCN_ERR_MISSING, "no phases: (or duration:)");
	}
	yaml_node_t *w = map_get(c->doc, root, "workloads");
	if (!w) {
		at_node(c, root);
		snprintf(c->path, sizeof(c->path), "workloads");
		return scenario_fail(c, LAB_SCN_ERR_MISSING, "no workloads:");
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
		return scenario_fail(&c, LAB_SCN_ERR_TYPE, "expected key=value");
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
		f = scenario_find_field(scenario_tunable_fields, seg[0]);
		if (f) {
			mask = &sc->tun.set_mask;
			bit = f->tun_bit;
		} else if (!strcmp(seg[0], "duration")) {
			if (sc->nr_phases != 1)
				return scenario_fail(&c, LAB_SCN_ERR_VALUE, "the scenario has %u phases: set phases.NAME.duration",
					    sc->nr_phases);
			static const struct field df = { "duration", F_DURATION,
							 offsetof(struct sim_phase, duration_ns), 1, 1e16, NOTUN };
			f = &df;
			base = &sc->phases[0];
		} else {
			f = scenario_find_field(scenario_top_fields, seg[0]);
		}
	} else if (n == 2 && !strcmp(seg[0], "machine")) {
		f = scenario_find_field(scenario_machine_fields, seg[1]);
	} else if (n == 2 && !strcmp(seg[0], "tunables")) {
		f = scenario_find_field(scenario_tunable_fields, seg[1]);
		mask = &sc->tun.set_mask;
		bit = f ? f->tun_bit : -1;
	} else if (n == 2 && !strcmp(seg[0], "sim")) {
		f = scenario_find_field(scenario_sim_fields, seg[1]);
	} else if (n == 3 && !strcmp(seg[0], "phases")) {
		int i = scenario_phase_index(sc, seg[1]);
		if (i < 0)
			return scenario_fail(&c, LAB_SCN_ERR_UNKNOWN, "no phase named '%s'", seg[1]);
		static const struct field pd = { "duration", F_DURATION, offsetof(struct sim_phase, duration_ns),
						 1, 1e16, NOTUN };
		if (!strcmp(seg[2], "duration")) {
			f = &pd;
			base = &sc->phases[i];
		}
	} else if (n == 3 && !strcmp(seg[0], "workloads")) {
		int i = find_wl(sc, seg[1]);
		if (i < 0)
			return scenario_fail(&c, LAB_SCN_ERR_UNKNOWN, "no workload named '%s'", seg[1]);
		base = &sc->wl[i];
		f = scenario_find_field(scenario_wl_common_fields, seg[2]);
		if (!f)
			f = scenario_find_field(scenario_wl_type_fields[sc->wl[i].type], seg[2]);
	}
	if (!f)
		return scenario_fail(&c, LAB_SCN_ERR_UNKNOWN, "unknown key (a tunable, machine.*, sim.*, "
			    "phases.NAME.duration or workloads.NAME.*)");
	if (f->type == F_RANGES)
		return scenario_fail(&c, LAB_SCN_ERR_TYPE, "reserved ranges can only be given in the file");
	struct lab_scenario backup = *sc;
	if (scenario_set_value(&c, f, base, value) != 0) {
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
