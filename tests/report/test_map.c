/* SPDX-License-Identifier: MIT */
/*
 * tests/report/test_map.c - the labyrinth map (report/map.c): geometry at
 * small, large and huge memories, PNGs that cairo reads back with the
 * promised size, cells whose pixels carry the palette colour of their
 * pageblock's migratetype (so per-type cell counts equal the pagetypeinfo
 * block table of a live instance), and clean errors for bad input.
 *
 * Pictures are written under <build>/test-output/map/ and kept, so a person
 * can look at them after a run.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>
#include <cairo.h>
#include <labyrinth/labyrinth.h>
#include <labyrinth/map.h>

#define OUT_DIR LAB_BINARY_DIR "/test-output/map"
#define PB_ORDER 9
#define PB_PAGES (1u << PB_ORDER)
#define MIB (1024ull * 1024)

static const char *out_path(const char *name)
{
	static char buf[512];
	mkdir(LAB_BINARY_DIR "/test-output", 0777);
	mkdir(OUT_DIR, 0777);
	snprintf(buf, sizeof(buf), OUT_DIR "/%s", name);
	return buf;
}

/* Fills @n blocks from pfn 0: zone by physical address (x86-64 limits),
 * migratetype @mt, every page allocated. */
static void synth(struct lab_pageblock_info *b, size_t n, unsigned mt)
{
	memset(b, 0, n * sizeof(*b));
	for (size_t i = 0; i < n; i++) {
		uint64_t pfn = (uint64_t)i * PB_PAGES;
		b[i].start_pfn = pfn;
		b[i].zone = pfn < (16 * MIB >> 12) ? LAB_ZONE_DMA :
			    pfn < (4096 * MIB >> 12) ? LAB_ZONE_DMA32 : LAB_ZONE_NORMAL;
		b[i].migratetype = (uint8_t)mt;
		b[i].nr_allocated = PB_PAGES;
		if (mt < LAB_MIGRATE_PCPTYPES)
			b[i].nr_alloc_mt[mt] = PB_PAGES;
		b[i].largest_free_order = 0xffff;
	}
}

static void set_free(struct lab_pageblock_info *b)
{
	b->nr_allocated = 0;
	memset(b->nr_alloc_mt, 0, sizeof(b->nr_alloc_mt));
	b->nr_free = PB_PAGES;
	b->largest_free_order = PB_ORDER;
}

static struct lab_map_input input(const struct lab_pageblock_info *b, size_t n)
{
	struct lab_map_input in = { .blocks = b, .nr_blocks = n, .pageblock_order = PB_ORDER,
				    .title = "test", .stats = NULL };
	return in;
}

/* A PNG read back through cairo, with pixel access. */
struct png {
	cairo_surface_t *s;
	int w, h, stride;
	const unsigned char *data;
};

static void png_load(struct png *p, const char *path)
{
	p->s = cairo_image_surface_create_from_png(path);
	assert_int_equal(cairo_surface_status(p->s), CAIRO_STATUS_SUCCESS);
	cairo_surface_flush(p->s);
	p->w = cairo_image_surface_get_width(p->s);
	p->h = cairo_image_surface_get_height(p->s);
	p->stride = cairo_image_surface_get_stride(p->s);
	p->data = cairo_image_surface_get_data(p->s);
	assert_non_null(p->data);
}

static uint32_t png_rgb(const struct png *p, int x, int y)
{
	uint32_t px;
	assert_true(x >= 0 && x < p->w && y >= 0 && y < p->h);
	memcpy(&px, p->data + (size_t)y * (size_t)p->stride + (size_t)x * 4, sizeof(px));
	return px & 0xFFFFFF;
}

static void png_free(struct png *p)
{
	cairo_surface_destroy(p->s);
}

static uint32_t type_rgb(unsigned mt, int pale)
{
	uint32_t rgb = 0;
	assert_int_equal(lab_map_type_rgb(mt, pale, &rgb), 0);
	return rgb;
}

