/* SPDX-License-Identifier: MIT */
/*
 * bench/bench_atomic.c - the promises of GFP_ATOMIC, measured on a host
 * instance with real threads and real (signal) interrupts:
 *
 *   bulk       64-page lab_alloc_pages_bulk + lab_free_pages_bulk, per page,
 *              against single order-0 pairs (goal <= 0.4x)
 *   threads    order-0 and order-3 pair throughput with 2 attached CPUs
 *              against 1 (goal >= 1.8x for order 0, >= 1.0x for order 3)
 *   irq        latency of GFP_ATOMIC allocations (orders 0..3) made inside a
 *              10 kHz timer interrupt while the interrupted thread allocates
 *              and frees in process context: p50 / p99 / p99.9 / max, and the
 *              process's involuntary context switches beside them (goal
 *              p99.9/p50 <= 4); in the same run and the same handler, the
 *              peers' malloc of the same size and an empty timed region
 *
 * Interrupt times come from the cycle counter (TSC, cntvct), calibrated
 * against CLOCK_MONOTONIC: a vDSO clock_gettime pair costs more than the
 * allocation and rounds to its own resolution.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <labyrinth/context.h>
#include <labyrinth/host.h>
#include "bench_atomic.h"
#include "bench_core.h"
#include "bench_pool.h"
#include "peers.h"

static struct lab_mem *host(uint64_t mib, unsigned cpus)
{
	struct lab_mem *m = lab_host_create(&(struct lab_host_config){ .mem_bytes = mib << 20,
		.nr_cpus = cpus, .quiet = 1 });
	if (!m)
		bench_die("cannot create a %llu MiB host instance", (unsigned long long)mib);
	return m;
}

/* ---- bulk ---------------------------------------------------------------- */

static double bulk_per_page(struct lab_mem *m, uint64_t rounds)
{
	struct lab_page *ring[64];
	uint64_t t0 = bench_now_ns();
	for (uint64_t r = 0; r < rounds; r++) {
		memset(ring, 0, sizeof(ring));
		if (lab_alloc_pages_bulk(m, LAB_GFP_ATOMIC, 64, ring) != 64)
			bench_die("bulk: short batch");
		lab_free_pages_bulk(m, 64, ring);
	}
	return (double)(bench_now_ns() - t0) / (double)(rounds * 64);
}

