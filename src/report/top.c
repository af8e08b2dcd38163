/* SPDX-License-Identifier: MIT */
/*
 * report/top.c - `labyrinth top`'s three outputs of one refresh
 * (engines/top.h): the screen, one JSON object, and the node_exporter
 * textfile-collector format (docs/top.md lists every metric).
 */
#include <stdio.h>
#include <string.h>
#include "report/top.h"

static const char *zname(const struct lab_top_zone *z)
{
	return lab_zone_names[z->zone];
}

/* debugfs prints the indices x1000 as "%d.%03d" (extfrag_show_print). */
static void index_text(FILE *out, int v)
{
	char b[16];
	snprintf(b, sizeof(b), "%s%d.%03d", v < 0 ? "-" : "", (v < 0 ? -v : v) / 1000, (v < 0 ? -v : v) % 1000);
	fprintf(out, "%8s", b);
}

/* One character per refresh, oldest first, scaled to the window's maximum. */
static void sparkline(FILE *out, const struct lab_top *t, int zi, unsigned o)
{
	static const char ramp[] = " .:-=+*#%@";
	int64_t max = 0;
	for (unsigned a = 0; a < t->history_len; a++) {
		int64_t v = lab_top_history(t, zi, a, o);
		if (v > max)
			max = v;
	}
	for (unsigned a = t->history_len; a-- > 0;) {
		int64_t v = lab_top_history(t, zi, a, o);
		int c = v < 0 ? 0 : max ? (int)((v * 9 + max - 1) / max) : 0;
		fputc(v == 0 ? '_' : ramp[c], out);
	}
}

static void rates_text(FILE *out, const struct lab_top *t)
{
	static const char *const label[LAB_TOP_NR_RATES] = {
		"alloc", "kswapd scan", "direct scan", "allocstall", "compact stall", "ok", "fail", "kswapd runs",
	};
	if (t->cur->missing & LAB_PROC_VMSTAT) {
		fprintf(out, "rates/s: no vmstat\n");
		return;
	}
	if (!t->have_rates) {
		fprintf(out, "rates/s: from the second refresh on (vmstat deltas)\n");
		return;
	}
	fprintf(out, "rates/s:");
	for (int r = 0; r < LAB_TOP_NR_RATES; r++)
		fprintf(out, " %s %.0f%s", label[r], t->rate[r], r == LAB_TOP_KSWAPD_RUNS ? "" : " ");
	fputc('\n', out);
}

static void zone_text(FILE *out, const struct lab_top *t, int zi)
{
	const struct lab_top_zone *z = &t->zone[zi];
	fprintf(out, "\nNode %d %-7s free %llu (lists %llu, per-CPU %llu)  managed %llu\n", z->node, zname(z),
		(unsigned long long)z->free, (unsigned long long)z->list_free, (unsigned long long)z->pcp_pages,
		(unsigned long long)z->managed);
	fprintf(out, "  marks min %llu low %llu high %llu  boost %llu (cap %llu)  lowmem_reserve %lld  "
		     "highatomic %llu blocks, %llu free\n",
		(unsigned long long)z->min, (unsigned long long)z->low, (unsigned long long)z->high,
		(unsigned long long)z->boost, (unsigned long long)z->boost_cap, (long long)z->lowmem_reserve,
		(unsigned long long)z->highatomic_blocks, (unsigned long long)z->highatomic_free);
	if (!z->allowed) {
		fprintf(out, "  GFP_ATOMIC does not use this zone (above gfp_zone)\n");
		return;
	}
	fprintf(out, "  %-10s", "order");
	for (int o = 0; o < LAB_MAX_ORDER; o++)
		fprintf(out, "%8d", o);
	fprintf(out, "\n  %-10s", "free");
	for (int o = 0; o < LAB_MAX_ORDER; o++)
		fprintf(out, "%8llu", (unsigned long long)z->nr_free[o]);
	fprintf(out, "\n  %-10s", "headroom");
	for (int o = 0; o < LAB_MAX_ORDER; o++)
		fprintf(out, "%8lld", (long long)z->headroom[o]);
	fprintf(out, "\n  %-10s", "boosted");
	for (int o = 0; o < LAB_MAX_ORDER; o++)
		fprintf(out, "%8lld", (long long)z->headroom_boosted[o]);
	fprintf(out, "\n  %-10s", "fragindex");
	for (int o = 0; o < LAB_MAX_ORDER; o++)
		index_text(out, z->frag_index[o]);
	fprintf(out, "\n  %-10s", "unusable");
	for (int o = 0; o < LAB_MAX_ORDER; o++)
		index_text(out, z->unusable_index[o]);
	static const unsigned hist_orders[] = { 0, 3, 9 };
	for (unsigned i = 0; i < 3; i++) {
		fprintf(out, "\n  history o%-2u [", hist_orders[i]);
		sparkline(out, t, zi, hist_orders[i]);
		fprintf(out, "] now %lld", (long long)z->headroom[hist_orders[i]]);
	}
	fputc('\n', out);
}

