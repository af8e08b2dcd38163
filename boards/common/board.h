/* SPDX-License-Identifier: MIT */
/*
 * boards/common/board.h - what a board gives the cardiac workload.
 *
 * The workload (cardiac.c) and the platform it hands the core (platform.c)
 * are the same on every board; each board (cortex-m4/, riscv64/) supplies
 * these primitives with its own hardware: the CPU's interrupt mask, the
 * interrupt state as the hardware sees it, a free-running cycle counter, a
 * UART, two timer interrupt sources and a way to end the QEMU run with an
 * exit status. No C library: -ffreestanding -nostdlib, libgcc only.
 *
 *   reset -> board start-up (.data copy, .bss zero, vectors/trap)
 *         -> cardiac_main()            main loop: consume ECG buffers, NOWAIT work
 *              ^     ^
 *   ECG timer|     | network timer (higher rate, higher priority where the
 *   -> cardiac_ecg_irq()  -> cardiac_net_irq()   interrupt controller has them)
 */
#ifndef LAB_BOARD_H
#define LAB_BOARD_H

#include <stddef.h>
#include <stdint.h>

/* The board's name, printed in the banner. */
extern const char board_name[];
/* What board_cycles() counts ("DWT CYCCNT", "mcycle", ...). */
const char *board_cycle_source(void);

/* Early set-up: UART on. Called once from cardiac_main() before anything. */
void board_init(void);
/* Blocking write of one byte to the UART (polls the transmitter). */
void board_putc(char c);
/* Ends the QEMU run with @status (0 = pass). Never returns. */
void board_exit(int status) __attribute__((noreturn));

/* Interrupt mask: disable and return the previous state / restore it. */
unsigned long board_irq_save(void);
void board_irq_restore(unsigned long flags);
/* Nonzero when interrupts are masked on this CPU. */
int board_irqs_disabled(void);
/* Nonzero inside an interrupt handler, as the hardware (or the trap entry) says. */
int board_in_irq(void);

/* Free-running cycle counter (wraps; callers subtract). */
uint32_t board_cycles(void);
/* Monotonic time from the board's timer, in nanoseconds. */
uint64_t board_now_ns(void);

/* Starts the two interrupt sources: the ECG sampler at @ecg_hz calling
 * cardiac_ecg_irq(), the network at @net_hz calling cardiac_net_irq(). */
void board_timers_start(unsigned ecg_hz, unsigned net_hz);
void board_timers_stop(void);

/* The RAM the allocator manages, from the linker script. */
extern char board_arena_start[], board_arena_end[];

/* The workload's entry points (boards/common/cardiac.c). */
void cardiac_main(void) __attribute__((noreturn));
void cardiac_ecg_irq(void);
void cardiac_net_irq(void);

#endif
