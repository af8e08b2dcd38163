/* SPDX-License-Identifier: MIT */
/*
 * tests/formats/test_procdir.c - the reader behind `labyrinth top`: files
 * of a two-node machine are split by node (zoneinfo by section, buddyinfo
 * and pagetypeinfo by line, sysctls to every node), vmstat is read as
 * name/value pairs, the kernel release comes from uname -a, osrelease or a
 * meta.txt, and bad text is refused with its file and line.
 */
#include <stdio.h>
#include <string.h>
#include "util/fixture.h"
#include "formats/procdir.h"

static const char zoneinfo2[] =
	"Node 0, zone    DMA32\n"
	"  pages free     1000\n"
	"        min      10\n"
	"        managed  4096\n"
	"        protection: (0, 0, 7, 7, 7)\n"
	"Node 0, zone   Normal\n"
	"  pages free     2000\n"
	"        min      20\n"
	"        managed  8192\n"
	"Node 1, zone   Normal\n"
	"  pages free     3000\n"
	"        min      30\n"
	"        managed  8192\n"
	"  pagesets\n"
	"    cpu: 1\n"
	"              count: 42\n";

static const char buddyinfo2[] =
	"Node 0, zone    DMA32      1      0      0      0      0      0      0      0      0      0      1\n"
	"Node 0, zone   Normal      2      0      0      0      0      0      0      0      0      0      1\n"
	"Node 1, zone   Normal      3      0      0      0      0      0      0      0      0      0      2\n";

static const char pagetypeinfo2[] =
	"Page block order: 9\n"
	"Pages per block:  512\n\n"
	"Free pages count per migrate type at order       0      1      2      3      4      5      6      7      8      9     10 \n"
	"Node    0, zone   Normal, type    Unmovable      2      0      0      0      0      0      0      0      0      0      1 \n"
	"Node    1, zone   Normal, type    Unmovable      3      0      0      0      0      0      0      0      0      0      2 \n\n"
	"Number of blocks type     Unmovable      Movable  Reclaimable   HighAtomic      Isolate \n"
	"Node 0, zone   Normal            4           12            0            0            0 \n"
	"Node 1, zone   Normal            5           10            0            1            0 \n";

/* Each node gets its own sections, lines and rows; sysctls go to both. */
static void test_procdir_splits_files_by_node(void **state)
{
	(void)state;
	static struct lab_procdir p;
	char err[256];
	memset(&p, 0, sizeof(p));
	assert_int_equal(lab_procdir_parse(&p, LAB_PROC_ZONEINFO, zoneinfo2, "zoneinfo", err, sizeof(err)), 0);
	assert_int_equal(lab_procdir_parse(&p, LAB_PROC_BUDDYINFO, buddyinfo2, "buddyinfo", err, sizeof(err)), 0);
	assert_int_equal(lab_procdir_parse(&p, LAB_PROC_PAGETYPEINFO, pagetypeinfo2, "pti", err, sizeof(err)), 0);
	assert_int_equal(lab_procdir_parse(&p, LAB_PROC_SYSCTL, "vm.watermark_boost_factor = 0\n", "sysctl", err,
					   sizeof(err)), 0);
	assert_int_equal(p.nr_nodes, 2);
	assert_int_equal(p.node_id[0], 0);
	assert_int_equal(p.node_id[1], 1);
	const struct lab_snapshot *n0 = &p.node[0], *n1 = &p.node[1];
	assert_true(n0->zone[LAB_ZONE_DMA32].present_in_file);
	assert_false(n1->zone[LAB_ZONE_DMA32].present_in_file);
	assert_int_equal(n0->zone[LAB_ZONE_NORMAL].free, 2000);
	assert_int_equal(n1->zone[LAB_ZONE_NORMAL].free, 3000);
	assert_int_equal(n0->zone[LAB_ZONE_DMA32].protection[LAB_ZONE_NORMAL], 7);
	assert_int_equal(n1->zone[LAB_ZONE_NORMAL].pcp[1].count, 42);
	assert_int_equal(n0->zone[LAB_ZONE_NORMAL].buddy[0], 2);
	assert_int_equal(n1->zone[LAB_ZONE_NORMAL].buddy[10], 2);
	assert_int_equal(n0->zone[LAB_ZONE_NORMAL].free_mt[0][LAB_MIGRATE_UNMOVABLE], 2);
	assert_int_equal(n1->zone[LAB_ZONE_NORMAL].free_mt[10][LAB_MIGRATE_UNMOVABLE], 2);
	assert_int_equal(n1->zone[LAB_ZONE_NORMAL].blocks_mt[LAB_MIGRATE_HIGHATOMIC], 1);
	assert_int_equal(n0->zone[LAB_ZONE_NORMAL].blocks_mt[LAB_MIGRATE_HIGHATOMIC], 0);
	assert_int_equal(n0->pageblock_order, 9);
	assert_int_equal(n1->pageblock_order, 9);
	assert_int_equal(n0->watermark_boost_factor, 0);
	assert_int_equal(n1->watermark_boost_factor, 0);
}

/* vmstat: name value lines; a line of another shape names file and line. */
static void test_procdir_vmstat_pairs_and_bad_line(void **state)
{
	(void)state;
	static struct lab_procdir p;
	char err[256];
	int found;
	memset(&p, 0, sizeof(p));
	assert_int_equal(lab_procdir_parse_vmstat("pgalloc_normal 12\ncompact_stall 3\n", "vmstat", &p, err,
						  sizeof(err)), 0);
	assert_int_equal(lab_procdir_vmstat(&p, "pgalloc_normal", &found), 12);
	assert_true(found);
	assert_int_equal(lab_procdir_vmstat(&p, "pgscan_direct", &found), 0);
	assert_false(found);
	assert_int_equal(lab_procdir_parse_vmstat("pgalloc_normal 12\npgfree\n", "vmstat", &p, err, sizeof(err)), -1);
	assert_string_equal(err, "vmstat:2: expected 'name value'");
	memset(&p, 0, sizeof(p));
	assert_int_equal(lab_procdir_parse(&p, LAB_PROC_BUDDYINFO, buddyinfo2, "bi", err, sizeof(err)), -1);
	assert_string_equal(err, "bi: read before zoneinfo");
	assert_int_equal(lab_procdir_parse(&p, LAB_PROC_ZONEINFO, "no nodes here\n", "zi", err, sizeof(err)), -1);
	assert_string_equal(err, "zi: no 'Node N, zone NAME' line");
}

/* The release from uname -a, osrelease and meta.txt. */
static void test_procdir_release_from_uname_osrelease_meta(void **state)
{
	(void)state;
	char r[64];
	lab_procdir_parse_release("Linux host 6.12.57+deb13-amd64 #1 SMP PREEMPT_DYNAMIC x86_64 GNU/Linux\n", r,
				  sizeof(r));
	assert_string_equal(r, "6.12.57+deb13-amd64");
	lab_procdir_parse_release("6.18.44-fc-v1272\n", r, sizeof(r));
	assert_string_equal(r, "6.18.44-fc-v1272");
	lab_procdir_parse_release("scenario: x\nguest_uname: Linux (none) 6.1.0-56-amd64 #1 SMP\n", r, sizeof(r));
	assert_string_equal(r, "6.1.0-56-amd64");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_procdir_splits_files_by_node),
		cmocka_unit_test(test_procdir_vmstat_pairs_and_bad_line),
		cmocka_unit_test(test_procdir_release_from_uname_osrelease_meta),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
