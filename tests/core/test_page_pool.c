/* SPDX-License-Identifier: MIT */
/*
 * tests/core/test_page_pool.c - page_pool: each allocation path (cache,
 * ring, bulk refill, high order), each recycling path (cache, ring, cache
 * full, ring full, destroyed), fragments, DMA addresses, the deferred
 * release, and every misuse refused with the allocator's state intact.
 * The test plays the platform: it says which CPU and preempt_count the
 * caller has.
 */
#include <stdlib.h>
#include <string.h>
#include "util/fixture.h"
#include "core/internal.h"
#include <labyrinth/context.h>
#include <labyrinth/page_pool.h>

static unsigned t_cpu, t_pc = LAB_SOFTIRQ_OFFSET;   /* the caller: CPU 0, serving softirq */
static unsigned t_maps, t_unmaps, t_released;

static unsigned h_cpu(void *ctx) { (void)ctx; return t_cpu; }
static unsigned h_pc(void *ctx) { (void)ctx; return t_pc; }
static lab_phys_t h_map(void *ctx, lab_pfn_t pfn, unsigned order)
{
	(void)ctx; (void)order;
	t_maps++;
	return ((lab_phys_t)pfn << LAB_PAGE_SHIFT) + 0x40000000ull;
}
static void h_unmap(void *ctx, lab_phys_t dma, unsigned order) { (void)ctx; (void)dma; (void)order; t_unmaps++; }
static void on_release(void *arg, struct lab_page_pool *pool) { (void)arg; (void)pool; t_released++; }

struct pp_fix {
	struct fixture *f;
	struct lab_page_pool *pool;
	void *memory;
};

static void owner(void) { t_cpu = 0; t_pc = LAB_SOFTIRQ_OFFSET; }
static void remote(void) { t_cpu = 1; t_pc = 0; }

static struct lab_page_pool *pool_new(struct fixture *f, unsigned order, unsigned size, unsigned flags, void **mem)
{
	struct lab_page_pool_params p = { .flags = flags, .order = order, .pool_size = size, .cpu = 0,
					  .release = on_release };
	p.memory_bytes = lab_page_pool_bytes(&p);
	assert_true(p.memory_bytes > 0);
	*mem = aligned_alloc(64, (p.memory_bytes + 63) & ~(size_t)63);
	p.memory = *mem;
	int err = 1;
	struct lab_page_pool *pool = lab_page_pool_create(f->mem, &p, &err);
	assert_non_null(pool);
	assert_int_equal(err, 0);
	return pool;
}

static struct pp_fix setup(unsigned order, unsigned ring, unsigned flags)
{
	struct pp_fix x;
	x.f = fixture_create(&(struct fixture_opts){ .pages = 4096, .pageblock_order = 9, .pcp = 1,
						    .nr_cpus = 2, .no_arena = 1 });
	x.f->mem->plat.cpu_id = h_cpu;
	x.f->mem->plat.preempt_count = h_pc;
	x.f->mem->plat.dma_map = h_map;
	x.f->mem->plat.dma_unmap = h_unmap;
	t_maps = t_unmaps = t_released = 0;
	owner();
	x.pool = pool_new(x.f, order, ring, flags, &x.memory);
	return x;
}

static void teardown(struct pp_fix *x)
{
	owner();
	if (!lab_page_pool_released(x->pool))
		assert_int_equal(lab_page_pool_check(x->pool), 0);
	if (!lab_page_pool_released(x->pool))
		assert_int_equal(lab_page_pool_destroy(x->pool), 0);
	assert_true(lab_page_pool_released(x->pool));
	assert_mem_ok(x->f);
	fixture_destroy(x->f);
	free(x->memory);
}

static struct lab_page_pool_stats stats(struct lab_page_pool *pool)
{
	struct lab_page_pool_stats s;
	lab_page_pool_get_stats(pool, &s);
	return s;
}

static uint64_t total_free(struct fixture *f) { return lab_mem_free_pages(f->mem, 1); }

