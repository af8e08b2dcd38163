/* SPDX-License-Identifier: MIT */
/*
 * report/workloads.c - each workload's own lines in the run report and its
 * object in the run JSON (docs/run-json.md), from what the workload
 * counted (engines/wl_result.h).
 *
 *   nic-rx (phases storm): holds ...          <- report/run.c
 *       612 packets on 2 queues, 3 dropped     <- lab_report_wl_text
 */
#include <stdio.h>
#include <jansson.h>
#include <labyrinth/report.h>
#include "engines/wl_result.h"
#include "report/render.h"

static double pct(uint64_t a, uint64_t b)
{
	return b ? 100.0 * (double)a / (double)b : 0.0;
}

static double mib(uint64_t pages)
{
	return (double)pages * LAB_PAGE_SIZE / 1048576.0;
}

static json_t *ju(uint64_t v)
{
	return json_integer((json_int_t)v);
}

static json_t *jns(uint64_t ns)
{
	return ns == WL_RESULT_NONE ? json_null() : ju(ns);
}

static void nicrx_text(FILE *out, const struct wl_nicrx_result *n)
{
	fprintf(out, "    %llu packets on %u queues, %llu dropped (no buffer posted, %.2f%%)",
		(unsigned long long)n->packets, n->queues, (unsigned long long)n->drops, pct(n->drops, n->packets));
	if (n->first_drop_ns != WL_RESULT_NONE)
		fprintf(out, ", first drop at %.6f s", (double)n->first_drop_ns / 1e9);
	fprintf(out, "\n    buffers: %llu allocations, %llu failed; %llu recycled by page_pool; "
		"at most %llu pages (%.1f MiB) in flight\n", (unsigned long long)n->buffer_allocs,
		(unsigned long long)n->buffer_fails, (unsigned long long)n->recycled,
		(unsigned long long)n->max_in_flight_pages, mib(n->max_in_flight_pages));
	fprintf(out, "    %s in %s, ring %u, refill batch %u%s\n", n->bursts ? "bursts" : "Poisson",
		lab_context_name((enum lab_context)n->context), n->ring, n->refill_batch,
		n->bulk ? ", bulk order-0 refill" : "");
	if (n->page_pool) {
		/* the pools' counters summed, named as `ethtool -S` names them */
		uint64_t v[LAB_PP_NR_STATS];
		lab_page_pool_stats_values(&n->pp, v);
		fprintf(out, "    page_pool (ring %u per queue and order):", n->page_pool);
		for (int k = 0; k < LAB_PP_NR_STATS; k++)
			fprintf(out, "%s%s %llu", k == 6 ? "\n     " : " ", lab_page_pool_stat_names[k],
				(unsigned long long)v[k]);
		fputc('\n', out);
	}
}

static json_t *nicrx_json(const struct wl_nicrx_result *n)
{
	json_t *o = json_object(), *po = json_array();
	for (int k = 0; k < LAB_MAX_ORDER; k++)
		json_array_append_new(po, ju(n->packets_by_order[k]));
	json_object_set_new(o, "packets", ju(n->packets));
	json_object_set_new(o, "drops", ju(n->drops));
	json_object_set_new(o, "queues", json_integer(n->queues));
	json_object_set_new(o, "packets_by_order", po);
	json_object_set_new(o, "recycled", ju(n->recycled));
	json_object_set_new(o, "refills", ju(n->refills));
	json_object_set_new(o, "bulk_calls", ju(n->bulk_calls));
	json_object_set_new(o, "completed", ju(n->completed));
	json_object_set_new(o, "max_in_flight_pages", ju(n->max_in_flight_pages));
	json_object_set_new(o, "first_drop_ns", jns(n->first_drop_ns));
	if (n->page_pool) {
		uint64_t v[LAB_PP_NR_STATS];
		json_t *pp = json_object();
		lab_page_pool_stats_values(&n->pp, v);
		json_object_set_new(pp, "ring", json_integer(n->page_pool));
		for (int k = 0; k < LAB_PP_NR_STATS; k++)
			json_object_set_new(pp, lab_page_pool_stat_names[k], ju(v[k]));
		json_object_set_new(o, "page_pool", pp);
	}
	return o;
}

