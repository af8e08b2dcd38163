/* SPDX-License-Identifier: MIT */
/*
 * boards/common/platform.c - the struct lab_platform of a single-CPU board,
 * built from the board's own primitives (board.h):
 *
 *   zone lock, per-CPU lock   -> board_irq_save/restore (PRIMASK, mstatus.MIE):
 *                                on one CPU, masking interrupts is the whole
 *                                of spin_lock_irqsave, so trylock never fails
 *   context, in_atomic        -> board_in_irq() (IPSR, the trap entry's flag)
 *                                and board_irqs_disabled()
 *   preempt_count             -> HARDIRQ_OFFSET inside a handler, else 0
 *   now_ns                    -> the board's timer
 *   log                       -> the UART, one line at a time with interrupts
 *                                masked so lines from handlers do not interleave
 */
#include <labyrinth/labyrinth.h>
#include "board.h"
#include "log.h"

#define HARDIRQ_OFFSET 0x10000u   /* Linux's preempt_count() inside a hard interrupt */

unsigned board_log_might_sleep;   /* might_sleep reports seen by the log hook */
unsigned board_log_lines;         /* every line the core logged */

static void zone_lock(void *ctx, unsigned zone, unsigned long *flags)
{
	*flags = board_irq_save();
}

static void zone_unlock(void *ctx, unsigned zone, unsigned long flags)
{
	board_irq_restore(flags);
}

static int pcp_trylock(void *ctx, unsigned cpu, unsigned long *flags)
{
	*flags = board_irq_save();
	return 1;
}

static void pcp_lock(void *ctx, unsigned cpu, unsigned long *flags)
{
	*flags = board_irq_save();
}

static unsigned cpu_id(void *ctx)
{
	return 0;
}

static enum lab_context context(void *ctx)
{
	return board_in_irq() ? LAB_CTX_HARDIRQ : LAB_CTX_PROCESS;
}

static int in_atomic(void *ctx)
{
	return board_in_irq() || board_irqs_disabled();
}

static int irqs_disabled(void *ctx)
{
	return board_irqs_disabled();
}

static unsigned preempt_count(void *ctx)
{
	return board_in_irq() ? HARDIRQ_OFFSET : 0;
}

static const char *comm(void *ctx)
{
	return "cardiac";
}

static int pid(void *ctx)
{
	return 1;
}

static uint64_t now_ns(void *ctx)
{
	return board_now_ns();
}

static int starts_with(const char *s, const char *prefix)
{
	while (*prefix)
		if (*s++ != *prefix++)
			return 0;
	return 1;
}

static void log_line(void *ctx, enum lab_log_level level, const char *line)
{
	board_log_lines++;
	if (starts_with(line, "BUG: sleeping function called from invalid context"))
		board_log_might_sleep++;
	board_puts_line(line);
}

const struct lab_platform board_platform = {
	.zone_lock = zone_lock,
	.zone_unlock = zone_unlock,
	.pcp_trylock = pcp_trylock,
	.pcp_lock = pcp_lock,
	.pcp_unlock = zone_unlock,
	.cpu_id = cpu_id,
	.context = context,
	.in_atomic = in_atomic,
	.irqs_disabled = irqs_disabled,
	.preempt_count = preempt_count,
	.comm = comm,
	.pid = pid,
	.now_ns = now_ns,
	.log = log_line,
};
