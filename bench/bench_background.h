/* SPDX-License-Identifier: MIT */
/* bench/bench_background.h - the background-management benchmarks (see .c). */
#ifndef LAB_BENCH_BACKGROUND_H
#define LAB_BENCH_BACKGROUND_H
#include <stdio.h>
void lab_bench_background(FILE *out);
#endif
