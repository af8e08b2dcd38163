/* SPDX-License-Identifier: MIT */
/*
 * engines/wl_nicrx.c - "nic-rx": a network card receiving packets on every CPU
 * (one RX queue per CPU, as with RSS), buffers allocated in softirq (NAPI)
 * or hardirq context with GFP_ATOMIC.
 *
 *   arrivals (Poisson, or bursts: on/off periods of exponential length)
 *      |
 *      v  take a posted buffer from the ring (none posted: drop, rx_missed)
 *   in flight: FIFO of (buffer, free time = arrival + hold + U[0, jitter)),
 *      |       completed in order, as a NAPI queue processes packets
 *      v
 *   freed, or recycled by the queue's page_pool (labyrinth/page_pool.h)
 *
 *   ring refill: when refill_batch slots are empty, allocate a buffer per
 *   empty slot, each of an order drawn from `orders` (jumbo frames: 2-3);
 *   order-0 buffers through lab_alloc_pages_bulk when `bulk`. With
 *   `page_pool: N` each queue has the library's page_pool per order (ring
 *   of N, owned by the queue's CPU and context): refills in that context
 *   come from it (direct cache, ring, then its own bulk refill), completed
 *   buffers go back to it. The refill stops at the first failure (the
 *   driver retries at the next poll), like real drivers.
 *
 * Parameters (docs/simulator.md): rate (packets/s per CPU while on),
 * pattern (poisson | bursts), on, off, orders, gfp, context (softirq |
 * hardirq), ring, refill_batch, bulk, hold, hold_jitter, page_pool, cost
 * (CPU time per packet: softirq backlog -> ksoftirqd; in hardirq the CPU's
 * other interrupts wait).
 *
 * One source per CPU; an event is one arrival plus the completions due by
 * then, so the heap holds one entry per queue whatever the packets in
 * flight. The first fill of the ring happens at the first activation in
 * process context with GFP_KERNEL (ifup).
 */
#include <stdlib.h>
#include <string.h>
#include "sim_int.h"

struct rxbuf {
	struct lab_page *page;
	uint64_t free_at;
	uint8_t order;
	uint8_t pp;                     /* a page of the queue's page_pool */
};

struct rxq {
	struct sim_source src;
	struct sim_wl *wl;
	struct sim_rng rng;
	uint64_t next_arrival;          /* SIM_NEVER while the workload is off */
	uint64_t period_end;            /* bursts: end of the current on period */
	int filled_once;
	/* posted buffers */
	struct rxbuf *ring;
	unsigned posted;
	/* in flight: ring buffer of capacity cap (power of two) */
	struct rxbuf *fifo;
	uint32_t head, tail, cap;
	uint64_t last_free_at;
	/* page_pool per order (NULL: the order is not drawn, or no pool) */
	struct lab_page_pool *pool[LAB_MAX_ORDER];
	void *pool_mem[LAB_MAX_ORDER];
};

struct nicrx {
	const struct wl_nicrx_params *p;
	unsigned nr_q;
	struct rxq *q;
	uint64_t packets, drops, refills, recycled, completed, bulk_calls;
	uint64_t packets_by_order[LAB_MAX_ORDER];
	uint64_t max_in_flight_pages, in_flight_pages;
	uint64_t first_drop_ns;
};

static uint64_t interarrival(struct rxq *q, const struct wl_nicrx_params *p)
{
	return rng_exp(&q->rng, 1e9 / p->rate);
}

/* The next arrival after @t, honouring on/off periods for bursts. */
static uint64_t next_arrival(struct rxq *q, const struct wl_nicrx_params *p, uint64_t t)
{
	if (p->rate <= 0)
		return SIM_NEVER;
	uint64_t a = t + interarrival(q, p);
	if (p->pattern != NICRX_BURSTS)
		return a;
	while (a >= q->period_end) {
		/* the burst ended: a gap, then a new burst */
		uint64_t gap = p->off_ns ? rng_exp(&q->rng, (double)p->off_ns) : 0;
		uint64_t start = q->period_end + gap;
		q->period_end = start + rng_exp(&q->rng, (double)p->on_ns);
		a = start + interarrival(q, p);
	}
	return a;
}

