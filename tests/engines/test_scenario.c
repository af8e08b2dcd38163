/* SPDX-License-Identifier: MIT */
/*
 * tests/engines/test_scenario.c - scenario files (engines/scenario.c): units, the
 * shipped scenarios, --set overrides, and each class of bad input with its
 * error code, line and key (and, through the CLI when it is built with
 * `run`, its message on stderr and exit code 2).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <labyrinth/sim.h>
#include "engines/sim_int.h"

static const char good[] =
	"name: t\n"
	"machine:\n"
	"  memory: 512M\n"
	"  cpus: 4\n"
	"phases:\n"
	"  - {name: a, duration: 1.5ms}\n"
	"  - {name: b, duration: 2s}\n"
	"workloads:\n"
	"  - {type: nic-rx, name: rx, phases: [b], cpus: [1, 3], rate: 400k, hold: 250us,\n"
	"     orders: {0: 1, 3: 3}}\n"
	"  - {type: slab, target: 10%}\n";

static struct lab_scenario *parse_ok(const char *yaml)
{
	struct lab_sim_error err;
	struct lab_scenario *sc = lab_scenario_parse(yaml, strlen(yaml), "t.yaml", &err);
	if (!sc) {
		char buf[600];
		fail_msg("%s", lab_sim_error_format(&err, buf, sizeof(buf)));
	}
	return sc;
}

/* Parses @yaml expecting an error of @code at @line; returns the error. */
static struct lab_sim_error parse_bad(const char *yaml, enum lab_scenario_errcode code, unsigned line)
{
	struct lab_sim_error err;
	struct lab_scenario *sc = lab_scenario_parse(yaml, strlen(yaml), "bad.yaml", &err);
	assert_null(sc);
	assert_int_equal(err.code, code);
	if (line)
		assert_int_equal(err.line, line);
	assert_string_equal(err.file, "bad.yaml");
	return err;
}

/* Sizes, durations, rates, percentages and order weights parse to their values. */
static void test_scenario_units_parse(void **state)
{
	(void)state;
	struct lab_scenario *sc = parse_ok(good);
	assert_int_equal(sc->mem_bytes, 512ull << 20);
	assert_int_equal(sc->nr_cpus, 4);
	assert_int_equal(sc->phases[0].duration_ns, 1500000ull);
	assert_int_equal(sc->phases[1].duration_ns, 2000000000ull);
	assert_int_equal(lab_scenario_duration_ns(sc), 2001500000ull);
	const struct sim_wl_cfg *w = &sc->wl[0];
	assert_string_equal(w->name, "rx");
	assert_int_equal(w->phase_mask, 2);
	assert_int_equal(w->cpu_mask, 0xa);
	assert_true(w->p.nicrx.rate == 400000.0);
	assert_int_equal(w->p.nicrx.hold_ns, 250000ull);
	assert_true(w->p.nicrx.orders.cum[0] > 0.2499 && w->p.nicrx.orders.cum[0] < 0.2501);
	assert_int_equal(w->p.nicrx.orders.max_order, 3);
	assert_int_equal(scenario_pages(sc, sc->wl[1].p.slab.target), 13107);
	lab_scenario_free(sc);
}

/* Every shipped scenario parses and sets up a simulator. */
static void test_scenario_shipped_files_load(void **state)
{
	(void)state;
	static const char *const names[] = { "nic-rx-storm", "cardiac-monitor", "desktop-uptime", "router-16m",
					     "dma32-starved", "nic-rx-storm-page-pool" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char path[600];
		struct lab_sim_error err;
		snprintf(path, sizeof(path), LAB_SOURCE_DIR "/scenarios/%s.yaml", names[i]);
		struct lab_scenario *sc = lab_scenario_load(path, &err);
		if (!sc) {
			char buf[600];
			fail_msg("%s", lab_sim_error_format(&err, buf, sizeof(buf)));
		}
		assert_string_equal(lab_scenario_name(sc), names[i]);
		struct lab_sim *sim = lab_sim_create(sc, 1, &err);
		assert_non_null(sim);
		lab_sim_destroy(sim);
		lab_scenario_free(sc);
	}
}

/* Not YAML: a syntax error with libyaml's position. */
static void test_scenario_syntax_error(void **state)
{
	(void)state;
	parse_bad("machine: {memory: 1G\nworkloads: [\n", LAB_SCN_ERR_SYNTAX, 0);
	struct lab_sim_error e = parse_bad("a: 1\n b: 2\n  - x\n", LAB_SCN_ERR_SYNTAX, 0);
	assert_true(e.line >= 1);
}

