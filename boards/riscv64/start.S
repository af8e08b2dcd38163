/* SPDX-License-Identifier: MIT */
/*
 * boards/riscv64/start.S - reset and the trap entry, in M-mode.
 *
 * _start: global pointer, stack, .bss zeroed, mtvec = board_trap_entry
 * (direct mode), then cardiac_main(). .data needs no copy: QEMU loads the
 * image into RAM where it runs.
 *
 * board_trap_entry: saves the caller-saved registers (the C handler saves
 * the rest), runs board_trap() with mstatus.MIE cleared by the hardware
 * (no nesting on this board), restores them and returns with mret.
 *
 *   sp -> +0 ra  +8 t0 ... +48 t6  +56 a0 ... +112 a7   (128 bytes)
 */
	.section .text.start, "ax"
	.globl _start
_start:
	.option push
	.option norelax
	la gp, __global_pointer$
	.option pop
	la sp, __stack_top
	la t0, __bss_start
	la t1, __bss_end
1:	bgeu t0, t1, 2f
	sd zero, 0(t0)
	addi t0, t0, 8
	j 1b
2:	la t0, board_trap_entry
	csrw mtvec, t0
	call cardiac_main
3:	wfi
	j 3b

	.text
	.balign 4
	.globl board_trap_entry
board_trap_entry:
	addi sp, sp, -128
	sd ra, 0(sp)
	sd t0, 8(sp)
	sd t1, 16(sp)
	sd t2, 24(sp)
	sd t3, 32(sp)
	sd t4, 40(sp)
	sd t5, 48(sp)
	sd t6, 56(sp)
	sd a0, 64(sp)
	sd a1, 72(sp)
	sd a2, 80(sp)
	sd a3, 88(sp)
	sd a4, 96(sp)
	sd a5, 104(sp)
	sd a6, 112(sp)
	sd a7, 120(sp)
	call board_trap
	ld ra, 0(sp)
	ld t0, 8(sp)
	ld t1, 16(sp)
	ld t2, 24(sp)
	ld t3, 32(sp)
	ld t4, 40(sp)
	ld t5, 48(sp)
	ld t6, 56(sp)
	ld a0, 64(sp)
	ld a1, 72(sp)
	ld a2, 80(sp)
	ld a3, 88(sp)
	ld a4, 96(sp)
	ld a5, 104(sp)
	ld a6, 112(sp)
	ld a7, 120(sp)
	addi sp, sp, 128
	mret
