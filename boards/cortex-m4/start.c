/* SPDX-License-Identifier: MIT */
/*
 * boards/cortex-m4/start.c - reset and exceptions of the Cortex-M4 board:
 * the vector table (initial stack pointer, reset, faults, SysTick, the
 * CMSDK TIMER0 interrupt), and the reset handler that copies .data from its
 * load image, zeroes .bss and enters the workload.
 *
 *   vector  0  __stack_top         15  SysTick  -> cardiac_ecg_irq (ECG, priority 0x80)
 *           1  board_reset         16+8 TIMER0  -> cardiac_net_irq (network, priority 0x40:
 *         2-14 board_fault                         it preempts the ECG handler)
 *
 * A fault prints the exception number and ends the run with status 3.
 */
#include <stdint.h>
#include "../common/board.h"
#include "../common/log.h"

extern uint32_t __data_start[], __data_end[], __data_load[], __bss_start[], __bss_end[], __stack_top[];

void board_reset(void) __attribute__((noreturn));
void board_fault(void);
void board_systick(void);
void board_timer0(void);
void board_timer_ack(void);

void board_reset(void)
{
	uint32_t *d = __data_start, *s = __data_load;
	while (d < __data_end)
		*d++ = *s++;
	for (d = __bss_start; d < __bss_end; d++)
		*d = 0;
	cardiac_main();
}

void board_fault(void)
{
	uint32_t ipsr;
	__asm__ volatile("mrs %0, ipsr" : "=r"(ipsr));
	say("FAULT: exception %u", (unsigned)(ipsr & 0x1ff));
	board_exit(3);
}

void board_systick(void)
{
	cardiac_ecg_irq();
}

void board_timer0(void)
{
	board_timer_ack();
	cardiac_net_irq();
}

#define NR_VECTORS (16 + 32)
__attribute__((section(".vectors"), used))
static void (*const vectors[NR_VECTORS])(void) = {
	[0] = (void (*)(void))__stack_top,
	[1] = board_reset,
	[2 ... 14] = board_fault,
	[15] = board_systick,
	[16 ... NR_VECTORS - 1] = board_fault,
	[16 + 8] = board_timer0,
};
