/* SPDX-License-Identifier: MIT */
/*
 * host/host.c - the POSIX platform: a memfd arena as physical memory,
 * threads as CPUs, spinlocks with soft irqsave as zone and per-CPU locks,
 * stderr as the kernel log.
 *
 *   memfd (mem_bytes) --mmap--> direct map (virt_base)     lowmem: page_address()
 *                     --mmap--> kmap slots (kmap_host.c)   highmem
 *   malloc'ed (64-aligned)      metadata: struct lab_mem + page array
 *
 *   struct host
 *   +------------------+---------------------+----------------------+
 *   | zone_lock[5]     | pcp[cpu].lock       | cpu_owner[cpu] = tid |
 *   | (irqsave)        | (irqsave, padded)   | of the attached      |
 *   |                  |                     | thread, 0 = free     |
 *   +------------------+---------------------+----------------------+
 *   | deferred: a failure record written by an interrupt routine,  |
 *   | printed later from process context (stdio is not signal-safe)|
 *   +--------------------------------------------------------------+
 *
 * Every hook the core calls on a non-blocking path is async-signal-safe:
 * an interrupt routine (a signal handler, context.c) allocates with
 * GFP_ATOMIC through them. Only wait_event and sleep block, and they
 * refuse to ("BUG: scheduling while atomic") when called where sleeping is
 * forbidden.
 *
 * Failure records are printed with the report layer's warn_alloc text, so a
 * host user sees exactly what a kernel would print.
 */
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <labyrinth/host.h>
#include <labyrinth/linux.h>
#include <labyrinth/report.h>
#include "host_background.h"

#define TLS __thread __attribute__((tls_model("initial-exec")))

struct pcp_lock {
	struct lab_spinlock lock;
	char pad[64 - sizeof(struct lab_spinlock)];   /* one cache line per CPU */
};

enum { DEFERRED_EMPTY, DEFERRED_WRITING, DEFERRED_FULL, DEFERRED_PRINTING };

struct host {
	struct lab_platform plat;
	struct lab_spinlock zone_lock[LAB_MAX_NR_ZONES];
	struct pcp_lock pcp[LAB_MAX_CPUS];
	int cpu_owner[LAB_MAX_CPUS];    /* (a) tid of the attached thread */
	unsigned nr_cpus;
	int memfd;
	void *arena;
	size_t arena_bytes;
	void *metadata;
	struct lab_host_kmap *kmap;     /* NULL without highmem */
	struct lab_host_background *bg; /* NULL without kswapd/kcompactd threads */
	lab_pfn_t base_pfn;             /* pfn of the arena's first byte */
	FILE *log;
	int log_fd;                     /* fileno(log), for write(2) from interrupts */
	int quiet;
	void (*log_hook)(void *arg, enum lab_log_level level, const char *line);
	void *log_hook_arg;
	struct lab_mem *mem;
	uint64_t gen;                   /* unique per instance: keys the borrowed-CPU cache */
	uint64_t t0_ns;                 /* creation time: the instance's clock starts at 0 */
	int deferred_state;             /* (a) DEFERRED_* */
	struct lab_alloc_failure deferred;
	struct host *next;
};

static pthread_mutex_t hosts_lock = PTHREAD_MUTEX_INITIALIZER;
static struct host *hosts;

/* The calling thread's CPU attachment. */
static TLS struct host *att_host;
static TLS unsigned att_cpu;
/* A thread that never attached borrows CPU tid % nr_cpus; computed once
 * per thread and instance (a division costs more than the whole pcp hit).
 * One word, instance generation << 16 | cpu, so an interrupt that borrows
 * for another instance between two stores cannot pair a CPU with the
 * wrong generation. */
static TLS uint64_t brw_word;
static uint64_t host_gen;
static pthread_key_t att_key;
static pthread_once_t att_once = PTHREAD_ONCE_INIT;

static struct host *host_of(struct lab_mem *mem)
{
	struct host *h;
	pthread_mutex_lock(&hosts_lock);
	for (h = hosts; h && h->mem != mem; h = h->next)
		;
	pthread_mutex_unlock(&hosts_lock);
	return h;
}

/* ---- locks (irqsave via the soft mask, context.c) -------------------------------- */

static void h_zone_lock(void *ctx, unsigned zone, unsigned long *flags)
{
	struct host *h = ctx;
	*flags = lab_spin_lock_irqsave(&h->zone_lock[zone]);
}

