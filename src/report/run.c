/* SPDX-License-Identifier: MIT */
/*
 * report/run.c - the run report: text for a kernel engineer, JSON for
 * tools (docs/run-json.md), the /proc files, and the map.
 *
 *   == Labyrinth run ==          scenario, machine, tunables, seed, time
 *   == verdict ==                the atomic failure rate and its main cause
 *   == allocations ==            order x gfp class x context: requests,
 *                                failures, why (verdicts)
 *   == watermarks over time ==   main zone: free vs min/low/high, failures,
 *                                kswapd/kcompactd CPU, fragmentation index
 *   == time below watermarks ==  per zone
 *   == kswapd / kcompactd ==     wakes, steps, pages, CPU share
 *   == highatomic reserve ==     now and peak
 *   == fragmentation ==          extfrag index per order (final)
 *   == workloads ==              each workload's own statistics
 *   == first failure ==          lab_report_warn_alloc (dmesg format)
 *   == /proc ==                  buddyinfo, pagetypeinfo (final)
 *
 * Every number comes from the run's result (engines/sim_result.h: the
 * simulator's counters and the core's final statistics); nothing depends
 * on the wall clock, so the report is a function of (scenario, seed).
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <labyrinth/fragindex.h>
#include <labyrinth/map.h>
#include <labyrinth/report.h>
#include "engines/sim_result.h"
#include "report/render.h"

static const char *const ctx_names[SIM_NR_CTX] = { "process", "softirq", "hardirq" };

static double pct(uint64_t a, uint64_t b)
{
	return b ? 100.0 * (double)a / (double)b : 0.0;
}

static double mib(uint64_t pages)
{
	return (double)pages * LAB_PAGE_SIZE / 1048576.0;
}

static double secs(uint64_t ns)
{
	return (double)ns / 1e9;
}

static const char *phase_name(const struct lab_sim_result *res, unsigned i)
{
	return i < res->nr_phases ? res->phase_name[i] : "?";
}

static void fmt_size(char *buf, size_t n, uint64_t bytes)
{
	if (bytes >= (1ull << 40) && !(bytes % (1ull << 40)))
		snprintf(buf, n, "%llu TiB", (unsigned long long)(bytes >> 40));
	else if (bytes >= (1ull << 30) && !(bytes % (1ull << 30)))
		snprintf(buf, n, "%llu GiB", (unsigned long long)(bytes >> 30));
	else if (bytes >= (1ull << 20))
		snprintf(buf, n, "%.0f MiB", (double)bytes / 1048576.0);
	else
		snprintf(buf, n, "%llu KiB", (unsigned long long)(bytes >> 10));
}

/* Verdict totals over all rows matching @atomic_only. */
static void verdict_totals(const struct lab_sim_result *res, int atomic_only, uint64_t v[V_NR])
{
	memset(v, 0, sizeof(uint64_t) * V_NR);
	for (int o = 0; o < LAB_MAX_ORDER; o++)
		for (int c = 0; c < SIM_NR_CLASSES; c++) {
			int kind = c / GZ_NR;
			if (atomic_only && kind != GK_ATOMIC && kind != GK_NOWAIT)
				continue;
			for (int x = 0; x < SIM_NR_CTX; x++)
				for (int k = 0; k < V_NR; k++)
					v[k] += res->count[o][c][x].verdict[k];
		}
}

static const char *verdict_text(int v)
{
	switch (v) {
	case V_BELOW_MIN: return "free memory at or below the request's min watermark (memory short)";
	case V_LOWMEM_RESERVE: return "its own zones were short; a lower zone had the memory but keeps it "
				      "back (lowmem_reserve)";
	case V_FRAGMENTED: return "enough free pages, but no free block of the order (fragmentation)";
	case V_RESERVED: return "a block of the order was free only in a reserve it may not use";
	default: return "pages were on per-CPU lists or freed meanwhile";
	}
}

