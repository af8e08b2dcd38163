/* SPDX-License-Identifier: MIT */
/*
 * tests/engines/test_diagnose_follow.c - `diagnose --follow`
 * (engines/diagnose_follow.c) on the dmesg corpus: every complete corpus
 * report (not those quoted in mails: a live log has no quote marks; not
 * the excerpts cut before show_mem's "N pages reserved", whose end no
 * structure shows), written line by line into a pipe (stdin) or appended to a file
 * that grows, is diagnosed after its last line was written and before the
 * next report is written, with the same text as `diagnose FILE` gives and
 * the line number it has in the whole stream. Bad usage exits 2.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/fixture.h"
#include "engines/diagnose.h"
#include "formats/dmesg.h"
#include "report/diagnose.h"
#include "util/corpus_index.h"

#define WAIT_MS 30000   /* a diagnosis that should come: the longest wait */

struct line {
	char *text;             /* with its '\n' */
	int report;             /* index into the files, -1 for none */
};

struct stream {
	struct line lines[4096];
	int nr;
	int end[CORPUS_INDEX_MAX_ROWS];        /* stream index of each report's last line */
	int first[CORPUS_INDEX_MAX_ROWS];      /* stream line number (1-based) of its failure line */
	char *alone[CORPUS_INDEX_MAX_ROWS];    /* `diagnose FILE`'s block after its header */
	int nr_reports;
};

static const char *cli(void)
{
	const char *c = getenv("LAB_CLI");
	if (!c || access(c, X_OK) != 0)
		skip();
	return c;
}

/* The block of lab_report_diagnosis() from its second line on. */
static char *block_body(const char *block)
{
	const char *nl = strchr(block, '\n');
	assert_non_null(nl);
	return strdup(nl + 1);
}

/* Every complete corpus file, one after the other, line by line. */
static void build_stream(struct stream *S)
{
	memset(S, 0, sizeof(*S));
	for (int i = 0; i < corpus_nr_rows; i++) {
		struct lab_dmesg_log log;
		static struct lab_diagnosis d;
		char path[1200], err[256], *text = NULL, *l, *mem = NULL;
		size_t len, msize = 0;
		FILE *ms;
		int base = S->nr, k = S->nr_reports;

		if (strcmp(corpus_rows[i].col[C_COMPLETE], "yes") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/tests/data/dmesg/%s", LAB_SOURCE_DIR, corpus_rows[i].col[C_FILE]);
		assert_int_equal(lab_dmesg_read_file(path, &text, &len, err, sizeof(err)), 0);
		if (strstr(text, "\n>")) {	/* quoted in a mail: no live log looks so */
			free(text);
			continue;
		}
		assert_int_equal(lab_dmesg_parse_file(path, &log, err, sizeof(err)), 0);
		assert_int_equal(log.nr_reports, 1);
		if (log.reports[0].pages_reserved < 0) {	/* an excerpt cut before show_mem's end */
			lab_dmesg_log_free(&log);
			free(text);
			continue;
		}
		for (l = text; l < text + len;) {	/* every line, empty ones too */
			char *nl = memchr(l, '\n', (size_t)(text + len - l));
			int n = nl ? (int)(nl - l) : (int)(text + len - l);
			assert_true(S->nr < 4096);
			assert_true(asprintf(&S->lines[S->nr].text, "%.*s\n", n, l) > 0);
			S->lines[S->nr++].report = k;
			l += n + 1;
		}
		free(text);
		S->end[k] = base + log.reports[0].end_line - 1;
		S->first[k] = base + log.reports[0].line;
		ms = open_memstream(&mem, &msize);
		lab_diagnose(&log, &log.reports[0], NULL, &d);
		lab_report_diagnosis(ms, "x", &log, &log.reports[0], &d, 0);
		fclose(ms);
		S->alone[k] = block_body(mem);
		free(mem);
		S->nr_reports++;
		lab_dmesg_log_free(&log);
	}
	assert_true(S->nr_reports >= 5);
}

static void free_stream(struct stream *S)
{
	for (int i = 0; i < S->nr; i++)
		free(S->lines[i].text);
	for (int k = 0; k < S->nr_reports; k++)
		free(S->alone[k]);
}

struct child {
	pid_t pid;
	int in, out;            /* its stdin (-1 when following a file), its stdout */
	char buf[1 << 20];
	size_t len;
};

static void start(struct child *C, const char *file)
{
	int in[2], out[2];

	assert_int_equal(pipe(in), 0);
	assert_int_equal(pipe(out), 0);
	C->len = 0;
	C->buf[0] = '\0';
	C->pid = fork();
	assert_true(C->pid >= 0);
	if (C->pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[1]);
		close(out[0]);
		execl(cli(), "labyrinth", "diagnose", "--follow", file, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	C->in = in[1];
	C->out = out[0];
	fcntl(C->out, F_SETFL, O_NONBLOCK);
	if (strcmp(file, "-") != 0) {
		close(C->in);
		C->in = -1;
	}
}

/* Reads what the child printed, waiting up to @ms for more. */
static void drain(struct child *C, int ms)
{
	struct pollfd p = { C->out, POLLIN, 0 };

	while (poll(&p, 1, ms) > 0) {
		ssize_t n = read(C->out, C->buf + C->len, sizeof(C->buf) - 1 - C->len);
		if (n <= 0)
			break;
		C->len += (size_t)n;
		C->buf[C->len] = '\0';
		ms = 0;
	}
}

static int headers(const struct child *C)
{
	int n = 0;
	for (const char *p = C->buf; (p = strstr(p, "=== ")) != NULL; p += 4)
		n += p == C->buf || p[-1] == '\n';
	return n;
}

static bool have(struct child *C, int n);

/* Waits until @n diagnoses were printed whole (a block ends in a blank line). */
static void wait_for(struct child *C, int n)
{
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		drain(C, 100);
		if (have(C, n))
			return;
		clock_gettime(CLOCK_MONOTONIC, &t);
		if ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 > WAIT_MS)
			fail_msg("no diagnosis %d after %d ms; output so far:\n%s", n, WAIT_MS, C->buf);
	}
}

