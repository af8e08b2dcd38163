/* SPDX-License-Identifier: MIT */
/*
 * tests/formats/test_ftrace.c - the ftrace reader (formats/ftrace.c) on the
 * real Linux 6.1 and 6.12 traces of tests/data/realkernel (counts must equal the
 * harness's own counts in meta.txt), on one capture of a 6.18 host kept in
 * three text layouts and as trace.dat (tests/formats/data/host-6.18: the
 * tracefs `trace` text, `trace-cmd report`, `trace-cmd report -l`, the
 * trace.dat they were made from), and on small hand-made lines for the
 * error paths. Each corpus trace is parsed once, in the group setup.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "util/fixture.h"
#include "formats/ftrace.h"
#include "formats/snapshot.h"

/* libtraceevent 1.7 leaks a few bytes while parsing event formats inside
 * tracecmd_open(); not ours to fix, so LeakSanitizer is told to ignore it. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libtraceevent.so\nleak:libtracecmd.so\n";
}

#define DATA LAB_SOURCE_DIR "/tests/formats/data/host-6.18"

/* Linux 6.1 runs first (corpus[0] is 6.1's atomic-pressure), then 6.12's. */
static const char *const runs[] = { "atomic-pressure-256M", "boot-idle-256M", "compaction-256M", "fragment-256M",
				    "atomic-pressure-256M-6.12", "compaction-256M-6.12", "fragment-256M-6.12" };
#define NRUNS (sizeof(runs) / sizeof(runs[0]))
static struct lab_ftrace corpus[NRUNS];

static const char *trace_path(const char *run)
{
	static char p[1024];
	snprintf(p, sizeof(p), "%s", data_path("realkernel/"));
	size_t n = strlen(p);
	snprintf(p + n, sizeof(p) - n, "%s/trace.txt.xz", run);
	FILE *f = fopen(p, "r");
	if (f) {
		fclose(f);
		return p;
	}
	snprintf(p + n, sizeof(p) - n, "%s/trace.txt", run);
	return p;
}

static int setup(void **state)
{
	(void)state;
	for (size_t i = 0; i < NRUNS; i++) {
		char err[512], dir[1024], release[128];
		/* the gfp names are the traced kernel's (meta.txt's guest_uname) */
		snprintf(dir, sizeof(dir), "%s%s", data_path("realkernel/"), runs[i]);
		if (lab_snapshot_uname(dir, release, sizeof(release), NULL, 0))
			return -1;
		struct lab_ftrace_opts o = { .era = lab_gfp_era_for_version(release) };
		if (lab_ftrace_load(trace_path(runs[i]), &o, &corpus[i], err, sizeof(err))) {
			fprintf(stderr, "%s\n", err);
			return -1;
		}
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (size_t i = 0; i < NRUNS; i++)
		lab_ftrace_free(&corpus[i]);
	return 0;
}

/* The "## event counts" block of a run's meta.txt: name -> count. */
static long meta_count(const char *run, const char *event)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s", data_path("realkernel/"));
	size_t n = strlen(path);
	snprintf(path + n, sizeof(path) - n, "%s/meta.txt", run);
	size_t len;
	char *text = read_file(path, &len);
	if (!text)
		return -1;
	long v = -1;
	char *sec = strstr(text, "## event counts");
	for (char *l = sec; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		char name[128];
		long c;
		if (l != sec && !strncmp(l, "##", 2))
			break;
		if (sscanf(l, "%127s %ld", name, &c) == 2 && !strcmp(name, event)) {
			v = c;
			break;
		}
	}
	free(text);
	return v;
}

static int parse(const char *text, struct lab_ftrace *t, char *err, size_t errsz, enum lab_gfp_era era, unsigned flags)
{
	struct lab_ftrace_opts o = { .era = era, .flags = flags };
	return lab_ftrace_parse_text(text, strlen(text), "t.txt", &o, t, err, errsz);
}

/* Every event count of every corpus trace equals the harness's count in meta.txt. */
static void test_ftrace_corpus_counts_match_meta(void **state)
{
	(void)state;
	for (size_t i = 0; i < NRUNS; i++) {
		for (int k = 1; k < LAB_FT_NR_TYPES; k++) {
			long want = meta_count(runs[i], lab_ftrace_type_name((enum lab_ftrace_type)k));
			if (want < 0)
				want = 0;
			if ((long)corpus[i].count[k] != want)
				fail_msg("%s: %s: read %llu, meta.txt says %ld", runs[i],
					 lab_ftrace_type_name((enum lab_ftrace_type)k),
					 (unsigned long long)corpus[i].count[k], want);
		}
	}
}

