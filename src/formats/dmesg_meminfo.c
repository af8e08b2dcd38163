/* SPDX-License-Identifier: MIT */
/*
 * formats/dmesg_meminfo.c - the Mem-Info body of a failure report
 * (lib/show_mem.c:__show_mem() and show_free_areas()):
 *
 *   Mem-Info:
 *   active_anon:.. inactive_anon:.. ... free:.. free_pcp:.. free_cma:..   summary, pages
 *   Node 0 DMA32 free:..kB boost:..kB min:..kB low:..kB high:..kB ...     zone line, kB
 *   lowmem_reserve[]: 0 0 1234 1234                                       pages
 *   Node 0 DMA32: 3*4kB (UM) 1*8kB (M) ... = 1234kB                       buddy line
 *   262144 pages RAM                                                      totals
 *
 * Fields are found by key, not position, so the field sets of 2.6 to 6.x
 * kernels read alike; a value cut off by a truncated line is left unread.
 * Cost: O(line length) per line.
 */
#include "formats/dmesg_int.h"

#include <stdio.h>
#include <string.h>

int lab_dmesg_zone_type(const char *name)
{
	static const char *const names[] = { "DMA", "DMA32", "Normal", "HighMem", "Movable", "Device" };
	for (int i = 0; i < 6; i++)
		if (strcmp(name, names[i]) == 0)
			return i;
	return -1;
}

/* "[Node N ]NAME" at the start of @t; *@rest = after the name. */
static bool zone_prefix(const char *t, int *node, char *name, size_t size, const char **rest)
{
	const char *p = t, *s;
	uint64_t v;

	*node = -1;
	if (starts_with(p, "Node ") && is_digit(p[5])) {
		p += 5;
		if (!read_u64(&p, &v) || *p != ' ' || v > 1u << 16)
			return false;
		*node = (int)v;
		p = skip_blanks(p);
	}
	s = p;
	if (!is_alpha(*p))
		return false;
	while (is_ident(*p))
		p++;
	if (p - s > 15 || (*p != ' ' && *p != ':'))
		return false;
	copy_trim(name, size, s, (size_t)(p - s));
	*rest = p;
	return true;
}

bool lab__dmesg_is_zone_line(const char *t, int *node, char *name, size_t size, const char **fields)
{
	const char *rest;
	if (!zone_prefix(t, node, name, size, &rest) || *rest != ' ')
		return false;
	rest = skip_blanks(rest);
	if (!starts_with(rest, "free:") || !is_digit(rest[5]))
		return false;
	*fields = rest;
	return true;
}

bool lab__dmesg_is_buddy_line(const char *t, int *node, char *name, size_t size, const char **counts)
{
	const char *rest, *p;
	uint64_t v;
	if (!zone_prefix(t, node, name, size, &rest) || *rest != ':')
		return false;
	p = skip_blanks(rest + 1);
	*counts = p;
	if (!read_u64(&p, &v))
		return false;
	return *p == '*';
}

static struct lab_dmesg_zone *find_zone(struct lab_dmesg_report *r, int node, const char *name, bool create)
{
	struct lab_dmesg_zone *z;

	for (int i = 0; i < r->nr_zones; i++)
		if (r->zones[i].node == node && strcmp(r->zones[i].name, name) == 0)
			return &r->zones[i];
	if (!create)
		return NULL;
	if (r->nr_zones == LAB_DMESG_MAX_ZONES) {
		r->zones_dropped = true;
		return NULL;
	}
	z = &r->zones[r->nr_zones++];
	memset(z, 0, sizeof(*z));
	z->node = node;
	snprintf(z->name, sizeof(z->name), "%s", name);
	return z;
}

static const char *const zone_field_names[LAB_ZF_NR] = {
	[LAB_ZF_FREE] = "free", [LAB_ZF_BOOST] = "boost", [LAB_ZF_MIN] = "min",
	[LAB_ZF_LOW] = "low", [LAB_ZF_HIGH] = "high",
	[LAB_ZF_RESERVED_HIGHATOMIC] = "reserved_highatomic",
	[LAB_ZF_PRESENT] = "present", [LAB_ZF_MANAGED] = "managed",
	[LAB_ZF_FREE_PCP] = "free_pcp", [LAB_ZF_LOCAL_PCP] = "local_pcp",
	[LAB_ZF_FREE_CMA] = "free_cma",
};

