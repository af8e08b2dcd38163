/* SPDX-License-Identifier: MIT */
/*
 * cli/cmd_replay.c - `labyrinth replay TRACE`: replay a real kernel's
 * page-allocator trace, what-if (the trace's demand on our allocator,
 * configured like the traced machine or with --set changes) or shadow
 * (the kernel's own decisions on a model of its zones, compared with its
 * /proc snapshots).
 *
 * This file only parses arguments, loads the trace and the snapshots next
 * to it (formats/), runs an engine (engines/replay.c) and prints text and JSON.
 */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include <labyrinth/labyrinth.h>
#include <labyrinth/map.h>
#include <labyrinth/report.h>
#include "cli.h"
#include "formats/ftrace.h"
#include "formats/snapshot.h"
#include "engines/replay.h"

/* Also to be declared in cli.h (owned by the lead); a duplicate prototype is harmless. */
int lab_cmd_replay(int argc, char **argv);

static const char *const help =
	"usage: labyrinth replay TRACE [--shadow] [--set KEY=VALUE ...] [--snapshot DIR]\n"
	"                        [--json FILE] [--map FILE.png] [--kernel VERSION | --era ERA]\n"
	"                        [--pretrace-frees skip|release] [--samples N] [--lenient]\n\n"
	"Replays a Linux page-allocator trace: the text of tracefs `trace`, of\n"
	"`trace-cmd report [-l]`, or a binary trace.dat (xz/gzip read transparently),\n"
	"with the kmem:mm_page_* events enabled. The machine (zones, managed pages,\n"
	"watermarks, tunables, CPUs) comes from the /proc snapshots next to the trace\n"
	"(zoneinfo.before, vm_sysctl.before, buddyinfo.*, pagetypeinfo.*), or --snapshot DIR.\n\n"
	"what-if (default): every mm_page_alloc (order, gfp, context, task) and every\n"
	"  mm_page_free (matched to its allocation by pfn) is fed to a Labyrinth\n"
	"  instance configured like the traced machine, which places pages itself.\n"
	"  Reports failures by order/gfp/context next to the kernel's, fragmentation\n"
	"  over time and the state at each snapshot. --set changes a tunable:\n"
	"    min_free_kbytes=N  watermark_scale_factor=N  watermark_boost_factor=N\n"
	"    lowmem_reserve_ratio=\"256 256 32 0 0\"  highatomic_reserve=0|1\n"
	"    percpu_pagelist_high_fraction=N\n"
	"  so `--set min_free_kbytes=8192` answers \"would this have prevented it?\".\n"
	"--shadow: the kernel's own decisions (pfns taken from the buddy lists, per-CPU\n"
	"  refills and drains, frees, steals, compaction isolation) are applied to a\n"
	"  model of its zones; its free lists are compared per order with every\n"
	"  buddyinfo/pagetypeinfo/zoneinfo snapshot the trace marks.\n\n"
	"Pages allocated before tracing began are unknown: their frees are counted\n"
	"and skipped (--pretrace-frees release frees our seeded page at that pfn).\n"
	"docs/replay.md explains both modes and their assumptions.\n"
	"Exit: 0 done, 2 bad usage or malformed input (file:line named).\n";

#define MAX_SNAPS 16

struct replay_args {
	const char *trace, *snapdir, *json, *map;
	int shadow, lenient;
	unsigned samples;
	enum lab_gfp_era era;
	struct lab_replay_settings set;
	enum lab_replay_pretrace pretrace;
};

static int parse_int(const char *s, long lo, long hi, int *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 0);
	if (errno || end == s || *end || v < lo || v > hi)
		return -1;
	*out = (int)v;
	return 0;
}

static int parse_set(struct replay_args *a, const char *kv)
{
	const char *eq = strchr(kv, '=');
	if (!eq)
		return cli_error("replay", "--set needs KEY=VALUE, got '%s'", kv);
	size_t kl = (size_t)(eq - kv);
	const char *v = eq + 1;
#define KEY(name) (kl == strlen(name) && !strncmp(kv, name, kl))
	if (KEY("min_free_kbytes")) {
		if (parse_int(v, 128, 262144 * 4, &a->set.min_free_kbytes))
			return cli_error("replay", "min_free_kbytes must be a number of kB (128..1048576), got '%s'", v);
	} else if (KEY("watermark_scale_factor")) {
		if (parse_int(v, 1, 3000, &a->set.watermark_scale_factor))
			return cli_error("replay", "watermark_scale_factor must be 1..3000, got '%s'", v);
	} else if (KEY("watermark_boost_factor")) {
		if (parse_int(v, 0, 1000000000, &a->set.watermark_boost_factor))
			return cli_error("replay", "watermark_boost_factor must be >= 0, got '%s'", v);
	} else if (KEY("percpu_pagelist_high_fraction")) {
		if (parse_int(v, 0, 1000000, &a->set.percpu_pagelist_high_fraction) ||
		    (a->set.percpu_pagelist_high_fraction && a->set.percpu_pagelist_high_fraction < 8))
			return cli_error("replay", "percpu_pagelist_high_fraction must be 0 or >= 8, got '%s'", v);
	} else if (KEY("highatomic_reserve")) {
		if (!strcmp(v, "on") || !strcmp(v, "1"))
			a->set.highatomic_reserve = 1;
		else if (!strcmp(v, "off") || !strcmp(v, "0"))
			a->set.highatomic_reserve = 0;
		else
			return cli_error("replay", "highatomic_reserve must be 0/1/on/off, got '%s'", v);
	} else if (KEY("lowmem_reserve_ratio")) {
		int n = 0;
		const char *q = v;
		while (*q && n < LAB_MAX_NR_ZONES) {
			char *e;
			long x = strtol(q, &e, 10);
			if (e == q || x < 0 || x > 1000000)
				return cli_error("replay", "lowmem_reserve_ratio: bad number in '%s'", v);
			a->set.lowmem_reserve_ratio[n++] = (int)x;
			q = e;
			while (*q == ' ' || *q == ',')
				q++;
		}
		if (!n || *q)
			return cli_error("replay", "lowmem_reserve_ratio: expected up to 5 numbers, got '%s'", v);
		a->set.nr_lowmem_reserve_ratio = n;
	} else {
		return cli_error("replay", "unknown --set key '%.*s' (min_free_kbytes, watermark_scale_factor, "
			     "watermark_boost_factor, lowmem_reserve_ratio, highatomic_reserve, "
			     "percpu_pagelist_high_fraction)", (int)kl, kv);
	}
#undef KEY
	return 0;
}

