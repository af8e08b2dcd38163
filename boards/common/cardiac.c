/* SPDX-License-Identifier: MIT */
/*
 * boards/common/cardiac.c - the cardiac monitor on bare metal: the seed's
 * workload (scenarios/cardiac-monitor.yaml) driven by the board's real
 * timer interrupts instead of the simulator's virtual clock.
 *
 *   ECG timer IRQ (ECG_HZ)            network timer IRQ (NET_HZ, higher rate,
 *     alloc order 0 GFP_ATOMIC          higher priority where the hardware
 *     write a sample frame              has priorities: it nests in the ECG one)
 *     push to ring ----+                  free a random held block,
 *                      |                  alloc order 1-3 GFP_ATOMIC|__GFP_COMP
 *   main loop          v
 *     pop ring: kmap_local, checksum, kunmap_local, free
 *     GFP_NOWAIT order 0-2 report buffers: kmap_local, fill, kunmap_local,
 *     keep a few, free the oldest; lab_mem_check() every CHECK_EVERY pops
 *
 * After IRQ_TARGET interrupts the timers stop, every block is freed and the
 * run passes only if lab_mem_check() == 0, the free pages equal the managed
 * pages (none lost), the ECG and network paths never failed, and a
 * GFP_KERNEL request made inside the ECG interrupt was refused with the
 * might_sleep report (while the same request from the main loop is served).
 * The exit status says so (board_exit).
 *
 * Latency: board_cycles() around one lab_alloc_pages() inside each handler,
 * and lab_mem_list_ops() around the same call; p50 and worst of both are
 * printed side by side. Under QEMU the cycles are emulated.
 */
#include <labyrinth/labyrinth.h>
#include <labyrinth/background.h>
#include <labyrinth/kmap.h>
#include "board.h"
#include "log.h"

/* What the build compiled out (boards/build.sh minimal; src/core/config.h):
 * the harness proves each says so and checks by other means what it did. */
#if defined(LAB_CONFIG_CHECK) && !LAB_CONFIG_CHECK
#define HAVE_CHECK 0     /* no lab_mem_check: "no lost page" by counters */
#else
#define HAVE_CHECK 1
#endif
#if defined(LAB_CONFIG_REPORTS) && !LAB_CONFIG_REPORTS
#define HAVE_REPORTS 0   /* no text: the might_sleep report is its counter */
#else
#define HAVE_REPORTS 1
#endif
#if defined(LAB_CONFIG_CMA) && !LAB_CONFIG_CMA
#define HAVE_CMA 0       /* no CMA areas */
#else
#define HAVE_CMA 1
#endif
#if defined(LAB_CONFIG_HIGHMEM) && !LAB_CONFIG_HIGHMEM
#define HAVE_HIGHMEM 0   /* kmap_local is page_address(), as Linux's !HIGHMEM */
#else
#define HAVE_HIGHMEM 1
#endif

#ifndef ECG_HZ
#define ECG_HZ 5000
#endif
#ifndef NET_HZ
#define NET_HZ 20000
#endif
#ifndef IRQ_TARGET
#define IRQ_TARGET 100000u
#endif
#define RING 128                  /* ECG buffers in flight to the main loop */
#define NET_HELD 48               /* network blocks held at a time */
#define MAIN_HELD 16              /* report buffers the main loop keeps */
#define CHECK_EVERY 8192u         /* main-loop pops between live lab_mem_check() */
#define SLEEP_TEST_AT 1000u       /* ECG interrupt that tries GFP_KERNEL */
#define SAMPLES 64                /* 16-bit samples written per ECG buffer */
#define SEED 0x2545F491u

/* cycles: 4-cycle buckets up to HIST_MAX, worst kept exactly */
#define HIST_SHIFT 2
#define HIST_MAX 65536u
struct hist {
	unsigned n, worst, over;
	unsigned bucket[HIST_MAX >> HIST_SHIFT];
	unsigned ops[64];             /* free-list operations of the same calls */
	unsigned ops_worst;
};

