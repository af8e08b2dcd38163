/* SPDX-License-Identifier: MIT */
/*
 * tests/engines/test_top.c - `labyrinth top`'s numbers.
 *
 * The headroom top prints is confirmed by the allocator itself: the same
 * snapshot's node is rebuilt in a Labyrinth instance (tests/util/
 * snapshot_machine.c: free lists per order and migratetype, pageblock
 * types, marks, boost, lowmem_reserve, highatomic reserve), and GFP_ATOMIC
 * requests of order k are made until one fails; the number each zone
 * served equals the printed headroom, for every order, every snapshot of
 * tests/data/realkernel and a copy of this machine's /proc taken by the
 * test. The instance runs with watermark_boost_factor 0: the headroom is
 * counted at the zone's current marks (docs/top.md says why). Run again
 * with the snapshot's boost factor, where fallback steals raise the marks
 * as the sequence goes, every zone serves between the boosted headroom
 * (the boost at its cap) and the headroom.
 *
 * Also: the rules profile chosen for a release, a missing pagetypeinfo
 * (reported, headroom from buddyinfo, still confirmed), rates from
 * vmstat deltas, the headroom history, and a bad zoneinfo.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/fixture.h"
#include "util/snapshot_machine.h"
#include "engines/top.h"

#define REALKERNEL LAB_SOURCE_DIR "/tests/data/realkernel"

/* Allocations the rebuilt node serves, per zone, GFP_ATOMIC order @o until
 * failure, with vm.watermark_boost_factor @factor. */
static void serve_until_failure(struct snapshot_machine *m, unsigned o, int64_t served[LAB_MAX_NR_ZONES])
{
	struct lab_page *p;
	memset(served, 0, sizeof(int64_t) * LAB_MAX_NR_ZONES);
	while ((p = lab_alloc_pages(m->mem, LAB_GFP_ATOMIC | LAB___GFP_NOWARN, o))) {
		int z = snapshot_machine_zone(m, p);
		assert_true(z >= 0);
		served[z]++;
	}
}

static int tight, differ; /* zones x orders where boosted != headroom; of them served exactly */

/*
 * The node of @t's reading @n rebuilt: with boost factor 0 every zone
 * serves exactly its headroom; with the snapshot's factor (fallback steals
 * boost the marks as they go) it serves between the boosted headroom and
 * the headroom.
 */
static void confirm_node(const struct lab_top *t, int n, const char *what, int boosting)
{
	struct snapshot_machine m;
	char err[256];
	const struct lab_snapshot *s = &t->cur->node[n];
	int factor = !boosting ? 0 : s->watermark_boost_factor >= 0 ? s->watermark_boost_factor : 15000;
	if (snapshot_machine_build(&m, s, factor, err, sizeof(err)))
		fail_msg("%s node %d: %s", what, t->cur->node_id[n], err);
	void *pristine = malloc(m.bytes);
	assert_non_null(pristine);
	memcpy(pristine, m.meta, m.bytes);
	for (unsigned o = 0; o < LAB_MAX_ORDER; o++) {
		int64_t served[LAB_MAX_NR_ZONES];
		memcpy(m.meta, pristine, m.bytes);
		serve_until_failure(&m, o, served);
		for (int zi = 0; zi < t->nr_zones; zi++) {
			const struct lab_top_zone *tz = &t->zone[zi];
			int64_t got = served[tz->zone];
			if (tz->node != t->cur->node_id[n])
				continue;
			if (!boosting && got != tz->headroom[o])
				fail_msg("%s node %d %s order %u: allocator served %lld, top printed %lld", what, tz->node,
					 lab_zone_names[tz->zone], o, (long long)got, (long long)tz->headroom[o]);
			if (boosting && (got < tz->headroom_boosted[o] || got > tz->headroom[o]))
				fail_msg("%s node %d %s order %u, boost factor %d: allocator served %lld, outside "
					 "boosted %lld .. headroom %lld", what, tz->node, lab_zone_names[tz->zone], o,
					 factor, (long long)got, (long long)tz->headroom_boosted[o],
					 (long long)tz->headroom[o]);
			differ += boosting && tz->headroom_boosted[o] != tz->headroom[o];
			tight += boosting && got == tz->headroom_boosted[o] && tz->headroom_boosted[o] != tz->headroom[o];
		}
		if (o == 0 || o == LAB_MAX_ORDER - 1)
			assert_int_equal(lab_mem_check(m.mem), 0);
	}
	free(pristine);
	snapshot_machine_free(&m);
}

