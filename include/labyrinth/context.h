/* SPDX-License-Identifier: MIT */
/*
 * labyrinth/context.h - the host's execution context: preempt_count,
 * interrupts, softirqs, spinlocks.
 *
 * Implemented by the POSIX host (src/host/context.c) for every thread of
 * the process; an embedder with its own kernel has its own preempt_count
 * and does not link these. The page mappings whose rules depend on the
 * context (kmap_local, kmap_atomic, kmap) are the core's: labyrinth/kmap.h.
 *
 * preempt_count, as Linux packs it (include/linux/preempt.h):
 *
 *   bit  31 ........ 24 23 .. 20 19 .. 16 15 ....... 8 7 ........ 0
 *       +--------------+--------+--------+------------+------------+
 *       |   (unused)   |  NMI   | HARDIRQ|  SOFTIRQ   |  PREEMPT   |
 *       +--------------+--------+--------+------------+------------+
 *   SOFTIRQ: bit 8 = serving a softirq, +0x200 per local_bh_disable
 *   in_atomic()    = preempt_count != 0
 *   in_interrupt() = NMI | HARDIRQ | SOFTIRQ bits != 0
 *   might_sleep() complains when in_atomic() || irqs_disabled()
 *
 * "Interrupts disabled" is a per-thread word, not the CPU flag (see
 * docs/isr-safety.md): local_irq_save() sets it without a syscall; an
 * interrupt signal that arrives meanwhile is only marked pending and its
 * routine runs at the local_irq_restore() that re-enables.
 *
 * Everything here is callable from any context, including a host interrupt
 * routine (it runs inside a signal handler): nothing allocates or blocks,
 * except where a comment says "may sleep".
 */
#ifndef LABYRINTH_CONTEXT_H
#define LABYRINTH_CONTEXT_H

#include <labyrinth/stats.h>      /* enum lab_context */
#include <labyrinth/platform.h>   /* struct lab_platform (lab_context_hooks) */

#ifdef __cplusplus
extern "C" {
#endif

/* ---- preempt_count layout: LAB_*_OFFSET / LAB_*_MASK in labyrinth/platform.h */

/* ---- context queries (of the calling thread) --------------------------- */
unsigned lab_preempt_count(void);
/* Linux in_atomic(): preempt_count() != 0. */
int lab_in_atomic(void);
/* Linux in_interrupt(): in NMI, hardirq or softirq (serving or bh-disabled). */
int lab_in_interrupt(void);
int lab_in_hardirq(void);           /* in_irq() / in_hardirq() */
int lab_in_softirq(void);           /* serving a softirq or bh disabled */
int lab_in_serving_softirq(void);
int lab_in_nmi(void);
int lab_in_task(void);              /* process context: no NMI/hardirq/serving softirq */
int lab_irqs_disabled(void);
/* What __might_sleep() accepts: !in_atomic() && !irqs_disabled(). */
int lab_may_sleep(void);
/* LAB_CTX_NMI / HARDIRQ / SOFTIRQ (serving) / PROCESS. */
enum lab_context lab_current_context(void);

/* ---- context regions; each enter must be paired with its exit ---------- */
void lab_preempt_disable(void);
void lab_preempt_enable(void);      /* an underflow is reported and ignored */
void lab_local_bh_disable(void);
void lab_local_bh_enable(void);
/* irq_enter/irq_exit: what a host interrupt does around its routine. */
void lab_irq_enter(void);
void lab_irq_exit(void);
void lab_nmi_enter(void);
void lab_nmi_exit(void);
/* Run @fn in (serving) softirq context with interrupts enabled, as
 * __do_softirq runs a handler. */
void lab_do_softirq(void (*fn)(void *arg), void *arg);

/* ---- soft interrupt masking --------------------------------------------- */
/* Returns the previous state (non-zero = was disabled) and disables. About
 * two stores; no syscall. */
unsigned long lab_local_irq_save(void);
/* Restores the state saved in @flags; when that enables interrupts, the
 * routines of interrupts that arrived meanwhile run now (replay). */
void lab_local_irq_restore(unsigned long flags);
void lab_local_irq_disable(void);
void lab_local_irq_enable(void);

/* ---- spinlocks ------------------------------------------------------------ *
 * A test-and-test-and-set lock that also disables preemption (spin_lock) and
 * optionally interrupts (the _irqsave forms: soft mask, so an interrupt
 * routine of the same thread cannot run while it is held). Taking a lock the
 * calling thread already holds is Linux's "BUG: spinlock recursion": it is
 * reported and the process aborts (the kernel would hang instead).
 */
struct lab_spinlock {
	int locked;                     /* 0 free, 1 held (atomic) */
	int owner;                      /* tid of the holder, for recursion reports (atomic) */
};
#define LAB_SPINLOCK_INIT { 0, 0 }

void lab_spin_lock_init(struct lab_spinlock *lock);
void lab_spin_lock(struct lab_spinlock *lock);
void lab_spin_unlock(struct lab_spinlock *lock);
int lab_spin_trylock(struct lab_spinlock *lock);             /* 1 = taken */
void lab_spin_lock_bh(struct lab_spinlock *lock);
void lab_spin_unlock_bh(struct lab_spinlock *lock);
void lab_spin_lock_irq(struct lab_spinlock *lock);
void lab_spin_unlock_irq(struct lab_spinlock *lock);
unsigned long lab_spin_lock_irqsave(struct lab_spinlock *lock);
int lab_spin_trylock_irqsave(struct lab_spinlock *lock, unsigned long *flags);
void lab_spin_unlock_irqrestore(struct lab_spinlock *lock, unsigned long flags);

/* Context-level bugs seen by this process so far (preempt_count underflow,
 * bh/irq exit without enter, interrupt routines that leaked a context). */
unsigned long lab_context_bug_count(void);

/* Fills the context hooks of @plat (in_atomic = might_sleep's test,
 * irqs_disabled, preempt_count, pid = thread id, comm = thread name,
 * context, preempt_disable/enable) with the host's; they ignore ctx. For
 * embedders and tests that assemble their own platform. */
void lab_context_hooks(struct lab_platform *plat);

#ifdef __cplusplus
}
#endif
#endif
