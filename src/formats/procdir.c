// SPDX-License-Identifier: MIT
/*
 * formats/procdir.c - see procdir.h. The per-file parsers are
 * formats/snapshot.c's; this file finds the files, splits multi-node text
 * into one text per node, reads /proc/vmstat and the kernel release.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "formats/procdir.h"
#include "formats/input.h"

/* "Node 3, zone ..." (any spacing): 3; -1 when @l is no such line. */
static int line_node(const char *l)
{
	int node;
	if (sscanf(l, " Node %d,", &node) == 1 && node >= 0)
		return node;
	return -1;
}

/*
 * The lines of @text that belong to node @node: "Node N" lines of other
 * nodes go, and for zoneinfo (@sections) so do the lines under them up to
 * the next "Node" line. Lines before any "Node" line stay (headers).
 */
static char *node_text(const char *text, int node, int sections)
{
	size_t len = strlen(text);
	char *out = malloc(len + 1), *o = out;
	if (!out)
		return NULL;
	int cur = -1;
	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) + 1 : strlen(p);
		int ln = line_node(p);
		if (ln >= 0)
			cur = ln;
		if (ln == node || (ln < 0 && (!sections || cur < 0 || cur == node))) {
			memcpy(o, p, n);
			o += n;
		}
		p += n;
	}
	*o = 0;
	return out;
}

/* The nodes named by zoneinfo's "Node N, zone" lines, in order. */
static int list_nodes(const char *zoneinfo, int *ids, int max)
{
	int n = 0;
	for (const char *p = zoneinfo; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		int id = line_node(p), dup = 0;
		if (id < 0)
			continue;
		for (int i = 0; i < n; i++)
			dup |= ids[i] == id;
		if (!dup && n < max)
			ids[n++] = id;
	}
	return n;
}

/* Whole file into *@text; 1 read, 0 absent or unreadable (why in @why),
 * -1 on another error (message in @err). */
static int slurp(const char *path, char **text, char *why, size_t whysz)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(why, whysz, "%s", strerror(errno));
		return 0;
	}
	fclose(f);
	size_t len;
	char err[256];
	if (lab_input_read(path, LAB_INPUT_NO_LIMIT, text, &len, NULL, err, sizeof(err))) {
		snprintf(why, whysz, "%s", err);
		return 0;
	}
	return 1;
}

static void note_missing(struct lab_procdir *out, unsigned bit, const char *file, const char *why)
{
	size_t n = strlen(out->missing_why);
	out->missing |= bit;
	snprintf(out->missing_why + n, sizeof(out->missing_why) - n, "%s%s: %s", n ? "; " : "", file, why);
}

static void path_of(char *buf, size_t size, const char *dir, const char *file, const char *suffix)
{
	if (suffix)
		snprintf(buf, size, "%s/%s.%s", dir, file, suffix);
	else
		snprintf(buf, size, "%s/%s", dir, file);
}

/* The vm.* sysctls: vm_sysctl[.SUFFIX], else DIR/sys/vm/<name> (live /proc),
 * as "key=value" text for lab_snapshot_parse_sysctl. NULL if none. */
static char *sysctl_text(const char *dir, const char *suffix, char *name, size_t namesz)
{
	static const char *const keys[] = {
		"min_free_kbytes", "watermark_scale_factor", "watermark_boost_factor", "extfrag_threshold",
		"percpu_pagelist_high_fraction", "compaction_proactiveness", "lowmem_reserve_ratio",
	};
	char why[256], *text = NULL;
	path_of(name, namesz, dir, "vm_sysctl", suffix);
	if (slurp(name, &text, why, sizeof(why)))
		return text;
	if (suffix)
		return NULL;
	size_t cap = 1024, len = 0;
	char *acc = malloc(cap);
	if (!acc)
		return NULL;
	acc[0] = 0;
	snprintf(name, namesz, "%s/sys/vm", dir);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		char path[4096], *v = NULL;
		snprintf(path, sizeof(path), "%s/sys/vm/%s", dir, keys[i]);
		if (!slurp(path, &v, why, sizeof(why)))
			continue;
		v[strcspn(v, "\n")] = 0;
		for (char *t = v; *t; t++)
			if (*t == '\t')
				*t = ' ';
		int n = snprintf(acc + len, cap - len, "%s=%s\n", keys[i], v);
		free(v);
		if (n > 0 && (size_t)n < cap - len)
			len += (size_t)n;
	}
	if (!len) {
		free(acc);
		return NULL;
	}
	return acc;
}