/* The next "key:value" token of the line at *@p (tokens without a colon
 * are skipped): the key is [*@key, *@key + *@klen), the value starts at
 * *@v and its token ends at *@e, where *@p then points. false at the end. */
static bool next_key_token(const char **p, const char **key, size_t *klen, const char **v, const char **e)
{
	for (;;) {
		const char *s = skip_blanks(*p), *end = token_end(s), *colon;
		*p = end;
		if (s == end)
			return false;
		colon = memchr(s, ':', (size_t)(end - s));
		if (!colon)
			continue;
		*key = s;
		*klen = (size_t)(colon - s);
		*v = colon + 1;
		*e = end;
		return true;
	}
}

/* "key:NkB" tokens of a zone line (also "key: NkB"); values without kB
 * (a truncated line) are ignored. */
static void parse_zone_fields(struct lab_dmesg_zone *z, const char *p)
{
	const char *key, *v, *e;
	size_t klen;

	while (next_key_token(&p, &key, &klen, &v, &e)) {
		uint64_t val;

		if (v == e && *e) {	/* "pagetables: 3560kB" */
			v = skip_blanks(e);
			if (!is_digit(*v))
				continue;
			p = token_end(v);
		}
		if (!read_u64(&v, &val) || !is_kb_suffix(v))
			continue;
		for (int f = 0; f < LAB_ZF_NR; f++) {
			size_t n = strlen(zone_field_names[f]);
			if (klen == n && memcmp(key, zone_field_names[f], n) == 0) {
				if (!(z->have & (1u << f))) {
					z->kb[f] = val;
					z->have |= 1u << f;
				}
				break;
			}
		}
	}
}

static unsigned letter_bit(char c)
{
	switch (c) {
	case 'U': return LAB_DMESG_MT_U;
	case 'M': return LAB_DMESG_MT_M;
	case 'E': return LAB_DMESG_MT_E;
	case 'H': return LAB_DMESG_MT_H;
	case 'C': return LAB_DMESG_MT_C;
	case 'I': return LAB_DMESG_MT_I;
	case 'R': return LAB_DMESG_MT_R;
	default: return LAB_DMESG_MT_OTHER;
	}
}

/* "N*SIZEkB (LETTERS) ... = TOTALkB" (show_mem's per-order free areas). */
static void parse_buddy_counts(struct lab_dmesg_zone *z, const char *p)
{
	int order = 0;

	while (*p) {
		uint64_t n, size;
		p = skip_blanks(p);
		if (!*p)
			break;
		if (*p == '(') {
			int guard = 0;
			z->letters = true;
			for (p++; *p && *p != ')' && guard < 24; p++, guard++)
				if (is_upper(*p) && order > 0 && order <= LAB_DMESG_MAX_ORDERS)
					z->types[order - 1] |= (uint8_t)letter_bit(*p);
			if (*p == ')')
				p++;
			continue;
		}
		if (*p == '=') {
			p = skip_blanks(p + 1);
			if (read_u64(&p, &n) && is_kb_suffix(p)) {
				z->has_total = true;
				z->total_kb = n;
			}
			break;
		}
		if (read_u64(&p, &n) && *p == '*') {
			p++;
			if (read_u64(&p, &size) && is_kb_suffix(p)) {
				if (order < LAB_DMESG_MAX_ORDERS) {
					z->nr_free[order] = n;
					z->block_kb[order] = size;
				}
				order++;
				p += 2;
				continue;
			}
		}
		p = token_end(p);
	}
	z->nr_orders = order < LAB_DMESG_MAX_ORDERS ? order : LAB_DMESG_MAX_ORDERS;
}

