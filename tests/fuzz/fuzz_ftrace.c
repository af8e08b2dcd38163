/* SPDX-License-Identifier: MIT */
/*
 * tests/fuzz/fuzz_ftrace.c - libFuzzer target for the ftrace text reader
 * (formats/ftrace.c: lab_ftrace_parse_text).
 *
 * The first input byte picks the mode (strict or lenient) and the gfp era,
 * the rest is trace text. Whatever the input, the reader must return 0 or
 * an error with a message, never crash or read out of bounds (ASan/UBSan),
 * and on success every event must be well formed: type in range, comm and
 * marker/unknown indices inside their tables, line numbers increasing.
 * Successful parses are also fed to the shadow replay over a small fixed
 * zone, so the model's bookkeeping sees arbitrary pfns and orders. The
 * zone is one MAX_ORDER block (1024 pages at pfn 0x1000, two pageblocks):
 * the smallest that still holds every order, merges up to order 10 and
 * pfns on both sides of it; the seeding and the model walk every pfn of
 * the span for every input, so a bigger zone only costs time.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "formats/ftrace.h"
#include "formats/snapshot.h"
#include "engines/replay.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void tiny_machine(struct lab_snapshot *s)
{
	lab_snapshot_init(s);
	s->have = LAB_SNAP_ZONEINFO | LAB_SNAP_BUDDYINFO;
	struct lab_snapshot_zone *z = &s->zone[LAB_ZONE_DMA32];
	z->present_in_file = 1;
	z->start_pfn = 0x1000;
	z->spanned = z->present = z->managed = 1024;
	z->free = 1024;
	z->have_buddy = 1;
	z->buddy[10] = 1;
	z->nr_cpus = 2;
	s->pageblock_order = 9;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	struct lab_ftrace_opts o = {
		.era = (enum lab_gfp_era)((data[0] >> 1) % LAB_GFP_NR_ERAS),
		.flags = (data[0] & 1) ? LAB_FTRACE_LENIENT : 0,
	};
	struct lab_ftrace t;
	char err[256];
	int rc = lab_ftrace_parse_text((const char *)data + 1, size - 1, "fuzz", &o, &t, err, sizeof(err));
	if (rc) {
		if (!err[0] || !memchr(err, 0, sizeof(err)))
			abort();
		return 0;
	}
	uint32_t last = 0;
	for (size_t i = 0; i < t.nr; i++) {
		const struct lab_ftrace_event *e = &t.ev[i];
		if (e->type >= LAB_FT_NR_TYPES || e->comm >= t.nr_comms || e->line < last)
			abort();
		if (e->type == LAB_FT_MARKER && e->arg >= t.nr_markers)
			abort();
		if (e->type == LAB_FT_UNKNOWN && e->arg >= t.nr_unknown)
			abort();
		last = e->line;
	}
	if (t.nr && t.nr < 4096 && (data[0] & 0x80)) {
		struct lab_snapshot s;
		struct lab_replay_opts ro;
		struct lab_shadow_result r;
		tiny_machine(&s);
		memset(&ro, 0, sizeof(ro));
		ro.before = &s;
		lab_replay_settings_default(&ro.set);
		ro.nr_samples = 4;
		if (!lab_replay_shadow(&t, &ro, &r, err, sizeof(err)))
			lab_shadow_result_free(&r);
	}
	lab_ftrace_free(&t);
	return 0;
}
