/* SPDX-License-Identifier: MIT */
/*
 * tests/engines/test_sim.c - the simulator's core: determinism (same seed ->
 * byte-identical JSON and text), seeds that differ, the platform it gives
 * the allocator (contexts, comm, nesting that fails the pcp trylock), the
 * core's invariants after a run, the output files (PNG sizes, /proc
 * files), and a sparse 256 GiB machine.
 *
 * Scenarios are small inline YAML so each test runs in well under a second
 * (a few seconds under ASan). Pictures go to <build>/test-output/sim/.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>
#include <cairo.h>
#include <jansson.h>
#include <labyrinth/labyrinth.h>
#include <labyrinth/map.h>
#include <labyrinth/report.h>
#include <labyrinth/sim.h>

#define OUT_DIR LAB_BINARY_DIR "/test-output/sim"

/* A fragmented 64 MiB box with an order-2/3 softirq storm: fails some
 * atomics, in a fraction of a second. */
static const char small_yaml[] =
	"name: small\n"
	"machine: {memory: 64M, cpus: 2}\n"
	"phases:\n"
	"  - {name: boot, duration: 60ms}\n"
	"  - {name: storm, duration: 120ms}\n"
	"sim: {samples: 100}\n"
	"workloads:\n"
	"  - {type: slab, target: 12%, grow_rate: 200k, churn: 0.5, orders: {0: 0.6, 1: 0.2, 3: 0.2}}\n"
	"  - {type: page-cache, rate: 200k, working_set: 300%}\n"
	"  - {type: nic-rx, phases: [storm], pattern: bursts, rate: 500k, on: 3ms, off: 10ms,\n"
	"     hold: 1ms, orders: {0: 0.2, 2: 0.4, 3: 0.4}}\n";

static const char *out_path(const char *name)
{
	static char buf[512];
	mkdir(LAB_BINARY_DIR "/test-output", 0777);
	mkdir(OUT_DIR, 0777);
	snprintf(buf, sizeof(buf), OUT_DIR "/%s", name);
	return buf;
}

static struct lab_scenario *parse(const char *yaml)
{
	struct lab_sim_error err;
	struct lab_scenario *sc = lab_scenario_parse(yaml, strlen(yaml), "inline.yaml", &err);
	if (!sc) {
		char buf[600];
		fail_msg("%s", lab_sim_error_format(&err, buf, sizeof(buf)));
	}
	return sc;
}

static struct lab_sim *run(const char *yaml, uint64_t seed)
{
	struct lab_scenario *sc = parse(yaml);
	struct lab_sim_error err;
	struct lab_sim *sim = lab_sim_create(sc, seed, &err);
	lab_scenario_free(sc);
	assert_non_null(sim);
	assert_int_equal(lab_sim_run(sim, 0, NULL, NULL), 0);
	return sim;
}

static char *json_of(struct lab_sim *sim)
{
	json_t *j = lab_sim_report_json(sim);
	assert_non_null(j);
	char *s = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
	json_decref(j);
	assert_non_null(s);
	return s;
}

static char *text_of(struct lab_sim *sim)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(lab_sim_report_text(sim, f), 0);
	fclose(f);
	return buf;
}

/* The same scenario and seed give byte-identical JSON and text reports. */
static void test_sim_same_seed_identical_reports(void **state)
{
	(void)state;
	struct lab_sim *a = run(small_yaml, 7), *b = run(small_yaml, 7);
	char *ja = json_of(a), *jb = json_of(b), *ta = text_of(a), *tb = text_of(b);
	assert_string_equal(ja, jb);
	assert_string_equal(ta, tb);
	free(ja);
	free(jb);
	free(ta);
	free(tb);
	lab_sim_destroy(a);
	lab_sim_destroy(b);
}

/* Different seeds give different runs. */
static void test_sim_different_seeds_differ(void **state)
{
	(void)state;
	struct lab_sim *a = run(small_yaml, 1), *b = run(small_yaml, 2);
	char *ja = json_of(a), *jb = json_of(b);
	assert_string_not_equal(ja, jb);
	free(ja);
	free(jb);
	lab_sim_destroy(a);
	lab_sim_destroy(b);
}

