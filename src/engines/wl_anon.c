/* SPDX-License-Identifier: MIT */
/*
 * engines/wl_anon.c - "anon": processes that are born (alone or in fork/exec
 * bursts), fault in anonymous memory, live, and exit.
 *
 *   birth (spawn_rate, `burst` processes at once)
 *     -> faulting: fault_batch pages per event at fault_rate pages/s,
 *        GFP_HIGHUSER_MOVABLE order 0 (or a THP of thp_order first, with
 *        GFP_TRANSHUGE_LIGHT, for thp_fraction of the batches), until the
 *        process has its size (exponential, mean `pages`)
 *     -> living for an exponential time (mean `lifetime`)
 *     -> exit: every page freed at once
 *   A fault that fails even after reclaim kills the process (the OOM
 *   killer's effect: its memory comes back).
 *
 *   procs[]  process table; proc_heap: processes by next action time
 *   slots[]  {page, order, next-in-process}: each process owns a list
 *
 * One source for the workload: the earlier of the next birth and the
 * next process action. With the core's compaction (LAB_HAVE_BACKGROUND)
 * the pages are owned (LAB_LRU_ANON: migratable, not reclaimable: no swap).
 *
 * Parameters: spawn_rate, burst, pages, lifetime, fault_rate, fault_batch,
 * max_procs, thp_fraction, thp_order, gfp, comm.
 */
#include <stdlib.h>
#include <string.h>
#include "sim_int.h"
#if LAB_HAVE_BACKGROUND
#include <labyrinth/background.h>
#endif

enum { P_FREE = 0, P_FAULTING, P_LIVING };

struct an_proc {
	uint64_t next_ns;
	uint64_t target, have;
	uint32_t head;                  /* slot list */
	uint32_t heap_pos;
	int pid;
	unsigned cpu;
	int state;
};

struct an_slot {
	struct lab_page *page;
	uint32_t next;
	uint32_t proc;
	uint8_t order;
};

struct anon {
	struct sim_source src;
	const struct wl_anon_params *p;
	struct sim_rng rng;
	uint64_t mask;
	unsigned next_cpu;
	uint64_t next_spawn;
	struct an_proc *procs;
	uint32_t *heap;
	uint32_t nr_heap, nr_procs;
	struct an_slot *slot;
	uint32_t nr_slots, free_slot;
	uint64_t mean_pages;
	uint64_t births, exits, oom_kills, refused, thp_tries, thp_ok, faulted_pages, live_max;
};

static bool before(const struct anon *a, uint32_t x, uint32_t y)
{
	const struct an_proc *p = &a->procs[x], *q = &a->procs[y];
	return p->next_ns < q->next_ns || (p->next_ns == q->next_ns && p->pid < q->pid);
}

static void hset(struct anon *a, uint32_t i, uint32_t pi)
{
	a->heap[i] = pi;
	a->procs[pi].heap_pos = i;
}

static void hup(struct anon *a, uint32_t i)
{
	uint32_t x = a->heap[i];
	while (i) {
		uint32_t par = (i - 1) / 2;
		if (!before(a, x, a->heap[par]))
			break;
		hset(a, i, a->heap[par]);
		i = par;
	}
	hset(a, i, x);
}

static void hdown(struct anon *a, uint32_t i)
{
	uint32_t x = a->heap[i];
	for (;;) {
		uint32_t c = 2 * i + 1;
		if (c >= a->nr_heap)
			break;
		if (c + 1 < a->nr_heap && before(a, a->heap[c + 1], a->heap[c]))
			c++;
		if (!before(a, a->heap[c], x))
			break;
		hset(a, i, a->heap[c]);
		i = c;
	}
	hset(a, i, x);
}

static void hremove_top(struct anon *a)
{
	uint32_t last = a->heap[--a->nr_heap];
	if (a->nr_heap) {
		hset(a, 0, last);
		hdown(a, 0);
	}
}

static uint32_t slot_get(struct anon *a)
{
	if (a->free_slot == SIM_NIL) {
		uint32_t n = a->nr_slots ? a->nr_slots * 2 : 4096;
		struct an_slot *ns = realloc(a->slot, (size_t)n * sizeof(*ns));
		if (!ns)
			return SIM_NIL;
		a->slot = ns;
		for (uint32_t i = n; i-- > a->nr_slots;) {
			ns[i].next = a->free_slot;
			a->free_slot = i;
		}
		a->nr_slots = n;
	}
	uint32_t s = a->free_slot;
	a->free_slot = a->slot[s].next;
	return s;
}