/* No corpus trace has an event the reader does not decode, nor a skipped line. */
static void test_ftrace_corpus_has_no_unknown_events(void **state)
{
	(void)state;
	for (size_t i = 0; i < NRUNS; i++) {
		assert_int_equal(corpus[i].nr_unknown, 0);
		assert_int_equal(corpus[i].malformed, 0);
		assert_int_equal(corpus[i].count[LAB_FT_UNKNOWN], 0);
	}
}

/* The failed allocations (page=0000000000000000 pfn=0x0) are flagged: 51717 in atomic-pressure, as meta.txt. */
static void test_ftrace_failed_allocations_flagged(void **state)
{
	(void)state;
	uint64_t n = 0, atomic_softirq = 0;
	for (size_t i = 0; i < corpus[0].nr; i++) {
		const struct lab_ftrace_event *e = &corpus[0].ev[i];
		if (e->type != LAB_FT_PAGE_ALLOC || !(e->flags & LAB_FTF_FAILED))
			continue;
		n++;
		if (e->gfp == LAB_GFP_ATOMIC && lab_ftrace_context(e) == LAB_CTX_SOFTIRQ)
			atomic_softirq++;
	}
	assert_int_equal(n, 51717);
	assert_true(atomic_softirq > 20000);
}

/* 6.12's atomic-pressure: its 99572 failed allocations (meta.txt), read
 * with 6.12's names: GFP_ATOMIC is 0x820 there, without __GFP_ATOMIC. */
static void test_ftrace_failed_allocations_flagged_6_12(void **state)
{
	(void)state;
	uint64_t n = 0, atomic = 0;
	const struct lab_ftrace *t = &corpus[4];
	assert_int_equal(t->era, LAB_GFP_ERA_6_8);
	for (size_t i = 0; i < t->nr; i++) {
		const struct lab_ftrace_event *e = &t->ev[i];
		if (e->type != LAB_FT_PAGE_ALLOC || !(e->flags & LAB_FTF_FAILED))
			continue;
		n++;
		if ((e->gfp & ~(lab_gfp_t)(LAB___GFP_NOWARN | LAB___GFP_NORETRY | LAB___GFP_COMP)) ==
		    (LAB___GFP_HIGH | LAB___GFP_KSWAPD_RECLAIM))
			atomic++;
	}
	assert_int_equal(n, 99572);
	assert_int_equal(atomic, 99450);   /* meta.txt: trace_failed_mm_page_alloc_with_GFP_ATOMIC */
}

/* The header gives the CPU count and entries; no corpus run lost events. */
static void test_ftrace_header_and_no_loss(void **state)
{
	(void)state;
	for (size_t i = 0; i < NRUNS; i++) {
		assert_int_equal(corpus[i].nr_cpus, 2);
		assert_int_equal(corpus[i].entries_in_buffer, corpus[i].entries_written);
		assert_int_equal(corpus[i].entries_in_buffer, corpus[i].nr);
		assert_int_equal(corpus[i].lost_events, 0);
	}
}

/* The irq-info column gives the context: '.', 's', 'h', 'H', 'z' and irqs-off 'd'. */
static void test_ftrace_irq_info_context(void **state)
{
	(void)state;
	const char *text =
		"  a-1 [000] .....  1.000001: mm_page_free: page=0000000012345678 pfn=0x10 order=0\n"
		"  a-1 [000] ..s1.  1.000002: mm_page_free: page=0000000012345678 pfn=0x11 order=0\n"
		"  a-1 [000] d.h1.  1.000003: mm_page_free: page=0000000012345678 pfn=0x12 order=0\n"
		"  a-1 [000] d.H1.  1.000004: mm_page_free: page=0000000012345678 pfn=0x13 order=0\n"
		"  a-1 [000] d.z1.  1.000005: mm_page_free: page=0000000012345678 pfn=0x14 order=0\n";
	struct lab_ftrace t;
	char err[256];
	assert_int_equal(parse(text, &t, err, sizeof(err), LAB_GFP_ERA_6_1, 0), 0);
	assert_int_equal(t.nr, 5);
	assert_int_equal(lab_ftrace_context(&t.ev[0]), LAB_CTX_PROCESS);
	assert_int_equal(lab_ftrace_context(&t.ev[1]), LAB_CTX_SOFTIRQ);
	assert_int_equal(lab_ftrace_context(&t.ev[2]), LAB_CTX_HARDIRQ);
	assert_int_equal(lab_ftrace_context(&t.ev[3]), LAB_CTX_HARDIRQ);
	assert_int_equal(lab_ftrace_context(&t.ev[4]), LAB_CTX_NMI);
	assert_false(t.ev[1].flags & LAB_FTF_IRQS_OFF);
	assert_true(t.ev[2].flags & LAB_FTF_IRQS_OFF);
	lab_ftrace_free(&t);
}