/* An unknown key names its path and line. */
static void test_scenario_unknown_key(void **state)
{
	(void)state;
	struct lab_sim_error e = parse_bad("machine:\n  memroy: 1G\nduration: 1s\nworkloads: [{type: slab}]\n",
					   LAB_SCN_ERR_UNKNOWN, 2);
	assert_string_equal(e.key, "machine.memroy");
	assert_non_null(strstr(e.msg, "memory"));   /* lists the known keys */
}

/* An unknown workload key names the workload's index. */
static void test_scenario_unknown_workload_key(void **state)
{
	(void)state;
	struct lab_sim_error e = parse_bad("machine: {memory: 1G}\nduration: 1s\nworkloads:\n"
					   "  - type: nic-rx\n    rat: 5\n", LAB_SCN_ERR_UNKNOWN, 5);
	assert_string_equal(e.key, "workloads[0].rat");
}

/* An unknown workload type is an unknown name. */
static void test_scenario_unknown_type(void **state)
{
	(void)state;
	struct lab_sim_error e = parse_bad("machine: {memory: 1G}\nduration: 1s\nworkloads:\n  - type: gpu\n",
					   LAB_SCN_ERR_UNKNOWN, 4);
	assert_non_null(strstr(e.msg, "gpu"));
}

/* A list where a size belongs is a type error. */
static void test_scenario_wrong_type_list_for_size(void **state)
{
	(void)state;
	struct lab_sim_error e = parse_bad("machine:\n  memory: [1, 2]\nduration: 1s\nworkloads: [{type: slab}]\n",
					   LAB_SCN_ERR_TYPE, 2);
	assert_string_equal(e.key, "machine.memory");
}

/* Text where a number belongs is a type error, with the expected form. */
static void test_scenario_wrong_type_text_for_rate(void **state)
{
	(void)state;
	struct lab_sim_error e = parse_bad("machine: {memory: 1G}\nduration: 1s\nworkloads:\n"
					   "  - {type: nic-rx, rate: fast}\n", LAB_SCN_ERR_TYPE, 4);
	assert_string_equal(e.key, "workloads[0].rate");
	assert_non_null(strstr(e.msg, "rate like"));
}

/* A duration without a unit is a type error. */
static void test_scenario_duration_needs_unit(void **state)
{
	(void)state;
	parse_bad("machine: {memory: 1G}\nduration: 10\nworkloads: [{type: slab}]\n", LAB_SCN_ERR_TYPE, 2);
}

/* Out of range values are value errors. */
static void test_scenario_impossible_value_cpus(void **state)
{
	(void)state;
	struct lab_sim_error e = parse_bad("machine: {memory: 1G, cpus: 0}\nduration: 1s\nworkloads: [{type: slab}]\n",
					   LAB_SCN_ERR_VALUE, 1);
	assert_string_equal(e.key, "machine.cpus");
}

/* A workload on a CPU the machine does not have is a value error. */
static void test_scenario_impossible_value_cpu_mask(void **state)
{
	(void)state;
	struct lab_sim_error e = parse_bad("machine: {memory: 1G, cpus: 2}\nduration: 1s\n"
					   "workloads: [{type: nic-rx, name: rx, cpus: [5]}]\n", LAB_SCN_ERR_VALUE, 0);
	assert_string_equal(e.key, "workloads.rx");
}

/* A reference to a phase that does not exist is an unknown name. */
static void test_scenario_unknown_phase(void **state)
{
	(void)state;
	parse_bad("machine: {memory: 1G}\nphases: [{name: a, duration: 1s}]\n"
		  "workloads: [{type: slab, phases: [b]}]\n", LAB_SCN_ERR_UNKNOWN, 3);
}

/* A missing section is a missing-key error. */
static void test_scenario_missing_workloads(void **state)
{
	(void)state;
	struct lab_sim_error e = parse_bad("machine: {memory: 1G}\nduration: 1s\n", LAB_SCN_ERR_MISSING, 0);
	assert_string_equal(e.key, "workloads");
}

/* A missing memory size is a missing-key error. */
static void test_scenario_missing_memory(void **state)
{
	(void)state;
	parse_bad("machine: {cpus: 2}\nduration: 1s\nworkloads: [{type: slab}]\n", LAB_SCN_ERR_MISSING, 1);
}

/* A file that does not exist is an I/O error. */
static void test_scenario_missing_file(void **state)
{
	(void)state;
	struct lab_sim_error err;
	assert_null(lab_scenario_load("/nonexistent/x.yaml", &err));
	assert_int_equal(err.code, LAB_SCN_ERR_IO);
}

