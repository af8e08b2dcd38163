/* SPDX-License-Identifier: MIT */
/*
 * tests/core/test_gfp.c - the GFP flags module (src/core/gfp.c).
 *
 * Vectors A1-A18, B1-B10 and C1-C9 of tests/data/reference/linux-mm-testvectors.md,
 * each its own named test; then every mode string a real kernel printed in
 * tests/data (dmesg reports of 2.6 .. 6.8 and the Debian 6.1 runs), decoded
 * with the era of the kernel that printed it; the gfp_flags strings of a
 * real 6.1 kmem:mm_page_alloc trace, names -> value -> names; parse round
 * trips, bad tokens, truncation and the version -> era mapping.
 *
 * Vector tests are table-driven: main() turns every row into one cmocka
 * test named after the vector, so a failure names the row that failed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <labyrinth/gfp.h>
#include "util/fixture.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ERA(x) LAB_GFP_ERA_##x

static const char *fmt(lab_gfp_t v, enum lab_gfp_era era)
{
	static char buf[512];

	lab_gfp_format(buf, sizeof(buf), v, era);
	return buf;
}

/* ---- A and B: value -> string ---------------------------------------------- */

struct fmt_vec {
	const char *id;
	lab_gfp_t value;
	enum lab_gfp_era era;
	const char *expect;
};

static struct fmt_vec fmt_vecs[] = {
	{ "A1", 0xa20, ERA(6_1), "GFP_ATOMIC" },
	{ "A2", 0xcc0, ERA(6_1), "GFP_KERNEL" },
	{ "A3", 0x40cc0, ERA(6_1), "GFP_KERNEL|__GFP_COMP" },
	{ "A4", 0x40dc0, ERA(6_1), "GFP_KERNEL|__GFP_COMP|__GFP_ZERO" },
	{ "A5", 0x400dc0, ERA(6_1), "GFP_KERNEL_ACCOUNT|__GFP_ZERO" },
	{ "A6", 0x100cca, ERA(6_1), "GFP_HIGHUSER_MOVABLE" },
	{ "A7", 0x1c20ca, ERA(6_1), "GFP_TRANSHUGE_LIGHT" },
	{ "A8", 0x1c24ca, ERA(6_1), "GFP_TRANSHUGE" },
	{ "A9", 0x800, ERA(6_1), "GFP_NOWAIT" },
	{ "A10", 0x2a20, ERA(6_1), "GFP_ATOMIC|__GFP_NOWARN" },
	{ "A11", 0x12a20, ERA(6_1), "GFP_ATOMIC|__GFP_NOWARN|__GFP_NORETRY" },
	{ "A12", 0x8c40, ERA(6_1), "GFP_NOFS|__GFP_NOFAIL" },
	{ "A13", 0x10c00, ERA(6_1), "GFP_NOIO|__GFP_NORETRY" },
	{ "A14", 0x24, ERA(6_1), "GFP_DMA32|__GFP_HIGH" },
	{ "A15", 0x153cca, ERA(6_1),
	  "GFP_HIGHUSER_MOVABLE|__GFP_NOWARN|__GFP_NORETRY|__GFP_COMP|__GFP_WRITE" },
	{ "A16", 0x2dc2, ERA(6_1), "GFP_KERNEL|__GFP_HIGHMEM|__GFP_NOWARN|__GFP_ZERO" },
	{ "A17", 0x0, ERA(6_1), "" },
	{ "A18", 0x2080020, ERA(6_1), "__GFP_HIGH|__GFP_NOMEMALLOC|0x2000000" },
	{ "B1", 0x820, ERA(6_1), "GFP_NOWAIT|__GFP_HIGH" },
	{ "B2_6_3", 0x820, ERA(6_3), "GFP_ATOMIC" },
	{ "B2_6_8", 0x820, ERA(6_8), "GFP_ATOMIC" },
	{ "B2_6_13", 0x820, ERA(6_13), "GFP_ATOMIC" },
	{ "B3", 0xa20, ERA(6_13), "GFP_ATOMIC|0x200" },
	{ "B3_6_3", 0xa20, ERA(6_3), "GFP_ATOMIC|0x200" },
	{ "B4", 0x40dc0, ERA(6_13), "GFP_KERNEL|__GFP_ZERO|__GFP_COMP" },
	{ "B5", 0x153cca, ERA(6_13),
	  "GFP_HIGHUSER_MOVABLE|__GFP_WRITE|__GFP_NOWARN|__GFP_NORETRY|__GFP_COMP" },
	{ "B6_6_13", 0x2800, ERA(6_13), "GFP_NOWAIT" },
	{ "B6_6_8", 0x2800, ERA(6_8), "GFP_NOWAIT" },
	{ "B6_6_1", 0x2800, ERA(6_1), "GFP_NOWAIT|__GFP_NOWARN" },
	{ "B7", 0x800, ERA(6_13), "__GFP_KSWAPD_RECLAIM" },
	{ "B7_6_3", 0x800, ERA(6_3), "GFP_NOWAIT" },
	{ "B8_6_13", 0x4429c0, ERA(6_13),
	  "GFP_NOWAIT|__GFP_IO|__GFP_FS|__GFP_ZERO|__GFP_COMP|__GFP_ACCOUNT" },
	{ "B8_6_1", 0x4429c0, ERA(6_1),
	  "GFP_NOWAIT|__GFP_IO|__GFP_FS|__GFP_NOWARN|__GFP_COMP|__GFP_ZERO|__GFP_ACCOUNT" },
	{ "B9_NO_OBJ_EXT", 0x1000000, ERA(6_13), "__GFP_NO_OBJ_EXT" },
	/* pre-5.1 layouts (facts §2.2 and the brief's 4.9 list) */
	{ "4x_ATOMIC", 0x2080020, ERA(4_X), "GFP_ATOMIC" },
	{ "4x_KERNEL", 0x24000c0, ERA(4_X), "GFP_KERNEL" },
	{ "4x_ATOMIC_COLD_COMP", 0x2084120, ERA(4_X), "GFP_ATOMIC|__GFP_COLD|__GFP_COMP" },
	{ "4x_OTHER_NODE", 0x800000, ERA(4_X), "__GFP_OTHER_NODE" },
	{ "4_10_KERNEL", 0x14000c0, ERA(4_10), "GFP_KERNEL" },
	{ "4_12_ATOMIC_MEMALLOC", 0x1082020, ERA(4_10), "GFP_ATOMIC|__GFP_MEMALLOC" },
	/* strings printed by 4.10/4.11 kernels (linux-mm threads, T. Handa, 2017) */
	{ "4_10_TRANSHUGE_THISNODE", 0x4742ca, ERA(4_10), "GFP_TRANSHUGE|__GFP_THISNODE" },
	{ "4_10_NOIO", 0x1400000, ERA(4_10), "GFP_NOIO" },
	{ "4_10_NOFS_NOWARN_COMP_NOTRACK", 0x1604240, ERA(4_10),
	  "GFP_NOFS|__GFP_NOWARN|__GFP_COMP|__GFP_NOTRACK" },
	{ "4_10_REPEAT", 0x14004c0, ERA(4_10), "GFP_KERNEL|__GFP_REPEAT" },
	{ "4_13_RETRY_MAYFAIL", 0x14004c0, ERA(4_13), "GFP_KERNEL|__GFP_RETRY_MAYFAIL" },
	{ "4_13_TEMPORARY", 0x14000d0, ERA(4_13), "GFP_TEMPORARY" },
	{ "4_14_no_TEMPORARY", 0x14000d0, ERA(4_14), "GFP_KERNEL|__GFP_RECLAIMABLE" },
	{ "4_14_NOTRACK", 0x1280020, ERA(4_14), "GFP_ATOMIC|__GFP_NOTRACK" },
	/* OOM lines of 4.13-rc2 and 4.15-rc8/4.16 kernels (linux-mm threads) */
	{ "4_13_HIGHUSER_MOVABLE", 0x14200ca, ERA(4_13), "GFP_HIGHUSER_MOVABLE" },
	{ "4_15_HIGHUSER_MOVABLE", 0x14200ca, ERA(4_15), "GFP_HIGHUSER_MOVABLE" },
	{ "4_15_no_NOTRACK", 0x1280020, ERA(4_15), "GFP_ATOMIC|0x200000" },
	{ "4_18_KERNEL", 0x6000c0, ERA(4_18), "GFP_KERNEL" },
	{ "4_18_ATOMIC", 0x480020, ERA(4_18), "GFP_ATOMIC" },
	{ "4_18_HIGHUSER_MOVABLE", 0x6200ca, ERA(4_18), "GFP_HIGHUSER_MOVABLE" },
	{ "3x_ATOMIC", 0x20, ERA(3_X), "GFP_ATOMIC" },
	{ "3x_KERNEL", 0xd0, ERA(3_X), "GFP_KERNEL" },
	{ "3x_ATOMIC_ZERO", 0x8020, ERA(3_X), "GFP_ATOMIC|__GFP_ZERO" },
	{ "3x_ATOMIC_COMP", 0x4020, ERA(3_X), "GFP_ATOMIC|__GFP_COMP" },
	{ "3x_ATOMIC_COMP_NOTRACK", 0x204020, ERA(3_X), "GFP_ATOMIC|__GFP_COMP|__GFP_NOTRACK" },
	{ "3x_HIGHUSER_MOVABLE_COLD", 0x201da, ERA(3_X), "GFP_HIGHUSER_MOVABLE|__GFP_COLD" },
	{ "3x_KERNEL_REPEAT_ZERO_NOTRACK", 0x2084d0, ERA(3_X),
	  "GFP_KERNEL|__GFP_REPEAT|__GFP_ZERO|__GFP_NOTRACK" },
	{ "3x_TEMPORARY", 0x800d0, ERA(3_X), "GFP_TEMPORARY" },
	{ "3x_KERNEL_DMA_NOTRACK", 0x2000d1, ERA(3_X), "GFP_KERNEL|GFP_DMA|__GFP_NOTRACK" },
	{ "3x_unknown_bit", 0x20000d0, ERA(3_X), "GFP_KERNEL|0x2000000" },
};

