/* SPDX-License-Identifier: MIT */
/*
 * report/map.c - the labyrinth map: physical memory drawn as a grid of
 * pageblocks with cairo, written as PNG.
 *
 * Why a picture: fragmentation is spatial. /proc/pagetypeinfo says "26
 * Movable, 5 Unmovable pageblocks"; the map shows where the five sit, that
 * each one pins a 2 MiB region, and which Movable blocks carry unmovable
 * allocations (the "mixed" blocks that make compaction fail). A kernel
 * engineer should see the maze at a glance.
 *
 * The code has two halves:
 *   layout  - pure arithmetic from the input to pixel geometry (bands, cell
 *             size, aggregation). Exposed (lab_map_layout/_cell_rect) so
 *             tests and tools can find any pageblock's cell.
 *   drawing - cairo on an RGB24 image surface, antialiasing off for cells so
 *             every cell pixel is exactly a palette colour (tests sample
 *             them), on for text.
 *
 * Cell size: the largest cell pitch (2..128 px, with a power-of-two column
 * count) whose grid fits into about width x width pixels; when even 2 px
 * cells do not fit, 2, 4, 8, ... pageblocks share a cell. Everything is
 * O(pageblocks) plus O(width * height) pixels; the only allocation is the
 * cairo surface (and, in lab_map_write_png_mem, the pageblock array).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cairo.h>
#include <labyrinth/labyrinth.h>
#include <labyrinth/map.h>

/* Vertical layout, px. */
#define MARGIN       16u
#define GUTTER       100u   /* physical address labels left of the grid */
#define TITLE_H      30u
#define SUBTITLE_H   22u
#define BAND_SPACE   8u     /* above a zone header (the separator line sits here) */
#define HEADER_H     22u    /* one line; a second with stats */
#define HEADER_LINE  16u
#define BAND_TAIL    4u
#define LEGEND_TOP   14u
#define LEGEND_ROW   24u
#define LEGEND_TEXT  18u
#define LEGEND_LINES 3u
#define LEGEND_ITEM_W 190u
#define LEGEND_TYPES LAB_MIGRATE_TYPES
#define LEGEND_KEYS  4u
#define CELL_MAX     128u
#define CELL_MIN     2u
#define CELL_DETAIL  8u     /* from here on: border + stacked fill */
#define GRID_MIN_H   64u

/*
 * The palette: Okabe & Ito's colour-blind-safe set ("Color Universal
 * Design", 2008) for the three mobility types, CMA a dark purple from
 * ColorBrewer's Paired set, Isolate a neutral grey. The free tint is the
 * colour at 35 % over white, so "same hue, pale" reads as "same type, free".
 */
static const uint32_t type_rgb[LAB_MIGRATE_TYPES] = {
	[LAB_MIGRATE_UNMOVABLE]   = 0xD55E00, /* vermillion */
	[LAB_MIGRATE_MOVABLE]     = 0x009E73, /* bluish green */
	[LAB_MIGRATE_RECLAIMABLE] = 0x0072B2, /* blue */
	[LAB_MIGRATE_HIGHATOMIC]  = 0xCC79A7, /* reddish purple (magenta) */
	[LAB_MIGRATE_CMA]         = 0x6A3D9A, /* purple */
	[LAB_MIGRATE_ISOLATE]     = 0x8C8C8C, /* grey */
};
#define TINT_PERCENT  35u
#define RGB_PCP       0xF0E442u  /* Okabe-Ito yellow: pages on per-CPU lists */
#define RGB_PCP_HATCH 0x8A7F00u
#define RGB_RESERVED  0x404040u  /* reserved pages inside a pageblock */
#define RGB_HOLE      0x000000u  /* a pageblock with no usable page */
#define RGB_BG        0xFFFFFFu
#define RGB_TEXT      0x202020u
#define RGB_TEXT_DIM  0x555555u
#define RGB_SEPARATOR 0x808080u
#define RGB_WARN      0xB00000u

/* Linux's show_mem letters (U M E H C I). */
static const char type_letter[LAB_MIGRATE_TYPES] = { 'U', 'M', 'E', 'H', 'C', 'I' };

static uint32_t tint(uint32_t rgb, unsigned percent)
{
	uint32_t out = 0;
	for (unsigned sh = 0; sh < 24; sh += 8) {
		unsigned c = (rgb >> sh) & 0xff;
		unsigned t = (c * percent + 255u * (100u - percent) + 50u) / 100u;
		out |= (uint32_t)t << sh;
	}
	return out;
}

/* Linear mix of two colours, @num/@den of the way from @a to @b. */
static uint32_t mix(uint32_t a, uint32_t b, uint64_t num, uint64_t den)
{
	uint32_t out = 0;
	if (den == 0)
		return a;
	if (num > den)
		num = den;
	for (unsigned sh = 0; sh < 24; sh += 8) {
		uint64_t ca = (a >> sh) & 0xff, cb = (b >> sh) & 0xff;
		uint64_t c = (ca * (den - num) + cb * num + den / 2) / den;
		out |= (uint32_t)c << sh;
	}
	return out;
}