static const char *gfp_str(lab_gfp_t g, char *buf, size_t n)
{
	if (!g) {
		snprintf(buf, n, "none");
		return buf;
	}
	lab_gfp_format(buf, n, g, LAB_GFP_ERA_6_1);
	return buf;
}

static double secs(uint64_t ns)
{
	return (double)ns / 1e9;
}

/* The zone with the most managed pages: the one the tables show. */
static int main_zone(const struct lab_snapshot *b)
{
	int best = -1;
	for (int z = 0; z < LAB_MAX_NR_ZONES; z++)
		if (b->zone[z].present_in_file && b->zone[z].managed &&
		    (best < 0 || b->zone[z].managed > b->zone[best].managed))
			best = z;
	return best < 0 ? 0 : best;
}

static void print_orders(FILE *out, const char *label, const uint64_t *v)
{
	fprintf(out, "    %-14s", label);
	for (int o = 0; o < LAB_MAX_ORDER; o++)
		fprintf(out, " %6llu", (unsigned long long)v[o]);
	fputc('\n', out);
}

static void print_diff(FILE *out, const uint64_t *model, const uint64_t *kern)
{
	fprintf(out, "    %-14s", "model-kernel");
	for (int o = 0; o < LAB_MAX_ORDER; o++)
		fprintf(out, " %+6lld", (long long)model[o] - (long long)kern[o]);
	fputc('\n', out);
}

static uint64_t pages_of(const uint64_t *nr)
{
	uint64_t p = 0;
	for (int o = 0; o < LAB_MAX_ORDER; o++)
		p += nr[o] << o;
	return p;
}

static json_t *orders_json(const uint64_t *v)
{
	json_t *a = json_array();
	for (int o = 0; o < LAB_MAX_ORDER; o++)
		json_array_append_new(a, json_integer((json_int_t)v[o]));
	return a;
}

/* ---- the trace header: format, losses, unknown events ----------------------- */

static void print_trace_info(FILE *out, const char *path, const struct lab_ftrace *t,
			     const struct lab_trace_stats *ts, int have_ts)
{
	static const char *const layouts[] = { "?", "tracefs text", "trace-cmd report",
					       "trace-cmd report -l", "trace.dat" };
	fprintf(out, "trace: %s\n  %zu events, %llu lines, %s, %d CPUs", path, t->nr,
		(unsigned long long)t->lines, layouts[t->layout <= 4 ? t->layout : 0], t->nr_cpus);
	if (t->nr)
		fprintf(out, ", %.6f .. %.6f s", secs(t->ev[0].ts_ns), secs(t->ev[t->nr - 1].ts_ns));
	fputc('\n', out);
	uint64_t lost = t->lost_events;
	if (t->entries_written > t->entries_in_buffer)
		lost += t->entries_written - t->entries_in_buffer;
	if (have_ts)
		lost += ts->overrun + ts->dropped;
	if (lost || t->lost_reports)
		fprintf(out, "  WARNING: events were lost (%llu: ring-buffer header %llu/%llu, %llu lost-event "
			"reports, trace_stats overrun+dropped %llu): the replay misses them\n",
			(unsigned long long)lost, (unsigned long long)t->entries_in_buffer,
			(unsigned long long)t->entries_written, (unsigned long long)t->lost_reports,
			have_ts ? (unsigned long long)(ts->overrun + ts->dropped) : 0ull);
	else
		fprintf(out, "  no events lost (%s%s)\n",
			t->entries_written ? "entries-in-buffer == entries-written" : "no ring-buffer header",
			have_ts ? ", trace_stats.txt: overrun 0, dropped 0" : "");
	if (t->buffer_started)
		fprintf(out, "  note: %llu '##### CPU buffer started' lines (trace_pipe / overwrite mode)\n",
			(unsigned long long)t->buffer_started);
	fprintf(out, "  events:");
	for (int k = 1; k < LAB_FT_NR_TYPES; k++)
		if (t->count[k])
			fprintf(out, " %s=%llu", lab_ftrace_type_name((enum lab_ftrace_type)k),
				(unsigned long long)t->count[k]);
	fputc('\n', out);
	if (t->nr_unknown) {
		fprintf(out, "  events this reader does not decode (kept, not replayed):");
		for (size_t i = 0; i < t->nr_unknown; i++)
			fprintf(out, " %s=%llu", t->unknown[i].name, (unsigned long long)t->unknown[i].count);
		fputc('\n', out);
	}
	if (t->malformed)
		fprintf(out, "  WARNING: %llu malformed lines skipped (--lenient)\n", (unsigned long long)t->malformed);
}