/* The vector's value prints exactly as the kernel of its era prints it. */
static void test_gfp_format_vector(void **state)
{
	const struct fmt_vec *v = *state;

	assert_string_equal(fmt(v->value, v->era), v->expect);
}

/* The vector's string parses back to its value in the same era. */
static void test_gfp_parse_vector_roundtrip(void **state)
{
	const struct fmt_vec *v = *state;
	lab_gfp_t got = 0xdeadbeef;

	assert_int_equal(lab_gfp_parse(v->expect, v->era, &got, NULL, NULL), 0);
	assert_int_equal(got, v->value);
}

/* ---- B9/B10 and more: name -> value ------------------------------------------ */

struct parse_vec {
	const char *id;
	const char *str;
	enum lab_gfp_era era;
	lab_gfp_t expect;
};

static struct parse_vec parse_vecs[] = {
	{ "B9_TRANSHUGE", "GFP_TRANSHUGE", ERA(6_13), 0x1c24ca },
	{ "B9_TRANSHUGE_LIGHT", "GFP_TRANSHUGE_LIGHT", ERA(6_13), 0x1c20ca },
	{ "B9_HIGHUSER_MOVABLE", "GFP_HIGHUSER_MOVABLE", ERA(6_13), 0x100cca },
	{ "B9_HIGHUSER", "GFP_HIGHUSER", ERA(6_13), 0x100cc2 },
	{ "B9_USER", "GFP_USER", ERA(6_13), 0x100cc0 },
	{ "B9_KERNEL_ACCOUNT", "GFP_KERNEL_ACCOUNT", ERA(6_13), 0x400cc0 },
	{ "B9_KERNEL", "GFP_KERNEL", ERA(6_13), 0xcc0 },
	{ "B9_NOFS", "GFP_NOFS", ERA(6_13), 0xc40 },
	{ "B9_ATOMIC", "GFP_ATOMIC", ERA(6_13), 0x820 },
	{ "B9_NOIO", "GFP_NOIO", ERA(6_13), 0xc00 },
	{ "B9_NOWAIT", "GFP_NOWAIT", ERA(6_13), 0x2800 },
	{ "B9_NO_OBJ_EXT", "__GFP_NO_OBJ_EXT", ERA(6_13), 0x1000000 },
	{ "B10_ATOMIC", "GFP_ATOMIC", ERA(6_1), 0xa20 },
	{ "B10_NOWAIT", "GFP_NOWAIT", ERA(6_1), 0x800 },
	{ "B10_USER", "GFP_USER", ERA(6_1), 0x100cc0 },
	{ "B10_HIGHUSER", "GFP_HIGHUSER", ERA(6_1), 0x100cc2 },
	{ "B10_HIGHUSER_MOVABLE", "GFP_HIGHUSER_MOVABLE", ERA(6_1), 0x100cca },
	{ "B10_KERNEL_ACCOUNT", "GFP_KERNEL_ACCOUNT", ERA(6_1), 0x400cc0 },
	{ "B10_KERNEL", "GFP_KERNEL", ERA(6_1), 0xcc0 },
	{ "B10_NOFS", "GFP_NOFS", ERA(6_1), 0xc40 },
	{ "B10_NOIO", "GFP_NOIO", ERA(6_1), 0xc00 },
	{ "B10_TRANSHUGE_LIGHT", "GFP_TRANSHUGE_LIGHT", ERA(6_1), 0x1c20ca },
	{ "B10_TRANSHUGE", "GFP_TRANSHUGE", ERA(6_1), 0x1c24ca },
	{ "ATOMIC_6_3", "GFP_ATOMIC", ERA(6_3), 0x820 },
	{ "NOWAIT_6_3", "GFP_NOWAIT", ERA(6_3), 0x800 },
	{ "NOWAIT_6_8", "GFP_NOWAIT", ERA(6_8), 0x2800 },
	{ "ATOMIC_COMP", "GFP_ATOMIC|__GFP_COMP", ERA(6_1), 0x40a20 },
	{ "spaces", "  GFP_KERNEL |\t__GFP_COMP  ", ERA(6_1), 0x40cc0 },
	{ "LAB_prefix", "LAB_GFP_KERNEL|LAB___GFP_ZERO", ERA(6_1), 0xdc0 },
	{ "hex", "0xa20", ERA(6_1), 0xa20 },
	{ "hex_upper", "0XA20", ERA(6_1), 0xa20 },
	{ "decimal", "2592", ERA(6_1), 0xa20 },
	{ "hex_max", "0xffffffff", ERA(6_1), 0xffffffff },
	{ "mix_name_hex", "GFP_KERNEL|0x100", ERA(6_1), 0xdc0 },
	{ "empty", "", ERA(6_1), 0 },
	{ "none", "none", ERA(6_1), 0 },
	{ "single_bit_name", "__GFP_DMA32", ERA(6_1), 0x4 },
	{ "ATOMIC_4x", "GFP_ATOMIC", ERA(4_X), 0x2080020 },
	{ "KERNEL_4_10", "GFP_KERNEL", ERA(4_10), 0x14000c0 },
	{ "KERNEL_4_18", "GFP_KERNEL", ERA(4_18), 0x6000c0 },
	{ "KERNEL_3x", "GFP_KERNEL", ERA(3_X), 0xd0 },
	{ "WAIT_3x", "__GFP_WAIT", ERA(3_X), 0x10 },
	{ "REPEAT_4x", "__GFP_REPEAT", ERA(4_X), 0x400 },
};

