/* SPDX-License-Identifier: MIT */
/*
 * formats/dmesg_demux.c - which report an untagged line belongs to when two
 * or more reports without printk caller ids are printed at once.
 *
 * Without caller ids nothing in a line says who printed it, but each report
 * follows a grammar (warn_alloc() then dump_stack() then show_mem()):
 *
 *   failure line
 *   CPU/Pid line, Hardware name, Workqueue, Call Trace: frames ...   (one block)
 *   Mem-Info:  [per-cpu lines]  summary: active_anon, active_file, unevictable,
 *              slab_reclaimable, mapped, free ... "Node N active_anon:" ...
 *   zone line, lowmem_reserve[]   (per populated zone, in zone order)
 *   buddy line                     (per zone, the same order)
 *   hugepages, pagecache, swap, "N pages RAM" ... "N pages reserved" ...
 *
 * A line goes to the in-flight report whose grammar expects it next:
 *  - dump_stack() serialises its output across CPUs (printk_cpu_sync since
 *    5.15, dump_stack's own lock before), so header and trace lines belong
 *    to the report whose CPU line came last (P->trace_owner); a CPU line to
 *    the report of the same comm that has none yet, the oldest first;
 *  - "Mem-Info:" to the oldest report with a trace and no Mem-Info (its
 *    dump_stack() ended first, so its show_mem() started first);
 *  - summary and tail lines to the report that has printed the latest line
 *    before this one in the grammar (demux_rank);
 *  - a zone line to a report whose last zone got its lowmem_reserve[] and
 *    whose zones so far come before this one, the one with fewer zone lines
 *    first; lowmem_reserve[] to the report whose last zone lacks one;
 *  - a buddy line to the report whose next zone without a buddy line has
 *    this zone's node and name.
 * When more than one report could have printed the line, the rule above
 * picks one and the report counts the line in ambiguous_lines.
 *
 * Cost: O(line length + in-flight reports) per line; at most DEMUX_MAX
 * reports (the newest) are considered.
 */
#include "formats/dmesg_int.h"

#include <string.h>

#define DEMUX_MAX 4

/* Summary ranks 1..9, tail ranks 20..30: the order show_mem() prints them. */
enum {
	RANK_MEMINFO = 0, RANK_PERCPU = 1, RANK_FREE = 7, RANK_NODE_SUMMARY = 9,
	RANK_ZONES = 10,
	RANK_HUGEPAGES = 20, RANK_PAGECACHE = 21, RANK_SWAPCACHE = 22, RANK_FREESWAP = 23,
	RANK_TOTALSWAP = 24, RANK_PAGES_RAM = 25, RANK_HIGHMEM = 26, RANK_RESERVED = 27,
	RANK_CMA = 28, RANK_HWPOISON = 29, RANK_UNKNOWN_TAIL = 30,
};

enum kind {
	K_OTHER, K_CPU, K_HEADER, K_TRACE_START, K_MEMINFO, K_SUMMARY, K_ZONE,
	K_RESERVE, K_BUDDY, K_TAIL,
};

static const struct { const char *key; int rank; } summary_keys[] = {
	{ "active_anon:", 2 }, { "active_file:", 3 }, { "unevictable:", 4 },
	{ "slab_reclaimable:", 5 }, { "mapped:", 6 }, { "free:", 7 }, { "free_pcp:", 7 },
	{ "sec_pagetables:", 8 }, { "kernel_misc_reclaimable:", 8 },
};

/* "word:digits" as the first token: a Mem-Info summary line. */
static bool is_summary(const char *t)
{
	const char *p = t;

	while (is_lower(*p) || *p == '_' || is_digit(*p))
		p++;
	return p > t && *p == ':' && is_digit(p[1]);
}

/* The rank of the last key the line holds: a log may join the summary's
 * lines into one. 8 for a line with none of them. */
static int summary_rank(const char *t)
{
	int rank = 0;

	for (size_t i = 0; i < sizeof(summary_keys) / sizeof(summary_keys[0]); i++) {
		const char *k = strstr(t, summary_keys[i].key);
		if (k && (k == t || is_blank(k[-1])) && summary_keys[i].rank > rank)
			rank = summary_keys[i].rank;
	}
	return rank ? rank : 8;
}

