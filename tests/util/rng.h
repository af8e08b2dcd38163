/* SPDX-License-Identifier: MIT */
/*
 * tests/util/rng.h - the tests' pseudo-random numbers: Marsaglia's
 * xorshift64 (13, 7, 17), so a seed gives the same run on every machine.
 */
#ifndef LAB_TEST_RNG_H
#define LAB_TEST_RNG_H

#include <stdint.h>

/* Advances *@state (which must not be 0) and returns its new value. */
uint64_t test_xorshift64(uint64_t *state);

#endif