/* The vector's name string parses to its value in its era. */
static void test_gfp_parse_vector(void **state)
{
	const struct parse_vec *v = *state;
	lab_gfp_t got = 0xdeadbeef;

	assert_int_equal(lab_gfp_parse(v->str, v->era, &got, NULL, NULL), 0);
	assert_int_equal(got, v->expect);
}

/* ---- bad tokens ---------------------------------------------------------------- */

struct bad_vec {
	const char *id;
	const char *str;
	enum lab_gfp_era era;
	size_t bad_off;		/* offset of the reported token in str */
	size_t bad_len;
};

static struct bad_vec bad_vecs[] = {
	{ "unknown_name", "GFP_ATOMIC|__GFP_BOGUS", ERA(6_1), 11, 11 },
	{ "unknown_first", "GFP_BOGUS|GFP_KERNEL", ERA(6_1), 0, 9 },
	{ "atomic_bit_gone_6_3", "__GFP_ATOMIC", ERA(6_3), 0, 12 },
	{ "no_obj_ext_not_6_1", "__GFP_NO_OBJ_EXT", ERA(6_1), 0, 16 },
	{ "temporary_gone_4_14", "GFP_TEMPORARY", ERA(4_14), 0, 13 },
	{ "repeat_renamed_6_1", "__GFP_REPEAT", ERA(6_1), 0, 12 },
	{ "bad_hex", "0xzz", ERA(6_1), 0, 4 },
	{ "hex_no_digits", "0x", ERA(6_1), 0, 2 },
	{ "hex_overflow", "0x100000000", ERA(6_1), 0, 11 },
	{ "decimal_overflow", "4294967296", ERA(6_1), 0, 10 },
	{ "digits_then_letters", "12abc", ERA(6_1), 0, 5 },
	{ "empty_middle", "GFP_KERNEL||__GFP_COMP", ERA(6_1), 11, 0 },
	{ "trailing_bar", "GFP_KERNEL| ", ERA(6_1), 11, 0 },
	{ "lower_case", "gfp_kernel", ERA(6_1), 0, 10 },
	{ "LAB_alone", "LAB_", ERA(6_1), 0, 4 },
};

