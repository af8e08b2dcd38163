/* SPDX-License-Identifier: MIT */
/*
 * bench/peers.h - the allocators Labyrinth is compared with: glibc's
 * malloc, and tcmalloc, jemalloc and mimalloc loaded with
 * dlopen(RTLD_LOCAL) so that all of them live side by side in one process
 * without replacing glibc's malloc. A peer whose library is missing is
 * "n/a", never a build or run failure.
 */
#ifndef LAB_BENCH_PEERS_H
#define LAB_BENCH_PEERS_H

#include <stddef.h>
#include <stdint.h>

/* How a peer's aligned allocation is called. */
enum bench_align_kind {
	BENCH_ALIGN_POSIX,       /* int posix_memalign(void **out, size_t align, size_t size) */
	BENCH_ALIGN_MEMALIGN,    /* void *memalign(size_t align, size_t size) */
	BENCH_ALIGN_SIZE_FIRST,  /* void *mi_malloc_aligned(size_t size, size_t align) */
};

struct bench_peer {
	const char *name;               /* "glibc", "tcmalloc", "jemalloc", "mimalloc" */
	const char *lib;                /* soname given to dlopen; NULL = the libc we run on */
	int available;
	char why[160];                  /* why not available (dlerror text) */
	char version[64];
	void *(*malloc_fn)(size_t);
	void (*free_fn)(void *);
	enum bench_align_kind align_kind;
	int (*posix_memalign_fn)(void **, size_t, size_t);
	void *(*memalign_fn)(size_t, size_t);   /* argument order per align_kind */
};

#define BENCH_NR_PEERS 4

/*
 * Re-executes the program once with GLIBC_TUNABLES
 * glibc.rtld.optional_static_tls raised: libjemalloc.so.2 uses initial-exec
 * TLS and cannot be dlopen()ed into the default static TLS surplus. Call
 * first thing in main(); returns only if no re-exec happened (already done,
 * or execv failed: jemalloc is then reported n/a).
 */
void bench_peers_reexec(char **argv);

/* Loads the peers (once) and returns the table of BENCH_NR_PEERS. */
struct bench_peer *bench_peers_load(void);

/* Argument of the peer runners below. */
struct bench_peer_arg {
	const struct bench_peer *peer;
	size_t size;
	size_t align;                   /* 0 = plain malloc */
	/* pattern state */
	void **slot;
	size_t nr_slots;                /* power of two */
	uint64_t rng;
};

/* One allocation + one free per operation. */
void bench_peer_pair(void *arg, uint64_t iters);
/* Pattern: @nr_slots blocks live; each operation frees a random one and
 * allocates its replacement. bench_peer_pattern_init fills the slots
 * (0, or -1 if the peer is unavailable or out of memory); _fini frees them. */
int bench_peer_pattern_init(struct bench_peer_arg *a, size_t nr_slots);
void bench_peer_pattern(void *arg, uint64_t iters);
void bench_peer_pattern_fini(struct bench_peer_arg *a);

#endif
