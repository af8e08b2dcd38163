/* SPDX-License-Identifier: MIT */
/*
 * cli/cmd_watermarks.c - `labyrinth watermarks`: what Linux would set for
 * given zone sizes and sysctls, printed as /proc/zoneinfo prints it.
 *
 * The numbers come from the real core: an instance with the requested
 * managed pages per zone is built (metadata only, no arena) and its
 * watermarks and protection are printed.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <labyrinth/labyrinth.h>
#include "cli.h"

static const char *const help =
	"usage: labyrinth watermarks --zone NAME:MANAGED_PAGES [--zone ...]\n"
	"                            [--min-free-kbytes N] [--watermark-scale-factor N]\n"
	"                            [--lowmem-reserve-ratio \"256 256 32 0 0\"] [--cpus N]\n\n"
	"Prints each zone's min/low/high/promo and protection exactly as a Linux 6.1\n"
	"/proc/zoneinfo would for zones of that many managed pages (4 KiB).\n"
	"Zones: DMA, DMA32, Normal, Movable. Example (a 6 GiB x86-64 host):\n"
	"  labyrinth watermarks --zone DMA:3840 --zone DMA32:772808 --zone Normal:786432\n";

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (errno || end == s || *end || s[0] == '-')
		return -1;
	*out = v;
	return 0;
}

int lab_cmd_watermarks(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "zone", required_argument, 0, 'z' },
		{ "min-free-kbytes", required_argument, 0, 'm' },
		{ "watermark-scale-factor", required_argument, 0, 'w' },
		{ "lowmem-reserve-ratio", required_argument, 0, 'r' },
		{ "cpus", required_argument, 0, 'c' },
		{ "help", no_argument, 0, 'h' },
		{ 0, 0, 0, 0 },
	};
	uint64_t managed[LAB_MAX_NR_ZONES] = { 0 };
	int have_zone = 0, min_free = 0, wsf = 10, ratio[LAB_MAX_NR_ZONES] = { 256, 256, 32, 0, 0 };
	int have_ratio = 0;
	unsigned cpus = 1;
	int c;
	uint64_t v;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'z': {
			const char *colon = strchr(optarg, ':');
			int zi = -1;
			if (colon)
				for (int i = 0; i < LAB_ZONE_DEVICE; i++)
					if ((size_t)(colon - optarg) == strlen(lab_zone_names[i]) &&
					    !strncasecmp(optarg, lab_zone_names[i], (size_t)(colon - optarg)))
						zi = i;
			if (zi < 0 || parse_u64(colon + 1, &v))
				return cli_error("watermarks", "--zone '%s': expected NAME:PAGES with NAME one of "
							       "DMA, DMA32, Normal, Movable", optarg);
			managed[zi] = v;
			have_zone = 1;
			break;
		}
		case 'm':
			if (parse_u64(optarg, &v) || v > 0x7fffffff)
				return cli_error("watermarks", "--min-free-kbytes '%s': expected a number of kB", optarg);
			min_free = (int)v;
			break;
		case 'w':
			if (parse_u64(optarg, &v) || v < 1 || v > 3000)
				return cli_error("watermarks", "--watermark-scale-factor '%s': expected 1..3000", optarg);
			wsf = (int)v;
			break;
		case 'r': {
			char *s = optarg, *end;
			for (int i = 0; i < LAB_MAX_NR_ZONES; i++) {
				long r = strtol(s, &end, 10);
				if (end == s) {
					if (i == 0)
						return cli_error("watermarks", "--lowmem-reserve-ratio '%s': expected numbers",
								 optarg);
					break;
				}
				ratio[i] = (int)r;
				s = end;
			}
			while (*s == ' ')
				s++;
			if (*s)
				return cli_error("watermarks", "--lowmem-reserve-ratio '%s': unexpected '%s'", optarg, s);
			have_ratio = 1;
			break;
		}
		case 'c':
			if (parse_u64(optarg, &v) || v < 1 || v > LAB_MAX_CPUS)
				return cli_error("watermarks", "--cpus '%s': expected 1..%d", optarg, LAB_MAX_CPUS);
			cpus = (unsigned)v;
			break;
		case 'h':
		default:
			return cli_help(help, c == 'h');
		}
	}
	if (optind < argc)
		return cli_error("watermarks", "unexpected argument '%s'", argv[optind]);
	if (!have_zone) {
		fputs(help, stderr);
		return cli_error("watermarks", "at least one --zone is required");
	}

	/* Lay the zones out back to back at their natural addresses: DMA from
	 * pfn 0, DMA32 from 16 MiB (or right after DMA), ... Zone limits are
	 * moved so each zone gets exactly its managed pages. */
	struct lab_range ranges[LAB_MAX_NR_ZONES];
	unsigned nr = 0;
	uint64_t pfn = 0, limit[LAB_MAX_NR_ZONES] = { 0 };
	for (int i = 0; i < LAB_ZONE_DEVICE; i++) {
		if (managed[i]) {
			ranges[nr].start = pfn << 12;
			ranges[nr].size = managed[i] << 12;
			nr++;
			pfn += managed[i];
		}
		limit[i] = pfn << 12;
	}
	struct lab_mem_config cfg = {
		.ranges = ranges, .nr_ranges = nr, .nr_cpus = cpus, .min_free_kbytes = min_free,
		.zone_dma_limit = limit[LAB_ZONE_DMA], .zone_dma32_limit = limit[LAB_ZONE_DMA32],
		.movable_bytes = managed[LAB_ZONE_MOVABLE] << 12,
	};
	if (!managed[LAB_ZONE_DMA])
		cfg.flags |= LAB_CFG_NO_ZONE_DMA;
	if (!managed[LAB_ZONE_DMA32])
		cfg.flags |= LAB_CFG_NO_ZONE_DMA32;
	/* movable zone sizes are rounded to 1024 pages by movablecore=; for an
	 * exact size make the Normal limit the boundary instead */
	if (managed[LAB_ZONE_MOVABLE] % 1024)
		return cli_error("watermarks", "Movable zone size must be a multiple of 1024 pages");
	size_t bytes = lab_mem_metadata_bytes(&cfg);
	void *meta = NULL;
	if (!bytes || posix_memalign(&meta, 64, bytes))
		return cli_error("watermarks", "cannot size an instance for these zones");
	cfg.metadata = meta;
	cfg.metadata_bytes = bytes;
	int err;
	struct lab_mem *mem = lab_mem_init(&cfg, &err);
	if (!mem) {
		free(meta);
		return cli_error("watermarks", "invalid zone layout");
	}
	lab_set_watermark_scale_factor(mem, wsf);
	if (have_ratio)
		lab_set_lowmem_reserve_ratio(mem, ratio);

	struct lab_mem_stats *s = malloc(sizeof(*s));
	if (!s) {
		lab_mem_fini(mem);
		free(meta);
		return 2;
	}
	lab_mem_get_stats(mem, s);
	printf("# min_free_kbytes %d, watermark_scale_factor %d, lowmem_reserve_ratio %d %d %d %d %d\n",
	       s->tunables.min_free_kbytes, s->tunables.watermark_scale_factor,
	       s->tunables.lowmem_reserve_ratio[0], s->tunables.lowmem_reserve_ratio[1],
	       s->tunables.lowmem_reserve_ratio[2], s->tunables.lowmem_reserve_ratio[3],
	       s->tunables.lowmem_reserve_ratio[4]);
	for (int i = 0; i < LAB_MAX_NR_ZONES; i++) {
		const struct lab_zone_stats *z = &s->zone[i];
		printf("Node 0, zone %8s\n", lab_zone_names[i]);
		printf("        min      %llu\n", (unsigned long long)(z->wmark[LAB_WMARK_MIN] + z->boost));
		printf("        low      %llu\n", (unsigned long long)(z->wmark[LAB_WMARK_LOW] + z->boost));
		printf("        high     %llu\n", (unsigned long long)(z->wmark[LAB_WMARK_HIGH] + z->boost));
		printf("        promo    %llu\n", (unsigned long long)(z->wmark[LAB_WMARK_PROMO] + z->boost));
		printf("        managed  %llu\n", (unsigned long long)z->managed);
		printf("        protection: (%lld, %lld, %lld, %lld, %lld)\n",
		       (long long)z->lowmem_reserve[0], (long long)z->lowmem_reserve[1],
		       (long long)z->lowmem_reserve[2], (long long)z->lowmem_reserve[3],
		       (long long)z->lowmem_reserve[4]);
	}
	free(s);
	lab_mem_fini(mem);
	free(meta);
	return 0;
}
