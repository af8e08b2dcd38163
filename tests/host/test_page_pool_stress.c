/* SPDX-License-Identifier: MIT */
/*
 * tests/host/test_page_pool_stress.c - page_pool under real concurrency.
 *
 *   owner thread (CPU 0)                  its timer signal (hardirq, the pool's
 *     process context: puts pages           owning context, LAB_PP_FLAG_HARDIRQ):
 *     the interrupt left it (ring)          "NAPI poll": allocate pages and
 *                                           fragments, stamp them, recycle some
 *   remote threads (CPUs 1, 2)              directly, hand the rest to the
 *     take pages from their queue,          remote threads' queues or to the
 *     check the stamp, put them             owner thread
 *     (ring, or the allocator when full)
 *   ------------------------------------------------------------------------
 *   end: interrupts stopped, every page put, destroy: the pool is released,
 *        no stamp was overwritten while a page was out, lab_mem_check() == 0,
 *        free pages as at the start. A watchdog fails a deadlock.
 *
 * Also run under ThreadSanitizer by `make test-tsan` (the name matches "stress").
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
#include <labyrinth/context.h>
#include <labyrinth/page_pool.h>

#define NR_REMOTE 2
#define STRESS_MS 2000
#define STRESS_HZ 4000
#define WATCHDOG_S 120
#define QLEN 256                      /* per consumer queue, power of 2 */
#define RX_BURST 8
#define FRAG 1024

struct buf {
	struct lab_page *page;
	uint32_t offset;
	uint32_t tag;
};

/* single-producer (the interrupt) single-consumer queue */
struct queue {
	struct buf slot[QLEN];
	unsigned head, tail;          /* (a) */
};

struct consumer {
	struct queue q;
	unsigned long puts, corrupt, refused;
	pthread_t thread;
	int cpu;
};

static struct lab_mem *mem;
static struct lab_page_pool *pool;
static struct consumer remote[NR_REMOTE], owner_q;   /* owner_q: the owner thread's own queue */
static uint64_t isr_rng = 0x9e3779b97f4a7c15ull;
static unsigned long isr_allocs, isr_frags, isr_direct, isr_fail, isr_corrupt, isr_bad_ctx, isr_runs;
static uint32_t next_tag = 1;
static int stop_flag;                  /* (a) */


static uint32_t *buf_words(const struct buf *b)
{
	return (uint32_t *)(void *)((char *)lab_page_address(b->page) + b->offset);
}

/* The first and last word of the buffer carry its tag while it is out. */
static void stamp(const struct buf *b, unsigned len)
{
	uint32_t *w = buf_words(b);
	w[0] = b->tag;
	w[len / 4 - 1] = ~b->tag;
}

static int stamp_ok(const struct buf *b, unsigned len)
{
	const uint32_t *w = buf_words(b);
	return w[0] == b->tag && w[len / 4 - 1] == ~b->tag;
}

static int q_push(struct queue *q, struct buf b)
{
	unsigned t = __atomic_load_n(&q->tail, __ATOMIC_RELAXED);
	if (t - __atomic_load_n(&q->head, __ATOMIC_ACQUIRE) == QLEN)
		return 0;
	q->slot[t & (QLEN - 1)] = b;
	__atomic_store_n(&q->tail, t + 1, __ATOMIC_RELEASE);
	return 1;
}

static int q_pop(struct queue *q, struct buf *b)
{
	unsigned h = __atomic_load_n(&q->head, __ATOMIC_RELAXED);
	if (h == __atomic_load_n(&q->tail, __ATOMIC_ACQUIRE))
		return 0;
	*b = q->slot[h & (QLEN - 1)];
	__atomic_store_n(&q->head, h + 1, __ATOMIC_RELEASE);
	return 1;
}

/* The pool's NAPI poll, in the owning CPU's interrupt: a burst of RX
 * buffers, each a full page or a fragment; one in four recycled at once
 * (XDP_DROP), the rest handed to a consumer. */
static void napi_poll(void *arg)
{
	(void)arg;
	isr_runs++;
	if (!lab_in_hardirq())
		isr_bad_ctx++;
	for (int i = 0; i < RX_BURST; i++) {
		uint64_t r = test_xorshift64(&isr_rng);
		struct buf b = { 0 };
		if (r & 1) {
			b.page = lab_page_pool_alloc_frag(pool, &b.offset, FRAG, LAB_GFP_ATOMIC | LAB___GFP_NOWARN);
			isr_frags += b.page != NULL;
		} else {
			b.page = lab_page_pool_alloc_pages(pool, LAB_GFP_ATOMIC | LAB___GFP_NOWARN);
			isr_allocs += b.page != NULL;
		}
		if (!b.page) {
			isr_fail++;
			continue;
		}
		b.tag = next_tag++;
		stamp(&b, FRAG);
		unsigned where = (unsigned)(r >> 8) % 8;
		struct queue *q = where < 6 ? &remote[where % NR_REMOTE].q : &owner_q.q;
		if (where == 7 || !q_push(q, b)) {
			isr_corrupt += !stamp_ok(&b, FRAG);
			if (lab_page_pool_recycle_direct(pool, b.page) == 0)
				isr_direct++;
		}
	}
}

static void drain_queue(struct consumer *c)
{
	struct buf b;
	while (q_pop(&c->q, &b)) {
		c->corrupt += !stamp_ok(&b, FRAG);
		if (lab_page_pool_put_page(pool, b.page, 0) == 0)
			c->puts++;
		else
			c->refused++;
	}
}

