/* SPDX-License-Identifier: MIT */
/*
 * engines/diagnose.h - why did a real "page allocation failure" happen?
 *
 * Takes one report read by formats/dmesg.h and replays, with the numbers the
 * kernel printed, the checks that failed: which zones the request could use
 * and in which order (gfp_zone, zonelist), the watermark each zone had to
 * clear for this caller (__zone_watermark_ok: min, halved for __GFP_HIGH, a
 * quarter off for atomic callers, plus lowmem_reserve[] of the preferred
 * zone's index, minus unusable CMA/highatomic pages), and whether a free
 * block of the order existed on a list the caller may take from. The rules
 * follow the kernel version of the report: the per-order watermark loop of
 * kernels before 4.4, the "one block is enough" rule from 4.4, __GFP_ATOMIC
 * (ALLOC_HARDER) until 6.2 and ALLOC_MIN_RESERVE/ALLOC_NON_BLOCK from 6.3
 * (and 6.1.116), order-0 access to the highatomic reserve only after the
 * October 2024 fix. Kernels whose rules are the allocator's own (6.1.157+
 * in 6.1.y, 6.18+) are checked by the core's lab_gfp_alloc_flags() and
 * lab_zone_watermark_check(); older ones by small tables here.
 * docs/diagnose.md explains each rule with corpus examples.
 *
 * The verdict is the failing check of the first populated zone in fallback
 * order (lower zones usually fail only because lowmem_reserve protects them,
 * which is by design):
 *   LOW_MEMORY              free pages at or below this caller's watermark;
 *   FRAGMENTATION           enough free pages, no free block of the order
 *                           (or, before 4.4, too few pages in big blocks);
 *   RESERVE_OR_MIGRATETYPE  blocks of the order exist only as highatomic (H)
 *                           or CMA (C) pageblocks this caller may not use;
 *   UNDETERMINED            numbers missing, or the snapshot shows a zone
 *                           that would have satisfied the request.
 * Every verdict carries the numbers behind it and advice tied to them.
 *
 * Pure computation on the report: no allocation, no I/O; report/diagnose.h
 * renders a diagnosis as text and JSON.
 */
#ifndef LAB_FORMATS_DIAGNOSE_H
#define LAB_FORMATS_DIAGNOSE_H

#include <stdbool.h>
#include <stdint.h>
#include "formats/dmesg.h"

enum lab_verdict {
	LAB_VERDICT_UNDETERMINED = 0,
	LAB_VERDICT_LOW_MEMORY,
	LAB_VERDICT_FRAGMENTATION,
	LAB_VERDICT_RESERVE_OR_MIGRATETYPE,
};

/* What one zone's checks came to. */
enum lab_zone_outcome {
	LAB_ZONE_UNKNOWN = 0,   /* numbers missing */
	LAB_ZONE_OK,            /* every check passes in this snapshot */
	LAB_ZONE_LOW,           /* free <= watermark (without lowmem_reserve) */
	LAB_ZONE_PROTECTED,     /* free > watermark, but <= watermark + lowmem_reserve */
	LAB_ZONE_FRAGMENTED,    /* no usable block of the order (or the pre-4.4 loop failed) */
	LAB_ZONE_RESERVED,      /* blocks of the order only in H/C lists this caller may not use */
	LAB_ZONE_EMPTY,         /* present/managed 0: nothing to allocate from */
	LAB_ZONE_NO_FREE,       /* the watermark passes (or does not apply), but the lists
	                         * this caller may use hold no free page at all (order 0),
	                         * or the zone's lists hold no free block of any order:
	                         * out of memory, never fragmentation */
};

#define LAB_DIAG_MAX_ADVICE 6

struct lab_diag_zone {
	int zi;                  /* index in report->zones */
	int type;                /* lab_dmesg_zone_type() */
	enum lab_zone_outcome outcome;
	/* all in pages of the report's page size */
	int64_t free;            /* free: */
	int64_t unusable;        /* (2^order - 1) + free CMA and highatomic this caller may not count */
	int64_t unusable_cma, unusable_highatomic;
	int64_t min;             /* min: as printed (includes boost on 5.x+) */
	int64_t boost;
	int64_t mark;            /* min after this caller's reductions */
	bool unboosted;          /* the order-0 atomic retry with the boost ignored was used */
	int64_t reserve;         /* lowmem_reserve[] charged for the request's zone index */
	bool reserve_known;
	bool wmark_ok;
	/* blocks (orders; -1 = none) */
	int largest_order;       /* any list */
	int largest_usable_order;/* lists this caller may take from */
	uint64_t kb_at_order;    /* free kB in blocks >= the request's order, any list */
	uint64_t kb_reserved_only; /* of those, in orders whose blocks are all H/C */
	unsigned blocking_types; /* H/C letters seen on orders >= the request's */
	/* kernels before 4.4: the per-order loop */
	int loop_fail_order;     /* -1 = passed or not run */
	int64_t loop_free, loop_min;
	char why[256];
};

