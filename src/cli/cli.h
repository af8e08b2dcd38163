/* SPDX-License-Identifier: MIT */
/*
 * cli/cli.h - the labyrinth command: one file per subcommand.
 *
 * Each subcommand is `int lab_cmd_NAME(int argc, char **argv)` where argv[0]
 * is the subcommand name. Return 0 on success, 1 when the command ran but
 * found a problem (e.g. a check failed), 2 for bad usage or bad input (after
 * printing a message that names what and where to stderr). Every subcommand
 * answers --help on stdout with exit 0.
 */
#ifndef LAB_CLI_H
#define LAB_CLI_H

#include <stdio.h>

int lab_cmd_gfp(int argc, char **argv);
int lab_cmd_watermarks(int argc, char **argv);
int lab_cmd_demo(int argc, char **argv);
int lab_cmd_diagnose(int argc, char **argv);
int lab_cmd_replay(int argc, char **argv);
int lab_cmd_run(int argc, char **argv);
int lab_cmd_sweep(int argc, char **argv);
int lab_cmd_map(int argc, char **argv);

/* Prints "labyrinth CMD: MESSAGE" to stderr; returns 2 for `return cli_usage_error(...)`. */
int cli_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
