/* SPDX-License-Identifier: MIT */
/*
 * tests/core/test_kernel.c - kernel profiles (src/core/kernel.c): names,
 * the nearest profile of a release string, the profile an instance gets.
 * The behaviour each profile changes is proven next to its mechanism
 * (test_watermark.c, test_gfp.c, ...); docs/kernels.md lists the vectors.
 */
#include <stdio.h>
#include <stdlib.h>
#include "util/fixture.h"
#include "core/internal.h"

static void test_kernel_names_round_trip(void **state)
{
	(void)state;
	enum lab_kernel k = LAB_KERNEL_DEFAULT;
	assert_string_equal(lab_kernel_name(LAB_KERNEL_6_1), "6.1");
	assert_string_equal(lab_kernel_name(LAB_KERNEL_6_12), "6.12");
	assert_string_equal(lab_kernel_version(LAB_KERNEL_6_1), "6.1.192");
	assert_string_equal(lab_kernel_version(LAB_KERNEL_6_12), "6.12.118");
	assert_int_equal(lab_kernel_parse("6.1", &k), 0);
	assert_int_equal(k, LAB_KERNEL_6_1);
	assert_int_equal(lab_kernel_parse("6.12", &k), 0);
	assert_int_equal(k, LAB_KERNEL_6_12);
	/* the default is a profile, and the name says which */
	assert_int_equal(lab_kernel_resolve(LAB_KERNEL_DEFAULT), LAB_KERNEL_DEFAULT_PROFILE);
	assert_string_equal(lab_kernel_name(LAB_KERNEL_DEFAULT), lab_kernel_name(LAB_KERNEL_DEFAULT_PROFILE));
}

static void test_kernel_parse_refuses_non_profiles(void **state)
{
	(void)state;
	enum lab_kernel k = LAB_KERNEL_6_12;
	static const char *const bad[] = { "", "6", "6.", "6.2", "6.10", "6.1.192", "6.12x", " 6.1", "6.1 ", "v6.1" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(lab_kernel_parse(bad[i], &k), LAB_EINVAL);
	assert_int_equal(lab_kernel_parse(NULL, &k), LAB_EINVAL);
	assert_int_equal(k, LAB_KERNEL_6_12);   /* untouched */
	assert_null(lab_kernel_name((enum lab_kernel)7));
	assert_null(lab_kernel_version((enum lab_kernel)-1));
}

/* 4.x-6.2 -> 6.1, 6.3 and newer -> 6.12; the first N.M of the string. */
static void test_kernel_for_release_picks_nearest(void **state)
{
	(void)state;
	static const struct { const char *rel; enum lab_kernel k; } v[] = {
		{ "6.1.0-56-amd64", LAB_KERNEL_6_1 },    { "4.19", LAB_KERNEL_6_1 },
		{ "3.10.0-327.el7", LAB_KERNEL_6_1 },    { "5.10.0-30-amd64", LAB_KERNEL_6_1 },
		{ "6.2.16", LAB_KERNEL_6_1 },            { "6.3", LAB_KERNEL_6_12 },
		{ "6.6.58", LAB_KERNEL_6_12 },           { "6.8.0-49-generic", LAB_KERNEL_6_12 },
		{ "6.12.118+deb13-amd64", LAB_KERNEL_6_12 }, { "6.18.44", LAB_KERNEL_6_12 },
		{ "7.0", LAB_KERNEL_6_12 },              { "Linux version 6.1.192 (debian)", LAB_KERNEL_6_1 },
		{ "kernel 16.1 ... 6.12.1", LAB_KERNEL_6_12 },
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		enum lab_kernel k = LAB_KERNEL_DEFAULT;
		assert_int_equal(lab_kernel_for_release(v[i].rel, &k), 0);
		if (k != v[i].k)
			fail_msg("%s -> %d, expected %d", v[i].rel, k, v[i].k);
	}
}

static void test_kernel_for_release_refuses_no_version(void **state)
{
	(void)state;
	enum lab_kernel k = LAB_KERNEL_6_1;
	assert_int_equal(lab_kernel_for_release("", &k), LAB_EINVAL);
	assert_int_equal(lab_kernel_for_release("amd64", &k), LAB_EINVAL);
	assert_int_equal(lab_kernel_for_release("6", &k), LAB_EINVAL);
	assert_int_equal(lab_kernel_for_release("6.x", &k), LAB_EINVAL);
	assert_int_equal(lab_kernel_for_release(NULL, &k), LAB_EINVAL);
	assert_int_equal(k, LAB_KERNEL_6_1);
}

/* The instance reports its profile; a zeroed config gets the default. */
static void test_kernel_instance_has_its_profile(void **state)
{
	(void)state;
	for (int k = LAB_KERNEL_DEFAULT; k < LAB_KERNEL_NR; k++) {
		struct fixture *f = fixture_create(&(struct fixture_opts){ .pages = 1024, .kernel = (enum lab_kernel)k });
		assert_int_equal(lab_mem_kernel(f->mem), lab_kernel_resolve((enum lab_kernel)k));
		fixture_destroy(f);
	}
	assert_int_equal(lab_mem_kernel(NULL), LAB_KERNEL_DEFAULT);
}

/* A value that is no profile is refused with a reason. */
static char last_log[256];
static void keep_log(void *ctx, enum lab_log_level l, const char *line)
{
	(void)ctx;
	(void)l;
	snprintf(last_log, sizeof(last_log), "%s", line);
}

static void test_kernel_bad_profile_refused_by_init(void **state)
{
	(void)state;
	static char meta[1 << 16] __attribute__((aligned(64)));
	static const struct lab_platform plat = { .log = keep_log };
	struct lab_range r = { 0, 1 << 20 };
	struct lab_mem_config cfg = { .ranges = &r, .nr_ranges = 1, .kernel = (enum lab_kernel)3, .platform = &plat,
				      .metadata = meta, .metadata_bytes = sizeof(meta) };
	int err = 0;
	assert_int_equal(lab_mem_metadata_bytes(&cfg), 0);
	assert_null(lab_mem_init(&cfg, &err));
	assert_int_equal(err, LAB_EINVAL);
	assert_non_null(strstr(last_log, "kernel"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kernel_names_round_trip),
		cmocka_unit_test(test_kernel_parse_refuses_non_profiles),
		cmocka_unit_test(test_kernel_for_release_picks_nearest),
		cmocka_unit_test(test_kernel_for_release_refuses_no_version),
		cmocka_unit_test(test_kernel_instance_has_its_profile),
		cmocka_unit_test(test_kernel_bad_profile_refused_by_init),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
