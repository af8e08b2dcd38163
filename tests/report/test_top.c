/* SPDX-License-Identifier: MIT */
/*
 * tests/report/test_top.c - `labyrinth top`'s renderers on a real
 * snapshot (tests/data/realkernel/atomic-pressure-256M, "net"): the
 * Prometheus output passes a strict parser of the text exposition format
 * (written here: HELP/TYPE once per family and before its samples,
 * families contiguous, names and labels by the grammar, escapes, float
 * values, counters named _total, no duplicate series) and carries the
 * printed numbers; the JSON object holds the same numbers; the screen
 * names the profile, the basis of the headroom and what is missing.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/fixture.h"
#include "report/top.h"

#define SNAPDIR LAB_SOURCE_DIR "/tests/data/realkernel/atomic-pressure-256M"

static struct lab_top *top_of(const char *dir, const char *suffix)
{
	struct lab_top *t = lab_top_new();
	char err[256];
	assert_non_null(t);
	if (lab_top_refresh(t, dir, suffix, 1.0, err, sizeof(err)))
		fail_msg("%s", err);
	return t;
}

static char *render(void (*fn)(FILE *, const struct lab_top *), const struct lab_top *t)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	fn(f, t);
	fclose(f);
	return buf;
}

/* ---- a strict parser of the exposition format -------------------------------- */

struct family {
	char name[96], type[16];
	int help, samples;
};

struct prom {
	struct family fam[64];
	int nfam;
	char (*series)[256];
	int nseries, cap;
	char err[512];
};

/* The first violation, in p->err; the line is refused. */
#define BAD(...) do { snprintf(p->err, sizeof(p->err), __VA_ARGS__); return -1; } while (0)

static int is_name(const char *s, size_t n, int colon_ok)
{
	if (!n || !(isalpha((unsigned char)s[0]) || s[0] == '_' || (colon_ok && s[0] == ':')))
		return 0;
	for (size_t i = 1; i < n; i++)
		if (!(isalnum((unsigned char)s[i]) || s[i] == '_' || (colon_ok && s[i] == ':')))
			return 0;
	return 1;
}

static struct family *family(struct prom *p, const char *name, size_t n)
{
	for (int i = 0; i < p->nfam; i++)
		if (strlen(p->fam[i].name) == n && !strncmp(p->fam[i].name, name, n))
			return &p->fam[i];
	return NULL;
}

/* "# HELP name text" / "# TYPE name type": the family, declared once. */
static int comment_line(struct prom *p, const char *l, int lineno)
{
	int help = !strncmp(l, "# HELP ", 7), type = !strncmp(l, "# TYPE ", 7);
	if (!help && !type)
		BAD("line %d: comment is neither HELP nor TYPE: %s", lineno, l);
	const char *name = l + 7, *sp = strchr(name, ' ');
	if (!sp || !is_name(name, (size_t)(sp - name), 1) || strncmp(name, "labyrinth_", 10))
		BAD("line %d: bad metric name: %s", lineno, l);
	struct family *f = family(p, name, (size_t)(sp - name));
	if (!f) {
		if (p->nfam == 64)
			BAD("line %d: too many families", lineno);
		f = &p->fam[p->nfam++];
		snprintf(f->name, sizeof(f->name), "%.*s", (int)(sp - name), name);
	} else if (f != &p->fam[p->nfam - 1] || f->samples) {
		BAD("line %d: %s declared after its samples or apart from its family", lineno, f->name);
	}
	if (help) {
		if (f->help++)
			BAD("line %d: second HELP for %s", lineno, f->name);
		if (!sp[1])
			BAD("line %d: empty HELP", lineno);
		return 0;
	}
	if (f->type[0])
		BAD("line %d: second TYPE for %s", lineno, f->name);
	snprintf(f->type, sizeof(f->type), "%s", sp + 1);
	if (strcmp(f->type, "gauge") && strcmp(f->type, "counter"))
		BAD("line %d: type '%s'", lineno, f->type);
	if (!strcmp(f->type, "counter") && strlen(f->name) > 6 && strcmp(f->name + strlen(f->name) - 6, "_total"))
		BAD("line %d: counter %s not named _total", lineno, f->name);
	return 0;
}

