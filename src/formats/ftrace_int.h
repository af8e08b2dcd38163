/* SPDX-License-Identifier: MIT */
/*
 * formats/ftrace_int.h - what the files of the ftrace reader share: the
 * parser state, the string tables it interns into, and the one per-event
 * decoder every input form ends in.
 *
 *   ftrace.c         lab_ftrace_load(): file -> text or trace.dat; the
 *                    parser state, interning, errors, freeing
 *   ftrace_text.c    tracefs `trace` / `trace-cmd report [-l]` text: one
 *                    line -> columns (comm-pid, cpu, irq-info, timestamp)
 *   ftrace_dat.c     trace.dat through libtracecmd: one record -> columns
 *   ftrace_events.c  "event: payload" -> struct lab_ftrace_event, one
 *                    decoder per event (the table of event names)
 *
 *   text line  --ftrace_text.c--\
 *                                >-- lab__ft_decode_event --> t->ev[]
 *   dat record --ftrace_dat.c---/
 *
 * Because text and trace.dat share the decoder, a trace.dat, its
 * `trace-cmd report` text and the tracefs text of the same events give the
 * same event array (tests/formats/test_ftrace.c checks exactly that).
 *
 * Single-threaded: one struct ftrace_parser per load.
 */
#ifndef LAB_FORMATS_FTRACE_INT_H
#define LAB_FORMATS_FTRACE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "formats/ftrace.h"

#pragma GCC visibility push(hidden)

/* Open-addressing table from a string to a 64-bit value; keys are copied. */
struct strtab {
	uint32_t *slot;         /* entry index + 1, 0 = empty */
	size_t nslot;
	char **key;
	uint32_t *klen;
	uint64_t *val;
	size_t n, cap;
};

#define PID_CACHE 1024

struct ftrace_parser {
	struct lab_ftrace *t;
	enum lab_gfp_era era;
	unsigned flags;
	bool gfp_numeric;               /* trace.dat: gfp comes from the raw field */
	const char *name;
	char *err;
	size_t errsz;
	uint32_t lineno;
	struct strtab comms;            /* comm -> index into t->comms */
	struct strtab unknown;          /* event name -> index into t->unknown */
	struct strtab gfps;             /* gfp string -> value */
	struct { uint32_t pid, comm; bool valid; } pid_cache[PID_CACHE];
};

/* ftrace.c: string tables (FNV-1a hash) */
uint64_t lab__ft_hash(const char *s, size_t n);
long lab__ft_strtab_find(const struct strtab *t, const char *s, size_t n, uint64_t h);
long lab__ft_strtab_add(struct strtab *t, const char *s, size_t n, uint64_t h, uint64_t val);

/* ftrace.c: the parser and what it fills */
void lab__ft_parser_init(struct ftrace_parser *p, struct lab_ftrace *t, const struct lab_ftrace_opts *o,
			 const char *name, char *err, size_t errsz);
void lab__ft_parser_fini(struct ftrace_parser *p);
/*
 * A malformed line: the message "NAME:LINE: ..." goes to p->err. Returns
 * 1 (skip the line) with LAB_FTRACE_LENIENT, which counts it in
 * t->malformed and keeps only the first message, else
 * LAB_FTRACE_EMALFORMED.
 */
int lab__ft_fail(struct ftrace_parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int lab__ft_push_event(struct lab_ftrace *t, const struct lab_ftrace_event *e);
int lab__ft_push_str(char ***arr, size_t *n, size_t *cap, const char *s, size_t len);
/* Index of comm @s in t->comms (added when new), -1 when memory ran out. */
long lab__ft_intern_comm(struct ftrace_parser *p, const char *s, size_t n, uint32_t pid);

/* ftrace_events.c */
/* Decimal or 0x-hex, the whole of [s, s+n); false on anything else or overflow. */
bool lab__ft_parse_u64(const char *s, size_t n, uint64_t *out);
/* The type of event @s (LAB_FT_UNKNOWN when this reader does not know it). */
enum lab_ftrace_type lab__ft_type_of(const char *s, size_t n);
/*
 * Decodes the payload [pl, end) of event @name into @e (e->type already
 * set by lab__ft_type_of). Returns 0, 1 (skip line, lenient) or a
 * negative LAB_FTRACE_E*.
 */
int lab__ft_decode_event(struct ftrace_parser *p, const char *name, size_t namelen,
			 const char *pl, const char *end, struct lab_ftrace_event *e);

/* ftrace_dat.c: a trace.dat already in memory (@buf) or, when
 * @from_file, read again by libtracecmd from @path. */
int lab__ft_load_dat(const char *path, const unsigned char *buf, size_t len, bool from_file,
		     const struct lab_ftrace_opts *o, struct lab_ftrace *t, char *err, size_t errsz);

#pragma GCC visibility pop

#endif
