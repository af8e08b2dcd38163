/* SPDX-License-Identifier: MIT */
/*
 * host/host.c - the POSIX platform: a memfd arena as physical memory,
 * pthread spinlocks as zone locks, stderr as the kernel log.
 *
 *   memfd (mem_bytes) --mmap--> direct map (virt_base)     lowmem: page_address()
 *   malloc'ed (64-aligned)      metadata: struct lab_mem + page array
 *
 * Failure records are printed with the report layer's warn_alloc text, so a
 * host user sees exactly what a kernel would print.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <labyrinth/host.h>
#include <labyrinth/report.h>

struct host {
	struct lab_platform plat;
	pthread_spinlock_t zone_lock[LAB_MAX_NR_ZONES];
	int memfd;
	void *arena;
	size_t arena_bytes;
	void *metadata;
	FILE *log;
	int quiet;
	void (*log_hook)(void *arg, enum lab_log_level level, const char *line);
	void *log_hook_arg;
	struct lab_mem *mem;
	uint64_t t0_ns;                 /* creation time: the instance's clock starts at 0 */
	struct host *next;
};

static pthread_mutex_t hosts_lock = PTHREAD_MUTEX_INITIALIZER;
static struct host *hosts;

static struct host *host_of(struct lab_mem *mem)
{
	struct host *h;
	pthread_mutex_lock(&hosts_lock);
	for (h = hosts; h && h->mem != mem; h = h->next)
		;
	pthread_mutex_unlock(&hosts_lock);
	return h;
}

static void h_zone_lock(void *ctx, unsigned zone, unsigned long *flags)
{
	struct host *h = ctx;
	*flags = 0;
	pthread_spin_lock(&h->zone_lock[zone]);
}

static void h_zone_unlock(void *ctx, unsigned zone, unsigned long flags)
{
	struct host *h = ctx;
	(void)flags;
	pthread_spin_unlock(&h->zone_lock[zone]);
}

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Nanoseconds since the instance was created (what failure records show,
 * like the kernel's seconds since boot). */
static uint64_t h_now_ns(void *ctx)
{
	struct host *h = ctx;
	return mono_ns() - h->t0_ns;
}

static const char *h_comm(void *ctx)
{
	static __thread char name[16];
	(void)ctx;
	if (!name[0] && pthread_getname_np(pthread_self(), name, sizeof(name)) != 0)
		strcpy(name, "labyrinth");
	return name;
}

static void h_log(void *ctx, enum lab_log_level level, const char *line)
{
	struct host *h = ctx;
	if (h->log_hook)
		h->log_hook(h->log_hook_arg, level, line);
	if (!h->quiet)
		fprintf(h->log ? h->log : stderr, "%s\n", line);
}

static void h_warn_alloc(void *ctx, const struct lab_alloc_failure *f)
{
	struct host *h = ctx;
	if (h->quiet)
		return;
	lab_report_warn_alloc(h->log ? h->log : stderr, f, LAB_GFP_ERA_6_1);
}

struct lab_mem *lab_host_create(const struct lab_host_config *cfg)
{
	struct lab_host_config def = { 0 };
	struct host *h;
	if (!cfg)
		cfg = &def;
	uint64_t bytes = cfg->mem_bytes ? cfg->mem_bytes : 256ull << 20;
	if (bytes & (LAB_PAGE_SIZE - 1) || bytes < 16 * LAB_PAGE_SIZE || (cfg->phys_base & (LAB_PAGE_SIZE - 1))) {
		errno = EINVAL;
		return NULL;
	}
	h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	h->memfd = -1;
	h->t0_ns = mono_ns();
	h->log = cfg->log_file;
	h->quiet = cfg->quiet;
	h->log_hook = cfg->log_hook;
	h->log_hook_arg = cfg->log_hook_arg;
	for (int i = 0; i < LAB_MAX_NR_ZONES; i++)
		pthread_spin_init(&h->zone_lock[i], PTHREAD_PROCESS_PRIVATE);
	h->memfd = memfd_create("labyrinth-arena", MFD_CLOEXEC);
	if (h->memfd < 0 || ftruncate(h->memfd, (off_t)bytes) != 0)
		goto fail;
	h->arena_bytes = (size_t)bytes;
	h->arena = mmap(NULL, h->arena_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, h->memfd, 0);
	if (h->arena == MAP_FAILED) {
		h->arena = NULL;
		goto fail;
	}
	h->plat = (struct lab_platform){
		.ctx = h,
		.zone_lock = h_zone_lock,
		.zone_unlock = h_zone_unlock,
		.comm = h_comm,
		.now_ns = h_now_ns,
		.log = h_log,
		.warn_alloc = h_warn_alloc,
	};
	struct lab_range range = { cfg->phys_base, bytes };
	struct lab_mem_config mc = {
		.ranges = &range,
		.nr_ranges = 1,
		.reserved = cfg->reserved,
		.nr_reserved = cfg->nr_reserved,
		.virt_base = h->arena,
		.highmem_start = cfg->highmem_start_bytes ? cfg->phys_base + cfg->highmem_start_bytes : 0,
		.zone_dma_limit = cfg->zone_dma_limit,
		.zone_dma32_limit = cfg->zone_dma32_limit,
		.movable_bytes = cfg->movable_bytes,
		.pageblock_order = cfg->pageblock_order,
		.nr_cpus = cfg->nr_cpus,
		.flags = cfg->flags,
		.min_free_kbytes = cfg->min_free_kbytes,
		.platform = &h->plat,
	};
	size_t meta = lab_mem_metadata_bytes(&mc);
	if (!meta) {
		errno = EINVAL;
		goto fail;
	}
	if (posix_memalign(&h->metadata, 64, meta) != 0) {
		h->metadata = NULL;
		goto fail;
	}
	mc.metadata = h->metadata;
	mc.metadata_bytes = meta;
	int err = 0;
	h->mem = lab_mem_init(&mc, &err);
	if (!h->mem) {
		errno = EINVAL;
		goto fail;
	}
	pthread_mutex_lock(&hosts_lock);
	h->next = hosts;
	hosts = h;
	pthread_mutex_unlock(&hosts_lock);
	return h->mem;
fail:;
	int e = errno;
	free(h->metadata);
	if (h->arena)
		munmap(h->arena, h->arena_bytes);
	if (h->memfd >= 0)
		close(h->memfd);
	free(h);
	errno = e;
	return NULL;
}

void lab_host_destroy(struct lab_mem *mem)
{
	struct host *h = host_of(mem), **pp;
	if (!h)
		return;
	pthread_mutex_lock(&hosts_lock);
	for (pp = &hosts; *pp && *pp != h; pp = &(*pp)->next)
		;
	if (*pp)
		*pp = h->next;
	pthread_mutex_unlock(&hosts_lock);
	lab_mem_fini(mem);
	munmap(h->arena, h->arena_bytes);
	close(h->memfd);
	for (int i = 0; i < LAB_MAX_NR_ZONES; i++)
		pthread_spin_destroy(&h->zone_lock[i]);
	free(h->metadata);
	free(h);
}

int lab_host_memfd(struct lab_mem *mem)
{
	struct host *h = host_of(mem);
	return h ? h->memfd : -1;
}
