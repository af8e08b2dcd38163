# Sourced by tests/boards/<board>.sh: boots the cardiac monitor on $board in
# QEMU (boards/run.sh) and proves from its UART output what the exit status
# alone would not show.
set -euo pipefail
config=${config:-full}
out="${LAB_BUILD:-/tmp}/boards/$board-$config"
status=0
bash "$LAB_SOURCE_DIR/boards/run.sh" "$board" "$out" "$config" || status=$?
log="$out/uart.log"
fail=0
need() { # what, pattern
  grep -qE "$2" "$log" || { echo "FAIL: $board: $1 (no line matching '$2')"; fail=1; }
}
[ "$status" = 0 ] || { echo "FAIL: $board exited with status $status"; fail=1; }
need "the workload passed" '^cardiac: PASS$'
if [ "$config" = minimal ]; then
  # the deep check and the core's text are compiled out: no page lost by
  # the counters, the might_sleep report is its LAB_EV_MIGHT_SLEEP count
  need "no page is lost (lab_mem_check compiled out)" '^lab_mem_check\(\) = -95 \(compiled out\), free pages ([0-9]+) of \1 managed$'
  need "a sleeping gfp in the interrupt is counted" '^pgalloc_normal [0-9]+ pgfree [0-9]+ alloc_fail [0-9]+ might_sleep 1$'
  need "the core wrote no text" '^core log lines over the run: 0 '
else
  need "lab_mem_check() is 0 and no page is lost" '^lab_mem_check\(\) = 0, free pages ([0-9]+) of \1 managed$'
  need "a sleeping gfp in the interrupt is reported" '^BUG: sleeping function called from invalid context at '
  need "... from hard interrupt context" '^preempt_count: 10000, expected: 0$'
  need "... and refused" '^labyrinth: the request fails \(LAB_CFG_MIGHT_SLEEP_FAIL\)$'
fi
need "the refusal came from the interrupt, process context was served" \
  'in process context served yes, in the ECG interrupt refused yes, reported yes'
need "metadata: 16 bytes per page" '^arena .*: [0-9]+ pages, metadata [0-9]+ bytes: 16 per page '
[ "$config" = minimal ] || need "/proc/buddyinfo" '^Node 0, zone +Normal( +[0-9]+){11} $'
need "latency beside free-list operations" '^latency ecg order-0 GFP_ATOMIC: [0-9]+ allocations, cycles p50 [0-9]+ worst [0-9]+ .*free-list ops p50 [0-9]+ worst [0-9]+$'
# the Cortex-M4's network interrupt has the higher priority: it must have
# preempted the ECG handler at least once
[ "$board" = cortex-m4 ] && need "interrupts nested" '^interrupts: .*\(net nested in ecg: [1-9][0-9]*\)$'
if [ "$config" = minimal ]; then
  need "page owners compiled out say so" '^compiled out: page owners: lab_owner_register -95, lab_page_set_owner -95 '
  need "compaction compiled out says so" '^compiled out: compaction: lab_compact_memory 0, lab_kcompactd_once 0$'
  need "reclaim compiled out says so" '^compiled out: reclaim: lab_kswapd_balance_once 0$'
  need "the highatomic reserve compiled out says so, and reserved nothing" \
    '^compiled out: highatomic reserve: lab_set_highatomic_reserve\(1\) -95, pageblocks reserved over the run 0$'
  need "the deep check compiled out says so" '^compiled out: lab_mem_check -95 '
  need "highmem compiled out: refused, kmap_local is page_address()" \
    '^compiled out: highmem: lab_mem_init with a highmem_start refused \(error -95\), lab_kmap_local is page_address\(\) yes$'
  need "CMA compiled out: refused" '^compiled out: CMA: lab_mem_init with a CMA area refused \(error -95\)$'
  need "reports compiled out: failures counted, no record, no text" \
    '^compiled out: reports: order-10 request [0-9]+ failed, counted yes, lab_mem_last_failure NULL, core log lines 0$'
fi
# at least 100000 real timer interrupts
irqs=$(sed -nE 's/^interrupts: ecg ([0-9]+) net ([0-9]+).*/\1 \2/p' "$log")
if [ -z "$irqs" ] || [ $(( ${irqs% *} + ${irqs#* } )) -lt 100000 ]; then
  echo "FAIL: $board: fewer than 100000 interrupts (${irqs:-none})"; fail=1
fi
[ $fail = 0 ] && echo "$board: the cardiac monitor ran ${irqs% *} ECG + ${irqs#* } network interrupts and passed"
exit $fail
