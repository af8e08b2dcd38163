/* SPDX-License-Identifier: MIT */
/*
 * report/procfs.c - /proc/buddyinfo, /proc/pagetypeinfo, /proc/zoneinfo,
 * /proc/vmstat and debugfs extfrag/{extfrag,unusable}_index, written from a
 * struct lab_mem_stats exactly as Linux 6.1 mm/vmstat.c writes them, plus
 * the JSON form of the same snapshot.
 *
 * Why exact: people and tools (scripts that grep buddyinfo, eyes trained on
 * zoneinfo) read these formats; a Labyrinth instance should be readable by
 * both unchanged, and a test can compare our text with a real kernel's file.
 * The authority for every byte is the real 6.1 output in
 * tests/data/realkernel/ (the facts document where that is silent).
 *
 * Single node (node 0). Everything is O(zones * orders * types) and
 * allocates nothing except the JSON builder.
 */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <labyrinth/fragindex.h>
#include <labyrinth/report.h>

/*
 * Migratetypes in the order a kernel prints them. Without CONFIG_CMA Linux
 * has no CMA slot at all (Isolate follows HighAtomic), so the CMA row and
 * column are skipped then; Labyrinth's arrays always keep the slot.
 */
static int mt_shown(const struct lab_mem_stats *s, unsigned mt)
{
	return mt != LAB_MIGRATE_CMA || s->cma_enabled;
}

/* /proc/buddyinfo: Linux frag_show_print(), populated zones only. */
void lab_report_buddyinfo(FILE *out, const struct lab_mem_stats *s)
{
	for (unsigned z = 0; z < LAB_MAX_NR_ZONES; z++) {
		if (!s->populated[z])
			continue;
		fprintf(out, "Node %d, zone %8s ", 0, lab_zone_name(s, z));
		for (unsigned o = 0; o < LAB_MAX_ORDER; o++)
			fprintf(out, "%6" PRIu64 " ", s->zone[z].nr_free[o]);
		fputc('\n', out);
	}
}

/*
 * /proc/pagetypeinfo: Linux pagetypeinfo_show() = the header,
 * pagetypeinfo_showfree_print() and pagetypeinfo_showblockcount_print().
 * Linux stops counting a list at 100000 entries and prints ">100000"; the
 * counts here are exact, so the cap is applied at printing.
 * The "Number of mixed blocks" table (CONFIG_PAGE_OWNER) is not printed:
 * Labyrinth does not record page owners per pageblock.
 */
void lab_report_pagetypeinfo(FILE *out, const struct lab_mem_stats *s)
{
	fprintf(out, "Page block order: %d\n", (int)s->pageblock_order);
	fprintf(out, "Pages per block:  %" PRIu64 "\n", (uint64_t)1 << (s->pageblock_order & 63u));
	fputc('\n', out);

	fprintf(out, "%-43s ", "Free pages count per migrate type at order");
	for (int o = 0; o < LAB_MAX_ORDER; o++)
		fprintf(out, "%6d ", o);
	fputc('\n', out);
	for (unsigned z = 0; z < LAB_MAX_NR_ZONES; z++) {
		if (!s->populated[z])
			continue;
		for (unsigned mt = 0; mt < LAB_MIGRATE_TYPES; mt++) {
			if (!mt_shown(s, mt))
				continue;
			fprintf(out, "Node %4d, zone %8s, type %12s ", 0, lab_zone_name(s, z),
				lab_migratetype_names[mt]);
			for (unsigned o = 0; o < LAB_MAX_ORDER; o++) {
				uint64_t n = s->zone[z].nr_free_mt[o][mt];
				if (n >= 100000)
					fprintf(out, ">%6d ", 100000);
				else
					fprintf(out, "%6" PRIu64 " ", n);
			}
			fputc('\n', out);
		}
	}

	fputc('\n', out);
	fprintf(out, "%-23s", "Number of blocks type ");
	for (unsigned mt = 0; mt < LAB_MIGRATE_TYPES; mt++)
		if (mt_shown(s, mt))
			fprintf(out, "%12s ", lab_migratetype_names[mt]);
	fputc('\n', out);
	for (unsigned z = 0; z < LAB_MAX_NR_ZONES; z++) {
		if (!s->populated[z])
			continue;
		fprintf(out, "Node %d, zone %8s ", 0, lab_zone_name(s, z));
		for (unsigned mt = 0; mt < LAB_MIGRATE_TYPES; mt++)
			if (mt_shown(s, mt))
				fprintf(out, "%12" PRIu64 " ", s->zone[z].nr_blocks_mt[mt]);
		fputc('\n', out);
	}
}

