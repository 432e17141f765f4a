/*
 * wasi-libc (wasm32-wasi, 2022) ships no <setjmp.h>. QuickJS's dtoa.c includes it but calls neither setjmp
 * nor longjmp, so an empty header is enough; a call would fail to compile (undeclared), not misbehave.
 */
#ifndef BENCH_SHIM_SETJMP_H
#define BENCH_SHIM_SETJMP_H
#endif
