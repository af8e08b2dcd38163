#!/usr/bin/env bash
# The core's size on the boards, as README.md's table gives it: text, data
# and bss of the core's sections that survive an -Os, --gc-sections link
# against the cardiac harness (boards/build.sh), for Cortex-M4 and RISC-V 64,
# full and minimal configurations. Fails when
#   * a size grows past its limit: Cortex-M4 full <= 48 KiB of text,
#     minimal <= 12 KiB (the targets of issue 13); RISC-V 64 the same
#     limits;
#   * README.md's table is stale: a row missing, or its text more than 10%
#     away from the measured one (the test prints the rows to paste).
set -euo pipefail
root=${LAB_SOURCE_DIR:?}
out="${LAB_BUILD:-/tmp}/boards/size"
readme="$root/README.md"
fail=0
rows=""
limit() { # target config -> bytes
  case $2 in full) echo $((48 * 1024)) ;; minimal) echo $((12 * 1024)) ;; esac
}
for target in cortex-m4 riscv64; do
  for config in full minimal; do
    bash "$root/boards/build.sh" "$target" "$config" "$out/$target-$config" >/dev/null
    read -r text data bss < "$out/$target-$config/size.txt"
    name=$([ "$target" = cortex-m4 ] && echo "Cortex-M4" || echo "RISC-V 64")
    kib=$(awk -v b="$text" 'BEGIN { printf "%.1f", b / 1024 }')
    row="| $name | $config | $kib KiB ($text) | $data | $bss |"
    rows+="$row"$'\n'
    max=$(limit "$target" "$config")
    if [ "$text" -gt "$max" ]; then
      echo "FAIL: $name $config: text $text bytes > limit $max"; fail=1
    fi
    documented=$(grep -F "| $name | $config |" "$readme" | sed -nE 's/.*KiB \(([0-9]+)\).*/\1/p' | head -1 || true)
    if [ -z "$documented" ]; then
      echo "FAIL: README.md has no size row for $name $config"; fail=1
    elif [ $(( (text - documented) * 10 )) -gt "$documented" ] || [ $(( (documented - text) * 10 )) -gt "$documented" ]; then
      echo "FAIL: README.md says $name $config text is $documented bytes, measured $text (more than 10% off)"; fail=1
    fi
  done
done
echo "measured (README.md's rows):"
printf '%s' "$rows"
[ $fail = 0 ] && echo "sizes within their limits and README.md's table current"
exit $fail
