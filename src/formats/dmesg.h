/* SPDX-License-Identifier: MIT */
/*
 * formats/dmesg.h - reader of real kernel "page allocation failure" reports.
 *
 * A failure report is what mm/page_alloc.c:warn_alloc() and show_mem() print
 * (linux-mm-facts §7.1, §14.5):
 *
 *   comm: page allocation failure: order:N, mode:0x...(NAMES), nodemask=...
 *   CPU: .. PID: .. Comm: .. Not tainted VERSION     (or "Pid: N, comm: X")
 *   Call Trace: ... <IRQ> ... </IRQ> ...
 *   Mem-Info:
 *   active_anon:.. ... free:.. free_pcp:.. free_cma:..
 *   [Node N] ZONE free:..kB [boost:..kB] min:..kB low:..kB high:..kB ...
 *   lowmem_reserve[]: 0 N N N
 *   [Node N] ZONE: N*4kB (UME) N*8kB ... = NkB
 *
 * Real logs wrap that text, prefix it (syslog, dmesg -T, "<4>", Android
 * "[pid:..,cpu..,comm]", caller ids "[ T123]"), quote it in mails ("> "),
 * join its lines with "#012" and interleave other CPUs' lines. The reader
 * first rebuilds logical lines from physical ones (see dmesg.c for the
 * rules), then reads reports out of them. Every report found is kept, also
 * when parts are missing: `missing` says exactly which (MISSING_* bits and
 * lab_dmesg_describe_missing()).
 *
 * Units: zone numbers are kept in kB as printed; lowmem_reserve[] values are
 * pages, as printed; `page_kb` (from the order-0 block size of the buddy
 * lines) converts between them.
 *
 * Memory: lab_dmesg_parse() allocates the report array; free it with
 * lab_dmesg_log_free(). Parsing never reads past @len and never crashes on
 * any input (it is fuzzed: tests/fuzz/fuzz_dmesg.c).
 */
#ifndef LAB_FORMATS_DMESG_H
#define LAB_FORMATS_DMESG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <labyrinth/gfp.h>

#define LAB_DMESG_MAX_ZONES   16   /* zone lines kept per report (all nodes) */
#define LAB_DMESG_MAX_ORDERS  16   /* buddy orders per line (64K-page arm64 prints 14) */
#define LAB_DMESG_MAX_RESERVE 8    /* lowmem_reserve[] entries kept */
#define LAB_DMESG_VERSION_LEN 96

/* Migratetype letters of a buddy line ("(UMEH)"), one bit per letter. */
#define LAB_DMESG_MT_U     0x01u   /* Unmovable */
#define LAB_DMESG_MT_M     0x02u   /* Movable */
#define LAB_DMESG_MT_E     0x04u   /* Reclaimable */
#define LAB_DMESG_MT_H     0x08u   /* HighAtomic */
#define LAB_DMESG_MT_C     0x10u   /* CMA */
#define LAB_DMESG_MT_I     0x20u   /* Isolate */
#define LAB_DMESG_MT_R     0x40u   /* MIGRATE_RESERVE (kernels before 4.4) */
#define LAB_DMESG_MT_OTHER 0x80u   /* a letter this reader does not know */

/* Where the allocation ran, from the call trace and the comm. */
enum lab_dmesg_context {
	LAB_DMESG_CTX_UNKNOWN = 0,
	LAB_DMESG_CTX_PROCESS,     /* task context (syscall, kthread, workqueue) */
	LAB_DMESG_CTX_SOFTIRQ,     /* softirq (network RX, tasklets, timers), also in ksoftirqd */
	LAB_DMESG_CTX_HARDIRQ,     /* hard interrupt handler */
	LAB_DMESG_CTX_NMI,
	LAB_DMESG_CTX_KSWAPD,      /* kswapd itself (PF_MEMALLOC) */
};

