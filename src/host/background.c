/* SPDX-License-Identifier: MIT */
/*
 * host/background.c - kswapd and kcompactd for a host instance: one POSIX
 * thread each, as Linux runs one of each per node, driving the core's step
 * functions (lab_kswapd_balance_once, lab_kcompactd_once).
 *
 *   an allocation, in any context (a signal "interrupt" too)
 *     platform->wake_kswapd / wake_kcompactd -> sem_post (async-signal-safe)
 *
 *   kswapd thread ("kswapd0")                kcompactd thread ("kcompactd0")
 *     sleep: sem_wait                          sleep: sem_timedwait(500 ms)
 *     balance_once until not MORE                timed out: proactive work?
 *     NAP: sem_timedwait(100 ms) = HZ/10       kcompactd_once until not MORE
 *       posted         -> nap cut short (low)
 *       timed out, work -> nap cut short (high)
 *       timed out, none -> sleep
 *     IDLE / STUCK: sleep
 *
 * The wake hooks only post a semaphore, so an interrupt handler that wakes
 * kswapd never blocks. The threads run in process context with every
 * signal blocked and may call owners' and shrinkers' operations, which
 * must therefore be thread-safe when an instance runs them.
 */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <labyrinth/background.h>
#include "host_background.h"

#define KSWAPD_NAP_NS (100ull * 1000 * 1000)        /* kswapd_try_to_sleep: HZ/10 */
#define KCOMPACTD_PERIOD_NS (500ull * 1000 * 1000)  /* proactive compaction's look: HZ/2 */

struct daemon {
	sem_t wake;
	pthread_t thread;
	int running;
	unsigned long wakeups;          /* (a) wake hook calls */
	unsigned long runs;             /* (a) sleeps ended by work */
};

struct lab_host_background {
	struct lab_mem *mem;
	int stop;                       /* (a) */
	struct daemon kswapd, kcompactd;
};

/* Swallows the posts that piled up while the daemon was busy: one run
 * serves them all (the step functions read the latest wake request). */
static void coalesce(struct daemon *d)
{
	while (sem_trywait(&d->wake) == 0)
		;
}

static int stopping(struct lab_host_background *bg)
{
	return __atomic_load_n(&bg->stop, __ATOMIC_ACQUIRE);
}

static void sleep_until_woken(struct daemon *d)
{
	while (sem_wait(&d->wake) != 0 && errno == EINTR)
		;
}

/* A timed sleep: 1 if woken during it, 0 if it ran out. */
static int nap(struct daemon *d, uint64_t nap_ns)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	uint64_t ns = (uint64_t)ts.tv_nsec + nap_ns;
	ts.tv_sec += (time_t)(ns / 1000000000ull);
	ts.tv_nsec = (long)(ns % 1000000000ull);
	for (;;) {
		if (sem_timedwait(&d->wake, &ts) == 0)
			return 1;
		if (errno != EINTR)
			return 0;
	}
}

/* A daemon thread's start: every signal blocked (interrupts and the
 * process's signals go elsewhere), a name that `ps` and reports show. */
static void become_daemon(const char *name)
{
	sigset_t all;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	pthread_setname_np(pthread_self(), name);
}

/*
 * Posts that arrive while a daemon runs are for that run (Linux wakes
 * kswapd only while it waits): swallowed before it naps or sleeps. A
 * request recorded meanwhile is not lost: the daemon asks the core whether
 * work is wanted before it sleeps.
 */
static void *kswapd_main(void *arg)
{
	struct lab_host_background *bg = arg;
	struct daemon *d = &bg->kswapd;
	become_daemon("kswapd0");
	for (;;) {
		sleep_until_woken(d);
		if (stopping(bg))
			break;
		__atomic_fetch_add(&d->runs, 1, __ATOMIC_RELAXED);
		for (;;) {
			enum lab_bg_result r;
			coalesce(d);
			while ((r = lab_kswapd_balance_once(bg->mem, 0)) == LAB_BG_MORE && !stopping(bg))
				;
			if (stopping(bg))
				return NULL;
			coalesce(d);
			if (r == LAB_BG_NAP) {
				int woken = nap(d, KSWAPD_NAP_NS);
				if (stopping(bg))
					return NULL;
				if (woken || lab_kswapd_wanted(bg->mem)) {
					lab_kswapd_nap_cut_short(bg->mem, woken);
					continue;
				}
				break;
			}
			if (!lab_kswapd_wanted(bg->mem))
				break;
		}
	}
	return NULL;
}