static struct {
	struct lab_mem *mem;
	uint64_t managed;
	/* ECG -> main ring: one producer (ECG IRQ), one consumer (main) */
	struct lab_page *ring[RING];
	volatile unsigned head, tail;
	volatile unsigned ecg_irqs, net_irqs, nested;
	volatile int in_ecg;
	unsigned ecg_fail, ecg_dropped, net_fail, net_frees;
	unsigned consumed, main_allocs, main_fail, checks, check_errors;
	unsigned sum;
	int sleep_refused, sleep_reported, sleep_process_ok;
	unsigned meta_per_page;
	struct { struct lab_page *p; unsigned order; } net[NET_HELD];
	struct { struct lab_page *p; unsigned order; } held[MAIN_HELD];
	unsigned net_rand, main_rand;
	struct hist ecg_lat, net_lat;
} cm;

static struct lab_mem_stats stats;

static unsigned xorshift(unsigned *s)
{
	unsigned x = *s;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x;
}

static void hist_add(struct hist *h, unsigned cycles, uint64_t ops)
{
	h->n++;
	if (cycles > h->worst)
		h->worst = cycles;
	if (cycles >= HIST_MAX)
		h->over++;
	else
		h->bucket[cycles >> HIST_SHIFT]++;
	h->ops[ops < 63 ? ops : 63]++;
	if (ops > h->ops_worst)
		h->ops_worst = (unsigned)ops;
}

/* The median's bucket (its upper edge), HIST_MAX if it lies beyond. */
static unsigned hist_p50(const struct hist *h)
{
	unsigned seen = 0;
	for (unsigned b = 0; b < (HIST_MAX >> HIST_SHIFT); b++) {
		seen += h->bucket[b];
		if (2 * seen >= h->n)
			return (b + 1) << HIST_SHIFT;
	}
	return HIST_MAX;
}

static unsigned ops_p50(const struct hist *h)
{
	unsigned seen = 0;
	for (unsigned o = 0; o < 64; o++) {
		seen += h->ops[o];
		if (2 * seen >= h->n)
			return o;
	}
	return 63;
}

/* One timed GFP_ATOMIC allocation, as an interrupt handler makes it. */
static struct lab_page *timed_alloc(struct hist *h, lab_gfp_t gfp, unsigned order)
{
	uint64_t ops = lab_mem_list_ops(cm.mem);
	unsigned c0 = (unsigned)board_cycles();
	struct lab_page *p = lab_alloc_pages(cm.mem, gfp, order);
	unsigned c1 = (unsigned)board_cycles();
	hist_add(h, c1 - c0, lab_mem_list_ops(cm.mem) - ops);
	return p;
}

/* might_sleep reports so far: the lines the log hook saw, or without the
 * core's text (LAB_CONFIG_REPORTS=0) the LAB_EV_MIGHT_SLEEP counter. */
static unsigned might_sleep_seen(void)
{
	return HAVE_REPORTS ? board_log_might_sleep : (unsigned)lab_mem_event(cm.mem, LAB_EV_MIGHT_SLEEP);
}

/* might_sleep on the board: a sleeping gfp from the interrupt must be
 * reported and refused (LAB_CFG_MIGHT_SLEEP_FAIL). */
static void sleeping_alloc_in_irq(void)
{
	unsigned before = might_sleep_seen();
	struct lab_page *p = lab_alloc_pages(cm.mem, LAB_GFP_KERNEL, 0);
	cm.sleep_refused = p == NULL;
	cm.sleep_reported = might_sleep_seen() == before + 1;
	if (p)
		lab_free_pages(cm.mem, p, 0);
}

void cardiac_ecg_irq(void)
{
	unsigned n = ++cm.ecg_irqs;
	cm.in_ecg = 1;
	if (n == SLEEP_TEST_AT)
		sleeping_alloc_in_irq();
	struct lab_page *p = timed_alloc(&cm.ecg_lat, LAB_GFP_ATOMIC, 0);
	if (!p) {
		cm.ecg_fail++;
	} else {
		uint16_t *frame = lab_page_address(p);
		for (unsigned i = 0; i < SAMPLES; i++)
			frame[i] = (uint16_t)(n * 7u + i * 13u);
		unsigned head = cm.head;
		if (head - cm.tail < RING) {
			cm.ring[head % RING] = p;
			cm.head = head + 1;
		} else {
			cm.ecg_dropped++;
			lab_free_pages(cm.mem, p, 0);
		}
	}
	cm.in_ecg = 0;
}

