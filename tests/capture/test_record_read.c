/* SPDX-License-Identifier: MIT */
/*
 * tests/capture/test_record_read.c - what `labyrinth record` writes is what
 * replay's readers read, with no conversion: the recordings our own record
 * made inside Debian's 6.1 and 6.12 kernels (tests/data/record/, by
 * tools/realkernel/run.sh; trace.txt xz-compressed afterwards) load as a
 * trace whose header counts every event with none lost, on the CPUs it
 * names, bracketed by zoneinfo/buddyinfo/pagetypeinfo snapshots before and
 * after, with clean ring-buffer statistics.
 *
 * With a folder as argument (tests/capture/record.sh passes a recording it
 * has just made on this machine) that folder is checked instead.
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

static const char *given_dir;

/* Every check of one recording folder. */
static void check_recording(const char *dir)
{
	char path[4096], err[1024];
	snprintf(path, sizeof(path), "%s/trace.txt", dir);
	if (access(path, R_OK))
		snprintf(path, sizeof(path), "%s/trace.txt.xz", dir);
	struct lab_ftrace t;
	memset(&t, 0, sizeof(t));
	struct lab_ftrace_opts o = { .era = LAB_GFP_ERA_6_1, .flags = 0 };
	if (lab_ftrace_load(path, &o, &t, err, sizeof(err)))
		fail_msg("%s", err);
	assert_true(t.count[LAB_FT_PAGE_ALLOC] > 0);
	assert_true(t.count[LAB_FT_PAGE_FREE] > 0);
	/* the header written at the end counts exactly the events streamed */
	assert_int_equal(t.entries_in_buffer, t.nr);
	assert_int_equal(t.entries_written, t.nr);
	assert_int_equal(t.lost_events, 0);
	assert_true(t.nr_cpus >= 1);

	struct lab_trace_stats st;
	assert_int_equal(lab_trace_stats_read(dir, &st, err, sizeof(err)), 0);
	assert_int_equal(st.nr_cpus, t.nr_cpus);
	assert_int_equal(st.overrun + st.commit_overrun + st.dropped, 0);

	static struct lab_snapshot s;
	const char *const sfx[] = { "before", "after" };
	for (int i = 0; i < 2; i++) {
		if (lab_snapshot_read(dir, sfx[i], &s, err, sizeof(err)))
			fail_msg("%s", err);
		assert_true(s.have & LAB_SNAP_ZONEINFO);
		assert_true(s.have & LAB_SNAP_BUDDYINFO);
		assert_true(s.have & LAB_SNAP_PAGETYPEINFO);
		assert_true(s.have & LAB_SNAP_SYSCTL);
		assert_true(s.min_free_kbytes > 0);
		assert_true(s.mem_total_kb > 0);
	}
	lab_ftrace_free(&t);
}

static void test_recording_of_6_1_reads_as_recorded(void **state)
{
	(void)state;
	check_recording(data_path("record/fragment-256M-6.1"));
}

static void test_recording_of_6_12_reads_as_recorded(void **state)
{
	(void)state;
	check_recording(data_path("record/fragment-256M-6.12"));
}

static void test_given_recording_reads(void **state)
{
	(void)state;
	check_recording(given_dir);
}

int main(int argc, char **argv)
{
	if (argc > 1) {
		given_dir = argv[1];
		const struct CMUnitTest one[] = { cmocka_unit_test(test_given_recording_reads) };
		return cmocka_run_group_tests(one, NULL, NULL);
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_recording_of_6_1_reads_as_recorded),
		cmocka_unit_test(test_recording_of_6_12_reads_as_recorded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
