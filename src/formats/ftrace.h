/* SPDX-License-Identifier: MIT */
/*
 * formats/ftrace.h - reader of real kernel page-allocator traces.
 *
 * Input: the text of tracefs `trace` / `trace_pipe`, the text of
 * `trace-cmd report` (with or without -l), or a binary `trace.dat` (through
 * libtracecmd/libtraceevent when built with LAB_HAVE_TRACECMD). Any of them
 * may be xz- or gzip-compressed; the format is recognised from the content,
 * not the file name.
 *
 * Output: one compact struct lab_ftrace_event per trace event, in file
 * order (tracefs and trace-cmd print events merged by timestamp), with
 * strings interned in side tables. The events the replay engines need are
 * decoded field by field (kmem:mm_page_*, compaction:*, vmscan:*,
 * oom:mark_victim, markers); any other event is kept as
 * LAB_FT_UNKNOWN with its name counted in lab_ftrace.unknown, never dropped.
 *
 * A line that is not an event line, or a known event with a missing or
 * unparsable field, is an error naming the file and line (strict mode), or
 * is counted and skipped (LAB_FTRACE_LENIENT).
 *
 * Context: the irq-info column ("d..1.", ".Ns..") is decoded as the kernel's
 * Documentation/trace/ftrace.rst describes it: the third character is
 * 'z'/'Z' for NMI, 'h'/'H' for hardirq, 's' for softirq, '.' otherwise.
 * `trace-cmd report` without -l has no such column: those events have
 * LAB_FTF_CTX_KNOWN clear and process context.
 *
 * Host side (stdio, malloc). Not thread-safe per lab_ftrace object.
 */
#ifndef LAB_FORMATS_FTRACE_H
#define LAB_FORMATS_FTRACE_H

#include <stddef.h>
#include <stdint.h>
#include <labyrinth/gfp.h>
#include <labyrinth/stats.h>

