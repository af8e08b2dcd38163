#!/usr/bin/env bash
# The freestanding core boots on QEMU mps2-an386 (Cortex-M4) and runs the
# cardiac monitor under SysTick + CMSDK TIMER0 interrupts (the network one
# nests in the ECG one): boards/cortex-m4/, checks in boot.bash.
board=cortex-m4
source "$(dirname "$0")/boot.bash"
