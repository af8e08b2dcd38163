// SPDX-License-Identifier: MIT
/*
 * formats/snapshot.c - readers of /proc/zoneinfo, /proc/buddyinfo,
 * /proc/pagetypeinfo, vm sysctls, /proc/meminfo and the ftrace per-CPU
 * stats, as saved next to a trace.
 *
 * Each parser walks lines and recognises them by their leading words, the
 * way the kernel prints them (mm/vmstat.c: zoneinfo_show_print,
 * frag_show_print, pagetypeinfo_showfree_print,
 * pagetypeinfo_showblockcount_print). Lines it has no use for are skipped;
 * a line it needs that has the wrong shape is an error with file:line.
 * Note that zoneinfo prints min/low/high *including* the watermark boost
 * (min_wmark_pages() adds zone->watermark_boost): the caller subtracts
 * `boost` to get the sysctl-derived marks.
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "formats/snapshot.h"
#include "formats/input.h"

static int err_at(char *err, size_t errsz, const char *name, int line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static int err_at(char *err, size_t errsz, const char *name, int line, const char *fmt, ...)
{
	if (err && errsz) {
		int n = line > 0 ? snprintf(err, errsz, "%s:%d: ", name, line) : snprintf(err, errsz, "%s: ", name);
		va_list ap;
		va_start(ap, fmt);
		if (n >= 0 && (size_t)n < errsz)
			vsnprintf(err + n, errsz - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return LAB_SNAP_EMALFORMED;
}

void lab_snapshot_init(struct lab_snapshot *s)
{
	memset(s, 0, sizeof(*s));
	s->min_free_kbytes = s->watermark_scale_factor = s->watermark_boost_factor = -1;
	s->extfrag_threshold = s->percpu_pagelist_high_fraction = s->compaction_proactiveness = -1;
}

int lab_snapshot_zone_index(const char *name)
{
	for (int i = 0; i < LAB_MAX_NR_ZONES; i++)
		if (!strcmp(name, lab_zone_names[i]))
			return i;
	return -1;
}

uint64_t lab_snapshot_buddy_pages(const struct lab_snapshot_zone *z)
{
	uint64_t n = 0;
	for (int o = 0; o < LAB_MAX_ORDER; o++)
		n += z->buddy[o] << o;
	return n;
}

/* Next line of @*p into @buf (truncated to its size); false at the end. */
static bool next_line(const char **p, char *buf, size_t size, int *lineno)
{
	const char *s = *p;
	if (!*s)
		return false;
	const char *nl = strchr(s, '\n');
	size_t n = nl ? (size_t)(nl - s) : strlen(s);
	size_t m = n < size - 1 ? n : size - 1;
	memcpy(buf, s, m);
	buf[m] = 0;
	if (m && buf[m - 1] == '\r')
		buf[m - 1] = 0;
	*p = nl ? nl + 1 : s + n;
	(*lineno)++;
	return true;
}

/* "Node 0, zone      DMA" at the start of @l: zone index or -1; sets *rest. */
static int node_zone(const char *l, const char **rest)
{
	int node, off = 0;
	char zname[32];
	if (sscanf(l, " Node %d, zone %31s%n", &node, zname, &off) < 2)
		return -2;
	size_t zl = strlen(zname);
	if (zl && zname[zl - 1] == ',')
		zname[zl - 1] = 0;
	if (rest)
		*rest = l + off;
	return lab_snapshot_zone_index(zname);
}