/* Bad parameters are refused with a reason in the log, nothing created. */
static void test_page_pool_create_refuses_bad_params(void **state)
{
	(void)state;
	struct fixture *f = fixture_create(&(struct fixture_opts){ .pages = 1024, .nr_cpus = 2 });
	static char mem[1 << 20] __attribute__((aligned(64)));
	const struct lab_page_pool_params bad[] = {
		{ .order = 11, .pool_size = 64, .memory = mem, .memory_bytes = sizeof(mem) },
		{ .order = 0, .pool_size = 0, .memory = mem, .memory_bytes = sizeof(mem) },
		{ .order = 0, .pool_size = 40000, .memory = mem, .memory_bytes = sizeof(mem) },
		{ .order = 0, .pool_size = 64, .cpu = 2, .memory = mem, .memory_bytes = sizeof(mem) },
		{ .order = 0, .pool_size = 64, .memory = mem, .memory_bytes = 64 },
		{ .order = 0, .pool_size = 64, .memory = mem + 8, .memory_bytes = sizeof(mem) - 8 },
		{ .order = 0, .pool_size = 64, .flags = 0x80, .memory = mem, .memory_bytes = sizeof(mem) },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int err = 0;
		fixture_clear_log(f);
		assert_null(lab_page_pool_create(f->mem, &bad[i], &err));
		assert_int_equal(err, LAB_EINVAL);
		assert_true(fixture_logged(f, "page_pool_create: "));
	}
	assert_null(lab_page_pool_create(NULL, &bad[0], NULL));
	assert_int_equal(lab_page_pool_bytes(&bad[1]), 0);
	assert_mem_ok(f);
	fixture_destroy(f);
}

/* An empty pool refills from the per-CPU lists in one bulk of 64 (slow,
 * after empty), and the next 63 allocations come from the cache (fast). */
static void test_page_pool_alloc_slow_bulk_then_fast(void **state)
{
	(void)state;
	struct pp_fix x = setup(0, 256, 0);
	uint64_t free0 = total_free(x.f);
	struct lab_page *p[64];
	for (int i = 0; i < 64; i++)
		assert_non_null(p[i] = lab_page_pool_alloc_pages(x.pool, LAB_GFP_ATOMIC));
	struct lab_page_pool_stats s = stats(x.pool);
	assert_int_equal(s.alloc_stats.slow, 1);
	assert_int_equal(s.alloc_stats.empty, 1);
	assert_int_equal(s.alloc_stats.fast, 63);
	assert_int_equal(free0 - total_free(x.f), 64);
	assert_int_equal(lab_page_pool_inflight(x.pool, 0), 64);
	for (int i = 0; i < 64; i++)
		assert_int_equal(lab_page_pool_recycle_direct(x.pool, p[i]), 0);
	assert_int_equal(stats(x.pool).recycle_stats.cached, 64);
	assert_int_equal(lab_page_pool_inflight(x.pool, 0), 0);
	assert_int_equal(lab_page_pool_destroy(x.pool), 0);
	assert_int_equal(total_free(x.f), free0);
	teardown(&x);
}

/* A direct recycle is LIFO: the next allocation returns the same page. */
static void test_page_pool_direct_recycle_is_reused_first(void **state)
{
	(void)state;
	struct pp_fix x = setup(0, 64, 0);
	struct lab_page *a = lab_page_pool_alloc_pages(x.pool, LAB_GFP_ATOMIC);
	struct lab_page *b = lab_page_pool_alloc_pages(x.pool, LAB_GFP_ATOMIC);
	assert_int_equal(lab_page_pool_put_page(x.pool, a, 1), 0);
	assert_ptr_equal(lab_page_pool_alloc_pages(x.pool, LAB_GFP_ATOMIC), a);
	assert_int_equal(stats(x.pool).alloc_stats.fast, 2);
	assert_int_equal(lab_page_pool_recycle_direct(x.pool, a), 0);
	assert_int_equal(lab_page_pool_recycle_direct(x.pool, b), 0);
	teardown(&x);
}

/* A put from another CPU goes to the ring; an empty cache refills from the
 * ring (refill) before asking the allocator again. */
