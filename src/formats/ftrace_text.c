// SPDX-License-Identifier: MIT
/*
 * formats/ftrace_text.c - ftrace text: the tracefs `trace` file and
 * `trace-cmd report` with or without -l. One line:
 *
 *   tracefs:       "  kworker/0:1-42   (   42) [000] d..1.  123.456789: EVENT: PAYLOAD"
 *   trace-cmd:     "  kworker/0:1-42   [000]  123.456789: EVENT: PAYLOAD"
 *   trace-cmd -l:  "  kworker/0:1-42     0d..1  123.456789: EVENT: PAYLOAD"
 *
 * Find the timestamp ("SECS.FRAC: "), parse the prefix to its left from
 * the right (irq-info column, [cpu], optional (tgid), then "comm-pid"
 * where comm may contain blanks and dashes), then hand "EVENT: PAYLOAD" to
 * the event's decoder (ftrace_events.c). Header lines ("# ...") and
 * trace-cmd's info lines are read for buffer sizes, CPU counts and lost
 * events.
 *
 * Cost: O(line length) per line, no allocation per line except for new
 * comms, unknown event names, gfp strings and markers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/ftrace_int.h"

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Finds "SECS.FRAC:" preceded by a blank; returns the ':' and sets *ts. */
static const char *find_timestamp(const char *s, const char *end, const char **ts)
{
	const char *c = s;
	while (c < end && (c = memchr(c, ':', (size_t)(end - c)))) {
		const char *q = c;
		if (c + 1 < end && c[1] != ' ') {
			c++;
			continue;
		}
		while (q > s && is_digit(q[-1]))
			q--;
		if (q == c || q - 1 <= s || q[-1] != '.') {
			c++;
			continue;
		}
		const char *r = q - 1;
		while (r > s && is_digit(r[-1]))
			r--;
		if (r == q - 1 || r == s || r[-1] != ' ') {
			c++;
			continue;
		}
		*ts = r;
		return c;
	}
	return NULL;
}

static void decode_irq_info(const char *f, size_t n, struct lab_ftrace_event *e)
{
	if (n < 3)
		return;
	if (f[0] == 'd' || f[0] == 'D')
		e->flags |= LAB_FTF_IRQS_OFF;
	switch (f[2]) {
	case '.':
		e->flags |= LAB_FTF_CTX_KNOWN | LAB_CTX_PROCESS;
		break;
	case 's':
		e->flags |= LAB_FTF_CTX_KNOWN | LAB_CTX_SOFTIRQ;
		break;
	case 'h':
	case 'H':
		e->flags |= LAB_FTF_CTX_KNOWN | LAB_CTX_HARDIRQ;
		break;
	case 'z':
	case 'Z':
		e->flags |= LAB_FTF_CTX_KNOWN | LAB_CTX_NMI;
		break;
	default:
		break;
	}
}

static bool irq_info_ok(const char *f, size_t n)
{
	if (n < 3 || n > 6)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!strchr(".dDbBXnNpLhHszZ0123456789abcdef", f[i]) || !f[i])
			return false;
	return true;
}

static int parse_header_line(struct ftrace_parser *p, const char *s, const char *end)
{
	struct lab_ftrace *t = p->t;
	const char *q;
	size_t n = (size_t)(end - s);
	if ((q = memmem(s, n, "entries-in-buffer/entries-written:", 34))) {
		q += 34;
		while (q < end && *q == ' ')
			q++;
		char buf[128];
		size_t m = (size_t)(end - q) < sizeof(buf) - 1 ? (size_t)(end - q) : sizeof(buf) - 1;
		memcpy(buf, q, m);
		buf[m] = 0;
		unsigned long long a, b;
		int np;
		if (sscanf(buf, "%llu/%llu", &a, &b) == 2) {
			t->entries_in_buffer = a;
			t->entries_written = b;
		}
		const char *pp = strstr(buf, "#P:");
		if (pp && sscanf(pp + 3, "%d", &np) == 1)
			t->nr_cpus = np;
	}
	if (memmem(s, n, "buffer started", 14))
		t->buffer_started++;
	return 0;
}

/*
 * Lines that are not events but are part of the formats: trace-cmd's
 * "cpus=2", "version = 6", "CPU 0 is empty", and the lost-events notice
 * "CPU:1 [LOST 123 EVENTS]". Returns true when @s is one of them.
 */
