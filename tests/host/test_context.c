/* SPDX-License-Identifier: MIT */
/*
 * tests/host/test_context.c - context tracking (preempt_count, soft
 * interrupt masking, signal interrupts and their replay) and might_sleep
 * enforcement: each violation is reported once with Linux's text, the
 * policy fails or degrades the call, and no atomic path ever reaches a
 * blocking platform hook (a platform whose blocking hooks fail the test).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "util/fixture.h"
#include "util/hostcap.h"
#include <labyrinth/host.h>
#include <labyrinth/kmap.h>

static struct lab_mem *new_host(unsigned flags)
{
	hostcap_reset();
	struct lab_mem *m = lab_host_create(&(struct lab_host_config){ .mem_bytes = 16u << 20, .nr_cpus = 2,
		.quiet = 1, .flags = flags, .log_hook = hostcap_hook, .highmem_start_bytes = 8u << 20 });
	assert_non_null(m);
	return m;
}

static uint64_t might_sleep_events(struct lab_mem *m)
{
	static struct lab_mem_stats st;
	lab_mem_get_stats(m, &st);
	return st.events[LAB_EV_MIGHT_SLEEP];
}

/* An order-0 page above the highmem boundary (lowmem ones met on the way are given back). */
static struct lab_page *alloc_high(struct lab_mem *m, lab_gfp_t gfp)
{
	static struct lab_page *low[4096];
	struct lab_page *p;
	int n = 0;
	while ((p = lab_alloc_pages(m, gfp | LAB___GFP_NOWARN, 0)) && lab_page_address(p) && n < 4096)
		low[n++] = p;
	while (n)
		lab_free_pages(m, low[--n], 0);
	assert_non_null(p);
	assert_null(lab_page_address(p));
	return p;
}

static void thread_name(char out[16])
{
	memset(out, 0, 16);
	prctl(PR_GET_NAME, out);
}

/* ---- preempt_count ---------------------------------------------------------------- */

/* The counts are packed as Linux packs them: preempt, softirq (bh 0x200), hardirq, NMI. */
static void test_context_preempt_count_layout(void **state)
{
	(void)state;
	assert_int_equal(lab_preempt_count(), 0);
	lab_preempt_disable();
	lab_local_bh_disable();
	lab_irq_enter();
	assert_int_equal(lab_preempt_count(), 0x10201);
	lab_nmi_enter();
	assert_int_equal(lab_preempt_count(), 0x120201);
	lab_nmi_exit();
	lab_irq_exit();
	lab_local_bh_enable();
	lab_preempt_enable();
	assert_int_equal(lab_preempt_count(), 0);
}

/* in_atomic/in_interrupt/in_task answer as Linux's macros in each region. */
static void test_context_queries_follow_regions(void **state)
{
	(void)state;
	assert_true(lab_in_task() && !lab_in_atomic() && !lab_in_interrupt() && lab_may_sleep());
	assert_int_equal(lab_current_context(), LAB_CTX_PROCESS);
	lab_preempt_disable();
	assert_true(lab_in_atomic() && !lab_in_interrupt() && lab_in_task() && !lab_may_sleep());
	lab_preempt_enable();
	lab_local_bh_disable();
	assert_true(lab_in_softirq() && lab_in_interrupt() && !lab_in_serving_softirq() && lab_in_task());
	lab_local_bh_enable();
	lab_irq_enter();
	assert_true(lab_in_hardirq() && lab_in_interrupt() && !lab_in_task());
	assert_int_equal(lab_current_context(), LAB_CTX_HARDIRQ);
	lab_irq_exit();
	assert_true(lab_may_sleep());
}

static enum lab_context softirq_ctx;
static void softirq_fn(void *arg)
{
	(void)arg;
	softirq_ctx = lab_current_context();
}

/* lab_do_softirq runs its handler in serving-softirq context. */
static void test_context_do_softirq_is_softirq(void **state)
{
	(void)state;
	lab_do_softirq(softirq_fn, NULL);
	assert_int_equal(softirq_ctx, LAB_CTX_SOFTIRQ);
	assert_int_equal(lab_preempt_count(), 0);
}

