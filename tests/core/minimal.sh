#!/usr/bin/env bash
# The build-time switches of src/core/config.h, proven on the host where the
# boards cannot afford to (each call links code into the 12 KiB image):
#   * built with the minimal configuration's switches (boards/build.sh) and
#     -Os (internal.h's out-of-line mem_cpu/count_event), GFP names are gone:
#     lab_gfp_format prints hex, lab_gfp_parse rejects a name and still
#     takes a number; the highatomic reserve is gone:
#     lab_set_highatomic_reserve(1) is LAB_EOPNOTSUPP, (0) is 0, and order
#     1-3 GFP_ATOMIC requests reserve no pageblock; no page is lost;
#   * LAB_CONFIG_HIGHATOMIC=0 makes the allocation decisions of the runtime
#     flag LAB_CFG_NO_HIGHATOMIC: the same request sequence gets the same
#     pfns and the same failures in both builds (and the default build
#     without the flag does reserve, so the sequence can tell them apart).
set -euo pipefail
root=${LAB_SOURCE_DIR:?}
cc=${CC:-cc}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
mapfile -t minimal < <(grep -v '^#' "$root/boards/minimal.flags" | tr ' ' '\n' | grep .)
cat > "$tmp/main.c" <<'EOF'
#include <labyrinth/labyrinth.h>
#include <labyrinth/gfp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Memory nearly full (order-0 pages taken until the allocator refuses,
 * the last 256 given back), then order 1-3 GFP_ATOMIC requests below the
 * low watermark (the slow path, where the reserve is made) until one fails. */
static int trace(struct lab_mem *mem)
{
	static struct lab_page *keep[8192], *atomic[4096];
	static unsigned orders[4096];
	unsigned nk = 0, na = 0;
	while (nk < 8192) {
		struct lab_page *p = lab_alloc_pages(mem, LAB_GFP_KERNEL | LAB___GFP_NOWARN, 0);
		if (!p)
			break;
		keep[nk++] = p;
	}
	for (unsigned i = 0; i < 256 && nk; i++)
		lab_free_pages(mem, keep[--nk], 0);
	lab_drain_all_pages(mem);
	for (unsigned i = 0; na < 4096; i++) {
		unsigned order = 1 + i % 3;
		struct lab_page *p = lab_alloc_pages(mem, LAB_GFP_ATOMIC | LAB___GFP_NOWARN, order);
		printf("atomic order %u -> %lld\n", order, p ? (long long)lab_page_to_pfn(p) : -1LL);
		if (!p)
			break;
		orders[na] = order;
		atomic[na++] = p;
		if (i % 4 == 3) {   /* the network interrupt frees some at once */
			na--;
			lab_free_pages(mem, p, order);
		}
	}
	for (unsigned i = 0; i < na; i++)
		lab_free_pages(mem, atomic[i], orders[i]);
	for (unsigned i = 0; i < nk; i++)
		lab_free_pages(mem, keep[i], 0);
	return (int)na;
}

int main(int argc, char **argv)
{
	int minimal = argc > 1 && !strcmp(argv[1], "minimal");
	int no_flag = argc > 1 && !strcmp(argv[1], "flag");
	static struct lab_range ram = { .start = 0, .size = 16u << 20 };   /* 4096 pages */
	struct lab_mem_config cfg = {
		.ranges = &ram, .nr_ranges = 1, .pageblock_order = 5,   /* 6.12 reserves: managed/100 >= 32 */
		.flags = LAB_CFG_NO_ZONE_DMA | LAB_CFG_NO_ZONE_DMA32 | (no_flag ? LAB_CFG_NO_HIGHATOMIC : 0),
	};
	cfg.metadata_bytes = lab_mem_metadata_bytes(&cfg);
	cfg.metadata = aligned_alloc(64, cfg.metadata_bytes);
	int err = 0;
	struct lab_mem *mem = lab_mem_init(&cfg, &err);
	if (!mem) {
		printf("lab_mem_init failed: %d\n", err);
		return 1;
	}
	int fail = 0;
	if (minimal) {
		char buf[64];
		lab_gfp_t g = 0;
		lab_gfp_format(buf, sizeof(buf), LAB_GFP_ATOMIC, LAB_GFP_ERA_6_1);
		int named = lab_gfp_parse("GFP_ATOMIC", LAB_GFP_ERA_6_1, &g, NULL, 0);
		int number = lab_gfp_parse("0xa20", LAB_GFP_ERA_6_1, &g, NULL, 0);
		printf("GFP names compiled out: GFP_ATOMIC formats as %s, parsing the name gives %d, 0xa20 %d (0x%x)\n",
		       buf, named, number, (unsigned)g);
		fail |= strncmp(buf, "0x", 2) || named != -1 || number != 0 || g != 0xa20;
		int on = lab_set_highatomic_reserve(mem, 1), off = lab_set_highatomic_reserve(mem, 0);
		printf("highatomic compiled out: lab_set_highatomic_reserve(1) %d, (0) %d\n", on, off);
		fail |= on != LAB_EOPNOTSUPP || off != 0;
	}
	trace(mem);
	lab_drain_all_pages(mem);
	unsigned long long reserved = (unsigned long long)lab_mem_event(mem, LAB_EV_HIGHATOMIC_RESERVE);
	printf("highatomic pageblocks reserved: %llu\n", reserved);
	if (minimal)
		fail |= reserved != 0;
	if (fail)
		printf("FAIL\n");
	return fail;
}
EOF
build() { # name, flags...
  local name=$1; shift
  mkdir -p "$tmp/$name"
  for f in "$root"/src/core/*.c; do
    "$cc" -std=gnu11 -Os -ffreestanding -Wall -Wextra -Werror -Wno-unused-parameter -Wno-override-init \
      -I"$root/include" -I"$root/src" -idirafter "$root/src/core/compat" "$@" -c "$f" -o "$tmp/$name/$(basename "$f").o" &
  done
  wait
  "$cc" -std=gnu11 -O1 -Wall -Werror -I"$root/include" "$@" "$tmp/main.c" "$tmp/$name"/*.o -o "$tmp/$name/prog"
}
build minimal "${minimal[@]}"
build nohighatomic -DLAB_CONFIG_HIGHATOMIC=0
build default
fail=0
"$tmp/minimal/prog" minimal > "$tmp/minimal.out" || fail=1
grep -v '^atomic' "$tmp/minimal.out"
"$tmp/nohighatomic/prog" > "$tmp/switch.out" || fail=1
"$tmp/default/prog" flag > "$tmp/flag.out" || fail=1
"$tmp/default/prog" > "$tmp/default.out" || fail=1
if ! diff "$tmp/switch.out" "$tmp/flag.out" > "$tmp/diff"; then
  echo "FAIL: LAB_CONFIG_HIGHATOMIC=0 decides otherwise than LAB_CFG_NO_HIGHATOMIC:"; head -20 "$tmp/diff"; fail=1
fi
if cmp -s "$tmp/default.out" "$tmp/flag.out"; then
  echo "FAIL: the sequence cannot tell the highatomic reserve from none (the default build reserved nothing)"; fail=1
fi
echo "requests compared: $(grep -c '^atomic' "$tmp/flag.out"); with the reserve: $(tail -1 "$tmp/default.out")"
[ $fail = 0 ] && echo "the minimal switches say so; LAB_CONFIG_HIGHATOMIC=0 decides as LAB_CFG_NO_HIGHATOMIC"
exit $fail
