/* SPDX-License-Identifier: MIT */
/*
 * tests/report/test_procfs.c - the /proc and debugfs formats of
 * report/procfs.c against vectors O1-O5, O16-O18 and J1-J5/J9 (printed
 * forms) of tests/data/reference/linux-mm-testvectors.md, and against the
 * real 6.1 and 6.12 files of tests/data/realkernel/: every buddyinfo.* and
 * pagetypeinfo.* is parsed, turned back into a struct lab_mem_stats and
 * must come out byte for byte; every 6.1 zoneinfo.* must come out byte for
 * byte minus the lines Labyrinth documents as omitted; every vmstat.*
 * must contain our lines, in our order.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <glob.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <labyrinth/fragindex.h>
#include <labyrinth/report.h>
#include "util/fixture.h"

#define REALKERNEL LAB_SOURCE_DIR "/tests/data/realkernel"

typedef void (*render_fn)(FILE *, const struct lab_mem_stats *);

/* Runs a report into a malloc'ed NUL-terminated string. */
static char *render(render_fn fn, const struct lab_mem_stats *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	fn(f, s);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		fail_msg("cannot open %s", path);
	char *buf = NULL;
	size_t cap = 0, len = 0, n;
	char chunk[4096];
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (len + n + 1 > cap) {
			cap = (len + n + 1) * 2;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		memcpy(buf + len, chunk, n);
		len += n;
	}
	fclose(f);
	if (!buf)
		buf = calloc(1, 1);
	buf[len] = '\0';
	return buf;
}

/* Files matching REALKERNEL/<run>/<pattern> of every run, both kernels'
 * (@only_6_1: of the runs taken on Linux 6.1 only); fails if there are
 * none. */
static glob_t real_files_of(const char *pattern, bool only_6_1)
{
	glob_t runs, g;
	char path[512];
	int nr = 0;
	snprintf(path, sizeof(path), "%s/*/meta.txt", REALKERNEL);
	assert_int_equal(glob(path, 0, NULL, &runs), 0);
	memset(&g, 0, sizeof(g));
	for (size_t i = 0; i < runs.gl_pathc; i++) {
		char *dir = runs.gl_pathv[i];
		*strrchr(dir, '/') = '\0';
		if (only_6_1 && !data_run_is_linux_6_1(dir))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, pattern);
		int rc = glob(path, nr++ ? GLOB_APPEND : 0, NULL, &g);
		assert_true(rc == 0 || rc == GLOB_NOMATCH);
	}
	globfree(&runs);
	assert_true(g.gl_pathc > 0);
	return g;
}

/* buddyinfo, pagetypeinfo and vmstat print the same lines in 6.1 and 6.12. */
static glob_t real_files(const char *pattern)
{
	return real_files_of(pattern, false);
}

static int zone_index(const char *name)
{
	for (int z = 0; z < LAB_MAX_NR_ZONES; z++)
		if (strcmp(name, lab_zone_names[z]) == 0)
			return z;
	fail_msg("unknown zone %s", name);
	return -1;
}

static int mt_index(const char *name)
{
	for (int mt = 0; mt < LAB_MIGRATE_TYPES; mt++)
		if (strcmp(name, lab_migratetype_names[mt]) == 0)
			return mt;
	fail_msg("unknown migratetype %s", name);
	return -1;
}

/*
 * The host of the vectors (2-CPU VM): zone sizes, watermarks (6.1 rules,
 * so Movable is 0/0/0), protection, and the free lists of J1/J2/J3 with
 * the per-type split of O6/O7 (DMA order 8 Unmovable, the rest Movable).
 */
