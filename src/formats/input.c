/* SPDX-License-Identifier: MIT */
/*
 * formats/input.c - reads a whole input file and undoes gzip or xz
 * (formats/input.h says what and which errors).
 *
 * Every stage fills one growing buffer (struct obuf) that refuses to grow
 * past the caller's limit, so a decompression bomb ends as "larger than
 * ..." instead of eating memory. The read is stdio (works for pipes and
 * stdin, where the size is unknown beforehand).
 */
#include "formats/input.h"
#include "util/text.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lzma.h>
#include <zlib.h>

/*
 * A growing output buffer. Invariant: n < cap (room for the NUL), and
 * cap <= max + 2: holding max + 1 bytes is enough to know the input is
 * over the limit.
 */
struct obuf {
	char *b;
	size_t n, cap, max;
};

static int obuf_init(struct obuf *o, size_t cap, size_t max)
{
	o->n = 0;
	o->max = max;
	o->cap = cap > max + 2 ? max + 2 : cap;
	o->b = malloc(o->cap);
	return o->b ? 0 : -ENOMEM;
}

/* Room for at least one more byte and the NUL: 0, -ENOMEM or -EFBIG. */
static int obuf_room(struct obuf *o)
{
	size_t nc;
	char *nb;

	if (o->n + 1 < o->cap)
		return 0;
	if (o->n > o->max)
		return -EFBIG;
	nc = o->cap > o->max / 2 ? o->max + 2 : o->cap * 2;
	if (nc <= o->cap)
		return -EFBIG;
	nb = realloc(o->b, nc);
	if (!nb)
		return -ENOMEM;
	o->b = nb;
	o->cap = nc;
	return 0;
}

/* "1 GiB", "512 MiB" or a byte count: the limit as errors print it. */
static const char *size_words(size_t v, char *buf, size_t size)
{
	if (v >= ((size_t)1 << 30) && v % ((size_t)1 << 30) == 0)
		snprintf(buf, size, "%zu GiB", v >> 30);
	else if (v >= ((size_t)1 << 20) && v % ((size_t)1 << 20) == 0)
		snprintf(buf, size, "%zu MiB", v >> 20);
	else
		snprintf(buf, size, "%zu bytes", v);
	return buf;
}

/* All of @f: 0, -ENOMEM, -EFBIG or the read's -errno. */
static int read_all(FILE *f, struct obuf *o)
{
	for (;;) {
		int rc = obuf_room(o);
		size_t got;

		if (rc)
			return rc;
		got = fread(o->b + o->n, 1, o->cap - 1 - o->n, f);
		o->n += got;
		if (o->n > o->max)
			return -EFBIG;
		if (got == 0)
			return ferror(f) ? -(errno ? errno : EIO) : 0;
	}
}

