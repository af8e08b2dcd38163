/* SPDX-License-Identifier: MIT */
/*
 * boards/common/libc.c - the string.h functions the core calls (memset,
 * memcpy, memmove, memcmp, strlen), because the boards link no C library.
 * Byte loops: the core calls them on small structures and, for __GFP_ZERO,
 * on whole pages; -fno-builtin keeps GCC from turning these loops back into
 * calls to themselves.
 */
#include <stddef.h>
#include <string.h>

void *memset(void *s, int c, size_t n)
{
	unsigned char *p = s;
	while (n--)
		*p++ = (unsigned char)c;
	return s;
}

void *memcpy(void *restrict d, const void *restrict s, size_t n)
{
	unsigned char *dp = d;
	const unsigned char *sp = s;
	while (n--)
		*dp++ = *sp++;
	return d;
}

void *memmove(void *d, const void *s, size_t n)
{
	unsigned char *dp = d;
	const unsigned char *sp = s;
	if (dp < sp) {
		while (n--)
			*dp++ = *sp++;
	} else {
		while (n--)
			dp[n] = sp[n];
	}
	return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;
	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}
