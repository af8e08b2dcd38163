/* SPDX-License-Identifier: MIT */
/*
 * tests/host/test_kmap.c - the mapping layer on the host: vectors P1-P7,
 * every misuse class (16th nesting, out-of-order unmap, unmap of what is
 * not mapped, kmap in atomic context), the pkmap pool's counting, waiting
 * and flushing, and real mappings: bytes written through one mapping are
 * read through another mapping of the same memfd page.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "util/fixture.h"
#include "util/hostcap.h"
#include <labyrinth/host.h>
#include <labyrinth/kmap.h>

/* 16 MiB, highmem above 8 MiB, a pool of @slots kmap slots. */
static struct lab_mem *new_host(unsigned slots, unsigned flags)
{
	hostcap_reset();
	struct lab_mem *m = lab_host_create(&(struct lab_host_config){ .mem_bytes = 16u << 20, .nr_cpus = 1,
		.quiet = 1, .log_hook = hostcap_hook, .highmem_start_bytes = 8u << 20, .pkmap_slots = slots,
		.flags = flags });
	assert_non_null(m);
	return m;
}

/* An order-0 page below (@high 0) or above (@high 1) the highmem boundary;
 * pages of the other kind met on the way are given back. */
static struct lab_page *alloc_side(struct lab_mem *m, int high)
{
	static struct lab_page *other[4096];
	struct lab_page *p;
	int n = 0;
	while ((p = lab_alloc_pages(m, LAB_GFP_HIGHUSER | LAB___GFP_NOWARN, 0)) &&
	       (lab_page_address(p) == NULL) != high && n < 4096)
		other[n++] = p;
	while (n)
		lab_free_pages(m, other[--n], 0);
	assert_non_null(p);
	assert_true((lab_page_address(p) == NULL) == high);
	return p;
}

static struct lab_page *alloc_low(struct lab_mem *m)
{
	return alloc_side(m, 0);
}

static struct lab_page *alloc_high(struct lab_mem *m)
{
	return alloc_side(m, 1);
}

/* The same physical page through an independent mapping of the memfd. */
static unsigned char *second_mapping(struct lab_mem *m, struct lab_page *p)
{
	lab_pfn_t base, end;
	lab_mem_span(m, &base, &end);
	void *va = mmap(NULL, LAB_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, lab_host_memfd(m),
			(off_t)((lab_page_to_pfn(p) - base) << LAB_PAGE_SHIFT));
	assert_true(va != MAP_FAILED);
	return va;
}

/* P1: kmap_local of a lowmem page is page_address and uses no slot. */
static void test_kmap_local_lowmem_is_page_address(void **state)
{
	(void)state;
	struct lab_mem *m = new_host(0, 0);
	struct lab_page *p = alloc_low(m);
	void *va = lab_kmap_local(p);
	assert_ptr_equal(va, lab_page_address(p));
	assert_int_equal(lab_kmap_local_depth(m), 0);
	assert_int_equal(lab_preempt_count(), 0);
	lab_kunmap_local(va);   /* a no-op, not a misuse */
	assert_int_equal(hostcap_lines(), 0);
	lab_free_pages(m, p, 0);
	lab_host_destroy(m);
}

/* P1 for kmap(): a lowmem page takes no pkmap slot. */
static void test_kmap_lowmem_uses_no_slot(void **state)
{
	(void)state;
	struct lab_mem *m = new_host(4, 0);
	struct lab_page *p = alloc_low(m);
	assert_ptr_equal(lab_kmap(p), lab_page_address(p));
	const struct lab_pkmap *pool = lab_kmap_pool(m);
	for (unsigned i = 0; i < pool->nr; i++)
		assert_int_equal(pool->slot[i].count, 0);
	lab_kunmap(p);
	assert_int_equal(hostcap_lines(), 0);
	lab_free_pages(m, p, 0);
	lab_host_destroy(m);
}

/* Real mapping: bytes written through kmap_local are read through a second mapping, and back. */
static void test_kmap_local_real_mapping_round_trip(void **state)
{
	(void)state;
	struct lab_mem *m = new_host(0, 0);
	struct lab_page *p = alloc_high(m);
	unsigned char *va = lab_kmap_local(p);
	assert_non_null(va);
	unsigned char *other = second_mapping(m, p);
	assert_ptr_not_equal(va, other);
	memcpy(va, "labyrinth highmem", 18);
	va[LAB_PAGE_SIZE - 1] = 0x5a;
	assert_memory_equal(other, "labyrinth highmem", 18);
	assert_int_equal(other[LAB_PAGE_SIZE - 1], 0x5a);
	other[100] = 0xa5;
	assert_int_equal(va[100], 0xa5);
	lab_kunmap_local(va);
	munmap(other, LAB_PAGE_SIZE);
	lab_free_pages(m, p, 0);
	lab_host_destroy(m);
}

