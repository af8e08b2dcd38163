/* SPDX-License-Identifier: MIT */
/*
 * tests/formats/test_input.c - the shared file reader (formats/input.c):
 * plain, gzip and xz files built here in memory, their concatenations,
 * padding, damage and limits, stdin, and a compressed trace.dat (which
 * libtracecmd must get from memory, not from the compressed file).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lzma.h>
#include <zlib.h>

#include "formats/ftrace.h"
#include "formats/input.h"

/* libtraceevent 1.7 leaks a few bytes while parsing event formats inside
 * tracecmd_open() (test_ftrace.c says the same); not ours to fix. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libtraceevent.so\nleak:libtracecmd.so\n";
}

#define DATA LAB_SOURCE_DIR "/tests/formats/data/host-6.18"

static char *tmp_path(const char *suffix)
{
	static char path[256];
	snprintf(path, sizeof(path), "/tmp/lab_test_input_%d%s", (int)getpid(), suffix);
	return path;
}

static void write_file(const char *path, const void *b, size_t n)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(b, 1, n, f), n);
	fclose(f);
}

/* One gzip member of @s at @out; returns its size. */
static size_t gz_member(const char *s, size_t n, unsigned char *out, size_t cap)
{
	z_stream z;
	memset(&z, 0, sizeof(z));
	assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
	z.next_in = (Bytef *)(uintptr_t)s;
	z.avail_in = (uInt)n;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	size_t got = cap - z.avail_out;
	deflateEnd(&z);
	return got;
}

/* One xz stream of @s at @out; returns its size. */
static size_t xz_stream(const char *s, size_t n, unsigned char *out, size_t cap)
{
	size_t pos = 0;
	assert_int_equal(lzma_easy_buffer_encode(6, LZMA_CHECK_CRC64, NULL, (const uint8_t *)s, n,
						 out, &pos, cap), LZMA_OK);
	return pos;
}

/* Reads @path with @max; asserts success and the content @want. */
static void expect_content(const char *path, size_t max, const char *want, size_t wantlen,
			   enum lab_input_coding coding)
{
	char *buf, err[256];
	size_t len;
	enum lab_input_coding got;
	assert_int_equal(lab_input_read(path, max, &buf, &len, &got, err, sizeof(err)), 0);
	assert_int_equal(len, wantlen);
	assert_memory_equal(buf, want, wantlen);
	assert_int_equal(buf[len], '\0');
	assert_int_equal(got, coding);
	free(buf);
}

/* Reads @path; asserts failure with @rc and an error that names the file and says @why. */
static void expect_error(const char *path, size_t max, int rc, const char *why)
{
	char *buf = (char *)1, err[256];
	size_t len = 1;
	assert_int_equal(lab_input_read(path, max, &buf, &len, NULL, err, sizeof(err)), rc);
	assert_null(buf);
	assert_int_equal(len, 0);
	assert_true(strncmp(err, path, strlen(path)) == 0);
	if (!strstr(err, why))
		fail_msg("error '%s' does not say '%s'", err, why);
}

/* A plain file comes back byte for byte, NULs included, NUL-terminated. */
static void test_input_plain_file_is_returned_as_read(void **state)
{
	static const char text[] = "line one\n\0binary\nlast";
	const char *path = tmp_path(".txt");
	(void)state;
	write_file(path, text, sizeof(text) - 1);
	expect_content(path, LAB_INPUT_NO_LIMIT, text, sizeof(text) - 1, LAB_INPUT_PLAIN);
	unlink(path);
}

/* gzip members written one after another (gzip -c a b) read as a then b. */
static void test_input_gzip_members_are_concatenated(void **state)
{
	unsigned char z[512];
	size_t n = gz_member("first part\n", 11, z, sizeof(z));
	const char *path = tmp_path(".gz");
	(void)state;
	n += gz_member("second part\n", 12, z + n, sizeof(z) - n);
	write_file(path, z, n);
	expect_content(path, LAB_INPUT_NO_LIMIT, "first part\nsecond part\n", 23, LAB_INPUT_GZIP);
	unlink(path);
}

/* NUL bytes after the last gzip member (block padding) are not data. */
static void test_input_gzip_nul_padding_is_ignored(void **state)
{
	unsigned char z[512] = { 0 };
	size_t n = gz_member("padded\n", 7, z, sizeof(z));
	const char *path = tmp_path(".gz");
	(void)state;
	write_file(path, z, n + 64);
	expect_content(path, LAB_INPUT_NO_LIMIT, "padded\n", 7, LAB_INPUT_GZIP);
	unlink(path);
}

/* Other bytes after the last member may be a damaged member: an error, not a short log. */
static void test_input_gzip_trailing_garbage_is_an_error(void **state)
{
	unsigned char z[512];
	size_t n = gz_member("then garbage\n", 13, z, sizeof(z));
	const char *path = tmp_path(".gz");
	(void)state;
	memcpy(z + n, "garbage", 7);
	write_file(path, z, n + 7);
	expect_error(path, LAB_INPUT_NO_LIMIT, -EINVAL, "corrupt gzip data");
	unlink(path);
}

/* A gzip file cut short is an error that says so. */
static void test_input_truncated_gzip_is_an_error(void **state)
{
	char text[4096];
	unsigned char z[8192];
	const char *path = tmp_path(".gz");
	(void)state;
	for (size_t i = 0; i < sizeof(text); i++)
		text[i] = (char)('a' + (i * 7919) % 26);
	size_t n = gz_member(text, sizeof(text), z, sizeof(z));
	write_file(path, z, n / 2);
	expect_error(path, LAB_INPUT_NO_LIMIT, -EINVAL, "truncated gzip data");
	unlink(path);
}

