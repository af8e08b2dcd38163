/* SPDX-License-Identifier: MIT */
/*
 * formats/dmesg_lines.c - steps 1 and 2 of the dmesg reader (dmesg.c says
 * why there are steps): each physical line loses its escapes, quote marks
 * and log prefixes (syslog, journal, ISO and logcat dates, console levels,
 * timestamps, dmesg -T, caller ids), and logical lines are rebuilt from
 * the pieces by the input's dominant style, then handed to step 3
 * (lab__dmesg_logical_line).
 *
 * Bounded work: two passes over the input (survey, then read_lines), each
 * O(len); a physical line is cut at PHYSICAL_MAX bytes, a logical one at
 * LOGICAL_MAX. Nothing assumes the input is NUL-free or NUL-terminated:
 * clean_line() copies each line into the parser's own buffer.
 */
#include "formats/dmesg_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOGICAL_MAX   (256u * 1024u)       /* bytes of one rebuilt line */
#define PHYSICAL_MAX  (1024u * 1024u)      /* bytes of one input line kept */

/* ---- step 1: prefixes of one physical line ------------------------------ */

struct pline {
	const char *content;	/* after quote marks and prefixes */
	int depth;		/* mail quote depth */
	bool ts;		/* some log prefix was removed */
	bool indent;		/* content starts with a blank (and !ts) */
	bool blank;
	bool trailing_space;	/* the line ended in a blank: format=flowed */
	bool has_tag;
	char tag[32];		/* caller id: "T123", "C3", "pid:1361" */
};

static bool is_month(const char *s)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	if (!s[0] || !s[1] || !s[2])
		return false;
	for (int i = 0; i < 12; i++)
		if (memcmp(s, months + 3 * i, 3) == 0)
			return true;
	return false;
}

static bool n_digits(const char *s, int n)
{
	for (int i = 0; i < n; i++)
		if (!is_digit(s[i]))
			return false;
	return true;
}

/* "hh:mm:ss" with an optional ".frac" or ",frac"; NULL if not a clock. */
static const char *match_clock(const char *p)
{
	if (!n_digits(p, 2) || p[2] != ':' || !n_digits(p + 3, 2) || p[5] != ':' ||
	    !n_digits(p + 6, 2))
		return NULL;
	p += 8;
	if ((*p == '.' || *p == ',') && is_digit(p[1])) {
		p++;
		while (is_digit(*p))
			p++;
	}
	return p;
}

static bool is_kernel_tag(const char *t, const char *e)
{
	size_t n = (size_t)(e - t);
	if (n == 7 && memcmp(t, "kernel:", 7) == 0)
		return true;
	return n > 8 && n < 32 && memcmp(t, "kernel[", 7) == 0 && e[-1] == ':';
}

/* After a syslog/ISO date: "[host] kernel: ". Returns where content starts. */
static const char *strip_host_tag(const char *p)
{
	const char *t1 = p, *e1 = token_end(p), *t2, *e2;

	if (is_kernel_tag(t1, e1))
		return e1;
	if (!*e1 || e1 - t1 > 64)
		return p;
	t2 = skip_blanks(e1);
	e2 = token_end(t2);
	if (is_kernel_tag(t2, e2))
		return e2;
	return p;
}

/* "Apr 14 07:01:06 alto kernel: ", "Dec 20 14:02:50 kernel: " */
static const char *strip_syslog(const char *s)
{
	const char *p;

	if (!is_month(s) || s[3] != ' ')
		return NULL;
	p = skip_blanks(s + 4);
	if (!is_digit(*p))
		return NULL;
	p++;
	if (is_digit(*p))
		p++;
	if (*p != ' ')
		return NULL;
	p = match_clock(p + 1);
	if (!p || *p != ' ')
		return NULL;
	return strip_host_tag(skip_blanks(p));
}