struct lab_diagnosis {
	enum lab_verdict verdict;
	/* kernel */
	char version[LAB_DMESG_VERSION_LEN]; /* "" if unknown */
	const char *version_source;  /* "--kernel", "report", "log", "inferred", "assumed" */
	int kmajor, kminor, kpatch;  /* the version the rules used */
	char rules[96];              /* e.g. "pre-4.4 (per-order watermark loop)" */
	enum lab_gfp_era era;
	/* request */
	unsigned order;
	unsigned page_kb;            /* 4 when the report does not show it */
	bool page_kb_assumed;
	char decoded[192];           /* lab_gfp_format() in the era; "" if no mode */
	bool decoded_matches;        /* == the printed names (true when none printed) */
	bool can_block, atomic, high, non_block, nomemalloc, memalloc, movable, io;
	bool boost_exempt;           /* zone_watermark_fast's order-0 key: __GFP_ATOMIC
	                              * while the bit exists (< 6.3), __GFP_HIGH after */
	bool no_watermarks;          /* __GFP_MEMALLOC or PF_MEMALLOC context */
	bool may_use_highatomic, may_use_cma, order0_highatomic_fix;
	/* kernels whose watermark rules are the core's (6.1.157+ in 6.1.y,
	 * 6.18+): the request in the core's bits, only what its rules read, and
	 * lab_gfp_alloc_flags() of it; 0 for other kernels */
	bool core_rules;
	lab_gfp_t core_gfp;
	unsigned alloc_flags;
	char policy[160];            /* "min -> /2 (__GFP_HIGH) -> -1/4 (atomic)" */
	int highest_type;            /* the request's highest zone type */
	/* zones, eligible ones in fallback order */
	int nr_zones;
	struct lab_diag_zone zones[LAB_DMESG_MAX_ZONES];
	int deciding;                /* index in zones[] the verdict comes from, -1 */
	char ineligible[96];         /* printed zones the request may not use */
	/* words */
	char summary[768];           /* the numbers behind the verdict */
	int nr_advice;
	char advice[LAB_DIAG_MAX_ADVICE][640];
	char missing[640];           /* what is missing, one item per line */
};

/*
 * Diagnoses report @r of @log. @kernel_override (NULL or "") replaces the
 * report's kernel version (`--kernel`). Fills every field of @d. Any input;
 * O(zones x orders).
 */
void lab_diagnose(const struct lab_dmesg_log *log, const struct lab_dmesg_report *r,
		  const char *kernel_override, struct lab_diagnosis *d);

/*
 * Zone @z's min watermark without the boost, in pages: the printed min less
 * the printed boost:, and, on kernels that do not print boost:, less the
 * hidden boost the printed low - min gap gives away (low - min >= min0/4).
 */
int64_t lab_dmesg_zone_unboosted_min(const struct lab_dmesg_zone *z, unsigned page_kb);


/*
 * `diagnose --summary`: many machines' logs counted together
 * (engines/diagnose_summary.c fills it, report/diagnose_summary.c prints
 * it). A row counts the reports that share verdict, kernel, order, GFP
 * flags and context; a site counts the reports whose call site (the first
 * frame outside the allocator, lab_dmesg_report.site) is the same.
 */
#define LAB_VERDICT_NR 4

struct lab_diag_summary_row {
	enum lab_verdict verdict;
	char kernel[LAB_DMESG_VERSION_LEN];   /* "unknown" if the log does not say */
	int order;                            /* -1 unknown */
	char gfp[192];                        /* the decoded flags, else "0x..", else "unknown" */
	char context[16];                     /* lab_dmesg_context_name() */
	unsigned count;
};

struct lab_diag_summary_site {
	char site[64];                        /* "" = no call trace */
	unsigned count;
	unsigned verdicts[LAB_VERDICT_NR];
};

struct lab_diag_summary {
	size_t files, unreadable, reports;
	unsigned verdicts[LAB_VERDICT_NR];
	struct lab_diag_summary_row *rows;    /* sorted by lab_diag_summary_sort() */
	size_t nr_rows, cap_rows;
	struct lab_diag_summary_site *sites;
	size_t nr_sites, cap_sites;
};

/* Diagnoses every report of @log and counts it in @s. 0, or -1 when memory
 * ran out (@s keeps what was counted). */
int lab_diag_summary_add(struct lab_diag_summary *s, const struct lab_dmesg_log *log,
			 const char *kernel_override);
/* Orders rows and sites: most reports first, then by their keys, so the
 * same logs give the same table. */
void lab_diag_summary_sort(struct lab_diag_summary *s);
void lab_diag_summary_free(struct lab_diag_summary *s);

/* `labyrinth diagnose`'s arguments (cli/cmd_diagnose.c parses them). */
struct lab_diagnose_request {
	const char *kernel;          /* --kernel, NULL if not given */
	const char *const *files;    /* "-" is stdin */
	int nr_files;
	bool json, simulate;
	bool summary;                /* --summary: one table for all files */
	bool follow;                 /* --follow: one growing log, each report when complete */
};

/* --summary (engines/diagnose_summary.c): the exit status as lab_diagnose_run's. */
int lab_diagnose_summary_run(const struct lab_diagnose_request *q);
/* --follow (engines/diagnose_follow.c): the exit status as lab_diagnose_run's. */
int lab_diagnose_follow_run(const struct lab_diagnose_request *q);

/*
 * Reads every file, diagnoses each report (and re-runs it with --simulate)
 * and prints the verdicts (report/diagnose.c) on stdout, errors on stderr.
 * Returns the exit status: 0 every report diagnosed, 1 no report found,
 * 2 an input could not be read or memory ran out.
 */
int lab_diagnose_run(const struct lab_diagnose_request *q);

#endif