/* The string is refused and the offending token (position, length) named. */
static void test_gfp_parse_bad_token(void **state)
{
	const struct bad_vec *v = *state;
	const char *bad = NULL;
	size_t len = 12345;
	lab_gfp_t got = 0x5a5a;

	assert_int_equal(lab_gfp_parse(v->str, v->era, &got, &bad, &len), -1);
	assert_non_null(bad);
	assert_int_equal(bad - v->str, v->bad_off);
	assert_int_equal(len, v->bad_len);
	assert_int_equal(got, 0x5a5a);
}

/* A refused string with NULL bad_token/bad_len pointers does not crash. */
static void test_gfp_parse_bad_token_null_outputs(void **state)
{
	lab_gfp_t got = 7;

	(void)state;
	assert_int_equal(lab_gfp_parse("__GFP_BOGUS", ERA(6_1), &got, NULL, NULL), -1);
	assert_int_equal(got, 7);
}

/* A NULL string is refused, not dereferenced. */
static void test_gfp_parse_null_string(void **state)
{
	lab_gfp_t got = 7;

	(void)state;
	assert_int_equal(lab_gfp_parse(NULL, ERA(6_1), &got, NULL, NULL), -1);
}

/* ---- round trips over every era ------------------------------------------------- */

/* Every single bit and every vector value prints to a string that parses
 * back to the same value, in every era. */
static void test_gfp_roundtrip_all_eras(void **state)
{
	(void)state;
	for (unsigned e = 0; e < LAB_GFP_NR_ERAS; e++) {
		for (unsigned i = 0; i < 32 + ARRAY_SIZE(fmt_vecs); i++) {
			lab_gfp_t v = i < 32 ? 1u << i : fmt_vecs[i - 32].value;
			lab_gfp_t back = ~v;
			const char *s = fmt(v, (enum lab_gfp_era)e);

			if (lab_gfp_parse(s, (enum lab_gfp_era)e, &back, NULL, NULL) != 0 || back != v)
				fail_msg("era %s: %#x -> \"%s\" -> %#x",
					 lab_gfp_era_name((enum lab_gfp_era)e), v, s, back);
		}
	}
}

/* 3.x and 4.x composites are those of their kernels' headers. */
static void test_gfp_old_composites_match_headers(void **state)
{
	lab_gfp_t v;

	(void)state;
	assert_int_equal(lab_gfp_parse("GFP_NOIO", ERA(3_X), &v, NULL, NULL), 0);
	assert_int_equal(v, 0x10);
	assert_int_equal(lab_gfp_parse("GFP_NOFS", ERA(3_X), &v, NULL, NULL), 0);
	assert_int_equal(v, 0x50);
	assert_int_equal(lab_gfp_parse("GFP_HIGHUSER_MOVABLE", ERA(3_X), &v, NULL, NULL), 0);
	assert_int_equal(v, 0x200da);
	assert_int_equal(lab_gfp_parse("GFP_TRANSHUGE", ERA(3_X), &v, NULL, NULL), 0);
	assert_int_equal(v, 0x4352da);
	assert_int_equal(lab_gfp_parse("GFP_HIGHUSER_MOVABLE", ERA(4_X), &v, NULL, NULL), 0);
	assert_int_equal(v, 0x24200ca);
	assert_int_equal(lab_gfp_parse("GFP_TRANSHUGE_LIGHT", ERA(4_X), &v, NULL, NULL), 0);
	assert_int_equal(v, 0x342ca);
	assert_int_equal(lab_gfp_parse("GFP_TRANSHUGE", ERA(4_X), &v, NULL, NULL), 0);
	assert_int_equal(v, 0x4342ca);
	assert_int_equal(lab_gfp_parse("GFP_ATOMIC", ERA(4_15), &v, NULL, NULL), 0);
	assert_int_equal(v, 0x1080020);
}

/* ---- truncation ---------------------------------------------------------------------- */

/* Like snprintf: the return is the full length even when the buffer is short. */
static void test_gfp_format_returns_full_length_when_truncated(void **state)
{
	char buf[5];

	(void)state;
	assert_int_equal(lab_gfp_format(buf, sizeof(buf), 0xa20, ERA(6_1)), strlen("GFP_ATOMIC"));
}

/* A short buffer holds the first size-1 characters and a NUL. */
static void test_gfp_format_truncates_with_nul(void **state)
{
	char buf[8];

	(void)state;
	memset(buf, 'X', sizeof(buf));
	lab_gfp_format(buf, 5, 0x40a20, ERA(6_1));
	assert_string_equal(buf, "GFP_");
	assert_int_equal(buf[5], 'X');
}

/* A buffer of exactly length+1 holds the whole string. */
static void test_gfp_format_exact_fit(void **state)
{
	char buf[11];

	(void)state;
	assert_int_equal(lab_gfp_format(buf, sizeof(buf), 0xa20, ERA(6_1)), 10);
	assert_string_equal(buf, "GFP_ATOMIC");
}

/* size 0 writes nothing (a NULL buffer is fine) and still returns the length. */
static void test_gfp_format_size_zero_writes_nothing(void **state)
{
	(void)state;
	assert_int_equal(lab_gfp_format(NULL, 0, 0x40a20, ERA(6_1)),
			 strlen("GFP_ATOMIC|__GFP_COMP"));
}

/* Truncation inside the trailing hex keeps the full length too. */
static void test_gfp_format_truncated_hex_length(void **state)
{
	char buf[12];

	(void)state;
	assert_int_equal(lab_gfp_format(buf, sizeof(buf), 0xa20, ERA(6_3)),
			 strlen("GFP_ATOMIC|0x200"));
	assert_string_equal(buf, "GFP_ATOMIC|");
}