/* --set changes a tunable, a machine key and a workload key. */
static void test_scenario_set_overrides(void **state)
{
	(void)state;
	struct lab_scenario *sc = parse_ok(good);
	struct lab_sim_error err;
	assert_int_equal(lab_scenario_set(sc, "min_free_kbytes=8192", &err), 0);
	assert_int_equal(sc->tun.min_free_kbytes, 8192);
	assert_true(sc->tun.set_mask & (1u << TUN_MIN_FREE));
	assert_int_equal(lab_scenario_set(sc, "machine.memory=1G", &err), 0);
	assert_int_equal(sc->mem_bytes, 1ull << 30);
	assert_int_equal(lab_scenario_set(sc, "workloads.rx.rate=1M", &err), 0);
	assert_true(sc->wl[0].p.nicrx.rate == 1e6);
	assert_int_equal(lab_scenario_set(sc, "phases.b.duration=3s", &err), 0);
	assert_int_equal(sc->phases[1].duration_ns, 3000000000ull);
	lab_scenario_free(sc);
}

/* A bad --set is refused with its class and leaves the scenario unchanged. */
static void test_scenario_set_bad_is_refused(void **state)
{
	(void)state;
	struct lab_scenario *sc = parse_ok(good);
	struct lab_sim_error err;
	assert_int_equal(lab_scenario_set(sc, "min_free_kbites=8192", &err), -1);
	assert_int_equal(err.code, LAB_SCN_ERR_UNKNOWN);
	assert_int_equal(lab_scenario_set(sc, "machine.cpus=two", &err), -1);
	assert_int_equal(err.code, LAB_SCN_ERR_TYPE);
	assert_int_equal(lab_scenario_set(sc, "machine.cpus=1", &err), -1);   /* rx uses CPU 3 */
	assert_int_equal(err.code, LAB_SCN_ERR_VALUE);
	assert_int_equal(sc->nr_cpus, 4);
	assert_int_equal(lab_scenario_set(sc, "novalue", &err), -1);
	assert_int_equal(err.code, LAB_SCN_ERR_TYPE);
	lab_scenario_free(sc);
}

/* The kernel profile and Labyrinth's drain option: from the file and from
 * --set; a name that is no profile is refused and changes nothing. */
static void test_scenario_kernel_profile_and_drain_option(void **state)
{
	(void)state;
	static const char yaml[] = "name: k\nkernel: \"6.1\"\ndrain_before_failure: true\nmachine:\n  memory: 64M\n"
				   "phases:\n  - {name: a, duration: 1ms}\nworkloads:\n  - {type: slab, target: 10%}\n";
	struct lab_scenario *sc = parse_ok(yaml);
	struct lab_sim_error err;
	assert_int_equal(sc->kernel, LAB_KERNEL_6_1);
	assert_int_equal(sc->drain_before_failure, 1);
	assert_int_equal(lab_scenario_set(sc, "kernel=6.12", &err), 0);
	assert_int_equal(sc->kernel, LAB_KERNEL_6_12);
	assert_int_equal(lab_scenario_set(sc, "drain_before_failure=0", &err), 0);
	assert_int_equal(sc->drain_before_failure, 0);
	assert_int_equal(lab_scenario_set(sc, "kernel=6.6", &err), -1);
	assert_int_equal(err.code, LAB_SCN_ERR_VALUE);
	assert_non_null(strstr(err.msg, "6.1 or 6.12"));
	assert_int_equal(sc->kernel, LAB_KERNEL_6_12);
	/* the simulated machine gets the profile and the option */
	assert_int_equal(lab_scenario_set(sc, "kernel=6.1", &err), 0);
	assert_int_equal(lab_scenario_set(sc, "drain_before_failure=1", &err), 0);
	struct lab_sim *sim = lab_sim_create(sc, 1, &err);
	assert_non_null(sim);
	assert_int_equal(lab_mem_kernel(lab_sim_mem(sim)), LAB_KERNEL_6_1);
	struct lab_mem_stats *st = malloc(sizeof(*st));
	lab_mem_get_stats(lab_sim_mem(sim), st);
	assert_int_equal(st->kernel, LAB_KERNEL_6_1);
	free(st);
	lab_sim_destroy(sim);
	lab_scenario_free(sc);
	/* a zeroed key means the default profile */
	sc = parse_ok(good);
	assert_int_equal(sc->kernel, LAB_KERNEL_DEFAULT);
	assert_int_equal(sc->drain_before_failure, 0);
	lab_scenario_free(sc);
	parse_bad("kernel: 5.10\n", LAB_SCN_ERR_VALUE, 1);
}

