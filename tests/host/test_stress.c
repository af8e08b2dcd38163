/* SPDX-License-Identifier: MIT */
/*
 * tests/host/test_stress.c - real threads, real asynchronous interrupts.
 *
 *   thread k (attached to CPU k)             its timer signal, STRESS_HZ
 *   loop for STRESS_MS:                      isr (hardirq, on thread k):
 *     alloc orders 0..3, mixed gfp,            GFP_ATOMIC order 0..3, or free
 *     stamp, verify, free; bulk; kmap;         one of its own blocks; stamp
 *     irq-off and spinlock sections            and verify via kmap_local
 *   ---------------------------------------------------------------------
 *   (kswapd0 and kcompactd0 threads run beside them: .background = 1)
 *   end: stop interrupts, free everything, drain, lab_mem_check() == 0,
 *        free pages == free pages at start, interrupts ran and some were
 *        replayed at local_irq_restore. A watchdog (hostcap, SIGALRM) fails the test
 *        (exit 1) instead of letting a deadlock hang it.
 *
 * Also built with ThreadSanitizer by `make test` (the name matches "stress").
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "util/fixture.h"
#include "util/rng.h"
#include "util/hostcap.h"
#include <labyrinth/host.h>
#include <labyrinth/kmap.h>

#define NR_WORKERS 3
#define STRESS_MS 2500
#define STRESS_HZ 4000
#define WATCHDOG_S 120
#define HELD 64
#define ISR_HELD 16

struct block {
	struct lab_page *page;
	unsigned order;
	uint32_t tag;
};

struct worker {
	struct lab_mem *mem;
	int cpu;
	uint64_t rng, isr_rng;
	uint32_t next_tag;
	struct block held[HELD];
	struct block isr_held[ISR_HELD];
	unsigned long allocs, frees, fails, corrupt;
	unsigned long isr_allocs, isr_frees, isr_fails, isr_corrupt, isr_bad_context;
	unsigned long kmaps, bulk_pages, masked_sections;
	/* 4 KiB pages handed out; the handler keeps its own count (a += in the
	 * thread that the interrupt splits would lose the handler's) */
	unsigned long pages, isr_pages;
	struct lab_irq_stats irq;
	pthread_t thread;
};

/* ThreadSanitizer's settings for the threaded tests: tests/util/tsan.c. */

static int stop_flag;                 /* (a) */


/* Writes/checks @tag in the first and last word of every page of the block,
 * through page_address for lowmem and kmap_local for highmem. */
static int stamp(struct lab_page *p, unsigned order, uint32_t tag, int check)
{
	int bad = 0;
	for (unsigned i = 0; i < (1u << order); i++) {
		struct lab_page *pg = lab_pfn_to_page(lab_page_mem(p), lab_page_to_pfn(p) + i);
		uint32_t *va = lab_kmap_local(pg);
		if (!va)
			return 1;
		uint32_t *last = va + LAB_PAGE_SIZE / sizeof(uint32_t) - 1;
		if (check)
			bad |= va[0] != tag + i || *last != ~(tag + i);
		else {
			va[0] = tag + i;
			*last = ~(tag + i);
		}
		lab_kunmap_local(va);
	}
	return bad;
}

static const lab_gfp_t gfps[] = {
	LAB_GFP_KERNEL, LAB_GFP_ATOMIC, LAB_GFP_NOWAIT, LAB_GFP_HIGHUSER_MOVABLE,
	LAB_GFP_KERNEL | LAB___GFP_ZERO, LAB_GFP_USER | LAB___GFP_COMP, LAB_GFP_DMA32 | LAB_GFP_KERNEL,
	LAB_GFP_KERNEL | LAB___GFP_RECLAIMABLE,
};

static void isr(void *arg)
{
	struct worker *w = arg;
	if (!lab_in_hardirq() || !lab_irqs_disabled() || lab_current_context() != LAB_CTX_HARDIRQ)
		w->isr_bad_context++;
	uint64_t r = test_xorshift64(&w->isr_rng);
	struct block *b = &w->isr_held[r % ISR_HELD];
	if (b->page) {
		w->isr_corrupt += (unsigned long)stamp(b->page, b->order, b->tag, 1);
		lab_free_pages(w->mem, b->page, b->order);
		b->page = NULL;
		w->isr_frees++;
		return;
	}
	unsigned order = (unsigned)(r >> 8) % 4;
	struct lab_page *p = lab_alloc_pages(w->mem, LAB_GFP_ATOMIC | LAB___GFP_NOWARN, order);
	if (!p) {
		w->isr_fails++;
		return;
	}
	b->page = p;
	b->order = order;
	b->tag = (uint32_t)(r >> 16) | 0x80000000u;
	stamp(p, order, b->tag, 0);
	w->isr_allocs++;
	w->isr_pages += 1ul << order;
}