/* The k-th block printed equals the report alone, with the stream's line number. */
static void check_block(const struct child *C, const struct stream *S, int k, const char *name)
{
	const char *p = C->buf;
	char want[256], *body;
	int seen = 0;

	while (seen <= k) {
		p = strstr(p, "=== ");
		assert_non_null(p);
		if (p == C->buf || p[-1] == '\n')
			seen++;
		if (seen <= k)
			p += 4;
	}
	snprintf(want, sizeof(want), "=== %s:%d  report %d  (", name, S->first[k], k + 1);
	if (strncmp(p, want, strlen(want)) != 0)
		fail_msg("header '%.80s', want '%s'", p, want);
	body = block_body(p);
	if (strncmp(body, S->alone[k], strlen(S->alone[k])) != 0)
		fail_msg("report %d differs from the file read alone:\n%s\n---\n%s", k + 1, body, S->alone[k]);
	free(body);
}

static bool have(struct child *C, int n)
{
	return headers(C) >= n && C->len >= 2 && C->buf[C->len - 1] == '\n' && C->buf[C->len - 2] == '\n';
}

/*
 * Writes the stream with @put, one line at a time. Before a report's last
 * line is written, no diagnosis of it may be out. After it, the reader
 * needs the line that ends the report and one more (that line could still
 * be continued by a wrapped piece); the diagnosis must be out before the
 * next report's last line is written, and the test waits for it there.
 */
static void feed(struct child *C, struct stream *S, const char *name, void (*put)(struct child *, const char *),
		 void (*end)(struct child *))
{
	int k = 0;

	for (int i = 0; i < S->nr; i++) {
		if (k < S->nr_reports && i == S->end[k]) {
			drain(C, 0);
			assert_int_equal(headers(C), k);
		}
		if (k + 1 < S->nr_reports && i == S->end[k + 1])
			wait_for(C, k + 1);
		put(C, S->lines[i].text);
		if (k < S->nr_reports && i > S->end[k]) {
			drain(C, 20);
			if (have(C, k + 1)) {
				check_block(C, S, k, name);
				k++;
			}
		}
	}
	end(C);
	for (; k < S->nr_reports; k++) {
		wait_for(C, k + 1);
		check_block(C, S, k, name);
	}
	assert_int_equal(headers(C), S->nr_reports);
}

