/* SPDX-License-Identifier: MIT */
/*
 * tests/report/test_warn_alloc.c - the warn_alloc + show_mem block of
 * report/warn_alloc.c against vectors O6-O12 (and A17's "mode:0x0()") of
 * tests/data/reference/linux-mm-testvectors.md, and against the real 6.1
 * report in tests/data/realkernel/atomic-pressure-256M/dmesg.txt: its
 * numbers are parsed into a failure record, and our block must equal the
 * real one once the counters Labyrinth does not keep are read as 0 and the
 * lines it documents as omitted are dropped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <labyrinth/report.h>

#define REAL_DMESG LAB_SOURCE_DIR "/tests/data/realkernel/atomic-pressure-256M/dmesg.txt"

static char *show_mem(const struct lab_mem_stats *s, int max_zone_idx)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	lab_report_show_mem(f, s, max_zone_idx);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static char *header(const struct lab_alloc_failure *fl, enum lab_gfp_era era, unsigned flags)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	lab_report_warn_alloc_header(f, fl, era, flags);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static char *warn_alloc(const struct lab_alloc_failure *fl)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	lab_report_warn_alloc(f, fl, LAB_GFP_ERA_6_1);
	assert_int_equal(fclose(f), 0);
	return buf;
}

/* The line of @text starting with @prefix (copied, without its newline). */
static char *line_starting(const char *text, const char *prefix)
{
	for (const char *p = text; p && *p;) {
		const char *end = strchr(p, '\n');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		if (strncmp(p, prefix, strlen(prefix)) == 0)
			return strndup(p, n);
		p = end ? end + 1 : NULL;
	}
	fail_msg("no line starting with \"%s\" in:\n%s", prefix, text);
	return NULL;
}

