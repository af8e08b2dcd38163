/* SPDX-License-Identifier: MIT */
/*
 * boards/common/log.h - UART output with the core's own formatter
 * (lab_snprintf): say("fmt", ...) formats one line into a stack buffer and
 * writes it whole, with interrupts masked, so a handler's line never cuts
 * into the main loop's.
 */
#ifndef LAB_BOARD_LOG_H
#define LAB_BOARD_LOG_H

#include <labyrinth/labyrinth.h>

/* Writes @line and a newline to the UART as one unit. */
void board_puts_line(const char *line);

#define say(...)                                                 \
	do {                                                     \
		char say_buf_[160];                              \
		lab_snprintf(say_buf_, sizeof(say_buf_), __VA_ARGS__); \
		board_puts_line(say_buf_);                       \
	} while (0)

/* The platform of the board (platform.c) and what its log hook counted:
 * might_sleep reports, and lines of any kind. */
extern const struct lab_platform board_platform;
extern unsigned board_log_might_sleep;
extern unsigned board_log_lines;

#endif
