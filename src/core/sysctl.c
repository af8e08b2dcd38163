/* SPDX-License-Identifier: MIT */
/*
 * core/sysctl.c - the tunables, as /proc/sys/vm's handlers set them.
 *
 *   lab_set_min_free_kbytes              vm.min_free_kbytes       -> watermarks
 *   lab_set_watermark_scale_factor       vm.watermark_scale_factor -> watermarks
 *   lab_set_watermark_boost_factor       vm.watermark_boost_factor (next boost)
 *   lab_set_lowmem_reserve_ratio         vm.lowmem_reserve_ratio  -> lowmem_reserve
 *   lab_set_percpu_pagelist_high_fraction vm.percpu_pagelist_high_fraction -> pcp sizes
 *   lab_set_extfrag_threshold            vm.extfrag_threshold     (next compaction)
 *   lab_set_compaction_proactiveness     vm.compaction_proactiveness (kcompactd)
 *   lab_set_highatomic_reserve           the highatomic reserve on/off (no sysctl)
 *
 * Each validates like its sysctl handler (out of range -> LAB_EINVAL,
 * nothing changed) and recomputes exactly what writing the sysctl
 * recomputes. They are meant for configuration time or a quiescent
 * instance (single writer, the (i) fields of internal.h); kcompactd reads
 * compaction_proactiveness while running, hence its atomic store.
 */
#include "internal.h"

void lab_get_tunables(const struct lab_mem *mem, struct lab_tunables *out)
{
	*out = mem->tun;
}

/* min_free_kbytes_sysctl_handler: the user's value wins from now on. */
int lab_set_min_free_kbytes(struct lab_mem *mem, int kbytes)
{
	if (kbytes < 0)
		return LAB_EINVAL;
	mem->tun.min_free_kbytes = kbytes;
	mem->tun.user_min_free_kbytes = kbytes;
	lab__setup_per_zone_wmarks(mem);
	return 0;
}

/* watermark_scale_factor_sysctl_handler: range 1..3000. */
int lab_set_watermark_scale_factor(struct lab_mem *mem, int factor)
{
	if (factor < 1 || factor > 3000)
		return LAB_EINVAL;
	mem->tun.watermark_scale_factor = factor;
	lab__setup_per_zone_wmarks(mem);
	return 0;
}

/* vm.watermark_boost_factor: >= 0, takes effect at the next boost. */
int lab_set_watermark_boost_factor(struct lab_mem *mem, int factor)
{
	if (factor < 0)
		return LAB_EINVAL;
	mem->tun.watermark_boost_factor = factor;
	return 0;
}

/* lowmem_reserve_ratio_sysctl_handler: values < 1 become 0. */
int lab_set_lowmem_reserve_ratio(struct lab_mem *mem, const int ratio[LAB_MAX_NR_ZONES])
{
	for (int i = 0; i < LAB_MAX_NR_ZONES; i++)
		mem->tun.lowmem_reserve_ratio[i] = ratio[i] < 1 ? 0 : ratio[i];
	lab__setup_per_zone_lowmem_reserve(mem);
	return 0;
}

/* percpu_pagelist_high_fraction: 0 or >= 8. */
int lab_set_percpu_pagelist_high_fraction(struct lab_mem *mem, int fraction)
{
	if (fraction != 0 && fraction < 8)
		return LAB_EINVAL;
	mem->tun.percpu_pagelist_high_fraction = fraction;
	lab__zone_pcp_update_sizes(mem);
	return 0;
}

int lab_set_extfrag_threshold(struct lab_mem *mem, int threshold)
{
	if (threshold < 0 || threshold > 1000)
		return LAB_EINVAL;
	mem->tun.extfrag_threshold = threshold;
	return 0;
}

int lab_set_highatomic_reserve(struct lab_mem *mem, int enabled)
{
	if (enabled != 0 && enabled != 1)
		return LAB_EINVAL;
	if (enabled && !LAB_CONFIG_HIGHATOMIC)
		return LAB_EOPNOTSUPP;
	mem->tun.highatomic_reserve = enabled;
	return 0;
}

int lab_set_compaction_proactiveness(struct lab_mem *mem, int value)
{
	if (!mem || value < 0 || value > 100)
		return LAB_EINVAL;
	__atomic_store_n(&mem->tun.compaction_proactiveness, value, __ATOMIC_RELAXED);   /* kcompactd reads it */
	return 0;
}
