/* SPDX-License-Identifier: MIT */
/* tests/util/rng.c - see rng.h. */
#include "util/rng.h"

uint64_t test_xorshift64(uint64_t *state)
{
	uint64_t x = *state;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*state = x;
	return x;
}
