/* SPDX-License-Identifier: MIT */
/*
 * report/plot.c - the time-series picture of a run (cairo PNG).
 *
 *   +-------------------------------------------------------------+
 *   | title                                                       |
 *   | phase | phase        | phase                                |  phase bands
 *   | free pages (MiB) of the main zone, min/low/high dashed      |  panel 1
 *   | failed atomic allocations per sample interval (bars)        |  panel 2
 *   | kswapd / kcompactd CPU (% of one CPU)                       |  panel 3
 *   | fragmentation index at the highest atomic order (-1 .. 1)   |  panel 4
 *   +-------------------------------------------------------------+
 *       time (s)
 *
 * Input: the run's result (engines/sim_result.h): its samples, one per
 * sim.samples-th of the run, and its phases. O(samples); one cairo image
 * surface.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <cairo.h>
#include "engines/sim_result.h"
#include "report/render.h"

struct panel {
	double x, y, w, h;              /* plot area */
	double ymin, ymax;
};

static double px(const struct panel *p, double t, double tmax)
{
	return p->x + (tmax > 0 ? t / tmax : 0) * p->w;
}

static double py(const struct panel *p, double v)
{
	double f = p->ymax > p->ymin ? (v - p->ymin) / (p->ymax - p->ymin) : 0;
	if (f < 0)
		f = 0;
	if (f > 1)
		f = 1;
	return p->y + p->h - f * p->h;
}

static void rgb(cairo_t *cr, uint32_t c)
{
	cairo_set_source_rgb(cr, ((c >> 16) & 255) / 255.0, ((c >> 8) & 255) / 255.0, (c & 255) / 255.0);
}

static void text(cairo_t *cr, double x, double y, double size, const char *s)
{
	cairo_set_font_size(cr, size);
	cairo_move_to(cr, x, y);
	cairo_show_text(cr, s);
}

static void frame(cairo_t *cr, const struct panel *p, const char *label, const char *unit, int ticks)
{
	char buf[64];
	cairo_set_line_width(cr, 1);
	rgb(cr, 0xf7f7f7);
	cairo_rectangle(cr, p->x, p->y, p->w, p->h);
	cairo_fill(cr);
	rgb(cr, 0xdddddd);
	for (int i = 0; i <= ticks; i++) {
		double v = p->ymin + (p->ymax - p->ymin) * i / ticks;
		double y = py(p, v);
		cairo_move_to(cr, p->x, y);
		cairo_line_to(cr, p->x + p->w, y);
		cairo_stroke(cr);
		rgb(cr, 0x555555);
		if (fabs(p->ymax - p->ymin) >= 10)
			snprintf(buf, sizeof(buf), "%.0f", v);
		else
			snprintf(buf, sizeof(buf), "%.2f", v);
		text(cr, p->x - 48, y + 4, 11, buf);
		rgb(cr, 0xdddddd);
	}
	rgb(cr, 0x333333);
	cairo_rectangle(cr, p->x, p->y, p->w, p->h);
	cairo_stroke(cr);
	text(cr, p->x + 6, p->y + 16, 13, label);
	if (unit)
		text(cr, p->x - 48, p->y - 6, 11, unit);
}

static void series(cairo_t *cr, const struct lab_sim_result *res, const struct panel *p, double tmax,
		   double (*get)(const struct sim_sample *, const struct lab_sim_result *), uint32_t color,
		   double width, int dashed)
{
	cairo_save(cr);
	rgb(cr, color);
	cairo_set_line_width(cr, width);
	if (dashed) {
		double d[2] = { 6, 4 };
		cairo_set_dash(cr, d, 2, 0);
	}
	for (unsigned i = 0; i < res->nr_samples; i++) {
		const struct sim_sample *s = &res->samples[i];
		double x = px(p, (double)s->t_ns / 1e9, tmax), y = py(p, get(s, res));
		if (!i)
			cairo_move_to(cr, x, y);
		else
			cairo_line_to(cr, x, y);
	}
	cairo_stroke(cr);
	cairo_restore(cr);
}

static double mib_of(uint64_t pages)
{
	return (double)pages * LAB_PAGE_SIZE / 1048576.0;
}

static double g_free(const struct sim_sample *s, const struct lab_sim_result *res) { (void)res; return mib_of(s->free); }
static double g_min(const struct sim_sample *s, const struct lab_sim_result *res) { (void)res; return mib_of(s->min); }
static double g_low(const struct sim_sample *s, const struct lab_sim_result *res) { (void)res; return mib_of(s->low); }
static double g_high(const struct sim_sample *s, const struct lab_sim_result *res) { (void)res; return mib_of(s->high); }

