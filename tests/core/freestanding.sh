#!/usr/bin/env bash
# Proves the core is freestanding: it builds with -ffreestanding, includes no
# libc header beyond string.h, and its objects reference no symbol outside
# string.h's memset/memcpy/memmove/memcmp/strlen (and nothing from libgcc
# that needs an OS). Cross-compiles src/core/ where Debian's cross compilers exist.
set -euo pipefail
src="$LAB_SOURCE_DIR/src/core"
inc="$LAB_SOURCE_DIR/include"
fail=0
# the public headers the core includes (directly or through each other)
core_headers=("$inc"/labyrinth/{labyrinth,gfp,page,stats,platform,background,fragindex,kmap,page_pool}.h)
bad=$(grep -hoE '#include <[^>]+>' "$src"/*.c "$src"/*.h "${core_headers[@]}" \
      | sort -u | grep -vE '<(stddef|stdint|stdbool|stdarg|string|labyrinth/[a-z_]+)\.h>' || true)
if [ -n "$bad" ]; then echo "core includes non-freestanding headers: $bad"; fail=1; fi
# ... and no header of the host's API (its context, its instance, the Linux names)
bad=$(grep -hoE '#include <labyrinth/[a-z_]+\.h>' "$src"/*.c "$src"/*.h "${core_headers[@]}" | sort -u \
      | grep -E '<labyrinth/(context|host|linux|sim|report|map)\.h>' || true)
if [ -n "$bad" ]; then echo "core includes host headers: $bad"; fail=1; fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
build() { # compiler, extra flags...
  local cc=$1; shift
  for f in "$src"/*.c; do
    "$cc" -std=gnu11 -O2 -ffreestanding -fno-builtin -Wall -Wextra -Werror -Wno-unused-parameter \
      -I"$inc" -I"$LAB_SOURCE_DIR/src" -idirafter "$LAB_SOURCE_DIR/src/core/compat" "$@" -c "$f" -o "$tmp/$(basename "$f").o" || return 1
  done
}
check_syms() { # cc nm: link the objects into one, list what is still undefined
  local und
  "$1" -r -nostdlib -o "$tmp/core.o" "$tmp"/*.c.o 2>/dev/null || "${3:-ld}" -r -o "$tmp/core.o" "$tmp"/*.c.o || return 1
  und=$("$2" -u "$tmp/core.o" | awk 'NF {print $NF}' | sort -u \
        | grep -vE '^(memset|memcpy|memmove|memcmp|strlen|__stack_chk_fail|__stack_chk_guard|__popcountdi2|__ctzdi2|__clzdi2|__udivdi3|__umoddi3|__divdi3|__moddi3|__aeabi_.*|_GLOBAL_OFFSET_TABLE_)$' || true)
  if [ -n "$und" ]; then echo "core references outside symbols: $und"; return 1; fi
}
build "${CC:-cc}" && check_syms "${CC:-cc}" nm || fail=1
echo "host freestanding build: $([ $fail = 0 ] && echo ok || echo FAILED)"
if command -v arm-none-eabi-gcc >/dev/null; then
  rm -f "$tmp"/*.o "$tmp"/core.o
  if build arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb && check_syms arm-none-eabi-gcc arm-none-eabi-nm arm-none-eabi-ld; then
    echo "arm-none-eabi: ok"; else echo "arm-none-eabi: FAILED"; fail=1; fi
else echo "arm-none-eabi-gcc not installed: skipped"; fi
if command -v riscv64-unknown-elf-gcc >/dev/null; then
  rm -f "$tmp"/*.o "$tmp"/core.o
  if build riscv64-unknown-elf-gcc -march=rv64imac -mabi=lp64 -mcmodel=medany && check_syms riscv64-unknown-elf-gcc riscv64-unknown-elf-nm riscv64-unknown-elf-ld; then
    echo "riscv64-unknown-elf: ok"; else echo "riscv64-unknown-elf: FAILED"; fail=1; fi
else echo "riscv64-unknown-elf-gcc not installed: skipped"; fi
exit $fail
