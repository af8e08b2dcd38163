/* SPDX-License-Identifier: MIT */
/*
 * engines/sim_int.h - the simulator's data structures. Read this first.
 *
 * Glossary
 *   source     something that fires at a virtual time: an interrupt line of a
 *              CPU, a process, kswapd, kcompactd, a phase boundary, the
 *              sampler. Every source has one entry in the event queue.
 *   event      one firing of a source. Its handler may allocate and free
 *              (through sim_alloc/sim_free, which count) and sets the
 *              source's next time.
 *   running    what the platform hooks report while a handler runs: the
 *              virtual CPU, the context (hardirq/softirq/process), the task
 *              name and pid, the locks held.
 *   nesting    an interrupt that arrives while a process holds its CPU's
 *              per-CPU list lock runs inside that section (from the
 *              pcp_trylock hook): its own trylock then fails, as in Linux.
 *
 *   event queue: a binary min-heap of sources ordered by (next_ns, id)
 *
 *              [kswapd 1.2ms]                 heap[0] fires next
 *              /            \
 *      [nicrx/0 1.3ms]  [sampler 2ms]         id breaks ties: same seed,
 *        /       \                            same order, byte for byte
 *   [nicrx/1 ..] [pagecache/0 ..]
 *
 *   A source holds its own queue of pending work (packets in flight,
 *   processes, held buffers), so the heap stays small (a few entries per
 *   workload and CPU) whatever the number of buffers: O(log sources) per
 *   event.
 *
 * Owners of allocated pages: each workload keeps its pages in its own
 * arrays; with the core's background mechanisms (LAB_HAVE_BACKGROUND) the
 * pages are also tagged with an owner id, and sim_tag (pfn -> slot) lets
 * the owner callbacks find them.
 *
 * Single-threaded: one simulator is only ever touched by one thread.
 */
#ifndef LAB_SIM_INT_H
#define LAB_SIM_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <jansson.h>
#include <labyrinth/labyrinth.h>
#include <labyrinth/sim.h>
#include <labyrinth/page_pool.h>
#include "engines/sim_result.h"
#include "engines/wl_result.h"

/*
 * The core's background mechanisms (labyrinth/background.h: page owners,
 * kswapd and kcompactd step functions, contiguous allocation). Until they
 * exist the simulator runs its own reclaim model (sim_reclaim: LRU-oldest
 * page cache, reclaimable slab) in their place and has no compaction.
 * Build with -DLAB_HAVE_BACKGROUND=1 (or change the default here) once
 * `nm liblabyrinth.a | grep lab_kswapd_balance_once` finds them.
 */
#ifndef LAB_HAVE_BACKGROUND
#define LAB_HAVE_BACKGROUND 1
#endif

#define SIM_NIL 0xffffffffu
#define SIM_MAX_RESERVED 8
#define SIM_COMM 16
#define NSEC_PER_SEC 1000000000ull
#define NSEC_PER_MSEC 1000000ull
#define NSEC_PER_USEC 1000ull

/* ---- random numbers: xoshiro256** seeded by splitmix64 ------------------- */

struct sim_rng {
	uint64_t s[4];
};

static inline uint64_t rng_rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static inline uint64_t rng_next(struct sim_rng *r)
{
	uint64_t result = rng_rotl(r->s[1] * 5, 7) * 9, t = r->s[1] << 17;
	r->s[2] ^= r->s[0];
	r->s[3] ^= r->s[1];
	r->s[1] ^= r->s[2];
	r->s[0] ^= r->s[3];
	r->s[2] ^= t;
	r->s[3] = rng_rotl(r->s[3], 45);
	return result;
}

