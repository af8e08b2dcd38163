/* SPDX-License-Identifier: MIT */
/*
 * core/warn.c - what the core tells the world: log lines, bad-page reports
 * and allocation-failure records (Linux bad_page, warn_alloc).
 *
 * The core formats log lines with its own freestanding formatter and hands
 * them to platform->log. Failure records are plain data (struct
 * lab_alloc_failure) handed to platform->warn_alloc; turning them into the
 * kernel's text is the report layer's job (src/report/warn_alloc.c).
 *
 * Rate limits, as Linux: failure reports one per 10 s (burst 1, the
 * ratelimit state of warn_alloc); bad-page reports 60 per minute, then
 * "BUG: Bad page state: N messages suppressed". Without a platform clock
 * nothing is rate limited. Every failure is counted either way.
 *
 * Callable from any context: nothing here blocks (the hooks must not).
 */
#include "internal.h"

void (lab__log)(struct lab_mem *mem, enum lab_log_level lvl, const char *fmt, ...)
{
	char line[256];
	va_list ap;

	if (!mem->plat.log)
		return;
	va_start(ap, fmt);
	lab__vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	mem->plat.log(mem->plat.ctx, lvl, line);
}

static const char *current_comm(struct lab_mem *mem)
{
	const char *c = mem->plat.comm ? mem->plat.comm(mem->plat.ctx) : NULL;
	return c ? c : "labyrinth";
}

static enum lab_context current_context(struct lab_mem *mem)
{
	return mem->plat.context ? mem->plat.context(mem->plat.ctx) : LAB_CTX_PROCESS;
}

static uint64_t now_ns(struct lab_mem *mem)
{
	return mem->plat.now_ns ? mem->plat.now_ns(mem->plat.ctx) : 0;
}

static void page_flag_names(const struct lab_page *p, char *buf, size_t size)
{
	static const struct { uint8_t bit; const char *name; } names[] = {
		{ LAB_PG_BUDDY, "buddy" }, { LAB_PG_HEAD, "head" }, { LAB_PG_TAIL, "tail" },
		{ LAB_PG_COMPOUND, "compound" }, { LAB_PG_RESERVED, "reserved" },
		{ LAB_PG_PCP, "pcp" },
	};
	size_t n = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (p->flags & names[i].bit)
			n += (size_t)lab__snprintf(buf + n, n < size ? size - n : 0, "%s%s",
						  n ? "|" : "", names[i].name);
}

/* bad_page(): report a refused free. @p may be NULL for foreign pointers. */
void (lab__report_bad_page)(struct lab_mem *mem, struct lab_page *p, const char *reason)
{
	count_event(mem, LAB_EV_BAD_PAGE, 1);
	if (!LAB_CONFIG_REPORTS)
		return;   /* counted; no text, so no rate limit either */
	if (mem->plat.now_ns) {
		uint64_t now = now_ns(mem);
		if (now - mem->badpage_window_ns >= 60ull * 1000000000ull) {
			if (mem->badpage_suppressed)
				lab__log(mem, LAB_LOG_ERR, "BUG: Bad page state: %llu messages suppressed",
					(unsigned long long)mem->badpage_suppressed);
			mem->badpage_window_ns = now;
			mem->badpage_in_window = 0;
			mem->badpage_suppressed = 0;
		}
		if (++mem->badpage_in_window > 60) {
			mem->badpage_suppressed++;
			return;
		}
	}
	if (!p) {
		lab__log(mem, LAB_LOG_ERR, "BUG: Bad page state in process %s  (no page): %s",
			current_comm(mem), reason);
		return;
	}
	char fl[64];
	uint64_t pfn = page_pfn(mem, p);
	page_flag_names(p, fl, sizeof(fl));
	lab__log(mem, LAB_LOG_ERR, "BUG: Bad page state in process %s  pfn:%05llx",
		current_comm(mem), (unsigned long long)pfn);
	lab__log(mem, LAB_LOG_ERR, "page:%p pfn:%#llx order:%u zone:%s migratetype:%s",
		(void *)p, (unsigned long long)pfn, p->order, lab_zone_names[p->zone],
		lab_migratetype_names[p->mt < LAB_MIGRATE_TYPES ? p->mt : 0]);
	lab__log(mem, LAB_LOG_ERR, "flags: %#x(%s)", p->flags, fl);
	lab__log(mem, LAB_LOG_ERR, "page dumped because: %s", reason);
}

