/* SPDX-License-Identifier: MIT */
/*
 * engines/diagnose_kernel.c - which kernel printed a report, and so which
 * allocator rules and which GFP flag layout (era) apply to it: --kernel,
 * the report's CPU line, the log's banner, or, without a version, the era
 * whose name table reproduces the printed flag names (core/gfp.c).
 */
#include <stdio.h>
#include <string.h>

#include "engines/diagnose.h"
#include "engines/diagnose_int.h"

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* First "N.M[.P]" of @s with N a kernel major (2..99). */
static bool parse_kver(const char *s, int *maj, int *min, int *patch)
{
	for (const char *p = s; *p; p++) {
		long a = 0, b = 0, c = 0;
		const char *q = p;

		if (!is_digit(*p) || (p > s && is_digit(p[-1])))
			continue;
		while (is_digit(*q) && a < 1000)
			a = a * 10 + (*q++ - '0');
		if (*q != '.' || !is_digit(q[1]) || a < 2 || a > 99)
			continue;
		for (q++; is_digit(*q) && b < 1000; q++)
			b = b * 10 + (*q - '0');
		if (*q == '.' && is_digit(q[1]))
			for (q++; is_digit(*q) && c < 100000; q++)
				c = c * 10 + (*q - '0');
		*maj = (int)a;
		*min = (int)b;
		*patch = (int)c;
		return true;
	}
	return false;
}

/* The version an era stands for when the report names no kernel. */
static void era_version(enum lab_gfp_era era, int *maj, int *min)
{
	static const struct { enum lab_gfp_era era; int maj, min; } map[] = {
		{ LAB_GFP_ERA_3_X, 3, 0 },  { LAB_GFP_ERA_4_X, 4, 4 },
		{ LAB_GFP_ERA_4_10, 4, 10 }, { LAB_GFP_ERA_4_13, 4, 13 },
		{ LAB_GFP_ERA_4_14, 4, 14 }, { LAB_GFP_ERA_4_15, 4, 15 },
		{ LAB_GFP_ERA_4_18, 4, 18 }, { LAB_GFP_ERA_6_1, 5, 1 },
		{ LAB_GFP_ERA_6_3, 6, 3 },  { LAB_GFP_ERA_6_8, 6, 8 },
		{ LAB_GFP_ERA_6_13, 6, 13 },
	};
	*maj = 5;
	*min = 1;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (map[i].era == era) {
			*maj = map[i].maj;
			*min = map[i].min;
		}
}

/* Eras in the order a name match is preferred (most common kernels first). */
static const enum lab_gfp_era era_pref[] = {
	LAB_GFP_ERA_6_1, LAB_GFP_ERA_6_3, LAB_GFP_ERA_6_8, LAB_GFP_ERA_6_13,
	LAB_GFP_ERA_4_18, LAB_GFP_ERA_4_15, LAB_GFP_ERA_4_14, LAB_GFP_ERA_4_13,
	LAB_GFP_ERA_4_10, LAB_GFP_ERA_4_X, LAB_GFP_ERA_3_X,
};

/* An era whose table renders @mode as @names (exactly, else by value). */
static bool era_from_names(lab_gfp_t mode, const char *names, enum lab_gfp_era *out)
{
	char buf[192];
	bool by_value = false;
	enum lab_gfp_era value_era = LAB_GFP_ERA_6_1;

	for (size_t i = 0; i < sizeof(era_pref) / sizeof(era_pref[0]); i++) {
		lab_gfp_t v;
		enum lab_gfp_era e = era_pref[i];
		if (lab_gfp_parse(names, e, &v, NULL, NULL) != 0 || v != mode)
			continue;
		lab_gfp_format(buf, sizeof(buf), mode, e);
		if (strcmp(buf, names) == 0) {
			*out = e;
			return true;
		}
		if (!by_value) {
			by_value = true;
			value_era = e;
		}
	}
	if (by_value)
		*out = value_era;
	return by_value;
}

/*
 * Chooses the kernel version whose rules apply and the GFP era to decode the
 * mode with: --kernel, else the report's CPU line, else the log's banner,
 * else the era whose name table reproduces the printed names, else the era of
 * a report that printed no names (2.6/3.x, or 4.4 by its bits). When the
 * version's era does not reproduce the printed names (vendor backports),
 * the names win for decoding. Any caller; O(eras x names).
 */
void diagnose_pick_kernel(const struct lab_dmesg_log *log, const struct lab_dmesg_report *r,
			  const char *override, struct lab_diagnosis *d)
{
	const char *v = NULL;
	bool known = false;

	if (override && *override) {
		v = override;
		d->version_source = "--kernel";
	} else if (r->version[0]) {
		v = r->version;
		d->version_source = "report";
	} else if (log && log->version[0]) {
		v = log->version;
		d->version_source = "log";
	}
	if (v) {
		snprintf(d->version, sizeof(d->version), "%s", v);
		known = parse_kver(v, &d->kmajor, &d->kminor, &d->kpatch);
	}
	if (known) {
		d->era = lab_gfp_era_for_version(v);
		if (r->names_printed && r->has_mode) {
			/* vendor kernels backport flag changes: trust the names */
			lab_gfp_t val;
			if (lab_gfp_parse(r->names, d->era, &val, NULL, NULL) != 0 || val != r->mode) {
				enum lab_gfp_era e;
				if (era_from_names(r->mode, r->names, &e))
					d->era = e;
			}
		}
		return;
	}
	d->version_source = v ? "assumed" : "inferred";
	if (r->has_mode && r->names_printed && era_from_names(r->mode, r->names, &d->era)) {
		era_version(d->era, &d->kmajor, &d->kminor);
		d->version_source = "inferred";
		return;
	}
	if (r->has_mode && !r->names_printed) {
		/* no names: printed before 4.5; "failure." with a dot is 2.6 */
		bool l44 = !r->old_format && (r->mode & 0x2000000u) && (r->mode & 0x480000u);
		d->era = l44 ? LAB_GFP_ERA_4_X : LAB_GFP_ERA_3_X;
		era_version(d->era, &d->kmajor, &d->kminor);
		d->version_source = "inferred";
		return;
	}
	d->era = LAB_GFP_ERA_6_1;
	era_version(d->era, &d->kmajor, &d->kminor);
	d->version_source = "assumed";
}
