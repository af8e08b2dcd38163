/* SPDX-License-Identifier: MIT */
/*
 * tests/fuzz/fuzz_owners.c - libFuzzer target: the page-owner API and
 * what works on owned pages (reclaim, kswapd and kcompactd steps,
 * compaction, contiguous allocation), driven by arbitrary operation
 * sequences.
 *
 * Each input runs on a fresh 1 MiB instance (256 pages, one Normal zone,
 * pageblock order 4 so it still has 16 pageblocks, a static arena as its
 * direct map, per-CPU lists) and one owner
 * that keeps a table of its pages, file or anon, each filled with a tag.
 * lab_mem_init and lab_owner_register run once; every input starts from a
 * copy of the metadata they left (the same bytes at the same address: the
 * instance they built, still registered), which costs a memcpy instead of
 * an initialisation.
 * Operations: take a page for the owner; drop one (lab_page_clear_owner +
 * free, or a bare lab_free_pages that must untag it); mark one accessed;
 * make the owner busy or not; run kswapd, kcompactd and direct compaction
 * steps; allocate a high-order GFP_ATOMIC block and a contiguous range and
 * give them back; drain. The instance is small so that the inputs
 * run.bash allows (-max_len=1024: 512 operations) fill it and reach
 * reclaim, compaction and failure at full memory; every whole-instance
 * walk costs in proportion to it. The oracle:
 *   - after every operation: managed = free + per-CPU + owner pages +
 *     blocks the target holds (nothing lost, nothing counted twice);
 *     no page or block the allocator hands out (or migrates onto) holds a
 *     page the owner holds; a callback only ever sees pages the owner
 *     holds;
 *   - every 8th operation and at the end: lab_mem_check() == 0 and every
 *     owned page's tag is intact (it survived every migration: the
 *     allocator copies, the owner's migrate op follows).
 * At the end everything is given back and the free count is what it was.
 * Any violation calls abort() with a line on stderr saying what broke.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <labyrinth/labyrinth.h>
#include <labyrinth/background.h>

#define FZ_PAGES 256u
#define FZ_PB_ORDER 4
#define FZ_SLOTS FZ_PAGES
#define FZ_CPUS 2u

static _Alignas(64) uint8_t metadata[256 * 1024];
static _Alignas(4096) uint8_t arena[FZ_PAGES * LAB_PAGE_SIZE];

struct slot {
	struct lab_page *page;
	uint32_t tag;
	int file;
	uint64_t pfn;                           /* set by slot_put */
};

static struct lab_mem *mem;
static struct slot slots[FZ_SLOTS];
static unsigned nslots;
static int slot_at[FZ_PAGES];                   /* pfn -> index in slots[] of its page, or -1 */
static int busy;
/* A blocking take failed while the owner is busy, and it still is.
 * Reclaim only frees the owner's file pages, and a busy owner refuses them
 * all until it is no longer busy, whatever else is freed: the next
 * blocking take would run the same direct reclaim to the same end, so it
 * is made without direct reclaim (kswapd is still woken; the attempt on
 * the free lists is the same). (A failure while not busy means there was
 * no file page to reclaim: no retries, cheap, and a later file page may
 * change it, so it sets nothing.) With a busy owner's file pages
 * on the LRU, the slow path retries 16 times and every try_to_free_pages
 * rotates about twice the list plus 13 * SWAP_CLUSTER_MAX pages: one such
 * failure costs as much as hundreds of other steps. */
static int reclaim_futile;
static unsigned held_pages;                     /* pages of blocks the target itself holds */

static void fail(const char *what, unsigned long a, unsigned long b)
{
	fprintf(stderr, "fuzz_owners: %s (%lu, %lu)\n", what, a, b);
	abort();
}

static uintptr_t page0, page_stride;            /* lab_pfn_to_page(mem, 0), and per pfn */

/* The pfn of descriptor @p by its place in the page array, FZ_PAGES for a
 * pointer that is none (lab_page_to_pfn searches the instance registry:
 * too slow for every owned page after every step). */
static uint64_t pfn_of(const struct lab_page *p)
{
	uintptr_t off = (uintptr_t)p - page0;
	if ((uintptr_t)p < page0 || off % page_stride || off / page_stride >= FZ_PAGES)
		return FZ_PAGES;
	return off / page_stride;
}

