/* SPDX-License-Identifier: MIT */
/*
 * tests/fuzz/fuzz_ops.c - libFuzzer target: the public allocation API
 * driven by arbitrary operation sequences, against a model.
 *
 * Each input runs on a fresh 2 MiB instance (static 64-byte aligned
 * metadata, a static arena as its direct map) with three zones, a hole and
 * reserved pages:
 *
 *   pfn   0 ......... 63 | 64 .. 95   96..127  128 ..... 255 | 256 ......... 511
 *         ZONE_DMA       | ZONE_DMA32 (hole)                 | ZONE_NORMAL
 *         16..18 reserved                                      336 reserved (partly
 *                                                              covered page)
 *
 * The first two bytes choose the configuration (pageblock order, CPUs,
 * mobility grouping, highatomic, per-CPU lists, poisoning, highmem,
 * movablecore, min_free_kbytes); lab_mem_init runs once per configuration
 * and later inputs start from a copy of its result (see pristine_mem); the
 * rest is a sequence of operations:
 * allocations of every order (also invalid ones) with GFP masks from a
 * table (also invalid zone combinations) or raw, frees that are right and
 * frees that are wrong (wrong order, double free, interior page, compound
 * tail, hole, reserved page, a page of another instance, misaligned or
 * foreign pointers), alloc_pages_exact, __get_free_pages, bulk
 * allocation and freeing, drains, tunable setters with arbitrary values,
 * statistics, context changes (interrupts, atomic sections, CPUs, a per-CPU
 * lock held by the interrupted task).
 *
 * The oracle is a model of allocated pfns: which live block owns each
 * page. It predicts whether every free is accepted, and checks after every
 * operation that
 *   - a new block is aligned, inside one zone the GFP mask allows, made of
 *     usable (present, unreserved) pages no live block owns (no overlap);
 *   - managed - free - per-CPU == pages the model holds (no loss), and per
 *     pageblock the allocated counts agree with the model (no misplaced
 *     free);
 *   - lab_mem_check() == 0; no zone or per-CPU lock is left held or taken
 *     twice; platform->sleep is never called from atomic context or for a
 *     request without __GFP_DIRECT_RECLAIM (DESIGN.md invariant 5);
 *   - the contents of live blocks are not touched by the allocator (each is
 *     filled with a tag that is verified before it is freed), __GFP_ZERO
 *     blocks are zero;
 *   - refused frees return LAB_EINVAL and change nothing; tunable setters
 *     accept exactly the sysctl ranges.
 * Any violation calls abort() with a line on stderr saying what broke.
 *
 * __GFP_NOFAIL is masked out of raw masks: once the core implements
 * "never fail" as Linux does, an exhausted instance would loop forever.
 *
 * FUZZ_OPS_SKIP (environment) lets a fuzzing session get past known bugs
 * while they are open (each has a reproducer in seeds/fuzz_ops/crash-*):
 *   exact-overflow     ignore lab_alloc_pages_exact() results for sizes that
 *                      round past SIZE_MAX (crash-exact-overflow);
 *   straddle           use pageblock order 6 instead of 9, so that no
 *                      pageblock straddles a zone boundary
 *                      (crash-highatomic-straddle).
 * FUZZ_OPS_VERBOSE=1 prints the allocator's log lines.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <labyrinth/labyrinth.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_SPAN      512u                   /* pages in the span */
#define FZ_BYTES     (FZ_SPAN * LAB_PAGE_SIZE)
#define FZ_MAX_OPS   2048
#define FZ_MAX_CPUS  4
#define FZ_GROUPS    64
#define FZ_FREED     32
#define FZ_BULK_MAX  40

static _Alignas(64) uint8_t metadata[256 * 1024];
static _Alignas(4096) uint8_t arena[FZ_BYTES];
static _Alignas(64) uint8_t other_metadata[64 * 1024];

/* ---- failure ------------------------------------------------------------- */

static unsigned op_no;
static const char *op_name = "init";

