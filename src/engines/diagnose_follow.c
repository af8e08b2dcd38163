/* SPDX-License-Identifier: MIT */
/*
 * engines/diagnose_follow.c - `labyrinth diagnose --follow [FILE|-]`: a
 * growing log (a file followed as tail -f does, or stdin from
 * `journalctl -k -f` / `dmesg -w`), each report diagnosed and printed as
 * soon as it is complete.
 *
 * When a report is complete is decided by its structure, never by a
 * timeout (formats/dmesg_report.c, ends_report): a line that cannot be
 * part of it (after the Mem-Info zone lines, anything but the rest of
 * show_mem: zone, lowmem_reserve[], buddy, "Node N", hugepages, pagecache,
 * swap and "N pages ..." lines; before Mem-Info, anything but the header,
 * frames, context markers and register/stack dumps), a new report of the
 * same caller, an OOM dump, or the end of stdin. A report that is still
 * waiting for its next line is not printed; reports print in the order
 * they started.
 *
 *   lines --> pending text --lab_dmesg_parse--> reports 0..n
 *                 ^                               | complete ones, in order,
 *                 |  all printed: text dropped    v  not printed before
 *                 +------------------------ diagnose + print
 *
 * The pending text is parsed again after every line: O(report size) per
 * line, and it is dropped (keeping the kernel version seen, as a "Linux
 * version" line) once every report in it is printed, so memory stays one
 * report's worth however long the log runs. Lines keep their numbers in
 * the whole log.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "engines/diagnose.h"
#include "formats/dmesg.h"
#include "report/diagnose.h"

#define POLL_NS     (100 * 1000 * 1000L)   /* a followed file's EOF: look again */
#define PENDING_MAX ((size_t)64 << 20)     /* pending text: one report is ~10 kB */

struct follow {
	const struct lab_diagnose_request *q;
	const char *name;
	char *buf;              /* pending text: whole lines only */
	size_t len, cap;
	size_t printed;         /* reports of the pending text printed already */
	long offset;            /* whole-log line number of the pending text's line 0 */
	char version[LAB_DMESG_VERSION_LEN];
	size_t total;           /* reports printed */
};

static int append(struct follow *F, const char *s, size_t n)
{
	if (F->len + n + 1 > F->cap) {
		size_t ncap = F->cap ? F->cap : 4096;
		char *b;
		while (ncap < F->len + n + 1)
			ncap *= 2;
		if (ncap > PENDING_MAX)
			return -1;
		b = realloc(F->buf, ncap);
		if (!b)
			return -1;
		F->buf = b;
		F->cap = ncap;
	}
	memcpy(F->buf + F->len, s, n);
	F->len += n;
	F->buf[F->len] = '\0';
	return 0;
}

static size_t count_lines(const char *s, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += s[i] == '\n';
	return k;
}

