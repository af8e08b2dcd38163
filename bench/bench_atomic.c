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
 *              4 kHz timer interrupt while the interrupted thread allocates
 *              and frees in process context: p50 / p99 / p99.9 / max, and the
 *              process's involuntary context switches beside them (goal
 *              p99.9/p50 <= 4)
 *
 * Times are clock_gettime(CLOCK_MONOTONIC) around each allocation, which
 * the interrupt routine may call (async-signal-safe).
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

#define IRQ_SAMPLES 40000
static double lat[IRQ_SAMPLES];
static double ops[IRQ_SAMPLES];   /* free-list operations of the same allocation */
static volatile unsigned nlat, irq_fails;
static struct lab_mem *irq_mem;
static unsigned irq_seq;

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The interrupt routine: one GFP_ATOMIC allocation of order 0..3, timed, then freed. */
static void isr(void *arg)
{
	(void)arg;
	unsigned order = irq_seq++ & 3;
	/* the interrupted thread is suspended meanwhile: the difference is this call's */
	uint64_t o0 = lab_mem_list_ops(irq_mem);
	uint64_t t0 = now_ns();
	struct lab_page *p = lab_alloc_pages(irq_mem, LAB_GFP_ATOMIC | LAB___GFP_NOWARN, order);
	uint64_t dt = now_ns() - t0;
	uint64_t dops = lab_mem_list_ops(irq_mem) - o0;
	if (!p)
		irq_fails++;
	else
		lab_free_pages(irq_mem, p, order);
	if (nlat < IRQ_SAMPLES) {
		ops[nlat] = (double)dops;
		lat[nlat++] = (double)dt;
	}
}

static void irq_latency(FILE *out, double seconds)
{
	irq_mem = host(256, 1);
	if (lab_host_cpu_attach(irq_mem) < 0)
		bench_die("irq: cannot attach");
	struct rusage r0, r1;
	getrusage(RUSAGE_SELF, &r0);
	nlat = 0;
	if (lab_host_irq_start(irq_mem, 4000, isr, NULL))
		bench_die("irq: cannot start the interrupt");
	uint64_t end = bench_now_ns() + (uint64_t)(seconds * 1e9);
	struct lab_page *mine[256] = { 0 };
	unsigned k = 0;
	while (bench_now_ns() < end && nlat < IRQ_SAMPLES) {
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
	unsigned n = nlat;
	qsort(lat, n, sizeof(lat[0]), cmp_double);
	double p50 = lat[n / 2], p99 = lat[(size_t)(n * 0.99)], p999 = lat[(size_t)(n * 0.999)], max = lat[n - 1];
	fprintf(out, "\n== atomic: GFP_ATOMIC orders 0..3 inside a 4 kHz signal interrupt (%u samples) ==\n", n);
	fprintf(out, "  latency ns: p50 %.0f  p99 %.0f  p99.9 %.0f  max %.0f   p99.9/p50 %.2f\n", p50, p99, p999, max,
		p999 / p50);
	fprintf(out, "  failures %u; involuntary context switches during the run %ld\n", irq_fails,
		r1.ru_nivcsw - r0.ru_nivcsw);
	qsort(ops, n, sizeof(ops[0]), cmp_double);
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
	fprintf(out, "  free-list operations per allocation: p50 %.0f  p99 %.0f  p99.9 %.0f  max %.0f"
		     "   (bound 3*batch + 2*(MAX_ORDER+1) = %.0f, batch %u)\n",
		ops[n / 2], ops[(size_t)(n * 0.99)], ops[(size_t)(n * 0.999)], ops[n - 1], bound, batch);
	bench_json_row("atomic", "irq list ops", "max", ops[n - 1], ops[n - 1], ops[n - 1], ops[n - 1] / bound, "ops");
	bench_json_row("atomic", "irq latency", "p50", p50, p50, p50, 1.0, "ns");
	bench_json_row("atomic", "irq latency", "p99", p99, p99, p99, p99 / p50, "ns");
	bench_json_row("atomic", "irq latency", "p99.9", p999, p999, p999, p999 / p50, "ns");
	bench_json_row("atomic", "irq latency", "max", max, max, max, max / p50, "ns");
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
