/* SPDX-License-Identifier: MIT */
/*
 * report/demo.c - what `labyrinth demo` shows a kernel engineer after the
 * storm (engines/demo.c): the failure rate, the first failure in
 * warn_alloc format, /proc/buddyinfo, /proc/pagetypeinfo, the zone
 * watermarks (zoneinfo), fragmentation indices and counters.
 */
#include <stdio.h>
#include <labyrinth/report.h>
#include "engines/demo.h"
#include "report/render.h"

static void report_procfs(FILE *out, const struct lab_mem_stats *st)
{
	fprintf(out, "== /proc/buddyinfo ==\n");
	lab_report_buddyinfo(out, st);
	fprintf(out, "\n== /proc/pagetypeinfo ==\n");
	lab_report_pagetypeinfo(out, st);
	fprintf(out, "\n== /proc/zoneinfo (allocator fields) ==\n");
	lab_report_zoneinfo(out, st);
	fprintf(out, "\n== extfrag/extfrag_index ==\n");
	lab_report_extfrag_index(out, st);
	fprintf(out, "\n== extfrag/unusable_index ==\n");
	lab_report_unusable_index(out, st);
	fprintf(out, "\n== /proc/vmstat (allocator counters) ==\n");
	lab_report_vmstat(out, st);
	fprintf(out, "\n== labyrinth counters ==\n");
	for (int e = 0; e < LAB_NR_VM_EVENTS; e++)
		if (!lab_vm_event_is_linux((enum lab_vm_event)e))
			fprintf(out, "%s %llu\n", lab_vm_event_name((enum lab_vm_event)e),
				(unsigned long long)st->events[e]);
}

void lab_report_demo(FILE *out, const struct lab_demo *d, int quiet)
{
	fprintf(out, "Labyrinth demo: %llu MiB, 2 CPUs, seed %llu\n", (unsigned long long)d->mem_mib,
		(unsigned long long)d->seed);
	fprintf(out, "NIC storm: %llu order-3 GFP_ATOMIC requests, %llu failed (%.1f%%)",
		(unsigned long long)d->atomic_requests, (unsigned long long)d->atomic_failures,
		d->atomic_requests ? 100.0 * (double)d->atomic_failures / (double)d->atomic_requests : 0.0);
	if (d->first_failure_at)
		fprintf(out, ", first failure at request %llu", (unsigned long long)d->first_failure_at);
	fprintf(out, "\n\n");
	if (d->first) {
		fprintf(out, "== first failure (warn_alloc, as dmesg shows it) ==\n");
		lab_report_warn_alloc(out, d->first, lab_gfp_era_for_kernel(d->first->mem.kernel));
		fprintf(out, "\n");
	}
	if (!quiet)
		report_procfs(out, d->stats);
}
