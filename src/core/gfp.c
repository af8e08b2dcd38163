/* SPDX-License-Identifier: MIT */
/*
 * core/gfp.c - GFP flags: value <-> the names a kernel prints, per era.
 *
 * Linux prints an allocation's flags as "mode:%#x(%pGg)". %pGg walks an
 * ordered (mask, name) table (mm/debug.c:gfpflag_names, built from
 * include/trace/events/mmflags.h) greedily: an entry is printed when all of
 * its bits are still set, and those bits are then cleared; leftovers end as
 * one hex number. Both the table and the bit values changed over the years,
 * so decoding a real report needs the table *of the kernel that printed it*
 * (linux-mm-facts §2.2, §2.5). This file holds those tables.
 *
 * How the tables are built: every flag that ever existed is an abstract
 * flag (F_*). An era has a layout (the bit value of each F_ in that era, 0
 * when the flag does not exist) and an ordered name list whose entries are
 * sets of F_. An entry's mask in an era is the OR of its flags' bits there,
 * so one list serves several eras: GFP_KERNEL = {WAIT, DIRECT_RECLAIM,
 * KSWAPD_RECLAIM, IO, FS} is 0xd0 with the 3.x layout (no RECLAIM bits yet),
 * 0x24000c0 with 4.4's and 0xcc0 with 5.1's; GFP_ATOMIC = {HIGH, ATOMIC,
 * KSWAPD_RECLAIM} is 0xa20 on 6.1 and 0x820 on 6.3 (no ATOMIC bit). Entries
 * whose definition changed, not just their bits, carry the set of eras they
 * belong to. An entry whose mask is 0 in an era does not exist there.
 *
 * History encoded below (each step a kernel commit):
 *   2.6 .. 4.3   __GFP_WAIT 0x10 layout; no names printed before 4.5
 *   4.4          "distinguish between being unable to sleep, unwilling to
 *                sleep and avoiding waking kswapd": __GFP_ATOMIC,
 *                DIRECT_RECLAIM, KSWAPD_RECLAIM; RECLAIMABLE moves to 0x10
 *   4.5          %pGg in warn_alloc (the 4.5..4.7 GFP_TRANSHUGE differs from
 *                the 4.8 one used here; only THP masks are affected)
 *   4.10         __GFP_OTHER_NODE removed, later bits move down
 *   4.13         __GFP_REPEAT renamed __GFP_RETRY_MAYFAIL
 *   4.14         GFP_TEMPORARY removed
 *   4.15         __GFP_COLD, __GFP_NOTRACK removed (bits left stranded)
 *   4.18         "save two stranding bit in gfp_mask": WRITE 0x100, RECLAIM
 *                bits 0x200000/0x400000
 *   5.1          "shuffle GFP_* flags": the 6.1 layout (GFP_KERNEL 0xcc0)
 *   6.3          __GFP_ATOMIC removed (0x200 unused)
 *   6.8          GFP_NOWAIT includes __GFP_NOWARN
 *   after 6.12   name order: composites, then single bits in bit order;
 *                __GFP_NO_OBJ_EXT named (bit 24 on x86-64 distro configs)
 * Config-dependent bits (KASAN hardware tags, LOCKDEP) are not modelled:
 * they print as hex, as on a kernel without those options.
 *
 * Freestanding: only <string.h>'s strlen/memcmp. No allocation, no
 * recursion; every loop is bounded by a table size or the input length.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <labyrinth/gfp.h>
#include "internal.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Every flag any supported kernel had, in no particular order. */
enum gfp_flag {
	F_DMA, F_HIGHMEM, F_DMA32, F_MOVABLE, F_RECLAIMABLE, F_HIGH, F_IO, F_FS,
	F_ZERO, F_ATOMIC, F_DIRECT_RECLAIM, F_KSWAPD_RECLAIM, F_WRITE, F_NOWARN,
	F_RETRY_MAYFAIL,	/* __GFP_REPEAT before 4.13: same bit, same role */
	F_NOFAIL, F_NORETRY, F_MEMALLOC, F_COMP, F_NOMEMALLOC, F_HARDWALL,
	F_THISNODE, F_ACCOUNT, F_ZEROTAGS, F_NO_OBJ_EXT,
	/* gone */
	F_WAIT, F_COLD, F_NOTRACK, F_OTHER_NODE, F_NO_KSWAPD, F_KMEMCG,
	F_NR
};
_Static_assert(F_NR <= 32, "flag sets are 32-bit masks");

/* Canonical names of the single flags, accepted by the parser in any era
 * where the flag has a bit (so "__GFP_DMA" parses although %pGg prints
 * "GFP_DMA" before 6.13). */