static json_t *trace_json(const char *path, const struct lab_ftrace *t, const struct lab_trace_stats *ts, int have_ts)
{
	json_t *j = json_object(), *ev = json_object(), *un = json_object();
	json_object_set_new(j, "file", json_string(path));
	json_object_set_new(j, "events", json_integer((json_int_t)t->nr));
	json_object_set_new(j, "lines", json_integer((json_int_t)t->lines));
	json_object_set_new(j, "cpus", json_integer(t->nr_cpus));
	json_object_set_new(j, "lost_events", json_integer((json_int_t)(t->lost_events +
		(t->entries_written > t->entries_in_buffer ? t->entries_written - t->entries_in_buffer : 0) +
		(have_ts ? ts->overrun + ts->dropped : 0))));
	json_object_set_new(j, "malformed_lines", json_integer((json_int_t)t->malformed));
	for (int k = 1; k < LAB_FT_NR_TYPES; k++)
		if (t->count[k])
			json_object_set_new(ev, lab_ftrace_type_name((enum lab_ftrace_type)k),
					    json_integer((json_int_t)t->count[k]));
	for (size_t i = 0; i < t->nr_unknown; i++)
		json_object_set_new(un, t->unknown[i].name, json_integer((json_int_t)t->unknown[i].count));
	json_object_set_new(j, "event_counts", ev);
	json_object_set_new(j, "unknown_events", un);
	return j;
}

static void print_seed(FILE *out, const struct lab_replay_seed *s, const struct lab_snapshot *b)
{
	fprintf(out, "\nstate at trace start (reconstructed; pages allocated before tracing are unknown):\n");
	for (int z = 0; z < LAB_MAX_NR_ZONES; z++) {
		if (!b->zone[z].present_in_file || !b->zone[z].managed)
			continue;
		uint64_t unplaced = 0;
		for (int o = 0; o < LAB_MAX_ORDER; o++)
			unplaced += s->unplaced_blocks[z][o] << o;
		fprintf(out, "  %-7s start_pfn %#llx spanned %llu present %llu managed %llu: first events show "
			"%llu pages free, %llu on pcp lists, %llu allocated;\n"
			"          %llu never-traced pages placed as free to match buddyinfo.before",
			lab_zone_names[z], (unsigned long long)b->zone[z].start_pfn,
			(unsigned long long)b->zone[z].spanned, (unsigned long long)b->zone[z].present,
			(unsigned long long)b->zone[z].managed, (unsigned long long)s->revealed_free[z],
			(unsigned long long)s->revealed_pcp[z], (unsigned long long)s->revealed_alloc[z],
			(unsigned long long)s->placed_free[z]);
		if (unplaced)
			fprintf(out, "; %llu free pages of the snapshot found no room", (unsigned long long)unplaced);
		if (s->extra_free[z])
			fprintf(out, "; %llu pages taken from the buddy lists were not free in the snapshot "
				"(changed between snapshot and tracing on)", (unsigned long long)s->extra_free[z]);
		fputc('\n', out);
	}
	if (s->tie_groups)
		fprintf(out, "  %llu runs of equal timestamps on several CPUs; %llu events reordered within them "
			"to an order the page states allow\n", (unsigned long long)s->tie_groups,
			(unsigned long long)s->reordered);
}

/* ---- shadow output -------------------------------------------------------------- */

