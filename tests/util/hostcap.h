/* SPDX-License-Identifier: MIT */
/*
 * tests/util/hostcap.h - shared pieces of the host tests: a SIGALRM
 * watchdog (a hung test fails instead of hanging) and a log capture whose
 * hook may run in a signal interrupt or on any thread (it only uses
 * atomics, memcpy and strlen), so tests can count the lines of a report.
 */
#ifndef LAB_TEST_HOSTCAP_H
#define LAB_TEST_HOSTCAP_H

#include <labyrinth/platform.h>

/* ---- watchdog ---------------------------------------------------------------------- */
#define HOSTCAP_WATCHDOG_S 30

/* Exits the process with a message on stderr if not disarmed within @seconds. */
void hostcap_watchdog_arm(unsigned seconds);
void hostcap_watchdog_disarm(void);
/* cmocka setup/teardown pair arming the watchdog for HOSTCAP_WATCHDOG_S per test. */
int hostcap_watchdog_setup(void **state);
int hostcap_watchdog_teardown(void **state);

/* ---- log capture (async-signal-safe: the hook may run in an interrupt) -------------- */
#define HOSTCAP_LINES 128

/* Forgets every captured line. */
void hostcap_reset(void);
/* A log hook (struct lab_host_config.log_hook): keeps the first HOSTCAP_LINES lines. */
void hostcap_hook(void *arg, enum lab_log_level level, const char *line);
/* How many captured lines contain @needle. */
int hostcap_count(const char *needle);
/* How many lines were logged since the last reset (also those past HOSTCAP_LINES). */
unsigned hostcap_lines(void);

#endif
