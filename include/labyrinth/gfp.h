/* SPDX-License-Identifier: MIT */
/*
 * labyrinth/gfp.h - GFP ("get free pages") flags with the bit values of
 * Linux 6.1 (include/linux/gfp_types.h), so that a `mode:0x...` printed by a
 * real kernel decodes identically.
 *
 * DOC: what each flag asks of the allocator
 *
 * LAB___GFP_DMA, LAB___GFP_DMA32, LAB___GFP_HIGHMEM, LAB___GFP_MOVABLE
 *   Zone modifiers: the highest zone the request may use (see lab_gfp_zone()).
 *   DMA restricts to ZONE_DMA, DMA32 to DMA32 and below; MOVABLE|HIGHMEM is
 *   the only combination that may use ZONE_MOVABLE.
 * LAB___GFP_MOVABLE, LAB___GFP_RECLAIMABLE
 *   Mobility: which migratetype's pageblocks the request is grouped with.
 *   Neither = Unmovable (kernel objects: the walls of the labyrinth).
 * LAB___GFP_HIGH
 *   The caller is important: it may dip to half of the min watermark
 *   (ALLOC_MIN_RESERVE). Part of GFP_ATOMIC.
 * LAB___GFP_ATOMIC
 *   6.1 only (removed in 6.3): marks an atomic caller. Labyrinth accepts the
 *   bit so 6.1 values round-trip; the reserve semantics come from "cannot
 *   block" (no __GFP_DIRECT_RECLAIM), as in 6.1.116+ and 6.3+. In the 6.1
 *   profile it exempts order-0 requests at the min mark from the watermark
 *   boost. An instance of the 6.12 profile clears it from every request
 *   (the bit is unused there), so LAB_GFP_ATOMIC is 6.12's 0x820 there and
 *   failure records print as 6.12 prints them.
 * LAB___GFP_DIRECT_RECLAIM
 *   The caller may sleep: reclaim and compact directly. Never set it from an
 *   interrupt handler or under a spinlock (a might_sleep violation).
 * LAB___GFP_KSWAPD_RECLAIM
 *   Wake background reclaim when below the low watermark. Never sleeps.
 * LAB___GFP_IO, LAB___GFP_FS
 *   Reclaim may start I/O / call into filesystems. Compaction needs __GFP_IO.
 * LAB___GFP_ZERO
 *   Return zeroed memory.
 * LAB___GFP_NOWARN
 *   Do not record a failure report (the failure still counts in statistics).
 * LAB___GFP_RETRY_MAYFAIL, LAB___GFP_NORETRY, LAB___GFP_NOFAIL
 *   Retry policy of the slow path: try hard but fail / one pass then fail /
 *   never fail (only legal with direct reclaim).
 * LAB___GFP_MEMALLOC, LAB___GFP_NOMEMALLOC
 *   Ignore all watermarks (for reclaim itself) / never touch the emergency
 *   reserves, even when atomic.
 * LAB___GFP_COMP
 *   Build a compound page: the head records the order, tails point to it.
 * LAB___GFP_HARDWALL, LAB___GFP_THISNODE, LAB___GFP_ACCOUNT, LAB___GFP_WRITE,
 * LAB___GFP_ZEROTAGS
 *   Accepted and reported for fidelity; Labyrinth has one node and no cgroups.
 */
#ifndef LABYRINTH_GFP_H
#define LABYRINTH_GFP_H

#include <stddef.h>
#include <stdint.h>
#include <labyrinth/kernel.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef unsigned int lab_gfp_t;

#define LAB___GFP_DMA             0x1u
#define LAB___GFP_HIGHMEM         0x2u
#define LAB___GFP_DMA32           0x4u
#define LAB___GFP_MOVABLE         0x8u
#define LAB___GFP_RECLAIMABLE     0x10u
#define LAB___GFP_HIGH            0x20u
#define LAB___GFP_IO              0x40u
#define LAB___GFP_FS              0x80u
#define LAB___GFP_ZERO            0x100u
#define LAB___GFP_ATOMIC          0x200u    /* 6.1 only; unused from 6.3 */
#define LAB___GFP_DIRECT_RECLAIM  0x400u
#define LAB___GFP_KSWAPD_RECLAIM  0x800u
#define LAB___GFP_WRITE           0x1000u
#define LAB___GFP_NOWARN          0x2000u
#define LAB___GFP_RETRY_MAYFAIL   0x4000u
#define LAB___GFP_NOFAIL          0x8000u
#define LAB___GFP_NORETRY         0x10000u
#define LAB___GFP_MEMALLOC        0x20000u
#define LAB___GFP_COMP            0x40000u
#define LAB___GFP_NOMEMALLOC      0x80000u
#define LAB___GFP_HARDWALL        0x100000u
#define LAB___GFP_THISNODE        0x200000u
#define LAB___GFP_ACCOUNT         0x400000u
#define LAB___GFP_ZEROTAGS        0x800000u