static int emit(struct follow *F, const struct lab_dmesg_log *log, size_t i)
{
	struct lab_diagnosis *d = malloc(sizeof(*d));
	struct lab_dmesg_report r = log->reports[i];
	struct lab_dmesg_log shown = *log;

	if (!d)
		return -1;
	r.line += (int)F->offset;
	r.end_line += (int)F->offset;
	r.meminfo_line += r.meminfo_line ? (int)F->offset : 0;
	lab_diagnose(log, &log->reports[i], F->q->kernel, d);
	if (F->q->json) {
		json_t *o = lab_diagnosis_to_json(F->name, log, &r, d);
		if (!o) {
			free(d);
			return -1;
		}
		json_dumpf(o, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		json_decref(o);
	} else {
		shown.nr_reports = 0;
		lab_report_diagnosis(stdout, F->name, &shown, &r, d, F->total);
	}
	fflush(stdout);
	F->total++;
	free(d);
	return 0;
}

/*
 * Drops the pending text before line @line (1-based in it), where the first
 * report not printed yet starts: the printed ones are done, and the next
 * one is then read as if its log started there (the reader's survey of the
 * log's style looks at its own lines only). The kernel version seen is kept.
 */
static int keep_from(struct follow *F, int line)
{
	char banner[LAB_DMESG_VERSION_LEN + 24];
	size_t pos = 0;
	int n = 0;

	for (int l = 1; l < line && pos < F->len; l++) {
		const char *nl = memchr(F->buf + pos, '\n', F->len - pos);
		pos = nl ? (size_t)(nl - F->buf) + 1 : F->len;
	}
	if (F->version[0])
		n = snprintf(banner, sizeof(banner), "Linux version %s\n", F->version);
	F->offset += (long)count_lines(F->buf, pos) - (n > 0 ? 1 : 0);
	memmove(F->buf, F->buf + pos, F->len - pos);
	F->len -= pos;
	F->printed = 0;
	if (n > 0) {
		if (append(F, banner, (size_t)n) < 0)
			return -1;
		memmove(F->buf + n, F->buf, F->len - (size_t)n);
		memcpy(F->buf, banner, (size_t)n);
	}
	return 0;
}

/* Prints the reports of the pending text that are complete (all of them
 * at @eof), in order; drops the text once all are printed. */
static int check(struct follow *F, bool eof)
{
	struct lab_dmesg_log log;
	size_t i;
	int rc = 0;

	if (lab_dmesg_parse(F->buf, F->len, &log) < 0)
		return -1;
	if (!F->version[0] && log.version[0])
		snprintf(F->version, sizeof(F->version), "%s", log.version);
	for (i = F->printed; i < log.nr_reports && rc == 0; i++) {
		if (!log.reports[i].complete && !eof)
			break;
		rc = emit(F, &log, i);
	}
	F->printed = i;
	if (rc == 0 && F->printed > 0 && F->printed < log.nr_reports)
		rc = keep_from(F, log.reports[F->printed].line);
	else if (rc == 0 && F->printed == log.nr_reports) {
		char banner[LAB_DMESG_VERSION_LEN + 24];
		F->offset += (long)count_lines(F->buf, F->len);
		F->len = 0;
		F->printed = 0;
		if (F->version[0]) {
			int n = snprintf(banner, sizeof(banner), "Linux version %s\n", F->version);
			F->offset--;
			rc = append(F, banner, (size_t)n);
		}
	}
	lab_dmesg_log_free(&log);
	return rc;
}

static void nap(void)
{
	struct timespec ts = { 0, POLL_NS };
	nanosleep(&ts, NULL);
}

/* A followed file shorter than what was read was truncated (logrotate
 * copytruncate): read it again from its start. */
static bool truncated(int fd, off_t pos)
{
	struct stat st;

	return fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size < pos;
}

int lab_diagnose_follow_run(const struct lab_diagnose_request *q)
{
	struct follow F;
	const char *path = q->files[0];
	bool is_stdin = strcmp(path, "-") == 0, regular;
	int fd = is_stdin ? 0 : open(path, O_RDONLY);
	char chunk[65536], *line = NULL;
	size_t llen = 0, lcap = 0;
	off_t pos = 0;
	struct stat st;
	int rc = 0;

	if (fd < 0) {
		fprintf(stderr, "labyrinth diagnose: %s: %s\n", path, strerror(errno));
		return 2;
	}
	regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && !is_stdin;
	memset(&F, 0, sizeof(F));
	F.q = q;
	F.name = is_stdin ? "<stdin>" : path;
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "labyrinth diagnose: %s: %s\n", F.name, strerror(errno));
			rc = 2;
			break;
		}
		if (n == 0) {
			if (!regular)
				break;		/* a pipe or terminal closed: the log ended */
			if (truncated(fd, pos)) {
				lseek(fd, 0, SEEK_SET);
				pos = 0;
			}
			nap();
			continue;
		}
		pos += n;
		for (ssize_t i = 0; i < n && rc == 0; i++) {
			if (llen + 1 >= lcap) {
				char *b = realloc(line, lcap ? lcap * 2 : 1024);
				if (!b) {
					rc = -1;
					break;
				}
				line = b;
				lcap = lcap ? lcap * 2 : 1024;
			}
			line[llen++] = chunk[i];
			if (chunk[i] == '\n') {
				rc = append(&F, line, llen) < 0 ? -1 : check(&F, false);
				llen = 0;
			}
		}
		if (rc)
			break;
	}
	if (rc == 0 && llen > 0)	/* the last line had no newline */
		rc = append(&F, line, llen);
	if (rc == 0)
		rc = check(&F, true);
	if (rc < 0) {
		fprintf(stderr, "labyrinth diagnose: %s: out of memory (or a report over %zu MB)\n",
			F.name, PENDING_MAX >> 20);
		rc = 2;
	}
	if (!is_stdin)
		close(fd);
	free(line);
	free(F.buf);
	if (rc == 0 && F.total == 0) {
		fprintf(stderr, "labyrinth diagnose: %s: no \"page allocation failure\" report found\n", F.name);
		rc = 1;
	}
	return rc;
}