static void host_stats(struct lab_mem_stats *s)
{
	static const uint64_t nf[3][LAB_MAX_ORDER] = {
		{ 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 3 },
		{ 2, 3, 0, 2, 3, 2, 1, 4, 4, 2, 752 },
		{ 10434, 1900, 680, 674, 202, 87, 45, 132, 237, 135, 246 },
	};
	static const uint64_t geo[3][4] = {   /* start_pfn, spanned, present, managed */
		{ 1, 4095, 3998, 3840 },
		{ 4096, 1044480, 782336, 772808 },
		{ 1048576, 5505024, 5505024, 786432 },
	};
	static const uint64_t wm[3][4] = {
		{ 41, 51, 61, 71 }, { 8353, 10441, 12529, 14617 }, { 8500, 10625, 12750, 14875 },
	};
	static const int64_t prot[3][LAB_MAX_NR_ZONES] = {
		{ 0, 3018, 6090, 6090, 6090 }, { 0, 0, 3072, 3072, 3072 }, { 0 },
	};
	memset(s, 0, sizeof(*s));
	s->kernel = LAB_KERNEL_6_1;   /* the sample host's layout */
	s->pageblock_order = 9;
	s->nr_cpus = 2;
	for (unsigned z = 0; z < 3; z++) {
		struct lab_zone_stats *zs = &s->zone[z];
		s->populated[z] = 1;
		zs->start_pfn = geo[z][0];
		zs->spanned = geo[z][1];
		zs->present = geo[z][2];
		zs->managed = geo[z][3];
		for (unsigned w = 0; w < LAB_NR_WMARK; w++)
			zs->wmark[w] = wm[z][w];
		memcpy(zs->lowmem_reserve, prot[z], sizeof(zs->lowmem_reserve));
		for (unsigned o = 0; o < LAB_MAX_ORDER; o++) {
			zs->nr_free[o] = nf[z][o];
			zs->free += nf[z][o] << o;
			unsigned mt = (z == 0 && o == 8) ? LAB_MIGRATE_UNMOVABLE : LAB_MIGRATE_MOVABLE;
			zs->nr_free_mt[o][mt] = nf[z][o];
		}
		zs->nr_cpus = 2;
		zs->vm_stats_threshold = z == 0 ? 4 : 24;
	}
	s->zone[0].nr_blocks_mt[LAB_MIGRATE_UNMOVABLE] = 1;
	s->zone[0].nr_blocks_mt[LAB_MIGRATE_MOVABLE] = 7;
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

/* ---- buddyinfo -------------------------------------------------------- */

/* O1: the host DMA zone prints as the real /proc/buddyinfo line, trailing space included. */
static void test_buddyinfo_host_dma_line(void **state)
{
	(void)state;
	struct lab_mem_stats s;
	host_stats(&s);
	char *out = render(lab_report_buddyinfo, &s);
	char *line = line_starting(out, "Node 0, zone      DMA ");
	assert_string_equal(line, "Node 0, zone      DMA      0      0      0      0      0"
			    "      0      0      0      1      1      3 ");
	free(line);
	free(out);
}

/* buddyinfo lists populated zones only: three lines for the host, none for Movable. */
static void test_buddyinfo_skips_unpopulated_zones(void **state)
{
	(void)state;
	struct lab_mem_stats s;
	host_stats(&s);
	char *out = render(lab_report_buddyinfo, &s);
	size_t lines = 0;
	for (const char *p = out; *p; p++)
		lines += *p == '\n';
	assert_int_equal(lines, 3);
	assert_null(strstr(out, "Movable"));
	free(out);
}

static void parse_buddyinfo(const char *text, struct lab_mem_stats *s)
{
	memset(s, 0, sizeof(*s));
	for (const char *p = text; *p;) {
		char name[16];
		int used = 0;
		assert_int_equal(sscanf(p, "Node 0, zone %15s%n", name, &used), 1);
		int z = zone_index(name);
		s->populated[z] = 1;
		char *q = (char *)p + used;
		for (unsigned o = 0; o < LAB_MAX_ORDER; o++)
			s->zone[z].nr_free[o] = strtoull(q, &q, 10);
		p = strchr(p, '\n');
		assert_non_null(p);
		p++;
	}
}

/* O1: every real 6.1 buddyinfo file, parsed and printed again, comes out byte for byte. */
static void test_buddyinfo_real_files_roundtrip(void **state)
{
	(void)state;
	glob_t g = real_files("buddyinfo.*");
	for (size_t i = 0; i < g.gl_pathc; i++) {
		char *real = slurp(g.gl_pathv[i]);
		struct lab_mem_stats s;
		parse_buddyinfo(real, &s);
		char *out = render(lab_report_buddyinfo, &s);
		if (strcmp(out, real) != 0)
			fail_msg("%s differs:\n%s---\n%s", g.gl_pathv[i], out, real);
		free(out);
		free(real);
	}
	globfree(&g);
}

/* ---- pagetypeinfo ----------------------------------------------------- */

/* O2: the free-count header line is exactly the kernel's. */
static void test_pagetypeinfo_header_line(void **state)
{
	(void)state;
	struct lab_mem_stats s;
	host_stats(&s);
	char *out = render(lab_report_pagetypeinfo, &s);
	char *line = line_starting(out, "Free pages count");
	assert_string_equal(line, "Free pages count per migrate type at order       0      1"
			    "      2      3      4      5      6      7      8      9     10 ");
	free(line);
	free(out);
}

/* O3: the host DMA Movable row is exactly the kernel's. */
static void test_pagetypeinfo_dma_movable_row(void **state)
{
	(void)state;
	struct lab_mem_stats s;
	host_stats(&s);
	char *out = render(lab_report_pagetypeinfo, &s);
	char *line = line_starting(out, "Node    0, zone      DMA, type      Movable");
	assert_string_equal(line, "Node    0, zone      DMA, type      Movable      0      0      0"
			    "      0      0      0      0      0      0      1      3 ");
	free(line);
	free(out);
}

/* O4: the block-count header (no CMA column) and the host DMA row are exactly the kernel's. */
static void test_pagetypeinfo_block_counts(void **state)
{
	(void)state;
	struct lab_mem_stats s;
	host_stats(&s);
	char *out = render(lab_report_pagetypeinfo, &s);
	char *head = line_starting(out, "Number of blocks type");
	char *row = line_starting(out, "Node 0, zone      DMA ");
	assert_string_equal(head, "Number of blocks type     Unmovable      Movable  Reclaimable"
			    "   HighAtomic      Isolate ");
	assert_string_equal(row, "Node 0, zone      DMA            1            7            0"
			    "            0            0 ");
	free(head);
	free(row);
	free(out);
}

/* O5: a list of 150000 blocks prints as ">100000" in its cell. */
static void test_pagetypeinfo_caps_at_100000(void **state)
{
	(void)state;
	struct lab_mem_stats s;
	host_stats(&s);
	s.zone[2].nr_free_mt[0][LAB_MIGRATE_MOVABLE] = 150000;
	char *out = render(lab_report_pagetypeinfo, &s);
	char *line = line_starting(out, "Node    0, zone   Normal, type      Movable");
	assert_string_equal(line, "Node    0, zone   Normal, type      Movable >100000   1900    680"
			    "    674    202     87     45    132    237    135    246 ");
	free(line);
	free(out);
}

/* The cap starts at exactly 100000 (Linux stops counting there); 99999 prints as is. */
static void test_pagetypeinfo_cap_starts_at_100000(void **state)
{
	(void)state;
	struct lab_mem_stats s;
	host_stats(&s);
	s.zone[2].nr_free_mt[0][LAB_MIGRATE_MOVABLE] = 100000;
	s.zone[2].nr_free_mt[0][LAB_MIGRATE_UNMOVABLE] = 99999;
	char *out = render(lab_report_pagetypeinfo, &s);
	assert_non_null(strstr(out, "Node    0, zone   Normal, type      Movable >100000 "));
	assert_non_null(strstr(out, "Node    0, zone   Normal, type    Unmovable  99999 "));
	free(out);
}

/* With CMA enabled a CMA row (between HighAtomic and Isolate) and a CMA column appear. */
static void test_pagetypeinfo_cma_row_when_enabled(void **state)
{
	(void)state;
	struct lab_mem_stats s;
	host_stats(&s);
	s.cma_enabled = 1;
	char *out = render(lab_report_pagetypeinfo, &s);
	const char *h = strstr(out, "Node    0, zone      DMA, type   HighAtomic");
	const char *c = strstr(out, "Node    0, zone      DMA, type          CMA");
	const char *i = strstr(out, "Node    0, zone      DMA, type      Isolate");
	assert_non_null(h);
	assert_non_null(c);
	assert_non_null(i);
	assert_true(h < c && c < i);
	assert_non_null(strstr(out, "   HighAtomic          CMA      Isolate \n"));
	free(out);
}

/* Without CMA no CMA row or column is printed (a kernel without CONFIG_CMA has none). */
static void test_pagetypeinfo_no_cma_when_disabled(void **state)
{
	(void)state;
	struct lab_mem_stats s;
	host_stats(&s);
	char *out = render(lab_report_pagetypeinfo, &s);
	assert_null(strstr(out, "CMA"));
	free(out);
}

static void parse_pagetypeinfo(const char *text, struct lab_mem_stats *s)
{
	memset(s, 0, sizeof(*s));
	int cols[LAB_MIGRATE_TYPES], ncols = 0;
	for (const char *p = text; *p;) {
		const char *end = strchr(p, '\n');
		assert_non_null(end);
		char *line = strndup(p, (size_t)(end - p));
		char zname[16], tname[16];
		int used = 0;
		unsigned pbo;
		if (sscanf(line, "Page block order: %u", &pbo) == 1) {
			s->pageblock_order = pbo;
		} else if (sscanf(line, "Node %*d, zone %15[^,], type %15s%n", zname, tname, &used) == 2) {
			int z = zone_index(zname), mt = mt_index(tname);
			s->populated[z] = 1;
			if (mt == LAB_MIGRATE_CMA)
				s->cma_enabled = 1;
			char *q = line + used;
			for (unsigned o = 0; o < LAB_MAX_ORDER; o++) {
				while (*q == ' ')
					q++;
				if (*q == '>')
					q++;
				s->zone[z].nr_free_mt[o][mt] = strtoull(q, &q, 10);
			}
		} else if (strncmp(line, "Number of blocks type", 21) == 0) {
			char *save = NULL;
			for (char *t = strtok_r(line + 21, " ", &save); t; t = strtok_r(NULL, " ", &save))
				cols[ncols++] = mt_index(t);
		} else if (sscanf(line, "Node %*d, zone %15s%n", zname, &used) == 1) {
			int z = zone_index(zname);
			char *q = line + used;
			for (int c = 0; c < ncols; c++)
				s->zone[z].nr_blocks_mt[cols[c]] = strtoull(q, &q, 10);
		}
		free(line);
		p = end + 1;
	}
	assert_true(ncols >= 5);
}

/* O3/O4: every real 6.1 pagetypeinfo file (no CMA row there) comes out byte for byte. */
static void test_pagetypeinfo_real_files_roundtrip(void **state)
{
	(void)state;
	glob_t g = real_files("pagetypeinfo.*");
	for (size_t i = 0; i < g.gl_pathc; i++) {
		char *real = slurp(g.gl_pathv[i]);
		struct lab_mem_stats s;
		parse_pagetypeinfo(real, &s);
		assert_false(s.cma_enabled);
		char *out = render(lab_report_pagetypeinfo, &s);
		if (strcmp(out, real) != 0)
			fail_msg("%s differs:\n%s---\n%s", g.gl_pathv[i], out, real);
		free(out);
		free(real);
	}
	globfree(&g);
}

/* ---- zoneinfo --------------------------------------------------------- */

/* O17: an unpopulated zone (host Movable, 6.1 rules) prints the 6.1 block and stops after protection. */
static void test_zoneinfo_unpopulated_zone_block(void **state)
{
	(void)state;
	struct lab_mem_stats s;
	host_stats(&s);
	char *out = render(lab_report_zoneinfo, &s);
	const char *want =
		"Node 0, zone  Movable\n"
		"  pages free     0\n"
		"        boost    0\n"
		"        min      0\n"
		"        low      0\n"
		"        high     0\n"
		"        spanned  0\n"
		"        present  0\n"
		"        managed  0\n"
		"        cma      0\n"
		"        protection: (0, 0, 0, 0, 0)\n"
		"Node 0, zone   Device\n";
	assert_non_null(strstr(out, want));
	free(out);
}

/* O16: the pageset block of one CPU (count 2830, high 5312, batch 63, threshold 24), 6.1 layout. */
static void test_zoneinfo_pageset_block(void **state)
{
	(void)state;
	struct lab_mem_stats s;
	host_stats(&s);
	struct lab_zone_stats *n = &s.zone[LAB_ZONE_NORMAL];
	n->nr_cpus = 1;
	n->pcp[0] = (struct lab_pcp_stats){ .count = 2830, .high = 5312, .batch = 63 };
	char *out = render(lab_report_zoneinfo, &s);
	const char *want =
		"  pagesets\n"
		"    cpu: 0\n"
		"              count: 2830\n"
		"              high:  5312\n"
		"              batch: 63\n"
		"  vm stats threshold: 24\n"
		"  node_unreclaimable:  0\n"
		"  start_pfn:           1048576\n";
	assert_non_null(strstr(out, want));
	free(out);
}

/* F1/G1: the host DMA watermark and protection lines are the kernel's. */
static void test_zoneinfo_host_dma_watermarks(void **state)
{
	(void)state;
	struct lab_mem_stats s;
	host_stats(&s);
	char *out = render(lab_report_zoneinfo, &s);
	const char *want =
		"Node 0, zone      DMA\n"
		"  pages free     3840\n"
		"        boost    0\n"
		"        min      41\n"
		"        low      51\n"
		"        high     61\n"
		"        spanned  4095\n"
		"        present  3998\n"
		"        managed  3840\n"
		"        cma      0\n"
		"        protection: (0, 3018, 6090, 6090, 6090)\n"
		"      nr_free_pages 3840\n"
		"      nr_free_cma  0\n";
	assert_int_equal(strncmp(out, want, strlen(want)), 0);
	free(out);
}

/* F9: a boost of 512 on host Normal is added to min/low/high (9012/11137/13262). */
static void test_zoneinfo_watermarks_include_boost(void **state)
{
	(void)state;
	struct lab_mem_stats s;
	host_stats(&s);
	s.zone[LAB_ZONE_NORMAL].boost = 512;
	char *out = render(lab_report_zoneinfo, &s);
	assert_non_null(strstr(out, "        boost    512\n        min      9012\n"
			       "        low      11137\n        high     13262\n"));
	free(out);
}

/* 6.12's layout: a promo line after high (boost included), nr_unaccepted
 * after nr_free_cma, as the real 6.12 zoneinfo prints them. */
static void test_zoneinfo_6_12_promo_and_unaccepted(void **state)
{
	(void)state;
	struct lab_mem_stats s;
	host_stats(&s);
	s.kernel = LAB_KERNEL_6_12;
	s.zone[LAB_ZONE_NORMAL].boost = 512;
	char *out = render(lab_report_zoneinfo, &s);
	assert_non_null(strstr(out, "        high     13262\n        promo    15387\n        spanned  "));
	assert_non_null(strstr(out, "      nr_free_cma  0\n      nr_unaccepted 0\n  pagesets"));
	free(out);
	s.kernel = LAB_KERNEL_6_1;
	out = render(lab_report_zoneinfo, &s);
	assert_null(strstr(out, "promo"));
	assert_null(strstr(out, "nr_unaccepted"));
	free(out);
	/* /proc/vmstat: nr_unaccepted follows nr_free_cma in 6.12 only */
	out = render(lab_report_vmstat, &s);
	assert_null(strstr(out, "nr_unaccepted"));
	free(out);
	s.kernel = LAB_KERNEL_6_12;
	out = render(lab_report_vmstat, &s);
	assert_non_null(strstr(out, "\nnr_free_cma 0\nnr_unaccepted 0\n"));
	free(out);
}

/* node_unreclaimable turns 1 at 16 kswapd failures (MAX_RECLAIM_RETRIES), not at 15. */
static void test_zoneinfo_node_unreclaimable_threshold(void **state)
{
	(void)state;
	struct lab_mem_stats s;
	host_stats(&s);
	s.zone[LAB_ZONE_DMA].kswapd_failures = 15;
	s.zone[LAB_ZONE_DMA32].kswapd_failures = 16;
	char *out = render(lab_report_zoneinfo, &s);
	assert_non_null(strstr(out, "  node_unreclaimable:  0\n  start_pfn:           1\n"));
	assert_non_null(strstr(out, "  node_unreclaimable:  1\n  start_pfn:           4096\n"));
	free(out);
}

/* Parses a real zoneinfo back into stats (watermarks minus boost, as stored). */
static void parse_zoneinfo(const char *text, struct lab_mem_stats *s)
{
	memset(s, 0, sizeof(*s));
	/* the layout says the kernel: 6.12 prints a promo watermark */
	s->kernel = strstr(text, "\n        promo ") ? LAB_KERNEL_6_12 : LAB_KERNEL_6_1;
	int z = -1;
	unsigned cpu = 0;
	for (const char *p = text; *p;) {
		const char *end = strchr(p, '\n');
		assert_non_null(end);
		char *line = strndup(p, (size_t)(end - p));
		char *l = line + strspn(line, " ");
		char name[16];
		char *last = strrchr(l, ' ');
		uint64_t v = last ? strtoull(last + 1, NULL, 10) : 0;
		struct lab_zone_stats *zs = z >= 0 ? &s->zone[z] : NULL;
		if (sscanf(l, "Node 0, zone %15s", name) == 1) {
			z = zone_index(name);
		} else if (!zs) {
			fail_msg("line before any zone: %s", line);
		} else if (strncmp(l, "pages free", 10) == 0) {
			zs->free = v;
		} else if (strncmp(l, "protection:", 11) == 0) {
			int64_t *r = zs->lowmem_reserve;
			assert_int_equal(sscanf(l, "protection: (%" SCNd64 ", %" SCNd64 ", %" SCNd64
						", %" SCNd64 ", %" SCNd64 ")",
						&r[0], &r[1], &r[2], &r[3], &r[4]), 5);
		} else if (sscanf(l, "cpu: %u", &cpu) == 1) {
			if (cpu + 1 > zs->nr_cpus)
				zs->nr_cpus = cpu + 1;
			s->nr_cpus = zs->nr_cpus;
		} else if (strncmp(l, "boost ", 6) == 0) {
			zs->boost = v;
		} else if (strncmp(l, "min ", 4) == 0) {
			zs->wmark[LAB_WMARK_MIN] = v - zs->boost;
		} else if (strncmp(l, "low ", 4) == 0) {
			zs->wmark[LAB_WMARK_LOW] = v - zs->boost;
		} else if (strncmp(l, "high ", 5) == 0) {
			zs->wmark[LAB_WMARK_HIGH] = v - zs->boost;
		} else if (strncmp(l, "spanned ", 8) == 0) {
			zs->spanned = v;
		} else if (strncmp(l, "present ", 8) == 0) {
			zs->present = v;
			s->populated[z] = v != 0;
		} else if (strncmp(l, "managed ", 8) == 0) {
			zs->managed = v;
		} else if (strncmp(l, "cma ", 4) == 0) {
			zs->cma = v;
		} else if (strncmp(l, "nr_free_cma ", 12) == 0) {
			zs->free_cma = v;
		} else if (strncmp(l, "count:", 6) == 0) {
			zs->pcp[cpu].count = (uint32_t)v;
		} else if (strncmp(l, "high:", 5) == 0) {
			zs->pcp[cpu].high = (uint32_t)v;
		} else if (strncmp(l, "batch:", 6) == 0) {
			zs->pcp[cpu].batch = (uint32_t)v;
		} else if (strncmp(l, "vm stats threshold:", 19) == 0) {
			zs->vm_stats_threshold = (uint32_t)v;
		} else if (strncmp(l, "node_unreclaimable:", 19) == 0) {
			zs->kswapd_failures = v ? 16 : 0;
		} else if (strncmp(l, "start_pfn:", 10) == 0) {
			zs->start_pfn = v;
		}
		free(line);
		p = end + 1;
	}
}

/*
 * The real file minus what docs/formats.md says Labyrinth omits: the
 * "  per-node stats" header and every "      %-12s %lu" stat line (six
 * spaces of indent) except nr_free_pages and nr_free_cma.
 */
static char *zoneinfo_without_omitted(const char *text)
{
	char *out = calloc(1, strlen(text) + 1);
	assert_non_null(out);
	size_t len = 0;
	for (const char *p = text; *p;) {
		const char *end = strchr(p, '\n');
		assert_non_null(end);
		size_t n = (size_t)(end - p) + 1;
		int stat_line = strncmp(p, "      ", 6) == 0 && p[6] != ' ';
		int kept_stat = strncmp(p, "      nr_free_pages ", 20) == 0 ||
				strncmp(p, "      nr_free_cma ", 18) == 0;
		int omitted = strncmp(p, "  per-node stats\n", 17) == 0 || (stat_line && !kept_stat);
		if (!omitted) {
			memcpy(out + len, p, n);
			len += n;
		}
		p = end + 1;
	}
	return out;
}

/* Every real 6.1 zoneinfo, minus the documented omissions, comes out byte
 * for byte. (6.12's zoneinfo has lines 6.1's lacks - nr_unaccepted,
 * nr_iommu_pages, pgdemote_*, promo - which lab_report_zoneinfo does not
 * print: its 6.12 runs are not compared.) */
static void test_zoneinfo_real_files_match(void **state)
{
	(void)state;
	glob_t g = real_files_of("zoneinfo.*", true);
	for (size_t i = 0; i < g.gl_pathc; i++) {
		char *real = slurp(g.gl_pathv[i]);
		struct lab_mem_stats s;
		parse_zoneinfo(real, &s);
		assert_true(s.populated[LAB_ZONE_DMA32]);
		char *want = zoneinfo_without_omitted(real);
		char *out = render(lab_report_zoneinfo, &s);
		assert_true(strlen(want) > 1000);
		if (strcmp(out, want) != 0)
			fail_msg("%s differs:\n%s---\n%s", g.gl_pathv[i], out, want);
		free(out);
		free(want);
		free(real);
	}
	globfree(&g);
}

/* ---- vmstat ----------------------------------------------------------- */

/* vmstat begins with nr_free_pages and nr_free_cma summed over the zones. */
static void test_vmstat_free_counters_first(void **state)
{
	(void)state;
	struct lab_mem_stats s;
	host_stats(&s);
	s.zone[1].free_cma = 7;
	s.zone[2].free_cma = 5;
	char *out = render(lab_report_vmstat, &s);
	char want[128];
	uint64_t total = s.zone[0].free + s.zone[1].free + s.zone[2].free;
	snprintf(want, sizeof(want), "nr_free_pages %" PRIu64 "\nnr_free_cma 12\n", total);
	assert_string_equal(out, want);
	free(out);
}

/* An event whose valid bit is clear is not printed, not even as 0. */
static void test_vmstat_skips_invalid_events(void **state)
{
	(void)state;
	struct lab_mem_stats s;
	host_stats(&s);
	s.events[LAB_PGFREE] = 99;
	s.events[LAB_COMPACT_STALL] = 3;
	s.events_valid = LAB_VM_EVENT_BIT(LAB_PGFREE);
	char *out = render(lab_report_vmstat, &s);
	assert_non_null(strstr(out, "\npgfree 99\n"));
	assert_null(strstr(out, "compact_stall"));
	free(out);
}

/* Labyrinth's own counters never appear in vmstat, even when valid. */
static void test_vmstat_omits_labyrinth_counters(void **state)
{
	(void)state;
	struct lab_mem_stats s;
	host_stats(&s);
	s.events_valid = LAB_VM_EVENT_BIT(LAB_EV_ALLOC_FAIL) | LAB_VM_EVENT_BIT(LAB_EV_PCP_DRAIN);
	s.events[LAB_EV_ALLOC_FAIL] = 4;
	char *out = render(lab_report_vmstat, &s);
	assert_null(strstr(out, "alloc_fail"));
	assert_null(strstr(out, "pcp_drain"));
	free(out);
}

/* Events come in Linux order: allocstall_* before pgfree (unlike the stats.h enum). */
static void test_vmstat_linux_order(void **state)
{
	(void)state;
	struct lab_mem_stats s;
	host_stats(&s);
	s.events_valid = LAB_VM_EVENT_BIT(LAB_PGFREE) | LAB_VM_EVENT_BIT(LAB_ALLOCSTALL_MOVABLE);
	char *out = render(lab_report_vmstat, &s);
	const char *stall = strstr(out, "allocstall_movable 0\n");
	const char *pgfree = strstr(out, "pgfree 0\n");
	assert_non_null(stall);
	assert_non_null(pgfree);
	assert_true(stall < pgfree);
	free(out);
}

/*
 * Real vmstat files: with every Linux event of stats.h marked valid (CMA
 * ones excepted: that kernel has no CMA) and values taken from the file,
 * each of our lines is one of the file's, in the file's order.
 */
static void test_vmstat_real_files_contain_our_lines(void **state)
{
	(void)state;
	glob_t g = real_files("vmstat.*");
	for (size_t i = 0; i < g.gl_pathc; i++) {
		char *real = slurp(g.gl_pathv[i]);
		struct lab_mem_stats s;
		memset(&s, 0, sizeof(s));
		/* the file's kernel: 6.12 has nr_unaccepted (vmstat_text) */
		s.kernel = strstr(real, "\nnr_unaccepted ") ? LAB_KERNEL_6_12 : LAB_KERNEL_6_1;
		unsigned found = 0;
		for (const char *p = real; *p;) {
			const char *end = strchr(p, '\n');
			char name[64];
			unsigned long long v;
			assert_int_equal(sscanf(p, "%63s %llu", name, &v), 2);
			if (strcmp(name, "nr_free_pages") == 0)
				s.zone[0].free = v;
			else if (strcmp(name, "nr_free_cma") == 0)
				s.zone[0].free_cma = v;
			for (unsigned e = 0; e < LAB_EV_ALLOC_FAIL; e++) {
				if (strcmp(name, lab_vm_event_name((enum lab_vm_event)e)) == 0) {
					s.events[e] = v;
					s.events_valid |= LAB_VM_EVENT_BIT(e);
					found++;
				}
			}
			p = end + 1;
		}
		assert_int_equal(found, LAB_EV_ALLOC_FAIL - 2); /* all but cma_alloc_* */
		char *out = render(lab_report_vmstat, &s);
		unsigned lines = 0;
		const char *cursor = real;
		for (const char *p = out; *p;) {
			const char *end = strchr(p, '\n');
			char *line = strndup(p, (size_t)(end - p) + 1);
			const char *at = strstr(cursor, line);
			while (at && at != real && at[-1] != '\n')
				at = strstr(at + 1, line);
			if (!at)
				fail_msg("%s: \"%.*s\" missing or out of order", g.gl_pathv[i],
					 (int)(end - p), p);
			cursor = at + strlen(line);
			free(line);
			lines++;
			p = end + 1;
		}
		/* nr_free_pages, nr_free_cma, the events, and 6.12's nr_unaccepted */
		assert_int_equal(lines, 2 + found + (s.kernel == LAB_KERNEL_6_12));
		free(out);
		free(real);
	}
	globfree(&g);
}

/* ---- debugfs extfrag -------------------------------------------------- */

/* J1/J4: host DMA extfrag_index line: -1.000 at every order. */
static void test_extfrag_index_host_dma_line(void **state)
{
	(void)state;
	struct lab_mem_stats s;
	host_stats(&s);
	char *out = render(lab_report_extfrag_index, &s);
	char *line = line_starting(out, "Node 0, zone      DMA ");
	assert_string_equal(line, "Node 0, zone      DMA -1.000 -1.000 -1.000 -1.000 -1.000 -1.000"
			    " -1.000 -1.000 -1.000 -1.000 -1.000 ");
	free(line);
	free(out);
}

/* J1: host DMA unusable_index line, 0.066 and 0.200 at orders 9 and 10. */
static void test_unusable_index_host_dma_line(void **state)
{
	(void)state;
	struct lab_mem_stats s;
	host_stats(&s);
	char *out = render(lab_report_unusable_index, &s);
	char *line = line_starting(out, "Node 0, zone      DMA ");
	assert_string_equal(line, "Node 0, zone      DMA 0.000 0.000 0.000 0.000 0.000 0.000 0.000"
			    " 0.000 0.000 0.066 0.200 ");
	free(line);
	free(out);
}

/* J2: host DMA32 unusable_index line ends with 0.002 0.003. */
static void test_unusable_index_host_dma32_line(void **state)
{
	(void)state;
	struct lab_mem_stats s;
	host_stats(&s);
	char *out = render(lab_report_unusable_index, &s);
	char *line = line_starting(out, "Node 0, zone    DMA32 ");
	assert_string_equal(line, "Node 0, zone    DMA32 0.000 0.000 0.000 0.000 0.000 0.000 0.000"
			    " 0.000 0.000 0.002 0.003 ");
	free(line);
	free(out);
}

/* J3: host Normal unusable_index line as the host's debugfs printed it. */
static void test_unusable_index_host_normal_line(void **state)
{
	(void)state;
	struct lab_mem_stats s;
	host_stats(&s);
	char *out = render(lab_report_unusable_index, &s);
	char *line = line_starting(out, "Node 0, zone   Normal ");
	assert_string_equal(line, "Node 0, zone   Normal 0.000 0.024 0.033 0.039 0.051 0.059 0.065"
			    " 0.072 0.111 0.253 0.413 ");
	free(line);
	free(out);
}

/* O18/J5: index 807, 900, 947 print as " 0.807", " 0.900", " 0.947" after three -1.000 cells. */
static void test_extfrag_index_positive_cells(void **state)
{
	(void)state;
	struct lab_mem_stats s;
	memset(&s, 0, sizeof(s));
	s.populated[LAB_ZONE_DMA] = 1;
	s.zone[LAB_ZONE_DMA].nr_free[0] = 100;
	s.zone[LAB_ZONE_DMA].nr_free[1] = 50;
	s.zone[LAB_ZONE_DMA].nr_free[2] = 10;
	char *out = render(lab_report_extfrag_index, &s);
	const char *want = "Node 0, zone      DMA -1.000 -1.000 -1.000  0.807  0.900  0.947 ";
	assert_int_equal(strncmp(out, want, strlen(want)), 0);
	free(out);
}

/* O18/J9: index -500 prints as " 0.-500" (C division of a negative int). */
static void test_extfrag_index_minus_500_cell(void **state)
{
	(void)state;
	struct lab_mem_stats s;
	memset(&s, 0, sizeof(s));
	s.populated[LAB_ZONE_DMA] = 1;
	s.zone[LAB_ZONE_DMA].nr_free[3] = 1;
	char *out = render(lab_report_extfrag_index, &s);
	const char *want = "Node 0, zone      DMA -1.000 -1.000 -1.000 -1.000  0.-500 ";
	assert_int_equal(strncmp(out, want, strlen(want)), 0);
	free(out);
}

/* J10: an empty zone prints 1.000 unusable at every order. */
static void test_unusable_index_empty_zone_line(void **state)
{
	(void)state;
	struct lab_mem_stats s;
	memset(&s, 0, sizeof(s));
	s.populated[LAB_ZONE_NORMAL] = 1;
	char *out = render(lab_report_unusable_index, &s);
	assert_string_equal(out, "Node 0, zone   Normal 1.000 1.000 1.000 1.000 1.000 1.000 1.000"
			    " 1.000 1.000 1.000 1.000 \n");
	free(out);
}

/* ---- JSON ------------------------------------------------------------- */

/* The JSON snapshot lists five zones with Linux names and boosted watermarks. */
static void test_stats_json_zones(void **state)
{
	(void)state;
	struct lab_mem_stats s;
	host_stats(&s);
	s.zone[LAB_ZONE_NORMAL].boost = 512;
	json_t *j = lab_report_stats_json(&s);
	json_t *zones = json_object_get(j, "zones");
	assert_int_equal(json_array_size(zones), LAB_MAX_NR_ZONES);
	json_t *normal = json_array_get(zones, LAB_ZONE_NORMAL);
	assert_string_equal(json_string_value(json_object_get(normal, "name")), "Normal");
	assert_int_equal(json_integer_value(json_object_get(normal, "min")), 9012);
	assert_int_equal(json_integer_value(json_object_get(normal, "promo")), 14875 + 512);
	assert_true(json_is_false(json_object_get(json_array_get(zones, LAB_ZONE_MOVABLE),
						  "populated")));
	json_t *prot = json_object_get(json_array_get(zones, LAB_ZONE_DMA), "protection");
	assert_int_equal(json_integer_value(json_array_get(prot, 1)), 3018);
	json_decref(j);
}

/* The JSON zone carries the indices of fragindex.c (J1: unusable 66 at order 9). */
static void test_stats_json_indices(void **state)
{
	(void)state;
	struct lab_mem_stats s;
	host_stats(&s);
	json_t *j = lab_report_stats_json(&s);
	json_t *dma = json_array_get(json_object_get(j, "zones"), LAB_ZONE_DMA);
	assert_int_equal(json_integer_value(json_array_get(json_object_get(dma, "unusable_index"), 9)), 66);
	assert_int_equal(json_integer_value(json_array_get(json_object_get(dma, "fragmentation_index"), 9)), -1000);
	assert_int_equal(json_integer_value(json_array_get(json_object_get(dma, "extfrag_score"), 9)), 6);
	json_decref(j);
}

/* The per-type maps follow the CMA setting: no "CMA" key without CMA, one with. */
static void test_stats_json_cma_key_follows_setting(void **state)
{
	(void)state;
	struct lab_mem_stats s;
	host_stats(&s);
	json_t *j = lab_report_stats_json(&s);
	json_t *dma = json_array_get(json_object_get(j, "zones"), LAB_ZONE_DMA);
	json_t *by_type = json_object_get(dma, "nr_free_by_type");
	assert_null(json_object_get(by_type, "CMA"));
	assert_int_equal(json_integer_value(json_array_get(json_object_get(by_type, "Unmovable"), 8)), 1);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(dma, "pageblocks_by_type"), "Movable")), 7);
	json_decref(j);
	s.cma_enabled = 1;
	j = lab_report_stats_json(&s);
	dma = json_array_get(json_object_get(j, "zones"), LAB_ZONE_DMA);
	assert_non_null(json_object_get(json_object_get(dma, "nr_free_by_type"), "CMA"));
	json_decref(j);
}