/* "2024-02-09T08:09:39.123456+00:00 host kernel: " */
static const char *strip_iso(const char *s)
{
	const char *p;

	if (!n_digits(s, 4) || s[4] != '-' || !n_digits(s + 5, 2) || s[7] != '-' ||
	    !n_digits(s + 8, 2) || (s[10] != 'T' && s[10] != ' '))
		return NULL;
	p = match_clock(s + 11);
	if (!p)
		return NULL;
	if (*p == 'Z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int n = 0;
		p++;
		while ((is_digit(*p) || *p == ':') && n++ < 5)
			p++;
	}
	if (*p != ' ')
		return NULL;
	return strip_host_tag(skip_blanks(p));
}

/* Android logcat "07-13 08:41:51.341 " (threadtime: "  PID  TID W TAG: "). */
static const char *strip_logcat(const char *s)
{
	const char *p, *q;

	if (!n_digits(s, 2) || s[2] != '-' || !n_digits(s + 3, 2) || s[5] != ' ')
		return NULL;
	p = match_clock(s + 6);
	if (!p || *p != ' ')
		return NULL;
	p = skip_blanks(p);
	q = p;
	if (is_digit(*q)) {
		while (is_digit(*q))
			q++;
		q = skip_blanks(q);
		if (is_digit(*q)) {
			while (is_digit(*q))
				q++;
			q = skip_blanks(q);
			if (*q && strchr("VDIWEFA", *q) && q[1] == ' ') {
				const char *colon = strstr(q, ": ");
				if (colon && colon - q < 48)
					return colon + 2;
			}
		}
	}
	return p;
}

/* "<4>" (also "<12>" with a facility). */
static const char *strip_level(const char *s)
{
	int n = 0;
	const char *p = s + 1;

	if (*s != '<')
		return NULL;
	while (is_digit(*p) && n < 3) {
		p++;
		n++;
	}
	return n > 0 && *p == '>' ? p + 1 : NULL;
}

/* "[ 1234.567890]", "[309805.658142s]" */
static const char *strip_time(const char *s)
{
	const char *p = s + 1;

	if (*s != '[')
		return NULL;
	p = skip_blanks(p);
	if (!is_digit(*p))
		return NULL;
	while (is_digit(*p))
		p++;
	if (*p != '.' || !is_digit(p[1]))
		return NULL;
	p++;
	while (is_digit(*p))
		p++;
	if (*p == 's')
		p++;
	return *p == ']' ? p + 1 : NULL;
}

/* dmesg -T: "[Wed Nov 25 10:11:12 2020]" */
static const char *strip_dmesg_t(const char *s)
{
	const char *p;

	if (s[0] != '[' || !is_alpha(s[1]) || !is_alpha(s[2]) || !is_alpha(s[3]) ||
	    s[4] != ' ' || !is_month(s + 5) || s[8] != ' ')
		return NULL;
	p = skip_blanks(s + 9);
	if (!is_digit(*p))
		return NULL;
	p++;
	if (is_digit(*p))
		p++;
	if (*p != ' ')
		return NULL;
	p = match_clock(p + 1);
	if (!p || *p != ' ' || !n_digits(p + 1, 4) || p[5] != ']')
		return NULL;
	return p + 6;
}

static void set_tag(struct pline *pl, const char *s, size_t n)
{
	if (n >= sizeof(pl->tag))
		n = sizeof(pl->tag) - 1;
	memcpy(pl->tag, s, n);
	pl->tag[n] = '\0';
	pl->has_tag = true;
}

