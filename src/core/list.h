/* SPDX-License-Identifier: MIT */
/*
 * core/list.h - the index-linked page list, one copy for every list the
 * core keeps: the buddy free lists (buddy.c), the per-CPU lists (pcp.c) and
 * the LRU lists (owner.c).
 *
 * A list is a head and a tail index into mem->pages[]; each page on it links
 * its neighbours through struct lab_page.next/prev (32-bit indices, not
 * pointers, so the descriptor stays 16 bytes). LAB_NIL ends it both ways:
 *
 *     *head                                           *tail
 *       |                                               |
 *       v                                               v
 *   +--------+  next   +--------+  next   +--------+
 *   | idx 7  | ------> | idx 2  | ------> | idx 9  | --> LAB_NIL
 *   |        | <------ |        | <------ |        |
 *   +--------+  prev   +--------+  prev   +--------+
 *       |
 *       +-- prev = LAB_NIL
 *
 * An empty list has *head == *tail == LAB_NIL. Every operation is O(1) and
 * touches only the page, its neighbours and the head/tail words; the
 * caller holds the lock of the list (zone lock, pcp lock) and keeps its
 * own counters. Inline: the per-CPU fast path crosses no call for them.
 */
#ifndef LAB_CORE_LIST_H
#define LAB_CORE_LIST_H

/* Puts page @p (index @idx: &pages[idx] == p) at the head (or, with
 * @at_tail, the tail) of the list. Both are passed so that no caller pays
 * to turn one into the other again. */
static inline void idx_list_add(struct lab_page *pages, uint32_t *head, uint32_t *tail,
				struct lab_page *p, uint32_t idx, bool at_tail)
{
	/* the ends read once: a store to p's links may alias them */
	uint32_t h = *head, t = *tail;

	if (h == LAB_NIL) {
		p->next = p->prev = LAB_NIL;
		*head = *tail = idx;
	} else if (at_tail) {
		p->prev = t;
		p->next = LAB_NIL;
		pages[t].next = idx;
		*tail = idx;
	} else {
		p->next = h;
		p->prev = LAB_NIL;
		pages[h].prev = idx;
		*head = idx;
	}
}

/* Takes page @p off the list; its links end as LAB_NIL. */
static inline void idx_list_del(struct lab_page *pages, uint32_t *head, uint32_t *tail, struct lab_page *p)
{
	/* both links read before any store: a store through pages[] may alias p */
	uint32_t next = p->next, prev = p->prev;

	if (prev != LAB_NIL)
		pages[prev].next = next;
	else
		*head = next;
	if (next != LAB_NIL)
		pages[next].prev = prev;
	else
		*tail = prev;
	p->next = p->prev = LAB_NIL;
}

/*
 * Is page @p linked into this list as its neighbours and the ends say?
 * (prev's next and next's prev are @p, or the head/tail word when at an
 * end.) The debug tier's membership test before a delete: a page that is
 * on another list, or whose links were overwritten, fails it.
 */
static inline bool idx_list_linked(const struct lab_page *pages, const uint32_t *head,
				   const uint32_t *tail, const struct lab_page *p)
{
	uint32_t idx = (uint32_t)(p - pages);

	return (p->prev == LAB_NIL ? *head == idx : pages[p->prev].next == idx) &&
	       (p->next == LAB_NIL ? *tail == idx : pages[p->next].prev == idx);
}

#endif
