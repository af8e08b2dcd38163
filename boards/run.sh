#!/usr/bin/env bash
# boards/run.sh TARGET OUTDIR [CONFIG] - builds the cardiac monitor for
# TARGET (boards/build.sh; CONFIG full, the default, or minimal) and boots it in QEMU, under a
# timeout. The UART output is printed and kept in OUTDIR/uart.log.
# Exit status: QEMU's (the board's own status: 0 = the workload passed),
# 124 when the board hung past the timeout ($BOARD_TIMEOUT, default 300 s: a loaded host runs the emulation slowly).
#
# QEMU runs with -icount: the guest's clock advances with the instructions
# it executes (shift 4: 16 ns each), so the interrupt rates are rates of the
# board's virtual time, the run is deterministic and a loaded host only
# makes it slower, never different.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
target=$1 out=$2 config=${3:-full}
"$here/build.sh" "$target" "$config" "$out"
case $target in
  cortex-m4) qemu=(qemu-system-arm -M mps2-an386 -semihosting-config enable=on,target=native) ;;
  riscv64)   qemu=(qemu-system-riscv64 -M virt -bios none) ;;
esac
command -v "${qemu[0]}" >/dev/null || { echo "run.sh: ${qemu[0]} not installed (scripts/install-deps.sh)" >&2; exit 2; }
status=0
timeout "${BOARD_TIMEOUT:-300}" "${qemu[@]}" -display none -monitor none -serial stdio -icount shift=4 \
  -kernel "$out/cardiac.elf" > "$out/uart.log" 2>&1 || status=$?
cat "$out/uart.log"
[ "$status" = 124 ] && echo "run.sh: $target hung: no exit within ${BOARD_TIMEOUT:-300} s"
echo "run.sh: $target exit status $status (UART output kept in $out/uart.log)"
exit "$status"
