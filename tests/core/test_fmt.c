/* SPDX-License-Identifier: MIT */
/* tests/core/test_fmt.c - the core's freestanding formatter agrees with printf. */
#include <stdio.h>
#include "util/fixture.h"
#include "core/internal.h"

/* Each conversion the core uses prints as glibc's snprintf does. */
static void test_fmt_matches_snprintf(void **state)
{
	(void)state;
	char a[128], b[128];
#define SAME(...) do { lab__snprintf(a, sizeof(a), __VA_ARGS__); snprintf(b, sizeof(b), __VA_ARGS__); \
		assert_string_equal(a, b); } while (0)
	SAME("pfn:%05llx", 0x1a2bull);
	SAME("pfn:%05llx", 0x12345678ull);
	SAME("%#x %#lx %x %X", 0xa20u, 0x40dc0ul, 255u, 255u);
	SAME("%d %i %ld %lld %u %lu", -5, 42, -123456789L, -9000000000LL, 7u, 8ul);
	SAME("[%-6s|%6s|%c]", "ab", "cd", 'z');
	SAME("%zu %5d %-5d| %05d", (size_t)99, 42, 42, -42);
	SAME("100%%");
}

/* Truncation keeps a NUL and reports the full length. */
static void test_fmt_truncates_and_returns_length(void **state)
{
	(void)state;
	char s[8];
	assert_int_equal(lab__snprintf(s, sizeof(s), "%s", "0123456789"), 10);
	assert_string_equal(s, "0123456");
	assert_int_equal(lab__snprintf(NULL, 0, "%d", 12345), 5);
}

/* The public lab_snprintf (what boards/ logs with) is the same formatter:
 * same text, same truncation, same returned length. */
static void test_public_snprintf_is_the_core_formatter(void **state)
{
	(void)state;
	char a[16], b[16];
	int na = lab_snprintf(a, sizeof(a), "Node %d, zone %8s %6llu", 0, "Normal", 4ull);
	int nb = lab__snprintf(b, sizeof(b), "Node %d, zone %8s %6llu", 0, "Normal", 4ull);
	assert_int_equal(na, nb);
	assert_int_equal(na, 28);
	assert_string_equal(a, b);
	assert_string_equal(a, "Node 0, zone   ");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fmt_matches_snprintf),
		cmocka_unit_test(test_fmt_truncates_and_returns_length),
		cmocka_unit_test(test_public_snprintf_is_the_core_formatter),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
