// SPDX-License-Identifier: MIT
/*
 * formats/ftrace.c - the ftrace reader's entry: a file (text or trace.dat,
 * gzip/xz undone by formats/input.c) goes to the text parser
 * (ftrace_text.c) or to libtracecmd (ftrace_dat.c); both fill the same
 * event array through the same decoders (ftrace_events.c; ftrace_int.h
 * draws the whole). This file holds what they share: the parser state,
 * interning of comms, unknown event names and gfp strings, errors.
 *
 * Cost: interning is O(1) expected per lookup (open addressing, load <=
 * 1/2) with a direct-mapped pid -> comm cache in front, so a line costs no
 * hashing when its pid kept its comm.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/ftrace_int.h"
#include "formats/input.h"

/* ---- string interning --------------------------------------------------- */

uint64_t lab__ft_hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ull;
	}
	return h;
}

/* Finds @s; returns its entry index or -1. */
long lab__ft_strtab_find(const struct strtab *t, const char *s, size_t n, uint64_t h)
{
	if (!t->nslot)
		return -1;
	for (size_t i = h & (t->nslot - 1);; i = (i + 1) & (t->nslot - 1)) {
		uint32_t e = t->slot[i];
		if (!e)
			return -1;
		e--;
		if (t->klen[e] == n && !memcmp(t->key[e], s, n))
			return (long)e;
	}
}

static int strtab_grow(struct strtab *t)
{
	size_t ns = t->nslot ? t->nslot * 2 : 64;
	uint32_t *slot = calloc(ns, sizeof(*slot));
	if (!slot)
		return -1;
	for (size_t e = 0; e < t->n; e++) {
		size_t i = lab__ft_hash(t->key[e], t->klen[e]) & (ns - 1);
		while (slot[i])
			i = (i + 1) & (ns - 1);
		slot[i] = (uint32_t)e + 1;
	}
	free(t->slot);
	t->slot = slot;
	t->nslot = ns;
	return 0;
}

/* Adds @s (known absent) with @val; returns its index or -1 on ENOMEM. */
long lab__ft_strtab_add(struct strtab *t, const char *s, size_t n, uint64_t h, uint64_t val)
{
	if ((t->n + 1) * 2 > t->nslot && strtab_grow(t))
		return -1;
	if (t->n == t->cap) {
		size_t nc = t->cap ? t->cap * 2 : 32;
		char **k = realloc(t->key, nc * sizeof(*k));
		if (!k)
			return -1;
		t->key = k;
		uint32_t *l = realloc(t->klen, nc * sizeof(*l));
		if (!l)
			return -1;
		t->klen = l;
		uint64_t *v = realloc(t->val, nc * sizeof(*v));
		if (!v)
			return -1;
		t->val = v;
		t->cap = nc;
	}
	char *copy = malloc(n + 1);
	if (!copy)
		return -1;
	memcpy(copy, s, n);
	copy[n] = 0;
	t->key[t->n] = copy;
	t->klen[t->n] = (uint32_t)n;
	t->val[t->n] = val;
	size_t i = h & (t->nslot - 1);
	while (t->slot[i])
		i = (i + 1) & (t->nslot - 1);
	t->slot[i] = (uint32_t)t->n + 1;
	return (long)t->n++;
}

static void strtab_free(struct strtab *t)
{
	for (size_t e = 0; e < t->n; e++)
		free(t->key[e]);
	free(t->key);
	free(t->klen);
	free(t->val);
	free(t->slot);
	memset(t, 0, sizeof(*t));
}

/* ---- parser state --------------------------------------------------------- */

int lab__ft_fail(struct ftrace_parser *p, const char *fmt, ...)
{
	if (p->flags & LAB_FTRACE_LENIENT) {
		if (!p->t->malformed && p->err && p->errsz) {
			int n = snprintf(p->err, p->errsz, "%s:%u: ", p->name, p->lineno);
			va_list ap;
			va_start(ap, fmt);
			if (n >= 0 && (size_t)n < p->errsz)
				vsnprintf(p->err + n, p->errsz - (size_t)n, fmt, ap);
			va_end(ap);
		}
		p->t->malformed++;
		return 1;               /* skip the line */
	}
	if (p->err && p->errsz) {
		int n = snprintf(p->err, p->errsz, "%s:%u: ", p->name, p->lineno);
		va_list ap;
		va_start(ap, fmt);
		if (n >= 0 && (size_t)n < p->errsz)
			vsnprintf(p->err + n, p->errsz - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return LAB_FTRACE_EMALFORMED;
}

int lab__ft_push_event(struct lab_ftrace *t, const struct lab_ftrace_event *e)
{
	if (t->nr == t->cap) {
		size_t nc = t->cap ? t->cap * 2 : 4096;
		struct lab_ftrace_event *n = realloc(t->ev, nc * sizeof(*n));
		if (!n)
			return LAB_FTRACE_ENOMEM;
		t->ev = n;
		t->cap = nc;
	}
	t->ev[t->nr++] = *e;
	return 0;
}

int lab__ft_push_str(char ***arr, size_t *n, size_t *cap, const char *s, size_t len)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 32;
		char **a = realloc(*arr, nc * sizeof(*a));
		if (!a)
			return -1;
		*arr = a;
		*cap = nc;
	}
	char *c = malloc(len + 1);
	if (!c)
		return -1;
	memcpy(c, s, len);
	c[len] = 0;
	(*arr)[(*n)++] = c;
	return 0;
}

