/* SPDX-License-Identifier: MIT */
/*
 * report/replay.c - `labyrinth replay`'s output, text and JSON: the trace
 * header (format, losses), the reconstructed state at trace start, then
 * the shadow replay's comparison with every snapshot, or the what-if
 * replay's settings, demand, failures next to the kernel's and
 * fragmentation over time.
 */
#include <stdio.h>
#include <string.h>
#include <jansson.h>
#include <labyrinth/labyrinth.h>
#include <labyrinth/report.h>
#include "report/replay.h"

/* @g named as the traced kernel printed it (the trace's era). */
static const char *gfp_str(lab_gfp_t g, enum lab_gfp_era era, char *buf, size_t n)
{
	if (!g) {
		snprintf(buf, n, "none");
		return buf;
	}
	lab_gfp_format(buf, n, g, era);
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

void lab_report_replay_trace(FILE *out, const char *path, const struct lab_ftrace *t,
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

void lab_report_replay_kernel(FILE *out, const struct lab_replay_kernel *k, int shadow)
{
	const char *rules = lab_kernel_name(k->rules), *ver = lab_kernel_version(k->rules);
	if (k->release[0])
		fprintf(out, "  kernel: traced on %s (%s), profile %s", k->release, k->source,
			k->traced ? lab_kernel_name(k->traced) : "?");
	else
		fprintf(out, "  kernel: traced on an unknown kernel (no uname, uname.txt, meta.txt or osrelease "
			"beside the snapshots)");
	fprintf(out, "; replayed with the rules of Linux %s (profile %s%s); gfp names of era %s\n", ver, rules,
		k->overridden ? ", --kernel" : k->release[0] ? "" : ", the default: give --kernel",
		lab_gfp_era_name(k->era));
	if (!k->overridden || !k->traced || k->traced == k->rules)
		return;
	if (shadow)
		fprintf(out, "  note: the shadow replay applies %s's decisions with %s's event semantics; they are "
			"the traced kernel's, so expect contradictions\n", lab_kernel_name(k->traced), rules);
	else
		fprintf(out, "  note: this answers \"would %s have failed here?\" for the demand %s made. Under %s's "
			"decisions the demand itself would have changed (reclaim and retries, the requests that follow "
			"a failure or a success, the timing): the failures below are %s's answer to %s's demand, not a "
			"%s trace\n", rules, lab_kernel_name(k->traced), rules, rules, lab_kernel_name(k->traced), rules);
}

json_t *lab_report_replay_kernel_json(const struct lab_replay_kernel *k)
{
	json_t *j = json_object();
	json_object_set_new(j, "traced_release", k->release[0] ? json_string(k->release) : json_null());
	json_object_set_new(j, "traced_release_source", k->source[0] ? json_string(k->source) : json_null());
	json_object_set_new(j, "traced_profile", k->traced ? json_string(lab_kernel_name(k->traced)) : json_null());
	json_object_set_new(j, "profile", json_string(lab_kernel_name(k->rules)));
	json_object_set_new(j, "profile_version", json_string(lab_kernel_version(k->rules)));
	json_object_set_new(j, "overridden", json_boolean(k->overridden));
	json_object_set_new(j, "gfp_era", json_string(lab_gfp_era_name(k->era)));
	return j;
}

json_t *lab_report_replay_trace_json(const char *path, const struct lab_ftrace *t, const struct lab_trace_stats *ts, int have_ts)
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

/* The fix counts of the contradictions (@inferred 0) or of the inferred
 * kernel actions (1). */
static void print_fixes(FILE *out, const struct lab_shadow_result *r, int inferred)
{
	for (int k = 0; k < LAB_NR_FIX; k++)
		if (r->fixes[k] && lab_shadow_fix_is_inferred((enum lab_shadow_fix)k) == inferred)
			fprintf(out, "    %-22s %8llu  (%llu inside compaction runs; first at line %u)\n",
				lab_shadow_fix_name((enum lab_shadow_fix)k), (unsigned long long)r->fixes[k],
				(unsigned long long)r->fixes_in_compaction[k], r->first_fix_line[k]);
}

void lab_report_replay_shadow(FILE *out, const struct lab_ftrace *t, const struct lab_replay_opts *o,
			 const struct lab_shadow_result *r, const struct lab_snapshot *b)
{
	uint64_t nfix = 0;
	print_seed(out, &r->seed, b);
	fprintf(out, "\nshadow replay: the kernel's decisions applied to a model of its zones\n");
	for (int k = 0; k < LAB_NR_FIX; k++)
		if (!lab_shadow_fix_is_inferred((enum lab_shadow_fix)k))
			nfix += r->fixes[k];
	if (!nfix) {
		fprintf(out, "  every event found the page states it implies (0 contradictions)\n");
	} else {
		fprintf(out, "  events that contradicted the model (the event wins; by kind):\n");
		print_fixes(out, r, 0);
	}
	for (int k = 0; k < LAB_NR_FIX; k++)
		if (lab_shadow_fix_is_inferred((enum lab_shadow_fix)k) && r->fixes[k]) {
			fprintf(out, "  kernel actions the trace does not show, inferred from the events around them:\n");
			print_fixes(out, r, 1);
			break;
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

json_t *lab_report_replay_shadow_json(const struct lab_replay_opts *o, const struct lab_shadow_result *r)
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
		e->order, gfp_str(e->gfp, t->era, g, sizeof(g)), lab_context_name(lab_ftrace_context(e)),
		e->comm < t->nr_comms ? t->comms[e->comm] : "?", e->pid, e->cpu);
}

/* The failures by (order, gfp, context), the first of each side, the
 * warn_alloc-visible ones, kswapd and extfrag next to the kernel's. */
static void print_whatif_failures(FILE *out, const struct lab_ftrace *t, const struct lab_whatif_result *r)
{
	char g[256];
	fprintf(out, "\nfailures: kernel %llu, replay %llu\n", (unsigned long long)r->kernel_fail,
		(unsigned long long)r->replay_fail);
	fprintf(out, "  %5s %-58s %-8s %9s %8s %8s %7s %8s %8s\n", "order", "gfp", "context", "requests",
		"kernel", "replay", "both", "k-only", "r-only");
	for (unsigned i = 0; i < r->nr_keys; i++) {
		const struct lab_replay_failkey *k = &r->keys[i];
		if (!k->kernel_fail && !k->replay_fail)
			continue;
		fprintf(out, "  %5u %-58s %-8s %9llu %8llu %8llu %7llu %8llu %8llu\n", k->order,
			gfp_str(k->gfp, t->era, g, sizeof(g)), lab_context_name(k->ctx), (unsigned long long)k->requests,
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
			k->order, gfp_str(k->gfp, t->era, g, sizeof(g)), lab_context_name(k->ctx),
			(unsigned long long)k->kernel_fail, (unsigned long long)k->requests,
			(unsigned long long)k->first_kernel_fail_line, (unsigned long long)k->replay_fail);
		if (k->replay_fail)
			fprintf(out, " (first at line %llu)", (unsigned long long)k->first_replay_fail_line);
		fputc('\n', out);
	}
	if (r->warn_reports) {
		fprintf(out, "  warn_alloc reports (rate limited like the kernel's, 1 per 10 s): %llu; the first:\n    ",
			(unsigned long long)r->warn_reports);
		lab_report_warn_alloc_header(out, &r->first_warn, t->era, LAB_REPORT_CPUSET);
		fprintf(out, "    context: %s\n", lab_context_name(r->first_warn.context));
	}
	fprintf(out, "  kswapd: our wake requests %llu; kernel mm_vmscan_wakeup_kswapd %llu (traced only when it "
		"was asleep); fallback steals (extfrag): ours %llu, kernel %llu; watermark boosts cleared when the "
		"kernel's kswapd slept: %llu\n",
		(unsigned long long)r->kswapd_wakeups, (unsigned long long)r->kernel_kswapd_wakeups,
		(unsigned long long)r->extfrag, (unsigned long long)r->kernel_extfrag,
		(unsigned long long)r->kswapd_boost_clears);
}

/* Fragmentation over time and at each snapshot, in the biggest zone. */
static void print_whatif_timeline(FILE *out, const struct lab_replay_opts *o, const struct lab_whatif_result *r,
				  const struct lab_snapshot *b)
{
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

void lab_report_replay_whatif(FILE *out, const struct lab_ftrace *t, const struct lab_replay_opts *o,
			 const struct lab_whatif_result *r, const struct lab_snapshot *b)
{
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
	print_whatif_failures(out, t, r);
	print_whatif_timeline(out, o, r, b);
}

json_t *lab_report_replay_whatif_json(const struct lab_ftrace *t, const struct lab_replay_opts *o,
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
		json_object_set_new(e, "gfp", json_string(gfp_str(k->gfp, t->era, g, sizeof(g))));
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