static int fifo_push(struct rxq *q, struct rxbuf b)
{
	if (q->tail - q->head == q->cap) {
		uint32_t ncap = q->cap ? q->cap * 2 : 256;
		struct rxbuf *n = malloc(ncap * sizeof(*n));
		if (!n)
			return -1;
		for (uint32_t i = 0; i < q->tail - q->head; i++)
			n[i] = q->fifo[(q->head + i) & (q->cap - 1)];
		q->tail -= q->head;
		q->head = 0;
		free(q->fifo);
		q->fifo = n;
		q->cap = ncap;
	}
	q->fifo[q->tail++ & (q->cap - 1)] = b;
	return 0;
}

static void release(struct lab_sim *sim, struct nicrx *nx, struct rxq *q, struct rxbuf b)
{
	if (b.pp) {
		nx->recycled += (uint64_t)sim_pool_put(sim, q->wl, q->pool[b.order], b.page, b.order);
		return;
	}
	sim_free(sim, q->wl, b.page, b.order);
}

/* Posts buffers into every empty slot; stops at the first failure. */
static void refill(struct lab_sim *sim, struct nicrx *nx, struct rxq *q, lab_gfp_t gfp)
{
	const struct wl_nicrx_params *p = nx->p;
	unsigned need = p->ring - q->posted;
	struct lab_page *bulk[64];

	nx->refills++;
	while (need) {
		unsigned order = order_dist_draw(&p->orders, &q->rng);
		struct lab_page *page;
		if (q->pool[order] && sim->cur.ctx == (int)p->context) {
			page = sim_pool_alloc(sim, q->wl, q->pool[order], gfp, order);
			if (!page)
				return;
			q->ring[q->posted++] = (struct rxbuf){ page, 0, (uint8_t)order, 1 };
			need--;
			continue;
		}
		if (order == 0 && p->bulk && need > 1 && !p->orders.max_order) {
			unsigned n = need < 64 ? need : 64;
			memset(bulk, 0, n * sizeof(bulk[0]));
			nx->bulk_calls++;
			unsigned got = sim_alloc_bulk(sim, q->wl, gfp, n, bulk);
			for (unsigned i = 0; i < got; i++)
				q->ring[q->posted++] = (struct rxbuf){ bulk[i], 0, 0, 0 };
			need -= got;
			if (got < n)
				return;
			continue;
		}
		page = sim_alloc(sim, q->wl, gfp, order);
		if (!page)
			return;
		q->ring[q->posted++] = (struct rxbuf){ page, 0, (uint8_t)order, 0 };
		need--;
	}
}

