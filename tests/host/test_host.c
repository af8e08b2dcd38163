/* SPDX-License-Identifier: MIT */
/*
 * tests/host/test_host.c - the POSIX platform itself: configuration checks,
 * the memfd arena, threads as CPUs (attach, detach, exit), the irqsave
 * semantics of its zone and per-CPU locks, its wait/wake hooks (which refuse
 * to block in atomic context) and the failure records an interrupt leaves
 * for process context.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "util/fixture.h"
#include "util/hostcap.h"
#include <labyrinth/host.h>
#include <labyrinth/linux.h>

static struct lab_mem *new_host(unsigned cpus)
{
	struct lab_mem *m = lab_host_create(&(struct lab_host_config){ .mem_bytes = 8u << 20, .nr_cpus = cpus,
		.quiet = 1 });
	assert_non_null(m);
	return m;
}

static int pcp_count(struct lab_mem *m, unsigned cpu)
{
	static struct lab_mem_stats st;
	int n = 0;
	lab_mem_get_stats(m, &st);
	for (int z = 0; z < LAB_MAX_NR_ZONES; z++)
		n += (int)st.zone[z].pcp[cpu].count;
	return n;
}

/* Misaligned sizes, too many CPUs or a misaligned highmem boundary are refused with EINVAL. */
static void test_host_create_rejects_bad_config(void **state)
{
	(void)state;
	errno = 0;
	assert_null(lab_host_create(&(struct lab_host_config){ .mem_bytes = (8u << 20) + 100, .quiet = 1 }));
	assert_int_equal(errno, EINVAL);
	assert_null(lab_host_create(&(struct lab_host_config){ .mem_bytes = 8u << 20, .nr_cpus = LAB_MAX_CPUS + 1,
		.quiet = 1 }));
	assert_null(lab_host_create(&(struct lab_host_config){ .mem_bytes = 8u << 20,
		.highmem_start_bytes = 4096 * 3 + 1, .quiet = 1 }));
	errno = 0;
	assert_null(lab_host_create(&(struct lab_host_config){ .mem_bytes = 8u << 20, .kernel = LAB_KERNEL_NR,
		.quiet = 1 }));
	assert_int_equal(errno, EINVAL);
}

/* The host config selects the kernel profile; 0 is the default. */
static void test_host_kernel_profile(void **state)
{
	(void)state;
	for (int k = LAB_KERNEL_DEFAULT; k < LAB_KERNEL_NR; k++) {
		struct lab_mem *m = lab_host_create(&(struct lab_host_config){ .mem_bytes = 8u << 20,
			.kernel = (enum lab_kernel)k, .quiet = 1 });
		assert_non_null(m);
		assert_int_equal(lab_mem_kernel(m), lab_kernel_resolve((enum lab_kernel)k));
		lab_host_destroy(m);
	}
}

/* page_address() and the memfd are the same memory. */
static void test_host_memfd_is_the_arena(void **state)
{
	(void)state;
	struct lab_mem *m = new_host(1);
	struct lab_page *p = lab_alloc_pages(m, LAB_GFP_KERNEL, 0);
	lab_pfn_t base, end;
	lab_mem_span(m, &base, &end);
	char *direct = lab_page_address(p);
	char *other = mmap(NULL, LAB_PAGE_SIZE, PROT_READ, MAP_SHARED, lab_host_memfd(m),
			   (off_t)((lab_page_to_pfn(p) - base) << LAB_PAGE_SHIFT));
	assert_true(other != MAP_FAILED);
	strcpy(direct, "same bytes");
	assert_string_equal(other, "same bytes");
	munmap(other, LAB_PAGE_SIZE);
	lab_free_pages(m, p, 0);
	lab_host_destroy(m);
}

struct attach_arg {
	struct lab_mem *mem;
	pthread_barrier_t *go;
	int cpu;
	int hold;                        /* stay attached until told */
	int *release;
};

static void *attach_thread(void *arg)
{
	struct attach_arg *a = arg;
	if (a->go)
		pthread_barrier_wait(a->go);
	__atomic_store_n(&a->cpu, lab_host_cpu_attach(a->mem), __ATOMIC_RELEASE);
	if (a->hold)
		while (!__atomic_load_n(a->release, __ATOMIC_ACQUIRE))
			usleep(1000);
	if (a->cpu >= 0 && a->hold)
		lab_host_cpu_detach(a->mem);
	return NULL;
}