int lab_map_type_rgb(unsigned mt, int free_tint, uint32_t *rgb)
{
	if (mt >= LAB_MIGRATE_TYPES || !rgb)
		return LAB_EINVAL;
	*rgb = free_tint ? tint(type_rgb[mt], TINT_PERCENT) : type_rgb[mt];
	return 0;
}

/* ------------------------------------------------------------------ layout */

static unsigned header_height(const struct lab_map_input *in)
{
	return in->stats ? HEADER_H + HEADER_LINE : HEADER_H;
}

static unsigned legend_height(unsigned width)
{
	unsigned per_row = (width - 2 * MARGIN) / LEGEND_ITEM_W;
	if (per_row == 0)
		per_row = 1;
	unsigned rows = (LEGEND_TYPES + per_row - 1) / per_row + (LEGEND_KEYS + per_row - 1) / per_row;
	return LEGEND_TOP + rows * LEGEND_ROW + LEGEND_LINES * LEGEND_TEXT;
}

static uint64_t div_up(uint64_t a, uint64_t b)
{
	return (a + b - 1) / b;
}

/* Grid rows all bands need with @k pageblocks per cell and @cols columns. */
static uint64_t rows_needed(const struct lab_map_layout *l, uint64_t k, unsigned cols)
{
	uint64_t rows = 0;
	for (unsigned b = 0; b < l->nr_bands; b++)
		rows += div_up(div_up(l->band[b].nr_blocks, k), cols);
	return rows;
}

/*
 * Validates @in and splits it into bands (runs of one zone). Linux zones
 * are contiguous in pfn order, so a real map has one band per populated
 * zone; more than LAB_MAP_MAX_BANDS runs is not a memory map.
 */
static int split_bands(const struct lab_map_input *in, struct lab_map_layout *l)
{
	if (!in || !in->blocks || in->nr_blocks == 0 || in->pageblock_order >= LAB_MAX_ORDER)
		return LAB_EINVAL;
	l->nr_bands = 0;
	for (size_t i = 0; i < in->nr_blocks; i++) {
		const struct lab_pageblock_info *pb = &in->blocks[i];
		if (pb->zone >= LAB_MAX_NR_ZONES || pb->migratetype >= LAB_MIGRATE_TYPES)
			return LAB_EINVAL;
		if (i == 0 || pb->zone != in->blocks[i - 1].zone) {
			if (l->nr_bands == LAB_MAP_MAX_BANDS)
				return LAB_EINVAL;
			struct lab_map_band *b = &l->band[l->nr_bands++];
			memset(b, 0, sizeof(*b));
			b->zone = pb->zone;
			b->first_block = i;
		}
		l->band[l->nr_bands - 1].nr_blocks++;
	}
	return 0;
}

/*
 * Chooses cell pitch, columns and aggregation. For k = 1, 2, 4, ...
 * pageblocks per cell, tries every power-of-two column count whose pitch
 * (grid width / cols, capped at CELL_MAX) is at least CELL_MIN, and keeps
 * the largest pitch whose rows fit in @grid_h (ties: more columns, i.e.
 * fewer rows). The first k with any fit wins. Power-of-two columns make a
 * row a round amount of memory (256 x 2 MiB = 512 MiB). Terminates: once
 * k covers every band, each band is one cell and 2 px cells fit GRID_MIN_H.
 */
static void choose_cells(struct lab_map_layout *l, unsigned grid_w, unsigned grid_h)
{
	for (uint64_t k = 1;; k <<= 1) {
		unsigned best_s = 0, best_cols = 0;
		uint64_t max_cells = 0;
		for (unsigned cols = 1; cols <= grid_w / CELL_MIN; cols <<= 1) {
			unsigned s = grid_w / cols;
			if (s > CELL_MAX)
				s = CELL_MAX;
			uint64_t rows = rows_needed(l, k, cols);
			if (rows * s <= grid_h && (s > best_s || (s == best_s && cols > best_cols))) {
				best_s = s;
				best_cols = cols;
			}
		}
		for (unsigned b = 0; b < l->nr_bands; b++)
			if (l->band[b].nr_blocks > max_cells)
				max_cells = l->band[b].nr_blocks;
		if (best_s || k >= max_cells || k >= (1ull << 62)) {
			if (!best_s) {  /* unreachable with GRID_MIN_H >= 2 * bands */
				best_s = CELL_MIN;
				best_cols = grid_w / CELL_MIN;
			}
			l->cell_px = best_s;
			l->cols = best_cols;
			l->blocks_per_cell = k;
			return;
		}
	}
}

