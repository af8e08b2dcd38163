// SPDX-License-Identifier: MIT
/*
 * capture/outdir.c - the output folder of `snapshot` and `record`, and the
 * list of what this run wrote into it, so that a failure takes back exactly
 * that and nothing else:
 *
 *   struct lab_outdir: path, created?  files[0 .. nr_files)
 *                                        "zoneinfo.before", "trace.txt", ...
 *
 * An existing folder is accepted only when empty: a recording never mixes
 * with an older one, and discarding never removes a file it did not write.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "capture/capture.h"
#include "util/text.h"

static int dir_is_empty(const char *path)
{
	DIR *d = opendir(path);
	if (!d)
		return -1;
	struct dirent *de;
	int empty = 1;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			empty = 0;
	closedir(d);
	return empty;
}

int lab_outdir_open(struct lab_outdir *od, const char *path, char *err, size_t errsz)
{
	memset(od, 0, sizeof(*od));
	if (!path || !*path || strlen(path) >= sizeof(od->path) - 80)
		return lab_errf(err, errsz, -1, "bad output folder '%s'", path ? path : "");
	snprintf(od->path, sizeof(od->path), "%s", path);
	if (mkdir(path, 0755) == 0) {
		od->created = 1;
		return 0;
	}
	if (errno != EEXIST)
		return lab_errf(err, errsz, -1, "%s: cannot create the folder: %s", path, strerror(errno));
	int e = dir_is_empty(path);
	if (e < 0)
		return lab_errf(err, errsz, -1, "%s: exists and is not a readable folder", path);
	if (!e)
		return lab_errf(err, errsz, -1, "%s: the folder is not empty (give a new or empty one)", path);
	return 0;
}

static int remember(struct lab_outdir *od, const char *name, char *err, size_t errsz)
{
	for (int i = 0; i < od->nr_files; i++)
		if (!strcmp(od->files[i], name))
			return 0;
	if (od->nr_files >= LAB_OUTDIR_MAX_FILES || strlen(name) >= sizeof(od->files[0]))
		return lab_errf(err, errsz, -1, "%s/%s: too many output files", od->path, name);
	snprintf(od->files[od->nr_files++], sizeof(od->files[0]), "%s", name);
	return 0;
}

int lab_outdir_create_fd(struct lab_outdir *od, const char *name, char *err, size_t errsz)
{
	if (remember(od, name, err, errsz))
		return -1;
	char path[sizeof(od->path) + 80];
	snprintf(path, sizeof(path), "%s/%s", od->path, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return lab_errf(err, errsz, -1, "%s: %s", path, strerror(errno));
	return fd;
}

int lab_outdir_write(struct lab_outdir *od, const char *name, const void *data, size_t len,
		     char *err, size_t errsz)
{
	int fd = lab_outdir_create_fd(od, name, err, errsz);
	if (fd < 0)
		return -1;
	const char *p = data;
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int e = n < 0 ? errno : ENOSPC;
			close(fd);
			return lab_errf(err, errsz, -1, "%s/%s: %s", od->path, name, strerror(e));
		}
		p += n;
		len -= (size_t)n;
	}
	/* a full disk may only show at close (NFS) or fsync (delayed allocation) */
	if (close(fd))
		return lab_errf(err, errsz, -1, "%s/%s: %s", od->path, name, strerror(errno));
	return 0;
}

void lab_outdir_discard(struct lab_outdir *od)
{
	char path[sizeof(od->path) + 80];
	for (int i = 0; i < od->nr_files; i++) {
		snprintf(path, sizeof(path), "%s/%s", od->path, od->files[i]);
		unlink(path);
	}
	od->nr_files = 0;
	if (od->created)
		rmdir(od->path);
	od->created = 0;
}
