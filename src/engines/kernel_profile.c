/* SPDX-License-Identifier: MIT */
/*
 * engines/kernel_profile.c - which kernel rules profile stands for a
 * running kernel: the one choice `labyrinth top` (and anything else that
 * reads a live machine) makes from `uname -r`.
 *
 * The choice itself is the core's lab_kernel_for_release() (6.1 before 6.3,
 * 6.12 from 6.3 on); this adds the words top prints beside it and the
 * profile its headroom is counted with (lab_headroom_zone.kernel).
 */
#include <stdio.h>
#include <string.h>
#include "engines/top.h"

void lab_kernel_profile_for(const char *release, struct lab_kernel_profile *out)
{
	int major = 0, minor = 0, patch = 0;
	int n = release ? sscanf(release, "%d.%d.%d", &major, &minor, &patch) : 0;
	if (n < 2 || lab_kernel_for_release(release, &out->kernel) != 0) {
		out->kernel = lab_kernel_resolve(LAB_KERNEL_DEFAULT);
		snprintf(out->name, sizeof(out->name), "%s", lab_kernel_name(out->kernel));
		snprintf(out->why, sizeof(out->why), "kernel release unknown: the default profile");
		return;
	}
	snprintf(out->name, sizeof(out->name), "%s", lab_kernel_name(out->kernel));
	char run[24];
	if (n == 3)
		snprintf(run, sizeof(run), "%d.%d.%d", major, minor, patch);
	else
		snprintf(run, sizeof(run), "%d.%d", major, minor);
	int exact = (out->kernel == LAB_KERNEL_6_12 && major == 6 && minor == 12) ||
		    (out->kernel == LAB_KERNEL_6_1 && major == 6 && minor == 1);
	snprintf(out->why, sizeof(out->why), "%s running %s", exact ? "same series as" : "nearest to", run);
}