/* Caller ids: "[ T2438]", "[C3]", "[pid:1361,cpu5,comm]", "[3:  comm:22875]". */
static const char *strip_caller(const char *s, struct pline *pl)
{
	const char *p, *close;

	if (*s != '[')
		return NULL;
	p = skip_blanks(s + 1);
	if ((*p == 'T' || *p == 'C') && is_digit(p[1])) {
		const char *d = p + 1;
		while (is_digit(*d))
			d++;
		if (*d == ']') {
			set_tag(pl, p, (size_t)(d - p));
			return d + 1;
		}
		return NULL;
	}
	close = strchr(p, ']');
	if (!close || close - p > 80)
		return NULL;
	if (starts_with(p, "pid:") && is_digit(p[4])) {
		const char *d = p + 4;
		while (is_digit(*d))
			d++;
		set_tag(pl, p, (size_t)(d - p));
		return close + 1;
	}
	if (is_digit(*p)) {
		/* Samsung: "[cpu:  comm:pid]" - the pid after the last ':' */
		const char *d = p, *c, *last = NULL;
		while (is_digit(*d))
			d++;
		if (*d != ':' || !is_blank(d[1]))
			return NULL;
		for (c = d + 1; c < close; c++)
			if (*c == ':')
				last = c;
		if (!last || last == close - 1)
			return NULL;
		for (c = last + 1; c < close; c++)
			if (!is_digit(*c))
				return NULL;
		{
			char t[32];
			int n = snprintf(t, sizeof(t), "pid:%.*s", (int)(close - last - 1), last + 1);
			if (n > 0)
				set_tag(pl, t, strlen(t));
		}
		return close + 1;
	}
	return NULL;
}

/* dmesg -x: "kern  :warn  : " */
static const char *strip_facility(const char *s)
{
	const char *p;

	if (!starts_with(s, "kern"))
		return NULL;
	p = skip_blanks(s + 4);
	if (*p != ':')
		return NULL;
	p++;
	if (!is_lower(*p))
		return NULL;
	while (is_lower(*p))
		p++;
	p = skip_blanks(p);
	return *p == ':' ? p + 1 : NULL;
}

/* Fills @pl from the cleaned physical line @s. */
static void classify(const char *s, struct pline *pl)
{
	const char *p = s;
	bool any = false;

	memset(pl, 0, sizeof(*pl));
	while (*p == '>') {
		pl->depth++;
		p++;
		if (*p == ' ')
			p++;
	}
	for (int guard = 0; guard < 8; guard++) {
		const char *q = any ? skip_blanks(p) : p, *n;
		if ((n = strip_syslog(q)) || (n = strip_iso(q)) || (n = strip_logcat(q)) ||
		    (n = strip_level(q)) || (n = strip_time(q)) || (n = strip_dmesg_t(q)) ||
		    (n = strip_caller(q, pl)) || (n = strip_facility(q))) {
			p = n;
			any = true;
			continue;
		}
		break;
	}
	if (any && p[0] == ':' && p[1] == ' ')
		p += 2;			/* "[ts]: symbol" pastes */
	pl->ts = any;
	pl->content = p;
	pl->blank = *skip_blanks(p) == '\0';
	pl->indent = !any && is_blank(*p);
}


static bool grow(char **buf, size_t *cap, size_t need)
{
	size_t ncap;
	char *n;

	if (need <= *cap)
		return true;
	ncap = *cap ? *cap : 256;
	while (ncap < need)
		ncap *= 2;
	n = realloc(*buf, ncap);
	if (!n)
		return false;
	*buf = n;
	*cap = ncap;
	return true;
}

/* ---- step 2: rebuilding logical lines ------------------------------------ */

/* Keys of zone, node and summary lines: a wrap inside one of them is joined
 * without a blank ("writebac" + "k:0kB"). */
static const char *const known_keys[] = {
	"free", "boost", "min", "low", "high", "reserved_highatomic", "active_anon",
	"inactive_anon", "active_file", "inactive_file", "unevictable", "isolated(anon)",
	"isolated(file)", "writepending", "present", "managed", "mlocked",
	"kernel_stack", "shadow_call_stack", "pagetables", "sec_pagetables", "bounce",
	"free_pcp", "local_pcp", "free_cma", "dirty", "writeback", "mapped", "shmem",
	"shmem_thp", "shmem_pmdmapped", "anon_thp", "writeback_tmp", "unstable",
	"slab_reclaimable", "slab_unreclaimable", "pages_scanned", "isolated_anon",
	"isolated_file", "kernel_misc_reclaimable", "active", "inactive", "slab",
	"all_unreclaimable?",
};

static bool is_known_key(const char *s, size_t n)
{
	for (size_t i = 0; i < sizeof(known_keys) / sizeof(known_keys[0]); i++)
		if (strlen(known_keys[i]) == n && memcmp(known_keys[i], s, n) == 0)
			return true;
	return false;
}

