/* SPDX-License-Identifier: MIT */
/*
 * tests/fuzz/fuzz_scenario.c - libFuzzer target for the scenario parser
 * (engines/scenario.c): any bytes must give a scenario or an error with a
 * class and a message - never a crash, a leak or an out-of-bounds read.
 * A parsed scenario also takes a few --set overrides and is cloned, so the
 * override path sees fuzzed scenarios too. No simulator is created (a
 * fuzzed "memory: 16T" would allocate gigabytes).
 *
 * Seeds: tests/fuzz/seeds/fuzz_scenario/ (the shipped scenarios and bad ones).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <labyrinth/sim.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const sets[] = {
		"min_free_kbytes=4096", "machine.cpus=2", "duration=1s", "sim.samples=10",
		"workloads.nic-rx.rate=1k", "phases.storm.duration=5ms", "lowmem_reserve_ratio=1,2,3,4",
	};
	struct lab_sim_error err;
	char msg[700];
	struct lab_scenario *sc = lab_scenario_parse((const char *)data, size, "fuzz.yaml", &err);
	if (!sc) {
		if (err.code == LAB_SCN_OK || err.code >= LAB_SCN_ERR_NR)
			__builtin_trap();   /* a refusal must say why */
		lab_sim_error_format(&err, msg, sizeof(msg));
		if (!msg[0])
			__builtin_trap();
		return 0;
	}
	(void)lab_scenario_name(sc);
	(void)lab_scenario_duration_ns(sc);
	struct lab_scenario *c = lab_scenario_clone(sc);
	for (size_t i = 0; c && i < sizeof(sets) / sizeof(sets[0]); i++)
		if (lab_scenario_set(c, sets[i], &err) != 0)
			lab_sim_error_format(&err, msg, sizeof(msg));
	lab_scenario_free(c);
	lab_scenario_free(sc);
	return 0;
}