static void test_page_pool_remote_put_goes_to_ring_and_refills(void **state)
{
	(void)state;
	struct pp_fix x = setup(0, 64, 0);
	struct lab_page *p[64];
	for (int i = 0; i < 64; i++)
		p[i] = lab_page_pool_alloc_pages(x.pool, LAB_GFP_ATOMIC);
	remote();
	for (int i = 0; i < 64; i++)
		assert_int_equal(lab_page_pool_put_page(x.pool, p[i], 0), 0);
	assert_int_equal(stats(x.pool).recycle_stats.ring, 64);
	/* process context on the owning CPU is not the owner either */
	t_cpu = 0;
	struct lab_page *q = lab_page_pool_alloc_pages(x.pool, LAB_GFP_ATOMIC);
	assert_null(q);
	owner();
	uint64_t free_before = total_free(x.f);
	q = lab_page_pool_alloc_pages(x.pool, LAB_GFP_ATOMIC);
	assert_non_null(q);
	struct lab_page_pool_stats s = stats(x.pool);
	assert_int_equal(s.alloc_stats.refill, 1);
	assert_int_equal(s.alloc_stats.slow, 1);
	assert_int_equal(total_free(x.f), free_before);
	lab_page_pool_recycle_direct(x.pool, q);
	teardown(&x);
}

/* Without allow_direct, a put in the owning context still uses the cache
 * (6.12 page_pool_napi_local); a full cache sends the page to the ring
 * (cache_full), a full ring to the allocator (ring_full). 135 allocations
 * take three bulks of 64 and leave 57 in the cache: 71 puts fit in it, 4
 * in the ring, 60 go back. */
static void test_page_pool_cache_full_then_ring_full(void **state)
{
	(void)state;
	struct pp_fix x = setup(0, 4, 0);
	enum { N = LAB_PP_ALLOC_CACHE_SIZE + 4 + 3 };
	static struct lab_page *p[N];
	for (int i = 0; i < N; i++)
		assert_non_null(p[i] = lab_page_pool_alloc_pages(x.pool, LAB_GFP_ATOMIC));
	assert_int_equal(stats(x.pool).alloc_stats.slow, 3);
	uint64_t free0 = total_free(x.f);
	for (int i = 0; i < N; i++)
		assert_int_equal(lab_page_pool_put_page(x.pool, p[i], 0), 0);
	struct lab_page_pool_stats s = stats(x.pool);
	assert_int_equal(s.recycle_stats.cached, 71);
	assert_int_equal(s.recycle_stats.cache_full, 64);
	assert_int_equal(s.recycle_stats.ring, 4);
	assert_int_equal(s.recycle_stats.ring_full, 60);
	assert_int_equal(total_free(x.f) - free0, 60);
	assert_int_equal(lab_page_pool_inflight(x.pool, 0), 0);
	assert_mem_ok(x.f);
	teardown(&x);
}

/* Order > 0 comes one compound block at a time (slow_high_order). */
static void test_page_pool_high_order_is_compound(void **state)
{
	(void)state;
	struct pp_fix x = setup(2, 16, 0);
	struct lab_page *p = lab_page_pool_alloc_pages(x.pool, LAB_GFP_ATOMIC);
	assert_non_null(p);
	assert_int_equal(lab_compound_order(p), 2);
	assert_int_equal(stats(x.pool).alloc_stats.slow_high_order, 1);
	lab_page_pool_recycle_direct(x.pool, p);
	assert_ptr_equal(lab_page_pool_alloc_pages(x.pool, LAB_GFP_ATOMIC), p);
	assert_int_equal(stats(x.pool).alloc_stats.fast, 1);
	lab_page_pool_recycle_direct(x.pool, p);
	assert_mem_ok(x.f);
	teardown(&x);
}

/* DMA_MAP: each page is mapped once, keeps its bus address while it is
 * recycled, and is unmapped when it goes back to the allocator. */
static void test_page_pool_dma_address_kept_across_recycling(void **state)
{
	(void)state;
	struct pp_fix x = setup(0, 64, LAB_PP_FLAG_DMA_MAP);
	struct lab_page *p = lab_page_pool_alloc_pages(x.pool, LAB_GFP_ATOMIC);
	assert_int_equal(t_maps, 64);
	lab_phys_t dma = lab_page_pool_get_dma_addr(p);
	assert_int_equal(dma, lab_page_to_phys(p) + 0x40000000ull);
	for (int i = 0; i < 10; i++) {
		lab_page_pool_recycle_direct(x.pool, p);
		assert_ptr_equal(lab_page_pool_alloc_pages(x.pool, LAB_GFP_ATOMIC), p);
		assert_int_equal(lab_page_pool_get_dma_addr(p), dma);
	}
	assert_int_equal(t_maps, 64);
	lab_page_pool_recycle_direct(x.pool, p);
	lab_page_pool_destroy(x.pool);
	assert_int_equal(t_unmaps, 64);
	teardown(&x);
}