#define LAB___GFP_RECLAIM   (LAB___GFP_DIRECT_RECLAIM | LAB___GFP_KSWAPD_RECLAIM)
#define LAB_GFP_ZONEMASK    (LAB___GFP_DMA | LAB___GFP_HIGHMEM | LAB___GFP_DMA32 | LAB___GFP_MOVABLE)
#define LAB_GFP_MOVABLE_MASK (LAB___GFP_RECLAIMABLE | LAB___GFP_MOVABLE)

/* Composite masks, 6.1 values (GFP_ATOMIC 0xa20; 0x820 from 6.3). */
#define LAB_GFP_ATOMIC   (LAB___GFP_HIGH | LAB___GFP_ATOMIC | LAB___GFP_KSWAPD_RECLAIM)
#define LAB_GFP_KERNEL   (LAB___GFP_RECLAIM | LAB___GFP_IO | LAB___GFP_FS)
#define LAB_GFP_KERNEL_ACCOUNT (LAB_GFP_KERNEL | LAB___GFP_ACCOUNT)
#define LAB_GFP_NOWAIT   (LAB___GFP_KSWAPD_RECLAIM)
#define LAB_GFP_NOIO     (LAB___GFP_RECLAIM)
#define LAB_GFP_NOFS     (LAB___GFP_RECLAIM | LAB___GFP_IO)
#define LAB_GFP_USER     (LAB___GFP_RECLAIM | LAB___GFP_IO | LAB___GFP_FS | LAB___GFP_HARDWALL)
#define LAB_GFP_DMA      (LAB___GFP_DMA)
#define LAB_GFP_DMA32    (LAB___GFP_DMA32)
#define LAB_GFP_HIGHUSER (LAB_GFP_USER | LAB___GFP_HIGHMEM)
#define LAB_GFP_HIGHUSER_MOVABLE (LAB_GFP_HIGHUSER | LAB___GFP_MOVABLE)
#define LAB_GFP_TRANSHUGE_LIGHT ((LAB_GFP_HIGHUSER_MOVABLE | LAB___GFP_COMP | \
        LAB___GFP_NOMEMALLOC | LAB___GFP_NOWARN) & ~LAB___GFP_RECLAIM)
#define LAB_GFP_TRANSHUGE (LAB_GFP_TRANSHUGE_LIGHT | LAB___GFP_DIRECT_RECLAIM)

/*
 * Flag-layout eras: the same value prints differently (and some values mean
 * different things) depending on the kernel that printed it. See
 * linux-mm-facts §2.2/§2.5 and §15, and docs/gfp.md for the history. The
 * names are what lab_gfp_era_name() returns; lab_gfp_era_for_version() picks
 * the era of a kernel version string. New eras are appended at the end, so
 * the numeric order is not chronological (the chronological order is
 * 3_X, 4_X, 4_10, 4_13, 4_14, 4_15, 4_18, 6_1, 6_3, 6_8, 6_13).
 */