static int confirm_dir(const char *dir, const char *suffix, const char *what)
{
	struct lab_top *t = lab_top_new();
	char err[512];
	assert_non_null(t);
	if (lab_top_refresh(t, dir, suffix, 1.0, err, sizeof(err)))
		fail_msg("%s: %s", what, err);
	int zones = 0;
	for (int n = 0; n < t->cur->nr_nodes; n++) {
		confirm_node(t, n, what, 0);
		confirm_node(t, n, what, 1);
	}
	for (int zi = 0; zi < t->nr_zones; zi++)
		zones += t->zone[zi].allowed && t->zone[zi].headroom[0] > 0;
	lab_top_free(t);
	return zones;
}

/* Every realkernel snapshot: each zone serves exactly its headroom. */
static void test_top_headroom_is_what_the_allocator_serves_on_the_corpus(void **state)
{
	(void)state;
	DIR *d = opendir(REALKERNEL);
	struct dirent *de;
	int snaps = 0, zones = 0;
	assert_non_null(d);
	while ((de = readdir(d))) {
		char dir[1024], names[16][32];
		if (de->d_name[0] == '.')
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", REALKERNEL, de->d_name);
		int k = lab_snapshot_list(dir, names, 16);
		for (int i = 0; i < k; i++) {
			char what[1400], zi[1100];
			int n = snprintf(zi, sizeof(zi), "%s/zoneinfo.%s", dir, names[i]);
			assert_true(n > 0 && (size_t)n < sizeof(zi));
			if (access(zi, R_OK))
				continue;          /* buddyinfo-only snapshots: top needs zoneinfo */
			snprintf(what, sizeof(what), "%s.%s", de->d_name, names[i]);
			zones += confirm_dir(dir, names[i], what);
			snaps++;
		}
	}
	closedir(d);
	printf("corpus: %d snapshots, %d zones with headroom, all confirmed; with boosting, the boosted "
	       "headroom served exactly in %d of the %d (zone, order) cases where it differs\n", snaps, zones, tight,
	       differ);
	assert_true(snaps >= 10);
	assert_true(zones >= snaps);
}

static void copy_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "r"), *out;
	if (!in)
		return;
	out = fopen(to, "w");
	assert_non_null(out);
	char buf[65536];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		assert_int_equal(fwrite(buf, 1, n, out), n);
	fclose(in);
	fclose(out);
}

/* A copy of /proc as the test runs (one reading for top and the rebuild). */
static void copy_proc(char *dir, size_t size, int with_pagetypeinfo)
{
	static const char *const files[] = { "zoneinfo", "buddyinfo", "pagetypeinfo", "vmstat" };
	snprintf(dir, size, "/tmp/lab-test-top-XXXXXX");
	assert_non_null(mkdtemp(dir));
	for (size_t i = 0; i < 4; i++) {
		char from[64], to[512];
		if (!with_pagetypeinfo && !strcmp(files[i], "pagetypeinfo"))
			continue;
		snprintf(from, sizeof(from), "/proc/%s", files[i]);
		snprintf(to, sizeof(to), "%s/%s", dir, files[i]);
		copy_file(from, to);
	}
}