/* The slot holding @p, or -1: through slot_at, for any pointer at all. */
static int slot_of(const struct lab_page *p)
{
	uint64_t pfn = pfn_of(p);
	if (pfn >= FZ_PAGES)
		return -1;
	int s = slot_at[pfn];
	return s >= 0 && (unsigned)s < nslots && slots[s].page == p ? s : -1;
}

/* slots[s] = @v, with slot_at following */
static void slot_put(unsigned s, struct slot v)
{
	v.pfn = lab_page_to_pfn(v.page);
	slots[s] = v;
	slot_at[v.pfn] = (int)s;
}

/* Drop slots[s]: the last slot takes its place. */
static void slot_remove(unsigned s)
{
	slot_at[slots[s].pfn] = -1;
	if (s != --nslots)
		slot_put(s, slots[nslots]);
}

static uint32_t *words(struct lab_page *p)
{
	uint32_t *w = lab_page_address(p);
	if (!w)
		fail("owned page without an address", (unsigned long)lab_page_to_pfn(p), 0);
	return w;
}

/* A block the allocator just handed out (@nr pages from @p) holds no page
 * the owner holds: a page given out twice is caught the moment it happens,
 * before anyone writes to it. */
static void check_unowned(const struct lab_page *p, uint64_t nr, const char *what)
{
	uint64_t pfn = pfn_of(p);
	if (pfn >= FZ_PAGES || pfn + nr > FZ_PAGES)
		fail(what, (unsigned long)pfn, (unsigned long)nr);
	for (uint64_t i = 0; i < nr; i++)
		if (slot_at[pfn + i] >= 0)
			fail(what, (unsigned long)(pfn + i), (unsigned long)slot_at[pfn + i]);
}

static int o_isolate(void *ctx, struct lab_page *p)
{
	(void)ctx;
	if (slot_of(p) < 0)
		fail("isolate of a page the owner does not hold", (unsigned long)lab_page_to_pfn(p), 0);
	return busy ? -1 : 0;
}

static int o_migrate(void *ctx, struct lab_page *p, struct lab_page *np)
{
	(void)ctx;
	int s = slot_of(p);
	if (s < 0)
		fail("migrate of a page the owner does not hold", (unsigned long)lab_page_to_pfn(p), 0);
	check_unowned(np, 1, "migration onto a page the owner holds");
	if (words(np)[0] != slots[s].tag)
		fail("migration did not copy the contents", (unsigned long)lab_page_to_pfn(np), slots[s].tag);
	slot_at[lab_page_to_pfn(p)] = -1;
	slot_put((unsigned)s, (struct slot){ np, slots[s].tag, slots[s].file, 0 });
	return 0;
}

static void o_putback(void *ctx, struct lab_page *p)
{
	(void)ctx;
	if (slot_of(p) < 0)
		fail("putback of a page the owner does not hold", (unsigned long)lab_page_to_pfn(p), 0);
}

static int o_reclaim(void *ctx, struct lab_page *p)
{
	(void)ctx;
	int s = slot_of(p);
	if (s < 0)
		fail("reclaim of a page the owner does not hold", (unsigned long)lab_page_to_pfn(p), 0);
	if (!slots[s].file)
		return -1;   /* anon: no swap */
	slot_remove((unsigned)s);
	return 0;
}

static const struct lab_page_owner_ops ops = {
	.isolate = o_isolate, .migrate = o_migrate, .putback = o_putback, .reclaim = o_reclaim,
};

/* Free plus per-CPU pages (lab_mem_free_pages): the whole stats struct (vm
 * events, the pageblock census) after every step cost more than the step.
 * stats_free_and_pcp() is the same sum through lab_mem_get_stats, compared
 * with this one at the start and end of every input. */
static uint64_t free_and_pcp(void)
{
	return lab_mem_free_pages(mem, 1);
}

static uint64_t stats_free_and_pcp(void)
{
	static struct lab_mem_stats st;
	uint64_t n = 0;
	lab_mem_get_stats(mem, &st);
	for (int z = 0; z < LAB_MAX_NR_ZONES; z++) {
		n += st.zone[z].free;
		for (unsigned c = 0; c < FZ_CPUS; c++)
			n += st.zone[z].pcp[c].count;
	}
	if (n != free_and_pcp())
		fail("lab_mem_get_stats: free + per-CPU differs from the zones'", (unsigned long)n,
		     (unsigned long)free_and_pcp());
	return n;
}