/* Threads attaching at once get distinct CPUs; one more than nr_cpus gets -EBUSY. */
static void test_host_cpu_attach_distinct_cpus(void **state)
{
	(void)state;
	struct lab_mem *m = new_host(2);
	pthread_barrier_t go;
	int release = 0;
	struct attach_arg a[2] = { { m, &go, -1, 1, &release }, { m, &go, -1, 1, &release } };
	pthread_t t[2];
	pthread_barrier_init(&go, NULL, 3);
	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, attach_thread, &a[i]);
	pthread_barrier_wait(&go);
	while (__atomic_load_n(&a[0].cpu, __ATOMIC_ACQUIRE) < 0 || __atomic_load_n(&a[1].cpu, __ATOMIC_ACQUIRE) < 0)
		usleep(1000);
	assert_int_equal(a[0].cpu + a[1].cpu, 1);   /* {0, 1} */
	assert_int_equal(lab_host_cpu_attach(m), -EBUSY);
	__atomic_store_n(&release, 1, __ATOMIC_RELEASE);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	assert_true(lab_host_cpu_attach(m) >= 0);   /* freed by detach */
	lab_host_cpu_detach(m);
	pthread_barrier_destroy(&go);
	lab_host_destroy(m);
}

/* Attaching twice returns the same CPU; a foreign instance is -EINVAL. */
static void test_host_cpu_attach_idempotent(void **state)
{
	(void)state;
	struct lab_mem *m = new_host(4);
	int c = lab_host_cpu_attach(m);
	assert_true(c >= 0);
	assert_int_equal(lab_host_cpu_attach(m), c);
	assert_int_equal(lab_host_cpu_attach((struct lab_mem *)&c), -EINVAL);
	lab_host_cpu_detach(m);
	lab_host_destroy(m);
}

/* An attached thread's frees land on its own CPU's lists; detach gives them back. */
static void test_host_attached_thread_uses_its_lists(void **state)
{
	(void)state;
	struct lab_mem *m = new_host(2);
	int release = 1;
	struct attach_arg first = { m, NULL, -1, 0, &release };
	pthread_t t;
	pthread_create(&t, NULL, attach_thread, &first);   /* takes CPU 0 and keeps it while exiting */
	pthread_join(t, NULL);
	int c = lab_host_cpu_attach(m);
	assert_true(c >= 0);
	struct lab_page *p = lab_alloc_pages(m, LAB_GFP_KERNEL, 0);
	lab_free_pages(m, p, 0);
	assert_true(pcp_count(m, (unsigned)c) > 0);
	lab_host_cpu_detach(m);
	assert_int_equal(pcp_count(m, (unsigned)c), 0);
	assert_int_equal(lab_mem_check(m), 0);
	lab_host_destroy(m);
}

/*
 * A thread that never attached borrows CPU tid % nr_cpus. The choice is
 * cached per thread, keyed by the instance: a new instance (even at the
 * same address, with another CPU count) gets a fresh, in-range CPU.
 */
static void test_host_unattached_thread_borrows_tid_cpu(void **state)
{
	(void)state;
	for (unsigned cpus = 1; cpus <= 5; cpus++) {
		struct lab_mem *m = new_host(cpus);
		struct lab_platform plat;
		assert_int_equal(lab_host_get_platform(m, &plat), 0);
		unsigned want = (unsigned)plat.pid(plat.ctx) % cpus;
		assert_int_equal(plat.cpu_id(plat.ctx), want);
		assert_int_equal(plat.cpu_id(plat.ctx), want);   /* the cached answer */
		struct lab_page *p = lab_alloc_pages(m, LAB_GFP_KERNEL, 0);
		lab_free_pages(m, p, 0);
		assert_true(pcp_count(m, want) > 0);
		assert_int_equal(lab_mem_check(m), 0);
		lab_host_destroy(m);
	}
}

static void *attach_alloc_exit(void *arg)
{
	struct attach_arg *a = arg;
	a->cpu = lab_host_cpu_attach(a->mem);
	struct lab_page *p = lab_alloc_pages(a->mem, LAB_GFP_KERNEL, 0);
	lab_free_pages(a->mem, p, 0);
	return NULL;   /* exits attached */
}