static void rxq_fire(struct lab_sim *sim, struct sim_source *src)
{
	struct rxq *q = src->arg;
	struct nicrx *nx = q->wl->state;
	const struct wl_nicrx_params *p = nx->p;
	uint64_t now = sim->now;

	if (!q->filled_once) {
		/* ifup: the driver posts a full ring from process context */
		int ctx = sim->cur.ctx;
		const char *comm = sim->cur.comm;
		q->filled_once = 1;
		sim->cur.ctx = LAB_CTX_PROCESS;
		sim->cur.comm = "ip";
		refill(sim, nx, q, (p->gfp & ~(lab_gfp_t)LAB___GFP_HIGH & ~(lab_gfp_t)LAB___GFP_ATOMIC) |
			       LAB_GFP_KERNEL);
		sim->cur.ctx = ctx;
		sim->cur.comm = comm;
	}
	/* completions due by now */
	while (q->head != q->tail && q->fifo[q->head & (q->cap - 1)].free_at <= now) {
		struct rxbuf b = q->fifo[q->head++ & (q->cap - 1)];
		nx->in_flight_pages -= 1ull << b.order;
		nx->completed++;
		release(sim, nx, q, b);
	}
	/* one arrival */
	if (q->next_arrival <= now) {
		struct sim_cpu *c = &sim->cpus[src->cpu];
		nx->packets++;
		if (p->context == LAB_CTX_SOFTIRQ)
			c->softirq_busy_until = (c->softirq_busy_until > now ? c->softirq_busy_until : now) + p->cost_ns;
		if (q->posted) {
			struct rxbuf b = q->ring[--q->posted];
			uint64_t t = now + p->hold_ns + (p->hold_jitter_ns ? rng_below(&q->rng, p->hold_jitter_ns) : 0);
			if (t < q->last_free_at)
				t = q->last_free_at;
			b.free_at = t;
			q->last_free_at = t;
			nx->packets_by_order[b.order]++;
			nx->in_flight_pages += 1ull << b.order;
			if (nx->in_flight_pages > nx->max_in_flight_pages)
				nx->max_in_flight_pages = nx->in_flight_pages;
			if (fifo_push(q, b) != 0)
				release(sim, nx, q, b);
		} else {
			if (!nx->drops)
				nx->first_drop_ns = now;
			nx->drops++;
		}
		if (p->ring - q->posted >= p->refill_batch)
			refill(sim, nx, q, p->gfp);
		q->next_arrival = q->wl->active ? next_arrival(q, p, q->next_arrival) : SIM_NEVER;
	}
	uint64_t next = q->next_arrival;
	if (q->head != q->tail && q->fifo[q->head & (q->cap - 1)].free_at < next)
		next = q->fifo[q->head & (q->cap - 1)].free_at;
	src->next_ns = next;
}

/* The queue's page_pool for @order: ring of page_pool entries, owned by
 * the queue's CPU in the workload's context (softirq: NAPI; hardirq). */
static int pool_create(struct lab_sim *sim, struct nicrx *nx, struct rxq *q, unsigned cpu, unsigned order)
{
	struct lab_page_pool_params pp = {
		.flags = nx->p->context == LAB_CTX_HARDIRQ ? LAB_PP_FLAG_HARDIRQ : 0,
		.order = order, .pool_size = nx->p->page_pool, .cpu = cpu,
	};
	pp.memory_bytes = lab_page_pool_bytes(&pp);
	pp.memory = q->pool_mem[order] = aligned_alloc(64, (pp.memory_bytes + 63) & ~(size_t)63);
	if (!pp.memory)
		return -1;
	q->pool[order] = lab_page_pool_create(sim->mem, &pp, NULL);
	return q->pool[order] ? 0 : -1;
}

static int nicrx_init(struct lab_sim *sim, struct sim_wl *wl)
{
	struct nicrx *nx = calloc(1, sizeof(*nx));
	uint64_t mask = sim_cpu_mask(sim, wl->cfg);
	if (!nx)
		return -1;
	wl->state = nx;
	nx->p = &wl->cfg->p.nicrx;
	nx->first_drop_ns = SIM_NEVER;
	nx->nr_q = (unsigned)__builtin_popcountll(mask);
	nx->q = calloc(nx->nr_q, sizeof(*nx->q));
	if (!nx->q)
		return -1;
	unsigned i = 0;
	for (unsigned cpu = 0; cpu < sim->nr_cpus; cpu++) {
		if (!(mask >> cpu & 1))
			continue;
		struct rxq *q = &nx->q[i++];
		q->wl = wl;
		rng_seed(&q->rng, sim->seed, ((uint64_t)wl->index << 16) | cpu);
		q->next_arrival = SIM_NEVER;
		q->ring = calloc(nx->p->ring, sizeof(*q->ring));
		if (!q->ring)
			return -1;
		if (nx->p->page_pool)
			for (unsigned o = 0; o < LAB_MAX_ORDER; o++)
				if (nx->p->orders.weight[o] > 0 && pool_create(sim, nx, q, cpu, o) != 0)
					return -1;
		sim_source_init(sim, &q->src, rxq_fire, q, cpu, nx->p->context, NULL);
		if (nx->p->context == LAB_CTX_HARDIRQ)
			q->src.irq_cost_ns = nx->p->cost_ns;
		sim_source_nestable(sim, &q->src);
	}
	return 0;
}