static int tail_rank(const char *t)
{
	if (starts_with(t, "Node ") && strstr(t, "hugepages"))
		return RANK_HUGEPAGES;
	if (starts_with(t, "Swap cache") || strstr(t, "swap cache"))
		return RANK_SWAPCACHE;
	if (starts_with(t, "Free swap"))
		return RANK_FREESWAP;
	if (starts_with(t, "Total swap"))
		return RANK_TOTALSWAP;
	if (strstr(t, "pagecache") || strstr(t, "page cache"))
		return RANK_PAGECACHE;
	if (strstr(t, "pages RAM"))
		return RANK_PAGES_RAM;
	if (strstr(t, "HighMem") || strstr(t, "highmem"))
		return RANK_HIGHMEM;
	if (strstr(t, "cma reserved"))
		return RANK_CMA;
	if (strstr(t, "reserved"))
		return RANK_RESERVED;
	if (strstr(t, "hwpoisoned"))
		return RANK_HWPOISON;
	return RANK_UNKNOWN_TAIL;
}

static enum kind classify(const char *t, int *rank, int *node, char *zone, size_t zsize)
{
	const char *rest;

	*rank = 0;
	if ((starts_with(t, "CPU:") && strstr(t, "PID:")) || (starts_with(t, "Pid:") && strstr(t, "comm:")))
		return K_CPU;
	if (starts_with(t, "Hardware name:") || starts_with(t, "Workqueue:"))
		return K_HEADER;
	if (starts_with(t, "Call Trace:") || starts_with(t, "Call trace:") || starts_with(t, "Backtrace:"))
		return K_TRACE_START;
	if (strstr(t, "Mem-Info:") || strstr(t, "Mem-info:"))
		return K_MEMINFO;
	if (starts_with(t, "lowmem_reserve[]:")) {
		const char *p = t + 17;	/* *rank: the entries, one per zone type */
		uint64_t v;
		for (;;) {
			p = skip_blanks(p);
			if (!read_u64(&p, &v))
				break;
			if (*rank < LAB_DMESG_MAX_RESERVE)
				(*rank)++;
		}
		return K_RESERVE;
	}
	if (lab__dmesg_is_zone_line(t, node, zone, zsize, &rest))
		return K_ZONE;
	if (lab__dmesg_is_buddy_line(t, node, zone, zsize, &rest))
		return K_BUDDY;
	if (starts_with(t, "Node ") && strstr(t, "per-cpu"))
		return *rank = RANK_PERCPU, K_SUMMARY;
	if (starts_with(t, "CPU ") && strstr(t, "hi:"))
		return *rank = RANK_PERCPU, K_SUMMARY;
	if (starts_with(t, "Node ") && strstr(t, "active_anon:"))
		return *rank = RANK_NODE_SUMMARY, K_SUMMARY;
	if (is_digit(*t) || starts_with(t, "Swap cache") || starts_with(t, "Free swap") ||
	    starts_with(t, "Total swap") || (starts_with(t, "Node ") && strstr(t, "hugepages")))
		return *rank = tail_rank(t), K_TAIL;
	if (is_summary(t))
		return *rank = summary_rank(t), K_SUMMARY;
	return K_OTHER;
}

static int zone_lines(const struct lab_dmesg_report *r)
{
	int n = 0;
	for (int z = 0; z < r->nr_zones; z++)
		n += r->zones[z].has_zone_line;
	return n;
}

static int buddy_lines(const struct lab_dmesg_report *r)
{
	int n = 0;
	for (int z = 0; z < r->nr_zones; z++)
		n += r->zones[z].has_buddy;
	return n;
}

/* The zone the next buddy line of @r is for: the first with a zone line
 * and no buddy line yet (show_free_areas() walks the zones twice in the
 * same order). NULL if none. */
static const struct lab_dmesg_zone *next_buddy_zone(const struct lab_dmesg_report *r)
{
	for (int z = 0; z < r->nr_zones; z++)
		if (r->zones[z].has_zone_line && !r->zones[z].has_buddy)
			return &r->zones[z];
	return NULL;
}

/* Whether @r may print the zone line of (@node, @zone) next. */
static bool expects_zone(const struct lab_dmesg_report *r, int node, const char *zone)
{
	const struct lab_dmesg_zone *last;

	if (!r->has_meminfo || r->demux_rank >= RANK_HUGEPAGES || buddy_lines(r) > 0)
		return false;
	if (r->last_zone < 0)
		return r->nr_zones == 0 && (r->demux_rank == RANK_MEMINFO || r->demux_rank >= RANK_FREE);
	last = &r->zones[r->last_zone];
	if (!last->nr_reserve)
		return false;
	if (r->demux_rank > RANK_MEMINFO && r->demux_rank < RANK_FREE)
		return false;	/* inside its summary */
	if (last->node != node)
		return node > last->node;
	return lab_dmesg_zone_type(last->name) < lab_dmesg_zone_type(zone);
}