int lab_map_layout(const struct lab_map_input *in, unsigned width_px, struct lab_map_layout *l)
{
	unsigned w = width_px ? width_px : LAB_MAP_DEFAULT_WIDTH;
	if (!l || w < LAB_MAP_MIN_WIDTH || w > LAB_MAP_MAX_WIDTH)
		return LAB_EINVAL;
	memset(l, 0, sizeof(*l));
	int err = split_bands(in, l);
	if (err)
		return err;
	l->width = w;
	l->pageblock_order = in->pageblock_order;
	l->grid_x = MARGIN + GUTTER;

	unsigned grid_w = w - 2 * MARGIN - GUTTER;
	unsigned fixed = MARGIN + TITLE_H + SUBTITLE_H +
			 l->nr_bands * (BAND_SPACE + header_height(in) + BAND_TAIL) + legend_height(w) + MARGIN;
	unsigned grid_h = w > fixed + GRID_MIN_H ? w - fixed : GRID_MIN_H;
	choose_cells(l, grid_w, grid_h);
	l->gap_px = l->cell_px >= 48 ? 2 : l->cell_px >= CELL_DETAIL ? 1 : 0;

	unsigned y = MARGIN + TITLE_H + SUBTITLE_H;
	for (unsigned b = 0; b < l->nr_bands; b++) {
		struct lab_map_band *band = &l->band[b];
		band->nr_cells = (size_t)div_up(band->nr_blocks, l->blocks_per_cell);
		band->rows = (unsigned)div_up(band->nr_cells, l->cols);
		y += BAND_SPACE;
		band->y_header = y;
		y += header_height(in);
		band->y_grid = y;
		y += band->rows * l->cell_px + BAND_TAIL;
	}
	l->y_legend = y;
	l->height = y + legend_height(w) + MARGIN;
	return 0;
}

int lab_map_cell_rect(const struct lab_map_layout *l, size_t block, int *x, int *y, int *w, int *h)
{
	if (!l || l->cols == 0 || l->blocks_per_cell == 0)
		return LAB_EINVAL;
	for (unsigned b = 0; b < l->nr_bands; b++) {
		const struct lab_map_band *band = &l->band[b];
		if (block < band->first_block || block - band->first_block >= band->nr_blocks)
			continue;
		uint64_t cell = (block - band->first_block) / l->blocks_per_cell;
		unsigned side = l->cell_px - l->gap_px;
		*x = (int)(l->grid_x + (cell % l->cols) * l->cell_px);
		*y = (int)(band->y_grid + (cell / l->cols) * l->cell_px);
		*w = (int)side;
		*h = (int)side;
		return 0;
	}
	return LAB_EINVAL;
}

/* ----------------------------------------------------------------- drawing */

/* What one cell shows: the sum over its pageblocks. */
struct cell {
	unsigned mt;          /* majority migratetype of the usable blocks */
	bool hole;            /* no usable page at all */
	uint64_t reserved, allocated, pcp, free;
	int largest_free_order;  /* -1 = no free block */
	int foreign_mt;          /* mobility of most foreign allocations, -1 none */
};

/*
 * Sums pageblocks [first, first + n) into one cell. A pageblock whose
 * classified pages are all reserved is a hole and does not vote for the
 * majority migratetype (ties go to the lower type, Unmovable first: the
 * pessimistic reading). Foreign allocations count only in blocks of a
 * mobility type: HighAtomic and CMA blocks hold any mobility by design.
 */
static void cell_sum(const struct lab_pageblock_info *blocks, size_t first, size_t n, struct cell *c)
{
	uint64_t votes[LAB_MIGRATE_TYPES] = { 0 }, foreign[LAB_MIGRATE_PCPTYPES] = { 0 };
	bool any_usable = false;

	memset(c, 0, sizeof(*c));
	c->largest_free_order = -1;
	c->foreign_mt = -1;
	for (size_t i = first; i < first + n; i++) {
		const struct lab_pageblock_info *pb = &blocks[i];
		uint64_t tot = (uint64_t)pb->nr_free + pb->nr_allocated + pb->nr_pcp + pb->nr_reserved;
		c->reserved += pb->nr_reserved;
		c->allocated += pb->nr_allocated;
		c->pcp += pb->nr_pcp;
		c->free += pb->nr_free;
		if (pb->largest_free_order != 0xffff && (int)pb->largest_free_order > c->largest_free_order)
			c->largest_free_order = pb->largest_free_order;
		if (tot > 0 && pb->nr_reserved == tot)
			continue;
		any_usable = true;
		votes[pb->migratetype]++;
		if (pb->migratetype < LAB_MIGRATE_PCPTYPES)
			for (unsigned m = 0; m < LAB_MIGRATE_PCPTYPES; m++)
				if (m != pb->migratetype)
					foreign[m] += pb->nr_alloc_mt[m];
	}
	c->hole = !any_usable;
	for (unsigned m = 1; m < LAB_MIGRATE_TYPES; m++)
		if (votes[m] > votes[c->mt])
			c->mt = m;
	for (unsigned m = 0; m < LAB_MIGRATE_PCPTYPES; m++)
		if (foreign[m] > 0 && (c->foreign_mt < 0 || foreign[m] > foreign[c->foreign_mt]))
			c->foreign_mt = (int)m;
}

static void set_rgb(cairo_t *cr, uint32_t rgb)
{
	cairo_set_source_rgb(cr, ((rgb >> 16) & 0xff) / 255.0, ((rgb >> 8) & 0xff) / 255.0,
			     (rgb & 0xff) / 255.0);
}