static bool has_sep(const char *s, size_t n)
{
	return memchr(s, ':', n) || memchr(s, '=', n) || memchr(s, '*', n);
}

/*
 * Whether the piece @next continues the text @prev[0..n) without a blank:
 * a number or unit cut in two ("177"+"2kB", "8176k"+"B"), a key cut in two
 * ("writebac"+"k:0kB"). Everything else (the usual word wrap) gets a blank.
 */
static bool glue_tight(const char *prev, size_t n, const char *next)
{
	const char *a, *b_end, *colon;
	size_t an, bn;
	char pa = prev[n - 1], nb = next[0];

	if (pa == '|' || pa == '(' || nb == '|' || nb == ')')
		return true;
	if (!is_alnum(pa) || !is_alnum(nb))
		return false;
	a = prev + n;
	while (a > prev && !is_blank(a[-1]))
		a--;
	an = (size_t)(prev + n - a);
	b_end = token_end(next);
	bn = (size_t)(b_end - next);
	if ((bn == 2 && next[0] == 'k' && next[1] == 'B') || (bn == 1 && next[0] == 'B'))
		return is_digit(pa) || pa == 'k';
	if (is_digit(pa) && is_digit(nb) && (memchr(a, ':', an) || memchr(a, '*', an)))
		return true;
	colon = memchr(next, ':', bn);
	if (colon && !has_sep(a, an)) {
		size_t kn = (size_t)(colon - next);
		char key[64];
		if (an + kn < sizeof(key)) {
			memcpy(key, a, an);
			memcpy(key + an, next, kn);
			if (is_known_key(key, an + kn) && !is_known_key(next, kn))
				return true;
		}
	}
	return false;
}

/* ---- KERN_CONT pieces --------------------------------------------------- */

/*
 * show_free_areas() prints a buddy line, lowmem_reserve[] and the "Node N "
 * before a zone line as many printk(KERN_CONT) pieces. When another CPU
 * prints in between, the kernel stores each piece as a record of its own,
 * and dmesg shows it with its own timestamp and caller id:
 *
 *   [  785.581395][    C3] Node 0
 *   [  785.581395][ T4242] CPU: 1 PID: 4242 Comm: b ...
 *   [  785.581396][    C3] DMA32: 35*4kB
 *   [  785.581396][    C3] (UMEH) 109*8kB (UMEH) ... = 32180kB
 *
 * A record waits for pieces while it is incomplete by its own structure
 * (wants_pieces); a later line of the same caller that is such a piece
 * (continues_piece) is glued to it.
 */

/* "Node N" (show_node) alone; *@end = after it. */
static bool is_node_alone(const char *t, size_t n)
{
	size_t i = 5;

	if (n < 6 || memcmp(t, "Node ", 5) != 0)
		return false;
	while (i < n && is_digit(t[i]))
		i++;
	return i > 5 && i == n;
}

/* "[Node N ]NAME:" with nothing or counts after: a buddy line's start. */
static const char *buddy_start(const char *t)
{
	const char *p = t, *s;

	if (starts_with(p, "Node ") && is_digit(p[5])) {
		p += 5;
		while (is_digit(*p))
			p++;
		p = skip_blanks(p);
	}
	s = p;
	while (is_ident(*p))
		p++;
	if (p == s || p - s > 15 || !is_alpha(*s) || *p != ':')
		return NULL;
	if (p[1] == '\0')
		return p + 1;		/* "DMA32:" alone */
	if (p[1] != ' ')
		return NULL;		/* "free:118678": a summary field */
	s = p = skip_blanks(p + 1);
	while (is_digit(*p))
		p++;
	return p > s && *p == '*' ? s : NULL;
}

static bool wants_pieces(const char *line, size_t len)
{
	const char *t = skip_blanks(line), *counts, *eq;
	size_t n = len - (size_t)(t - line);

	if (is_node_alone(t, n) || starts_with(t, "lowmem_reserve[]:"))
		return true;
	counts = buddy_start(t);
	if (!counts)
		return false;
	eq = strstr(counts, "= ");
	return !(eq && is_digit(eq[2]));
}