static void free_process(struct lab_sim *sim, struct sim_wl *wl, struct anon *a, uint32_t pi)
{
	struct an_proc *p = &a->procs[pi];
	for (uint32_t s = p->head, n; s != SIM_NIL; s = n) {
		n = a->slot[s].next;
		if (a->slot[s].page)
			sim_free(sim, wl, a->slot[s].page, a->slot[s].order);
		a->slot[s].page = NULL;
		a->slot[s].next = a->free_slot;
		a->free_slot = s;
	}
	p->head = SIM_NIL;
	p->state = P_FREE;
	a->nr_procs--;
}

static int add_page(struct lab_sim *sim, struct sim_wl *wl, struct anon *a, uint32_t pi, struct lab_page *page,
		    unsigned order)
{
	uint32_t s = slot_get(a);
	if (s == SIM_NIL) {
		sim_free(sim, wl, page, order);
		return -1;
	}
	a->slot[s] = (struct an_slot){ page, a->procs[pi].head, pi, (uint8_t)order };
	a->procs[pi].head = s;
	a->procs[pi].have += 1ull << order;
	a->faulted_pages += 1ull << order;
#if LAB_HAVE_BACKGROUND
	if (wl->owner > 0) {
		sim_tag_set(sim, page, s);
		lab_page_set_owner(sim->mem, page, wl->owner, LAB_LRU_ANON);
		sim->lru_calls++;
	}
#else
	(void)wl;
#endif
	return 0;
}

static unsigned pick_cpu(struct lab_sim *sim, struct anon *a)
{
	for (unsigned k = 0; k < sim->nr_cpus; k++) {
		unsigned c = (a->next_cpu + k) % sim->nr_cpus;
		if (a->mask >> c & 1) {
			a->next_cpu = c + 1;
			return c;
		}
	}
	return 0;
}

static void spawn(struct lab_sim *sim, struct anon *a)
{
	for (unsigned b = 0; b < a->p->burst; b++) {
		if (a->nr_procs >= a->p->max_procs) {
			a->refused++;
			continue;
		}
		uint32_t pi = 0;
		while (a->procs[pi].state != P_FREE)
			pi++;
		struct an_proc *p = &a->procs[pi];
		p->state = P_FAULTING;
		p->target = rng_exp(&a->rng, (double)a->mean_pages);
		p->have = 0;
		p->head = SIM_NIL;
		p->pid = sim_new_pid(sim);
		p->cpu = pick_cpu(sim, a);
		p->next_ns = sim->now;
		a->nr_procs++;
		a->births++;
		if (a->nr_procs > a->live_max)
			a->live_max = a->nr_procs;
		hset(a, a->nr_heap++, pi);
		hup(a, a->nr_heap - 1);
	}
}

/* One action of the process at the heap top. */
static void act(struct lab_sim *sim, struct sim_wl *wl, struct anon *a)
{
	uint32_t pi = a->heap[0];
	struct an_proc *p = &a->procs[pi];
	const struct wl_anon_params *pr = a->p;

	sim_set_task(sim, p->cpu, pr->comm, p->pid);
	if (p->state == P_LIVING) {
		hremove_top(a);
		free_process(sim, wl, a, pi);
		a->exits++;
		return;
	}
	uint64_t n = p->target - p->have;
	if (n > pr->fault_batch)
		n = pr->fault_batch;
	uint64_t done = 0;
	unsigned thp = pr->thp_order;
	if (pr->thp_fraction > 0 && n >= (1ull << thp) && rng_unit(&a->rng) < pr->thp_fraction) {
		a->thp_tries++;
		struct lab_page *page = sim_alloc(sim, wl, LAB_GFP_TRANSHUGE_LIGHT, thp);
		if (page && add_page(sim, wl, a, pi, page, thp) == 0) {
			a->thp_ok++;
			done = 1ull << thp;
		}
	}
	for (; done < n; done++) {
		struct lab_page *page = sim_alloc(sim, wl, pr->gfp, 0);
		if (!page || add_page(sim, wl, a, pi, page, 0) != 0) {
			/* out of memory: the OOM killer picks this process */
			hremove_top(a);
			free_process(sim, wl, a, pi);
			a->oom_kills++;
			return;
		}
	}
	if (p->have >= p->target) {
		p->state = P_LIVING;
		p->next_ns = sim->now + rng_exp(&a->rng, (double)pr->lifetime_ns);
	} else {
		p->next_ns = sim->now + (uint64_t)(1e9 * (double)done / pr->fault_rate) + 1;
	}
	hdown(a, 0);
}