static uint64_t managed(void)
{
	static struct lab_mem_stats st;
	uint64_t n = 0;
	lab_mem_get_stats(mem, &st);
	for (int z = 0; z < LAB_MAX_NR_ZONES; z++)
		n += st.zone[z].managed;
	return n;
}

static unsigned nchecks;

/*
 * After every step: the page count. Every 8th step, and at the end of the
 * input, the walks: lab_mem_check over every page, and every owned page's
 * tag (through the direct map by pfn: lab_page_address()'s registry search
 * per page per step would cost more than the step; words() checks it on
 * every take, migration and give-back). Between the walks, every way the
 * allocator could write into an owned page - handing it out again (a take,
 * a high-order block, a contiguous range) or migrating onto it - is
 * checked when it happens (check_unowned).
 */
static void check_instance(uint64_t all)
{
	if (++nchecks % 8 == 0) {
		if (lab_mem_check(mem))
			fail("lab_mem_check", 0, 0);
		for (unsigned i = 0; i < nslots; i++) {
			uint64_t pfn = slots[i].pfn;
			if (pfn >= FZ_PAGES || (uintptr_t)slots[i].page != page0 + pfn * page_stride ||
			    *(uint32_t *)(void *)&arena[pfn * LAB_PAGE_SIZE] != slots[i].tag)
				fail("an owned page lost its contents", (unsigned long)pfn, i);
		}
	}
	if (free_and_pcp() + nslots + held_pages != all)
		fail("pages lost or counted twice", (unsigned long)(free_and_pcp() + nslots + held_pages),
		     (unsigned long)all);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The instance and owner id as lab_mem_init and lab_owner_register leave
 * them: built on the first call, copied back on every later one. */
static int pristine_mem(void)
{
	static uint8_t *pristine;
	static size_t bytes;
	static int id;

	if (pristine) {
		memcpy(metadata, pristine, bytes);
		return id;
	}
	struct lab_range r = { 0, sizeof(arena) };
	struct lab_mem_config cfg = { .ranges = &r, .nr_ranges = 1, .virt_base = arena, .nr_cpus = FZ_CPUS,
		.pageblock_order = FZ_PB_ORDER, .flags = LAB_CFG_NO_ZONE_DMA | LAB_CFG_NO_ZONE_DMA32,
		.metadata = metadata };
	cfg.metadata_bytes = bytes = lab_mem_metadata_bytes(&cfg);
	if (!cfg.metadata_bytes || cfg.metadata_bytes > sizeof(metadata))
		fail("metadata", cfg.metadata_bytes, sizeof(metadata));
	mem = lab_mem_init(&cfg, NULL);
	if (!mem)
		fail("lab_mem_init", 0, 0);
	id = lab_owner_register(mem, &ops, NULL);
	if (id <= 0)
		fail("lab_owner_register", (unsigned long)id, 0);
	pristine = malloc(bytes);
	if (!pristine)
		fail("out of memory", bytes, 0);
	memcpy(pristine, metadata, bytes);
	return id;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int id = pristine_mem();
	page0 = (uintptr_t)lab_pfn_to_page(mem, 0);
	page_stride = (uintptr_t)lab_pfn_to_page(mem, 1) - page0;
	memset(slot_at, 0xff, sizeof(slot_at));
	nslots = 0;
	busy = 0;
	reclaim_futile = 0;
	held_pages = 0;
	uint64_t all = managed(), free0 = stats_free_and_pcp();
	uint32_t next_tag = 1;

	for (size_t i = 0; i + 1 < size; i += 2) {
		uint8_t op = data[i] % 12, arg = data[i + 1];
		switch (op) {
		case 0:
		case 1: {                               /* take a page: file or anon */
			if (nslots == FZ_SLOTS)
				break;
			bool direct = !(arg & 1) && !reclaim_futile;
			lab_gfp_t gfp = direct ? LAB_GFP_HIGHUSER_MOVABLE :
						 (LAB_GFP_HIGHUSER_MOVABLE & ~LAB___GFP_DIRECT_RECLAIM);
			struct lab_page *p = lab_alloc_pages(mem, gfp | LAB___GFP_NOWARN, 0);
			if (!p && direct && busy)
				reclaim_futile = 1;
			if (!p)
				break;
			check_unowned(p, 1, "a page the owner holds handed out again");
			slot_put(nslots, (struct slot){ p, next_tag++, op == 0, 0 });
			words(p)[0] = slots[nslots].tag;
			if (lab_page_set_owner(mem, p, id, op == 0 ? LAB_LRU_FILE : LAB_LRU_ANON) != 0)
				fail("lab_page_set_owner of a fresh page", (unsigned long)lab_page_to_pfn(p), 0);
			nslots++;
			break;
		}
		case 2:
		case 3: {                               /* drop one: untag + free, or a bare free */
			if (!nslots)
				break;
			unsigned s = arg % nslots;
			struct lab_page *p = slots[s].page;
			if (op == 2 && lab_page_clear_owner(mem, p) != 0)
				fail("lab_page_clear_owner of a held, not isolated page", (unsigned long)lab_page_to_pfn(p), 0);
			slot_remove(s);
			if (lab_try_free_pages(mem, p, 0) != 0)
				fail("free of an owned page refused", (unsigned long)lab_page_to_pfn(p), op);
			break;
		}
		case 4:                                 /* mark accessed */
			if (nslots)
				lab_page_mark_accessed(mem, slots[arg % nslots].page);
			break;
		case 5:
			busy = arg & 1;
			reclaim_futile &= busy;
			break;
		case 6:                                 /* kswapd steps */
			for (unsigned k = 0; k <= (arg & 7); k++)
				if (lab_kswapd_balance_once(mem, 1u + (arg >> 3)) != LAB_BG_MORE)
					break;
			break;
		case 7:                                 /* kcompactd steps */
			for (unsigned k = 0; k <= (arg & 7); k++)
				if (lab_kcompactd_once(mem, 1u + (arg >> 3)) != LAB_BG_MORE)
					break;
			break;
		case 8:                                 /* a high-order atomic block, held a moment */
		case 9: {                               /* a blocking one: reclaim + compaction */
			unsigned order = 1 + arg % 6;
			lab_gfp_t gfp = op == 8 ? LAB_GFP_ATOMIC : (LAB_GFP_KERNEL | LAB___GFP_NORETRY);
			struct lab_page *p = lab_alloc_pages(mem, gfp | LAB___GFP_NOWARN, order);
			if (p) {
				check_unowned(p, 1u << order, "a block over a page the owner holds");
				held_pages += 1u << order;
				check_instance(all);
				held_pages -= 1u << order;
				lab_free_pages(mem, p, order);
			}
			break;
		}
		case 10: {                              /* a contiguous range */
			unsigned long nr = 1 + arg % 64;
			struct lab_page *p = lab_alloc_contig_pages(mem, nr, LAB_GFP_KERNEL | LAB___GFP_NOWARN);
			if (p) {
				check_unowned(p, nr, "a contiguous range over a page the owner holds");
				held_pages += (unsigned)nr;
				check_instance(all);
				held_pages -= (unsigned)nr;
				lab_free_contig_range(mem, lab_page_to_pfn(p), nr);
			}
			break;
		}
		case 11:
			if (arg & 1)
				lab_compact_memory(mem);
			else
				lab_drain_all_pages(mem);
			break;
		}
		check_instance(all);
	}
	busy = 0;
	while (nslots) {
		struct lab_page *p = slots[nslots - 1].page;
		if (words(p)[0] != slots[nslots - 1].tag)
			fail("an owned page lost its contents", (unsigned long)lab_page_to_pfn(p), nslots - 1);
		slot_remove(nslots - 1);
		if (lab_page_clear_owner(mem, p) != 0 || lab_try_free_pages(mem, p, 0) != 0)
			fail("giving back an owned page", (unsigned long)lab_page_to_pfn(p), 0);
	}
	lab_drain_all_pages(mem);
	if (stats_free_and_pcp() != free0)
		fail("free pages at the end differ from the start", (unsigned long)free_and_pcp(), (unsigned long)free0);
	if (lab_mem_check(mem))
		fail("lab_mem_check at the end", 0, 0);
	return 0;                               /* the instance stays registered for the next input */
}