/* Fragments share a page (offsets aligned to 8); the page is recycled when
 * the pool has moved on and the last fragment is put, from any CPU. */
static void test_page_pool_frag_page_recycled_after_last_fragment(void **state)
{
	(void)state;
	struct pp_fix x = setup(0, 64, 0);
	unsigned off[5];
	struct lab_page *f[5];
	for (int i = 0; i < 5; i++)
		assert_non_null(f[i] = lab_page_pool_alloc_frag(x.pool, &off[i], 1000, LAB_GFP_ATOMIC));
	assert_ptr_equal(f[0], f[3]);
	assert_ptr_not_equal(f[3], f[4]);
	assert_int_equal(off[1], 1000);
	assert_int_equal(off[3], 3000);
	assert_int_equal(off[4], 0);
	/* the first fragment's page came from the bulk (slow), three more
	 * fragments of it and the next page from the cache (fast) */
	assert_int_equal(stats(x.pool).alloc_stats.fast, 4);
	remote();
	for (int i = 0; i < 3; i++)
		assert_int_equal(lab_page_pool_put_page(x.pool, f[i], 0), 0);
	assert_int_equal(stats(x.pool).recycle_stats.ring, 0);
	assert_int_equal(lab_page_pool_put_page(x.pool, f[3], 0), 0);
	assert_int_equal(stats(x.pool).recycle_stats.ring, 1);
	assert_int_equal(lab_page_pool_put_page(x.pool, f[3], 0), LAB_EINVAL);   /* one put too many */
	owner();
	/* a fragment larger than the page is refused */
	unsigned o;
	assert_null(lab_page_pool_alloc_frag(x.pool, &o, LAB_PAGE_SIZE + 1, LAB_GFP_ATOMIC));
	assert_int_equal(lab_page_pool_put_page(x.pool, f[4], 1), 0);
	assert_int_equal(lab_page_pool_inflight(x.pool, 0), 1);   /* the page being cut */
	teardown(&x);
}

/* A direct recycle outside the owning context is refused: the page stays
 * the caller's, nothing moves, and it can still be put properly. */
static void test_page_pool_direct_recycle_outside_owner_refused(void **state)
{
	(void)state;
	struct pp_fix x = setup(0, 64, 0);
	struct lab_page *p = lab_page_pool_alloc_pages(x.pool, LAB_GFP_ATOMIC);
	const unsigned pcs[] = { 0, LAB_HARDIRQ_OFFSET, LAB_SOFTIRQ_OFFSET | LAB_HARDIRQ_OFFSET, LAB_NMI_OFFSET };
	for (int i = 0; i < 4; i++) {
		t_cpu = 0;
		t_pc = pcs[i];
		fixture_clear_log(x.f);
		assert_int_equal(lab_page_pool_recycle_direct(x.pool, p), LAB_EINVAL);
		assert_true(fixture_logged(x.f, "direct recycle outside the pool's NAPI context"));
	}
	remote();
	t_pc = LAB_SOFTIRQ_OFFSET;       /* another CPU's softirq */
	assert_int_equal(lab_page_pool_recycle_direct(x.pool, p), LAB_EINVAL);
	struct lab_page_pool_stats s = stats(x.pool);
	assert_int_equal(s.recycle_stats.cached + s.recycle_stats.ring, 0);
	assert_int_equal(lab_page_pool_inflight(x.pool, 0), 1);
	assert_int_equal(lab_page_pool_put_page(x.pool, p, 0), 0);
	assert_int_equal(stats(x.pool).recycle_stats.ring, 1);
	assert_mem_ok(x.f);
	teardown(&x);
}

/* Pages that are not this pool's in flight are refused: a plain
 * allocation, another pool's page, a double put (cache and ring), and a
 * pool page freed to the allocator directly. */