/* An unbalanced preempt_enable is reported and does not underflow. */
static void test_context_preempt_underflow_reported(void **state)
{
	(void)state;
	unsigned long before = lab_context_bug_count();
	lab_preempt_enable();
	assert_int_equal(lab_context_bug_count(), before + 1);
	assert_int_equal(lab_preempt_count(), 0);
}

/* ---- soft interrupt masking --------------------------------------------------------- */

/* local_irq_save nests: the inner restore keeps interrupts disabled. */
static void test_context_irq_save_nests(void **state)
{
	(void)state;
	unsigned long outer = lab_local_irq_save();
	assert_true(lab_irqs_disabled());
	unsigned long inner = lab_local_irq_save();
	lab_local_irq_restore(inner);
	assert_true(lab_irqs_disabled());
	lab_local_irq_restore(outer);
	assert_false(lab_irqs_disabled());
	assert_int_equal(outer, 0);
	assert_int_not_equal(inner, 0);
}

static int isr_runs;
static unsigned isr_pc;
static int isr_irqs_off;
static enum lab_context isr_ctx;

static void count_isr(void *arg)
{
	(void)arg;
	isr_runs++;
	isr_pc = lab_preempt_count();
	isr_irqs_off = lab_irqs_disabled();
	isr_ctx = lab_current_context();
}

/* With interrupts enabled the routine runs at once, in hardirq context with interrupts off. */
static void test_context_irq_runs_in_hardirq(void **state)
{
	(void)state;
	isr_runs = 0;
	assert_int_equal(lab_host_irq_start(NULL, 0, count_isr, NULL), 0);
	assert_int_equal(lab_host_irq_raise(NULL), 0);
	assert_int_equal(isr_runs, 1);
	assert_int_equal(isr_pc, LAB_HARDIRQ_OFFSET);
	assert_true(isr_irqs_off);
	assert_int_equal(isr_ctx, LAB_CTX_HARDIRQ);
	assert_false(lab_irqs_disabled());
	lab_host_irq_stop(NULL);
}

/* A signal that arrives while masked is only marked pending and runs at local_irq_restore. */
static void test_context_masked_irq_replayed_at_restore(void **state)
{
	(void)state;
	struct lab_irq_stats a, b;
	isr_runs = 0;
	assert_int_equal(lab_host_irq_start(NULL, 0, count_isr, NULL), 0);
	lab_host_irq_stats(&a);
	unsigned long flags = lab_local_irq_save();
	assert_int_equal(lab_host_irq_raise(NULL), 0);
	assert_int_equal(isr_runs, 0);
	lab_local_irq_restore(flags);
	assert_int_equal(isr_runs, 1);
	lab_host_irq_stats(&b);
	assert_int_equal(b.deferred - a.deferred, 1);
	assert_int_equal(b.replayed - a.replayed, 1);
	lab_host_irq_stop(NULL);
}

/* Holding an irqsave spinlock keeps the routine out until the unlock. */
static void test_context_spin_lock_irqsave_defers_irq(void **state)
{
	(void)state;
	struct lab_spinlock l = LAB_SPINLOCK_INIT;
	isr_runs = 0;
	assert_int_equal(lab_host_irq_start(NULL, 0, count_isr, NULL), 0);
	unsigned long flags = lab_spin_lock_irqsave(&l);
	assert_int_equal(lab_preempt_count(), 1);
	lab_host_irq_raise(NULL);
	lab_host_irq_raise(NULL);
	assert_int_equal(isr_runs, 0);
	lab_spin_unlock_irqrestore(&l, flags);
	/* two ticks while masked coalesce into one run, as a level-triggered line */
	assert_int_equal(isr_runs, 1);
	assert_int_equal(lab_preempt_count(), 0);
	lab_host_irq_stop(NULL);
}