static void fail(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
static void fail(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "fuzz_ops: op #%u (%s): ", op_no, op_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

/* Is the check for a known, still open bug switched off (FUZZ_OPS_SKIP)? */
static bool skip_known(const char *what)
{
	const char *s = getenv("FUZZ_OPS_SKIP");
	return s && strstr(s, what);
}

/* ---- the platform: lock discipline, contexts, invariant 5 ------------------ */

struct fz_platform {
	int zone_held[LAB_MAX_NR_ZONES];
	int pcp_held[FZ_MAX_CPUS];
	int pcp_held_by_task;                   /* simulated: IRQ arrived while the task held it */
	unsigned cpu;
	unsigned nr_cpus;
	enum lab_context context;
	int atomic;
	int checking;                           /* model checks run as plain process context */
	lab_gfp_t cur_gfp;                      /* the allocation in progress, or 0 */
	int in_alloc;
	uint64_t now;
	unsigned long logs, warns, wakes;
	int verbose;
};

static struct fz_platform fz;

static void p_zone_lock(void *ctx, unsigned zone, unsigned long *flags)
{
	(void)ctx;
	if (zone >= LAB_MAX_NR_ZONES)
		fail("zone_lock(%u): no such zone", zone);
	if (fz.zone_held[zone])
		fail("zone_lock(%u) taken twice (self-deadlock)", zone);
	fz.zone_held[zone] = 1;
	*flags = 0x5a;
}

static void p_zone_unlock(void *ctx, unsigned zone, unsigned long flags)
{
	(void)ctx;
	if (zone >= LAB_MAX_NR_ZONES || !fz.zone_held[zone])
		fail("zone_unlock(%u) of a lock not held", zone);
	if (flags != 0x5a)
		fail("zone_unlock(%u) with flags %#lx not from zone_lock", zone, flags);
	fz.zone_held[zone] = 0;
}

static unsigned p_cpu_id(void *ctx)
{
	(void)ctx;
	return fz.checking ? 0 : fz.cpu;
}

static enum lab_context p_context(void *ctx)
{
	(void)ctx;
	return fz.checking ? LAB_CTX_PROCESS : fz.context;
}

static int p_in_atomic(void *ctx)
{
	(void)ctx;
	return fz.checking ? 0 : fz.atomic || fz.context != LAB_CTX_PROCESS;
}

static const char *p_comm(void *ctx)
{
	(void)ctx;
	return "fuzz_ops";
}

static uint64_t p_now(void *ctx)
{
	(void)ctx;
	fz.now += 1000000;      /* 1 ms per call: rate limits open now and then */
	return fz.now;
}

static void p_log(void *ctx, enum lab_log_level level, const char *line)
{
	(void)ctx;
	(void)level;
	fz.logs++;
	if (!line)
		fail("log(NULL)");
	if (fz.verbose)
		fprintf(stderr, "[log] %s\n", line);
}

static void p_warn_alloc(void *ctx, const struct lab_alloc_failure *f)
{
	(void)ctx;
	fz.warns++;
	if (!f || f->order >= LAB_MAX_ORDER)
		fail("warn_alloc with a bad record");
}

static void p_wake_kswapd(void *ctx, unsigned order, int highest_zoneidx)
{
	(void)ctx;
	fz.wakes++;
	if (order >= LAB_MAX_ORDER || highest_zoneidx < 0 || highest_zoneidx >= LAB_MAX_NR_ZONES)
		fail("wake_kswapd(order %u, zone %d) out of range", order, highest_zoneidx);
}

static void p_sleep(void *ctx, uint64_t timeout_ns)
{
	(void)ctx;
	(void)timeout_ns;
	if (!fz.in_alloc || !(fz.cur_gfp & LAB___GFP_DIRECT_RECLAIM))
		fail("sleep() outside an allocation with __GFP_DIRECT_RECLAIM (gfp %#x)", fz.cur_gfp);
	if (p_in_atomic(NULL))
		fail("sleep() in atomic context");
	for (int z = 0; z < LAB_MAX_NR_ZONES; z++)
		if (fz.zone_held[z])
			fail("sleep() with zone lock %d held", z);
}

static int p_pcp_trylock(void *ctx, unsigned cpu, unsigned long *flags)
{
	(void)ctx;
	if (cpu >= FZ_MAX_CPUS)
		fail("pcp_trylock(%u): no such CPU", cpu);
	*flags = 0xa5;
	if (fz.pcp_held[cpu])
		return 0;
	fz.pcp_held[cpu] = 1;
	return 1;
}

static void p_pcp_lock(void *ctx, unsigned cpu, unsigned long *flags)
{
	(void)ctx;
	if (cpu >= FZ_MAX_CPUS)
		fail("pcp_lock(%u): no such CPU", cpu);
	if (fz.pcp_held[cpu])
		fail("pcp_lock(%u) spins on a lock already held (deadlock)", cpu);
	fz.pcp_held[cpu] = 1;
	*flags = 0xa5;
}

static void p_pcp_unlock(void *ctx, unsigned cpu, unsigned long flags)
{
	(void)ctx;
	if (cpu >= FZ_MAX_CPUS || !fz.pcp_held[cpu])
		fail("pcp_unlock(%u) of a lock not held", cpu);
	if (flags != 0xa5)
		fail("pcp_unlock(%u) with flags %#lx not from pcp_(try)lock", cpu, flags);
	fz.pcp_held[cpu] = 0;
}

static int p_irqs_disabled(void *ctx)
{
	(void)ctx;
	return !fz.checking && fz.context >= LAB_CTX_HARDIRQ;
}

static unsigned p_preempt_count(void *ctx)
{
	(void)ctx;
	if (fz.checking)
		return 0;
	return (fz.atomic ? 1u : 0u) | (fz.context == LAB_CTX_SOFTIRQ ? 0x100u : 0u) |
	       (fz.context == LAB_CTX_HARDIRQ ? 0x10000u : 0u) | (fz.context == LAB_CTX_NMI ? 0x100000u : 0u);
}

static int p_pid(void *ctx)
{
	(void)ctx;
	return 4242;
}

static const struct lab_platform platform = {
	.zone_lock = p_zone_lock,
	.zone_unlock = p_zone_unlock,
	.cpu_id = p_cpu_id,
	.context = p_context,
	.in_atomic = p_in_atomic,
	.comm = p_comm,
	.now_ns = p_now,
	.log = p_log,
	.warn_alloc = p_warn_alloc,
	.wake_kswapd = p_wake_kswapd,
	.sleep = p_sleep,
	.pcp_trylock = p_pcp_trylock,
	.pcp_lock = p_pcp_lock,
	.pcp_unlock = p_pcp_unlock,
	.irqs_disabled = p_irqs_disabled,
	.preempt_count = p_preempt_count,
	.pid = p_pid,
};

/* ---- the instance and the model -------------------------------------------- */

static const struct lab_range ranges[2] = {
	{ 0x0, 0x60000 },                       /* pfn 0..95 */
	{ 0x80000, 0x180000 },                  /* pfn 128..511 */
};
static const struct lab_range reserved[2] = {
	{ 0x10000, 0x3000 },                    /* pfn 16..18 */
	{ 0x150800, 0x100 },                    /* inside pfn 336 */
};

struct live {
	struct lab_page *page;
	uint64_t pfn;
	unsigned order;
	uint8_t tag;
	bool mapped;                            /* has a direct-map address */
};

static struct lab_mem *mem;
static struct lab_mem *other;                   /* another instance: its pages are foreign */
static struct lab_page *other_page;
static struct live live[FZ_SPAN];
static unsigned nlive;
static int16_t owner[FZ_SPAN];                  /* live index owning the pfn, or -1 */
static bool usable[FZ_SPAN];
static int zone_of[FZ_SPAN];                    /* -1 for holes */
static uint64_t model_pages;
static uint64_t highmem_pfn;                    /* first highmem pfn (FZ_SPAN = none) */
static unsigned pageblock_order;
static unsigned cfg_flags;                      /* LAB_CFG_* of the instance */
static uint8_t next_tag = 1;
static struct { void *va; size_t size; } groups[FZ_GROUPS];
static unsigned ngroups;
static struct { struct lab_page *page; uint64_t pfn; unsigned order; } freed[FZ_FREED];
static unsigned nfreed;
static struct lab_mem_stats stats;

/* The cursor over the input; reads past the end give zeros. */
struct cursor {
	const uint8_t *p;
	size_t n, i;
};

static uint8_t get8(struct cursor *c)
{
	return c->i < c->n ? c->p[c->i++] : 0;
}

static uint16_t get16(struct cursor *c)
{
	uint16_t lo = get8(c);
	return (uint16_t)(lo | (uint16_t)get8(c) << 8);
}

static uint32_t get32(struct cursor *c)
{
	uint32_t lo = get16(c);
	return lo | (uint32_t)get16(c) << 16;
}

static void create_other(void)
{
	static const struct lab_range r = { 0x10000000, 64 * LAB_PAGE_SIZE };
	struct lab_mem_config cfg = { .ranges = &r, .nr_ranges = 1, .pageblock_order = 2, .min_free_kbytes = 4,
				      .flags = LAB_CFG_NO_ZONE_DMA | LAB_CFG_NO_ZONE_DMA32 | LAB_CFG_NO_PCP,
				      .metadata = other_metadata, .metadata_bytes = sizeof(other_metadata) };
	if (lab_mem_metadata_bytes(&cfg) > sizeof(other_metadata))
		fail("other instance needs %zu bytes of metadata", lab_mem_metadata_bytes(&cfg));
	other = lab_mem_init(&cfg, NULL);
	if (!other)
		fail("cannot create the other instance");
	other_page = lab_alloc_pages(other, LAB_GFP_KERNEL, 1);
	if (!other_page)
		fail("cannot allocate in the other instance");
}

/*
 * Pristine instances. lab_mem_init costs as much as a short input's operations,
 * so it runs once per configuration; what it leaves is kept and every later
 * input of that configuration starts from a copy:
 *
 *   cache[key % FZ_CACHE] -> { key, bytes, mem, platform state, poison byte,
 *                              metadata[0 .. bytes) as lab_mem_init left it }
 *
 * Copying the metadata back to the same address rebuilds exactly the
 * instance lab_mem_init would: the core keeps no state outside it but the
 * instance registry, which already names this address (the instance is
 * never finished between inputs; only a configuration change finishes it
 * and initialises the next). The arena needs nothing unless the
 * configuration poisons: then create() poisons the free lowmem pages again,
 * with the byte lab_mem_init used. Direct-mapped by configuration; a
 * collision initialises anew.
 */
#define FZ_CACHE 1024

struct pristine {
	unsigned key;
	size_t bytes;
	struct lab_mem *mem;
	struct fz_platform fz;
	int poison;                             /* the poison byte, or -1 */
	uint8_t meta[];
};

static struct pristine *cache[FZ_CACHE];
static struct lab_mem *registered;              /* the instance in metadata[], once there is one */

static void *pfn_va(uint64_t pfn);

/* Points mem at a pristine instance of configuration @key (@cfg); returns
 * the byte the arena's free lowmem pages must hold, or -1. */
static int pristine_mem(unsigned key, const struct lab_mem_config *cfg)
{
	struct pristine **slot = &cache[key % FZ_CACHE];
	int err = 0;

	if (*slot && (*slot)->key == key) {
		memcpy(metadata, (*slot)->meta, (*slot)->bytes);
		fz = (*slot)->fz;
		mem = (*slot)->mem;
		return (*slot)->poison;
	}
	lab_mem_fini(registered);
	memset(&fz, 0, sizeof(fz));
	fz.nr_cpus = cfg->nr_cpus;
	fz.verbose = getenv("FUZZ_OPS_VERBOSE") != NULL;
	fz.checking = 1;
	mem = registered = lab_mem_init(cfg, &err);
	fz.checking = 0;
	if (!mem)
		fail("lab_mem_init refused the fixed configuration (%d)", err);
	free(*slot);
	*slot = malloc(sizeof(**slot) + cfg->metadata_bytes);
	if (!*slot)
		fail("out of memory for a pristine copy");
	**slot = (struct pristine){ .key = key, .bytes = cfg->metadata_bytes, .mem = mem, .fz = fz,
				    .poison = (cfg->flags & LAB_CFG_DEBUG_POISON) ? *(uint8_t *)pfn_va(0) : -1 };
	memcpy((*slot)->meta, metadata, cfg->metadata_bytes);
	return -1;                              /* lab_mem_init has just poisoned */
}

/* Header: two bytes of configuration. */
static void create(struct cursor *c)
{
	static const unsigned pb_orders[4] = { 0, 2, 3, 5 };
	static const unsigned min_kb[16] = { 0, 16, 32, 48, 64, 96, 128, 160, 200, 256, 384, 512, 1024, 2048, 4096, 65536 };
	uint8_t h0 = get8(c), h1 = get8(c);
	struct lab_mem_config cfg = {
		.ranges = ranges, .nr_ranges = 2,
		.reserved = reserved, .nr_reserved = 2,
		.virt_base = arena,
		.zone_dma_limit = 0x40000, .zone_dma32_limit = 0x100000,
		.pageblock_order = pb_orders[h0 & 3],
		.nr_cpus = 1 + (h1 & 3),
		.platform = &platform,
		.metadata = metadata,
	};

	if (!cfg.pageblock_order && skip_known("straddle"))
		cfg.pageblock_order = 6;
	if (h0 & 0x04)
		cfg.flags |= LAB_CFG_NO_HIGHATOMIC;
	if (h0 & 0x08)
		cfg.flags |= LAB_CFG_NO_MOBILITY_GROUPING;
	if (h0 & 0x10)
		cfg.flags |= LAB_CFG_DEBUG_POISON;
	if (h0 & 0x20)
		cfg.flags |= LAB_CFG_NO_PCP;
	if (h0 & 0x40)
		cfg.flags |= LAB_CFG_MIGHT_SLEEP_FAIL;
	if (h1 & 0x04)
		cfg.highmem_start = 0x180000;   /* pfn 384.. are highmem (zone 3 = HighMem) */
	else if (h1 & 0x08)
		cfg.movable_bytes = 0x40000;    /* zone 3 = Movable (the two exclude each other) */
	cfg.min_free_kbytes = (int)min_kb[h1 >> 4];
	cfg_flags = cfg.flags;
	cfg.metadata_bytes = lab_mem_metadata_bytes(&cfg);
	if (!cfg.metadata_bytes || cfg.metadata_bytes > sizeof(metadata))
		fail("metadata: need %zu bytes, have %zu", cfg.metadata_bytes, sizeof(metadata));

	int poison = pristine_mem((unsigned)(h0 & 0x7f) << 8 | h1, &cfg);
	pageblock_order = cfg.pageblock_order ? cfg.pageblock_order : LAB_DEFAULT_PAGEBLOCK_ORDER;
	highmem_pfn = cfg.highmem_start ? cfg.highmem_start >> LAB_PAGE_SHIFT : FZ_SPAN;

	nlive = 0;
	model_pages = 0;
	ngroups = 0;
	nfreed = 0;
	memset(owner, 0xff, sizeof(owner));
	for (unsigned pfn = 0; pfn < FZ_SPAN; pfn++) {
		uint64_t a = (uint64_t)pfn << LAB_PAGE_SHIFT;
		bool present = false, res = false;
		for (int i = 0; i < 2; i++) {
			if (a >= ranges[i].start && a < ranges[i].start + ranges[i].size)
				present = true;
			uint64_t rs = reserved[i].start & ~(uint64_t)(LAB_PAGE_SIZE - 1);
			if (a >= rs && a < reserved[i].start + reserved[i].size)
				res = true;
		}
		usable[pfn] = present && !res;
		zone_of[pfn] = -1;
		/* what lab_mem_init does with poisoning: every free lowmem page poisoned */
		if (poison >= 0 && usable[pfn] && pfn < highmem_pfn)
			memset(pfn_va(pfn), poison, LAB_PAGE_SIZE);
	}
	fz.checking = 1;
	lab_mem_get_stats(mem, &stats);
	fz.checking = 0;
	for (int z = 0; z < LAB_MAX_NR_ZONES; z++) {
		const struct lab_zone_stats *zs = &stats.zone[z];
		if (!stats.populated[z] && !zs->spanned)
			continue;
		for (uint64_t pfn = zs->start_pfn; pfn < zs->start_pfn + zs->spanned && pfn < FZ_SPAN; pfn++)
			zone_of[pfn] = z;
	}
	for (unsigned pfn = 0; pfn < FZ_SPAN; pfn++)
		if (usable[pfn] && zone_of[pfn] < 0)
			fail("usable pfn %u is in no zone", pfn);
}

/* ---- model operations ---------------------------------------------------------- */

static void *pfn_va(uint64_t pfn)
{
	return arena + (pfn << LAB_PAGE_SHIFT);
}

/* Which live block a free of (@pfn, @order) releases, or -1 if it must be refused. */
static int predict_free(uint64_t pfn, unsigned order)
{
	if (pfn >= FZ_SPAN || order >= LAB_MAX_ORDER)
		return -1;
	int e = owner[pfn];
	if (e < 0 || live[e].pfn != pfn || live[e].order != order)
		return -1;
	return e;
}

/* Highest zone a mask may use, or -1 when the core may pick (invalid mask). */
static int allowed_zone(lab_gfp_t gfp)
{
	int z = lab_gfp_zone(gfp);
	/* with a highmem boundary, zone 3 is HighMem and __GFP_HIGHMEM reaches it */
	if (highmem_pfn != FZ_SPAN && (gfp & LAB___GFP_HIGHMEM) && z == LAB_ZONE_NORMAL)
		z = LAB_ZONE_MOVABLE;
	return z;
}

/* A new block from the allocator: check it and take it into the model. */
static void take(struct lab_page *page, unsigned order, lab_gfp_t gfp, bool compound_ok)
{
	if (lab_page_mem(page) != mem)
		fail("new page %p does not belong to the instance", (void *)page);
	uint64_t pfn = lab_page_to_pfn(page), n = 1ull << order;
	if (pfn >= FZ_SPAN || pfn + n > FZ_SPAN)
		fail("new block pfn %#llx order %u outside the span", (unsigned long long)pfn, order);
	if (pfn & (n - 1))
		fail("new block pfn %#llx misaligned for order %u", (unsigned long long)pfn, order);
	if (lab_pfn_to_page(mem, pfn) != page)
		fail("pfn_to_page(page_to_pfn(p)) != p for pfn %#llx", (unsigned long long)pfn);
	int z = zone_of[pfn], hz = allowed_zone(gfp);
	for (uint64_t i = 0; i < n; i++) {
		if (!usable[pfn + i])
			fail("new block pfn %#llx order %u holds unusable pfn %#llx (hole or reserved)",
			     (unsigned long long)pfn, order, (unsigned long long)(pfn + i));
		if (owner[pfn + i] >= 0)
			fail("new block pfn %#llx order %u overlaps live block pfn %#llx order %u",
			     (unsigned long long)pfn, order, (unsigned long long)live[owner[pfn + i]].pfn,
			     live[owner[pfn + i]].order);
		if (zone_of[pfn + i] != z)
			fail("new block pfn %#llx order %u straddles zones", (unsigned long long)pfn, order);
	}
	if (hz >= 0 && z > hz)
		fail("gfp %#x allows zones up to %d, got a block in zone %d", gfp, hz, z);
	if (z == LAB_ZONE_MOVABLE && hz != LAB_ZONE_MOVABLE)
		fail("gfp %#x got a ZONE_MOVABLE block", gfp);
	unsigned co = lab_compound_order(page), want = (gfp & LAB___GFP_COMP) && order ? order : 0;
	if (compound_ok && co != want)
		fail("compound order %u for order %u gfp %#x", co, order, gfp);
	void *va = lab_page_address(page);
	bool lowmem = pfn < highmem_pfn;
	if (lowmem ? va != pfn_va(pfn) : va != NULL)
		fail("page_address(pfn %#llx) = %p, expected %p", (unsigned long long)pfn, va,
		     lowmem ? pfn_va(pfn) : NULL);
	if (va && lab_virt_to_page(va) != page)
		fail("virt_to_page(page_address(p)) != p");
	if (va && (gfp & LAB___GFP_ZERO)) {
		const uint8_t *b = va;
		for (size_t i = 0; i < (LAB_PAGE_SIZE << order); i++)
			if (b[i])
				fail("__GFP_ZERO block pfn %#llx byte %zu is %#x", (unsigned long long)pfn, i, b[i]);
	}
	if (nlive >= FZ_SPAN)
		fail("more live blocks than pages");
	struct live *l = &live[nlive];
	*l = (struct live){ .page = page, .pfn = pfn, .order = order, .tag = next_tag, .mapped = va != NULL };
	next_tag = (uint8_t)(next_tag % 251 + 1);
	if (va)
		memset(va, l->tag, LAB_PAGE_SIZE << order);
	for (uint64_t i = 0; i < n; i++)
		owner[pfn + i] = (int16_t)nlive;
	nlive++;
	model_pages += n;
}

/* Before a block is handed back: its contents must be as we left them. */
static void verify_tag(const struct live *l)
{
	if (!l->mapped)
		return;
	const uint8_t *b = pfn_va(l->pfn);
	for (size_t i = 0; i < (LAB_PAGE_SIZE << l->order); i += 64)
		if (b[i] != l->tag)
			fail("live block pfn %#llx order %u: byte %zu is %#x, not tag %#x (written while allocated)",
			     (unsigned long long)l->pfn, l->order, i, b[i], l->tag);
}

/* The allocator accepted the free of live[e]: drop it from the model. */
static void drop(int e)
{
	struct live *l = &live[e];
	uint64_t n = 1ull << l->order;
	if (nfreed < FZ_FREED)
		nfreed++;
	memmove(&freed[1], &freed[0], sizeof(freed[0]) * (nfreed - 1));
	freed[0].page = l->page;
	freed[0].pfn = l->pfn;
	freed[0].order = l->order;
	for (uint64_t i = 0; i < n; i++)
		owner[l->pfn + i] = -1;
	model_pages -= n;
	nlive--;
	if ((unsigned)e != nlive) {
		live[e] = live[nlive];
		for (uint64_t i = 0; i < (1ull << live[e].order); i++)
			owner[live[e].pfn + i] = (int16_t)e;
	}
}

/* ---- the checks after every operation ----------------------------------------- */

static void check_locks(void)
{
	for (int z = 0; z < LAB_MAX_NR_ZONES; z++)
		if (fz.zone_held[z])
			fail("zone lock %d left held", z);
	for (unsigned c = 0; c < FZ_MAX_CPUS; c++)
		if (fz.pcp_held[c] && !(fz.pcp_held_by_task && c == fz.cpu))
			fail("pcp lock of CPU %u left held", c);
}

static void check_pageblocks(void)
{
	struct lab_pageblock_info pb[64];
	size_t total = lab_mem_nr_pageblocks(mem), first = 0, n;
	uint64_t nr = 1ull << pageblock_order, pb_base = 0;

	while ((n = lab_mem_pageblocks(mem, first, pb, 64)) > 0) {
		for (size_t i = 0; i < n; i++) {
			uint64_t start = pb[i].start_pfn, expect = 0;
			if (first + i == 0)
				pb_base = start;
			if (start != pb_base + (first + i) * nr)
				fail("pageblock %zu starts at %#llx", first + i, (unsigned long long)start);
			for (uint64_t pfn = start; pfn < start + nr && pfn < FZ_SPAN; pfn++)
				expect += owner[pfn] >= 0;
			unsigned sum = pb[i].nr_free + pb[i].nr_allocated + pb[i].nr_pcp + pb[i].nr_reserved;
			if (sum != nr)
				fail("pageblock %#llx: free %u + allocated %u + pcp %u + reserved %u != %llu",
				     (unsigned long long)start, pb[i].nr_free, pb[i].nr_allocated, pb[i].nr_pcp,
				     pb[i].nr_reserved, (unsigned long long)nr);
			if (pb[i].nr_allocated != expect)
				fail("pageblock %#llx: %u pages allocated, the model holds %llu",
				     (unsigned long long)start, pb[i].nr_allocated, (unsigned long long)expect);
		}
		first += n;
		if (first > total)
			fail("lab_mem_pageblocks returned more than lab_mem_nr_pageblocks (%zu)", total);
	}
	if (first != total)
		fail("lab_mem_pageblocks gave %zu pageblocks, lab_mem_nr_pageblocks says %zu", first, total);
}

static void check_all(bool deep)
{
	check_locks();
	fz.checking = 1;
	int bad = lab_mem_check(mem);
	if (bad) {
		fz.verbose = 1;
		lab_mem_check(mem);
		fail("lab_mem_check found %d violation(s)", bad);
	}
	lab_mem_get_stats(mem, &stats);
	uint64_t managed = 0, free_pages = 0;
	for (int z = 0; z < LAB_MAX_NR_ZONES; z++) {
		managed += stats.zone[z].managed;
		free_pages += stats.zone[z].free + stats.zone[z].free_pcp;
	}
	if (managed - free_pages != model_pages)
		fail("managed %llu - free %llu (incl. per-CPU) = %llu pages in use, the model holds %llu",
		     (unsigned long long)managed, (unsigned long long)free_pages,
		     (unsigned long long)(managed - free_pages), (unsigned long long)model_pages);
	if (deep)
		check_pageblocks();
	if (lab_mem_check(other))
		fail("the other instance was damaged");
	fz.checking = 0;
	check_locks();
}

/* ---- GFP masks -------------------------------------------------------------------- */

static const lab_gfp_t gfp_table[32] = {
	LAB_GFP_KERNEL, LAB_GFP_ATOMIC, LAB_GFP_NOWAIT, LAB_GFP_KERNEL | LAB___GFP_DMA,
	LAB_GFP_KERNEL | LAB___GFP_DMA32, LAB_GFP_HIGHUSER_MOVABLE, LAB_GFP_KERNEL | LAB___GFP_RECLAIMABLE,
	LAB_GFP_ATOMIC | LAB___GFP_DMA, LAB_GFP_TRANSHUGE, LAB_GFP_TRANSHUGE_LIGHT,
	LAB_GFP_ATOMIC | LAB___GFP_MEMALLOC, LAB_GFP_ATOMIC | LAB___GFP_NOMEMALLOC,
	LAB_GFP_KERNEL | LAB___GFP_NORETRY, LAB_GFP_KERNEL | LAB___GFP_RETRY_MAYFAIL, LAB_GFP_NOIO, LAB_GFP_NOFS,
	LAB_GFP_USER, LAB_GFP_DMA, LAB_GFP_DMA32 | LAB_GFP_ATOMIC, LAB_GFP_HIGHUSER,
	LAB___GFP_HIGHMEM | LAB___GFP_MOVABLE | LAB_GFP_ATOMIC, 0, LAB___GFP_HIGH, LAB___GFP_MEMALLOC,
	LAB_GFP_KERNEL | LAB___GFP_MOVABLE | LAB___GFP_RECLAIMABLE, LAB_GFP_ATOMIC | LAB___GFP_RECLAIMABLE,
	/* invalid zone modifier combinations (GFP_ZONE_BAD) */
	LAB___GFP_DMA | LAB___GFP_DMA32 | LAB_GFP_KERNEL, LAB___GFP_DMA | LAB___GFP_HIGHMEM | LAB_GFP_ATOMIC,
	LAB___GFP_DMA32 | LAB___GFP_HIGHMEM, LAB_GFP_ZONEMASK | LAB_GFP_KERNEL,
	LAB___GFP_DMA | LAB___GFP_DMA32 | LAB___GFP_MOVABLE, 0xffffffffu & ~LAB___GFP_NOFAIL,
};

/* byte: low 5 bits pick the mask, then NOWARN, ZERO, COMP. */
static lab_gfp_t gfp_from(uint8_t b)
{
	lab_gfp_t g = gfp_table[b & 31];
	if (b & 0x20)
		g |= LAB___GFP_NOWARN;
	if (b & 0x40)
		g |= LAB___GFP_ZERO;
	if (b & 0x80)
		g |= LAB___GFP_COMP;
	return g;
}

/* Under LAB_CFG_MIGHT_SLEEP_FAIL a sleeping request from atomic context fails. */
static bool must_fail(lab_gfp_t gfp)
{
	return (gfp & LAB___GFP_DIRECT_RECLAIM) && p_in_atomic(NULL) && (cfg_flags & LAB_CFG_MIGHT_SLEEP_FAIL);
}

static void begin_alloc(lab_gfp_t gfp)
{
	fz.cur_gfp = gfp;
	fz.in_alloc = 1;
}

static void end_alloc(void)
{
	fz.in_alloc = 0;
	fz.cur_gfp = 0;
}

/* order byte: mostly 0..11 (11 is MAX_ORDER: invalid), sometimes far out */
static unsigned order_from(uint8_t b)
{
	return b < 240 ? b % 12u : b * 1000003u;
}

/* ---- operations --------------------------------------------------------------- */

static void op_alloc(struct cursor *c, bool raw)
{
	unsigned order = order_from(get8(c));
	lab_gfp_t gfp = raw ? get32(c) & ~LAB___GFP_NOFAIL : gfp_from(get8(c));

	begin_alloc(gfp);
	struct lab_page *p = lab_alloc_pages(mem, gfp, order);
	end_alloc();
	if (!p)
		return;
	if (order >= LAB_MAX_ORDER)
		fail("lab_alloc_pages(order %u) succeeded", order);
	if (must_fail(gfp))
		fail("sleeping request (gfp %#x) from atomic context succeeded under MIGHT_SLEEP_FAIL", gfp);
	take(p, order, gfp, true);
}

static void op_get_free_pages(struct cursor *c)
{
	unsigned order = order_from(get8(c));
	lab_gfp_t gfp = gfp_from(get8(c));

	begin_alloc(gfp);
	void *va = lab_get_free_pages(mem, gfp, order);
	end_alloc();
	if (!va)
		return;
	if (order >= LAB_MAX_ORDER || must_fail(gfp))
		fail("lab_get_free_pages(gfp %#x, order %u) succeeded", gfp, order);
	uintptr_t off = (uintptr_t)va - (uintptr_t)arena;
	if ((uintptr_t)va < (uintptr_t)arena || off >= FZ_BYTES || (off & (LAB_PAGE_SIZE - 1)) ||
	    (off >> LAB_PAGE_SHIFT) >= highmem_pfn)
		fail("lab_get_free_pages returned %p, not a lowmem page of the arena", va);
	struct lab_page *p = lab_virt_to_page(va);
	if (!p)
		fail("virt_to_page(%p) = NULL", va);
	take(p, order, gfp & ~LAB___GFP_HIGHMEM, true);
}

static void op_alloc_exact(struct cursor *c)
{
	uint16_t s = get16(c);
	uint8_t mode = get8(c);
	lab_gfp_t gfp = gfp_from(get8(c));
	size_t size;

	switch (mode & 3) {
	case 0: size = (size_t)s * 64; break;           /* 0 .. 4 MiB */
	case 1: size = s; break;                        /* small, unaligned */
	case 2: size = (size_t)s << 12; break;          /* whole pages, up to 256 MiB */
	default: size = SIZE_MAX - s; break;            /* overflow bait */
	}
	begin_alloc(gfp);
	void *va = lab_alloc_pages_exact(mem, size, gfp);
	end_alloc();
	if (!va)
		return;
	uint64_t pages = size / LAB_PAGE_SIZE + (size % LAB_PAGE_SIZE != 0);
	unsigned order = 0;
	while (order < 63 && (1ull << order) < pages)
		order++;
	if (order >= LAB_MAX_ORDER && skip_known("exact-overflow"))
		return;         /* known bug: the block returned is already free again */
	if (size == 0 || order >= LAB_MAX_ORDER || must_fail(gfp))
		fail("lab_alloc_pages_exact(%zu bytes, gfp %#x) succeeded (%llu pages, order %u)", size, gfp,
		     (unsigned long long)pages, order);
	uintptr_t off = (uintptr_t)va - (uintptr_t)arena;
	if ((uintptr_t)va < (uintptr_t)arena || off >= FZ_BYTES || (off & (LAB_PAGE_SIZE - 1)))
		fail("lab_alloc_pages_exact returned %p, not a page of the arena", va);
	uint64_t pfn = off >> LAB_PAGE_SHIFT;
	if (pfn & ((1ull << order) - 1))
		fail("alloc_pages_exact block pfn %#llx not aligned to its order %u", (unsigned long long)pfn, order);
	if (pfn + pages > highmem_pfn)
		fail("alloc_pages_exact block reaches highmem");
	for (uint64_t i = 0; i < pages; i++) {
		struct lab_page *p = lab_pfn_to_page(mem, pfn + i);
		if (!p)
			fail("pfn_to_page(%#llx) = NULL", (unsigned long long)(pfn + i));
		take(p, 0, gfp & ~(LAB___GFP_COMP | LAB___GFP_HIGHMEM), true);
	}
	unsigned g = ngroups < FZ_GROUPS ? ngroups++ : s % FZ_GROUPS;
	groups[g].va = va;
	groups[g].size = size;
}

/* Frees of @npages order-0 pages from @pfn, as free_pages_exact does them. */
static void predict_exact(uint64_t pfn, uint64_t npages)
{
	for (uint64_t i = 0; i < npages && pfn + i < FZ_SPAN; i++) {
		int e = predict_free(pfn + i, 0);
		if (e >= 0) {
			verify_tag(&live[e]);
			drop(e);
		}
	}
}

static void op_free_exact(struct cursor *c)
{
	uint8_t mode = get8(c);
	uint16_t v = get16(c);
	void *va;
	size_t size;

	if ((mode & 3) != 3 && ngroups) {
		unsigned g = v % ngroups;
		va = groups[g].va;
		size = groups[g].size;
		if (mode & 1)                           /* the caller got the size wrong */
			size = (mode & 4) ? size + ((size_t)(v & 7) << 12) : size / 2;
		groups[g] = groups[--ngroups];
	} else {                                        /* any address of the arena */
		va = arena + (size_t)v * 32;
		size = (size_t)(mode >> 2) << 12;
	}
	uintptr_t off = (uintptr_t)va - (uintptr_t)arena;
	uint64_t npages = size / LAB_PAGE_SIZE + (size % LAB_PAGE_SIZE != 0);
	if ((off >> LAB_PAGE_SHIFT) < highmem_pfn)
		predict_exact(off >> LAB_PAGE_SHIFT, npages);
	lab_free_pages_exact(mem, va, size);
}

static void op_free(struct cursor *c)
{
	if (!nlive)
		return;
	int e = (int)(get16(c) % nlive);
	uint8_t how = get8(c);
	struct live *l = &live[e];
	int r = 0;

	verify_tag(l);
	if ((how & 3) == 1)
		lab_free_pages(mem, l->page, l->order);
	else if ((how & 3) == 2 && l->mapped)
		lab_free_pages_addr(mem, pfn_va(l->pfn), l->order);
	else
		r = lab_try_free_pages(mem, l->page, l->order);
	if (r)
		fail("lab_try_free_pages(pfn %#llx, order %u) of a live block returned %d",
		     (unsigned long long)l->pfn, l->order, r);
	drop(e);
}

/* Everything that must be refused (and, when the model says it is a
 * legitimate free after all, must be accepted). */
static void op_bad_free(struct cursor *c)
{
	static _Alignas(64) uint8_t foreign[256];
	uint8_t kind = get8(c) % 14, ob = get8(c);
	uint16_t v = get16(c);
	struct lab_page *page = NULL;
	struct lab_mem *target = mem;
	uint64_t pfn = UINT64_MAX;                      /* UINT64_MAX: not a page of @mem */
	unsigned order = ob % 12;
	char *base = (char *)lab_pfn_to_page(mem, 0);
	size_t stride = (size_t)((char *)lab_pfn_to_page(mem, 1) - base);

	switch (kind) {
	case 0:                                         /* wrong order */
		if (!nlive)
			return;
		pfn = live[v % nlive].pfn;
		order = (live[v % nlive].order + 1 + ob % 11) % 12;
		break;
	case 1:                                         /* double free (if not reused since) */
		if (!nfreed)
			return;
		pfn = freed[v % nfreed].pfn;
		order = (ob & 0x80) ? freed[v % nfreed].order : order;
		break;
	case 2: {                                       /* interior page or compound tail */
		if (!nlive || !live[v % nlive].order)
			return;
		const struct live *l = &live[v % nlive];
		pfn = l->pfn + 1 + ob % ((1u << l->order) - 1);
		order = (ob & 0x80) ? l->order : (ob >> 4) % 12;
		break;
	}
	case 3:                                         /* any pfn of the span */
		pfn = v % FZ_SPAN;
		break;
	case 4:                                         /* the hole */
		pfn = 96 + v % 32;
		break;
	case 5:                                         /* reserved pages */
		pfn = (v & 1) ? 336 : 16 + v % 3;
		break;
	case 6:                                         /* a live block of another instance */
		page = other_page;
		order = (ob & 1) ? 1 : order;
		break;
	case 7:                                         /* NULL */
		break;
	case 8:                                         /* misaligned descriptor pointer */
		page = (struct lab_page *)(void *)(base + (size_t)(v % FZ_SPAN) * stride + 1 + ob % (stride - 1));
		break;
	case 9:                                         /* just past the page array */
		page = (struct lab_page *)(void *)(base + (size_t)FZ_SPAN * stride);
		break;
	case 10:                                        /* before the page array */
		page = (struct lab_page *)(void *)(base - stride * (1 + ob % 4));
		break;
	case 11:                                        /* not a descriptor at all */
		page = (struct lab_page *)(void *)&foreign[(v % 4) * 64];
		break;
	case 12:                                        /* order >= MAX_ORDER on a live head */
		if (!nlive)
			return;
		pfn = live[v % nlive].pfn;
		order = LAB_MAX_ORDER + ob;
		break;
	default:                                        /* a live block, freed to the wrong instance */
		if (!nlive)
			return;
		page = live[v % nlive].page;
		order = live[v % nlive].order;
		target = (ob & 1) ? other : NULL;
		break;
	}
	if (pfn != UINT64_MAX)
		page = lab_pfn_to_page(mem, pfn);
	int e = target == mem && pfn != UINT64_MAX ? predict_free(pfn, order) : -1;
	if (e >= 0)
		verify_tag(&live[e]);
	int r = lab_try_free_pages(target, page, order);
	if (e >= 0) {
		if (r != 0)
			fail("free of live block pfn %#llx order %u refused (%d)", (unsigned long long)pfn, order, r);
		drop(e);
	} else if (r != LAB_EINVAL) {
		fail("bad free (kind %u, pfn %#llx, order %u) returned %d, not LAB_EINVAL", kind,
		     (unsigned long long)pfn, order, r);
	}
}

static void op_bad_free_addr(struct cursor *c)
{
	static uint8_t outside[2 * 4096];
	uint8_t kind = get8(c) % 5, ob = get8(c);
	uint16_t v = get16(c);
	unsigned order = ob % 12;
	void *addr;
	uint64_t pfn = UINT64_MAX;

	switch (kind) {
	case 0:                                         /* any page address of the arena */
		pfn = v % FZ_SPAN;
		addr = pfn_va(pfn);
		break;
	case 1:                                         /* inside a page */
		addr = arena + (size_t)(v % FZ_SPAN) * LAB_PAGE_SIZE + 1 + ob % (LAB_PAGE_SIZE - 1);
		break;
	case 2:                                         /* outside the arena */
		addr = outside + ((uintptr_t)outside & (LAB_PAGE_SIZE - 1) ? LAB_PAGE_SIZE - ((uintptr_t)outside & (LAB_PAGE_SIZE - 1)) : 0);
		break;
	case 3:                                         /* NULL: a no-op */
		addr = NULL;
		break;
	default:                                        /* a live block's address with a wrong order */
		if (!nlive || !live[v % nlive].mapped)
			return;
		pfn = live[v % nlive].pfn;
		addr = pfn_va(pfn);
		order = (live[v % nlive].order + 1 + ob % 11) % 12;
		break;
	}
	int e = pfn != UINT64_MAX && pfn < highmem_pfn ? predict_free(pfn, order) : -1;
	if (e >= 0) {
		verify_tag(&live[e]);
		drop(e);
	}
	lab_free_pages_addr(mem, addr, order);
}

static void op_bulk_alloc(struct cursor *c)
{
	struct lab_page *arr[FZ_BULK_MAX], *before[FZ_BULK_MAX];
	unsigned nr = get8(c) % (FZ_BULK_MAX + 1), prefilled = 0, n;
	lab_gfp_t gfp = gfp_from(get8(c));
	uint32_t prefill = get32(c);

	for (unsigned i = 0; i < nr; i++) {
		arr[i] = (i < 32 && (prefill >> i) & 1) ? other_page : NULL;
		prefilled += arr[i] != NULL;
		before[i] = arr[i];
	}
	begin_alloc(gfp);
	n = lab_alloc_pages_bulk(mem, gfp, nr, arr);
	end_alloc();
	unsigned nonnull = 0;
	for (unsigned i = 0; i < nr; i++) {
		if (before[i] && arr[i] != before[i])
			fail("bulk alloc overwrote populated entry %u", i);
		nonnull += arr[i] != NULL;
	}
	if (n != nonnull)
		fail("bulk alloc returned %u, %u entries populated", n, nonnull);
	if (must_fail(gfp) && nonnull != prefilled)
		fail("bulk alloc with a sleeping mask from atomic context allocated under MIGHT_SLEEP_FAIL");
	for (unsigned i = 0; i < nr; i++)
		if (!before[i] && arr[i])
			take(arr[i], 0, gfp & ~LAB___GFP_COMP, false);
}

static void op_bulk_free(struct cursor *c)
{
	struct lab_page *arr[FZ_BULK_MAX];
	unsigned nr = get8(c) % (FZ_BULK_MAX + 1);

	for (unsigned i = 0; i < nr; i++) {
		uint8_t b = get8(c), w = get8(c);
		uint64_t pfn = UINT64_MAX;
		arr[i] = NULL;
		switch (b % 5) {
		case 0:                                 /* a live block (right only for order 0) */
			if (nlive)
				pfn = live[w % nlive].pfn;
			break;
		case 1:                                 /* NULL: skipped */
			break;
		case 2:                                 /* a recently freed page */
			if (nfreed)
				pfn = freed[w % nfreed].pfn;
			break;
		case 3:                                 /* a pfn of the span */
			pfn = (uint64_t)w * 2 % FZ_SPAN;
			break;
		default:                                /* another instance's page */
			arr[i] = other_page;
			break;
		}
		if (pfn != UINT64_MAX) {
			arr[i] = lab_pfn_to_page(mem, pfn);
			int e = predict_free(pfn, 0);
			if (e >= 0) {
				verify_tag(&live[e]);
				drop(e);
			}
		}
	}
	lab_free_pages_bulk(mem, nr, arr);
}

static void op_tunable(struct cursor *c)
{
	struct lab_tunables before, after;
	uint8_t which = get8(c) % 8, mode = get8(c);
	int v = (mode & 1) ? (int)(int16_t)get16(c) : (mode & 2) ? (int)(get16(c) % 4096) : (int)get32(c);
	int ratio[LAB_MAX_NR_ZONES], r = 0, ok = 1;

	lab_get_tunables(mem, &before);
	switch (which) {
	case 0:
		r = lab_set_min_free_kbytes(mem, v);
		ok = v >= 0;
		break;
	case 1:
		r = lab_set_watermark_scale_factor(mem, v);
		ok = v >= 1 && v <= 3000;
		break;
	case 2:
		r = lab_set_watermark_boost_factor(mem, v);
		ok = v >= 0;
		break;
	case 3:
		for (int i = 0; i < LAB_MAX_NR_ZONES; i++)
			ratio[i] = (int)(int16_t)get16(c) * ((mode & 4) ? 65537 : 1);
		r = lab_set_lowmem_reserve_ratio(mem, ratio);
		break;
	case 4:
		r = lab_set_percpu_pagelist_high_fraction(mem, v);
		ok = v == 0 || v >= 8;
		break;
	case 5:
		r = lab_set_extfrag_threshold(mem, v);
		ok = v >= 0 && v <= 1000;
		break;
	case 6:
		r = lab_set_highatomic_reserve(mem, v);
		ok = v == 0 || v == 1;
		break;
	default:
		return;
	}
	lab_get_tunables(mem, &after);
	if (r != (ok ? 0 : LAB_EINVAL))
		fail("tunable %u = %d returned %d, expected %d", which, v, r, ok ? 0 : LAB_EINVAL);
	if (!ok) {
		if (memcmp(&before, &after, sizeof(before)))
			fail("refused tunable %u = %d changed the tunables", which, v);
		return;
	}
	int got = 0;
	switch (which) {
	case 0:
		if (after.min_free_kbytes != v || after.user_min_free_kbytes != v)
			fail("min_free_kbytes %d read back as %d/%d", v, after.min_free_kbytes,
			     after.user_min_free_kbytes);
		return;
	case 1: got = after.watermark_scale_factor; break;
	case 2: got = after.watermark_boost_factor; break;
	case 3:
		for (int i = 0; i < LAB_MAX_NR_ZONES; i++)
			if (after.lowmem_reserve_ratio[i] != (ratio[i] < 1 ? 0 : ratio[i]))
				fail("lowmem_reserve_ratio[%d] = %d read back as %d", i, ratio[i],
				     after.lowmem_reserve_ratio[i]);
		return;
	case 4: got = after.percpu_pagelist_high_fraction; break;
	case 5: got = after.extfrag_threshold; break;
	default: got = after.highatomic_reserve; break;
	}
	if (got != v)
		fail("tunable %u = %d read back as %d", which, v, got);
}

static void op_stats(void)
{
	fz.checking = 1;
	const struct lab_alloc_failure *f = lab_mem_last_failure(mem);
	if (f && (f->order >= LAB_MAX_ORDER || f->seq == 0 || f->highest_zoneidx >= LAB_MAX_NR_ZONES))
		fail("last failure record: order %u seq %llu zone %d", f->order, (unsigned long long)f->seq,
		     f->highest_zoneidx);
	lab_mem_get_stats(mem, &stats);
	fz.checking = 0;
	for (int z = 0; z < LAB_MAX_NR_ZONES; z++) {
		const struct lab_zone_stats *zs = &stats.zone[z];
		uint64_t sum = 0;
		for (int o = 0; o < LAB_MAX_ORDER; o++)
			sum += zs->nr_free[o] << o;
		if (sum != zs->free)
			fail("zone %d: free blocks hold %llu pages, free = %llu", z, (unsigned long long)sum,
			     (unsigned long long)zs->free);
		if (zs->present > zs->spanned || zs->managed > zs->present)
			fail("zone %d: spanned %llu present %llu managed %llu", z, (unsigned long long)zs->spanned,
			     (unsigned long long)zs->present, (unsigned long long)zs->managed);
		if (zs->wmark[LAB_WMARK_MIN] > zs->wmark[LAB_WMARK_LOW] ||
		    zs->wmark[LAB_WMARK_LOW] > zs->wmark[LAB_WMARK_HIGH])
			fail("zone %d: watermarks min %llu low %llu high %llu out of order", z,
			     (unsigned long long)zs->wmark[0], (unsigned long long)zs->wmark[1],
			     (unsigned long long)zs->wmark[2]);
	}
}

static unsigned held_cpu;

static void release_held(void)
{
	if (fz.pcp_held_by_task) {
		fz.pcp_held[held_cpu] = 0;
		fz.pcp_held_by_task = 0;
	}
}

static void op_context(struct cursor *c)
{
	uint8_t b = get8(c);

	release_held();
	fz.cpu = (b & 3) % fz.nr_cpus;
	fz.context = (enum lab_context)((b >> 2) & 3);
	fz.atomic = (b >> 4) & 1;
	if ((b & 0x20) && fz.context != LAB_CTX_PROCESS) {
		/* the interrupt arrived while the task held this CPU's pcp lock */
		held_cpu = fz.cpu;
		fz.pcp_held[held_cpu] = 1;
		fz.pcp_held_by_task = 1;
	}
}

static void op_drain(struct cursor *c)
{
	uint8_t b = get8(c);
	if (fz.pcp_held_by_task)
		return;         /* draining under our own pcp lock is the caller's deadlock */
	if (b & 1)
		lab_drain_all_pages(mem);
	else
		lab_drain_local_pages(mem);
}

/* The checks see the allocator from the task, between interrupts. */
static void checks(void)
{
	int held = fz.pcp_held_by_task;
	if (held)
		fz.pcp_held[held_cpu] = 0;
	check_all(true);
	if (held)
		fz.pcp_held[held_cpu] = 1;
}

static void teardown(void)
{
	release_held();
	fz.context = LAB_CTX_PROCESS;
	fz.atomic = 0;
	op_name = "teardown";
	while (nlive) {
		struct live *l = &live[nlive - 1];
		verify_tag(l);
		int r = lab_try_free_pages(mem, l->page, l->order);
		if (r)
			fail("teardown: free of pfn %#llx order %u returned %d", (unsigned long long)l->pfn, l->order, r);
		drop((int)nlive - 1);
	}
	lab_drain_all_pages(mem);
	check_all(true);
	fz.checking = 1;
	lab_mem_get_stats(mem, &stats);
	for (int z = 0; z < LAB_MAX_NR_ZONES; z++)
		if (stats.zone[z].free_pcp)
			fail("teardown: zone %d keeps %llu pages on per-CPU lists after drain_all", z,
			     (unsigned long long)stats.zone[z].free_pcp);
	fz.checking = 0;
	mem = NULL;     /* stays registered: the next input starts from a pristine copy */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cursor c = { data, size, 0 };

	if (!other)
		create_other();
	op_no = 0;
	op_name = "create";
	create(&c);
	checks();
	while (c.i < c.n && op_no < FZ_MAX_OPS) {
		uint8_t op = get8(&c);
		op_no++;
		switch (op % 16) {
		case 0: case 1: case 2:
			op_name = "alloc";
			op_alloc(&c, false);
			break;
		case 3:
			op_name = "alloc raw gfp";
			op_alloc(&c, true);
			break;
		case 4: case 5:
			op_name = "free";
			op_free(&c);
			break;
		case 6:
			op_name = "bad free";
			op_bad_free(&c);
			break;
		case 7:
			op_name = "alloc_pages_exact";
			op_alloc_exact(&c);
			break;
		case 8:
			op_name = "free_pages_exact";
			op_free_exact(&c);
			break;
		case 9:
			op_name = "get_free_pages";
			op_get_free_pages(&c);
			break;
		case 10:
			op_name = "bad free_pages_addr";
			op_bad_free_addr(&c);
			break;
		case 11:
			op_name = "tunable";
			op_tunable(&c);
			break;
		case 12:
			op_name = "bulk alloc";
			op_bulk_alloc(&c);
			break;
		case 13:
			op_name = "bulk free";
			op_bulk_free(&c);
			break;
		case 14:
			op_name = (op & 0x10) ? "drain" : "stats";
			if (op & 0x10)
				op_drain(&c);
			else
				op_stats();
			break;
		default:
			op_name = "context";
			op_context(&c);
			break;
		}
		checks();
	}
	teardown();
	return 0;
}