static void report_header(const struct lab_sim_result *res, FILE *out, const struct lab_mem_stats *st)
{
	char size[32];
	fmt_size(size, sizeof(size), res->mem_bytes);
	fprintf(out, "== Labyrinth run: %s (seed %llu) ==\n", res->scenario,
		(unsigned long long)res->seed);
	/* the description as its author wrapped it, indented */
	for (const char *p = res->description; *p;) {
		const char *nl = strchr(p, '\n');
		int len = nl ? (int)(nl - p) : (int)strlen(p);
		fprintf(out, "  %.*s\n", len, p);
		p += len + (nl ? 1 : 0);
	}
	fprintf(out, "  machine: %s, %u CPUs, pageblock order %u; zones:", size, res->nr_cpus, st->pageblock_order);
	for (int z = 0; z < LAB_MAX_NR_ZONES; z++)
		if (st->populated[z])
			fprintf(out, " %s %.0f MiB", lab_zone_names[z], mib(st->zone[z].managed));
	fprintf(out, "\n  kernel: %s (the allocator rules of Linux %s)\n", lab_kernel_name((enum lab_kernel)res->kernel),
		lab_kernel_version((enum lab_kernel)res->kernel));
	if (res->drain_before_failure)
		fprintf(out, "  Labyrinth option drain_before_failure: every CPU's per-CPU lists are drained before a "
			"failure is reported (Linux does not)\n");
	const struct lab_tunables *t = &st->tunables;
	fprintf(out, "  tunables: min_free_kbytes=%d%s watermark_scale_factor=%d watermark_boost_factor=%d "
		"highatomic_reserve=%d\n            lowmem_reserve_ratio=%d %d %d %d %d extfrag_threshold=%d "
		"percpu_pagelist_high_fraction=%d compaction_proactiveness=%d\n",
		t->min_free_kbytes, t->user_min_free_kbytes < 0 ? " (default)" : "", t->watermark_scale_factor,
		t->watermark_boost_factor, t->highatomic_reserve, t->lowmem_reserve_ratio[0],
		t->lowmem_reserve_ratio[1], t->lowmem_reserve_ratio[2], t->lowmem_reserve_ratio[3],
		t->lowmem_reserve_ratio[4], t->extfrag_threshold, t->percpu_pagelist_high_fraction,
		t->compaction_proactiveness);
	fprintf(out, "  phases:");
	for (unsigned i = 0; i < res->nr_phases; i++)
		fprintf(out, " %s %.3f-%.3f s", res->phase_name[i], secs(res->phase_start[i]),
			secs(res->phase_start[i + 1]));
	fprintf(out, "\n  simulated %.3f s: %llu events (%llu queue events, %llu allocations, %llu frees, "
		"%llu LRU calls,\n    %llu pages reclaimed or migrated by the core); %llu interrupts nested in a "
		"per-CPU list section\n", secs(res->now), (unsigned long long)res->events,
		(unsigned long long)res->queue_events, (unsigned long long)res->alloc_calls,
		(unsigned long long)res->free_calls, (unsigned long long)res->lru_calls,
		(unsigned long long)res->owner_callbacks, (unsigned long long)res->nested_irqs);
	if (!res->background)
		fprintf(out, "  note: the core has no reclaim/compaction in this build; kswapd and direct reclaim "
			"are the simulator's model (LRU page cache, slab shrinking), there is no compaction\n");
}

