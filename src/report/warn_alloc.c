/* SPDX-License-Identifier: MIT */
/*
 * report/warn_alloc.c - the dmesg block Linux prints when an allocation
 * fails: warn_alloc()'s first line and show_mem()'s "Mem-Info:" dump,
 * written from a struct lab_alloc_failure, plus its JSON form.
 *
 * The block is the one piece of text every kernel engineer has seen in a
 * bug report; printing Labyrinth's failures the same way lets them (and
 * the dmesg reader of src/formats/, and existing scripts) read ours with no
 * translation. Lines follow Linux 6.1 mm/page_alloc.c:warn_alloc and
 * __show_free_areas and lib/show_mem.c; a real 6.1 report is in
 * tests/data/realkernel/atomic-pressure-256M/dmesg.txt.
 *
 * What is not Linux's (and says so): Labyrinth has no stack to dump, so the
 * "CPU: .. PID: .. Comm:" + call trace part is replaced by one line that
 * starts "labyrinth:". What is omitted: the hugepages, page cache and swap
 * lines (no hugetlb, no page cache, no swap) and "pages hwpoisoned" (no
 * memory-failure handling). Counters Labyrinth does not keep inside the
 * fixed-layout lines (LRU sizes, slab, page tables, ...) print 0.
 */
#include <inttypes.h>
#include <limits.h>
#include <labyrinth/report.h>

/* Linux K(): pages to KiB. */
static uint64_t kb(uint64_t pages)
{
	return pages << (LAB_PAGE_SHIFT - 10);
}

/* comm is a fixed 16-byte array that need not be NUL-terminated. */
static int comm_len(const struct lab_alloc_failure *f)
{
	size_t n = 0;
	while (n < sizeof(f->comm) && f->comm[n])
		n++;
	return (int)n;
}

/*
 * Linux warn_alloc()'s first line. The kernel's "%#x" prints 0 as "0x0"
 * (glibc prints "0"), hence "0x%x". Eras: 3.x printed no flag names and no
 * nodemask; 4.x printed the cpuset on a line of its own.
 */
void lab_report_warn_alloc_header(FILE *out, const struct lab_alloc_failure *f,
				  enum lab_gfp_era era, unsigned flags)
{
	int n = comm_len(f);
	if (era == LAB_GFP_ERA_3_X) {
		fprintf(out, "%.*s: page allocation failure: order:%u, mode:0x%x\n",
			n, f->comm, f->order, f->gfp);
		return;
	}
	char names[512];
	lab_gfp_format(names, sizeof(names), f->gfp, era);
	fprintf(out, "%.*s: page allocation failure: order:%u, mode:0x%x(%s), nodemask=(null)",
		n, f->comm, f->order, f->gfp, names);
	if ((flags & LAB_REPORT_CPUSET) && era == LAB_GFP_ERA_4_X)
		fprintf(out, "\n%.*s cpuset=/ mems_allowed=0", n, f->comm);
	else if (flags & LAB_REPORT_CPUSET)
		fputs(",cpuset=/,mems_allowed=0", out);
	fputc('\n', out);
}

static const char *const context_names[LAB_NR_CTX] = {
	[LAB_CTX_PROCESS] = "process",
	[LAB_CTX_SOFTIRQ] = "softirq",
	[LAB_CTX_HARDIRQ] = "hardirq",
	[LAB_CTX_NMI] = "nmi",
};

const char *lab_context_name(enum lab_context ctx)
{
	return (unsigned)ctx < LAB_NR_CTX ? context_names[ctx] : "?";
}

/* Zones show_mem prints: populated and <= max_zone_idx (a negative
 * max_zone_idx, an invalid gfp zone mask, shows every zone). */
static int zone_shown(const struct lab_mem_stats *s, unsigned z, int max_zone_idx)
{
	return s->populated[z] && (max_zone_idx < 0 || (int)z <= max_zone_idx);
}

static unsigned nr_cpus_of(const struct lab_mem_stats *s, const struct lab_zone_stats *zs)
{
	unsigned n = zs->nr_cpus ? zs->nr_cpus : s->nr_cpus;
	return n > LAB_MAX_CPUS ? LAB_MAX_CPUS : n;
}

/* show_mem's letters, in enum order (Linux show_migration_types). */
static const char mt_letters[LAB_MIGRATE_TYPES] = {
	[LAB_MIGRATE_UNMOVABLE] = 'U',
	[LAB_MIGRATE_MOVABLE] = 'M',
	[LAB_MIGRATE_RECLAIMABLE] = 'E',
	[LAB_MIGRATE_HIGHATOMIC] = 'H',
	[LAB_MIGRATE_CMA] = 'C',
	[LAB_MIGRATE_ISOLATE] = 'I',
};

/*
 * The zone line of Linux __show_free_areas(). min/low/high include the
 * boost (Linux prints min_wmark_pages() etc.). local_pcp is "this CPU's"
 * pcp count; the failure record does not say which CPU failed, so it is
 * exact only on one CPU and 0 otherwise (see docs/formats.md).
 */
