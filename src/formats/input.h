/* SPDX-License-Identifier: MIT */
/*
 * formats/input.h - the one file reader of formats/: a whole file (or "-",
 * standard input) into memory, gzip and xz undone.
 *
 * Compression is recognised by its magic bytes, never by the file's name
 * (a log saved as kern.log may be gzip; a .gz may have been decompressed
 * already):
 *
 *   1f 8b              gzip (zlib; concatenated members as `gzip -c a b`
 *                      writes, NUL padding after the last member ignored)
 *   fd 37 7a 58 5a 00  xz (liblzma; concatenated streams and stream padding)
 *
 * Anything else is returned as read. Errors are one line that names the
 * file ("<stdin>" for "-") and says what went wrong:
 *
 *   PATH: cannot open: No such file or directory
 *   PATH: cannot read: Input/output error
 *   PATH: larger than 1 GiB              (raw or decompressed, see @max)
 *   PATH: truncated gzip data            PATH: corrupt gzip data (...)
 *   PATH: truncated xz data              PATH: corrupt xz data
 *   PATH: out of memory
 *
 * Cost: one read of the file, one decompression pass; the buffer doubles
 * as it fills (amortised O(size) copying).
 */
#ifndef LAB_FORMATS_INPUT_H
#define LAB_FORMATS_INPUT_H

#include <stddef.h>

/* How the bytes were stored (what lab_input_read() undid). */
enum lab_input_coding {
	LAB_INPUT_PLAIN = 0,
	LAB_INPUT_GZIP,
	LAB_INPUT_XZ,
};

/* @max for readers that take any size memory allows. */
#define LAB_INPUT_NO_LIMIT ((size_t)-1 / 2)

/*
 * Reads @path ("-" = stdin) into a malloc'd buffer, NUL-terminated (*@len
 * excludes the NUL; the data itself may contain NULs), decompressed when
 * it is gzip or xz; *@coding (may be NULL) says which. More than @max
 * bytes, raw or decompressed, is an error. Returns 0, or a negative errno
 * with the message in @err (@errsz may be 0): -ENOMEM when memory ran out,
 * -EFBIG over @max, -EINVAL for corrupt or truncated compressed data, the
 * open/read errno otherwise. *@buf is NULL after an error.
 */
int lab_input_read(const char *path, size_t max, char **buf, size_t *len,
		   enum lab_input_coding *coding, char *err, size_t errsz);

/* The name errors use for @path: "<stdin>" for "-", else @path. */
const char *lab_input_name(const char *path);

#endif