static const char *const flag_name[F_NR] = {
	[F_DMA] = "__GFP_DMA", [F_HIGHMEM] = "__GFP_HIGHMEM",
	[F_DMA32] = "__GFP_DMA32", [F_MOVABLE] = "__GFP_MOVABLE",
	[F_RECLAIMABLE] = "__GFP_RECLAIMABLE", [F_HIGH] = "__GFP_HIGH",
	[F_IO] = "__GFP_IO", [F_FS] = "__GFP_FS", [F_ZERO] = "__GFP_ZERO",
	[F_ATOMIC] = "__GFP_ATOMIC", [F_DIRECT_RECLAIM] = "__GFP_DIRECT_RECLAIM",
	[F_KSWAPD_RECLAIM] = "__GFP_KSWAPD_RECLAIM", [F_WRITE] = "__GFP_WRITE",
	[F_NOWARN] = "__GFP_NOWARN", [F_RETRY_MAYFAIL] = "__GFP_RETRY_MAYFAIL",
	[F_NOFAIL] = "__GFP_NOFAIL", [F_NORETRY] = "__GFP_NORETRY",
	[F_MEMALLOC] = "__GFP_MEMALLOC", [F_COMP] = "__GFP_COMP",
	[F_NOMEMALLOC] = "__GFP_NOMEMALLOC", [F_HARDWALL] = "__GFP_HARDWALL",
	[F_THISNODE] = "__GFP_THISNODE", [F_ACCOUNT] = "__GFP_ACCOUNT",
	[F_ZEROTAGS] = "__GFP_ZEROTAGS", [F_NO_OBJ_EXT] = "__GFP_NO_OBJ_EXT",
	[F_WAIT] = "__GFP_WAIT", [F_COLD] = "__GFP_COLD",
	[F_NOTRACK] = "__GFP_NOTRACK", [F_OTHER_NODE] = "__GFP_OTHER_NODE",
	[F_NO_KSWAPD] = "__GFP_NO_KSWAPD", [F_KMEMCG] = "__GFP_KMEMCG",
};

/* ---- layouts: the bit of each flag, 0 = the flag does not exist ---------- */

/* 2.6 .. 4.3 (include/linux/gfp.h with ___GFP_WAIT). 0x2000 is MEMALLOC from
 * 3.6, 0x100000 KMEMCG in 3.8..3.16 (NOACCOUNT in 4.2/4.3). */
static const lab_gfp_t layout_3x[F_NR] = {
	[F_DMA] = 0x1, [F_HIGHMEM] = 0x2, [F_DMA32] = 0x4, [F_MOVABLE] = 0x8,
	[F_WAIT] = 0x10, [F_HIGH] = 0x20, [F_IO] = 0x40, [F_FS] = 0x80,
	[F_COLD] = 0x100, [F_NOWARN] = 0x200, [F_RETRY_MAYFAIL] = 0x400,
	[F_NOFAIL] = 0x800, [F_NORETRY] = 0x1000, [F_MEMALLOC] = 0x2000,
	[F_COMP] = 0x4000, [F_ZERO] = 0x8000, [F_NOMEMALLOC] = 0x10000,
	[F_HARDWALL] = 0x20000, [F_THISNODE] = 0x40000,
	[F_RECLAIMABLE] = 0x80000, [F_KMEMCG] = 0x100000,
	[F_NOTRACK] = 0x200000, [F_NO_KSWAPD] = 0x400000,
	[F_OTHER_NODE] = 0x800000, [F_WRITE] = 0x1000000,
};

/* 4.4 .. 4.9 */
static const lab_gfp_t layout_44[F_NR] = {
	[F_DMA] = 0x1, [F_HIGHMEM] = 0x2, [F_DMA32] = 0x4, [F_MOVABLE] = 0x8,
	[F_RECLAIMABLE] = 0x10, [F_HIGH] = 0x20, [F_IO] = 0x40, [F_FS] = 0x80,
	[F_COLD] = 0x100, [F_NOWARN] = 0x200, [F_RETRY_MAYFAIL] = 0x400,
	[F_NOFAIL] = 0x800, [F_NORETRY] = 0x1000, [F_MEMALLOC] = 0x2000,
	[F_COMP] = 0x4000, [F_ZERO] = 0x8000, [F_NOMEMALLOC] = 0x10000,
	[F_HARDWALL] = 0x20000, [F_THISNODE] = 0x40000, [F_ATOMIC] = 0x80000,
	[F_ACCOUNT] = 0x100000, [F_NOTRACK] = 0x200000,
	[F_DIRECT_RECLAIM] = 0x400000, [F_OTHER_NODE] = 0x800000,
	[F_WRITE] = 0x1000000, [F_KSWAPD_RECLAIM] = 0x2000000,
};

/* 4.10 .. 4.14: OTHER_NODE gone, WRITE and KSWAPD_RECLAIM one bit down. */
static const lab_gfp_t layout_410[F_NR] = {
	[F_DMA] = 0x1, [F_HIGHMEM] = 0x2, [F_DMA32] = 0x4, [F_MOVABLE] = 0x8,
	[F_RECLAIMABLE] = 0x10, [F_HIGH] = 0x20, [F_IO] = 0x40, [F_FS] = 0x80,
	[F_COLD] = 0x100, [F_NOWARN] = 0x200, [F_RETRY_MAYFAIL] = 0x400,
	[F_NOFAIL] = 0x800, [F_NORETRY] = 0x1000, [F_MEMALLOC] = 0x2000,
	[F_COMP] = 0x4000, [F_ZERO] = 0x8000, [F_NOMEMALLOC] = 0x10000,
	[F_HARDWALL] = 0x20000, [F_THISNODE] = 0x40000, [F_ATOMIC] = 0x80000,
	[F_ACCOUNT] = 0x100000, [F_NOTRACK] = 0x200000,
	[F_DIRECT_RECLAIM] = 0x400000, [F_WRITE] = 0x800000,
	[F_KSWAPD_RECLAIM] = 0x1000000,
};

