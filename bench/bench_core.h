/* SPDX-License-Identifier: MIT */
/*
 * bench/bench_core.h - what the benchmark program's files share:
 *
 *   main.c        the harness: options, machine description, the
 *                 interleaved timing of contenders (bench_compare), tables
 *                 and the JSON file;
 *   bench_core.c  the benchmarks of the Labyrinth core against its peers;
 *   peers.c       the peer allocators (peers.h).
 *
 * Timing model: a contender is a function that performs @iters operations.
 * bench_compare() calibrates each contender's batch to about the same wall
 * time, then runs R rounds; every round runs every contender once, starting
 * with a different one each round (rotation), so slow drifts of the machine
 * (frequency, a neighbour's build) spread evenly over all of them. The
 * figure reported is the median over the rounds of ns per operation;
 * ratios are computed from medians.
 */
#ifndef LAB_BENCH_CORE_H
#define LAB_BENCH_CORE_H

#include <stddef.h>
#include <stdint.h>

/* ---- harness (main.c) ---------------------------------------------------- */

typedef void (*bench_fn)(void *arg, uint64_t iters);

struct bench_contender {
	const char *name;
	bench_fn run;                   /* NULL: not available ("n/a") */
	void *arg;
	const char *why;                /* why n/a, or a note */
	/* results of bench_compare (ns per operation; < 0 when n/a) */
	double median_ns;
	double min_ns;
	double max_ns;
	uint64_t iters;                 /* operations per timed batch */
};

/* --quick was given: fewer rounds, shorter batches. */
extern int bench_quick;

uint64_t bench_now_ns(void);
/* Times @n contenders interleaved (see the head comment); fills the results. */
void bench_compare(struct bench_contender *c, size_t n);
/*
 * Prints the usual table (contender, median ns/op, min..max, ratio to
 * contender @baseline) and records the rows for --json under benchmark
 * @id. @op says what one operation is ("alloc+free pair").
 */
void bench_report(const char *id, const char *title, const char *op,
		  const struct bench_contender *c, size_t n, size_t baseline);
/* Records one JSON row for tables printed by the caller. @ns < 0 = n/a. */
void bench_json_row(const char *id, const char *case_name, const char *contender,
		    double ns, double min_ns, double max_ns, double ratio, const char *unit);
void bench_die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* Keeps @p alive in the compiler's eyes (no elision of alloc/free pairs). */
static inline void bench_escape(void *p)
{
	__asm__ volatile("" : : "r"(p) : "memory");
}

/* xorshift64*: cheap, identical sequence for every contender. */
static inline uint64_t bench_rand(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dull;
}

/* ---- benchmarks (bench_core.c) -------------------------------------------- */

struct bench_def {
	const char *id;                 /* for --only */
	const char *what;
	void (*run)(void);
};

extern const struct bench_def bench_defs[];
extern const size_t bench_nr_defs;
/* Releases the instances the benchmarks created. */
void bench_core_cleanup(void);

#endif