static bool parse_info_line(struct ftrace_parser *p, const char *s, const char *end)
{
	struct lab_ftrace *t = p->t;
	size_t n = (size_t)(end - s);
	const char *q;
	if ((q = memmem(s, n, "[LOST ", 6))) {
		uint64_t v = 0;
		const char *r = q + 6;
		while (r < end && is_digit(*r))
			v = v * 10 + (uint64_t)(*r++ - '0');
		t->lost_events += v;
		t->lost_reports++;
		return true;
	}
	if (n > 5 && !memcmp(s, "cpus=", 5)) {
		t->nr_cpus = atoi(s + 5) > 0 ? atoi(s + 5) : t->nr_cpus;
		return true;
	}
	if (n > 7 && !memcmp(s, "version", 7) && memchr(s, '=', n))
		return true;
	if (n > 4 && !memcmp(s, "CPU ", 4) && memmem(s, n, "is empty", 8))
		return true;
	if (n > 4 && !memcmp(s, "CPU:", 4) && memmem(s, n, "buffer started", 14)) {
		t->buffer_started++;
		return true;
	}
	return false;
}

/* "SECS.FRAC" at [@ts, @colon) into e->ts_ns. */
static int parse_timestamp(struct ftrace_parser *p, const char *ts, const char *colon,
			   struct lab_ftrace_event *e)
{
	uint64_t sec = 0, frac = 0;
	unsigned fd = 0;
	const char *q;

	for (q = ts; *q != '.'; q++)
		sec = sec * 10 + (uint64_t)(*q - '0');
	for (q++; q < colon; q++, fd++)
		if (fd < 9)
			frac = frac * 10 + (uint64_t)(*q - '0');
	if (fd > 9 || sec > UINT64_MAX / 1000000000ull - 1)
		return lab__ft_fail(p, "bad timestamp");
	for (; fd < 9; fd++)
		frac *= 10;
	e->ts_ns = sec * 1000000000ull + frac;
	return 0;
}

/*
 * The CPU and irq-info columns left of the timestamp at @ts (line starts
 * at @b), which also tell the layout: "[cpu] flags" (tracefs), "[cpu]"
 * (trace-cmd), "<cpu><flags>" (trace-cmd -l). *@left = where the columns
 * start: the comm-pid (and tgid) are left of it.
 */
static int parse_cpu_columns(struct ftrace_parser *p, const char *b, const char *ts,
			     struct lab_ftrace_event *e, enum lab_ftrace_layout *layout,
			     const char **left)
{
	const char *q = ts, *r, *cpu_s, *cpu_e;
	uint64_t c;

	while (q > b && q[-1] == ' ')
		q--;
	r = q;
	while (r > b && r[-1] != ' ')
		r--;
	if (r == q)
		return lab__ft_fail(p, "missing CPU column");
	if (*r == '[') {
		*layout = LAB_FTRACE_LAYOUT_TRACECMD;
		cpu_s = r;
		cpu_e = q;
	} else if (is_digit(*r)) {
		const char *d = r;
		*layout = LAB_FTRACE_LAYOUT_TRACECMD_LAT;
		while (d < q && is_digit(*d))
			d++;
		if (!irq_info_ok(d, (size_t)(q - d)))
			return lab__ft_fail(p, "bad CPU/irq-info column '%.*s'", (int)(q - r), r);
		decode_irq_info(d, (size_t)(q - d), e);
		if (!lab__ft_parse_u64(r, (size_t)(d - r), &c) || c > 65535)
			return lab__ft_fail(p, "bad CPU number");
		e->cpu = (uint16_t)c;
		*left = r;
		return 0;
	} else {
		if (!irq_info_ok(r, (size_t)(q - r)))
			return lab__ft_fail(p, "bad irq-info column '%.*s'", (int)(q - r), r);
		decode_irq_info(r, (size_t)(q - r), e);
		*layout = LAB_FTRACE_LAYOUT_TRACEFS;
		q = r;
		while (q > b && q[-1] == ' ')
			q--;
		r = q;
		while (r > b && r[-1] != ' ')
			r--;
		if (r == q || *r != '[')
			return lab__ft_fail(p, "missing [CPU] column");
		cpu_s = r;
		cpu_e = q;
	}
	if (cpu_e - cpu_s < 3 || cpu_e[-1] != ']' ||
	    !lab__ft_parse_u64(cpu_s + 1, (size_t)(cpu_e - cpu_s - 2), &c) || c > 65535)
		return lab__ft_fail(p, "bad [CPU] column '%.*s'", (int)(cpu_e - cpu_s), cpu_s);
	e->cpu = (uint16_t)c;
	*left = cpu_s;
	return 0;
}

/* "comm-pid" and the optional "(tgid)" in [@b, @q): the pid is after the
 * last '-' (comms may hold blanks and dashes). */
