/* SPDX-License-Identifier: MIT */
/*
 * report/diagnose.c - `labyrinth diagnose`'s text and JSON: one block per
 * report, meant to be read at 3 a.m.: where the report is, what asked for
 * memory and from which context, which zones it could use with free vs.
 * the watermark it had to beat, the VERDICT with its numbers, and what to
 * do; with --simulate, what the re-run on the rebuilt zones found. Every
 * number comes from the engines (engines/diagnose.c, engines/simulate.c).
 */
#include "report/diagnose.h"

#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <labyrinth/labyrinth.h>

#define WIDTH  100
#define INDENT 10

const char *lab_verdict_name(enum lab_verdict v)
{
	switch (v) {
	case LAB_VERDICT_LOW_MEMORY: return "LOW_MEMORY";
	case LAB_VERDICT_FRAGMENTATION: return "FRAGMENTATION";
	case LAB_VERDICT_RESERVE_OR_MIGRATETYPE: return "RESERVE_OR_MIGRATETYPE";
	default: return "UNDETERMINED";
	}
}

const char *lab_zone_outcome_name(enum lab_zone_outcome o)
{
	switch (o) {
	case LAB_ZONE_OK: return "ok";
	case LAB_ZONE_LOW: return "low";
	case LAB_ZONE_PROTECTED: return "protected";
	case LAB_ZONE_FRAGMENTED: return "fragmented";
	case LAB_ZONE_RESERVED: return "reserved";
	case LAB_ZONE_EMPTY: return "empty";
	case LAB_ZONE_NO_FREE: return "no_free";
	default: return "unknown";
	}
}

/* Prints @text word-wrapped to WIDTH, continuation lines indented by @indent. */
static void wrap(FILE *out, const char *text, int first_col, int indent)
{
	int col = first_col;
	const char *p = text;

	while (*p) {
		const char *e = p;
		int n;
		while (*e && *e != ' ' && *e != '\n')
			e++;
		n = (int)(e - p);
		if (col > indent && col + 1 + n > WIDTH) {
			fprintf(out, "\n%*s", indent, "");
			col = indent;
		} else if (col > indent || (col == indent && p != text && col != first_col)) {
			fputc(' ', out);
			col++;
		}
		fwrite(p, 1, (size_t)n, out);
		col += n;
		while (*e == ' ')
			e++;
		if (*e == '\n') {
			e++;
			if (*e) {
				fprintf(out, "\n%*s", indent, "");
				col = indent;
			}
		}
		p = e;
	}
	fputc('\n', out);
}

static void print_field(FILE *out, const char *label, const char *text)
{
	fprintf(out, "%-*s", INDENT, label);
	wrap(out, text, INDENT, INDENT);
}

static const char *order_size(unsigned order, unsigned page_kb, char *buf, size_t size)
{
	unsigned long long kb = (unsigned long long)page_kb << order;
	if (kb >= 1024 && kb % 1024 == 0)
		snprintf(buf, size, "%llu MB", kb / 1024);
	else
		snprintf(buf, size, "%llu kB", kb);
	return buf;
}

/* The first lines: where the report is, the kernel and its rules, the task
 * and its context. */
static void print_header(FILE *out, const char *file, const struct lab_dmesg_log *log,
			 const struct lab_dmesg_report *r, const struct lab_diagnosis *d, size_t idx)
{
	char buf[1024];

	fprintf(out, "=== %s:%d  report %zu", file, r->line, idx + 1);
	if (log->nr_reports > 0)	/* 0: a followed log, whose end is not known */
		fprintf(out, " of %zu", log->nr_reports);
	if (r->comm[0])
		fprintf(out, "  (%s)", r->comm);
	fprintf(out, " ===\n");

	if (d->version[0])
		snprintf(buf, sizeof(buf), "%s (%s)  rules: %s", d->version,
			 strcmp(d->version_source, "report") == 0 ? "from the report" :
			 strcmp(d->version_source, "log") == 0 ? "from elsewhere in the log" :
			 d->version_source, d->rules);
	else
		snprintf(buf, sizeof(buf), "unknown, %s %d.%d-era from the %s (use --kernel)  rules: %s",
			 d->version_source, d->kmajor, d->kminor,
			 r->names_printed ? "flag names" : r->has_mode ? "report's format" : "defaults",
			 d->rules);
	print_field(out, "kernel", buf);

	{
		int n = snprintf(buf, sizeof(buf), "%s", r->comm[0] ? r->comm : "?");
		if (r->pid >= 0 && n >= 0 && (size_t)n < sizeof(buf))
			n += snprintf(buf + n, sizeof(buf) - (size_t)n, "  pid %d", r->pid);
		if (r->cpu >= 0 && n >= 0 && (size_t)n < sizeof(buf))
			n += snprintf(buf + n, sizeof(buf) - (size_t)n, "  cpu %d", r->cpu);
		if (r->workqueue[0] && n >= 0 && (size_t)n < sizeof(buf))
			n += snprintf(buf + n, sizeof(buf) - (size_t)n, "  workqueue %s", r->workqueue);
		if (r->cpuset[0] && strcmp(r->cpuset, "/") != 0 && n >= 0 && (size_t)n < sizeof(buf))
			snprintf(buf + n, sizeof(buf) - (size_t)n, "  cpuset %s", r->cpuset);
		print_field(out, "task", buf);
	}
	snprintf(buf, sizeof(buf), "%s: %s", lab_dmesg_context_name(r->context), r->context_why);
	print_field(out, "context", buf);
}