int lab_procdir_parse_vmstat(const char *text, const char *name, struct lab_procdir *out, char *err,
			     size_t errsz)
{
	int lineno = 0;
	out->nr_vmstat = 0;
	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		lineno++;
		char key[48];
		unsigned long long v;
		int used = 0;
		if (n && sscanf(p, "%47s %llu%n", key, &v, &used) == 2 && (size_t)used <= n) {
			if (out->nr_vmstat < LAB_PROC_MAX_VMSTAT) {
				struct lab_vmstat_entry *e = &out->vmstat[out->nr_vmstat++];
				snprintf(e->name, sizeof(e->name), "%s", key);
				e->value = v;
			}
		} else if (n) {
			snprintf(err, errsz, "%s:%d: expected 'name value'", name, lineno);
			return -1;
		}
		p += nl ? n + 1 : n;
	}
	return 0;
}

uint64_t lab_procdir_vmstat(const struct lab_procdir *p, const char *name, int *found)
{
	for (size_t i = 0; i < p->nr_vmstat; i++)
		if (!strcmp(p->vmstat[i].name, name)) {
			if (found)
				*found = 1;
			return p->vmstat[i].value;
		}
	if (found)
		*found = 0;
	return 0;
}

void lab_procdir_parse_release(const char *text, char *out, size_t size)
{
	const char *g = strstr(text, "guest_uname:");
	const char *p = g ? g + 12 : text;
	char w[3][64] = { "", "", "" };
	int n = sscanf(p, " %63s %63s %63s", w[0], w[1], w[2]);
	/* "Linux HOST RELEASE ..." (uname -a) or "RELEASE" (osrelease, uname -r) */
	snprintf(out, size, "%s", n >= 3 && !strcmp(w[0], "Linux") ? w[2] : n >= 1 ? w[0] : "");
}

static void read_release(const char *dir, const char *suffix, struct lab_procdir *out)
{
	const char *files[] = { "uname", "sys/kernel/osrelease", "meta.txt" };
	char path[4096], why[256], *text;
	for (size_t i = 0; i < 3 && !out->release[0]; i++) {
		path_of(path, sizeof(path), dir, files[i], suffix && i == 0 ? suffix : NULL);
		if (slurp(path, &text, why, sizeof(why))) {
			lab_procdir_parse_release(text, out->release, sizeof(out->release));
			free(text);
		}
	}
}

typedef int (*snap_parse)(const char *, const char *, struct lab_snapshot *, char *, size_t);

/* One of the per-node files: each node's share parsed into its snapshot
 * (@sections -1: the whole text to every node). */
static int read_split(struct lab_procdir *out, const char *path, const char *text, snap_parse fn, int sections,
		      char *err, size_t errsz)
{
	for (int i = 0; i < out->nr_nodes; i++) {
		char *t = sections < 0 ? strdup(text) : node_text(text, out->node_id[i], sections);
		if (!t) {
			snprintf(err, errsz, "%s: out of memory", path);
			return -1;
		}
		int rc = fn(t, path, &out->node[i], err, errsz);
		free(t);
		if (rc)
			return -1;
	}
	return 0;
}

