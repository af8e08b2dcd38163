/* SPDX-License-Identifier: MIT */
/*
 * labyrinth/kernel.h - kernel profiles: which Linux page allocator an
 * instance mirrors.
 *
 * DOC: profiles
 *
 * Linux's page allocator changed between 6.1 and 6.12: __GFP_ATOMIC is gone
 * (6.3), order-0 reserve callers skip the watermark boost by
 * ALLOC_MIN_RESERVE rather than by the __GFP_ATOMIC bit (6.3), the per-CPU
 * lists tune their own high mark (6.7), highatomic pages are counted on
 * their own and free lists follow pageblock types (6.10). A profile makes
 * the same inputs give the same numbers and the same text as that kernel;
 * docs/kernels.md lists every difference and the test that proves it.
 *
 * LAB_KERNEL_6_1   Linux 6.1.192 (Debian 12's kernel).
 * LAB_KERNEL_6_12  Linux 6.12.118 (Debian 12's 6.12 LTS kernel).
 * LAB_KERNEL_DEFAULT (0, what a zeroed lab_mem_config asks for) resolves
 *   to LAB_KERNEL_DEFAULT_PROFILE when the instance is created.
 *
 * Labyrinth's own behaviour where it departs from both kernels is never
 * part of a profile: it is an explicit option (LAB_CFG_DRAIN_BEFORE_FAILURE).
 */
#ifndef LABYRINTH_KERNEL_H
#define LABYRINTH_KERNEL_H

#ifdef __cplusplus
extern "C" {
#endif

enum lab_kernel {
	LAB_KERNEL_DEFAULT = 0,
	LAB_KERNEL_6_1 = 1,
	LAB_KERNEL_6_12 = 2,
	LAB_KERNEL_NR
};

/* The profile LAB_KERNEL_DEFAULT stands for: the current LTS. */
#define LAB_KERNEL_DEFAULT_PROFILE LAB_KERNEL_6_12

/* @k with LAB_KERNEL_DEFAULT resolved; LAB_KERNEL_DEFAULT (0) for a value
 * that is no profile. */
enum lab_kernel lab_kernel_resolve(enum lab_kernel k);

/* "6.1" or "6.12" (LAB_KERNEL_DEFAULT: its profile's name); NULL for a
 * value that is no profile. */
const char *lab_kernel_name(enum lab_kernel k);

/* The full version the profile mirrors: "6.1.192", "6.12.118"; NULL for a
 * value that is no profile. */
const char *lab_kernel_version(enum lab_kernel k);

/* "6.1" or "6.12" -> 0 and *@out; anything else (NULL, "", "6.2", "6.12x")
 * -> LAB_EINVAL (-22), *@out untouched. */
int lab_kernel_parse(const char *name, enum lab_kernel *out);

/*
 * The profile nearest to a kernel release (uname -r or a "6.1.0-56-amd64"
 * in a report): 6.1 for anything up to 6.2 (2.x, 3.x, 4.x, 5.x, 6.0-6.2),
 * 6.12 for 6.3 and newer (the allocator's rules of 6.3+ are 6.12's closest
 * relatives; 7.x too). Leading text is skipped: the first "N.M" counts.
 * Returns 0 and sets *@out, or LAB_EINVAL when no "N.M" is found.
 */
int lab_kernel_for_release(const char *release, enum lab_kernel *out);

#ifdef __cplusplus
}
#endif
#endif
