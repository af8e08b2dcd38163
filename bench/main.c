/* SPDX-License-Identifier: MIT */
/*
 * bench/main.c - labyrinth-bench: options, the machine description printed
 * first, the interleaved timing of contenders, result tables and the JSON
 * file. The benchmarks themselves are in bench_core.c (see bench_core.h for
 * the timing model).
 *
 *   labyrinth-bench [--quick] [--only NAME[,NAME...]] [--json FILE] [--list]
 *
 * Nothing is pinned: the figures are those of an ordinary process on a
 * possibly busy machine, made comparable by interleaving the contenders and
 * reporting medians. The load average at start and end is printed so a
 * reader can tell a quiet run from a noisy one.
 */
#include <errno.h>
#include <gnu/libc-version.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <labyrinth/labyrinth.h>
#include "bench_core.h"
#include "peers.h"

int bench_quick;

/* Full run: 7 rounds of ~20 ms batches; --quick: 5 rounds of ~2 ms. */
#define ROUNDS_FULL   7
#define ROUNDS_QUICK  5
#define TARGET_FULL_NS  20000000ull
#define TARGET_QUICK_NS  2000000ull

struct json_row {
	char id[32];
	char case_name[48];
	char contender[64];
	char unit[32];
	double ns, min_ns, max_ns, ratio;
};

static struct json_row *rows;
static size_t nr_rows, cap_rows;

void bench_die(const char *fmt, ...)
{
	va_list ap;
	fputs("labyrinth-bench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

uint64_t bench_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t time_batch(const struct bench_contender *c, uint64_t iters)
{
	uint64_t t0 = bench_now_ns();
	c->run(c->arg, iters);
	return bench_now_ns() - t0;
}

/* Batch size that takes about @target ns (at least 1 operation). */
static uint64_t calibrate(const struct bench_contender *c, uint64_t target)
{
	uint64_t iters = 16, t;

	c->run(c->arg, iters);          /* warm-up: first touch, lazy init */
	for (;;) {
		t = time_batch(c, iters);
		if (t >= target / 4 || iters >= (1ull << 34))
			break;
		iters *= 4;
	}
	if (t == 0)
		t = 1;
	iters = (uint64_t)((double)iters * (double)target / (double)t);
	return iters ? iters : 1;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

void bench_compare(struct bench_contender *c, size_t n)
{
	unsigned rounds = bench_quick ? ROUNDS_QUICK : ROUNDS_FULL;
	uint64_t target = bench_quick ? TARGET_QUICK_NS : TARGET_FULL_NS;
	double *s = calloc(n * rounds, sizeof(*s));

	if (!s)
		bench_die("out of memory");
	for (size_t i = 0; i < n; i++) {
		c[i].median_ns = c[i].min_ns = c[i].max_ns = -1;
		if (c[i].run)
			c[i].iters = calibrate(&c[i], target);
	}
	for (unsigned r = 0; r < rounds; r++)
		for (size_t j = 0; j < n; j++) {
			size_t i = (r + j) % n;
			if (c[i].run)
				s[i * rounds + r] = (double)time_batch(&c[i], c[i].iters) / (double)c[i].iters;
		}
	for (size_t i = 0; i < n; i++) {
		double *v = &s[i * rounds];
		if (!c[i].run)
			continue;
		qsort(v, rounds, sizeof(*v), cmp_double);
		c[i].median_ns = v[rounds / 2];
		c[i].min_ns = v[0];
		c[i].max_ns = v[rounds - 1];
	}
	free(s);
}

void bench_json_row(const char *id, const char *case_name, const char *contender,
		    double ns, double min_ns, double max_ns, double ratio, const char *unit)
{
	if (nr_rows == cap_rows) {
		size_t cap = cap_rows ? cap_rows * 2 : 64;
		struct json_row *r = realloc(rows, cap * sizeof(*r));
		if (!r)
			bench_die("out of memory");
		rows = r;
		cap_rows = cap;
	}
	struct json_row *r = &rows[nr_rows++];
	snprintf(r->id, sizeof(r->id), "%s", id);
	snprintf(r->case_name, sizeof(r->case_name), "%s", case_name ? case_name : "");
	snprintf(r->contender, sizeof(r->contender), "%s", contender);
	snprintf(r->unit, sizeof(r->unit), "%s", unit ? unit : "ns/op");
	r->ns = ns;
	r->min_ns = min_ns;
	r->max_ns = max_ns;
	r->ratio = ratio;
}

void bench_report(const char *id, const char *title, const char *op,
		  const struct bench_contender *c, size_t n, size_t baseline)
{
	double base = c[baseline].median_ns;

	printf("\n== %s: %s ==\n", id, title);
	printf("   one operation = %s; median of %d rounds; ratio = ns / ns of \"%s\"\n", op,
	       bench_quick ? ROUNDS_QUICK : ROUNDS_FULL, c[baseline].name);
	printf("   %-40s %10s  %-19s %7s\n", "contender", "ns/op", "min..max", "ratio");
	for (size_t i = 0; i < n; i++) {
		if (c[i].median_ns < 0) {
			printf("   %-40s %10s  %s\n", c[i].name, "n/a", c[i].why ? c[i].why : "");
			bench_json_row(id, NULL, c[i].name, -1, -1, -1, -1, "ns/op");
			continue;
		}
		char range[32];
		double ratio = base > 0 ? c[i].median_ns / base : -1;
		snprintf(range, sizeof(range), "%.1f..%.1f", c[i].min_ns, c[i].max_ns);
		printf("   %-40s %10.1f  %-19s %7.2f\n", c[i].name, c[i].median_ns, range, ratio);
		bench_json_row(id, NULL, c[i].name, c[i].median_ns, c[i].min_ns, c[i].max_ns, ratio, "ns/op");
	}
	fflush(stdout);
}

/* ---- machine description ------------------------------------------------ */

static void cpu_model(char *buf, size_t size)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[512];

	snprintf(buf, size, "unknown");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "model name", 10) == 0) {
			char *v = strchr(line, ':');
			if (v) {
				v++;
				while (*v == ' ' || *v == '\t')
					v++;
				v[strcspn(v, "\n")] = '\0';
				snprintf(buf, size, "%s", v);
			}
			break;
		}
	}
	fclose(f);
}