int lab_procdir_parse(struct lab_procdir *out, enum lab_proc_file kind, const char *text, const char *name,
		      char *err, size_t errsz)
{
	static const struct { unsigned bit; snap_parse fn; int sections; } kinds[] = {
		[LAB_PROC_ZONEINFO] = { LAB_SNAP_ZONEINFO, lab_snapshot_parse_zoneinfo, 1 },
		[LAB_PROC_BUDDYINFO] = { LAB_SNAP_BUDDYINFO, lab_snapshot_parse_buddyinfo, 0 },
		[LAB_PROC_PAGETYPEINFO] = { LAB_SNAP_PAGETYPEINFO, lab_snapshot_parse_pagetypeinfo, 0 },
		[LAB_PROC_SYSCTL] = { LAB_SNAP_SYSCTL, lab_snapshot_parse_sysctl, 0 },
		[LAB_PROC_MEMINFO] = { LAB_SNAP_MEMINFO, lab_snapshot_parse_meminfo, 0 },
	};
	if (kind == LAB_PROC_VMSTAT_FILE)
		return lab_procdir_parse_vmstat(text, name, out, err, errsz);
	if (kind == LAB_PROC_ZONEINFO) {
		out->nr_nodes = list_nodes(text, out->node_id, LAB_PROC_MAX_NODES);
		if (!out->nr_nodes) {
			snprintf(err, errsz, "%s: no 'Node N, zone NAME' line", name);
			return -1;
		}
		for (int i = 0; i < out->nr_nodes; i++)
			lab_snapshot_init(&out->node[i]);
	} else if (!out->nr_nodes) {
		snprintf(err, errsz, "%s: read before zoneinfo", name);
		return -1;
	}
	/* the sysctls are the machine's: every node gets them whole */
	return read_split(out, name, text, kinds[kind].fn, kind == LAB_PROC_SYSCTL ? -1 : kinds[kind].sections,
			  err, errsz);
}

/* DIR's zoneinfo missing: the message, naming the snapshots DIR holds. */
static void no_zoneinfo(const char *dir, const char *suffix, const char *path, const char *why, char *err,
			size_t errsz)
{
	char names[8][32], list[160] = "";
	int n = suffix ? 0 : lab_snapshot_list(dir, names, 8);
	for (int i = 0; i < n; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", i ? ", " : "", names[i]);
	snprintf(err, errsz, "%s: %s%s%s%s", path, why, n ? " (the directory holds snapshots with suffixes " : "",
		 list, n ? ")" : "");
}

int lab_procdir_read(const char *dir, const char *suffix, struct lab_procdir *out, char *err, size_t errsz)
{
	static const struct { const char *file; enum lab_proc_file kind; unsigned bit; } files[] = {
		{ "zoneinfo", LAB_PROC_ZONEINFO, LAB_SNAP_ZONEINFO },
		{ "buddyinfo", LAB_PROC_BUDDYINFO, LAB_SNAP_BUDDYINFO },
		{ "pagetypeinfo", LAB_PROC_PAGETYPEINFO, LAB_SNAP_PAGETYPEINFO },
		{ "meminfo", LAB_PROC_MEMINFO, LAB_SNAP_MEMINFO },
		{ "vmstat", LAB_PROC_VMSTAT_FILE, LAB_PROC_VMSTAT },
	};
	char path[4096], why[256], *text = NULL;
	memset(out, 0, sizeof(*out));
	for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		path_of(path, sizeof(path), dir, files[f].file, suffix);
		if (!slurp(path, &text, why, sizeof(why))) {
			if (files[f].kind == LAB_PROC_ZONEINFO) {
				no_zoneinfo(dir, suffix, path, why, err, errsz);
				return -1;
			}
			if (files[f].kind != LAB_PROC_MEMINFO)
				note_missing(out, files[f].bit, files[f].file, why);
			continue;
		}
		int rc = lab_procdir_parse(out, files[f].kind, text, path, err, errsz);
		free(text);
		if (rc)
			return -1;
	}
	if ((text = sysctl_text(dir, suffix, path, sizeof(path)))) {
		int rc = lab_procdir_parse(out, LAB_PROC_SYSCTL, text, path, err, errsz);
		free(text);
		if (rc)
			return -1;
	} else {
		note_missing(out, LAB_SNAP_SYSCTL, "vm sysctls", "not found");
	}
	read_release(dir, suffix, out);
	return 0;
}