/* Zone-line fields (bit i of lab_dmesg_zone.have says field i was read). */
enum lab_dmesg_zone_field {
	LAB_ZF_FREE = 0, LAB_ZF_BOOST, LAB_ZF_MIN, LAB_ZF_LOW, LAB_ZF_HIGH,
	LAB_ZF_RESERVED_HIGHATOMIC, LAB_ZF_PRESENT, LAB_ZF_MANAGED,
	LAB_ZF_FREE_PCP, LAB_ZF_LOCAL_PCP, LAB_ZF_FREE_CMA,
	LAB_ZF_NR
};

/* One zone of one report: its zone line, lowmem_reserve[] and buddy line. */
struct lab_dmesg_zone {
	int node;                    /* "Node N" prefix, -1 when not printed */
	char name[16];               /* "DMA", "DMA32", "Normal", "HighMem", "Movable" */
	int line;                    /* input line of the zone line, 0 if none */
	bool has_zone_line;
	unsigned have;               /* 1u << enum lab_dmesg_zone_field */
	uint64_t kb[LAB_ZF_NR];      /* values in kB as printed */
	int nr_reserve;              /* lowmem_reserve[] entries (pages); 0 = no line */
	int64_t reserve[LAB_DMESG_MAX_RESERVE];
	bool has_buddy;
	int buddy_line;
	int nr_orders;               /* count tokens read ("N*SIZEkB") */
	uint64_t nr_free[LAB_DMESG_MAX_ORDERS];
	uint64_t block_kb[LAB_DMESG_MAX_ORDERS];
	uint8_t types[LAB_DMESG_MAX_ORDERS];  /* LAB_DMESG_MT_* per order */
	bool letters;                /* the line printed "(...)" letters at all */
	bool has_total;
	uint64_t total_kb;           /* the "= NkB" at the end */
};

/* Parts a report may lack (lab_dmesg_report.missing). */
#define LAB_DMESG_MISSING_ORDER          0x001u
#define LAB_DMESG_MISSING_MODE           0x002u
#define LAB_DMESG_MISSING_VERSION        0x004u  /* no kernel version anywhere in the log */
#define LAB_DMESG_MISSING_CALL_TRACE     0x008u
#define LAB_DMESG_MISSING_MEMINFO        0x010u  /* no Mem-Info block at all */
#define LAB_DMESG_MISSING_ZONES          0x020u  /* Mem-Info without any zone line */
#define LAB_DMESG_MISSING_WATERMARKS     0x040u  /* a zone without free/min */
#define LAB_DMESG_MISSING_LOWMEM_RESERVE 0x080u  /* a zone without lowmem_reserve[] */
#define LAB_DMESG_MISSING_BUDDY          0x100u  /* a zone without its buddy line */
#define LAB_DMESG_MISSING_TRUNCATED      0x200u  /* the input ended inside this report */

/* Bits of lab_dmesg_report.trace (what the call trace showed). */
#define LAB_DMESG_TRACE_IRQ_MARK   0x01u   /* <IRQ> */
#define LAB_DMESG_TRACE_NMI_MARK   0x02u   /* <NMI> */
#define LAB_DMESG_TRACE_SOFTIRQ    0x04u   /* a softirq frame (__do_softirq, net_rx_action, ...) */
#define LAB_DMESG_TRACE_HARDIRQ    0x08u   /* a hard-irq frame (do_IRQ, gic_handle_irq, ...) */
#define LAB_DMESG_TRACE_KSOFTIRQD  0x10u   /* run_ksoftirqd */

struct lab_dmesg_report {
	int line;                    /* input line of the failure line (1-based) */
	char comm[64];
	int pid, cpu;                /* -1 when not printed */
	char version[LAB_DMESG_VERSION_LEN]; /* from this report's CPU/Pid line, "" if none */
	char hardware[96];
	char workqueue[96];
	bool has_order;
	unsigned order;
	bool has_mode;
	lab_gfp_t mode;
	bool names_printed;          /* "mode:0x..(NAMES)" */
	char names[192];             /* NAMES without blanks, "" if none */
	bool old_format;             /* "page allocation failure. order:" (2.6 era) */
	char nodemask[32];
	char cpuset[64];
	char mems_allowed[32];
	char tag[32];                /* caller id used to route interleaved lines */