/* The migratetype whose saturated colour is @rgb, or -1. */
static int type_of_rgb(uint32_t rgb)
{
	for (unsigned mt = 0; mt < LAB_MIGRATE_TYPES; mt++)
		if (type_rgb(mt, 0) == rgb)
			return (int)mt;
	return -1;
}

static uint32_t cell_centre(const struct png *p, const struct lab_map_layout *l, size_t block)
{
	int x, y, w, h;
	assert_int_equal(lab_map_cell_rect(l, block, &x, &y, &w, &h), 0);
	return png_rgb(p, x + w / 2, y + h / 2);
}

/* Middle of the cell's left border: always the pageblock's type colour. */
static uint32_t cell_border(const struct png *p, const struct lab_map_layout *l, size_t block)
{
	int x, y, w, h;
	assert_int_equal(lab_map_cell_rect(l, block, &x, &y, &w, &h), 0);
	return png_rgb(p, x, y + h / 2);
}

/* 16 MiB (8 pageblocks) gets big cells: one pageblock per cell, >= 64 px. */
static void test_map_layout_16mib_big_cells(void **state)
{
	(void)state;
	struct lab_pageblock_info b[8];
	struct lab_map_layout l;
	synth(b, 8, LAB_MIGRATE_MOVABLE);
	struct lab_map_input in = input(b, 8);
	assert_int_equal(lab_map_layout(&in, 0, &l), 0);
	assert_int_equal(l.width, LAB_MAP_DEFAULT_WIDTH);
	assert_int_equal(l.blocks_per_cell, 1);
	assert_true(l.cell_px >= 64);
	assert_true(l.height <= 1200);
}

/* 64 GiB (32768 pageblocks, three zones) fits ~1200x1200 with 2..8 px cells, unaggregated. */
static void test_map_layout_64gib_fits(void **state)
{
	(void)state;
	size_t n = 32768;
	struct lab_pageblock_info *b = malloc(n * sizeof(*b));
	struct lab_map_layout l;
	assert_non_null(b);
	synth(b, n, LAB_MIGRATE_MOVABLE);
	struct lab_map_input in = input(b, n);
	assert_int_equal(lab_map_layout(&in, 1200, &l), 0);
	assert_int_equal(l.nr_bands, 3);
	assert_int_equal(l.blocks_per_cell, 1);
	assert_true(l.cell_px >= 2 && l.cell_px <= 8);
	assert_true(l.height <= 1250);
	free(b);
}

/* 1 TiB (524288 pageblocks) aggregates several pageblocks per cell and still fits. */
static void test_map_layout_1tib_aggregates(void **state)
{
	(void)state;
	size_t n = 524288;
	struct lab_pageblock_info *b = malloc(n * sizeof(*b));
	struct lab_map_layout l;
	assert_non_null(b);
	synth(b, n, LAB_MIGRATE_MOVABLE);
	struct lab_map_input in = input(b, n);
	assert_int_equal(lab_map_layout(&in, 1200, &l), 0);
	assert_true(l.blocks_per_cell > 1);
	assert_true(l.cell_px >= 2);
	assert_true(l.height <= 1250);
	free(b);
}

/* Every cell of a 64 GiB map lies inside the image, and cells advance in pfn order without overlap. */
static void test_map_cells_inside_and_ordered(void **state)
{
	(void)state;
	size_t n = 32768;
	struct lab_pageblock_info *b = malloc(n * sizeof(*b));
	struct lab_map_layout l;
	int px = -1, py = -1, pw = 0;
	assert_non_null(b);
	synth(b, n, LAB_MIGRATE_MOVABLE);
	struct lab_map_input in = input(b, n);
	assert_int_equal(lab_map_layout(&in, 1200, &l), 0);
	for (size_t i = 0; i < n; i++) {
		int x, y, w, h;
		assert_int_equal(lab_map_cell_rect(&l, i, &x, &y, &w, &h), 0);
		assert_true(x >= 0 && y >= 0 && w > 0 && h > 0);
		assert_true((unsigned)(x + w) <= l.width && (unsigned)(y + h) <= l.y_legend);
		assert_true(y > py || (y == py && x >= px + pw));
		px = x;
		py = y;
		pw = w;
	}
	free(b);
}