int lab_snapshot_parse_zoneinfo(const char *text, const char *name, struct lab_snapshot *s,
				char *err, size_t errsz)
{
	char l[512];
	int lineno = 0, zi = -1, cpu = -1;
	const char *p = text;
	while (next_line(&p, l, sizeof(l), &lineno)) {
		const char *rest;
		int z = node_zone(l, &rest);
		if (z != -2) {
			zi = z;
			cpu = -1;
			if (zi >= 0)
				s->zone[zi].present_in_file = 1;
			continue;
		}
		if (zi < 0)
			continue;
		struct lab_snapshot_zone *zn = &s->zone[zi];
		char key[64];
		unsigned long long v;
		int n = 0;
		if (sscanf(l, " pages free %llu", &v) == 1) {
			zn->free = v;
		} else if (sscanf(l, " protection: (%n", &n) >= 0 && n > 0) {
			const char *q = l + n;
			for (int i = 0; i < LAB_MAX_NR_ZONES; i++) {
				char *e;
				long long x = strtoll(q, &e, 10);
				if (e == q)
					return err_at(err, errsz, name, lineno, "bad protection list");
				zn->protection[i] = x;
				q = e;
				while (*q == ',' || *q == ' ')
					q++;
				if (*q == ')')
					break;
			}
		} else if (sscanf(l, " cpu: %d", &n) == 1) {
			if (n < 0 || n >= LAB_MAX_CPUS)
				return err_at(err, errsz, name, lineno, "cpu %d out of range", n);
			cpu = n;
			if ((unsigned)cpu + 1 > zn->nr_cpus)
				zn->nr_cpus = (unsigned)cpu + 1;
		} else if (sscanf(l, " %63[a-z_]: %llu", key, &v) == 2) {
			if (!strcmp(key, "start_pfn"))
				zn->start_pfn = v;
			else if (cpu >= 0 && !strcmp(key, "count"))
				zn->pcp[cpu].count = (uint32_t)v;
			else if (cpu >= 0 && !strcmp(key, "high"))
				zn->pcp[cpu].high = (uint32_t)v;
			else if (cpu >= 0 && !strcmp(key, "batch"))
				zn->pcp[cpu].batch = (uint32_t)v;
		} else if (sscanf(l, " %63s %llu", key, &v) == 2) {
			if (!strcmp(key, "boost"))
				zn->boost = v;
			else if (!strcmp(key, "min"))
				zn->min = v;
			else if (!strcmp(key, "low"))
				zn->low = v;
			else if (!strcmp(key, "high"))
				zn->high = v;
			else if (!strcmp(key, "spanned"))
				zn->spanned = v;
			else if (!strcmp(key, "present"))
				zn->present = v;
			else if (!strcmp(key, "managed"))
				zn->managed = v;
			else if (!strcmp(key, "cma"))
				zn->cma = v;
		}
	}
	s->have |= LAB_SNAP_ZONEINFO;
	return 0;
}

int lab_snapshot_parse_buddyinfo(const char *text, const char *name, struct lab_snapshot *s,
				 char *err, size_t errsz)
{
	char l[512];
	int lineno = 0;
	const char *p = text;
	while (next_line(&p, l, sizeof(l), &lineno)) {
		const char *rest;
		if (!l[strspn(l, " \t")])
			continue;
		int z = node_zone(l, &rest);
		if (z == -2)
			return err_at(err, errsz, name, lineno, "expected 'Node N, zone NAME counts...'");
		if (z < 0)
			continue;
		struct lab_snapshot_zone *zn = &s->zone[z];
		for (int o = 0; o < LAB_MAX_ORDER; o++) {
			char *e;
			unsigned long long v = strtoull(rest, &e, 10);
			if (e == rest)
				return err_at(err, errsz, name, lineno, "expected %d free counts, got %d",
					      LAB_MAX_ORDER, o);
			zn->buddy[o] = v;
			rest = e;
		}
		zn->have_buddy = 1;
	}
	s->have |= LAB_SNAP_BUDDYINFO;
	return 0;
}

static int mt_of_name(const char *n)
{
	for (int i = 0; i < LAB_MIGRATE_TYPES; i++)
		if (lab_migratetype_names[i] && !strcmp(n, lab_migratetype_names[i]))
			return i;
	return -1;
}

