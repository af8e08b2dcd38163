/* SPDX-License-Identifier: MIT */
/* tests/util/fixture.c - see fixture.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util/fixture.h"

static void cap_log(void *ctx, enum lab_log_level level, const char *line)
{
	struct fixture *f = ctx;
	(void)level;
	if (getenv("LAB_TEST_VERBOSE"))
		fprintf(stderr, "[log] %s\n", line);
	if (f->nlog < 64)
		snprintf(f->log[f->nlog++], sizeof(f->log[0]), "%s", line);
}

static void cap_warn(void *ctx, const struct lab_alloc_failure *failure)
{
	struct fixture *f = ctx;
	f->nwarn++;
	f->last_warn = *failure;
}

static const char *cap_comm(void *ctx)
{
	struct fixture *f = ctx;
	return f->comm ? f->comm : "test";
}

static uint64_t cap_now(void *ctx)
{
	struct fixture *f = ctx;
	return f->now;
}

struct fixture *fixture_create(const struct fixture_opts *o)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct lab_range one = { o->phys_base, o->pages << 12 };
	assert_non_null(f);
	f->plat = (struct lab_platform){ .ctx = f, .log = cap_log, .warn_alloc = cap_warn,
					 .comm = cap_comm, .now_ns = cap_now };
	struct lab_mem_config cfg = {
		.ranges = o->ranges ? o->ranges : &one,
		.nr_ranges = o->ranges ? o->nr_ranges : 1,
		.reserved = o->reserved, .nr_reserved = o->nr_reserved,
		.pageblock_order = o->pageblock_order ? o->pageblock_order : 3,
		.flags = o->flags | (o->use_default_zones ? 0 : LAB_CFG_NO_ZONE_DMA | LAB_CFG_NO_ZONE_DMA32) |
			 (o->pcp ? 0 : LAB_CFG_NO_PCP),
		.zone_dma_limit = o->zone_dma_limit, .zone_dma32_limit = o->zone_dma32_limit,
		.highmem_start = o->highmem_start,
		.nr_cpus = o->nr_cpus,
		.kernel = o->kernel,
		.platform = &f->plat,
	};
	uint64_t lo = UINT64_MAX, hi = 0;
	for (unsigned i = 0; i < cfg.nr_ranges; i++) {
		if (cfg.ranges[i].start < lo)
			lo = cfg.ranges[i].start;
		if (cfg.ranges[i].start + cfg.ranges[i].size > hi)
			hi = cfg.ranges[i].start + cfg.ranges[i].size;
	}
	if (!o->no_arena) {
		f->arena = aligned_alloc(4096, hi - lo);
		assert_non_null(f->arena);
		cfg.virt_base = f->arena;
	}
	size_t bytes = lab_mem_metadata_bytes(&cfg);
	assert_true(bytes > 0);
	f->meta = aligned_alloc(64, (bytes + 63) & ~(size_t)63);
	assert_non_null(f->meta);
	cfg.metadata = f->meta;
	cfg.metadata_bytes = bytes;
	int err = 1;
	f->mem = lab_mem_init(&cfg, &err);
	assert_non_null(f->mem);
	assert_int_equal(err, 0);
	if (o->min_free_kbytes >= 0)
		assert_int_equal(lab_set_min_free_kbytes(f->mem, o->min_free_kbytes), 0);
	return f;
}

void fixture_destroy(struct fixture *f)
{
	if (!f)
		return;
	lab_mem_fini(f->mem);
	free(f->meta);
	free(f->arena);
	free(f);
}

int fixture_logged(const struct fixture *f, const char *needle)
{
	for (int i = 0; i < f->nlog; i++)
		if (strstr(f->log[i], needle))
			return 1;
	return 0;
}

void fixture_clear_log(struct fixture *f)
{
	f->nlog = 0;
}

uint64_t fixture_zone_free(struct fixture *f, int zone)
{
	struct lab_mem_stats *s = malloc(sizeof(*s));
	assert_non_null(s);
	lab_mem_get_stats(f->mem, s);
	uint64_t v = s->zone[zone].free;
	free(s);
	return v;
}

const char *data_path(const char *rel)
{
	static char buf[4][1024];
	static int k;
	char *b = buf[k++ & 3];
	snprintf(b, 1024, "%s/tests/data/%s", LAB_SOURCE_DIR, rel);
	return b;
}

int data_run_is_linux_6_1(const char *run_dir)
{
	char path[1100], release[128] = "";
	snprintf(path, sizeof(path), "%s/meta.txt", run_dir);
	char *text = read_file(path, NULL);
	if (!text)
		return 0;
	/* "guest_uname: Linux (none) 6.1.0-56-amd64 #1 SMP ...": the third word
	 * is the release; 6.12's "6.12.118+deb12-amd64" must not match */
	const char *line = strstr(text, "\nguest_uname:");
	if (line)
		sscanf(line + strlen("\nguest_uname:"), "%*s %*s %127s", release);
	free(text);
	return strncmp(release, "6.1.", 4) == 0;
}

char *read_file(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return NULL;
	fseek(fp, 0, SEEK_END);
	long n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	char *b = malloc((size_t)n + 1);
	if (b && fread(b, 1, (size_t)n, fp) != (size_t)n) {
		free(b);
		b = NULL;
	}
	fclose(fp);
	if (b) {
		b[n] = '\0';
		if (len)
			*len = (size_t)n;
	}
	return b;
}