void cardiac_net_irq(void)
{
	cm.net_irqs++;
	if (cm.in_ecg)
		cm.nested++;
	unsigned r = xorshift(&cm.net_rand);
	unsigned slot = r % NET_HELD, order = 1 + (r >> 8) % 3;
	if (cm.net[slot].p) {
		lab_free_pages(cm.mem, cm.net[slot].p, cm.net[slot].order);
		cm.net_frees++;
	}
	cm.net[slot].p = timed_alloc(&cm.net_lat, LAB_GFP_ATOMIC | LAB___GFP_COMP, order);
	cm.net[slot].order = order;
	if (!cm.net[slot].p)
		cm.net_fail++;
}

/* The main loop's share of an ECG buffer: map it, read it, free it. */
static void consume_one(struct lab_page *p)
{
	uint16_t *frame = lab_kmap_local(p);
	for (unsigned i = 0; i < SAMPLES; i++)
		cm.sum += frame[i];
	lab_kunmap_local(frame);
	lab_free_pages(cm.mem, p, 0);
	cm.consumed++;
}

/* Non-interrupt work: a report buffer that may not block. */
static void report_buffer(void)
{
	unsigned r = xorshift(&cm.main_rand);
	unsigned slot = r % MAIN_HELD, order = (r >> 8) % 3;
	if (cm.held[slot].p)
		lab_free_pages(cm.mem, cm.held[slot].p, cm.held[slot].order);
	struct lab_page *p = lab_alloc_pages(cm.mem, LAB_GFP_NOWAIT, order);
	cm.held[slot].p = p;
	cm.held[slot].order = order;
	cm.main_allocs++;
	if (!p) {
		cm.main_fail++;
		return;
	}
	for (unsigned i = 0; i < (1u << order); i++) {
		unsigned *w = lab_kmap_local(lab_pfn_to_page(cm.mem, lab_page_to_pfn(p) + i));
		w[0] = cm.consumed;
		w[1] = i;
		lab_kunmap_local(w);
	}
}

static void live_check(void)
{
	int errors = lab_mem_check(cm.mem);
	cm.checks++;
	if (errors) {
		cm.check_errors += (unsigned)errors;
		say("lab_mem_check during the run: %d violations", errors);
	}
}

static void main_loop(void)
{
	while (cm.ecg_irqs + cm.net_irqs < IRQ_TARGET) {
		while (cm.tail != cm.head) {
			struct lab_page *p = cm.ring[cm.tail % RING];
			cm.tail = cm.tail + 1;
			consume_one(p);
			if (HAVE_CHECK && cm.consumed % CHECK_EVERY == 0)
				live_check();
		}
		report_buffer();
	}
}

static void free_everything(void)
{
	while (cm.tail != cm.head) {
		consume_one(cm.ring[cm.tail % RING]);
		cm.tail = cm.tail + 1;
	}
	for (unsigned i = 0; i < NET_HELD; i++)
		if (cm.net[i].p)
			lab_free_pages(cm.mem, cm.net[i].p, cm.net[i].order);
	for (unsigned i = 0; i < MAIN_HELD; i++)
		if (cm.held[i].p)
			lab_free_pages(cm.mem, cm.held[i].p, cm.held[i].order);
	lab_drain_all_pages(cm.mem);
}

/* /proc/buddyinfo, as Linux's frag_show_print() writes it. The minimal
 * board prints its counters only: the /proc tables are reports, and the
 * snapshot behind them (lab_mem_get_stats) is most of a kilobyte. */
