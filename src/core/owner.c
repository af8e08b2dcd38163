/* SPDX-License-Identifier: MIT */
/*
 * core/owner.c - page owners, the per-zone LRU lists, shrinkers.
 *
 * An owned page is an allocated block head whose `owner` word names its
 * owner (bits 0-7) and LRU state (LAB_OWN_*). Allocated heads do not use
 * their next/prev links, so owned pages are linked on the zone's LRU lists
 * through them (struct lab_page stays 16 bytes):
 *
 *   zone->lru_head[INACTIVE_FILE] -> pg -> pg -> ... -> pg <- lru_tail
 *        new and rotated pages at the head           reclaim scans the tail
 *
 *   lists: inactive anon, active anon, inactive file, active file, unevictable
 *   (Linux enum lru_list). Anon pages are never reclaimed (no swap); they and
 *   unevictable pages are still movable by compaction when the owner has a
 *   migrate op.
 *
 * LRU lists are protected by the zone lock (Linux: the lruvec lock).
 */
#include "internal.h"

int lab__lru_index(const struct lab_page *p)
{
	if (p->owner & LAB_OWN_UNEVICT)
		return LAB_LRU_UNEVICTABLE_LIST;
	return ((p->owner & LAB_OWN_FILE) ? LAB_LRU_INACTIVE_FILE : LAB_LRU_INACTIVE_ANON) +
	       ((p->owner & LAB_OWN_ACTIVE) ? 1 : 0);
}

void lab__lru_add(struct lab_mem *mem, struct lab_zone *z, struct lab_page *p, bool head)
{
	int l = lab__lru_index(p);
	idx_list_add(mem->pages, &z->lru_head[l], &z->lru_tail[l], p, page_idx(mem, p), !head);
	page_owner_set(p, page_owner(p) | LAB_OWN_LRU);
	__atomic_store_n(&z->nr_lru[l], z->nr_lru[l] + (1ull << p->order), __ATOMIC_RELAXED);   /* read locklessly */
}

void lab__lru_del(struct lab_mem *mem, struct lab_zone *z, struct lab_page *p)
{
	int l = lab__lru_index(p);
	if (LAB_BUG_ON(!idx_list_linked(mem->pages, &z->lru_head[l], &z->lru_tail[l], p), p,
		       "LRU list membership (prev/next)"))
		return;
	idx_list_del(mem->pages, &z->lru_head[l], &z->lru_tail[l], p);
	page_owner_set(p, page_owner(p) & ~LAB_OWN_LRU);
	__atomic_store_n(&z->nr_lru[l], z->nr_lru[l] - (1ull << p->order), __ATOMIC_RELAXED);
}

const struct lab_page_owner_ops *lab__owner_ops(struct lab_mem *mem, const struct lab_page *p, void **ctx)
{
	unsigned id = p->owner & LAB_OWN_ID_MASK;
	if (!id || !mem->owners[id].ops)
		return NULL;
	if (ctx)
		*ctx = mem->owners[id].ctx;
	return mem->owners[id].ops;
}

/* PageLRU || __PageMovable: an owned page whose owner can migrate it. */
bool lab__page_is_movable(struct lab_mem *mem, const struct lab_page *p)
{
	const struct lab_page_owner_ops *ops = lab__owner_ops(mem, p, NULL);
	return ops && ops->migrate && (p->owner & LAB_OWN_LRU);
}

int lab_owner_register(struct lab_mem *mem, const struct lab_page_owner_ops *ops, void *ctx)
{
	if (!LAB_CONFIG_OWNERS)
		return LAB_EOPNOTSUPP;
	if (!mem || mem->magic != LAB_MEM_MAGIC || !ops)
		return LAB_EINVAL;
	for (int id = 1; id <= LAB_MAX_OWNERS; id++)
		if (!mem->owners[id].ops) {
			mem->owners[id].ops = ops;
			mem->owners[id].ctx = ctx;
			return id;
		}
	return LAB_ENOMEM;
}

int lab_page_set_owner(struct lab_mem *mem, struct lab_page *page, int owner, unsigned lru)
{
	unsigned long flags;
	if (!LAB_CONFIG_OWNERS)
		return LAB_EOPNOTSUPP;
	if (!mem || mem->magic != LAB_MEM_MAGIC || !page || lab__mem_of_page(page) != mem ||
	    owner < 1 || owner > LAB_MAX_OWNERS || !mem->owners[owner].ops)
		return LAB_EINVAL;
	struct lab_zone *z = &mem->zones[page->zone];
	zone_lock(mem, z, &flags);
	if (!(page->flags & LAB_PG_HEAD) || (page->owner & (LAB_OWN_LRU | LAB_OWN_ISOLATED))) {
		zone_unlock(mem, z, flags);
		return LAB_EINVAL;
	}
	page_owner_set(page, (uint32_t)owner | ((lru & LAB_LRU_FILE) ? LAB_OWN_FILE : 0) |
		      ((lru & LAB_LRU_UNEVICTABLE) ? LAB_OWN_UNEVICT : 0));
	lab__lru_add(mem, z, page, true);
	zone_unlock(mem, z, flags);
	return 0;
}