static bool all_nul(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/*
 * gzip members one after another (RFC 1952 allows any number; zcat prints
 * them all). After the last one only NUL padding may follow: other bytes
 * may be a damaged member, and a silently short log or trace would be
 * read as a complete one. Returns 0 or -errno; -EINVAL says why in @why.
 */
static int gunzip(const unsigned char *in, size_t inlen, struct obuf *o, char *why, size_t whysz)
{
	z_stream zs;
	size_t pos = 0;
	int rc = 0;

	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
		return -ENOMEM;
	for (;;) {
		uInt in_chunk = inlen - pos > (1u << 30) ? (1u << 30) : (uInt)(inlen - pos);
		uInt out_room;
		int zr;

		if ((rc = obuf_room(o)) != 0)
			break;
		out_room = o->cap - 1 - o->n > (1u << 30) ? (1u << 30) : (uInt)(o->cap - 1 - o->n);
		zs.next_in = (Bytef *)(uintptr_t)(in + pos);
		zs.avail_in = in_chunk;
		zs.next_out = (Bytef *)(o->b + o->n);
		zs.avail_out = out_room;
		zr = inflate(&zs, Z_NO_FLUSH);
		pos += in_chunk - zs.avail_in;
		o->n += out_room - zs.avail_out;
		if (zr == Z_STREAM_END) {
			if (pos == inlen || all_nul(in + pos, inlen - pos))
				break;
			if (inlen - pos >= 2 && in[pos] == 0x1f && in[pos + 1] == 0x8b &&
			    inflateReset(&zs) == Z_OK)
				continue;
			snprintf(why, whysz, "corrupt gzip data (bytes after the last member)");
			rc = -EINVAL;
			break;
		}
		if (zr == Z_OK)
			continue;
		if (zr == Z_MEM_ERROR) {
			rc = -ENOMEM;
			break;
		}
		/* Z_BUF_ERROR: no progress although there was output room, so
		 * the input ended inside the member */
		if (zr == Z_BUF_ERROR)
			snprintf(why, whysz, "truncated gzip data");
		else
			snprintf(why, whysz, "corrupt gzip data (%s)", zs.msg ? zs.msg : "zlib error");
		rc = -EINVAL;
		break;
	}
	inflateEnd(&zs);
	return rc;
}

/* xz streams, concatenated and padded as xz(1) writes them. */
static int unxz(const unsigned char *in, size_t inlen, struct obuf *o, char *why, size_t whysz)
{
	lzma_stream s = LZMA_STREAM_INIT;
	int rc = 0;

	if (lzma_stream_decoder(&s, UINT64_MAX, LZMA_CONCATENATED) != LZMA_OK)
		return -ENOMEM;
	s.next_in = in;
	s.avail_in = inlen;
	for (;;) {
		lzma_ret lr;

		if ((rc = obuf_room(o)) != 0)
			break;
		s.next_out = (uint8_t *)(o->b + o->n);
		s.avail_out = o->cap - 1 - o->n;
		lr = lzma_code(&s, LZMA_FINISH);
		o->n = (size_t)((char *)s.next_out - o->b);
		if (lr == LZMA_STREAM_END)
			break;
		if (lr == LZMA_OK)
			continue;
		if (lr == LZMA_MEM_ERROR) {
			rc = -ENOMEM;
			break;
		}
		/* LZMA_BUF_ERROR with output room: the input ended early */
		snprintf(why, whysz, "%s xz data", lr == LZMA_BUF_ERROR ? "truncated" : "corrupt");
		rc = -EINVAL;
		break;
	}
	lzma_end(&s);
	return rc;
}

static enum lab_input_coding coding_of(const unsigned char *b, size_t n)
{
	if (n >= 2 && b[0] == 0x1f && b[1] == 0x8b)
		return LAB_INPUT_GZIP;
	if (n >= 6 && memcmp(b, "\xfd" "7zXZ\0", 6) == 0)
		return LAB_INPUT_XZ;
	return LAB_INPUT_PLAIN;
}

const char *lab_input_name(const char *path)
{
	return strcmp(path, "-") == 0 ? "<stdin>" : path;
}

/* Replaces @raw by its decompressed content; frees @raw either way. */
static int decompress(struct obuf *raw, enum lab_input_coding coding, const char *name,
		      char *err, size_t errsz)
{
	const unsigned char *in = (const unsigned char *)raw->b;
	char why[160] = "corrupt compressed data";
	struct obuf o;
	char lim[32];
	int rc;

	/* a first guess (text compresses about 4:1); the buffer doubles from there */
	rc = obuf_init(&o, raw->n < raw->max / 4 ? raw->n * 4 + 65536 : raw->n, raw->max);
	if (!rc)
		rc = coding == LAB_INPUT_GZIP ? gunzip(in, raw->n, &o, why, sizeof(why)) :
					       unxz(in, raw->n, &o, why, sizeof(why));
	if (!rc && o.n > o.max)		/* the last block filled the room for max + 1 */
		rc = -EFBIG;
	free(raw->b);
	raw->b = NULL;
	if (rc) {
		free(o.b);
		if (rc == -EFBIG)
			return lab_errf(err, errsz, rc, "%s: decompresses to more than %s", name,
				       size_words(o.max, lim, sizeof(lim)));
		if (rc == -ENOMEM)
			return lab_errf(err, errsz, rc, "%s: out of memory", name);
		return lab_errf(err, errsz, rc, "%s: %s", name, why);
	}
	*raw = o;
	return 0;
}

int lab_input_read(const char *path, size_t max, char **buf, size_t *len,
		   enum lab_input_coding *coding, char *err, size_t errsz)
{
	bool is_stdin = strcmp(path, "-") == 0;
	const char *name = lab_input_name(path);
	FILE *f = is_stdin ? stdin : fopen(path, "rb");
	enum lab_input_coding how;
	struct obuf o;
	char lim[32];
	int rc;

	*buf = NULL;
	*len = 0;
	if (coding)
		*coding = LAB_INPUT_PLAIN;
	if (err && errsz)
		err[0] = '\0';
	if (!f) {
		rc = errno ? errno : EIO;
		return lab_errf(err, errsz, -rc, "%s: cannot open: %s", name, strerror(rc));
	}
	rc = obuf_init(&o, (size_t)1 << 16, max);
	if (!rc)
		rc = read_all(f, &o);
	if (!is_stdin)
		fclose(f);
	if (rc) {
		free(o.b);
		if (rc == -EFBIG)
			return lab_errf(err, errsz, rc, "%s: larger than %s", name, size_words(max, lim, sizeof(lim)));
		if (rc == -ENOMEM)
			return lab_errf(err, errsz, rc, "%s: out of memory", name);
		return lab_errf(err, errsz, rc, "%s: cannot read: %s", name, strerror(-rc));
	}
	how = coding_of((const unsigned char *)o.b, o.n);
	if (how != LAB_INPUT_PLAIN && (rc = decompress(&o, how, name, err, errsz)) != 0)
		return rc;
	o.b[o.n] = '\0';
	*buf = o.b;
	*len = o.n;
	if (coding)
		*coding = how;
	return 0;
}
