/* SPDX-License-Identifier: MIT */
/*
 * tests/fuzz/fuzz_gfp.c - libFuzzer target for the GFP-string parser
 * (lab_gfp_parse, what `labyrinth gfp`, the ftrace reader and the dmesg
 * verdicts use) and its inverse, lab_gfp_format.
 *
 * Arbitrary bytes are parsed in every flag era. A string that parses must
 * round-trip: its value, rendered as the kernel's %pGg would print it and
 * parsed again in the same era, gives the same value. A string that does
 * not parse must name a bad token inside the input. Any crash, sanitizer
 * report or broken round trip is a bug.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <labyrinth/gfp.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *str = malloc(size + 1);
	if (!str)
		return 0;
	memcpy(str, data, size);
	str[size] = '\0';
	for (int e = 0; e < LAB_GFP_NR_ERAS; e++) {
		lab_gfp_t v = 0, again = 0;
		const char *bad = NULL;
		size_t bad_len = 0;
		if (lab_gfp_parse(str, (enum lab_gfp_era)e, &v, &bad, &bad_len) != 0) {
			/* the bad token lies inside the string */
			if (bad && (bad < str || bad + bad_len > str + strlen(str)))
				abort();
			continue;
		}
		char out[512];
		size_t n = lab_gfp_format(out, sizeof(out), v, (enum lab_gfp_era)e);
		if (n >= sizeof(out))
			abort();   /* every 32-bit mask fits: names and one hex remainder */
		if (lab_gfp_parse(out, (enum lab_gfp_era)e, &again, NULL, NULL) != 0 || again != v)
			abort();
	}
	free(str);
	return 0;
}