static bool continues_piece(const char *line, size_t len, const char *next)
{
	const char *prev = skip_blanks(line), *n = skip_blanks(next), *p;
	size_t plen = len - (size_t)(prev - line);

	if (is_node_alone(prev, plen)) {
		for (p = n; is_ident(*p); p++)
			;
		return p > n && is_alpha(*n) && (*p == ':' || starts_with(p, " free:"));
	}
	if (starts_with(prev, "lowmem_reserve[]:")) {
		for (p = n; is_digit(*p) || is_blank(*p) || *p == '-'; p++)
			;
		return *p == '\0' && p > n;
	}
	if (*n == '(' || (n[0] == '=' && n[1] == ' '))
		return true;
	for (p = n; is_digit(*p); p++)
		;
	return p > n && *p == '*';
}

/* The open slot whose record @pl is a piece of (same caller), or -1. */
static int piece_slot(struct dmesg_parser *P, const struct pline *pl)
{
	for (int i = 0; i < LSLOTS; i++) {
		struct lslot *L = &P->slot[i];
		if (L->open && L->depth == pl->depth && L->has_tag == pl->has_tag &&
		    strcmp(L->tag, pl->has_tag ? pl->tag : "") == 0 &&
		    wants_pieces(L->buf, L->len) && continues_piece(L->buf, L->len, pl->content))
			return i;
	}
	return -1;
}

static bool lappend(struct dmesg_parser *P, struct lslot *L, const char *s, size_t n)
{
	if (L->len + n + 1 > LOGICAL_MAX) {
		if (L->len + 1 >= LOGICAL_MAX)
			return true;
		n = LOGICAL_MAX - 1 - L->len;
	}
	if (!grow(&L->buf, &L->cap, L->len + n + 1)) {
		P->nomem = true;
		return false;
	}
	memcpy(L->buf + L->len, s, n);
	L->len += n;
	L->buf[L->len] = '\0';
	return true;
}

static void slot_flush(struct dmesg_parser *P, struct lslot *L)
{
	if (!L->open)
		return;
	L->open = false;
	if (!P->nomem)
		lab__dmesg_logical_line(P, L->buf, L->line, L->tag, L->has_tag);
	L->len = 0;
}

/* Hands every open logical line to step 3, oldest first, except (when
 * @keep_pieces) the tagged ones still waiting for KERN_CONT pieces. */
static void flush_slots(struct dmesg_parser *P, bool keep_pieces)
{
	for (;;) {
		struct lslot *oldest = NULL;
		for (int i = 0; i < LSLOTS; i++) {
			struct lslot *L = &P->slot[i];
			if (L->open && !(keep_pieces && L->has_tag && wants_pieces(L->buf, L->len)) &&
			    (!oldest || L->line < oldest->line))
				oldest = L;
		}
		if (!oldest)
			return;
		slot_flush(P, oldest);
	}
}

static void join_flush(struct dmesg_parser *P)
{
	flush_slots(P, false);
}

/*
 * A new logical line. The same caller's previous line is complete now;
 * other callers' lines stay open only while they wait for pieces (a
 * tagged log: their pieces may come after this line), else everything
 * before this line is complete. When all slots wait, the oldest is given up.
 */
static void join_start(struct dmesg_parser *P, const struct pline *pl, int line)
{
	struct lslot *L = NULL;

	for (int i = 0; i < LSLOTS; i++) {
		struct lslot *S = &P->slot[i];
		if (S->open && pl->has_tag && S->has_tag && strcmp(S->tag, pl->tag) == 0)
			slot_flush(P, S);
	}
	flush_slots(P, pl->has_tag);
	for (int i = 0; i < LSLOTS && !L; i++)
		if (!P->slot[i].open)
			L = &P->slot[i];
	if (!L) {
		L = &P->slot[0];
		for (int i = 1; i < LSLOTS; i++)
			if (P->slot[i].line < L->line)
				L = &P->slot[i];
		slot_flush(P, L);
	}
	P->cur = (int)(L - P->slot);
	L->open = true;
	L->len = 0;
	L->line = line;
	L->depth = pl->depth;
	L->has_tag = pl->has_tag;
	snprintf(L->tag, sizeof(L->tag), "%s", pl->has_tag ? pl->tag : "");
	lappend(P, L, pl->content, strlen(pl->content));
}