/* 4.15 .. 4.17: COLD (0x100) and NOTRACK (0x200000) gone, bits unused. */
static const lab_gfp_t layout_415[F_NR] = {
	[F_DMA] = 0x1, [F_HIGHMEM] = 0x2, [F_DMA32] = 0x4, [F_MOVABLE] = 0x8,
	[F_RECLAIMABLE] = 0x10, [F_HIGH] = 0x20, [F_IO] = 0x40, [F_FS] = 0x80,
	[F_NOWARN] = 0x200, [F_RETRY_MAYFAIL] = 0x400,
	[F_NOFAIL] = 0x800, [F_NORETRY] = 0x1000, [F_MEMALLOC] = 0x2000,
	[F_COMP] = 0x4000, [F_ZERO] = 0x8000, [F_NOMEMALLOC] = 0x10000,
	[F_HARDWALL] = 0x20000, [F_THISNODE] = 0x40000, [F_ATOMIC] = 0x80000,
	[F_ACCOUNT] = 0x100000,
	[F_DIRECT_RECLAIM] = 0x400000, [F_WRITE] = 0x800000,
	[F_KSWAPD_RECLAIM] = 0x1000000,
};

/* 4.18 .. 5.0: the stranded bits filled. */
static const lab_gfp_t layout_418[F_NR] = {
	[F_DMA] = 0x1, [F_HIGHMEM] = 0x2, [F_DMA32] = 0x4, [F_MOVABLE] = 0x8,
	[F_RECLAIMABLE] = 0x10, [F_HIGH] = 0x20, [F_IO] = 0x40, [F_FS] = 0x80,
	[F_WRITE] = 0x100, [F_NOWARN] = 0x200, [F_RETRY_MAYFAIL] = 0x400,
	[F_NOFAIL] = 0x800, [F_NORETRY] = 0x1000, [F_MEMALLOC] = 0x2000,
	[F_COMP] = 0x4000, [F_ZERO] = 0x8000, [F_NOMEMALLOC] = 0x10000,
	[F_HARDWALL] = 0x20000, [F_THISNODE] = 0x40000, [F_ATOMIC] = 0x80000,
	[F_ACCOUNT] = 0x100000, [F_DIRECT_RECLAIM] = 0x200000,
	[F_KSWAPD_RECLAIM] = 0x400000,
};

/* 5.1 .. 6.2: Labyrinth's own values (gfp.h). ZEROTAGS exists from 5.14;
 * naming 0x800000 on older 5.x only matters for values no kernel printed. */
static const lab_gfp_t layout_61[F_NR] = {
	[F_DMA] = LAB___GFP_DMA, [F_HIGHMEM] = LAB___GFP_HIGHMEM,
	[F_DMA32] = LAB___GFP_DMA32, [F_MOVABLE] = LAB___GFP_MOVABLE,
	[F_RECLAIMABLE] = LAB___GFP_RECLAIMABLE, [F_HIGH] = LAB___GFP_HIGH,
	[F_IO] = LAB___GFP_IO, [F_FS] = LAB___GFP_FS, [F_ZERO] = LAB___GFP_ZERO,
	[F_ATOMIC] = LAB___GFP_ATOMIC,
	[F_DIRECT_RECLAIM] = LAB___GFP_DIRECT_RECLAIM,
	[F_KSWAPD_RECLAIM] = LAB___GFP_KSWAPD_RECLAIM, [F_WRITE] = LAB___GFP_WRITE,
	[F_NOWARN] = LAB___GFP_NOWARN, [F_RETRY_MAYFAIL] = LAB___GFP_RETRY_MAYFAIL,
	[F_NOFAIL] = LAB___GFP_NOFAIL, [F_NORETRY] = LAB___GFP_NORETRY,
	[F_MEMALLOC] = LAB___GFP_MEMALLOC, [F_COMP] = LAB___GFP_COMP,
	[F_NOMEMALLOC] = LAB___GFP_NOMEMALLOC, [F_HARDWALL] = LAB___GFP_HARDWALL,
	[F_THISNODE] = LAB___GFP_THISNODE, [F_ACCOUNT] = LAB___GFP_ACCOUNT,
	[F_ZEROTAGS] = LAB___GFP_ZEROTAGS,
};

