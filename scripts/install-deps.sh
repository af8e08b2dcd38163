#!/usr/bin/env bash
# Installs the Debian packages Labyrinth needs, only those missing (idempotent;
# a no-op when everything is there). Used by `make demo`, `make test` and .ci/run.
set -euo pipefail
pkgs=(build-essential cmake pkg-config clang libclang-rt-14-dev libcmocka-dev libjansson-dev
      libcairo2-dev libyaml-dev liblzma-dev zlib1g-dev libtraceevent-dev libtracefs-dev libtracecmd-dev
      libgoogle-perftools-dev libjemalloc-dev libmimalloc-dev libdpdk-dev
      gcc-arm-none-eabi gcc-riscv64-unknown-elf qemu-system-arm qemu-system-misc xz-utils scdoc man-db tmux parallel)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing: ${missing[*]}"
SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y --no-install-recommends "${missing[@]}"