static double g_kswapd(const struct sim_sample *s, const struct lab_sim_result *res)
{
	return res->sample_interval_ns ? 100.0 * (double)s->kswapd_ns / (double)res->sample_interval_ns : 0;
}

static double g_kcompactd(const struct sim_sample *s, const struct lab_sim_result *res)
{
	return res->sample_interval_ns ? 100.0 * (double)s->kcompactd_ns / (double)res->sample_interval_ns : 0;
}

static double g_frag(const struct sim_sample *s, const struct lab_sim_result *res)
{
	(void)res;
	return s->fragidx / 1000.0;
}

static void legend(cairo_t *cr, double x, double y, uint32_t color, const char *label, int dashed)
{
	cairo_save(cr);
	rgb(cr, color);
	cairo_set_line_width(cr, 2.5);
	if (dashed) {
		double d[2] = { 6, 4 };
		cairo_set_dash(cr, d, 2, 0);
	}
	cairo_move_to(cr, x, y - 4);
	cairo_line_to(cr, x + 24, y - 4);
	cairo_stroke(cr);
	cairo_restore(cr);
	rgb(cr, 0x222222);
	text(cr, x + 30, y, 12, label);
}

/* The @q quantile of the main zone's free pages over the samples, MiB. */
static double free_quantile(const struct lab_sim_result *res, double q)
{
	unsigned n = res->nr_samples, below;
	double lo = 0, hi = 0;
	for (unsigned i = 0; i < n; i++)
		if (mib_of(res->samples[i].free) > hi)
			hi = mib_of(res->samples[i].free);
	/* bisection on the value: no allocation, O(samples * 40) */
	for (int it = 0; it < 40; it++) {
		double mid = (lo + hi) / 2;
		below = 0;
		for (unsigned i = 0; i < n; i++)
			below += mib_of(res->samples[i].free) <= mid;
		if (below >= q * n)
			hi = mid;
		else
			lo = mid;
	}
	return hi;
}