/* Uniform in [0, 1): the top 53 bits. */
static inline double rng_unit(struct sim_rng *r)
{
	return (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

/* Uniform in [0, n) (n > 0; Lemire's multiply, bias < 2^-32 for n < 2^32). */
static inline uint64_t rng_below(struct sim_rng *r, uint64_t n)
{
	return (uint64_t)(((unsigned __int128)rng_next(r) * n) >> 64);
}

void rng_seed(struct sim_rng *r, uint64_t seed, uint64_t stream);
/* Exponential with mean @mean (ns or any unit), never 0 for mean >= 1. */
uint64_t rng_exp(struct sim_rng *r, double mean);

/* A distribution of orders: weights, drawn through a cumulative table. */
struct sim_order_dist {
	double weight[LAB_MAX_ORDER];
	double cum[LAB_MAX_ORDER];      /* normalised cumulative, cum[10] == 1 */
	unsigned max_order;             /* highest order with weight > 0 */
};
void order_dist_finish(struct sim_order_dist *d);
unsigned order_dist_draw(const struct sim_order_dist *d, struct sim_rng *r);

/* ---- scenarios (scenario.c) ------------------------------------------------ */

/* enum sim_wl_type: engines/wl_result.h */

enum nicrx_pattern { NICRX_POISSON = 0, NICRX_BURSTS };
enum contig_method { CONTIG_BUDDY = 0, CONTIG_RANGE, CONTIG_CMA };

/* Parameters of each workload type; docs/simulator.md and the head comment
 * of each wl_*.c say what they mean. Durations in ns, rates per second. */
struct wl_nicrx_params {
	double rate;                    /* packets/s per CPU (while "on") */
	int pattern;                    /* enum nicrx_pattern */
	uint64_t on_ns, off_ns;         /* mean burst and gap lengths (bursts) */
	struct sim_order_dist orders;
	lab_gfp_t gfp;
	int context;                    /* LAB_CTX_SOFTIRQ or LAB_CTX_HARDIRQ */
	unsigned ring;                  /* RX descriptors per CPU */
	unsigned refill_batch;          /* refill when this many slots are empty */
	int bulk;                       /* order-0 refills through lab_alloc_pages_bulk */
	uint64_t hold_ns, hold_jitter_ns; /* processing delay: hold + U[0, jitter) */
	unsigned page_pool;             /* recycled buffers kept per CPU (0 = off) */
	uint64_t cost_ns;               /* CPU time per packet (softirq backlog, hardirq busy) */
};

struct wl_cardiac_params {
	unsigned cpu;
	uint64_t period_ns;
	unsigned order;
	lab_gfp_t gfp;
	uint64_t deadline_ns;           /* budget from tick to buffer */
	uint64_t retry_ns;              /* retry interval after a failure (0 = none) */
	uint64_t hold_ns;               /* DMA transfer time: buffer held */
	uint64_t cost_ns;               /* hardirq time per tick */
};

struct wl_pagecache_params {
	double rate;                    /* accesses/s per CPU */
	unsigned batch;                 /* accesses per event (a read() of N pages) */
	uint64_t working_set;           /* pages of file data touched */
	uint64_t hot_pages;             /* the hot subset */
	double hot_fraction;            /* accesses that go to the hot subset */
	unsigned readahead;             /* pages allocated on a miss (1 = none) */
	double write_fraction;          /* accesses that dirty the page */
	uint64_t dirty_expire_ns;       /* a dirty page is not reclaimable for this long */
	double reclaimable_fraction;    /* allocations that are reclaimable slab (inodes, dentries) */
	lab_gfp_t gfp;
	char comm[SIM_COMM];
};

struct wl_anon_params {
	double spawn_rate;              /* process births/s (bursts count once) */
	unsigned burst;                 /* processes per birth (fork storm) */
	uint64_t pages;                 /* mean resident pages per process (exponential) */
	uint64_t lifetime_ns;           /* mean lifetime after faulting in (exponential) */
	double fault_rate;              /* pages/s a process faults in */
	unsigned fault_batch;           /* pages per fault event */
	unsigned max_procs;
	double thp_fraction;            /* chunks that try a THP first */
	unsigned thp_order;
	lab_gfp_t gfp;
	char comm[SIM_COMM];
};

struct wl_slab_params {
	uint64_t target;                /* pages of slab to grow to */
	double grow_rate;               /* pages/s while below target */
	double churn;                   /* fraction of the slab replaced per second */
	struct sim_order_dist orders;
	double reclaimable;             /* fraction that is reclaimable (shrinkable) */
	lab_gfp_t gfp;
	uint64_t tick_ns;               /* work is done in events this far apart */
	char comm[SIM_COMM];
};

struct wl_contig_params {
	uint64_t period_ns;
	uint64_t offset_ns;
	uint64_t nr_pages;
	uint64_t hold_ns;
	lab_gfp_t gfp;
	int method;                     /* enum contig_method */
	char comm[SIM_COMM];
};

struct sim_wl_cfg {
	int type;                       /* enum sim_wl_type */
	char name[SIM_NAME];
	uint32_t phase_mask;            /* bit i: active in phase i */
	uint64_t cpu_mask;              /* 0 = all CPUs */
	unsigned line;                  /* in the scenario file, for messages */
	union {
		struct wl_nicrx_params nicrx;
		struct wl_cardiac_params cardiac;
		struct wl_pagecache_params pagecache;
		struct wl_anon_params anon;
		struct wl_slab_params slab;
		struct wl_contig_params contig;
	} p;
};

struct sim_phase {
	char name[SIM_NAME];
	uint64_t duration_ns;
};

/* Tunables the scenario sets (bit per field in set_mask), applied with the
 * lab_set_* setters after lab_mem_init. */
enum {
	TUN_MIN_FREE = 0, TUN_WSF, TUN_WBF, TUN_LRR, TUN_PPHF, TUN_EXTFRAG,
	TUN_HIGHATOMIC, TUN_PROACTIVE, TUN_NR
};

struct sim_tunables {
	uint32_t set_mask;
	int min_free_kbytes;            /* 0 = default formula */
	int watermark_scale_factor;
	int watermark_boost_factor;
	int lowmem_reserve_ratio[LAB_MAX_NR_ZONES];
	int percpu_pagelist_high_fraction;
	int extfrag_threshold;
	int highatomic_reserve;
	int compaction_proactiveness;
};

struct sim_params {
	unsigned samples;               /* time-series points */
	unsigned kswapd_batch;          /* pages per kswapd step (SWAP_CLUSTER_MAX) */
	uint64_t kswapd_ns_per_page;    /* reclaim cost */
	uint64_t kswapd_wake_ns;        /* wakeup latency */
	uint64_t kswapd_nap_ns;         /* kswapd_try_to_sleep's short nap */
	unsigned kcompactd_batch;
	uint64_t kcompactd_ns_per_page;
	uint64_t nest_window_ns;        /* length of a process pcp section */
	unsigned warn_records;          /* failure records kept */
	unsigned direct_reclaim_retries;
	int check;                      /* lab_mem_check at each phase end */
	int kswapd_cpu;                 /* -1 = last CPU */
};

struct lab_scenario {
	char name[64];
	char description[512];
	char file[256];
	/* machine */
	uint64_t mem_bytes;
	uint64_t phys_base;
	struct lab_range reserved[SIM_MAX_RESERVED];
	unsigned nr_reserved;
	uint64_t dma_limit, dma32_limit;    /* 0 = x86-64 defaults */
	int no_dma, no_dma32;
	uint64_t movable_bytes;
	unsigned pageblock_order;
	unsigned nr_cpus;
	int pcp;
	int kernel;                         /* enum lab_kernel; 0 = the default profile */
	int drain_before_failure;           /* LAB_CFG_DRAIN_BEFORE_FAILURE */
	struct sim_tunables tun;
	struct sim_params sim;
	struct sim_phase phases[SIM_MAX_PHASES];
	unsigned nr_phases;
	struct sim_wl_cfg wl[SIM_MAX_WORKLOADS];
	unsigned nr_wl;
};

int scenario_validate(struct lab_scenario *sc, struct lab_sim_error *err);
/* A page-count parameter: pages, or a percentage of machine.memory. */
uint64_t scenario_pages(const struct lab_scenario *sc, uint64_t v);
void sim_error_set(struct lab_sim_error *e, enum lab_scenario_errcode code, const char *file,
		   unsigned line, unsigned col, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));
const char *wl_type_name(int type);

/* ---- the simulator (sim.c) --------------------------------------------------- */

struct lab_sim;
struct sim_source;
typedef void (*sim_fire_fn)(struct lab_sim *sim, struct sim_source *src);

#define SRC_NESTABLE 0x1u   /* an interrupt that may nest into a process pcp section */
#define SRC_RUNNING 0x2u    /* its handler is on the stack */

struct sim_source {
	uint64_t next_ns;               /* SIM_NEVER = not queued */
	uint32_t id;                    /* creation order: the tie-breaker */
	int32_t heap_pos;               /* -1 = not in the heap */
	uint16_t cpu;
	uint8_t ctx;                    /* enum lab_context of the handler */
	uint8_t flags;                  /* SRC_* */
	uint64_t irq_cost_ns;           /* hardirq: the CPU's hardirqs are off this long */
	sim_fire_fn fire;
	void *arg;
	const char *comm;               /* task name (process sources); NULL = interrupt */
	int pid;
	struct sim_source *cpu_next;    /* next nestable source of the same CPU */
};

struct sim_cpu {
	int pcp_locked;                 /* per-CPU list lock held by the running code */
	uint64_t hardirq_busy_until;    /* hardirqs of this CPU are off until then */
	uint64_t softirq_busy_until;    /* softirq backlog ends then */
	struct sim_source *nestable;
	char swapper[SIM_COMM];
	char ksoftirqd[SIM_COMM];
};

/* What the platform hooks answer for the code running now. */
struct sim_running {
	unsigned cpu;
	int ctx;                        /* enum lab_context */
	const char *comm;
	int pid;
	unsigned zone_locks;            /* zone locks held (irqsave) */
};

/* ---- workloads -------------------------------------------------------------- */

struct sim_wl;

struct sim_wl_ops {
	int (*init)(struct lab_sim *sim, struct sim_wl *wl);
	/* the workload's phases start (@active) or end */
	void (*phase)(struct lab_sim *sim, struct sim_wl *wl, int active);
	/* fallback reclaim (no core kswapd): free up to @nr pages, return freed */
	uint64_t (*reclaim)(struct lab_sim *sim, struct sim_wl *wl, uint64_t nr);
	/* what the workload counted, for the run report (report/workloads.c) */
	void (*result)(struct lab_sim *sim, struct sim_wl *wl, struct wl_result *out);
	void (*fini)(struct lab_sim *sim, struct sim_wl *wl);
};

struct sim_wl {
	struct lab_sim *sim;
	const struct sim_wl_cfg *cfg;
	const struct sim_wl_ops *ops;
	unsigned index;
	int active;
	void *state;
	int owner;                      /* core page-owner id (background), 0 = none */
	/* allocations by order made for this workload */
	uint64_t req[LAB_MAX_ORDER], fail[LAB_MAX_ORDER];
	uint64_t pages_held;            /* pages currently allocated */
	uint64_t pages_held_max;
};

extern const struct sim_wl_ops wl_nicrx_ops, wl_cardiac_ops, wl_pagecache_ops,
	wl_anon_ops, wl_slab_ops, wl_contig_ops;

/* ---- accounting (account.c) ------------------------------------------------ */

/* enum sim_gfp_kind, enum sim_verdict, struct sim_count, struct sim_sample:
 * engines/sim_result.h */

struct sim_latency {
	uint64_t n, sum_ns, max_ns;
	uint64_t bucket[40];            /* bucket b: [2^b, 2^(b+1)) ns */
};
void latency_add(struct sim_latency *l, uint64_t ns);
uint64_t latency_quantile(const struct sim_latency *l, double q);

/* ---- daemons (daemons.c) --------------------------------------------------- */

enum sim_daemon_state { D_IDLE = 0, D_RUN, D_NAP };

struct sim_daemon {
	struct sim_source src;
	int state;
	uint64_t wakes, steps, busy_ns, pages, stuck;
	unsigned order;
	int zoneidx;
};

/* ---- the simulator instance ------------------------------------------------- */

struct lab_sim {
	struct lab_scenario sc;         /* private copy */
	uint64_t seed;
	struct lab_mem *mem;
	void *metadata;
	size_t metadata_bytes;
	struct lab_platform plat;
	uint64_t now;
	uint64_t end_ns;
	unsigned nr_cpus;
	struct sim_cpu cpus[LAB_MAX_CPUS];
	struct sim_running cur;
	int nesting;
	/* event queue */
	struct sim_source **heap;
	uint32_t heap_n, heap_cap;
	uint32_t next_src_id;
	int next_pid;
	/* phases */
	struct sim_source phase_src;
	unsigned phase;                 /* current phase index */
	uint64_t phase_start[SIM_MAX_PHASES + 1];
	/* workloads */
	struct sim_wl wl[SIM_MAX_WORKLOADS];
	unsigned nr_wl;
	unsigned highest_atomic_order;
	/* daemons */
	struct sim_daemon kswapd, kcompactd;
	uint64_t reclaimed_pages;       /* by owner callbacks / fallback reclaim */
	uint64_t kswapd_scanned;        /* pgscan_kswapd after kswapd's last step */
	uint64_t direct_reclaims, direct_reclaim_pages, sleep_ns;
	/* pfn -> owner slot (background owner callbacks) */
	uint32_t *tag;
	uintptr_t tag_base;             /* address of the first page descriptor */
	unsigned tag_shift;             /* log2 of the descriptor size */
	/* accounting */
	struct sim_count count[LAB_MAX_ORDER][SIM_NR_CLASSES][SIM_NR_CTX];
	uint64_t atomic_requests, atomic_failures, requests, failures;
	uint64_t first_atomic_failure_ns;
	unsigned first_atomic_failure_phase;
	uint64_t deadline_misses;       /* cardiac */
	/* samples */
	struct sim_source sample_src;
	struct sim_sample *samples;
	unsigned nr_samples, cap_samples;
	uint64_t sample_interval_ns;
	int main_zone;
	uint64_t below_ns[LAB_MAX_NR_ZONES][3];   /* time under min, low, high */
	uint64_t last_sample_ns;
	uint64_t last_atomic_req, last_atomic_fail, last_kswapd_ns, last_kcompactd_ns;
	uint64_t highatomic_max;
	/* failure records and log */
	struct lab_alloc_failure *warn;
	unsigned nr_warn;
	uint64_t warn_total;
	char (*log)[SIM_LOG_LINE];
	unsigned nr_log;
	uint64_t log_total;
	uint64_t log_errors;
	/* snapshot at the first failed atomic allocation (for the map) */
	struct lab_pageblock_info *ff_blocks;
	size_t ff_nr_blocks;
	struct lab_mem_stats *ff_stats;
	struct lab_mem_stats *stats_tmp;  /* scratch for verdicts and samples */
	/* nesting and locks */
	uint64_t nested_irqs, pcp_trylock_failed, pcp_deadlocks;
	int check_failed;
	/* run statistics */
	uint64_t queue_events, alloc_calls, free_calls;
	uint64_t lru_calls;             /* lab_page_set_owner, lab_page_mark_accessed */
	uint64_t owner_callbacks;       /* pages the core reclaimed or migrated through our ops */
	double wall_seconds;
};

/* sim.c */
/* Everything that happened: queue events and every call into the core. */
static inline uint64_t sim_events(const struct lab_sim *sim)
{
	return sim->queue_events + sim->alloc_calls + sim->free_calls + sim->lru_calls + sim->owner_callbacks;
}

void sim_source_init(struct lab_sim *sim, struct sim_source *src, sim_fire_fn fire, void *arg,
		     unsigned cpu, int ctx, const char *comm);
/* (Re)queues @src at @t (SIM_NEVER: takes it out). O(log sources). */
void sim_schedule(struct lab_sim *sim, struct sim_source *src, uint64_t t);
/* Registers @src as an interrupt of its CPU that may nest (SRC_NESTABLE). */
void sim_source_nestable(struct lab_sim *sim, struct sim_source *src);
/* Switches the running task (a process source working for several tasks). */
void sim_set_task(struct lab_sim *sim, unsigned cpu, const char *comm, int pid);
int sim_new_pid(struct lab_sim *sim);
uint64_t sim_cpu_mask(const struct lab_sim *sim, const struct sim_wl_cfg *cfg);
void sim_log(struct lab_sim *sim, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sim_tag_set(struct lab_sim *sim, struct lab_page *page, uint32_t slot);
uint32_t sim_tag_get(struct lab_sim *sim, struct lab_page *page);

/* account.c: every allocation and free the workloads make */
struct lab_page *sim_alloc(struct lab_sim *sim, struct sim_wl *wl, lab_gfp_t gfp, unsigned order);
unsigned sim_alloc_bulk(struct lab_sim *sim, struct sim_wl *wl, lab_gfp_t gfp, unsigned nr,
			struct lab_page **pages);
void sim_free(struct lab_sim *sim, struct sim_wl *wl, struct lab_page *page, unsigned order);
/* page_pool allocations and puts, counted like sim_alloc_bulk/sim_alloc and sim_free */
struct lab_page *sim_pool_alloc(struct lab_sim *sim, struct sim_wl *wl, struct lab_page_pool *pool,
				lab_gfp_t gfp, unsigned order);
int sim_pool_put(struct lab_sim *sim, struct sim_wl *wl, struct lab_page_pool *pool, struct lab_page *page,
		 unsigned order);
/* a page the core freed for us (owner reclaim) or that moved to another owner */
void sim_forget(struct lab_sim *sim, struct sim_wl *wl, unsigned order);
int sim_gfp_class(lab_gfp_t gfp);
int sim_gfp_is_atomic(lab_gfp_t gfp);
void sim_samples_init(struct lab_sim *sim);
void sim_sample_now(struct lab_sim *sim);

/* daemons.c */
void sim_daemons_init(struct lab_sim *sim);
void sim_wake_kswapd(void *ctx, unsigned order, int highest_zoneidx);
void sim_wake_kcompactd(void *ctx, unsigned order, int highest_zoneidx);
/* Reclaim up to @nr pages from the workloads' reclaim ops (fallback). */
uint64_t sim_reclaim(struct lab_sim *sim, uint64_t nr);

#endif