/* The formatted error names file, line, column and key. */
static void test_scenario_error_format(void **state)
{
	(void)state;
	char buf[600];
	struct lab_sim_error e = parse_bad("machine:\n  memroy: 1G\n", LAB_SCN_ERR_UNKNOWN, 2);
	lab_sim_error_format(&e, buf, sizeof(buf));
	assert_non_null(strstr(buf, "bad.yaml:2:3: machine.memroy: unknown key"));
}

/* Runs the CLI (if built with `run`) and returns its exit status, stderr in @err. */
static int cli(const char *args, char *err, size_t size)
{
	const char *bin = getenv("LAB_CLI");
	char cmd[1200];
	if (!bin || access(bin, X_OK) != 0)
		return -1;
	snprintf(cmd, sizeof(cmd), "%s run --help >/dev/null 2>&1", bin);
	if (system(cmd) != 0)
		return -1;   /* `run` not registered in main.c yet */
	snprintf(cmd, sizeof(cmd), "%s %s 2>&1 >/dev/null", bin, args);
	FILE *p = popen(cmd, "r");
	if (!p)
		return -1;
	size_t n = fread(err, 1, size - 1, p);
	err[n] = '\0';
	int st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static const char *write_tmp(const char *name, const char *text)
{
	static char path[600];
	snprintf(path, sizeof(path), LAB_BINARY_DIR "/test-output/%s", name);
	FILE *f = fopen(path, "w");
	if (!f) {
		system("mkdir -p " LAB_BINARY_DIR "/test-output");
		f = fopen(path, "w");
	}
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

/* Each class of bad input exits 2 from `labyrinth run` with its message. */
static void test_scenario_cli_exit_codes(void **state)
{
	(void)state;
	static const struct { const char *name, *text, *needle; } cases[] = {
		{ "syntax.yaml", "machine: {memory: 1G\n", "(syntax)" },
		{ "unknown.yaml", "machine: {memroy: 1G}\nduration: 1s\nworkloads: [{type: slab}]\n",
		  "machine.memroy: unknown key" },
		{ "type.yaml", "machine: {memory: [1]}\nduration: 1s\nworkloads: [{type: slab}]\n", "(wrong type)" },
		{ "value.yaml", "machine: {memory: 1G, cpus: 100}\nduration: 1s\nworkloads: [{type: slab}]\n",
		  "(bad value)" },
		{ "missing.yaml", "machine: {memory: 1G}\nduration: 1s\n", "(missing key)" },
	};
	char err[4096], args[800];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(args, sizeof(args), "run %s", write_tmp(cases[i].name, cases[i].text));
		int rc = cli(args, err, sizeof(err));
		if (rc < 0)
			skip();
		assert_int_equal(rc, 2);
		if (!strstr(err, cases[i].needle))
			fail_msg("%s: expected '%s' in: %s", cases[i].name, cases[i].needle, err);
		assert_non_null(strstr(err, cases[i].name));
	}
	assert_int_equal(cli("run /nonexistent.yaml", err, sizeof(err)), 2);
	assert_int_equal(cli("run " LAB_SOURCE_DIR "/scenarios/router-16m.yaml --set bogus=1", err, sizeof(err)), 2);
	assert_non_null(strstr(err, "--set"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scenario_units_parse),
		cmocka_unit_test(test_scenario_shipped_files_load),
		cmocka_unit_test(test_scenario_syntax_error),
		cmocka_unit_test(test_scenario_unknown_key),
		cmocka_unit_test(test_scenario_unknown_workload_key),
		cmocka_unit_test(test_scenario_unknown_type),
		cmocka_unit_test(test_scenario_wrong_type_list_for_size),
		cmocka_unit_test(test_scenario_wrong_type_text_for_rate),
		cmocka_unit_test(test_scenario_duration_needs_unit),
		cmocka_unit_test(test_scenario_impossible_value_cpus),
		cmocka_unit_test(test_scenario_impossible_value_cpu_mask),
		cmocka_unit_test(test_scenario_unknown_phase),
		cmocka_unit_test(test_scenario_missing_workloads),
		cmocka_unit_test(test_scenario_missing_memory),
		cmocka_unit_test(test_scenario_missing_file),
		cmocka_unit_test(test_scenario_set_overrides),
		cmocka_unit_test(test_scenario_set_bad_is_refused),
		cmocka_unit_test(test_scenario_kernel_profile_and_drain_option),
		cmocka_unit_test(test_scenario_error_format),
		cmocka_unit_test(test_scenario_cli_exit_codes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