static void print_buddyinfo(void)
{
	if (!HAVE_REPORTS)
		return;
	lab_mem_get_stats(cm.mem, &stats);
	for (unsigned z = 0; z < LAB_MAX_NR_ZONES; z++) {
		if (!stats.populated[z])
			continue;
		char line[160];
		int n = lab_snprintf(line, sizeof(line), "Node 0, zone %8s ", lab_zone_name(&stats, z));
		for (unsigned o = 0; o < LAB_MAX_ORDER && n < (int)sizeof(line); o++)
			n += lab_snprintf(line + n, sizeof(line) - (size_t)n, "%6llu ",
					  (unsigned long long)stats.zone[z].nr_free[o]);
		board_puts_line(line);
	}
}

static void print_latency(const char *what, const struct hist *h)
{
	say("latency %s: %u allocations, cycles p50 %u worst %u (%u over %u), "
	    "free-list ops p50 %u worst %u",
	    what, h->n, hist_p50(h), h->worst, h->over, HIST_MAX, ops_p50(h), h->ops_worst);
}

static void print_counters(void)
{
	say("interrupts: ecg %u net %u (net nested in ecg: %u)", cm.ecg_irqs, cm.net_irqs, cm.nested);
	say("ecg: buffers %u consumed %u dropped %u failed %u checksum %x",
	    cm.ecg_lat.n, cm.consumed, cm.ecg_dropped, cm.ecg_fail, cm.sum);
	say("net: allocations %u frees %u failed %u", cm.net_lat.n, cm.net_frees, cm.net_fail);
	say("main: GFP_NOWAIT allocations %u failed %u, live lab_mem_check %u (violations %u)",
	    cm.main_allocs, cm.main_fail, cm.checks, cm.check_errors);
	say("pgalloc_normal %llu pgfree %llu alloc_fail %llu might_sleep %llu",
	    (unsigned long long)lab_mem_event(cm.mem, LAB_PGALLOC_NORMAL),
	    (unsigned long long)lab_mem_event(cm.mem, LAB_PGFREE),
	    (unsigned long long)lab_mem_event(cm.mem, LAB_EV_ALLOC_FAIL),
	    (unsigned long long)lab_mem_event(cm.mem, LAB_EV_MIGHT_SLEEP));
	say("cycle counter: %s (emulated by QEMU: compare ratios only)", board_cycle_source());
	print_latency("ecg order-0 GFP_ATOMIC", &cm.ecg_lat);
	print_latency("net order-1..3 GFP_ATOMIC", &cm.net_lat);
}

static struct lab_mem *boot_allocator(void)
{
	static struct lab_range ram;
	static char meta[96 * 1024] __attribute__((aligned(64)));
	ram.start = (lab_phys_t)(uintptr_t)board_arena_start;
	ram.size = (uint64_t)(board_arena_end - board_arena_start);
	struct lab_mem_config cfg = {
		.ranges = &ram, .nr_ranges = 1,
		.virt_base = board_arena_start,
		.flags = LAB_CFG_NO_ZONE_DMA | LAB_CFG_NO_ZONE_DMA32 | LAB_CFG_MIGHT_SLEEP_FAIL,
		.pageblock_order = 6,
		.platform = &board_platform,
		.metadata = meta, .metadata_bytes = sizeof(meta),
	};
	size_t need = lab_mem_metadata_bytes(&cfg);
	/* per page: what another half arena costs (the instance itself aside) */
	ram.size /= 2;
	size_t half = lab_mem_metadata_bytes(&cfg);
	ram.size *= 2;
	cm.meta_per_page = (unsigned)((need - half) / (ram.size >> 13));
	int err = 0;
	say("arena %p..%p: %u pages, metadata %u bytes: %u per page + %u for the instance",
	    (void *)board_arena_start, (void *)board_arena_end, (unsigned)(ram.size >> 12), (unsigned)need,
	    cm.meta_per_page, (unsigned)(need - cm.meta_per_page * (ram.size >> 12)));
	struct lab_mem *mem = need && need <= sizeof(meta) ? lab_mem_init(&cfg, &err) : NULL;
	if (!mem) {
		say("FAIL: lab_mem_init: error %d (metadata needs %u bytes)", err, (unsigned)need);
		board_exit(1);
	}
	return mem;
}

/* A sleeping request from process context with interrupts enabled is
 * served: the refusal in the handler comes from the hardware's state. */