/* A run leaves the allocator consistent (lab_mem_check finds nothing). */
static void test_sim_run_keeps_invariants(void **state)
{
	(void)state;
	struct lab_sim *sim = run(small_yaml, 3);
	assert_int_equal(lab_mem_check(lab_sim_mem(sim)), 0);
	lab_sim_destroy(sim);
}

/*
 * Under the page cache's pressure kswapd balances, naps, and is woken again
 * before its nap is over or finds the node unbalanced when it ends: both
 * kswapd_*_wmark_hit_quickly counters move (kswapd_try_to_sleep), and
 * /proc/vmstat prints them in Linux's order.
 */
static void test_sim_kswapd_premature_naps_counted(void **state)
{
	(void)state;
	struct lab_sim *sim = run(small_yaml, 3);
	struct lab_mem_stats st;
	lab_mem_get_stats(lab_sim_mem(sim), &st);
	assert_true(st.events[LAB_PAGEOUTRUN] > 0);
	assert_true(st.events[LAB_KSWAPD_LOW_WMARK_HIT_QUICKLY] + st.events[LAB_KSWAPD_HIGH_WMARK_HIT_QUICKLY] > 0);
	/* a nap is cut short at most once, and there is one nap per balanced run */
	assert_true(st.events[LAB_KSWAPD_LOW_WMARK_HIT_QUICKLY] + st.events[LAB_KSWAPD_HIGH_WMARK_HIT_QUICKLY] <=
		    st.events[LAB_PAGEOUTRUN]);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	lab_report_vmstat(f, &st);
	fclose(f);
	const char *lo = strstr(buf, "\nkswapd_low_wmark_hit_quickly "), *hi = strstr(buf, "\nkswapd_high_wmark_hit_quickly ");
	const char *run_line = strstr(buf, "\npageoutrun ");
	assert_non_null(lo);
	assert_non_null(hi);
	assert_non_null(run_line);
	assert_true(lo < hi && hi < run_line);   /* vmstat_text order */
	free(buf);
	lab_sim_destroy(sim);
}

/* The storm's failures are reported in softirq context, by an interrupt's
 * task (swapper/N or ksoftirqd/N), in warn_alloc's records. */
static void test_sim_failure_record_has_softirq_context(void **state)
{
	(void)state;
	struct lab_sim *sim = run(small_yaml, 5);
	json_t *j = lab_sim_report_json(sim);
	json_t *recs = json_object_get(j, "failure_records");
	assert_true(json_array_size(recs) > 0);
	json_t *r0 = json_array_get(recs, 0);
	const char *ctx = json_string_value(json_object_get(r0, "context"));
	const char *comm = json_string_value(json_object_get(r0, "comm"));
	assert_non_null(ctx);
	assert_non_null(comm);
	assert_string_equal(ctx, "softirq");
	assert_true(!strncmp(comm, "swapper/", 8) || !strncmp(comm, "ksoftirqd/", 10));
	json_decref(j);
	lab_sim_destroy(sim);
}

/* A process allocating on the CPU of a busy interrupt gets interrupts
 * nested inside its per-CPU list section, whose trylock then fails. */
static void test_sim_nested_interrupt_fails_pcp_trylock(void **state)
{
	(void)state;
	static const char yaml[] =
		"machine: {memory: 64M, cpus: 1}\n"
		"duration: 50ms\n"
		"sim: {nest_window: 2us}\n"
		"workloads:\n"
		"  - {type: page-cache, rate: 200k, working_set: 50%, batch: 1}\n"
		"  - {type: nic-rx, rate: 300k, hold: 50us, orders: {0: 1}}\n";
	struct lab_sim *sim = run(yaml, 1);
	json_t *j = lab_sim_report_json(sim), *r = json_object_get(j, "run");
	assert_true(json_integer_value(json_object_get(r, "nested_interrupts")) > 0);
	assert_true(json_integer_value(json_object_get(r, "pcp_trylock_failed")) > 0);
	json_decref(j);
	assert_int_equal(lab_mem_check(lab_sim_mem(sim)), 0);
	lab_sim_destroy(sim);
}

