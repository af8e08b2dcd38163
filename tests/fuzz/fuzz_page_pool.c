/* SPDX-License-Identifier: MIT */
/*
 * tests/fuzz/fuzz_page_pool.c - libFuzzer target: page_pool operation
 * sequences against a model.
 *
 * Each input runs on a fresh 4 MiB, 2-CPU instance with a direct map and a
 * platform whose CPU and preempt_count the input sets. The first byte
 * chooses the pool (order 0..3, ring size, DMA mapping, hardirq owner); the
 * rest is a sequence of operations: context switches (owning CPU or not,
 * process, softirq, hardirq, NMI), page and fragment allocations,
 * puts with and without allow_direct, puts that are wrong (a plain page,
 * another pool's page, a double put, a foreign pointer), frees of pool
 * pages to the allocator, plain allocations, destroy (also twice).
 *
 * The model holds every buffer handed out (and the references each page
 * has) and predicts each call's result: an allocation succeeds exactly in
 * the owning context of a live pool (memory never runs out here), a put is
 * accepted exactly for a held buffer (and allow_direct only in the owning
 * context). After every operation: lab_mem_check() == 0, lab_page_pool_check()
 * == 0, the pool's
 * inflight count equals the model's pages out (plus the page being cut),
 * buffers keep their stamps while out, DMA addresses stay the mapped ones.
 * At the end every buffer is put, the pool destroyed and released, and the
 * free page count is the initial one. abort() with a line on stderr names
 * what broke.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <labyrinth/labyrinth.h>
#include <labyrinth/page_pool.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_PAGES   1024u
#define FZ_MAX_OPS 1024
#define FZ_HELD    96

static _Alignas(64) uint8_t metadata[128 * 1024];
static _Alignas(4096) uint8_t arena[FZ_PAGES * LAB_PAGE_SIZE];
static _Alignas(64) uint8_t pool_mem[2][64 * 1024];

static unsigned cur_cpu, cur_pc;
static unsigned nr_released;

static unsigned h_cpu(void *c) { (void)c; return cur_cpu; }
static unsigned h_pc(void *c) { (void)c; return cur_pc; }
static void h_log(void *c, enum lab_log_level l, const char *line)
{
	(void)c; (void)l;
	if (getenv("FUZZ_PP_VERBOSE"))
		fprintf(stderr, "%s\n", line);
}
static lab_phys_t h_map(void *c, lab_pfn_t pfn, unsigned order)
{
	(void)c; (void)order;
	return ((lab_phys_t)pfn << LAB_PAGE_SHIFT) ^ 0x100000000ull;
}
static void on_release(void *arg, struct lab_page_pool *p) { (void)arg; (void)p; nr_released++; }

struct held {
	struct lab_page *page;
	unsigned offset, len;
	uint32_t tag;
};

static struct held held[FZ_HELD];
static unsigned nheld;

#define FAIL(...) do { fprintf(stderr, "fuzz_page_pool: " __VA_ARGS__); fputc('\n', stderr); abort(); } while (0)

static uint32_t *words(const struct held *h)
{
	return (uint32_t *)(void *)((char *)lab_page_address(h->page) + h->offset);
}

static unsigned refs_of(const struct lab_page *p)
{
	unsigned n = 0;
	for (unsigned i = 0; i < nheld; i++)
		n += held[i].page == p;
	return n;
}

static unsigned pages_out(void)
{
	unsigned n = 0;
	for (unsigned i = 0; i < nheld; i++) {
		unsigned first = 1;
		for (unsigned j = 0; j < i; j++)
			first &= held[j].page != held[i].page;
		n += first;
	}
	return n;
}

struct run {
	struct lab_mem *mem;
	struct lab_page_pool *pool, *other;
	struct lab_page *cutting;           /* the model's page being cut into fragments */
	struct lab_page *plain;             /* a plain allocation */
	struct lab_page *other_page;        /* a page of the other pool */
	unsigned order, flags, owner_cpu;
	int destroyed;
	uint32_t next_tag;
};

static int owner_ctx(const struct run *r)
{
	if (cur_cpu != r->owner_cpu || (cur_pc & LAB_NMI_MASK))
		return 0;
	if (r->flags & LAB_PP_FLAG_HARDIRQ)
		return (cur_pc & LAB_HARDIRQ_MASK) != 0;
	return (cur_pc & LAB_SOFTIRQ_MASK) && !(cur_pc & LAB_HARDIRQ_MASK);
}

static void set_owner(struct run *r)
{
	cur_cpu = r->owner_cpu;
	cur_pc = (r->flags & LAB_PP_FLAG_HARDIRQ) ? LAB_HARDIRQ_OFFSET : LAB_SOFTIRQ_OFFSET;
}