static void fill_rect(cairo_t *cr, uint32_t rgb, double x, double y, double w, double h)
{
	if (w <= 0 || h <= 0)
		return;
	set_rgb(cr, rgb);
	cairo_rectangle(cr, x, y, w, h);
	cairo_fill(cr);
}

enum font { FONT_SANS, FONT_BOLD, FONT_MONO };

static void set_font(cairo_t *cr, enum font f, double size)
{
	cairo_select_font_face(cr, f == FONT_MONO ? "DejaVu Sans Mono" : "DejaVu Sans",
			       CAIRO_FONT_SLANT_NORMAL,
			       f == FONT_BOLD ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(cr, size);
}

/* Draws @s with its baseline at (@x, @y); returns the advance in px. */
static double text(cairo_t *cr, enum font f, double size, uint32_t rgb, double x, double y, const char *s)
{
	cairo_text_extents_t ext;
	set_font(cr, f, size);
	set_rgb(cr, rgb);
	cairo_move_to(cr, x, y);
	cairo_show_text(cr, s);
	cairo_text_extents(cr, s, &ext);
	return ext.x_advance;
}

static double text_width(cairo_t *cr, enum font f, double size, const char *s)
{
	cairo_text_extents_t ext;
	set_font(cr, f, size);
	cairo_text_extents(cr, s, &ext);
	return ext.x_advance;
}

/* Text with a white halo, readable on any cell colour. */
static void text_halo(cairo_t *cr, double size, double x, double y, const char *s)
{
	cairo_save(cr);
	cairo_set_antialias(cr, CAIRO_ANTIALIAS_DEFAULT);
	set_font(cr, FONT_BOLD, size);
	cairo_move_to(cr, x, y);
	cairo_text_path(cr, s);
	set_rgb(cr, 0xFFFFFF);
	cairo_set_line_width(cr, 3.0);
	cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
	cairo_stroke_preserve(cr);
	set_rgb(cr, RGB_TEXT);
	cairo_fill(cr);
	cairo_restore(cr);
}

/* "16 MiB", "1.5 GiB", "4 KiB": binary units, one decimal when not whole. */
static void fmt_bytes(char *buf, size_t n, uint64_t bytes)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	unsigned u = 0;
	uint64_t whole = bytes, rem = 0;
	while (whole >= 1024 && u < 6) {
		rem = whole % 1024;
		whole /= 1024;
		u++;
	}
	unsigned tenth = (unsigned)((rem * 10 + 512) / 1024);
	if (tenth >= 10) {
		whole++;
		tenth = 0;
	}
	if (tenth)
		snprintf(buf, n, "%" PRIu64 ".%u %s", whole, tenth, unit[u]);
	else
		snprintf(buf, n, "%" PRIu64 " %s", whole, unit[u]);
}

/*
 * Heights (px) of the stacked segments reserved, allocated, per-CPU, free
 * inside a cell interior of @ih px: proportional to @v, every non-zero
 * segment at least 1 px (one allocated page in a free pageblock matters),
 * summing to @ih. All zero counts draw as free. Bounded: the rounding and
 * the 1 px minimum are off by at most 6 px, so each fix-up loop runs at
 * most 6 times.
 */
static void stack_heights(unsigned ih, const uint64_t v[4], unsigned h[4])
{
	uint64_t tot = v[0] + v[1] + v[2] + v[3];
	unsigned sum = 0;
	if (tot == 0) {
		h[0] = h[1] = h[2] = 0;
		h[3] = ih;
		return;
	}
	for (int i = 0; i < 4; i++) {
		h[i] = (unsigned)((2 * (uint64_t)ih * v[i] + tot) / (2 * tot));
		if (v[i] && h[i] == 0 && ih >= 4)
			h[i] = 1;
		sum += h[i];
	}
	while (sum > ih) {
		int big = 0;
		for (int i = 1; i < 4; i++)
			if (h[i] > h[big])
				big = i;
		h[big]--;
		sum--;
	}
	while (sum < ih) {
		int big = 0;
		for (int i = 1; i < 4; i++)
			if (v[i] > v[big])
				big = i;
		h[big]++;
		sum++;
	}
}

/* Per-CPU pages: yellow with dark diagonal hatching where there is room. */
static void draw_pcp(cairo_t *cr, double x, double y, double w, double h)
{
	fill_rect(cr, RGB_PCP, x, y, w, h);
	if (w < 12 || h < 3)
		return;
	cairo_save(cr);
	cairo_rectangle(cr, x, y, w, h);
	cairo_clip(cr);
	set_rgb(cr, RGB_PCP_HATCH);
	cairo_set_line_width(cr, 1.0);
	for (double d = -h; d < w; d += 5) {
		cairo_move_to(cr, x + d, y + h);
		cairo_line_to(cr, x + d + h, y);
	}
	cairo_stroke(cr);
	cairo_restore(cr);
}

