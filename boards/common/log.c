/* SPDX-License-Identifier: MIT */
/* boards/common/log.c - one line to the UART, not interleaved (log.h). */
#include "board.h"
#include "log.h"

void board_puts_line(const char *line)
{
	unsigned long flags = board_irq_save();
	while (*line)
		board_putc(*line++);
	board_putc('\n');
	board_irq_restore(flags);
}