/* 6.3 .. 6.12: as 6.1 without ATOMIC; no bit was renumbered. */
static const lab_gfp_t layout_63[F_NR] = {
	[F_DMA] = LAB___GFP_DMA, [F_HIGHMEM] = LAB___GFP_HIGHMEM,
	[F_DMA32] = LAB___GFP_DMA32, [F_MOVABLE] = LAB___GFP_MOVABLE,
	[F_RECLAIMABLE] = LAB___GFP_RECLAIMABLE, [F_HIGH] = LAB___GFP_HIGH,
	[F_IO] = LAB___GFP_IO, [F_FS] = LAB___GFP_FS, [F_ZERO] = LAB___GFP_ZERO,
	[F_DIRECT_RECLAIM] = LAB___GFP_DIRECT_RECLAIM,
	[F_KSWAPD_RECLAIM] = LAB___GFP_KSWAPD_RECLAIM, [F_WRITE] = LAB___GFP_WRITE,
	[F_NOWARN] = LAB___GFP_NOWARN, [F_RETRY_MAYFAIL] = LAB___GFP_RETRY_MAYFAIL,
	[F_NOFAIL] = LAB___GFP_NOFAIL, [F_NORETRY] = LAB___GFP_NORETRY,
	[F_MEMALLOC] = LAB___GFP_MEMALLOC, [F_COMP] = LAB___GFP_COMP,
	[F_NOMEMALLOC] = LAB___GFP_NOMEMALLOC, [F_HARDWALL] = LAB___GFP_HARDWALL,
	[F_THISNODE] = LAB___GFP_THISNODE, [F_ACCOUNT] = LAB___GFP_ACCOUNT,
	[F_ZEROTAGS] = LAB___GFP_ZEROTAGS,
};

/* After 6.12 (verified on a 6.18 x86-64 host): as 6.3, plus the
 * enum-allocated bit 24 = __GFP_NO_OBJ_EXT (no KASAN_HW_TAGS, no LOCKDEP). */
static const lab_gfp_t layout_613[F_NR] = {
	[F_DMA] = LAB___GFP_DMA, [F_HIGHMEM] = LAB___GFP_HIGHMEM,
	[F_DMA32] = LAB___GFP_DMA32, [F_MOVABLE] = LAB___GFP_MOVABLE,
	[F_RECLAIMABLE] = LAB___GFP_RECLAIMABLE, [F_HIGH] = LAB___GFP_HIGH,
	[F_IO] = LAB___GFP_IO, [F_FS] = LAB___GFP_FS, [F_ZERO] = LAB___GFP_ZERO,
	[F_DIRECT_RECLAIM] = LAB___GFP_DIRECT_RECLAIM,
	[F_KSWAPD_RECLAIM] = LAB___GFP_KSWAPD_RECLAIM, [F_WRITE] = LAB___GFP_WRITE,
	[F_NOWARN] = LAB___GFP_NOWARN, [F_RETRY_MAYFAIL] = LAB___GFP_RETRY_MAYFAIL,
	[F_NOFAIL] = LAB___GFP_NOFAIL, [F_NORETRY] = LAB___GFP_NORETRY,
	[F_MEMALLOC] = LAB___GFP_MEMALLOC, [F_COMP] = LAB___GFP_COMP,
	[F_NOMEMALLOC] = LAB___GFP_NOMEMALLOC, [F_HARDWALL] = LAB___GFP_HARDWALL,
	[F_THISNODE] = LAB___GFP_THISNODE, [F_ACCOUNT] = LAB___GFP_ACCOUNT,
	[F_ZEROTAGS] = LAB___GFP_ZEROTAGS, [F_NO_OBJ_EXT] = 0x1000000u,
};

/* ---- name lists ----------------------------------------------------------- */

#define B(f)	(1u << (f))
#define E(x)	(1u << LAB_GFP_ERA_##x)
#define E_ALL	0xffffffffu
_Static_assert(LAB_GFP_NR_ERAS <= 32, "era sets are 32-bit masks");

/* Composite definitions as sets of flags. The RECLAIM pair and __GFP_WAIT
 * never coexist in one layout, so listing all three gives each era its own
 * "may reclaim" bits. */
#define S_NOIO		(B(F_WAIT) | B(F_DIRECT_RECLAIM) | B(F_KSWAPD_RECLAIM))
#define S_NOFS		(S_NOIO | B(F_IO))
#define S_KERNEL	(S_NOFS | B(F_FS))
#define S_USER		(S_KERNEL | B(F_HARDWALL))
#define S_HIGHUSER	(S_USER | B(F_HIGHMEM))
#define S_HIGHUSER_MOVABLE (S_HIGHUSER | B(F_MOVABLE))
/* 4.8+: (HIGHUSER_MOVABLE | COMP | NOMEMALLOC | NOWARN) & ~__GFP_RECLAIM */
#define S_TRANSHUGE_LIGHT (B(F_HIGHMEM) | B(F_MOVABLE) | B(F_IO) | B(F_FS) | \
		B(F_HARDWALL) | B(F_COMP) | B(F_NOMEMALLOC) | B(F_NOWARN))
#define S_TRANSHUGE	(S_TRANSHUGE_LIGHT | B(F_DIRECT_RECLAIM))
/* 2.6.38 .. 4.3: HIGHUSER_MOVABLE | COMP | NOMEMALLOC | NORETRY | NOWARN | NO_KSWAPD */
#define S_TRANSHUGE_3X	(S_HIGHUSER_MOVABLE | B(F_COMP) | B(F_NOMEMALLOC) | \
		B(F_NORETRY) | B(F_NOWARN) | B(F_NO_KSWAPD))
#define S_ATOMIC	(B(F_HIGH) | B(F_ATOMIC) | B(F_KSWAPD_RECLAIM))
#define S_NOWAIT	B(F_KSWAPD_RECLAIM)
#define S_NOWAIT_68	(B(F_KSWAPD_RECLAIM) | B(F_NOWARN))
#define S_RECLAIM	(B(F_DIRECT_RECLAIM) | B(F_KSWAPD_RECLAIM))

