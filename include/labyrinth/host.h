/* SPDX-License-Identifier: MIT */
/*
 * labyrinth/host.h - a ready-made POSIX instance: the arena is a memfd
 * mapped as the "direct map", zone locks are pthread spinlocks, log lines
 * go to stderr (or a callback), failure records are printed in the
 * kernel's warn_alloc format.
 */
#ifndef LABYRINTH_HOST_H
#define LABYRINTH_HOST_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <labyrinth/labyrinth.h>

#ifdef __cplusplus
extern "C" {
#endif

struct lab_host_config {
	uint64_t mem_bytes;             /* arena size; default 256 MiB */
	lab_phys_t phys_base;           /* physical address of the arena's first byte; default 0 */
	unsigned nr_cpus;               /* default 1 */
	uint64_t highmem_start_bytes;   /* offset from phys_base; 0 = no highmem */
	unsigned pageblock_order;       /* 0 = 9 */
	unsigned flags;                 /* LAB_CFG_* */
	int min_free_kbytes;            /* 0 = Linux default */
	uint64_t movable_bytes;
	lab_phys_t zone_dma_limit, zone_dma32_limit;  /* 0 = 16 MiB / 4 GiB */
	const struct lab_range *reserved; /* physical ranges to reserve */
	unsigned nr_reserved;
	/* Where log lines and failure reports go; NULL = stderr. */
	FILE *log_file;
	/* Silence log output entirely (tests). */
	int quiet;
	/* Optional: also receive each log line. */
	void (*log_hook)(void *arg, enum lab_log_level level, const char *line);
	void *log_hook_arg;
};

/* Creates the arena and the instance. NULL (with errno set) on failure. */
struct lab_mem *lab_host_create(const struct lab_host_config *cfg);
void lab_host_destroy(struct lab_mem *mem);
/* The arena's memfd (for mapping pages a second time), or -1. */
int lab_host_memfd(struct lab_mem *mem);

#ifdef __cplusplus
}
#endif
#endif
