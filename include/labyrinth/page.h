/* SPDX-License-Identifier: MIT */
/*
 * labyrinth/page.h - constants and the page handle.
 *
 * A `struct lab_page` is the 16-byte descriptor of one page frame; callers
 * treat it as opaque and convert with the functions of labyrinth.h.
 */
#ifndef LABYRINTH_PAGE_H
#define LABYRINTH_PAGE_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LAB_PAGE_SHIFT        12
#define LAB_PAGE_SIZE         (1ul << LAB_PAGE_SHIFT)
/* Number of orders (Linux 6.1 MAX_ORDER): valid orders are 0..10. */
#define LAB_MAX_ORDER         11
#define LAB_PAGE_ALLOC_COSTLY_ORDER 3
#define LAB_DEFAULT_PAGEBLOCK_ORDER 9

/* enum migratetype, with the CMA slot (Linux with CONFIG_CMA). */
enum lab_migratetype {
	LAB_MIGRATE_UNMOVABLE = 0,
	LAB_MIGRATE_MOVABLE = 1,
	LAB_MIGRATE_RECLAIMABLE = 2,
	LAB_MIGRATE_PCPTYPES = 3,
	LAB_MIGRATE_HIGHATOMIC = 3,
	LAB_MIGRATE_CMA = 4,
	LAB_MIGRATE_ISOLATE = 5,
	LAB_MIGRATE_TYPES = 6
};

/* enum zone_type, x86-64 layout. Device is never populated; it exists so
 * that protection arrays and /proc output have Linux's five columns. */
enum lab_zone_type {
	LAB_ZONE_DMA = 0,
	LAB_ZONE_DMA32 = 1,
	LAB_ZONE_NORMAL = 2,
	LAB_ZONE_MOVABLE = 3,
	LAB_ZONE_DEVICE = 4,
	LAB_MAX_NR_ZONES = 5
};

enum lab_wmark { LAB_WMARK_MIN = 0, LAB_WMARK_LOW, LAB_WMARK_HIGH, LAB_WMARK_PROMO, LAB_NR_WMARK };

struct lab_page;
struct lab_mem;

typedef uint64_t lab_pfn_t;
typedef uint64_t lab_phys_t;

extern const char *const lab_migratetype_names[LAB_MIGRATE_TYPES];
extern const char *const lab_zone_names[LAB_MAX_NR_ZONES];

#ifdef __cplusplus
}
#endif
#endif