/* A thread that exits attached frees its CPU and drains its lists. */
static void test_host_thread_exit_releases_cpu(void **state)
{
	(void)state;
	struct lab_mem *m = new_host(1);
	struct attach_arg a = { .mem = m, .cpu = -1 };
	pthread_t t;
	pthread_create(&t, NULL, attach_alloc_exit, &a);
	pthread_join(t, NULL);
	assert_int_equal(a.cpu, 0);
	assert_int_equal(pcp_count(m, 0), 0);
	assert_int_equal(lab_host_cpu_attach(m), 0);
	lab_host_cpu_detach(m);
	lab_host_destroy(m);
}

/* The zone lock hook disables interrupts and preemption until the unlock. */
static void test_host_zone_lock_is_irqsave(void **state)
{
	(void)state;
	struct lab_mem *m = new_host(1);
	struct lab_platform plat;
	unsigned long flags;
	assert_int_equal(lab_host_get_platform(m, &plat), 0);
	plat.zone_lock(plat.ctx, LAB_ZONE_NORMAL, &flags);
	assert_true(lab_irqs_disabled());
	assert_int_equal(lab_preempt_count(), 1);
	plat.zone_unlock(plat.ctx, LAB_ZONE_NORMAL, flags);
	assert_false(lab_irqs_disabled());
	assert_int_equal(lab_preempt_count(), 0);
	lab_host_destroy(m);
}

struct try_arg {
	struct lab_platform *plat;
	int got;
};

static void *try_pcp(void *arg)
{
	struct try_arg *a = arg;
	unsigned long flags;
	a->got = a->plat->pcp_trylock(a->plat->ctx, 0, &flags);
	if (a->got)
		a->plat->pcp_unlock(a->plat->ctx, 0, flags);
	return NULL;
}

/* A CPU's list lock held by one thread makes another thread's trylock fail. */
static void test_host_pcp_trylock_contended_fails(void **state)
{
	(void)state;
	struct lab_mem *m = new_host(2);
	struct lab_platform plat;
	struct try_arg a = { &plat, -1 };
	pthread_t t;
	unsigned long flags;
	lab_host_get_platform(m, &plat);
	plat.pcp_lock(plat.ctx, 0, &flags);
	pthread_create(&t, NULL, try_pcp, &a);
	pthread_join(t, NULL);
	assert_int_equal(a.got, 0);
	plat.pcp_unlock(plat.ctx, 0, flags);
	pthread_create(&t, NULL, try_pcp, &a);
	pthread_join(t, NULL);
	assert_int_equal(a.got, 1);
	lab_host_destroy(m);
}

/* wait_event called where sleeping is forbidden returns at once instead of blocking. */
static void test_host_wait_event_refused_in_atomic(void **state)
{
	(void)state;
	struct lab_mem *m = new_host(1);
	struct lab_platform plat;
	unsigned word = 7;
	lab_host_get_platform(m, &plat);
	lab_preempt_disable();
	plat.wait_event(plat.ctx, &word, 7, 0);   /* no timeout: would hang forever */
	lab_preempt_enable();
	lab_host_destroy(m);
}

struct wait_arg {
	struct lab_platform *plat;
	unsigned word;
	int done;
};

