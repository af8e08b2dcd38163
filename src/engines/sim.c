/* SPDX-License-Identifier: MIT */
/*
 * engines/sim.c - the simulator's core: virtual clock, event queue, virtual
 * CPUs, and the struct lab_platform the allocator core sees.
 *
 *   lab_sim_run:  while heap[0].next_ns <= end:
 *                     now = heap[0].next_ns
 *                     running = {cpu, context, comm, pid} of heap[0]
 *                     heap[0].fire()     -> sim_alloc / sim_free -> core
 *                     re-queue heap[0] at its new next_ns
 *
 * The event queue is a binary min-heap of sources ordered by (next_ns, id);
 * every source knows its heap position, so re-queueing after a firing is
 * one sift (O(log sources)). Ties go to the source created first, so a run
 * is a pure function of (scenario, seed).
 *
 * Platform hooks (labyrinth/platform.h), as a kernel would answer them:
 *   cpu_id, context, comm, pid   the running source; an interrupt on an
 *                                idle CPU is "swapper/N", a softirq with a
 *                                backlog over 2 ms "ksoftirqd/N" (Linux
 *                                hands softirqs to ksoftirqd after
 *                                MAX_SOFTIRQ_TIME), a nested interrupt
 *                                shows the interrupted task
 *   in_atomic, preempt_count,    hardirq 0x10000, softirq 0x100, +1 per
 *   irqs_disabled                held zone lock (irqsave)
 *   now_ns                       the virtual clock
 *   pcp_trylock/lock/unlock      one flag per CPU. When a process-context
 *                                event takes its CPU's pcp lock and an
 *                                interrupt of that CPU is due within
 *                                sim.nest_window, the interrupt runs right
 *                                there, nested: its own trylock fails and
 *                                it takes the zone-lock path, as in Linux
 *   log, warn_alloc              collected (first N records kept)
 *   wake_kswapd, wake_kcompactd  schedule the daemons (daemons.c)
 *   sleep                        accounted as stall time; the clock does
 *                                not move inside an event
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "sim_int.h"
#if LAB_HAVE_BACKGROUND
#include <labyrinth/background.h>
#endif

/* ---- random numbers ------------------------------------------------------ */

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

void rng_seed(struct sim_rng *r, uint64_t seed, uint64_t stream)
{
	uint64_t x = seed ^ (stream * 0xD1B54A32D192ED03ull);
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
}

/*
 * ln(x) for x in (0, 1]: exponent and a degree-7 polynomial of the mantissa
 * (relative error below 1e-7), about five times cheaper than libm's log.
 * Deterministic: pure double arithmetic, no libm.
 */
static double fast_ln(double x)
{
	union { double d; uint64_t u; } v = { x };
	int e = (int)((v.u >> 52) & 0x7ff) - 1023;
	v.u = (v.u & 0x000fffffffffffffull) | 0x3ff0000000000000ull;   /* m in [1, 2) */
	double m = v.d;
	/* ln(m) = 2 atanh(t), t = (m - 1) / (m + 1) in [0, 1/3) */
	double t = (m - 1.0) / (m + 1.0), t2 = t * t;
	double s = t * (2.0 + t2 * (2.0 / 3 + t2 * (2.0 / 5 + t2 * (2.0 / 7 + t2 * (2.0 / 9 + t2 * (2.0 / 11))))));
	return s + e * 0.69314718055994530942;
}

/*
 * Exponential variates by inverse CDF: -ln(1 - u) from a table of 4096
 * points with linear interpolation (error below 1/(8 (4095 - i)^2) in
 * bucket i: under 2e-5 for u < 0.98, where the values are small), and the
 * last bucket (u > 4095/4096, the tail) computed exactly. The table is the
 * same on every run: pure double arithmetic.
 */
#define EXP_BITS 12
static double exp_table[(1 << EXP_BITS) + 1];
static pthread_once_t exp_once = PTHREAD_ONCE_INIT;

static void exp_table_init(void)
{
	for (int i = 0; i <= (1 << EXP_BITS); i++)
		exp_table[i] = i == (1 << EXP_BITS) ? 0 : -fast_ln(1.0 - (double)i / (1 << EXP_BITS));
}

