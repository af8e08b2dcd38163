/* SPDX-License-Identifier: MIT */
/*
 * bench/bench_sim.h - the simulator's benchmark (bench_sim.c): simulated
 * events per second of the default scenario, how run time grows with the
 * number of events and with memory size, and the resident memory of large
 * sparse machines. Called by the benchmark program's main.c.
 */
#ifndef LAB_BENCH_SIM_H
#define LAB_BENCH_SIM_H

#include <stdio.h>

/*
 * Runs the simulator benchmarks and prints their tables to @out. Takes
 * about 15-30 s. Set LAB_BENCH_SIM_TIB=1 in the environment to add a 1 TiB
 * machine (4 GiB of metadata, about a minute); the default stops at 256 GiB.
 */
void lab_bench_sim(FILE *out);

#endif
