/* SPDX-License-Identifier: MIT */
/*
 * engines/diagnose_int.h - what the files of diagnose share:
 * diagnose_kernel.c picks the kernel version and GFP era that
 * diagnose.c's rules and decoding follow.
 */
#ifndef LAB_ENGINES_DIAGNOSE_INT_H
#define LAB_ENGINES_DIAGNOSE_INT_H

#include "engines/diagnose.h"

/*
 * Sets @d's version, version_source, kmajor/kminor/kpatch and era for report
 * @r of @log: @override (--kernel) first, then the report's CPU line, the
 * log's banner, the era of the printed names, the era of the report's
 * format. Any input; O(eras x names).
 */
void diagnose_pick_kernel(const struct lab_dmesg_log *log, const struct lab_dmesg_report *r,
			  const char *override, struct lab_diagnosis *d);

#endif