/* An era value outside the enum decodes with the default (6.1) table. */
static void test_gfp_format_bad_era_uses_default(void **state)
{
	(void)state;
	assert_string_equal(fmt(0xa20, (enum lab_gfp_era)99), "GFP_ATOMIC");
}

/* A value with no named bits prints as bare hex, no leading '|'. */
static void test_gfp_format_only_unknown_bits(void **state)
{
	(void)state;
	assert_string_equal(fmt(0x80000000u, ERA(6_1)), "0x80000000");
}

/* ---- C: zone and migratetype ----------------------------------------------------------- */

/* C1: GFP_KERNEL may use up to Normal and is Unmovable. */
static void test_gfp_zone_C1_kernel(void **state)
{
	(void)state;
	assert_int_equal(lab_gfp_zone(LAB_GFP_KERNEL), 2);
	assert_int_equal(lab_gfp_migratetype(LAB_GFP_KERNEL), 0);
}

/* C2: GFP_HIGHUSER_MOVABLE (0xa) may use Movable and is Movable. */
static void test_gfp_zone_C2_highuser_movable(void **state)
{
	(void)state;
	assert_int_equal(lab_gfp_zone(0x100cca), 3);
	assert_int_equal(lab_gfp_migratetype(0x100cca), 1);
}

/* C3: __GFP_MOVABLE without HIGHMEM stops at Normal, still Movable. */
static void test_gfp_zone_C3_movable_without_highmem(void **state)
{
	(void)state;
	assert_int_equal(lab_gfp_zone(LAB_GFP_USER | LAB___GFP_MOVABLE), 2);
	assert_int_equal(lab_gfp_migratetype(LAB_GFP_USER | LAB___GFP_MOVABLE), 1);
}

/* C4: GFP_DMA32|GFP_KERNEL -> DMA32, Unmovable. */
static void test_gfp_zone_C4_dma32(void **state)
{
	(void)state;
	assert_int_equal(lab_gfp_zone(0xcc4), 1);
	assert_int_equal(lab_gfp_migratetype(0xcc4), 0);
}

/* C5: GFP_DMA|GFP_KERNEL -> DMA, Unmovable. */
static void test_gfp_zone_C5_dma(void **state)
{
	(void)state;
	assert_int_equal(lab_gfp_zone(0xcc1), 0);
	assert_int_equal(lab_gfp_migratetype(0xcc1), 0);
}

/* C6: GFP_KERNEL|__GFP_RECLAIMABLE -> Normal, Reclaimable. */
static void test_gfp_zone_C6_reclaimable(void **state)
{
	(void)state;
	assert_int_equal(lab_gfp_zone(0xcd0), 2);
	assert_int_equal(lab_gfp_migratetype(0xcd0), 2);
}

/* C7: the GFP_ZONE_BAD combinations are refused (-1). */
static void test_gfp_zone_C7_bad_combinations(void **state)
{
	static const unsigned bad[] = { 0x3, 0x5, 0x6, 0x7, 0xb, 0xd, 0xe, 0xf };

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		assert_int_equal(lab_gfp_zone(LAB_GFP_KERNEL | bad[i]), -1);
}

/* C8: the 16 answers, packed 2 bits each (bad ones as 0), are x86-64's
 * GFP_ZONE_TABLE 0x1320122; exactly 8 combinations are valid. */
static void test_gfp_zone_C8_table_value(void **state)
{
	unsigned table = 0, valid = 0;

	(void)state;
	for (unsigned idx = 0; idx < 16; idx++) {
		int z = lab_gfp_zone(idx);

		if (z >= 0) {
			table |= (unsigned)z << (idx * 2);
			valid++;
		}
	}
	assert_int_equal(table, 0x1320122);
	assert_int_equal(valid, 8);
}

/* C9: MOVABLE|RECLAIMABLE yields 3 (the HighAtomic value). */
static void test_gfp_migratetype_C9_both_bits(void **state)
{
	(void)state;
	assert_int_equal(lab_gfp_migratetype(0x18), 3);
}

/* Zone modifiers above the low four bits do not change the zone. */
static void test_gfp_zone_ignores_other_bits(void **state)
{
	(void)state;
	assert_int_equal(lab_gfp_zone(0xfffffff0u), 2);
}

/* ---- eras -------------------------------------------------------------------------------- */

struct ver_vec {
	const char *version;
	enum lab_gfp_era era;
};

static const struct ver_vec ver_vecs[] = {
	{ "6.1.0-56-amd64", ERA(6_1) },
	{ "5.4.0-rc2", ERA(6_1) },
	{ "4.9.0-0.rc8.git2.1.fc26.x86_64", ERA(4_X) },
	{ "3.10.0-327.el7.x86_64", ERA(3_X) },
	{ "", ERA(6_1) },
	{ "junk", ERA(6_1) },
	{ "Linux version 6.1.0-56-amd64 (debian-kernel@lists.debian.org) (gcc-12)", ERA(6_1) },
	{ "2.6.33.2", ERA(3_X) },
	{ "3.8.0-rc2w5+", ERA(3_X) },
	{ "4.1.18-g09f547b", ERA(3_X) },
	{ "4.2.3-jh1", ERA(3_X) },
	{ "4.4.0-210-generic", ERA(4_X) },
	{ "4.8.0-rc7-00217-g266ef83c51e5-dirty", ERA(4_X) },
	{ "4.10.17", ERA(4_10) },
	{ "4.12.14-lp150", ERA(4_10) },
	{ "4.13.16", ERA(4_13) },
	{ "4.14.336", ERA(4_14) },
	{ "4.15.0-213-generic", ERA(4_15) },
	{ "4.17.19", ERA(4_15) },
	{ "4.18.0-339.el8.x86_64", ERA(4_18) },
	{ "4.19-based Android vendor kernel", ERA(4_18) },
	{ "4.20.17", ERA(4_18) },
	{ "5.0.21", ERA(4_18) },
	{ "5.1.0", ERA(6_1) },
	{ "5.18.7-rc1-00013-g52b92343db13", ERA(6_1) },
	{ "6.2.16", ERA(6_1) },
	{ "6.3.0", ERA(6_3) },
	{ "6.7.12", ERA(6_3) },
	{ "6.8.0-rc3-1.gae4495f-default", ERA(6_8) },
	{ "6.12.117", ERA(6_8) },
	{ "6.13", ERA(6_13) },
	{ "6.18.44", ERA(6_13) },
	{ "7.0.1", ERA(6_13) },
	{ "4.x", ERA(4_X) },
	{ "not stated (Android arm64 kernel, 6.x era)", ERA(6_1) },
	{ "not stated (wl500g firmware for ASUS RT-N10; 2.6-era format)", ERA(3_X) },
	{ "2019 linux-next, 5.x", ERA(6_1) },
};