static void test_page_pool_foreign_and_double_puts_refused(void **state)
{
	(void)state;
	struct pp_fix x = setup(0, 64, 0);
	void *mem2;
	struct lab_page_pool *other = pool_new(x.f, 0, 64, 0, &mem2);
	struct lab_page *plain = lab_alloc_pages(x.f->mem, LAB_GFP_KERNEL, 0);
	struct lab_page *mine = lab_page_pool_alloc_pages(x.pool, LAB_GFP_ATOMIC);
	struct lab_page *theirs = lab_page_pool_alloc_pages(other, LAB_GFP_ATOMIC);
	uint64_t free0 = total_free(x.f);

	fixture_clear_log(x.f);
	assert_int_equal(lab_page_pool_put_page(x.pool, plain, 0), LAB_EINVAL);
	assert_true(fixture_logged(x.f, "not a page_pool page"));
	assert_int_equal(lab_page_pool_put_page(x.pool, theirs, 1), LAB_EINVAL);
	assert_true(fixture_logged(x.f, "page of another page_pool"));
	assert_int_equal(lab_page_pool_put_page(x.pool, (struct lab_page *)&free0, 0), LAB_EINVAL);
	assert_int_equal(lab_try_free_pages(x.f->mem, mine, 0), LAB_EINVAL);
	assert_true(fixture_logged(x.f, "page_pool page freed to the allocator"));
	assert_int_equal(lab_page_pool_recycle_direct(x.pool, mine), 0);
	fixture_clear_log(x.f);
	assert_int_equal(lab_page_pool_recycle_direct(x.pool, mine), LAB_EINVAL);     /* in the cache */
	assert_true(fixture_logged(x.f, "double put"));
	mine = lab_page_pool_alloc_pages(x.pool, LAB_GFP_ATOMIC);
	remote();
	assert_int_equal(lab_page_pool_put_page(x.pool, mine, 0), 0);
	assert_int_equal(lab_page_pool_put_page(x.pool, mine, 0), LAB_EINVAL);         /* in the ring */
	assert_int_equal(total_free(x.f), free0);
	assert_int_equal(lab_page_pool_inflight(x.pool, 0), 0);
	assert_int_equal(lab_page_pool_inflight(other, 0), 1);
	assert_mem_ok(x.f);
	owner();
	lab_page_pool_recycle_direct(other, theirs);
	lab_page_pool_destroy(other);
	assert_true(lab_page_pool_released(other));
	free(mem2);
	lab_free_pages(x.f->mem, plain, 0);
	teardown(&x);
}

/* Destroy returns what the pool holds; pages in flight keep it alive; the
 * last one releases it (callback once), a put after destroy goes to the
 * allocator (released_refcnt); a second destroy is refused. */
static void test_page_pool_destroy_defers_release_until_last_page(void **state)
{
	(void)state;
	struct pp_fix x = setup(0, 64, 0);
	struct lab_page *a = lab_page_pool_alloc_pages(x.pool, LAB_GFP_ATOMIC);
	struct lab_page *b = lab_page_pool_alloc_pages(x.pool, LAB_GFP_ATOMIC);
	uint64_t free0 = total_free(x.f);
	assert_int_equal(lab_page_pool_destroy(x.pool), 0);
	assert_int_equal(total_free(x.f) - free0, 62);
	assert_false(lab_page_pool_released(x.pool));
	assert_int_equal(lab_page_pool_inflight(x.pool, 0), 2);
	x.f->now = 5000000000ull;
	fixture_clear_log(x.f);
	assert_int_equal(lab_page_pool_inflight(x.pool, 1), 2);
	assert_true(fixture_logged(x.f, "page_pool_release_retry() stalled pool shutdown: id "));
	assert_true(fixture_logged(x.f, ", 2 inflight 5 sec"));
	assert_int_equal(lab_page_pool_destroy(x.pool), LAB_EINVAL);
	assert_true(fixture_logged(x.f, "already destroyed"));
	assert_null(lab_page_pool_alloc_pages(x.pool, LAB_GFP_ATOMIC));
	remote();
	assert_int_equal(lab_page_pool_put_page(x.pool, a, 0), 0);
	assert_int_equal(t_released, 0);
	owner();
	assert_int_equal(lab_page_pool_recycle_direct(x.pool, b), 0);
	assert_int_equal(t_released, 1);
	assert_true(lab_page_pool_released(x.pool));
	assert_int_equal(stats(x.pool).recycle_stats.released_refcnt, 2);
	assert_int_equal(total_free(x.f) - free0, 64);
	assert_mem_ok(x.f);
	teardown(&x);
}

