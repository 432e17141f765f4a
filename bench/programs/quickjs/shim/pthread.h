/*
 * Single-threaded stand-in for <pthread.h>, which wasi-libc (wasm32-wasi, no threads) does not ship.
 * QuickJS includes it for its Atomics object. Our embedding never enables blocking (JS_SetCanBlock stays
 * false), so Atomics.wait throws before it reaches a condition variable: mutexes are no-ops and the
 * condition-variable calls abort, to fail loudly should that ever change.
 */
#ifndef BENCH_SHIM_PTHREAD_H
#define BENCH_SHIM_PTHREAD_H

#include <stdlib.h>
#include <time.h>

typedef struct { int unused; } pthread_mutex_t;
typedef struct { int unused; } pthread_cond_t;
typedef struct { int unused; } pthread_condattr_t;

#define PTHREAD_MUTEX_INITIALIZER { 0 }

static inline int pthread_mutex_lock(pthread_mutex_t *m) { (void)m; return 0; }
static inline int pthread_mutex_unlock(pthread_mutex_t *m) { (void)m; return 0; }
static inline int pthread_cond_init(pthread_cond_t *c, const pthread_condattr_t *a) { (void)c; (void)a; return 0; }
static inline int pthread_cond_destroy(pthread_cond_t *c) { (void)c; return 0; }
static inline int pthread_cond_signal(pthread_cond_t *c) { (void)c; abort(); }
static inline int pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m) { (void)c; (void)m; abort(); }
static inline int pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *t) {
    (void)c; (void)m; (void)t; abort();
}

#endif
