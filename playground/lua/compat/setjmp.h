/* setjmp/longjmp for wasm32-wasi built with clang-16's `-mllvm -wasm-enable-sjlj` (Wasm exception handling).
   Debian's wasi-libc (2022) ships no <setjmp.h>; newer wasi-libc releases do. The compiler rewrites every
   setjmp/longjmp call into calls to the runtime in sjlj.c. */
#ifndef WASI_SJLJ_SETJMP_H
#define WASI_SJLJ_SETJMP_H

typedef struct {
  unsigned long id;   /* read by the compiler's generated code: must stay the first field */
  void *thrown_env;   /* the {env, value} pair thrown by longjmp: must stay adjacent */
  int thrown_value;
} jmp_buf[1];

int setjmp(jmp_buf env) __attribute__((returns_twice));
_Noreturn void longjmp(jmp_buf env, int value);

#endif