#define E_NOT_3X	(E_ALL & ~E(3_X))
#define E_REPEAT	(E(3_X) | E(4_X) | E(4_10))
#define E_TEMPORARY	(E(3_X) | E(4_X) | E(4_10) | E(4_13))

struct gfp_name {
	const char *name;
	uint32_t set;	/* B(F_*) */
	uint32_t eras;	/* E(*) the entry exists in (if its mask is not 0) */
};

/*
 * The order of mmflags.h's __def_gfpflag_names from 4.5 to 6.12, with the
 * entries of every era in it (the 4.x order is also used for 3.x values,
 * which those kernels printed without names). Composites first, "most bits
 * first": GFP_KERNEL before GFP_USER would print GFP_KERNEL|__GFP_HARDWALL.
 */
static const struct gfp_name names_classic[] = {
	{ "GFP_TRANSHUGE",		S_TRANSHUGE_3X,		E(3_X) },
	{ "GFP_TRANSHUGE",		S_TRANSHUGE,		E_NOT_3X },
	{ "GFP_TRANSHUGE_LIGHT",	S_TRANSHUGE_LIGHT,	E_NOT_3X },
	{ "GFP_HIGHUSER_MOVABLE",	S_HIGHUSER_MOVABLE,	E_ALL },
	{ "GFP_HIGHUSER",		S_HIGHUSER,		E_ALL },
	{ "GFP_USER",			S_USER,			E_ALL },
	{ "GFP_TEMPORARY",		S_KERNEL | B(F_RECLAIMABLE), E_TEMPORARY },
	{ "GFP_KERNEL_ACCOUNT",		S_KERNEL | B(F_ACCOUNT), E_NOT_3X },
	{ "GFP_KERNEL",			S_KERNEL,		E_ALL },
	{ "GFP_NOFS",			S_NOFS,			E_ALL },
	{ "GFP_ATOMIC",			S_ATOMIC,		E_ALL },
	{ "GFP_NOIO",			S_NOIO,			E_ALL },
	{ "GFP_NOWAIT",			S_NOWAIT,		E_ALL & ~E(6_8) },
	{ "GFP_NOWAIT",			S_NOWAIT_68,		E(6_8) },
	{ "GFP_DMA",			B(F_DMA),		E_ALL },
	{ "__GFP_HIGHMEM",		B(F_HIGHMEM),		E_ALL },
	{ "GFP_DMA32",			B(F_DMA32),		E_ALL },
	{ "__GFP_HIGH",			B(F_HIGH),		E_ALL },
	{ "__GFP_WAIT",			B(F_WAIT),		E_ALL },
	{ "__GFP_ATOMIC",		B(F_ATOMIC),		E_ALL },
	{ "__GFP_IO",			B(F_IO),		E_ALL },
	{ "__GFP_FS",			B(F_FS),		E_ALL },
	{ "__GFP_COLD",			B(F_COLD),		E_ALL },
	{ "__GFP_NOWARN",		B(F_NOWARN),		E_ALL },
	{ "__GFP_REPEAT",		B(F_RETRY_MAYFAIL),	E_REPEAT },
	{ "__GFP_RETRY_MAYFAIL",	B(F_RETRY_MAYFAIL),	E_ALL & ~E_REPEAT },
	{ "__GFP_NOFAIL",		B(F_NOFAIL),		E_ALL },
	{ "__GFP_NORETRY",		B(F_NORETRY),		E_ALL },
	{ "__GFP_COMP",			B(F_COMP),		E_ALL },
	{ "__GFP_ZERO",			B(F_ZERO),		E_ALL },
	{ "__GFP_NOMEMALLOC",		B(F_NOMEMALLOC),	E_ALL },
	{ "__GFP_MEMALLOC",		B(F_MEMALLOC),		E_ALL },
	{ "__GFP_HARDWALL",		B(F_HARDWALL),		E_ALL },
	{ "__GFP_THISNODE",		B(F_THISNODE),		E_ALL },
	{ "__GFP_RECLAIMABLE",		B(F_RECLAIMABLE),	E_ALL },
	{ "__GFP_MOVABLE",		B(F_MOVABLE),		E_ALL },
	{ "__GFP_ACCOUNT",		B(F_ACCOUNT),		E_ALL },
	{ "__GFP_KMEMCG",		B(F_KMEMCG),		E_ALL },
	{ "__GFP_NOTRACK",		B(F_NOTRACK),		E_ALL },
	{ "__GFP_WRITE",		B(F_WRITE),		E_ALL },
	{ "__GFP_RECLAIM",		S_RECLAIM,		E_ALL },
	{ "__GFP_DIRECT_RECLAIM",	B(F_DIRECT_RECLAIM),	E_ALL },
	{ "__GFP_KSWAPD_RECLAIM",	B(F_KSWAPD_RECLAIM),	E_ALL },
	{ "__GFP_NO_KSWAPD",		B(F_NO_KSWAPD),		E_ALL },
	{ "__GFP_OTHER_NODE",		B(F_OTHER_NODE),	E_ALL },
	{ "__GFP_ZEROTAGS",		B(F_ZEROTAGS),		E_ALL },
};