/* Without nesting (window 0) no pcp trylock ever fails. */
static void test_sim_no_nesting_window_no_trylock_failure(void **state)
{
	(void)state;
	static const char yaml[] =
		"machine: {memory: 64M, cpus: 1}\n"
		"duration: 50ms\n"
		"sim: {nest_window: 0}\n"
		"workloads:\n"
		"  - {type: page-cache, rate: 200k, working_set: 50%, batch: 1}\n"
		"  - {type: nic-rx, rate: 300k, hold: 50us, orders: {0: 1}}\n";
	struct lab_sim *sim = run(yaml, 1);
	json_t *j = lab_sim_report_json(sim), *r = json_object_get(j, "run");
	assert_int_equal(json_integer_value(json_object_get(r, "nested_interrupts")), 0);
	assert_int_equal(json_integer_value(json_object_get(r, "pcp_trylock_failed")), 0);
	json_decref(j);
	lab_sim_destroy(sim);
}

/* The virtual clock ends exactly at the sum of the phase durations. */
static void test_sim_clock_reaches_scenario_end(void **state)
{
	(void)state;
	struct lab_sim *sim = run(small_yaml, 1);
	assert_int_equal(lab_sim_now(sim), 180000000ull);
	lab_sim_destroy(sim);
}

/* A run can be done in two halves with the same result as in one. */
static void test_sim_resumed_run_matches_single_run(void **state)
{
	(void)state;
	struct lab_scenario *sc = parse(small_yaml);
	struct lab_sim *a = lab_sim_create(sc, 9, NULL), *b = lab_sim_create(sc, 9, NULL);
	lab_scenario_free(sc);
	assert_non_null(a);
	assert_non_null(b);
	lab_sim_run(a, 0, NULL, NULL);
	lab_sim_run(b, 90000000ull, NULL, NULL);
	lab_sim_run(b, 0, NULL, NULL);
	struct lab_sim_summary sa, sb;
	lab_sim_get_summary(a, &sa);
	lab_sim_get_summary(b, &sb);
	assert_int_equal(sa.atomic_failures, sb.atomic_failures);
	assert_int_equal(sa.requests, sb.requests);
	assert_int_equal(sa.events, sb.events);
	lab_sim_destroy(a);
	lab_sim_destroy(b);
}

static void png_size(const char *path, int *w, int *h)
{
	cairo_surface_t *s = cairo_image_surface_create_from_png(path);
	assert_int_equal(cairo_surface_status(s), CAIRO_STATUS_SUCCESS);
	*w = cairo_image_surface_get_width(s);
	*h = cairo_image_surface_get_height(s);
	cairo_surface_destroy(s);
}

/* The time-series plot is a valid PNG of the requested size. */
static void test_sim_plot_is_png_of_requested_size(void **state)
{
	(void)state;
	struct lab_sim *sim = run(small_yaml, 1);
	const char *p = out_path("plot.png");
	int w, h;
	assert_int_equal(lab_sim_write_plot(sim, p, 1000, 700), 0);
	png_size(p, &w, &h);
	assert_int_equal(w, 1000);
	assert_int_equal(h, 700);
	lab_sim_destroy(sim);
}

/* The map (at the end and at the first failure) is a valid PNG with the
 * size lab_map_layout computes for the machine. */
static void test_sim_map_is_png_of_layout_size(void **state)
{
	(void)state;
	struct lab_sim *sim = run(small_yaml, 1);
	struct lab_mem *mem = lab_sim_mem(sim);
	size_t n = lab_mem_nr_pageblocks(mem);
	struct lab_pageblock_info *b = calloc(n, sizeof(*b));
	assert_non_null(b);
	assert_int_equal(lab_mem_pageblocks(mem, 0, b, n), n);
	static struct lab_mem_stats st;
	lab_mem_get_stats(mem, &st);
	struct lab_map_input in = { .blocks = b, .nr_blocks = n, .pageblock_order = 9, .stats = &st };
	struct lab_map_layout l;
	assert_int_equal(lab_map_layout(&in, 0, &l), 0);
	const char *p = out_path("map-end.png");
	int w, h;
	assert_int_equal(lab_sim_write_map(sim, p, 0), 0);
	png_size(p, &w, &h);
	assert_int_equal(w, (int)l.width);
	assert_int_equal(h, (int)l.height);
	p = out_path("map-first-failure.png");
	assert_int_equal(lab_sim_write_map(sim, p, 1), 0);
	png_size(p, &w, &h);
	assert_int_equal(w, (int)l.width);
	free(b);
	lab_sim_destroy(sim);
}