static void show_zone_line(FILE *out, const struct lab_mem_stats *s, unsigned z)
{
	const struct lab_zone_stats *zs = &s->zone[z];
	uint64_t local_pcp = nr_cpus_of(s, zs) == 1 ? zs->pcp[0].count : 0;
	fprintf(out, "Node 0 %s free:%" PRIu64 "kB boost:%" PRIu64 "kB min:%" PRIu64 "kB"
		" low:%" PRIu64 "kB high:%" PRIu64 "kB reserved_highatomic:%" PRIu64 "KB",
		lab_zone_name(s, z), kb(zs->free), kb(zs->boost),
		kb(zs->wmark[LAB_WMARK_MIN] + zs->boost), kb(zs->wmark[LAB_WMARK_LOW] + zs->boost),
		kb(zs->wmark[LAB_WMARK_HIGH] + zs->boost), kb(zs->nr_reserved_highatomic));
	/* LRU sizes: the owned pages on the zone's LRU lists (labyrinth/background.h) */
	fprintf(out, " active_anon:%" PRIu64 "kB inactive_anon:%" PRIu64 "kB active_file:%" PRIu64 "kB"
		" inactive_file:%" PRIu64 "kB unevictable:%" PRIu64 "kB writepending:0kB",
		kb(zs->nr_lru[1]), kb(zs->nr_lru[0]), kb(zs->nr_lru[3]), kb(zs->nr_lru[2]), kb(zs->nr_lru[4]));
	fprintf(out, " present:%" PRIu64 "kB managed:%" PRIu64 "kB mlocked:0kB bounce:0kB"
		" free_pcp:%" PRIu64 "kB local_pcp:%" PRIu64 "kB free_cma:%" PRIu64 "kB\n",
		kb(zs->present), kb(zs->managed), kb(zs->free_pcp), kb(local_pcp),
		kb(zs->free_cma));
	fputs("lowmem_reserve[]:", out);
	for (unsigned i = 0; i < LAB_MAX_NR_ZONES; i++)
		fprintf(out, " %" PRId64, zs->lowmem_reserve[i]);
	fputc('\n', out);
}

/*
 * The free-area line of Linux __show_free_areas(): count*size per order,
 * the letters of the non-empty lists after a non-zero count, the total.
 */
static void show_free_area_line(FILE *out, const struct lab_mem_stats *s, unsigned z)
{
	const struct lab_zone_stats *zs = &s->zone[z];
	uint64_t total = 0;
	fprintf(out, "Node 0 %s: ", lab_zone_name(s, z));
	for (unsigned o = 0; o < LAB_MAX_ORDER; o++) {
		total += zs->nr_free[o] << o;
		fprintf(out, "%" PRIu64 "*%" PRIu64 "kB ", zs->nr_free[o], kb(1ull << o));
		if (!zs->nr_free[o])
			continue;
		char letters[LAB_MIGRATE_TYPES + 1];
		size_t n = 0;
		for (unsigned mt = 0; mt < LAB_MIGRATE_TYPES; mt++)
			if (zs->nr_free_mt[o][mt])
				letters[n++] = mt_letters[mt];
		letters[n] = '\0';
		fprintf(out, "(%s) ", letters);
	}
	fprintf(out, "= %" PRIu64 "kB\n", kb(total));
}

/*
 * Linux show_mem(): see labyrinth/report.h. The global "free:" and
 * "free_cma:" are the global counters (all zones); "free_pcp:" sums the
 * shown zones only, as in Linux. The node's all_unreclaimable? comes from
 * kswapd_failures (per node in Linux; Labyrinth keeps it per zone, so any
 * zone at 16 or more says yes).
 */