int lab_snapshot_parse_pagetypeinfo(const char *text, const char *name, struct lab_snapshot *s,
				    char *err, size_t errsz)
{
	char l[1024];
	int lineno = 0, cols[LAB_MIGRATE_TYPES + 2], ncols = 0;
	const char *p = text;
	while (next_line(&p, l, sizeof(l), &lineno)) {
		int v;
		if (sscanf(l, "Page block order: %d", &v) == 1) {
			s->pageblock_order = v;
			continue;
		}
		if (!strncmp(l, "Number of blocks type", 21)) {
			char *q = l + 21, *tok, *save;
			ncols = 0;
			for (tok = strtok_r(q, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
				if (ncols >= LAB_MIGRATE_TYPES + 2)
					return err_at(err, errsz, name, lineno, "too many migratetype columns");
				int mt = mt_of_name(tok);
				if (mt < 0)
					return err_at(err, errsz, name, lineno, "unknown migratetype '%s'", tok);
				if (mt == LAB_MIGRATE_CMA)
					s->pagetype_has_cma = 1;
				cols[ncols++] = mt;
			}
			continue;
		}
		const char *rest;
		int z = node_zone(l, &rest);
		if (z == -2 || z < 0)
			continue;
		struct lab_snapshot_zone *zn = &s->zone[z];
		char tname[32];
		int off = 0;
		if (sscanf(rest, " type %31s%n", tname, &off) == 1) {
			int mt = mt_of_name(tname);
			if (mt < 0)
				return err_at(err, errsz, name, lineno, "unknown migratetype '%s'", tname);
			if (mt == LAB_MIGRATE_CMA)
				s->pagetype_has_cma = 1;
			const char *q = rest + off;
			for (int o = 0; o < LAB_MAX_ORDER; o++) {
				while (*q == ' ')
					q++;
				char *e;
				unsigned long long x;
				if (*q == '>') {        /* ">100000" */
					x = strtoull(q + 1, &e, 10) + 1;
					if (e == q + 1)
						return err_at(err, errsz, name, lineno, "bad count");
				} else {
					x = strtoull(q, &e, 10);
					if (e == q)
						return err_at(err, errsz, name, lineno, "expected %d counts", LAB_MAX_ORDER);
				}
				zn->free_mt[o][mt] = x;
				q = e;
			}
			zn->have_pagetype = 1;
		} else if (ncols) {
			const char *q = rest;
			for (int c = 0; c < ncols; c++) {
				char *e;
				unsigned long long x = strtoull(q, &e, 10);
				if (e == q)
					return err_at(err, errsz, name, lineno, "expected %d block counts", ncols);
				zn->blocks_mt[cols[c]] = x;
				q = e;
			}
		}
	}
	s->have |= LAB_SNAP_PAGETYPEINFO;
	return 0;
}

int lab_snapshot_parse_sysctl(const char *text, const char *name, struct lab_snapshot *s,
			      char *err, size_t errsz)
{
	char l[512];
	int lineno = 0;
	const char *p = text;
	while (next_line(&p, l, sizeof(l), &lineno)) {
		char *k = l + strspn(l, " \t");
		if (!*k || *k == '#')
			continue;
		char *eq = strchr(k, '=');
		if (!eq)
			return err_at(err, errsz, name, lineno, "expected key=value");
		char *ke = eq;
		while (ke > k && ke[-1] == ' ')
			ke--;
		*ke = 0;
		char *v = eq + 1;
		while (*v == ' ')
			v++;
		if (!strncmp(k, "vm.", 3))
			k += 3;
		int *dst = NULL;
		if (!strcmp(k, "min_free_kbytes"))
			dst = &s->min_free_kbytes;
		else if (!strcmp(k, "watermark_scale_factor"))
			dst = &s->watermark_scale_factor;
		else if (!strcmp(k, "watermark_boost_factor"))
			dst = &s->watermark_boost_factor;
		else if (!strcmp(k, "extfrag_threshold"))
			dst = &s->extfrag_threshold;
		else if (!strcmp(k, "percpu_pagelist_high_fraction"))
			dst = &s->percpu_pagelist_high_fraction;
		else if (!strcmp(k, "compaction_proactiveness"))
			dst = &s->compaction_proactiveness;
		if (dst) {
			char *e;
			long x = strtol(v, &e, 10);
			if (e == v)
				return err_at(err, errsz, name, lineno, "bad number for %s", k);
			*dst = (int)x;
		} else if (!strcmp(k, "lowmem_reserve_ratio")) {
			int n = 0;
			char *q = v;
			while (*q && n < LAB_MAX_NR_ZONES) {
				char *e;
				long x = strtol(q, &e, 10);
				if (e == q)
					break;
				s->lowmem_reserve_ratio[n++] = (int)x;
				q = e;
				while (*q == ' ' || *q == '\t' || *q == ',')
					q++;
			}
			if (!n)
				return err_at(err, errsz, name, lineno, "bad lowmem_reserve_ratio");
			s->nr_lowmem_reserve_ratio = n;
		}
	}
	s->have |= LAB_SNAP_SYSCTL;
	return 0;
}

int lab_snapshot_parse_meminfo(const char *text, const char *name, struct lab_snapshot *s,
			       char *err, size_t errsz)
{
	char l[256];
	int lineno = 0;
	const char *p = text;
	(void)err;
	(void)errsz;
	(void)name;
	while (next_line(&p, l, sizeof(l), &lineno)) {
		unsigned long long v;
		if (sscanf(l, "MemTotal: %llu", &v) == 1)
			s->mem_total_kb = v;
		else if (sscanf(l, "MemFree: %llu", &v) == 1)
			s->mem_free_kb = v;
	}
	s->have |= LAB_SNAP_MEMINFO;
	return 0;
}

typedef int (*parse_fn)(const char *, const char *, struct lab_snapshot *, char *, size_t);

int lab_snapshot_read(const char *dir, const char *suffix, struct lab_snapshot *s,
		      char *err, size_t errsz)
{
	static const struct { const char *kind; parse_fn fn; } kinds[] = {
		{ "zoneinfo", lab_snapshot_parse_zoneinfo },
		{ "buddyinfo", lab_snapshot_parse_buddyinfo },
		{ "pagetypeinfo", lab_snapshot_parse_pagetypeinfo },
		{ "vm_sysctl", lab_snapshot_parse_sysctl },
		{ "meminfo", lab_snapshot_parse_meminfo },
	};
	int found = 0;
	lab_snapshot_init(s);
	snprintf(s->suffix, sizeof(s->suffix), "%s", suffix);
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s.%s", dir, kinds[i].kind, suffix);
		FILE *f = fopen(path, "r");
		if (!f)
			continue;
		fclose(f);
		char *text;
		size_t len;
		if (lab_input_read(path, LAB_INPUT_NO_LIMIT, &text, &len, NULL, err, errsz))
			return LAB_SNAP_EMALFORMED;
		int rc = kinds[i].fn(text, path, s, err, errsz);
		free(text);
		if (rc)
			return rc;
		found++;
	}
	if (!found) {
		if (err && errsz)
			snprintf(err, errsz, "%s: no snapshot files with suffix '.%s'", dir, suffix);
		return LAB_SNAP_ENOENT;
	}
	return 0;
}