/* A block index past the input has no cell. */
static void test_map_cell_rect_out_of_range(void **state)
{
	(void)state;
	struct lab_pageblock_info b[4];
	struct lab_map_layout l;
	int x, y, w, h;
	synth(b, 4, LAB_MIGRATE_MOVABLE);
	struct lab_map_input in = input(b, 4);
	assert_int_equal(lab_map_layout(&in, 0, &l), 0);
	assert_int_equal(lab_map_cell_rect(&l, 4, &x, &y, &w, &h), LAB_EINVAL);
}

/* The PNG is valid and as wide as asked and as high as the layout says. */
static void test_map_png_size_matches_layout(void **state)
{
	(void)state;
	struct lab_pageblock_info b[32];
	struct lab_map_layout l;
	struct png p;
	synth(b, 32, LAB_MIGRATE_MOVABLE);
	struct lab_map_input in = input(b, 32);
	const char *path = out_path("size_800.png");
	assert_int_equal(lab_map_write_png(path, &in, 800), 0);
	assert_int_equal(lab_map_layout(&in, 800, &l), 0);
	png_load(&p, path);
	assert_int_equal(p.w, 800);
	assert_int_equal(p.h, (int)l.height);
	png_free(&p);
}

/* 3 Unmovable, 5 Movable, 1 HighAtomic full blocks: each cell centre is its type's colour, counts 3/5/1. */
static void test_map_png_full_cells_have_type_colour(void **state)
{
	(void)state;
	static const unsigned mts[9] = { 0, 1, 1, 0, 3, 1, 1, 0, 1 };
	unsigned count[LAB_MIGRATE_TYPES] = { 0 };
	struct lab_pageblock_info b[9];
	struct lab_map_layout l;
	struct png p;
	synth(b, 9, 0);
	for (size_t i = 0; i < 9; i++) {
		b[i].migratetype = (uint8_t)mts[i];
		memset(b[i].nr_alloc_mt, 0, sizeof(b[i].nr_alloc_mt));
		b[i].nr_alloc_mt[mts[i] < 3 ? mts[i] : 0] = PB_PAGES;
	}
	struct lab_map_input in = input(b, 9);
	const char *path = out_path("full_9.png");
	assert_int_equal(lab_map_write_png(path, &in, 0), 0);
	assert_int_equal(lab_map_layout(&in, 0, &l), 0);
	png_load(&p, path);
	for (size_t i = 0; i < 9; i++) {
		int mt = type_of_rgb(cell_centre(&p, &l, i));
		assert_int_equal(mt, (int)mts[i]);
		count[mt]++;
	}
	assert_int_equal(count[LAB_MIGRATE_UNMOVABLE], 3);
	assert_int_equal(count[LAB_MIGRATE_MOVABLE], 5);
	assert_int_equal(count[LAB_MIGRATE_HIGHATOMIC], 1);
	png_free(&p);
}

/* lab_map_cell_rect is pixel-exact: its corners are the cell's type colour, the pixels just outside are background. */
static void test_map_cell_rect_is_pixel_exact(void **state)
{
	(void)state;
	struct lab_pageblock_info b[32];
	struct lab_map_layout l;
	struct png p;
	int x, y, w, h;
	synth(b, 32, LAB_MIGRATE_UNMOVABLE);
	struct lab_map_input in = input(b, 32);
	const char *path = out_path("exact.png");
	assert_int_equal(lab_map_write_png(path, &in, 0), 0);
	assert_int_equal(lab_map_layout(&in, 0, &l), 0);
	assert_true(l.gap_px > 0);
	png_load(&p, path);
	uint32_t u = type_rgb(LAB_MIGRATE_UNMOVABLE, 0);
	for (size_t i = 9; i < 32; i += 7) {
		assert_int_equal(lab_map_cell_rect(&l, i, &x, &y, &w, &h), 0);
		assert_int_equal(png_rgb(&p, x, y + h / 2), u);
		assert_int_equal(png_rgb(&p, x + w - 1, y + h - 1), u);
		assert_int_equal(png_rgb(&p, x + w, y + h - 1), 0xFFFFFF);
		assert_int_equal(png_rgb(&p, x + w - 1, y + h), 0xFFFFFF);
		assert_int_equal(png_rgb(&p, x - 1, y + h / 2), 0xFFFFFF);
	}
	png_free(&p);
}