/* {a="x",b="y"}: returns the character after '}', NULL if malformed. */
static const char *labels(const char *s, char *keys, size_t ksz)
{
	keys[0] = 0;
	if (*s != '{')
		return s;
	s++;
	while (*s != '}') {
		const char *eq = strchr(s, '=');
		if (!eq || !is_name(s, (size_t)(eq - s), 0) || eq[1] != '"')
			return NULL;
		snprintf(keys + strlen(keys), ksz - strlen(keys), "%.*s,", (int)(eq - s), s);
		s = eq + 2;
		while (*s != '"') {
			if (!*s || *s == '\n')
				return NULL;
			if (*s == '\\') {
				if (s[1] != '\\' && s[1] != '"' && s[1] != 'n')
					return NULL;
				s++;
			}
			s++;
		}
		s++;
		if (*s == ',')
			s++;
		else if (*s != '}')
			return NULL;
	}
	return s + 1;
}

static int sample_line(struct prom *p, const char *l, int lineno)
{
	size_t n = strcspn(l, "{ ");
	char keys[256];
	if (!is_name(l, n, 1))
		BAD("line %d: bad sample name: %s", lineno, l);
	struct family *f = family(p, l, n);
	if (!f || f != &p->fam[p->nfam - 1] || !f->type[0] || !f->help)
		BAD("line %d: sample outside its declared family: %s", lineno, l);
	const char *rest = labels(l + n, keys, sizeof(keys));
	if (!rest || *rest != ' ')
		BAD("line %d: bad labels: %s", lineno, l);
	char *end;
	strtod(rest + 1, &end);
	if (end == rest + 1 || *end)
		BAD("line %d: bad value: %s", lineno, l);
	size_t sl = (size_t)(rest - l);
	for (int i = 0; i < p->nseries; i++)
		if (strlen(p->series[i]) == sl && !strncmp(p->series[i], l, sl))
			BAD("line %d: duplicate series %.*s", lineno, (int)sl, l);
	if (p->nseries == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 256;
		p->series = realloc(p->series, (size_t)p->cap * sizeof(*p->series));
		assert_non_null(p->series);
	}
	snprintf(p->series[p->nseries++], 256, "%.*s", (int)sl, l);
	f->samples++;
	return 0;
}

/* 0, or -1 with the first violation in p->err. */
static int prom_parse(struct prom *p, char *text)
{
	int lineno = 0;
	memset(p, 0, sizeof(*p));
	if (!*text || text[strlen(text) - 1] != '\n')
		BAD("the last line does not end with a newline");
	for (char *l = strtok(text, "\n"); l; l = strtok(NULL, "\n")) {
		lineno++;
		if (l[0] == '#' ? comment_line(p, l, lineno) : sample_line(p, l, lineno))
			return -1;
	}
	for (int i = 0; i < p->nfam; i++)
		if (!p->fam[i].samples || !p->fam[i].type[0])
			BAD("family %s without samples or TYPE", p->fam[i].name);
	return 0;
}

static int has_series(const struct prom *p, const char *s)
{
	for (int i = 0; i < p->nseries; i++)
		if (!strcmp(p->series[i], s))
			return 1;
	return 0;
}

/* The whole output passes the strict parser, with the zones' headroom by
 * node/zone/order labels and the vmstat counters as _total counters. */
static void test_top_prometheus_is_strict_exposition_format(void **state)
{
	(void)state;
	struct lab_top *t = top_of(SNAPDIR, "net");
	char *text = render(lab_report_top_prometheus, t), *copy = strdup(text);
	struct prom p;
	if (prom_parse(&p, copy))
		fail_msg("%s", p.err);
	assert_true(has_series(&p, "labyrinth_atomic_headroom{node=\"0\",zone=\"DMA32\",order=\"0\"}"));
	assert_true(has_series(&p, "labyrinth_atomic_headroom{node=\"0\",zone=\"DMA\",order=\"10\"}"));
	assert_true(has_series(&p, "labyrinth_allocations_total"));
	struct family *f = family(&p, "labyrinth_atomic_headroom", 25);
	if (!f) {
		fail_msg("no labyrinth_atomic_headroom family");
		return;
	}
	assert_int_equal(f->samples, t->nr_zones * LAB_MAX_ORDER);
	/* the value printed is the engine's */
	char want[160];
	const struct lab_top_zone *z = &t->zone[1];
	snprintf(want, sizeof(want), "labyrinth_atomic_headroom{node=\"0\",zone=\"%s\",order=\"3\"} %lld\n",
		 lab_zone_names[z->zone], (long long)z->headroom[3]);
	assert_non_null(strstr(text, want));
	free(p.series);
	free(copy);
	free(text);
	lab_top_free(t);
}

