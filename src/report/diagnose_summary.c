/* SPDX-License-Identifier: MIT */
/*
 * report/diagnose_summary.c - `labyrinth diagnose --summary`, as text
 * tables and as JSON (see diagnose_summary.h). Rows and sites come sorted
 * by the engine (most reports first).
 */
#include "report/diagnose_summary.h"

#include "report/diagnose.h"

static void print_site_verdicts(FILE *out, const struct lab_diag_summary_site *t)
{
	const char *sep = "";

	for (int v = 0; v < LAB_VERDICT_NR; v++) {
		if (!t->verdicts[v])
			continue;
		fprintf(out, "%s%s %u", sep, lab_verdict_name((enum lab_verdict)v), t->verdicts[v]);
		sep = ", ";
	}
	fputc('\n', out);
}

void lab_report_diag_summary(FILE *out, const struct lab_diag_summary *s)
{
	fprintf(out, "labyrinth diagnose --summary: %zu report%s in %zu file%s", s->reports,
		s->reports == 1 ? "" : "s", s->files, s->files == 1 ? "" : "s");
	if (s->unreadable)
		fprintf(out, " (%zu unreadable)", s->unreadable);
	fprintf(out, "\n\nreports  verdict\n");
	for (int v = 0; v < LAB_VERDICT_NR; v++)
		if (s->verdicts[v])
			fprintf(out, "%7u  %s\n", s->verdicts[v], lab_verdict_name((enum lab_verdict)v));

	fprintf(out, "\nreports  %-23s %-28s %5s  %-8s gfp\n", "verdict", "kernel", "order", "context");
	for (size_t i = 0; i < s->nr_rows; i++) {
		const struct lab_diag_summary_row *r = &s->rows[i];
		char order[12] = "?";
		if (r->order >= 0)
			snprintf(order, sizeof(order), "%d", r->order);
		fprintf(out, "%7u  %-23s %-28.28s %5s  %-8s %s\n", r->count, lab_verdict_name(r->verdict),
			r->kernel, order, r->context, r->gfp);
	}

	fprintf(out, "\ncall sites that fail most (first frame outside the allocator)\n");
	fprintf(out, "reports  %-32s verdicts\n", "call site");
	for (size_t i = 0; i < s->nr_sites; i++) {
		const struct lab_diag_summary_site *t = &s->sites[i];
		fprintf(out, "%7u  %-32s ", t->count, t->site[0] ? t->site : "(no call trace)");
		print_site_verdicts(out, t);
	}
}

static json_t *verdict_counts(const unsigned *counts)
{
	json_t *o = json_object();

	for (int v = 0; o && v < LAB_VERDICT_NR; v++)
		if (counts[v])
			json_object_set_new(o, lab_verdict_name((enum lab_verdict)v), json_integer(counts[v]));
	return o;
}

json_t *lab_diag_summary_to_json(const struct lab_diag_summary *s)
{
	json_t *o = json_object(), *rows = json_array(), *sites = json_array();

	if (!o || !rows || !sites) {
		json_decref(o);
		json_decref(rows);
		json_decref(sites);
		return NULL;
	}
	json_object_set_new(o, "files", json_integer((json_int_t)s->files));
	json_object_set_new(o, "unreadable", json_integer((json_int_t)s->unreadable));
	json_object_set_new(o, "reports", json_integer((json_int_t)s->reports));
	json_object_set_new(o, "verdicts", verdict_counts(s->verdicts));
	for (size_t i = 0; i < s->nr_rows; i++) {
		const struct lab_diag_summary_row *r = &s->rows[i];
		json_array_append_new(rows, json_pack("{s:i, s:s, s:s, s:o, s:s, s:s}",
			"count", (json_int_t)r->count, "verdict", lab_verdict_name(r->verdict),
			"kernel", r->kernel, "order", r->order >= 0 ? json_integer(r->order) : json_null(),
			"gfp", r->gfp, "context", r->context));
	}
	for (size_t i = 0; i < s->nr_sites; i++) {
		const struct lab_diag_summary_site *t = &s->sites[i];
		json_array_append_new(sites, json_pack("{s:o, s:i, s:o}",
			"site", t->site[0] ? json_string(t->site) : json_null(),
			"count", (json_int_t)t->count, "verdicts", verdict_counts(t->verdicts)));
	}
	json_object_set_new(o, "rows", rows);
	json_object_set_new(o, "call_sites", sites);
	return o;
}