uint64_t rng_exp(struct sim_rng *r, double mean)
{
	uint64_t x = rng_next(r);
	unsigned i = (unsigned)(x >> (64 - EXP_BITS));
	double f = (double)((x >> 11) & ((1ull << (53 - EXP_BITS)) - 1)) * (1.0 / (double)(1ull << (53 - EXP_BITS)));
	double e;
	if (i < (1u << EXP_BITS) - 1)
		e = exp_table[i] + (exp_table[i + 1] - exp_table[i]) * f;
	else   /* the tail: u in [1 - 2^-12, 1), 1 - u never 0 */
		e = -fast_ln((1.0 - f) * (1.0 / (1 << EXP_BITS)));
	double v = e * mean;
	if (v < 1.0)
		return 1;
	if (v > 1e18)
		return (uint64_t)1e18;
	return (uint64_t)v;
}

void order_dist_finish(struct sim_order_dist *d)
{
	double total = 0, acc = 0;
	d->max_order = 0;
	for (unsigned o = 0; o < LAB_MAX_ORDER; o++) {
		total += d->weight[o];
		if (d->weight[o] > 0)
			d->max_order = o;
	}
	for (unsigned o = 0; o < LAB_MAX_ORDER; o++) {
		acc += d->weight[o];
		d->cum[o] = total > 0 ? acc / total : (o == 0 ? 1.0 : 1.0);
	}
	d->cum[LAB_MAX_ORDER - 1] = 1.0;
}

unsigned order_dist_draw(const struct sim_order_dist *d, struct sim_rng *r)
{
	if (!d->max_order)
		return 0;
	double u = rng_unit(r);
	for (unsigned o = 0; o < d->max_order; o++)
		if (u < d->cum[o])
			return o;
	return d->max_order;
}

/* ---- the event queue ------------------------------------------------------ */

static bool src_before(const struct sim_source *a, const struct sim_source *b)
{
	return a->next_ns < b->next_ns || (a->next_ns == b->next_ns && a->id < b->id);
}

static void heap_place(struct lab_sim *sim, uint32_t i, struct sim_source *s)
{
	sim->heap[i] = s;
	s->heap_pos = (int32_t)i;
}

static void heap_up(struct lab_sim *sim, uint32_t i)
{
	struct sim_source *s = sim->heap[i];
	while (i > 0) {
		uint32_t parent = (i - 1) / 2;
		if (!src_before(s, sim->heap[parent]))
			break;
		heap_place(sim, i, sim->heap[parent]);
		i = parent;
	}
	heap_place(sim, i, s);
}

static void heap_down(struct lab_sim *sim, uint32_t i)
{
	struct sim_source *s = sim->heap[i];
	for (;;) {
		uint32_t c = 2 * i + 1;
		if (c >= sim->heap_n)
			break;
		if (c + 1 < sim->heap_n && src_before(sim->heap[c + 1], sim->heap[c]))
			c++;
		if (!src_before(sim->heap[c], s))
			break;
		heap_place(sim, i, sim->heap[c]);
		i = c;
	}
	heap_place(sim, i, s);
}

static void heap_remove(struct lab_sim *sim, struct sim_source *s)
{
	uint32_t i = (uint32_t)s->heap_pos;
	struct sim_source *last = sim->heap[--sim->heap_n];
	s->heap_pos = -1;
	if (last == s)
		return;
	heap_place(sim, i, last);
	heap_down(sim, i);
	heap_up(sim, (uint32_t)last->heap_pos);
}

static int heap_grow(struct lab_sim *sim)
{
	uint32_t cap = sim->heap_cap ? sim->heap_cap * 2 : 64;
	struct sim_source **h = realloc(sim->heap, cap * sizeof(*h));
	if (!h)
		return -1;
	sim->heap = h;
	sim->heap_cap = cap;
	return 0;
}

void sim_schedule(struct lab_sim *sim, struct sim_source *src, uint64_t t)
{
	src->next_ns = t;
	if (src->heap_pos < 0) {
		if (t == SIM_NEVER)
			return;
		if (sim->heap_n == sim->heap_cap && heap_grow(sim) != 0) {
			sim_log(sim, "labyrinth-sim: out of memory for the event queue");
			return;
		}
		heap_place(sim, sim->heap_n++, src);
		heap_up(sim, (uint32_t)src->heap_pos);
		return;
	}
	if (t == SIM_NEVER) {
		heap_remove(sim, src);
		return;
	}
	heap_up(sim, (uint32_t)src->heap_pos);
	heap_down(sim, (uint32_t)src->heap_pos);
}