static void cardiac_text(FILE *out, const struct wl_cardiac_result *c)
{
	uint64_t misses = c->miss_failed + c->miss_late;
	fprintf(out, "    %llu ticks (period %.3f ms, deadline %.0f us, order %u on CPU %u): "
		"%llu deadline misses (%.3f%%): %llu allocation failed, %llu too late",
		(unsigned long long)c->ticks, (double)c->period_ns / 1e6, (double)c->deadline_ns / 1e3,
		c->order, c->cpu, (unsigned long long)misses, pct(misses, c->ticks),
		(unsigned long long)c->miss_failed, (unsigned long long)c->miss_late);
	if (c->first_miss_ns != WL_RESULT_NONE)
		fprintf(out, "; first at %.6f s", (double)c->first_miss_ns / 1e9);
	fprintf(out, "\n    latency tick -> buffer: p50 <= %.1f us, p99 <= %.1f us, max %.1f us\n",
		(double)c->latency_p50_ns / 1e3, (double)c->latency_p99_ns / 1e3, (double)c->latency_max_ns / 1e3);
}

static json_t *cardiac_json(const struct wl_cardiac_result *c)
{
	json_t *o = json_object();
	json_object_set_new(o, "ticks", ju(c->ticks));
	json_object_set_new(o, "served", ju(c->served));
	json_object_set_new(o, "deadline_misses", ju(c->miss_failed + c->miss_late));
	json_object_set_new(o, "misses_allocation", ju(c->miss_failed));
	json_object_set_new(o, "misses_late", ju(c->miss_late));
	json_object_set_new(o, "attempts", ju(c->attempts));
	json_object_set_new(o, "first_miss_ns", jns(c->first_miss_ns));
	json_object_set_new(o, "latency_p50_ns", ju(c->latency_p50_ns));
	json_object_set_new(o, "latency_p99_ns", ju(c->latency_p99_ns));
	json_object_set_new(o, "latency_max_ns", ju(c->latency_max_ns));
	return o;
}

static void pagecache_text(FILE *out, const struct wl_pagecache_result *p)
{
	fprintf(out, "    %llu accesses by %u readers (%.1f%% hits), %llu writes; %llu pages cached now, "
		"at most %llu (%.1f MiB) of a %llu-page working set\n",
		(unsigned long long)p->accesses, p->readers, pct(p->hits, p->accesses),
		(unsigned long long)p->writes, (unsigned long long)p->cached, (unsigned long long)p->cached_max,
		mib(p->cached_max), (unsigned long long)p->working_set);
	fprintf(out, "    %llu pages evicted by reclaim, %llu dirty pages skipped, %llu allocations failed\n",
		(unsigned long long)p->evicted, (unsigned long long)p->dirty_skipped,
		(unsigned long long)p->alloc_fail);
}

static json_t *pagecache_json(const struct wl_pagecache_result *p)
{
	json_t *o = json_object();
	json_object_set_new(o, "accesses", ju(p->accesses));
	json_object_set_new(o, "hits", ju(p->hits));
	json_object_set_new(o, "misses", ju(p->misses));
	json_object_set_new(o, "writes", ju(p->writes));
	json_object_set_new(o, "cached_pages", ju(p->cached));
	json_object_set_new(o, "cached_pages_max", ju(p->cached_max));
	json_object_set_new(o, "working_set_pages", ju(p->working_set));
	json_object_set_new(o, "evicted", ju(p->evicted));
	json_object_set_new(o, "dirty_skipped", ju(p->dirty_skipped));
	json_object_set_new(o, "allocation_failures", ju(p->alloc_fail));
	return o;
}

static void anon_text(FILE *out, const struct wl_anon_result *a)
{
	fprintf(out, "    %llu processes born, %llu exited, %llu OOM-killed, %llu refused (max_procs); "
		"%u alive now, at most %llu\n", (unsigned long long)a->births, (unsigned long long)a->exits,
		(unsigned long long)a->oom_kills, (unsigned long long)a->refused, a->alive,
		(unsigned long long)a->alive_max);
	fprintf(out, "    %llu pages faulted in", (unsigned long long)a->faulted_pages);
	if (a->thp_tries)
		fprintf(out, "; THP: %llu of %llu tries succeeded (%.1f%%)", (unsigned long long)a->thp_ok,
			(unsigned long long)a->thp_tries, pct(a->thp_ok, a->thp_tries));
	fputc('\n', out);
}