/*
 * A detailed cell (pitch >= CELL_DETAIL): a border in the type colour; inside,
 * from the bottom, reserved (dark grey), allocated (type colour), per-CPU
 * (yellow), free (pale type colour). Big cells add a corner flag for a mixed
 * block and the largest free order as text.
 */
static void draw_cell_detail(cairo_t *cr, const struct cell *c, int x, int y, int side)
{
	uint32_t base = type_rgb[c->mt], pale = tint(base, TINT_PERCENT);
	int bw = side >= 32 ? 2 : 1;
	int ix = x + bw, iy = y + bw, iw = side - 2 * bw, ih = side - 2 * bw;
	uint64_t v[4] = { c->reserved, c->allocated, c->pcp, c->free };
	unsigned h[4];

	if (c->hole) {
		fill_rect(cr, RGB_HOLE, x, y, side, side);
		return;
	}
	stack_heights((unsigned)ih, v, h);
	int yb = iy + ih;  /* bottom of the next segment */
	fill_rect(cr, RGB_RESERVED, ix, yb - (int)h[0], iw, h[0]);
	yb -= (int)h[0];
	fill_rect(cr, base, ix, yb - (int)h[1], iw, h[1]);
	yb -= (int)h[1];
	if (h[2])
		draw_pcp(cr, ix, yb - (int)h[2], iw, h[2]);
	yb -= (int)h[2];
	fill_rect(cr, pale, ix, yb - (int)h[3], iw, h[3]);

	fill_rect(cr, base, x, y, side, bw);
	fill_rect(cr, base, x, y + side - bw, side, bw);
	fill_rect(cr, base, x, y, bw, side);
	fill_rect(cr, base, x + side - bw, y, bw, side);

	if (c->foreign_mt >= 0 && side >= 12) {
		int f = side / 4;
		set_rgb(cr, 0xFFFFFF);
		cairo_move_to(cr, x + side, y);
		cairo_line_to(cr, x + side - f - 2, y);
		cairo_line_to(cr, x + side, y + f + 2);
		cairo_close_path(cr);
		cairo_fill(cr);
		set_rgb(cr, type_rgb[c->foreign_mt]);
		cairo_move_to(cr, x + side, y);
		cairo_line_to(cr, x + side - f, y);
		cairo_line_to(cr, x + side, y + f);
		cairo_close_path(cr);
		cairo_fill(cr);
	}

	if (side >= 40) {
		char buf[32];
		double fs = side >= 96 ? 13 : 11;
		if (c->largest_free_order < 0)
			snprintf(buf, sizeof(buf), "%s", side >= 72 ? "no free" : "-");
		else
			snprintf(buf, sizeof(buf), side >= 72 ? "max o%d" : "o%d", c->largest_free_order);
		text_halo(cr, fs, ix + 3, iy + fs + 2, buf);
		uint64_t usable = c->allocated + c->pcp + c->free;
		if (side >= 96 && usable) {
			unsigned pct = (unsigned)(((c->allocated + c->pcp) * 100 + usable / 2) / usable);
			snprintf(buf, sizeof(buf), "%c %u%% used", type_letter[c->mt], pct);
			text_halo(cr, fs, ix + 3, iy + 2 * fs + 6, buf);
		}
	}
}

/*
 * A small cell (pitch < CELL_DETAIL): one solid colour, from pale (free)
 * to saturated (allocated + per-CPU), darkened by its share of reserved
 * pages; black for a hole.
 */
static void draw_cell_small(cairo_t *cr, const struct cell *c, int x, int y, int side)
{
	uint32_t base = type_rgb[c->mt], col;
	uint64_t usable = c->allocated + c->pcp + c->free, tot = usable + c->reserved;

	if (c->hole) {
		fill_rect(cr, RGB_HOLE, x, y, side, side);
		return;
	}
	col = mix(tint(base, TINT_PERCENT), base, c->allocated + c->pcp, usable);
	if (c->reserved)
		col = mix(col, RGB_RESERVED, c->reserved, tot);
	fill_rect(cr, col, x, y, side, side);
}

static void draw_title(cairo_t *cr, const struct lab_map_input *in, const struct lab_map_layout *l)
{
	char total[32], pb[32], row[32], line[256];
	uint64_t pb_bytes = (uint64_t)LAB_PAGE_SIZE << in->pageblock_order;
	const char *title = in->title ? in->title : "Labyrinth map";

	text(cr, FONT_BOLD, 20, RGB_TEXT, MARGIN, MARGIN + 20, title);
	fmt_bytes(total, sizeof(total), pb_bytes * in->nr_blocks);
	fmt_bytes(pb, sizeof(pb), pb_bytes);
	fmt_bytes(row, sizeof(row), pb_bytes * l->blocks_per_cell * l->cols);
	if (l->blocks_per_cell == 1)
		snprintf(line, sizeof(line),
			 "%s in %zu pageblocks of %s (order %u)  \xc2\xb7  1 cell = 1 pageblock  \xc2\xb7  "
			 "%u cells per row = %s",
			 total, in->nr_blocks, pb, in->pageblock_order, l->cols, row);
	else
		snprintf(line, sizeof(line),
			 "%s in %zu pageblocks of %s (order %u)  \xc2\xb7  1 cell = %" PRIu64
			 " pageblocks  \xc2\xb7  %u cells per row = %s",
			 total, in->nr_blocks, pb, in->pageblock_order, l->blocks_per_cell, l->cols, row);
	text(cr, FONT_SANS, 12.5, RGB_TEXT_DIM, MARGIN, MARGIN + TITLE_H + 14, line);
}