/* After 6.12: composites, GFP_DMA, GFP_DMA32, __GFP_RECLAIM, then every bit
 * in bit order (the host's tracefs format of kmem:mm_page_alloc). */
static const struct gfp_name names_613[] = {
	{ "GFP_TRANSHUGE",		S_TRANSHUGE,		E_ALL },
	{ "GFP_TRANSHUGE_LIGHT",	S_TRANSHUGE_LIGHT,	E_ALL },
	{ "GFP_HIGHUSER_MOVABLE",	S_HIGHUSER_MOVABLE,	E_ALL },
	{ "GFP_HIGHUSER",		S_HIGHUSER,		E_ALL },
	{ "GFP_USER",			S_USER,			E_ALL },
	{ "GFP_KERNEL_ACCOUNT",		S_KERNEL | B(F_ACCOUNT), E_ALL },
	{ "GFP_KERNEL",			S_KERNEL,		E_ALL },
	{ "GFP_NOFS",			S_NOFS,			E_ALL },
	{ "GFP_ATOMIC",			S_ATOMIC,		E_ALL },
	{ "GFP_NOIO",			S_NOIO,			E_ALL },
	{ "GFP_NOWAIT",			S_NOWAIT_68,		E_ALL },
	{ "GFP_DMA",			B(F_DMA),		E_ALL },
	{ "GFP_DMA32",			B(F_DMA32),		E_ALL },
	{ "__GFP_RECLAIM",		S_RECLAIM,		E_ALL },
	{ "__GFP_DMA",			B(F_DMA),		E_ALL },
	{ "__GFP_HIGHMEM",		B(F_HIGHMEM),		E_ALL },
	{ "__GFP_DMA32",		B(F_DMA32),		E_ALL },
	{ "__GFP_MOVABLE",		B(F_MOVABLE),		E_ALL },
	{ "__GFP_RECLAIMABLE",		B(F_RECLAIMABLE),	E_ALL },
	{ "__GFP_HIGH",			B(F_HIGH),		E_ALL },
	{ "__GFP_IO",			B(F_IO),		E_ALL },
	{ "__GFP_FS",			B(F_FS),		E_ALL },
	{ "__GFP_ZERO",			B(F_ZERO),		E_ALL },
	{ "__GFP_DIRECT_RECLAIM",	B(F_DIRECT_RECLAIM),	E_ALL },
	{ "__GFP_KSWAPD_RECLAIM",	B(F_KSWAPD_RECLAIM),	E_ALL },
	{ "__GFP_WRITE",		B(F_WRITE),		E_ALL },
	{ "__GFP_NOWARN",		B(F_NOWARN),		E_ALL },
	{ "__GFP_RETRY_MAYFAIL",	B(F_RETRY_MAYFAIL),	E_ALL },
	{ "__GFP_NOFAIL",		B(F_NOFAIL),		E_ALL },
	{ "__GFP_NORETRY",		B(F_NORETRY),		E_ALL },
	{ "__GFP_MEMALLOC",		B(F_MEMALLOC),		E_ALL },
	{ "__GFP_COMP",			B(F_COMP),		E_ALL },
	{ "__GFP_NOMEMALLOC",		B(F_NOMEMALLOC),	E_ALL },
	{ "__GFP_HARDWALL",		B(F_HARDWALL),		E_ALL },
	{ "__GFP_THISNODE",		B(F_THISNODE),		E_ALL },
	{ "__GFP_ACCOUNT",		B(F_ACCOUNT),		E_ALL },
	{ "__GFP_ZEROTAGS",		B(F_ZEROTAGS),		E_ALL },
	{ "__GFP_NO_OBJ_EXT",		B(F_NO_OBJ_EXT),	E_ALL },
};

struct era_desc {
	const char *name;
	const lab_gfp_t *bit;		/* [F_NR] */
	const struct gfp_name *names;
	size_t nr_names;
};

#define CLASSIC names_classic, ARRAY_SIZE(names_classic)
static const struct era_desc era_desc[LAB_GFP_NR_ERAS] = {
	[LAB_GFP_ERA_6_1]  = { "6.1",   layout_61,  CLASSIC },
	[LAB_GFP_ERA_6_3]  = { "6.3",   layout_63,  CLASSIC },
	[LAB_GFP_ERA_6_8]  = { "6.8",   layout_63,  CLASSIC },
	[LAB_GFP_ERA_6_13] = { "6.13+", layout_613, names_613, ARRAY_SIZE(names_613) },
	[LAB_GFP_ERA_4_X]  = { "4.x",   layout_44,  CLASSIC },
	[LAB_GFP_ERA_3_X]  = { "3.x",   layout_3x,  CLASSIC },
	[LAB_GFP_ERA_4_10] = { "4.10",  layout_410, CLASSIC },
	[LAB_GFP_ERA_4_13] = { "4.13",  layout_410, CLASSIC },
	[LAB_GFP_ERA_4_14] = { "4.14",  layout_410, CLASSIC },
	[LAB_GFP_ERA_4_15] = { "4.15",  layout_415, CLASSIC },
	[LAB_GFP_ERA_4_18] = { "4.18",  layout_418, CLASSIC },
};