static void *waiter(void *arg)
{
	struct wait_arg *a = arg;
	while (__atomic_load_n(&a->word, __ATOMIC_ACQUIRE) == 0)
		a->plat->wait_event(a->plat->ctx, &a->word, 0, 0);
	__atomic_store_n(&a->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* wake_up wakes a thread sleeping in wait_event on the same word. */
static void test_host_wake_up_wakes_waiter(void **state)
{
	(void)state;
	struct lab_mem *m = new_host(1);
	struct lab_platform plat;
	struct wait_arg a = { &plat, 0, 0 };
	pthread_t t;
	lab_host_get_platform(m, &plat);
	pthread_create(&t, NULL, waiter, &a);
	usleep(20000);
	assert_int_equal(__atomic_load_n(&a.done, __ATOMIC_ACQUIRE), 0);
	__atomic_store_n(&a.word, 1, __ATOMIC_RELEASE);
	plat.wake_up(plat.ctx, &a.word);
	pthread_join(t, NULL);
	assert_int_equal(a.done, 1);
	lab_host_destroy(m);
}

static struct lab_mem *isr_mem;
static void failing_isr(void *arg)
{
	(void)arg;
	lab_alloc_pages(isr_mem, LAB_GFP_ATOMIC, 10);   /* fails: no 4 MiB block is free */
}

static int file_has(FILE *f, const char *needle)
{
	static char buf[65536];
	fflush(f);
	rewind(f);
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	return strstr(buf, needle) != NULL;
}

/* A failure report from an interrupt is kept and printed later from process context. */
static void test_host_irq_failure_record_deferred(void **state)
{
	(void)state;
	FILE *log = tmpfile();
	struct lab_mem *m = lab_host_create(&(struct lab_host_config){ .mem_bytes = 8u << 20, .log_file = log });
	assert_non_null(m);
	/* one 4 MiB block held, the other split: no order-10 block is left */
	struct lab_page *big = lab_alloc_pages(m, LAB_GFP_KERNEL, 10);
	struct lab_page *hold = lab_alloc_pages(m, LAB_GFP_KERNEL, 0);
	assert_non_null(big);
	isr_mem = m;
	assert_int_equal(lab_host_irq_start(m, 0, failing_isr, NULL), 0);
	lab_host_irq_raise(m);
	assert_false(file_has(log, "page allocation failure: order:10"));
	lab_host_irq_stop(m);
	lab_host_flush_log(m);
	assert_true(file_has(log, "page allocation failure: order:10"));
	assert_true(file_has(log, "context: hardirq"));
	lab_free_pages(m, hold, 0);
	lab_free_pages(m, big, 10);
	lab_host_destroy(m);
	fclose(log);
}

/* copy_page (migration of pages without an address) copies a highmem page's bytes. */
static void test_host_copy_page_highmem(void **state)
{
	(void)state;
	struct lab_mem *m = lab_host_create(&(struct lab_host_config){ .mem_bytes = 8u << 20,
		.highmem_start_bytes = 4u << 20, .quiet = 1 });
	struct lab_platform plat;
	lab_pfn_t base, end;
	lab_host_get_platform(m, &plat);
	lab_mem_span(m, &base, &end);
	lab_pfn_t src = end - 1, dst = end - 2;   /* both highmem */
	assert_null(lab_page_address(lab_pfn_to_page(m, src)));
	char *all = mmap(NULL, (size_t)(end - base) << LAB_PAGE_SHIFT, PROT_READ | PROT_WRITE, MAP_SHARED,
			 lab_host_memfd(m), 0);
	assert_true(all != MAP_FAILED);
	strcpy(all + ((src - base) << LAB_PAGE_SHIFT), "moved by compaction");
	plat.copy_page(plat.ctx, dst, src);
	assert_string_equal(all + ((dst - base) << LAB_PAGE_SHIFT), "moved by compaction");
	munmap(all, (size_t)(end - base) << LAB_PAGE_SHIFT);
	lab_host_destroy(m);
}

/* Destroying the default instance of linux.h clears it. */
static void test_host_destroy_clears_linux_default(void **state)
{
	(void)state;
	struct lab_mem *m = new_host(1);
	lab_linux_set_default(m);
	assert_ptr_equal(lab_linux_default(), m);
	lab_host_destroy(m);
	assert_null(lab_linux_default());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, hostcap_watchdog_setup, hostcap_watchdog_teardown)
		T(test_host_create_rejects_bad_config),
		T(test_host_kernel_profile),
		T(test_host_memfd_is_the_arena),
		T(test_host_cpu_attach_distinct_cpus),
		T(test_host_cpu_attach_idempotent),
		T(test_host_attached_thread_uses_its_lists),
		T(test_host_unattached_thread_borrows_tid_cpu),
		T(test_host_thread_exit_releases_cpu),
		T(test_host_zone_lock_is_irqsave),
		T(test_host_pcp_trylock_contended_fails),
		T(test_host_wait_event_refused_in_atomic),
		T(test_host_wake_up_wakes_waiter),
		T(test_host_irq_failure_record_deferred),
		T(test_host_copy_page_highmem),
		T(test_host_destroy_clears_linux_default),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