static void report_verdict(const struct lab_sim_result *res, FILE *out)
{
	uint64_t v[V_NR];
	fprintf(out, "\n== verdict ==\n");
	fprintf(out, "  atomic allocations (cannot sleep): %llu, failed %llu (%.3f%%)\n",
		(unsigned long long)res->atomic_requests, (unsigned long long)res->atomic_failures,
		pct(res->atomic_failures, res->atomic_requests));
	if (res->atomic_failures) {
		/* the worst row: most failures among atomic rows */
		uint64_t best = 0;
		int bo = 0, bc = 0, bx = 0;
		for (int o = 0; o < LAB_MAX_ORDER; o++)
			for (int c = 0; c < SIM_NR_CLASSES; c++)
				for (int x = 0; x < SIM_NR_CTX; x++)
					if (c / GZ_NR <= GK_NOWAIT && res->count[o][c][x].failures > best) {
						best = res->count[o][c][x].failures;
						bo = o;
						bc = c;
						bx = x;
					}
		const struct sim_count *w = &res->count[bo][bc][bx];
		fprintf(out, "  most failures: order-%d %s in %s context: %llu of %llu failed (%.2f%%)\n", bo,
			sim_class_name(bc), ctx_names[bx], (unsigned long long)w->failures,
			(unsigned long long)w->requests, pct(w->failures, w->requests));
		fprintf(out, "  first atomic failure at %.6f s (phase %s)\n", secs(res->first_atomic_failure_ns),
			phase_name(res, res->first_atomic_failure_phase));
		verdict_totals(res, 1, v);
		int top = 0;
		for (int k = 1; k < V_NR; k++)
			if (v[k] > v[top])
				top = k;
		fprintf(out, "  why (atomic failures):");
		for (int k = 0; k < V_NR; k++)
			if (v[k])
				fprintf(out, " %s %.1f%%", sim_verdict_name(k), pct(v[k], res->atomic_failures));
		fprintf(out, "\n  mostly: %s\n", verdict_text(top));
	}
	if (res->failures > res->atomic_failures)
		fprintf(out, "  blocking allocations that failed (after reclaim): %llu of %llu\n",
			(unsigned long long)(res->failures - res->atomic_failures),
			(unsigned long long)(res->requests - res->atomic_requests));
	if (res->deadline_misses)
		fprintf(out, "  cardiac-monitor deadline misses: %llu\n", (unsigned long long)res->deadline_misses);
}

static void report_table(const struct lab_sim_result *res, FILE *out)
{
	fprintf(out, "\n== allocations by order x gfp class x context ==\n");
	fprintf(out, "  %5s  %-28s %-8s %12s %10s %8s  %s\n", "order", "gfp class", "context", "requests", "failed",
		"fail%", "why (below_min/lowmem_reserve/fragmented/reserved/other)");
	for (int o = 0; o < LAB_MAX_ORDER; o++)
		for (int c = 0; c < SIM_NR_CLASSES; c++)
			for (int x = 0; x < SIM_NR_CTX; x++) {
				const struct sim_count *n = &res->count[o][c][x];
				if (!n->requests)
					continue;
				fprintf(out, "  %5d  %-28s %-8s %12llu %10llu %7.3f%%", o, sim_class_name(c), ctx_names[x],
					(unsigned long long)n->requests, (unsigned long long)n->failures,
					pct(n->failures, n->requests));
				if (n->failures)
					fprintf(out, "  %llu/%llu/%llu/%llu/%llu", (unsigned long long)n->verdict[0],
						(unsigned long long)n->verdict[1], (unsigned long long)n->verdict[2],
						(unsigned long long)n->verdict[3], (unsigned long long)n->verdict[4]);
				fputc('\n', out);
			}
}

