/* SPDX-License-Identifier: MIT */
/*
 * formats/dmesg.c - finds and reads "page allocation failure" reports in
 * real kernel logs (the text of mm/page_alloc.c:warn_alloc() followed by
 * lib/show_mem.c:__show_mem(); linux-mm-facts §7.1 and §14.5).
 *
 * Why it is more than a line parser: logs reach us mangled. The reader works
 * in three steps, each a pass over the input:
 *
 * 1. Physical lines are cleaned: "#012"/"#011" (syslog's escaped newline and
 *    tab) become blanks; mail quote marks ("> ", "> > ") are counted and
 *    removed; prefixes are removed in any combination: syslog/journal
 *    ("Apr 14 07:01:06 host kernel: "), ISO dates, Android logcat dates,
 *    console levels ("<4>"), timestamps ("[ 12.345678]", "[123.4s]"),
 *    dmesg -T ("[Wed Nov 25 10:11:12 2020]"), caller ids ("[ T2438]",
 *    "[ C3]"), Android "[pid:1361,cpu5,comm]" and Samsung "[3:  comm:pid]".
 * 2. Logical lines are rebuilt. The input's dominant style decides what a
 *    continuation is: in a timestamped log a line without a timestamp
 *    continues the previous one (mail and terminal wrapping, Mem-Info's
 *    embedded newlines); in a paste indented by one blank, an unindented
 *    line does; in any log a line after one ending in a blank does
 *    (format=flowed), and a zone/buddy line left incomplete is continued by
 *    a line of its fields. Pieces are glued with or without a blank by
 *    looking at the two tokens that meet (mid-token wraps such as
 *    "active_file:177" + "2kB" or "writebac" + "k:0kB" need no blank).
 *    Lines of another quote depth than the log's (a replier's commentary)
 *    are skipped.
 * 3. Reports are read from logical lines. A failure line opens a report;
 *    the lines after it are attributed to the newest report, or, when the
 *    log carries caller ids, to the report with the same id, so that
 *    interleaved CPUs do not mix.
 *
 * Bounded work: every pass is linear in the input; a logical line is capped
 * at LOGICAL_MAX bytes; a report keeps at most LAB_DMESG_MAX_ZONES zones.
 * Nothing here assumes the input is NUL-free or NUL-terminated.
 */
#include "formats/dmesg.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lzma.h>
#include <zlib.h>

#define LOGICAL_MAX   (256u * 1024u)       /* bytes of one rebuilt line */
#define PHYSICAL_MAX  (1024u * 1024u)      /* bytes of one input line kept */
#define FILE_MAX      ((size_t)1 << 30)    /* bytes read or decompressed */

/* ---- characters (ASCII only, never the locale) ------------------------- */

