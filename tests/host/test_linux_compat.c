/* SPDX-License-Identifier: MIT */
/*
 * tests/host/test_linux_compat.c - a small "driver" written only with
 * Linux's names (labyrinth/linux.h) compiles and runs unchanged: an RX ring
 * refilled from process context with GFP_KERNEL and from its interrupt
 * handler with GFP_ATOMIC, under spin_lock_irqsave, copying "packets" into
 * highmem buffers through kmap_local_page.
 */
#include <string.h>
#include "util/fixture.h"
#include "util/hostcap.h"
#include <labyrinth/host.h>
#include <labyrinth/kmap.h>
#include <labyrinth/linux.h>

static int setup(void **state)
{
	(void)state;
	hostcap_watchdog_arm(HOSTCAP_WATCHDOG_S);
	struct lab_mem *m = lab_host_create(&(struct lab_host_config){ .mem_bytes = 16u << 20, .nr_cpus = 1,
		.highmem_start_bytes = 8u << 20, .quiet = 1 });
	assert_non_null(m);
	lab_linux_set_default(m);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	struct lab_mem *m = lab_linux_default();
	assert_int_equal(lab_mem_check(m), 0);
	lab_host_destroy(m);
	hostcap_watchdog_disarm();
	return 0;
}

/* ---- the driver: kernel API only from here ... ------------------------------------ */
#define RING_SIZE 16

struct rx_ring {
	spinlock_t lock;
	struct page *buf[RING_SIZE];
	unsigned int head, tail;
	unsigned long packets, drops, not_in_irq;
};

static int rx_refill(struct rx_ring *r, gfp_t gfp)
{
	unsigned long flags;
	int n = 0;

	spin_lock_irqsave(&r->lock, flags);
	while (r->head - r->tail < RING_SIZE) {
		struct page *page = alloc_pages(gfp | __GFP_HIGHMEM | __GFP_NOWARN, 0);
		if (!page)
			break;
		r->buf[r->head++ % RING_SIZE] = page;
		n++;
	}
	spin_unlock_irqrestore(&r->lock, flags);
	return n;
}

static void rx_interrupt(void *data)
{
	struct rx_ring *r = data;
	struct page *page = NULL;

	if (!in_interrupt() || !irqs_disabled())
		r->not_in_irq++;
	spin_lock(&r->lock);
	if (r->head != r->tail)
		page = r->buf[r->tail++ % RING_SIZE];
	spin_unlock(&r->lock);
	if (!page) {
		r->drops++;
		return;
	}
	char *va = kmap_local_page(page);
	memcpy(va, "packet", 7);
	kunmap_local(va);
	__free_page(page);
	r->packets++;
	rx_refill(r, GFP_ATOMIC);
}

static void rx_ring_free(struct rx_ring *r)
{
	while (r->tail != r->head)
		__free_page(r->buf[r->tail++ % RING_SIZE]);
}
/* ---- ... to here ------------------------------------------------------------------- */

/* The driver refills from process context and from its interrupt (highmem buffers), without drops or leaks. */
static void test_linux_compat_driver_runs(void **state)
{
	(void)state;
	static struct rx_ring ring = { .lock = LAB_SPINLOCK_INIT };
	static struct lab_page *low[4096];
	struct lab_mem *m = lab_linux_default();
	struct lab_page *p;
	int nlow = 0, high = 0;
	/* take the lowmem away so that the ring's buffers are highmem pages */
	while (nlow < 4096 && (p = lab_alloc_pages(m, LAB_GFP_HIGHUSER | LAB___GFP_NOWARN, 0))) {
		if (!lab_page_address(p)) {
			lab_free_pages(m, p, 0);
			break;
		}
		low[nlow++] = p;
	}
	assert_int_equal(rx_refill(&ring, GFP_KERNEL), RING_SIZE);
	assert_int_equal(lab_host_irq_start(m, 0, rx_interrupt, &ring), 0);
	for (int i = 0; i < 100; i++)
		assert_int_equal(lab_host_irq_raise(m), 0);
	lab_host_irq_stop(m);
	assert_int_equal(ring.packets, 100);
	assert_int_equal(ring.drops, 0);
	assert_int_equal(ring.not_in_irq, 0);
	assert_int_equal(ring.head - ring.tail, RING_SIZE);
	for (unsigned i = 0; i < RING_SIZE; i++)
		high += page_address(ring.buf[i]) == NULL;
	assert_true(high > 0);
	rx_ring_free(&ring);
	while (nlow)
		lab_free_pages(m, low[--nlow], 0);
}

/* The Linux names carry Linux 6.1's values. */
static void test_linux_compat_values(void **state)
{
	(void)state;
	assert_int_equal(GFP_ATOMIC, 0xa20);
	assert_int_equal(GFP_KERNEL, 0xcc0);
	assert_int_equal(GFP_NOWAIT, 0x800);
	assert_int_equal(__GFP_ZERO, 0x100);
	assert_int_equal(PAGE_SIZE, 4096);
	assert_int_equal(MAX_ORDER, 11);
	assert_true(gfpflags_allow_blocking(GFP_KERNEL));
	assert_false(gfpflags_allow_blocking(GFP_ATOMIC));
}