/* The zone header: name, physical range, size; with stats, free pages
 * against the watermarks. */
static void draw_band_header(cairo_t *cr, const struct lab_map_input *in, const struct lab_map_layout *l,
			     const struct lab_map_band *band)
{
	char line[256], size[32], a[32], b[32], c[32];
	uint64_t pb_pages = 1ull << in->pageblock_order;
	uint64_t start = in->blocks[band->first_block].start_pfn;
	uint64_t end = in->blocks[band->first_block + band->nr_blocks - 1].start_pfn + pb_pages;
	double y = band->y_header + 15, x = MARGIN;

	if (band->y_header > MARGIN + TITLE_H + SUBTITLE_H + BAND_SPACE)
		fill_rect(cr, RGB_SEPARATOR, 0, band->y_header - BAND_SPACE / 2, l->width, 1);
	x += text(cr, FONT_BOLD, 14, RGB_TEXT, x, y, lab_zone_name(in->stats, band->zone)) + 12;
	fmt_bytes(size, sizeof(size), (end - start) << LAB_PAGE_SHIFT);
	snprintf(line, sizeof(line), "0x%" PRIx64 "-0x%" PRIx64 "  %s in %zu pageblocks  (pfn 0x%" PRIx64
		 "-0x%" PRIx64 ")", start << LAB_PAGE_SHIFT, (end << LAB_PAGE_SHIFT) - 1, size,
		 band->nr_blocks, start, end);
	text(cr, FONT_SANS, 12, RGB_TEXT_DIM, x, y, line);

	const struct lab_mem_stats *s = in->stats;
	if (!s || !s->populated[band->zone])
		return;
	const struct lab_zone_stats *z = &s->zone[band->zone];
	fmt_bytes(size, sizeof(size), z->free << LAB_PAGE_SHIFT);
	fmt_bytes(a, sizeof(a), z->wmark[LAB_WMARK_MIN] << LAB_PAGE_SHIFT);
	fmt_bytes(b, sizeof(b), z->wmark[LAB_WMARK_LOW] << LAB_PAGE_SHIFT);
	fmt_bytes(c, sizeof(c), z->wmark[LAB_WMARK_HIGH] << LAB_PAGE_SHIFT);
	snprintf(line, sizeof(line), "free %s (%" PRIu64 " pages)  \xc2\xb7  watermarks min %s  low %s  high %s",
		 size, z->free, a, b, c);
	x = MARGIN + 40;
	y += HEADER_LINE;
	x += text(cr, FONT_SANS, 12, RGB_TEXT_DIM, x, y, line) + 12;
	const char *warn = z->free < z->wmark[LAB_WMARK_MIN] ? "below min!" :
			   z->free < z->wmark[LAB_WMARK_LOW] ? "below low" :
			   z->free < z->wmark[LAB_WMARK_HIGH] ? "below high" : NULL;
	if (warn)
		text(cr, FONT_BOLD, 12, RGB_WARN, x, y, warn);
}

/* Physical address of each labelled row, right-aligned in the gutter;
 * labels at least 14 px apart, every power-of-two rows (so addresses are
 * round), and a pfn line when rows are tall. */
static void draw_band_gutter(cairo_t *cr, const struct lab_map_input *in, const struct lab_map_layout *l,
			     const struct lab_map_band *band)
{
	unsigned every = 1;
	while (every * l->cell_px < 14)
		every <<= 1;
	uint64_t per_row = (uint64_t)l->cols * l->blocks_per_cell;
	char buf[40];

	for (unsigned r = 0; r < band->rows; r += every) {
		size_t blk = band->first_block + (size_t)(r * per_row);
		uint64_t pfn = in->blocks[blk].start_pfn;
		double y = band->y_grid + (double)r * l->cell_px;
		double base = l->cell_px >= 14 ? y + 11 : y + 9;
		snprintf(buf, sizeof(buf), "0x%" PRIx64, pfn << LAB_PAGE_SHIFT);
		double w = text_width(cr, FONT_MONO, 10.5, buf);
		text(cr, FONT_MONO, 10.5, RGB_TEXT_DIM, l->grid_x - 6 - w, base, buf);
		if (l->cell_px >= 40) {
			snprintf(buf, sizeof(buf), "pfn 0x%" PRIx64, pfn);
			w = text_width(cr, FONT_MONO, 10.5, buf);
			text(cr, FONT_MONO, 10.5, 0x888888, l->grid_x - 6 - w, base + 14, buf);
		}
	}
}