static void print_shadow(FILE *out, const struct lab_ftrace *t, const struct lab_replay_opts *o,
			 const struct lab_shadow_result *r, const struct lab_snapshot *b)
{
	uint64_t nfix = 0;
	print_seed(out, &r->seed, b);
	fprintf(out, "\nshadow replay: the kernel's decisions applied to a model of its zones\n");
	for (int k = 0; k < LAB_NR_FIX; k++)
		nfix += r->fixes[k];
	if (!nfix) {
		fprintf(out, "  every event found the page states it implies (no corrections)\n");
	} else {
		fprintf(out, "  events that contradicted the model (the event wins; by kind):\n");
		for (int k = 0; k < LAB_NR_FIX; k++)
			if (r->fixes[k])
				fprintf(out, "    %-22s %8llu  (%llu inside compaction runs; first at line %u)\n",
					lab_shadow_fix_name((enum lab_shadow_fix)k), (unsigned long long)r->fixes[k],
					(unsigned long long)r->fixes_in_compaction[k], r->first_fix_line[k]);
	}
	if (r->isolated_by_compaction)
		fprintf(out, "  compaction's free scanner isolated %llu pages (untraced allocations, modelled "
			"from mm_compaction_isolate_freepages ranges)\n",
			(unsigned long long)r->isolated_by_compaction);

	fprintf(out, "\nfree blocks per order, model vs kernel, at each snapshot (orders 0..10):\n");
	for (unsigned si = 0; si < r->nr_snaps; si++) {
		const struct lab_snapshot *s = o->snaps[si].snap;
		const struct lab_shadow_point *p = &r->snaps[si];
		fprintf(out, "  %s (event %zu, t=%.6f s)%s\n", s->suffix, o->snaps[si].at_event,
			secs(o->snaps[si].ts_ns), si == 0 && !strcmp(s->suffix, "before") && o->snaps[si].at_event == 0 ?
			": the seed, by construction" : "");
		for (int z = 0; z < LAB_MAX_NR_ZONES; z++) {
			if (!r->populated[z] || !s->zone[z].have_buddy)
				continue;
			uint64_t kpcp = 0;
			for (unsigned c = 0; c < s->zone[z].nr_cpus; c++)
				kpcp += s->zone[z].pcp[c].count;
			fprintf(out, "   zone %s\n", lab_zone_names[z]);
			print_orders(out, "kernel", s->zone[z].buddy);
			print_orders(out, "model", p->zone[z].nr_free);
			print_diff(out, p->zone[z].nr_free, s->zone[z].buddy);
			fprintf(out, "    free pages: model %llu kernel %llu (%+lld); on pcp lists: model %llu kernel %llu\n",
				(unsigned long long)pages_of(p->zone[z].nr_free),
				(unsigned long long)pages_of(s->zone[z].buddy),
				(long long)pages_of(p->zone[z].nr_free) - (long long)pages_of(s->zone[z].buddy),
				(unsigned long long)p->zone[z].pcp_pages, (unsigned long long)kpcp);
			if (s->have & LAB_SNAP_PAGETYPEINFO) {
				fprintf(out, "    pageblocks U/M/R/H: model %llu/%llu/%llu/%llu kernel %llu/%llu/%llu/%llu\n",
					(unsigned long long)p->zone[z].blocks_mt[0], (unsigned long long)p->zone[z].blocks_mt[1],
					(unsigned long long)p->zone[z].blocks_mt[2], (unsigned long long)p->zone[z].blocks_mt[3],
					(unsigned long long)s->zone[z].blocks_mt[0], (unsigned long long)s->zone[z].blocks_mt[1],
					(unsigned long long)s->zone[z].blocks_mt[2], (unsigned long long)s->zone[z].blocks_mt[3]);
			}
		}
	}
	int mz = main_zone(b);
	fprintf(out, "\nbuddyinfo timeline of the model, zone %s (free blocks per order):\n", lab_zone_names[mz]);
	fprintf(out, "  %10s %9s %7s %7s", "t (s)", "event", "free", "pcp");
	for (int k = 0; k < LAB_MAX_ORDER; k++)
		fprintf(out, " %5d", k);
	fputc('\n', out);
	for (unsigned i = 0; i < r->nr_timeline; i++) {
		const struct lab_shadow_point *p = &r->timeline[i];
		fprintf(out, "  %10.6f %9zu %7llu %7llu", secs(p->ts_ns), p->at_event,
			(unsigned long long)pages_of(p->zone[mz].nr_free), (unsigned long long)p->zone[mz].pcp_pages);
		for (int k = 0; k < LAB_MAX_ORDER; k++)
			fprintf(out, " %5llu", (unsigned long long)p->zone[mz].nr_free[k]);
		fputc('\n', out);
	}
	(void)t;
}

static json_t *point_json(const struct lab_shadow_point *p, const int *populated)
{
	json_t *j = json_object(), *zs = json_object();
	json_object_set_new(j, "event", json_integer((json_int_t)p->at_event));
	json_object_set_new(j, "t", json_real(secs(p->ts_ns)));
	for (int z = 0; z < LAB_MAX_NR_ZONES; z++) {
		if (!populated[z])
			continue;
		json_t *zj = json_object();
		json_object_set_new(zj, "nr_free", orders_json(p->zone[z].nr_free));
		json_object_set_new(zj, "free_pages", json_integer((json_int_t)pages_of(p->zone[z].nr_free)));
		json_object_set_new(zj, "pcp_pages", json_integer((json_int_t)p->zone[z].pcp_pages));
		json_object_set_new(zs, lab_zone_names[z], zj);
	}
	json_object_set_new(j, "zones", zs);
	return j;
}

static json_t *shadow_json(const struct lab_replay_opts *o, const struct lab_shadow_result *r)
{
	json_t *j = json_object(), *fx = json_object(), *sn = json_array(), *tl = json_array();
	for (int k = 0; k < LAB_NR_FIX; k++)
		json_object_set_new(fx, lab_shadow_fix_name((enum lab_shadow_fix)k), json_integer((json_int_t)r->fixes[k]));
	json_object_set_new(j, "corrections", fx);
	json_object_set_new(j, "isolated_by_compaction", json_integer((json_int_t)r->isolated_by_compaction));
	for (unsigned si = 0; si < r->nr_snaps; si++) {
		const struct lab_snapshot *s = o->snaps[si].snap;
		json_t *e = point_json(&r->snaps[si], r->populated), *k = json_object();
		json_object_set_new(e, "snapshot", json_string(s->suffix));
		for (int z = 0; z < LAB_MAX_NR_ZONES; z++)
			if (r->populated[z] && s->zone[z].have_buddy)
				json_object_set_new(k, lab_zone_names[z], orders_json(s->zone[z].buddy));
		json_object_set_new(e, "kernel_nr_free", k);
		json_array_append_new(sn, e);
	}
	for (unsigned i = 0; i < r->nr_timeline; i++)
		json_array_append_new(tl, point_json(&r->timeline[i], r->populated));
	json_object_set_new(j, "snapshots", sn);
	json_object_set_new(j, "timeline", tl);
	json_object_set_new(j, "final", point_json(&r->final, r->populated));
	return j;
}