int lab_snapshot_list(const char *dir, char (*out)[32], int max)
{
	DIR *d = opendir(dir);
	int n = 0;
	if (!d)
		return 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		const char *suf = NULL;
		if (!strncmp(de->d_name, "buddyinfo.", 10))
			suf = de->d_name + 10;
		else if (!strncmp(de->d_name, "zoneinfo.", 9))
			suf = de->d_name + 9;
		if (!suf || !*suf || strlen(suf) >= 32)
			continue;
		bool dup = false;
		for (int i = 0; i < n; i++)
			if (!strcmp(out[i], suf))
				dup = true;
		if (!dup && n < max)
			snprintf(out[n++], 32, "%s", suf);
	}
	closedir(d);
	return n;
}

int lab_trace_stats_line(const char *line, struct lab_trace_stats *st)
{
	unsigned long long v;
	if (sscanf(line, "entries: %llu", &v) == 1)
		st->entries += v;
	else if (sscanf(line, "overrun: %llu", &v) == 1)
		st->overrun += v;
	else if (sscanf(line, "commit overrun: %llu", &v) == 1)
		st->commit_overrun += v;
	else if (sscanf(line, "dropped events: %llu", &v) == 1)
		st->dropped += v;
	else if (sscanf(line, "read events: %llu", &v) == 1)
		st->read += v;
	else
		return 0;
	return 1;
}

int lab_trace_stats_read(const char *dir, struct lab_trace_stats *st, char *err, size_t errsz)
{
	char path[4096];
	char *text;
	size_t len;
	snprintf(path, sizeof(path), "%s/trace_stats.txt", dir);
	memset(st, 0, sizeof(*st));
	FILE *f = fopen(path, "r");
	if (!f)
		return LAB_SNAP_ENOENT;
	fclose(f);
	if (lab_input_read(path, LAB_INPUT_NO_LIMIT, &text, &len, NULL, err, errsz))
		return LAB_SNAP_EMALFORMED;
	char l[256];
	int lineno = 0;
	const char *p = text;
	while (next_line(&p, l, sizeof(l), &lineno)) {
		int c;
		if (sscanf(l, "== cpu%d", &c) == 1)
			st->nr_cpus++;
		else
			lab_trace_stats_line(l, st);
	}
	free(text);
	return 0;
}

/*
 * The traced kernel's release: the third word of `uname -a` in DIR/uname
 * (or uname.txt), else of the guest_uname line of DIR/meta.txt (the
 * realkernel harness), else the first word of DIR/osrelease (a copy of
 * /proc/sys/kernel/osrelease).
 */
int lab_snapshot_uname(const char *dir, char *release, size_t n, char *source, size_t srcn)
{
	static const struct { const char *file, *key; int skip; } where[] = {
		{ "uname", "", 2 }, { "uname.txt", "", 2 }, { "meta.txt", "guest_uname:", 2 }, { "osrelease", "", 0 },
	};
	for (size_t i = 0; i < sizeof(where) / sizeof(where[0]); i++) {
		char path[4096], *text;
		size_t len;
		snprintf(path, sizeof(path), "%s/%s", dir, where[i].file);
		FILE *f = fopen(path, "r");
		if (!f)
			continue;
		fclose(f);
		if (lab_input_read(path, LAB_INPUT_NO_LIMIT, &text, &len, NULL, NULL, 0))
			continue;
		const char *l = text;
		if (*where[i].key) {
			size_t kl = strlen(where[i].key);
			while (l && strncmp(l, where[i].key, kl))
				l = (l = strchr(l, '\n')) ? l + 1 : NULL;
			if (l)
				l += kl;
		}
		char w[3][128] = { "", "", "" };
		int got = l ? sscanf(l, "%127s %127s %127s", w[0], w[1], w[2]) : 0;
		free(text);
		if (got > where[i].skip) {
			snprintf(release, n, "%s", w[where[i].skip]);
			if (source && srcn)
				snprintf(source, srcn, "%s%s%.*s", where[i].file, *where[i].key ? " " : "",
					 *where[i].key ? (int)strlen(where[i].key) - 1 : 0, where[i].key);
			return 0;
		}
	}
	return LAB_SNAP_ENOENT;
}