void lab_report_top_text(FILE *out, const struct lab_top *t, double interval)
{
	fprintf(out, "labyrinth top - refresh %llu", (unsigned long long)t->refreshes);
	if (interval > 0)
		fprintf(out, ", every %.1f s", interval);
	fprintf(out, " - kernel %s\nrules: profile %s (%s)\n", t->cur->release[0] ? t->cur->release : "unknown",
		t->profile.name, t->profile.why);
	fprintf(out, "headroom: successive GFP_ATOMIC allocations of each order each zone serves from its "
		     "free lists (%s); per-CPU lists not counted; boosted: with the boost at its cap\n",
		t->headroom_basis);
	if (t->cur->missing & ~(unsigned)LAB_SNAP_MEMINFO)
		fprintf(out, "missing: %s\n", t->cur->missing_why);
	if (t->cur->missing & LAB_SNAP_PAGETYPEINFO)
		fprintf(out, "  without pagetypeinfo (root only): every free block counted as usable; "
			     "migratetypes, CMA and the highatomic reserve unknown\n");
	rates_text(out, t);
	for (int zi = 0; zi < t->nr_zones; zi++)
		zone_text(out, t, zi);
}

static json_t *int_array(const int64_t *v, int n)
{
	json_t *a = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(a, json_integer(v[i]));
	return a;
}

static json_t *zone_json(const struct lab_top_zone *z)
{
	int64_t fi[LAB_MAX_ORDER], ui[LAB_MAX_ORDER], nf[LAB_MAX_ORDER];
	json_t *o = json_object();
	for (int i = 0; i < LAB_MAX_ORDER; i++) {
		fi[i] = z->frag_index[i];
		ui[i] = z->unusable_index[i];
		nf[i] = (int64_t)z->nr_free[i];
	}
	json_object_set_new(o, "node", json_integer(z->node));
	json_object_set_new(o, "zone", json_string(zname(z)));
	json_object_set_new(o, "atomic_allowed", json_boolean(z->allowed));
	json_object_set_new(o, "managed", json_integer((json_int_t)z->managed));
	json_object_set_new(o, "free", json_integer((json_int_t)z->free));
	json_object_set_new(o, "list_free", json_integer((json_int_t)z->list_free));
	json_object_set_new(o, "min", json_integer((json_int_t)z->min));
	json_object_set_new(o, "low", json_integer((json_int_t)z->low));
	json_object_set_new(o, "high", json_integer((json_int_t)z->high));
	json_object_set_new(o, "boost", json_integer((json_int_t)z->boost));
	json_object_set_new(o, "lowmem_reserve", json_integer(z->lowmem_reserve));
	json_object_set_new(o, "pcp_pages", json_integer((json_int_t)z->pcp_pages));
	json_object_set_new(o, "highatomic_blocks", json_integer((json_int_t)z->highatomic_blocks));
	json_object_set_new(o, "highatomic_free", json_integer((json_int_t)z->highatomic_free));
	json_object_set_new(o, "nr_free", int_array(nf, LAB_MAX_ORDER));
	json_object_set_new(o, "atomic_headroom", int_array(z->headroom, LAB_MAX_ORDER));
	json_object_set_new(o, "boost_cap", json_integer((json_int_t)z->boost_cap));
	json_object_set_new(o, "atomic_headroom_boosted", int_array(z->headroom_boosted, LAB_MAX_ORDER));
	json_object_set_new(o, "fragmentation_index_x1000", int_array(fi, LAB_MAX_ORDER));
	json_object_set_new(o, "unusable_index_x1000", int_array(ui, LAB_MAX_ORDER));
	return o;
}

