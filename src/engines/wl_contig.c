/* SPDX-License-Identifier: MIT */
/*
 * engines/wl_contig.c - "contig-dma": a device driver that periodically needs a
 * physically contiguous buffer (a camera frame, a firmware blob, a DMA
 * ring), holds it, and gives it back.
 *
 *   every `period` (from `offset`): allocate `size` contiguous pages
 *     method buddy:  one block of the next power of two (what
 *                    dma_alloc_coherent does without CMA), gfp as given
 *     method contig: lab_alloc_contig_pages (migrates movable pages out of
 *                    the way; needs the core's background mechanisms)
 *     method cma:    refused at load time until the core has CMA areas
 *   held for `hold`, then freed (FIFO).
 *
 * Process context (a driver's ioctl or probe), comm from `comm`.
 * Parameters: period, offset, size (pages or bytes), hold, gfp, method, comm.
 */
#include <stdlib.h>
#include <string.h>
#include "sim_int.h"
#if LAB_HAVE_BACKGROUND
#include <labyrinth/background.h>
#endif

struct cg_buf {
	struct lab_page *page;
	uint64_t free_at;
};

struct contig {
	struct sim_source src;
	const struct wl_contig_params *p;
	unsigned order;
	uint64_t next_req;
	struct cg_buf *held;
	uint32_t head, tail, cap;
	uint64_t requests, failures, first_fail_ns;
};

static void give_back(struct lab_sim *sim, struct sim_wl *wl, struct contig *c, struct lab_page *page)
{
#if LAB_HAVE_BACKGROUND
	if (c->p->method == CONTIG_RANGE) {
		sim->free_calls++;
		lab_free_contig_range(sim->mem, lab_page_to_pfn(page), (unsigned long)c->p->nr_pages);
		sim_forget(sim, wl, 0);
		wl->pages_held -= c->p->nr_pages - 1;
		return;
	}
#endif
	sim_free(sim, wl, page, c->order);
}

static struct lab_page *take(struct lab_sim *sim, struct sim_wl *wl, struct contig *c)
{
#if LAB_HAVE_BACKGROUND
	if (c->p->method == CONTIG_RANGE) {
		sim->alloc_calls++;
		struct lab_page *p = lab_alloc_contig_pages(sim->mem, (unsigned long)c->p->nr_pages, c->p->gfp);
		wl->req[c->order]++;
		if (!p)
			wl->fail[c->order]++;
		else
			wl->pages_held += c->p->nr_pages;
		return p;
	}
#endif
	return sim_alloc(sim, wl, c->p->gfp, c->order);
}

static void contig_fire(struct lab_sim *sim, struct sim_source *src)
{
	struct sim_wl *wl = src->arg;
	struct contig *c = wl->state;

	while (c->head != c->tail && c->held[c->head & (c->cap - 1)].free_at <= sim->now) {
		struct cg_buf b = c->held[c->head++ & (c->cap - 1)];
		give_back(sim, wl, c, b.page);
	}
	if (c->next_req <= sim->now) {
		c->requests++;
		struct lab_page *page = take(sim, wl, c);
		if (!page) {
			if (!c->failures)
				c->first_fail_ns = sim->now;
			c->failures++;
		} else {
			if (c->tail - c->head == c->cap) {
				uint32_t ncap = c->cap ? c->cap * 2 : 16;
				struct cg_buf *n = malloc(ncap * sizeof(*n));
				if (!n) {
					give_back(sim, wl, c, page);
					goto next;
				}
				for (uint32_t i = 0; i < c->tail - c->head; i++)
					n[i] = c->held[(c->head + i) & (c->cap - 1)];
				c->tail -= c->head;
				c->head = 0;
				free(c->held);
				c->held = n;
				c->cap = ncap;
			}
			c->held[c->tail++ & (c->cap - 1)] = (struct cg_buf){ page, sim->now + c->p->hold_ns };
		}
next:
		c->next_req = wl->active ? c->next_req + c->p->period_ns : SIM_NEVER;
	}
	uint64_t next = c->next_req;
	if (c->head != c->tail && c->held[c->head & (c->cap - 1)].free_at < next)
		next = c->held[c->head & (c->cap - 1)].free_at;
	src->next_ns = next;
}

static int contig_init(struct lab_sim *sim, struct sim_wl *wl)
{
	struct contig *c = calloc(1, sizeof(*c));
	if (!c)
		return -1;
	wl->state = c;
	c->p = &wl->cfg->p.contig;
	while ((1ull << c->order) < c->p->nr_pages)
		c->order++;
	c->next_req = SIM_NEVER;
	c->first_fail_ns = SIM_NEVER;
	unsigned cpu = (unsigned)__builtin_ctzll(sim_cpu_mask(sim, wl->cfg));
	sim_source_init(sim, &c->src, contig_fire, wl, cpu, LAB_CTX_PROCESS, c->p->comm);
	return 0;
}

static void contig_phase(struct lab_sim *sim, struct sim_wl *wl, int active)
{
	struct contig *c = wl->state;
	if (!active) {
		c->next_req = SIM_NEVER;
		return;
	}
	c->next_req = sim->now + c->p->offset_ns;
	if (c->src.heap_pos < 0 || c->next_req < c->src.next_ns)
		sim_schedule(sim, &c->src, c->next_req);
}

static void contig_result(struct lab_sim *sim, struct sim_wl *wl, struct wl_result *out)
{
	const struct contig *c = wl->state;
	struct wl_contig_result *r = &out->u.contig;
	(void)sim;
	out->type = WL_CONTIG;
	r->requests = c->requests;
	r->failures = c->failures;
	r->pages_per_request = c->p->nr_pages;
	r->first_failure_ns = c->first_fail_ns;
	r->order = c->order;
	r->contig_range = c->p->method == CONTIG_RANGE;
}

static void contig_fini(struct lab_sim *sim, struct sim_wl *wl)
{
	struct contig *c = wl->state;
	(void)sim;
	if (!c)
		return;
	free(c->held);
	free(c);
	wl->state = NULL;
}

const struct sim_wl_ops wl_contig_ops = {
	.init = contig_init,
	.phase = contig_phase,
	.result = contig_result,
	.fini = contig_fini,
};