static void draw_bands(cairo_t *cr, const struct lab_map_input *in, const struct lab_map_layout *l)
{
	int side = (int)(l->cell_px - l->gap_px);
	for (unsigned b = 0; b < l->nr_bands; b++) {
		const struct lab_map_band *band = &l->band[b];
		draw_band_header(cr, in, l, band);
		draw_band_gutter(cr, in, l, band);
		cairo_set_antialias(cr, CAIRO_ANTIALIAS_NONE);
		for (size_t i = 0; i < band->nr_cells; i++) {
			size_t first = band->first_block + (size_t)(i * l->blocks_per_cell);
			size_t n = band->first_block + band->nr_blocks - first;
			struct cell c;
			if (n > l->blocks_per_cell)
				n = (size_t)l->blocks_per_cell;
			cell_sum(in->blocks, first, n, &c);
			int x = (int)(l->grid_x + (i % l->cols) * l->cell_px);
			int y = (int)(band->y_grid + (i / l->cols) * l->cell_px);
			if (l->cell_px >= CELL_DETAIL)
				draw_cell_detail(cr, &c, x, y, side);
			else
				draw_cell_small(cr, &c, x, y, side);
		}
		cairo_set_antialias(cr, CAIRO_ANTIALIAS_DEFAULT);
	}
}

/* Legend layout helper: items of LEGEND_ITEM_W flowing in rows. */
struct flow {
	unsigned x0, x, y, right;
};

static void flow_next(struct flow *f)
{
	f->x += LEGEND_ITEM_W;
	if (f->x + LEGEND_ITEM_W > f->right) {
		f->x = f->x0;
		f->y += LEGEND_ROW;
	}
}

static void flow_newline(struct flow *f)
{
	if (f->x != f->x0) {
		f->x = f->x0;
		f->y += LEGEND_ROW;
	}
}

static void swatch(cairo_t *cr, uint32_t fill, uint32_t border, double x, double y)
{
	fill_rect(cr, border, x, y, 16, 16);
	fill_rect(cr, fill, x + 2, y + 2, 12, 12);
}

/*
 * The legend: per migratetype its two colours and pageblock count (blocks
 * with no usable page counted as holes instead), the fill key, and two
 * lines saying how to read a cell at this scale.
 */
static void draw_legend(cairo_t *cr, const struct lab_map_input *in, const struct lab_map_layout *l)
{
	uint64_t count[LAB_MIGRATE_TYPES] = { 0 }, holes = 0;
	struct flow f = { MARGIN, MARGIN, l->y_legend + LEGEND_TOP, l->width - MARGIN };
	char buf[96];

	for (size_t i = 0; i < in->nr_blocks; i++) {
		const struct lab_pageblock_info *pb = &in->blocks[i];
		uint64_t tot = (uint64_t)pb->nr_free + pb->nr_allocated + pb->nr_pcp + pb->nr_reserved;
		if (tot > 0 && pb->nr_reserved == tot)
			holes++;
		else
			count[pb->migratetype]++;
	}
	fill_rect(cr, RGB_SEPARATOR, 0, l->y_legend + 4, l->width, 1);
	cairo_set_antialias(cr, CAIRO_ANTIALIAS_NONE);
	for (unsigned mt = 0; mt < LAB_MIGRATE_TYPES; mt++) {
		fill_rect(cr, type_rgb[mt], f.x, f.y, 18, 18);
		swatch(cr, tint(type_rgb[mt], TINT_PERCENT), type_rgb[mt], f.x + 20, f.y + 1);
		snprintf(buf, sizeof(buf), "%s %" PRIu64, lab_migratetype_names[mt], count[mt]);
		cairo_set_antialias(cr, CAIRO_ANTIALIAS_DEFAULT);
		text(cr, count[mt] ? FONT_BOLD : FONT_SANS, 12, count[mt] ? RGB_TEXT : RGB_TEXT_DIM,
		     f.x + 42, f.y + 14, buf);
		cairo_set_antialias(cr, CAIRO_ANTIALIAS_NONE);
		flow_next(&f);
	}
	flow_newline(&f);

	draw_pcp(cr, f.x, f.y, 18, 18);
	text(cr, FONT_SANS, 12, RGB_TEXT, f.x + 24, f.y + 14, "per-CPU lists");
	flow_next(&f);
	fill_rect(cr, RGB_RESERVED, f.x, f.y, 18, 18);
	text(cr, FONT_SANS, 12, RGB_TEXT, f.x + 24, f.y + 14, "reserved pages");
	flow_next(&f);
	fill_rect(cr, RGB_HOLE, f.x, f.y, 18, 18);
	snprintf(buf, sizeof(buf), "hole/reserved block %" PRIu64, holes);
	text(cr, FONT_SANS, 12, RGB_TEXT, f.x + 24, f.y + 14, buf);
	flow_next(&f);
	fill_rect(cr, type_rgb[LAB_MIGRATE_MOVABLE], f.x, f.y, 18, 18);
	fill_rect(cr, tint(type_rgb[LAB_MIGRATE_MOVABLE], TINT_PERCENT), f.x + 1, f.y + 1, 16, 16);
	set_rgb(cr, type_rgb[LAB_MIGRATE_UNMOVABLE]);
	cairo_move_to(cr, f.x + 18, f.y);
	cairo_line_to(cr, f.x + 9, f.y);
	cairo_line_to(cr, f.x + 18, f.y + 9);
	cairo_close_path(cr);
	cairo_fill(cr);
	text(cr, FONT_SANS, 12, RGB_TEXT, f.x + 24, f.y + 14, "mixed block (flag colour)");
	flow_next(&f);
	flow_newline(&f);
	cairo_set_antialias(cr, CAIRO_ANTIALIAS_DEFAULT);

	static const char *const detail[LEGEND_LINES] = {
		"Each cell is one pageblock; its border has the colour of the pageblock's migratetype.",
		"Inside, from the bottom: reserved (dark grey), allocated (saturated), per-CPU (yellow), free (pale).",
		"Corner flag: holds allocations of another mobility (flag colour). oN: largest free block is order N.",
	};
	static const char *const small[LEGEND_LINES] = {
		"Cells are coloured by migratetype (aggregated cells: the majority type, fill summed):",
		"pale = free, saturated = allocated or on per-CPU lists, in between = partly used; black = no usable page.",
		"Rows run in pfn order; the left column gives each labelled row's first physical address.",
	};
	const char *const *lines = l->cell_px >= CELL_DETAIL ? detail : small;
	for (unsigned i = 0; i < LEGEND_LINES; i++)
		text(cr, FONT_SANS, 12, RGB_TEXT, MARGIN, f.y + 13 + i * LEGEND_TEXT, lines[i]);
}

