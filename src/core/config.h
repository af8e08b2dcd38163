/* SPDX-License-Identifier: MIT */
/*
 * core/config.h - build-time switches of the core. Each is 1 (on) unless
 * the build says -DLAB_CONFIG_<NAME>=0; a switch removes the allocator's own
 * calls into the mechanism, so --gc-sections drops its code, and the
 * mechanism's public entry points return LAB_EOPNOTSUPP (or do nothing and
 * say so in their return value, for those without an error return).
 *
 *   LAB_CONFIG_COMPACTION  direct compaction in the slow path, kcompactd
 *                          (lab_kcompactd_once, lab_compact_memory)
 *   LAB_CONFIG_RECLAIM     direct reclaim, kswapd wake-ups and
 *                          lab_kswapd_balance_once; and watermark boosts
 *                          (only kswapd would take a boost back down)
 *   LAB_CONFIG_OWNERS      page owners, LRU lists and shrinkers
 *                          (lab_owner_register, lab_page_set_owner,
 *                          lab_register_shrinker)
 *   LAB_CONFIG_GFP_NAMES   the GFP name tables: lab_gfp_format prints the
 *                          mask in hex, lab_gfp_parse takes numbers only
 *                          (a name is an unknown token: -1)
 *   LAB_CONFIG_CHECK       the deep consistency walk: lab_mem_check returns
 *                          LAB_EOPNOTSUPP without looking (an embedder
 *                          checks "no lost page" by lab_mem_free_pages)
 *   LAB_CONFIG_HIGHMEM     highmem and its mappings, as Linux without
 *                          CONFIG_HIGHMEM: lab_mem_init refuses a
 *                          highmem_start (LAB_EOPNOTSUPP); lab_kmap_local,
 *                          lab_kmap_atomic and lab_kmap return
 *                          page_address(), the unmaps do nothing,
 *                          lab_kmap_local_depth is 0, lab_kmap_pool NULL
 *   LAB_CONFIG_CMA         CMA areas: lab_mem_init refuses nr_cma > 0
 *                          (LAB_EOPNOTSUPP), so lab_cma_alloc finds no area;
 *                          lab_alloc_contig_range and lab_dma_alloc work
 *                          on ordinary memory as before
 *   LAB_CONFIG_REPORTS     the text the core writes (bad page, might_sleep,
 *                          warnings, lab_mem_init's reasons: platform->log
 *                          is never called) and the warn_alloc failure
 *                          record (platform->warn_alloc is never called,
 *                          lab_mem_last_failure is NULL); every event is
 *                          still counted (LAB_EV_BAD_PAGE, LAB_EV_MIGHT_SLEEP,
 *                          LAB_EV_ALLOC_FAIL) and every refusal still happens
 *   LAB_CONFIG_HIGHATOMIC  the MIGRATE_HIGHATOMIC reserve (highatomic.c):
 *                          every instance behaves as if made with
 *                          LAB_CFG_NO_HIGHATOMIC (no pageblock is ever set
 *                          aside, so none is given back: the allocation
 *                          decisions are those of that flag);
 *                          lab_set_highatomic_reserve(mem, 1) returns
 *                          LAB_EOPNOTSUPP. An embedder drops it when no
 *                          high-order atomic request must survive
 *                          fragmentation (the cardiac board's order 1-3
 *                          network interrupt frees what it takes at once)
 *
 * The minimal configuration (all nine 0) keeps allocation, free,
 * watermarks, migratetypes and per-CPU lists; boards/build.sh builds it
 * and README.md gives its size.
 */
#ifndef LAB_CORE_CONFIG_H
#define LAB_CORE_CONFIG_H

#ifndef LAB_CONFIG_COMPACTION
#define LAB_CONFIG_COMPACTION 1
#endif
#ifndef LAB_CONFIG_RECLAIM
#define LAB_CONFIG_RECLAIM 1
#endif
#ifndef LAB_CONFIG_OWNERS
#define LAB_CONFIG_OWNERS 1
#endif
#ifndef LAB_CONFIG_GFP_NAMES
#define LAB_CONFIG_GFP_NAMES 1
#endif
#ifndef LAB_CONFIG_CHECK
#define LAB_CONFIG_CHECK 1
#endif
#ifndef LAB_CONFIG_HIGHMEM
#define LAB_CONFIG_HIGHMEM 1
#endif
#ifndef LAB_CONFIG_CMA
#define LAB_CONFIG_CMA 1
#endif
#ifndef LAB_CONFIG_REPORTS
#define LAB_CONFIG_REPORTS 1
#endif
#ifndef LAB_CONFIG_HIGHATOMIC
#define LAB_CONFIG_HIGHATOMIC 1
#endif

#endif
