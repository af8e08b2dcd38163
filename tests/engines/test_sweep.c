/* SPDX-License-Identifier: MIT */
/*
 * tests/engines/test_sweep.c - `labyrinth sweep` (engines/sweep.c): parameter
 * grids, and the claim the whole feature exists for: the default scenario
 * (nic-rx-storm) fails atomic allocations with default tunables, the sweep
 * finds a min_free_kbytes with none, and a fresh run with that setting and
 * another seed fails fewer - the recommendation is checked, not trusted.
 *
 * To stay within the test time budget (under ASan) the default scenario is
 * scaled down with overrides: 128 MiB and shorter phases (the same maze,
 * the same storm, less of it).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>
#include <labyrinth/sim.h>

static const char *const scaled[] = {
	"machine.memory=128M", "phases.boot.duration=100ms", "phases.steady.duration=150ms",
	"phases.storm.duration=300ms",
};

static struct lab_scenario *default_scenario(void)
{
	struct lab_sim_error err;
	char buf[600];
	struct lab_scenario *sc = lab_scenario_load(LAB_SOURCE_DIR "/scenarios/nic-rx-storm.yaml", &err);
	if (!sc)
		fail_msg("%s", lab_sim_error_format(&err, buf, sizeof(buf)));
	for (size_t i = 0; i < sizeof(scaled) / sizeof(scaled[0]); i++)
		if (lab_scenario_set(sc, scaled[i], &err) != 0)
			fail_msg("%s", lab_sim_error_format(&err, buf, sizeof(buf)));
	return sc;
}

static struct lab_sim_summary run_with(const struct lab_scenario *base, const char *set, uint64_t seed)
{
	struct lab_scenario *sc = lab_scenario_clone(base);
	struct lab_sim_error err;
	struct lab_sim_summary s;
	assert_non_null(sc);
	if (set)
		assert_int_equal(lab_scenario_set(sc, set, &err), 0);
	struct lab_sim *sim = lab_sim_create(sc, seed, &err);
	lab_scenario_free(sc);
	assert_non_null(sim);
	lab_sim_run(sim, 0, NULL, NULL);
	lab_sim_get_summary(sim, &s);
	lab_sim_destroy(sim);
	return s;
}

/* LOW..HIGH doubles from LOW and ends at HIGH. */
static void test_sweep_param_doubling(void **state)
{
	(void)state;
	struct lab_sweep_param p;
	struct lab_sim_error err;
	assert_int_equal(lab_sweep_param_parse("min_free_kbytes=1024..65536", &p, &err), 0);
	assert_string_equal(p.name, "min_free_kbytes");
	assert_int_equal(p.nr_values, 7);
	assert_string_equal(p.values[0], "1024");
	assert_string_equal(p.values[6], "65536");
	assert_int_equal(lab_sweep_param_parse("x=1000..5000", &p, &err), 0);
	assert_int_equal(p.nr_values, 4);   /* 1000 2000 4000 5000 */
	assert_string_equal(p.values[3], "5000");
}

/* Lists, steps and geometric point counts. */
static void test_sweep_param_forms(void **state)
{
	(void)state;
	struct lab_sweep_param p;
	struct lab_sim_error err;
	assert_int_equal(lab_sweep_param_parse("watermark_scale_factor=10,50,200", &p, &err), 0);
	assert_int_equal(p.nr_values, 3);
	assert_string_equal(p.values[1], "50");
	assert_int_equal(lab_sweep_param_parse("x=0..100+25", &p, &err), 0);
	assert_int_equal(p.nr_values, 5);
	assert_string_equal(p.values[4], "100");
	assert_int_equal(lab_sweep_param_parse("x=1..1000/4", &p, &err), 0);
	assert_int_equal(p.nr_values, 4);
	assert_string_equal(p.values[0], "1");
	assert_string_equal(p.values[1], "10");
	assert_string_equal(p.values[3], "1000");
}

/* Malformed specs are refused. */
static void test_sweep_param_bad(void **state)
{
	(void)state;
	struct lab_sweep_param p;
	struct lab_sim_error err;
	assert_int_equal(lab_sweep_param_parse("novalues", &p, &err), -1);
	assert_int_equal(lab_sweep_param_parse("x=10..1", &p, &err), -1);
	assert_int_equal(lab_sweep_param_parse("x=a..5", &p, &err), -1);
	assert_int_equal(lab_sweep_param_parse("x=1..5/0", &p, &err), -1);
	assert_int_equal(lab_sweep_param_parse("x=1..1000000000+1", &p, &err), -1);
}

/* A parameter the scenario does not know fails before anything runs. */
static void test_sweep_unknown_param_refused(void **state)
{
	(void)state;
	struct lab_scenario *sc = default_scenario();
	struct lab_sweep_param p;
	struct lab_sim_error err;
	struct lab_sweep_result r;
	assert_int_equal(lab_sweep_param_parse("min_free_kbites=1024", &p, &err), 0);
	struct lab_sweep_opts o = { .params = &p, .nr_params = 1, .nr_seeds = 1 };
	assert_int_equal(lab_sweep_run(sc, &o, &r, &err), -1);
	assert_int_equal(err.code, LAB_SCN_ERR_UNKNOWN);
	lab_scenario_free(sc);
}

/* The default scenario fails atomics with default tunables; the sweep's
 * recommendation, re-run with a seed the sweep did not use, fails fewer. */
static void test_sweep_recommendation_reduces_failures(void **state)
{
	(void)state;
	struct lab_scenario *sc = default_scenario();
	struct lab_sim_summary base = run_with(sc, NULL, 11);
	assert_true(base.atomic_failures > 0);
	assert_true(base.atomic_failures * 100 > base.atomic_requests);   /* a real share: > 1% */

	struct lab_sweep_param p;
	struct lab_sim_error err;
	struct lab_sweep_result r;
	assert_int_equal(lab_sweep_param_parse("min_free_kbytes=2048..16384", &p, &err), 0);
	struct lab_sweep_opts o = { .params = &p, .nr_params = 1, .nr_seeds = 1, .first_seed = 1, .jobs = 2 };
	assert_int_equal(lab_sweep_run(sc, &o, &r, &err), 0);
	assert_int_equal(r.nr_points, 4);
	assert_true(r.recommended >= 0);
	const struct lab_sweep_point *pt = &r.points[r.recommended];
	assert_int_equal(pt->atomic_failures, 0);
	/* the rows below it failed: it is the smallest that works */
	for (int i = 0; i < r.recommended; i++)
		assert_true(r.points[i].atomic_failures > 0);

	char set[64];
	snprintf(set, sizeof(set), "min_free_kbytes=%s", pt->values[0]);
	struct lab_sim_summary tuned = run_with(sc, set, 11);
	assert_true(tuned.atomic_failures < base.atomic_failures);
	assert_true(tuned.atomic_failures * 20 < base.atomic_failures);   /* and by far */

	json_t *j = lab_sweep_json(&r);
	assert_int_equal(json_integer_value(json_object_get(j, "recommended")), r.recommended);
	assert_int_equal(json_array_size(json_object_get(j, "points")), 4);
	json_decref(j);
	lab_sweep_result_free(&r);
	lab_scenario_free(sc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sweep_param_doubling),
		cmocka_unit_test(test_sweep_param_forms),
		cmocka_unit_test(test_sweep_param_bad),
		cmocka_unit_test(test_sweep_unknown_param_refused),
		cmocka_unit_test(test_sweep_recommendation_reduces_failures),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