/*
 * __might_sleep(): Linux's report for a call that may sleep made from
 * atomic context. Counted always; printed at most once a second.
 */
void (lab__report_might_sleep)(struct lab_mem *mem, const char *file, int line)
{
	count_event(mem, LAB_EV_MIGHT_SLEEP, 1);
	if (!LAB_CONFIG_REPORTS)
		return;
	uint64_t now = now_ns(mem);
	if (mem->plat.now_ns && mem->might_sleep_last_ns && now - mem->might_sleep_last_ns < 1000000000ull)
		return;
	mem->might_sleep_last_ns = now ? now : 1;
	int irqs = mem->plat.irqs_disabled ? mem->plat.irqs_disabled(mem->plat.ctx) : 0;
	unsigned pc = mem->plat.preempt_count ? mem->plat.preempt_count(mem->plat.ctx) : 0;
	/* Linux's in_atomic() is preempt_count() != 0 (disabled interrupts
	 * alone print 0); without a preempt_count hook use the platform's word */
	int in_atomic = mem->plat.preempt_count ? pc != 0 :
			(mem->plat.in_atomic ? mem->plat.in_atomic(mem->plat.ctx) : 0);
	int pid = mem->plat.pid ? mem->plat.pid(mem->plat.ctx) : 0;
	lab__log(mem, LAB_LOG_ERR, "BUG: sleeping function called from invalid context at %s:%d", file, line);
	lab__log(mem, LAB_LOG_ERR, "in_atomic(): %d, irqs_disabled(): %d, non_block: 0, pid: %d, name: %s",
		in_atomic, irqs, pid, current_comm(mem));
	lab__log(mem, LAB_LOG_ERR, "preempt_count: %x, expected: 0", pc);
	lab__log(mem, LAB_LOG_ERR, "labyrinth: %s", (mem->flags & LAB_CFG_MIGHT_SLEEP_FAIL) ?
		"the request fails (LAB_CFG_MIGHT_SLEEP_FAIL)" :
		"the request is retried without __GFP_DIRECT_RECLAIM (it will not sleep)");
}

/*
 * warn_alloc(): record the failure as last_failure, with @why (each zone's
 * refusal), and hand it to platform->warn_alloc, unless __GFP_NOWARN, rate
 * limited, or another CPU is writing the record right now. (Callers that
 * need the reasons of every failure use lab_alloc_pages_why.)
 */
void lab__report_alloc_failure(struct lab_mem *mem, lab_gfp_t gfp, unsigned order,
			       const struct lab_alloc_refusals *why)
{
	uint64_t seq = __atomic_add_fetch(&mem->fail_seq, 1ul, __ATOMIC_RELAXED);
	uint64_t now = now_ns(mem);

	if ((gfp & LAB___GFP_NOWARN) || !LAB_CONFIG_REPORTS)
		return;
	if (__atomic_exchange_n(&mem->fail_reporting, 1, __ATOMIC_ACQUIRE))
		return;   /* someone else is writing the record */
	bool limited = mem->plat.now_ns && mem->have_failure &&
		       now - mem->fail_last_report_ns < 10ull * 1000000000ull;
	if (!limited) {
		struct lab_alloc_failure *f = &mem->last_failure;
		const char *comm = current_comm(mem);
		size_t n = strlen(comm);
		f->order = order;
		f->gfp = gfp;
		f->highest_zoneidx = gfp_highest_zone(mem, gfp) < 0 ? 0 : gfp_highest_zone(mem, gfp);
		f->context = current_context(mem);
		if (n >= sizeof(f->comm))
			n = sizeof(f->comm) - 1;
		memcpy(f->comm, comm, n);
		f->comm[n] = '\0';
		f->seq = seq;
		f->time_ns = now;
		f->refusals = *why;
		lab_mem_get_stats(mem, &f->mem);
		mem->have_failure = true;
		mem->fail_last_report_ns = now;
		if (mem->plat.warn_alloc)
			mem->plat.warn_alloc(mem->plat.ctx, f);
	}
	__atomic_store_n(&mem->fail_reporting, 0, __ATOMIC_RELEASE);
}

const struct lab_alloc_failure *lab_mem_last_failure(const struct lab_mem *mem)
{
	return mem && mem->have_failure ? &mem->last_failure : NULL;
}
