/* SPDX-License-Identifier: MIT */
/*
 * bench/peers.c - loading the peer allocators and the loops that time them.
 *
 * Each peer is dlopen()ed with RTLD_LOCAL, so its malloc does not interpose
 * on glibc's: the program keeps using glibc for itself, and every peer is
 * reached only through the function pointers taken here with dlsym. glibc
 * is called through pointers too, so every malloc-like contender pays the
 * same indirect call. Libraries that are not installed leave their peer
 * unavailable ("n/a" in the tables).
 *
 *   peer       library                    plain           aligned               version
 *   glibc      (the running libc)         malloc/free     posix_memalign        gnu_get_libc_version
 *   tcmalloc   libtcmalloc_minimal.so.4   tc_malloc/free  tc_memalign           tc_version
 *   jemalloc   libjemalloc.so.2           malloc/free     posix_memalign        mallctl("version")
 *   mimalloc   libmimalloc.so.2           mi_malloc/free  mi_malloc_aligned     mi_version
 *
 * The loops hand each pointer to bench_escape() so the compiler can neither
 * drop an allocation nor fuse it with its free.
 */
#include <dlfcn.h>
#include <gnu/libc-version.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "bench_core.h"
#include "peers.h"

static struct bench_peer peers[BENCH_NR_PEERS] = {
	{ .name = "glibc", .lib = NULL, .align_kind = BENCH_ALIGN_POSIX },
	{ .name = "tcmalloc", .lib = "libtcmalloc_minimal.so.4", .align_kind = BENCH_ALIGN_MEMALIGN },
	{ .name = "jemalloc", .lib = "libjemalloc.so.2", .align_kind = BENCH_ALIGN_POSIX },
	{ .name = "mimalloc", .lib = "libmimalloc.so.2", .align_kind = BENCH_ALIGN_SIZE_FIRST },
};
static int peers_loaded;

#define REEXEC_ENV "LAB_BENCH_REEXEC"
#define STATIC_TLS_TUNABLE "glibc.rtld.optional_static_tls=16384"

void bench_peers_reexec(char **argv)
{
	char buf[2048];
	const char *old;

	if (getenv(REEXEC_ENV))
		return;
	setenv(REEXEC_ENV, "1", 1);
	old = getenv("GLIBC_TUNABLES");
	snprintf(buf, sizeof(buf), "%s%s%s", old ? old : "", old && *old ? ":" : "", STATIC_TLS_TUNABLE);
	setenv("GLIBC_TUNABLES", buf, 1);
	execv("/proc/self/exe", argv);
	/* no re-exec: carry on, jemalloc will probably be n/a */
}

/* dlsym into a function pointer without a data/function pointer cast. */
static int sym(void *h, const char *name, void *fnptr, struct bench_peer *p)
{
	void *s = dlsym(h, name);
	if (!s) {
		snprintf(p->why, sizeof(p->why), "%s: no symbol %s", p->lib, name);
		return -1;
	}
	memcpy(fnptr, &s, sizeof(s));
	return 0;
}

static void load_glibc(struct bench_peer *p)
{
	p->malloc_fn = malloc;
	p->free_fn = free;
	p->posix_memalign_fn = posix_memalign;
	snprintf(p->version, sizeof(p->version), "%s", gnu_get_libc_version());
	p->available = 1;
}

static void load_tcmalloc(struct bench_peer *p, void *h)
{
	const char *(*ver)(int *, int *, const char **) = NULL;
	if (sym(h, "tc_malloc", &p->malloc_fn, p) || sym(h, "tc_free", &p->free_fn, p) ||
	    sym(h, "tc_memalign", &p->memalign_fn, p))
		return;
	if (!sym(h, "tc_version", &ver, p))
		snprintf(p->version, sizeof(p->version), "%s", ver(NULL, NULL, NULL));
	p->available = 1;
}

static void load_jemalloc(struct bench_peer *p, void *h)
{
	int (*mallctl)(const char *, void *, size_t *, void *, size_t) = NULL;
	if (sym(h, "malloc", &p->malloc_fn, p) || sym(h, "free", &p->free_fn, p) ||
	    sym(h, "posix_memalign", &p->posix_memalign_fn, p))
		return;
	if (!sym(h, "mallctl", &mallctl, p)) {
		const char *v = NULL;
		size_t len = sizeof(v);
		if (mallctl("version", &v, &len, NULL, 0) == 0 && v)
			snprintf(p->version, sizeof(p->version), "%.40s", v);
	}
	p->available = 1;
}