static void loadavg(char *buf, size_t size)
{
	FILE *f = fopen("/proc/loadavg", "r");
	snprintf(buf, size, "?");
	if (f) {
		if (fgets(buf, (int)size, f))
			buf[strcspn(buf, "\n")] = '\0';
		fclose(f);
	}
}

static void print_machine(const struct bench_peer *peers)
{
	char model[256], load[128];
	struct utsname u;

	cpu_model(model, sizeof(model));
	loadavg(load, sizeof(load));
	if (uname(&u) != 0)
		memset(&u, 0, sizeof(u));
	printf("labyrinth-bench %s%s\n", LAB_VERSION, bench_quick ? " (--quick)" : "");
	printf("machine: %ld CPUs online (nproc), CPU \"%s\"\n", sysconf(_SC_NPROCESSORS_ONLN), model);
	printf("system:  %s %s %s, glibc %s, compiler %s%s\n", u.sysname, u.release, u.machine,
	       gnu_get_libc_version(), __VERSION__,
#ifdef NDEBUG
	       ", NDEBUG"
#else
	       ", assertions on"
#endif
	);
	printf("load:    %s (at start)\n", load);
	printf("timing:  CLOCK_MONOTONIC, nothing pinned, %d interleaved rounds of ~%llu ms per contender\n",
	       bench_quick ? ROUNDS_QUICK : ROUNDS_FULL,
	       (unsigned long long)((bench_quick ? TARGET_QUICK_NS : TARGET_FULL_NS) / 1000000));
	printf("peers:  ");
	for (int i = 0; i < BENCH_NR_PEERS; i++) {
		if (peers[i].available)
			printf(" %s %s;", peers[i].name, peers[i].version[0] ? peers[i].version : "(version?)");
		else
			printf(" %s n/a (%s);", peers[i].name, peers[i].why);
	}
	printf("\n");
	fflush(stdout);
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", (unsigned)(unsigned char)*s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static void json_num(FILE *f, double v)
{
	if (v < 0)
		fputs("null", f);
	else
		fprintf(f, "%.3f", v);
}

static int write_json(const char *path, double seconds)
{
	FILE *f = fopen(path, "w");
	char model[256];

	if (!f) {
		fprintf(stderr, "labyrinth-bench: %s: %s\n", path, strerror(errno));
		return -1;
	}
	cpu_model(model, sizeof(model));
	fprintf(f, "{\n  \"version\": ");
	json_str(f, LAB_VERSION);
	fprintf(f, ",\n  \"quick\": %s,\n  \"rounds\": %d,\n  \"nproc\": %ld,\n  \"cpu\": ",
		bench_quick ? "true" : "false", bench_quick ? ROUNDS_QUICK : ROUNDS_FULL,
		sysconf(_SC_NPROCESSORS_ONLN));
	json_str(f, model);
	fprintf(f, ",\n  \"seconds\": %.1f,\n  \"results\": [\n", seconds);
	for (size_t i = 0; i < nr_rows; i++) {
		const struct json_row *r = &rows[i];
		fprintf(f, "    {\"benchmark\": ");
		json_str(f, r->id);
		fprintf(f, ", \"case\": ");
		json_str(f, r->case_name);
		fprintf(f, ", \"contender\": ");
		json_str(f, r->contender);
		fprintf(f, ", \"unit\": ");
		json_str(f, r->unit);
		fprintf(f, ", \"median\": ");
		json_num(f, r->ns);
		fprintf(f, ", \"min\": ");
		json_num(f, r->min_ns);
		fprintf(f, ", \"max\": ");
		json_num(f, r->max_ns);
		fprintf(f, ", \"ratio\": ");
		json_num(f, r->ratio);
		fprintf(f, "}%s\n", i + 1 < nr_rows ? "," : "");
	}
	fprintf(f, "  ]\n}\n");
	return fclose(f) == 0 ? 0 : -1;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: labyrinth-bench [--quick] [--only NAME[,NAME...]] [--json FILE] [--list]\n"
		   "benchmarks:\n");
	for (size_t i = 0; i < bench_nr_defs; i++)
		fprintf(f, "  %-10s %s\n", bench_defs[i].id, bench_defs[i].what);
}