/* CPUs whose pagesets a zone reports: the zone's own count, else the
 * instance's, never more than the array holds. */
static unsigned zone_nr_cpus(const struct lab_mem_stats *s, const struct lab_zone_stats *zs)
{
	unsigned n = zs->nr_cpus ? zs->nr_cpus : s->nr_cpus;
	return n > LAB_MAX_CPUS ? LAB_MAX_CPUS : n;
}

/*
 * /proc/zoneinfo: Linux zoneinfo_show_print(), for every zone of node 0, in
 * the layout of the instance's kernel: 6.12 adds a "promo" line after
 * "high" and "nr_unaccepted" after nr_free_cma (Labyrinth has no
 * unaccepted memory: 0 is the fact).
 *
 * Left out, because Labyrinth has no such data (printing zeros would
 * state facts it does not know):
 *   - the "  per-node stats" block Linux prints under the node's first
 *     populated zone (LRU sizes, slab, dirty/writeback, workingset, ...);
 *   - the zone stats between nr_free_pages and nr_free_cma
 *     (nr_zone_inactive_anon .. nr_zone_write_pending, nr_mlock, nr_bounce,
 *     nr_zspages) and the NUMA counters after it (numa_hit .. numa_other).
 * Kept: nr_free_pages and nr_free_cma, in their Linux places. Everything
 * else is printed exactly, including the per-CPU pagesets with one
 * "vm stats threshold" line per CPU and min/low/high with the boost added
 * (Linux prints wmark_pages(), i.e. _watermark[] + watermark_boost).
 */
void lab_report_zoneinfo(FILE *out, const struct lab_mem_stats *s)
{
	int v6_12 = lab_kernel_resolve(s->kernel) == LAB_KERNEL_6_12;

	for (unsigned z = 0; z < LAB_MAX_NR_ZONES; z++) {
		const struct lab_zone_stats *zs = &s->zone[z];
		fprintf(out, "Node %d, zone %8s", 0, lab_zone_name(s, z));
		fprintf(out, "\n  pages free     %" PRIu64, zs->free);
		fprintf(out, "\n        boost    %" PRIu64, zs->boost);
		fprintf(out, "\n        min      %" PRIu64, zs->wmark[LAB_WMARK_MIN] + zs->boost);
		fprintf(out, "\n        low      %" PRIu64, zs->wmark[LAB_WMARK_LOW] + zs->boost);
		fprintf(out, "\n        high     %" PRIu64, zs->wmark[LAB_WMARK_HIGH] + zs->boost);
		if (v6_12)
			fprintf(out, "\n        promo    %" PRIu64, zs->wmark[LAB_WMARK_PROMO] + zs->boost);
		fprintf(out, "\n        spanned  %" PRIu64, zs->spanned);
		fprintf(out, "\n        present  %" PRIu64, zs->present);
		fprintf(out, "\n        managed  %" PRIu64, zs->managed);
		fprintf(out, "\n        cma      %" PRIu64, zs->cma);
		fprintf(out, "\n        protection: (%" PRId64, zs->lowmem_reserve[0]);
		for (unsigned i = 1; i < LAB_MAX_NR_ZONES; i++)
			fprintf(out, ", %" PRId64, zs->lowmem_reserve[i]);
		fputc(')', out);
		if (!s->populated[z]) {
			fputc('\n', out);
			continue;
		}
		fprintf(out, "\n      %-12s %" PRIu64, "nr_free_pages", zs->free);
		fprintf(out, "\n      %-12s %" PRIu64, "nr_free_cma", zs->free_cma);
		if (v6_12)
			fprintf(out, "\n      %-12s %d", "nr_unaccepted", 0);
		fprintf(out, "\n  pagesets");
		for (unsigned cpu = 0; cpu < zone_nr_cpus(s, zs); cpu++) {
			fprintf(out, "\n    cpu: %u", cpu);
			fprintf(out, "\n              count: %" PRIu32, zs->pcp[cpu].count);
			fprintf(out, "\n              high:  %" PRIu32, zs->pcp[cpu].high);
			fprintf(out, "\n              batch: %" PRIu32, zs->pcp[cpu].batch);
			fprintf(out, "\n  vm stats threshold: %" PRIu32, zs->vm_stats_threshold);
		}
		fprintf(out, "\n  node_unreclaimable:  %u", zs->kswapd_failures >= 16 ? 1u : 0u);
		fprintf(out, "\n  start_pfn:           %" PRIu64, zs->start_pfn);
		fputc('\n', out);
	}
}