static void take(struct run *r, struct lab_page *p, unsigned offset, unsigned len)
{
	if (nheld == FZ_HELD)
		FAIL("model overflow");
	if (refs_of(p) && p != r->cutting)
		FAIL("page %p handed out twice", (void *)p);
	if ((r->flags & LAB_PP_FLAG_DMA_MAP) &&
	    lab_page_pool_get_dma_addr(p) != ((lab_page_to_phys(p)) ^ 0x100000000ull))
		FAIL("dma address of %p is not the mapped one", (void *)p);
	struct held h = { p, offset, len, r->next_tag++ };
	uint32_t *w = words(&h);
	w[0] = h.tag;
	w[len / 4 - 1] = ~h.tag;
	held[nheld++] = h;
}

static void op_alloc(struct run *r, uint8_t arg)
{
	int expect = !r->destroyed && owner_ctx(r) && nheld < FZ_HELD;
	if (!expect && nheld == FZ_HELD)
		return;
	if (arg & 1) {
		unsigned max = (unsigned)LAB_PAGE_SIZE << r->order, sz = 8 + (arg >> 1) * 64u;
		unsigned off;
		struct lab_page *p = lab_page_pool_alloc_frag(r->pool, &off, sz, LAB_GFP_ATOMIC);
		if (sz > max)
			expect = 0;
		if (!!p != expect)
			FAIL("alloc_frag(%u) returned %p, expected %s", sz, (void *)p, expect ? "a page" : "NULL");
		if (p) {
			if (off + sz > max || (off & 7))
				FAIL("fragment at %u + %u outside the page", off, sz);
			if (off == 0)
				r->cutting = p;
			else if (p != r->cutting)
				FAIL("fragment of another page at offset %u", off);
			take(r, p, off, (sz + 7) & ~7u);
		}
	} else {
		struct lab_page *p = lab_page_pool_alloc_pages(r->pool, LAB_GFP_ATOMIC);
		if (!!p != expect)
			FAIL("alloc_pages returned %p, expected %s", (void *)p, expect ? "a page" : "NULL");
		if (p) {
			if (p == r->cutting || refs_of(p))
				FAIL("page %p handed out while in use", (void *)p);
			take(r, p, 0, (unsigned)LAB_PAGE_SIZE << r->order);
		}
	}
}

static void op_put(struct run *r, uint8_t arg)
{
	if (!nheld)
		return;
	unsigned i = (arg >> 1) % nheld;
	int direct = arg & 1;
	struct held h = held[i];
	const uint32_t *w = words(&h);
	if (w[0] != h.tag || w[h.len / 4 - 1] != ~h.tag)
		FAIL("buffer %p+%u overwritten while out", (void *)h.page, h.offset);
	int expect = direct && !owner_ctx(r) ? LAB_EINVAL : 0;
	int got = lab_page_pool_put_page(r->pool, h.page, direct);
	if (got != expect)
		FAIL("put(direct=%d) returned %d, expected %d", direct, got, expect);
	if (!got)
		held[i] = held[--nheld];
}

/* Wrong puts: each refused, nothing changes. */
static void op_bad_put(struct run *r, uint8_t arg)
{
	struct lab_page *p = NULL;
	switch (arg % 4) {
	case 0: p = r->plain; break;
	case 1: p = r->other_page; break;
	case 2: p = (struct lab_page *)(void *)&held[0]; break;
	case 3:
		/* a page the pool holds: one of the model's pages with no reference */
		for (lab_pfn_t pfn = 0; pfn < FZ_PAGES && !p; pfn++) {
			struct lab_page *c = lab_pfn_to_page(r->mem, pfn);
			if (c && lab_page_pool_get_dma_addr(c) && !refs_of(c) && c != r->cutting)
				p = c;
		}
		if (!p || !(r->flags & LAB_PP_FLAG_DMA_MAP))
			return;
		break;
	}
	if (!p)
		return;
	if (lab_page_pool_put_page(r->pool, p, arg & 4) != LAB_EINVAL)
		FAIL("bad put %u accepted", arg % 4);
	if (nheld && lab_try_free_pages(r->mem, held[0].page, r->order) != LAB_EINVAL)
		FAIL("lab_free_pages of a page_pool page accepted");
}

static void check(struct run *r)
{
	if (lab_mem_check(r->mem))
		FAIL("lab_mem_check failed");
	if (!lab_page_pool_released(r->pool) && lab_page_pool_check(r->pool))
		FAIL("lab_page_pool_check failed");
	long infl = lab_page_pool_inflight(r->pool, 0);
	unsigned expect = pages_out();
	if (r->cutting && !refs_of(r->cutting))
		expect++;
	if (infl != (long)expect)
		FAIL("inflight %ld, model %u%s", infl, expect, r->destroyed ? " (destroyed)" : "");
}