static void release(struct worker *w, struct block *b)
{
	w->corrupt += (unsigned long)stamp(b->page, b->order, b->tag, 1);
	lab_free_pages(w->mem, b->page, b->order);
	b->page = NULL;
	w->frees++;
}

static void one_step(struct worker *w)
{
	uint64_t r = test_xorshift64(&w->rng);
	unsigned what = (unsigned)(r >> 56);
	struct block *b = &w->held[r % HELD];

	if (what < 8) {
		/* an irq-off section: interrupts arriving now are replayed at restore */
		unsigned long flags = lab_local_irq_save();
		struct lab_page *p = lab_alloc_pages(w->mem, LAB_GFP_ATOMIC | LAB___GFP_NOWARN, (unsigned)(r & 3));
		if (p) {
			lab_free_pages(w->mem, p, (unsigned)(r & 3));
			w->pages += 1ul << (r & 3);
		}
		lab_local_irq_restore(flags);
		w->masked_sections++;
	} else if (what < 12) {
		struct lab_page *pages[8] = { 0 };
		unsigned n = lab_alloc_pages_bulk(w->mem, LAB_GFP_KERNEL | LAB___GFP_NOWARN, 8, pages);
		w->bulk_pages += n;
		w->pages += n;
		lab_free_pages_bulk(w->mem, 8, pages);
	} else if (what < 16 && b->page) {
		/* a long-lived mapping of the block's head */
		uint32_t *va = lab_kmap(b->page);
		if (va && *va != b->tag)
			w->corrupt++;
		if (va)
			lab_kunmap(b->page);
		w->kmaps++;
	} else if (b->page) {
		release(w, b);
	} else {
		unsigned order = (unsigned)(r >> 8) % 4;
		lab_gfp_t gfp = gfps[(r >> 16) % (sizeof(gfps) / sizeof(gfps[0]))] | LAB___GFP_NOWARN;
		struct lab_page *p = lab_alloc_pages(w->mem, gfp, order);
		if (!p) {
			w->fails++;
			return;
		}
		b->page = p;
		b->order = order;
		b->tag = w->next_tag += 16;
		stamp(p, order, b->tag, 0);
		w->allocs++;
		w->pages += 1ul << order;
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	w->cpu = lab_host_cpu_attach(w->mem);
	if (w->cpu < 0 || lab_host_irq_start(w->mem, STRESS_HZ, isr, w) != 0)
		return NULL;
	while (!__atomic_load_n(&stop_flag, __ATOMIC_ACQUIRE))
		for (int i = 0; i < 64; i++)
			one_step(w);
	lab_host_irq_stop(w->mem);
	lab_host_irq_stats(&w->irq);
	for (int i = 0; i < HELD; i++)
		if (w->held[i].page)
			release(w, &w->held[i]);
	for (int i = 0; i < ISR_HELD; i++)
		if (w->isr_held[i].page) {
			struct block *b = &w->isr_held[i];
			w->isr_corrupt += (unsigned long)stamp(b->page, b->order, b->tag, 1);
			lab_free_pages(w->mem, b->page, b->order);
			b->page = NULL;
			w->isr_frees++;
		}
	lab_host_cpu_detach(w->mem);
	return NULL;
}


/* PGALLOC over all zones, and PGFREE, from /proc/vmstat's counters. */
static void alloc_free_events(struct lab_mem *m, uint64_t *alloc, uint64_t *freed, uint64_t *migrated)
{
	static struct lab_mem_stats st;
	lab_mem_get_stats(m, &st);
	*alloc = 0;
	for (int z = 0; z < LAB_MAX_NR_ZONES; z++)
		*alloc += st.events[LAB_PGALLOC_DMA + z];
	*freed = st.events[LAB_PGFREE];
	*migrated = st.events[LAB_PGMIGRATE_SUCCESS];
}

static uint64_t total_free(struct lab_mem *m)
{
	static struct lab_mem_stats st;
	uint64_t n = 0;
	lab_mem_get_stats(m, &st);
	for (int z = 0; z < LAB_MAX_NR_ZONES; z++)
		n += st.zone[z].free;
	return n;
}

/* Threads allocating and freeing while their own signal interrupts do GFP_ATOMIC
 * allocations and frees inside the handler: no deadlock, no corruption, no page lost. */
static void test_stress_threads_with_signal_irqs(void **state)
{
	(void)state;
	static struct worker w[NR_WORKERS];
	/* with the kswapd and kcompactd threads: they run beside the workers
	 * (kcompactd looks at the fragmentation score every 500 ms) */
	struct lab_mem *m = lab_host_create(&(struct lab_host_config){ .mem_bytes = 64u << 20,
		.nr_cpus = NR_WORKERS, .highmem_start_bytes = 32u << 20, .quiet = 1, .background = 1 });
	assert_non_null(m);
	uint64_t free_before = total_free(m);
	hostcap_watchdog_arm(WATCHDOG_S);
	for (int i = 0; i < NR_WORKERS; i++) {
		w[i].mem = m;
		w[i].rng = 0x9e3779b97f4a7c15ull * (uint64_t)(i + 1);
		w[i].isr_rng = 0xbf58476d1ce4e5b9ull * (uint64_t)(i + 1);
		w[i].next_tag = (uint32_t)i << 24;
		pthread_create(&w[i].thread, NULL, worker_main, &w[i]);
	}
	usleep(STRESS_MS * 1000);
	__atomic_store_n(&stop_flag, 1, __ATOMIC_RELEASE);
	for (int i = 0; i < NR_WORKERS; i++)
		pthread_join(w[i].thread, NULL);

	lab_drain_all_pages(m);
	int errors = lab_mem_check(m);
	uint64_t free_after = total_free(m);
	unsigned long allocs = 0, isr_allocs = 0, handled = 0, replayed = 0, signals = 0, fails = 0, isr_fails = 0;
	unsigned long overruns = 0, kmaps = 0, masked = 0, pages = 0;
	for (int i = 0; i < NR_WORKERS; i++) {
		assert_true(w[i].cpu >= 0);
		assert_int_equal(w[i].corrupt, 0);
		assert_int_equal(w[i].isr_corrupt, 0);
		assert_int_equal(w[i].isr_bad_context, 0);
		assert_int_equal(w[i].allocs, w[i].frees);
		assert_int_equal(w[i].isr_allocs, w[i].isr_frees);
		assert_true(w[i].isr_allocs > 0);
		allocs += w[i].allocs;
		isr_allocs += w[i].isr_allocs;
		handled += w[i].irq.handled;
		replayed += w[i].irq.replayed;
		signals += w[i].irq.signals;
		fails += w[i].fails;
		isr_fails += w[i].isr_fails;
		overruns += w[i].irq.overruns;
		kmaps += w[i].kmaps;
		masked += w[i].masked_sections;
		pages += w[i].pages + w[i].isr_pages;
	}
	printf("stress: %d threads, %d ms, %d Hz: %lu allocs (%lu failed), %lu in interrupts (%lu failed), "
	       "%lu kmaps, %lu irq-off sections; %lu interrupt signals (+%lu ticks merged by the kernel), "
	       "%lu routine runs, %lu replayed at local_irq_restore\n",
	       NR_WORKERS, STRESS_MS, STRESS_HZ, allocs, fails, isr_allocs, isr_fails, kmaps, masked, signals,
	       overruns, handled, replayed);
	assert_int_equal(errors, 0);
	assert_int_equal(free_after, free_before);
	/* the counters, kept per CPU and per pcp by concurrent CPUs and their
	 * interrupts, lose nothing: every page handed out is counted once, and
	 * every page came back. (A compaction target is not an allocation but
	 * its source is freed: pgfree = pgalloc + pages migrated.) */
	uint64_t ev_alloc, ev_free, migrated;
	alloc_free_events(m, &ev_alloc, &ev_free, &migrated);
	printf("stress: pgalloc %llu, pgfree %llu, pages handed out %lu, migrated %llu\n",
	       (unsigned long long)ev_alloc, (unsigned long long)ev_free, pages, (unsigned long long)migrated);
	assert_int_equal(ev_alloc, pages);
	assert_int_equal(ev_free, ev_alloc + migrated);
	assert_true(replayed > 0);
	hostcap_watchdog_disarm();
	lab_host_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stress_threads_with_signal_irqs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