static void load_mimalloc(struct bench_peer *p, void *h)
{
	int (*ver)(void) = NULL;
	if (sym(h, "mi_malloc", &p->malloc_fn, p) || sym(h, "mi_free", &p->free_fn, p) ||
	    sym(h, "mi_malloc_aligned", &p->memalign_fn, p))
		return;
	if (!sym(h, "mi_version", &ver, p)) {
		int v = ver();
		snprintf(p->version, sizeof(p->version), "%d.%d.%d", v / 100, v / 10 % 10, v % 10);
	}
	p->available = 1;
}

struct bench_peer *bench_peers_load(void)
{
	if (peers_loaded)
		return peers;
	peers_loaded = 1;
	for (int i = 0; i < BENCH_NR_PEERS; i++) {
		struct bench_peer *p = &peers[i];
		void *h;
		if (!p->lib) {
			load_glibc(p);
			continue;
		}
		h = dlopen(p->lib, RTLD_NOW | RTLD_LOCAL);
		if (!h) {
			snprintf(p->why, sizeof(p->why), "%s", dlerror());
			continue;
		}
		if (!strcmp(p->name, "tcmalloc"))
			load_tcmalloc(p, h);
		else if (!strcmp(p->name, "jemalloc"))
			load_jemalloc(p, h);
		else
			load_mimalloc(p, h);
		/* never dlclose: freed memory may still be cached by the peer */
	}
	return peers;
}

/* One allocation of @a's size and alignment. */
static inline void *peer_alloc(const struct bench_peer_arg *a)
{
	const struct bench_peer *p = a->peer;
	void *x = NULL;

	if (!a->align)
		return p->malloc_fn(a->size);
	switch (p->align_kind) {
	case BENCH_ALIGN_POSIX:
		if (p->posix_memalign_fn(&x, a->align, a->size))
			x = NULL;
		return x;
	case BENCH_ALIGN_MEMALIGN:
		return p->memalign_fn(a->align, a->size);
	case BENCH_ALIGN_SIZE_FIRST:
		return p->memalign_fn(a->size, a->align);
	}
	return NULL;
}

void bench_peer_pair(void *arg, uint64_t iters)
{
	const struct bench_peer_arg *a = arg;
	void (*fr)(void *) = a->peer->free_fn;

	for (uint64_t i = 0; i < iters; i++) {
		void *x = peer_alloc(a);
		if (__builtin_expect(!x, 0))
			bench_die("%s: allocation of %zu bytes failed", a->peer->name, a->size);
		bench_escape(x);
		fr(x);
	}
}

int bench_peer_pattern_init(struct bench_peer_arg *a, size_t nr_slots)
{
	if (!a->peer->available)
		return -1;
	a->slot = calloc(nr_slots, sizeof(*a->slot));
	if (!a->slot)
		return -1;
	a->nr_slots = nr_slots;
	a->rng = 0x9e3779b97f4a7c15ull;
	for (size_t i = 0; i < nr_slots; i++) {
		a->slot[i] = peer_alloc(a);
		if (!a->slot[i]) {
			bench_peer_pattern_fini(a);
			return -1;
		}
	}
	return 0;
}

void bench_peer_pattern(void *arg, uint64_t iters)
{
	struct bench_peer_arg *a = arg;
	void (*fr)(void *) = a->peer->free_fn;
	size_t mask = a->nr_slots - 1;

	for (uint64_t i = 0; i < iters; i++) {
		size_t k = (size_t)bench_rand(&a->rng) & mask;
		fr(a->slot[k]);
		a->slot[k] = peer_alloc(a);
		if (__builtin_expect(!a->slot[k], 0))
			bench_die("%s: allocation of %zu bytes failed", a->peer->name, a->size);
		bench_escape(a->slot[k]);
	}
}

void bench_peer_pattern_fini(struct bench_peer_arg *a)
{
	if (!a->slot)
		return;
	for (size_t i = 0; i < a->nr_slots; i++)
		if (a->slot[i])
			a->peer->free_fn(a->slot[i]);
	free(a->slot);
	a->slot = NULL;
	a->nr_slots = 0;
}