/* __GFP_ZERO zeroes a highmem page too (through a kmap_local mapping). */
static void test_kmap_gfp_zero_clears_highmem_page(void **state)
{
	(void)state;
	struct lab_mem *m = new_host(0, 0);
	struct lab_page *p = alloc_high(m);
	unsigned char *other = second_mapping(m, p);
	memset(other, 0xab, LAB_PAGE_SIZE);
	lab_free_pages(m, p, 0);
	lab_drain_all_pages(m);
	/* take highmem pages with __GFP_ZERO until we get that one back */
	struct lab_page *got[4096];
	int n = 0, found = 0;
	while (n < 4096 && (got[n] = lab_alloc_pages(m, LAB_GFP_HIGHUSER | LAB___GFP_ZERO | LAB___GFP_NOWARN, 0))) {
		if (got[n++] == p) {
			found = 1;
			break;
		}
	}
	assert_true(found);
	for (unsigned long i = 0; i < LAB_PAGE_SIZE; i++)
		assert_int_equal(other[i], 0);
	while (n)
		lab_free_pages(m, got[--n], 0);
	munmap(other, LAB_PAGE_SIZE);
	lab_host_destroy(m);
}

/* kmap (pkmap) and kmap_local of the same page show the same bytes. */
static void test_kmap_pkmap_and_local_share_bytes(void **state)
{
	(void)state;
	struct lab_mem *m = new_host(8, 0);
	struct lab_page *p = alloc_high(m);
	char *a = lab_kmap(p);
	char *b = lab_kmap_local(p);
	assert_non_null(a);
	assert_non_null(b);
	assert_ptr_not_equal(a, b);
	strcpy(a, "one page, two addresses");
	assert_string_equal(b, "one page, two addresses");
	lab_kunmap_local(b);
	lab_kunmap(p);
	lab_free_pages(m, p, 0);
	lab_host_destroy(m);
}

/* P2: 15 nested kmap_local mappings work; the 16th is a reported BUG and refused. */
static void test_kmap_local_16th_nesting_refused(void **state)
{
	(void)state;
	struct lab_mem *m = new_host(0, 0);
	struct lab_page *p[16];
	void *va[16];
	for (int i = 0; i < 16; i++)
		p[i] = alloc_high(m);
	for (int i = 0; i < 15; i++) {
		va[i] = lab_kmap_local(p[i]);
		assert_non_null(va[i]);
		*(int *)va[i] = i;
	}
	assert_int_equal(lab_kmap_local_depth(m), 15);
	assert_int_equal(hostcap_lines(), 0);
	assert_null(lab_kmap_local(p[15]));
	assert_int_equal(lab_kmap_local_depth(m), 15);
	assert_int_equal(hostcap_count("kernel BUG at core/kmap.c:"), 1);
	assert_int_equal(hostcap_count("more than 15 nested kmap_local mappings"), 1);
	for (int i = 14; i >= 0; i--) {
		assert_int_equal(*(int *)va[i], i);
		lab_kunmap_local(va[i]);
	}
	assert_int_equal(lab_kmap_local_depth(m), 0);
	for (int i = 0; i < 16; i++)
		lab_free_pages(m, p[i], 0);
	lab_host_destroy(m);
}

/* P3: unmapping A while B (mapped later) is live is a reported WARNING and refused. */
static void test_kmap_local_out_of_order_refused(void **state)
{
	(void)state;
	struct lab_mem *m = new_host(0, 0);
	struct lab_page *pa = alloc_high(m), *pb = alloc_high(m);
	char *a = lab_kmap_local(pa), *b = lab_kmap_local(pb);
	strcpy(a, "A");
	lab_kunmap_local(a);
	assert_int_equal(hostcap_count("WARNING: CPU: 0 PID: "), 1);
	assert_int_equal(hostcap_count("out-of-order unmap: slot 0 named, the most recent is slot 1"), 1);
	assert_int_equal(lab_kmap_local_depth(m), 2);
	assert_string_equal(a, "A");   /* still mapped: nothing was cleared */
	lab_kunmap_local(b);
	lab_kunmap_local(a);
	assert_int_equal(lab_kmap_local_depth(m), 0);
	lab_free_pages(m, pa, 0);
	lab_free_pages(m, pb, 0);
	lab_host_destroy(m);
}