/* xz streams one after another read as one text. */
static void test_input_xz_streams_are_concatenated(void **state)
{
	unsigned char x[1024];
	size_t n = xz_stream("first part\n", 11, x, sizeof(x));
	const char *path = tmp_path(".xz");
	(void)state;
	n += xz_stream("second part\n", 12, x + n, sizeof(x) - n);
	write_file(path, x, n);
	expect_content(path, LAB_INPUT_NO_LIMIT, "first part\nsecond part\n", 23, LAB_INPUT_XZ);
	unlink(path);
}

/* An xz file cut short is an error that says so. */
static void test_input_truncated_xz_is_an_error(void **state)
{
	char text[4096];
	unsigned char x[8192];
	const char *path = tmp_path(".xz");
	(void)state;
	for (size_t i = 0; i < sizeof(text); i++)
		text[i] = (char)('a' + (i * 7919) % 26);
	size_t n = xz_stream(text, sizeof(text), x, sizeof(x));
	write_file(path, x, n / 2);
	expect_error(path, LAB_INPUT_NO_LIMIT, -EINVAL, "truncated xz data");
	unlink(path);
}

/* The limit holds for the file and for what it decompresses to; exactly the limit is fine. */
static void test_input_limit_applies_raw_and_decompressed(void **state)
{
	char text[100];
	unsigned char z[512];
	const char *path = tmp_path(".lim");
	(void)state;
	memset(text, 'x', sizeof(text));
	write_file(path, text, sizeof(text));
	expect_error(path, 99, -EFBIG, "larger than 99 bytes");
	expect_content(path, 100, text, sizeof(text), LAB_INPUT_PLAIN);
	size_t n = gz_member(text, sizeof(text), z, sizeof(z));
	write_file(path, z, n);
	expect_error(path, 99, -EFBIG, "decompresses to more than 99 bytes");
	expect_content(path, 100, text, sizeof(text), LAB_INPUT_GZIP);
	unlink(path);
}

/* A file that does not exist: the errno, and a message naming the file and the reason. */
static void test_input_missing_file_names_it(void **state)
{
	(void)state;
	expect_error("/nonexistent/kern.log", LAB_INPUT_NO_LIMIT, -ENOENT,
		     "/nonexistent/kern.log: cannot open: ");
}

/* "-" reads standard input, decompressed like a file; errors call it <stdin>. */
static void test_input_dash_reads_stdin(void **state)
{
	unsigned char x[512];
	size_t n = xz_stream("from stdin\n", 11, x, sizeof(x));
	const char *path = tmp_path(".stdin.xz");
	(void)state;
	write_file(path, x, n);
	assert_non_null(freopen(path, "rb", stdin));
	expect_content("-", LAB_INPUT_NO_LIMIT, "from stdin\n", 11, LAB_INPUT_XZ);
	assert_string_equal(lab_input_name("-"), "<stdin>");
	assert_string_equal(lab_input_name("kern.log"), "kern.log");
	unlink(path);
}

/* Reads DATA/trace.dat whole into *@len bytes. */
static unsigned char *read_dat(size_t *len)
{
	char *buf, err[256];
	assert_int_equal(lab_input_read(DATA "/trace.dat", LAB_INPUT_NO_LIMIT, &buf, len, NULL, err,
					sizeof(err)), 0);
	return (unsigned char *)buf;
}

/* A trace.dat compressed with xz or gzip gives the events of the plain file. */
static void test_input_compressed_trace_dat_loads_like_plain(void **state)
{
	struct lab_ftrace_opts o = { .era = LAB_GFP_ERA_6_13 };
	struct lab_ftrace plain, packed;
	char err[512];
	size_t len;
	(void)state;
	int rc = lab_ftrace_load(DATA "/trace.dat", &o, &plain, err, sizeof(err));
	if (rc == LAB_FTRACE_ENOSYS)
		skip();
	assert_int_equal(rc, 0);
	unsigned char *dat = read_dat(&len);
	size_t cap = len + len / 2 + 65536;
	unsigned char *c = malloc(cap);
	assert_non_null(c);
	for (int kind = 0; kind < 2; kind++) {
		const char *path = tmp_path(kind ? ".dat.gz" : ".dat.xz");
		size_t n = kind ? gz_member((const char *)dat, len, c, cap) :
				  xz_stream((const char *)dat, len, c, cap);
		write_file(path, c, n);
		assert_int_equal(lab_ftrace_load(path, &o, &packed, err, sizeof(err)), 0);
		assert_int_equal(packed.layout, LAB_FTRACE_LAYOUT_DAT);
		assert_int_equal(packed.nr, plain.nr);
		assert_memory_equal(packed.ev, plain.ev, plain.nr * sizeof(*plain.ev));
		lab_ftrace_free(&packed);
		unlink(path);
	}
	free(c);
	free(dat);
	lab_ftrace_free(&plain);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_input_plain_file_is_returned_as_read),
		cmocka_unit_test(test_input_gzip_members_are_concatenated),
		cmocka_unit_test(test_input_gzip_nul_padding_is_ignored),
		cmocka_unit_test(test_input_gzip_trailing_garbage_is_an_error),
		cmocka_unit_test(test_input_truncated_gzip_is_an_error),
		cmocka_unit_test(test_input_xz_streams_are_concatenated),
		cmocka_unit_test(test_input_truncated_xz_is_an_error),
		cmocka_unit_test(test_input_limit_applies_raw_and_decompressed),
		cmocka_unit_test(test_input_missing_file_names_it),
		cmocka_unit_test(test_input_dash_reads_stdin),
		cmocka_unit_test(test_input_compressed_trace_dat_loads_like_plain),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