/* A trylock of a held lock fails and leaves the context as it was. */
static void test_context_trylock_failure_restores_context(void **state)
{
	(void)state;
	struct lab_spinlock l = LAB_SPINLOCK_INIT;
	unsigned long f1, f2;
	assert_true(lab_spin_trylock_irqsave(&l, &f1));
	lab_local_irq_enable();   /* pretend another owner: enable, then try again */
	assert_false(lab_spin_trylock_irqsave(&l, &f2));
	assert_false(lab_irqs_disabled());
	assert_int_equal(lab_preempt_count(), 1);
	lab_spin_unlock_irqrestore(&l, 0);
	assert_int_equal(lab_preempt_count(), 0);
}

static volatile unsigned long spin_sink;

/* The periodic timer really interrupts a busy thread. */
static void test_context_timer_irq_fires(void **state)
{
	(void)state;
	isr_runs = 0;
	assert_int_equal(lab_host_irq_start(NULL, 2000, count_isr, NULL), 0);
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		spin_sink++;
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while ((t.tv_sec - t0.tv_sec) * 1000000000l + (t.tv_nsec - t0.tv_nsec) < 100000000l);
	lab_host_irq_stop(NULL);
	int runs = isr_runs;
	assert_true(runs > 20);
	usleep(20000);
	assert_int_equal(isr_runs, runs);   /* stopped means stopped */
}

/* One interrupt per thread. */
static void test_context_irq_start_twice_busy(void **state)
{
	(void)state;
	assert_int_equal(lab_host_irq_start(NULL, 0, count_isr, NULL), 0);
	assert_int_equal(lab_host_irq_start(NULL, 0, count_isr, NULL), -EBUSY);
	lab_host_irq_stop(NULL);
	assert_int_equal(lab_host_irq_start(NULL, 2000000, count_isr, NULL), -EINVAL);
	assert_int_equal(lab_host_irq_raise(NULL), -EINVAL);
}

static void *irq_then_exit(void *arg)
{
	(void)arg;
	lab_host_irq_start(NULL, 5000, count_isr, NULL);
	usleep(10000);
	return NULL;   /* exits with the timer armed */
}

/* A thread that exits with its timer armed stops it: no tick strays to another thread. */
static void test_context_thread_exit_stops_timer(void **state)
{
	(void)state;
	struct lab_irq_stats a, b;
	pthread_t t;
	lab_host_irq_stats(&a);
	assert_int_equal(pthread_create(&t, NULL, irq_then_exit, NULL), 0);
	pthread_join(t, NULL);
	usleep(30000);
	lab_host_irq_stats(&b);
	assert_int_equal(b.stray, a.stray);
}

/* ---- might_sleep --------------------------------------------------------------------- */

static struct lab_mem *isr_mem;
static struct lab_page *isr_page;

static void kernel_alloc_isr(void *arg)
{
	(void)arg;
	isr_page = lab_alloc_pages(isr_mem, LAB_GFP_KERNEL, 0);
}

/* GFP_KERNEL in a hardirq: one report, Linux's lines, pid and thread name; degraded, not failed. */
static void test_context_might_sleep_in_hardirq(void **state)
{
	(void)state;
	char comm[16], want[96];
	struct lab_mem *m = new_host(0);
	isr_mem = m;
	isr_page = NULL;
	thread_name(comm);
	assert_int_equal(lab_host_irq_start(m, 0, kernel_alloc_isr, NULL), 0);
	lab_host_irq_raise(m);
	lab_host_irq_stop(m);
	assert_int_equal(hostcap_count("BUG: sleeping function called from invalid context at"), 1);
	snprintf(want, sizeof(want), "in_atomic(): 1, irqs_disabled(): 1, non_block: 0, pid: %d, name: %s",
		 (int)syscall(SYS_gettid), comm);
	assert_int_equal(hostcap_count(want), 1);
	assert_int_equal(hostcap_count("preempt_count: 10000, expected: 0"), 1);
	assert_int_equal(might_sleep_events(m), 1);
	assert_non_null(isr_page);   /* default policy: degraded to a non-blocking attempt */
	lab_free_pages(m, isr_page, 0);
	assert_int_equal(lab_mem_check(m), 0);
	lab_host_destroy(m);
}

