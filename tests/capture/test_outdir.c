/* SPDX-License-Identifier: MIT */
/*
 * tests/capture/test_outdir.c - the output folder of snapshot and record
 * (capture/outdir.c): a new folder is made, an empty one accepted, one in
 * use refused; discarding takes back exactly what the run wrote (and the
 * folder only when the run made it), never a file it did not write.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "capture/capture.h"

static char base[256];

static int setup(void **state)
{
	(void)state;
	snprintf(base, sizeof(base), "/tmp/lab-outdir-XXXXXX");
	return mkdtemp(base) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	return system(cmd) == 0 ? 0 : -1;
}

static int exists(const char *dir, const char *name)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return access(p, F_OK) == 0;
}

static void test_outdir_new_folder_discarded_whole(void **state)
{
	(void)state;
	char dir[300], err[256];
	snprintf(dir, sizeof(dir), "%s/new", base);
	struct lab_outdir od;
	assert_int_equal(lab_outdir_open(&od, dir, err, sizeof(err)), 0);
	assert_true(od.created);
	assert_int_equal(lab_outdir_write(&od, "a.txt", "x\n", 2, err, sizeof(err)), 0);
	assert_int_equal(lab_outdir_write(&od, "a.txt", "y\n", 2, err, sizeof(err)), 0);  /* rewritten, listed once */
	assert_int_equal(od.nr_files, 1);
	assert_true(exists(dir, "a.txt"));
	lab_outdir_discard(&od);
	assert_int_not_equal(access(dir, F_OK), 0);
}

static void test_outdir_empty_folder_kept_on_discard(void **state)
{
	(void)state;
	char dir[300], err[256];
	snprintf(dir, sizeof(dir), "%s/empty", base);
	assert_int_equal(mkdir(dir, 0755), 0);
	struct lab_outdir od;
	assert_int_equal(lab_outdir_open(&od, dir, err, sizeof(err)), 0);
	assert_false(od.created);
	int fd = lab_outdir_create_fd(&od, "trace.txt", err, sizeof(err));
	assert_true(fd >= 0);
	close(fd);
	lab_outdir_discard(&od);
	assert_false(exists(dir, "trace.txt"));
	assert_int_equal(access(dir, F_OK), 0);       /* the user's folder stays */
}

static void test_outdir_folder_in_use_refused(void **state)
{
	(void)state;
	char dir[300], err[256];
	snprintf(dir, sizeof(dir), "%s/used", base);
	assert_int_equal(mkdir(dir, 0755), 0);
	struct lab_outdir od;
	assert_int_equal(lab_outdir_open(&od, dir, err, sizeof(err)), 0);
	assert_int_equal(lab_outdir_write(&od, "keep", "1", 1, err, sizeof(err)), 0);
	struct lab_outdir od2;
	assert_int_equal(lab_outdir_open(&od2, dir, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not empty"));
	assert_true(exists(dir, "keep"));
}

static void test_outdir_write_error_names_the_file(void **state)
{
	(void)state;
	char err[256];
	struct lab_outdir od;
	memset(&od, 0, sizeof(od));
	snprintf(od.path, sizeof(od.path), "%s/missing/deeper", base);   /* never made */
	assert_int_equal(lab_outdir_write(&od, "zoneinfo.before", "x", 1, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "missing/deeper/zoneinfo.before"));
	assert_int_equal(lab_outdir_open(&od, "", err, sizeof(err)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_outdir_new_folder_discarded_whole, setup, teardown),
		cmocka_unit_test_setup_teardown(test_outdir_empty_folder_kept_on_discard, setup, teardown),
		cmocka_unit_test_setup_teardown(test_outdir_folder_in_use_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_outdir_write_error_names_the_file, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