struct png_sink {
	FILE *f;
	int err;
};

static cairo_status_t png_write(void *closure, const unsigned char *data, unsigned int len)
{
	struct png_sink *sink = closure;
	if (fwrite(data, 1, len, sink->f) != len) {
		sink->err = errno ? -errno : -EIO;
		return CAIRO_STATUS_WRITE_ERROR;
	}
	return CAIRO_STATUS_SUCCESS;
}

int lab_map_write_png_file(FILE *out, const struct lab_map_input *in, unsigned width_px)
{
	struct lab_map_layout l;
	int err;

	if (!out)
		return LAB_EINVAL;
	err = lab_map_layout(in, width_px, &l);
	if (err)
		return err;
	if (l.height > 32767)  /* cairo's image limit; unreachable with the height budget */
		return LAB_EINVAL;
	cairo_surface_t *surf = cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)l.width, (int)l.height);
	if (cairo_surface_status(surf) != CAIRO_STATUS_SUCCESS) {
		cairo_surface_destroy(surf);
		return LAB_ENOMEM;
	}
	cairo_t *cr = cairo_create(surf);
	fill_rect(cr, RGB_BG, 0, 0, l.width, l.height);
	draw_title(cr, in, &l);
	draw_bands(cr, in, &l);
	draw_legend(cr, in, &l);
	cairo_status_t st = cairo_status(cr);
	cairo_destroy(cr);
	if (st != CAIRO_STATUS_SUCCESS) {
		cairo_surface_destroy(surf);
		return LAB_ENOMEM;
	}
	struct png_sink sink = { out, 0 };
	st = cairo_surface_write_to_png_stream(surf, png_write, &sink);
	cairo_surface_destroy(surf);
	if (st != CAIRO_STATUS_SUCCESS)
		return sink.err ? sink.err : st == CAIRO_STATUS_NO_MEMORY ? LAB_ENOMEM : -EIO;
	return 0;
}

int lab_map_write_png(const char *path, const struct lab_map_input *in, unsigned width_px)
{
	struct lab_map_layout l;
	int err;

	if (!path || !*path)
		return LAB_EINVAL;
	err = lab_map_layout(in, width_px, &l);   /* refuse bad input before creating the file */
	if (err)
		return err;
	FILE *f = fopen(path, "wb");
	if (!f)
		return -errno;
	err = lab_map_write_png_file(f, in, width_px);
	if (fclose(f) != 0 && !err)
		err = -errno;
	if (err)
		unlink(path);
	return err;
}

int lab_map_write_png_mem(const char *path, struct lab_mem *mem, const char *title, unsigned width_px)
{
	if (!mem)
		return LAB_EINVAL;
	size_t nr = lab_mem_nr_pageblocks(mem);
	if (nr == 0)
		return LAB_EINVAL;
	struct lab_pageblock_info *blocks = calloc(nr, sizeof(*blocks));
	struct lab_mem_stats *stats = malloc(sizeof(*stats));
	int err = LAB_ENOMEM;
	if (blocks && stats) {
		lab_mem_get_stats(mem, stats);
		struct lab_map_input in = {
			.blocks = blocks,
			.nr_blocks = lab_mem_pageblocks(mem, 0, blocks, nr),
			.pageblock_order = stats->pageblock_order,
			.title = title,
			.stats = stats,
		};
		err = lab_map_write_png(path, &in, width_px);
	}
	free(stats);
	free(blocks);
	return err;
}