/* A free pageblock's cell centre is the pale tint of its type, not the saturated colour. */
static void test_map_png_free_cell_is_pale(void **state)
{
	(void)state;
	struct lab_pageblock_info b[4];
	struct lab_map_layout l;
	struct png p;
	synth(b, 4, LAB_MIGRATE_RECLAIMABLE);
	set_free(&b[2]);
	struct lab_map_input in = input(b, 4);
	const char *path = out_path("free_cell.png");
	assert_int_equal(lab_map_write_png(path, &in, 0), 0);
	assert_int_equal(lab_map_layout(&in, 0, &l), 0);
	png_load(&p, path);
	assert_int_equal(cell_centre(&p, &l, 2), type_rgb(LAB_MIGRATE_RECLAIMABLE, 1));
	assert_int_equal(cell_centre(&p, &l, 1), type_rgb(LAB_MIGRATE_RECLAIMABLE, 0));
	png_free(&p);
}

/* A Movable block holding unmovable allocations shows an Unmovable flag in its top-right corner. */
static void test_map_png_mixed_block_has_flag(void **state)
{
	(void)state;
	struct lab_pageblock_info b[4];
	struct lab_map_layout l;
	struct png p;
	int x, y, w, h;
	synth(b, 4, LAB_MIGRATE_MOVABLE);
	set_free(&b[1]);
	set_free(&b[2]);
	b[1].nr_free = PB_PAGES - 8;
	b[1].nr_allocated = 8;
	b[1].nr_alloc_mt[LAB_MIGRATE_UNMOVABLE] = 8;
	struct lab_map_input in = input(b, 4);
	const char *path = out_path("mixed.png");
	assert_int_equal(lab_map_write_png(path, &in, 0), 0);
	assert_int_equal(lab_map_layout(&in, 0, &l), 0);
	png_load(&p, path);
	assert_int_equal(lab_map_cell_rect(&l, 1, &x, &y, &w, &h), 0);
	assert_int_equal(png_rgb(&p, x + w - 2, y + 1), type_rgb(LAB_MIGRATE_UNMOVABLE, 0));
	assert_int_equal(lab_map_cell_rect(&l, 2, &x, &y, &w, &h), 0);
	assert_int_equal(png_rgb(&p, x + w - 2, y + 1), type_rgb(LAB_MIGRATE_MOVABLE, 0));
	png_free(&p);
}

/* A pageblock with no usable page (all reserved: a hole) is black. */
static void test_map_png_hole_is_black(void **state)
{
	(void)state;
	struct lab_pageblock_info b[4];
	struct lab_map_layout l;
	struct png p;
	synth(b, 4, LAB_MIGRATE_MOVABLE);
	b[3].nr_allocated = 0;
	b[3].nr_reserved = PB_PAGES;
	struct lab_map_input in = input(b, 4);
	const char *path = out_path("hole.png");
	assert_int_equal(lab_map_write_png(path, &in, 0), 0);
	assert_int_equal(lab_map_layout(&in, 0, &l), 0);
	png_load(&p, path);
	assert_int_equal(cell_centre(&p, &l, 3), 0x000000);
	png_free(&p);
}

/* Tiny-cell 64 GiB map: every cell centre carries its (pseudo-random) block type's colour. */
static void test_map_png_64gib_cells_match_types(void **state)
{
	(void)state;
	size_t n = 32768;
	struct lab_pageblock_info *b = malloc(n * sizeof(*b));
	struct lab_map_layout l;
	struct png p;
	uint32_t seed = 12345;
	assert_non_null(b);
	synth(b, n, 0);
	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		unsigned mt = (seed >> 16) % 10 < 7 ? LAB_MIGRATE_MOVABLE : (seed >> 16) % 3;
		b[i].migratetype = (uint8_t)mt;
		memset(b[i].nr_alloc_mt, 0, sizeof(b[i].nr_alloc_mt));
		b[i].nr_alloc_mt[mt] = PB_PAGES;
	}
	struct lab_map_input in = input(b, n);
	const char *path = out_path("types_64gib.png");
	assert_int_equal(lab_map_write_png(path, &in, 0), 0);
	assert_int_equal(lab_map_layout(&in, 0, &l), 0);
	png_load(&p, path);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(type_of_rgb(cell_centre(&p, &l, i)), b[i].migratetype);
	png_free(&p);
	free(b);
}