static void put_pipe(struct child *C, const char *s)
{
	size_t n = strlen(s);
	assert_int_equal(write(C->in, s, n), (ssize_t)n);
}

static void end_pipe(struct child *C)
{
	close(C->in);
}

static char grow_path[64];

static void put_file(struct child *C, const char *s)
{
	FILE *f = fopen(grow_path, "a");
	(void)C;
	assert_non_null(f);
	fputs(s, f);
	fclose(f);
}

static void end_file(struct child *C)
{
	(void)C;
}

/* A pipe written line by line (journalctl -k -f | labyrinth diagnose --follow) gets each report when it is complete. */
static struct child C;

/* A failed test leaves no follower running (it would hold ctest's pipes). */
static int stop_child(void **state)
{
	(void)state;
	if (C.pid > 0) {
		kill(C.pid, SIGKILL);
		waitpid(C.pid, NULL, 0);
	}
	C.pid = 0;
	return 0;
}

static void test_follow_pipe_diagnoses_each_report_when_complete(void **state)
{
	static struct stream S;
	int st;
	(void)state;
	build_stream(&S);
	start(&C, "-");
	feed(&C, &S, "<stdin>", put_pipe, end_pipe);
	assert_int_equal(waitpid(C.pid, &st, 0), C.pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	C.pid = 0;
	close(C.out);
	free_stream(&S);
}

/* A file that grows (tail -f) gets each report when it is complete; the last one once an unrelated line follows. */
static void test_follow_growing_file_diagnoses_each_report_when_complete(void **state)
{
	static struct stream S;
	int fd, st;
	(void)state;
	build_stream(&S);
	snprintf(grow_path, sizeof(grow_path), "/tmp/lab-follow-XXXXXX");
	fd = mkstemp(grow_path);
	assert_true(fd >= 0);
	close(fd);
	start(&C, grow_path);
	/* a followed file never ends: the last report needs two lines after it */
	assert_true(asprintf(&S.lines[S.nr].text, "[99999.000000] usb 1-1: new high-speed USB device\n") > 0);
	S.lines[S.nr++].report = -1;
	assert_true(asprintf(&S.lines[S.nr].text, "[99999.000001] usb 1-1: New USB device found\n") > 0);
	S.lines[S.nr++].report = -1;
	feed(&C, &S, grow_path, put_file, end_file);
	kill(C.pid, SIGTERM);
	assert_int_equal(waitpid(C.pid, &st, 0), C.pid);
	C.pid = 0;
	close(C.out);
	unlink(grow_path);
	free_stream(&S);
}

/* Runs $LAB_CLI diagnose @args with stdin from /dev/null; returns the exit status. */
static int run(const char *args)
{
	char cmd[1024];
	int st;
	snprintf(cmd, sizeof(cmd), "%s diagnose %s </dev/null >/dev/null 2>&1", cli(), args);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* A missing file, two files, or --simulate is bad usage (2); an empty stdin has no report (1). */
static void test_follow_bad_usage(void **state)
{
	(void)state;
	assert_int_equal(run("--follow /nonexistent/kern.log"), 2);
	assert_int_equal(run("--follow a b"), 2);
	assert_int_equal(run("--follow --simulate -"), 2);
	assert_int_equal(run("--follow -"), 1);
	assert_int_equal(run("--follow"), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_follow_pipe_diagnoses_each_report_when_complete, stop_child),
		cmocka_unit_test_teardown(test_follow_growing_file_diagnoses_each_report_when_complete, stop_child),
		cmocka_unit_test(test_follow_bad_usage),
	};
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests_name("diagnose --follow", tests, corpus_index_setup, NULL);
}
