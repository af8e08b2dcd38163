#!/usr/bin/env bash
# realkernel: the proof that `labyrinth record` + `labyrinth replay` work on
# real Linux kernels. It boots Debian's 6.1 (or, with -K, 6.12) kernel under
# QEMU with a busybox initramfs that holds OUR labyrinth binary (with the
# shared libraries it links and the dynamic loader), runs
#   labyrinth record /out/rec -- workload SCENARIO
# in the guest, brings /out back, then on the host replays the recording in
# both modes (what-if and --shadow) and checks the results.
#
# Provenance: adapted from the workshop's realkernel harness (run.sh,
# guest/init, guest/workload.c as of 2026-11-24; its README is kept as
# README.harness.md). The package, kernel and accelerator steps are the
# harness's own; the guest's tracefs setup is replaced by `labyrinth record`.
#
# Usage: run.sh -L LABYRINTH [-m MEM] [-c CPUS] [-s SCENARIO] [-a ACCEL] [-t SECS] [-K META] [-n]
#   -L LABYRINTH  the labyrinth binary to put in the guest and to replay with
#   -m MEM        guest memory (default 256M)
#   -c CPUS       guest vCPUs (default 1)
#   -s SCENARIO   workload scenario (default fragment; see guest/workload.c)
#   -a ACCEL      kvm, tcg or auto (default auto)
#   -t SECS       wall-clock limit of the boot (default 600)
#   -K META       Debian kernel meta package (default linux-image-amd64, 6.1;
#                 linux-image-6.12-amd64 for 6.12)
#   -n            skip the apt-get step
# Environment:
#   REALKERNEL_WORK  work folder (default: .work beside this script)
#   REALKERNEL_OUT   results (default: $REALKERNEL_WORK/out); one folder per run,
#                    <scenario>-<mem>-<series>/ with the recording, the replays and verdict.txt
#   TRACE_BUF_KB     per-CPU ring buffer of the recording (default 4096)
# Exit: 0 when the guest's record exited 0, left no instance, and both
# replays read the recording and exited 0; 1 otherwise.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
WORK="${REALKERNEL_WORK:-$HERE/.work}"
OUT="${REALKERNEL_OUT:-$WORK/out}"
MEM=256M
CPUS=1
SC=fragment
TIMEOUT=600
DO_INSTALL=1
ACCEL=auto
KMETA=linux-image-amd64
LAB=
while getopts "L:m:c:s:a:t:K:nh" o; do
	case "$o" in
	L) LAB="$OPTARG" ;;
	a) ACCEL="$OPTARG" ;;
	m) MEM="$OPTARG" ;;
	c) CPUS="$OPTARG" ;;
	s) SC="$OPTARG" ;;
	t) TIMEOUT="$OPTARG" ;;
	n) DO_INSTALL=0 ;;
	K) KMETA="$OPTARG" ;;
	*) sed -n '2,33p' "$0"; exit 2 ;;
	esac
done
[ -n "$LAB" ] && [ -x "$LAB" ] || { echo "run.sh: -L LABYRINTH (an executable labyrinth binary) is required" >&2; exit 2; }
LAB="$(cd "$(dirname "$LAB")" && pwd)/$(basename "$LAB")"