/* kunmap_local of an address that is no mapping of this task is reported and refused. */
static void test_kmap_local_unknown_address_refused(void **state)
{
	(void)state;
	struct lab_mem *m = new_host(0, 0);
	static char not_mapped[64];
	lab_kunmap_local(not_mapped);
	assert_int_equal(hostcap_count("address is not a kmap_local mapping of this task"), 1);
	/* unmapping the same address twice: the second is unknown too */
	struct lab_page *p = alloc_high(m);
	void *va = lab_kmap_local(p);
	lab_kunmap_local(va);
	lab_kunmap_local(va);
	assert_int_equal(hostcap_count("address is not a kmap_local mapping of this task"), 2);
	lab_free_pages(m, p, 0);
	lab_host_destroy(m);
}

/* P4: kmap_atomic disables preemption even for lowmem; kunmap_atomic enables it. */
static void test_kmap_atomic_disables_preemption(void **state)
{
	(void)state;
	struct lab_mem *m = new_host(0, 0);
	struct lab_page *lo = alloc_low(m), *hi = alloc_high(m);
	void *a = lab_kmap_atomic(lo);
	assert_ptr_equal(a, lab_page_address(lo));
	assert_int_equal(lab_preempt_count(), 1);
	assert_true(lab_in_atomic());
	void *b = lab_kmap_atomic(hi);
	assert_non_null(b);
	assert_int_equal(lab_preempt_count(), 2);
	lab_kunmap_atomic(b);
	lab_kunmap_atomic(a);
	assert_int_equal(lab_preempt_count(), 0);
	lab_free_pages(m, lo, 0);
	lab_free_pages(m, hi, 0);
	lab_host_destroy(m);
}

/* P5: page_address of a highmem page mapped only with kmap_local stays NULL. */
static void test_kmap_local_page_address_stays_null(void **state)
{
	(void)state;
	struct lab_mem *m = new_host(0, 0);
	struct lab_page *p = alloc_high(m);
	void *va = lab_kmap_local(p);
	assert_non_null(va);
	assert_null(lab_page_address(p));
	lab_kunmap_local(va);
	lab_free_pages(m, p, 0);
	lab_host_destroy(m);
}

/* P6: a new kmap slot counts 2, kunmap makes it 1, the flush at the next wrap makes it 0;
 * page_address() returns the slot's address exactly while the slot maps the page. */
static void test_kmap_slot_counts_2_1_0(void **state)
{
	(void)state;
	struct lab_mem *m = new_host(4, 0);
	const struct lab_pkmap *pool = lab_kmap_pool(m);
	struct lab_page *p = alloc_high(m), *q[3];
	assert_null(lab_page_address(p));   /* highmem, not kmap()ed: no address */
	void *va = lab_kmap(p);
	assert_non_null(va);
	assert_ptr_equal(lab_page_address(p), va);   /* page_address finds the pkmap slot */
	assert_int_equal(pool->last, 1);   /* last_pkmap_nr starts at 0: the first slot is 1 */
	assert_int_equal(pool->slot[1].count, 2);
	lab_kunmap(p);
	assert_int_equal(pool->slot[1].count, 1);
	assert_ptr_equal(lab_kmap(p), va);   /* still mapped: reused, 1 -> 2 */
	lab_kunmap(p);
	for (int i = 0; i < 3; i++) {
		q[i] = alloc_high(m);
		assert_non_null(lab_kmap(q[i]));   /* slots 2, 3, then the wrap to 0 */
	}
	assert_int_equal(pool->flushes, 1);
	assert_int_equal(pool->slot[1].count, 0);
	assert_null(pool->slot[1].page);
	assert_null(lab_page_address(p));   /* flushed: the address is gone */
	for (int i = 0; i < 3; i++) {
		lab_kunmap(q[i]);
		lab_free_pages(m, q[i], 0);
	}
	lab_free_pages(m, p, 0);
	lab_host_destroy(m);
}

/* kunmap of a page that is not kmap()ed (or once too often) is a reported BUG and refused. */
static void test_kmap_kunmap_unmapped_refused(void **state)
{
	(void)state;
	struct lab_mem *m = new_host(4, 0);
	struct lab_page *p = alloc_high(m);
	lab_kunmap(p);
	assert_int_equal(hostcap_count("kernel BUG at core/kmap.c:"), 1);
	assert_int_equal(hostcap_count("kunmap_high: page is not kmap()ed"), 1);
	lab_kmap(p);
	lab_kunmap(p);
	lab_kunmap(p);   /* count 1: no user left */
	assert_int_equal(hostcap_count("kunmap_high: page is not kmap()ed"), 2);
	assert_int_equal(lab_kmap_pool(m)->slot[1].count, 1);
	lab_free_pages(m, p, 0);
	lab_host_destroy(m);
}