enum lab_gfp_era {
	LAB_GFP_ERA_6_1 = 0,   /* "6.1":  5.1..6.2 bit layout and name order with __GFP_ATOMIC (0x200): the default */
	LAB_GFP_ERA_6_3,       /* "6.3":  6.3..6.7: no __GFP_ATOMIC, GFP_ATOMIC = 0x820, GFP_NOWAIT = 0x800 */
	LAB_GFP_ERA_6_8,       /* "6.8":  6.8..6.12: GFP_NOWAIT = 0x2800 */
	LAB_GFP_ERA_6_13,      /* "6.13+": after 6.12 (seen on 6.18): composites, then every bit in bit order */
	LAB_GFP_ERA_4_X,       /* "4.x":  4.4..4.9 layout: GFP_ATOMIC 0x2080020, GFP_KERNEL 0x24000c0, __GFP_OTHER_NODE 0x800000 */
	LAB_GFP_ERA_3_X,       /* "3.x":  2.6, 3.x and 4.0..4.3 (__GFP_WAIT 0x10): 0x20 = GFP_ATOMIC, 0xd0 = GFP_KERNEL; those kernels printed no names */
	LAB_GFP_ERA_4_10,      /* "4.10": 4.10..4.12: __GFP_OTHER_NODE gone: GFP_ATOMIC 0x1080020, GFP_KERNEL 0x14000c0; __GFP_REPEAT, GFP_TEMPORARY */
	LAB_GFP_ERA_4_13,      /* "4.13": as 4.10, __GFP_REPEAT renamed __GFP_RETRY_MAYFAIL */
	LAB_GFP_ERA_4_14,      /* "4.14": as 4.13 without GFP_TEMPORARY */
	LAB_GFP_ERA_4_15,      /* "4.15": 4.15..4.17: __GFP_COLD and __GFP_NOTRACK gone (their bits left unused) */
	LAB_GFP_ERA_4_18,      /* "4.18": 4.18..5.0: bits compacted: GFP_ATOMIC 0x480020, GFP_KERNEL 0x6000c0 */
	LAB_GFP_NR_ERAS
};

/*
 * Writes the "%pGg" rendering of @gfp for @era into @buf (always
 * NUL-terminated when @size > 0). Returns the length the full string has
 * (like snprintf), so a return >= @size means it was truncated.
 * 0 renders as the empty string. Freestanding; no allocation.
 */
size_t lab_gfp_format(char *buf, size_t size, lab_gfp_t gfp, enum lab_gfp_era era);

/*
 * Parses "GFP_ATOMIC|__GFP_COMP", "0xa20", "LAB_GFP_KERNEL" style names, a
 * mix of names, hex and decimal numbers joined by '|' (spaces around tokens
 * are allowed), with the names and values of @era ("GFP_ATOMIC" is 0xa20 in
 * LAB_GFP_ERA_6_1, 0x820 from LAB_GFP_ERA_6_3). An empty string or "none"
 * is 0. Returns 0 and sets *@out, or -1 if a token is unknown, empty or a
 * number does not fit 32 bits (then *@bad_token / *@bad_len name it when
 * non-NULL, and *@out is left alone).
 */
int lab_gfp_parse(const char *str, enum lab_gfp_era era, lab_gfp_t *out,
		  const char **bad_token, size_t *bad_len);

/* Era from a kernel version ("6.1.0-56-amd64", "4.9.0-rc8", "3.10.0-327").
 * Leading junk is skipped (the first "N.M" is used); NULL, empty or
 * unrecognised -> LAB_GFP_ERA_6_1. */
enum lab_gfp_era lab_gfp_era_for_version(const char *version);
/* The era whose names a kernel profile prints (%pGg): 6.1 -> LAB_GFP_ERA_6_1,
 * 6.12 -> LAB_GFP_ERA_6_8 (no __GFP_ATOMIC, GFP_ATOMIC 0x820, GFP_NOWAIT
 * 0x2800); LAB_KERNEL_DEFAULT is resolved, a non-profile gives 6.1. */
enum lab_gfp_era lab_gfp_era_for_kernel(enum lab_kernel k);
/* "6.1", "6.3", "6.8", "6.13+", "4.x", "3.x", "4.10", ...; "?" if out of range. */
const char *lab_gfp_era_name(enum lab_gfp_era era);
/* Inverse of lab_gfp_era_name (also accepts "6.13" for "6.13+"). Returns 0
 * and sets *@out, or -1 if @name is no era name. */
int lab_gfp_era_from_name(const char *name, enum lab_gfp_era *out);

/* gfp -> highest zone index (Linux gfp_zone; x86-64 table). -1 if the zone
 * modifier combination is invalid (GFP_ZONE_BAD). */
int lab_gfp_zone(lab_gfp_t gfp);
/* gfp -> migratetype (Linux gfp_migratetype): 0 U, 1 M, 2 R. */
int lab_gfp_migratetype(lab_gfp_t gfp);
/* The request may sleep (has __GFP_DIRECT_RECLAIM). */
static inline int lab_gfpflags_allow_blocking(lab_gfp_t gfp)
{
	return (gfp & LAB___GFP_DIRECT_RECLAIM) != 0;
}

#ifdef __cplusplus
}
#endif
#endif
