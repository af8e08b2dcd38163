/* SPDX-License-Identifier: MIT */
/* tests/util/corpus_index.c - see corpus_index.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util/fixture.h"
#include "util/corpus_index.h"

/* Splits "| a | b \| c |" into cells; "\|" is a literal bar. */
static int split_row(const char *line, struct corpus_row *r)
{
	int c = -1;
	size_t n = 0;

	for (const char *p = line; *p && *p != '\n'; p++) {
		if (p[0] == '\\' && p[1] == '|') {
			if (c >= 0 && c < CORPUS_INDEX_COLS && n + 1 < sizeof(r->col[0]))
				r->col[c][n++] = '|';
			p++;
			continue;
		}
		if (*p == '|') {
			if (c >= 0 && c < CORPUS_INDEX_COLS) {
				while (n > 0 && r->col[c][n - 1] == ' ')
					n--;
				r->col[c][n] = '\0';
			}
			c++;
			n = 0;
			continue;
		}
		if (c >= 0 && c < CORPUS_INDEX_COLS && (n > 0 || *p != ' ') && n + 1 < sizeof(r->col[0]))
			r->col[c][n++] = *p;
	}
	return c;
}

int corpus_index_load(struct corpus_row *rows, int max)
{
	size_t len;
	char *text = read_file(data_path("dmesg/INDEX.md"), &len);
	int nr = 0;

	if (!text)
		return -1;
	for (char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		if (strncmp(line, "| 0", 3) != 0 || nr == max)
			continue;
		memset(&rows[nr], 0, sizeof(rows[0]));
		if (split_row(line, &rows[nr]) >= CORPUS_INDEX_COLS)
			nr++;
	}
	free(text);
	return nr;
}

void corpus_index_parse_file(const struct corpus_row *r, struct lab_dmesg_log *log)
{
	char rel[1200], err[256];
	snprintf(rel, sizeof(rel), "dmesg/%s", r->col[C_FILE]);
	if (lab_dmesg_parse_file(data_path(rel), log, err, sizeof(err)) != 0)
		fail_msg("%s: %s", r->col[C_FILE], err);
}

struct corpus_row corpus_rows[CORPUS_INDEX_MAX_ROWS];
int corpus_nr_rows;

int corpus_index_setup(void **state)
{
	int n = corpus_index_load(corpus_rows, CORPUS_INDEX_MAX_ROWS);
	(void)state;
	if (n < 0)
		return -1;
	corpus_nr_rows = n;
	return corpus_nr_rows >= 20 ? 0 : -1;
}