/* Address and pfn conversions round-trip; get_zeroed_page is zeroed. */
static void test_linux_compat_conversions(void **state)
{
	(void)state;
	unsigned long addr = __get_free_pages(GFP_KERNEL, 2);
	assert_true(addr != 0);
	struct page *page = virt_to_page((void *)addr);
	assert_ptr_equal(page_address(page), (void *)addr);
	assert_ptr_equal(pfn_to_page(page_to_pfn(page)), page);
	assert_int_equal(page_to_phys(page), (lab_phys_t)page_to_pfn(page) << PAGE_SHIFT);
	free_pages(addr, 2);
	unsigned long z = get_zeroed_page(GFP_KERNEL);
	for (size_t i = 0; i < PAGE_SIZE; i++)
		assert_int_equal(((unsigned char *)z)[i], 0);
	free_page(z);
	struct page *c = alloc_pages(GFP_KERNEL | __GFP_COMP, 3);
	assert_int_equal(compound_order(c), 3);
	__free_pages(c, 3);
}

/* local_irq_save, spin locks, bh and preempt regions read back through the Linux macros. */
static void test_linux_compat_context_macros(void **state)
{
	(void)state;
	static DEFINE_SPINLOCK(lock);
	unsigned long flags;
	local_irq_save(flags);
	assert_true(irqs_disabled());
	local_irq_restore(flags);
	assert_false(irqs_disabled());
	spin_lock(&lock);
	assert_true(in_atomic());
	assert_false(in_interrupt());
	spin_unlock(&lock);
	spin_lock_bh(&lock);
	assert_true(in_softirq() && in_interrupt() && !in_serving_softirq());
	spin_unlock_bh(&lock);
	preempt_disable();
	assert_int_equal(preempt_count(), 1);
	preempt_enable();
	assert_true(in_task() && !in_atomic());
}

/* kmap_atomic/kunmap_atomic take any pointer type, as Linux's macros do. */
static void test_linux_compat_kmap_atomic_typed(void **state)
{
	(void)state;
	struct page *page = alloc_page(GFP_HIGHUSER);
	unsigned int *words = kmap_atomic(page);
	assert_non_null(words);
	words[3] = 42;
	assert_true(in_atomic());
	kunmap_atomic(words);
	assert_false(in_atomic());
	void *again = kmap(page);
	assert_int_equal(((unsigned int *)again)[3], 42);
	kunmap(page);
	__free_page(page);
}

/* Without a default instance the calls fail cleanly instead of crashing. */
static void test_linux_compat_no_default_fails_cleanly(void **state)
{
	(void)state;
	struct lab_mem *m = lab_linux_default();
	lab_linux_set_default(NULL);
	assert_null(alloc_pages(GFP_KERNEL, 0));
	assert_int_equal(__get_free_page(GFP_KERNEL), 0);
	free_page(0);
	lab_linux_set_default(m);
}

/* A page_pool driver in Linux's names: NAPI poll (softirq) allocates pages
 * and fragments, recycles some directly, the rest come back through
 * page_pool_put_full_page from process context; page_pool_get_stats adds
 * the ethtool counters; page_pool_destroy releases everything. */
struct napi {
	struct page_pool *pool;
	struct page *kept;
};

static void napi_poll(void *arg)
{
	struct napi *n = arg;
	unsigned int off;
	struct page *p = page_pool_dev_alloc_pages(n->pool);
	struct page *f = page_pool_dev_alloc_frag(n->pool, &off, 2048);
	assert_non_null(p);
	assert_non_null(f);
	assert_int_equal(page_pool_get_dma_addr(p), page_to_phys(p));
	page_pool_recycle_direct(n->pool, p);
	page_pool_put_page(n->pool, f, -1, 1);
	n->kept = page_pool_alloc_pages(n->pool, GFP_ATOMIC);
	memset(page_address(n->kept), 0xab, PAGE_SIZE);
}

static void test_linux_compat_page_pool(void **state)
{
	(void)state;
	static char mem[64 * 1024] __attribute__((aligned(64)));
	struct page_pool_params pp = { .flags = PP_FLAG_DMA_MAP, .order = 0, .pool_size = 256, .cpu = 0,
				       .memory = mem, .memory_bytes = sizeof(mem) };
	struct page_pool *pool = page_pool_create(&pp);
	assert_non_null(pool);
	struct napi n = { pool, NULL };
	assert_int_equal(lab_host_cpu_attach(lab_linux_default()), 0);
	lab_do_softirq(napi_poll, &n);
	assert_non_null(n.kept);
	page_pool_put_full_page(pool, n.kept, 0);          /* process context: the ring */
	struct page_pool_stats st = { 0 };
	assert_true(page_pool_get_stats(pool, &st));
	assert_true(page_pool_get_stats(pool, &st));          /* accumulates, as Linux's */
	assert_int_equal(st.alloc_stats.slow, 2);
	assert_int_equal(st.recycle_stats.cached, 2);
	assert_int_equal(st.recycle_stats.ring, 2);
	page_pool_destroy(pool);
	assert_true(lab_page_pool_released(pool));
	lab_host_cpu_detach(lab_linux_default());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_linux_compat_driver_runs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_linux_compat_values, setup, teardown),
		cmocka_unit_test_setup_teardown(test_linux_compat_conversions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_linux_compat_context_macros, setup, teardown),
		cmocka_unit_test_setup_teardown(test_linux_compat_kmap_atomic_typed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_linux_compat_no_default_fails_cleanly, setup, teardown),
		cmocka_unit_test_setup_teardown(test_linux_compat_page_pool, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
