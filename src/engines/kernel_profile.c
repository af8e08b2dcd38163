/* SPDX-License-Identifier: MIT */
/*
 * engines/kernel_profile.c - which kernel rules profile stands for a
 * running kernel: the one choice `labyrinth top` (and anything else that
 * reads a live machine) makes from `uname -r`.
 *
 * Profiles: 6.1 (gfp_to_alloc_flags with __GFP_ATOMIC, 6.1.y's backports)
 * for kernels before 6.3, where ALLOC_HARDER was split and __GFP_ATOMIC
 * removed; 6.12 for 6.3 and later. The core runs one rule set today (6.1.192
 * with the backports, whose GFP_ATOMIC decisions are 6.3+'s); once
 * lab_mem_config carries a profile, this name is what to set.
 */
#include <stdio.h>
#include <string.h>
#include "engines/top.h"

void lab_kernel_profile_for(const char *release, struct lab_kernel_profile *out)
{
	int major = 0, minor = 0, patch = 0;
	int n = release ? sscanf(release, "%d.%d.%d", &major, &minor, &patch) : 0;
	if (n < 2) {
		snprintf(out->name, sizeof(out->name), "6.12");
		snprintf(out->why, sizeof(out->why), "kernel release unknown: the newest profile");
		return;
	}
	int new = major > 6 || (major == 6 && minor >= 3);
	snprintf(out->name, sizeof(out->name), "%s", new ? "6.12" : "6.1");
	char run[24];
	if (n == 3)
		snprintf(run, sizeof(run), "%d.%d.%d", major, minor, patch);
	else
		snprintf(run, sizeof(run), "%d.%d", major, minor);
	int exact = (new && major == 6 && minor == 12) || (!new && major == 6 && minor == 1);
	snprintf(out->why, sizeof(out->why), "%s running %s", exact ? "same series as" : "nearest to", run);
}