/* The parser refuses what node_exporter refuses (the test can fail). */
static void test_top_prometheus_parser_rejects_bad_input(void **state)
{
	(void)state;
	const char *bad[] = {
		"labyrinth_x 1\n",                                            /* no TYPE/HELP */
		"# HELP labyrinth_x h\n# TYPE labyrinth_x gauge\nlabyrinth_x{a=\"1} 1\n",
		"# HELP labyrinth_x h\n# TYPE labyrinth_x gauge\nlabyrinth_x one\n",
		"# HELP labyrinth_x h\n# TYPE labyrinth_x counter\nlabyrinth_x 1\n",
		"# HELP labyrinth_x h\n# TYPE labyrinth_x gauge\nlabyrinth_x 1\nlabyrinth_x 2\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct prom p;
		char *copy = strdup(bad[i]);
		assert_int_equal(prom_parse(&p, copy), -1);
		printf("refused: %s\n", p.err);
		free(p.series);
		free(copy);
	}
	struct prom p;
	char ok[] = "# HELP labyrinth_x h\n# TYPE labyrinth_x gauge\nlabyrinth_x{a=\"q\\\"\"} 1.5\n";
	assert_int_equal(prom_parse(&p, ok), 0);
	assert_int_equal(p.nseries, 1);
	free(p.series);
}

/* JSON: the same numbers, one object. */
static void test_top_json_holds_the_zones_numbers(void **state)
{
	(void)state;
	struct lab_top *t = top_of(SNAPDIR, "net");
	json_t *j = lab_report_top_json(t);
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "profile"), "name")), "6.1");
	assert_string_equal(json_string_value(json_object_get(j, "headroom_basis")), "pagetypeinfo");
	json_t *zones = json_object_get(j, "zones");
	assert_int_equal(json_array_size(zones), t->nr_zones);
	for (int zi = 0; zi < t->nr_zones; zi++) {
		json_t *h = json_object_get(json_array_get(zones, (size_t)zi), "atomic_headroom");
		assert_int_equal(json_array_size(h), LAB_MAX_ORDER);
		for (int o = 0; o < LAB_MAX_ORDER; o++)
			assert_int_equal(json_integer_value(json_array_get(h, (size_t)o)), t->zone[zi].headroom[o]);
	}
	assert_true(json_is_null(json_object_get(json_object_get(j, "rates_per_second"), "allocations")));
	json_decref(j);
	lab_top_free(t);
}

static void text_top(FILE *f, const struct lab_top *t)
{
	lab_report_top_text(f, t, 0);
}

/* The screen names the profile and why, and the headroom's basis. */
static void test_top_text_names_profile_and_basis(void **state)
{
	(void)state;
	struct lab_top *t = top_of(SNAPDIR, "net");
	char *s = render(text_top, t);
	assert_non_null(strstr(s, " - kernel 6.1.0-56-amd64\nrules: profile 6.1 (same series as running 6.1.0)\n"));
	assert_non_null(strstr(s, "free lists (pagetypeinfo)"));
	assert_non_null(strstr(s, "Node 0 DMA32"));
	assert_non_null(strstr(s, "  headroom "));
	assert_null(strstr(s, "missing:"));
	free(s);
	lab_top_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_top_prometheus_is_strict_exposition_format),
		cmocka_unit_test(test_top_prometheus_parser_rejects_bad_input),
		cmocka_unit_test(test_top_json_holds_the_zones_numbers),
		cmocka_unit_test(test_top_text_names_profile_and_basis),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