/* Out-of-range eras decode as the default (6.1): never index past the table. */
static enum lab_gfp_era era_clamp(enum lab_gfp_era era)
{
	return (unsigned)era < LAB_GFP_NR_ERAS ? era : LAB_GFP_ERA_6_1;
}

/* The value of a flag set in an era's layout. At most F_NR steps. */
static lab_gfp_t set_value(const lab_gfp_t *bit, uint32_t set)
{
	lab_gfp_t v = 0;

	for (unsigned f = 0; f < F_NR; f++)
		if (set & B(f))
			v |= bit[f];
	return v;
}

/* An entry's mask in @era; 0 if the entry does not exist there. */
static lab_gfp_t entry_mask(const struct era_desc *d, const struct gfp_name *n,
			    enum lab_gfp_era era)
{
	if (!(n->eras & (1u << era)))
		return 0;
	return set_value(d->bit, n->set);
}

/* ---- output: snprintf-like sink ------------------------------------------ */

struct sink {
	char *buf;
	size_t size;
	size_t len;
};

static void sink_putc(struct sink *s, char c)
{
	if (s->len + 1 < s->size)
		s->buf[s->len] = c;
	s->len++;
}

static void sink_puts(struct sink *s, const char *str)
{
	while (*str)
		sink_putc(s, *str++);
}

static void sink_hex(struct sink *s, lab_gfp_t v)
{
	static const char digits[] = "0123456789abcdef";
	int shift = 28;

	sink_puts(s, "0x");
	while (shift > 0 && !((v >> shift) & 0xf))
		shift -= 4;
	for (; shift >= 0; shift -= 4)
		sink_putc(s, digits[(v >> shift) & 0xf]);
}

/*
 * Mirrors lib/vsprintf.c:format_flags() over mm/debug.c:gfpflag_names, i.e.
 * what "%pGg" prints, with the table of @era. Any caller, any context; no
 * allocation. Cost: one pass over at most ~50 entries of F_NR steps each.
 */
size_t lab_gfp_format(char *buf, size_t size, lab_gfp_t gfp, enum lab_gfp_era era)
{
	struct sink s = { buf, size, 0 };
	const struct era_desc *d;
	lab_gfp_t left = gfp;
	bool named = false;

	era = era_clamp(era);
	d = &era_desc[era];
	for (size_t i = 0; LAB_CONFIG_GFP_NAMES && left && i < d->nr_names; i++) {
		lab_gfp_t mask = entry_mask(d, &d->names[i], era);

		if (!mask || (left & mask) != mask)
			continue;
		if (named)
			sink_putc(&s, '|');
		sink_puts(&s, d->names[i].name);
		named = true;
		left &= ~mask;
	}
	if (left) {
		if (named)
			sink_putc(&s, '|');
		sink_hex(&s, left);
	}
	if (size > 0)
		buf[s.len < size ? s.len : size - 1] = '\0';
	return s.len;
}

/* ---- parsing --------------------------------------------------------------- */

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* "0x..." (hex) or "123" (decimal) filling the whole token, < 2^32. */
static bool parse_number(const char *t, size_t n, lab_gfp_t *out)
{
	uint64_t v = 0;

	if (n > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) {
		for (size_t i = 2; i < n; i++) {
			int d = hex_digit(t[i]);

			if (d < 0)
				return false;
			v = v * 16 + (unsigned)d;
			if (v > 0xffffffffu)
				return false;
		}
	} else {
		for (size_t i = 0; i < n; i++) {
			if (!is_digit(t[i]))
				return false;
			v = v * 10 + (unsigned)(t[i] - '0');
			if (v > 0xffffffffu)
				return false;
		}
	}
	*out = (lab_gfp_t)v;
	return true;
}

static bool token_is(const char *t, size_t n, const char *name)
{
	return strlen(name) == n && memcmp(t, name, n) == 0;
}

static bool str_eq(const char *a, const char *b)
{
	return token_is(a, strlen(a), b);
}

/* A name of @era: a printed entry first, then a single flag's own name. */
static bool lookup_name(const char *t, size_t n, enum lab_gfp_era era, lab_gfp_t *out)
{
	const struct era_desc *d = &era_desc[era];

	if (!LAB_CONFIG_GFP_NAMES)
		return false;
	if (n > 4 && memcmp(t, "LAB_", 4) == 0) {
		t += 4;
		n -= 4;
	}
	for (size_t i = 0; i < d->nr_names; i++) {
		lab_gfp_t mask = entry_mask(d, &d->names[i], era);

		if (mask && token_is(t, n, d->names[i].name)) {
			*out = mask;
			return true;
		}
	}
	for (unsigned f = 0; f < F_NR; f++) {
		if (d->bit[f] && token_is(t, n, flag_name[f])) {
			*out = d->bit[f];
			return true;
		}
	}
	return false;
}

/*
 * The inverse of lab_gfp_format() (what a kernel's own header would give
 * for "GFP_KERNEL|__GFP_COMP"). Any caller; no allocation; linear in the
 * length of @str times the table size.
 */