long lab__ft_intern_comm(struct ftrace_parser *p, const char *s, size_t n, uint32_t pid)
{
	struct lab_ftrace *t = p->t;
	unsigned ci = pid % PID_CACHE;
	if (p->pid_cache[ci].valid && p->pid_cache[ci].pid == pid) {
		uint32_t id = p->pid_cache[ci].comm;
		if (strlen(t->comms[id]) == n && !memcmp(t->comms[id], s, n))
			return id;
	}
	uint64_t h = lab__ft_hash(s, n);
	long e = lab__ft_strtab_find(&p->comms, s, n, h);
	if (e < 0) {
		e = lab__ft_strtab_add(&p->comms, s, n, h, t->nr_comms);
		if (e < 0 || lab__ft_push_str(&t->comms, &t->nr_comms, &t->cap_comms, s, n))
			return -1;
	}
	long id = (long)p->comms.val[e];
	p->pid_cache[ci].valid = true;
	p->pid_cache[ci].pid = pid;
	p->pid_cache[ci].comm = (uint32_t)id;
	return id;
}

void lab__ft_parser_init(struct ftrace_parser *p, struct lab_ftrace *t, const struct lab_ftrace_opts *o,
			const char *name, char *err, size_t errsz)
{
	memset(p, 0, sizeof(*p));
	p->t = t;
	p->era = o ? o->era : LAB_GFP_ERA_6_1;
	t->era = p->era;
	p->flags = o ? o->flags : 0;
	p->name = name ? name : "<trace>";
	p->err = err;
	p->errsz = errsz;
	if (err && errsz)
		err[0] = 0;
}

void lab__ft_parser_fini(struct ftrace_parser *p)
{
	strtab_free(&p->comms);
	strtab_free(&p->unknown);
	strtab_free(&p->gfps);
}

void lab_ftrace_free(struct lab_ftrace *t)
{
	if (!t)
		return;
	free(t->ev);
	for (size_t i = 0; i < t->nr_comms; i++)
		free(t->comms[i]);
	free(t->comms);
	for (size_t i = 0; i < t->nr_unknown; i++)
		free(t->unknown[i].name);
	free(t->unknown);
	for (size_t i = 0; i < t->nr_markers; i++)
		free(t->markers[i]);
	free(t->markers);
	memset(t, 0, sizeof(*t));
}

/* ---- files ------------------------------------------------------------------ */

/* Errors of lab_input_read() as LAB_FTRACE_E* */
static int input_rc(int rc)
{
	return rc == -ENOMEM ? LAB_FTRACE_ENOMEM : LAB_FTRACE_EIO;
}

int lab_read_file_decompressed(const char *path, char **buf, size_t *len, char *err, size_t errsz)
{
	int rc = lab_input_read(path, LAB_INPUT_NO_LIMIT, buf, len, NULL, err, errsz);
	return rc ? input_rc(rc) : 0;
}

static bool is_dat(const char *b, size_t n)
{
	return n >= 10 && !memcmp(b, "\x17\x08\x44tracing", 10);
}

int lab_ftrace_load(const char *path, const struct lab_ftrace_opts *o, struct lab_ftrace *t,
		    char *err, size_t errsz)
{
	const char *name = lab_input_name(path);
	enum lab_input_coding coding;
	char *buf;
	size_t n;
	int rc;

	memset(t, 0, sizeof(*t));
	rc = lab_input_read(path, LAB_INPUT_NO_LIMIT, &buf, &n, &coding, err, errsz);
	if (rc)
		return input_rc(rc);
	if (is_dat(buf, n)) {
#ifdef LAB_HAVE_TRACECMD
		/* libtracecmd reads a plain file itself; anything else it gets
		 * from memory */
		bool from_file = coding == LAB_INPUT_PLAIN && strcmp(path, "-") != 0;
		rc = lab__ft_load_dat(path, (const unsigned char *)buf, n, from_file, o, t, err, errsz);
#else
		rc = LAB_FTRACE_ENOSYS;
		if (err && errsz)
			snprintf(err, errsz, "%s: a binary trace.dat, but this build has no libtracecmd "
				 "(convert it with `trace-cmd report -l`)", name);
#endif
		free(buf);
		return rc;
	}
	rc = lab_ftrace_parse_text(buf, n, name, o, t, err, errsz);
	free(buf);
	return rc;
}