static void *kcompactd_main(void *arg)
{
	struct lab_host_background *bg = arg;
	struct daemon *d = &bg->kcompactd;
	become_daemon("kcompactd0");
	for (;;) {
		/* Linux's kcompactd looks at the fragmentation score every
		 * HZ/2 when not woken (proactive compaction) */
		if (!nap(d, KCOMPACTD_PERIOD_NS) && !stopping(bg) && !lab_kcompactd_wanted(bg->mem))
			continue;
		if (stopping(bg))
			break;
		__atomic_fetch_add(&d->runs, 1, __ATOMIC_RELAXED);
		do {
			coalesce(d);
			while (lab_kcompactd_once(bg->mem, 0) == LAB_BG_MORE && !stopping(bg))
				;
			if (stopping(bg))
				return NULL;
			coalesce(d);
		} while (lab_kcompactd_wanted(bg->mem));
	}
	return NULL;
}

struct lab_host_background *host_background_new(void)
{
	struct lab_host_background *bg = calloc(1, sizeof(*bg));
	if (!bg)
		return NULL;
	if (sem_init(&bg->kswapd.wake, 0, 0) != 0) {
		free(bg);
		return NULL;
	}
	if (sem_init(&bg->kcompactd.wake, 0, 0) != 0) {
		sem_destroy(&bg->kswapd.wake);
		free(bg);
		return NULL;
	}
	return bg;
}

int host_background_start(struct lab_host_background *bg, struct lab_mem *mem)
{
	bg->mem = mem;
	int e = pthread_create(&bg->kswapd.thread, NULL, kswapd_main, bg);
	if (e)
		return -e;
	bg->kswapd.running = 1;
	e = pthread_create(&bg->kcompactd.thread, NULL, kcompactd_main, bg);
	if (e)
		return -e;
	bg->kcompactd.running = 1;
	return 0;
}

void host_background_free(struct lab_host_background *bg)
{
	if (!bg)
		return;
	__atomic_store_n(&bg->stop, 1, __ATOMIC_RELEASE);
	sem_post(&bg->kswapd.wake);
	sem_post(&bg->kcompactd.wake);
	if (bg->kswapd.running)
		pthread_join(bg->kswapd.thread, NULL);
	if (bg->kcompactd.running)
		pthread_join(bg->kcompactd.thread, NULL);
	sem_destroy(&bg->kswapd.wake);
	sem_destroy(&bg->kcompactd.wake);
	free(bg);
}

/* The platform hooks: any context, never block. */
void host_background_wake_kswapd(struct lab_host_background *bg)
{
	__atomic_fetch_add(&bg->kswapd.wakeups, 1, __ATOMIC_RELAXED);
	sem_post(&bg->kswapd.wake);
}

void host_background_wake_kcompactd(struct lab_host_background *bg)
{
	__atomic_fetch_add(&bg->kcompactd.wakeups, 1, __ATOMIC_RELAXED);
	sem_post(&bg->kcompactd.wake);
}

void host_background_stats(const struct lab_host_background *bg, struct lab_host_background_stats *out)
{
	out->kswapd_wakeups = __atomic_load_n(&bg->kswapd.wakeups, __ATOMIC_RELAXED);
	out->kswapd_runs = __atomic_load_n(&bg->kswapd.runs, __ATOMIC_RELAXED);
	out->kcompactd_wakeups = __atomic_load_n(&bg->kcompactd.wakeups, __ATOMIC_RELAXED);
	out->kcompactd_runs = __atomic_load_n(&bg->kcompactd.runs, __ATOMIC_RELAXED);
}