/* Whether @r may print a line of @kind (@rank) next; *@score orders the
 * reports that may (higher wins; equal scores are ambiguous). */
static bool expects(const struct lab_dmesg_report *r, enum kind kind, int rank, int node,
		    const char *zone, int *score, int *cls)
{
	const struct lab_dmesg_zone *bz;

	*score = 0;
	*cls = 0;
	switch (kind) {
	case K_MEMINFO:	/* the oldest: its dump_stack() ended first */
		*score = -r->line;
		return !r->has_meminfo && (r->has_call_trace || r->pid >= 0);
	case K_SUMMARY:
		/* "Node N active_anon:" follows "free:": a report past it is
		 * due; one whose summary stopped short (an excerpt) may be */
		if (rank == RANK_NODE_SUMMARY)
			*cls = r->demux_rank >= RANK_FREE;
		if (!r->has_meminfo || r->nr_zones > 0 || r->demux_rank > rank ||
		    (r->demux_rank == rank && rank != RANK_PERCPU && rank != RANK_NODE_SUMMARY && rank != 8))
			return false;
		*score = r->demux_rank;
		return true;
	case K_ZONE:
		if (!expects_zone(r, node, zone))
			return false;
		/* after its summary's "free:" line a report is due to print
		 * zone lines; right after "Mem-Info:" only if it has no summary */
		*cls = r->demux_rank >= RANK_FREE;
		*score = *cls * 1000 - zone_lines(r);
		return true;
	case K_RESERVE:
		if (r->last_zone < 0 || r->zones[r->last_zone].nr_reserve || buddy_lines(r) > 0)
			return false;
		/* every line of a report has MAX_NR_ZONES entries: a report
		 * whose earlier line had as many is due, one whose earlier
		 * line had another count is not; then the older zone line */
		for (int z = 0; z < r->nr_zones; z++)
			if (r->zones[z].nr_reserve) {
				if (r->zones[z].nr_reserve != rank)
					return false;
				*cls = 1;
				break;
			}
		*score = -r->zones[r->last_zone].line;
		return true;
	case K_BUDDY:
		bz = next_buddy_zone(r);
		if (r->last_zone >= 0 && !r->zones[r->last_zone].nr_reserve)
			return false;	/* lowmem_reserve[] follows its zone line */
		if (!bz || bz->node != node || strcmp(bz->name, zone) != 0)
			return false;
		*score = -buddy_lines(r);
		return true;
	case K_TAIL:	/* after the buddy lines; a line of unknown rank anywhere there */
		if (!r->has_meminfo || r->nr_zones == 0 || next_buddy_zone(r) != NULL ||
		    (rank != RANK_UNKNOWN_TAIL &&
		     (r->demux_rank > rank || (r->demux_rank == rank && rank != RANK_HUGEPAGES))))
			return false;
		*score = r->demux_rank;
		return true;
	default:
		return false;
	}
}

void lab__dmesg_demux_seen(struct dmesg_parser *P, struct lab_dmesg_report *r, const char *t)
{
	int rank, node;
	char zone[16];
	enum kind kind = classify(t, &rank, &node, zone, sizeof(zone));

	if ((kind == K_CPU || kind == K_TRACE_START) && !r->tag[0])
		P->trace_owner = (long)(r - P->log->reports);
	else if (kind == K_SUMMARY || (kind == K_TAIL && rank != RANK_UNKNOWN_TAIL))
		r->demux_rank = rank;
	else if (kind == K_TAIL && r->demux_rank < RANK_HUGEPAGES)
		r->demux_rank = RANK_HUGEPAGES;
	else if (kind == K_MEMINFO)
		r->demux_rank = RANK_MEMINFO;
}

/* Whether the comm in CPU line @t is @comm. */
static bool cpu_line_comm_is(const char *t, const char *comm)
{
	const char *c = strstr(t, "Comm:");
	size_t n = strlen(comm);

	if (!c)
		c = strstr(t, "comm:");
	if (!c || !n)
		return false;
	c = skip_blanks(c + 5);
	return strncmp(c, comm, n) == 0 && (c[n] == '\0' || is_blank(c[n]));
}