static int parse_comm_pid(struct ftrace_parser *p, const char *b, const char *q,
			  struct lab_ftrace_event *e)
{
	const char *r;
	uint64_t pid;
	long cid;

	while (q > b && q[-1] == ' ')
		q--;
	/* optional "(tgid)" column (record-tgid) */
	if (q > b && q[-1] == ')') {
		const char *o = q - 1;
		while (o > b && *o != '(')
			o--;
		if (*o == '(' && o > b && o[-1] == ' ') {
			q = o;
			while (q > b && q[-1] == ' ')
				q--;
		}
	}
	r = q;
	while (r > b && is_digit(r[-1]))
		r--;
	if (r == q || r == b || r[-1] != '-')
		return lab__ft_fail(p, "missing COMM-PID column");
	if (!lab__ft_parse_u64(r, (size_t)(q - r), &pid) || pid > UINT32_MAX)
		return lab__ft_fail(p, "bad pid");
	e->pid = (uint32_t)pid;
	cid = lab__ft_intern_comm(p, b, (size_t)(r - 1 - b), e->pid);
	if (cid < 0)
		return LAB_FTRACE_ENOMEM;
	e->comm = (uint32_t)cid;
	return 0;
}

#define TRY(x) do { int r_ = (x); if (r_) return r_; } while (0)

/* One line [s, end): an event is decoded and pushed; header and info
 * lines update the trace's totals. Returns 0, 1 (skipped, lenient) or a
 * negative LAB_FTRACE_E*. */
static int parse_line(struct ftrace_parser *p, const char *s, const char *end)
{
	struct lab_ftrace *t = p->t;
	struct lab_ftrace_event e;
	enum lab_ftrace_layout layout = LAB_FTRACE_LAYOUT_NONE;
	const char *ts, *colon, *left = NULL, *q, *r;

	while (end > s && (end[-1] == '\r' || end[-1] == ' ' || end[-1] == '\t'))
		end--;
	const char *b = s;
	while (b < end && (*b == ' ' || *b == '\t'))
		b++;
	if (b == end)
		return 0;
	if (*b == '#')
		return parse_header_line(p, b, end);
	if (parse_info_line(p, b, end))
		return 0;

	colon = find_timestamp(b, end, &ts);
	if (!colon)
		return lab__ft_fail(p, "not an ftrace event line (expected 'COMM-PID [CPU] FLAGS SECS.USECS: EVENT: FIELDS')");

	memset(&e, 0, sizeof(e));
	e.order = -1;
	e.mt = -1;
	e.line = p->lineno;
	TRY(parse_timestamp(p, ts, colon, &e));
	TRY(parse_cpu_columns(p, b, ts, &e, &layout, &left));
	TRY(parse_comm_pid(p, b, left, &e));

	/* "event: payload" */
	q = colon + 1;
	while (q < end && *q == ' ')
		q++;
	r = q;
	while (r < end && *r != ':' && *r != ' ')
		r++;
	if (r == q || r == end || *r != ':')
		return lab__ft_fail(p, "missing 'EVENT:' after the timestamp");
	const char *name = q;
	size_t namelen = (size_t)(r - q);
	q = r + 1;
	while (q < end && *q == ' ')
		q++;
	e.type = (uint8_t)lab__ft_type_of(name, namelen);
	TRY(lab__ft_decode_event(p, name, namelen, q, end, &e));
	if (t->layout == LAB_FTRACE_LAYOUT_NONE)
		t->layout = layout;
	t->count[e.type]++;
	return lab__ft_push_event(t, &e);
}

int lab_ftrace_parse_text(const char *buf, size_t len, const char *name,
			  const struct lab_ftrace_opts *o, struct lab_ftrace *t,
			  char *err, size_t errsz)
{
	struct ftrace_parser *p = malloc(sizeof(*p));
	int rc = 0;

	memset(t, 0, sizeof(*t));
	if (!p)
		return LAB_FTRACE_ENOMEM;
	lab__ft_parser_init(p, t, o, name, err, errsz);
	const char *s = buf, *end = buf + len;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *le = nl ? nl : end;
		p->lineno++;
		if (memchr(s, 0, (size_t)(le - s))) {
			rc = lab__ft_fail(p, "NUL byte in text");
		} else {
			rc = parse_line(p, s, le);
		}
		if (rc < 0)
			break;
		rc = 0;
		s = nl ? nl + 1 : end;
	}
	t->lines = p->lineno;
	lab__ft_parser_fini(p);
	free(p);
	if (rc < 0)
		lab_ftrace_free(t);
	return rc;
}