/* Kernel version strings map to the era whose flag layout they used. */
static void test_gfp_era_for_version_vectors(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(ver_vecs); i++) {
		enum lab_gfp_era got = lab_gfp_era_for_version(ver_vecs[i].version);

		if (got != ver_vecs[i].era)
			fail_msg("\"%s\": era %s, expected %s", ver_vecs[i].version,
				 lab_gfp_era_name(got), lab_gfp_era_name(ver_vecs[i].era));
	}
}

/* A NULL version is the default era, not a crash. */
static void test_gfp_era_for_version_null(void **state)
{
	(void)state;
	assert_int_equal(lab_gfp_era_for_version(NULL), ERA(6_1));
}

/* The era names are those the brief and the CLI use. */
static void test_gfp_era_names(void **state)
{
	(void)state;
	assert_string_equal(lab_gfp_era_name(ERA(6_1)), "6.1");
	assert_string_equal(lab_gfp_era_name(ERA(6_3)), "6.3");
	assert_string_equal(lab_gfp_era_name(ERA(6_8)), "6.8");
	assert_string_equal(lab_gfp_era_name(ERA(6_13)), "6.13+");
	assert_string_equal(lab_gfp_era_name(ERA(4_X)), "4.x");
	assert_string_equal(lab_gfp_era_name(ERA(3_X)), "3.x");
	assert_string_equal(lab_gfp_era_name(ERA(4_18)), "4.18");
	assert_string_equal(lab_gfp_era_name(LAB_GFP_NR_ERAS), "?");
}

/* Every era's name maps back to that era, and unknown names are refused. */
static void test_gfp_era_from_name_inverts_era_name(void **state)
{
	enum lab_gfp_era e = ERA(6_1);

	(void)state;
	for (unsigned i = 0; i < LAB_GFP_NR_ERAS; i++) {
		assert_int_equal(lab_gfp_era_from_name(lab_gfp_era_name((enum lab_gfp_era)i), &e), 0);
		assert_int_equal(e, i);
	}
	assert_int_equal(lab_gfp_era_from_name("6.13", &e), 0);
	assert_int_equal(e, ERA(6_13));
	assert_int_equal(lab_gfp_era_from_name("6.2", &e), -1);
	assert_int_equal(lab_gfp_era_from_name("", &e), -1);
	assert_int_equal(lab_gfp_era_from_name(NULL, &e), -1);
}

/* ---- real kernel output ------------------------------------------------------------------ */

/* The kernel version a report names: its "# kernel:" header, else the
 * "Linux version" line; "" if neither. Copied into @out. */
static void report_version(const char *text, char *out, size_t size)
{
	const char *p = strstr(text, "# kernel:");
	const char *nl;

	if (p)
		p += strlen("# kernel:");
	else if ((p = strstr(text, "Linux version ")))
		p += strlen("Linux version ");
	else
		p = "";
	nl = strchr(p, '\n');
	snprintf(out, size, "%.*s", (int)(nl ? nl - p : (ptrdiff_t)strlen(p)), p);
}

struct corpus_counts {
	unsigned named;		/* mode/gfp strings with names, checked */
	unsigned unnamed;	/* mode strings without names */
};

/*
 * Checks every "mode:0x...(NAMES)", "gfp=0x...(NAMES)" and
 * "gfp_mask=0x...(NAMES)" outside '#' header lines: the decoding of the
 * value with @era must be NAMES. Returns the counts.
 */
static struct corpus_counts check_named_modes(const char *path, const char *text,
					      enum lab_gfp_era era)
{
	static const char *const keys[] = { "mode:0x", "gfp=0x", "gfp_mask=0x" };
	struct corpus_counts c = { 0, 0 };
	const char *line = text;

	while (*line) {
		const char *eol = strchr(line, '\n');

		if (!eol)
			eol = line + strlen(line);
		for (size_t k = 0; line[0] != '#' && k < ARRAY_SIZE(keys); k++) {
			const char *p = line;

			while ((p = strstr(p, keys[k])) && p < eol) {
				char *end;
				unsigned long v = strtoul(p + strlen(keys[k]), &end, 16);

				p = end;
				if (*end != '(') {
					c.unnamed++;
					continue;
				}
				const char *close = strchr(end, ')');

				if (!close || close > eol)
					fail_msg("%s: unterminated names after %#lx", path, v);
				char names[256];

				snprintf(names, sizeof(names), "%.*s", (int)(close - end - 1), end + 1);
				if (strcmp(fmt((lab_gfp_t)v, era), names) != 0)
					fail_msg("%s: %#lx printed as \"%s\" by the kernel, decoded as \"%s\" (era %s)",
						 path, v, names, fmt((lab_gfp_t)v, era), lab_gfp_era_name(era));
				c.named++;
			}
		}
		line = *eol ? eol + 1 : eol;
	}
	return c;
}

