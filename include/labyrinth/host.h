/* SPDX-License-Identifier: MIT */
/*
 * labyrinth/host.h - a ready-made POSIX (Linux) instance with real threads
 * and real asynchronous interrupts:
 *
 *   memfd arena ----mmap----> direct map (lowmem: page_address)
 *        |                    highmem (above highmem_start_bytes): no address,
 *        +----mmap(FIXED)---> kmap slots (docs/mapping.md)
 *   threads ----attach-----> CPUs 0..nr_cpus-1 (cpu_id, per-CPU lists)
 *   per-thread timer signal -> "interrupt" routine in hardirq context
 *   zone/pcp/kmap locks ----> spinlocks with soft irqsave (docs/isr-safety.md)
 *   log lines --------------> stderr, a FILE or a callback; failure records
 *                             in the kernel's warn_alloc format
 *
 * Context tracking, soft interrupt masking and spinlocks are declared in
 * labyrinth/context.h (included here).
 */
#ifndef LABYRINTH_HOST_H
#define LABYRINTH_HOST_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <labyrinth/labyrinth.h>
#include <labyrinth/context.h>

#ifdef __cplusplus
extern "C" {
#endif

struct lab_host_config {
	uint64_t mem_bytes;             /* arena size; default 256 MiB */
	lab_phys_t phys_base;           /* physical address of the arena's first byte; default 0 */
	unsigned nr_cpus;               /* default 1 */
	uint64_t highmem_start_bytes;   /* offset from phys_base; 0 = no highmem */
	unsigned pageblock_order;       /* 0 = 9 */
	unsigned flags;                 /* LAB_CFG_* */
	enum lab_kernel kernel;         /* 0 = LAB_KERNEL_DEFAULT_PROFILE */
	int min_free_kbytes;            /* 0 = Linux default */
	uint64_t movable_bytes;
	lab_phys_t zone_dma_limit, zone_dma32_limit;  /* 0 = 16 MiB / 4 GiB */
	const struct lab_range *reserved; /* physical ranges to reserve */
	unsigned nr_reserved;
	/* Where log lines and failure reports go; NULL = stderr. */
	FILE *log_file;
	/* Silence log output entirely (tests). */
	int quiet;
	/* Optional: also receive each log line. May be called from an
	 * interrupt routine, i.e. inside a signal handler: it must be
	 * async-signal-safe (copy the line; no stdio, no malloc, no locks). */
	void (*log_hook)(void *arg, enum lab_log_level level, const char *line);
	void *log_hook_arg;
	/* kmap() pool size (LAST_PKMAP) when highmem is on; 0 = LAB_HOST_PKMAP_SLOTS. */
	unsigned pkmap_slots;
	/*
	 * Run kswapd and kcompactd: two threads ("kswapd0", "kcompactd0")
	 * that allocations wake (from any context: the wake only posts a
	 * semaphore) and that reclaim to the high watermark and compact in
	 * the background, as Linux's per-node daemons (src/host/background.c).
	 * They call page owners' and shrinkers' operations, which must then
	 * be thread-safe. 0 = no daemons: reclaim happens only in blocking
	 * allocations, and the embedder may drive lab_kswapd_balance_once().
	 */
	int background;
};

/* What the background threads did (lab_host_background_stats). */
struct lab_host_background_stats {
	unsigned long kswapd_wakeups;     /* wake_kswapd calls */
	unsigned long kswapd_runs;        /* sleeps that ended in work */
	unsigned long kcompactd_wakeups;
	unsigned long kcompactd_runs;
};

#define LAB_HOST_PKMAP_SLOTS 64

/* Creates the arena and the instance. NULL (with errno set) on failure. */
struct lab_mem *lab_host_create(const struct lab_host_config *cfg);
void lab_host_destroy(struct lab_mem *mem);
/* The arena's memfd (for mapping pages a second time), or -1. */
int lab_host_memfd(struct lab_mem *mem);

/*
 * Process context only (not from an interrupt routine), like every
 * lab_host_* call below except lab_host_irq_stats().
 *
 * The calling thread becomes one of the instance's CPUs: cpu_id() returns
 * it and the per-CPU lists of that CPU are its own. Returns the CPU number,
 * -EBUSY when every CPU has a thread (or the thread is attached to another
 * instance), -EINVAL for a foreign @mem. Attaching again returns the same
 * CPU. A thread that is not attached borrows CPU (thread id % nr_cpus):
 * correct, because per-CPU lists are locked, but it contends.
 */
int lab_host_cpu_attach(struct lab_mem *mem);
/* Stops the thread's interrupt, gives this CPU's per-CPU pages back
 * (drain_local_pages, as CPU offlining does) and frees the CPU. Thread exit
 * does the same. */
void lab_host_cpu_detach(struct lab_mem *mem);

/*
 * Periodic asynchronous interrupt on the calling thread: a POSIX timer
 * (SIGEV_THREAD_ID) sends lab_host_irq_signal() to this thread @hz times a
 * second; the handler runs @isr(@arg) on the interrupted thread in hardirq
 * context with interrupts disabled - unless the thread has interrupts
 * disabled (any irqsave lock, local_irq_save), in which case @isr runs at
 * the local_irq_restore that enables them. @hz 0: no timer, only
 * lab_host_irq_raise(). One interrupt per thread: -EBUSY if one is set;
 * -EINVAL for a NULL @isr or @hz > 1000000; else 0. @isr may call
 * everything that is callable from interrupt context (GFP_ATOMIC
 * allocations, frees, kmap_local) and must not call anything else: no
 * stdio, no malloc, no sleeping allocations (they are reported).
 */
int lab_host_irq_start(struct lab_mem *mem, unsigned hz, void (*isr)(void *arg), void *arg);
/* Stops the calling thread's interrupt (a tick already in flight is ignored). */
void lab_host_irq_stop(struct lab_mem *mem);
/* Sends the interrupt to the calling thread now (pthread_kill): it runs before
 * this returns, or at local_irq_restore when interrupts are disabled. */
int lab_host_irq_raise(struct lab_mem *mem);
/* The real-time signal used for interrupts (SIGRTMIN + 4). */
int lab_host_irq_signal(void);

/* Interrupt statistics of the calling thread. */
struct lab_irq_stats {
	unsigned long signals;          /* interrupt signals received */
	unsigned long handled;          /* routine runs */
	unsigned long deferred;         /* signals that found interrupts disabled */
	unsigned long replayed;         /* routine runs at local_irq_restore */
	unsigned long stray;            /* signals with no routine registered */
	unsigned long overruns;         /* timer ticks the kernel merged into one signal */
};
void lab_host_irq_stats(struct lab_irq_stats *out);

/* Prints the failure record an interrupt routine left for process context
 * (an interrupt cannot use stdio). Also done by detach, destroy and before
 * the next log line printed from process context. */
void lab_host_flush_log(struct lab_mem *mem);
/* The background threads' counters; -EINVAL for a foreign @mem, -ENOENT
 * when the instance runs none (config .background = 0). */
int lab_host_background_stats(struct lab_mem *mem, struct lab_host_background_stats *out);
/* Copies the instance's platform (to build a variant for tests). -EINVAL
 * for a foreign @mem. */
int lab_host_get_platform(struct lab_mem *mem, struct lab_platform *out);

/*
 * Building blocks of lab_host_create's highmem mappings, for embedders who
 * assemble their own platform over a memfd arena (docs/mapping.md): pages
 * [@base_pfn, @base_pfn + @nr_pages) are the memfd's offsets 0.. .
 */
struct lab_host_kmap;
struct lab_host_kmap *lab_host_kmap_create(int memfd, lab_pfn_t base_pfn, lab_pfn_t nr_pages,
					   unsigned pkmap_slots);
void lab_host_kmap_destroy(struct lab_host_kmap *km);
/* Sets plat->kmap_ctx and the kmap hooks. */
void lab_host_kmap_hooks(struct lab_host_kmap *km, struct lab_platform *plat);
/* Address of kmap_local slot @idx of the calling thread (NULL before its
 * first highmem kmap_local): slot i = slot 0 + i pages (vector P7). */
void *lab_host_kmap_local_slot(unsigned idx);

#ifdef __cplusplus
}
#endif
#endif