static void h_zone_unlock(void *ctx, unsigned zone, unsigned long flags)
{
	struct host *h = ctx;
	lab_spin_unlock_irqrestore(&h->zone_lock[zone], flags);
}

static int h_pcp_trylock(void *ctx, unsigned cpu, unsigned long *flags)
{
	struct host *h = ctx;
	return lab_spin_trylock_irqsave(&h->pcp[cpu].lock, flags);
}

static void h_pcp_lock(void *ctx, unsigned cpu, unsigned long *flags)
{
	struct host *h = ctx;
	*flags = lab_spin_lock_irqsave(&h->pcp[cpu].lock);
}

static void h_pcp_unlock(void *ctx, unsigned cpu, unsigned long flags)
{
	struct host *h = ctx;
	lab_spin_unlock_irqrestore(&h->pcp[cpu].lock, flags);
}

/* The first borrow of a thread for an instance: out of line, so that the
 * hot path below saves no registers (it runs twice per per-CPU pair). */
__attribute__((noinline, cold)) static unsigned borrow_cpu(struct host *h)
{
	uint64_t w = h->gen << 16 | (unsigned)h->plat.pid(h->plat.ctx) % h->nr_cpus;   /* cached tid */
	brw_word = w;
	return (unsigned)(w & 0xffff);
}

/* The attached CPU, else one borrowed by thread id. Two TLS loads. */
static unsigned h_cpu_id(void *ctx)
{
	struct host *h = ctx;
	if (att_host == h)
		return att_cpu;
	uint64_t w = brw_word;
	if (__builtin_expect(w >> 16 != h->gen, 0))
		return borrow_cpu(h);
	return (unsigned)(w & 0xffff);
}

/* ---- blocking hooks: the only ones; they refuse to block in atomic context ---------- */

static void scheduling_while_atomic(const char *hook)
{
	static const char msg[] = "BUG: scheduling while atomic: labyrinth host ";
	ssize_t w = write(STDERR_FILENO, msg, sizeof(msg) - 1);
	w = write(STDERR_FILENO, hook, strlen(hook));
	w = write(STDERR_FILENO, " refused (not sleeping)\n", 24);
	(void)w;
}

static void h_wait_event(void *ctx, const unsigned *word, unsigned old, uint64_t timeout_ns)
{
	(void)ctx;
	if (!lab_may_sleep()) {
		scheduling_while_atomic("wait_event");
		return;
	}
	if (__atomic_load_n(word, __ATOMIC_ACQUIRE) != old)
		return;
	struct timespec ts = { (time_t)(timeout_ns / 1000000000ull), (long)(timeout_ns % 1000000000ull) };
	syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, old, timeout_ns ? &ts : NULL, NULL, 0);
}

static void h_wake_up(void *ctx, const unsigned *word)
{
	(void)ctx;
	syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}

static void h_sleep(void *ctx, uint64_t timeout_ns)
{
	(void)ctx;
	if (!lab_may_sleep()) {
		scheduling_while_atomic("sleep");
		return;
	}
	if (timeout_ns > 10000000ull)
		timeout_ns = 10000000ull;
	struct timespec ts = { 0, (long)timeout_ns };
	nanosleep(&ts, NULL);
}

/* Migration copy for pages without a direct-map address (highmem): the
 * arena mapping covers the whole memfd, highmem included, so this is one
 * memcpy. Any context; never blocks. */
/* wakeup_kswapd / wakeup_kcompactd: a semaphore post, from any context. */
static void h_wake_kswapd(void *ctx, unsigned order, int highest_zoneidx)
{
	struct host *h = ctx;
	(void)order;
	(void)highest_zoneidx;   /* the core recorded both */
	if (h->bg)               /* NULL once lab_host_destroy stopped the daemons */
		host_background_wake_kswapd(h->bg);
}

static void h_wake_kcompactd(void *ctx, unsigned order, int highest_zoneidx)
{
	struct host *h = ctx;
	(void)order;
	(void)highest_zoneidx;
	if (h->bg)
		host_background_wake_kcompactd(h->bg);
}

static void h_copy_page(void *ctx, lab_pfn_t dst, lab_pfn_t src)
{
	struct host *h = ctx;
	char *a = h->arena;
	memcpy(a + ((size_t)(dst - h->base_pfn) << LAB_PAGE_SHIFT),
	       a + ((size_t)(src - h->base_pfn) << LAB_PAGE_SHIFT), LAB_PAGE_SIZE);
}