static void *remote_main(void *arg)
{
	struct consumer *c = arg;
	c->cpu = lab_host_cpu_attach(mem);
	while (!__atomic_load_n(&stop_flag, __ATOMIC_ACQUIRE))
		drain_queue(c);
	return NULL;
}

static void *owner_main(void *arg)
{
	struct consumer *c = arg;
	__atomic_store_n(&c->cpu, lab_host_cpu_attach(mem), __ATOMIC_RELEASE);
	while (!__atomic_load_n(&pool, __ATOMIC_ACQUIRE))
		usleep(1000);
	if (lab_host_irq_start(mem, STRESS_HZ, napi_poll, NULL) != 0)
		return NULL;
	while (!__atomic_load_n(&stop_flag, __ATOMIC_ACQUIRE))
		drain_queue(c);                   /* process context on the owning CPU: the ring */
	lab_host_irq_stop(mem);
	return NULL;
}


/* The owning CPU's interrupt allocates and recycles while two other CPUs
 * and the owner's own process context return pages through the ring: no
 * buffer is handed out twice, nothing is lost, the pool is released. */
static void test_page_pool_stress_irq_owner_and_remote_puts(void **state)
{
	(void)state;
	mem = lab_host_create(&(struct lab_host_config){ .mem_bytes = 64u << 20, .nr_cpus = 1 + NR_REMOTE,
							 .quiet = 1 });
	assert_non_null(mem);
	uint64_t free_before = lab_mem_free_pages(mem, 1);
	hostcap_watchdog_arm(WATCHDOG_S);
	/* the owner thread attaches first; the pool belongs to its CPU */
	owner_q.cpu = -2;
	pthread_create(&owner_q.thread, NULL, owner_main, &owner_q);
	while (__atomic_load_n(&owner_q.cpu, __ATOMIC_ACQUIRE) == -2)
		usleep(1000);
	assert_true(owner_q.cpu >= 0);
	struct lab_page_pool_params p = { .flags = LAB_PP_FLAG_HARDIRQ | LAB_PP_FLAG_DMA_MAP, .order = 0,
					  .pool_size = 256, .cpu = (unsigned)owner_q.cpu };
	p.memory_bytes = lab_page_pool_bytes(&p);
	p.memory = aligned_alloc(64, (p.memory_bytes + 63) & ~(size_t)63);
	struct lab_page_pool *created = lab_page_pool_create(mem, &p, NULL);
	assert_non_null(created);
	__atomic_store_n(&pool, created, __ATOMIC_RELEASE);
	for (int i = 0; i < NR_REMOTE; i++)
		pthread_create(&remote[i].thread, NULL, remote_main, &remote[i]);
	usleep(STRESS_MS * 1000);
	__atomic_store_n(&stop_flag, 1, __ATOMIC_RELEASE);
	pthread_join(owner_q.thread, NULL);        /* its interrupt is stopped: nothing more is queued */
	for (int i = 0; i < NR_REMOTE; i++) {
		pthread_join(remote[i].thread, NULL);
		drain_queue(&remote[i]);
	}
	drain_queue(&owner_q);
	assert_int_equal(lab_page_pool_check(pool), 0);
	/* the fragment page the interrupt was cutting, and the direct cache */
	assert_int_equal(lab_page_pool_destroy(pool), 0);
	struct lab_page_pool_stats s;
	lab_page_pool_get_stats(pool, &s);
	unsigned long puts = owner_q.puts, corrupt = owner_q.corrupt, refused = owner_q.refused;
	for (int i = 0; i < NR_REMOTE; i++) {
		puts += remote[i].puts;
		corrupt += remote[i].corrupt;
		refused += remote[i].refused;
	}
	printf("page_pool stress: %lu interrupts, %lu pages + %lu fragments (%lu failed), %lu recycled direct, "
	       "%lu put by other contexts; fast %llu slow %llu empty %llu refill %llu, cached %llu cache_full %llu "
	       "ring %llu ring_full %llu released %llu\n",
	       isr_runs, isr_allocs, isr_frags, isr_fail, isr_direct, puts,
	       (unsigned long long)s.alloc_stats.fast, (unsigned long long)s.alloc_stats.slow,
	       (unsigned long long)s.alloc_stats.empty, (unsigned long long)s.alloc_stats.refill,
	       (unsigned long long)s.recycle_stats.cached, (unsigned long long)s.recycle_stats.cache_full,
	       (unsigned long long)s.recycle_stats.ring, (unsigned long long)s.recycle_stats.ring_full,
	       (unsigned long long)s.recycle_stats.released_refcnt);
	assert_int_equal(isr_bad_ctx, 0);
	assert_int_equal(corrupt + isr_corrupt, 0);
	assert_int_equal(refused, 0);
	assert_int_equal(isr_direct + puts, isr_allocs + isr_frags);
	assert_true(isr_runs > 0 && s.recycle_stats.ring > 0 && s.alloc_stats.refill > 0);
	assert_true(lab_page_pool_released(pool));
	assert_int_equal(lab_page_pool_inflight(pool, 0), 0);
	lab_drain_all_pages(mem);
	assert_int_equal(lab_mem_check(mem), 0);
	assert_int_equal(lab_mem_free_pages(mem, 1), free_before);
	hostcap_watchdog_disarm();
	lab_host_destroy(mem);
	free(p.memory);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_page_pool_stress_irq_owner_and_remote_puts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
