#!/usr/bin/env bash
# The freestanding core boots on QEMU virt (RISC-V 64, M-mode) and runs the
# cardiac monitor under the CLINT timer interrupt: boards/riscv64/, checks
# in boot.bash.
board=riscv64
source "$(dirname "$0")/boot.bash"