/* ---- clock and log ------------------------------------------------------------------ */

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

/* In an interrupt routine we may be inside a signal handler that
 * interrupted stdio: only write(2) is allowed there. */
static int in_signal_context(void)
{
	return lab_in_hardirq() || lab_in_nmi();
}

static FILE *log_file(struct host *h)
{
	return h->log ? h->log : stderr;
}

static void flush_deferred(struct host *h)
{
	int full = DEFERRED_FULL;
	if (!__atomic_compare_exchange_n(&h->deferred_state, &full, DEFERRED_PRINTING, false,
					 __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		return;
	if (!h->quiet)
		lab_report_warn_alloc(log_file(h), &h->deferred, lab_gfp_era_for_kernel(h->deferred.mem.kernel));
	__atomic_store_n(&h->deferred_state, DEFERRED_EMPTY, __ATOMIC_RELEASE);
}

static void h_log(void *ctx, enum lab_log_level level, const char *line)
{
	struct host *h = ctx;
	if (h->log_hook)
		h->log_hook(h->log_hook_arg, level, line);
	if (h->quiet)
		return;
	if (in_signal_context()) {
		ssize_t w = write(h->log_fd, line, strlen(line));
		w = write(h->log_fd, "\n", 1);
		(void)w;
		return;
	}
	flush_deferred(h);
	fprintf(log_file(h), "%s\n", line);
}

static void h_warn_alloc(void *ctx, const struct lab_alloc_failure *f)
{
	struct host *h = ctx;
	if (h->quiet)
		return;
	if (in_signal_context()) {
		/* keep it for process context; a second one meanwhile is dropped
		 * (the core rate-limits these to one per 10 s anyway) */
		int empty = DEFERRED_EMPTY;
		if (__atomic_compare_exchange_n(&h->deferred_state, &empty, DEFERRED_WRITING, false,
						__ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
			memcpy(&h->deferred, f, sizeof(*f));
			__atomic_store_n(&h->deferred_state, DEFERRED_FULL, __ATOMIC_RELEASE);
		}
		return;
	}
	flush_deferred(h);
	lab_report_warn_alloc(log_file(h), f, lab_gfp_era_for_kernel(f->mem.kernel));
}

void lab_host_flush_log(struct lab_mem *mem)
{
	if (in_signal_context())
		return;   /* host_of takes a mutex: not from an interrupt */
	struct host *h = host_of(mem);
	if (h)
		flush_deferred(h);
}

/* ---- instance ------------------------------------------------------------------------ */

/* The instance's own state: log, CPUs, the locks the platform hooks take. */
static struct host *host_new(const struct lab_host_config *cfg)
{
	struct host *h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	h->memfd = -1;
	h->gen = __atomic_add_fetch(&host_gen, 1, __ATOMIC_RELAXED);
	h->t0_ns = mono_ns();
	h->log = cfg->log_file;
	h->log_fd = fileno(log_file(h));
	h->quiet = cfg->quiet;
	h->log_hook = cfg->log_hook;
	h->log_hook_arg = cfg->log_hook_arg;
	h->nr_cpus = cfg->nr_cpus ? cfg->nr_cpus : 1;
	for (int i = 0; i < LAB_MAX_NR_ZONES; i++)
		lab_spin_lock_init(&h->zone_lock[i]);
	for (int i = 0; i < LAB_MAX_CPUS; i++)
		lab_spin_lock_init(&h->pcp[i].lock);
	return h;
}

/* The managed memory: @bytes of a memfd, mapped shared (kmap maps the same
 * file). 0, or -1 with errno set. */
static int host_map_arena(struct host *h, uint64_t bytes)
{
	h->memfd = memfd_create("labyrinth-arena", MFD_CLOEXEC);
	if (h->memfd < 0 || ftruncate(h->memfd, (off_t)bytes) != 0)
		return -1;
	h->arena_bytes = (size_t)bytes;
	h->arena = mmap(NULL, h->arena_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, h->memfd, 0);
	if (h->arena == MAP_FAILED) {
		h->arena = NULL;
		return -1;
	}
	return 0;
}

/* The platform hooks, with the background daemons' wakeups and the kmap
 * pool when @cfg asks for them. 0, or -1 with errno set. */
static int host_platform(struct host *h, const struct lab_host_config *cfg, uint64_t bytes)
{
	h->plat = (struct lab_platform){
		.ctx = h,
		.zone_lock = h_zone_lock,
		.zone_unlock = h_zone_unlock,
		.cpu_id = h_cpu_id,
		.now_ns = h_now_ns,
		.log = h_log,
		.warn_alloc = h_warn_alloc,
		.sleep = h_sleep,
		.pcp_trylock = h_pcp_trylock,
		.pcp_lock = h_pcp_lock,
		.pcp_unlock = h_pcp_unlock,
		.wait_event = h_wait_event,
		.wake_up = h_wake_up,
		.copy_page = h_copy_page,
	};
	h->base_pfn = cfg->phys_base >> LAB_PAGE_SHIFT;
	lab_context_hooks(&h->plat);
	if (cfg->background) {
		h->bg = host_background_new();
		if (!h->bg)
			return -1;
		h->plat.wake_kswapd = h_wake_kswapd;
		h->plat.wake_kcompactd = h_wake_kcompactd;
	}
	if (cfg->highmem_start_bytes && cfg->highmem_start_bytes < bytes) {
		h->kmap = lab_host_kmap_create(h->memfd, cfg->phys_base >> LAB_PAGE_SHIFT,
					       bytes >> LAB_PAGE_SHIFT, cfg->pkmap_slots);
		if (!h->kmap)
			return -1;
		lab_host_kmap_hooks(h->kmap, &h->plat);
	}
	return 0;
}

/* The core's instance over the arena: its metadata, then lab_mem_init.
 * 0, or -1 with errno set. */
static int host_init_mem(struct host *h, const struct lab_host_config *cfg, uint64_t bytes)
{
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
		.nr_cpus = h->nr_cpus,
		.flags = cfg->flags,
		.kernel = cfg->kernel,
		.min_free_kbytes = cfg->min_free_kbytes,
		.platform = &h->plat,
	};
	size_t meta = lab_mem_metadata_bytes(&mc);
	if (!meta) {
		errno = EINVAL;
		return -1;
	}
	/*
	 * Metadata of 512 KiB or more (128 MiB of memory and up) is rounded to
	 * 2 MiB and asked for in transparent huge pages, as Linux maps its
	 * vmemmap with PMDs: an interrupt handler finding cold page
	 * descriptors then walks one TLB entry, not one per 256 descriptors.
	 */
	size_t hp = (size_t)2 << 20, align = 64;
	if (meta >= hp / 4) {
		meta = (meta + hp - 1) & ~(hp - 1);
		align = hp;
	}
	if (posix_memalign(&h->metadata, align, meta) != 0) {
		h->metadata = NULL;
		return -1;
	}
	if (align == hp)
		(void)madvise(h->metadata, meta, MADV_HUGEPAGE);   /* advice: ignored where THP is off */
	mc.metadata = h->metadata;
	mc.metadata_bytes = meta;
	int err = 0;
	h->mem = lab_mem_init(&mc, &err);
	if (!h->mem) {
		errno = EINVAL;
		return -1;
	}
	if (h->bg) {
		int e = host_background_start(h->bg, h->mem);
		if (e) {
			host_background_free(h->bg);
			h->bg = NULL;
			lab_mem_fini(h->mem);
			errno = -e;
			return -1;
		}
	}
	return 0;
}

/* Undoes what the phases of lab_host_create did; errno is kept. */
static void host_free_partial(struct host *h)
{
	int e = errno;
	host_background_free(h->bg);
	free(h->metadata);
	lab_host_kmap_destroy(h->kmap);
	if (h->arena)
		munmap(h->arena, h->arena_bytes);
	if (h->memfd >= 0)
		close(h->memfd);
	free(h);
	errno = e;
}

struct lab_mem *lab_host_create(const struct lab_host_config *cfg)
{
	struct lab_host_config def = { 0 };
	struct host *h;
	if (!cfg)
		cfg = &def;
	uint64_t bytes = cfg->mem_bytes ? cfg->mem_bytes : 256ull << 20;
	if (bytes & (LAB_PAGE_SIZE - 1) || bytes < 16 * LAB_PAGE_SIZE || (cfg->phys_base & (LAB_PAGE_SIZE - 1)) ||
	    cfg->nr_cpus > LAB_MAX_CPUS || (cfg->highmem_start_bytes & (LAB_PAGE_SIZE - 1))) {
		errno = EINVAL;
		return NULL;
	}
	h = host_new(cfg);
	if (!h)
		return NULL;
	if (host_map_arena(h, bytes) != 0 || host_platform(h, cfg, bytes) != 0 ||
	    host_init_mem(h, cfg, bytes) != 0) {
		host_free_partial(h);
		return NULL;
	}
	pthread_mutex_lock(&hosts_lock);
	h->next = hosts;
	hosts = h;
	pthread_mutex_unlock(&hosts_lock);
	return h->mem;
}

void lab_host_destroy(struct lab_mem *mem)
{
	struct host *h = host_of(mem), **pp;
	if (!h)
		return;
	host_background_free(h->bg);   /* the daemons stop before anything goes */
	h->bg = NULL;
	flush_deferred(h);
	if (att_host == h)
		lab_host_cpu_detach(mem);
	if (lab_linux_default() == mem)
		lab_linux_set_default(NULL);
	pthread_mutex_lock(&hosts_lock);
	for (pp = &hosts; *pp && *pp != h; pp = &(*pp)->next)
		;
	if (*pp)
		*pp = h->next;
	pthread_mutex_unlock(&hosts_lock);
	lab_mem_fini(mem);
	lab_host_kmap_destroy(h->kmap);
	munmap(h->arena, h->arena_bytes);
	close(h->memfd);
	free(h->metadata);
	free(h);
}

int lab_host_memfd(struct lab_mem *mem)
{
	struct host *h = host_of(mem);
	return h ? h->memfd : -1;
}

int lab_host_background_stats(struct lab_mem *mem, struct lab_host_background_stats *out)
{
	struct host *h = host_of(mem);
	if (!h || !out)
		return -EINVAL;
	if (!h->bg)
		return -ENOENT;
	host_background_stats(h->bg, out);
	return 0;
}

int lab_host_get_platform(struct lab_mem *mem, struct lab_platform *out)
{
	struct host *h = host_of(mem);
	if (!h || !out)
		return -EINVAL;
	*out = h->plat;
	return 0;
}

/* ---- CPUs ---------------------------------------------------------------------------- */

/* Frees the thread's CPU; with @drain, its per-CPU pages go back first. */
static void release_cpu(struct host *h, bool drain)
{
	if (drain)
		lab_drain_local_pages(h->mem);
	unsigned cpu = att_cpu;
	att_host = NULL;
	__atomic_store_n(&h->cpu_owner[cpu], 0, __ATOMIC_RELEASE);
}

/* Thread exit while attached: detach if the instance still exists. */
static void att_exit(void *arg)
{
	(void)arg;
	struct host *h = att_host, *p;
	if (!h)
		return;
	pthread_mutex_lock(&hosts_lock);
	for (p = hosts; p && p != h; p = p->next)
		;
	pthread_mutex_unlock(&hosts_lock);
	if (p) {
		lab_host_irq_stop(h->mem);
		release_cpu(h, true);
	}
	att_host = NULL;
}

static void att_key_create(void)
{
	if (pthread_key_create(&att_key, att_exit) != 0)
		abort();
}

int lab_host_cpu_attach(struct lab_mem *mem)
{
	struct host *h = host_of(mem);
	if (!h)
		return -EINVAL;
	if (att_host)
		return att_host == h ? (int)att_cpu : -EBUSY;
	int me = h->plat.pid(h->plat.ctx);
	for (unsigned c = 0; c < h->nr_cpus; c++) {
		int free_cpu = 0;
		if (!__atomic_compare_exchange_n(&h->cpu_owner[c], &free_cpu, me, false,
						 __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			continue;
		pthread_once(&att_once, att_key_create);
		pthread_setspecific(att_key, h);
		unsigned long flags = lab_local_irq_save();
		att_cpu = c;
		att_host = h;
		lab_local_irq_restore(flags);
		return (int)c;
	}
	return -EBUSY;
}

void lab_host_cpu_detach(struct lab_mem *mem)
{
	struct host *h = host_of(mem);
	if (!h || att_host != h)
		return;
	lab_host_irq_stop(mem);
	flush_deferred(h);
	release_cpu(h, true);
	pthread_setspecific(att_key, NULL);
}

/* ---- the default instance of labyrinth/linux.h ------------------------------------------ */

static struct lab_mem *linux_default;   /* (a) */

void lab_linux_set_default(struct lab_mem *mem)
{
	__atomic_store_n(&linux_default, mem, __ATOMIC_RELEASE);
}

struct lab_mem *lab_linux_default(void)
{
	return __atomic_load_n(&linux_default, __ATOMIC_ACQUIRE);
}
