/* SPDX-License-Identifier: MIT */
/*
 * host/context.c - per-thread execution context for the POSIX host: Linux's
 * preempt_count, soft interrupt masking, spinlocks, and real asynchronous
 * "interrupts" delivered as a per-thread timer signal.
 *
 *   struct task (one per thread, initial-exec TLS: no allocation, so the
 *   signal handler may touch it)
 *   +---------------+-----------+---------+------------------------------+
 *   | preempt_count | irqs_off  | pending | isr, arg, timer, statistics  |
 *   | NMI|HARDIRQ|  | soft mask | IRQ hit |                              |
 *   | SOFTIRQ|PREEMPT| (0/1)    | masked  |                              |
 *   +---------------+-----------+---------+------------------------------+
 *
 *   timer (SIGEV_THREAD_ID) --signal--> irq_signal()
 *                                         | irqs_off?  yes: pending = 1, return
 *                                         | no: irq_dispatch(): irqs_off = 1,
 *                                         |     irq_enter, isr(arg), irq_exit,
 *                                         |     irqs_off = 0, again while pending
 *   local_irq_restore(enabling) ---------> pending? irq_dispatch() (the replay)
 *
 * Why this is safe (docs/isr-safety.md): the interrupt routine runs on the
 * interrupted thread, in the middle of whatever it was doing. Every lock the
 * allocator takes is an irqsave lock here, so a thread holding one has
 * irqs_off = 1 and its routine cannot run until the lock is dropped: the
 * routine never spins on a lock its own thread holds. No syscall is needed
 * on that fast path: masking is two stores to thread-local memory. A signal
 * is only a compiler barrier away (__atomic_signal_fence), never another CPU,
 * so plain relaxed accesses suffice for this state.
 *
 * Everything here is async-signal-safe: TLS, atomics, write(2), timer_*(2).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <labyrinth/context.h>
#include <labyrinth/host.h>

#define TLS __thread __attribute__((tls_model("initial-exec")))

struct task {
	unsigned preempt_count;
	int irqs_off;                   /* soft "interrupts disabled" */
	int pending;                    /* an IRQ arrived while masked */
	int tid;                        /* cached gettid(), 0 = unknown */
	void (*isr)(void *arg);
	void *isr_arg;
	struct lab_mem *irq_mem;
	timer_t timer;
	int timer_live;
	int exit_hook;                  /* the thread-exit destructor is armed */
	struct lab_irq_stats stats;
	char comm[16];
};

static TLS struct task task;
static unsigned long context_bugs;   /* (a) */
static pthread_key_t exit_key;
static pthread_once_t irq_once = PTHREAD_ONCE_INIT;
static int irq_setup_err;

static inline void barrier_sig(void)
{
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
}

static inline int irqs_off_get(void)
{
	return __atomic_load_n(&task.irqs_off, __ATOMIC_RELAXED);
}

static inline void irqs_off_set(int v)
{
	barrier_sig();
	__atomic_store_n(&task.irqs_off, v, __ATOMIC_RELAXED);
	barrier_sig();
}

static inline unsigned pc_get(void)
{
	return __atomic_load_n(&task.preempt_count, __ATOMIC_RELAXED);
}

/* preempt_count changes: a signal in the middle of the read-modify-write
 * sees the old value and restores what it changed before returning. */
static inline void pc_set(unsigned v)
{
	barrier_sig();
	__atomic_store_n(&task.preempt_count, v, __ATOMIC_RELAXED);
	barrier_sig();
}

static int my_tid(void)
{
	int t = __atomic_load_n(&task.tid, __ATOMIC_RELAXED);
	if (!t) {
		t = (int)syscall(SYS_gettid);
		__atomic_store_n(&task.tid, t, __ATOMIC_RELAXED);
	}
	return t;
}

/* after fork() the child's only thread must not keep the parent's tid */
static void forget_tid(void)
{
	task.tid = 0;
}

__attribute__((constructor)) static void context_init(void)
{
	pthread_atfork(NULL, NULL, forget_tid);
}

/* ---- reports (async-signal-safe: no stdio) ------------------------------------ */

static size_t put_str(char *buf, size_t n, size_t size, const char *s)
{
	while (*s && n + 1 < size)
		buf[n++] = *s++;
	return n;
}

