#!/usr/bin/env bash
# The minimal configuration (compaction, reclaim, page owners, GFP names,
# the deep check, highmem, CMA areas, the report text and the highatomic
# reserve compiled out:
# src/core/config.h) runs the same cardiac monitor on the Cortex-M4 board:
# no page lost by the counters, the might_sleep refusal by its counter, no
# line of core text; and the compiled-out entry points return what they
# document (LAB_EOPNOTSUPP, LAB_BG_IDLE, 0, no highatomic pageblock
# reserved, page_address() for kmap_local, no failure record; the GFP
# names' absence is proven on the host: tests/core/minimal.sh).
board=cortex-m4 config=minimal
source "$(dirname "$0")/boot.bash"
