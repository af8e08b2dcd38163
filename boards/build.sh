#!/usr/bin/env bash
# boards/build.sh TARGET CONFIG OUTDIR - builds the cardiac monitor for a
# board: the freestanding core (src/core, -Os, one section per function) and
# the harness (boards/common + boards/TARGET), linked with --gc-sections
# against nothing but libgcc. TARGET: cortex-m4 | riscv64. CONFIG: full |
# minimal (compaction, reclaim, page owners, the GFP name tables, the deep
# check, highmem, CMA areas, the report text and the highatomic reserve compiled
# out: LAB_CONFIG_*=0). Writes OUTDIR/cardiac.elf, cardiac.map and
# size.txt: "text data bss" of the core's sections that survived the link.
# Extra compiler flags (e.g. -DIRQ_TARGET=1000) come from $BOARD_CFLAGS.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
target=$1 config=$2 out=$3
link_arch=()
case $target in
  cortex-m4) cc=arm-none-eabi-gcc; arch=(-mcpu=cortex-m4 -mthumb -mfloat-abi=soft) ;;
  riscv64)   cc=riscv64-unknown-elf-gcc; arch=(-march=rv64imac_zicsr -mabi=lp64 -mcmodel=medany)
             link_arch=(-march=rv64imac) ;;  # the multilib name: libgcc for rv64imac/lp64
  *) echo "build.sh: unknown target '$target' (cortex-m4, riscv64)" >&2; exit 2 ;;
esac
case $config in
  full) cfg=() ;;
  minimal) mapfile -t cfg < <(grep -v '^#' "$here/minimal.flags" | tr ' ' '\n' | grep .) ;;
  *) echo "build.sh: unknown configuration '$config' (full, minimal)" >&2; exit 2 ;;
esac
command -v "$cc" >/dev/null || { echo "build.sh: $cc not installed (scripts/install-deps.sh)" >&2; exit 77; }
mkdir -p "$out/core" "$out/board"
rm -f "$out"/core/*.o "$out"/board/*.o
flags=(-std=gnu11 -Os -g -ffreestanding -fno-builtin -nostdlib -ffunction-sections -fdata-sections
       -Wall -Wextra -Werror -Wno-unused-parameter -Wno-override-init
       -I"$root/include" -I"$root/src" -idirafter "$root/src/core/compat" "${arch[@]}" "${cfg[@]}")
# shellcheck disable=SC2206
extra=(${BOARD_CFLAGS:-})
for f in "$root"/src/core/*.c; do
  "$cc" "${flags[@]}" -c "$f" -o "$out/core/$(basename "$f" .c).o" &
done
wait
for f in "$here"/common/*.c "$here/$target"/*.c "$here/$target"/*.S; do
  [ -e "$f" ] || continue
  "$cc" "${flags[@]}" "${extra[@]}" -c "$f" -o "$out/board/$(basename "$f").o"
done
"$cc" "${flags[@]}" "${link_arch[@]}" -T "$here/$target/link.ld" -Wl,--gc-sections -Wl,--no-warn-rwx-segments -Wl,-Map="$out/cardiac.map" \
  -o "$out/cardiac.elf" "$out"/board/*.o "$out"/core/*.o -lgcc
# The core's share of the image: input sections from $out/core/ objects, by
# the output section they landed in (.text = code and read-only data).
awk -v dir="$out/core/" '
  /^Linker script and memory map/ { on = 1; next }
  !on { next }
  /^\.[A-Za-z_.]+/ { sec = $1 }
  function hex(s,   v, i) {
    v = 0; s = tolower(substr(s, 3))
    for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
    return v
  }
  function add(size, file) {
    if (index(file, dir) != 1) return
    if (sec == ".text" || sec == ".ARM.exidx" || sec == ".rodata") text += hex(size)
    else if (sec == ".data" || sec == ".sdata") data += hex(size)
    else if (sec == ".bss" || sec == ".sbss") bss += hex(size)
  }
  /^ [^ *]+ +0x[0-9a-f]+ +0x[0-9a-f]+ / { add($3, $4); pending = 0; next }
  /^ [^ *]+$/ { pending = 1; next }
  pending && /^ +0x[0-9a-f]+ +0x[0-9a-f]+ / { add($2, $3) }
  { pending = 0 }
  END { printf "%d %d %d\n", text, data, bss }' "$out/cardiac.map" > "$out/size.txt"