struct corpus_file {
	char path[512];
};

/* Every named mode string in this real report decodes, with the era of the
 * kernel version the report names, to exactly what that kernel printed. */
static void test_gfp_corpus_report_names_match(void **state)
{
	const struct corpus_file *cf = *state;
	char version[256];
	char *text = read_file(cf->path, NULL);
	struct corpus_counts c;

	assert_non_null(text);
	report_version(text, version, sizeof(version));
	c = check_named_modes(cf->path, text, lab_gfp_era_for_version(version));
	assert_true(c.named > 0);
	free(text);
}

/* How many corpus files printed names; set by main(), checked below. */
static unsigned nr_named_reports;

/* The corpus scan found the reports with names (12 dmesg + 1 real-kernel
 * run): a broken scan cannot pass by checking nothing. */
static void test_gfp_corpus_has_named_reports(void **state)
{
	(void)state;
	assert_true(nr_named_reports >= 13);
}

struct unnamed_vec {
	const char *file_prefix;
	lab_gfp_t value;
	const char *expect;	/* INDEX.md's decoding, in 4.x style */
};

/* INDEX.md reads 0x2000d1 as "+ 0x2000000 vendor/unknown"; the value has six
 * hex digits, so the extra bit is 0x200000, __GFP_NOTRACK on 4.1 (arm64's
 * THREADINFO_GFP was GFP_KERNEL|__GFP_NOTRACK, and this is a fork). */
static struct unnamed_vec unnamed_vecs[] = {
	{ "001-", 0x2000d1, "GFP_KERNEL|GFP_DMA|__GFP_NOTRACK" },
	{ "004-", 0x8020, "GFP_ATOMIC|__GFP_ZERO" },
	{ "011-", 0x20, "GFP_ATOMIC" },
	{ "012-", 0x80d0, "GFP_KERNEL|__GFP_ZERO" },
	{ "014-", 0x204020, "GFP_ATOMIC|__GFP_COMP|__GFP_NOTRACK" },
	{ "015-", 0x4020, "GFP_ATOMIC|__GFP_COMP" },
	{ "016-", 0xd0, "GFP_KERNEL" },
	{ "030-", 0x204020, "GFP_ATOMIC|__GFP_COMP|__GFP_NOTRACK" },
};

static int find_corpus_file(const char *prefix, char *path, size_t size)
{
	char dir[512];
	DIR *d;
	struct dirent *de;
	int found = -1;

	snprintf(dir, sizeof(dir), "%s/tests/data/dmesg", LAB_SOURCE_DIR);
	d = opendir(dir);
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, prefix, strlen(prefix)) == 0) {
			if ((size_t)snprintf(path, size, "%s/%s", dir, de->d_name) < size)
				found = 0;
			break;
		}
	}
	closedir(d);
	return found;
}

/* A report of a kernel that printed no names carries this value, and the
 * era of its kernel decodes it as the corpus INDEX does. */
static void test_gfp_corpus_unnamed_mode_decodes(void **state)
{
	const struct unnamed_vec *v = *state;
	char path[600], version[256], needle[64];
	char *text;

	assert_int_equal(find_corpus_file(v->file_prefix, path, sizeof(path)), 0);
	text = read_file(path, NULL);
	assert_non_null(text);
	snprintf(needle, sizeof(needle), "mode:%#x\n", v->value);
	if (!strstr(text, needle)) {
		snprintf(needle, sizeof(needle), "mode:%#x", v->value);
		assert_non_null(strstr(text, needle));
	}
	report_version(text, version, sizeof(version));
	assert_int_equal(lab_gfp_era_for_version(version), ERA(3_X));
	assert_string_equal(fmt(v->value, ERA(3_X)), v->expect);
	free(text);
}

/* Every distinct gfp_flags string of a real 6.1.192 kmem:mm_page_alloc
 * trace parses and prints back identically with the 6.1 table (the trace
 * printer uses the same table; it prints "none" for 0). */
static void test_gfp_realkernel_trace_strings_roundtrip_6_1(void **state)
{
	char path[512];
	char *text;
	const char *p;
	unsigned checked = 0;
	static char seen[64][256];
	unsigned nseen = 0;

	(void)state;
	snprintf(path, sizeof(path), "%s/tests/data/realkernel/boot-idle-256M/trace.txt", LAB_SOURCE_DIR);
	text = read_file(path, NULL);
	assert_non_null(text);
	for (p = text; (p = strstr(p, "gfp_flags=")); ) {
		char s[256];
		size_t n;
		lab_gfp_t v;
		unsigned i;

		p += strlen("gfp_flags=");
		n = strcspn(p, " \n");
		snprintf(s, sizeof(s), "%.*s", (int)n, p);
		p += n;
		for (i = 0; i < nseen && strcmp(seen[i], s) != 0; i++)
			;
		if (i < nseen)
			continue;
		if (nseen < ARRAY_SIZE(seen))
			memcpy(seen[nseen++], s, sizeof(s));
		if (lab_gfp_parse(s, ERA(6_1), &v, NULL, NULL) != 0)
			fail_msg("6.1 trace string \"%s\" does not parse", s);
		if (strcmp(fmt(v, ERA(6_1)), strcmp(s, "none") ? s : "") != 0)
			fail_msg("6.1 trace string \"%s\" -> %#x -> \"%s\"", s, v, fmt(v, ERA(6_1)));
		checked++;
	}
	free(text);
	assert_true(checked >= 30);
}

/* ---- main: one test per vector and per corpus file ------------------------------------------ */

struct test_list {
	struct CMUnitTest *t;
	size_t n, cap;
};

static void add(struct test_list *l, const char *name, CMUnitTestFunction fn, void *state)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 128;
		l->t = realloc(l->t, l->cap * sizeof(*l->t));
		if (!l->t)
			abort();
	}
	l->t[l->n++] = (struct CMUnitTest){ name, fn, NULL, NULL, state };
}