/* The request: order, size, mode and its names, what the caller may do. */
static void print_request(FILE *out, const struct lab_dmesg_report *r, const struct lab_diagnosis *d)
{
	char buf[1024], sz[32];

	if (r->has_order && r->has_mode) {
		int n = snprintf(buf, sizeof(buf), "order %u = %s%s   mode %#x", r->order,
				 order_size(r->order, d->page_kb, sz, sizeof(sz)),
				 d->page_kb != 4 ? (d->page_kb_assumed ? "" : " (large pages)") : "", r->mode);
		if (n >= 0 && (size_t)n < sizeof(buf)) {
			if (r->names_printed && d->decoded_matches)
				snprintf(buf + n, sizeof(buf) - (size_t)n, " = %s", r->names);
			else if (r->names_printed)
				snprintf(buf + n, sizeof(buf) - (size_t)n, " printed as %s (our %s table: %s)",
					 r->names, lab_gfp_era_name(d->era), d->decoded);
			else
				snprintf(buf + n, sizeof(buf) - (size_t)n, " = %s (decoded with the %s table; the kernel printed no names)",
					 d->decoded[0] ? d->decoded : "0", lab_gfp_era_name(d->era));
		}
		print_field(out, "request", buf);
		snprintf(buf, sizeof(buf), "%s; %s; watermark: %s",
			 !d->can_block ? "cannot sleep, reclaim or compact" :
			 d->io ? "may reclaim and compact" : "may reclaim, cannot compact (no __GFP_IO)",
			 d->movable ? "movable" : "unmovable (no CMA)", d->policy);
		print_field(out, "", buf);
	} else {
		snprintf(buf, sizeof(buf), "%s%s", r->has_order ? "" : "order unknown ",
			 r->has_mode ? "" : "mode unknown");
		print_field(out, "request", buf);
	}
}

/* The eligible zones in fallback order: free against what was needed. */
static void print_zones(FILE *out, const struct lab_dmesg_report *r, const struct lab_diagnosis *d)
{
	char buf[1024], sz[32];
	int64_t ps = d->page_kb;

	if (d->nr_zones == 0)
		return;
	fprintf(out, "%-*s%-10s %12s %13s %11s %11s  %-16s %s\n", INDENT, "zones",
		"(fallback)", "free kB", "needs > kB", "watermark", "+reserve", "largest free", "outcome");
	for (int i = 0; i < d->nr_zones; i++) {
		const struct lab_diag_zone *dz = &d->zones[i];
		const struct lab_dmesg_zone *z = &r->zones[dz->zi];
		char name[48], largest[64], cols[96];
		if (z->node >= 0)
			snprintf(name, sizeof(name), "%d:%s", z->node, z->name);
		else
			snprintf(name, sizeof(name), "%s", z->name);
		if (dz->largest_order >= 0)
			snprintf(largest, sizeof(largest), "o%d %s", dz->largest_order,
				 order_size((unsigned)dz->largest_order, d->page_kb, sz, sizeof(sz)));
		else
			snprintf(largest, sizeof(largest), "%s", z->has_buddy ? "none" : "?");
		if ((z->have & (1u << LAB_ZF_FREE)) && (z->have & (1u << LAB_ZF_MIN)) &&
		    dz->outcome != LAB_ZONE_EMPTY)
			snprintf(cols, sizeof(cols), "%12lld %13lld %11lld %11lld",
				 (long long)(dz->free * ps),
				 (long long)((dz->mark + dz->reserve + dz->unusable) * ps),
				 (long long)(dz->mark * ps), (long long)(dz->reserve * ps));
		else
			snprintf(cols, sizeof(cols), "%12s %13s %11s %11s", "?", "?", "?", "?");
		fprintf(out, "%*s%-10s %s  %-16s %s%s%s\n", INDENT, "", name, cols, largest,
			lab_zone_outcome_name(dz->outcome), i == d->deciding ? " <-" : "",
			dz->unboosted ? " (boost ignored)" : "");
	}
	if (d->ineligible[0]) {
		snprintf(buf, sizeof(buf), "not for this request: %s", d->ineligible);
		print_field(out, "", buf);
	}
}