static void sleeping_alloc_in_process(void)
{
	struct lab_page *p = lab_alloc_pages(cm.mem, LAB_GFP_KERNEL, 0);
	cm.sleep_process_ok = p != NULL && might_sleep_seen() == 0;
	if (p)
		lab_free_pages(cm.mem, p, 0);
}

/* Built minimal (boards/build.sh CONFIG=minimal), the compiled-out
 * mechanisms must say so rather than pretend: returns 1 when they do (or
 * when nothing is compiled out). */
static int compiled_out_says_so(void)
{
	int ok = 1;
#if defined(LAB_CONFIG_OWNERS) && !LAB_CONFIG_OWNERS
	static const struct lab_page_owner_ops ops;
	struct lab_page *p = lab_alloc_pages(cm.mem, LAB_GFP_KERNEL, 0);
	int reg = lab_owner_register(cm.mem, &ops, NULL), set = lab_page_set_owner(cm.mem, p, 1, 0);
	say("compiled out: page owners: lab_owner_register %d, lab_page_set_owner %d (LAB_EOPNOTSUPP %d)",
	    reg, set, LAB_EOPNOTSUPP);
	ok &= reg == LAB_EOPNOTSUPP && set == LAB_EOPNOTSUPP;
	lab_free_pages(cm.mem, p, 0);
#endif
#if defined(LAB_CONFIG_COMPACTION) && !LAB_CONFIG_COMPACTION
	unsigned long migrated = lab_compact_memory(cm.mem);
	int kcompactd = lab_kcompactd_once(cm.mem, 64);
	say("compiled out: compaction: lab_compact_memory %lu, lab_kcompactd_once %d", migrated, kcompactd);
	ok &= migrated == 0 && kcompactd == LAB_BG_IDLE;
#endif
#if defined(LAB_CONFIG_RECLAIM) && !LAB_CONFIG_RECLAIM
	int kswapd = lab_kswapd_balance_once(cm.mem, 64);
	say("compiled out: reclaim: lab_kswapd_balance_once %d", kswapd);
	ok &= kswapd == LAB_BG_IDLE;
#endif
#if defined(LAB_CONFIG_HIGHATOMIC) && !LAB_CONFIG_HIGHATOMIC
	/* the GFP names' absence is proven on the host (tests/core/minimal.sh):
	 * calling lab_gfp_parse here would link 0.6 KiB for nothing else */
	int ha = lab_set_highatomic_reserve(cm.mem, 1);
	unsigned long reserved = (unsigned long)lab_mem_event(cm.mem, LAB_EV_HIGHATOMIC_RESERVE);
	say("compiled out: highatomic reserve: lab_set_highatomic_reserve(1) %d, pageblocks reserved over the run %lu",
	    ha, reserved);
	ok &= ha == LAB_EOPNOTSUPP && reserved == 0;
#endif
#if !HAVE_CHECK
	int check = lab_mem_check(cm.mem);
	say("compiled out: lab_mem_check %d (LAB_EOPNOTSUPP %d)", check, LAB_EOPNOTSUPP);
	ok &= check == LAB_EOPNOTSUPP;
#endif
#if !HAVE_HIGHMEM
	/* a highmem zone is refused before the metadata is even looked at */
	static const struct lab_range low_high = { .start = 0, .size = 1u << 20 };
	struct lab_mem_config hc = { .ranges = &low_high, .nr_ranges = 1, .highmem_start = 1u << 19 };
	int herr = 0;
	struct lab_mem *hm = lab_mem_init(&hc, &herr);
	struct lab_page *lp = lab_alloc_pages(cm.mem, LAB_GFP_KERNEL, 0);
	void *va = lab_kmap_local(lp);
	int direct = va && va == lab_page_address(lp) && lab_kmap_local_depth(cm.mem) == 0;
	lab_kunmap_local(va);
	lab_free_pages(cm.mem, lp, 0);
	say("compiled out: highmem: lab_mem_init with a highmem_start %s (error %d), lab_kmap_local is page_address() %s",
	    hm ? "served" : "refused", herr, direct ? "yes" : "NO");
	ok &= !hm && herr == LAB_EOPNOTSUPP && direct;
#endif
#if !HAVE_CMA
	static const struct lab_range cma_ram = { .start = 0, .size = 4u << 20 }, cma_area = { .start = 0, .size = 1u << 20 };
	struct lab_mem_config cc = { .ranges = &cma_ram, .nr_ranges = 1, .cma = &cma_area, .nr_cma = 1 };
	int cerr = 0;
	struct lab_mem *cmem = lab_mem_init(&cc, &cerr);
	say("compiled out: CMA: lab_mem_init with a CMA area %s (error %d)", cmem ? "served" : "refused", cerr);
	ok &= !cmem && cerr == LAB_EOPNOTSUPP;
#endif
#if !HAVE_REPORTS
	/* largest blocks until one fails (the arena holds at most 16 of them):
	 * the failure is counted, but leaves no record and no text */
	struct lab_page *big[17];
	unsigned nbig = 0;
	uint64_t fails = lab_mem_event(cm.mem, LAB_EV_ALLOC_FAIL);
	while (nbig < 17 && (big[nbig] = lab_alloc_pages(cm.mem, LAB_GFP_NOWAIT, LAB_MAX_ORDER - 1)))
		nbig++;
	int counted = nbig < 17 && lab_mem_event(cm.mem, LAB_EV_ALLOC_FAIL) == fails + 1;
	const struct lab_alloc_failure *rec = lab_mem_last_failure(cm.mem);
	say("compiled out: reports: order-%u request %u failed, counted %s, lab_mem_last_failure %s, core log lines %u",
	    LAB_MAX_ORDER - 1, nbig + 1, counted ? "yes" : "NO", rec ? "set" : "NULL", board_log_lines);
	ok &= counted && !rec && board_log_lines == 0;
	while (nbig)
		lab_free_pages(cm.mem, big[--nbig], LAB_MAX_ORDER - 1);
#endif
	return ok;
}

