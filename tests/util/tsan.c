/* SPDX-License-Identifier: MIT */
/*
 * tests/util/tsan.c - ThreadSanitizer settings for every test program
 * (compiled into each, not archived: nobody calls these functions). Read
 * only by a -fsanitize=thread build; inert elsewhere.
 *
 * There are no suppressions. What other threads read without the lock -
 * a page's state word (the buddy merge check and compaction's scanners
 * peek at pages another CPU's per-CPU path is changing), pageblock bytes,
 * the zone, buddy and LRU counters, kswapd's failure count - is read and
 * written with relaxed atomics, so every report is a real race.
 */

/* The longest access history, so that both stacks of a race are known. */
const char *__tsan_default_options(void);
const char *__tsan_default_options(void)
{
	return "history_size=7";
}