/* With LAB_CFG_MIGHT_SLEEP_FAIL the same request fails (reported once). */
static void test_context_might_sleep_policy_fail(void **state)
{
	(void)state;
	struct lab_mem *m = new_host(LAB_CFG_MIGHT_SLEEP_FAIL);
	struct lab_spinlock l = LAB_SPINLOCK_INIT;
	lab_spin_lock(&l);
	struct lab_page *p = lab_alloc_pages(m, LAB_GFP_KERNEL, 0);
	lab_spin_unlock(&l);
	assert_null(p);
	assert_int_equal(hostcap_count("BUG: sleeping function called from invalid context"), 1);
	assert_int_equal(might_sleep_events(m), 1);
	lab_host_destroy(m);
}

/* Under a plain spinlock: preempt_count 1, interrupts still enabled. */
static void test_context_might_sleep_under_spinlock(void **state)
{
	(void)state;
	struct lab_mem *m = new_host(0);
	struct lab_spinlock l = LAB_SPINLOCK_INIT;
	lab_spin_lock(&l);
	struct lab_page *p = lab_alloc_pages(m, LAB_GFP_KERNEL, 1);
	lab_spin_unlock(&l);
	assert_non_null(p);
	assert_int_equal(hostcap_count("in_atomic(): 1, irqs_disabled(): 0,"), 1);
	assert_int_equal(hostcap_count("preempt_count: 1, expected: 0"), 1);
	lab_free_pages(m, p, 1);
	lab_host_destroy(m);
}

/* With only interrupts disabled the report says irqs_disabled(): 1, preempt_count 0. */
static void test_context_might_sleep_irqs_disabled(void **state)
{
	(void)state;
	struct lab_mem *m = new_host(0);
	unsigned long flags = lab_local_irq_save();
	struct lab_page *p = lab_alloc_pages(m, LAB_GFP_KERNEL, 0);
	lab_local_irq_restore(flags);
	assert_non_null(p);
	assert_int_equal(hostcap_count("irqs_disabled(): 1"), 1);
	assert_int_equal(hostcap_count("preempt_count: 0, expected: 0"), 1);
	lab_free_pages(m, p, 0);
	lab_host_destroy(m);
}

/* Rate limited like Linux (one report a second) but every violation counts. */
static void test_context_might_sleep_counted_when_rate_limited(void **state)
{
	(void)state;
	struct lab_mem *m = new_host(LAB_CFG_MIGHT_SLEEP_FAIL);
	lab_preempt_disable();
	assert_null(lab_alloc_pages(m, LAB_GFP_KERNEL, 0));
	assert_null(lab_alloc_pages(m, LAB_GFP_KERNEL, 0));
	lab_preempt_enable();
	assert_int_equal(hostcap_count("BUG: sleeping function called"), 1);
	assert_int_equal(might_sleep_events(m), 2);
	lab_host_destroy(m);
}

/* GFP_ATOMIC and GFP_NOWAIT in atomic context are fine: no report. */
static void test_context_atomic_gfp_not_reported(void **state)
{
	(void)state;
	struct lab_mem *m = new_host(0);
	lab_preempt_disable();
	struct lab_page *a = lab_alloc_pages(m, LAB_GFP_ATOMIC, 2);
	struct lab_page *b = lab_alloc_pages(m, LAB_GFP_NOWAIT, 0);
	lab_preempt_enable();
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(might_sleep_events(m), 0);
	lab_free_pages(m, a, 2);
	lab_free_pages(m, b, 0);
	lab_host_destroy(m);
}

