/* SPDX-License-Identifier: MIT */
/*
 * tests/util/corpus_index.h - the table of tests/data/dmesg/INDEX.md,
 * parsed at run time so the corpus tests follow the corpus: one row per
 * corpus file ("| 0..."), cells trimmed, "\|" read as a literal bar.
 */
#ifndef LAB_TEST_CORPUS_INDEX_H
#define LAB_TEST_CORPUS_INDEX_H

#include "formats/dmesg.h"

#define CORPUS_INDEX_MAX_ROWS 64
#define CORPUS_INDEX_COLS 10

/* The columns of INDEX.md, in order. */
enum { C_FILE, C_KERNEL, C_ARCH, C_ORDER, C_MODE, C_PROC, C_ZONES, C_COMPLETE, C_VERDICT, C_NUMBERS };

struct corpus_row {
	char col[CORPUS_INDEX_COLS][1024];
};

/* Reads INDEX.md into @rows (at most @max rows of all CORPUS_INDEX_COLS
 * columns); returns how many, or -1 if the file cannot be read. */
int corpus_index_load(struct corpus_row *rows, int max);
/* The rows of INDEX.md for a test group: corpus_index_setup() is a cmocka
 * group setup that fills them, failing the group if INDEX.md cannot be read
 * or holds fewer than 20 rows. */
extern struct corpus_row corpus_rows[CORPUS_INDEX_MAX_ROWS];
extern int corpus_nr_rows;
int corpus_index_setup(void **state);
/* Parses the corpus file of @r into @log; fails the test if it cannot. */
void corpus_index_parse_file(const struct corpus_row *r, struct lab_dmesg_log *log);

#endif