void sim_source_init(struct lab_sim *sim, struct sim_source *src, sim_fire_fn fire, void *arg,
		     unsigned cpu, int ctx, const char *comm)
{
	memset(src, 0, sizeof(*src));
	src->next_ns = SIM_NEVER;
	src->id = sim->next_src_id++;
	src->heap_pos = -1;
	src->cpu = (uint16_t)(cpu % sim->nr_cpus);
	src->ctx = (uint8_t)ctx;
	src->fire = fire;
	src->arg = arg;
	src->comm = comm;
	src->pid = comm ? sim_new_pid(sim) : 0;
}

void sim_source_nestable(struct lab_sim *sim, struct sim_source *src)
{
	struct sim_cpu *c = &sim->cpus[src->cpu];
	src->flags |= SRC_NESTABLE;
	src->cpu_next = c->nestable;
	c->nestable = src;
}

int sim_new_pid(struct lab_sim *sim)
{
	return sim->next_pid++;
}

void sim_set_task(struct lab_sim *sim, unsigned cpu, const char *comm, int pid)
{
	sim->cur.cpu = cpu % sim->nr_cpus;
	sim->cur.comm = comm;
	sim->cur.pid = pid;
}

uint64_t sim_cpu_mask(const struct lab_sim *sim, const struct sim_wl_cfg *cfg)
{
	uint64_t all = sim->nr_cpus >= 64 ? ~0ull : (1ull << sim->nr_cpus) - 1;
	uint64_t m = cfg->cpu_mask ? cfg->cpu_mask & all : all;
	return m ? m : all;
}

/* ---- log and page tags ------------------------------------------------------ */

#define SIM_LOG_KEEP 256

static void log_keep(struct lab_sim *sim, const char *line)
{
	sim->log_total++;
	if (!sim->log || sim->nr_log >= SIM_LOG_KEEP)
		return;
	uint64_t s = sim->now / NSEC_PER_SEC, us = (sim->now % NSEC_PER_SEC) / 1000;
	snprintf(sim->log[sim->nr_log++], sizeof(sim->log[0]), "[%5llu.%06llu] %.200s",
		 (unsigned long long)s, (unsigned long long)us, line);
}