/* ---- what-if output -------------------------------------------------------------- */

static void print_line_of(FILE *out, const struct lab_ftrace *t, size_t ev)
{
	if (ev >= t->nr) {
		fprintf(out, "none");
		return;
	}
	const struct lab_ftrace_event *e = &t->ev[ev];
	char g[256];
	fprintf(out, "line %u, t=%.6f s, order %d %s in %s context (%s-%u, CPU %u)", e->line, secs(e->ts_ns),
		e->order, gfp_str(e->gfp, g, sizeof(g)), lab_context_name(lab_ftrace_context(e)),
		e->comm < t->nr_comms ? t->comms[e->comm] : "?", e->pid, e->cpu);
}

static void print_whatif(FILE *out, const struct lab_ftrace *t, const struct lab_replay_opts *o,
			 const struct lab_whatif_result *r, const struct lab_snapshot *b)
{
	char g[256];
	const struct lab_tunables *tu = &r->tunables;
	print_seed(out, &r->seed, b);
	fprintf(out, "\nwhat-if replay: the trace's demand on a Labyrinth instance like the traced machine\n");
	fprintf(out, "  settings: min_free_kbytes=%d%s watermark_scale_factor=%d%s watermark_boost_factor=%d%s\n"
		"            lowmem_reserve_ratio=%d %d %d %d %d%s highatomic_reserve=%s%s\n",
		tu->min_free_kbytes, o->set.min_free_kbytes >= 0 ? " (--set)" : "",
		tu->watermark_scale_factor, o->set.watermark_scale_factor >= 0 ? " (--set)" : "",
		tu->watermark_boost_factor, o->set.watermark_boost_factor >= 0 ? " (--set)" : "",
		tu->lowmem_reserve_ratio[0], tu->lowmem_reserve_ratio[1], tu->lowmem_reserve_ratio[2],
		tu->lowmem_reserve_ratio[3], tu->lowmem_reserve_ratio[4], o->set.nr_lowmem_reserve_ratio ? " (--set)" : "",
		tu->highatomic_reserve ? "on" : "off", o->set.highatomic_reserve >= 0 ? " (--set)" : "");
	fprintf(out, "  %-7s %22s %22s %14s %14s\n", "zone", "ours min/low/high", "kernel min/low/high",
		"seeded free", "kernel free");
	for (int z = 0; z < LAB_MAX_NR_ZONES; z++) {
		if (!r->populated[z])
			continue;
		char a[64], k[64];
		snprintf(a, sizeof(a), "%llu/%llu/%llu", (unsigned long long)r->wmark[z][0],
			 (unsigned long long)r->wmark[z][1], (unsigned long long)r->wmark[z][2]);
		snprintf(k, sizeof(k), "%llu/%llu/%llu", (unsigned long long)r->kernel_wmark[z][0],
			 (unsigned long long)r->kernel_wmark[z][1], (unsigned long long)r->kernel_wmark[z][2]);
		fprintf(out, "  %-7s %22s %22s %14llu %14llu\n", lab_zone_names[z], a, k,
			(unsigned long long)r->seeded_free[z], (unsigned long long)r->kernel_free_before[z]);
	}
	fprintf(out, "  %s\n", r->kernel_watermarks ?
		"(as traced, the zones use the kernel's own watermarks and protection from zoneinfo.before)" :
		"(watermarks recomputed from the --set tunables, as writing the sysctl would)");
	fprintf(out, "  seeded free = kernel free + pages on its pcp lists at trace start - pages first seen allocated\n");

	fprintf(out, "\ndemand: %llu allocations (%llu failed in the kernel), %llu frees "
		"(%llu mm_page_free_batched repeats not counted twice)\n",
		(unsigned long long)r->allocs, (unsigned long long)r->kernel_fail, (unsigned long long)r->frees,
		(unsigned long long)r->frees_batched_ignored);
	fprintf(out, "  frees of pages allocated before tracing began: %llu (%llu pages) %s",
		(unsigned long long)r->frees_pretrace, (unsigned long long)r->frees_pretrace_pages,
		o->pretrace_frees == LAB_REPLAY_PRETRACE_RELEASE ? "released" : "skipped");
	if (o->pretrace_frees == LAB_REPLAY_PRETRACE_RELEASE)
		fprintf(out, " (%llu of our seeded pages freed)", (unsigned long long)r->frees_pretrace_released);
	fputc('\n', out);
	if (r->phantom_allocs)
		fprintf(out, "  %llu allocations (%llu pages) succeeded here but failed in the kernel: held to the end "
			"(the trace never frees them)\n", (unsigned long long)r->phantom_allocs,
			(unsigned long long)r->phantom_pages);
	if (r->frees_of_replay_failures)
		fprintf(out, "  %llu kernel frees were of allocations that failed here: skipped\n",
			(unsigned long long)r->frees_of_replay_failures);
	if (r->frees_partial || r->realloc_without_free || r->bad_frees)
		fprintf(out, "  partial frees %llu, pfns allocated again without a free %llu, frees our allocator refused %llu\n",
			(unsigned long long)r->frees_partial, (unsigned long long)r->realloc_without_free,
			(unsigned long long)r->bad_frees);

	fprintf(out, "\nfailures: kernel %llu, replay %llu\n", (unsigned long long)r->kernel_fail,
		(unsigned long long)r->replay_fail);
	fprintf(out, "  %5s %-58s %-8s %9s %8s %8s %7s %8s %8s\n", "order", "gfp", "context", "requests",
		"kernel", "replay", "both", "k-only", "r-only");
	for (unsigned i = 0; i < r->nr_keys; i++) {
		const struct lab_replay_failkey *k = &r->keys[i];
		if (!k->kernel_fail && !k->replay_fail)
			continue;
		fprintf(out, "  %5u %-58s %-8s %9llu %8llu %8llu %7llu %8llu %8llu\n", k->order,
			gfp_str(k->gfp, g, sizeof(g)), lab_context_name(k->ctx), (unsigned long long)k->requests,
			(unsigned long long)k->kernel_fail, (unsigned long long)k->replay_fail,
			(unsigned long long)k->both_fail, (unsigned long long)k->only_kernel_fail,
			(unsigned long long)k->only_replay_fail);
	}
	if (r->keys_overflow)
		fprintf(out, "  (%llu requests of further order/gfp/context kinds not tabulated)\n",
			(unsigned long long)r->keys_overflow);
	fprintf(out, "  first kernel failure: ");
	print_line_of(out, t, r->first_kernel_fail_event);
	fprintf(out, "\n  first replay failure: ");
	print_line_of(out, t, r->first_replay_fail_event);
	fputc('\n', out);
	/* the warn_alloc-visible failures: GFP_ATOMIC-style requests without NOWARN */
	for (unsigned i = 0; i < r->nr_keys; i++) {
		const struct lab_replay_failkey *k = &r->keys[i];
		if ((k->gfp & LAB___GFP_NOWARN) || (k->gfp & LAB___GFP_DIRECT_RECLAIM) || !k->kernel_fail)
			continue;
		fprintf(out, "  order-%u %s in %s: kernel failed %llu of %llu (first at line %llu), replay %llu",
			k->order, gfp_str(k->gfp, g, sizeof(g)), lab_context_name(k->ctx),
			(unsigned long long)k->kernel_fail, (unsigned long long)k->requests,
			(unsigned long long)k->first_kernel_fail_line, (unsigned long long)k->replay_fail);
		if (k->replay_fail)
			fprintf(out, " (first at line %llu)", (unsigned long long)k->first_replay_fail_line);
		fputc('\n', out);
	}
	if (r->warn_reports) {
		fprintf(out, "  warn_alloc reports (rate limited like the kernel's, 1 per 10 s): %llu; the first:\n    ",
			(unsigned long long)r->warn_reports);
		lab_report_warn_alloc_header(out, &r->first_warn, LAB_GFP_ERA_6_1, LAB_REPORT_CPUSET);
		fprintf(out, "    context: %s\n", lab_context_name(r->first_warn.context));
	}
	fprintf(out, "  kswapd: our wake requests %llu; kernel mm_vmscan_wakeup_kswapd %llu (traced only when it "
		"was asleep); fallback steals (extfrag): ours %llu, kernel %llu\n",
		(unsigned long long)r->kswapd_wakeups, (unsigned long long)r->kernel_kswapd_wakeups,
		(unsigned long long)r->extfrag, (unsigned long long)r->kernel_extfrag);

	int mz = main_zone(b);
	fprintf(out, "\nfragmentation over time, zone %s (our instance; free blocks per order):\n", lab_zone_names[mz]);
	fprintf(out, "  %10s %9s %7s %6s %8s %8s", "t (s)", "event", "free", "min", "fail-r", "fail-k");
	for (int k = 0; k < LAB_MAX_ORDER; k++)
		fprintf(out, " %5d", k);
	fputc('\n', out);
	for (unsigned i = 0; i < r->nr_timeline; i++) {
		const struct lab_whatif_sample *s = &r->timeline[i];
		fprintf(out, "  %10.6f %9zu %7llu %6llu %8llu %8llu", secs(s->ts_ns), s->at_event,
			(unsigned long long)s->free[mz], (unsigned long long)s->min[mz],
			(unsigned long long)s->replay_fail, (unsigned long long)s->kernel_fail);
		for (int k = 0; k < LAB_MAX_ORDER; k++)
			fprintf(out, " %5llu", (unsigned long long)s->nr_free[mz][k]);
		fputc('\n', out);
	}
	if (r->nr_snaps) {
		fprintf(out, "\nat each snapshot, free blocks per order, ours vs the kernel's (zone %s):\n",
			lab_zone_names[mz]);
		for (unsigned si = 0; si < r->nr_snaps; si++) {
			const struct lab_snapshot *s = o->snaps[si].snap;
			if (!s->zone[mz].have_buddy)
				continue;
			fprintf(out, "  %s (event %zu)\n", s->suffix, o->snaps[si].at_event);
			print_orders(out, "kernel", s->zone[mz].buddy);
			print_orders(out, "ours", r->snap_stats[si].zone[mz].nr_free);
		}
	}
}