void lab_report_diagnosis(FILE *out, const char *file, const struct lab_dmesg_log *log,
			  const struct lab_dmesg_report *r, const struct lab_diagnosis *d, size_t idx)
{
	print_header(out, file, log, r, d, idx);
	print_request(out, r, d);
	print_zones(out, r, d);
	fprintf(out, "%-*s%s\n", INDENT, "VERDICT", lab_verdict_name(d->verdict));
	print_field(out, "", d->summary);
	for (int i = 0; i < d->nr_advice; i++) {
		fprintf(out, "%-*s", INDENT, i == 0 ? "advice" : "");
		fprintf(out, "%d. ", i + 1);
		wrap(out, d->advice[i], INDENT + 3, INDENT + 3);
	}
	if (d->missing[0])
		print_field(out, "missing", d->missing);
	fputc('\n', out);
}

static const char *const zone_label[LAB_MAX_NR_ZONES] = { "DMA", "DMA32", "Normal", "Movable/HighMem", "Device" };

void lab_report_simulation(FILE *out, const struct lab_simulation *s, const struct lab_diagnosis *d)
{
	fprintf(out, "  simulation (--simulate): ");
	if (!s->ran) {
		fprintf(out, "not run: %s\n\n", s->why);
		return;
	}
	fprintf(out, "the zones rebuilt in Labyrinth (sizes, watermarks, lowmem_reserve, highatomic reserve,\n"
		     "    free lists with their letters), then alloc_pages(%s, order %u) with %s's rules\n"
		     "    (profile %s, for %s):\n",
		s->gfp_names[0] ? s->gfp_names : "0", s->order, lab_kernel_version(s->kernel),
		lab_kernel_name(s->kernel), s->kernel_why);
	if (s->dropped[0])
		fprintf(out, "    (flags without a 6.1 meaning dropped: %s)\n", s->dropped);
	if (s->assumed[0])
		fprintf(out, "    (no managed: printed before 3.8: %s sized by present:)\n", s->assumed);
	if (s->adjusted[0])
		fprintf(out, "    (free lists matched to the free: counter the watermark check reads, smallest\n"
			     "    blocks first: %s)\n", s->adjusted);
	if (!s->failed) {
		if (s->served_by_unboost)
			fprintf(out, "    SERVED from %s: %s checks an order-0 atomic request against min without\n"
				     "    the watermark boost (zone_watermark_fast, 5.8+); with the boost it fails.\n\n",
				s->served_zone >= 0 ? zone_label[s->served_zone] : "?", lab_kernel_version(s->kernel));
		else
			fprintf(out, "    SERVED from %s: 6.1.192's rules allow what the reporting kernel's did not (%s).\n\n",
				s->served_zone >= 0 ? zone_label[s->served_zone] : "?",
				d->rules[0] ? d->rules : "an older kernel");
		return;
	}
	fprintf(out, "    FAILS the same way.\n");
	if (s->min_free_kbytes_pass >= 0) {
		fprintf(out, "    It is served when min_free_kbytes <= %ld (the report's watermarks imply %ld;\n"
			     "    Linux's default for these zones: %ld):\n"
			     "    the caller's watermark was in the way. Lowering the reserve only moves the failure;\n",
			s->min_free_kbytes_pass, s->min_free_kbytes_report, s->min_free_kbytes_now);
		if (d->can_block)
			fprintf(out, "    this caller could reclaim, so the snapshot is what was left after reclaim\n"
				     "    and compaction gave up: the memory was really in use (see the verdict).\n");
		else
			fprintf(out, "    the fix is headroom before the burst (a larger min_free_kbytes or\n"
				     "    watermark_scale_factor, so kswapd starts earlier), or allocating outside the interrupt.\n");
	}
	else if (d->verdict == LAB_VERDICT_RESERVE_OR_MIGRATETYPE)
		fprintf(out, "    No min_free_kbytes serves it: the free blocks of this order sit on reserved lists\n"
			     "    (highatomic or CMA) this caller may not take; see the verdict.\n");
	else
		fprintf(out, "    No min_free_kbytes serves it: the free blocks it needs do not exist in this snapshot\n"
			     "    (compaction, which needs movable pages a report does not show, or a smaller order).\n");
	if (s->lowmem_ratio_zone >= 0)
		fprintf(out, "    It is also served when lowmem_reserve_ratio[%s] = %d (less of %s kept back for its\n"
			     "    own users): a trade, not a fix.\n", zone_label[s->lowmem_ratio_zone], s->lowmem_ratio_pass,
			zone_label[s->lowmem_ratio_zone]);
	fputc('\n', out);
}