static void nicrx_phase(struct lab_sim *sim, struct sim_wl *wl, int active)
{
	struct nicrx *nx = wl->state;
	for (unsigned i = 0; i < nx->nr_q; i++) {
		struct rxq *q = &nx->q[i];
		if (active) {
			q->period_end = sim->now + (nx->p->pattern == NICRX_BURSTS ?
						    rng_exp(&q->rng, (double)nx->p->on_ns) : 0);
			q->next_arrival = next_arrival(q, nx->p, sim->now);
			uint64_t t = q->filled_once ? q->next_arrival : sim->now;
			if (t < q->src.next_ns || q->src.heap_pos < 0)
				sim_schedule(sim, &q->src, t < q->src.next_ns ? t : q->src.next_ns);
		} else {
			q->next_arrival = SIM_NEVER;
		}
	}
}

static void nicrx_result(struct lab_sim *sim, struct sim_wl *wl, struct wl_result *out)
{
	const struct nicrx *nx = wl->state;
	const struct wl_nicrx_params *p = nx->p;
	struct wl_nicrx_result *r = &out->u.nicrx;
	(void)sim;
	out->type = WL_NICRX;
	r->packets = nx->packets;
	r->drops = nx->drops;
	r->refills = nx->refills;
	r->recycled = nx->recycled;
	r->completed = nx->completed;
	r->bulk_calls = nx->bulk_calls;
	memcpy(r->packets_by_order, nx->packets_by_order, sizeof(r->packets_by_order));
	r->buffer_allocs = r->buffer_fails = 0;
	for (int o = 0; o < LAB_MAX_ORDER; o++) {
		r->buffer_allocs += wl->req[o];
		r->buffer_fails += wl->fail[o];
	}
	r->max_in_flight_pages = nx->max_in_flight_pages;
	r->first_drop_ns = nx->first_drop_ns;
	r->queues = nx->nr_q;
	r->ring = p->ring;
	r->refill_batch = p->refill_batch;
	r->bursts = p->pattern == NICRX_BURSTS;
	r->context = p->context;
	r->bulk = p->bulk;
	r->page_pool = p->page_pool;
	memset(&r->pp, 0, sizeof(r->pp));
	for (unsigned i = 0; i < nx->nr_q; i++)
		for (unsigned o = 0; o < LAB_MAX_ORDER; o++) {
			struct lab_page_pool_stats s;
			if (!nx->q[i].pool[o])
				continue;
			lab_page_pool_get_stats(nx->q[i].pool[o], &s);
			lab_page_pool_stats_add(&r->pp, &s);
		}
}

static void nicrx_fini(struct lab_sim *sim, struct sim_wl *wl)
{
	struct nicrx *nx = wl->state;
	(void)sim;
	if (!nx)
		return;
	for (unsigned i = 0; nx->q && i < nx->nr_q; i++) {
		free(nx->q[i].ring);
		free(nx->q[i].fifo);
		for (unsigned o = 0; o < LAB_MAX_ORDER; o++)
			free(nx->q[i].pool_mem[o]);   /* the instance goes with the run: pages need not return */
	}
	free(nx->q);
	free(nx);
	wl->state = NULL;
}

const struct sim_wl_ops wl_nicrx_ops = {
	.init = nicrx_init,
	.phase = nicrx_phase,
	.result = nicrx_result,
	.fini = nicrx_fini,
};
