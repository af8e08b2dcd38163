#!/usr/bin/env bash
# `make install` works: installs the libraries, headers, labyrinth.pc, the
# CMake package and the binary into a scratch prefix; a program built
# against the installed copy with pkg-config (shared) and with CMake's
# find_package runs.
set -euo pipefail
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cmake --install "$LAB_BUILD" --prefix "$tmp/prefix" >/dev/null
test -x "$tmp/prefix/bin/labyrinth"
test -s "$tmp/prefix/share/man/man1/labyrinth.1"
test -s "$tmp/prefix/share/bash-completion/completions/labyrinth"
pc=$(dirname "$(find "$tmp/prefix" -name labyrinth.pc | head -1)")
cat > "$tmp/hello.c" <<'C'
#include <labyrinth/labyrinth.h>
#include <labyrinth/host.h>
int main(void)
{
	struct lab_mem *mem = lab_host_create(&(struct lab_host_config){ .mem_bytes = 16u << 20, .quiet = 1 });
	struct lab_page *p = lab_alloc_pages(mem, LAB_GFP_ATOMIC | LAB___GFP_ZERO, 3);
	int ok = p && lab_page_address(p) && lab_mem_check(mem) == 0;
	lab_free_pages(mem, p, 3);
	ok = ok && lab_mem_check(mem) == 0;
	lab_host_destroy(mem);
	return ok ? 0 : 1;
}
C
export PKG_CONFIG_PATH="$pc"
"${CC:-cc}" -o "$tmp/hello" "$tmp/hello.c" $(pkg-config --cflags --libs labyrinth)
export LD_LIBRARY_PATH="$pc/.."
"$tmp/hello"
mkdir "$tmp/cm"
cat > "$tmp/cm/CMakeLists.txt" <<'CM'
cmake_minimum_required(VERSION 3.25)
project(hello C)
find_package(labyrinth REQUIRED)
add_executable(hello ../hello.c)
target_link_libraries(hello PRIVATE labyrinth::labyrinth)
CM
cmake -S "$tmp/cm" -B "$tmp/cm/b" -DCMAKE_PREFIX_PATH="$tmp/prefix" >/dev/null
cmake --build "$tmp/cm/b" >/dev/null
"$tmp/cm/b/hello"
echo "install: ok (pkg-config and find_package)"