/* The samples folded into @rows buckets: min/mean free, failures, CPU. */
static void report_timeline(const struct lab_sim_result *res, FILE *out)
{
	const unsigned rows = 16;
	if (res->nr_samples < 2)
		return;
	const struct sim_sample *last = &res->samples[res->nr_samples - 1];
	fprintf(out, "\n== watermarks over time (zone %s; pages; marks include boost) ==\n",
		lab_zone_names[res->main_zone]);
	fprintf(out, "  %-9s %-8s %9s %9s %7s %7s %7s %10s %8s %8s %7s %7s\n", "time s", "phase", "free min",
		"free avg", "min", "low", "high", "atomic", "failed", "kswapd", "kcomp", "fragidx");
	uint64_t span = last->t_ns ? last->t_ns : 1;
	unsigned i = 0;
	for (unsigned r = 0; r < rows; r++) {
		uint64_t t_end = span * (r + 1) / rows;
		uint64_t t_start = span * r / rows;
		uint64_t fmin = UINT64_MAX, fsum = 0, n = 0, req = 0, fail = 0, ks = 0, kc = 0;
		const struct sim_sample *end = NULL;
		for (; i < res->nr_samples && (res->samples[i].t_ns <= t_end || r == rows - 1); i++) {
			const struct sim_sample *s = &res->samples[i];
			if (s->free < fmin)
				fmin = s->free;
			fsum += s->free;
			n++;
			req += s->atomic_req;
			fail += s->atomic_fail;
			ks += s->kswapd_ns;
			kc += s->kcompactd_ns;
			end = s;
		}
		if (!n || !end)
			continue;
		double dt = (double)(t_end - t_start);
		char fi[16];
		if (end->fragidx == -1000)
			snprintf(fi, sizeof(fi), "-1.000");
		else
			snprintf(fi, sizeof(fi), "%.3f", end->fragidx / 1000.0);
		fprintf(out, "  %-9.3f %-8.8s %9llu %9llu %7llu %7llu %7llu %10llu %8llu %7.1f%% %6.1f%% %7s\n",
			secs(t_end), phase_name(res, end->phase), (unsigned long long)fmin,
			(unsigned long long)(fsum / n), (unsigned long long)end->min, (unsigned long long)end->low,
			(unsigned long long)end->high, (unsigned long long)req, (unsigned long long)fail,
			dt > 0 ? 100.0 * (double)ks / dt : 0.0, dt > 0 ? 100.0 * (double)kc / dt : 0.0, fi);
	}
	fprintf(out, "  (free min/avg over each row; kswapd/kcomp: share of one CPU; fragidx: fragmentation "
		"index at order %u, the highest atomic order, at the row's end; -1.000 = a block is free)\n",
		res->highest_atomic_order);
}

static void report_below(const struct lab_sim_result *res, FILE *out, const struct lab_mem_stats *st)
{
	fprintf(out, "\n== time below watermarks (resolution %.3f ms) ==\n", (double)res->sample_interval_ns / 1e6);
	fprintf(out, "  %-8s %12s %12s %12s\n", "zone", "< high", "< low", "< min");
	for (int z = 0; z < LAB_MAX_NR_ZONES; z++) {
		if (!st->populated[z])
			continue;
		fprintf(out, "  %-8s %10.3f s %10.3f s %10.3f s   (%.1f%% / %.1f%% / %.1f%% of the run)\n",
			lab_zone_names[z], secs(res->below_ns[z][2]), secs(res->below_ns[z][1]),
			secs(res->below_ns[z][0]), pct(res->below_ns[z][2], res->now), pct(res->below_ns[z][1], res->now),
			pct(res->below_ns[z][0], res->now));
	}
}

static void report_daemons(const struct lab_sim_result *res, FILE *out, const struct lab_mem_stats *st)
{
	double t = res->now ? (double)res->now : 1.0;
	fprintf(out, "\n== kswapd / kcompactd ==\n");
	fprintf(out, "  kswapd0:    %llu wakes, %llu steps, %llu pages reclaimed, busy %.3f s = %.2f%% of a CPU%s\n",
		(unsigned long long)res->kswapd.wakes, (unsigned long long)res->kswapd.steps,
		(unsigned long long)res->kswapd.pages, secs(res->kswapd.busy_ns), 100.0 * (double)res->kswapd.busy_ns / t,
		res->kswapd.stuck ? " (gave up: nothing reclaimable)" : "");
	fprintf(out, "  kcompactd0: %llu wakes, %llu steps, %llu pages migrated, busy %.3f s = %.2f%% of a CPU\n",
		(unsigned long long)res->kcompactd.wakes, (unsigned long long)res->kcompactd.steps,
		(unsigned long long)res->kcompactd.pages, secs(res->kcompactd.busy_ns),
		100.0 * (double)res->kcompactd.busy_ns / t);
	fprintf(out, "  direct reclaim: pgsteal_direct %llu, allocstall %llu, compact_stall %llu (success %llu, "
		"fail %llu)\n", (unsigned long long)st->events[LAB_PGSTEAL_DIRECT],
		(unsigned long long)(st->events[LAB_ALLOCSTALL_DMA] + st->events[LAB_ALLOCSTALL_DMA32] +
				     st->events[LAB_ALLOCSTALL_NORMAL] + st->events[LAB_ALLOCSTALL_MOVABLE]),
		(unsigned long long)st->events[LAB_COMPACT_STALL], (unsigned long long)st->events[LAB_COMPACT_SUCCESS],
		(unsigned long long)st->events[LAB_COMPACT_FAIL]);
	uint64_t ha = 0;
	for (int z = 0; z < LAB_MAX_NR_ZONES; z++)
		ha += st->zone[z].nr_reserved_highatomic;
	fprintf(out, "\n== highatomic reserve ==\n  %llu pages now (%.1f MiB), peak %llu; %llu pageblocks reserved, "
		"%llu given back\n", (unsigned long long)ha, mib(ha), (unsigned long long)res->highatomic_max,
		(unsigned long long)st->events[LAB_EV_HIGHATOMIC_RESERVE],
		(unsigned long long)st->events[LAB_EV_HIGHATOMIC_UNRESERVE]);
}