/* Names of struct lab_vm_event, Linux's (vmstat_text) then Labyrinth's own. */
static const char *const vm_event_names[LAB_NR_VM_EVENTS] = {
	[LAB_PGALLOC_DMA] = "pgalloc_dma",
	[LAB_PGALLOC_DMA32] = "pgalloc_dma32",
	[LAB_PGALLOC_NORMAL] = "pgalloc_normal",
	[LAB_PGALLOC_MOVABLE] = "pgalloc_movable",
	[LAB_PGALLOC_DEVICE] = "pgalloc_device",
	[LAB_PGFREE] = "pgfree",
	[LAB_ALLOCSTALL_DMA] = "allocstall_dma",
	[LAB_ALLOCSTALL_DMA32] = "allocstall_dma32",
	[LAB_ALLOCSTALL_NORMAL] = "allocstall_normal",
	[LAB_ALLOCSTALL_MOVABLE] = "allocstall_movable",
	[LAB_ALLOCSTALL_DEVICE] = "allocstall_device",
	[LAB_PGSTEAL_KSWAPD] = "pgsteal_kswapd",
	[LAB_PGSTEAL_DIRECT] = "pgsteal_direct",
	[LAB_PGSCAN_KSWAPD] = "pgscan_kswapd",
	[LAB_PGSCAN_DIRECT] = "pgscan_direct",
	[LAB_KSWAPD_LOW_WMARK_HIT_QUICKLY] = "kswapd_low_wmark_hit_quickly",
	[LAB_KSWAPD_HIGH_WMARK_HIT_QUICKLY] = "kswapd_high_wmark_hit_quickly",
	[LAB_PAGEOUTRUN] = "pageoutrun",
	[LAB_PGMIGRATE_SUCCESS] = "pgmigrate_success",
	[LAB_PGMIGRATE_FAIL] = "pgmigrate_fail",
	[LAB_COMPACT_MIGRATE_SCANNED] = "compact_migrate_scanned",
	[LAB_COMPACT_FREE_SCANNED] = "compact_free_scanned",
	[LAB_COMPACT_ISOLATED] = "compact_isolated",
	[LAB_COMPACT_STALL] = "compact_stall",
	[LAB_COMPACT_FAIL] = "compact_fail",
	[LAB_COMPACT_SUCCESS] = "compact_success",
	[LAB_COMPACT_DAEMON_WAKE] = "compact_daemon_wake",
	[LAB_CMA_ALLOC_SUCCESS] = "cma_alloc_success",
	[LAB_CMA_ALLOC_FAIL] = "cma_alloc_fail",
	[LAB_EV_ALLOC_FAIL] = "alloc_fail",
	[LAB_EV_ALLOC_FAIL_ATOMIC] = "alloc_fail_atomic",
	[LAB_EV_EXTFRAG] = "extfrag",
	[LAB_EV_HIGHATOMIC_RESERVE] = "highatomic_reserve",
	[LAB_EV_HIGHATOMIC_UNRESERVE] = "highatomic_unreserve",
	[LAB_EV_BAD_PAGE] = "bad_page",
	[LAB_EV_MIGHT_SLEEP] = "might_sleep",
	[LAB_EV_PCP_DRAIN] = "pcp_drain",
};

/*
 * The Linux events in /proc/vmstat order (enum vm_event_item, 6.1): the
 * enum of stats.h differs in one place (pgfree comes after allocstall_*
 * and the pgskip_* items in Linux).
 */