static void join_continue(struct dmesg_parser *P, const struct pline *pl)
{
	struct lslot *L = &P->slot[P->cur];
	const char *c = pl->content;
	bool space = is_blank(*c) || P->last_trailing;

	c = skip_blanks(c);
	if (!space && L->len > 0 && !glue_tight(L->buf, L->len, c))
		space = true;
	if (space && L->len > 0 && !is_blank(L->buf[L->len - 1]))
		lappend(P, L, " ", 1);
	lappend(P, L, c, strlen(c));
}

/* A line that starts a record of its own, never a wrapped piece. */
static bool starts_record(const char *s)
{
	static const char *const starts[] = {
		"Mem-Info", "Mem-info", "Call Trace", "Call trace", "CPU:", "Pid:",
		"Hardware name:", "lowmem_reserve[]", "Workqueue:", "[<",
	};
	const char *n = skip_blanks(s), *rest;
	int node;
	char name[16];

	if (strstr(n, "page allocation failure"))
		return true;
	for (size_t i = 0; i < sizeof(starts) / sizeof(starts[0]); i++)
		if (starts_with(n, starts[i]))
			return true;
	if (starts_with(n, "Node ") && is_digit(n[5]))
		return true;
	if (lab__dmesg_is_zone_line(n, &node, name, sizeof(name), &rest) ||
	    lab__dmesg_is_buddy_line(n, &node, name, sizeof(name), &rest))
		return true;
	return false;
}

/* Whether @next continues a zone/buddy/failure/lowmem_reserve line left
 * incomplete in @prev (used where the log's style says nothing). */
static bool continues_record(const char *prev, size_t plen, const char *next)
{
	const char *n = skip_blanks(next), *p = skip_blanks(prev), *rest;
	int node;
	char name[16];

	if (starts_with(n, "mode:0x"))
		return strstr(p, "page allocation failure") && !strstr(p, "mode:");
	if (ends_with(prev, plen, "lowmem_reserve[]:"))
		return is_digit(*n);
	if (lab__dmesg_is_zone_line(p, &node, name, sizeof(name), &rest)) {
		const char *e = token_end(n), *colon = memchr(n, ':', (size_t)(e - n));
		if (ends_with(prev, plen, "all_unreclaimable?"))
			return starts_with(n, "yes") || starts_with(n, "no");
		if (strstr(p, "all_unreclaimable?"))
			return false;
		if (starts_with(n, "all_unreclaimable?"))
			return true;
		if (!colon || !is_known_key(n, (size_t)(colon - n)) || !is_digit(colon[1]))
			return false;
		/* a zone line's values carry "kB"; a Mem-Info summary line
		 * (" mapped:134779 shmem:1231") another CPU printed between
		 * does not, and is no piece of it */
		for (rest = colon + 1; is_digit(*rest); rest++)
			;
		return is_alpha(*rest) || starts_with(n, "pages_scanned:");
	}
	if (lab__dmesg_is_buddy_line(p, &node, name, sizeof(name), &rest)) {
		const char *eq = strstr(rest, "= ");
		if (eq && is_digit(eq[2]))
			return false;
		return is_digit(*n) || *n == '=' || *n == '(';
	}
	return false;
}

/* Copies one physical line into P->pbuf: NULs and tabs become blanks,
 * "#012"/"#011" become a blank, a trailing CR goes. */
static const char *clean_line(struct dmesg_parser *P, const char *s, size_t n, bool *trailing)
{
	size_t j = 0;

	if (n > 0 && s[n - 1] == '\r')
		n--;
	if (n > PHYSICAL_MAX)
		n = PHYSICAL_MAX;
	if (!grow(&P->pbuf, &P->pcap, n + 1)) {
		P->nomem = true;
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '#' && i + 3 < n && s[i + 1] == '0' && s[i + 2] == '1' &&
		    (s[i + 3] == '2' || s[i + 3] == '1')) {
			P->pbuf[j++] = ' ';
			i += 3;
			continue;
		}
		if (c == '\0' || c == '\t' || c == '\r')
			c = ' ';
		P->pbuf[j++] = c;
	}
	*trailing = j > 0 && P->pbuf[j - 1] == ' ';
	while (j > 0 && P->pbuf[j - 1] == ' ')
		j--;
	P->pbuf[j] = '\0';
	return P->pbuf;
}

