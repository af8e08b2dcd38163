/* SPDX-License-Identifier: MIT */
/*
 * host/host_background.h - the host's kswapd and kcompactd threads
 * (background.c), as host.c wires them into an instance.
 */
#ifndef LAB_HOST_BACKGROUND_H
#define LAB_HOST_BACKGROUND_H

#include <labyrinth/host.h>

struct lab_host_background;

/* Semaphores ready, no thread yet (the wake hooks may already post). */
struct lab_host_background *host_background_new(void);
/* Starts both threads over @mem. 0 or -errno. */
int host_background_start(struct lab_host_background *bg, struct lab_mem *mem);
/* Stops and joins the threads (NULL: nothing). */
void host_background_free(struct lab_host_background *bg);
/* The platform's wake_kswapd / wake_kcompactd: any context, never block. */
void host_background_wake_kswapd(struct lab_host_background *bg);
void host_background_wake_kcompactd(struct lab_host_background *bg);
void host_background_stats(const struct lab_host_background *bg, struct lab_host_background_stats *out);

#endif