/* The statistics carry Linux's ethtool names, in its order. */
static void test_page_pool_stat_names_are_ethtools(void **state)
{
	(void)state;
	assert_string_equal(lab_page_pool_stat_names[0], "rx_pp_alloc_fast");
	assert_string_equal(lab_page_pool_stat_names[2], "rx_pp_alloc_slow_ho");
	assert_string_equal(lab_page_pool_stat_names[10], "rx_pp_recycle_released_ref");
	struct lab_page_pool_stats s = { .alloc_stats = { 1, 2, 3, 4, 5, 6 }, .recycle_stats = { 7, 8, 9, 10, 11 } };
	uint64_t v[LAB_PP_NR_STATS];
	lab_page_pool_stats_values(&s, v);
	for (int i = 0; i < LAB_PP_NR_STATS; i++)
		assert_int_equal(v[i], i + 1);
}

/* A hardirq-owned pool (LAB_PP_FLAG_HARDIRQ) takes direct recycles from
 * its CPU's interrupt routine, not from its softirq. */
static void test_page_pool_hardirq_owner(void **state)
{
	(void)state;
	struct pp_fix x = setup(0, 64, LAB_PP_FLAG_HARDIRQ);
	t_pc = LAB_HARDIRQ_OFFSET;
	struct lab_page *p = lab_page_pool_alloc_pages(x.pool, LAB_GFP_ATOMIC);
	assert_non_null(p);
	t_pc = LAB_SOFTIRQ_OFFSET;
	assert_int_equal(lab_page_pool_recycle_direct(x.pool, p), LAB_EINVAL);
	t_pc = LAB_HARDIRQ_OFFSET;
	assert_int_equal(lab_page_pool_recycle_direct(x.pool, p), 0);
	assert_int_equal(lab_page_pool_destroy(x.pool), 0);
	teardown(&x);
}

/* lab_page_pool_check finds a cached page that a user still references
 * (corruption a double use would leave) and is clean once it is undone. */
static void test_page_pool_check_finds_referenced_cached_page(void **state)
{
	(void)state;
	struct pp_fix x = setup(0, 64, 0);
	struct lab_page *p = lab_page_pool_alloc_pages(x.pool, LAB_GFP_ATOMIC);
	lab_page_pool_recycle_direct(x.pool, p);
	assert_int_equal(lab_page_pool_check(x.pool), 0);
	p->next = 1;                    /* a stale reference on a cached page */
	fixture_clear_log(x.f);
	assert_int_equal(lab_page_pool_check(x.pool), 1);
	assert_true(fixture_logged(x.f, "page_pool check: cached pfn"));
	p->next = 0;
	teardown(&x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_page_pool_create_refuses_bad_params),
		cmocka_unit_test(test_page_pool_alloc_slow_bulk_then_fast),
		cmocka_unit_test(test_page_pool_direct_recycle_is_reused_first),
		cmocka_unit_test(test_page_pool_remote_put_goes_to_ring_and_refills),
		cmocka_unit_test(test_page_pool_cache_full_then_ring_full),
		cmocka_unit_test(test_page_pool_high_order_is_compound),
		cmocka_unit_test(test_page_pool_dma_address_kept_across_recycling),
		cmocka_unit_test(test_page_pool_frag_page_recycled_after_last_fragment),
		cmocka_unit_test(test_page_pool_direct_recycle_outside_owner_refused),
		cmocka_unit_test(test_page_pool_foreign_and_double_puts_refused),
		cmocka_unit_test(test_page_pool_destroy_defers_release_until_last_page),
		cmocka_unit_test(test_page_pool_stat_names_are_ethtools),
		cmocka_unit_test(test_page_pool_hardirq_owner),
		cmocka_unit_test(test_page_pool_check_finds_referenced_cached_page),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