int lab_gfp_parse(const char *str, enum lab_gfp_era era, lab_gfp_t *out,
		  const char **bad_token, size_t *bad_len)
{
	const char *p = str, *end;
	lab_gfp_t v = 0;

	if (!str) {
		if (bad_token)
			*bad_token = str;
		if (bad_len)
			*bad_len = 0;
		return -1;
	}
	era = era_clamp(era);
	end = str + strlen(str);
	while (p < end && is_space(*p))
		p++;
	while (end > p && is_space(end[-1]))
		end--;
	if (p == end || token_is(p, (size_t)(end - p), "none")) {
		if (out)
			*out = 0;
		return 0;
	}
	for (;;) {
		const char *t = p, *bar;
		size_t n;
		lab_gfp_t tv;

		bar = t;
		while (bar < end && *bar != '|')
			bar++;
		while (t < bar && is_space(*t))
			t++;
		n = (size_t)(bar - t);
		while (n > 0 && is_space(t[n - 1]))
			n--;
		if (n == 0 || !(is_digit(t[0]) ? parse_number(t, n, &tv)
						: lookup_name(t, n, era, &tv))) {
			if (bad_token)
				*bad_token = t;
			if (bad_len)
				*bad_len = n;
			return -1;
		}
		v |= tv;
		if (bar == end)
			break;
		p = bar + 1;
	}
	if (out)
		*out = v;
	return 0;
}

/* ---- eras -------------------------------------------------------------------- */

/* Era of kernel major.minor (@minor < 0: unknown). -1 if @major is no kernel. */
static int era_of(unsigned major, int minor)
{
	switch (major) {
	case 2:
	case 3:
		return LAB_GFP_ERA_3_X;
	case 4:
		if (minor < 0)
			return LAB_GFP_ERA_4_X;
		if (minor < 4)
			return LAB_GFP_ERA_3_X;
		if (minor < 10)
			return LAB_GFP_ERA_4_X;
		if (minor < 13)
			return LAB_GFP_ERA_4_10;
		if (minor == 13)
			return LAB_GFP_ERA_4_13;
		if (minor == 14)
			return LAB_GFP_ERA_4_14;
		if (minor < 18)
			return LAB_GFP_ERA_4_15;
		return LAB_GFP_ERA_4_18;
	case 5:
		return minor == 0 ? LAB_GFP_ERA_4_18 : LAB_GFP_ERA_6_1;
	case 6:
		if (minor < 3)
			return LAB_GFP_ERA_6_1;
		if (minor < 8)
			return LAB_GFP_ERA_6_3;
		if (minor < 13)
			return LAB_GFP_ERA_6_8;
		return LAB_GFP_ERA_6_13;
	default:
		return major >= 7 && major < 100 ? LAB_GFP_ERA_6_13 : -1;
	}
}

/*
 * Finds the first "N.M" (or "N.x") whose N is a kernel major number and maps
 * it to an era. Any caller; linear in the string length.
 */
enum lab_gfp_era lab_gfp_era_for_version(const char *version)
{
	const char *p = version;

	if (!version)
		return LAB_GFP_ERA_6_1;
	for (; *p; p++) {
		const char *q = p;
		unsigned major = 0;
		int minor = -1, era;

		if (!is_digit(*p) || (p > version && is_digit(p[-1])))
			continue;
		while (is_digit(*q) && major < 1000)
			major = major * 10 + (unsigned)(*q++ - '0');
		if (is_digit(*q) || q[0] != '.')
			continue;
		if (is_digit(q[1])) {
			minor = 0;
			for (q++; is_digit(*q) && minor < 1000; q++)
				minor = minor * 10 + (*q - '0');
		} else if (q[1] != 'x' && q[1] != 'X') {
			continue;
		}
		era = era_of(major, minor);
		if (era >= 0)
			return (enum lab_gfp_era)era;
	}
	return LAB_GFP_ERA_6_1;
}

const char *lab_gfp_era_name(enum lab_gfp_era era)
{
	if ((unsigned)era >= LAB_GFP_NR_ERAS)
		return "?";
	return era_desc[era].name;
}

int lab_gfp_era_from_name(const char *name, enum lab_gfp_era *out)
{
	if (!name)
		return -1;
	for (unsigned e = 0; e < LAB_GFP_NR_ERAS; e++) {
		if (str_eq(name, era_desc[e].name)) {
			if (out)
				*out = (enum lab_gfp_era)e;
			return 0;
		}
	}
	if (str_eq(name, "6.13")) {
		if (out)
			*out = LAB_GFP_ERA_6_13;
		return 0;
	}
	return -1;
}

/* ---- zone and migratetype ------------------------------------------------------ */

/* The table lives in internal.h (gfp_zone_idx), inlined on the fast path. */
int lab_gfp_zone(lab_gfp_t gfp)
{
	return gfp_zone_idx(gfp);
}

/*
 * Mirrors include/linux/gfp.h:gfp_migratetype() with mobility grouping on:
 * 0 Unmovable, 1 Movable, 2 Reclaimable; both bits give 3 (the HighAtomic
 * value, a caller bug Linux only warns about). Any context.
 */
int lab_gfp_migratetype(lab_gfp_t gfp)
{
	return gfp_migratetype(gfp);
}
