/* SPDX-License-Identifier: MIT */
/*
 * cli/cli_common.c - what the subcommands share: the end of the option
 * switch (--help or a bad option), number arguments, and the scenario
 * pipeline of run / sweep / map (name or file -> load -> --set overrides
 * -> lab_sim_create). Every failure is reported with cli_error() under the
 * subcommand's name, so the messages are the ones each command printed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <labyrinth/sim.h>
#include "cli.h"

#ifndef LAB_SCENARIO_DIR
#define LAB_SCENARIO_DIR "scenarios"
#endif
#ifndef LAB_SCENARIO_INSTALL_DIR
#define LAB_SCENARIO_INSTALL_DIR "/usr/local/share/labyrinth/scenarios"
#endif

int cli_help(const char *help, int asked)
{
	fputs(help, asked ? stdout : stderr);
	return asked ? 0 : 2;
}

int cli_parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 0);
	if (*end || !*s)
		return -1;
	*out = v;
	return 0;
}

int cli_scenario_path(const char *cmd, const char *name, char *path, size_t size)
{
	const char *const dirs[] = { LAB_SCENARIO_DIR, LAB_SCENARIO_INSTALL_DIR, NULL };
	if (lab_scenario_resolve(name, dirs, path, size) != 0) {
		cli_error(cmd, "no scenario '%s' (a file, or a name in %s)", name, LAB_SCENARIO_DIR);
		return -1;
	}
	return 0;
}

struct lab_scenario *cli_scenario_load(const char *cmd, const char *name, const char *const *sets, int nsets)
{
	char msg[600], path[1024];
	struct lab_sim_error err;

	if (cli_scenario_path(cmd, name, path, sizeof(path)) != 0)
		return NULL;
	struct lab_scenario *sc = lab_scenario_load(path, &err);
	if (!sc) {
		cli_error(cmd, "%s", lab_sim_error_format(&err, msg, sizeof(msg)));
		return NULL;
	}
	for (int i = 0; i < nsets; i++)
		if (lab_scenario_set(sc, sets[i], &err) != 0) {
			lab_scenario_free(sc);
			cli_error(cmd, "%s", lab_sim_error_format(&err, msg, sizeof(msg)));
			return NULL;
		}
	return sc;
}

struct lab_sim *cli_sim_create(const char *cmd, struct lab_scenario *sc, uint64_t seed)
{
	char msg[600];
	struct lab_sim_error err;
	struct lab_sim *sim = lab_sim_create(sc, seed, &err);

	lab_scenario_free(sc);
	if (!sim)
		cli_error(cmd, "%s", lab_sim_error_format(&err, msg, sizeof(msg)));
	return sim;
}