	bool has_call_trace;
	char site[64];               /* call site: the first reliable frame outside the
					allocator, slab and printing ("" if none) */
	unsigned trace;              /* LAB_DMESG_TRACE_* */
	int first_irq_kind;          /* innermost context frame: 0 none, 1 softirq, 2 hardirq */
	enum lab_dmesg_context context;
	char context_why[192];

	bool has_meminfo;
	int meminfo_line;
	int64_t sum_free, sum_free_pcp, sum_free_cma;   /* summary, pages; -1 = not printed */
	int64_t sum_anon, sum_file, sum_slab_unreclaimable, sum_slab_reclaimable, sum_shmem;
	int nr_zones;
	struct lab_dmesg_zone zones[LAB_DMESG_MAX_ZONES];
	bool zones_dropped;          /* more than LAB_DMESG_MAX_ZONES zone lines */
	unsigned page_kb;            /* page size from the buddy lines; 0 = unknown */
	int64_t pages_ram, pages_reserved, pages_cma_reserved; /* -1 = not printed */
	unsigned missing;            /* LAB_DMESG_MISSING_* */
	int end_line;                /* last input line attributed to the report */
	bool complete;               /* its structure says it has ended (see dmesg_report.c:
					ends_report): what `diagnose --follow` waits for */
	int ambiguous_lines;         /* lines given to this report by structure alone while
					another report without caller ids was in flight and
					could also have printed them (dmesg_demux.c) */
	int ambiguous_line;          /* input line of the first such line, 0 if none */
	bool closed;                 /* internal: no more lines are attributed */
	int last_zone;               /* internal: zone the next lowmem_reserve[] belongs to */
	int phase;                   /* internal */
	int irq_depth;               /* internal: inside <IRQ> .. </IRQ> */
	bool site_guess;             /* internal: site is from a "?" frame */
	int demux_rank;              /* internal: grammar position of its last Mem-Info
					summary or tail line (dmesg_demux.c) */
};

struct lab_dmesg_log {
	struct lab_dmesg_report *reports;
	size_t nr_reports;
	char version[LAB_DMESG_VERSION_LEN]; /* first kernel version anywhere, "" if none */
	int version_line;
	size_t nr_lines;             /* physical lines read */
	bool truncated;              /* the input did not end with a newline */
};

/*
 * Finds every page allocation failure report in @buf[0..@len) and reads it.
 * Returns 0 (also when nothing was found: log->nr_reports == 0), or -1 when
 * memory ran out (log is then empty). O(len); no recursion.
 */
int lab_dmesg_parse(const char *buf, size_t len, struct lab_dmesg_log *log);

/*
 * Reads a whole file ("-" = stdin) into a NUL-terminated malloc'd buffer,
 * decompressing gzip and xz transparently (detected by magic, not name).
 * Returns 0, or -1 with a message naming the file in @err.
 */
int lab_dmesg_read_file(const char *path, char **buf, size_t *len, char *err, size_t errsz);

/* lab_dmesg_read_file() + lab_dmesg_parse(). */
int lab_dmesg_parse_file(const char *path, struct lab_dmesg_log *log, char *err, size_t errsz);

void lab_dmesg_log_free(struct lab_dmesg_log *log);

/* The version that applies to @r: its own CPU line, else the log's. "" if none. */
const char *lab_dmesg_report_version(const struct lab_dmesg_log *log,
				     const struct lab_dmesg_report *r);

/*
 * Says in words what @r lacks ("no Mem-Info block (only the failure line
 * and call trace)", "zone DMA32: no buddy line", ...), one item per line
 * ending in '\n'. Returns the length like snprintf; "" when nothing is
 * missing.
 */
size_t lab_dmesg_describe_missing(const struct lab_dmesg_report *r, char *buf, size_t size);

const char *lab_dmesg_context_name(enum lab_dmesg_context ctx);

/* Zone type from a printed name: DMA 0, DMA32 1, Normal 2, HighMem 3,
 * Movable 4, Device 5; -1 for a name this reader does not know. */
int lab_dmesg_zone_type(const char *name);

/* The migratetype letters of @types ("UMEH"), into @buf (>= 9 bytes). */
const char *lab_dmesg_types_string(unsigned types, char *buf, size_t size);

#endif