void sim_log(struct lab_sim *sim, const char *fmt, ...)
{
	char line[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	log_keep(sim, line);
}

/*
 * pfn -> slot tags. The page descriptor is opaque here, so the index comes
 * from the descriptor's address: (page - first page) >> tag_shift, with the
 * stride measured once at creation (a power of two: 16 bytes). O(1), no
 * registry lookup (lab_page_to_pfn searches the instances).
 */
static size_t tag_index(const struct lab_sim *sim, const struct lab_page *page)
{
	return (size_t)(((uintptr_t)page - sim->tag_base) >> sim->tag_shift);
}

void sim_tag_set(struct lab_sim *sim, struct lab_page *page, uint32_t slot)
{
	if (sim->tag)
		sim->tag[tag_index(sim, page)] = slot;
}

uint32_t sim_tag_get(struct lab_sim *sim, struct lab_page *page)
{
	return sim->tag ? sim->tag[tag_index(sim, page)] : SIM_NIL;
}

/* ---- platform hooks ---------------------------------------------------------- */

static void p_zone_lock(void *ctx, unsigned zone, unsigned long *flags)
{
	struct lab_sim *sim = ctx;
	(void)zone;
	*flags = 0;
	sim->cur.zone_locks++;
}

static void p_zone_unlock(void *ctx, unsigned zone, unsigned long flags)
{
	struct lab_sim *sim = ctx;
	(void)zone;
	(void)flags;
	if (sim->cur.zone_locks)
		sim->cur.zone_locks--;
}

static unsigned p_cpu_id(void *ctx)
{
	return ((struct lab_sim *)ctx)->cur.cpu;
}

static enum lab_context p_context(void *ctx)
{
	return (enum lab_context)((struct lab_sim *)ctx)->cur.ctx;
}

static int p_in_atomic(void *ctx)
{
	struct lab_sim *sim = ctx;
	return sim->cur.ctx != LAB_CTX_PROCESS || sim->cur.zone_locks > 0;
}

static const char *p_comm(void *ctx)
{
	struct lab_sim *sim = ctx;
	return sim->cur.comm ? sim->cur.comm : "swapper/0";
}

static uint64_t p_now_ns(void *ctx)
{
	return ((struct lab_sim *)ctx)->now;
}

static void p_log(void *ctx, enum lab_log_level level, const char *line)
{
	struct lab_sim *sim = ctx;
	if (level <= LAB_LOG_ERR)
		sim->log_errors++;
	log_keep(sim, line);
}

static void p_warn_alloc(void *ctx, const struct lab_alloc_failure *f)
{
	struct lab_sim *sim = ctx;
	sim->warn_total++;
	if (sim->warn && sim->nr_warn < sim->sc.sim.warn_records)
		sim->warn[sim->nr_warn++] = *f;
}

static void p_sleep(void *ctx, uint64_t timeout_ns)
{
	struct lab_sim *sim = ctx;
	sim->sleep_ns += timeout_ns;
}

static void run_source(struct lab_sim *sim, struct sim_source *src);

/*
 * An interrupt of @cpu due within the nest window arrives now, inside the
 * process's pcp section: take it out of the queue and run it here.
 */
static void nest_interrupt(struct lab_sim *sim, struct sim_cpu *c)
{
	struct sim_source *best = NULL;
	uint64_t limit = sim->now + sim->sc.sim.nest_window_ns;

	for (struct sim_source *s = c->nestable; s; s = s->cpu_next)
		if (s->heap_pos >= 0 && s->next_ns <= limit && !(s->flags & SRC_RUNNING) &&
		    (!best || src_before(s, best)))
			best = s;
	if (!best || best->next_ns < c->hardirq_busy_until)
		return;
	if (best->next_ns > sim->now)
		sim->now = best->next_ns;
	heap_remove(sim, best);
	if (best->ctx == LAB_CTX_HARDIRQ && best->irq_cost_ns)
		c->hardirq_busy_until = sim->now + best->irq_cost_ns;
	sim->nesting = 1;
	sim->nested_irqs++;
	sim->queue_events++;
	run_source(sim, best);
	sim->nesting = 0;
	sim_schedule(sim, best, best->next_ns);
}

static int p_pcp_trylock(void *ctx, unsigned cpu, unsigned long *flags)
{
	struct lab_sim *sim = ctx;
	struct sim_cpu *c = &sim->cpus[cpu % sim->nr_cpus];
	*flags = 0;
	if (c->pcp_locked) {
		sim->pcp_trylock_failed++;
		return 0;
	}
	c->pcp_locked = 1;
	if (cpu == sim->cur.cpu && sim->cur.ctx == LAB_CTX_PROCESS && !sim->nesting && c->nestable &&
	    sim->sc.sim.nest_window_ns)
		nest_interrupt(sim, c);
	return 1;
}

static void p_pcp_lock(void *ctx, unsigned cpu, unsigned long *flags)
{
	struct lab_sim *sim = ctx;
	struct sim_cpu *c = &sim->cpus[cpu % sim->nr_cpus];
	*flags = 0;
	if (c->pcp_locked) {
		/* only the interrupted task of this CPU can hold it: in a
		 * kernel this spin would never end */
		sim->pcp_deadlocks++;
		sim_log(sim, "labyrinth-sim: pcp lock of CPU %u taken while held (self-deadlock)", cpu);
		return;
	}
	c->pcp_locked = 1;
}

static void p_pcp_unlock(void *ctx, unsigned cpu, unsigned long flags)
{
	struct lab_sim *sim = ctx;
	(void)flags;
	sim->cpus[cpu % sim->nr_cpus].pcp_locked = 0;
}

static int p_irqs_disabled(void *ctx)
{
	struct lab_sim *sim = ctx;
	return sim->cur.ctx == LAB_CTX_HARDIRQ || sim->cur.zone_locks > 0;
}

static unsigned p_preempt_count(void *ctx)
{
	struct lab_sim *sim = ctx;
	unsigned pc = sim->cur.zone_locks;
	if (sim->cur.ctx == LAB_CTX_HARDIRQ)
		pc += 0x10000;
	else if (sim->cur.ctx == LAB_CTX_SOFTIRQ)
		pc += 0x100;
	return pc;
}

static int p_pid(void *ctx)
{
	return ((struct lab_sim *)ctx)->cur.pid;
}

/* ---- running ------------------------------------------------------------------- */

/* The task an interrupt shows: the interrupted task when nested, else the
 * idle task, or ksoftirqd for a softirq with a backlog over 2 ms. */
static void interrupt_task(struct lab_sim *sim, struct sim_source *src)
{
	struct sim_cpu *c = &sim->cpus[src->cpu];
	if (sim->nesting)
		return;   /* keep the interrupted task's comm and pid */
	if (src->ctx == LAB_CTX_SOFTIRQ && c->softirq_busy_until > sim->now + 2 * NSEC_PER_MSEC) {
		sim->cur.comm = c->ksoftirqd;
		sim->cur.pid = 10 + 8 * (int)src->cpu;
	} else {
		sim->cur.comm = c->swapper;
		sim->cur.pid = 0;
	}
}

static void run_source(struct lab_sim *sim, struct sim_source *src)
{
	struct sim_running saved = sim->cur;
	sim->cur.cpu = src->cpu;
	sim->cur.ctx = src->ctx;
	sim->cur.zone_locks = 0;
	if (src->comm) {
		sim->cur.comm = src->comm;
		sim->cur.pid = src->pid;
	} else {
		interrupt_task(sim, src);
	}
	src->flags |= SRC_RUNNING;
	src->fire(sim, src);
	src->flags &= (uint8_t)~SRC_RUNNING;
	sim->cur = saved;
}

/* ---- phases -------------------------------------------------------------------- */

static void phase_fire(struct lab_sim *sim, struct sim_source *src)
{
	unsigned next = sim->phase + 1;
	(void)src;
	if (sim->sc.sim.check && lab_mem_check(sim->mem) != 0)
		sim->check_failed = 1;
	if (next >= sim->sc.nr_phases) {
		sim->phase = sim->sc.nr_phases - 1;
		sim_schedule(sim, &sim->phase_src, SIM_NEVER);
		return;
	}
	sim->phase = next;
	for (unsigned i = 0; i < sim->nr_wl; i++) {
		struct sim_wl *wl = &sim->wl[i];
		int active = (wl->cfg->phase_mask >> next) & 1;
		if (active != wl->active) {
			wl->active = active;
			wl->ops->phase(sim, wl, active);
		}
	}
	sim_schedule(sim, &sim->phase_src, sim->phase_start[next + 1]);
}

/* ---- creation ---------------------------------------------------------------------- */

static const struct sim_wl_ops *const wl_ops[WL_NR_TYPES] = {
	[WL_NICRX] = &wl_nicrx_ops, [WL_CARDIAC] = &wl_cardiac_ops,
	[WL_PAGECACHE] = &wl_pagecache_ops, [WL_ANON] = &wl_anon_ops,
	[WL_SLAB] = &wl_slab_ops, [WL_CONTIG] = &wl_contig_ops,
};

static int apply_tunables(struct lab_sim *sim, struct lab_sim_error *err)
{
	const struct sim_tunables *t = &sim->sc.tun;
	struct lab_mem *m = sim->mem;
	int rc = 0;
	const char *bad = NULL;

#define TRY(bit, call, name) \
	do { \
		if (!rc && (t->set_mask & (1u << (bit)))) { \
			rc = (call); \
			if (rc) \
				bad = (name); \
		} \
	} while (0)
	TRY(TUN_MIN_FREE, t->min_free_kbytes ? lab_set_min_free_kbytes(m, t->min_free_kbytes) : 0,
	    "min_free_kbytes");
	TRY(TUN_WSF, lab_set_watermark_scale_factor(m, t->watermark_scale_factor), "watermark_scale_factor");
	TRY(TUN_WBF, lab_set_watermark_boost_factor(m, t->watermark_boost_factor), "watermark_boost_factor");
	TRY(TUN_LRR, lab_set_lowmem_reserve_ratio(m, t->lowmem_reserve_ratio), "lowmem_reserve_ratio");
	TRY(TUN_PPHF, lab_set_percpu_pagelist_high_fraction(m, t->percpu_pagelist_high_fraction),
	    "percpu_pagelist_high_fraction");
	TRY(TUN_EXTFRAG, lab_set_extfrag_threshold(m, t->extfrag_threshold), "extfrag_threshold");
	TRY(TUN_HIGHATOMIC, lab_set_highatomic_reserve(m, t->highatomic_reserve), "highatomic_reserve");
#if LAB_HAVE_BACKGROUND
	TRY(TUN_PROACTIVE, lab_set_compaction_proactiveness(m, t->compaction_proactiveness),
	    "compaction_proactiveness");
#endif
#undef TRY
	if (rc)
		sim_error_set(err, LAB_SCN_ERR_VALUE, sim->sc.file, 0, 0, bad,
			      "the allocator refused the value (out of the sysctl's range)");
	return rc;
}

/* The virtual CPUs' task names and the platform hooks the core calls. */
static void init_platform(struct lab_sim *sim)
{
	for (unsigned c = 0; c < sim->nr_cpus; c++) {
		snprintf(sim->cpus[c].swapper, SIM_COMM, "swapper/%u", c % 100);
		snprintf(sim->cpus[c].ksoftirqd, SIM_COMM, "ksoftirqd/%u", c % 100);
	}
	sim->cur.comm = sim->cpus[0].swapper;
	sim->plat = (struct lab_platform){
		.ctx = sim,
		.zone_lock = p_zone_lock,
		.zone_unlock = p_zone_unlock,
		.cpu_id = p_cpu_id,
		.context = p_context,
		.in_atomic = p_in_atomic,
		.comm = p_comm,
		.now_ns = p_now_ns,
		.log = p_log,
		.warn_alloc = p_warn_alloc,
		.wake_kswapd = sim_wake_kswapd,
		.sleep = p_sleep,
		.pcp_trylock = p_pcp_trylock,
		.pcp_lock = p_pcp_lock,
		.pcp_unlock = p_pcp_unlock,
		.irqs_disabled = p_irqs_disabled,
		.preempt_count = p_preempt_count,
		.pid = p_pid,
		.wake_kcompactd = sim_wake_kcompactd,
	};
}

/* The machine of the scenario as a lab_mem over malloc'ed metadata, its
 * tunables applied, and the simulator's own buffers. 0 or -1 with *@err. */
static int create_mem(struct lab_sim *sim, struct lab_sim_error *err)
{
	const struct lab_scenario *sc = &sim->sc;
	struct lab_range range = { sc->phys_base, sc->mem_bytes };
	unsigned flags = (sc->no_dma ? LAB_CFG_NO_ZONE_DMA : 0) | (sc->no_dma32 ? LAB_CFG_NO_ZONE_DMA32 : 0) |
			 (sc->pcp ? 0 : LAB_CFG_NO_PCP) | (sc->drain_before_failure ? LAB_CFG_DRAIN_BEFORE_FAILURE : 0);
	struct lab_mem_config mc = {
		.ranges = &range,
		.nr_ranges = 1,
		.reserved = sc->reserved,
		.nr_reserved = sc->nr_reserved,
		.zone_dma_limit = sc->dma_limit,
		.zone_dma32_limit = sc->dma32_limit,
		.movable_bytes = sc->movable_bytes,
		.pageblock_order = sc->pageblock_order,
		.nr_cpus = sc->nr_cpus,
		.flags = flags,
		.kernel = (enum lab_kernel)sc->kernel,
		.platform = &sim->plat,
	};
	sim->log = calloc(SIM_LOG_KEEP, sizeof(*sim->log));
	sim->warn = calloc(sc->sim.warn_records ? sc->sim.warn_records : 1, sizeof(*sim->warn));
	sim->stats_tmp = malloc(sizeof(*sim->stats_tmp));
	sim->metadata_bytes = lab_mem_metadata_bytes(&mc);
	if (!sim->log || !sim->warn || !sim->stats_tmp) {
		sim_error_set(err, LAB_SCN_ERR_NOMEM, sc->file, 0, 0, "", "out of memory");
		return -1;
	}
	if (!sim->metadata_bytes) {
		sim_error_set(err, LAB_SCN_ERR_VALUE, sc->file, 0, 0, "machine",
			      "the allocator refuses this machine (memory, zones or pageblock order)");
		return -1;
	}
	if (posix_memalign(&sim->metadata, 64, sim->metadata_bytes) != 0) {
		sim->metadata = NULL;
		sim_error_set(err, LAB_SCN_ERR_NOMEM, sc->file, 0, 0, "machine.memory",
			      "cannot allocate %zu bytes of allocator metadata", sim->metadata_bytes);
		return -1;
	}
	mc.metadata = sim->metadata;
	mc.metadata_bytes = sim->metadata_bytes;
	int e = 0;
	sim->mem = lab_mem_init(&mc, &e);
	if (!sim->mem) {
		sim_error_set(err, LAB_SCN_ERR_VALUE, sc->file, 0, 0, "machine", "%s",
			      sim->nr_log ? sim->log[0] : "lab_mem_init refused the machine");
		return -1;
	}
	return apply_tunables(sim, err);
}

/* The pfn -> owner slot table the owner callbacks look pages up in
 * (sim_tag_get): page descriptors must be evenly spaced by a power of 2. */
static int init_tags(struct lab_sim *sim, struct lab_sim_error *err)
{
#if LAB_HAVE_BACKGROUND
	lab_pfn_t s, en;
	lab_mem_span(sim->mem, &s, &en);
	uintptr_t p0 = (uintptr_t)lab_pfn_to_page(sim->mem, s);
	uintptr_t p1 = (uintptr_t)lab_pfn_to_page(sim->mem, s + 1);
	sim->tag_base = p0;
	sim->tag_shift = (unsigned)__builtin_ctzll(p1 - p0);
	if (en - s < 2 || !p0 || (p1 - p0) != (1ull << sim->tag_shift)) {
		sim_error_set(err, LAB_SCN_ERR_VALUE, sim->sc.file, 0, 0, "machine", "unexpected page descriptor layout");
		return -1;
	}
	sim->tag = calloc((size_t)(en - s), sizeof(*sim->tag));
	if (!sim->tag) {
		sim_error_set(err, LAB_SCN_ERR_NOMEM, sim->sc.file, 0, 0, "", "out of memory");
		return -1;
	}
#endif
	return 0;
}

/* Each workload set up in scenario order (its sources get their ids, the
 * tie-breaker, in that order), and the highest order an atomic request
 * may ask for (the timeline's fragmentation index order). */
static int init_workloads(struct lab_sim *sim, struct lab_sim_error *err)
{
	const struct lab_scenario *sc = &sim->sc;
	for (unsigned i = 0; i < sc->nr_wl; i++) {
		struct sim_wl *wl = &sim->wl[i];
		wl->sim = sim;
		wl->cfg = &sc->wl[i];
		wl->ops = wl_ops[wl->cfg->type];
		wl->index = i;
		sim->nr_wl = i + 1;
		if (wl->ops->init(sim, wl) != 0) {
			sim_error_set(err, LAB_SCN_ERR_VALUE, sc->file, wl->cfg->line, 0, wl->cfg->name,
				      "cannot set up the workload (%s)", sim->nr_log ? sim->log[sim->nr_log - 1] : "out of memory");
			return -1;
		}
		if (wl->cfg->type == WL_NICRX && wl->cfg->p.nicrx.orders.max_order > sim->highest_atomic_order &&
		    sim_gfp_is_atomic(wl->cfg->p.nicrx.gfp))
			sim->highest_atomic_order = wl->cfg->p.nicrx.orders.max_order;
		if (wl->cfg->type == WL_CARDIAC && wl->cfg->p.cardiac.order > sim->highest_atomic_order &&
		    sim_gfp_is_atomic(wl->cfg->p.cardiac.gfp))
			sim->highest_atomic_order = wl->cfg->p.cardiac.order;
	}
	return 0;
}

/* Phase boundaries on the virtual clock (one source fires at each), then
 * phase 0 starts: its workloads become active. */
static void start_phases(struct lab_sim *sim)
{
	const struct lab_scenario *sc = &sim->sc;
	uint64_t t = 0;
	for (unsigned i = 0; i < sc->nr_phases; i++) {
		sim->phase_start[i] = t;
		t += sc->phases[i].duration_ns;
	}
	sim->phase_start[sc->nr_phases] = t;
	sim->end_ns = t;
	sim_source_init(sim, &sim->phase_src, phase_fire, NULL, 0, LAB_CTX_PROCESS, "init");
}

static void enter_phase0(struct lab_sim *sim)
{
	sim->phase = 0;
	for (unsigned i = 0; i < sim->nr_wl; i++) {
		struct sim_wl *wl = &sim->wl[i];
		wl->active = wl->cfg->phase_mask & 1;
		if (wl->active)
			wl->ops->phase(sim, wl, 1);
	}
	sim_schedule(sim, &sim->phase_src, sim->phase_start[1]);
}

struct lab_sim *lab_sim_create(const struct lab_scenario *sc, uint64_t seed, struct lab_sim_error *err)
{
	struct lab_sim_error dummy;
	struct lab_sim *sim;

	pthread_once(&exp_once, exp_table_init);
	if (!err)
		err = &dummy;
	memset(err, 0, sizeof(*err));
	sim = calloc(1, sizeof(*sim));
	if (!sim) {
		sim_error_set(err, LAB_SCN_ERR_NOMEM, sc->file, 0, 0, "", "out of memory");
		return NULL;
	}
	sim->sc = *sc;
	if (scenario_validate(&sim->sc, err) != 0) {
		free(sim);
		return NULL;
	}
	sim->seed = seed;
	sim->nr_cpus = sim->sc.nr_cpus;
	sim->next_pid = 100;
	sim->first_atomic_failure_ns = SIM_NEVER;
	sim->main_zone = -1;
	init_platform(sim);
	if (create_mem(sim, err) != 0 || init_tags(sim, err) != 0)
		goto fail;
	/* the order fixes the sources' ids: phases, daemons, sampler, workloads */
	start_phases(sim);
	sim_daemons_init(sim);
	sim_samples_init(sim);
	if (init_workloads(sim, err) != 0)
		goto fail;
	enter_phase0(sim);
	return sim;
fail:
	lab_sim_destroy(sim);
	return NULL;
}

void lab_sim_destroy(struct lab_sim *sim)
{
	if (!sim)
		return;
	for (unsigned i = 0; i < sim->nr_wl; i++)
		if (sim->wl[i].ops && sim->wl[i].ops->fini)
			sim->wl[i].ops->fini(sim, &sim->wl[i]);
	if (sim->mem)
		lab_mem_fini(sim->mem);
	free(sim->metadata);
	free(sim->heap);
	free(sim->samples);
	free(sim->warn);
	free(sim->log);
	free(sim->ff_blocks);
	free(sim->ff_stats);
	free(sim->stats_tmp);
	free(sim->tag);
	free(sim);
}

static double wall_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int lab_sim_run(struct lab_sim *sim, uint64_t until_ns, lab_sim_progress_fn progress, void *arg)
{
	uint64_t end = until_ns && until_ns < sim->end_ns ? until_ns : sim->end_ns;
	uint64_t tick = 0;
	double t0 = wall_now();

	while (sim->heap_n) {
		struct sim_source *src = sim->heap[0];
		if (src->next_ns > end)
			break;
		if (src->ctx == LAB_CTX_HARDIRQ && src->irq_cost_ns) {
			struct sim_cpu *c = &sim->cpus[src->cpu];
			if (src->next_ns < c->hardirq_busy_until) {
				/* this CPU is in another hardirq: wait */
				sim_schedule(sim, src, c->hardirq_busy_until);
				continue;
			}
			c->hardirq_busy_until = src->next_ns + src->irq_cost_ns;
		}
		if (src->next_ns > sim->now)
			sim->now = src->next_ns;
		sim->queue_events++;
		run_source(sim, src);
		if (src->heap_pos == 0 && src->next_ns != SIM_NEVER)
			heap_down(sim, 0);   /* it can only move later */
		else
			sim_schedule(sim, src, src->next_ns);
		if (progress && ++tick >= 65536) {
			tick = 0;
			progress(arg, sim->now, sim->end_ns,
				 sim_events(sim));
		}
	}
	if (sim->now < end)
		sim->now = end;
	if (end == sim->end_ns) {
		sim_sample_now(sim);
		if (sim->sc.sim.check && lab_mem_check(sim->mem) != 0)
			sim->check_failed = 1;
	}
	sim->wall_seconds += wall_now() - t0;
	if (progress)
		progress(arg, sim->now, sim->end_ns, sim_events(sim));
	return sim->check_failed ? -1 : 0;
}

uint64_t lab_sim_now(const struct lab_sim *sim)
{
	return sim->now;
}

struct lab_mem *lab_sim_mem(struct lab_sim *sim)
{
	return sim->mem;
}

const struct lab_scenario *lab_sim_scenario(const struct lab_sim *sim)
{
	return &sim->sc;
}

void lab_sim_get_run_stats(const struct lab_sim *sim, struct lab_sim_run_stats *out)
{
	memset(out, 0, sizeof(*out));
	out->wall_seconds = sim->wall_seconds;
	out->queue_events = sim->queue_events;
	out->alloc_calls = sim->alloc_calls;
	out->free_calls = sim->free_calls;
	out->lru_calls = sim->lru_calls;
	out->owner_callbacks = sim->owner_callbacks;
	out->events = sim_events(sim);
}

void lab_sim_get_summary(const struct lab_sim *sim, struct lab_sim_summary *out)
{
	memset(out, 0, sizeof(*out));
	out->seed = sim->seed;
	out->virtual_ns = sim->now;
	out->events = sim_events(sim);
	out->atomic_requests = sim->atomic_requests;
	out->atomic_failures = sim->atomic_failures;
	out->requests = sim->requests;
	out->failures = sim->failures;
	struct lab_mem_stats *st = sim->stats_tmp;
	lab_mem_get_stats(sim->mem, st);
	for (int z = 0; z < LAB_MAX_NR_ZONES; z++)
		if (st->populated[z])
			out->held_back_pages += st->zone[z].wmark[LAB_WMARK_HIGH];
	out->min_free_kbytes = (uint64_t)st->tunables.min_free_kbytes;
	double t = sim->now ? (double)sim->now : 1.0;
	out->kswapd_cpu = (double)sim->kswapd.busy_ns / t;
	out->kcompactd_cpu = (double)sim->kcompactd.busy_ns / t;
	out->deadline_misses = sim->deadline_misses;
	out->first_failure_ns = sim->first_atomic_failure_ns;
}