void lab_report_show_mem(FILE *out, const struct lab_mem_stats *s, int max_zone_idx)
{
	uint64_t free = 0, free_cma = 0, free_pcp = 0, kswapd_failures = 0;
	uint64_t ram = 0, reserved = 0, cma = 0, lru[5] = { 0 };
	for (unsigned z = 0; z < LAB_MAX_NR_ZONES; z++) {
		const struct lab_zone_stats *zs = &s->zone[z];
		for (unsigned l = 0; l < 5; l++)
			lru[l] += zs->nr_lru[l];
		free += zs->free;
		free_cma += zs->free_cma;
		if (zone_shown(s, z, max_zone_idx))
			free_pcp += zs->free_pcp;
		if (!s->populated[z])
			continue;
		if (zs->kswapd_failures > kswapd_failures)
			kswapd_failures = zs->kswapd_failures;
		ram += zs->present;
		reserved += zs->present > zs->managed ? zs->present - zs->managed : 0;
		cma += zs->cma;
	}

	fputs("Mem-Info:\n", out);
	fprintf(out, "active_anon:%" PRIu64 " inactive_anon:%" PRIu64 " isolated_anon:0\n"
		" active_file:%" PRIu64 " inactive_file:%" PRIu64 " isolated_file:0\n"
		" unevictable:%" PRIu64 " dirty:0 writeback:0\n", lru[1], lru[0], lru[3], lru[2], lru[4]);
	fputs(" slab_reclaimable:0 slab_unreclaimable:0\n"
	      " mapped:0 shmem:0 pagetables:0\n"
	      " sec_pagetables:0 bounce:0\n"
	      " kernel_misc_reclaimable:0\n", out);
	fprintf(out, " free:%" PRIu64 " free_pcp:%" PRIu64 " free_cma:%" PRIu64 "\n",
		free, free_pcp, free_cma);
	/* 6.1 prints "shmem_thp: 0kB" (a space after three of the colons),
	 * 6.12 "shmem_thp:0kB" (show_free_areas of each) */
	const char *sp = lab_kernel_resolve(s->kernel) == LAB_KERNEL_6_12 ? "" : " ";
	fprintf(out, "Node 0 active_anon:%" PRIu64 "kB inactive_anon:%" PRIu64 "kB active_file:%" PRIu64 "kB"
		" inactive_file:%" PRIu64 "kB unevictable:%" PRIu64 "kB isolated(anon):0kB isolated(file):0kB mapped:0kB dirty:0kB"
		" writeback:0kB shmem:0kB shmem_thp:%s0kB shmem_pmdmapped:%s0kB anon_thp:%s0kB"
		" writeback_tmp:0kB kernel_stack:0kB pagetables:0kB sec_pagetables:0kB"
		" all_unreclaimable? %s\n", kb(lru[1]), kb(lru[0]), kb(lru[3]), kb(lru[2]), kb(lru[4]), sp, sp, sp,
		kswapd_failures >= 16 ? "yes" : "no");

	for (unsigned z = 0; z < LAB_MAX_NR_ZONES; z++)
		if (zone_shown(s, z, max_zone_idx))
			show_zone_line(out, s, z);
	for (unsigned z = 0; z < LAB_MAX_NR_ZONES; z++)
		if (zone_shown(s, z, max_zone_idx))
			show_free_area_line(out, s, z);

	fprintf(out, "%" PRIu64 " pages RAM\n", ram);
	fputs("0 pages HighMem/MovableOnly\n", out);
	fprintf(out, "%" PRIu64 " pages reserved\n", reserved);
	if (s->cma_enabled)
		fprintf(out, "%" PRIu64 " pages cma reserved\n", cma);
}

/* The whole block; see labyrinth/report.h. */
void lab_report_warn_alloc(FILE *out, const struct lab_alloc_failure *f, enum lab_gfp_era era)
{
	lab_report_warn_alloc_header(out, f, era, 0);
	fprintf(out, "labyrinth: context: %s", lab_context_name(f->context));
	if (f->seq)
		fprintf(out, ", failure #%" PRIu64 " at %" PRIu64 ".%09" PRIu64 "s", f->seq,
			f->time_ns / 1000000000u, f->time_ns % 1000000000u);
	fputc('\n', out);
	lab_report_show_mem(out, &f->mem, f->highest_zoneidx);
}

json_t *lab_report_failure_json(const struct lab_alloc_failure *f)
{
	json_t *o = json_object();
	if (!o)
		return NULL;
	char buf[512];
	snprintf(buf, sizeof(buf), "%.*s", comm_len(f), f->comm);
	json_object_set_new(o, "comm", json_string(buf));
	json_object_set_new(o, "order", json_integer(f->order));
	json_object_set_new(o, "gfp", json_integer(f->gfp));
	snprintf(buf, sizeof(buf), "0x%x", f->gfp);
	json_object_set_new(o, "mode", json_string(buf));
	lab_gfp_format(buf, sizeof(buf), f->gfp, lab_gfp_era_for_kernel(f->mem.kernel));
	json_object_set_new(o, "gfp_flags", json_string(buf));
	json_object_set_new(o, "highest_zoneidx", json_integer(f->highest_zoneidx));
	if (f->highest_zoneidx >= 0 && f->highest_zoneidx < LAB_MAX_NR_ZONES)
		json_object_set_new(o, "highest_zone", json_string(lab_zone_name(&f->mem, (unsigned)f->highest_zoneidx)));
	else
		json_object_set_new(o, "highest_zone", json_null());
	json_object_set_new(o, "context", json_string(lab_context_name(f->context)));
	json_object_set_new(o, "seq", json_integer(f->seq > (uint64_t)LLONG_MAX ? LLONG_MAX : (json_int_t)f->seq));
	json_object_set_new(o, "time_ns", json_integer(f->time_ns > (uint64_t)LLONG_MAX ? LLONG_MAX : (json_int_t)f->time_ns));
	json_object_set_new(o, "mem", lab_report_stats_json(&f->mem));
	return o;
}
