/* SPDX-License-Identifier: MIT */
/* tests/util/interleave.c - see interleave.h. */
#include "util/interleave.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/fixture.h"
#include "util/rng.h"

#define MAX_PIECES 8192

struct pieces {
	char *text[MAX_PIECES];
	bool cont[MAX_PIECES];   /* a KERN_CONT piece of the line before */
	bool glued[MAX_PIECES];  /* a record of its own, but printed by the same
				    CPU right after the one before (dump_stack()) */
	int n, next;
	bool whole;              /* logical lines are not cut into pieces */
	bool in_dump;            /* between the CPU line and Mem-Info */
};

static char *read_corpus(const char *name)
{
	char path[512];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof(path), "%s/tests/data/dmesg/%s", LAB_SOURCE_DIR, name);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return buf;
}

/* After "> ", "<4>" and "Mon dd hh:mm:ss host kernel: ": the "[ts] " and
 * what follows, or NULL when the line has no timestamp. */
static const char *after_timestamp(const char *l)
{
	const char *k;

	if (l[0] == '>')
		l += l[1] == ' ' ? 2 : 1;
	if (l[0] == '<' && isdigit((unsigned char)l[1]) && l[2] == '>')
		l += 3;
	if ((k = strstr(l, " kernel: ")) != NULL && k - l < 48)
		l = k + 9;
	if (l[0] != '[')
		return NULL;
	k = l + 1;
	while (*k == ' ')
		k++;
	if (!isdigit((unsigned char)*k))
		return NULL;
	while (isdigit((unsigned char)*k) || *k == '.')
		k++;
	if (*k != ']')
		return NULL;
	k++;
	if (*k == ' ')
		k++;
	/* an Android/Samsung caller prefix "[3:  comm:pid]": ours replaces it */
	if (k[0] == ' ' && k[1] == '[' && isdigit((unsigned char)k[2]) && strchr(k, ']'))
		k = strchr(k, ']') + 1;
	return k;
}

static void add(struct pieces *P, const char *s, size_t n, bool cont)
{
	assert_true(P->n < MAX_PIECES);
	P->text[P->n] = strndup(s, n);
	P->glued[P->n] = false;
	P->cont[P->n++] = cont;
}

/* Without caller ids: one record per logical line (a KERN_CONT piece
 * after another CPU's record would be a record nobody can attribute), and
 * dump_stack()'s lines, which it prints holding printk_cpu_sync (5.15+,
 * its own lock before), in one block. */
static void add_whole(struct pieces *P, const char *l)
{
	if (strncmp(l, "CPU:", 4) == 0 || strncmp(l, "Pid:", 4) == 0)
		P->in_dump = true;
	else if (strstr(l, "Mem-Info:") || strstr(l, "Mem-info:"))
		P->in_dump = false;
	add(P, l, strlen(l), false);
	P->glued[P->n - 1] = P->in_dump && !(strncmp(l, "CPU:", 4) == 0 || strncmp(l, "Pid:", 4) == 0);
}

/* One logical line, cut into the kernel's printk() calls. */
static void cut_line(struct pieces *P, const char *l)
{
	const char *p = l, *colon;
	size_t n = strlen(l);

	if (P->whole) {
		add_whole(P, l);
		return;
	}
	if (strncmp(l, "Node ", 5) == 0 && isdigit((unsigned char)l[5])) {
		/* show_node() before a zone or buddy line, not "Node 0 active_anon:" */
		const char *z = l + 5, *e;
		while (isdigit((unsigned char)*z))
			z++;
		for (e = z + 1; isalnum((unsigned char)*e) || *e == '_'; e++)
			;
		if (*z == ' ' && e > z + 1 && (strncmp(e, " free:", 6) == 0 || e[0] == ':')) {
			add(P, l, (size_t)(z - l), false);
			p = z + 1;
		}
	}
	colon = strchr(p, ':');
	if (colon && colon[1] == ' ' && isdigit((unsigned char)colon[2]) && strchr(colon, '*')) {
		/* a buddy line: "ZONE: ", then every count and letter group */
		const char *t = colon + 2;
		add(P, p, (size_t)(colon + 1 - p), p != l);
		while (*t) {
			const char *e;
			while (*t == ' ')
				t++;
			if (!*t)
				break;
			if (*t == '=') {
				add(P, t, strlen(t), true);
				break;
			}
			e = t;
			while (*e && *e != ' ')
				e++;
			add(P, t, (size_t)(e - t), true);
			t = e;
		}
		return;
	}
	if (strncmp(p, "lowmem_reserve[]:", 17) == 0) {
		const char *t = p + 17;
		add(P, p, 17, false);
		while (*t) {
			const char *e = t;
			while (*e == ' ')
				e++;
			while (*e && *e != ' ')
				e++;
			if (e == t)
				break;
			add(P, t, (size_t)(e - t), true);
			t = e;
		}
		return;
	}
	add(P, p, n - (size_t)(p - l), p != l);
}

/* The report's logical lines: a timestamped line and the unprefixed
 * lines that continue it (the corpus' own wrapping), joined by a blank. */
