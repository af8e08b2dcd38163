/* SPDX-License-Identifier: MIT */
/*
 * tests/util/tsan.c - ThreadSanitizer settings for every test program that
 * runs threads (the stress test, the host's daemon threads). Read only by
 * a -fsanitize=thread build; inert elsewhere.
 *
 * The zone counters, buddy and LRU counts, pageblock bytes and kswapd's
 * failure count are read without the lock through relaxed atomics, so they
 * are clean. One reader is suppressed: the buddy merge check reads the
 * flags byte of a neighbour page that another CPU's per-CPU list may be
 * changing (neither PCP nor 0 is BUDDY, so the outcome is the same, but the
 * byte is written plainly). Anything else, the host, context, kmap and
 * daemon code included, is reported.
 */
const char *__tsan_default_suppressions(void);
const char *__tsan_default_suppressions(void)
{
	return "race:is_free_buddy\n";
}

/* The longest access history, so that the racing reader's stack is known
 * (an unknown stack cannot match a suppression). */
const char *__tsan_default_options(void);
const char *__tsan_default_options(void)
{
	return "history_size=7";
}