static size_t count_lines_starting(const char *text, const char *prefix)
{
	size_t n = 0;
	for (const char *p = text; p && *p;) {
		if (strncmp(p, prefix, strlen(prefix)) == 0)
			n++;
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
	return n;
}

/* The vectors' host (see test_procfs.c): zone sizes, watermarks, protection,
 * free lists with DMA order 8 Unmovable and everything else Movable. */
static void host_stats(struct lab_mem_stats *s)
{
	static const uint64_t nf[3][LAB_MAX_ORDER] = {
		{ 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 3 },
		{ 2, 3, 0, 2, 3, 2, 1, 4, 4, 2, 752 },
		{ 10434, 1900, 680, 674, 202, 87, 45, 132, 237, 135, 246 },
	};
	static const uint64_t geo[3][3] = {   /* spanned, present, managed */
		{ 4095, 3998, 3840 }, { 1044480, 782336, 772808 }, { 5505024, 5505024, 786432 },
	};
	static const uint64_t wm[3][3] = { { 41, 51, 61 }, { 8353, 10441, 12529 }, { 8500, 10625, 12750 } };
	static const int64_t prot[3][LAB_MAX_NR_ZONES] = {
		{ 0, 3018, 6090, 6090, 6090 }, { 0, 0, 3072, 3072, 3072 }, { 0 },
	};
	memset(s, 0, sizeof(*s));
	s->pageblock_order = 9;
	s->nr_cpus = 2;
	for (unsigned z = 0; z < 3; z++) {
		struct lab_zone_stats *zs = &s->zone[z];
		s->populated[z] = 1;
		zs->spanned = geo[z][0];
		zs->present = geo[z][1];
		zs->managed = geo[z][2];
		for (unsigned w = 0; w < 3; w++)
			zs->wmark[w] = wm[z][w];
		memcpy(zs->lowmem_reserve, prot[z], sizeof(zs->lowmem_reserve));
		for (unsigned o = 0; o < LAB_MAX_ORDER; o++) {
			zs->nr_free[o] = nf[z][o];
			zs->free += nf[z][o] << o;
			unsigned mt = (z == 0 && o == 8) ? LAB_MIGRATE_UNMOVABLE : LAB_MIGRATE_MOVABLE;
			zs->nr_free_mt[o][mt] = nf[z][o];
		}
	}
}

static void failure_init(struct lab_alloc_failure *f, const char *comm, unsigned order,
			 lab_gfp_t gfp, int highest_zoneidx)
{
	memset(f, 0, sizeof(*f));
	strncpy(f->comm, comm, sizeof(f->comm) - 1);
	f->order = order;
	f->gfp = gfp;
	f->highest_zoneidx = highest_zoneidx;
	host_stats(&f->mem);
}

/* ---- free-area lines -------------------------------------------------- */

/* O6: host DMA free-area line with (U) at order 8 and (M) at orders 9, 10. */
static void test_show_mem_free_area_host_dma(void **state)
{
	(void)state;
	struct lab_mem_stats s;
	host_stats(&s);
	char *out = show_mem(&s, LAB_ZONE_NORMAL);
	char *line = line_starting(out, "Node 0 DMA: ");
	assert_string_equal(line, "Node 0 DMA: 0*4kB 0*8kB 0*16kB 0*32kB 0*64kB 0*128kB 0*256kB 0*512kB"
			    " 1*1024kB (U) 1*2048kB (M) 3*4096kB (M) = 15360kB");
	free(line);
	free(out);
}

/* O7: host DMA32 free-area line, every non-empty order (M), total 3091232kB. */
static void test_show_mem_free_area_host_dma32(void **state)
{
	(void)state;
	struct lab_mem_stats s;
	host_stats(&s);
	char *out = show_mem(&s, LAB_ZONE_NORMAL);
	char *line = line_starting(out, "Node 0 DMA32: ");
	assert_string_equal(line, "Node 0 DMA32: 2*4kB (M) 3*8kB (M) 0*16kB 2*32kB (M) 3*64kB (M)"
			    " 2*128kB (M) 1*256kB (M) 4*512kB (M) 4*1024kB (M) 2*2048kB (M)"
			    " 752*4096kB (M) = 3091232kB");
	free(line);
	free(out);
}

/* O8: letters list every non-empty type in enum order (UME), H for HighAtomic. */
static void test_show_mem_free_area_letters(void **state)
{
	(void)state;
	struct lab_mem_stats s;
	memset(&s, 0, sizeof(s));
	s.populated[LAB_ZONE_NORMAL] = 1;
	struct lab_zone_stats *n = &s.zone[LAB_ZONE_NORMAL];
	n->nr_free[0] = 3;
	n->nr_free_mt[0][LAB_MIGRATE_RECLAIMABLE] = 1;
	n->nr_free_mt[0][LAB_MIGRATE_MOVABLE] = 1;
	n->nr_free_mt[0][LAB_MIGRATE_UNMOVABLE] = 1;
	n->nr_free[2] = 1;
	n->nr_free_mt[2][LAB_MIGRATE_HIGHATOMIC] = 1;
	char *out = show_mem(&s, LAB_ZONE_NORMAL);
	char *line = line_starting(out, "Node 0 Normal: ");
	assert_string_equal(line, "Node 0 Normal: 3*4kB (UME) 0*8kB 1*16kB (H) 0*32kB 0*64kB 0*128kB"
			    " 0*256kB 0*512kB 0*1024kB 0*2048kB 0*4096kB = 28kB");
	free(line);
	free(out);
}

/* CMA and Isolate lists show as C and I, after H. */
static void test_show_mem_free_area_cma_isolate_letters(void **state)
{
	(void)state;
	struct lab_mem_stats s;
	memset(&s, 0, sizeof(s));
	s.cma_enabled = 1;
	s.populated[LAB_ZONE_DMA] = 1;
	struct lab_zone_stats *d = &s.zone[LAB_ZONE_DMA];
	d->nr_free[1] = 3;
	d->nr_free_mt[1][LAB_MIGRATE_ISOLATE] = 1;
	d->nr_free_mt[1][LAB_MIGRATE_CMA] = 1;
	d->nr_free_mt[1][LAB_MIGRATE_HIGHATOMIC] = 1;
	char *out = show_mem(&s, LAB_ZONE_DMA);
	assert_non_null(strstr(out, "Node 0 DMA: 0*4kB 3*8kB (HCI) 0*16kB "));
	free(out);
}

/* ---- zone lines ------------------------------------------------------- */

/* O9: host DMA zone line: watermarks in kB, KB for reserved_highatomic, present/managed. */
static void test_show_mem_zone_line_host_dma(void **state)
{
	(void)state;
	struct lab_mem_stats s;
	host_stats(&s);
	char *out = show_mem(&s, LAB_ZONE_NORMAL);
	char *line = line_starting(out, "Node 0 DMA free:");
	assert_string_equal(line, "Node 0 DMA free:15360kB boost:0kB min:164kB low:204kB high:244kB"
			    " reserved_highatomic:0KB active_anon:0kB inactive_anon:0kB"
			    " active_file:0kB inactive_file:0kB unevictable:0kB writepending:0kB"
			    " present:15992kB managed:15360kB mlocked:0kB bounce:0kB free_pcp:0kB"
			    " local_pcp:0kB free_cma:0kB");
	free(line);
	free(out);
}

/* The LRU sizes of owned pages appear in the zone line, the node line and the global block. */
static void test_show_mem_lru_sizes_printed(void **state)
{
	(void)state;
	struct lab_mem_stats s;
	host_stats(&s);
	s.zone[LAB_ZONE_DMA].nr_lru[0] = 1;    /* inactive anon */
	s.zone[LAB_ZONE_DMA].nr_lru[1] = 2;    /* active anon */
	s.zone[LAB_ZONE_DMA].nr_lru[2] = 10;   /* inactive file */
	s.zone[LAB_ZONE_DMA].nr_lru[3] = 20;   /* active file */
	s.zone[LAB_ZONE_DMA32].nr_lru[2] = 5;
	char *out = show_mem(&s, LAB_ZONE_NORMAL);
	assert_non_null(strstr(out, "Node 0 DMA free:15360kB boost:0kB min:164kB low:204kB high:244kB"
				    " reserved_highatomic:0KB active_anon:8kB inactive_anon:4kB"
				    " active_file:80kB inactive_file:40kB unevictable:0kB"));
	assert_non_null(strstr(out, "active_anon:2 inactive_anon:1 isolated_anon:0\n"
				    " active_file:20 inactive_file:15 isolated_file:0\n"));
	assert_non_null(strstr(out, "Node 0 active_anon:8kB inactive_anon:4kB active_file:80kB inactive_file:60kB"));
	free(out);
}

/* O9: the zone line is followed by its lowmem_reserve[] line (host DMA). */
static void test_show_mem_lowmem_reserve_follows_zone(void **state)
{
	(void)state;
	struct lab_mem_stats s;
	host_stats(&s);
	char *out = show_mem(&s, LAB_ZONE_NORMAL);
	const char *z = strstr(out, "Node 0 DMA free:");
	assert_non_null(z);
	const char *next = strchr(z, '\n') + 1;
	assert_int_equal(strncmp(next, "lowmem_reserve[]: 0 3018 6090 6090 6090\n", 40), 0);
	free(out);
}

/* O9: host DMA32 and Normal watermarks, sizes and reserves in kB. */
static void test_show_mem_zone_lines_host_dma32_normal(void **state)
{
	(void)state;
	struct lab_mem_stats s;
	host_stats(&s);
	char *out = show_mem(&s, LAB_ZONE_NORMAL);
	assert_non_null(strstr(out, "Node 0 DMA32 free:3091232kB boost:0kB min:33412kB low:41764kB"
			       " high:50116kB "));
	assert_non_null(strstr(out, " present:3129344kB managed:3091232kB "));
	assert_non_null(strstr(out, "\nlowmem_reserve[]: 0 0 3072 3072 3072\n"));
	assert_non_null(strstr(out, " boost:0kB min:34000kB low:42500kB high:51000kB "));
	assert_non_null(strstr(out, " present:22020096kB managed:3145728kB "));
	assert_non_null(strstr(out, "\nlowmem_reserve[]: 0 0 0 0 0\n"));
	free(out);
}

/* F9 in show_mem: min/low/high include the boost (512 pages = 2048 kB). */
static void test_show_mem_watermarks_include_boost(void **state)
{
	(void)state;
	struct lab_mem_stats s;
	host_stats(&s);
	s.zone[LAB_ZONE_NORMAL].boost = 512;
	char *out = show_mem(&s, LAB_ZONE_NORMAL);
	assert_non_null(strstr(out, " boost:2048kB min:36048kB low:44548kB high:53048kB "));
	free(out);
}

/* local_pcp equals the only CPU's count on a one-CPU instance. */
static void test_show_mem_local_pcp_single_cpu(void **state)
{
	(void)state;
	struct lab_mem_stats s;
	host_stats(&s);
	s.nr_cpus = 1;
	s.zone[LAB_ZONE_DMA].pcp[0].count = 16;
	s.zone[LAB_ZONE_DMA].free_pcp = 16;
	char *out = show_mem(&s, LAB_ZONE_NORMAL);
	assert_non_null(strstr(out, " free_pcp:64kB local_pcp:64kB free_cma:0kB\n"));
	free(out);
}

/* O12: a GFP_KERNEL failure (highest zone Normal) shows DMA, DMA32 and Normal. */
static void test_show_mem_zones_up_to_normal(void **state)
{
	(void)state;
	struct lab_mem_stats s;
	host_stats(&s);
	char *out = show_mem(&s, LAB_ZONE_NORMAL);
	assert_int_equal(count_lines_starting(out, "lowmem_reserve[]:"), 3);
	assert_non_null(strstr(out, "\nNode 0 Normal free:"));
	assert_non_null(strstr(out, "\nNode 0 Normal: "));
	free(out);
}

/* O12: a GFP_DMA32 failure shows DMA and DMA32 only. */
static void test_show_mem_zones_up_to_dma32(void **state)
{
	(void)state;
	struct lab_mem_stats s;
	host_stats(&s);
	char *out = show_mem(&s, LAB_ZONE_DMA32);
	assert_int_equal(count_lines_starting(out, "lowmem_reserve[]:"), 2);
	assert_non_null(strstr(out, "\nNode 0 DMA32: "));
	assert_null(strstr(out, "Normal"));
	free(out);
}

/* O12: a GFP_DMA failure shows DMA only. */
static void test_show_mem_zones_dma_only(void **state)
{
	(void)state;
	struct lab_mem_stats s;
	host_stats(&s);
	char *out = show_mem(&s, LAB_ZONE_DMA);
	assert_int_equal(count_lines_starting(out, "lowmem_reserve[]:"), 1);
	assert_null(strstr(out, "DMA32"));
	free(out);
}

/* ---- global block and totals ------------------------------------------ */

/* Global free/free_cma count every zone; free_pcp only the zones shown (Linux). */
static void test_show_mem_global_free_counters(void **state)
{
	(void)state;
	struct lab_mem_stats s;
	host_stats(&s);
	s.zone[LAB_ZONE_DMA].free_pcp = 10;
	s.zone[LAB_ZONE_NORMAL].free_pcp = 1000;
	s.zone[LAB_ZONE_NORMAL].free_cma = 7;
	char *out = show_mem(&s, LAB_ZONE_DMA);
	char want[128];
	uint64_t total = s.zone[0].free + s.zone[1].free + s.zone[2].free;
	snprintf(want, sizeof(want), "\n free:%llu free_pcp:10 free_cma:7\n", (unsigned long long)total);
	assert_non_null(strstr(out, want));
	free(out);
}

/* pages RAM sums present, pages reserved sums present - managed (host: 6291358 / 4728278). */
static void test_show_mem_ram_and_reserved(void **state)
{
	(void)state;
	struct lab_mem_stats s;
	host_stats(&s);
	char *out = show_mem(&s, LAB_ZONE_DMA);
	assert_non_null(strstr(out, "\n6291358 pages RAM\n0 pages HighMem/MovableOnly\n"
			       "4728278 pages reserved\n"));
	free(out);
}

/* "pages cma reserved" is printed only with CMA, from the zones' CMA pages. */
static void test_show_mem_cma_reserved_only_with_cma(void **state)
{
	(void)state;
	struct lab_mem_stats s;
	host_stats(&s);
	s.zone[LAB_ZONE_DMA32].cma = 4096;
	char *out = show_mem(&s, LAB_ZONE_NORMAL);
	assert_null(strstr(out, "cma reserved"));
	free(out);
	s.cma_enabled = 1;
	out = show_mem(&s, LAB_ZONE_NORMAL);
	assert_non_null(strstr(out, "pages reserved\n4096 pages cma reserved\n"));
	free(out);
}

/* all_unreclaimable? says yes once kswapd failed 16 times. */
static void test_show_mem_all_unreclaimable(void **state)
{
	(void)state;
	struct lab_mem_stats s;
	host_stats(&s);
	char *out = show_mem(&s, LAB_ZONE_NORMAL);
	assert_non_null(strstr(out, " all_unreclaimable? no\n"));
	free(out);
	s.zone[LAB_ZONE_DMA32].kswapd_failures = 16;
	out = show_mem(&s, LAB_ZONE_NORMAL);
	assert_non_null(strstr(out, " all_unreclaimable? yes\n"));
	free(out);
}

/* ---- the first line ----------------------------------------------------- */

/* O10: the 6.1 line with a root cpuset, byte for byte. */
static void test_warn_alloc_header_with_cpuset(void **state)
{
	(void)state;
	struct lab_alloc_failure f;
	failure_init(&f, "kworker/u16:3", 4, 0x40dc0, LAB_ZONE_NORMAL);
	char *out = header(&f, LAB_GFP_ERA_6_1, LAB_REPORT_CPUSET);
	assert_string_equal(out, "kworker/u16:3: page allocation failure: order:4, mode:0x40dc0"
			    "(GFP_KERNEL|__GFP_COMP|__GFP_ZERO), nodemask=(null),cpuset=/,mems_allowed=0\n");
	free(out);
}

/* O10: without CONFIG_CPUSETS the line ends after nodemask=(null). */
static void test_warn_alloc_header_without_cpuset(void **state)
{
	(void)state;
	struct lab_alloc_failure f;
	failure_init(&f, "kworker/u16:3", 4, 0x40dc0, LAB_ZONE_NORMAL);
	char *out = header(&f, LAB_GFP_ERA_6_1, 0);
	assert_string_equal(out, "kworker/u16:3: page allocation failure: order:4, mode:0x40dc0"
			    "(GFP_KERNEL|__GFP_COMP|__GFP_ZERO), nodemask=(null)\n");
	free(out);
}

/* O11: GFP_ATOMIC order 0 on 6.1 prints mode:0xa20(GFP_ATOMIC). */
static void test_warn_alloc_header_atomic_6_1(void **state)
{
	(void)state;
	struct lab_alloc_failure f;
	failure_init(&f, "swapper/0", 0, 0xa20, LAB_ZONE_NORMAL);
	char *out = header(&f, LAB_GFP_ERA_6_1, 0);
	assert_string_equal(out, "swapper/0: page allocation failure: order:0, mode:0xa20(GFP_ATOMIC),"
			    " nodemask=(null)\n");
	free(out);
}

/* O11: GFP_ATOMIC order 0 on 6.8 prints mode:0x820(GFP_ATOMIC). */
static void test_warn_alloc_header_atomic_6_8(void **state)
{
	(void)state;
	struct lab_alloc_failure f;
	failure_init(&f, "swapper/0", 0, 0x820, LAB_ZONE_NORMAL);
	char *out = header(&f, LAB_GFP_ERA_6_8, 0);
	assert_string_equal(out, "swapper/0: page allocation failure: order:0, mode:0x820(GFP_ATOMIC),"
			    " nodemask=(null)\n");
	free(out);
}

/* A17: gfp 0 prints as the kernel's "%#x" does, mode:0x0() (glibc would print "0"). */
static void test_warn_alloc_header_zero_mode(void **state)
{
	(void)state;
	struct lab_alloc_failure f;
	failure_init(&f, "t", 0, 0, LAB_ZONE_NORMAL);
	char *out = header(&f, LAB_GFP_ERA_6_1, 0);
	assert_non_null(strstr(out, " mode:0x0(), nodemask=(null)\n"));
	free(out);
}

/* 3.x era: mode without names and no nodemask, as those kernels printed. */
static void test_warn_alloc_header_3x_has_no_names(void **state)
{
	(void)state;
	struct lab_alloc_failure f;
	failure_init(&f, "cat", 0, 0x20, LAB_ZONE_NORMAL);
	char *out = header(&f, LAB_GFP_ERA_3_X, LAB_REPORT_CPUSET);
	assert_string_equal(out, "cat: page allocation failure: order:0, mode:0x20\n");
	free(out);
}

/* A full 16-byte comm without a NUL is printed whole and nothing past it. */
static void test_warn_alloc_header_comm_without_nul(void **state)
{
	(void)state;
	struct lab_alloc_failure f;
	failure_init(&f, "", 1, 0xcc0, LAB_ZONE_NORMAL);
	memcpy(f.comm, "abcdefghijklmnop", 16);
	char *out = header(&f, LAB_GFP_ERA_6_1, 0);
	assert_int_equal(strncmp(out, "abcdefghijklmnop: page allocation failure: order:1,", 51), 0);
	free(out);
}

/* The whole block: header, our labelled context line, then Mem-Info. */
static void test_warn_alloc_block_layout(void **state)
{
	(void)state;
	struct lab_alloc_failure f;
	failure_init(&f, "irq/9-eth0", 0, 0xa20, LAB_ZONE_NORMAL);
	f.context = LAB_CTX_SOFTIRQ;
	f.seq = 3;
	f.time_ns = 1500000000ull;
	char *out = warn_alloc(&f);
	const char *want = "irq/9-eth0: page allocation failure: order:0, mode:0xa20(GFP_ATOMIC),"
			   " nodemask=(null)\n"
			   "labyrinth: context: softirq, failure #3 at 1.500000000s\n"
			   "Mem-Info:\n";
	assert_int_equal(strncmp(out, want, strlen(want)), 0);
	free(out);
}

/* The failure's highest zone limits the zones of the block (GFP_DMA32 -> no Normal). */
static void test_warn_alloc_uses_highest_zoneidx(void **state)
{
	(void)state;
	struct lab_alloc_failure f;
	failure_init(&f, "x", 0, 0xcc4, LAB_ZONE_DMA32);
	char *out = warn_alloc(&f);
	assert_non_null(strstr(out, "\nNode 0 DMA32: "));
	assert_null(strstr(out, "Normal"));
	free(out);
}

/* ---- the real 6.1 report -------------------------------------------------- */

/* Text after the "[    9.582757] " timestamp. */
static const char *after_timestamp(const char *line)
{
	const char *p = strstr(line, "] ");
	return p ? p + 2 : line;
}

static int zone_index(const char *name)
{
	for (int z = 0; z < LAB_MAX_NR_ZONES; z++)
		if (strcmp(name, lab_zone_names[z]) == 0)
			return z;
	fail_msg("unknown zone %s", name);
	return -1;
}

static uint64_t field_kb(const char *line, const char *key)
{
	const char *p = strstr(line, key);
	if (!p)
		fail_msg("no %s in %s", key, line);
	return strtoull(p + strlen(key), NULL, 10);
}

/* The lines of the real block, "Mem-Info:" .. "pages reserved", timestamps removed. */
static char **real_block(const char *text, char **first_line, size_t *nlines)
{
	char **lines = NULL;
	size_t n = 0;
	int in = 0;
	*first_line = NULL;
	for (const char *p = text; *p;) {
		const char *end = strchr(p, '\n');
		assert_non_null(end);
		char *line = strndup(p, (size_t)(end - p));
		const char *body = after_timestamp(line);
		if (!*first_line && strstr(body, ": page allocation failure: "))
			*first_line = strdup(body);
		if (*first_line && strcmp(body, "Mem-Info:") == 0)
			in = 1;
		if (in) {
			lines = realloc(lines, (n + 1) * sizeof(*lines));
			lines[n++] = strdup(body);
			if (strstr(body, " pages reserved")) {
				free(line);
				break;
			}
		}
		free(line);
		p = end + 1;
	}
	*nlines = n;
	return lines;
}

/* Builds the failure record from the numbers of the real block. */
static void parse_real_block(char **lines, size_t n, struct lab_alloc_failure *f)
{
	struct lab_mem_stats *s = &f->mem;
	int last_zone = -1;
	s->nr_cpus = 2;   /* meta.txt: cpus: 2 */
	s->pageblock_order = 9;
	for (size_t i = 0; i < n; i++) {
		const char *l = lines[i];
		char name[16];
		int used = 0;
		if (strncmp(l, "Node 0 active_anon:", 19) == 0) {
			if (strstr(l, "all_unreclaimable? yes"))
				s->zone[LAB_ZONE_DMA].kswapd_failures = 16;
		} else if (sscanf(l, "Node 0 %15s free:%n", name, &used) == 1 && used > 0) {
			int z = last_zone = zone_index(name);
			struct lab_zone_stats *zs = &s->zone[z];
			s->populated[z] = 1;
			zs->free = field_kb(l, " free:") / 4;
			zs->boost = field_kb(l, " boost:") / 4;
			zs->wmark[LAB_WMARK_MIN] = field_kb(l, " min:") / 4 - zs->boost;
			zs->wmark[LAB_WMARK_LOW] = field_kb(l, " low:") / 4 - zs->boost;
			zs->wmark[LAB_WMARK_HIGH] = field_kb(l, " high:") / 4 - zs->boost;
			zs->nr_reserved_highatomic = field_kb(l, " reserved_highatomic:") / 4;
			zs->present = field_kb(l, " present:") / 4;
			zs->managed = field_kb(l, " managed:") / 4;
			zs->free_pcp = field_kb(l, " free_pcp:") / 4;
			zs->free_cma = field_kb(l, " free_cma:") / 4;
		} else if (strncmp(l, "lowmem_reserve[]:", 17) == 0) {
			int64_t *r = s->zone[last_zone].lowmem_reserve;
			char *q = (char *)l + 17;
			for (unsigned k = 0; k < LAB_MAX_NR_ZONES; k++)
				r[k] = strtoll(q, &q, 10);
		} else if (sscanf(l, "Node 0 %15[^:]: %n", name, &used) == 1 && used > 0 &&
			   isdigit((unsigned char)l[used])) {
			struct lab_zone_stats *zs = &s->zone[zone_index(name)];
			char *q = (char *)l + used;
			for (unsigned o = 0; o < LAB_MAX_ORDER; o++) {
				zs->nr_free[o] = strtoull(q, &q, 10);
				q = strchr(q, ' ') + 1;
				if (*q != '(')
					continue;
				for (q++; *q != ')'; q++) {
					static const char letters[] = "UMEHCI";
					const char *at = strchr(letters, *q);
					assert_non_null(at);
					zs->nr_free_mt[o][at - letters] = 1;
				}
				q += 2;
			}
		}
	}
}

/*
 * The real line with every counter Labyrinth does not keep read as 0
 * ("isolated(anon):12kB" -> "isolated(anon):0kB"); the kept ones are the
 * free/watermark/size/pcp fields. local_pcp is zeroed too: the failure
 * record does not say which CPU failed (see docs/formats.md).
 */
static char *zero_untracked(const char *line)
{
	static const char *const kept[] = {
		"free", "free_pcp", "free_cma", "boost", "min", "low", "high",
		"reserved_highatomic", "present", "managed",
	};
	static const char *const spaced[] = { "shmem_thp:", "shmem_pmdmapped:", "anon_thp:" };
	char *out = calloc(1, strlen(line) + 1);
	size_t len = 0;
	const char *p = line;
	int zero_next = 0;
	while (*p) {
		if (*p == ' ') {
			out[len++] = *p++;
			continue;
		}
		size_t n = strcspn(p, " ");
		const char *colon = memchr(p, ':', n);
		int keep = 1;
		if (zero_next && isdigit((unsigned char)*p)) {
			out[len++] = '0';
			while (isdigit((unsigned char)*p)) {
				p++;
				n--;
			}
		}
		zero_next = 0;
		for (size_t k = 0; k < sizeof(spaced) / sizeof(spaced[0]); k++)
			if (n == strlen(spaced[k]) && strncmp(p, spaced[k], n) == 0)
				zero_next = 1;
		if (colon && isdigit((unsigned char)colon[1])) {
			keep = 0;
			for (size_t k = 0; k < sizeof(kept) / sizeof(kept[0]); k++)
				if ((size_t)(colon - p) == strlen(kept[k]) &&
				    strncmp(p, kept[k], strlen(kept[k])) == 0)
					keep = 1;
		}
		if (keep) {
			memcpy(out + len, p, n);
			len += n;
		} else {
			size_t key = (size_t)(colon - p) + 1;
			memcpy(out + len, p, key);
			len += key;
			out[len++] = '0';
			const char *unit = colon + 1;
			while (isdigit((unsigned char)*unit))
				unit++;
			memcpy(out + len, unit, (size_t)(p + n - unit));
			len += (size_t)(p + n - unit);
		}
		p += n;
	}
	out[len] = '\0';
	return out;
}

/* Lines of a real block that docs/formats.md says Labyrinth does not print. */
static int omitted_line(const char *l)
{
	return strstr(l, " hugepages_total=") || strstr(l, " total pagecache pages") ||
	       strstr(l, " pages in swap cache") || strncmp(l, "Free swap ", 10) == 0 ||
	       strncmp(l, "Total swap ", 11) == 0;
}

/* The real 6.1 first line (with cpuset) comes out byte for byte from its parsed numbers. */
static void test_warn_alloc_real_header(void **state)
{
	(void)state;
	FILE *fp = fopen(REAL_DMESG, "r");
	assert_non_null(fp);
	char *text = NULL;
	size_t cap = 0;
	assert_true(getdelim(&text, &cap, '\0', fp) > 0);
	fclose(fp);
	char *first = NULL;
	size_t n = 0;
	char **lines = real_block(text, &first, &n);
	assert_non_null(first);
	struct lab_alloc_failure f;
	memset(&f, 0, sizeof(f));
	unsigned order, gfp;
	int used = 0;
	assert_int_equal(sscanf(first, "%15[^:]: page allocation failure: order:%u, mode:%x%n",
				f.comm, &order, &gfp, &used), 3);
	f.order = order;
	f.gfp = gfp;
	char *out = header(&f, LAB_GFP_ERA_6_1, LAB_REPORT_CPUSET);
	char want[512];
	snprintf(want, sizeof(want), "%s\n", first);
	assert_string_equal(out, want);
	free(out);
	for (size_t i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
	free(first);
	free(text);
}

/* The real 6.1 Mem-Info block, untracked counters read as 0 and omitted lines dropped, comes out byte for byte. */
static void test_show_mem_real_block(void **state)
{
	(void)state;
	FILE *fp = fopen(REAL_DMESG, "r");
	assert_non_null(fp);
	char *text = NULL;
	size_t cap = 0;
	assert_true(getdelim(&text, &cap, '\0', fp) > 0);
	fclose(fp);
	char *first = NULL;
	size_t n = 0;
	char **lines = real_block(text, &first, &n);
	assert_true(n > 15);
	struct lab_alloc_failure f;
	memset(&f, 0, sizeof(f));
	parse_real_block(lines, n, &f);
	f.mem.kernel = LAB_KERNEL_6_1;   /* the block is 6.1's */
	assert_true(f.mem.populated[LAB_ZONE_DMA32]);

	char *want = calloc(1, strlen(text) + 1);
	size_t len = 0;
	for (size_t i = 0; i < n; i++) {
		if (omitted_line(lines[i]))
			continue;
		char *z = zero_untracked(lines[i]);
		len += (size_t)sprintf(want + len, "%s\n", z);
		free(z);
	}
	char *out = show_mem(&f.mem, LAB_ZONE_NORMAL);
	assert_string_equal(out, want);
	free(out);
	free(want);
	for (size_t i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
	free(first);
	free(text);
}

/* ---- JSON --------------------------------------------------------------- */

/* The failure JSON names the request (mode, flags, context, zone) and embeds the stats. */
static void test_failure_json_fields(void **state)
{
	(void)state;
	struct lab_alloc_failure f;
	failure_init(&f, "swapper/0", 3, 0xa20, LAB_ZONE_NORMAL);
	f.mem.kernel = LAB_KERNEL_6_1;
	f.context = LAB_CTX_HARDIRQ;
	f.seq = 7;
	json_t *j = lab_report_failure_json(&f);
	assert_string_equal(json_string_value(json_object_get(j, "comm")), "swapper/0");
	assert_int_equal(json_integer_value(json_object_get(j, "order")), 3);
	assert_string_equal(json_string_value(json_object_get(j, "mode")), "0xa20");
	assert_string_equal(json_string_value(json_object_get(j, "gfp_flags")), "GFP_ATOMIC");
	assert_string_equal(json_string_value(json_object_get(j, "context")), "hardirq");
	assert_string_equal(json_string_value(json_object_get(j, "highest_zone")), "Normal");
	assert_int_equal(json_integer_value(json_object_get(j, "seq")), 7);
	assert_int_equal(json_array_size(json_object_get(json_object_get(j, "mem"), "zones")),
			 LAB_MAX_NR_ZONES);
	json_decref(j);
}

/* show_mem's node line: 6.1 prints "shmem_thp: 0kB", 6.12 (as its real
 * reports in the corpus) "shmem_thp:0kB", likewise shmem_pmdmapped, anon_thp. */
static void test_show_mem_node_line_by_profile(void **state)
{
	(void)state;
	struct lab_alloc_failure f;
	failure_init(&f, "swapper/0", 0, 0x820, LAB_ZONE_NORMAL);
	f.mem.kernel = LAB_KERNEL_6_12;
	char *out = show_mem(&f.mem, LAB_ZONE_NORMAL);
	assert_non_null(strstr(out, " shmem:0kB shmem_thp:0kB shmem_pmdmapped:0kB anon_thp:0kB writeback_tmp:0kB "));
	free(out);
	f.mem.kernel = LAB_KERNEL_6_1;
	out = show_mem(&f.mem, LAB_ZONE_NORMAL);
	assert_non_null(strstr(out, " shmem:0kB shmem_thp: 0kB shmem_pmdmapped: 0kB anon_thp: 0kB writeback_tmp:0kB "));
	free(out);
}

/* The record of a 6.12 instance prints with 6.12's names: 0x820 is
 * GFP_ATOMIC, and 6.1's 0xa20 would show its unused bit. */
static void test_failure_names_follow_the_profile(void **state)
{
	(void)state;
	struct lab_alloc_failure f;
	failure_init(&f, "swapper/0", 0, 0x820, LAB_ZONE_NORMAL);
	f.mem.kernel = LAB_KERNEL_6_12;
	json_t *j = lab_report_failure_json(&f);
	assert_string_equal(json_string_value(json_object_get(j, "gfp_flags")), "GFP_ATOMIC");
	json_decref(j);
	f.mem.kernel = LAB_KERNEL_6_1;
	j = lab_report_failure_json(&f);
	assert_string_equal(json_string_value(json_object_get(j, "gfp_flags")), "GFP_NOWAIT|__GFP_HIGH");
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_failure_names_follow_the_profile),
		cmocka_unit_test(test_show_mem_node_line_by_profile),
		cmocka_unit_test(test_show_mem_free_area_host_dma),
		cmocka_unit_test(test_show_mem_free_area_host_dma32),
		cmocka_unit_test(test_show_mem_free_area_letters),
		cmocka_unit_test(test_show_mem_free_area_cma_isolate_letters),
		cmocka_unit_test(test_show_mem_zone_line_host_dma),
		cmocka_unit_test(test_show_mem_lru_sizes_printed),
		cmocka_unit_test(test_show_mem_lowmem_reserve_follows_zone),
		cmocka_unit_test(test_show_mem_zone_lines_host_dma32_normal),
		cmocka_unit_test(test_show_mem_watermarks_include_boost),
		cmocka_unit_test(test_show_mem_local_pcp_single_cpu),
		cmocka_unit_test(test_show_mem_zones_up_to_normal),
		cmocka_unit_test(test_show_mem_zones_up_to_dma32),
		cmocka_unit_test(test_show_mem_zones_dma_only),
		cmocka_unit_test(test_show_mem_global_free_counters),
		cmocka_unit_test(test_show_mem_ram_and_reserved),
		cmocka_unit_test(test_show_mem_cma_reserved_only_with_cma),
		cmocka_unit_test(test_show_mem_all_unreclaimable),
		cmocka_unit_test(test_warn_alloc_header_with_cpuset),
		cmocka_unit_test(test_warn_alloc_header_without_cpuset),
		cmocka_unit_test(test_warn_alloc_header_atomic_6_1),
		cmocka_unit_test(test_warn_alloc_header_atomic_6_8),
		cmocka_unit_test(test_warn_alloc_header_zero_mode),
		cmocka_unit_test(test_warn_alloc_header_3x_has_no_names),
		cmocka_unit_test(test_warn_alloc_header_comm_without_nul),
		cmocka_unit_test(test_warn_alloc_block_layout),
		cmocka_unit_test(test_warn_alloc_uses_highest_zoneidx),
		cmocka_unit_test(test_warn_alloc_real_header),
		cmocka_unit_test(test_show_mem_real_block),
		cmocka_unit_test(test_failure_json_fields),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
