/* SPDX-License-Identifier: MIT */
/*
 * tests/engines/test_diagnose_summary.c - `diagnose --summary`
 * (engines/diagnose_summary.c): the counts over the whole dmesg corpus
 * equal what tests/data/dmesg/INDEX.md says (verdicts per file, orders),
 * computed here independently of the engine; the call sites equal those of
 * each file read alone; the CLI reads gzip and xz copies alike and its
 * --json carries the same counts; an unreadable file is named and counted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "util/fixture.h"
#include "engines/diagnose.h"
#include "formats/dmesg.h"
#include "report/diagnose.h"
#include "util/corpus_index.h"

static int index_reports(const struct corpus_row *r)
{
	return strstr(r->col[C_PROC], "two interleaved reports") ? 2 : 1;
}

static enum lab_verdict index_verdict(const struct corpus_row *r)
{
	for (int v = 0; v < LAB_VERDICT_NR; v++)
		if (strcmp(r->col[C_VERDICT], lab_verdict_name((enum lab_verdict)v)) == 0)
			return (enum lab_verdict)v;
	fail_msg("%s: verdict '%s' unknown", r->col[C_FILE], r->col[C_VERDICT]);
	return LAB_VERDICT_UNDETERMINED;
}

static void summarize_corpus(struct lab_diag_summary *s)
{
	memset(s, 0, sizeof(*s));
	for (int i = 0; i < corpus_nr_rows; i++) {
		struct lab_dmesg_log log;
		corpus_index_parse_file(&corpus_rows[i], &log);
		assert_int_equal(lab_diag_summary_add(s, &log, NULL), 0);
		lab_dmesg_log_free(&log);
	}
	lab_diag_summary_sort(s);
}

/* Reports per verdict over the corpus equal INDEX's verdict column, counted per report. */
static void test_summary_verdict_counts_match_index(void **state)
{
	struct lab_diag_summary s;
	unsigned want[LAB_VERDICT_NR] = { 0 };
	size_t total = 0;
	(void)state;
	for (int i = 0; i < corpus_nr_rows; i++) {
		want[index_verdict(&corpus_rows[i])] += (unsigned)index_reports(&corpus_rows[i]);
		total += (size_t)index_reports(&corpus_rows[i]);
	}
	summarize_corpus(&s);
	assert_int_equal(s.reports, total);
	for (int v = 0; v < LAB_VERDICT_NR; v++)
		if (s.verdicts[v] != want[v])
			fail_msg("%s: %u reports, INDEX %u", lab_verdict_name((enum lab_verdict)v), s.verdicts[v], want[v]);
	lab_diag_summary_free(&s);
}

/* The rows, summed per (verdict, order), equal INDEX's rows; every row counts >= 1 and rows come most first. */
static void test_summary_rows_by_verdict_and_order_match_index(void **state)
{
	struct lab_diag_summary s;
	unsigned want[LAB_VERDICT_NR][16] = { { 0 } }, got[LAB_VERDICT_NR][16] = { { 0 } };
	(void)state;
	for (int i = 0; i < corpus_nr_rows; i++) {
		int order = atoi(corpus_rows[i].col[C_ORDER]);
		assert_true(order >= 0 && order < 16);
		want[index_verdict(&corpus_rows[i])][order] += (unsigned)index_reports(&corpus_rows[i]);
	}
	summarize_corpus(&s);
	for (size_t i = 0; i < s.nr_rows; i++) {
		assert_true(s.rows[i].order >= 0 && s.rows[i].order < 16);
		assert_true(s.rows[i].count >= 1);
		if (i > 0)
			assert_true(s.rows[i - 1].count >= s.rows[i].count);
		got[s.rows[i].verdict][s.rows[i].order] += s.rows[i].count;
	}
	assert_memory_equal(got, want, sizeof(want));
	/* the two RHEL reports of 030 share every key: one row of 2 */
	assert_int_equal(s.rows[0].count, 2);
	assert_string_equal(s.rows[0].kernel, "3.10.0-327");
	lab_diag_summary_free(&s);
}

/* Call sites equal those of each file read alone, counted here; their counts add up to the reports. */
static void test_summary_call_sites_match_files_alone(void **state)
{
	struct lab_diag_summary s;
	char sites[64][64];
	unsigned counts[64] = { 0 }, sum = 0;
	int n = 0;
	(void)state;
	for (int i = 0; i < corpus_nr_rows; i++) {
		struct lab_dmesg_log log;
		corpus_index_parse_file(&corpus_rows[i], &log);
		for (size_t k = 0; k < log.nr_reports; k++) {
			int j = 0;
			while (j < n && strcmp(sites[j], log.reports[k].site) != 0)
				j++;
			if (j == n)
				snprintf(sites[n++], sizeof(sites[0]), "%s", log.reports[k].site);
			counts[j]++;
		}
		lab_dmesg_log_free(&log);
	}
	summarize_corpus(&s);
	assert_int_equal(s.nr_sites, n);
	for (size_t i = 0; i < s.nr_sites; i++) {
		int j = 0;
		while (j < n && strcmp(sites[j], s.sites[i].site) != 0)
			j++;
		assert_true(j < n);
		assert_int_equal(s.sites[i].count, counts[j]);
		sum += s.sites[i].count;
	}
	assert_int_equal(sum, s.reports);
	/* both SELinux reports (006, 009) fail in the same function */
	assert_string_equal(s.sites[0].site[0] ? s.sites[0].site : s.sites[1].site, "context_struct_to_string");
	lab_diag_summary_free(&s);
}