static const enum lab_vm_event vmstat_order[] = {
	LAB_PGALLOC_DMA, LAB_PGALLOC_DMA32, LAB_PGALLOC_NORMAL,
	LAB_PGALLOC_MOVABLE, LAB_PGALLOC_DEVICE,
	LAB_ALLOCSTALL_DMA, LAB_ALLOCSTALL_DMA32, LAB_ALLOCSTALL_NORMAL,
	LAB_ALLOCSTALL_MOVABLE, LAB_ALLOCSTALL_DEVICE,
	LAB_PGFREE,
	LAB_PGSTEAL_KSWAPD, LAB_PGSTEAL_DIRECT, LAB_PGSCAN_KSWAPD, LAB_PGSCAN_DIRECT,
	LAB_KSWAPD_LOW_WMARK_HIT_QUICKLY, LAB_KSWAPD_HIGH_WMARK_HIT_QUICKLY,
	LAB_PAGEOUTRUN,
	LAB_PGMIGRATE_SUCCESS, LAB_PGMIGRATE_FAIL,
	LAB_COMPACT_MIGRATE_SCANNED, LAB_COMPACT_FREE_SCANNED, LAB_COMPACT_ISOLATED,
	LAB_COMPACT_STALL, LAB_COMPACT_FAIL, LAB_COMPACT_SUCCESS,
	LAB_COMPACT_DAEMON_WAKE,
	LAB_CMA_ALLOC_SUCCESS, LAB_CMA_ALLOC_FAIL,
};

_Static_assert(sizeof(vmstat_order) / sizeof(vmstat_order[0]) == LAB_EV_ALLOC_FAIL,
	       "every Linux event has a place in vmstat_order");

const char *lab_vm_event_name(enum lab_vm_event ev)
{
	if ((unsigned)ev >= LAB_NR_VM_EVENTS)
		return NULL;
	return vm_event_names[ev];
}

int lab_vm_event_is_linux(enum lab_vm_event ev)
{
	return (unsigned)ev < LAB_EV_ALLOC_FAIL;
}

static int event_valid(const struct lab_mem_stats *s, enum lab_vm_event ev)
{
	return (s->events_valid & LAB_VM_EVENT_BIT(ev)) != 0;
}

/*
 * /proc/vmstat: Linux vmstat_show() restricted to what Labyrinth counts.
 * The zone stats nr_free_pages and nr_free_cma (summed over zones, as the
 * global counters are) always; events only when their bit is set in
 * events_valid, so a counter without a mechanism behind it never shows a
 * fake 0. Labyrinth's own counters go to JSON only.
 */
void lab_report_vmstat(FILE *out, const struct lab_mem_stats *s)
{
	uint64_t free = 0, free_cma = 0;
	for (unsigned z = 0; z < LAB_MAX_NR_ZONES; z++) {
		free += s->zone[z].free;
		free_cma += s->zone[z].free_cma;
	}
	fprintf(out, "%s %" PRIu64 "\n", "nr_free_pages", free);
	fprintf(out, "%s %" PRIu64 "\n", "nr_free_cma", free_cma);
	if (lab_kernel_resolve(s->kernel) == LAB_KERNEL_6_12)
		fputs("nr_unaccepted 0\n", out);   /* 6.12's vmstat_text; no unaccepted memory here */
	for (size_t i = 0; i < sizeof(vmstat_order) / sizeof(vmstat_order[0]); i++) {
		enum lab_vm_event ev = vmstat_order[i];
		if (event_valid(s, ev))
			fprintf(out, "%s %" PRIu64 "\n", vm_event_names[ev], s->events[ev]);
	}
}

/* Linux extfrag_show_print(): "%2d.%03d " per order, C division. */
void lab_report_extfrag_index(FILE *out, const struct lab_mem_stats *s)
{
	for (unsigned z = 0; z < LAB_MAX_NR_ZONES; z++) {
		if (!s->populated[z])
			continue;
		fprintf(out, "Node %d, zone %8s ", 0, lab_zone_name(s, z));
		for (unsigned o = 0; o < LAB_MAX_ORDER; o++) {
			int index = lab_fragmentation_index(s->zone[z].nr_free, o);
			fprintf(out, "%2d.%03d ", index / 1000, index % 1000);
		}
		fputc('\n', out);
	}
}