/* --out writes the /proc files in the kernel's formats. */
static void test_sim_procfs_files_written(void **state)
{
	(void)state;
	struct lab_sim *sim = run(small_yaml, 1);
	char path[600];
	const char *dir = out_path("proc");
	assert_int_equal(lab_sim_write_procfs(sim, dir), 0);
	static const char *const files[] = { "buddyinfo", "pagetypeinfo", "zoneinfo", "vmstat",
					     "extfrag_index", "unusable_index", "warn_alloc.txt" };
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct stat st;
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		assert_int_equal(stat(path, &st), 0);
		assert_true(st.st_size > 0);
	}
	snprintf(path, sizeof(path), "%s/buddyinfo", dir);
	FILE *f = fopen(path, "r");
	char line[256];
	assert_non_null(fgets(line, sizeof(line), f));
	fclose(f);
	assert_int_equal(strncmp(line, "Node 0, zone      DMA ", 22), 0);
	snprintf(path, sizeof(path), "%s/warn_alloc.txt", dir);
	f = fopen(path, "r");
	assert_non_null(fgets(line, sizeof(line), f));
	fclose(f);
	assert_non_null(strstr(line, "page allocation failure: order:"));
	lab_sim_destroy(sim);
}

/* A sparse 256 GiB machine (metadata only, no page contents) runs. */
static void test_sim_256g_sparse_machine_runs(void **state)
{
	(void)state;
	static const char yaml[] =
		"machine: {memory: 256G, cpus: 4}\n"
		"duration: 20ms\n"
		"sim: {samples: 4}\n"
		"workloads:\n"
		"  - {type: slab, target: 64M, grow_rate: 2M}\n"
		"  - {type: nic-rx, rate: 100k, orders: {0: 0.5, 3: 0.5}}\n";
	struct lab_sim *sim = run(yaml, 1);
	struct lab_sim_summary s;
	lab_sim_get_summary(sim, &s);
	assert_true(s.requests > 1000);
	assert_int_equal(s.atomic_failures, 0);
	lab_sim_destroy(sim);
}

/*
 * LeakSanitizer hook (only in -fsanitize=address builds): fontconfig keeps
 * its configuration until FcFini(), which cairo never calls. That one-time
 * allocation is not ours; everything else stays checked.
 */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libfontconfig.so\n";
}

/* Called last: frees cairo's caches so LeakSanitizer sees only real leaks. */
static int teardown_cairo(void **state)
{
	(void)state;
	cairo_debug_reset_static_data();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sim_same_seed_identical_reports),
		cmocka_unit_test(test_sim_different_seeds_differ),
		cmocka_unit_test(test_sim_run_keeps_invariants),
		cmocka_unit_test(test_sim_kswapd_premature_naps_counted),
		cmocka_unit_test(test_sim_failure_record_has_softirq_context),
		cmocka_unit_test(test_sim_nested_interrupt_fails_pcp_trylock),
		cmocka_unit_test(test_sim_no_nesting_window_no_trylock_failure),
		cmocka_unit_test(test_sim_clock_reaches_scenario_end),
		cmocka_unit_test(test_sim_resumed_run_matches_single_run),
		cmocka_unit_test(test_sim_plot_is_png_of_requested_size),
		cmocka_unit_test(test_sim_map_is_png_of_layout_size),
		cmocka_unit_test(test_sim_procfs_files_written),
		cmocka_unit_test(test_sim_256g_sparse_machine_runs),
	};
	return cmocka_run_group_tests(tests, NULL, teardown_cairo);
}