static void cut_report(struct pieces *P, const char *name)
{
	char *buf = read_corpus(name), *save = NULL, *line;
	char logical[8192] = "";
	bool open = false, quoted = false;

	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		const char *c;
		if (line[0] == '#')
			continue;
		c = after_timestamp(line);
		if (c) {
			if (open)
				cut_line(P, logical);
			snprintf(logical, sizeof(logical), "%s", c);
			open = true;
			quoted = line[0] == '>';
		} else if (open && (!quoted || line[0] == '>')) {	/* not a replier's words */
			const char *t = line;
			if (t[0] == '>')
				t += t[1] == ' ' ? 2 : 1;
			while (*t == ' ')
				t++;
			if (*t)
				snprintf(logical + strlen(logical), sizeof(logical) - strlen(logical), " %s", t);
		}
	}
	if (open)
		cut_line(P, logical);
	free(buf);
}

struct out {
	char *buf;
	size_t len, cap;
};

static void out_put(struct out *o, const char *s, size_t n)
{
	if (o->len + n + 2 > o->cap) {
		o->cap = (o->len + n + 2) * 2;
		o->buf = realloc(o->buf, o->cap);
		assert_non_null(o->buf);
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

/* A record as dmesg prints it, then wrapped by the mail client. */
static void emit(struct out *o, const char *rec, int wrap)
{
	size_t n = strlen(rec);

	while ((int)n > wrap) {
		size_t cut = (size_t)wrap;
		while (cut > 0 && rec[cut] != ' ')
			cut--;
		if (cut == 0)
			cut = (size_t)wrap;
		out_put(o, rec, cut);
		out_put(o, "\n", 1);
		rec += cut;
		n -= cut;
		while (*rec == ' ') {
			rec++;
			n--;
		}
	}
	out_put(o, rec, n);
	out_put(o, "\n", 1);
}

/* @tag_a NULL: no caller ids; @stamps: "[seconds.micros] " prefixes;
 * @wrap 0: no wrapping. */
static char *interleave(const char *name_a, const char *tag_a, const char *name_b,
			const char *tag_b, uint64_t seed, int wrap, bool stamps)
{
	static struct pieces cpu[2];
	const char *tags[2] = { tag_a, tag_b };
	struct out o = { 0 };
	char rec[16384] = "";
	int last = -1;
	unsigned us = 0;
	uint64_t rng = seed ? seed : 1;

	memset(cpu, 0, sizeof(cpu));
	cpu[0].whole = cpu[1].whole = tag_a == NULL;
	cut_report(&cpu[0], name_a);
	cut_report(&cpu[1], name_b);
	if (wrap <= 0)
		wrap = (int)sizeof(rec);
	while (cpu[0].next < cpu[0].n || cpu[1].next < cpu[1].n) {
		int c = cpu[0].next >= cpu[0].n ? 1 : cpu[1].next >= cpu[1].n ? 0
			: last >= 0 && cpu[last].next < cpu[last].n && cpu[last].glued[cpu[last].next] ? last
			: (int)(test_xorshift64(&rng) >> 63);
		struct pieces *P = &cpu[c];
		const char *piece = P->text[P->next];
		if (c == last && P->cont[P->next]) {
			snprintf(rec + strlen(rec), sizeof(rec) - strlen(rec), " %s", piece);
		} else {
			if (rec[0])
				emit(&o, rec, wrap);
			us++;
			if (tag_a)
				snprintf(rec, sizeof(rec), "[%5u.%06u][%6s] %s", 100 + us / 1000000,
					 us % 1000000, tags[c], piece);
			else if (stamps)
				snprintf(rec, sizeof(rec), "[%5u.%06u] %s", 100 + us / 1000000, us % 1000000,
					 piece);
			else
				snprintf(rec, sizeof(rec), "%s", piece);
		}
		last = c;
		P->next++;
	}
	if (rec[0])
		emit(&o, rec, wrap);
	for (int c = 0; c < 2; c++)
		for (int i = 0; i < cpu[c].n; i++)
			free(cpu[c].text[i]);
	return o.buf;
}

char *interleave_corpus(const char *name_a, const char *tag_a, const char *name_b,
			const char *tag_b, uint64_t seed, int wrap)
{
	return interleave(name_a, tag_a, name_b, tag_b, seed, wrap, true);
}

char *interleave_corpus_untagged(const char *name_a, const char *name_b, uint64_t seed, int wrap,
				 int timestamps)
{
	return interleave(name_a, NULL, name_b, NULL, seed, timestamps ? wrap : 0, timestamps != 0);
}

int interleave_corpus_usable(const char *name)
{
	char *buf = read_corpus(name), *save = NULL, *line;
	int ts = 0, other = 0;

	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (line[0] == '#')
			continue;
		else if (after_timestamp(line))
			ts++;
		else
			other++;
	free(buf);
	return ts > 0 && ts >= other;
}

uint64_t interleave_seed(const char *who)
{
	const char *env = getenv("LAB_INTERLEAVE_SEED");
	uint64_t seed = env ? strtoull(env, NULL, 0) : (uint64_t)time(NULL);

	printf("%s: seed %llu (LAB_INTERLEAVE_SEED=%llu replays it)\n", who,
	       (unsigned long long)seed, (unsigned long long)seed);
	return seed;
}