/* gfp_flags are parsed as names of the given era, or as numbers. */
static void test_ftrace_gfp_names_and_numbers(void **state)
{
	(void)state;
	const char *text =
		"  a-1 [000] ..s1.  1.0: mm_page_alloc: page=00000000ab pfn=0x100 order=0 migratetype=0 gfp_flags=GFP_ATOMIC|__GFP_NOWARN\n"
		"  a-1 [000] .....  1.1: mm_page_alloc: page=00000000ab pfn=0x101 order=1 migratetype=1 gfp_flags=0x400cc0\n"
		"  a-1 [000] .....  1.2: mm_vmscan_wakeup_kswapd: nid=0 order=0 gfp_flags=none\n";
	struct lab_ftrace t;
	char err[256];
	assert_int_equal(parse(text, &t, err, sizeof(err), LAB_GFP_ERA_6_1, 0), 0);
	assert_int_equal(t.ev[0].gfp, 0xa20u | LAB___GFP_NOWARN);
	assert_int_equal(t.ev[1].gfp, 0x400cc0u);
	assert_int_equal(t.ev[2].gfp, 0);
	assert_int_equal(t.ev[1].order, 1);
	assert_int_equal(t.ev[1].mt, 1);
	lab_ftrace_free(&t);
}

/* A line that is no event line is an error naming the file and line. */
static void test_ftrace_malformed_line_names_file_and_line(void **state)
{
	(void)state;
	const char *text = "# tracer: nop\n"
			   "  a-1 [000] .....  1.000001: mm_page_free: page=0000000012345678 pfn=0x10 order=0\n"
			   "this is not a trace line\n";
	struct lab_ftrace t;
	char err[256];
	assert_int_equal(parse(text, &t, err, sizeof(err), LAB_GFP_ERA_6_1, 0), LAB_FTRACE_EMALFORMED);
	assert_non_null(strstr(err, "t.txt:3:"));
}

/* A known event without a field it needs is an error that names the field. */
static void test_ftrace_missing_field_is_error(void **state)
{
	(void)state;
	const char *text = "  a-1 [000] .....  1.000001: mm_page_alloc: page=00000000ab pfn=0x10 migratetype=0 gfp_flags=GFP_KERNEL\n";
	struct lab_ftrace t;
	char err[256];
	assert_int_equal(parse(text, &t, err, sizeof(err), LAB_GFP_ERA_6_1, 0), LAB_FTRACE_EMALFORMED);
	assert_non_null(strstr(err, "t.txt:1:"));
	assert_non_null(strstr(err, "'order'"));
}

/* An unknown gfp flag name is an error that names the flag and the era. */
static void test_ftrace_unknown_gfp_name_is_error(void **state)
{
	(void)state;
	const char *text = "  a-1 [000] .....  1.0: mm_page_alloc: page=00000000ab pfn=0x10 order=0 migratetype=0 gfp_flags=GFP_KERNEL|__GFP_BOGUS\n";
	struct lab_ftrace t;
	char err[256];
	assert_int_equal(parse(text, &t, err, sizeof(err), LAB_GFP_ERA_6_1, 0), LAB_FTRACE_EMALFORMED);
	assert_non_null(strstr(err, "__GFP_BOGUS"));
}

/* Lenient mode counts malformed lines and keeps the rest. */
static void test_ftrace_lenient_counts_malformed(void **state)
{
	(void)state;
	const char *text = "garbage\n  a-1 [000] .....  1.000001: mm_page_free: page=0000000012345678 pfn=0x10 order=0\nmore garbage\n";
	struct lab_ftrace t;
	char err[256];
	assert_int_equal(parse(text, &t, err, sizeof(err), LAB_GFP_ERA_6_1, LAB_FTRACE_LENIENT), 0);
	assert_int_equal(t.malformed, 2);
	assert_int_equal(t.nr, 1);
	lab_ftrace_free(&t);
}

