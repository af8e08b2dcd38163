/* SPDX-License-Identifier: MIT */
/*
 * cli/cmd_diagnose.c - `labyrinth diagnose FILE|-`: explains every "page
 * allocation failure" report in a kernel log.
 *
 * Thin by design: formats/dmesg.c finds and reads the reports,
 * engines/diagnose.c computes the verdicts; this file parses arguments and
 * prints one block per report, meant to be read at 3 a.m.: where the report
 * is, what asked for memory and from which context, which zones it could use
 * with free vs. the watermark it had to beat, the VERDICT with its numbers,
 * and what to do. --json prints the same as one JSON document.
 *
 * Exit: 0 every report diagnosed (UNDETERMINED included), 1 no report found,
 * 2 bad usage or unreadable input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "engines/diagnose.h"
#include "engines/simulate.h"
#include <labyrinth/labyrinth.h>
#include "formats/dmesg.h"

#define WIDTH  100
#define INDENT 10

static void usage(FILE *out)
{
	fprintf(out,
		"usage: labyrinth diagnose [--kernel VERSION] [--json] [--simulate] FILE|- ...\n"
		"\n"
		"Finds every \"page allocation failure\" report in a kernel log (dmesg, syslog,\n"
		"journalctl, dmesg -T, Android logcat, a mail quoting one; .gz and .xz are read\n"
		"transparently; - reads stdin) and says why each allocation failed:\n"
		"\n"
		"  LOW_MEMORY              free pages below the watermark this caller may use\n"
		"  FRAGMENTATION           enough free pages, but no free block of the order\n"
		"  RESERVE_OR_MIGRATETYPE  blocks exist only as highatomic or CMA reserve\n"
		"  UNDETERMINED            the report lacks the numbers, or does not explain it\n"
		"\n"
		"with the numbers behind the verdict and what to tune or change.\n"
		"\n"
		"options:\n"
		"  --kernel VERSION  the kernel that printed the log (e.g. 5.4.0), when the\n"
		"                    report does not say or says it wrongly: picks the GFP flag\n"
		"                    layout and the allocator rules of that version\n"
		"  --json            one JSON document {\"reports\": [...]} on stdout\n"
		"  --simulate        rebuild each report's zones in Labyrinth, re-run the failing\n"
		"                    request with 6.1.192's rules, and search min_free_kbytes and\n"
		"                    lowmem_reserve_ratio for the settings that would serve it\n"
		"  -h, --help        this text\n"
		"\n"
		"exit status: 0 every report diagnosed, 1 no report found, 2 bad usage or\n"
		"unreadable input. See docs/diagnose.md for how verdicts are computed.\n");
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

static void print_report(FILE *out, const char *file, const struct lab_dmesg_log *log,
			 const struct lab_dmesg_report *r, const struct lab_diagnosis *d,
			 size_t idx)
{
	char buf[1024], sz[32];
	int64_t ps = d->page_kb;

	fprintf(out, "=== %s:%d  report %zu of %zu", file, r->line, idx + 1, log->nr_reports);
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

	if (d->nr_zones > 0) {
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

/* The --simulate block: the request re-run on the rebuilt zones. */
static void print_simulation(FILE *out, const struct lab_simulation *s, const struct lab_diagnosis *d)
{
	fprintf(out, "  simulation (--simulate): ");
	if (!s->ran) {
		fprintf(out, "not run: %s\n\n", s->why);
		return;
	}
	fprintf(out, "the zones rebuilt in Labyrinth (sizes, watermarks, lowmem_reserve, highatomic reserve,\n"
		     "    free lists with their letters), then alloc_pages(%s, order %u) with 6.1.192's rules:\n",
		s->gfp_names[0] ? s->gfp_names : "0", s->order);
	if (s->dropped[0])
		fprintf(out, "    (flags without a 6.1 meaning dropped: %s)\n", s->dropped);
	if (s->assumed[0])
		fprintf(out, "    (no managed: printed before 3.8: %s sized by present:)\n", s->assumed);
	if (s->adjusted[0])
		fprintf(out, "    (free lists matched to the free: counter the watermark check reads, smallest\n"
			     "    blocks first: %s)\n", s->adjusted);
	if (!s->failed) {
		if (s->served_by_unboost)
			fprintf(out, "    SERVED from %s: 6.1.192 checks an order-0 atomic request against min without\n"
				     "    the watermark boost (zone_watermark_fast, 5.8+); with the boost it fails.\n\n",
				s->served_zone >= 0 ? zone_label[s->served_zone] : "?");
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

static json_t *simulation_json(const struct lab_simulation *s)
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

int lab_cmd_diagnose(int argc, char **argv)
{
	const char *kernel = NULL;
	const char *files[256];
	int nr_files = 0, rc = 0;
	bool json = false, simulate = false;
	size_t total = 0;
	json_t *doc = NULL, *arr = NULL;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(a, "--json") == 0) {
			json = true;
		} else if (strcmp(a, "--simulate") == 0) {
			simulate = true;
		} else if (strcmp(a, "--kernel") == 0 || strncmp(a, "--kernel=", 9) == 0) {
			kernel = a[8] == '=' ? a + 9 : (i + 1 < argc ? argv[++i] : NULL);
			if (!kernel || !(kernel[0] >= '0' && kernel[0] <= '9') || !strchr(kernel, '.'))
				return cli_error("diagnose", "--kernel needs a version like 5.4.0 (got %s)",
						 kernel ? kernel : "nothing");
		} else if (a[0] == '-' && a[1] != '\0') {
			return cli_error("diagnose", "unknown option %s (see --help)", a);
		} else if (nr_files < (int)(sizeof(files) / sizeof(files[0]))) {
			files[nr_files++] = a;
		} else {
			return cli_error("diagnose", "too many files (at most 256)");
		}
	}
	if (nr_files == 0)
		return cli_error("diagnose", "no input: give a log FILE or - for stdin (see --help)");
	if (json) {
		doc = json_object();
		arr = json_array();
		if (!doc || !arr)
			return cli_error("diagnose", "out of memory");
		json_object_set_new(doc, "reports", arr);
	}
	for (int f = 0; f < nr_files; f++) {
		struct lab_dmesg_log log;
		char err[512];
		const char *name = strcmp(files[f], "-") == 0 ? "<stdin>" : files[f];

		if (lab_dmesg_parse_file(files[f], &log, err, sizeof(err)) < 0) {
			cli_error("diagnose", "%s", err);
			rc = 2;
			continue;
		}
		if (log.nr_reports == 0)
			fprintf(stderr, "labyrinth diagnose: %s: no \"page allocation failure\" report found (%zu lines read)\n",
				name, log.nr_lines);
		else if (!json)
			printf("labyrinth diagnose: %s: %zu report%s\n\n", name, log.nr_reports,
			       log.nr_reports == 1 ? "" : "s");
		for (size_t i = 0; i < log.nr_reports; i++) {
			struct lab_diagnosis *d = malloc(sizeof(*d));
			if (!d) {
				lab_dmesg_log_free(&log);
				json_decref(doc);
				return cli_error("diagnose", "out of memory");
			}
			lab_diagnose(&log, &log.reports[i], kernel, d);
			struct lab_simulation sim;
			if (simulate)
				lab_diagnose_simulate(&log.reports[i], d, &sim);
			if (json) {
				json_t *o = lab_diagnosis_to_json(name, &log, &log.reports[i], d);
				if (o && simulate)
					json_object_set_new(o, "simulation", simulation_json(&sim));
				if (o)
					json_array_append_new(arr, o);
			} else {
				print_report(stdout, name, &log, &log.reports[i], d, i);
				if (simulate)
					print_simulation(stdout, &sim, d);
			}
			free(d);
		}
		total += log.nr_reports;
		lab_dmesg_log_free(&log);
	}
	if (json) {
		json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		json_decref(doc);
	}
	fflush(stdout);
	if (rc)
		return rc;
	return total == 0 ? 1 : 0;
}