json_t *lab_simulation_to_json(const struct lab_simulation *s)
{
	json_t *o = json_object();
	if (!o)
		return NULL;
	json_object_set_new(o, "ran", json_boolean(s->ran));
	if (!s->ran) {
		json_object_set_new(o, "why", json_string(s->why));
		return o;
	}
	json_object_set_new(o, "gfp", json_integer(s->gfp));
	json_object_set_new(o, "gfp_names", json_string(s->gfp_names));
	json_object_set_new(o, "order", json_integer(s->order));
	json_object_set_new(o, "free_lists_adjusted", json_string(s->adjusted));
	json_object_set_new(o, "sized_by_present", json_string(s->assumed));
	json_object_set_new(o, "failed", json_boolean(s->failed));
	json_object_set_new(o, "profile", json_string(lab_kernel_name(s->kernel)));
	json_object_set_new(o, "profile_version", json_string(lab_kernel_version(s->kernel)));
	json_object_set_new(o, "served_by_boost_exemption", json_boolean(s->served_by_unboost));
	json_object_set_new(o, "served_zone", s->served_zone >= 0 ? json_string(zone_label[s->served_zone]) : json_null());
	json_object_set_new(o, "min_free_kbytes_default", json_integer(s->min_free_kbytes_now));
	json_object_set_new(o, "min_free_kbytes_report", json_integer(s->min_free_kbytes_report));
	json_object_set_new(o, "min_free_kbytes_serving", s->min_free_kbytes_pass >= 0 ?
			    json_integer(s->min_free_kbytes_pass) : json_null());
	if (s->lowmem_ratio_zone >= 0) {
		json_object_set_new(o, "lowmem_reserve_ratio_zone", json_string(zone_label[s->lowmem_ratio_zone]));
		json_object_set_new(o, "lowmem_reserve_ratio_serving", json_integer(s->lowmem_ratio_pass));
	}
	return o;
}

/* ---- JSON ---------------------------------------------------------------- */

/* free > this is what the caller needed (kB). */
static int64_t need_kb(const struct lab_diagnosis *d, const struct lab_diag_zone *dz)
{
	return (dz->mark + dz->reserve + dz->unusable) * (int64_t)d->page_kb;
}

static uint64_t order_kb(const struct lab_diagnosis *d, int order)
{
	return order < 0 ? 0 : (uint64_t)d->page_kb << order;
}

static json_t *jstr(const char *s)
{
	return json_string(s ? s : "");
}

/* jansson wants UTF-8: bytes of a raw log may not be. */
static json_t *jstr_safe(const char *s)
{
	json_t *j = json_string(s ? s : "");
	if (!j) {
		char buf[256];
		size_t n = 0;
		for (const char *p = s; p && *p && n + 1 < sizeof(buf); p++)
			buf[n++] = (*p & 0x80) ? '?' : *p;
		buf[n] = '\0';
		j = json_string(buf);
	}
	return j;
}