void cardiac_main(void)
{
	board_init();
	say("labyrinth %s cardiac monitor on %s: ecg %u Hz, net %u Hz, %u interrupts",
	    LAB_VERSION, board_name, ECG_HZ, NET_HZ, IRQ_TARGET);
	cm.mem = boot_allocator();
	cm.managed = lab_mem_free_pages(cm.mem, 1);
	cm.net_rand = SEED;
	cm.main_rand = SEED ^ 0x9e3779b9u;
	sleeping_alloc_in_process();
	int switches_ok = compiled_out_says_so();
	board_timers_start(ECG_HZ, NET_HZ);
	main_loop();
	board_timers_stop();
	free_everything();
	int errors = lab_mem_check(cm.mem);
	uint64_t free_now = lab_mem_free_pages(cm.mem, 1);
	print_buddyinfo();
	print_counters();
	say("might_sleep test: GFP_KERNEL in process context served %s, in the ECG interrupt refused %s, reported %s",
	    cm.sleep_process_ok ? "yes" : "NO", cm.sleep_refused ? "yes" : "NO", cm.sleep_reported ? "yes" : "NO");
	say("lab_mem_check() = %d%s, free pages %llu of %llu managed", errors, HAVE_CHECK ? "" : " (compiled out)",
	    (unsigned long long)free_now, (unsigned long long)cm.managed);
	if (!HAVE_REPORTS)
		say("core log lines over the run: %u (the core's text is compiled out)", board_log_lines);
	int ok = (HAVE_CHECK ? errors == 0 : errors == LAB_EOPNOTSUPP) && cm.check_errors == 0 &&
		 (HAVE_REPORTS || board_log_lines == 0) && free_now == cm.managed && cm.ecg_fail == 0 &&
		 cm.net_fail == 0 && cm.sleep_refused && cm.sleep_reported && cm.sleep_process_ok &&
		 cm.ecg_irqs + cm.net_irqs >= IRQ_TARGET && cm.ecg_lat.n > 0 && cm.net_lat.n > 0 &&
		 cm.meta_per_page <= 16 && switches_ok;
	say("cardiac: %s", ok ? "PASS" : "FAIL");
	board_exit(ok ? 0 : 1);
}
