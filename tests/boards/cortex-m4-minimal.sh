#!/usr/bin/env bash
# The minimal configuration (compaction, reclaim, page owners and GFP names
# compiled out: src/core/config.h) runs the same cardiac monitor on the
# Cortex-M4 board, and the compiled-out entry points return what they
# document (LAB_EOPNOTSUPP, LAB_BG_IDLE, 0, hex-only GFP masks).
board=cortex-m4 config=minimal
source "$(dirname "$0")/boot.bash"