/* kmap of the same page twice shares one slot and counts both users. */
static void test_kmap_same_page_shares_slot(void **state)
{
	(void)state;
	struct lab_mem *m = new_host(4, 0);
	struct lab_page *p = alloc_high(m);
	void *a = lab_kmap(p), *b = lab_kmap(p);
	assert_ptr_equal(a, b);
	assert_int_equal(lab_kmap_pool(m)->slot[1].count, 3);
	lab_kunmap(p);
	lab_kunmap(p);
	assert_int_equal(lab_kmap_pool(m)->slot[1].count, 1);
	lab_free_pages(m, p, 0);
	lab_host_destroy(m);
}

/* P7 (host form): slot i of a thread's window is slot 0 plus i pages. */
static void test_kmap_local_slot_addresses(void **state)
{
	(void)state;
	struct lab_mem *m = new_host(0, 0);
	struct lab_page *p[4];
	char *va[4];
	for (int i = 0; i < 4; i++) {
		p[i] = alloc_high(m);
		va[i] = lab_kmap_local(p[i]);
		assert_ptr_equal(va[i], lab_host_kmap_local_slot((unsigned)i));
		assert_ptr_equal(va[i], va[0] + (size_t)i * LAB_PAGE_SIZE);
	}
	for (int i = 3; i >= 0; i--) {
		lab_kunmap_local(va[i]);
		lab_free_pages(m, p[i], 0);
	}
	lab_host_destroy(m);
}

static void *other_slot0;
static void *other_thread(void *arg)
{
	struct lab_page *p = arg;
	void *va = lab_kmap_local(p);
	other_slot0 = va;
	lab_kunmap_local(va);
	return NULL;
}

/* Each thread has its own window: another thread's slot 0 is elsewhere. */
static void test_kmap_local_window_per_thread(void **state)
{
	(void)state;
	struct lab_mem *m = new_host(0, 0);
	struct lab_page *p = alloc_high(m);
	void *mine = lab_kmap_local(p);
	pthread_t t;
	pthread_create(&t, NULL, other_thread, p);
	pthread_join(t, NULL);
	assert_non_null(other_slot0);
	assert_ptr_not_equal(other_slot0, mine);
	assert_int_equal(lab_kmap_local_depth(m), 1);
	lab_kunmap_local(mine);
	lab_free_pages(m, p, 0);
	lab_host_destroy(m);
}

struct waiter {
	struct lab_page *page;
	void *va;
	int done;
};