json_t *lab_report_top_json(const struct lab_top *t)
{
	json_t *o = json_object(), *zones = json_array(), *rates = json_object(), *missing = json_array();
	json_object_set_new(o, "time", json_real(t->wall_time));
	json_object_set_new(o, "refresh", json_integer((json_int_t)t->refreshes));
	json_object_set_new(o, "release", json_string(t->cur->release));
	json_object_set_new(o, "profile", json_pack("{s:s,s:s}", "name", t->profile.name, "why", t->profile.why));
	json_object_set_new(o, "headroom_basis", json_string(t->headroom_basis));
	static const struct { unsigned bit; const char *name; } files[] = {
		{ LAB_SNAP_BUDDYINFO, "buddyinfo" }, { LAB_SNAP_PAGETYPEINFO, "pagetypeinfo" },
		{ LAB_SNAP_SYSCTL, "vm_sysctl" }, { LAB_PROC_VMSTAT, "vmstat" },
	};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (t->cur->missing & files[i].bit)
			json_array_append_new(missing, json_string(files[i].name));
	json_object_set_new(o, "missing", missing);
	for (int r = 0; r < LAB_TOP_NR_RATES; r++)
		json_object_set_new(rates, lab_top_rate_names[r], t->have_rates ? json_real(t->rate[r]) : json_null());
	json_object_set_new(o, "rates_per_second", rates);
	for (int zi = 0; zi < t->nr_zones; zi++)
		json_array_append_new(zones, zone_json(&t->zone[zi]));
	json_object_set_new(o, "zones", zones);
	return o;
}

/* ---- Prometheus textfile --------------------------------------------------- */

static void metric_head(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP labyrinth_%s %s\n# TYPE labyrinth_%s %s\n", name, help, name, type);
}

/* Label values escaped as the exposition format wants (\\, \", \n). */
static void label_value(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fputc('\\', out);
		if (*s == '\n') {
			fputs("\\n", out);
			continue;
		}
		fputc(*s, out);
	}
	fputc('"', out);
}

static void zone_labels(FILE *out, const char *name, const struct lab_top_zone *z)
{
	fprintf(out, "labyrinth_%s{node=\"%d\",zone=\"%s\"", name, z->node, zname(z));
}

/* A per-zone gauge, one sample per zone, from the field at @off. */
static void zone_gauge(FILE *out, const struct lab_top *t, const char *name, const char *help, size_t off,
		       int is_signed)
{
	metric_head(out, name, "gauge", help);
	for (int zi = 0; zi < t->nr_zones; zi++) {
		uint64_t v;
		memcpy(&v, (const char *)&t->zone[zi] + off, sizeof(v));   /* an int64_t or uint64_t field */
		zone_labels(out, name, &t->zone[zi]);
		if (is_signed)
			fprintf(out, "} %lld\n", (long long)(int64_t)v);
		else
			fprintf(out, "} %llu\n", (unsigned long long)v);
	}
}

