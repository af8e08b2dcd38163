/* SPDX-License-Identifier: MIT */
/*
 * formats/dmesg_int.h - what the files of the dmesg reader share: ASCII
 * helpers, the parser state and the calls between the reader's steps
 * (dmesg.c's head comment describes the three steps).
 *
 *   dmesg.c          lab_dmesg_parse() (survey, lines, finalize), the
 *                    public helpers, reading files
 *   dmesg_lines.c    steps 1 and 2: prefixes off each physical line,
 *                    logical lines rebuilt from the pieces
 *   dmesg_report.c   step 3: failure line, CPU line, call trace, routing
 *                    of lines to reports, completeness and context
 *   dmesg_meminfo.c  step 3 in the Mem-Info body: summary, zone,
 *                    lowmem_reserve[], buddy and totals lines
 *
 *   bytes --lab__dmesg_survey--> style, quote depth
 *   bytes --lab__dmesg_read_lines--> logical lines --lab__dmesg_logical_line-->
 *         reports --lab__dmesg_finalize--> missing bits, context
 *
 * Single-threaded: one struct dmesg_parser per lab_dmesg_parse() call.
 */
#ifndef LAB_FORMATS_DMESG_INT_H
#define LAB_FORMATS_DMESG_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "formats/dmesg.h"

#pragma GCC visibility push(hidden)

/* ---- characters (ASCII only, never the locale) ------------------------- */

static inline bool is_digit(char c) { return c >= '0' && c <= '9'; }
static inline bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
static inline bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
static inline bool is_alpha(char c) { return is_upper(c) || is_lower(c); }
static inline bool is_alnum(char c) { return is_alpha(c) || is_digit(c); }
static inline bool is_ident(char c) { return is_alnum(c) || c == '_'; }
static inline bool is_blank(char c) { return c == ' ' || c == '\t'; }
static inline bool is_xdigit(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static inline const char *skip_blanks(const char *p)
{
	while (is_blank(*p))
		p++;
	return p;
}

static inline bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static inline bool ends_with(const char *s, size_t n, const char *suffix)
{
	size_t m = strlen(suffix);
	return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

static inline const char *token_end(const char *p)
{
	while (*p && !is_blank(*p))
		p++;
	return p;
}

/* Copies at most @size-1 bytes of [s, s+n), NUL-terminated, trimmed. */
static inline void copy_trim(char *dst, size_t size, const char *s, size_t n)
{
	while (n > 0 && is_blank(*s)) {
		s++;
		n--;
	}
	while (n > 0 && is_blank(s[n - 1]))
		n--;
	if (size == 0)
		return;
	if (n >= size)
		n = size - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

/* Decimal digits at *@p into *@out (saturating); false if none. */
static inline bool read_u64(const char **p, uint64_t *out)
{
	const char *s = *p;
	uint64_t v = 0;

	if (!is_digit(*s))
		return false;
	while (is_digit(*s)) {
		unsigned d = (unsigned)(*s - '0');
		v = v > (UINT64_MAX - d) / 10 ? UINT64_MAX : v * 10 + d;
		s++;
	}
	*p = s;
	*out = v;
	return true;
}

static inline bool read_hex(const char **p, uint64_t *out)
{
	const char *s = *p;
	uint64_t v = 0;
	int n = 0;

	while (is_xdigit(*s)) {
		unsigned d = is_digit(*s) ? (unsigned)(*s - '0')
			     : (unsigned)((*s | 0x20) - 'a' + 10);
		if (n < 16)
			v = v << 4 | d;
		n++;
		s++;
	}
	if (n == 0)
		return false;
	*p = s;
	*out = v;
	return true;
}

/* "kB" or "KB" (reserved_highatomic prints "KB") at @p. */
static inline bool is_kb_suffix(const char *p)
{
	return (p[0] == 'k' || p[0] == 'K') && p[1] == 'B';
}

/* ---- the parser state ---------------------------------------------------- */

/* The input's dominant line style: what makes a physical line the
 * continuation of the previous one (dmesg.c, step 2). */
enum style { STYLE_BARE, STYLE_TS, STYLE_INDENT };

#define LSLOTS 4	/* printk callers with a record open at once */

/* Where in its report the next routed line is (lab_dmesg_report.phase). */
enum phase { PH_HEADER = 0, PH_TRACE, PH_MEMINFO };

struct dmesg_parser {
	struct lab_dmesg_log *log;
	size_t cap;
	long current;		/* report receiving untagged lines, -1 none */
	long trace_owner;	/* untagged report whose dump_stack() printed last, -1 none */
	bool nomem;
	bool banner;		/* log->version came from "Linux version" */
	enum style style;
	int main_depth;
	/* The logical lines being rebuilt: one per printk caller whose last
	 * line is a record the kernel prints in pieces (KERN_CONT: buddy
	 * lines, lowmem_reserve[], "Node N " + zone line) and may still get
	 * pieces after another CPU's lines; slot @cur got the last physical
	 * line. Untagged logs use one slot at a time. */
	struct lslot {
		char *buf;
		size_t len, cap;
		bool open;
		int line, depth;
		bool has_tag;
		char tag[32];
	} slot[LSLOTS];
	int cur;
	bool last_trailing;
	/* one physical line */
	char *pbuf;
	size_t pcap;
};

/* ---- calls between the steps --------------------------------------------- */

/* dmesg_lines.c: pass 1 sets P->style and P->main_depth from the whole
 * input; pass 2 rebuilds logical lines and hands each to
 * lab__dmesg_logical_line(). Returns the number of physical lines. */
void lab__dmesg_survey(struct dmesg_parser *P, const char *buf, size_t len);
int lab__dmesg_read_lines(struct dmesg_parser *P, const char *buf, size_t len);

/* dmesg_report.c: one logical line (NUL-terminated, at input line @line);
 * then, after the last, the missing bits and context of every report. */
void lab__dmesg_logical_line(struct dmesg_parser *P, const char *text, int line,
			     const char *tag, bool has_tag);
void lab__dmesg_finalize(struct lab_dmesg_log *log);

/* dmesg_demux.c: the report an untagged line belongs to when several
 * untagged reports are in flight, by each report's grammar; false when at
 * most one is (the caller routes as before). *@out NULL: no report expects
 * the line. Counts ambiguous choices in the chosen report. */
bool lab__dmesg_demux(struct dmesg_parser *P, const char *t, int line,
		      struct lab_dmesg_report **out);
/* Records where in its grammar report @r is after line @t was routed to it
 * (every line routed, so the state is there when a second report starts). */
void lab__dmesg_demux_seen(struct dmesg_parser *P, struct lab_dmesg_report *r, const char *t);

/* dmesg_meminfo.c: recognisers of zone and buddy lines (also used to find
 * where a record starts), and the readers of the Mem-Info body. */
bool lab__dmesg_is_zone_line(const char *t, int *node, char *name, size_t size, const char **fields);
bool lab__dmesg_is_buddy_line(const char *t, int *node, char *name, size_t size, const char **counts);
bool lab__dmesg_meminfo_line(struct lab_dmesg_report *r, const char *t, int line);
bool lab__dmesg_meminfo_line_kind(const char *t);
void lab__dmesg_parse_summary(struct lab_dmesg_report *r, const char *p);
void lab__dmesg_parse_totals(struct lab_dmesg_report *r, const char *t);

#pragma GCC visibility pop

#endif