/* Mem-Info summary "key:N" tokens (pages). */
void lab__dmesg_parse_summary(struct lab_dmesg_report *r, const char *p)
{
	static const struct { const char *key; int idx; } keys[] = {
		{ "free", 0 }, { "free_pcp", 1 }, { "free_cma", 2 },
		{ "active_anon", 3 }, { "inactive_anon", 3 },
		{ "active_file", 4 }, { "inactive_file", 4 },
		{ "slab_unreclaimable", 5 }, { "slab_reclaimable", 6 }, { "shmem", 7 },
	};
	int64_t *dst[] = { &r->sum_free, &r->sum_free_pcp, &r->sum_free_cma, &r->sum_anon,
			   &r->sum_file, &r->sum_slab_unreclaimable, &r->sum_slab_reclaimable,
			   &r->sum_shmem };

	const char *key, *v, *e;
	size_t klen;

	while (next_key_token(&p, &key, &klen, &v, &e)) {
		uint64_t val;
		if (!read_u64(&v, &val) || v != e || val > (uint64_t)1 << 50)
			continue;
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			size_t n = strlen(keys[i].key);
			if (klen == n && memcmp(key, keys[i].key, n) == 0) {
				int64_t *d = dst[keys[i].idx];
				*d = (*d < 0 ? 0 : *d) + (int64_t)val;
				if (*d > (int64_t)1 << 52)	/* repeated keys: saturate */
					*d = (int64_t)1 << 52;
				break;
			}
		}
	}
}

/* "N pages RAM" style totals at the end of show_mem. */
void lab__dmesg_parse_totals(struct lab_dmesg_report *r, const char *t)
{
	const char *p = t;
	uint64_t v;

	if (!read_u64(&p, &v) || v > INT64_MAX / 2)
		return;
	if (strcmp(p, " pages RAM") == 0)
		r->pages_ram = (int64_t)v;
	else if (strcmp(p, " pages reserved") == 0)
		r->pages_reserved = (int64_t)v;
	else if (strcmp(p, " pages cma reserved") == 0)
		r->pages_cma_reserved = (int64_t)v;
}

/* Whether @t is a zone or buddy line (no report is changed). */
bool lab__dmesg_meminfo_line_kind(const char *t)
{
	int node;
	char name[16];
	const char *rest;

	return lab__dmesg_is_zone_line(t, &node, name, sizeof(name), &rest) ||
	       lab__dmesg_is_buddy_line(t, &node, name, sizeof(name), &rest);
}

/* One logical line of the Mem-Info body (zone, lowmem_reserve, buddy, summary). */
bool lab__dmesg_meminfo_line(struct lab_dmesg_report *r, const char *t, int line)
{
	int node;
	char name[16];
	const char *rest;
	struct lab_dmesg_zone *z;

	if (starts_with(t, "lowmem_reserve[]:")) {
		const char *p = t + 17;
		if (r->last_zone < 0 || r->zones[r->last_zone].nr_reserve)
			return true;
		z = &r->zones[r->last_zone];
		for (;;) {
			uint64_t v;
			p = skip_blanks(p);
			if (!read_u64(&p, &v))
				break;
			if (z->nr_reserve < LAB_DMESG_MAX_RESERVE)
				z->reserve[z->nr_reserve++] = v > INT64_MAX / 2 ? INT64_MAX / 2 : (int64_t)v;
		}
		return true;
	}
	if (lab__dmesg_is_zone_line(t, &node, name, sizeof(name), &rest)) {
		z = find_zone(r, node, name, true);
		r->last_zone = -1;
		if (!z || z->has_zone_line)
			return true;
		z->has_zone_line = true;
		z->line = line;
		parse_zone_fields(z, rest);
		r->last_zone = (int)(z - r->zones);
		return true;
	}
	if (lab__dmesg_is_buddy_line(t, &node, name, sizeof(name), &rest)) {
		z = find_zone(r, node, name, true);
		if (!z || z->has_buddy)
			return true;
		z->has_buddy = true;
		z->buddy_line = line;
		parse_buddy_counts(z, rest);
		return true;
	}
	return false;
}

