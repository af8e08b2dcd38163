#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `labyrinth gfp`: decodes values and encodes names per era, and refuses bad
# input with exit status 2 and a message naming the bad token. Run by ctest
# with LAB_CLI set to the labyrinth binary.
set -uo pipefail
cli=${LAB_CLI:?LAB_CLI must name the labyrinth binary}
fail=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# expect_out WANT ARGS...: stdout is exactly WANT and the exit status 0.
expect_out() {
	local want=$1; shift
	local got rc
	got=$("$cli" gfp "$@" 2>"$tmp/err"); rc=$?
	if [ $rc -ne 0 ] || [ "$got" != "$want" ]; then
		echo "FAIL: gfp $*: got '$got' (exit $rc), want '$want'"; cat "$tmp/err"; fail=1
	fi
}

# expect_err RC WORD ARGS...: exit status RC and WORD on stderr, nothing on stdout.
expect_err() {
	local want_rc=$1 word=$2; shift 2
	local rc
	"$cli" gfp "$@" >"$tmp/out" 2>"$tmp/err"; rc=$?
	if [ $rc -ne "$want_rc" ] || ! grep -qF -- "$word" "$tmp/err" || [ -s "$tmp/out" ]; then
		echo "FAIL: gfp $*: exit $rc (want $want_rc), stderr '$(cat "$tmp/err")' should name '$word', stdout '$(cat "$tmp/out")'"
		fail=1
	fi
}

# decoding and encoding, default era 6.1
expect_out 'GFP_ATOMIC' 0xa20
expect_out '0x40a20' 'GFP_ATOMIC|__GFP_COMP'
expect_out 'GFP_KERNEL|__GFP_COMP|__GFP_ZERO' 0x40dc0
expect_out '0xa20' 'GFP_ATOMIC'
expect_out 'GFP_ATOMIC' 2592
expect_out '0x40cc0' ' GFP_KERNEL | __GFP_COMP '
expect_out '' 0x0
# one line per value
expect_out $'GFP_ATOMIC\n0xcc0' 0xa20 GFP_KERNEL
# eras
expect_out 'GFP_ATOMIC|0x200' --era 6.3 0xa20
expect_out '0x820' --era 6.3 GFP_ATOMIC
expect_out '0x2800' --era 6.8 GFP_NOWAIT
expect_out 'GFP_KERNEL|__GFP_ZERO|__GFP_COMP' --era 6.13 0x40dc0
expect_out 'GFP_ATOMIC|__GFP_NOTRACK' --kernel 4.9.0-0.rc8.git2.1.fc26.x86_64 0x2280020
expect_out 'GFP_ATOMIC' --kernel 4.19.0 0x480020
expect_out 'GFP_ATOMIC|__GFP_COMP|__GFP_NOTRACK' --era 3.x 0x204020
expect_out 'GFP_ATOMIC' --kernel '6.8.0-rc3-1.gae4495f-default' 0x820
# --all-eras: one line per era, era name first
out=$("$cli" gfp --all-eras 0x820); rc=$?
if [ $rc -ne 0 ] || [ "$(printf '%s\n' "$out" | wc -l)" -ne 11 ] ||
   ! printf '%s\n' "$out" | grep -qxE '6\.1 +GFP_NOWAIT\|__GFP_HIGH' ||
   ! printf '%s\n' "$out" | grep -qxE '6\.3 +GFP_ATOMIC' ||
   ! printf '%s\n' "$out" | grep -qxE '6\.13\+ +GFP_ATOMIC'; then
	echo "FAIL: gfp --all-eras 0x820 (exit $rc):"; printf '%s\n' "$out"; fail=1
fi
out=$("$cli" gfp --all-eras GFP_ATOMIC); rc=$?
if [ $rc -ne 0 ] || ! printf '%s\n' "$out" | grep -qxE '6\.1 +0xa20' ||
   ! printf '%s\n' "$out" | grep -qxE '4\.x +0x2080020'; then
	echo "FAIL: gfp --all-eras GFP_ATOMIC (exit $rc):"; printf '%s\n' "$out"; fail=1
fi
# help
out=$("$cli" gfp --help); rc=$?
if [ $rc -ne 0 ] || ! printf '%s\n' "$out" | grep -q '^usage: labyrinth gfp'; then
	echo "FAIL: gfp --help (exit $rc)"; fail=1
fi
# bad input: exit 2, the bad token named on stderr
expect_err 2 '__GFP_BOGUS' 'GFP_ATOMIC|__GFP_BOGUS'
expect_err 2 '__GFP_ATOMIC' --era 6.3 '__GFP_ATOMIC'
expect_err 2 'GFP_TEMPORARY' --era 4.14 GFP_TEMPORARY
expect_err 2 '0x100000000' 0x100000000
expect_err 2 'empty flag name' 'GFP_KERNEL||__GFP_COMP'
expect_err 2 '9.9' --era 9.9 0xa20
expect_err 2 '--frobnicate' --frobnicate 0xa20
expect_err 2 '--era' 0xa20 --era
expect_err 2 'expected a value'
expect_err 2 'exclude' --all-eras --era 6.1 0xa20
exit $fail