static int selected(const char *only, const char *id)
{
	size_t len = strlen(id);
	if (!only)
		return 1;
	for (const char *p = only; *p;) {
		size_t n = strcspn(p, ",");
		if (n == len && strncmp(p, id, n) == 0)
			return 1;
		p += n;
		if (*p == ',')
			p++;
	}
	return 0;
}

static int check_only(const char *only)
{
	for (const char *p = only; *p;) {
		size_t n = strcspn(p, ","), i;
		for (i = 0; i < bench_nr_defs; i++)
			if (strlen(bench_defs[i].id) == n && strncmp(p, bench_defs[i].id, n) == 0)
				break;
		if (i == bench_nr_defs) {
			fprintf(stderr, "labyrinth-bench: --only: unknown benchmark \"%.*s\"\n", (int)n, p);
			usage(stderr);
			return -1;
		}
		p += n;
		if (*p == ',')
			p++;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *only = NULL, *json = NULL;
	char load[128];

	bench_peers_reexec(argv);
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--quick")) {
			bench_quick = 1;
		} else if (!strcmp(argv[i], "--only") && i + 1 < argc) {
			only = argv[++i];
		} else if (!strcmp(argv[i], "--json") && i + 1 < argc) {
			json = argv[++i];
		} else if (!strcmp(argv[i], "--list")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "labyrinth-bench: unknown or incomplete option %s\n", argv[i]);
			usage(stderr);
			return 2;
		}
	}
	if (only && check_only(only))
		return 2;

	uint64_t t0 = bench_now_ns();
	print_machine(bench_peers_load());
	for (size_t i = 0; i < bench_nr_defs; i++)
		if (selected(only, bench_defs[i].id))
			bench_defs[i].run();
	bench_core_cleanup();
	double seconds = (double)(bench_now_ns() - t0) / 1e9;
	loadavg(load, sizeof(load));
	printf("\nload:    %s (at end); total %.1f s\n", load, seconds);
	if (json && write_json(json, seconds))
		return 1;
	free(rows);
	return 0;
}
