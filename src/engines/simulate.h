/* SPDX-License-Identifier: MIT */
/*
 * engines/simulate.h - `labyrinth diagnose --simulate`: a real report's
 * zones rebuilt in a Labyrinth instance (sizes, watermarks, reserves, free
 * lists with their migratetype letters), the failing request re-run
 * against them with the rules of the report's kernel's profile (Linux
 * 6.1.192 for 4.x-6.2, 6.12.118 for 6.3 and newer), and the tunables searched for
 * the settings under which the same snapshot serves it.
 */
#ifndef LAB_FORMATS_SIMULATE_H
#define LAB_FORMATS_SIMULATE_H

#include <stdbool.h>
#include <labyrinth/gfp.h>
#include <labyrinth/kernel.h>
#include "engines/diagnose.h"
#include "formats/dmesg.h"

/* Reports whose zones total more than this (kB) are not rebuilt: every
 * trial costs O(pages) in time and metadata (64 GiB: ~13 s debug, 260 MB). */
#define LAB_SIMULATE_MAX_KB (1ull << 30)   /* 1 TiB */

struct lab_simulation {
	bool ran;                    /* false: why[] says why not */
	char why[192];
	enum lab_kernel kernel;      /* the profile re-run: the report's kernel's (6.1 up to 6.2, 6.12 from 6.3) */
	char kernel_why[160];        /* which version chose it, and where it came from */
	lab_gfp_t gfp;               /* the request in 6.1 bits (unknown old flags dropped) */
	char gfp_names[192];
	char dropped[96];            /* flags of the report's era 6.1 does not have */
	char assumed[64];            /* zones sized by present: (no managed: printed) */
	char adjusted[128];          /* free lists matched to the zones' free: ("DMA32 -704 kB") */
	unsigned order;
	bool failed;                 /* the request failed on the rebuilt zones */
	int served_zone;             /* zone type that served it, -1 */
	bool served_by_unboost;      /* served only because order-0 atomic ignores the boost */
	/* tunables under which the same snapshot serves it (-1: none found) */
	long min_free_kbytes_now;    /* Linux's formula for these zone sizes */
	long min_free_kbytes_report; /* implied by the report: its lowmem zones' unboosted mins */
	long min_free_kbytes_pass;   /* the largest value that serves it (it passes below) */
	int lowmem_ratio_zone;       /* zone type whose ratio was changed, -1 */
	int lowmem_ratio_pass;       /* the smallest change that serves it: ratio value (0 = none) */
};

/* Rebuilds and re-runs report @r (diagnosed as @d). Never fails hard: when
 * the report lacks what is needed, ran = false and why[] says what. */
void lab_diagnose_simulate(const struct lab_dmesg_report *r, const struct lab_diagnosis *d,
			   struct lab_simulation *s);

#endif
