/* SPDX-License-Identifier: MIT */
/*
 * core/kernel.c - kernel profiles: names, the nearest profile of a release,
 * and the profile resolved into plain fields of the instance at init.
 *
 *   lab_mem_config.kernel --(lab_mem_init: lab__kernel_setup)--> mem->kernel
 *                                                           mem->prof.* (flags)
 *   "6.1" / "6.12"  <-- lab_kernel_name / lab_kernel_parse -->  LAB_KERNEL_*
 *   "6.1.0-56-amd64", "4.19", "6.18.44" --lab_kernel_for_release--> 6.1 / 6.12
 *
 * The allocator's paths read mem->prof's plain fields (set once here,
 * (i) in internal.h's lock legend), never the profile itself, so that a
 * profile costs the fast path nothing beyond the field it already loads.
 */
#include "internal.h"

static const struct {
	const char *name;
	const char *version;
} profiles[LAB_KERNEL_NR] = {
	[LAB_KERNEL_6_1] = { "6.1", "6.1.192" },
	[LAB_KERNEL_6_12] = { "6.12", "6.12.118" },
};

enum lab_kernel lab_kernel_resolve(enum lab_kernel k)
{
	if (k == LAB_KERNEL_DEFAULT)
		return LAB_KERNEL_DEFAULT_PROFILE;
	return (unsigned)k < LAB_KERNEL_NR ? k : LAB_KERNEL_DEFAULT;
}

const char *lab_kernel_name(enum lab_kernel k)
{
	k = lab_kernel_resolve(k);
	return k ? profiles[k].name : NULL;
}

const char *lab_kernel_version(enum lab_kernel k)
{
	k = lab_kernel_resolve(k);
	return k ? profiles[k].version : NULL;
}

int lab_kernel_parse(const char *name, enum lab_kernel *out)
{
	if (!name)
		return LAB_EINVAL;
	for (unsigned k = LAB_KERNEL_6_1; k < LAB_KERNEL_NR; k++) {
		const char *a = profiles[k].name, *b = name;
		while (*a && *a == *b)
			a++, b++;
		if (!*a && !*b) {
			*out = (enum lab_kernel)k;
			return 0;
		}
	}
	return LAB_EINVAL;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* The first "N.M" whose N starts a number (not the tail of one). */
int lab_kernel_for_release(const char *release, enum lab_kernel *out)
{
	if (!release)
		return LAB_EINVAL;
	for (const char *p = release; *p; p++) {
		unsigned major = 0, minor = 0;
		const char *q = p;

		if (!is_digit(*p) || (p > release && is_digit(p[-1])))
			continue;
		while (is_digit(*q) && major < 1000)
			major = major * 10 + (unsigned)(*q++ - '0');
		if (is_digit(*q) || *q != '.' || !is_digit(q[1]))
			continue;
		for (q++; is_digit(*q) && minor < 1000; q++)
			minor = minor * 10 + (unsigned)(*q - '0');
		if (major < 2 || major >= 100)
			continue;
		/* 6.3 is where the reserve flags, the GFP layout and the boost
		 * exemption took their 6.12 form */
		*out = (major < 6 || (major == 6 && minor < 3)) ? LAB_KERNEL_6_1 : LAB_KERNEL_6_12;
		return 0;
	}
	return LAB_EINVAL;
}

enum lab_kernel lab_mem_kernel(const struct lab_mem *mem)
{
	return mem && mem->magic == LAB_MEM_MAGIC ? (enum lab_kernel)mem->kernel : LAB_KERNEL_DEFAULT;
}

/* The profile as plain fields (mem->prof), read by the paths it changes. */
void lab__kernel_setup(struct lab_mem *mem, enum lab_kernel k)
{
	bool v6_12 = lab_kernel_resolve(k) == LAB_KERNEL_6_12;

	mem->kernel = (uint8_t)lab_kernel_resolve(k);
	/* 6.3 removed __GFP_ATOMIC (0x200 is unused in 6.12): Labyrinth's
	 * LAB_GFP_ATOMIC becomes 6.12's 0x820 at the entry points */
	mem->gfp_unused = v6_12 ? LAB___GFP_ATOMIC : 0;
	/* pcp_allowed_order: 6.1 caches pageblock_order, 6.12 HPAGE_PMD_ORDER
	 * (9 with 4 KiB pages); they differ for pageblock_order 10. Below 9
	 * (Labyrinth's small-memory configurations, no kernel has them with
	 * THP) a 9 would cache blocks wider than a pageblock: keep it. */
	mem->pcp_thp_order = v6_12 && mem->pageblock_order >= LAB_HPAGE_PMD_ORDER ? LAB_HPAGE_PMD_ORDER :
										mem->pageblock_order;
	for (int i = 0; i < LAB_MAX_NR_ZONES; i++) {
		struct lab_zone *z = &mem->zones[i];
		/* __zone_watermark_unusable_free: 6.12 (since 6.10) subtracts
		 * nr_free_highatomic, 6.1 nr_reserved_highatomic */
		z->unusable_free_highatomic = v6_12;
		/* zone_watermark_fast's boost exemption: 6.1 keys it on
		 * __GFP_ATOMIC, 6.3+ on ALLOC_MIN_RESERVE (__GFP_HIGH) */
		z->boost_exempt_gfp = v6_12 ? 0 : LAB___GFP_ATOMIC;
		z->boost_exempt_alloc = v6_12 ? ALLOC_MIN_RESERVE : 0;
	}
}

enum lab_gfp_era lab_gfp_era_for_kernel(enum lab_kernel k)
{
	return lab_kernel_resolve(k) == LAB_KERNEL_6_12 ? LAB_GFP_ERA_6_8 : LAB_GFP_ERA_6_1;
}