static void report_frag(FILE *out, const struct lab_mem_stats *st)
{
	fprintf(out, "\n== fragmentation index by order (final; debugfs extfrag/extfrag_index) ==\n");
	lab_report_extfrag_index(out, st);
	fprintf(out, "  unusable free index (extfrag/unusable_index):\n");
	lab_report_unusable_index(out, st);
}

int lab_report_run_text(FILE *out, const struct lab_sim_result *res)
{
	const struct lab_mem_stats *st = res->final;
	report_header(res, out, st);
	report_verdict(res, out);
	report_table(res, out);
	report_timeline(res, out);
	report_below(res, out, st);
	report_daemons(res, out, st);
	report_frag(out, st);
	fprintf(out, "\n== workloads ==\n");
	for (unsigned i = 0; i < res->nr_wl; i++) {
		const struct sim_wl_summary *wl = &res->wl[i];
		fprintf(out, "  %s (%s; phases", wl->name, wl->type);
		for (unsigned p = 0; p < res->nr_phases; p++)
			if (wl->phase_mask >> p & 1)
				fprintf(out, " %s", res->phase_name[p]);
		fprintf(out, "): holds %llu pages now, at most %llu (%.1f MiB)\n", (unsigned long long)wl->pages_held,
			(unsigned long long)wl->pages_held_max, mib(wl->pages_held_max));
		lab_report_wl_text(out, &wl->r);
	}
	if (res->nr_warn) {
		fprintf(out, "\n== first allocation failure (warn_alloc + show_mem, as dmesg shows it) ==\n");
		lab_report_warn_alloc(out, &res->warn[0], lab_gfp_era_for_kernel(res->warn[0].mem.kernel));
		if (res->warn_total > 1)
			fprintf(out, "(%llu failure reports in all, rate limited to one per 10 s of virtual time; "
				"%llu failures counted)\n", (unsigned long long)res->warn_total,
				(unsigned long long)res->failures);
	}
	fprintf(out, "\n== /proc/buddyinfo (final) ==\n");
	lab_report_buddyinfo(out, st);
	fprintf(out, "\n== /proc/pagetypeinfo (final) ==\n");
	lab_report_pagetypeinfo(out, st);
	if (res->log_errors || res->pcp_deadlocks)
		fprintf(out, "\n!! %llu error lines in the kernel log, %llu pcp self-deadlocks (see the JSON's log)\n",
			(unsigned long long)res->log_errors, (unsigned long long)res->pcp_deadlocks);
	return ferror(out) ? -EIO : 0;
}

/* ---- JSON ------------------------------------------------------------------------ */

static json_t *ju(uint64_t v)
{
	return json_integer((json_int_t)v);
}

static json_t *count_json(const struct sim_count *n)
{
	json_t *o = json_object(), *v = json_object();
	json_object_set_new(o, "requests", ju(n->requests));
	json_object_set_new(o, "failures", ju(n->failures));
	for (int k = 0; k < V_NR; k++)
		json_object_set_new(v, sim_verdict_name(k), ju(n->verdict[k]));
	json_object_set_new(o, "verdicts", v);
	return o;
}