static char named_comm[16];
static void *named_thread(void *arg)
{
	struct lab_mem *m = arg;
	pthread_setname_np(pthread_self(), "nic-rx");
	lab_local_bh_disable();
	struct lab_page *p = lab_alloc_pages(m, LAB_GFP_KERNEL, 0);
	lab_local_bh_enable();
	if (p)
		lab_free_pages(m, p, 0);
	thread_name(named_comm);
	return NULL;
}

/* The report names the calling thread (Linux's comm) - here from bh-disabled context. */
static void test_context_might_sleep_names_thread(void **state)
{
	(void)state;
	struct lab_mem *m = new_host(0);
	pthread_t t;
	pthread_create(&t, NULL, named_thread, m);
	pthread_join(t, NULL);
	assert_string_equal(named_comm, "nic-rx");
	assert_int_equal(hostcap_count("name: nic-rx"), 1);
	assert_int_equal(hostcap_count("preempt_count: 200, expected: 0"), 1);
	lab_host_destroy(m);
}

static void *kmap_isr_result;
static struct lab_page *kmap_isr_page;
static void kmap_isr(void *arg)
{
	(void)arg;
	kmap_isr_result = lab_kmap(kmap_isr_page);
}

/* kmap() from a hardirq is reported with the caller; the default policy maps without waiting. */
static void test_context_kmap_in_hardirq_reported(void **state)
{
	(void)state;
	struct lab_mem *m = new_host(0);
	struct lab_page *p = alloc_high(m, LAB_GFP_HIGHUSER);
	kmap_isr_page = p;
	isr_mem = m;
	lab_host_irq_start(m, 0, kmap_isr, NULL);
	lab_host_irq_raise(m);
	lab_host_irq_stop(m);
	assert_non_null(kmap_isr_result);
	assert_int_equal(hostcap_count("BUG: sleeping function called from invalid context at core/kmap.c:"), 1);
	assert_int_equal(hostcap_count("Call Trace:"), 1);
	assert_int_equal(hostcap_count(" kmap called from [<"), 1);
	lab_kunmap(p);
	lab_free_pages(m, p, 0);
	lab_host_destroy(m);
}

/* ---- a platform whose blocking hooks fail the test --------------------------------------- */

static int forbid_blocking;      /* set around requests that must never block */
static int blocking_calls;
static struct lab_page *held[4];
static struct lab_mem *trap_mem;

static void trap_sleep(void *ctx, uint64_t ns)
{
	(void)ctx;
	(void)ns;
	if (forbid_blocking || !lab_may_sleep())
		fail_msg("platform->sleep reached from a path that must not block");
	blocking_calls++;
}

static void trap_wait(void *ctx, const unsigned *word, unsigned old, uint64_t ns)
{
	(void)ctx;
	(void)word;
	(void)old;
	(void)ns;
	if (forbid_blocking || !lab_may_sleep())
		fail_msg("platform->wait_event reached from a path that must not block");
	blocking_calls++;
	/* the control case: "another task" gives a slot back while we wait */
	lab_kunmap(held[0]);
}

static struct lab_spinlock trap_locks[LAB_MAX_NR_ZONES + 2];
static void trap_zone_lock(void *c, unsigned z, unsigned long *f) { (void)c; *f = lab_spin_lock_irqsave(&trap_locks[z]); }
static void trap_zone_unlock(void *c, unsigned z, unsigned long f) { (void)c; lab_spin_unlock_irqrestore(&trap_locks[z], f); }
static void trap_kmap_lock(void *c, unsigned long *f) { (void)c; *f = lab_spin_lock_irqsave(&trap_locks[LAB_MAX_NR_ZONES]); }
static void trap_kmap_unlock(void *c, unsigned long f) { (void)c; lab_spin_unlock_irqrestore(&trap_locks[LAB_MAX_NR_ZONES], f); }
static int trap_pcp_trylock(void *c, unsigned cpu, unsigned long *f)
{
	(void)c;
	(void)cpu;
	return lab_spin_trylock_irqsave(&trap_locks[LAB_MAX_NR_ZONES + 1], f);
}
static void trap_pcp_lock(void *c, unsigned cpu, unsigned long *f)
{
	(void)c;
	(void)cpu;
	*f = lab_spin_lock_irqsave(&trap_locks[LAB_MAX_NR_ZONES + 1]);
}
static void trap_pcp_unlock(void *c, unsigned cpu, unsigned long f)
{
	(void)c;
	(void)cpu;
	lab_spin_unlock_irqrestore(&trap_locks[LAB_MAX_NR_ZONES + 1], f);
}