#ifdef __cplusplus
extern "C" {
#endif

enum lab_ftrace_type {
	LAB_FT_UNKNOWN = 0,             /* arg = index into lab_ftrace.unknown */
	/* kmem */
	LAB_FT_PAGE_ALLOC,              /* pfn order mt gfp; LAB_FTF_FAILED when page was NULL */
	LAB_FT_PAGE_FREE,               /* pfn order */
	LAB_FT_PAGE_FREE_BATCHED,       /* pfn order (repeats a PAGE_FREE of the same pfn) */
	LAB_FT_PAGE_ALLOC_ZONE_LOCKED,  /* pfn order mt; LAB_FTF_PCP_REFILL */
	LAB_FT_PAGE_PCPU_DRAIN,         /* pfn order mt */
	LAB_FT_PAGE_ALLOC_EXTFRAG,      /* pfn, order = alloc_order, mt = alloc_mt,
					 * a1 = fallback_order, a2 = fallback_mt,
					 * arg = pageblock_order, LAB_FTF_FRAGMENTING,
					 * LAB_FTF_CHANGE_OWNERSHIP */
	/* compaction */
	LAB_FT_COMPACTION_BEGIN,        /* pfn = zone_start, arg = zone_end,
					 * arg2 = migrate_pfn, gfp = free_pfn (32 bits),
					 * a1 = 1 sync / 0 async */
	LAB_FT_COMPACTION_END,          /* as BEGIN, a2 = status (lab_ftrace_status) */
	LAB_FT_COMPACTION_ISOLATE_MIGRATEPAGES, /* pfn = start, arg = end, arg2 = nr_scanned, gfp = nr_taken */
	LAB_FT_COMPACTION_ISOLATE_FREEPAGES,    /* same */
	LAB_FT_COMPACTION_FAST_ISOLATE_FREEPAGES, /* same: pfn = min_pfn, arg = free_pfn; one free
					 * block of nr_taken pages off the Movable list (6.1: untraced) */
	LAB_FT_COMPACTION_MIGRATEPAGES, /* pfn = nr_migrated, arg = nr_failed */
	LAB_FT_COMPACTION_TRY_TO_COMPACT_PAGES, /* order, gfp, a1 = priority */
	LAB_FT_COMPACTION_FINISHED,     /* order, a1 = zone, a2 = ret status */
	LAB_FT_COMPACTION_SUITABLE,     /* same */
	LAB_FT_COMPACTION_DEFERRED,     /* order, a1 = zone, pfn = order_failed, arg = consider, arg2 = limit */
	LAB_FT_COMPACTION_DEFER_COMPACTION, /* same */
	LAB_FT_COMPACTION_DEFER_RESET,  /* same */
	LAB_FT_COMPACTION_KCOMPACTD_SLEEP, /* (nid) */
	LAB_FT_COMPACTION_KCOMPACTD_WAKE,  /* order, a1 = classzone */
	LAB_FT_COMPACTION_WAKEUP_KCOMPACTD,/* order, a1 = classzone */
	/* vmscan */
	LAB_FT_VMSCAN_KSWAPD_SLEEP,     /* (nid) */
	LAB_FT_VMSCAN_KSWAPD_WAKE,      /* order */
	LAB_FT_VMSCAN_WAKEUP_KSWAPD,    /* order gfp */
	LAB_FT_VMSCAN_DIRECT_RECLAIM_BEGIN, /* order gfp */
	LAB_FT_VMSCAN_DIRECT_RECLAIM_END,   /* pfn = nr_reclaimed */
	/* oom */
	LAB_FT_OOM_MARK_VICTIM,         /* pfn = victim pid */
	/* tracing_mark_write / print */
	LAB_FT_MARKER,                  /* arg = index into lab_ftrace.markers */
	LAB_FT_NR_TYPES
};

/* lab_ftrace_event.flags */
#define LAB_FTF_CTX_MASK         0x03u  /* enum lab_context */
#define LAB_FTF_CTX_KNOWN        0x04u  /* the line had an irq-info column */
#define LAB_FTF_IRQS_OFF         0x08u  /* 'd' or 'D' */
#define LAB_FTF_FAILED           0x10u  /* PAGE_ALLOC: the allocation failed */
#define LAB_FTF_PCP_REFILL       0x20u  /* ZONE_LOCKED: percpu_refill=1 */
#define LAB_FTF_FRAGMENTING      0x40u  /* EXTFRAG */
#define LAB_FTF_CHANGE_OWNERSHIP 0x80u  /* EXTFRAG */

/* Status strings of compaction finished/suitable/end, in one table. */
enum lab_ftrace_status {
	LAB_FTS_UNKNOWN = 0, LAB_FTS_NOT_SUITABLE_ZONE, LAB_FTS_SKIPPED, LAB_FTS_DEFERRED,
	LAB_FTS_NO_SUITABLE_PAGE, LAB_FTS_CONTINUE, LAB_FTS_COMPLETE, LAB_FTS_PARTIAL_SKIPPED,
	LAB_FTS_CONTENDED, LAB_FTS_SUCCESS, LAB_FTS_NR
};

/*
 * One event: 56 bytes. Field meanings per type are listed in
 * enum lab_ftrace_type; unused fields are 0 (order/mt: -1).
 */
struct lab_ftrace_event {
	uint64_t ts_ns;         /* timestamp, ns (trace clock) */
	uint64_t pfn;
	uint64_t arg;
	uint64_t arg2;
	uint32_t gfp;           /* 6.1 bit layout (lab_gfp_t) */
	uint32_t pid;
	uint32_t comm;          /* index into lab_ftrace.comms */
	uint32_t line;          /* line in the text (record number for trace.dat) */
	uint16_t cpu;
	uint8_t type;           /* enum lab_ftrace_type */
	int8_t order;
	int8_t mt;              /* migratetype as the kernel printed it */
	uint8_t flags;          /* LAB_FTF_* */
	uint8_t a1, a2;
};

struct lab_ftrace_name {
	char *name;
	uint64_t count;
	uint32_t first_line;
};

enum lab_ftrace_layout {
	LAB_FTRACE_LAYOUT_NONE = 0,
	LAB_FTRACE_LAYOUT_TRACEFS,      /* comm-pid [cpu] flags ts: */
	LAB_FTRACE_LAYOUT_TRACECMD,     /* comm-pid [cpu] ts: (trace-cmd report) */
	LAB_FTRACE_LAYOUT_TRACECMD_LAT, /* comm-pid cpuflags ts: (trace-cmd report -l) */
	LAB_FTRACE_LAYOUT_DAT           /* binary trace.dat */
};

struct lab_ftrace {
	struct lab_ftrace_event *ev;
	size_t nr, cap;
	char **comms;                   /* interned task names */
	size_t nr_comms, cap_comms;
	struct lab_ftrace_name *unknown;/* events the reader does not decode */
	size_t nr_unknown, cap_unknown;
	char **markers;                 /* tracing_mark_write texts */
	size_t nr_markers, cap_markers;
	uint64_t count[LAB_FT_NR_TYPES];
	uint64_t lines;                 /* text lines read */
	uint64_t lost_events;           /* sum of "[LOST n EVENTS]" / missed records */
	uint64_t lost_reports;          /* how many such reports */
	uint64_t buffer_started;        /* "##### CPU n buffer started ####" lines */
	uint64_t entries_in_buffer, entries_written; /* header; both 0 when absent */
	int nr_cpus;                    /* "#P:n" / "cpus=n"; 0 when absent */
	uint64_t malformed;             /* lines skipped in lenient mode */
	enum lab_ftrace_layout layout;
	char kernel[96];                /* trace.dat: kernel release when known */
	enum lab_gfp_era era;           /* the era the gfp names were read in */
	/* private: hash tables */
	void *priv;
};

/* lab_ftrace_opts.flags */
#define LAB_FTRACE_LENIENT  0x1u    /* count malformed lines instead of failing */

struct lab_ftrace_opts {
	enum lab_gfp_era era;           /* names of gfp_flags (text); default 6.1 */
	unsigned flags;
};

/* Return values (besides 0) */
#define LAB_FTRACE_EIO        (-5)   /* cannot open/read/decompress */
#define LAB_FTRACE_EMALFORMED (-74)  /* EBADMSG: malformed line; err names file:line */
#define LAB_FTRACE_ENOSYS     (-38)  /* trace.dat without LAB_HAVE_TRACECMD */
#define LAB_FTRACE_ENOMEM     (-12)

/*
 * Reads @path (text or trace.dat, optionally .xz/.gz) into @t (which the
 * call initialises). Returns 0, or a negative LAB_FTRACE_E* with a message
 * in @err ("trace.txt:1234: mm_page_alloc: bad value for 'order'"). On
 * error @t is freed again. Cost: one pass over the text, O(lines).
 */
int lab_ftrace_load(const char *path, const struct lab_ftrace_opts *o, struct lab_ftrace *t,
		    char *err, size_t errsz);

/*
 * Parses text already in memory (@len bytes, need not be NUL-terminated).
 * @name is used in error messages. Same returns as lab_ftrace_load.
 */
int lab_ftrace_parse_text(const char *buf, size_t len, const char *name,
			  const struct lab_ftrace_opts *o, struct lab_ftrace *t,
			  char *err, size_t errsz);

/* Frees everything @t holds and zeroes it. Safe on a zeroed struct. */
void lab_ftrace_free(struct lab_ftrace *t);

/* "mm_page_alloc", ...; "unknown" for LAB_FT_UNKNOWN; NULL when out of range. */
const char *lab_ftrace_type_name(enum lab_ftrace_type type);
/* "complete", "partial_skipped", ... */
const char *lab_ftrace_status_name(enum lab_ftrace_status s);

/*
 * Reads a whole file into a malloc'ed buffer (NUL-terminated, *len
 * excludes the NUL), decompressing xz or gzip content transparently.
 * Returns 0 or LAB_FTRACE_EIO/ENOMEM with a message in @err.
 */
int lab_read_file_decompressed(const char *path, char **buf, size_t *len, char *err, size_t errsz);

/* Context of an event (enum lab_context). */
static inline enum lab_context lab_ftrace_context(const struct lab_ftrace_event *e)
{
	return (enum lab_context)(e->flags & LAB_FTF_CTX_MASK);
}

#ifdef __cplusplus
}
#endif
#endif