/* schema, scenario, seed, machine, phases and the run's event counts */
static void json_run(json_t *root, const struct lab_sim_result *res, const struct lab_mem_stats *st)
{
	json_object_set_new(root, "schema", json_string("labyrinth-run/1"));
	json_object_set_new(root, "scenario", json_string(res->scenario));
	json_object_set_new(root, "seed", ju(res->seed));
	json_object_set_new(root, "background", json_boolean(res->background));
	json_t *m = json_object();
	json_object_set_new(m, "memory_bytes", ju(res->mem_bytes));
	json_object_set_new(m, "cpus", json_integer(res->nr_cpus));
	json_object_set_new(m, "pageblock_order", json_integer(st->pageblock_order));
	json_object_set_new(m, "kernel", json_string(lab_kernel_name((enum lab_kernel)res->kernel)));
	json_object_set_new(m, "drain_before_failure", json_boolean(res->drain_before_failure));
	json_object_set_new(root, "machine", m);
	json_t *a = json_array();
	for (unsigned i = 0; i < res->nr_phases; i++) {
		json_t *p = json_object();
		json_object_set_new(p, "name", json_string(res->phase_name[i]));
		json_object_set_new(p, "start_ns", ju(res->phase_start[i]));
		json_object_set_new(p, "end_ns", ju(res->phase_start[i + 1]));
		json_array_append_new(a, p);
	}
	json_object_set_new(root, "phases", a);
	json_t *ev = json_object();
	json_object_set_new(ev, "virtual_ns", ju(res->now));
	json_object_set_new(ev, "events", ju(res->events));
	json_object_set_new(ev, "queue_events", ju(res->queue_events));
	json_object_set_new(ev, "alloc_calls", ju(res->alloc_calls));
	json_object_set_new(ev, "free_calls", ju(res->free_calls));
	json_object_set_new(ev, "lru_calls", ju(res->lru_calls));
	json_object_set_new(ev, "owner_callbacks", ju(res->owner_callbacks));
	json_object_set_new(ev, "nested_interrupts", ju(res->nested_irqs));
	json_object_set_new(ev, "pcp_trylock_failed", ju(res->pcp_trylock_failed));
	json_object_set_new(root, "run", ev);
}

/* the verdict's numbers and the order x gfp class x context table */
static void json_allocations(json_t *root, const struct lab_sim_result *res)
{
	json_t *sum = json_object();
	uint64_t v[V_NR];
	json_object_set_new(sum, "atomic_requests", ju(res->atomic_requests));
	json_object_set_new(sum, "atomic_failures", ju(res->atomic_failures));
	json_object_set_new(sum, "requests", ju(res->requests));
	json_object_set_new(sum, "failures", ju(res->failures));
	json_object_set_new(sum, "first_atomic_failure_ns", res->first_atomic_failure_ns == SIM_NEVER ? json_null() :
			    ju(res->first_atomic_failure_ns));
	json_object_set_new(sum, "deadline_misses", ju(res->deadline_misses));
	verdict_totals(res, 1, v);
	json_t *vo = json_object();
	for (int k = 0; k < V_NR; k++)
		json_object_set_new(vo, sim_verdict_name(k), ju(v[k]));
	json_object_set_new(sum, "atomic_verdicts", vo);
	json_object_set_new(root, "summary", sum);

	json_t *a = json_array();
	for (int o = 0; o < LAB_MAX_ORDER; o++)
		for (int c = 0; c < SIM_NR_CLASSES; c++)
			for (int x = 0; x < SIM_NR_CTX; x++) {
				const struct sim_count *n = &res->count[o][c][x];
				if (!n->requests)
					continue;
				json_t *r = count_json(n);
				json_object_set_new(r, "order", json_integer(o));
				json_object_set_new(r, "gfp_class", json_string(sim_class_name(c)));
				json_object_set_new(r, "context", json_string(ctx_names[x]));
				json_array_append_new(a, r);
			}
	json_object_set_new(root, "allocations", a);
}

