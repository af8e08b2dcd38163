/* SPDX-License-Identifier: MIT */
/*
 * engines/wl_cardiac.c - "cardiac-monitor": a periodic timer interrupt (e.g.
 * 1 kHz) that must have a small DMA buffer within a deadline, every tick.
 *
 *   tick k due at k * period
 *     |  the CPU's hardirqs may be off (another hardirq running): it waits
 *     v
 *   hardirq: lab_alloc_pages(gfp = GFP_ATOMIC|GFP_DMA, order 1)
 *     |  failed: retry every `retry` while still inside the deadline
 *     v
 *   the buffer is held `hold` (the DMA transfer), then freed
 *
 * A miss is a tick whose buffer was not obtained within `deadline` of the
 * tick's due time: either every attempt failed (an allocation miss) or the
 * interrupt ran too late (a latency miss). Latency = time from due to the
 * successful allocation; the histogram goes into the report.
 *
 * Parameters: cpu, period, order, gfp, deadline, retry, hold, cost (hardirq
 * time of the handler: it delays other hardirqs of its CPU).
 */
#include <stdlib.h>
#include <string.h>
#include "sim_int.h"

struct held_buf {
	struct lab_page *page;
	uint64_t free_at;
};

struct cardiac {
	struct sim_source src;
	const struct wl_cardiac_params *p;
	uint64_t tick_due;              /* due time of the tick being served */
	uint64_t next_tick;             /* SIM_NEVER while off */
	int pending;                    /* a tick is waiting for its buffer */
	struct held_buf *held;
	uint32_t head, tail, cap;
	uint64_t ticks, served, miss_failed, miss_late, attempts;
	uint64_t first_miss_ns;
	struct sim_latency lat;
};

static int held_push(struct cardiac *c, struct held_buf b)
{
	if (c->tail - c->head == c->cap) {
		uint32_t ncap = c->cap ? c->cap * 2 : 64;
		struct held_buf *n = malloc(ncap * sizeof(*n));
		if (!n)
			return -1;
		for (uint32_t i = 0; i < c->tail - c->head; i++)
			n[i] = c->held[(c->head + i) & (c->cap - 1)];
		c->tail -= c->head;
		c->head = 0;
		free(c->held);
		c->held = n;
		c->cap = ncap;
	}
	c->held[c->tail++ & (c->cap - 1)] = b;
	return 0;
}

static void miss(struct lab_sim *sim, struct cardiac *c, int late)
{
	if (late)
		c->miss_late++;
	else
		c->miss_failed++;
	if (c->first_miss_ns == SIM_NEVER)
		c->first_miss_ns = sim->now;
	sim->deadline_misses++;
	c->pending = 0;
}

static void cardiac_fire(struct lab_sim *sim, struct sim_source *src)
{
	struct sim_wl *wl = src->arg;
	struct cardiac *c = wl->state;
	const struct wl_cardiac_params *p = c->p;
	uint64_t now = sim->now;

	while (c->head != c->tail && c->held[c->head & (c->cap - 1)].free_at <= now) {
		struct held_buf b = c->held[c->head++ & (c->cap - 1)];
		sim_free(sim, wl, b.page, p->order);
	}
	if (!c->pending && c->next_tick <= now) {
		c->ticks++;
		c->tick_due = c->next_tick;
		c->pending = 1;
		c->next_tick = wl->active ? c->next_tick + p->period_ns : SIM_NEVER;
	}
	uint64_t retry_at = SIM_NEVER;
	if (c->pending) {
		uint64_t late = now - c->tick_due;
		if (late > p->deadline_ns) {
			miss(sim, c, 1);
		} else {
			c->attempts++;
			struct lab_page *page = sim_alloc(sim, wl, p->gfp, p->order);
			if (page) {
				c->served++;
				c->pending = 0;
				latency_add(&c->lat, late);
				if (held_push(c, (struct held_buf){ page, now + p->hold_ns }) != 0)
					sim_free(sim, wl, page, p->order);
			} else if (p->retry_ns && late + p->retry_ns <= p->deadline_ns) {
				retry_at = now + p->retry_ns;
			} else {
				miss(sim, c, 0);
			}
		}
	}
	uint64_t next = c->next_tick;
	if (retry_at < next)
		next = retry_at;
	if (c->head != c->tail && c->held[c->head & (c->cap - 1)].free_at < next)
		next = c->held[c->head & (c->cap - 1)].free_at;
	src->next_ns = next;
}

static int cardiac_init(struct lab_sim *sim, struct sim_wl *wl)
{
	struct cardiac *c = calloc(1, sizeof(*c));
	if (!c)
		return -1;
	wl->state = c;
	c->p = &wl->cfg->p.cardiac;
	c->next_tick = SIM_NEVER;
	c->first_miss_ns = SIM_NEVER;
	sim_source_init(sim, &c->src, cardiac_fire, wl, c->p->cpu, LAB_CTX_HARDIRQ, NULL);
	c->src.irq_cost_ns = c->p->cost_ns;
	sim_source_nestable(sim, &c->src);
	return 0;
}

static void cardiac_phase(struct lab_sim *sim, struct sim_wl *wl, int active)
{
	struct cardiac *c = wl->state;
	if (!active) {
		c->next_tick = SIM_NEVER;
		return;
	}
	/* ticks stay on the period grid */
	uint64_t k = (sim->now + c->p->period_ns - 1) / c->p->period_ns;
	c->next_tick = k * c->p->period_ns;
	if (c->src.heap_pos < 0 || c->next_tick < c->src.next_ns)
		sim_schedule(sim, &c->src, c->next_tick);
}

static void cardiac_result(struct lab_sim *sim, struct sim_wl *wl, struct wl_result *out)
{
	const struct cardiac *c = wl->state;
	struct wl_cardiac_result *r = &out->u.cardiac;
	(void)sim;
	out->type = WL_CARDIAC;
	r->ticks = c->ticks;
	r->served = c->served;
	r->attempts = c->attempts;
	r->miss_failed = c->miss_failed;
	r->miss_late = c->miss_late;
	r->first_miss_ns = c->first_miss_ns;
	r->latency_p50_ns = latency_quantile(&c->lat, 0.5);
	r->latency_p99_ns = latency_quantile(&c->lat, 0.99);
	r->latency_max_ns = c->lat.max_ns;
	r->period_ns = c->p->period_ns;
	r->deadline_ns = c->p->deadline_ns;
	r->order = c->p->order;
	r->cpu = c->p->cpu;
}

static void cardiac_fini(struct lab_sim *sim, struct sim_wl *wl)
{
	struct cardiac *c = wl->state;
	(void)sim;
	if (!c)
		return;
	free(c->held);
	free(c);
	wl->state = NULL;
}

const struct sim_wl_ops wl_cardiac_ops = {
	.init = cardiac_init,
	.phase = cardiac_phase,
	.result = cardiac_result,
	.fini = cardiac_fini,
};