/* Aggregated cells (1 TiB) take the majority migratetype of their pageblocks. */
static void test_map_png_aggregated_cell_is_majority(void **state)
{
	(void)state;
	size_t n = 524288;
	struct lab_pageblock_info *b = malloc(n * sizeof(*b));
	struct lab_map_layout l;
	struct png p;
	assert_non_null(b);
	synth(b, n, LAB_MIGRATE_MOVABLE);
	struct lab_map_input in = input(b, n);
	assert_int_equal(lab_map_layout(&in, 0, &l), 0);
	assert_true(l.blocks_per_cell >= 2);
	/* the Normal band starts at 4 GiB = block 2048, aligned to any k <= 2048 */
	size_t first = 2048, k = (size_t)l.blocks_per_cell;
	for (size_t j = 0; j < k / 2 + 1; j++) {  /* cell 0 of Normal: Unmovable majority */
		b[first + j].migratetype = LAB_MIGRATE_UNMOVABLE;
		b[first + j].nr_alloc_mt[1] = 0;
		b[first + j].nr_alloc_mt[0] = PB_PAGES;
	}
	b[first + k].migratetype = LAB_MIGRATE_UNMOVABLE;  /* cell 1: a minority */
	const char *path = out_path("aggregated_1tib.png");
	assert_int_equal(lab_map_write_png(path, &in, 0), 0);
	png_load(&p, path);
	assert_int_equal(type_of_rgb(cell_centre(&p, &l, first)), LAB_MIGRATE_UNMOVABLE);
	assert_int_equal(type_of_rgb(cell_centre(&p, &l, first + k)), LAB_MIGRATE_MOVABLE);
	png_free(&p);
	free(b);
}

/* A live 64 MiB instance: cells per type colour (at each cell's border) equal pagetypeinfo's block counts. */
static void test_map_live_counts_match_pagetypeinfo(void **state)
{
	(void)state;
	struct lab_range r = { 0, 64 * MIB };
	struct lab_mem_config cfg = { .ranges = &r, .nr_ranges = 1, .pageblock_order = PB_ORDER };
	size_t bytes = lab_mem_metadata_bytes(&cfg);
	assert_true(bytes > 0);
	cfg.metadata = aligned_alloc(64, (bytes + 63) & ~(size_t)63);
	cfg.metadata_bytes = bytes;
	assert_non_null(cfg.metadata);
	int err = 0;
	struct lab_mem *mem = lab_mem_init(&cfg, &err);
	assert_non_null(mem);

	/* whole pageblocks of other mobilities steal Movable blocks */
	for (int i = 0; i < 3; i++)
		assert_non_null(lab_alloc_pages(mem, LAB_GFP_KERNEL, PB_ORDER));
	for (int i = 0; i < 2; i++)
		assert_non_null(lab_alloc_pages(mem, LAB_GFP_KERNEL | LAB___GFP_RECLAIMABLE, PB_ORDER));
	for (int i = 0; i < 40; i++)
		lab_alloc_pages(mem, LAB_GFP_ATOMIC | LAB___GFP_NOWARN, 3);
	for (int i = 0; i < 200; i++)
		lab_alloc_pages(mem, LAB_GFP_KERNEL | LAB___GFP_NOWARN, 0);

	struct lab_mem_stats *s = malloc(sizeof(*s));
	assert_non_null(s);
	lab_mem_get_stats(mem, s);
	const char *path = out_path("live_64mib.png");
	assert_int_equal(lab_map_write_png_mem(path, mem, "live 64 MiB", 0), 0);

	size_t n = lab_mem_nr_pageblocks(mem);
	struct lab_pageblock_info *b = calloc(n, sizeof(*b));
	assert_non_null(b);
	assert_int_equal(lab_mem_pageblocks(mem, 0, b, n), n);
	struct lab_map_input in = input(b, n);
	in.stats = s;  /* as lab_map_write_png_mem draws it: zone headers with stats */
	struct lab_map_layout l;
	assert_int_equal(lab_map_layout(&in, 0, &l), 0);
	assert_int_equal(l.blocks_per_cell, 1);

	struct png p;
	uint64_t cells[LAB_MIGRATE_TYPES] = { 0 }, want[LAB_MIGRATE_TYPES] = { 0 };
	png_load(&p, path);
	assert_int_equal(p.h, (int)l.height);
	for (size_t i = 0; i < n; i++) {
		int mt = type_of_rgb(cell_border(&p, &l, i));
		assert_true(mt >= 0);
		cells[mt]++;
	}
	for (unsigned z = 0; z < LAB_MAX_NR_ZONES; z++)
		for (unsigned mt = 0; mt < LAB_MIGRATE_TYPES; mt++)
			want[mt] += s->zone[z].nr_blocks_mt[mt];
	for (unsigned mt = 0; mt < LAB_MIGRATE_TYPES; mt++)
		assert_int_equal(cells[mt], want[mt]);
	assert_true(want[LAB_MIGRATE_UNMOVABLE] >= 3 && want[LAB_MIGRATE_RECLAIMABLE] >= 2);
	png_free(&p);
	free(b);
	free(s);
	lab_mem_fini(mem);
	free(cfg.metadata);
}

