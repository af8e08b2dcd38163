/* SPDX-License-Identifier: MIT */
/*
 * tests/util/fixture.h - tiny exact instances for tests.
 *
 * fixture_create() builds an instance over a malloc'ed arena (so
 * lab_page_address works) with a capturing log: every log line is kept so
 * a test can assert the text of a report.
 */
#ifndef LAB_TEST_FIXTURE_H
#define LAB_TEST_FIXTURE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <labyrinth/labyrinth.h>

struct fixture_opts {
	uint64_t pages;                 /* one range of this many pages */
	uint64_t phys_base;             /* physical address of the range; default 0 */
	unsigned pageblock_order;       /* default 3 (8-page pageblocks) */
	unsigned flags;                 /* LAB_CFG_*; default: Normal zone only */
	int min_free_kbytes;            /* -1 = Linux default; default 0 = watermarks all 0 */
	const struct lab_range *ranges; /* optional: several ranges (overrides pages) */
	unsigned nr_ranges;
	const struct lab_range *reserved;
	unsigned nr_reserved;
	lab_phys_t zone_dma_limit, zone_dma32_limit;
	int use_default_zones;          /* 1: keep DMA/DMA32 (do not add NO_ZONE flags) */
	int no_arena;                   /* 1: no direct map (large instances) */
	lab_phys_t highmem_start;
	int pcp;                        /* 1: per-CPU lists on (default off: exact buddy placement) */
	unsigned nr_cpus;
	enum lab_kernel kernel;         /* profile; default LAB_KERNEL_DEFAULT */
};

struct fixture {
	struct lab_mem *mem;
	void *meta;
	void *arena;
	struct lab_platform plat;
	char log[64][256];
	int nlog;
	int nwarn;
	struct lab_alloc_failure last_warn;
	const char *comm;
	uint64_t now;
};

struct fixture *fixture_create(const struct fixture_opts *o);
void fixture_destroy(struct fixture *f);
/* Did any captured log line contain @needle? */
int fixture_logged(const struct fixture *f, const char *needle);
void fixture_clear_log(struct fixture *f);
/* Free pages of a zone / total allocated pages, from the stats. */
uint64_t fixture_zone_free(struct fixture *f, int zone);
/* lab_mem_check must be 0 */
#define assert_mem_ok(f) assert_int_equal(lab_mem_check((f)->mem), 0)
/* Path of @rel inside the repository's test data, tests/data/ (see its
 * README.md), in one of four static buffers: the results of four calls
 * in a row are valid together. */
const char *data_path(const char *rel);
/* 1 if the real-kernel run in folder @run_dir (tests/data/realkernel/<run>)
 * was taken on Linux 6.1, by the release in its meta.txt's guest_uname line;
 * 0 for any other kernel or an unreadable meta.txt. The 6.1 tests select
 * their runs with it, so runs of other kernels can sit beside them. */
int data_run_is_linux_6_1(const char *run_dir);
/* Read a whole file into a malloc'ed NUL-terminated buffer (NULL if missing). */
char *read_file(const char *path, size_t *len);

#endif
