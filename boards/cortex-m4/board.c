/* SPDX-License-Identifier: MIT */
/*
 * boards/cortex-m4/board.c - the primitives of QEMU's mps2-an386 board
 * (board.h) with the Cortex-M4's own registers:
 *
 *   interrupt mask   PRIMASK: mrs/cpsid i to save, msr to restore
 *   in interrupt?    IPSR != 0 (the active exception number)
 *   cycles           DWT CYCCNT when it counts; QEMU does not model the DWT
 *                    (it reads 0), so then CMSDK TIMER1, free-running at the
 *                    25 MHz system clock, counting down
 *   time             TIMER1's count (wraps after 171 s; a run takes seconds)
 *   UART             CMSDK APB UART0 at 0x40004000, polled
 *   ECG interrupt    SysTick at the 25 MHz core clock, priority 0x80
 *   network          CMSDK TIMER0 (IRQ 8), priority 0x40: preempts the ECG
 *   exit status      semihosting SYS_EXIT_EXTENDED (QEMU -semihosting)
 */
#include <stdint.h>
#include "../common/board.h"

#define REG(a) (*(volatile uint32_t *)(a))
#define SYSCLK 25000000u

/* CMSDK APB UART0 */
#define UART0 0x40004000u
#define UART_DATA(b) REG((b) + 0x00)
#define UART_STATE(b) REG((b) + 0x04)    /* bit 0: TX buffer full */
#define UART_CTRL(b) REG((b) + 0x08)     /* bit 0: TX enable */
#define UART_BAUDDIV(b) REG((b) + 0x10)
/* CMSDK APB timers */
#define TIMER0 0x40000000u
#define TIMER1 0x40001000u
#define TIMER_CTRL(b) REG((b) + 0x00)    /* bit 0 enable, bit 3 interrupt enable */
#define TIMER_VALUE(b) REG((b) + 0x04)
#define TIMER_RELOAD(b) REG((b) + 0x08)
#define TIMER_INTCLEAR(b) REG((b) + 0x0c)
#define TIMER0_IRQ 8u
/* System control space */
#define SYST_CSR REG(0xe000e010u)
#define SYST_RVR REG(0xe000e014u)
#define SYST_CVR REG(0xe000e018u)
#define NVIC_ISER0 REG(0xe000e100u)
#define NVIC_ICER0 REG(0xe000e180u)
#define NVIC_IPR(n) (*(volatile uint8_t *)(0xe000e400u + (n)))
#define SHPR3 REG(0xe000ed20u)           /* bits 31:24 SysTick priority */
#define DEMCR REG(0xe000edfcu)           /* bit 24 TRCENA */
#define DWT_CTRL REG(0xe0001000u)        /* bit 0 CYCCNTENA */
#define DWT_CYCCNT REG(0xe0001004u)

const char board_name[] = "Cortex-M4 (QEMU mps2-an386)";
static int have_dwt;

const char *board_cycle_source(void)
{
	return have_dwt ? "DWT CYCCNT" : "CMSDK TIMER1 at the 25 MHz system clock (DWT CYCCNT does not count: QEMU has no DWT)";
}

void board_timer_ack(void);

void board_init(void)
{
	UART_BAUDDIV(UART0) = 16;
	UART_CTRL(UART0) = 1;
	/* TIMER1 free-running from 0xffffffff, no interrupt */
	TIMER_RELOAD(TIMER1) = 0xffffffffu;
	TIMER_VALUE(TIMER1) = 0xffffffffu;
	TIMER_CTRL(TIMER1) = 1;
	DEMCR |= 1u << 24;
	DWT_CYCCNT = 0;
	DWT_CTRL |= 1;
	uint32_t c0 = DWT_CYCCNT;
	for (volatile int i = 0; i < 100; i++)
		;
	have_dwt = DWT_CYCCNT != c0;
}

void board_putc(char c)
{
	while (UART_STATE(UART0) & 1)
		;
	UART_DATA(UART0) = (uint8_t)c;
}

void board_exit(int status)
{
	/* SYS_EXIT_EXTENDED (0x20): { ADP_Stopped_ApplicationExit, status } */
	static volatile uint32_t block[2];
	block[0] = 0x20026;
	block[1] = (uint32_t)status;
	register uint32_t r0 __asm__("r0") = 0x20;
	register volatile uint32_t *r1 __asm__("r1") = block;
	__asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
	for (;;)
		__asm__ volatile("wfi");
}

unsigned long board_irq_save(void)
{
	uint32_t primask;
	__asm__ volatile("mrs %0, primask\n\tcpsid i" : "=r"(primask) : : "memory");
	return primask;
}

void board_irq_restore(unsigned long flags)
{
	__asm__ volatile("msr primask, %0" : : "r"((uint32_t)flags) : "memory");
}

int board_irqs_disabled(void)
{
	uint32_t primask;
	__asm__ volatile("mrs %0, primask" : "=r"(primask));
	return primask & 1;
}

int board_in_irq(void)
{
	uint32_t ipsr;
	__asm__ volatile("mrs %0, ipsr" : "=r"(ipsr));
	return (ipsr & 0x1ff) != 0;
}

uint32_t board_cycles(void)
{
	return have_dwt ? DWT_CYCCNT : ~TIMER_VALUE(TIMER1);
}

uint64_t board_now_ns(void)
{
	return (uint64_t)~TIMER_VALUE(TIMER1) * (1000000000u / SYSCLK);
}

void board_timers_start(unsigned ecg_hz, unsigned net_hz)
{
	SHPR3 = (SHPR3 & 0x00ffffffu) | (0x80u << 24);
	NVIC_IPR(TIMER0_IRQ) = 0x40;
	TIMER_RELOAD(TIMER0) = SYSCLK / net_hz - 1;
	TIMER_VALUE(TIMER0) = SYSCLK / net_hz - 1;
	TIMER_CTRL(TIMER0) = 1u | 8u;
	NVIC_ISER0 = 1u << TIMER0_IRQ;
	SYST_RVR = SYSCLK / ecg_hz - 1;
	SYST_CVR = 0;
	SYST_CSR = 7;   /* enable, interrupt, core clock */
}

void board_timers_stop(void)
{
	SYST_CSR = 0;
	TIMER_CTRL(TIMER0) = 0;
	NVIC_ICER0 = 1u << TIMER0_IRQ;
}

void board_timer_ack(void)
{
	TIMER_INTCLEAR(TIMER0) = 1;
}