static json_t *whatif_json(const struct lab_ftrace *t, const struct lab_replay_opts *o,
			   const struct lab_whatif_result *r)
{
	char g[256];
	json_t *j = json_object(), *keys = json_array(), *tl = json_array(), *set = json_object();
	const struct lab_tunables *tu = &r->tunables;
	json_object_set_new(set, "min_free_kbytes", json_integer(tu->min_free_kbytes));
	json_object_set_new(set, "watermark_scale_factor", json_integer(tu->watermark_scale_factor));
	json_object_set_new(set, "watermark_boost_factor", json_integer(tu->watermark_boost_factor));
	json_object_set_new(set, "highatomic_reserve", json_integer(tu->highatomic_reserve));
	json_object_set_new(set, "kernel_watermarks", json_boolean(r->kernel_watermarks));
	json_object_set_new(j, "settings", set);
	json_object_set_new(j, "allocations", json_integer((json_int_t)r->allocs));
	json_object_set_new(j, "kernel_failures", json_integer((json_int_t)r->kernel_fail));
	json_object_set_new(j, "replay_failures", json_integer((json_int_t)r->replay_fail));
	json_object_set_new(j, "frees", json_integer((json_int_t)r->frees));
	json_object_set_new(j, "frees_pretrace", json_integer((json_int_t)r->frees_pretrace));
	json_object_set_new(j, "frees_pretrace_pages", json_integer((json_int_t)r->frees_pretrace_pages));
	json_object_set_new(j, "phantom_allocations", json_integer((json_int_t)r->phantom_allocs));
	json_object_set_new(j, "warn_reports", json_integer((json_int_t)r->warn_reports));
	json_object_set_new(j, "first_kernel_failure_line",
			    r->first_kernel_fail_event < t->nr ? json_integer(t->ev[r->first_kernel_fail_event].line) : json_null());
	json_object_set_new(j, "first_replay_failure_line",
			    r->first_replay_fail_event < t->nr ? json_integer(t->ev[r->first_replay_fail_event].line) : json_null());
	for (unsigned i = 0; i < r->nr_keys; i++) {
		const struct lab_replay_failkey *k = &r->keys[i];
		json_t *e = json_object();
		json_object_set_new(e, "order", json_integer(k->order));
		json_object_set_new(e, "gfp", json_string(gfp_str(k->gfp, g, sizeof(g))));
		json_object_set_new(e, "gfp_mask", json_integer(k->gfp));
		json_object_set_new(e, "context", json_string(lab_context_name(k->ctx)));
		json_object_set_new(e, "requests", json_integer((json_int_t)k->requests));
		json_object_set_new(e, "kernel_failures", json_integer((json_int_t)k->kernel_fail));
		json_object_set_new(e, "replay_failures", json_integer((json_int_t)k->replay_fail));
		json_object_set_new(e, "both", json_integer((json_int_t)k->both_fail));
		json_array_append_new(keys, e);
	}
	json_object_set_new(j, "by_request", keys);
	for (unsigned i = 0; i < r->nr_timeline; i++) {
		const struct lab_whatif_sample *s = &r->timeline[i];
		json_t *e = json_object(), *zs = json_object();
		json_object_set_new(e, "event", json_integer((json_int_t)s->at_event));
		json_object_set_new(e, "t", json_real(secs(s->ts_ns)));
		json_object_set_new(e, "replay_failures", json_integer((json_int_t)s->replay_fail));
		json_object_set_new(e, "kernel_failures", json_integer((json_int_t)s->kernel_fail));
		for (int z = 0; z < LAB_MAX_NR_ZONES; z++) {
			if (!r->populated[z])
				continue;
			json_t *zj = json_object();
			json_object_set_new(zj, "free", json_integer((json_int_t)s->free[z]));
			json_object_set_new(zj, "min", json_integer((json_int_t)s->min[z]));
			json_object_set_new(zj, "nr_free", orders_json(s->nr_free[z]));
			json_object_set_new(zs, lab_zone_names[z], zj);
		}
		json_object_set_new(e, "zones", zs);
		json_array_append_new(tl, e);
	}
	json_object_set_new(j, "timeline", tl);
	json_object_set_new(j, "final", lab_report_stats_json(&r->final));
	if (r->warn_reports)
		json_object_set_new(j, "first_warn", lab_report_failure_json(&r->first_warn));
	(void)o;
	return j;
}