/* Runs $LAB_CLI diagnose @args, its stdout into @out; returns the exit status (skips without a binary). */
static int run_cli(const char *args, char *out, size_t size)
{
	const char *cli = getenv("LAB_CLI");
	char cmd[8192];
	FILE *p;
	size_t n;
	int st;

	if (!cli || access(cli, X_OK) != 0)
		skip();
	snprintf(cmd, sizeof(cmd), "%s diagnose %s 2>/dev/null", cli, args);
	p = popen(cmd, "r");
	assert_non_null(p);
	n = fread(out, 1, size - 1, p);
	out[n] = '\0';
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The corpus as plain, gzip and xz files (one third each) gives --json the same verdict counts as INDEX. */
static void test_summary_cli_json_reads_gzip_and_xz(void **state)
{
	char dir[] = "/tmp/lab-summary-XXXXXX", args[8192] = "--summary --json", cmd[2600];
	static char out[1 << 20];
	unsigned want[LAB_VERDICT_NR] = { 0 };
	json_t *doc, *verdicts;
	json_error_t jerr;
	(void)state;
	assert_non_null(mkdtemp(dir));
	for (int i = 0; i < corpus_nr_rows; i++) {
		const char *f = corpus_rows[i].col[C_FILE];
		const char *tool = i % 3 == 0 ? "gzip -c" : i % 3 == 1 ? "xz -c" : "cat";
		int n = snprintf(cmd, sizeof(cmd), "%s %s/tests/data/dmesg/%s > %s/%d.log", tool, LAB_SOURCE_DIR, f, dir, i);
		assert_true(n > 0 && (size_t)n < sizeof(cmd));
		assert_int_equal(system(cmd), 0);
		snprintf(args + strlen(args), sizeof(args) - strlen(args), " %s/%d.log", dir, i);
		want[index_verdict(&corpus_rows[i])] += (unsigned)index_reports(&corpus_rows[i]);
	}
	assert_int_equal(run_cli(args, out, sizeof(out)), 0);
	doc = json_loads(out, 0, &jerr);
	if (!doc)
		fail_msg("not JSON: %s", jerr.text);
	assert_int_equal(json_integer_value(json_object_get(doc, "files")), corpus_nr_rows);
	verdicts = json_object_get(doc, "verdicts");
	for (int v = 0; v < LAB_VERDICT_NR; v++)
		assert_int_equal(json_integer_value(json_object_get(verdicts, lab_verdict_name((enum lab_verdict)v))), want[v]);
	assert_true(json_array_size(json_object_get(doc, "call_sites")) > 0);
	json_decref(doc);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

/* An unreadable file is an error (exit 2) and is counted; the readable ones are still summed. */
static void test_summary_cli_unreadable_file_is_counted(void **state)
{
	char args[1024];
	static char out[65536];
	(void)state;
	snprintf(args, sizeof(args), "--summary %s/tests/data/dmesg/007-x86_64-kvm-5.4-ceph-virtio_net-order0-atomic.txt /nonexistent/kern.log",
		 LAB_SOURCE_DIR);
	assert_int_equal(run_cli(args, out, sizeof(out)), 2);
	assert_non_null(strstr(out, "1 report in 2 files (1 unreadable)"));
	assert_non_null(strstr(out, "LOW_MEMORY"));
	assert_non_null(strstr(out, "try_fill_recv"));
	/* --summary without files, and with --follow, is bad usage */
	assert_int_equal(run_cli("--summary", out, sizeof(out)), 2);
	assert_int_equal(run_cli("--summary --follow x", out, sizeof(out)), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_summary_verdict_counts_match_index),
		cmocka_unit_test(test_summary_rows_by_verdict_and_order_match_index),
		cmocka_unit_test(test_summary_call_sites_match_files_alone),
		cmocka_unit_test(test_summary_cli_json_reads_gzip_and_xz),
		cmocka_unit_test(test_summary_cli_unreadable_file_is_counted),
	};
	return cmocka_run_group_tests_name("diagnose --summary", tests, corpus_index_setup, NULL);
}