/* Next physical line of [pos, len): its start and length; returns the next pos. */
static size_t next_line(const char *buf, size_t len, size_t pos, size_t *n)
{
	const char *nl = memchr(buf + pos, '\n', len - pos);
	size_t end = nl ? (size_t)(nl - buf) : len;

	*n = end - pos;
	return nl ? end + 1 : len;
}

/* Pass 1: quote depth and line style of the whole input. */
void lab__dmesg_survey(struct dmesg_parser *P, const char *buf, size_t len)
{
	size_t pos = 0, n;
	size_t depth_count[4] = { 0 };
	size_t total = 0, ts = 0, indent = 0, unhashed = 0;

	for (int round = 0; round < 2; round++) {
		pos = 0;
		while (pos < len && !P->nomem) {
			size_t start = pos;
			bool trailing;
			struct pline pl;
			const char *s;

			pos = next_line(buf, len, pos, &n);
			s = clean_line(P, buf + start, n, &trailing);
			if (!s)
				return;
			classify(s, &pl);
			if (pl.blank)
				continue;
			if (round == 0) {
				depth_count[pl.depth < 3 ? pl.depth : 3]++;
				continue;
			}
			if (pl.depth != P->main_depth)
				continue;
			total++;
			if (pl.ts)
				ts++;
			if (*skip_blanks(pl.content) != '#') {
				unhashed++;
				if (pl.indent)
					indent++;
			}
		}
		if (round == 0) {
			for (int d = 1; d < 4; d++)
				if (depth_count[d] > depth_count[P->main_depth])
					P->main_depth = d;
		}
	}
	if (ts > 0 && ts * 4 >= total)
		P->style = STYLE_TS;
	else if (ts == 0 && unhashed > 0 && indent * 10 >= unhashed * 9)
		P->style = STYLE_INDENT;
	else
		P->style = STYLE_BARE;
}

static bool is_continuation(struct dmesg_parser *P, const struct pline *pl)
{
	const struct lslot *L = &P->slot[P->cur];

	if (!L->open || pl->depth != L->depth || pl->ts ||
	    strstr(pl->content, "page allocation failure"))
		return false;
	if (P->style == STYLE_TS)
		return true;
	if (P->style == STYLE_INDENT && !pl->indent)
		return true;
	if (P->last_trailing && !starts_record(pl->content))
		return true;
	return continues_record(L->buf, L->len, pl->content);
}


/* Pass 2: every physical line, joined into logical lines. */
int lab__dmesg_read_lines(struct dmesg_parser *P, const char *buf, size_t len)
{
	size_t pos = 0, n;
	int line = 0;

	while (pos < len && !P->nomem) {
		size_t start = pos;
		bool trailing;
		struct pline pl;
		const char *s;
		int piece;

		pos = next_line(buf, len, pos, &n);
		line++;
		s = clean_line(P, buf + start, n, &trailing);
		if (!s)
			break;
		classify(s, &pl);
		pl.trailing_space = trailing;
		if (pl.blank) {
			if (pl.depth == P->main_depth || P->main_depth == 0)
				join_flush(P);
			continue;
		}
		if (P->main_depth > 0 && pl.depth < P->main_depth)
			continue;	/* a replier's commentary between quoted lines */
		if (is_continuation(P, &pl)) {
			join_continue(P, &pl);
		} else if ((piece = piece_slot(P, &pl)) >= 0) {
			P->cur = piece;
			join_continue(P, &pl);
		} else {
			join_start(P, &pl, line);
		}
		P->last_trailing = pl.trailing_space;
	}
	join_flush(P);
	return line;
}