/* ---- main ------------------------------------------------------------------------ */

int lab_cmd_replay(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "shadow", no_argument, 0, 's' },
		{ "set", required_argument, 0, 'S' },
		{ "snapshot", required_argument, 0, 'd' },
		{ "json", required_argument, 0, 'j' },
		{ "map", required_argument, 0, 'm' },
		{ "kernel", required_argument, 0, 'k' },
		{ "era", required_argument, 0, 'e' },
		{ "pretrace-frees", required_argument, 0, 'p' },
		{ "samples", required_argument, 0, 'n' },
		{ "lenient", no_argument, 0, 'l' },
		{ "help", no_argument, 0, 'h' },
		{ 0, 0, 0, 0 },
	};
	struct replay_args a;
	int c, rc = 0;
	char err[1024];

	memset(&a, 0, sizeof(a));
	lab_replay_settings_default(&a.set);
	a.era = LAB_GFP_ERA_6_1;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's': a.shadow = 1; break;
		case 'S':
			if (parse_set(&a, optarg))
				return 2;
			break;
		case 'd': a.snapdir = optarg; break;
		case 'j': a.json = optarg; break;
		case 'm': a.map = optarg; break;
		case 'k': a.era = lab_gfp_era_for_version(optarg); break;
		case 'e':
			if (lab_gfp_era_from_name(optarg, &a.era))
				return cli_error("replay", "unknown gfp era '%s' (6.1, 6.3, 6.8, 6.13+, 4.x, ...)", optarg);
			break;
		case 'p':
			if (!strcmp(optarg, "skip"))
				a.pretrace = LAB_REPLAY_PRETRACE_SKIP;
			else if (!strcmp(optarg, "release"))
				a.pretrace = LAB_REPLAY_PRETRACE_RELEASE;
			else
				return cli_error("replay", "--pretrace-frees is skip or release, got '%s'", optarg);
			break;
		case 'n': {
			int n;
			if (parse_int(optarg, 2, 100000, &n))
				return cli_error("replay", "--samples must be 2..100000");
			a.samples = (unsigned)n;
			break;
		}
		case 'l': a.lenient = 1; break;
		case 'h':
		default:
			return cli_help(help, c == 'h');
		}
	}
	if (optind != argc - 1)
		return cli_help(help, 0);
	a.trace = argv[optind];

	/* the trace */
	struct lab_ftrace t;
	struct lab_ftrace_opts fo = { .era = a.era, .flags = a.lenient ? LAB_FTRACE_LENIENT : 0 };
	rc = lab_ftrace_load(a.trace, &fo, &t, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "labyrinth replay: %s\n", err);
		return 2;
	}
	/* the snapshots */
	char dirbuf[4096];
	snprintf(dirbuf, sizeof(dirbuf), "%s", a.trace);
	const char *dir = a.snapdir ? a.snapdir : dirname(dirbuf);
	static struct lab_snapshot snaps[MAX_SNAPS];
	char names[MAX_SNAPS][32];
	int ns = lab_snapshot_list(dir, names, MAX_SNAPS), before = -1;
	for (int i = 0; i < ns; i++) {
		if (lab_snapshot_read(dir, names[i], &snaps[i], err, sizeof(err))) {
			fprintf(stderr, "labyrinth replay: %s\n", err);
			lab_ftrace_free(&t);
			return 2;
		}
		if (!strcmp(names[i], "before"))
			before = i;
	}
	if (before < 0 || !(snaps[before].have & LAB_SNAP_ZONEINFO)) {
		fprintf(stderr, "labyrinth replay: %s: no zoneinfo.before: the replay needs the traced machine's zones "
			"(give the folder of its /proc snapshots with --snapshot DIR)\n", dir);
		lab_ftrace_free(&t);
		return 2;
	}
	struct lab_trace_stats ts;
	int have_ts = lab_trace_stats_read(dir, &ts, err, sizeof(err)) == 0;

	struct lab_replay_opts o;
	memset(&o, 0, sizeof(o));
	o.before = &snaps[before];
	o.set = a.set;
	o.pretrace_frees = a.pretrace;
	o.nr_samples = a.samples ? a.samples : 24;
	o.kernel_has_cma = snaps[before].pagetype_has_cma;
	lab_replay_match_snapshots(&t, snaps, (unsigned)ns, &o);

	print_trace_info(stdout, a.trace, &t, &ts, have_ts);
	json_t *doc = a.json ? json_object() : NULL;
	if (doc) {
		json_object_set_new(doc, "mode", json_string(a.shadow ? "shadow" : "what-if"));
		json_object_set_new(doc, "trace", trace_json(a.trace, &t, &ts, have_ts));
	}
	if (a.shadow) {
		if (a.set.min_free_kbytes >= 0 || a.set.watermark_scale_factor >= 0 || a.set.nr_lowmem_reserve_ratio ||
		    a.set.watermark_boost_factor >= 0 || a.set.highatomic_reserve >= 0)
			fprintf(stderr, "labyrinth replay: note: --set has no effect in --shadow mode (the kernel's "
				"decisions are replayed as they were)\n");
		if (a.map)
			fprintf(stderr, "labyrinth replay: note: --map is drawn in what-if mode only\n");
		struct lab_shadow_result r;
		rc = lab_replay_shadow(&t, &o, &r, err, sizeof(err));
		if (rc) {
			fprintf(stderr, "labyrinth replay: %s\n", err);
			rc = 2;
		} else {
			print_shadow(stdout, &t, &o, &r, o.before);
			if (doc)
				json_object_set_new(doc, "shadow", shadow_json(&o, &r));
			lab_shadow_result_free(&r);
		}
	} else {
		struct lab_whatif_result r;
		rc = lab_replay_whatif(&t, &o, &r, err, sizeof(err));
		if (rc) {
			fprintf(stderr, "labyrinth replay: %s\n", err);
			rc = 2;
		} else {
			print_whatif(stdout, &t, &o, &r, o.before);
			if (doc)
				json_object_set_new(doc, "whatif", whatif_json(&t, &o, &r));
			if (a.map) {
				char title[512];
				snprintf(title, sizeof(title), "labyrinth replay %s (end of trace)", a.trace);
				int mr = lab_map_write_png_mem(a.map, r.mem, title, 0);
				if (mr)
					fprintf(stderr, "labyrinth replay: cannot write map %s (%d)\n", a.map, mr);
				else
					printf("\nmap of our instance at the end of the trace: %s\n", a.map);
			}
			lab_whatif_result_free(&r);
		}
	}
	if (doc && !rc) {
		if (json_dump_file(doc, a.json, JSON_INDENT(2) | JSON_PRESERVE_ORDER)) {
			fprintf(stderr, "labyrinth replay: cannot write %s\n", a.json);
			rc = 2;
		}
	}
	json_decref(doc);
	lab_ftrace_free(&t);
	return rc;
}