static json_t *anon_json(const struct wl_anon_result *a)
{
	json_t *o = json_object();
	json_object_set_new(o, "births", ju(a->births));
	json_object_set_new(o, "exits", ju(a->exits));
	json_object_set_new(o, "oom_kills", ju(a->oom_kills));
	json_object_set_new(o, "refused", ju(a->refused));
	json_object_set_new(o, "alive", json_integer(a->alive));
	json_object_set_new(o, "alive_max", ju(a->alive_max));
	json_object_set_new(o, "faulted_pages", ju(a->faulted_pages));
	json_object_set_new(o, "thp_tries", ju(a->thp_tries));
	json_object_set_new(o, "thp_ok", ju(a->thp_ok));
	return o;
}

static void slab_text(FILE *out, const struct wl_slab_result *s)
{
	fprintf(out, "    %llu slabs (%llu pages, %.1f MiB; %llu reclaimable) now, at most %llu pages; "
		"target %llu pages\n", (unsigned long long)s->slabs, (unsigned long long)s->pages, mib(s->pages),
		(unsigned long long)s->reclaimable_pages, (unsigned long long)s->pages_max,
		(unsigned long long)s->target);
	fprintf(out, "    %llu allocations (%llu failed), %llu frees, %llu pages shrunk by reclaim\n",
		(unsigned long long)s->allocs, (unsigned long long)s->alloc_fail, (unsigned long long)s->frees,
		(unsigned long long)s->shrunk);
}

static json_t *slab_json(const struct wl_slab_result *s)
{
	json_t *o = json_object(), *bo = json_array();
	for (int k = 0; k < LAB_MAX_ORDER; k++)
		json_array_append_new(bo, ju(s->by_order[k]));
	json_object_set_new(o, "slabs", ju(s->slabs));
	json_object_set_new(o, "pages", ju(s->pages));
	json_object_set_new(o, "pages_max", ju(s->pages_max));
	json_object_set_new(o, "target_pages", ju(s->target));
	json_object_set_new(o, "reclaimable_pages", ju(s->reclaimable_pages));
	json_object_set_new(o, "allocations", ju(s->allocs));
	json_object_set_new(o, "allocation_failures", ju(s->alloc_fail));
	json_object_set_new(o, "frees", ju(s->frees));
	json_object_set_new(o, "shrunk_pages", ju(s->shrunk));
	json_object_set_new(o, "slabs_by_order", bo);
	return o;
}

static void contig_text(FILE *out, const struct wl_contig_result *c)
{
	fprintf(out, "    %llu requests of %llu contiguous pages (order %u, %s), %llu failed (%.1f%%)",
		(unsigned long long)c->requests, (unsigned long long)c->pages_per_request, c->order,
		c->contig_range ? "alloc_contig_pages" : "buddy", (unsigned long long)c->failures,
		pct(c->failures, c->requests));
	if (c->first_failure_ns != WL_RESULT_NONE)
		fprintf(out, ", first at %.6f s", (double)c->first_failure_ns / 1e9);
	fputc('\n', out);
}

static json_t *contig_json(const struct wl_contig_result *c)
{
	json_t *o = json_object();
	json_object_set_new(o, "requests", ju(c->requests));
	json_object_set_new(o, "failures", ju(c->failures));
	json_object_set_new(o, "pages_per_request", ju(c->pages_per_request));
	json_object_set_new(o, "order", json_integer(c->order));
	json_object_set_new(o, "first_failure_ns", jns(c->first_failure_ns));
	return o;
}

void lab_report_wl_text(FILE *out, const struct wl_result *r)
{
	switch (r->type) {
	case WL_NICRX: nicrx_text(out, &r->u.nicrx); break;
	case WL_CARDIAC: cardiac_text(out, &r->u.cardiac); break;
	case WL_PAGECACHE: pagecache_text(out, &r->u.pagecache); break;
	case WL_ANON: anon_text(out, &r->u.anon); break;
	case WL_SLAB: slab_text(out, &r->u.slab); break;
	case WL_CONTIG: contig_text(out, &r->u.contig); break;
	default: break;
	}
}

json_t *lab_report_wl_json(const struct wl_result *r)
{
	switch (r->type) {
	case WL_NICRX: return nicrx_json(&r->u.nicrx);
	case WL_CARDIAC: return cardiac_json(&r->u.cardiac);
	case WL_PAGECACHE: return pagecache_json(&r->u.pagecache);
	case WL_ANON: return anon_json(&r->u.anon);
	case WL_SLAB: return slab_json(&r->u.slab);
	case WL_CONTIG: return contig_json(&r->u.contig);
	default: return json_object();
	}
}
