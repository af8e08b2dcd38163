/* SPDX-License-Identifier: MIT */
/*
 * engines/replay_run.c - `labyrinth replay` from its parsed arguments to
 * its outputs: the trace and the /proc snapshots next to it are read
 * (formats/), matched to each other, replayed by the shadow or what-if
 * engine, and rendered (report/replay.c) as text, JSON and a map.
 */
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <jansson.h>
#include <labyrinth/labyrinth.h>
#include <labyrinth/map.h>
#include "engines/replay.h"
#include "report/replay.h"

#define MAX_SNAPS 16

/* The trace's inputs: the snapshots of @dir and which one is "before". */
struct replay_inputs {
	struct lab_ftrace t;
	struct lab_replay_kernel k;
	const char *dir;
	char dirbuf[4096];
	struct lab_snapshot snaps[MAX_SNAPS];
	int nr_snaps, before;
	struct lab_trace_stats ts;
	int have_ts;
};

int lab_replay_kernel(const char *dir, const char *kernel_arg, int era_given, enum lab_gfp_era era,
		      struct lab_replay_kernel *k, char *err, size_t errsz)
{
	memset(k, 0, sizeof(*k));
	if (!lab_snapshot_uname(dir, k->release, sizeof(k->release), k->source, sizeof(k->source)) &&
	    lab_kernel_for_release(k->release, &k->traced))
		k->traced = LAB_KERNEL_DEFAULT;
	k->rules = lab_kernel_resolve(k->traced);
	if (kernel_arg) {
		if (lab_kernel_for_release(kernel_arg, &k->rules)) {
			snprintf(err, errsz, "--kernel '%s' names no kernel version (6.1, 6.12, 6.1.0-56-amd64, ...)",
				 kernel_arg);
			return LAB_EINVAL;
		}
		k->overridden = 1;
	}
	/* the names in the trace are the traced kernel's; unknown: those of
	 * --kernel, else of the profile replayed */
	k->era = era_given ? era
		 : lab_gfp_era_for_version(k->release[0] ? k->release
					   : kernel_arg ? kernel_arg : lab_kernel_version(k->rules));
	return 0;
}

/* 0, or 2 with the message printed. */
static int load_inputs(const struct lab_replay_request *a, struct replay_inputs *in)
{
	char err[1024];
	snprintf(in->dirbuf, sizeof(in->dirbuf), "%s", a->trace);
	in->dir = a->snapdir ? a->snapdir : dirname(in->dirbuf);
	if (lab_replay_kernel(in->dir, a->kernel, a->era_given, a->era, &in->k, err, sizeof(err))) {
		fprintf(stderr, "labyrinth replay: %s\n", err);
		return 2;
	}
	struct lab_ftrace_opts fo = { .era = in->k.era, .flags = a->lenient ? LAB_FTRACE_LENIENT : 0 };
	if (lab_ftrace_load(a->trace, &fo, &in->t, err, sizeof(err))) {
		fprintf(stderr, "labyrinth replay: %s\n", err);
		return 2;
	}
	char names[MAX_SNAPS][32];
	in->nr_snaps = lab_snapshot_list(in->dir, names, MAX_SNAPS);
	in->before = -1;
	for (int i = 0; i < in->nr_snaps; i++) {
		if (lab_snapshot_read(in->dir, names[i], &in->snaps[i], err, sizeof(err))) {
			fprintf(stderr, "labyrinth replay: %s\n", err);
			lab_ftrace_free(&in->t);
			return 2;
		}
		if (!strcmp(names[i], "before"))
			in->before = i;
	}
	if (in->before < 0 || !(in->snaps[in->before].have & LAB_SNAP_ZONEINFO)) {
		fprintf(stderr, "labyrinth replay: %s: no zoneinfo.before: the replay needs the traced machine's zones "
			"(give the folder of its /proc snapshots with --snapshot DIR)\n", in->dir);
		lab_ftrace_free(&in->t);
		return 2;
	}
	in->have_ts = lab_trace_stats_read(in->dir, &in->ts, err, sizeof(err)) == 0;
	return 0;
}