static json_t *zone_json(const struct lab_dmesg_report *r, const struct lab_diagnosis *d,
			 const struct lab_diag_zone *dz)
{
	const struct lab_dmesg_zone *z = &r->zones[dz->zi];
	int64_t ps = d->page_kb;
	json_t *o = json_object();

	if (!o)
		return NULL;
	json_object_set_new(o, "zone", jstr_safe(z->name));
	if (z->node >= 0)
		json_object_set_new(o, "node", json_integer(z->node));
	json_object_set_new(o, "outcome", jstr(lab_zone_outcome_name(dz->outcome)));
	if (dz->outcome != LAB_ZONE_EMPTY && (z->have & (1u << LAB_ZF_FREE)) &&
	    (z->have & (1u << LAB_ZF_MIN))) {
		json_object_set_new(o, "free_kb", json_integer(dz->free * ps));
		json_object_set_new(o, "min_kb", json_integer(dz->min * ps));
		json_object_set_new(o, "mark_kb", json_integer(dz->mark * ps));
		json_object_set_new(o, "lowmem_reserve_kb", json_integer(dz->reserve * ps));
		json_object_set_new(o, "unusable_kb", json_integer(dz->unusable * ps));
		json_object_set_new(o, "needed_kb", json_integer(need_kb(d, dz)));
		json_object_set_new(o, "watermark_ok", json_boolean(dz->wmark_ok));
		if (dz->boost)
			json_object_set_new(o, "boost_kb", json_integer(dz->boost * ps));
	}
	json_object_set_new(o, "largest_free_order", json_integer(dz->largest_order));
	json_object_set_new(o, "largest_usable_order", json_integer(dz->largest_usable_order));
	if (dz->loop_fail_order >= 0)
		json_object_set_new(o, "pre44_loop_fail_order", json_integer(dz->loop_fail_order));
	return o;
}

json_t *lab_diagnosis_to_json(const char *file, const struct lab_dmesg_log *log,
			      const struct lab_dmesg_report *r, const struct lab_diagnosis *d)
{
	json_t *o = json_object(), *req, *zones, *adv, *miss, *k, *ctx;
	char buf[32];
	const char *p;

	if (!o)
		return NULL;
	json_object_set_new(o, "file", jstr_safe(file));
	json_object_set_new(o, "line", json_integer(r->line));
	json_object_set_new(o, "comm", jstr_safe(r->comm));
	if (r->pid >= 0)
		json_object_set_new(o, "pid", json_integer(r->pid));
	k = json_object();
	json_object_set_new(k, "version", jstr_safe(d->version));
	json_object_set_new(k, "source", jstr(d->version_source));
	json_object_set_new(k, "rules", jstr(d->rules));
	json_object_set_new(k, "gfp_era", jstr(lab_gfp_era_name(d->era)));
	json_object_set_new(o, "kernel", k);
	ctx = json_object();
	json_object_set_new(ctx, "kind", jstr(lab_dmesg_context_name(r->context)));
	json_object_set_new(ctx, "why", jstr_safe(r->context_why));
	json_object_set_new(o, "context", ctx);
	req = json_object();
	if (r->has_order) {
		json_object_set_new(req, "order", json_integer(r->order));
		json_object_set_new(req, "size_kb", json_integer((json_int_t)order_kb(d, (int)r->order)));
	}
	json_object_set_new(req, "page_kb", json_integer(d->page_kb));
	if (r->has_mode) {
		snprintf(buf, sizeof(buf), "%#x", r->mode);
		json_object_set_new(req, "mode", jstr(buf));
		if (r->names_printed)
			json_object_set_new(req, "printed", jstr_safe(r->names));
		json_object_set_new(req, "decoded", jstr(d->decoded));
		json_object_set_new(req, "can_reclaim", json_boolean(d->can_block));
		json_object_set_new(req, "atomic", json_boolean(d->atomic));
		json_object_set_new(req, "gfp_high", json_boolean(d->high));
		json_object_set_new(req, "movable", json_boolean(d->movable));
		json_object_set_new(req, "watermark_policy", jstr(d->policy));
	}
	json_object_set_new(o, "request", req);
	zones = json_array();
	for (int i = 0; i < d->nr_zones; i++)
		json_array_append_new(zones, zone_json(r, d, &d->zones[i]));
	json_object_set_new(o, "zones", zones);
	json_object_set_new(o, "verdict", jstr(lab_verdict_name(d->verdict)));
	if (d->deciding >= 0)
		json_object_set_new(o, "deciding_zone", jstr_safe(r->zones[d->zones[d->deciding].zi].name));
	json_object_set_new(o, "summary", jstr_safe(d->summary));
	adv = json_array();
	for (int i = 0; i < d->nr_advice; i++)
		json_array_append_new(adv, jstr_safe(d->advice[i]));
	json_object_set_new(o, "advice", adv);
	miss = json_array();
	for (p = d->missing; *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char item[256];
		snprintf(item, sizeof(item), "%.*s", (int)(n < 255 ? n : 255), p);
		json_array_append_new(miss, jstr_safe(item));
		p += n + (nl ? 1 : 0);
	}
	json_object_set_new(o, "missing", miss);
	(void)log;
	return o;
}
