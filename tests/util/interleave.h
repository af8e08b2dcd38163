/* SPDX-License-Identifier: MIT */
/*
 * tests/util/interleave.h - the log two CPUs print when both fail an
 * allocation at once, built from two real corpus reports.
 *
 * Each report's logical lines are cut into the printk() calls the kernel
 * makes for them (show_free_areas() prints a buddy line as "Node N ",
 * "ZONE: ", one "N*SIZEkB " per order and "(UME) " after each non-empty
 * one, "= NkB"; lowmem_reserve[] as its label and one " N" per zone; a
 * zone line as "Node N " and the rest). A seeded coin picks which CPU
 * makes its next call. As since Linux 5.10, a KERN_CONT piece extends the
 * caller's record only when nothing else was stored in between; otherwise
 * it is a record of its own. Records print as dmesg with
 * CONFIG_PRINTK_CALLER does ("[  100.000042][    C3] text"), and a mail
 * client then wraps every line at @wrap columns (continuation lines carry
 * no prefix).
 */
#ifndef LAB_TEST_INTERLEAVE_H
#define LAB_TEST_INTERLEAVE_H

#include <stdint.h>

/* The corpus file tests/data/dmesg/@name as interleaved with @name_b;
 * malloc'd text (fails the test if a file cannot be read). The first
 * report prints under caller id @tag_a, the second under @tag_b. */
char *interleave_corpus(const char *name_a, const char *tag_a, const char *name_b,
			const char *tag_b, uint64_t seed, int wrap);

/*
 * The same two reports printed without caller ids (no CONFIG_PRINTK_CALLER):
 * every logical line is one record and dump_stack()'s lines (CPU line to
 * the end of the call trace) come as one block, as printk_cpu_sync makes
 * them; the rest of each report interleaves line by line. @timestamps 0:
 * no "[seconds.micros]" prefixes and no wrapping (nothing would tell a
 * wrapped piece from a line); else wrapped at @wrap columns.
 */
char *interleave_corpus_untagged(const char *name_a, const char *name_b, uint64_t seed, int wrap,
				 int timestamps);

/* Whether @name (a corpus file) has a "[seconds.micros]" prefix on its
 * lines, which interleave_corpus() needs to find the logical lines. */
int interleave_corpus_usable(const char *name);

/* The seed of a run: $LAB_INTERLEAVE_SEED, else the clock; printed with
 * @who so a failing run can be replayed. */
uint64_t interleave_seed(const char *who);

#endif
