/* SPDX-License-Identifier: MIT */
/*
 * engines/scenario_int.h - what the scenario parser (scenario.c: the YAML
 * walk, defaults, validation, --set) and the value table
 * (scenario_fields.c) share.
 *
 *   struct field: key, type, offset, min..max, tunable bit
 *     one table per mapping: scenario_top_fields, _machine_, _tunable_,
 *     _sim_, _wl_common_ and one per workload type (scenario_wl_type_fields)
 *
 *   scenario_set_value(ctx, field, base, "16M")
 *     value_parsers[field->type] parses the text, checks min..max and
 *     stores at base + offset; the YAML walk and --set both end here, so
 *     both get the same checks and the same messages.
 */
#ifndef LAB_SCENARIO_INT_H
#define LAB_SCENARIO_INT_H

#include <yaml.h>
#include "sim_int.h"

#define PCT_FLAG (1ull << 63)   /* F_PAGES value holds millipercent of memory */

enum ftype {
	F_SIZE, F_PAGES, F_DURATION, F_RATE, F_FLOAT, F_UINT, F_INT, F_BOOL, F_GFP, F_CONTEXT,
	F_ORDERS, F_STRING, F_MINFREE, F_LRR, F_PATTERN, F_METHOD, F_ZONELIMIT, F_CPUS, F_PHASES,
	F_RANGES, F_TEXT, F_KERNEL, F_NR
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

struct pctx {
	struct lab_scenario *sc;
	yaml_document_t *doc;           /* NULL for --set values */
	const char *file;
	struct lab_sim_error *err;
	char path[128];                 /* key path of the value being parsed */
	unsigned line, col;
};

extern const struct field scenario_top_fields[], scenario_machine_fields[], scenario_tunable_fields[],
	scenario_sim_fields[], scenario_wl_common_fields[];
extern const struct field *const scenario_wl_type_fields[WL_NR_TYPES];
extern const char *const scenario_wl_type_names[WL_NR_TYPES];

const struct field *scenario_find_field(const struct field *t, const char *key);
/* "key, key, ..." of table @t into @buf, for "unknown key" messages. */
void scenario_list_keys(const struct field *t, char *buf, size_t size);

/* Records the error at @c's position and key path; returns -1. */
int scenario_fail(struct pctx *c, enum lab_scenario_errcode code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The text @s into field @f of @base (a struct lab_scenario, a sim_wl_cfg
 * or a lab_range). 0, or -1 with the error recorded and @base unchanged. */
int scenario_set_value(struct pctx *c, const struct field *f, void *base, const char *s);

/* Order distributions: "3" or "2:0.3,3:0.7"; or pair by pair, then finish
 * (weights must add up to more than 0). */
int scenario_orders_parse(struct pctx *c, struct sim_order_dist *d, const char *s);
int scenario_orders_add(struct pctx *c, struct sim_order_dist *d, const char *key, const char *weight);
int scenario_orders_finish(struct pctx *c, struct sim_order_dist *d);

/* Index of the phase named @name, or -1. */
int scenario_phase_index(const struct lab_scenario *sc, const char *name);

#endif
