/* SPDX-License-Identifier: MIT */
/*
 * formats/dmesg_report.c - step 3 of the dmesg reader: reports read from
 * logical lines. A failure line (warn_alloc's "page allocation failure")
 * opens a report; every other line goes to the report it is routed to (the
 * newest, or the one with the same caller id) and is read by what it is:
 * the CPU/Pid line (comm, pid, kernel version), Hardware name, Workqueue,
 * call trace lines (context markers and frames), the Mem-Info body
 * (dmesg_meminfo.c). An OOM dump or a second Mem-Info closes the report.
 * After the last line, lab__dmesg_finalize() says what each report lacks
 * and in which context the allocation ran.
 *
 * Cost: O(line length) per line; routing looks at the newest 16 reports.
 */
#include "formats/dmesg_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static void note_log_version(struct dmesg_parser *P, const char *v, int line)
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
static bool parse_failure_line(struct dmesg_parser *P, const char *t, int line,
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
	for (size_t i = 0; i < log->nr_reports; i++)	/* the same caller moved on */
		if (strcmp(log->reports[i].tag, r->tag) == 0)
			log->reports[i].complete = true;
	P->current = (long)log->nr_reports;
	log->nr_reports++;
	return true;
}

/* The report a non-failure line belongs to, or NULL: by caller id, by the
 * reports' grammar when several untagged ones are in flight
 * (dmesg_demux.c), else the newest. */
static struct lab_dmesg_report *route(struct dmesg_parser *P, const char *t, int line,
				      const char *tag, bool has_tag)
{
	struct lab_dmesg_log *log = P->log;
	struct lab_dmesg_report *cur = P->current >= 0 ? &log->reports[P->current] : NULL, *by_grammar;

	if (has_tag) {	/* by caller id, also when the newest report was closed */
		size_t lo = log->nr_reports > 16 ? log->nr_reports - 16 : 0;
		for (size_t i = log->nr_reports; i-- > lo;) {
			struct lab_dmesg_report *r = &log->reports[i];
			if (!r->closed && strcmp(r->tag, tag) == 0)
				return r;
		}
		return cur && !cur->closed && !cur->tag[0] ? cur : NULL;
	}
	if (lab__dmesg_demux(P, t, line, &by_grammar))
		return by_grammar;
	return !cur || cur->closed ? NULL : cur;
}

/* "CPU: 3 PID: 332 Comm: kworker/3:2 Not tainted 5.4.26 #4" and the old
 * "Pid: 3492, comm: vlc Not tainted 2.6.33.2 #1". */
static void parse_cpu_line(struct dmesg_parser *P, struct lab_dmesg_report *r, const char *t, int line)
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

/*
 * Frames of the machinery between a caller and warn_alloc(): printing the
 * stack, the page allocator, the slab allocators, the generic page-fragment,
 * skb and DMA helpers. The first reliable frame that is none of these is the
 * call site (lab_dmesg_report.site). Prefixes; ".constprop.0" suffixes are
 * cut before the comparison.
 */
static const char *const alloc_frames[] = {
	"dump_stack", "__dump_stack", "dump_backtrace", "show_stack", "show_trace", "dump_trace",
	"print_trace", "warn_alloc", "alloc_kmem_pages", "alloc_page", "kmem_getpages",
	"__netdev_alloc_frag", "netdev_alloc_frag", "dma_generic_alloc",
	"__warn_alloc", "__alloc_pages", "alloc_pages", "__get_free_pages", "get_zeroed_page",
	"__alloc_frozen_pages", "alloc_frozen_pages", "folio_alloc", "__folio_alloc",
	"alloc_slab_page", "allocate_slab", "new_slab", "___slab_alloc", "__slab_alloc",
	"slab_alloc", "__kmalloc", "kmalloc", "__kmem_cache_alloc", "kmem_cache_alloc",
	"cache_grow", "cache_alloc_refill", "____cache_alloc", "fallback_alloc",
	"kmalloc_order", "kmalloc_large", "kmalloc_trace", "__kmalloc_large",
	"kvmalloc", "__kvmalloc", "page_frag_alloc", "__page_frag_alloc",
	"__page_frag_cache_refill", "skb_page_frag_refill", "__alloc_skb", "__netdev_alloc_skb",
	"__napi_alloc_skb", "alloc_skb", "dma_alloc", "dma_direct_alloc", "__dma_direct_alloc",
	"dma_pool_alloc", "__dma_alloc", "alloc_pages_exact", "mempool_alloc",
};

