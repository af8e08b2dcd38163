/* SPDX-License-Identifier: MIT */
/*
 * report/gfp.c - `labyrinth gfp`'s answers: a number decodes to the flag
 * names a kernel of the era printed ("mode:0xa20(GFP_ATOMIC)" shows
 * "GFP_ATOMIC"), names encode to their value. The tables are the core's
 * (src/core/gfp.c).
 */
#include <stdio.h>
#include "report/render.h"

/* A bare number ("0xa20", "2592", with spaces around): decode it; else encode. */
static int is_number(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	else if (!(*s >= '0' && *s <= '9'))
		return 0;
	while ((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f') || (*s >= 'A' && *s <= 'F'))
		s++;
	while (*s == ' ' || *s == '\t')
		s++;
	return *s == '\0';
}

void lab_report_gfp(FILE *out, const char *prefix, const char *arg, lab_gfp_t v, enum lab_gfp_era era)
{
	if (is_number(arg)) {
		char buf[512];

		lab_gfp_format(buf, sizeof(buf), v, era);
		fprintf(out, "%s%s\n", prefix, buf);
	} else {
		fprintf(out, "%s%#x\n", prefix, v);
	}
}

void lab_report_gfp_unknown(FILE *out, const char *prefix, const char *bad, size_t len)
{
	fprintf(out, "%s(no such flag in this era: %.*s)\n", prefix, (int)len, bad);
}
