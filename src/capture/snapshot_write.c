// SPDX-License-Identifier: MIT
/*
 * capture/snapshot_write.c - one /proc snapshot of a running Linux, saved
 * the way formats/snapshot.c reads it (the layout of the realkernel runs
 * under tests/data/realkernel/): each /proc file copied as it is, byte for
 * byte, under the name KIND.SUFFIX, and the vm.* sysctls as NAME=value lines.
 *
 *   ROOT/proc/zoneinfo     -> DIR/zoneinfo.SUFFIX
 *   ROOT/proc/buddyinfo    -> DIR/buddyinfo.SUFFIX
 *   ROOT/proc/pagetypeinfo -> DIR/pagetypeinfo.SUFFIX   (root only, 0400)
 *   ROOT/proc/meminfo      -> DIR/meminfo.SUFFIX
 *   ROOT/proc/vmstat       -> DIR/vmstat.SUFFIX
 *   ROOT/proc/sys/vm/NAME  -> DIR/vm_sysctl.SUFFIX       ("NAME=value" lines)
 *   uname(2), ROOT/proc/cmdline, ROOT/sys/kernel/mm/transparent_hugepage/enabled
 *                          -> DIR/uname.txt cmdline.txt thp_enabled.txt
 *
 * The files are read whole before anything is written (procfs files have
 * no size; each read of seq_file text is one consistent pass per zone).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include "capture/capture.h"
#include "formats/snapshot.h"
#include "util/text.h"

/* The whole of @path (NUL-terminated, *len bytes) or NULL with errno set. */
static char *slurp(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	size_t cap = 16384, n = 0;
	char *buf = malloc(cap);
	while (buf) {
		if (n + 4096 + 1 > cap) {
			char *nb = realloc(buf, cap *= 2);
			if (!nb) {
				free(buf);
				buf = NULL;
				errno = ENOMEM;
				break;
			}
			buf = nb;
		}
		ssize_t r = read(fd, buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			free(buf);
			buf = NULL;
			errno = e;
			break;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	if (buf) {
		buf[n] = 0;
		*len = n;
	}
	return buf;
}

static const char *root_of(const struct lab_snapshot_src *src)
{
	return src && src->root && *src->root ? src->root : "";
}

/* ROOT/@rel copied to DIR/@name. @optional: a missing file is skipped. */
static int copy_file(struct lab_outdir *od, const struct lab_snapshot_src *src, const char *rel,
		     const char *name, int optional, char *err, size_t errsz)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", root_of(src), rel);
	size_t len;
	char *text = slurp(path, &len);
	if (!text) {
		if (optional)
			return 0;
		return lab_errf(err, errsz, -1, "%s: %s", path, strerror(errno));
	}
	int rc = lab_outdir_write(od, name, text, len, err, errsz);
	free(text);
	return rc;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Appends "NAME=value\n" for ROOT/proc/sys/vm/NAME (whitespace runs inside
 * the value, as lowmem_reserve_ratio's tabs, become one space). */
static void sysctl_line(struct lab_sbuf *sb, const char *dir, const char *name)
{
	char path[4096];
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		return;
	size_t len;
	char *v = slurp(path, &len);
	if (!v)
		return;                         /* write-only (drop_caches) or gone */
	lab_sb_printf(sb, "%s=", name);
	int sp = 0, any = 0;
	for (char *c = v; *c; c++) {
		if (*c == ' ' || *c == '\t' || *c == '\n') {
			sp = any;
			continue;
		}
		if (sp)
			lab_sb_printf(sb, " ");
		lab_sb_printf(sb, "%c", *c);
		sp = 0;
		any = 1;
	}
	lab_sb_printf(sb, "\n");
	free(v);
}

static int write_sysctls(struct lab_outdir *od, const struct lab_snapshot_src *src, const char *name,
			 char *err, size_t errsz)
{
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s/proc/sys/vm", root_of(src));
	DIR *d = opendir(dir);
	if (!d)
		return lab_errf(err, errsz, -1, "%s: %s", dir, strerror(errno));
	char *names[256];
	int n = 0;
	struct dirent *de;
	while ((de = readdir(d)) && n < 256)
		if (de->d_name[0] != '.' && (names[n] = strdup(de->d_name)))
			n++;
	closedir(d);
	qsort(names, (size_t)n, sizeof(names[0]), cmp_names);
	struct lab_sbuf sb = { .buf = NULL, .size = 0, .len = 0 };
	for (int pass = 0; pass < 2; pass++) {  /* measure, then fill */
		sb.len = 0;
		for (int i = 0; i < n; i++)
			sysctl_line(&sb, dir, names[i]);
		if (pass == 0 && !(sb.buf = malloc(sb.size = sb.len + 1)))
			break;
	}
	for (int i = 0; i < n; i++)
		free(names[i]);
	if (!sb.buf)
		return lab_errf(err, errsz, -1, "out of memory");
	/* a sysctl that grew between the passes is cut: the text stays whole lines */
	size_t len = sb.len < sb.size ? sb.len : sb.size - 1;
	while (len && sb.buf[len - 1] != '\n')
		len--;
	int rc = lab_outdir_write(od, name, sb.buf, len, err, errsz);
	free(sb.buf);
	return rc;
}

static int write_system(struct lab_outdir *od, const struct lab_snapshot_src *src, char *err, size_t errsz)
{
	char line[1024];
	struct utsname u;
	if (!*root_of(src) && uname(&u) == 0) {
		int n = snprintf(line, sizeof(line), "%s %s %s %s %s\n", u.sysname, u.nodename, u.release,
				 u.version, u.machine);
		if (lab_outdir_write(od, "uname.txt", line, (size_t)n, err, errsz))
			return -1;
	}
	if (copy_file(od, src, "proc/cmdline", "cmdline.txt", 1, err, errsz))
		return -1;
	return copy_file(od, src, "sys/kernel/mm/transparent_hugepage/enabled", "thp_enabled.txt", 1, err, errsz);
}

int lab_snapshot_write(struct lab_outdir *od, const struct lab_snapshot_src *src, const char *suffix,
		       int with_system, char *err, size_t errsz)
{
	static const struct { const char *rel, *kind; int optional; } files[] = {
		{ "proc/zoneinfo", "zoneinfo", 0 },
		{ "proc/buddyinfo", "buddyinfo", 0 },
		{ "proc/pagetypeinfo", "pagetypeinfo", 1 },
		{ "proc/meminfo", "meminfo", 0 },
		{ "proc/vmstat", "vmstat", 0 },
	};
	char name[96];
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(name, sizeof(name), "%s.%s", files[i].kind, suffix);
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s", root_of(src), files[i].rel);
		if (files[i].optional && access(path, R_OK)) {
			if (!(src && src->quiet))
				fprintf(stderr, "labyrinth: note: %s is not readable (%s): the snapshot has no %s "
					"(free blocks per migratetype); run as root for it\n", path, strerror(errno), name);
			continue;
		}
		if (copy_file(od, src, files[i].rel, name, 0, err, errsz))
			return -1;
	}
	snprintf(name, sizeof(name), "vm_sysctl.%s", suffix);
	if (write_sysctls(od, src, name, err, errsz))
		return -1;
	if (with_system && write_system(od, src, err, errsz))
		return -1;
	/* read back: what replay and top will read, or an error now */
	static struct lab_snapshot check;
	char rerr[1024];
	if (lab_snapshot_read(od->path, suffix, &check, rerr, sizeof(rerr)))
		return lab_errf(err, errsz, -1, "the snapshot does not read back: %s", rerr);
	int zones = 0;
	for (int z = 0; z < LAB_MAX_NR_ZONES; z++)
		zones += check.zone[z].present_in_file && check.zone[z].spanned && check.zone[z].managed;
	if (!(check.have & LAB_SNAP_BUDDYINFO) || !zones)
		return lab_errf(err, errsz, -1, "%s/zoneinfo.%s: no zone with spanned and managed pages in it "
				"(not the text of /proc/zoneinfo?)", od->path, suffix);
	return 0;
}