static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
static bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
static bool is_alpha(char c) { return is_upper(c) || is_lower(c); }
static bool is_alnum(char c) { return is_alpha(c) || is_digit(c); }
static bool is_ident(char c) { return is_alnum(c) || c == '_'; }
static bool is_blank(char c) { return c == ' ' || c == '\t'; }
static bool is_xdigit(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static const char *skip_blanks(const char *p)
{
	while (is_blank(*p))
		p++;
	return p;
}

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool ends_with(const char *s, size_t n, const char *suffix)
{
	size_t m = strlen(suffix);
	return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

/* Copies at most @size-1 bytes of [s, s+n), NUL-terminated, trimmed. */
static void copy_trim(char *dst, size_t size, const char *s, size_t n)
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
static bool read_u64(const char **p, uint64_t *out)
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

static bool read_hex(const char **p, uint64_t *out)
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
static bool is_kb_suffix(const char *p)
{
	return (p[0] == 'k' || p[0] == 'K') && p[1] == 'B';
}

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

static const char *token_end(const char *p)
{
	while (*p && !is_blank(*p))
		p++;
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

/* ---- the parser state ---------------------------------------------------- */

enum style { STYLE_BARE, STYLE_TS, STYLE_INDENT };

enum phase { PH_HEADER = 0, PH_TRACE, PH_MEMINFO };

struct parser {
	struct lab_dmesg_log *log;
	size_t cap;
	long current;		/* report receiving untagged lines, -1 none */
	bool nomem;
	bool banner;		/* log->version came from "Linux version" */
	enum style style;
	int main_depth;
	/* the logical line being rebuilt */
	char *lbuf;
	size_t llen, lcap;
	bool lopen;
	int lline, ldepth;
	bool lhas_tag;
	char ltag[32];
	bool last_trailing;
	/* one physical line */
	char *pbuf;
	size_t pcap;
};

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

/* ---- step 3: reading reports from logical lines -------------------------- */

int lab_dmesg_zone_type(const char *name)
{
	static const char *const names[] = { "DMA", "DMA32", "Normal", "HighMem", "Movable", "Device" };
	for (int i = 0; i < 6; i++)
		if (strcmp(name, names[i]) == 0)
			return i;
	return -1;
}

/* Version token after "Not tainted" / "Tainted: <flags>" / "Linux version". */
static bool version_after(const char *p, char *out, size_t size)
{
	for (int guard = 0; guard < 24 && *p; guard++) {
		const char *e;
		p = skip_blanks(p);
		e = token_end(p);
		if (*p == '#' || starts_with(p, "Hardware"))
			return false;
		if (is_digit(p[0]) && e - p >= 3) {
			const char *q = p;
			while (is_digit(*q))
				q++;
			if (*q == '.' && is_digit(q[1])) {
				copy_trim(out, size, p, (size_t)(e - p));
				return true;
			}
		}
		p = e;
	}
	return false;
}

static bool taint_version(const char *t, char *out, size_t size)
{
	const char *k = strstr(t, "Not tainted");
	if (k)
		return version_after(k + 11, out, size);
	k = strstr(t, "Tainted:");
	if (k)
		return version_after(k + 8, out, size);
	return false;
}

static void note_log_version(struct parser *P, const char *v, int line)
{
	if (!P->log->version[0] && v[0]) {
		snprintf(P->log->version, sizeof(P->log->version), "%s", v);
		P->log->version_line = line;
	}
}

static void report_init(struct lab_dmesg_report *r, int line)
{
	memset(r, 0, sizeof(*r));
	r->line = line;
	r->end_line = line;
	r->pid = r->cpu = -1;
	r->sum_free = r->sum_free_pcp = r->sum_free_cma = -1;
	r->sum_anon = r->sum_file = r->sum_slab_unreclaimable = -1;
	r->sum_slab_reclaimable = r->sum_shmem = -1;
	r->pages_ram = r->pages_reserved = r->pages_cma_reserved = -1;
	r->last_zone = -1;
}

/* Copies "key=VALUE" up to ',' or a blank. */
static void copy_field(const char *t, const char *key, char *out, size_t size)
{
	const char *k = strstr(t, key), *e;
	if (!k)
		return;
	k += strlen(key);
	e = k;
	while (*e && *e != ',' && !is_blank(*e))
		e++;
	copy_trim(out, size, k, (size_t)(e - k));
}

/*
 * Mirrors the format of warn_alloc(): "%s: page allocation failure: order:%u,
 * mode:%#x(%pGg), nodemask=%*pbl" (2.6: "failure. order:%d, mode:0x%x").
 * The phrase must follow "comm: " (or start the line), so quotes of it in
 * prose are not reports. Opens a new report; false if @t is no failure line.
 */
static bool parse_failure_line(struct parser *P, const char *t, int line,
			       const char *tag, bool has_tag)
{
	static const char phrase[] = "page allocation failure";
	const char *k = strstr(t, phrase), *p, *o, *m;
	struct lab_dmesg_log *log = P->log;
	struct lab_dmesg_report *r;
	uint64_t v;

	if (!k || (k != t && !(k - t >= 2 && k[-1] == ' ' && k[-2] == ':')))
		return false;
	if (log->nr_reports == P->cap) {
		size_t ncap = P->cap ? P->cap * 2 : 4;
		struct lab_dmesg_report *n = realloc(log->reports, ncap * sizeof(*n));
		if (!n) {
			P->nomem = true;
			return true;
		}
		log->reports = n;
		P->cap = ncap;
	}
	r = &log->reports[log->nr_reports];
	report_init(r, line);
	if (k != t)
		copy_trim(r->comm, sizeof(r->comm), t, (size_t)(k - 2 - t));
	p = k + sizeof(phrase) - 1;
	if (*p == '.')
		r->old_format = true;
	o = strstr(p, "order:");
	m = strstr(p, "mode:");
	if (o && (!m || o < m)) {
		const char *q = skip_blanks(o + 6);
		if (read_u64(&q, &v) && v < 32) {
			r->has_order = true;
			r->order = (unsigned)v;
		}
	}
	if (m) {
		const char *q = skip_blanks(m + 5);
		if (q[0] == '0' && (q[1] == 'x' || q[1] == 'X')) {
			q += 2;
			if (read_hex(&q, &v) && v <= 0xffffffffu) {
				r->has_mode = true;
				r->mode = (lab_gfp_t)v;
				if (*q == '(') {
					size_t n = 0;
					r->names_printed = true;
					for (q++; *q && *q != ')' && *q != ','; q++)
						if (!is_blank(*q) && n + 1 < sizeof(r->names))
							r->names[n++] = *q;
					r->names[n] = '\0';
				}
			}
		}
	}
	copy_field(p, "nodemask=", r->nodemask, sizeof(r->nodemask));
	copy_field(p, "cpuset=", r->cpuset, sizeof(r->cpuset));
	copy_field(p, "mems_allowed=", r->mems_allowed, sizeof(r->mems_allowed));
	if (has_tag)
		snprintf(r->tag, sizeof(r->tag), "%s", tag);
	P->current = (long)log->nr_reports;
	log->nr_reports++;
	return true;
}

/* The report a non-failure line belongs to, or NULL. */
static struct lab_dmesg_report *route(struct parser *P, const char *tag, bool has_tag)
{
	struct lab_dmesg_log *log = P->log;
	struct lab_dmesg_report *cur;

	if (P->current < 0)
		return NULL;
	cur = &log->reports[P->current];
	if (has_tag) {
		size_t lo = log->nr_reports > 16 ? log->nr_reports - 16 : 0;
		for (size_t i = log->nr_reports; i-- > lo;) {
			struct lab_dmesg_report *r = &log->reports[i];
			if (!r->closed && strcmp(r->tag, tag) == 0)
				return r;
		}
		return !cur->closed && !cur->tag[0] ? cur : NULL;
	}
	return cur->closed ? NULL : cur;
}

/* "CPU: 3 PID: 332 Comm: kworker/3:2 Not tainted 5.4.26 #4" and the old
 * "Pid: 3492, comm: vlc Not tainted 2.6.33.2 #1". */
static void parse_cpu_line(struct parser *P, struct lab_dmesg_report *r, const char *t, int line)
{
	const char *p, *c, *e;
	uint64_t v;
	char ver[LAB_DMESG_VERSION_LEN] = "";

	if (taint_version(t, ver, sizeof(ver)))
		note_log_version(P, ver, line);
	if (!r || r->pid >= 0)
		return;
	if (starts_with(t, "CPU:")) {
		p = skip_blanks(t + 4);
		if (read_u64(&p, &v) && v < 1u << 20)
			r->cpu = (int)v;
	}
	p = strstr(t, "PID:");
	if (!p)
		p = strstr(t, "Pid:");
	if (p) {
		p = skip_blanks(p + 4);
		if (read_u64(&p, &v) && v < 1u << 30)
			r->pid = (int)v;
	}
	c = strstr(t, "Comm:");
	if (!c)
		c = strstr(t, "comm:");
	if (c && !r->comm[0]) {
		c = skip_blanks(c + 5);
		e = strstr(c, " Not tainted");
		if (!e)
			e = strstr(c, " Tainted:");
		if (!e)
			e = strstr(c, " Kdump:");
		if (!e)
			e = c + strlen(c);
		copy_trim(r->comm, sizeof(r->comm), c, (size_t)(e - c));
	}
	if (ver[0] && !r->version[0])
		snprintf(r->version, sizeof(r->version), "%s", ver);
}

static const char *const softirq_frames[] = {
	"__do_softirq", "do_softirq", "do_softirq_own_stack", "handle_softirqs",
	"net_rx_action", "net_tx_action", "tasklet_action", "tasklet_hi_action",
	"tasklet_action_common", "run_timer_softirq", "call_timer_fn",
	"expire_timers", "__run_timers", "rcu_core", "rcu_process_callbacks",
	"blk_done_softirq", "irq_poll_softirq", "call_softirq", "__napi_poll",
	"run_ksoftirqd", "run_rebalance_domains",
};

static const char *const hardirq_frames[] = {
	"handle_irq_event", "handle_irq_event_percpu", "__handle_irq_event_percpu",
	"handle_edge_irq", "handle_level_irq", "handle_fasteoi_irq", "handle_irq",
	"generic_handle_irq", "generic_handle_domain_irq", "__handle_domain_irq",
	"handle_domain_irq", "do_IRQ", "gic_handle_irq", "el1_irq", "el1_interrupt",
	"el0_irq", "__irq_svc", "handle_IRQ", "asm_common_interrupt",
	"common_interrupt", "smp_apic_timer_interrupt", "apic_timer_interrupt",
	"hrtimer_interrupt", "__sysvec_apic_timer_interrupt",
	"sysvec_apic_timer_interrupt", "handle_percpu_devid_irq",
};

static const char *const nmi_frames[] = { "nmi_handle", "default_do_nmi", "exc_nmi", "do_nmi" };

static bool in_list(const char *sym, size_t n, const char *const *list, size_t nr)
{
	for (size_t i = 0; i < nr; i++)
		if (strlen(list[i]) == n && memcmp(list[i], sym, n) == 0)
			return true;
	return false;
}

#define IN(sym, n, list) in_list(sym, n, list, sizeof(list) / sizeof(list[0]))

/*
 * Records what an interrupt-related frame says about the context. Reliable
 * frames count innermost first (the first such frame from the top wins: a
 * hard irq nested in a softirq shows its own frames above the softirq's).
 * Unreliable ones ("? name", stale stack slots x86 prints when it cannot
 * unwind) only count when no reliable frame was classified, and then any
 * softirq frame wins: stale slots of do_IRQ/handle_edge_irq are everywhere.
 */
static void classify_frame(struct lab_dmesg_report *r, const char *sym, size_t n, bool reliable)
{
	const char *dot = memchr(sym, '.', n);
	int kind = 0;

	if (dot)		/* ".constprop.0", ".isra.12", ".cold" */
		n = (size_t)(dot - sym);
	if (n == 0 || r->irq_depth == 2)	/* after </IRQ>: the interrupted task */
		return;
	if (IN(sym, n, softirq_frames)) {
		if (n == 13 && memcmp(sym, "run_ksoftirqd", 13) == 0)
			r->trace |= LAB_DMESG_TRACE_KSOFTIRQD;
		kind = 1;
	} else if (IN(sym, n, hardirq_frames)) {
		kind = 2;
	} else if (IN(sym, n, nmi_frames) && reliable) {
		r->trace |= LAB_DMESG_TRACE_NMI_MARK;
	}
	if (!kind)
		return;
	r->trace |= kind == 1 ? LAB_DMESG_TRACE_SOFTIRQ : LAB_DMESG_TRACE_HARDIRQ;
	if (reliable && r->first_irq_kind <= 0) {
		r->first_irq_kind = kind;
		snprintf(r->context_why, sizeof(r->context_why), "%.*s", (int)n, sym);
	} else if (!reliable && r->first_irq_kind <= 0 &&
		   (r->first_irq_kind == 0 || (kind == 1 && r->first_irq_kind == -2))) {
		r->first_irq_kind = -kind;	/* negative: from "?" frames */
		snprintf(r->context_why, sizeof(r->context_why), "%.*s", (int)n, sym);
	}
}

/* Context markers and frame symbols ("name+0x1a/0x30", "(name)") of a trace line. */
static void trace_line(struct lab_dmesg_report *r, const char *t)
{
	const char *p;
	bool frame = false;

	for (p = t; (p = strchr(p, '<')) != NULL; p++) {
		if (starts_with(p, "<IRQ>")) {
			r->trace |= LAB_DMESG_TRACE_IRQ_MARK;
			if (r->irq_depth == 0)
				r->irq_depth = 1;
		} else if (starts_with(p, "</IRQ>") || starts_with(p, "<EOI>")) {
			if (r->irq_depth == 1)
				r->irq_depth = 2;
		} else if (starts_with(p, "<NMI>")) {
			r->trace |= LAB_DMESG_TRACE_NMI_MARK;
		} else if (starts_with(p, "<SOFTIRQ>")) {
			r->trace |= LAB_DMESG_TRACE_SOFTIRQ;
			if (!r->first_irq_kind) {
				r->first_irq_kind = 1;
				snprintf(r->context_why, sizeof(r->context_why), "<SOFTIRQ>");
			}
		}
	}
	for (p = t; *p; p++) {
		const char *s = NULL, *e = NULL;
		if (p[0] == '+' && p[1] == '0' && p[2] == 'x') {
			e = p;
			s = p;
			while (s > t && (is_ident(s[-1]) || s[-1] == '.'))
				s--;
		} else if (p[0] == '(' && (is_alpha(p[1]) || p[1] == '_')) {
			const char *q = p + 1;
			while (is_ident(*q) || *q == '.')
				q++;
			if (*q == ')') {
				s = p + 1;
				e = q;
			}
		}
		if (s && e > s) {
			const char *b = s;
			frame = true;
			while (b > t && is_blank(b[-1]))
				b--;
			/* "? name+0x..": x86's guess from a stale stack slot */
			classify_frame(r, s, (size_t)(e - s), !(b > t && b[-1] == '?'));
		}
	}
	if (frame)
		r->has_call_trace = true;
}

/* "[Node N ]NAME" at the start of @t; *@rest = after the name. */
static bool zone_prefix(const char *t, int *node, char *name, size_t size, const char **rest)
{
	const char *p = t, *s;
	uint64_t v;

	*node = -1;
	if (starts_with(p, "Node ") && is_digit(p[5])) {
		p += 5;
		if (!read_u64(&p, &v) || *p != ' ' || v > 1u << 16)
			return false;
		*node = (int)v;
		p = skip_blanks(p);
	}
	s = p;
	if (!is_alpha(*p))
		return false;
	while (is_ident(*p))
		p++;
	if (p - s > 15 || (*p != ' ' && *p != ':'))
		return false;
	copy_trim(name, size, s, (size_t)(p - s));
	*rest = p;
	return true;
}

static bool is_zone_line(const char *t, int *node, char *name, size_t size, const char **fields)
{
	const char *rest;
	if (!zone_prefix(t, node, name, size, &rest) || *rest != ' ')
		return false;
	rest = skip_blanks(rest);
	if (!starts_with(rest, "free:") || !is_digit(rest[5]))
		return false;
	*fields = rest;
	return true;
}

static bool is_buddy_line(const char *t, int *node, char *name, size_t size, const char **counts)
{
	const char *rest, *p;
	uint64_t v;
	if (!zone_prefix(t, node, name, size, &rest) || *rest != ':')
		return false;
	p = skip_blanks(rest + 1);
	*counts = p;
	if (!read_u64(&p, &v))
		return false;
	return *p == '*';
}

static struct lab_dmesg_zone *find_zone(struct lab_dmesg_report *r, int node, const char *name, bool create)
{
	struct lab_dmesg_zone *z;

	for (int i = 0; i < r->nr_zones; i++)
		if (r->zones[i].node == node && strcmp(r->zones[i].name, name) == 0)
			return &r->zones[i];
	if (!create)
		return NULL;
	if (r->nr_zones == LAB_DMESG_MAX_ZONES) {
		r->zones_dropped = true;
		return NULL;
	}
	z = &r->zones[r->nr_zones++];
	memset(z, 0, sizeof(*z));
	z->node = node;
	snprintf(z->name, sizeof(z->name), "%s", name);
	return z;
}

static const char *const zone_field_names[LAB_ZF_NR] = {
	[LAB_ZF_FREE] = "free", [LAB_ZF_BOOST] = "boost", [LAB_ZF_MIN] = "min",
	[LAB_ZF_LOW] = "low", [LAB_ZF_HIGH] = "high",
	[LAB_ZF_RESERVED_HIGHATOMIC] = "reserved_highatomic",
	[LAB_ZF_PRESENT] = "present", [LAB_ZF_MANAGED] = "managed",
	[LAB_ZF_FREE_PCP] = "free_pcp", [LAB_ZF_LOCAL_PCP] = "local_pcp",
	[LAB_ZF_FREE_CMA] = "free_cma",
};

/* The next "key:value" token of the line at *@p (tokens without a colon
 * are skipped): the key is [*@key, *@key + *@klen), the value starts at
 * *@v and its token ends at *@e, where *@p then points. false at the end. */
static bool next_key_token(const char **p, const char **key, size_t *klen, const char **v, const char **e)
{
	for (;;) {
		const char *s = skip_blanks(*p), *end = token_end(s), *colon;
		*p = end;
		if (s == end)
			return false;
		colon = memchr(s, ':', (size_t)(end - s));
		if (!colon)
			continue;
		*key = s;
		*klen = (size_t)(colon - s);
		*v = colon + 1;
		*e = end;
		return true;
	}
}

/* "key:NkB" tokens of a zone line (also "key: NkB"); values without kB
 * (a truncated line) are ignored. */
static void parse_zone_fields(struct lab_dmesg_zone *z, const char *p)
{
	const char *key, *v, *e;
	size_t klen;

	while (next_key_token(&p, &key, &klen, &v, &e)) {
		uint64_t val;

		if (v == e && *e) {	/* "pagetables: 3560kB" */
			v = skip_blanks(e);
			if (!is_digit(*v))
				continue;
			p = token_end(v);
		}
		if (!read_u64(&v, &val) || !is_kb_suffix(v))
			continue;
		for (int f = 0; f < LAB_ZF_NR; f++) {
			size_t n = strlen(zone_field_names[f]);
			if (klen == n && memcmp(key, zone_field_names[f], n) == 0) {
				if (!(z->have & (1u << f))) {
					z->kb[f] = val;
					z->have |= 1u << f;
				}
				break;
			}
		}
	}
}

static unsigned letter_bit(char c)
{
	switch (c) {
	case 'U': return LAB_DMESG_MT_U;
	case 'M': return LAB_DMESG_MT_M;
	case 'E': return LAB_DMESG_MT_E;
	case 'H': return LAB_DMESG_MT_H;
	case 'C': return LAB_DMESG_MT_C;
	case 'I': return LAB_DMESG_MT_I;
	case 'R': return LAB_DMESG_MT_R;
	default: return LAB_DMESG_MT_OTHER;
	}
}

/* "N*SIZEkB (LETTERS) ... = TOTALkB" (show_mem's per-order free areas). */
static void parse_buddy_counts(struct lab_dmesg_zone *z, const char *p)
{
	int order = 0;

	while (*p) {
		uint64_t n, size;
		p = skip_blanks(p);
		if (!*p)
			break;
		if (*p == '(') {
			int guard = 0;
			z->letters = true;
			for (p++; *p && *p != ')' && guard < 24; p++, guard++)
				if (is_upper(*p) && order > 0 && order <= LAB_DMESG_MAX_ORDERS)
					z->types[order - 1] |= (uint8_t)letter_bit(*p);
			if (*p == ')')
				p++;
			continue;
		}
		if (*p == '=') {
			p = skip_blanks(p + 1);
			if (read_u64(&p, &n) && is_kb_suffix(p)) {
				z->has_total = true;
				z->total_kb = n;
			}
			break;
		}
		if (read_u64(&p, &n) && *p == '*') {
			p++;
			if (read_u64(&p, &size) && is_kb_suffix(p)) {
				if (order < LAB_DMESG_MAX_ORDERS) {
					z->nr_free[order] = n;
					z->block_kb[order] = size;
				}
				order++;
				p += 2;
				continue;
			}
		}
		p = token_end(p);
	}
	z->nr_orders = order < LAB_DMESG_MAX_ORDERS ? order : LAB_DMESG_MAX_ORDERS;
}

/* Mem-Info summary "key:N" tokens (pages). */
static void parse_summary(struct lab_dmesg_report *r, const char *p)
{
	static const struct { const char *key; int idx; } keys[] = {
		{ "free", 0 }, { "free_pcp", 1 }, { "free_cma", 2 },
		{ "active_anon", 3 }, { "inactive_anon", 3 },
		{ "active_file", 4 }, { "inactive_file", 4 },
		{ "slab_unreclaimable", 5 }, { "slab_reclaimable", 6 }, { "shmem", 7 },
	};
	int64_t *dst[] = { &r->sum_free, &r->sum_free_pcp, &r->sum_free_cma, &r->sum_anon,
			   &r->sum_file, &r->sum_slab_unreclaimable, &r->sum_slab_reclaimable,
			   &r->sum_shmem };

	const char *key, *v, *e;
	size_t klen;

	while (next_key_token(&p, &key, &klen, &v, &e)) {
		uint64_t val;
		if (!read_u64(&v, &val) || v != e || val > (uint64_t)1 << 50)
			continue;
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			size_t n = strlen(keys[i].key);
			if (klen == n && memcmp(key, keys[i].key, n) == 0) {
				int64_t *d = dst[keys[i].idx];
				*d = (*d < 0 ? 0 : *d) + (int64_t)val;
				if (*d > (int64_t)1 << 52)	/* repeated keys: saturate */
					*d = (int64_t)1 << 52;
				break;
			}
		}
	}
}

/* "N pages RAM" style totals at the end of show_mem. */
static void parse_totals(struct lab_dmesg_report *r, const char *t)
{
	const char *p = t;
	uint64_t v;

	if (!read_u64(&p, &v) || v > INT64_MAX / 2)
		return;
	if (strcmp(p, " pages RAM") == 0)
		r->pages_ram = (int64_t)v;
	else if (strcmp(p, " pages reserved") == 0)
		r->pages_reserved = (int64_t)v;
	else if (strcmp(p, " pages cma reserved") == 0)
		r->pages_cma_reserved = (int64_t)v;
}

/* One logical line of the Mem-Info body (zone, lowmem_reserve, buddy, summary). */
static bool meminfo_line(struct lab_dmesg_report *r, const char *t, int line)
{
	int node;
	char name[16];
	const char *rest;
	struct lab_dmesg_zone *z;

	if (starts_with(t, "lowmem_reserve[]:")) {
		const char *p = t + 17;
		if (r->last_zone < 0 || r->zones[r->last_zone].nr_reserve)
			return true;
		z = &r->zones[r->last_zone];
		for (;;) {
			uint64_t v;
			p = skip_blanks(p);
			if (!read_u64(&p, &v))
				break;
			if (z->nr_reserve < LAB_DMESG_MAX_RESERVE)
				z->reserve[z->nr_reserve++] = v > INT64_MAX / 2 ? INT64_MAX / 2 : (int64_t)v;
		}
		return true;
	}
	if (is_zone_line(t, &node, name, sizeof(name), &rest)) {
		z = find_zone(r, node, name, true);
		r->last_zone = -1;
		if (!z || z->has_zone_line)
			return true;
		z->has_zone_line = true;
		z->line = line;
		parse_zone_fields(z, rest);
		r->last_zone = (int)(z - r->zones);
		return true;
	}
	if (is_buddy_line(t, &node, name, sizeof(name), &rest)) {
		z = find_zone(r, node, name, true);
		if (!z || z->has_buddy)
			return true;
		z->has_buddy = true;
		z->buddy_line = line;
		parse_buddy_counts(z, rest);
		return true;
	}
	return false;
}

static void close_report(struct parser *P, struct lab_dmesg_report *r)
{
	r->closed = true;
	if (P->current >= 0 && &P->log->reports[P->current] == r)
		P->current = -1;
}

static bool is_trace_start(const char *t)
{
	return starts_with(t, "Call Trace:") || starts_with(t, "Call trace:") ||
	       starts_with(t, "Backtrace:");
}

/*
 * One logical line: a kernel version (banner or CPU line), a failure line
 * (opens a report), or a line of the report it is routed to: header
 * (Hardware name, Workqueue), call trace (context markers and frames),
 * Mem-Info summary, zone, lowmem_reserve[] and buddy lines, totals. An OOM
 * dump or a second Mem-Info closes the report so nothing foreign is added.
 * O(line length).
 */
static void process_logical(struct parser *P, const char *text, int line,
			    const char *tag, bool has_tag)
{
	const char *t = skip_blanks(text), *mi;
	struct lab_dmesg_report *r;
	char ver[LAB_DMESG_VERSION_LEN];

	if (!*t)
		return;
	if (!P->banner && (mi = strstr(t, "Linux version ")) != NULL &&
	    version_after(mi + 14, ver, sizeof(ver))) {
		snprintf(P->log->version, sizeof(P->log->version), "%s", ver);
		P->log->version_line = line;
		P->banner = true;	/* the boot banner beats a taint line */
	}
	if (parse_failure_line(P, t, line, tag, has_tag))
		return;
	r = route(P, tag, has_tag);
	if (strstr(t, "invoked oom-killer") || starts_with(t, "Out of memory")) {
		if (r)
			close_report(P, r);
		return;
	}
	if ((starts_with(t, "CPU:") && strstr(t, "PID:")) ||
	    (starts_with(t, "Pid:") && strstr(t, "comm:"))) {
		parse_cpu_line(P, r, t, line);
		return;
	}
	if (!r)
		return;
	r->end_line = line;
	if (starts_with(t, "Hardware name:")) {
		if (!r->hardware[0])
			copy_trim(r->hardware, sizeof(r->hardware), t + 14, strlen(t + 14));
		return;
	}
	if (starts_with(t, "Workqueue:")) {
		if (!r->workqueue[0])
			copy_trim(r->workqueue, sizeof(r->workqueue), t + 10, strlen(t + 10));
		return;
	}
	mi = strstr(t, "Mem-Info:");
	if (!mi)
		mi = strstr(t, "Mem-info:");
	if (mi) {
		if (r->phase < PH_MEMINFO)
			trace_line(r, t);
		if (r->has_meminfo && r->nr_zones > 0) {	/* a second dump: not ours */
			close_report(P, r);
			return;
		}
		r->has_meminfo = true;
		r->meminfo_line = line;
		r->phase = PH_MEMINFO;
		parse_summary(r, mi + 9);
		return;
	}
	if (meminfo_line(r, t, line)) {
		if (!r->has_meminfo) {
			r->has_meminfo = true;
			r->meminfo_line = line;
		}
		r->phase = PH_MEMINFO;
		return;
	}
	if (r->phase < PH_MEMINFO) {
		if (is_trace_start(t)) {
			r->has_call_trace = true;
			r->phase = PH_TRACE;
		}
		trace_line(r, t);
		return;
	}
	if (is_digit(*t)) {
		parse_totals(r, t);
		return;
	}
	if (r->nr_zones == 0 && !starts_with(t, "Node "))
		parse_summary(r, t);
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

static bool lappend(struct parser *P, const char *s, size_t n)
{
	if (P->llen + n + 1 > LOGICAL_MAX) {
		if (P->llen + 1 >= LOGICAL_MAX)
			return true;
		n = LOGICAL_MAX - 1 - P->llen;
	}
	if (!grow(&P->lbuf, &P->lcap, P->llen + n + 1)) {
		P->nomem = true;
		return false;
	}
	memcpy(P->lbuf + P->llen, s, n);
	P->llen += n;
	P->lbuf[P->llen] = '\0';
	return true;
}

static void join_flush(struct parser *P)
{
	if (!P->lopen)
		return;
	P->lopen = false;
	if (!P->nomem)
		process_logical(P, P->lbuf, P->lline, P->ltag, P->lhas_tag);
	P->llen = 0;
}

static void join_start(struct parser *P, const struct pline *pl, int line)
{
	join_flush(P);
	P->lopen = true;
	P->llen = 0;
	P->lline = line;
	P->ldepth = pl->depth;
	P->lhas_tag = pl->has_tag;
	snprintf(P->ltag, sizeof(P->ltag), "%s", pl->has_tag ? pl->tag : "");
	lappend(P, pl->content, strlen(pl->content));
}

static void join_continue(struct parser *P, const struct pline *pl)
{
	const char *c = pl->content;
	bool space = is_blank(*c) || P->last_trailing;

	c = skip_blanks(c);
	if (!space && P->llen > 0 && !glue_tight(P->lbuf, P->llen, c))
		space = true;
	if (space && P->llen > 0 && !is_blank(P->lbuf[P->llen - 1]))
		lappend(P, " ", 1);
	lappend(P, c, strlen(c));
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
	if (is_zone_line(n, &node, name, sizeof(name), &rest) ||
	    is_buddy_line(n, &node, name, sizeof(name), &rest))
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
	if (is_zone_line(p, &node, name, sizeof(name), &rest)) {
		const char *e = token_end(n), *colon = memchr(n, ':', (size_t)(e - n));
		if (ends_with(prev, plen, "all_unreclaimable?"))
			return starts_with(n, "yes") || starts_with(n, "no");
		if (strstr(p, "all_unreclaimable?"))
			return false;
		if (starts_with(n, "all_unreclaimable?"))
			return true;
		return colon && is_known_key(n, (size_t)(colon - n)) && is_digit(colon[1]);
	}
	if (is_buddy_line(p, &node, name, sizeof(name), &rest)) {
		const char *eq = strstr(rest, "= ");
		if (eq && is_digit(eq[2]))
			return false;
		return is_digit(*n) || *n == '=' || *n == '(';
	}
	return false;
}

/* Copies one physical line into P->pbuf: NULs and tabs become blanks,
 * "#012"/"#011" become a blank, a trailing CR goes. */
static const char *clean_line(struct parser *P, const char *s, size_t n, bool *trailing)
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
static void survey(struct parser *P, const char *buf, size_t len)
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

static bool is_continuation(struct parser *P, const struct pline *pl)
{
	if (!P->lopen || pl->depth != P->ldepth || pl->ts ||
	    strstr(pl->content, "page allocation failure"))
		return false;
	if (P->style == STYLE_TS)
		return true;
	if (P->style == STYLE_INDENT && !pl->indent)
		return true;
	if (P->last_trailing && !starts_record(pl->content))
		return true;
	return continues_record(P->lbuf, P->llen, pl->content);
}

static void finalize_context(struct lab_dmesg_report *r)
{
	char frame[48];
	bool swapper = starts_with(r->comm, "swapper");

	snprintf(frame, sizeof(frame), "%.47s", r->context_why);
	if (r->first_irq_kind < 0)
		r->first_irq_kind = -r->first_irq_kind;
	if (r->trace & LAB_DMESG_TRACE_NMI_MARK) {
		r->context = LAB_DMESG_CTX_NMI;
		snprintf(r->context_why, sizeof(r->context_why), "NMI markers in the call trace");
	} else if (r->first_irq_kind == 1) {
		r->context = LAB_DMESG_CTX_SOFTIRQ;
		if (r->trace & LAB_DMESG_TRACE_KSOFTIRQD)
			snprintf(r->context_why, sizeof(r->context_why),
				 "softirq work run by ksoftirqd (%s, run_ksoftirqd in the call trace)", frame);
		else
			snprintf(r->context_why, sizeof(r->context_why), "%s in the %scall trace",
				 frame, (r->trace & LAB_DMESG_TRACE_IRQ_MARK) ? "<IRQ> section of the " : "");
	} else if (r->first_irq_kind == 2) {
		r->context = LAB_DMESG_CTX_HARDIRQ;
		snprintf(r->context_why, sizeof(r->context_why),
			 "hard-interrupt frame %s in the call trace, no softirq frame above it", frame);
	} else if (r->trace & LAB_DMESG_TRACE_IRQ_MARK) {
		r->context = LAB_DMESG_CTX_HARDIRQ;
		snprintf(r->context_why, sizeof(r->context_why),
			 "<IRQ> section in the call trace without softirq frames");
	} else if (starts_with(r->comm, "kswapd")) {
		r->context = LAB_DMESG_CTX_KSWAPD;
		snprintf(r->context_why, sizeof(r->context_why), "comm %.40s is kswapd (PF_MEMALLOC)", r->comm);
	} else if (starts_with(r->comm, "ksoftirqd/")) {
		r->context = LAB_DMESG_CTX_SOFTIRQ;
		snprintf(r->context_why, sizeof(r->context_why), "comm %.40s runs softirqs", r->comm);
	} else if (swapper && r->pid == 1) {
		r->context = LAB_DMESG_CTX_PROCESS;
		snprintf(r->context_why, sizeof(r->context_why),
			 "%.40s with PID 1 is the boot-time init task (before exec)", r->comm);
	} else if (swapper) {
		r->context = LAB_DMESG_CTX_SOFTIRQ;
		snprintf(r->context_why, sizeof(r->context_why),
			 "comm %.40s is the idle task: the allocation interrupted idle (interrupt or softirq, e.g. network RX)",
			 r->comm);
	} else if (r->has_call_trace) {
		r->context = LAB_DMESG_CTX_PROCESS;
		snprintf(r->context_why, sizeof(r->context_why), "no interrupt frames in the call trace%s",
			 starts_with(r->comm, "kworker") ? " (kworker: a workqueue item)" : "");
	} else if (r->comm[0]) {
		r->context = LAB_DMESG_CTX_PROCESS;
		snprintf(r->context_why, sizeof(r->context_why),
			 "assumed from comm %.40s (no call trace to confirm)", r->comm);
	} else {
		r->context = LAB_DMESG_CTX_UNKNOWN;
		snprintf(r->context_why, sizeof(r->context_why), "no call trace and no comm");
	}
}

static void finalize(struct lab_dmesg_log *log)
{
	for (size_t i = 0; i < log->nr_reports; i++) {
		struct lab_dmesg_report *r = &log->reports[i];
		int zone_lines = 0;

		r->missing = 0;
		if (!r->has_order)
			r->missing |= LAB_DMESG_MISSING_ORDER;
		if (!r->has_mode)
			r->missing |= LAB_DMESG_MISSING_MODE;
		if (!r->version[0] && !log->version[0])
			r->missing |= LAB_DMESG_MISSING_VERSION;
		if (!r->has_call_trace)
			r->missing |= LAB_DMESG_MISSING_CALL_TRACE;
		for (int z = 0; z < r->nr_zones; z++) {
			const struct lab_dmesg_zone *zn = &r->zones[z];
			if (zn->has_zone_line)
				zone_lines++;
			if (!zn->has_zone_line || !(zn->have & (1u << LAB_ZF_FREE)) ||
			    !(zn->have & (1u << LAB_ZF_MIN)))
				r->missing |= LAB_DMESG_MISSING_WATERMARKS;
			if (zn->has_zone_line && !zn->nr_reserve)
				r->missing |= LAB_DMESG_MISSING_LOWMEM_RESERVE;
			if (!zn->has_buddy)
				r->missing |= LAB_DMESG_MISSING_BUDDY;
			if (!r->page_kb && zn->has_buddy && zn->nr_orders > 0 && zn->block_kb[0] >= 1 &&
			    zn->block_kb[0] <= 1024 && !(zn->block_kb[0] & (zn->block_kb[0] - 1)))
				r->page_kb = (unsigned)zn->block_kb[0];
		}
		if (!r->has_meminfo)
			r->missing |= LAB_DMESG_MISSING_MEMINFO;
		else if (zone_lines == 0)
			r->missing |= LAB_DMESG_MISSING_ZONES;
		if (log->truncated && i + 1 == log->nr_reports && r->has_meminfo &&
		    r->end_line >= (int)log->nr_lines)
			r->missing |= LAB_DMESG_MISSING_TRUNCATED;
		finalize_context(r);
	}
}

int lab_dmesg_parse(const char *buf, size_t len, struct lab_dmesg_log *log)
{
	struct parser P;
	size_t pos = 0, n;
	int line = 0;

	memset(log, 0, sizeof(*log));
	memset(&P, 0, sizeof(P));
	P.log = log;
	P.current = -1;
	if (!buf)
		len = 0;
	log->truncated = len > 0 && buf[len - 1] != '\n';
	if (len > 0)
		survey(&P, buf, len);
	while (pos < len && !P.nomem) {
		size_t start = pos;
		bool trailing;
		struct pline pl;
		const char *s;

		pos = next_line(buf, len, pos, &n);
		line++;
		s = clean_line(&P, buf + start, n, &trailing);
		if (!s)
			break;
		classify(s, &pl);
		pl.trailing_space = trailing;
		if (pl.blank) {
			if (pl.depth == P.main_depth || P.main_depth == 0)
				join_flush(&P);
			continue;
		}
		if (P.main_depth > 0 && pl.depth < P.main_depth)
			continue;	/* a replier's commentary between quoted lines */
		if (is_continuation(&P, &pl))
			join_continue(&P, &pl);
		else
			join_start(&P, &pl, line);
		P.last_trailing = pl.trailing_space;
	}
	join_flush(&P);
	log->nr_lines = (size_t)line;
	free(P.lbuf);
	free(P.pbuf);
	if (P.nomem) {
		free(log->reports);
		memset(log, 0, sizeof(*log));
		return -1;
	}
	finalize(log);
	return 0;
}

void lab_dmesg_log_free(struct lab_dmesg_log *log)
{
	if (!log)
		return;
	free(log->reports);
	memset(log, 0, sizeof(*log));
}

const char *lab_dmesg_report_version(const struct lab_dmesg_log *log,
				     const struct lab_dmesg_report *r)
{
	if (r && r->version[0])
		return r->version;
	return log ? log->version : "";
}

const char *lab_dmesg_context_name(enum lab_dmesg_context ctx)
{
	switch (ctx) {
	case LAB_DMESG_CTX_PROCESS: return "process";
	case LAB_DMESG_CTX_SOFTIRQ: return "softirq";
	case LAB_DMESG_CTX_HARDIRQ: return "hardirq";
	case LAB_DMESG_CTX_NMI: return "nmi";
	case LAB_DMESG_CTX_KSWAPD: return "kswapd";
	default: return "unknown";
	}
}

const char *lab_dmesg_types_string(unsigned types, char *buf, size_t size)
{
	static const char letters[] = "UMEHCIR?";
	size_t n = 0;

	if (size == 0)
		return buf;
	for (int i = 0; i < 8; i++)
		if ((types & (1u << i)) && n + 1 < size)
			buf[n++] = letters[i];
	buf[n] = '\0';
	return buf;
}

/* Appends to a bounded buffer, keeping the snprintf-style total length. */
struct sbuf {
	char *buf;
	size_t size, len;
};

static void sb_printf(struct sbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sb_printf(struct sbuf *sb, const char *fmt, ...)
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

size_t lab_dmesg_describe_missing(const struct lab_dmesg_report *r, char *buf, size_t size)
{
	struct sbuf sb = { buf, size, 0 };
	unsigned m = r->missing;

	if (size > 0)
		buf[0] = '\0';
	if (m & LAB_DMESG_MISSING_ORDER)
		sb_printf(&sb, "the failure line has no \"order:N\"\n");
	if (m & LAB_DMESG_MISSING_MODE)
		sb_printf(&sb, "the failure line has no \"mode:0x...\" (GFP flags unknown)\n");
	if (m & LAB_DMESG_MISSING_VERSION)
		sb_printf(&sb, "no kernel version in the log (no \"CPU: ... Not tainted X\", \"Tainted: ... X\" or \"Linux version X\" line)\n");
	if (m & LAB_DMESG_MISSING_MEMINFO)
		sb_printf(&sb, "no Mem-Info block: only the failure line%s; free pages, watermarks and free blocks are unknown\n",
			  r->has_call_trace ? " and call trace" : "");
	if (m & LAB_DMESG_MISSING_ZONES)
		sb_printf(&sb, "Mem-Info has no per-zone lines (\"ZONE free:..kB min:..kB\"): watermarks unknown%s\n",
			  r->sum_free >= 0 ? " (only the summary free: count)" : "");
	for (int i = 0; i < r->nr_zones; i++) {
		const struct lab_dmesg_zone *z = &r->zones[i];
		char node[24] = "";
		if (z->node >= 0)
			snprintf(node, sizeof(node), "node %d ", z->node);
		if (!z->has_zone_line)
			sb_printf(&sb, "zone %s%s: no zone line (free/min/low/high unknown)\n", node, z->name);
		else if (!(z->have & (1u << LAB_ZF_FREE)) || !(z->have & (1u << LAB_ZF_MIN)))
			sb_printf(&sb, "zone %s%s: the zone line lacks %s\n", node, z->name,
				  !(z->have & (1u << LAB_ZF_FREE)) ? "free:" : "min:");
		if (z->has_zone_line && !z->nr_reserve)
			sb_printf(&sb, "zone %s%s: no lowmem_reserve[] line\n", node, z->name);
		if (!z->has_buddy)
			sb_printf(&sb, "zone %s%s: no buddy line (free blocks per order unknown)\n", node, z->name);
	}
	if (r->zones_dropped)
		sb_printf(&sb, "more than %d zones: the rest were not read\n", LAB_DMESG_MAX_ZONES);
	if (m & LAB_DMESG_MISSING_TRUNCATED)
		sb_printf(&sb, "the input ends in the middle of this report\n");
	if ((m & LAB_DMESG_MISSING_CALL_TRACE) && !(m & LAB_DMESG_MISSING_MEMINFO))
		sb_printf(&sb, "no call trace (context taken from the comm)\n");
	return sb.len;
}

/* ---- files --------------------------------------------------------------- */

static int read_all(FILE *f, char **buf, size_t *len)
{
	size_t cap = 1 << 16, n = 0;
	char *b = malloc(cap);

	if (!b)
		return -ENOMEM;
	for (;;) {
		size_t got;
		if (n + 1 >= cap) {
			char *nb;
			if (cap >= FILE_MAX) {
				free(b);
				return -EFBIG;
			}
			nb = realloc(b, cap * 2);
			if (!nb) {
				free(b);
				return -ENOMEM;
			}
			b = nb;
			cap *= 2;
		}
		got = fread(b + n, 1, cap - 1 - n, f);
		n += got;
		if (got == 0) {
			if (ferror(f)) {
				int e = errno ? errno : EIO;
				free(b);
				return -e;
			}
			break;
		}
	}
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}

static int gunzip(const char *in, size_t inlen, char **out, size_t *outlen, const char **why)
{
	z_stream zs;
	size_t cap = inlen * 4 + 4096, n = 0, left = inlen;
	const char *ip = in;
	char *b = malloc(cap);
	bool ok = false;

	if (!b)
		return -ENOMEM;
	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, 15 + 32) != Z_OK) {
		free(b);
		return -ENOMEM;
	}
	for (;;) {
		uInt before;
		int rc;

		if (zs.avail_in == 0 && left > 0) {
			uInt chunk = left > (1u << 30) ? (1u << 30) : (uInt)left;
			zs.next_in = (Bytef *)(uintptr_t)ip;
			zs.avail_in = chunk;
			ip += chunk;
			left -= chunk;
		}
		if (n + 1 >= cap) {
			char *nb;
			if (cap >= FILE_MAX) {
				*why = "decompressed data larger than 1 GiB";
				break;
			}
			nb = realloc(b, cap * 2);
			if (!nb) {
				*why = "out of memory";
				break;
			}
			b = nb;
			cap *= 2;
		}
		zs.next_out = (Bytef *)(b + n);
		before = (uInt)(cap - 1 - n > (1u << 30) ? (1u << 30) : cap - 1 - n);
		zs.avail_out = before;
		rc = inflate(&zs, Z_NO_FLUSH);
		n += before - zs.avail_out;
		if (rc == Z_STREAM_END) {
			if (zs.avail_in == 0 && left == 0) {
				ok = true;
				break;
			}
			if (inflateReset(&zs) != Z_OK) {	/* concatenated members */
				*why = "corrupt gzip data";
				break;
			}
			continue;
		}
		if (rc == Z_OK)
			continue;
		if (rc == Z_BUF_ERROR && !(zs.avail_in == 0 && left == 0))
			continue;
		*why = rc == Z_BUF_ERROR ? "truncated gzip data" : zs.msg ? zs.msg : "corrupt gzip data";
		break;
	}
	inflateEnd(&zs);
	if (!ok) {
		free(b);
		return -EINVAL;
	}
	b[n] = '\0';
	*out = b;
	*outlen = n;
	return 0;
}

static int unxz(const char *in, size_t inlen, char **out, size_t *outlen, const char **why)
{
	lzma_stream s = LZMA_STREAM_INIT;
	size_t cap = inlen * 6 + 4096, n = 0;
	char *b = malloc(cap);
	lzma_ret ret;

	if (!b)
		return -ENOMEM;
	if (lzma_stream_decoder(&s, UINT64_MAX, LZMA_CONCATENATED) != LZMA_OK) {
		free(b);
		return -ENOMEM;
	}
	s.next_in = (const uint8_t *)in;
	s.avail_in = inlen;
	for (;;) {
		if (n + 1 >= cap) {
			char *nb;
			if (cap >= FILE_MAX) {
				*why = "decompressed data larger than 1 GiB";
				ret = LZMA_MEM_ERROR;
				break;
			}
			nb = realloc(b, cap * 2);
			if (!nb) {
				*why = "out of memory";
				ret = LZMA_MEM_ERROR;
				break;
			}
			b = nb;
			cap *= 2;
		}
		s.next_out = (uint8_t *)(b + n);
		s.avail_out = cap - 1 - n;
		ret = lzma_code(&s, LZMA_FINISH);
		n = (size_t)((char *)s.next_out - b);
		if (ret == LZMA_STREAM_END)
			break;
		if (ret != LZMA_OK) {
			*why = ret == LZMA_BUF_ERROR ? "truncated xz data" : "corrupt xz data";
			break;
		}
	}
	lzma_end(&s);
	if (ret != LZMA_STREAM_END) {
		free(b);
		return -EINVAL;
	}
	b[n] = '\0';
	*out = b;
	*outlen = n;
	return 0;
}

int lab_dmesg_read_file(const char *path, char **buf, size_t *len, char *err, size_t errsz)
{
	bool is_stdin = strcmp(path, "-") == 0;
	FILE *f = is_stdin ? stdin : fopen(path, "rb");
	const char *name = is_stdin ? "<stdin>" : path;
	char *raw = NULL;
	size_t rawlen = 0;
	int rc;

	*buf = NULL;
	*len = 0;
	if (!f) {
		snprintf(err, errsz, "cannot open %s: %s", name, strerror(errno));
		return -1;
	}
	rc = read_all(f, &raw, &rawlen);
	if (!is_stdin)
		fclose(f);
	if (rc < 0) {
		snprintf(err, errsz, "cannot read %s: %s", name,
			 rc == -EFBIG ? "larger than 1 GiB" : strerror(-rc));
		return -1;
	}
	if (rawlen >= 2 && (unsigned char)raw[0] == 0x1f && (unsigned char)raw[1] == 0x8b) {
		const char *why = NULL;
		rc = gunzip(raw, rawlen, buf, len, &why);
		free(raw);
		if (rc < 0) {
			snprintf(err, errsz, "%s: cannot decompress gzip data: %s", name, why ? why : "error");
			return -1;
		}
		return 0;
	}
	if (rawlen >= 6 && memcmp(raw, "\xfd" "7zXZ\0", 6) == 0) {
		const char *why = NULL;
		rc = unxz(raw, rawlen, buf, len, &why);
		free(raw);
		if (rc < 0) {
			snprintf(err, errsz, "%s: cannot decompress xz data: %s", name, why ? why : "error");
			return -1;
		}
		return 0;
	}
	*buf = raw;
	*len = rawlen;
	return 0;
}

int lab_dmesg_parse_file(const char *path, struct lab_dmesg_log *log, char *err, size_t errsz)
{
	char *buf;
	size_t len;
	int rc;

	memset(log, 0, sizeof(*log));
	if (lab_dmesg_read_file(path, &buf, &len, err, errsz) < 0)
		return -1;
	rc = lab_dmesg_parse(buf, len, log);
	free(buf);
	if (rc < 0) {
		snprintf(err, errsz, "%s: out of memory while parsing", path);
		return -1;
	}
	return 0;
}