static int run_shadow(const struct lab_replay_request *a, struct replay_inputs *in, const struct lab_replay_opts *o,
		      json_t *doc)
{
	char err[1024];
	if (a->set.min_free_kbytes >= 0 || a->set.watermark_scale_factor >= 0 || a->set.nr_lowmem_reserve_ratio ||
	    a->set.watermark_boost_factor >= 0 || a->set.highatomic_reserve >= 0)
		fprintf(stderr, "labyrinth replay: note: --set has no effect in --shadow mode (the kernel's "
			"decisions are replayed as they were)\n");
	if (a->map)
		fprintf(stderr, "labyrinth replay: note: --map is drawn in what-if mode only\n");
	struct lab_shadow_result r;
	if (lab_replay_shadow(&in->t, o, &r, err, sizeof(err))) {
		fprintf(stderr, "labyrinth replay: %s\n", err);
		return 2;
	}
	lab_report_replay_shadow(stdout, &in->t, o, &r, o->before);
	if (doc)
		json_object_set_new(doc, "shadow", lab_report_replay_shadow_json(o, &r));
	lab_shadow_result_free(&r);
	return 0;
}

static int run_whatif(const struct lab_replay_request *a, struct replay_inputs *in, const struct lab_replay_opts *o,
		      json_t *doc)
{
	char err[1024];
	struct lab_whatif_result r;
	if (lab_replay_whatif(&in->t, o, &r, err, sizeof(err))) {
		fprintf(stderr, "labyrinth replay: %s\n", err);
		return 2;
	}
	lab_report_replay_whatif(stdout, &in->t, o, &r, o->before);
	if (doc)
		json_object_set_new(doc, "whatif", lab_report_replay_whatif_json(&in->t, o, &r));
	if (a->map) {
		char title[512];
		snprintf(title, sizeof(title), "labyrinth replay %s (end of trace)", a->trace);
		int mr = lab_map_write_png_mem(a->map, r.mem, title, 0);
		if (mr)
			fprintf(stderr, "labyrinth replay: cannot write map %s (%d)\n", a->map, mr);
		else
			printf("\nmap of our instance at the end of the trace: %s\n", a->map);
	}
	lab_whatif_result_free(&r);
	return 0;
}

int lab_replay_run(const struct lab_replay_request *a)
{
	/* static: the snapshots are large and read once per process */
	static struct replay_inputs in;
	int rc = load_inputs(a, &in);
	if (rc)
		return rc;
	struct lab_replay_opts o;
	memset(&o, 0, sizeof(o));
	o.before = &in.snaps[in.before];
	o.set = a->set;
	o.pretrace_frees = a->pretrace;
	o.nr_samples = a->samples ? a->samples : 24;
	o.kernel_has_cma = in.snaps[in.before].pagetype_has_cma;
	o.kernel = in.k.rules;
	lab_replay_match_snapshots(&in.t, in.snaps, (unsigned)in.nr_snaps, &o);

	lab_report_replay_trace(stdout, a->trace, &in.t, &in.ts, in.have_ts);
	lab_report_replay_kernel(stdout, &in.k, a->shadow);
	json_t *doc = a->json ? json_object() : NULL;
	if (doc) {
		json_object_set_new(doc, "mode", json_string(a->shadow ? "shadow" : "what-if"));
		json_object_set_new(doc, "trace", lab_report_replay_trace_json(a->trace, &in.t, &in.ts, in.have_ts));
		json_object_set_new(doc, "kernel", lab_report_replay_kernel_json(&in.k));
	}
	rc = a->shadow ? run_shadow(a, &in, &o, doc) : run_whatif(a, &in, &o, doc);
	if (doc && !rc && json_dump_file(doc, a->json, JSON_INDENT(2) | JSON_PRESERVE_ORDER)) {
		fprintf(stderr, "labyrinth replay: cannot write %s\n", a->json);
		rc = 2;
	}
	json_decref(doc);
	lab_ftrace_free(&in.t);
	return rc;
}