static struct lab_dmesg_report *pick_cpu_owner(struct lab_dmesg_report **in, int n, const char *t,
					       int *nr_ok)
{
	struct lab_dmesg_report *best = NULL;
	int same = 0;

	*nr_ok = 0;
	for (int i = 0; i < n; i++) {	/* oldest first */
		struct lab_dmesg_report *r = in[i];
		bool named;
		if (r->pid >= 0 || r->has_meminfo)
			continue;
		named = cpu_line_comm_is(t, r->comm);
		if (r->has_call_trace && !named)	/* its dump began without one */
			continue;
		if (named && !same)
			best = NULL, *nr_ok = 0;
		if (!named && same)
			continue;
		same |= named;
		(*nr_ok)++;
		if (!best)
			best = r;
	}
	return best;
}

bool lab__dmesg_demux(struct dmesg_parser *P, const char *t, int line, struct lab_dmesg_report **out)
{
	struct lab_dmesg_log *log = P->log;
	struct lab_dmesg_report *in[DEMUX_MAX], *due[DEMUX_MAX], *best = NULL, *owner = NULL;
	int n = 0, rank, node = -1, best_score = 0, best_cls = 0, nr_best = 0, nr_ok = 0;
	char zone[16] = "";
	enum kind kind;

	for (size_t i = log->nr_reports; i-- > 0 && n < DEMUX_MAX;) {
		struct lab_dmesg_report *r = &log->reports[i];
		if (r->tag[0] || r->closed)
			continue;
		in[n++] = r;
	}
	if (n < 2)
		return false;
	for (int i = 0; i < n / 2; i++) {	/* oldest first */
		struct lab_dmesg_report *x = in[i];
		in[i] = in[n - 1 - i];
		in[n - 1 - i] = x;
	}
	if (P->trace_owner >= 0 && (size_t)P->trace_owner < log->nr_reports &&
	    !log->reports[P->trace_owner].closed && !log->reports[P->trace_owner].has_meminfo)
		owner = &log->reports[P->trace_owner];
	kind = classify(t, &rank, &node, zone, sizeof(zone));
	switch (kind) {
	case K_CPU:
		best = pick_cpu_owner(in, n, t, &nr_ok);
		if (best)
			P->trace_owner = (long)(best - log->reports);
		break;
	case K_TRACE_START:
	case K_HEADER:
	case K_OTHER:
		/* dump_stack() output is one block: its owner's, or the oldest
		 * report that has not printed one yet; a second "Call Trace:"
		 * starts the dump of a report without one */
		if (kind == K_TRACE_START && owner && owner->has_call_trace)
			owner = NULL;
		best = owner;
		if (!best && kind != K_OTHER)	/* a dump without CPU line */
			for (int i = 0; i < n; i++)
				if (!in[i]->has_meminfo && (kind != K_TRACE_START || !in[i]->has_call_trace)) {
					if (!best)
						best = in[i];
					due[nr_ok++] = in[i];
				}
		if (best)
			P->trace_owner = (long)(best - log->reports);
		break;
	default:
		for (int i = 0; i < n; i++) {	/* oldest first: it wins ties */
			int score, cls;
			if (!expects(in[i], kind, rank, node, zone, &score, &cls))
				continue;
			if (!best || cls > best_cls)
				nr_ok = 0;
			if (best && cls < best_cls)
				continue;
			due[nr_ok++] = in[i];	/* as due as the best */
			if (!best || cls > best_cls || score > best_score) {
				best = in[i];
				best_score = score;
				best_cls = cls;
				nr_best = 1;
			} else if (score == best_score) {
				nr_best++;
			}
		}
		/* a zone line or lowmem_reserve[] that several reports are
		 * equally due to print could be any of theirs; other lines
		 * only when the best candidates tie */
		if (kind != K_ZONE && kind != K_RESERVE && kind != K_MEMINFO &&
		    !(kind == K_SUMMARY && rank == RANK_NODE_SUMMARY) && nr_best < 2)
			nr_ok = 1;
		break;
	}
	/* every report that may have printed the line is told: the one
	 * that got it, and the ones that may now lack it */
	for (int i = 0; best && nr_ok > 1 && i < nr_ok; i++) {
		struct lab_dmesg_report *r = kind == K_CPU ? best : due[i];
		if (!r->ambiguous_lines)
			r->ambiguous_line = line;
		r->ambiguous_lines++;
		if (kind == K_CPU)
			break;
	}
	*out = best;
	return true;
}