/* Pretend mappings: the "highmem" pages are in a malloc'ed arena anyway. */
static char *trap_arena;
static struct lab_pkmap_slot trap_slots[3];
static struct lab_pkmap trap_pool = { .slot = trap_slots, .nr = 3 };
static struct lab_kmap_stack trap_stack;
static struct lab_kmap_stack *trap_kstack(void *k) { (void)k; return &trap_stack; }
static struct lab_pkmap *trap_pkmap(void *k) { (void)k; return &trap_pool; }
static void *trap_map(void *k, unsigned slot, lab_pfn_t pfn) { (void)k; (void)slot; return trap_arena + (pfn << LAB_PAGE_SHIFT); }
static void trap_unmap(void *k, unsigned slot, void *a) { (void)k; (void)slot; (void)a; }

static void trap_log(void *ctx, enum lab_log_level level, const char *line) { (void)ctx; hostcap_hook(NULL, level, line); }

#define TRAP_PAGES 1024

static struct lab_mem *trap_instance(void **meta)
{
	static struct lab_platform plat;
	memset(&plat, 0, sizeof(plat));
	lab_context_hooks(&plat);
	plat.zone_lock = trap_zone_lock;
	plat.zone_unlock = trap_zone_unlock;
	plat.pcp_trylock = trap_pcp_trylock;
	plat.pcp_lock = trap_pcp_lock;
	plat.pcp_unlock = trap_pcp_unlock;
	plat.log = trap_log;
	plat.sleep = trap_sleep;
	plat.wait_event = trap_wait;
	plat.kmap_stack = trap_kstack;
	plat.kmap_local_map = trap_map;
	plat.kmap_local_unmap = trap_unmap;
	plat.pkmap = trap_pkmap;
	plat.pkmap_map = trap_map;
	plat.pkmap_unmap = trap_unmap;
	plat.kmap_lock = trap_kmap_lock;
	plat.kmap_unlock = trap_kmap_unlock;
	for (int i = 0; i < LAB_MAX_NR_ZONES + 2; i++)
		lab_spin_lock_init(&trap_locks[i]);
	memset(trap_slots, 0, sizeof(trap_slots));
	trap_pool.last = trap_pool.seq = trap_pool.waiters = 0;
	hostcap_reset();
	trap_arena = aligned_alloc(LAB_PAGE_SIZE, TRAP_PAGES * LAB_PAGE_SIZE);
	struct lab_range r = { 0, TRAP_PAGES * LAB_PAGE_SIZE };
	struct lab_mem_config cfg = { .ranges = &r, .nr_ranges = 1, .platform = &plat, .pageblock_order = 3,
		.nr_cpus = 1, .flags = LAB_CFG_NO_ZONE_DMA | LAB_CFG_NO_ZONE_DMA32, .virt_base = trap_arena,
		.highmem_start = (TRAP_PAGES / 2) * LAB_PAGE_SIZE };
	size_t need = lab_mem_metadata_bytes(&cfg);
	assert_true(need > 0);
	assert_int_equal(posix_memalign(meta, 64, need), 0);
	cfg.metadata = *meta;
	cfg.metadata_bytes = need;
	struct lab_mem *m = lab_mem_init(&cfg, NULL);
	assert_non_null(m);
	trap_mem = m;
	return m;
}

static void trap_destroy(struct lab_mem *m, void *meta)
{
	lab_mem_fini(m);
	free(meta);
	free(trap_arena);
}

