/* SPDX-License-Identifier: MIT */
/* bench/bench_atomic.h - atomic-context and concurrency benchmarks (see .c). */
#ifndef LAB_BENCH_ATOMIC_H
#define LAB_BENCH_ATOMIC_H
#include <stdio.h>
void lab_bench_atomic(FILE *out);
#endif