/* A path in a missing directory returns -ENOENT and leaves nothing behind. */
static void test_map_bad_path_returns_error(void **state)
{
	(void)state;
	struct lab_pageblock_info b[4];
	synth(b, 4, LAB_MIGRATE_MOVABLE);
	struct lab_map_input in = input(b, 4);
	assert_int_equal(lab_map_write_png("/nonexistent-dir/map.png", &in, 0), -ENOENT);
	assert_int_equal(lab_map_write_png("", &in, 0), LAB_EINVAL);
	assert_int_equal(lab_map_write_png(NULL, &in, 0), LAB_EINVAL);
}

/* Zero pageblocks is refused with LAB_EINVAL and no file is created. */
static void test_map_zero_blocks_is_einval(void **state)
{
	(void)state;
	struct lab_pageblock_info b[1];
	struct stat st;
	synth(b, 1, LAB_MIGRATE_MOVABLE);
	struct lab_map_input in = input(b, 0);
	const char *path = out_path("zero.png");
	remove(path);
	assert_int_equal(lab_map_write_png(path, &in, 0), LAB_EINVAL);
	assert_int_equal(stat(path, &st), -1);
	assert_int_equal(lab_map_write_png(path, NULL, 0), LAB_EINVAL);
}

/* Out-of-range width, pageblock order, zone or migratetype are LAB_EINVAL. */
static void test_map_bad_input_is_einval(void **state)
{
	(void)state;
	struct lab_pageblock_info b[4];
	struct lab_map_layout l;
	synth(b, 4, LAB_MIGRATE_MOVABLE);
	struct lab_map_input in = input(b, 4);
	assert_int_equal(lab_map_layout(&in, 100, &l), LAB_EINVAL);
	assert_int_equal(lab_map_layout(&in, 100000, &l), LAB_EINVAL);
	in.pageblock_order = LAB_MAX_ORDER;
	assert_int_equal(lab_map_layout(&in, 0, &l), LAB_EINVAL);
	in.pageblock_order = PB_ORDER;
	b[2].migratetype = LAB_MIGRATE_TYPES;
	assert_int_equal(lab_map_layout(&in, 0, &l), LAB_EINVAL);
	b[2].migratetype = LAB_MIGRATE_MOVABLE;
	b[2].zone = LAB_MAX_NR_ZONES;
	assert_int_equal(lab_map_layout(&in, 0, &l), LAB_EINVAL);
	uint32_t rgb;
	assert_int_equal(lab_map_type_rgb(LAB_MIGRATE_TYPES, 0, &rgb), LAB_EINVAL);
}

