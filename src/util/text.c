/* SPDX-License-Identifier: MIT */
/* util/text.c - the bounded string buffer, error formatting and command error line of util/text.h. */
#include "util/text.h"

#include <stdarg.h>
#include <stdio.h>

void lab_sb_printf(struct lab_sbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(sb->len < sb->size ? sb->buf + sb->len : NULL,
		      sb->len < sb->size ? sb->size - sb->len : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		sb->len += (size_t)n;
}

int lab_cmd_verror(const char *cmd, int rc, const char *fmt, va_list ap)
{
	fprintf(stderr, "labyrinth %s: ", cmd);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	return rc;
}

int lab_cmd_error(const char *cmd, int rc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	lab_cmd_verror(cmd, rc, fmt, ap);
	va_end(ap);
	return rc;
}

int lab_errf(char *err, size_t errsz, int rc, const char *fmt, ...)
{
	if (err && errsz) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, errsz, fmt, ap);
		va_end(ap);
	}
	return rc;
}