/* the samples as rows of the columns it names */
static void json_timeseries(json_t *root, const struct lab_sim_result *res)
{
	json_t *ts = json_object();
	json_object_set_new(ts, "zone", json_string(lab_zone_names[res->main_zone]));
	json_object_set_new(ts, "fragindex_order", json_integer(res->highest_atomic_order));
	json_object_set_new(ts, "interval_ns", ju(res->sample_interval_ns));
	const char *cols[] = { "t_ns", "free", "min", "low", "high", "free_all", "atomic_requests",
			       "atomic_failures", "kswapd_ns", "kcompactd_ns", "fragindex", "highatomic", "phase" };
	json_t *colv = json_array();
	for (size_t k = 0; k < sizeof(cols) / sizeof(cols[0]); k++)
		json_array_append_new(colv, json_string(cols[k]));
	json_object_set_new(ts, "columns", colv);
	json_t *a = json_array();
	for (unsigned i = 0; i < res->nr_samples; i++) {
		const struct sim_sample *s = &res->samples[i];
		json_t *row = json_array();
		json_array_append_new(row, ju(s->t_ns));
		json_array_append_new(row, ju(s->free));
		json_array_append_new(row, ju(s->min));
		json_array_append_new(row, ju(s->low));
		json_array_append_new(row, ju(s->high));
		json_array_append_new(row, ju(s->free_all));
		json_array_append_new(row, ju(s->atomic_req));
		json_array_append_new(row, ju(s->atomic_fail));
		json_array_append_new(row, ju(s->kswapd_ns));
		json_array_append_new(row, ju(s->kcompactd_ns));
		json_array_append_new(row, json_integer(s->fragidx));
		json_array_append_new(row, ju(s->highatomic));
		json_array_append_new(row, json_integer(s->phase));
		json_array_append_new(a, row);
	}
	json_object_set_new(ts, "rows", a);
	json_object_set_new(root, "timeseries", ts);
}

/* time below the watermarks per zone, the daemons, the highatomic peak */
static void json_pressure(json_t *root, const struct lab_sim_result *res, const struct lab_mem_stats *st)
{
	json_t *a = json_array();
	for (int z = 0; z < LAB_MAX_NR_ZONES; z++) {
		if (!st->populated[z])
			continue;
		json_t *b = json_object();
		json_object_set_new(b, "zone", json_string(lab_zone_names[z]));
		json_object_set_new(b, "below_min_ns", ju(res->below_ns[z][0]));
		json_object_set_new(b, "below_low_ns", ju(res->below_ns[z][1]));
		json_object_set_new(b, "below_high_ns", ju(res->below_ns[z][2]));
		json_array_append_new(a, b);
	}
	json_object_set_new(root, "below_watermarks", a);

	json_t *d = json_object();
	const struct sim_daemon_result *ds[2] = { &res->kswapd, &res->kcompactd };
	const char *dn[2] = { "kswapd", "kcompactd" };
	for (int k = 0; k < 2; k++) {
		json_t *o = json_object();
		json_object_set_new(o, "wakes", ju(ds[k]->wakes));
		json_object_set_new(o, "steps", ju(ds[k]->steps));
		json_object_set_new(o, "pages", ju(ds[k]->pages));
		json_object_set_new(o, "busy_ns", ju(ds[k]->busy_ns));
		json_object_set_new(o, "cpu_share", json_real(res->now ? (double)ds[k]->busy_ns / (double)res->now : 0));
		json_object_set_new(d, dn[k], o);
	}
	json_object_set_new(root, "daemons", d);
	json_object_set_new(root, "highatomic_max_pages", ju(res->highatomic_max));
}

static void json_workloads(json_t *root, const struct lab_sim_result *res)
{
	json_t *a = json_array();
	for (unsigned i = 0; i < res->nr_wl; i++) {
		const struct sim_wl_summary *wl = &res->wl[i];
		json_t *o = lab_report_wl_json(&wl->r), *req = json_array(), *fail = json_array();
		for (int k = 0; k < LAB_MAX_ORDER; k++) {
			json_array_append_new(req, ju(wl->req[k]));
			json_array_append_new(fail, ju(wl->fail[k]));
		}
		json_object_set_new(o, "name", json_string(wl->name));
		json_object_set_new(o, "type", json_string(wl->type));
		json_object_set_new(o, "requests_by_order", req);
		json_object_set_new(o, "failures_by_order", fail);
		json_object_set_new(o, "pages_held", ju(wl->pages_held));
		json_object_set_new(o, "pages_held_max", ju(wl->pages_held_max));
		json_array_append_new(a, o);
	}
	json_object_set_new(root, "workloads", a);
}

