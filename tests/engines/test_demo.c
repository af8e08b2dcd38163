/* SPDX-License-Identifier: MIT */
/*
 * tests/engines/test_demo.c - `labyrinth demo`'s workload (engines/demo.c)
 * and its output (report/demo.c): the storm makes its 20000 order-3
 * atomic requests on a fragmented host instance and some fail, the same
 * seed gives the same run, the instance stays consistent, and the report
 * shows the numbers the engine counted.
 *
 * 64 MiB (the smallest the command allows is 32) keeps it fast under ASan.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <labyrinth/labyrinth.h>
#include "engines/demo.h"
#include "report/render.h"

/* The storm fails some order-3 atomics on the fragmented instance and
 * keeps the first failure's record, which names the request. */
static void test_demo_storm_fails_some_atomics(void **state)
{
	(void)state;
	struct lab_demo d;
	assert_int_equal(lab_demo_run(&d, 1, 64), 0);
	assert_int_equal(d.atomic_requests, 20000);
	assert_true(d.atomic_failures > 0 && d.atomic_failures < d.atomic_requests);
	assert_non_null(d.first);
	assert_int_equal(d.first->order, 3);
	assert_true(d.first_failure_at >= 1 && d.first_failure_at <= d.atomic_requests);
	assert_int_equal(lab_mem_check(d.mem), 0);
	lab_demo_free(&d);
}

/* Same seed, same run: the counts and the first failure's position agree. */
static void test_demo_same_seed_same_run(void **state)
{
	(void)state;
	struct lab_demo a, b;
	assert_int_equal(lab_demo_run(&a, 7, 64), 0);
	assert_int_equal(lab_demo_run(&b, 7, 64), 0);
	assert_int_equal(a.atomic_failures, b.atomic_failures);
	assert_int_equal(a.first_failure_at, b.first_failure_at);
	assert_int_equal(a.nr_held, b.nr_held);
	lab_demo_free(&a);
	lab_demo_free(&b);
}

/* The report's headline is the engine's count, and --quiet leaves out
 * the /proc files. */
static void test_demo_report_shows_counts(void **state)
{
	(void)state;
	struct lab_demo d;
	char *buf = NULL, want[128];
	size_t len = 0;
	assert_int_equal(lab_demo_run(&d, 1, 64), 0);
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	lab_report_demo(f, &d, 1);
	fclose(f);
	snprintf(want, sizeof(want), "NIC storm: 20000 order-3 GFP_ATOMIC requests, %llu failed",
		 (unsigned long long)d.atomic_failures);
	assert_non_null(strstr(buf, want));
	assert_non_null(strstr(buf, "== first failure (warn_alloc, as dmesg shows it) =="));
	assert_null(strstr(buf, "/proc/buddyinfo"));
	free(buf);
	lab_demo_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_demo_storm_fails_some_atomics),
		cmocka_unit_test(test_demo_same_seed_same_run),
		cmocka_unit_test(test_demo_report_shows_counts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