static double single_pair(struct lab_mem *m, unsigned order, uint64_t n)
{
	uint64_t t0 = bench_now_ns();
	for (uint64_t i = 0; i < n; i++) {
		struct lab_page *p = lab_alloc_pages(m, LAB_GFP_ATOMIC, order);
		bench_escape(p);
		lab_free_pages(m, p, order);
	}
	return (double)(bench_now_ns() - t0) / (double)n;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median5(double v[5])
{
	qsort(v, 5, sizeof(v[0]), cmp_double);
	return v[2];
}

/* ---- threads ---------------------------------------------------------------- */

struct worker {
	struct lab_mem *m;
	unsigned order;
	uint64_t n;
	pthread_barrier_t *go;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	if (lab_host_cpu_attach(w->m) < 0)
		bench_die("threads: cannot attach a CPU");
	pthread_barrier_wait(w->go);
	for (uint64_t i = 0; i < w->n; i++) {
		struct lab_page *p = lab_alloc_pages(w->m, LAB_GFP_KERNEL, w->order);
		bench_escape(p);
		lab_free_pages(w->m, p, w->order);
	}
	lab_host_cpu_detach(w->m);
	return NULL;
}

/* Pairs per second with @threads attached CPUs. */
static double throughput(unsigned threads, unsigned order, uint64_t n)
{
	struct lab_mem *m = host(256, threads);
	pthread_t t[2];
	struct worker w[2];
	pthread_barrier_t go;
	pthread_barrier_init(&go, NULL, threads + 1);
	for (unsigned i = 0; i < threads; i++) {
		w[i] = (struct worker){ m, order, n, &go };
		pthread_create(&t[i], NULL, work, &w[i]);
	}
	pthread_barrier_wait(&go);
	uint64_t t0 = bench_now_ns();
	for (unsigned i = 0; i < threads; i++)
		pthread_join(t[i], NULL);
	double s = (double)(bench_now_ns() - t0) / 1e9;
	pthread_barrier_destroy(&go);
	if (lab_mem_check(m))
		bench_die("threads: lab_mem_check failed");
	lab_host_destroy(m);
	return (double)(threads * n) / s;
}

/* ---- irq latency ---------------------------------------------------------------- */

/*
 * Each interrupt times ONE contender, round robin: Labyrinth's GFP_ATOMIC
 * allocation, the peers' malloc of the same size (their private heaps,
 * which the interrupted thread never touches, so calling them from the
 * handler is safe here), and an empty timed region (the timer's own
 * floor). All of them thus meet the same interrupt delivery, the same
 * cold caches and the same hypervisor; a tail they share is the
 * machine's, a tail only Labyrinth has is Labyrinth's.
 */
#define IRQ_HZ 10000u
#define IRQ_MAX_SAMPLES 40000u
enum { IRQ_LAB, IRQ_FLOOR, IRQ_PEER0 };
#define IRQ_MAX_CONTENDERS (IRQ_PEER0 + BENCH_NR_PEERS)

struct irq_contender {
	const char *name;
	const struct bench_peer *peer;          /* NULL: Labyrinth or the floor */
	uint64_t *cyc;                          /* samples, in timer ticks */
	unsigned n;
};

static struct irq_contender irq_c[IRQ_MAX_CONTENDERS];
static unsigned irq_nc;
static double irq_ops[IRQ_MAX_SAMPLES];      /* free-list operations of each Labyrinth sample */
static unsigned irq_fails, irq_seq;
static struct lab_mem *irq_mem;

/*
 * The timer: the TSC on x86-64 (lfence keeps the timed code inside),
 * the virtual counter on arm64, else CLOCK_MONOTONIC in ns. Ticks are
 * converted to ns by a calibration against CLOCK_MONOTONIC.
 */
static inline uint64_t ticks(void)
{
#if defined(__x86_64__)
	unsigned lo, hi;
	__asm__ volatile("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi)::"memory");
	return (uint64_t)hi << 32 | lo;
#elif defined(__aarch64__)
	uint64_t v;
	__asm__ volatile("isb; mrs %0, cntvct_el0; isb" : "=r"(v)::"memory");
	return v;
#else
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
#endif
}

double bench_ns_per_tick(void)
{
	uint64_t n0 = bench_now_ns(), t0 = ticks();
	while (bench_now_ns() - n0 < 20000000ull)
		;
	uint64_t n1 = bench_now_ns(), t1 = ticks();
	return t1 > t0 ? (double)(n1 - n0) / (double)(t1 - t0) : 1.0;
}

/* The interrupt routine: one contender, order 0..3 in turn. */
static void isr(void *arg)
{
	(void)arg;
	unsigned seq = irq_seq++;
	struct irq_contender *c = &irq_c[seq % irq_nc];
	unsigned order = (seq / irq_nc) & 3;
	if (c->n >= IRQ_MAX_SAMPLES)
		return;
	uint64_t t0, t1;
	if (!c->peer && c == &irq_c[IRQ_LAB]) {
		/* the interrupted thread is suspended meanwhile: the difference is this call's */
		uint64_t o0 = lab_mem_list_ops(irq_mem);
		t0 = ticks();
		struct lab_page *p = lab_alloc_pages(irq_mem, LAB_GFP_ATOMIC | LAB___GFP_NOWARN, order);
		t1 = ticks();
		irq_ops[c->n] = (double)(lab_mem_list_ops(irq_mem) - o0);
		if (!p)
			irq_fails++;
		else
			lab_free_pages(irq_mem, p, order);
	} else if (!c->peer) {
		t0 = ticks();
		t1 = ticks();
	} else {
		t0 = ticks();
		void *p = c->peer->malloc_fn((size_t)LAB_PAGE_SIZE << order);
		t1 = ticks();
		bench_escape(p);
		c->peer->free_fn(p);
	}
	c->cyc[c->n++] = t1 - t0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static void irq_latency(FILE *out, double seconds)
{
	struct bench_peer *peers = bench_peers_load();
	irq_nc = 0;
	irq_c[irq_nc++] = (struct irq_contender){ .name = "labyrinth GFP_ATOMIC" };
	irq_c[irq_nc++] = (struct irq_contender){ .name = "timer only (floor)" };
	for (int i = 0; i < BENCH_NR_PEERS; i++)
		/* glibc's malloc is the interrupted thread's (and stdio's): not from a handler */
		if (peers[i].available && peers[i].lib)
			irq_c[irq_nc++] = (struct irq_contender){ .name = peers[i].name, .peer = &peers[i] };
	for (unsigned i = 0; i < irq_nc; i++) {
		irq_c[i].cyc = calloc(IRQ_MAX_SAMPLES, sizeof(uint64_t));
		if (!irq_c[i].cyc)
			bench_die("irq: out of memory");
		if (irq_c[i].peer)   /* the peer's heap set up before the first interrupt */
			irq_c[i].peer->free_fn(irq_c[i].peer->malloc_fn(LAB_PAGE_SIZE));
	}
	double tick_ns = bench_ns_per_tick();

	irq_mem = host(256, 1);
	if (lab_host_cpu_attach(irq_mem) < 0)
		bench_die("irq: cannot attach");
	struct rusage r0, r1;
	getrusage(RUSAGE_SELF, &r0);
	irq_seq = 0;
	if (lab_host_irq_start(irq_mem, IRQ_HZ, isr, NULL))
		bench_die("irq: cannot start the interrupt");
	uint64_t end = bench_now_ns() + (uint64_t)(seconds * 1e9);
	struct lab_page *mine[256] = { 0 };
	unsigned k = 0;
	while (bench_now_ns() < end && irq_c[IRQ_LAB].n < IRQ_MAX_SAMPLES) {
		/* process context: allocate and free (orders 0..3, blocking) */
		unsigned s = k++ & 255;
		if (mine[s])
			lab_free_pages(irq_mem, mine[s], s & 3);
		mine[s] = lab_alloc_pages(irq_mem, LAB_GFP_KERNEL, s & 3);
	}
	lab_host_irq_stop(irq_mem);
	getrusage(RUSAGE_SELF, &r1);
	for (unsigned s = 0; s < 256; s++)
		if (mine[s])
			lab_free_pages(irq_mem, mine[s], s & 3);

	fprintf(out, "\n== atomic: GFP_ATOMIC orders 0..3 inside a %u Hz signal interrupt, side by side ==\n", IRQ_HZ);
	fprintf(out, "   each interrupt times one contender, round robin (peers: malloc of the same size);\n"
		     "   %s, %.3f ns per tick; ratio = p99.9 / p50 of the same contender\n",
#if defined(__x86_64__) || defined(__aarch64__)
		"cycle counter",
#else
		"CLOCK_MONOTONIC",
#endif
		tick_ns);
	fprintf(out, "   %-26s %8s %8s %8s %8s %9s  %s\n", "contender", "samples", "p50 ns", "p99 ns", "p99.9 ns",
		"max ns", "p99.9/p50");
	double p50s[IRQ_MAX_CONTENDERS] = { 0 }, p999s[IRQ_MAX_CONTENDERS] = { 0 };
	for (unsigned i = 0; i < irq_nc; i++) {
		struct irq_contender *c = &irq_c[i];
		unsigned n = c->n;
		if (!n)
			continue;
		qsort(c->cyc, n, sizeof(uint64_t), cmp_u64);
		double p50 = (double)c->cyc[n / 2] * tick_ns, p99 = (double)c->cyc[(size_t)(n * 0.99)] * tick_ns;
		double p999 = (double)c->cyc[(size_t)(n * 0.999)] * tick_ns, max = (double)c->cyc[n - 1] * tick_ns;
		double ratio = p50 > 0 ? p999 / p50 : 0;
		p50s[i] = p50;
		p999s[i] = p999;
		fprintf(out, "   %-26s %8u %8.0f %8.0f %8.0f %9.0f  %.2f\n", c->name, n, p50, p99, p999, max, ratio);
		if (i == IRQ_LAB) {
			bench_json_row("atomic", "irq latency", "p50", p50, p50, p50, 1.0, "ns");
			bench_json_row("atomic", "irq latency", "p99", p99, p99, p99, p99 / p50, "ns");
			bench_json_row("atomic", "irq latency", "p99.9", p999, p999, p999, ratio, "ns");
			bench_json_row("atomic", "irq latency", "max", max, max, max, max / p50, "ns");
		} else {
			char cn[64];
			snprintf(cn, sizeof(cn), "%s p99.9", c->name);
			bench_json_row("atomic", "irq latency", cn, p999, p999, p999, ratio, "ns");
		}
		free(c->cyc);
		c->cyc = NULL;
	}
	for (unsigned i = IRQ_PEER0; i < irq_nc; i++)
		if (p50s[i] > 0 && p999s[i] > 0)
			fprintf(out, "   labyrinth / %-9s in the same handler: p50 %.2fx, p99.9 %.2fx\n", irq_c[i].name,
				p50s[IRQ_LAB] / p50s[i], p999s[IRQ_LAB] / p999s[i]);
	fprintf(out, "   failures %u; involuntary context switches during the run %ld\n", irq_fails,
		r1.ru_nivcsw - r0.ru_nivcsw);

	unsigned n = irq_c[IRQ_LAB].n;
	qsort(irq_ops, n, sizeof(irq_ops[0]), cmp_double);
	struct lab_mem_stats *st = malloc(sizeof(*st));
	if (!st)
		bench_die("irq: out of memory");
	lab_mem_get_stats(irq_mem, st);
	unsigned batch = 0, zi = 0;
	for (unsigned z = 0; z < LAB_MAX_NR_ZONES; z++)   /* the zone that serves: the largest */
		if (st->zone[z].managed > st->zone[zi].managed)
			zi = z;
	batch = st->zone[zi].pcp[0].batch;
	free(st);
	double bound = 3.0 * batch + 2.0 * (LAB_MAX_ORDER + 1);
	fprintf(out, "   labyrinth free-list operations per allocation: p50 %.0f  p99 %.0f  p99.9 %.0f  max %.0f"
		     "   (bound 3*batch + 2*(MAX_ORDER+1) = %.0f, batch %u)\n",
		irq_ops[n / 2], irq_ops[(size_t)(n * 0.99)], irq_ops[(size_t)(n * 0.999)], irq_ops[n - 1], bound, batch);
	bench_json_row("atomic", "irq list ops", "max", irq_ops[n - 1], irq_ops[n - 1], irq_ops[n - 1],
		       irq_ops[n - 1] / bound, "ops");
	if (lab_mem_check(irq_mem))
		bench_die("irq: lab_mem_check failed");
	lab_host_cpu_detach(irq_mem);
	lab_host_destroy(irq_mem);
}

void lab_bench_atomic(FILE *out)
{
	uint64_t n = bench_quick ? 200000 : 2000000;
	struct lab_mem *m = host(256, 1);
	if (lab_host_cpu_attach(m) < 0)
		bench_die("bulk: cannot attach");
	double b[5], s[5];
	for (int r = 0; r < 5; r++) {
		b[r] = bulk_per_page(m, n / 64);
		s[r] = single_pair(m, 0, n);
	}
	double bm = median5(b), sm = median5(s);
	fprintf(out, "\n== atomic: bulk allocation (64-page lab_alloc_pages_bulk + free_pages_bulk), per page ==\n");
	fprintf(out, "  bulk %.1f ns/page, single order-0 pair %.1f ns, ratio %.2f\n", bm, sm, bm / sm);
	bench_json_row("atomic", "bulk", "per page", bm, bm, bm, bm / sm, "ns/op");
	bench_json_row("atomic", "bulk", "single pair", sm, sm, sm, 1.0, "ns/op");
	lab_host_cpu_detach(m);
	lab_host_destroy(m);

	for (unsigned order = 0; order <= 3; order += 3) {
		double one = throughput(1, order, n), two = throughput(2, order, n);
		fprintf(out, "\n== atomic: order-%u pair throughput, 1 vs 2 attached CPUs ==\n", order);
		fprintf(out, "  1 CPU %.1f M pairs/s, 2 CPUs %.1f M pairs/s, scaling %.2fx\n", one / 1e6, two / 1e6,
			two / one);
		bench_json_row("atomic", order ? "threads order-3" : "threads order-0", "2 vs 1 CPU", two, two, two,
			       two / one, "pairs/s");
	}
	irq_latency(out, bench_quick ? 2.0 : 10.0);
	fflush(out);
}