static struct lab_page_pool *mkpool(struct run *r, unsigned i, unsigned ring)
{
	struct lab_page_pool_params p = { .flags = r->flags, .order = r->order, .pool_size = ring,
					  .cpu = r->owner_cpu, .memory = pool_mem[i],
					  .memory_bytes = sizeof(pool_mem[i]), .release = on_release };
	struct lab_page_pool *pool = lab_page_pool_create(r->mem, &p, NULL);
	if (!pool)
		FAIL("create failed");
	return pool;
}

static void finish(struct run *r, uint64_t free0)
{
	set_owner(r);
	while (nheld)
		op_put(r, (uint8_t)((nheld - 1) << 1));
	lab_page_pool_put_page(r->other, r->other_page, 1);
	if (!r->destroyed)
		lab_page_pool_destroy(r->pool);
	lab_page_pool_destroy(r->other);
	if (!lab_page_pool_released(r->pool) || !lab_page_pool_released(r->other) || nr_released != 2)
		FAIL("pools not released after every page came back (%u callbacks)", nr_released);
	lab_free_pages(r->mem, r->plain, 0);
	lab_drain_all_pages(r->mem);
	if (lab_mem_check(r->mem) || lab_mem_free_pages(r->mem, 1) != free0)
		FAIL("pages lost: %llu free, %llu at start", (unsigned long long)lab_mem_free_pages(r->mem, 1),
		     (unsigned long long)free0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct lab_platform plat = { .cpu_id = h_cpu, .preempt_count = h_pc, .log = h_log };
	static const unsigned pcs[] = { 0, LAB_SOFTIRQ_OFFSET, LAB_HARDIRQ_OFFSET, LAB_SOFTIRQ_DISABLE_OFFSET,
					LAB_NMI_OFFSET, LAB_SOFTIRQ_OFFSET | LAB_HARDIRQ_OFFSET };
	if (size < 1)
		return 0;
	struct lab_range ram = { 0, FZ_PAGES * LAB_PAGE_SIZE };
	struct lab_mem_config cfg = { .ranges = &ram, .nr_ranges = 1, .virt_base = arena, .nr_cpus = 2,
		.flags = LAB_CFG_NO_ZONE_DMA | LAB_CFG_NO_ZONE_DMA32, .pageblock_order = 6, .platform = &plat,
		.metadata = metadata, .metadata_bytes = sizeof(metadata) };
	struct run r = { .order = data[0] & 3, .owner_cpu = (data[0] >> 2) & 1, .next_tag = 1 };
	r.flags = ((data[0] & 0x10) ? LAB_PP_FLAG_DMA_MAP : 0) | ((data[0] & 0x20) ? LAB_PP_FLAG_HARDIRQ : 0);
	plat.dma_map = (data[0] & 0x40) ? h_map : NULL;
	if (!plat.dma_map)
		r.flags &= ~LAB_PP_FLAG_DMA_MAP;   /* the fuzzer's DMA check needs its own mapping */
	r.mem = lab_mem_init(&cfg, NULL);
	if (!r.mem)
		FAIL("init failed");
	nheld = 0;
	nr_released = 0;
	cur_cpu = 0;
	cur_pc = 0;
	r.plain = lab_alloc_pages(r.mem, LAB_GFP_KERNEL, 0);
	uint64_t free0 = lab_mem_free_pages(r.mem, 1) + 1;
	r.pool = mkpool(&r, 0, 1u << (data[0] >> 7 ? 2 : 6));
	r.other = mkpool(&r, 1, 16);
	set_owner(&r);
	r.other_page = lab_page_pool_alloc_pages(r.other, LAB_GFP_ATOMIC);
	for (size_t i = 1; i + 1 < size && i < 2 * FZ_MAX_OPS; i += 2) {
		uint8_t op = data[i], arg = data[i + 1];
		switch (op % 8) {
		case 0: cur_cpu = arg & 1; cur_pc = pcs[(arg >> 1) % 6]; break;
		case 1: case 2: op_alloc(&r, arg); break;
		case 3: case 4: op_put(&r, arg); break;
		case 5: op_bad_put(&r, arg); break;
		case 6:
			if (lab_page_pool_destroy(r.pool) != (r.destroyed ? LAB_EINVAL : 0))
				FAIL("destroy returned the wrong result");
			r.destroyed = 1;
			r.cutting = NULL;               /* destroy drained the page being cut */
			break;
		case 7: set_owner(&r); break;
		}
		check(&r);
	}
	finish(&r, free0);
	lab_mem_fini(r.mem);
	return 0;
}
