/* SPDX-License-Identifier: MIT */
/*
 * engines/diagnose_summary.c - `labyrinth diagnose --summary FILES...`:
 * the logs of many machines (gzip and xz read by formats/input.c), every
 * report diagnosed (diagnose.c) and counted by verdict, kernel, order, GFP
 * flags and context, and by call site. report/diagnose_summary.c prints
 * the counts.
 *
 * Cost: O(reports x (rows + sites)) to count (a linear search: a fleet's
 * distinct rows number in the hundreds), O(n log n) to sort.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "engines/diagnose.h"
#include "formats/dmesg.h"
#include "report/diagnose_summary.h"

static bool grow(void **arr, size_t *cap, size_t need, size_t size)
{
	size_t ncap;
	void *n;

	if (need <= *cap)
		return true;
	ncap = *cap ? *cap * 2 : 16;
	n = realloc(*arr, ncap * size);
	if (!n)
		return false;
	*arr = n;
	*cap = ncap;
	return true;
}

static int count_row(struct lab_diag_summary *s, const struct lab_diag_summary_row *key)
{
	for (size_t i = 0; i < s->nr_rows; i++) {
		struct lab_diag_summary_row *r = &s->rows[i];
		if (r->verdict == key->verdict && r->order == key->order &&
		    strcmp(r->kernel, key->kernel) == 0 && strcmp(r->gfp, key->gfp) == 0 &&
		    strcmp(r->context, key->context) == 0) {
			r->count++;
			return 0;
		}
	}
	if (!grow((void **)&s->rows, &s->cap_rows, s->nr_rows + 1, sizeof(*s->rows)))
		return -1;
	s->rows[s->nr_rows] = *key;
	s->rows[s->nr_rows++].count = 1;
	return 0;
}

static int count_site(struct lab_diag_summary *s, const char *site, enum lab_verdict v)
{
	struct lab_diag_summary_site *t = NULL;

	for (size_t i = 0; i < s->nr_sites && !t; i++)
		if (strcmp(s->sites[i].site, site) == 0)
			t = &s->sites[i];
	if (!t) {
		if (!grow((void **)&s->sites, &s->cap_sites, s->nr_sites + 1, sizeof(*s->sites)))
			return -1;
		t = &s->sites[s->nr_sites++];
		memset(t, 0, sizeof(*t));
		snprintf(t->site, sizeof(t->site), "%s", site);
	}
	t->count++;
	t->verdicts[v]++;
	return 0;
}

int lab_diag_summary_add(struct lab_diag_summary *s, const struct lab_dmesg_log *log,
			 const char *kernel_override)
{
	struct lab_diagnosis *d = malloc(sizeof(*d));

	if (!d)
		return -1;
	for (size_t i = 0; i < log->nr_reports; i++) {
		const struct lab_dmesg_report *r = &log->reports[i];
		struct lab_diag_summary_row key;

		lab_diagnose(log, r, kernel_override, d);
		memset(&key, 0, sizeof(key));
		key.verdict = d->verdict;
		snprintf(key.kernel, sizeof(key.kernel), "%s", d->version[0] ? d->version : "unknown");
		key.order = r->has_order ? (int)r->order : -1;
		if (d->decoded[0])
			snprintf(key.gfp, sizeof(key.gfp), "%s", d->decoded);
		else if (r->has_mode)
			snprintf(key.gfp, sizeof(key.gfp), "%#x", r->mode);
		else
			snprintf(key.gfp, sizeof(key.gfp), "unknown");
		snprintf(key.context, sizeof(key.context), "%s", lab_dmesg_context_name(r->context));
		if (count_row(s, &key) < 0 || count_site(s, r->site, d->verdict) < 0) {
			free(d);
			return -1;
		}
		s->reports++;
		s->verdicts[d->verdict]++;
	}
	free(d);
	return 0;
}

static int cmp_row(const void *a, const void *b)
{
	const struct lab_diag_summary_row *x = a, *y = b;
	int c;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	if (x->verdict != y->verdict)
		return x->verdict < y->verdict ? -1 : 1;
	if ((c = strcmp(x->kernel, y->kernel)) != 0)
		return c;
	if (x->order != y->order)
		return x->order < y->order ? -1 : 1;
	if ((c = strcmp(x->gfp, y->gfp)) != 0)
		return c;
	return strcmp(x->context, y->context);
}

static int cmp_site(const void *a, const void *b)
{
	const struct lab_diag_summary_site *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->site, y->site);
}

void lab_diag_summary_sort(struct lab_diag_summary *s)
{
	if (s->nr_rows)
		qsort(s->rows, s->nr_rows, sizeof(*s->rows), cmp_row);
	if (s->nr_sites)
		qsort(s->sites, s->nr_sites, sizeof(*s->sites), cmp_site);
}

void lab_diag_summary_free(struct lab_diag_summary *s)
{
	free(s->rows);
	free(s->sites);
	memset(s, 0, sizeof(*s));
}

int lab_diagnose_summary_run(const struct lab_diagnose_request *q)
{
	struct lab_diag_summary s;
	int rc = 0;

	memset(&s, 0, sizeof(s));
	for (int f = 0; f < q->nr_files; f++) {
		struct lab_dmesg_log log;
		char err[512];

		s.files++;
		if (lab_dmesg_parse_file(q->files[f], &log, err, sizeof(err)) < 0) {
			fprintf(stderr, "labyrinth diagnose: %s\n", err);
			s.unreadable++;
			rc = 2;
			continue;
		}
		if (lab_diag_summary_add(&s, &log, q->kernel) < 0) {
			lab_dmesg_log_free(&log);
			lab_diag_summary_free(&s);
			fprintf(stderr, "labyrinth diagnose: out of memory\n");
			return 2;
		}
		lab_dmesg_log_free(&log);
	}
	lab_diag_summary_sort(&s);
	if (q->json) {
		json_t *o = lab_diag_summary_to_json(&s);
		if (!o) {
			lab_diag_summary_free(&s);
			fprintf(stderr, "labyrinth diagnose: out of memory\n");
			return 2;
		}
		json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		json_decref(o);
	} else {
		lab_report_diag_summary(stdout, &s);
	}
	fflush(stdout);
	if (!rc && s.reports == 0)
		rc = 1;
	lab_diag_summary_free(&s);
	return rc;
}