/*
 * Refused with LAB_EBUSY while reclaim or compaction holds the page
 * isolated (taken off the LRU, its owner's isolate() not answered yet or
 * its migrate/reclaim/putback still to come): an owner freeing pages while
 * kswapd runs in another thread retries after that (Linux's page reference
 * held by isolation plays this part).
 */
int lab_page_clear_owner(struct lab_mem *mem, struct lab_page *page)
{
	unsigned long flags;
	if (!mem || !page || lab__mem_of_page(page) != mem)
		return LAB_EINVAL;
	struct lab_zone *z = &mem->zones[page->zone];
	zone_lock(mem, z, &flags);
	if ((page->flags & LAB_PG_HEAD) && (page->owner & LAB_OWN_ISOLATED)) {
		zone_unlock(mem, z, flags);
		return LAB_EBUSY;
	}
	if ((page->flags & LAB_PG_HEAD) && (page->owner & LAB_OWN_LRU))
		lab__lru_del(mem, z, page);
	if (page->flags & LAB_PG_HEAD)
		page_owner_set(page, page_owner(page) & LAB_OWN_CONTIG);
	zone_unlock(mem, z, flags);
	return 0;
}

void lab_page_mark_accessed(struct lab_mem *mem, struct lab_page *page)
{
	unsigned long flags;
	if (!mem || !page || lab__mem_of_page(page) != mem)
		return;
	struct lab_zone *z = &mem->zones[page->zone];
	zone_lock(mem, z, &flags);
	if ((page->flags & LAB_PG_HEAD) && (page->owner & LAB_OWN_LRU) &&
	    !(page->owner & (LAB_OWN_ACTIVE | LAB_OWN_UNEVICT))) {
		lab__lru_del(mem, z, page);
		page_owner_set(page, page_owner(page) | LAB_OWN_ACTIVE);
		lab__lru_add(mem, z, page, true);
	}
	zone_unlock(mem, z, flags);
}

int lab_register_shrinker(struct lab_mem *mem, struct lab_shrinker *s)
{
	if (!LAB_CONFIG_OWNERS)
		return LAB_EOPNOTSUPP;
	if (!mem || mem->magic != LAB_MEM_MAGIC || !s || !s->count_objects || !s->scan_objects)
		return LAB_EINVAL;
	for (int i = 0; i < LAB_MAX_SHRINKERS; i++)
		if (!mem->shrinkers[i]) {
			mem->shrinkers[i] = s;
			return 0;
		}
	return LAB_ENOMEM;
}

void lab_unregister_shrinker(struct lab_mem *mem, struct lab_shrinker *s)
{
	for (int i = 0; i < LAB_MAX_SHRINKERS; i++)
		if (mem->shrinkers[i] == s)
			mem->shrinkers[i] = NULL;
}

/*
 * shrink_slab / do_shrink_slab: ask every shrinker for a share of its
 * objects proportional to the scan pressure: freeable >> priority, times
 * 4 / seeks (a cache that is expensive to refill gives less). Bounded by
 * twice the freeable count per call. Returns objects freed.
 */
unsigned long lab__shrink_slab(struct lab_mem *mem, int priority)
{
	unsigned long freed = 0;
	for (int i = 0; i < LAB_MAX_SHRINKERS; i++) {
		struct lab_shrinker *s = mem->shrinkers[i];
		if (!s)
			continue;
		unsigned long freeable = s->count_objects(s->ctx);
		if (!freeable)
			continue;
		int seeks = s->seeks > 0 ? s->seeks : 2;
		unsigned long delta = (freeable >> priority) * 4 / (unsigned long)seeks;
		if (!delta)
			delta = priority == 0 ? freeable : 0;
		if (delta > freeable * 2)
			delta = freeable * 2;
		while (delta) {
			unsigned long batch = delta < 128 ? delta : 128;
			unsigned long got = s->scan_objects(s->ctx, batch);
			freed += got;
			if (got < batch)
				break;
			delta -= batch;
		}
	}
	return freed;
}