/* Events the reader does not decode are kept, counted and listed by name. */
static void test_ftrace_unknown_events_counted(void **state)
{
	(void)state;
	const char *text = "  a-1 [000] .....  1.1: kmalloc: call_site=foo ptr=0x1 bytes_req=8\n"
			   "  a-1 [000] .....  1.2: kmalloc: call_site=foo ptr=0x2 bytes_req=8\n"
			   "  a-1 [000] .....  1.3: sched_switch: prev_comm=a\n";
	struct lab_ftrace t;
	char err[256];
	assert_int_equal(parse(text, &t, err, sizeof(err), LAB_GFP_ERA_6_1, 0), 0);
	assert_int_equal(t.nr, 3);
	assert_int_equal(t.nr_unknown, 2);
	assert_string_equal(t.unknown[0].name, "kmalloc");
	assert_int_equal(t.unknown[0].count, 2);
	assert_int_equal(t.unknown[0].first_line, 1);
	assert_int_equal(t.count[LAB_FT_UNKNOWN], 3);
	lab_ftrace_free(&t);
}

/* "CPU:n [LOST m EVENTS]" lines add up in lost_events. */
static void test_ftrace_lost_events_counted(void **state)
{
	(void)state;
	const char *text = "CPU:1 [LOST 42 EVENTS]\n  a-1 [001] .....  1.1: mm_page_free: page=00000000ab pfn=0x10 order=0\n"
			   "CPU:0 [LOST 8 EVENTS]\n";
	struct lab_ftrace t;
	char err[256];
	assert_int_equal(parse(text, &t, err, sizeof(err), LAB_GFP_ERA_6_1, 0), 0);
	assert_int_equal(t.lost_events, 50);
	assert_int_equal(t.lost_reports, 2);
	lab_ftrace_free(&t);
}

/* Task names may hold blanks and dashes; the pid is after the last dash. */
static void test_ftrace_comm_with_blanks_and_dashes(void **state)
{
	(void)state;
	const char *text = "   my - odd-task-4242   [001] d..1.  7.5: mm_page_free: page=00000000ab pfn=0x10 order=2\n"
			   "  <...>-77 (   70) [000] .....  7.6: mm_page_free: page=00000000ab pfn=0x14 order=0\n";
	struct lab_ftrace t;
	char err[256];
	assert_int_equal(parse(text, &t, err, sizeof(err), LAB_GFP_ERA_6_1, 0), 0);
	assert_string_equal(t.comms[t.ev[0].comm], "my - odd-task");
	assert_int_equal(t.ev[0].pid, 4242);
	assert_int_equal(t.ev[0].cpu, 1);
	assert_int_equal(t.ev[0].ts_ns, 7500000000ull);
	assert_string_equal(t.comms[t.ev[1].comm], "<...>");
	assert_int_equal(t.ev[1].pid, 77);
	lab_ftrace_free(&t);
}

/* The compaction isolate range "(a ~ b)" and nr_taken are decoded. */
static void test_ftrace_isolate_range_decoded(void **state)
{
	(void)state;
	const char *text = "  kcompactd0-34 [001] .....  8.3: mm_compaction_isolate_freepages: range=(0xfe00 ~ 0xffda) nr_scanned=474 nr_taken=12\n";
	struct lab_ftrace t;
	char err[256];
	assert_int_equal(parse(text, &t, err, sizeof(err), LAB_GFP_ERA_6_1, 0), 0);
	assert_int_equal(t.ev[0].type, LAB_FT_COMPACTION_ISOLATE_FREEPAGES);
	assert_int_equal(t.ev[0].pfn, 0xfe00);
	assert_int_equal(t.ev[0].arg, 0xffda);
	assert_int_equal(t.ev[0].arg2, 474);
	assert_int_equal(t.ev[0].gfp, 12);
	lab_ftrace_free(&t);
}

static int same_events(const struct lab_ftrace *a, const struct lab_ftrace *b, int check_ctx)
{
	if (a->nr != b->nr)
		return 0;
	for (size_t i = 0; i < a->nr; i++) {
		const struct lab_ftrace_event *x = &a->ev[i], *y = &b->ev[i];
		if (x->type != y->type || x->pfn != y->pfn || x->order != y->order || x->mt != y->mt ||
		    x->cpu != y->cpu || x->pid != y->pid ||
		    /* text has microseconds, trace.dat nanoseconds */
		    (x->ts_ns > y->ts_ns ? x->ts_ns - y->ts_ns : y->ts_ns - x->ts_ns) >= 1000 ||
		    strcmp(a->comms[x->comm], b->comms[y->comm]))
			return 0;
		if (check_ctx && lab_ftrace_context(x) != lab_ftrace_context(y))
			return 0;
	}
	return 1;
}