/* More zone runs than LAB_MAP_MAX_BANDS is not a memory map: LAB_EINVAL. */
static void test_map_too_many_bands_is_einval(void **state)
{
	(void)state;
	struct lab_pageblock_info b[2 * LAB_MAP_MAX_BANDS + 2];
	struct lab_map_layout l;
	size_t n = sizeof(b) / sizeof(b[0]);
	synth(b, n, LAB_MIGRATE_MOVABLE);
	for (size_t i = 0; i < n; i++)
		b[i].zone = (uint8_t)(i % 2);
	struct lab_map_input in = input(b, n);
	assert_int_equal(lab_map_layout(&in, 0, &l), LAB_EINVAL);
}

/* The palette's six saturated colours and six tints are twelve distinct colours. */
static void test_map_palette_distinct(void **state)
{
	(void)state;
	uint32_t c[2 * LAB_MIGRATE_TYPES];
	for (unsigned mt = 0; mt < LAB_MIGRATE_TYPES; mt++) {
		c[2 * mt] = type_rgb(mt, 0);
		c[2 * mt + 1] = type_rgb(mt, 1);
	}
	for (unsigned i = 0; i < 2 * LAB_MIGRATE_TYPES; i++)
		for (unsigned j = i + 1; j < 2 * LAB_MIGRATE_TYPES; j++)
			assert_int_not_equal(c[i], c[j]);
}

/* The saturated palette is the one docs/map.md documents. */
static void test_map_palette_matches_docs(void **state)
{
	(void)state;
	static const uint32_t documented[LAB_MIGRATE_TYPES] = {
		0xD55E00, 0x009E73, 0x0072B2, 0xCC79A7, 0x6A3D9A, 0x8C8C8C };
	for (unsigned mt = 0; mt < LAB_MIGRATE_TYPES; mt++)
		assert_int_equal(type_rgb(mt, 0), documented[mt]);
	assert_int_equal(type_rgb(LAB_MIGRATE_MOVABLE, 1), 0xA6DDCE);
}

/*
 * LeakSanitizer hook (used only in -fsanitize=address builds): fontconfig
 * keeps its configuration until FcFini(), which cairo never calls and
 * which the test cannot call without linking fontconfig itself. That
 * one-time allocation is not ours; everything else stays checked.
 */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libfontconfig.so\n";
}

/* Called last: frees cairo's caches so LeakSanitizer sees only real leaks. */
static int teardown_cairo(void **state)
{
	(void)state;
	cairo_debug_reset_static_data();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_map_layout_16mib_big_cells),
		cmocka_unit_test(test_map_layout_64gib_fits),
		cmocka_unit_test(test_map_layout_1tib_aggregates),
		cmocka_unit_test(test_map_cells_inside_and_ordered),
		cmocka_unit_test(test_map_cell_rect_out_of_range),
		cmocka_unit_test(test_map_png_size_matches_layout),
		cmocka_unit_test(test_map_png_full_cells_have_type_colour),
		cmocka_unit_test(test_map_cell_rect_is_pixel_exact),
		cmocka_unit_test(test_map_png_free_cell_is_pale),
		cmocka_unit_test(test_map_png_mixed_block_has_flag),
		cmocka_unit_test(test_map_png_hole_is_black),
		cmocka_unit_test(test_map_png_64gib_cells_match_types),
		cmocka_unit_test(test_map_png_aggregated_cell_is_majority),
		cmocka_unit_test(test_map_live_counts_match_pagetypeinfo),
		cmocka_unit_test(test_map_bad_path_returns_error),
		cmocka_unit_test(test_map_zero_blocks_is_einval),
		cmocka_unit_test(test_map_bad_input_is_einval),
		cmocka_unit_test(test_map_too_many_bands_is_einval),
		cmocka_unit_test(test_map_palette_distinct),
		cmocka_unit_test(test_map_palette_matches_docs),
	};
	return cmocka_run_group_tests(tests, NULL, teardown_cairo);
}