/* Atomic requests, even failing ones that drain and report, never reach sleep or wait_event. */
static void test_context_atomic_alloc_never_blocks(void **state)
{
	(void)state;
	void *meta;
	struct lab_mem *m = trap_instance(&meta);
	static struct lab_page *got[TRAP_PAGES];
	int n = 0;
	struct lab_page *p;
	forbid_blocking = 1;
	/* exhaust memory with GFP_ATOMIC, then fail with GFP_NOWAIT and order 3 */
	while (n < TRAP_PAGES && (p = lab_alloc_pages(m, LAB_GFP_ATOMIC | LAB___GFP_HIGHMEM | LAB___GFP_NOWARN, 0)))
		got[n++] = p;
	assert_null(lab_alloc_pages(m, LAB_GFP_NOWAIT | LAB___GFP_NOWARN, 3));
	/* a sleeping request from atomic context, degraded: must not block either */
	lab_irq_enter();
	assert_null(lab_alloc_pages(m, LAB_GFP_KERNEL | LAB___GFP_NOWARN, 0));
	lab_irq_exit();
	forbid_blocking = 0;
	assert_true(n > TRAP_PAGES / 2);
	assert_int_equal(blocking_calls, 0);
	for (int i = 0; i < n; i++)
		lab_free_pages(m, got[i], 0);
	assert_int_equal(lab_mem_check(m), 0);
	trap_destroy(m, meta);
}

/* kmap() with every slot taken: atomic context returns NULL at once; process context waits (control). */
static void test_context_kmap_full_pool_never_waits_in_atomic(void **state)
{
	(void)state;
	void *meta;
	struct lab_mem *m = trap_instance(&meta);
	blocking_calls = 0;
	/* three highmem pages fill the three slots */
	for (int i = 0; i < 4; i++)
		held[i] = alloc_high(m, LAB_GFP_HIGHUSER);
	for (int i = 0; i < 3; i++)
		assert_non_null(lab_kmap(held[i]));
	forbid_blocking = 1;
	lab_preempt_disable();
	assert_null(lab_kmap(held[3]));
	lab_preempt_enable();
	forbid_blocking = 0;
	assert_int_equal(blocking_calls, 0);
	assert_int_equal(hostcap_count("BUG: sleeping function called from invalid context"), 1);
	/* control: the same call in process context does wait (and the trap frees a slot) */
	assert_non_null(lab_kmap(held[3]));
	assert_int_equal(blocking_calls, 1);
	for (int i = 1; i < 4; i++)
		lab_kunmap(held[i]);
	for (int i = 0; i < 4; i++)
		lab_free_pages(m, held[i], 0);
	assert_int_equal(lab_mem_check(m), 0);
	trap_destroy(m, meta);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, hostcap_watchdog_setup, hostcap_watchdog_teardown)
		T(test_context_preempt_count_layout),
		T(test_context_queries_follow_regions),
		T(test_context_do_softirq_is_softirq),
		T(test_context_preempt_underflow_reported),
		T(test_context_irq_save_nests),
		T(test_context_irq_runs_in_hardirq),
		T(test_context_masked_irq_replayed_at_restore),
		T(test_context_spin_lock_irqsave_defers_irq),
		T(test_context_trylock_failure_restores_context),
		T(test_context_timer_irq_fires),
		T(test_context_irq_start_twice_busy),
		T(test_context_thread_exit_stops_timer),
		T(test_context_might_sleep_in_hardirq),
		T(test_context_might_sleep_policy_fail),
		T(test_context_might_sleep_under_spinlock),
		T(test_context_might_sleep_irqs_disabled),
		T(test_context_might_sleep_counted_when_rate_limited),
		T(test_context_atomic_gfp_not_reported),
		T(test_context_might_sleep_names_thread),
		T(test_context_kmap_in_hardirq_reported),
		T(test_context_atomic_alloc_never_blocks),
		T(test_context_kmap_full_pool_never_waits_in_atomic),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
