/* SPDX-License-Identifier: MIT */
/*
 * src/core/compat/string.h - for bare-metal toolchains without a C library
 * (arm-none-eabi, riscv64-unknown-elf without newlib): the five string.h
 * functions the core calls, as ISO C declares them. Found only through
 * -idirafter, i.e. when the toolchain has no string.h of its own; the
 * embedder links its own (or the compiler's) implementations.
 */
#ifndef LAB_COMPAT_STRING_H
#define LAB_COMPAT_STRING_H
#include <stddef.h>
void *memset(void *s, int c, size_t n);
void *memcpy(void *restrict d, const void *restrict s, size_t n);
void *memmove(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
#endif