/* `trace-cmd report` (xz) and `report -l` (gz) give the events of the tracefs text. */
static void test_ftrace_tracecmd_layouts_match_tracefs(void **state)
{
	(void)state;
	struct lab_ftrace a, b, c;
	struct lab_ftrace_opts o = { .era = LAB_GFP_ERA_6_13 };
	char err[512];
	assert_int_equal(lab_ftrace_load(DATA "/trace.txt.xz", &o, &a, err, sizeof(err)), 0);
	assert_int_equal(lab_ftrace_load(DATA "/report.txt.gz", &o, &b, err, sizeof(err)), 0);
	assert_int_equal(lab_ftrace_load(DATA "/report-l.txt.xz", &o, &c, err, sizeof(err)), 0);
	assert_int_equal(a.layout, LAB_FTRACE_LAYOUT_TRACEFS);
	assert_int_equal(b.layout, LAB_FTRACE_LAYOUT_TRACECMD);
	assert_int_equal(c.layout, LAB_FTRACE_LAYOUT_TRACECMD_LAT);
	assert_int_equal(a.nr, 971);
	assert_true(same_events(&a, &b, 0));
	assert_true(same_events(&a, &c, 1));
	lab_ftrace_free(&a);
	lab_ftrace_free(&b);
	lab_ftrace_free(&c);
}

/* trace.dat read through libtracecmd gives the events of the tracefs text, gfp included. */
static void test_ftrace_trace_dat_matches_text(void **state)
{
	(void)state;
	struct lab_ftrace a, d;
	struct lab_ftrace_opts o = { .era = LAB_GFP_ERA_6_13 };
	char err[512];
	assert_int_equal(lab_ftrace_load(DATA "/trace.txt.xz", &o, &a, err, sizeof(err)), 0);
	int rc = lab_ftrace_load(DATA "/trace.dat", &o, &d, err, sizeof(err));
	if (rc == LAB_FTRACE_ENOSYS) {
		/* a build without libtracecmd must say so, not misread the file */
		assert_non_null(strstr(err, "libtracecmd"));
		lab_ftrace_free(&a);
		skip();
	}
	assert_int_equal(rc, 0);
	assert_int_equal(d.layout, LAB_FTRACE_LAYOUT_DAT);
	assert_true(same_events(&a, &d, 1));
	for (size_t i = 0; i < a.nr; i++)
		if (a.ev[i].type == LAB_FT_PAGE_ALLOC)
			assert_int_equal(a.ev[i].gfp, d.ev[i].gfp);
	lab_ftrace_free(&d);
	lab_ftrace_free(&a);
}

/* A truncated xz file is an I/O error, not a short trace. */
static void test_ftrace_truncated_xz_is_error(void **state)
{
	(void)state;
	size_t len;
	char *raw = read_file(DATA "/trace.txt.xz", &len);
	assert_non_null(raw);
	char path[] = "/tmp/lab-ftrace-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "wb");
	fwrite(raw, 1, len / 2, f);
	fclose(f);
	struct lab_ftrace t;
	struct lab_ftrace_opts o = { .era = LAB_GFP_ERA_6_13 };
	char err[512];
	assert_int_equal(lab_ftrace_load(path, &o, &t, err, sizeof(err)), LAB_FTRACE_EIO);
	assert_non_null(strstr(err, "xz"));
	unlink(path);
	free(raw);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ftrace_corpus_counts_match_meta),
		cmocka_unit_test(test_ftrace_corpus_has_no_unknown_events),
		cmocka_unit_test(test_ftrace_failed_allocations_flagged),
		cmocka_unit_test(test_ftrace_failed_allocations_flagged_6_12),
		cmocka_unit_test(test_ftrace_header_and_no_loss),
		cmocka_unit_test(test_ftrace_irq_info_context),
		cmocka_unit_test(test_ftrace_gfp_names_and_numbers),
		cmocka_unit_test(test_ftrace_malformed_line_names_file_and_line),
		cmocka_unit_test(test_ftrace_missing_field_is_error),
		cmocka_unit_test(test_ftrace_unknown_gfp_name_is_error),
		cmocka_unit_test(test_ftrace_lenient_counts_malformed),
		cmocka_unit_test(test_ftrace_unknown_events_counted),
		cmocka_unit_test(test_ftrace_lost_events_counted),
		cmocka_unit_test(test_ftrace_comm_with_blanks_and_dashes),
		cmocka_unit_test(test_ftrace_isolate_range_decoded),
		cmocka_unit_test(test_ftrace_tracecmd_layouts_match_tracefs),
		cmocka_unit_test(test_ftrace_trace_dat_matches_text),
		cmocka_unit_test(test_ftrace_truncated_xz_is_error),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