static bool is_alloc_frame(const char *sym, size_t n)
{
	const char *dot = memchr(sym, '.', n);

	if (dot)
		n = (size_t)(dot - sym);
	for (size_t i = 0; i < sizeof(alloc_frames) / sizeof(alloc_frames[0]); i++) {
		size_t k = strlen(alloc_frames[i]);
		if (n >= k && memcmp(sym, alloc_frames[i], k) == 0)
			return true;
	}
	return false;
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
			bool reliable = !(b > t && b[-1] == '?');
			/* "? name+0x..": x86's guess from a stale stack slot */
			classify_frame(r, s, (size_t)(e - s), reliable);
			/* old x86 kernels mark every frame "?": the first then serves */
			if (p[0] == '+' && (!r->site[0] || (r->site_guess && reliable)) &&
			    !is_alloc_frame(s, (size_t)(e - s))) {
				copy_trim(r->site, sizeof(r->site), s, (size_t)(e - s));
				r->site_guess = !reliable;
			}
		}
	}
	if (frame)
		r->has_call_trace = true;
}

static void close_report(struct dmesg_parser *P, struct lab_dmesg_report *r)
{
	r->closed = true;
	r->complete = true;
	if (P->current >= 0 && &P->log->reports[P->current] == r)
		P->current = -1;
}

/*
 * Whether @t ends report @r by the report's structure: after Mem-Info's
 * zone lines, show_mem prints only zone, lowmem_reserve[], buddy and
 * "Node N" lines, hugepages, pagecache, swap and "N pages ..." totals (and,
 * in old kernels, per-CPU "CPU N:" lines); any other line comes after its
 * last line. Before the zone lines nothing ends a report this way: a
 * Mem-Info summary is free-form, and a call trace may be interleaved with
 * other CPUs' messages (027 in the corpus). Such reports end with the next
 * report of the same caller, an OOM dump or the end of the input.
 */
static bool ends_report(const struct lab_dmesg_report *r, const char *t)
{
	if (r->phase != PH_MEMINFO || r->nr_zones == 0)
		return false;
	return !(is_digit(*t) || starts_with(t, "Node ") || starts_with(t, "lowmem_reserve") ||
		 starts_with(t, "Swap cache") || starts_with(t, "Free swap") ||
		 starts_with(t, "Total swap") || starts_with(t, "CPU ") ||
		 lab__dmesg_meminfo_line_kind(t));
}

/*
 * A report ends with a line of its own caller (ends_report), or, once
 * show_mem has printed "N pages reserved" (its last line but the optional
 * cma/hwpoisoned counts), with a line of any other caller (another caller
 * id, or none where it had one): that line no longer falls inside its dump.
 */
static void end_printed_reports(struct dmesg_parser *P, const char *tag)
{
	struct lab_dmesg_log *log = P->log;
	size_t lo = log->nr_reports > 16 ? log->nr_reports - 16 : 0;

	for (size_t i = lo; i < log->nr_reports; i++) {
		struct lab_dmesg_report *r = &log->reports[i];
		if (!r->closed && strcmp(r->tag, tag) != 0 && r->pages_reserved >= 0)
			close_report(P, r);
	}
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
void lab__dmesg_logical_line(struct dmesg_parser *P, const char *text, int line,
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
	end_printed_reports(P, has_tag ? tag : "");
	if (parse_failure_line(P, t, line, tag, has_tag))
		return;
	r = route(P, t, line, tag, has_tag);
	if (strstr(t, "invoked oom-killer") || starts_with(t, "Out of memory")) {
		if (r)
			close_report(P, r);
		return;
	}
	if (r && ends_report(r, t)) {
		close_report(P, r);
		r = NULL;
	}
	if ((starts_with(t, "CPU:") && strstr(t, "PID:")) ||
	    (starts_with(t, "Pid:") && strstr(t, "comm:"))) {
		parse_cpu_line(P, r, t, line);
		if (r)
			lab__dmesg_demux_seen(P, r, t);
		return;
	}
	if (!r)
		return;
	r->end_line = line;
	lab__dmesg_demux_seen(P, r, t);
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
		lab__dmesg_parse_summary(r, mi + 9);
		return;
	}
	if (lab__dmesg_meminfo_line(r, t, line)) {
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
		lab__dmesg_parse_totals(r, t);
		return;
	}
	if (r->nr_zones == 0 && !starts_with(t, "Node "))
		lab__dmesg_parse_summary(r, t);
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

void lab__dmesg_finalize(struct lab_dmesg_log *log)
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

