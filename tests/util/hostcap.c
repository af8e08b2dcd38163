/* SPDX-License-Identifier: MIT */
/* tests/util/hostcap.c - see hostcap.h. */
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include "util/hostcap.h"

static void watchdog_fire(int sig)
{
	static const char msg[] = "watchdog: test took too long (deadlock?)\n";
	(void)sig;
	ssize_t w = write(STDERR_FILENO, msg, sizeof(msg) - 1);
	(void)w;
	_exit(1);
}

void hostcap_watchdog_arm(unsigned seconds)
{
	signal(SIGALRM, watchdog_fire);
	alarm(seconds);
}

void hostcap_watchdog_disarm(void)
{
	alarm(0);
}

int hostcap_watchdog_setup(void **state)
{
	(void)state;
	hostcap_watchdog_arm(HOSTCAP_WATCHDOG_S);
	return 0;
}

int hostcap_watchdog_teardown(void **state)
{
	(void)state;
	hostcap_watchdog_disarm();
	return 0;
}

static char cap[HOSTCAP_LINES][256];
static unsigned cap_n;

void hostcap_reset(void)
{
	__atomic_store_n(&cap_n, 0u, __ATOMIC_RELAXED);
}

void hostcap_hook(void *arg, enum lab_log_level level, const char *line)
{
	(void)arg;
	(void)level;
	unsigned i = __atomic_fetch_add(&cap_n, 1u, __ATOMIC_RELAXED);
	if (i < HOSTCAP_LINES) {
		size_t n = strlen(line);
		if (n > 255)
			n = 255;
		memcpy(cap[i], line, n);
		cap[i][n] = '\0';
	}
}

int hostcap_count(const char *needle)
{
	int c = 0;
	unsigned n = __atomic_load_n(&cap_n, __ATOMIC_RELAXED);
	for (unsigned i = 0; i < n && i < HOSTCAP_LINES; i++)
		c += strstr(cap[i], needle) != NULL;
	return c;
}

unsigned hostcap_lines(void)
{
	return __atomic_load_n(&cap_n, __ATOMIC_RELAXED);
}