int lab_report_run_plot(const struct lab_sim_result *res, const char *path, unsigned width, unsigned height)
{
	char buf[256];
	if (!width)
		width = 1200;
	if (!height)
		height = 900;
	if (width < 400 || height < 300 || width > 8192 || height > 8192)
		return LAB_EINVAL;
	if (res->nr_samples < 2)
		return LAB_EINVAL;
	cairo_surface_t *sf = cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)width, (int)height);
	if (cairo_surface_status(sf) != CAIRO_STATUS_SUCCESS) {
		cairo_surface_destroy(sf);
		return -ENOMEM;
	}
	cairo_t *cr = cairo_create(sf);
	cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
	rgb(cr, 0xffffff);
	cairo_paint(cr);

	double tmax = (double)res->samples[res->nr_samples - 1].t_ns / 1e9;
	double left = 70, right = 30, top = 70, bottom = 50, gap = 34;
	double w = width - left - right, avail = height - top - bottom - 3 * gap;
	struct panel p1 = { left, top, w, avail * 0.36, 0, 1 };
	struct panel p2 = { left, p1.y + p1.h + gap, w, avail * 0.18, 0, 1 };
	struct panel p3 = { left, p2.y + p2.h + gap, w, avail * 0.24, 0, 100 };
	struct panel p4 = { left, p3.y + p3.h + gap, w, avail * 0.22, -1, 1 };

	rgb(cr, 0x111111);
	snprintf(buf, sizeof(buf), "%s, seed %llu: zone %s over %.3f s", res->scenario,
		 (unsigned long long)res->seed, lab_zone_names[res->main_zone], tmax);
	cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
	text(cr, left, 28, 17, buf);
	cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);

	/* panel 1: free vs watermarks; the scale follows the watermarks and
	 * the usual free level, not the empty memory at boot (clipped) */
	double hmax = 0;
	for (unsigned i = 0; i < res->nr_samples; i++)
		if (mib_of(res->samples[i].high) > hmax)
			hmax = mib_of(res->samples[i].high);
	double fq = free_quantile(res, 0.95);
	p1.ymax = (fq > hmax * 2.5 ? fq : hmax * 2.5) * 1.1;
	if (p1.ymax <= 0)
		p1.ymax = 1;
	frame(cr, &p1, "free memory vs watermarks (clipped at the top)", "MiB", 4);
	series(cr, res, &p1, tmax, g_high, 0x2a9d8f, 1.5, 1);
	series(cr, res, &p1, tmax, g_low, 0xe9c46a, 1.5, 1);
	series(cr, res, &p1, tmax, g_min, 0xe76f51, 1.5, 1);
	series(cr, res, &p1, tmax, g_free, 0x264653, 1.4, 0);
	legend(cr, p1.x + p1.w - 330, p1.y + 18, 0x264653, "free", 0);
	legend(cr, p1.x + p1.w - 250, p1.y + 18, 0x2a9d8f, "high", 1);
	legend(cr, p1.x + p1.w - 170, p1.y + 18, 0xe9c46a, "low", 1);
	legend(cr, p1.x + p1.w - 90, p1.y + 18, 0xe76f51, "min", 1);

	/* panel 2: atomic failures per interval (bars) */
	uint64_t fmaxc = 0;
	for (unsigned i = 0; i < res->nr_samples; i++)
		if (res->samples[i].atomic_fail > fmaxc)
			fmaxc = res->samples[i].atomic_fail;
	p2.ymax = fmaxc ? (double)fmaxc : 1;
	snprintf(buf, sizeof(buf), "failed atomic allocations per %.2f ms (%llu in all)",
		 (double)res->sample_interval_ns / 1e6, (unsigned long long)res->atomic_failures);
	frame(cr, &p2, buf, NULL, 2);
	rgb(cr, 0xd62828);
	for (unsigned i = 0; i < res->nr_samples; i++) {
		const struct sim_sample *s = &res->samples[i];
		if (!s->atomic_fail)
			continue;
		double x = px(&p2, (double)s->t_ns / 1e9, tmax), y = py(&p2, (double)s->atomic_fail);
		double bw = p2.w / res->nr_samples;
		cairo_rectangle(cr, x - (bw > 1.5 ? bw : 1.5), y, bw > 1.5 ? bw : 1.5, p2.y + p2.h - y);
	}
	cairo_fill(cr);

	/* panel 3: daemon CPU */
	frame(cr, &p3, "kswapd / kcompactd CPU (share of one CPU)", "%", 4);
	series(cr, res, &p3, tmax, g_kswapd, 0x1d3557, 1.2, 0);
	series(cr, res, &p3, tmax, g_kcompactd, 0x8e44ad, 1.2, 0);
	legend(cr, p3.x + p3.w - 220, p3.y + 18, 0x1d3557, "kswapd", 0);
	legend(cr, p3.x + p3.w - 120, p3.y + 18, 0x8e44ad, "kcompactd", 0);

	/* panel 4: fragmentation index */
	snprintf(buf, sizeof(buf), "fragmentation index at order %u (-1: a block is free; near 1: fragmented)",
		 res->highest_atomic_order);
	frame(cr, &p4, buf, NULL, 4);
	series(cr, res, &p4, tmax, g_frag, 0x6a4c93, 1.2, 0);

	/* phase boundaries over all panels */
	for (unsigned i = 0; i < res->nr_phases; i++) {
		double x = px(&p1, (double)res->phase_start[i] / 1e9, tmax);
		cairo_save(cr);
		rgb(cr, 0x888888);
		double d[2] = { 2, 3 };
		cairo_set_dash(cr, d, 2, 0);
		cairo_move_to(cr, x, p1.y - 18);
		cairo_line_to(cr, x, p4.y + p4.h);
		cairo_stroke(cr);
		cairo_restore(cr);
		rgb(cr, 0x444444);
		text(cr, x + 4, p1.y - 6, 12, res->phase_name[i]);
	}
	/* time axis */
	rgb(cr, 0x333333);
	for (int i = 0; i <= 10; i++) {
		double t = tmax * i / 10;
		snprintf(buf, sizeof(buf), "%.2f", t);
		text(cr, px(&p4, t, tmax) - 12, p4.y + p4.h + 18, 11, buf);
	}
	text(cr, left + w / 2 - 30, height - 10, 12, "time (s)");

	cairo_destroy(cr);
	cairo_surface_flush(sf);
	cairo_status_t stt = cairo_surface_write_to_png(sf, path);
	cairo_surface_destroy(sf);
	if (stt != CAIRO_STATUS_SUCCESS) {
		remove(path);
		return stt == CAIRO_STATUS_NO_MEMORY ? -ENOMEM : -EIO;
	}
	return 0;
}