static char *name_of(const char *prefix, const char *id)
{
	size_t n = strlen(prefix) + strlen(id) + 1;
	char *s = malloc(n);

	if (!s)
		abort();
	snprintf(s, n, "%s%s", prefix, id);
	return s;
}

/* Adds one test per report with named mode strings in @dir (and, when
 * @only_name is set, only files called that, e.g. the runs' dmesg.txt). */
static void add_corpus_dir(struct test_list *l, const char *dir, const char *only_name)
{
	struct dirent **ents = NULL;
	int nents = scandir(dir, &ents, NULL, alphasort);

	for (int i = 0; i < nents; i++) {
		const char *name = ents[i]->d_name;
		char path[512];
		char *text;
		int named = 0;

		if (name[0] == '.')
			continue;
		if (only_name) {
			/* run folders of both kernels: each report decodes in its own era */
			snprintf(path, sizeof(path), "%s/%s/%s", dir, name, only_name);
		} else {
			size_t len = strlen(name);

			if (len < 5 || strcmp(name + len - 4, ".txt") != 0)
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, name);
		}
		text = read_file(path, NULL);
		if (!text)
			continue;
		/* a report with names: "mode:0x<hex>(" or "gfp=0x<hex>(" outside '#' lines */
		for (const char *line = text; *line && !named; ) {
			const char *eol = strchr(line, '\n');

			if (!eol)
				eol = line + strlen(line);
			if (line[0] != '#') {
				for (const char *m = line; !named && (m = strstr(m, "0x")) && m < eol; m++) {
					if ((m - line >= 5 && !strncmp(m - 5, "mode:", 5)) ||
					    (m - line >= 4 && !strncmp(m - 4, "gfp=", 4))) {
						const char *h = m + 2;

						while (*h && strchr("0123456789abcdef", *h))
							h++;
						named = *h == '(';
					}
				}
			}
			line = *eol ? eol + 1 : eol;
		}
		free(text);
		if (!named)
			continue;
		struct corpus_file *cf = malloc(sizeof(*cf));

		if (!cf)
			abort();
		snprintf(cf->path, sizeof(cf->path), "%s", path);
		add(l, name_of("test_gfp_corpus_report_names_match:", name),
		    test_gfp_corpus_report_names_match, cf);
		nr_named_reports++;
	}
	for (int i = 0; i < nents; i++)
		free(ents[i]);
	free(ents);
}

/* Global, so everything the tests point to stays reachable until exit. */
static struct test_list l;

int main(void)
{
	char dir[512];
	int rc;

	for (size_t i = 0; i < ARRAY_SIZE(fmt_vecs); i++)
		add(&l, name_of("test_gfp_format_vector_", fmt_vecs[i].id),
		    test_gfp_format_vector, &fmt_vecs[i]);
	for (size_t i = 0; i < ARRAY_SIZE(fmt_vecs); i++)
		add(&l, name_of("test_gfp_parse_vector_roundtrip_", fmt_vecs[i].id),
		    test_gfp_parse_vector_roundtrip, &fmt_vecs[i]);
	for (size_t i = 0; i < ARRAY_SIZE(parse_vecs); i++)
		add(&l, name_of("test_gfp_parse_vector_", parse_vecs[i].id),
		    test_gfp_parse_vector, &parse_vecs[i]);
	for (size_t i = 0; i < ARRAY_SIZE(bad_vecs); i++)
		add(&l, name_of("test_gfp_parse_bad_token_", bad_vecs[i].id),
		    test_gfp_parse_bad_token, &bad_vecs[i]);
	for (size_t i = 0; i < ARRAY_SIZE(unnamed_vecs); i++)
		add(&l, name_of("test_gfp_corpus_unnamed_mode_decodes_", unnamed_vecs[i].file_prefix),
		    test_gfp_corpus_unnamed_mode_decodes, &unnamed_vecs[i]);

#define T(fn) add(&l, #fn, fn, NULL)
	T(test_gfp_parse_bad_token_null_outputs);
	T(test_gfp_parse_null_string);
	T(test_gfp_roundtrip_all_eras);
	T(test_gfp_old_composites_match_headers);
	T(test_gfp_format_returns_full_length_when_truncated);
	T(test_gfp_format_truncates_with_nul);
	T(test_gfp_format_exact_fit);
	T(test_gfp_format_size_zero_writes_nothing);
	T(test_gfp_format_truncated_hex_length);
	T(test_gfp_format_bad_era_uses_default);
	T(test_gfp_format_only_unknown_bits);
	T(test_gfp_zone_C1_kernel);
	T(test_gfp_zone_C2_highuser_movable);
	T(test_gfp_zone_C3_movable_without_highmem);
	T(test_gfp_zone_C4_dma32);
	T(test_gfp_zone_C5_dma);
	T(test_gfp_zone_C6_reclaimable);
	T(test_gfp_zone_C7_bad_combinations);
	T(test_gfp_zone_C8_table_value);
	T(test_gfp_migratetype_C9_both_bits);
	T(test_gfp_zone_ignores_other_bits);
	T(test_gfp_era_for_version_vectors);
	T(test_gfp_era_for_version_null);
	T(test_gfp_era_names);
	T(test_gfp_era_from_name_inverts_era_name);
	T(test_gfp_realkernel_trace_strings_roundtrip_6_1);

	snprintf(dir, sizeof(dir), "%s/tests/data/dmesg", LAB_SOURCE_DIR);
	add_corpus_dir(&l, dir, NULL);
	snprintf(dir, sizeof(dir), "%s/tests/data/realkernel", LAB_SOURCE_DIR);
	add_corpus_dir(&l, dir, "dmesg.txt");
	T(test_gfp_corpus_has_named_reports);
#undef T

	rc = _cmocka_run_group_tests("core/gfp", l.t, l.n, NULL, NULL);
	return rc;
}