static void *kmap_waiter(void *arg)
{
	struct waiter *w = arg;
	w->va = lab_kmap(w->page);
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* kmap with every slot busy sleeps until a kunmap frees one. */
static void test_kmap_waits_for_free_slot(void **state)
{
	(void)state;
	struct lab_mem *m = new_host(2, 0);
	struct lab_page *a = alloc_high(m), *b = alloc_high(m);
	struct waiter w = { .page = alloc_high(m) };
	assert_non_null(lab_kmap(a));
	assert_non_null(lab_kmap(b));
	pthread_t t;
	pthread_create(&t, NULL, kmap_waiter, &w);
	while (!__atomic_load_n(&lab_kmap_pool(m)->waits, __ATOMIC_RELAXED))
		usleep(1000);
	usleep(20000);
	assert_int_equal(__atomic_load_n(&w.done, __ATOMIC_ACQUIRE), 0);
	lab_kunmap(a);
	pthread_join(t, NULL);
	assert_non_null(w.va);
	assert_int_equal(lab_kmap_pool(m)->waits, 1);
	lab_kunmap(w.page);
	lab_kunmap(b);
	lab_free_pages(m, a, 0);
	lab_free_pages(m, b, 0);
	lab_free_pages(m, w.page, 0);
	lab_host_destroy(m);
}

/* kmap in atomic context with LAB_CFG_MIGHT_SLEEP_FAIL: reported and refused. */
static void test_kmap_atomic_context_policy_fail(void **state)
{
	(void)state;
	struct lab_mem *m = new_host(4, LAB_CFG_MIGHT_SLEEP_FAIL);
	struct lab_page *p = alloc_high(m);
	lab_preempt_disable();
	assert_null(lab_kmap(p));
	lab_preempt_enable();
	assert_int_equal(hostcap_count("BUG: sleeping function called from invalid context at core/kmap.c:"), 1);
	assert_int_equal(lab_kmap_pool(m)->slot[1].count, 0);
	lab_free_pages(m, p, 0);
	lab_host_destroy(m);
}

/* kmap in atomic context, default policy: reported, then mapped because a slot is free. */
static void test_kmap_atomic_context_degrades(void **state)
{
	(void)state;
	struct lab_mem *m = new_host(4, 0);
	struct lab_page *p = alloc_high(m);
	unsigned long flags = lab_local_irq_save();
	char *va = lab_kmap(p);
	lab_local_irq_restore(flags);
	assert_non_null(va);
	va[0] = 1;
	assert_int_equal(hostcap_count("BUG: sleeping function called from invalid context"), 1);
	assert_int_equal(hostcap_count("irqs_disabled(): 1"), 1);
	lab_kunmap(p);
	lab_free_pages(m, p, 0);
	lab_host_destroy(m);
}

static struct lab_page *isr_page;
static int isr_ok;
static int isr_depth;
static void kmap_local_isr(void *arg)
{
	struct lab_mem *m = arg;
	isr_depth = lab_kmap_local_depth(m);
	unsigned char *va = lab_kmap_local(isr_page);
	if (va) {
		va[0] = 0xee;
		isr_ok = lab_kmap_local_depth(m) == isr_depth + 1;
		lab_kunmap_local(va);
	}
}

/* An interrupt's kmap_local nests above the interrupted task's mappings and leaves them intact. */
static void test_kmap_local_in_interrupt_nests(void **state)
{
	(void)state;
	struct lab_mem *m = new_host(0, 0);
	struct lab_page *a = alloc_high(m), *b = alloc_high(m);
	isr_page = alloc_high(m);
	char *va = lab_kmap_local(a), *vb = lab_kmap_local(b);
	strcpy(va, "task A");
	strcpy(vb, "task B");
	assert_int_equal(lab_host_irq_start(m, 0, kmap_local_isr, m), 0);
	assert_int_equal(lab_host_irq_raise(m), 0);
	lab_host_irq_stop(m);
	assert_true(isr_ok);
	assert_int_equal(isr_depth, 2);
	assert_int_equal(lab_kmap_local_depth(m), 2);
	assert_string_equal(va, "task A");
	assert_string_equal(vb, "task B");
	lab_kunmap_local(vb);
	lab_kunmap_local(va);
	unsigned char *c = second_mapping(m, isr_page);
	assert_int_equal(c[0], 0xee);
	munmap(c, LAB_PAGE_SIZE);
	assert_int_equal(hostcap_lines(), 0);
	lab_free_pages(m, a, 0);
	lab_free_pages(m, b, 0);
	lab_free_pages(m, isr_page, 0);
	lab_host_destroy(m);
}

/* Without highmem (the default) every page has an address and no pool exists. */
static void test_kmap_no_highmem_by_default(void **state)
{
	(void)state;
	struct lab_mem *m = lab_host_create(&(struct lab_host_config){ .mem_bytes = 4u << 20, .quiet = 1 });
	assert_non_null(m);
	struct lab_page *p = lab_alloc_pages(m, LAB_GFP_HIGHUSER, 0);
	assert_non_null(lab_page_address(p));
	assert_ptr_equal(lab_kmap(p), lab_page_address(p));
	assert_null(lab_kmap_pool(m));
	lab_kunmap(p);
	lab_free_pages(m, p, 0);
	lab_host_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, hostcap_watchdog_setup, hostcap_watchdog_teardown)
		T(test_kmap_local_lowmem_is_page_address),
		T(test_kmap_lowmem_uses_no_slot),
		T(test_kmap_local_real_mapping_round_trip),
		T(test_kmap_gfp_zero_clears_highmem_page),
		T(test_kmap_pkmap_and_local_share_bytes),
		T(test_kmap_local_16th_nesting_refused),
		T(test_kmap_local_out_of_order_refused),
		T(test_kmap_local_unknown_address_refused),
		T(test_kmap_atomic_disables_preemption),
		T(test_kmap_local_page_address_stays_null),
		T(test_kmap_slot_counts_2_1_0),
		T(test_kmap_kunmap_unmapped_refused),
		T(test_kmap_same_page_shares_slot),
		T(test_kmap_local_slot_addresses),
		T(test_kmap_local_window_per_thread),
		T(test_kmap_waits_for_free_slot),
		T(test_kmap_atomic_context_policy_fail),
		T(test_kmap_atomic_context_degrades),
		T(test_kmap_local_in_interrupt_nests),
		T(test_kmap_no_highmem_by_default),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