/* Linux unusable_show_print(): "%d.%03d " per order. */
void lab_report_unusable_index(FILE *out, const struct lab_mem_stats *s)
{
	for (unsigned z = 0; z < LAB_MAX_NR_ZONES; z++) {
		if (!s->populated[z])
			continue;
		fprintf(out, "Node %d, zone %8s ", 0, lab_zone_name(s, z));
		for (unsigned o = 0; o < LAB_MAX_ORDER; o++) {
			int index = lab_unusable_index(s->zone[z].nr_free, o);
			fprintf(out, "%d.%03d ", index / 1000, index % 1000);
		}
		fputc('\n', out);
	}
}

/* ---- JSON (schema: docs/json-schema.md) ------------------------------- */

/*
 * jansson's integers are json_int_t (long long, or long): counters above
 * its maximum cannot occur in practice (2^63 pages); they are clamped
 * rather than wrapped to a negative number.
 */
#if JSON_INTEGER_IS_LONG_LONG
#define LAB_JSON_INT_MAX LLONG_MAX
#else
#define LAB_JSON_INT_MAX LONG_MAX
#endif

static json_t *ju64(uint64_t v)
{
	return json_integer(v > (uint64_t)LAB_JSON_INT_MAX ? LAB_JSON_INT_MAX : (json_int_t)v);
}

/* Sets @key to @value; jansson ignores a NULL value, so a failed inner
 * allocation leaves the key out instead of crashing. */
static void jset(json_t *obj, const char *key, json_t *value)
{
	json_object_set_new(obj, key, value);
}

static json_t *ju64_array(const uint64_t *v, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, ju64(v[i]));
	return a;
}

static json_t *tunables_json(const struct lab_tunables *t)
{
	json_t *o = json_object();
	json_t *ratio = json_array();
	for (unsigned i = 0; i < LAB_MAX_NR_ZONES; i++)
		json_array_append_new(ratio, json_integer(t->lowmem_reserve_ratio[i]));
	jset(o, "min_free_kbytes", json_integer(t->min_free_kbytes));
	jset(o, "user_min_free_kbytes", json_integer(t->user_min_free_kbytes));
	jset(o, "watermark_scale_factor", json_integer(t->watermark_scale_factor));
	jset(o, "watermark_boost_factor", json_integer(t->watermark_boost_factor));
	jset(o, "lowmem_reserve_ratio", ratio);
	jset(o, "percpu_pagelist_high_fraction", json_integer(t->percpu_pagelist_high_fraction));
	jset(o, "extfrag_threshold", json_integer(t->extfrag_threshold));
	jset(o, "compaction_proactiveness", json_integer(t->compaction_proactiveness));
	jset(o, "highatomic_reserve", json_boolean(t->highatomic_reserve));
	jset(o, "page_group_by_mobility_disabled", json_boolean(t->page_group_by_mobility_disabled));
	return o;
}

