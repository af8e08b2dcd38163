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

#include <stdint.h>
#include <stdio.h>

struct lab_scenario;
struct lab_sim;

int lab_cmd_gfp(int argc, char **argv);
int lab_cmd_watermarks(int argc, char **argv);
int lab_cmd_demo(int argc, char **argv);
int lab_cmd_diagnose(int argc, char **argv);
int lab_cmd_replay(int argc, char **argv);
int lab_cmd_run(int argc, char **argv);
int lab_cmd_sweep(int argc, char **argv);
int lab_cmd_map(int argc, char **argv);
int lab_cmd_top(int argc, char **argv);
int lab_cmd_snapshot(int argc, char **argv);
int lab_cmd_record(int argc, char **argv);

/* Prints "labyrinth CMD: MESSAGE" to stderr; returns 2 for `return cli_usage_error(...)`. */
int cli_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* cli_common.c */

/* The end of an option switch: @help on stdout and 0 when @asked (--help),
 * else @help on stderr and 2 (a bad option). */
int cli_help(const char *help, int asked);

/* @s as a number (strtoull, base 0: 42, 0x2a): -1 if empty or anything
 * follows the number, else 0 with *@out set. */
int cli_parse_u64(const char *s, uint64_t *out);

/* The file scenario @name names (a file, or a name in the scenario
 * directories) into @path; -1 after the error was printed under @cmd. */
int cli_scenario_path(const char *cmd, const char *name, char *path, size_t size);
/* The scenario @name (a file, or a name in the scenario folders) loaded and
 * with the --set overrides @sets[0..@nsets) applied; NULL after the error
 * was printed under @cmd (the command then exits 2). */
struct lab_scenario *cli_scenario_load(const char *cmd, const char *name, const char *const *sets, int nsets);

/* lab_sim_create(@sc, @seed); @sc is freed either way. NULL after the error
 * was printed under @cmd (exit 2). */
struct lab_sim *cli_sim_create(const char *cmd, struct lab_scenario *sc, uint64_t seed);

#endif
