/* SPDX-License-Identifier: MIT */
/*
 * labyrinth/map.h - the labyrinth map: a PNG picture of physical memory,
 * one cell per pageblock, coloured by migratetype and filled by use.
 *
 * The renderer works on plain data (struct lab_pageblock_info from
 * labyrinth/stats.h, as lab_mem_pageblocks() fills it), so the simulator,
 * the trace replayer and tests can draw a picture without a live instance;
 * lab_map_write_png_mem() is the convenience for a live one.
 *
 * Picture (docs/map.md says how to read it): a title, then one band per
 * zone (a zone starts on a new row, under a header with its name, physical
 * range and, given stats, free pages and watermarks), each band a grid of
 * cells in pfn order, row-major, with physical addresses in a left gutter;
 * then a legend with the palette and pageblock counts per migratetype.
 * Cell size follows the number of pageblocks so that the image stays near
 * width x width pixels: 128 px cells for a few pageblocks, 2-4 px cells for
 * tens of thousands, and above that several pageblocks per cell (majority
 * migratetype, summed fill).
 *
 * Host side (cairo, stdio, malloc). Errors are negative errno values:
 * LAB_EINVAL for bad input, LAB_ENOMEM, or the errno of a failed
 * open/write of the output file.
 */
#ifndef LABYRINTH_MAP_H
#define LABYRINTH_MAP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <labyrinth/page.h>
#include <labyrinth/stats.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LAB_MAP_DEFAULT_WIDTH 1200u
#define LAB_MAP_MIN_WIDTH     800u
#define LAB_MAP_MAX_WIDTH     8192u
/* Bands = runs of consecutive pageblocks of one zone; a real memory map
 * has at most LAB_MAX_NR_ZONES. More is rejected as bad input. */
#define LAB_MAP_MAX_BANDS     16u

struct lab_map_input {
	const struct lab_pageblock_info *blocks;  /* in pfn order */
	size_t nr_blocks;                         /* > 0 */
	unsigned pageblock_order;                 /* < LAB_MAX_ORDER */
	const char *title;                        /* NULL = "Labyrinth map" */
	const struct lab_mem_stats *stats;        /* optional: free pages and
						   * watermarks in zone headers */
};

/* One zone band of the picture: blocks [first_block, first_block +
 * nr_blocks) drawn as rows of cells from (grid_x, y_grid). */
struct lab_map_band {
	unsigned zone;                /* enum lab_zone_type */
	size_t first_block;
	size_t nr_blocks;
	size_t nr_cells;
	unsigned rows;
	unsigned y_header;            /* top of the zone header strip */
	unsigned y_grid;              /* top of the first row of cells */
};

/* Geometry of a picture, as lab_map_layout() computes it. */
struct lab_map_layout {
	unsigned width, height;       /* whole image, px */
	unsigned cell_px;             /* pitch of one cell (square), px */
	unsigned gap_px;              /* white gap between cells (part of the pitch) */
	unsigned cols;                /* cells per row: a power of two */
	uint64_t blocks_per_cell;     /* 1, or a power of two when aggregating */
	unsigned pageblock_order;
	unsigned grid_x;              /* left edge of every row */
	unsigned y_legend;            /* top of the legend */
	unsigned nr_bands;
	struct lab_map_band band[LAB_MAP_MAX_BANDS];
};

/*
 * Computes the picture's geometry for @in at @width_px (0 = default).
 * Validates the input: nr_blocks > 0, pageblock order, zone and migratetype
 * of every block, at most LAB_MAP_MAX_BANDS zone runs, width in
 * [LAB_MAP_MIN_WIDTH, LAB_MAP_MAX_WIDTH]. Returns 0 or LAB_EINVAL.
 * O(nr_blocks); allocates nothing.
 */
int lab_map_layout(const struct lab_map_input *in, unsigned width_px, struct lab_map_layout *out);

/*
 * The painted square (without the gap) of the cell that holds pageblock
 * @block (index into the input's blocks), in image pixels. Returns 0, or
 * LAB_EINVAL when @block is out of range. O(bands).
 */
int lab_map_cell_rect(const struct lab_map_layout *l, size_t block, int *x, int *y, int *w, int *h);

/*
 * The palette: 0xRRGGBB of migratetype @mt, saturated (@free_tint == 0:
 * allocated pages, cell border) or pale (@free_tint != 0: free pages).
 * Returns 0 or LAB_EINVAL for an unknown migratetype.
 */
int lab_map_type_rgb(unsigned mt, int free_tint, uint32_t *rgb);

/* Writes the map of @in as a PNG to @path (created or truncated; removed
 * again if writing fails). 0 or a negative errno. */
int lab_map_write_png(const char *path, const struct lab_map_input *in, unsigned width_px);
/* Same to an open stream (e.g. stdout); the caller closes it. */
int lab_map_write_png_file(FILE *out, const struct lab_map_input *in, unsigned width_px);

/*
 * The map of a live instance: collects every pageblock (lab_mem_pageblocks,
 * one malloc'ed array, O(pages)) and the zone statistics, then calls
 * lab_map_write_png(). Racy against concurrent allocation the way /proc is:
 * a picture, not a consistent snapshot.
 */
int lab_map_write_png_mem(const char *path, struct lab_mem *mem, const char *title, unsigned width_px);

#ifdef __cplusplus
}
#endif
#endif