/* the kept failure records, the final statistics and the kernel log */
static void json_records(json_t *root, const struct lab_sim_result *res, const struct lab_mem_stats *st)
{
	json_t *a = json_array();
	for (unsigned i = 0; i < res->nr_warn; i++)
		json_array_append_new(a, lab_report_failure_json(&res->warn[i]));
	json_object_set_new(root, "failure_records", a);
	json_object_set_new(root, "failure_records_total", ju(res->warn_total));
	json_object_set_new(root, "final", lab_report_stats_json(st));
	a = json_array();
	for (unsigned i = 0; i < res->nr_log; i++)
		json_array_append_new(a, json_string(res->log[i]));
	json_object_set_new(root, "log", a);
	json_object_set_new(root, "log_lines_total", ju(res->log_total));
}

json_t *lab_report_run_json(const struct lab_sim_result *res)
{
	const struct lab_mem_stats *st = res->final;
	json_t *root = json_object();
	if (!root)
		return NULL;
	json_run(root, res, st);
	json_allocations(root, res);
	json_timeseries(root, res);
	json_pressure(root, res, st);
	json_workloads(root, res);
	json_records(root, res, st);
	return root;
}

/* ---- files ----------------------------------------------------------------------- */

static int write_one(const char *dir, const char *name, void (*fn)(FILE *, const struct lab_mem_stats *),
		     const struct lab_mem_stats *st)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	if (!f)
		return -errno;
	fn(f, st);
	int rc = ferror(f) ? -EIO : 0;
	if (fclose(f) != 0 && !rc)
		rc = -errno;
	return rc;
}

int lab_report_run_procfs(const struct lab_sim_result *res, const char *dir)
{
	const struct lab_mem_stats *st = res->final;
	int rc = 0;
	if (mkdir(dir, 0777) != 0 && errno != EEXIST)
		return -errno;
	if (!rc)
		rc = write_one(dir, "buddyinfo", lab_report_buddyinfo, st);
	if (!rc)
		rc = write_one(dir, "pagetypeinfo", lab_report_pagetypeinfo, st);
	if (!rc)
		rc = write_one(dir, "zoneinfo", lab_report_zoneinfo, st);
	if (!rc)
		rc = write_one(dir, "vmstat", lab_report_vmstat, st);
	if (!rc)
		rc = write_one(dir, "extfrag_index", lab_report_extfrag_index, st);
	if (!rc)
		rc = write_one(dir, "unusable_index", lab_report_unusable_index, st);
	if (!rc) {
		char path[1024];
		snprintf(path, sizeof(path), "%s/warn_alloc.txt", dir);
		FILE *f = fopen(path, "w");
		if (!f) {
			rc = -errno;
		} else {
			for (unsigned i = 0; i < res->nr_warn; i++) {
				lab_report_warn_alloc(f, &res->warn[i], lab_gfp_era_for_kernel(res->warn[i].mem.kernel));
				fputc('\n', f);
			}
			if (fclose(f) != 0)
				rc = -errno;
		}
	}
	return rc;
}

int lab_report_run_map(const struct lab_sim_result *res, const char *path, int at_first_failure)
{
	char title[160];
	if (at_first_failure && res->ff_blocks) {
		struct lab_map_input in = {
			.blocks = res->ff_blocks,
			.nr_blocks = res->ff_nr_blocks,
			.pageblock_order = res->ff_stats->pageblock_order,
			.title = title,
			.stats = res->ff_stats,
		};
		snprintf(title, sizeof(title), "%s, seed %llu: at the first atomic failure (%.6f s)",
			 res->scenario, (unsigned long long)res->seed, secs(res->first_atomic_failure_ns));
		return lab_map_write_png(path, &in, 0);
	}
	snprintf(title, sizeof(title), "%s, seed %llu: at %.3f s", res->scenario,
		 (unsigned long long)res->seed, secs(res->now));
	return lab_map_write_png_mem(path, res->mem, title, 0);
}
