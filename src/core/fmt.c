/* SPDX-License-Identifier: MIT */
/*
 * core/fmt.c - a small freestanding vsnprintf for the core's log lines.
 *
 * The core has no stdio, yet it must print Linux's messages ("BUG: Bad page
 * state in process %s  pfn:%05lx"). This supports exactly what those need:
 * %s %c %d %i %u %x %X %p %% with the l/ll/z length modifiers, '#', '0',
 * '-' and a field width. Output is always NUL-terminated when size > 0; the
 * return value is the length the whole string has (like snprintf).
 */
#include "internal.h"

struct out {
	char *buf;
	size_t size;
	size_t len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void put_padded(struct out *o, const char *s, size_t n, int width, bool left, char pad)
{
	int fill = width > (int)n ? width - (int)n : 0;
	if (!left) {
		/* zero padding goes after a sign */
		if (pad == '0' && n > 0 && s[0] == '-') {
			put(o, '-');
			s++;
			n--;
		}
		while (fill-- > 0)
			put(o, pad);
	}
	for (size_t i = 0; i < n; i++)
		put(o, s[i]);
	if (left)
		while (fill-- > 0)
			put(o, ' ');
}

static size_t utoa(char *tmp, unsigned long long v, unsigned base, bool upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char rev[24];
	size_t n = 0, i;
	do {
		rev[n++] = digits[v % base];
		v /= base;
	} while (v);
	for (i = 0; i < n; i++)
		tmp[i] = rev[n - 1 - i];
	return n;
}

int lab__vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };
	for (const char *f = fmt; *f; f++) {
		if (*f != '%') {
			put(&o, *f);
			continue;
		}
		f++;
		bool left = false, alt = false;
		char pad = ' ';
		for (;; f++) {
			if (*f == '-')
				left = true;
			else if (*f == '0')
				pad = '0';
			else if (*f == '#')
				alt = true;
			else
				break;
		}
		int width = 0;
		while (*f >= '0' && *f <= '9')
			width = width * 10 + (*f++ - '0');
		int lng = 0;
		while (*f == 'l') {
			lng++;
			f++;
		}
		if (*f == 'z') {
			lng = 1;
			f++;
		}
		char tmp[40];
		size_t n = 0;
		unsigned long long u;
		long long s;
		switch (*f) {
		case 's': {
			const char *str = va_arg(ap, const char *);
			if (!str)
				str = "(null)";
			put_padded(&o, str, strlen(str), width, left, ' ');
			break;
		}
		case 'c':
			tmp[0] = (char)va_arg(ap, int);
			put_padded(&o, tmp, 1, width, left, ' ');
			break;
		case 'd':
		case 'i':
			s = lng >= 2 ? va_arg(ap, long long) : lng ? va_arg(ap, long) : va_arg(ap, int);
			if (s < 0) {
				tmp[n++] = '-';
				u = (unsigned long long)(-(s + 1)) + 1;
			} else {
				u = (unsigned long long)s;
			}
			n += utoa(tmp + n, u, 10, false);
			put_padded(&o, tmp, n, width, left, pad);
			break;
		case 'u':
		case 'x':
		case 'X':
			u = lng >= 2 ? va_arg(ap, unsigned long long) :
			    lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned int);
			if (*f != 'u' && alt && u) {
				tmp[n++] = '0';
				tmp[n++] = 'x';
			}
			n += utoa(tmp + n, u, *f == 'u' ? 10 : 16, *f == 'X');
			if (*f != 'u' && alt && !u)
				n = (size_t)(tmp[0] = '0', tmp[1] = 'x', tmp[2] = '0', 3);
			put_padded(&o, tmp, n, width, left, pad);
			break;
		case 'p':
			u = (unsigned long long)(uintptr_t)va_arg(ap, void *);
			n = utoa(tmp, u, 16, false);
			/* %p in kernel messages: 16 hex digits, zero padded */
			put_padded(&o, tmp, n, width ? width : 16, left, '0');
			break;
		case '%':
			put(&o, '%');
			break;
		case '\0':
			f--;
			break;
		default:
			put(&o, '%');
			put(&o, *f);
			break;
		}
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int lab__snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = lab__vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

/* The same formatter for embedders (a board's UART log, a kernel's console):
 * declared in labyrinth/labyrinth.h. */
int lab_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = lab__vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
