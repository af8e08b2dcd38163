/* SPDX-License-Identifier: MIT */
/*
 * util/text.h - two text helpers every floor above the core uses: a bounded
 * string buffer that keeps snprintf's "length it would have had" (so a
 * caller can tell truncation and size a second try), and the "fill the
 * caller's error buffer, return a code" idiom of the readers, and the
 * commands' one-line error message.
 *
 *   struct lab_sbuf: buf[0 .......... len) ... size
 *                         written         |  room (len may pass size:
 *                                            the text was cut there)
 *
 * Hosted C (stdio); the core never includes this.
 */
#ifndef LAB_UTIL_TEXT_H
#define LAB_UTIL_TEXT_H

#include <stdarg.h>
#include <stddef.h>

struct lab_sbuf {
	char *buf;
	size_t size, len;
};

/* Appends printf-style text; len counts what was asked for, even past size. */
void lab_sb_printf(struct lab_sbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* "labyrinth CMD: MESSAGE" and a newline on stderr; returns @rc (the
 * command's exit status for this error). */
int lab_cmd_error(const char *cmd, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int lab_cmd_verror(const char *cmd, int rc, const char *fmt, va_list ap) __attribute__((format(printf, 3, 0)));

/* Formats into @err (when non-NULL and @errsz > 0) and returns @rc. */
int lab_errf(char *err, size_t errsz, int rc, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