log() { printf '[realkernel] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# ------------------------------------------------------------ 1. packages
HOST_PKGS="qemu-system-x86 busybox-static cpio gcc libc6-dev xz-utils gzip file"
install_packages() {
	local missing=() p
	for p in $HOST_PKGS; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
			missing+=("$p")
	done
	if [ ${#missing[@]} -eq 0 ]; then
		log "packages: all present ($HOST_PKGS)"
	else
		log "packages: installing ${missing[*]} (apt-get, Debian archive)"
		apt-get update -qq
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
	fi
}

pick_accel() {
	if [ "$ACCEL" = auto ]; then
		if [ -e /dev/kvm ] && { [ -d /sys/module/kvm_intel ] || [ -d /sys/module/kvm_amd ]; }; then
			ACCEL=kvm
		else
			ACCEL=tcg
			[ -d /sys/module/kvm_pvm ] &&
				log "accel: /dev/kvm is kvm_pvm (PVM guests only); using TCG"
		fi
	fi
	if [ "$ACCEL" = kvm ]; then
		ACCEL_ARGS=(-enable-kvm -cpu host)
	else
		ACCEL_ARGS=(-accel tcg,thread=multi -cpu max)
	fi
	log "accel: $ACCEL (${ACCEL_ARGS[*]})"
}

# The guest kernel is Debian's linux-image-amd64 (6.1 series). It is not
# installed on the host: the .deb that linux-image-amd64 depends on is
# downloaded with apt-get download and only vmlinuz, config and the six
# virtio modules the guest needs are extracted into the work folder.
fetch_kernel() {
	local kpkg deb kdir
	kpkg=$(apt-cache depends "$KMETA" 2>/dev/null |
		awk '/Depends: linux-image-[0-9]/{print $2; exit}')
	if [ -z "$kpkg" ]; then
		apt-get update -qq
		kpkg=$(apt-cache depends "$KMETA" | awk '/Depends: linux-image-[0-9]/{print $2; exit}')
	fi
	[ -n "$kpkg" ] || die "cannot resolve $KMETA"
	KPKG="$kpkg"
	kdir="$WORK/kernel/$kpkg"
	KDIR="$kdir"
	if [ -s "$kdir/vmlinuz" ] && [ -s "$kdir/version" ]; then
		log "kernel: $kpkg $(cat "$kdir/version") (cached)"
		return
	fi
	mkdir -p "$WORK/debs" "$kdir/x"
	deb=$(ls "$WORK/debs/${kpkg}_"*.deb 2>/dev/null | head -1 || true)
	if [ -z "$deb" ]; then
		log "kernel: apt-get download $kpkg"
		(cd "$WORK/debs" && apt-get download "$kpkg" 2>&1 | grep -v '^W: Download is performed unsandboxed' >&2 || true)
		deb=$(ls "$WORK/debs/${kpkg}_"*.deb | head -1)
	fi
	# vmlinuz, config and the virtio modules the guest needs (a kernel that
	# builds some of them in ships fewer; 6.12 has only virtio_blk as a module)
	local want
	want=$(dpkg-deb -c "$deb" | awk '{print $NF}' | grep -E '^\./boot/(vmlinuz|config)-|/kernel/drivers/(virtio/virtio(_ring|_pci|_pci_modern_dev|_pci_legacy_dev)?|block/virtio_blk)\.ko(\.xz|\.zst)?$')
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$kdir/x" $want
	mv "$kdir"/x/boot/vmlinuz-* "$kdir/vmlinuz"
	mv "$kdir"/x/boot/config-* "$kdir/config"
	mkdir -p "$kdir/modules"
	find "$kdir/x/lib/modules" -name '*.ko*' -exec mv {} "$kdir/modules/" \;
	# newer kernel packages ship compressed modules; busybox insmod wants plain ones
	for z in "$kdir"/modules/*.ko.xz; do [ -e "$z" ] && xz -d "$z"; done
	for z in "$kdir"/modules/*.ko.zst; do [ -e "$z" ] && zstd -q -d --rm "$z"; done
	rm -rf "$kdir/x"
	dpkg-deb -f "$deb" Version > "$kdir/version"
	log "kernel: extracted $kpkg $(cat "$kdir/version")"
}

# ------------------------------------------------------------ 2. initramfs
# busybox, /init, the static workload, the virtio modules, and the labyrinth
# binary with every shared library ldd lists (same paths) and the loader.
build_initramfs() {
	local st="$WORK/initramfs" bb lib
	bb=$(command -v busybox || echo /bin/busybox)
	file -L "$bb" 2>/dev/null | grep -q 'statically linked' ||
		[ -x /bin/busybox ] || die "static busybox not found"
	mkdir -p "$WORK/bin"
	if [ ! -x "$WORK/bin/workload" ] || [ "$HERE/guest/workload.c" -nt "$WORK/bin/workload" ]; then
		log "build: gcc -static guest/workload.c"
		gcc -static -O2 -Wall -o "$WORK/bin/workload" "$HERE/guest/workload.c"
	fi
	rm -rf "$st"
	mkdir -p "$st"/{bin,dev,proc,sys,out,tmp,mnt,lib/modules}
	cp "$bb" "$st/bin/busybox"
	ln -s busybox "$st/bin/sh"
	cp "$HERE/guest/init" "$st/init"
	chmod 755 "$st/init"
	cp "$WORK/bin/workload" "$st/bin/workload"
	cp "$LAB" "$st/bin/labyrinth"
	for lib in $(ldd "$LAB" | awk '/=> \// { print $3 } /^[[:space:]]*\// { print $1 }'); do
		cp --parents -L "$lib" "$st/"
	done
	cp "$KDIR"/modules/*.ko "$st/lib/modules/" 2>/dev/null || true  # none when built in
	(cd "$st" && find . -print0 | cpio --null -o -H newc --quiet | gzip -6) > "$WORK/initramfs.cpio.gz"
	log "initramfs: $(du -h "$WORK/initramfs.cpio.gz" | cut -f1) (labyrinth and $(ldd "$LAB" | grep -c '=> /') libraries)"
}

# ------------------------------------------------------------ 3. one run
mem_mb() {
	case "$1" in
	*G | *g) echo $((${1%?} * 1024)) ;;
	*M | *m) echo "${1%?}" ;;
	*) echo "$1" ;;
	esac
}

run_one() {
	local mb tb args var rdir dest append rc t0 t1 ver kver
	mb=$(mem_mb "$MEM")
	tb="${TRACE_BUF_KB:-4096}"
	var="SCENARIO_ARGS_${SC//-/_}"
	args="${!var:-}"
	ver=$(sed -E 's/^([0-9]+\.[0-9]+).*/\1/' "$KDIR/version")
	rdir="$WORK/runs/$SC-$MEM-$ver"
	dest="$OUT/$SC-$MEM-$ver"
	rm -rf "$rdir" "$dest"
	mkdir -p "$rdir/out" "$dest"
	truncate -s 256M "$rdir/out.img"
	# trace_clock=global on the command line too: without it the kernel
	# switches the top-level clock when it finds the TSC unstable (TCG)
	append="console=ttyS0 loglevel=4 log_buf_len=4M panic=-1 nokaslr trace_clock=global"
	append+=" harness.scenario=$SC harness.tracebuf_kb=$tb"
	[ -n "$args" ] && append+=" harness.args=$args"
	local qemu=(qemu-system-x86_64 "${ACCEL_ARGS[@]}" -machine pc -m "$MEM" -smp "$CPUS"
		-nodefaults -no-user-config -nographic -monitor none -nic none -no-reboot
		-serial "file:$rdir/console.txt"
		-kernel "$KDIR/vmlinuz" -initrd "$WORK/initramfs.cpio.gz"
		-append "$append"
		-drive "file=$rdir/out.img,format=raw,if=virtio,cache=unsafe")
	log "run: $SC mem=$MEM cpus=$CPUS kernel=$KPKG tracebuf=${tb}KiB/cpu"
	t0=$(date +%s)
	rc=0
	timeout --kill-after=15 "$TIMEOUT" "${qemu[@]}" < /dev/null > "$rdir/qemu.stdout" 2>&1 || rc=$?
	t1=$(date +%s)
	log "run: qemu exit $rc after $((t1 - t0))s"
	cp "$rdir/console.txt" "$dest/console.txt"
	grep -q "HARNESS-GUEST: DONE" "$rdir/console.txt" || {
		log "run: guest did not finish; console tail:"
		tail -n 30 "$rdir/console.txt" >&2
		return 1
	}
	tar -xf "$rdir/out.img" -C "$rdir/out"
	cp -r "$rdir/out/rec" "$dest/rec" 2>/dev/null || true
	cp "$rdir/out/record.log" "$rdir/out/record.rc" "$rdir/out/instances.after" "$rdir/out/dmesg.txt" \
		"$rdir/out/uname.txt" "$dest/"
	rm -f "$rdir/out.img"
	kver=$(awk '{print $3}' "$dest/uname.txt")
	{
		echo "kernel_package: $KPKG $(cat "$KDIR/version")"
		echo "guest_uname: $(cat "$dest/uname.txt")"
		echo "scenario: $SC ${args:-<defaults>}"
		echo "memory: $MEM cpus: $CPUS accel: $ACCEL qemu: $(qemu-system-x86_64 --version | head -1)"
		echo "host_wall_seconds: $((t1 - t0))"
	} > "$dest/run.txt"
	verify "$dest" "$kver" $((t1 - t0))
}

# The recording must be complete and clean, and replay must read it as it is.
verify() {
	local d="$1" kver="$2" secs="$3" ok=1 r1=0 r2=0 v="$1/verdict.txt"
	: > "$v"
	check() { # name, condition result (0 = yes)
		if [ "$2" = 0 ]; then echo "ok:   $1" >> "$v"; else echo "FAIL: $1" >> "$v"; ok=0; fi
	}
	check "labyrinth record exited 0 in the guest ($(cat "$d/record.rc"))" "$([ "$(cat "$d/record.rc")" = 0 ]; echo $?)"
	check "no tracefs instance left in the guest ($(tr '\n' ' ' < "$d/instances.after"))" \
		"$([ ! -s "$d/instances.after" ]; echo $?)"
	check "the recording has trace.txt, zoneinfo.before/after, buddyinfo.before/after, trace_stats.txt" \
		"$(cd "$d/rec" 2>/dev/null && [ -s trace.txt ] && [ -s zoneinfo.before ] && [ -s zoneinfo.after ] &&
		   [ -s buddyinfo.before ] && [ -s buddyinfo.after ] && [ -s trace_stats.txt ]; echo $?)"
	check "trace.txt has mm_page_alloc events" \
		"$(grep -qE 'mm_page_alloc: page=[0-9a-f]+ pfn=0x[0-9a-f]+ order=' "$d/rec/trace.txt" 2>/dev/null; echo $?)"
	if [ -s "$d/rec/trace.txt" ]; then
		"$LAB" replay "$d/rec/trace.txt" --kernel "$kver" --json "$d/replay.json" > "$d/replay.txt" 2>&1 || r1=$?
		"$LAB" replay "$d/rec/trace.txt" --kernel "$kver" --shadow --json "$d/replay-shadow.json" \
			> "$d/replay-shadow.txt" 2>&1 || r2=$?
	else
		r1=1 r2=1
	fi
	check "labyrinth replay (what-if) read it and exited 0 ($r1)" "$r1"
	check "labyrinth replay --shadow read it and exited 0 ($r2)" "$r2"
	{
		echo "record: $(grep 'events,' "$d/record.log" | tail -1)"
		grep -E '^  [0-9]+ events|no events lost|events lost' "$d/replay.txt" | head -2 | sed 's/^/replay: /'
		grep -E '^failures:' "$d/replay.txt" | sed 's/^/what-if: /'
		grep -iE 'match|differ|agree' "$d/replay-shadow.txt" | head -6 | sed 's/^/shadow: /'
		echo "guest wall seconds: $secs"
	} >> "$v" 2>/dev/null || true
	VERIFY_OK=$ok
	cat "$v" >&2
	[ "$ok" = 1 ]
}

# ------------------------------------------------------------ main
[ "$DO_INSTALL" = 1 ] && install_packages
mkdir -p "$WORK" "$OUT"
pick_accel
fetch_kernel
build_initramfs
run_one