static void remove_dir(const char *dir)
{
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/* This machine's /proc: each zone serves exactly its headroom. */
static void test_top_headroom_is_what_the_allocator_serves_on_this_machine(void **state)
{
	(void)state;
	char dir[64];
	if (access("/proc/zoneinfo", R_OK))
		skip();
	copy_proc(dir, sizeof(dir), 1);
	int zones = confirm_dir(dir, NULL, "/proc");
	printf("/proc: %d zones with headroom, confirmed%s\n", zones,
	       access("/proc/pagetypeinfo", R_OK) ? " (no pagetypeinfo: not root)" : "");
	assert_true(zones >= 1);
	remove_dir(dir);
}

/* Without pagetypeinfo (non-root), top says so and goes on from buddyinfo,
 * and that headroom too is what the allocator serves. */
static void test_top_without_pagetypeinfo_says_what_is_missing(void **state)
{
	(void)state;
	char dir[64], to[128];
	snprintf(dir, sizeof(dir), "/tmp/lab-test-top-XXXXXX");
	assert_non_null(mkdtemp(dir));
	static const char *const files[] = { "zoneinfo", "buddyinfo", "vmstat", "vm_sysctl" };
	for (int i = 0; i < 4; i++) {
		char from[512];
		snprintf(from, sizeof(from), "%s/boot-idle-256M/%s.before", REALKERNEL, files[i]);
		snprintf(to, sizeof(to), "%s/%s", dir, files[i]);
		copy_file(from, to);
	}
	struct lab_top *t = lab_top_new();
	char err[256];
	assert_int_equal(lab_top_refresh(t, dir, NULL, 1.0, err, sizeof(err)), 0);
	assert_true(t->cur->missing & LAB_SNAP_PAGETYPEINFO);
	assert_non_null(strstr(t->cur->missing_why, "pagetypeinfo: No such file"));
	assert_string_equal(t->headroom_basis, "buddyinfo");
	lab_top_free(t);
	assert_true(confirm_dir(dir, NULL, "boot-idle without pagetypeinfo") >= 1);
	remove_dir(dir);
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static const char zoneinfo_one[] =
	"Node 0, zone    DMA32\n"
	"  pages free     4096\n"
	"        boost    0\n"
	"        min      100\n"
	"        low      125\n"
	"        high     150\n"
	"        spanned  4096\n"
	"        present  4096\n"
	"        managed  4096\n"
	"        protection: (0, 0, 0, 0, 0)\n"
	"  start_pfn:           4096\n";

/* Rates are counter deltas over the refresh interval; none on the first. */
static void test_top_rates_are_vmstat_deltas_per_second(void **state)
{
	(void)state;
	char dir[64], p[128], err[256];
	snprintf(dir, sizeof(dir), "/tmp/lab-test-top-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/zoneinfo", dir);
	write_text(p, zoneinfo_one);
	snprintf(p, sizeof(p), "%s/buddyinfo", dir);
	write_text(p, "Node 0, zone    DMA32 0 0 0 0 0 0 0 0 0 0 4\n");
	snprintf(p, sizeof(p), "%s/vmstat", dir);
	write_text(p, "pgalloc_dma32 100\npgalloc_normal 50\nallocstall_normal 1\ncompact_stall 2\npageoutrun 7\n");
	struct lab_top *t = lab_top_new();
	assert_int_equal(lab_top_refresh(t, dir, NULL, 10.0, err, sizeof(err)), 0);
	assert_false(t->have_rates);
	write_text(p, "pgalloc_dma32 300\npgalloc_normal 150\nallocstall_normal 5\ncompact_stall 2\npageoutrun 9\n");
	assert_int_equal(lab_top_refresh(t, dir, NULL, 12.0, err, sizeof(err)), 0);
	assert_true(t->have_rates);
	assert_true(t->rate[LAB_TOP_ALLOC] == 150.0);        /* (300 + 150 - 150) / 2 s */
	assert_true(t->rate[LAB_TOP_ALLOCSTALL] == 2.0);
	assert_true(t->rate[LAB_TOP_COMPACT_STALL] == 0.0);
	assert_true(t->rate[LAB_TOP_KSWAPD_RUNS] == 1.0);
	/* the zone: 4 order-10 blocks, min 100: 4096 - 100*3/8 order-0 atomics */
	assert_int_equal(t->nr_zones, 1);
	assert_int_equal(t->zone[0].headroom[0], 4096 - 38);
	assert_int_equal(t->zone[0].headroom[10], 3);       /* 4096 - 1023 - 1024*3 = 1 < 38 */
	/* the history, newest first */
	assert_int_equal(t->history_len, 2);
	assert_int_equal(lab_top_history(t, 0, 0, 0), 4096 - 38);
	assert_int_equal(lab_top_history(t, 0, 1, 0), 4096 - 38);
	assert_int_equal(lab_top_history(t, 0, 2, 0), -1);
	lab_top_free(t);
	remove_dir(dir);
}

/* A zoneinfo line top needs with the wrong shape: file and line named,
 * the previous reading kept. */
static void test_top_bad_zoneinfo_names_file_and_line(void **state)
{
	(void)state;
	char dir[64], p[128], err[256];
	snprintf(dir, sizeof(dir), "/tmp/lab-test-top-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/zoneinfo", dir);
	write_text(p, zoneinfo_one);
	struct lab_top *t = lab_top_new();
	assert_int_equal(lab_top_refresh(t, dir, NULL, 1.0, err, sizeof(err)), 0);
	write_text(p, "Node 0, zone    DMA32\n  pages free 1\n        protection: (x)\n");
	assert_int_equal(lab_top_refresh(t, dir, NULL, 2.0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/zoneinfo:3: bad protection list"));
	assert_int_equal(t->refreshes, 1);
	assert_int_equal(t->zone[0].free, 4096);
	unlink(p);
	assert_int_equal(lab_top_refresh(t, dir, NULL, 3.0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "zoneinfo: No such file"));
	lab_top_free(t);
	remove_dir(dir);
}

/* The one uname -> profile choice: 6.1 before 6.3, 6.12 from 6.3 on. */
static void test_kernel_profile_is_nearest_the_allocator_has(void **state)
{
	(void)state;
	struct lab_kernel_profile p;
	lab_kernel_profile_for("6.18.44-fc-v1272", &p);
	assert_string_equal(p.name, "6.12");
	assert_string_equal(p.why, "nearest to running 6.18.44");
	lab_kernel_profile_for("6.1.0-56-amd64", &p);
	assert_string_equal(p.name, "6.1");
	assert_string_equal(p.why, "same series as running 6.1.0");
	lab_kernel_profile_for("6.2.16", &p);
	assert_string_equal(p.name, "6.1");
	lab_kernel_profile_for("6.3", &p);
	assert_string_equal(p.name, "6.12");
	lab_kernel_profile_for("5.10.0-30-amd64", &p);
	assert_string_equal(p.name, "6.1");
	lab_kernel_profile_for("7.0.1", &p);
	assert_string_equal(p.name, "6.12");
	lab_kernel_profile_for("6.12.57+deb13", &p);
	assert_string_equal(p.why, "same series as running 6.12.57");
	lab_kernel_profile_for(NULL, &p);
	assert_string_equal(p.name, "6.12");
	assert_non_null(strstr(p.why, "unknown"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_top_headroom_is_what_the_allocator_serves_on_the_corpus),
		cmocka_unit_test(test_top_headroom_is_what_the_allocator_serves_on_this_machine),
		cmocka_unit_test(test_top_without_pagetypeinfo_says_what_is_missing),
		cmocka_unit_test(test_top_rates_are_vmstat_deltas_per_second),
		cmocka_unit_test(test_top_bad_zoneinfo_names_file_and_line),
		cmocka_unit_test(test_kernel_profile_is_nearest_the_allocator_has),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