/* JSON events hold only valid ones; Labyrinth's own go to labyrinth_events. */
static void test_stats_json_events_only_valid(void **state)
{
	(void)state;
	struct lab_mem_stats s;
	host_stats(&s);
	s.events[LAB_PGALLOC_NORMAL] = 12;
	s.events[LAB_EV_ALLOC_FAIL] = 2;
	s.events_valid = LAB_VM_EVENT_BIT(LAB_PGALLOC_NORMAL) | LAB_VM_EVENT_BIT(LAB_EV_ALLOC_FAIL);
	json_t *j = lab_report_stats_json(&s);
	json_t *ev = json_object_get(j, "events");
	assert_int_equal(json_object_size(ev), 1);
	assert_int_equal(json_integer_value(json_object_get(ev, "pgalloc_normal")), 12);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "labyrinth_events"),
							    "alloc_fail")), 2);
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buddyinfo_host_dma_line),
		cmocka_unit_test(test_buddyinfo_skips_unpopulated_zones),
		cmocka_unit_test(test_buddyinfo_real_files_roundtrip),
		cmocka_unit_test(test_pagetypeinfo_header_line),
		cmocka_unit_test(test_pagetypeinfo_dma_movable_row),
		cmocka_unit_test(test_pagetypeinfo_block_counts),
		cmocka_unit_test(test_pagetypeinfo_caps_at_100000),
		cmocka_unit_test(test_pagetypeinfo_cap_starts_at_100000),
		cmocka_unit_test(test_pagetypeinfo_cma_row_when_enabled),
		cmocka_unit_test(test_pagetypeinfo_no_cma_when_disabled),
		cmocka_unit_test(test_pagetypeinfo_real_files_roundtrip),
		cmocka_unit_test(test_zoneinfo_unpopulated_zone_block),
		cmocka_unit_test(test_zoneinfo_pageset_block),
		cmocka_unit_test(test_zoneinfo_host_dma_watermarks),
		cmocka_unit_test(test_zoneinfo_watermarks_include_boost),
		cmocka_unit_test(test_zoneinfo_6_12_promo_and_unaccepted),
		cmocka_unit_test(test_zoneinfo_node_unreclaimable_threshold),
		cmocka_unit_test(test_zoneinfo_real_files_match),
		cmocka_unit_test(test_vmstat_free_counters_first),
		cmocka_unit_test(test_vmstat_skips_invalid_events),
		cmocka_unit_test(test_vmstat_omits_labyrinth_counters),
		cmocka_unit_test(test_vmstat_linux_order),
		cmocka_unit_test(test_vmstat_real_files_contain_our_lines),
		cmocka_unit_test(test_extfrag_index_host_dma_line),
		cmocka_unit_test(test_unusable_index_host_dma_line),
		cmocka_unit_test(test_unusable_index_host_dma32_line),
		cmocka_unit_test(test_unusable_index_host_normal_line),
		cmocka_unit_test(test_extfrag_index_positive_cells),
		cmocka_unit_test(test_extfrag_index_minus_500_cell),
		cmocka_unit_test(test_unusable_index_empty_zone_line),
		cmocka_unit_test(test_stats_json_zones),
		cmocka_unit_test(test_stats_json_indices),
		cmocka_unit_test(test_stats_json_cma_key_follows_setting),
		cmocka_unit_test(test_stats_json_events_only_valid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