static void anon_fire(struct lab_sim *sim, struct sim_source *src)
{
	struct sim_wl *wl = src->arg;
	struct anon *a = wl->state;

	if (a->next_spawn <= sim->now && (!a->nr_heap || a->next_spawn <= a->procs[a->heap[0]].next_ns)) {
		spawn(sim, a);
		a->next_spawn = wl->active && a->p->spawn_rate > 0 ?
				sim->now + rng_exp(&a->rng, 1e9 / a->p->spawn_rate) : SIM_NEVER;
	} else if (a->nr_heap && a->procs[a->heap[0]].next_ns <= sim->now) {
		act(sim, wl, a);
	}
	uint64_t next = a->next_spawn;
	if (a->nr_heap && a->procs[a->heap[0]].next_ns < next)
		next = a->procs[a->heap[0]].next_ns;
	src->next_ns = next;
}

#if LAB_HAVE_BACKGROUND
static int an_isolate(void *ctx, struct lab_page *page)
{
	(void)ctx;
	(void)page;
	return 0;
}

static int an_migrate(void *ctx, struct lab_page *page, struct lab_page *newpage)
{
	struct sim_wl *wl = ctx;
	struct anon *a = wl->state;
	uint32_t s = sim_tag_get(wl->sim, page);
	if (s == SIM_NIL || s >= a->nr_slots || a->slot[s].page != page)
		return -1;
	a->slot[s].page = newpage;
	sim_tag_set(wl->sim, newpage, s);
	wl->sim->owner_callbacks++;
	return 0;
}

static void an_putback(void *ctx, struct lab_page *page)
{
	(void)ctx;
	(void)page;
}

static const struct lab_page_owner_ops an_owner_ops = {
	.isolate = an_isolate,
	.migrate = an_migrate,
	.putback = an_putback,
	.reclaim = NULL,
};
#endif

static int anon_init(struct lab_sim *sim, struct sim_wl *wl)
{
	struct anon *a = calloc(1, sizeof(*a));
	if (!a)
		return -1;
	wl->state = a;
	a->p = &wl->cfg->p.anon;
	a->mask = sim_cpu_mask(sim, wl->cfg);
	a->mean_pages = scenario_pages(&sim->sc, a->p->pages);
	a->next_spawn = SIM_NEVER;
	a->free_slot = SIM_NIL;
	rng_seed(&a->rng, sim->seed, (uint64_t)wl->index << 16);
	a->procs = calloc(a->p->max_procs, sizeof(*a->procs));
	a->heap = calloc(a->p->max_procs, sizeof(*a->heap));
	if (!a->procs || !a->heap)
		return -1;
	sim_source_init(sim, &a->src, anon_fire, wl, pick_cpu(sim, a), LAB_CTX_PROCESS, a->p->comm);
#if LAB_HAVE_BACKGROUND
	wl->owner = lab_owner_register(sim->mem, &an_owner_ops, wl);
	if (wl->owner < 0)
		wl->owner = 0;
#endif
	return 0;
}

static void anon_phase(struct lab_sim *sim, struct sim_wl *wl, int active)
{
	struct anon *a = wl->state;
	if (active && a->p->spawn_rate > 0) {
		a->next_spawn = sim->now;
		sim_schedule(sim, &a->src, sim->now);
	} else {
		a->next_spawn = SIM_NEVER;
	}
}

static void anon_result(struct lab_sim *sim, struct sim_wl *wl, struct wl_result *out)
{
	const struct anon *a = wl->state;
	struct wl_anon_result *r = &out->u.anon;
	(void)sim;
	out->type = WL_ANON;
	r->births = a->births;
	r->exits = a->exits;
	r->oom_kills = a->oom_kills;
	r->refused = a->refused;
	r->alive = a->nr_procs;
	r->alive_max = a->live_max;
	r->faulted_pages = a->faulted_pages;
	r->thp_tries = a->thp_tries;
	r->thp_ok = a->thp_ok;
}

static void anon_fini(struct lab_sim *sim, struct sim_wl *wl)
{
	struct anon *a = wl->state;
	(void)sim;
	if (!a)
		return;
	free(a->procs);
	free(a->heap);
	free(a->slot);
	free(a);
	wl->state = NULL;
}

const struct sim_wl_ops wl_anon_ops = {
	.init = anon_init,
	.phase = anon_phase,
	.result = anon_result,
	.fini = anon_fini,
};