static json_t *zone_json(const struct lab_mem_stats *s, unsigned z)
{
	const struct lab_zone_stats *zs = &s->zone[z];
	json_t *o = json_object();
	jset(o, "name", json_string(lab_zone_name(s, z)));
	jset(o, "populated", json_boolean(s->populated[z]));
	jset(o, "start_pfn", ju64(zs->start_pfn));
	jset(o, "spanned", ju64(zs->spanned));
	jset(o, "present", ju64(zs->present));
	jset(o, "managed", ju64(zs->managed));
	jset(o, "cma", ju64(zs->cma));
	jset(o, "free", ju64(zs->free));
	jset(o, "free_cma", ju64(zs->free_cma));
	jset(o, "free_pcp", ju64(zs->free_pcp));
	jset(o, "min", ju64(zs->wmark[LAB_WMARK_MIN] + zs->boost));
	jset(o, "low", ju64(zs->wmark[LAB_WMARK_LOW] + zs->boost));
	jset(o, "high", ju64(zs->wmark[LAB_WMARK_HIGH] + zs->boost));
	jset(o, "promo", ju64(zs->wmark[LAB_WMARK_PROMO] + zs->boost));
	jset(o, "boost", ju64(zs->boost));
	jset(o, "nr_reserved_highatomic", ju64(zs->nr_reserved_highatomic));

	json_t *prot = json_array();
	for (unsigned i = 0; i < LAB_MAX_NR_ZONES; i++)
		json_array_append_new(prot, json_integer(zs->lowmem_reserve[i]));
	jset(o, "protection", prot);

	jset(o, "nr_free", ju64_array(zs->nr_free, LAB_MAX_ORDER));
	json_t *by_type = json_object();
	json_t *blocks = json_object();
	json_t *alloc = json_object();
	for (unsigned mt = 0; mt < LAB_MIGRATE_TYPES; mt++) {
		if (!mt_shown(s, mt))
			continue;
		uint64_t col[LAB_MAX_ORDER];
		for (unsigned ord = 0; ord < LAB_MAX_ORDER; ord++)
			col[ord] = zs->nr_free_mt[ord][mt];
		jset(by_type, lab_migratetype_names[mt], ju64_array(col, LAB_MAX_ORDER));
		jset(blocks, lab_migratetype_names[mt], ju64(zs->nr_blocks_mt[mt]));
		jset(alloc, lab_migratetype_names[mt], ju64(zs->nr_alloc_mt[mt]));
	}
	jset(o, "nr_free_by_type", by_type);
	jset(o, "pageblocks_by_type", blocks);
	jset(o, "allocated_by_type", alloc);

	json_t *fi = json_array(), *ui = json_array(), *score = json_array();
	for (unsigned ord = 0; ord < LAB_MAX_ORDER; ord++) {
		json_array_append_new(fi, json_integer(lab_fragmentation_index(zs->nr_free, ord)));
		json_array_append_new(ui, json_integer(lab_unusable_index(zs->nr_free, ord)));
		json_array_append_new(score, json_integer(lab_extfrag_for_order(zs->nr_free, ord)));
	}
	jset(o, "fragmentation_index", fi);
	jset(o, "unusable_index", ui);
	jset(o, "extfrag_score", score);

	json_t *psets = json_array();
	for (unsigned cpu = 0; cpu < zone_nr_cpus(s, zs); cpu++) {
		json_t *p = json_object();
		jset(p, "cpu", json_integer(cpu));
		jset(p, "count", json_integer(zs->pcp[cpu].count));
		jset(p, "high", json_integer(zs->pcp[cpu].high));
		jset(p, "batch", json_integer(zs->pcp[cpu].batch));
		json_array_append_new(psets, p);
	}
	jset(o, "pagesets", psets);
	jset(o, "vm_stats_threshold", json_integer(zs->vm_stats_threshold));
	jset(o, "kswapd_failures", ju64(zs->kswapd_failures));
	jset(o, "node_unreclaimable", json_boolean(zs->kswapd_failures >= 16));
	return o;
}

json_t *lab_report_stats_json(const struct lab_mem_stats *s)
{
	json_t *o = json_object();
	if (!o)
		return NULL;
	jset(o, "page_size", json_integer((json_int_t)LAB_PAGE_SIZE));
	jset(o, "pageblock_order", json_integer(s->pageblock_order));
	jset(o, "nr_cpus", json_integer(s->nr_cpus));
	jset(o, "cma_enabled", json_boolean(s->cma_enabled));
	jset(o, "totalreserve_pages", ju64(s->totalreserve_pages));
	jset(o, "tunables", tunables_json(&s->tunables));

	json_t *zones = json_array();
	for (unsigned z = 0; z < LAB_MAX_NR_ZONES; z++)
		json_array_append_new(zones, zone_json(s, z));
	jset(o, "zones", zones);

	json_t *ev = json_object(), *own = json_object();
	for (unsigned e = 0; e < LAB_NR_VM_EVENTS; e++) {
		if (!event_valid(s, (enum lab_vm_event)e))
			continue;
		jset(lab_vm_event_is_linux((enum lab_vm_event)e) ? ev : own,
		     vm_event_names[e], ju64(s->events[e]));
	}
	jset(o, "events", ev);
	jset(o, "labyrinth_events", own);
	return o;
}
