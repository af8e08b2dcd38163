/* SPDX-License-Identifier: MIT */
/*
 * boards/riscv64/board.c - the primitives of QEMU's virt board (board.h),
 * in M-mode, with the hart's own CSRs:
 *
 *   interrupt mask   mstatus.MIE: csrrc to save and clear, csrs to restore
 *   in interrupt?    board_trap() counts its depth (the trap-handler flag)
 *   cycles           mcycle
 *   time             CLINT mtime (10 MHz)
 *   UART             16550 at 0x10000000, polled
 *   interrupts       the CLINT timer (mtimecmp of hart 0) is the board's only
 *                    timer interrupt: it carries two sources, the ECG sampler
 *                    and the network, each with its own deadline; the
 *                    handler serves whichever are due and programs mtimecmp
 *                    for the earlier of the next two
 *   exit status      the SiFive test device at 0x100000
 */
#include <stdint.h>
#include "../common/board.h"
#include "../common/log.h"

#define REG8(a) (*(volatile uint8_t *)(a))
#define REG32(a) (*(volatile uint32_t *)(a))
#define REG64(a) (*(volatile uint64_t *)(a))
#define UART 0x10000000ul
#define UART_THR REG8(UART + 0)
#define UART_LSR REG8(UART + 5)           /* bit 5: transmitter holding register empty */
#define TEST_DEV REG32(0x100000ul)        /* 0x5555 pass, (code << 16) | 0x3333 fail */
#define MTIMECMP REG64(0x2004000ul)
#define MTIME REG64(0x200bff8ul)
#define MTIME_HZ 10000000ul
#define MSTATUS_MIE 0x8ul
#define MIE_MTIE 0x80ul
#define MCAUSE_INT (1ul << 63)
#define IRQ_M_TIMER 7ul

const char board_name[] = "RISC-V 64 (QEMU virt, M-mode)";
static volatile unsigned trap_depth;
static uint64_t ecg_period, net_period, next_ecg, next_net;
static int timers_on;

void board_trap(void);

const char *board_cycle_source(void)
{
	return "mcycle";
}

/* Interrupts on (mstatus.MIE), no source enabled yet (mie = 0): the main
 * loop runs as a task with interrupts enabled, as on the other board. */
void board_init(void)
{
	__asm__ volatile("csrw mie, zero\n\tcsrs mstatus, %0" : : "i"(MSTATUS_MIE) : "memory");
}

void board_putc(char c)
{
	while (!(UART_LSR & 0x20))
		;
	UART_THR = (uint8_t)c;
}

void board_exit(int status)
{
	TEST_DEV = status ? ((uint32_t)status << 16) | 0x3333u : 0x5555u;
	for (;;)
		__asm__ volatile("wfi");
}

unsigned long board_irq_save(void)
{
	unsigned long old;
	__asm__ volatile("csrrc %0, mstatus, %1" : "=r"(old) : "i"(MSTATUS_MIE) : "memory");
	return old & MSTATUS_MIE;
}

void board_irq_restore(unsigned long flags)
{
	if (flags & MSTATUS_MIE)
		__asm__ volatile("csrs mstatus, %0" : : "i"(MSTATUS_MIE) : "memory");
}

int board_irqs_disabled(void)
{
	unsigned long s;
	__asm__ volatile("csrr %0, mstatus" : "=r"(s));
	return !(s & MSTATUS_MIE);
}

int board_in_irq(void)
{
	return trap_depth != 0;
}

uint32_t board_cycles(void)
{
	unsigned long c;
	__asm__ volatile("csrr %0, mcycle" : "=r"(c));
	return (uint32_t)c;
}

uint64_t board_now_ns(void)
{
	return MTIME * (1000000000ul / MTIME_HZ);
}

static void program_next(void)
{
	MTIMECMP = next_ecg < next_net ? next_ecg : next_net;
}

void board_timers_start(unsigned ecg_hz, unsigned net_hz)
{
	ecg_period = MTIME_HZ / ecg_hz;
	net_period = MTIME_HZ / net_hz;
	uint64_t now = MTIME;
	next_ecg = now + ecg_period;
	next_net = now + net_period;
	timers_on = 1;
	program_next();
	__asm__ volatile("csrs mie, %0" : : "r"(MIE_MTIE));
	__asm__ volatile("csrs mstatus, %0" : : "i"(MSTATUS_MIE) : "memory");
}

void board_timers_stop(void)
{
	__asm__ volatile("csrc mie, %0" : : "r"(MIE_MTIE));
	timers_on = 0;
	MTIMECMP = ~0ull;
}

/* Missed deadlines are counted as one interrupt (as a pending line is). */
static void timer_interrupt(void)
{
	uint64_t now = MTIME;
	if (now >= next_net) {
		cardiac_net_irq();
		while (next_net <= now)
			next_net += net_period;
	}
	if (now >= next_ecg) {
		cardiac_ecg_irq();
		while (next_ecg <= now)
			next_ecg += ecg_period;
	}
	if (timers_on)
		program_next();
}

void board_trap(void)
{
	unsigned long cause, epc;
	__asm__ volatile("csrr %0, mcause" : "=r"(cause));
	trap_depth++;
	if (cause == (MCAUSE_INT | IRQ_M_TIMER)) {
		timer_interrupt();
	} else {
		__asm__ volatile("csrr %0, mepc" : "=r"(epc));
		say("FAULT: mcause %lx mepc %lx", cause, epc);
		board_exit(3);
	}
	trap_depth--;
}
