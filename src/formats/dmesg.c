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
 *    a line of its fields. Records the kernel prints in KERN_CONT pieces
 *    (buddy lines, lowmem_reserve[], "Node N " before a zone line) come
 *    apart when another CPU prints in between: each piece is then a record
 *    with its own timestamp and caller id. Every caller keeps its
 *    incomplete record open (up to LSLOTS at once), and a later line of
 *    the same caller that is a piece of it ("0*8kB (U)", " 2422", "= NkB")
 *    is glued to it. Pieces are glued with or without a blank by
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
 *
 * Files: this one drives the steps and holds the public helpers; steps 1
 * and 2 are dmesg_lines.c, step 3 dmesg_report.c and dmesg_meminfo.c;
 * dmesg_int.h is what they share. Files are read by formats/input.c.
 */
#include "formats/dmesg.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/dmesg_int.h"
#include "formats/input.h"
#include "util/text.h"

#define FILE_MAX      ((size_t)1 << 30)    /* bytes read or decompressed */

int lab_dmesg_parse(const char *buf, size_t len, struct lab_dmesg_log *log)
{
	struct dmesg_parser P;
	int lines = 0;

	memset(log, 0, sizeof(*log));
	memset(&P, 0, sizeof(P));
	P.log = log;
	P.current = -1;
	P.trace_owner = -1;
	if (!buf)
		len = 0;
	log->truncated = len > 0 && buf[len - 1] != '\n';
	if (len > 0) {
		lab__dmesg_survey(&P, buf, len);
		lines = lab__dmesg_read_lines(&P, buf, len);
	}
	log->nr_lines = (size_t)lines;
	for (int i = 0; i < LSLOTS; i++)
		free(P.slot[i].buf);
	free(P.pbuf);
	if (P.nomem) {
		free(log->reports);
		memset(log, 0, sizeof(*log));
		return -1;
	}
	lab__dmesg_finalize(log);
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

size_t lab_dmesg_describe_missing(const struct lab_dmesg_report *r, char *buf, size_t size)
{
	struct lab_sbuf sb = { buf, size, 0 };
	unsigned m = r->missing;

	if (size > 0)
		buf[0] = '\0';
	if (m & LAB_DMESG_MISSING_ORDER)
		lab_sb_printf(&sb, "the failure line has no \"order:N\"\n");
	if (m & LAB_DMESG_MISSING_MODE)
		lab_sb_printf(&sb, "the failure line has no \"mode:0x...\" (GFP flags unknown)\n");
	if (m & LAB_DMESG_MISSING_VERSION)
		lab_sb_printf(&sb, "no kernel version in the log (no \"CPU: ... Not tainted X\", \"Tainted: ... X\" or \"Linux version X\" line)\n");
	if (m & LAB_DMESG_MISSING_MEMINFO)
		lab_sb_printf(&sb, "no Mem-Info block: only the failure line%s; free pages, watermarks and free blocks are unknown\n",
			  r->has_call_trace ? " and call trace" : "");
	if (m & LAB_DMESG_MISSING_ZONES)
		lab_sb_printf(&sb, "Mem-Info has no per-zone lines (\"ZONE free:..kB min:..kB\"): watermarks unknown%s\n",
			  r->sum_free >= 0 ? " (only the summary free: count)" : "");
	for (int i = 0; i < r->nr_zones; i++) {
		const struct lab_dmesg_zone *z = &r->zones[i];
		char node[24] = "";
		if (z->node >= 0)
			snprintf(node, sizeof(node), "node %d ", z->node);
		if (!z->has_zone_line)
			lab_sb_printf(&sb, "zone %s%s: no zone line (free/min/low/high unknown)\n", node, z->name);
		else if (!(z->have & (1u << LAB_ZF_FREE)) || !(z->have & (1u << LAB_ZF_MIN)))
			lab_sb_printf(&sb, "zone %s%s: the zone line lacks %s\n", node, z->name,
				  !(z->have & (1u << LAB_ZF_FREE)) ? "free:" : "min:");
		if (z->has_zone_line && !z->nr_reserve)
			lab_sb_printf(&sb, "zone %s%s: no lowmem_reserve[] line\n", node, z->name);
		if (!z->has_buddy)
			lab_sb_printf(&sb, "zone %s%s: no buddy line (free blocks per order unknown)\n", node, z->name);
	}
	if (r->zones_dropped)
		lab_sb_printf(&sb, "more than %d zones: the rest were not read\n", LAB_DMESG_MAX_ZONES);
	if (m & LAB_DMESG_MISSING_TRUNCATED)
		lab_sb_printf(&sb, "the input ends in the middle of this report\n");
	if ((m & LAB_DMESG_MISSING_CALL_TRACE) && !(m & LAB_DMESG_MISSING_MEMINFO))
		lab_sb_printf(&sb, "no call trace (context taken from the comm)\n");
	return sb.len;
}

/* ---- files --------------------------------------------------------------- */

int lab_dmesg_read_file(const char *path, char **buf, size_t *len, char *err, size_t errsz)
{
	return lab_input_read(path, FILE_MAX, buf, len, NULL, err, errsz) ? -1 : 0;
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
		snprintf(err, errsz, "%s: out of memory while parsing", lab_input_name(path));
		return -1;
	}
	return 0;
}