static size_t put_num(char *buf, size_t n, size_t size, unsigned long v, unsigned base)
{
	char tmp[24];
	int k = 0;
	if (base == 16)
		n = put_str(buf, n, size, "0x");
	do {
		tmp[k++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v && k < (int)sizeof(tmp));
	while (k && n + 1 < size)
		buf[n++] = tmp[--k];
	return n;
}

/* "BUG: <what> <value> (preempt_count <pc>, thread <tid>)" on stderr, counted. */
static void context_bug(const char *what, unsigned long value)
{
	char line[192];
	size_t n = 0;
	__atomic_add_fetch(&context_bugs, 1ul, __ATOMIC_RELAXED);
	n = put_str(line, n, sizeof(line), "BUG: ");
	n = put_str(line, n, sizeof(line), what);
	n = put_str(line, n, sizeof(line), " ");
	n = put_num(line, n, sizeof(line), value, 16);
	n = put_str(line, n, sizeof(line), " (preempt_count ");
	n = put_num(line, n, sizeof(line), pc_get(), 16);
	n = put_str(line, n, sizeof(line), ", thread ");
	n = put_num(line, n, sizeof(line), (unsigned long)my_tid(), 10);
	n = put_str(line, n, sizeof(line), ")\n");
	ssize_t w = write(STDERR_FILENO, line, n);
	(void)w;
}

unsigned long lab_context_bug_count(void)
{
	return __atomic_load_n(&context_bugs, __ATOMIC_RELAXED);
}

/* ---- queries ------------------------------------------------------------------- */

unsigned lab_preempt_count(void) { return pc_get(); }
int lab_in_atomic(void) { return pc_get() != 0; }
int lab_in_interrupt(void) { return (pc_get() & (LAB_NMI_MASK | LAB_HARDIRQ_MASK | LAB_SOFTIRQ_MASK)) != 0; }
int lab_in_hardirq(void) { return (pc_get() & LAB_HARDIRQ_MASK) != 0; }
int lab_in_softirq(void) { return (pc_get() & LAB_SOFTIRQ_MASK) != 0; }
int lab_in_serving_softirq(void) { return (pc_get() & LAB_SOFTIRQ_OFFSET) != 0; }
int lab_in_nmi(void) { return (pc_get() & LAB_NMI_MASK) != 0; }
int lab_irqs_disabled(void) { return irqs_off_get() != 0; }
int lab_may_sleep(void) { return pc_get() == 0 && !irqs_off_get(); }

int lab_in_task(void)
{
	return !(pc_get() & (LAB_NMI_MASK | LAB_HARDIRQ_MASK | LAB_SOFTIRQ_OFFSET));
}

enum lab_context lab_current_context(void)
{
	unsigned pc = pc_get();
	if (pc & LAB_NMI_MASK)
		return LAB_CTX_NMI;
	if (pc & LAB_HARDIRQ_MASK)
		return LAB_CTX_HARDIRQ;
	if (pc & LAB_SOFTIRQ_OFFSET)
		return LAB_CTX_SOFTIRQ;
	return LAB_CTX_PROCESS;
}

/* ---- regions -------------------------------------------------------------------- */

/* Subtract @off from the field under @mask, refusing (and reporting) an underflow. */
static void pc_sub(unsigned off, unsigned mask, const char *what)
{
	unsigned pc = pc_get();
	if (__builtin_expect((pc & mask) < off, 0)) {
		context_bug(what, off);
		return;
	}
	pc_set(pc - off);
}

void lab_preempt_disable(void) { pc_set(pc_get() + LAB_PREEMPT_OFFSET); }
void lab_preempt_enable(void) { pc_sub(LAB_PREEMPT_OFFSET, LAB_PREEMPT_MASK, "preempt_enable: preempt_count underflow, subtracting"); }
void lab_local_bh_disable(void) { pc_set(pc_get() + LAB_SOFTIRQ_DISABLE_OFFSET); }
void lab_local_bh_enable(void) { pc_sub(LAB_SOFTIRQ_DISABLE_OFFSET, LAB_SOFTIRQ_MASK, "local_bh_enable without local_bh_disable, subtracting"); }
void lab_irq_enter(void) { pc_set(pc_get() + LAB_HARDIRQ_OFFSET); }
void lab_irq_exit(void) { pc_sub(LAB_HARDIRQ_OFFSET, LAB_HARDIRQ_MASK, "irq_exit without irq_enter, subtracting"); }
void lab_nmi_enter(void) { pc_set(pc_get() + LAB_NMI_OFFSET + LAB_HARDIRQ_OFFSET); }

void lab_nmi_exit(void)
{
	pc_sub(LAB_NMI_OFFSET, LAB_NMI_MASK, "nmi_exit without nmi_enter, subtracting");
	pc_sub(LAB_HARDIRQ_OFFSET, LAB_HARDIRQ_MASK, "nmi_exit without nmi_enter, subtracting");
}

void lab_do_softirq(void (*fn)(void *arg), void *arg)
{
	if (!fn)
		return;
	pc_set(pc_get() + LAB_SOFTIRQ_OFFSET);
	fn(arg);
	pc_sub(LAB_SOFTIRQ_OFFSET, LAB_SOFTIRQ_MASK, "softirq handler left no softirq count, subtracting");
}

/* ---- soft interrupt masking and the interrupt itself ------------------------------ */

/* One run of the thread's routine in hardirq context, interrupts disabled
 * (the caller set irqs_off). A routine that leaves preempt_count changed is
 * reported and the count repaired, as Linux's "entered with preempt count"
 * check of handle_irq_event does. */
static void irq_run(int replay)
{
	void (*isr)(void *) = task.isr;
	if (!isr)
		return;
	unsigned pc = pc_get();
	pc_set(pc + LAB_HARDIRQ_OFFSET);
	isr(task.isr_arg);
	unsigned after = pc_get();
	if (after != pc + LAB_HARDIRQ_OFFSET)
		context_bug("interrupt routine returned with a changed preempt_count: now", after);
	pc_set(pc);
	task.stats.handled++;
	if (replay)
		task.stats.replayed++;
}

/*
 * Runs the routine for the pending interrupt(s). Called with interrupts
 * soft-enabled, from the signal handler or from local_irq_restore. The
 * pending flag is cleared only after masking: a signal in between marks it
 * again and the loop runs the routine once more (ticks may coalesce, as a
 * level-triggered line does; none is lost while one is pending).
 */
static void irq_dispatch(int replay)
{
	do {
		irqs_off_set(1);
		__atomic_store_n(&task.pending, 0, __ATOMIC_RELAXED);
		barrier_sig();
		irq_run(replay);
		irqs_off_set(0);
	} while (__atomic_load_n(&task.pending, __ATOMIC_RELAXED));
}

static void irq_signal(int sig, siginfo_t *si, void *uc)
{
	int saved = errno;
	(void)sig;
	(void)uc;
	task.stats.signals++;
	if (si && si->si_code == SI_TIMER && si->si_overrun > 0)
		task.stats.overruns += (unsigned long)si->si_overrun;
	if (!task.isr) {
		task.stats.stray++;
	} else if (irqs_off_get()) {
		__atomic_store_n(&task.pending, 1, __ATOMIC_RELAXED);
		task.stats.deferred++;
	} else {
		irq_dispatch(0);
	}
	errno = saved;
}

unsigned long lab_local_irq_save(void)
{
	unsigned long was = (unsigned long)irqs_off_get();
	irqs_off_set(1);
	return was;
}

/* local_irq_restore's body, inlined into the unlock paths (twice per
 * per-CPU pair); the rare branches stay out of line. */
static inline __attribute__((always_inline)) void irq_restore(unsigned long flags)
{
	if (flags) {
		irqs_off_set(1);
		return;
	}
	if (__builtin_expect(pc_get() & (LAB_HARDIRQ_MASK | LAB_NMI_MASK), 0)) {
		context_bug("local_irq_restore(0) in hardirq context refused: interrupts stay disabled, flags",
			    flags);
		return;
	}
	irqs_off_set(0);
	if (__builtin_expect(__atomic_load_n(&task.pending, __ATOMIC_RELAXED), 0))
		irq_dispatch(1);
}

void lab_local_irq_restore(unsigned long flags)
{
	irq_restore(flags);
}

void lab_local_irq_disable(void)
{
	irqs_off_set(1);
}

void lab_local_irq_enable(void)
{
	lab_local_irq_restore(0);
}

/* ---- spinlocks -------------------------------------------------------------------- */

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

void lab_spin_lock_init(struct lab_spinlock *lock)
{
	__atomic_store_n(&lock->locked, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&lock->owner, 0, __ATOMIC_RELAXED);
}

static int spin_try(struct lab_spinlock *lock, int me)
{
	if (__atomic_load_n(&lock->locked, __ATOMIC_RELAXED) ||
	    __atomic_exchange_n(&lock->locked, 1, __ATOMIC_ACQUIRE))
		return 0;
	__atomic_store_n(&lock->owner, me, __ATOMIC_RELAXED);
	return 1;
}

/* Spin with the OS's help: after a while yield, the holder may be preempted
 * (by the OS, never by our own interrupt routine). */
static void spin_acquire(struct lab_spinlock *lock)
{
	int me = my_tid();
	if (__atomic_load_n(&lock->owner, __ATOMIC_RELAXED) == me) {
		context_bug("spinlock recursion (this thread already holds it: a deadlock), lock",
			    (unsigned long)(uintptr_t)lock);
		abort();
	}
	for (unsigned spins = 0; !spin_try(lock, me); spins++) {
		cpu_relax();
		if ((spins & 127) == 127)
			sched_yield();
	}
}

static void spin_release(struct lab_spinlock *lock)
{
	__atomic_store_n(&lock->owner, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&lock->locked, 0, __ATOMIC_RELEASE);
}

void lab_spin_lock(struct lab_spinlock *lock)
{
	lab_preempt_disable();
	spin_acquire(lock);
}

void lab_spin_unlock(struct lab_spinlock *lock)
{
	spin_release(lock);
	lab_preempt_enable();
}

int lab_spin_trylock(struct lab_spinlock *lock)
{
	lab_preempt_disable();
	if (spin_try(lock, my_tid()))
		return 1;
	lab_preempt_enable();
	return 0;
}

void lab_spin_lock_bh(struct lab_spinlock *lock)
{
	lab_local_bh_disable();
	spin_acquire(lock);
}

void lab_spin_unlock_bh(struct lab_spinlock *lock)
{
	spin_release(lock);
	lab_local_bh_enable();
}

void lab_spin_lock_irq(struct lab_spinlock *lock)
{
	lab_local_irq_disable();
	lab_preempt_disable();
	spin_acquire(lock);
}

void lab_spin_unlock_irq(struct lab_spinlock *lock)
{
	spin_release(lock);
	lab_preempt_enable();
	lab_local_irq_enable();
}

unsigned long lab_spin_lock_irqsave(struct lab_spinlock *lock)
{
	unsigned long flags = lab_local_irq_save();
	lab_preempt_disable();
	spin_acquire(lock);
	return flags;
}

/*
 * The irqsave pair is the host's per-CPU lock (twice per per-CPU pair), so
 * its fast paths call nothing: every rare branch (the first gettid of a
 * thread, a busy lock, a preempt_count underflow, a pending interrupt) is a
 * tail call out of line, and the fast path saves no register. The steps
 * and their order are those of local_irq_save + preempt_disable +
 * trylock, and unlock + preempt_enable + local_irq_restore.
 */
__attribute__((noinline, cold)) static int trylock_first_tid(struct lab_spinlock *lock, unsigned long *flags)
{
	(void)my_tid();   /* cached now: gettid is async-signal-safe and idempotent */
	return lab_spin_trylock_irqsave(lock, flags);
}

__attribute__((noinline)) static int trylock_busy(unsigned long flags)
{
	lab_preempt_enable();
	irq_restore(flags);
	return 0;
}

int lab_spin_trylock_irqsave(struct lab_spinlock *lock, unsigned long *flags)
{
	int me = __atomic_load_n(&task.tid, __ATOMIC_RELAXED);
	if (__builtin_expect(!me, 0))
		return trylock_first_tid(lock, flags);
	*flags = lab_local_irq_save();
	lab_preempt_disable();
	if (spin_try(lock, me))
		return 1;
	return trylock_busy(*flags);
}

__attribute__((noinline, cold)) static void unlock_underflow(unsigned long flags)
{
	lab_preempt_enable();   /* reports the underflow, changes nothing */
	irq_restore(flags);
}

void lab_spin_unlock_irqrestore(struct lab_spinlock *lock, unsigned long flags)
{
	spin_release(lock);
	unsigned pc = pc_get();
	if (__builtin_expect((pc & LAB_PREEMPT_MASK) < LAB_PREEMPT_OFFSET, 0)) {
		unlock_underflow(flags);
		return;
	}
	pc_set(pc - LAB_PREEMPT_OFFSET);
	irq_restore(flags);
}

/* ---- platform hooks --------------------------------------------------------------- */

static int hk_in_atomic(void *ctx) { (void)ctx; return !lab_may_sleep(); }
static int hk_irqs_disabled(void *ctx) { (void)ctx; return lab_irqs_disabled(); }
static unsigned hk_preempt_count(void *ctx) { (void)ctx; return lab_preempt_count(); }
static int hk_pid(void *ctx) { (void)ctx; return my_tid(); }
static enum lab_context hk_context(void *ctx) { (void)ctx; return lab_current_context(); }
static void hk_preempt_disable(void *ctx) { (void)ctx; lab_preempt_disable(); }
static void hk_preempt_enable(void *ctx) { (void)ctx; lab_preempt_enable(); }

/* The thread's name (prctl: a plain syscall, fine inside the signal handler;
 * an interrupt reports the interrupted thread, as Linux's current->comm). */
static const char *hk_comm(void *ctx)
{
	(void)ctx;
	char name[16] = "";
	if (prctl(PR_GET_NAME, name) != 0 || !name[0])
		memcpy(name, "labyrinth", 10);
	name[15] = '\0';
	memcpy(task.comm, name, sizeof(name));
	return task.comm;
}

void lab_context_hooks(struct lab_platform *plat)
{
	plat->in_atomic = hk_in_atomic;
	plat->irqs_disabled = hk_irqs_disabled;
	plat->preempt_count = hk_preempt_count;
	plat->pid = hk_pid;
	plat->comm = hk_comm;
	plat->context = hk_context;
	plat->preempt_disable = hk_preempt_disable;
	plat->preempt_enable = hk_preempt_enable;
}

/* ---- interrupts as signals ---------------------------------------------------------- */

int lab_host_irq_signal(void)
{
	return SIGRTMIN + 4;
}

/* Thread exit: stop the timer before the thread (its signal target) goes. */
static void task_exit(void *arg)
{
	(void)arg;
	if (task.timer_live) {
		timer_delete(task.timer);
		task.timer_live = 0;
	}
	task.isr = NULL;
}

static void irq_setup(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = irq_signal;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	if (sigaction(lab_host_irq_signal(), &sa, NULL) != 0 || pthread_key_create(&exit_key, task_exit) != 0)
		irq_setup_err = errno ? errno : EAGAIN;
}

int lab_host_irq_start(struct lab_mem *mem, unsigned hz, void (*isr)(void *arg), void *arg)
{
	sigset_t set;

	if (!isr || hz > 1000000)
		return -EINVAL;
	if (task.isr)
		return -EBUSY;
	pthread_once(&irq_once, irq_setup);
	if (irq_setup_err)
		return -irq_setup_err;
	if (!task.exit_hook) {
		if (pthread_setspecific(exit_key, &task) != 0)
			return -EAGAIN;
		task.exit_hook = 1;
	}
	unsigned long flags = lab_local_irq_save();
	task.isr_arg = arg;
	task.irq_mem = mem;
	task.isr = isr;
	task.pending = 0;
	lab_local_irq_restore(flags);
	sigemptyset(&set);
	sigaddset(&set, lab_host_irq_signal());
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	if (!hz)
		return 0;   /* only lab_host_irq_raise() triggers it */

	struct sigevent sev;
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = lab_host_irq_signal();
	sev._sigev_un._tid = my_tid();
	if (timer_create(CLOCK_MONOTONIC, &sev, &task.timer) != 0) {
		int e = errno;
		lab_host_irq_stop(mem);
		return -e;
	}
	task.timer_live = 1;
	long ns = 1000000000l / (long)hz;
	struct itimerspec its = { { ns / 1000000000l, ns % 1000000000l }, { ns / 1000000000l, ns % 1000000000l } };
	if (timer_settime(task.timer, 0, &its, NULL) != 0) {
		int e = errno;
		lab_host_irq_stop(mem);
		return -e;
	}
	return 0;
}

void lab_host_irq_stop(struct lab_mem *mem)
{
	(void)mem;
	if (task.timer_live) {
		timer_delete(task.timer);
		task.timer_live = 0;
	}
	/* a tick already queued arrives as a stray signal and is ignored */
	unsigned long flags = lab_local_irq_save();
	task.isr = NULL;
	task.isr_arg = NULL;
	task.irq_mem = NULL;
	__atomic_store_n(&task.pending, 0, __ATOMIC_RELAXED);
	lab_local_irq_restore(flags);
}

int lab_host_irq_raise(struct lab_mem *mem)
{
	(void)mem;
	if (!task.isr)
		return -EINVAL;
	/* pthread_kill to oneself: delivered before it returns (also under
	 * ThreadSanitizer, which treats it as a synchronous signal) */
	int e = pthread_kill(pthread_self(), lab_host_irq_signal());
	return -e;
}

void lab_host_irq_stats(struct lab_irq_stats *out)
{
	unsigned long flags = lab_local_irq_save();
	*out = task.stats;
	lab_local_irq_restore(flags);
}