static void order_metrics(FILE *out, const struct lab_top *t)
{
	metric_head(out, "atomic_headroom", "gauge",
		    "Successive GFP_ATOMIC allocations of this order the zone serves from its free lists now.");
	for (int zi = 0; zi < t->nr_zones; zi++)
		for (int o = 0; o < LAB_MAX_ORDER; o++) {
			zone_labels(out, "atomic_headroom", &t->zone[zi]);
			fprintf(out, ",order=\"%d\"} %lld\n", o, (long long)t->zone[zi].headroom[o]);
		}
	metric_head(out, "atomic_headroom_boosted", "gauge",
		    "The same headroom with the watermark boost at its cap (fallback steals during the sequence).");
	for (int zi = 0; zi < t->nr_zones; zi++)
		for (int o = 0; o < LAB_MAX_ORDER; o++) {
			zone_labels(out, "atomic_headroom_boosted", &t->zone[zi]);
			fprintf(out, ",order=\"%d\"} %lld\n", o, (long long)t->zone[zi].headroom_boosted[o]);
		}
	metric_head(out, "free_blocks", "gauge", "Free blocks of this order (buddyinfo).");
	for (int zi = 0; zi < t->nr_zones; zi++)
		for (int o = 0; o < LAB_MAX_ORDER; o++) {
			zone_labels(out, "free_blocks", &t->zone[zi]);
			fprintf(out, ",order=\"%d\"} %llu\n", o, (unsigned long long)t->zone[zi].nr_free[o]);
		}
	metric_head(out, "fragmentation_index", "gauge", "Fragmentation index of this order (debugfs extfrag_index).");
	for (int zi = 0; zi < t->nr_zones; zi++)
		for (int o = 0; o < LAB_MAX_ORDER; o++) {
			zone_labels(out, "fragmentation_index", &t->zone[zi]);
			fprintf(out, ",order=\"%d\"} %.3f\n", o, t->zone[zi].frag_index[o] / 1000.0);
		}
	metric_head(out, "unusable_index", "gauge", "Unusable free space index of this order (debugfs unusable_index).");
	for (int zi = 0; zi < t->nr_zones; zi++)
		for (int o = 0; o < LAB_MAX_ORDER; o++) {
			zone_labels(out, "unusable_index", &t->zone[zi]);
			fprintf(out, ",order=\"%d\"} %.3f\n", o, t->zone[zi].unusable_index[o] / 1000.0);
		}
}

void lab_report_top_prometheus(FILE *out, const struct lab_top *t)
{
	metric_head(out, "info", "gauge", "The kernel read and the rules profile used for it.");
	fprintf(out, "labyrinth_info{release=");
	label_value(out, t->cur->release);
	fprintf(out, ",profile=\"%s\",headroom_basis=\"%s\"} 1\n", t->profile.name, t->headroom_basis);
	metric_head(out, "input_missing", "gauge", "1 when an input file could not be read (pagetypeinfo needs root).");
	fprintf(out, "labyrinth_input_missing{file=\"pagetypeinfo\"} %d\n",
		!!(t->cur->missing & LAB_SNAP_PAGETYPEINFO));
	fprintf(out, "labyrinth_input_missing{file=\"vmstat\"} %d\n", !!(t->cur->missing & LAB_PROC_VMSTAT));
	order_metrics(out, t);
#define ZG(name, help, field, sgn) zone_gauge(out, t, name, help, offsetof(struct lab_top_zone, field), sgn)
	ZG("free_pages", "Free pages (zoneinfo pages free, NR_FREE_PAGES).", free, 0);
	ZG("managed_pages", "Managed pages of the zone.", managed, 0);
	ZG("watermark_min_pages", "WMARK_MIN without the boost.", min, 0);
	ZG("watermark_low_pages", "WMARK_LOW without the boost.", low, 0);
	ZG("watermark_high_pages", "WMARK_HIGH without the boost.", high, 0);
	ZG("watermark_boost_pages", "watermark_boost, added to every mark.", boost, 0);
	ZG("lowmem_reserve_pages", "lowmem_reserve kept from GFP_ATOMIC (Normal-zone) requests.", lowmem_reserve, 1);
	ZG("pcp_pages", "Pages on the per-CPU lists (not in free_pages).", pcp_pages, 0);
	ZG("highatomic_pageblocks", "Pageblocks in the highatomic reserve.", highatomic_blocks, 0);
	ZG("highatomic_free_pages", "Free pages on the HighAtomic lists.", highatomic_free, 0);
#undef ZG
	if (t->cur->missing & LAB_PROC_VMSTAT)
		return;
	for (int r = 0; r < LAB_TOP_NR_RATES; r++) {
		char name[64], help[128];
		snprintf(name, sizeof(name), "%s_total", lab_top_rate_names[r]);
		snprintf(help, sizeof(help), "/proc/vmstat counter(s) behind %s (see docs/top.md).", lab_top_rate_names[r]);
		metric_head(out, name, "counter", help);
		fprintf(out, "labyrinth_%s %llu\n", name, (unsigned long long)t->counter[r]);
	}
}
