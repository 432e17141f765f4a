/*
 * A QuickJS embedding for the real-program benchmarks: a WASI reactor that evaluates scripts, with two host
 * imports that may pause (sleep, read_line) exposed to JavaScript as global functions.
 *
 * Exports: eval(ptr, len) -> 0 (ok) or 1 (uncaught exception, printed to stdout), malloc, free.
 * Globals for scripts: print(...args), sleep(ms) -> number, readLine() -> string or null at end of input.
 * Output goes to stdout (WASI fd_write), flushed before eval returns.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quickjs.h"

__attribute__((import_module("env"), import_name("sleep"))) int host_sleep(int ms);
/* Writes at most cap bytes of the next input line (no newline) into buf; returns its length, -1 at the end. */
__attribute__((import_module("env"), import_name("read_line"))) int host_read_line(char *buf, int cap);

/* The shadow stack is 1 MiB (see build.mjs); QuickJS stops recursion with a catchable "stack overflow"
 * InternalError 64 KiB before its end, so that it never writes below the stack into static data. */
#define JS_STACK_LIMIT (1024 * 1024 - 64 * 1024)
#define LINE_CAP 4096

static JSRuntime *rt;
static JSContext *ctx;
static char *line;

static JSValue js_print(JSContext *c, JSValueConst this_val, int argc, JSValueConst *argv) {
    for (int i = 0; i < argc; i++) {
        const char *s = JS_ToCString(c, argv[i]);
        if (!s) return JS_EXCEPTION;
        fputs(s, stdout);
        if (i + 1 < argc) fputc(' ', stdout);
        JS_FreeCString(c, s);
    }
    fputc('\n', stdout);
    return JS_UNDEFINED;
}

static JSValue js_sleep(JSContext *c, JSValueConst this_val, int argc, JSValueConst *argv) {
    int ms = 0;
    if (argc > 0 && JS_ToInt32(c, &ms, argv[0])) return JS_EXCEPTION;
    return JS_NewInt32(c, host_sleep(ms));
}

static JSValue js_read_line(JSContext *c, JSValueConst this_val, int argc, JSValueConst *argv) {
    int n = host_read_line(line, LINE_CAP);
    if (n < 0) return JS_NULL;
    return JS_NewStringLen(c, line, n > LINE_CAP ? LINE_CAP : n);
}

static void set_function(JSValue global, const char *name, JSCFunction *fn, int length) {
    JS_SetPropertyStr(ctx, global, name, JS_NewCFunction(ctx, fn, name, length));
}

static int init(void) {
    rt = JS_NewRuntime();
    if (!rt) return -1;
    JS_SetMaxStackSize(rt, JS_STACK_LIMIT);
    ctx = JS_NewContext(rt);
    line = malloc(LINE_CAP);
    if (!ctx || !line) return -1;
    JSValue global = JS_GetGlobalObject(ctx);
    set_function(global, "print", js_print, 1);
    set_function(global, "sleep", js_sleep, 1);
    set_function(global, "readLine", js_read_line, 0);
    JS_FreeValue(ctx, global);
    return 0;
}

static void print_exception(void) {
    JSValue error = JS_GetException(ctx);
    const char *message = JS_ToCString(ctx, error);
    printf("Uncaught %s\n", message ? message : "(exception)");
    JS_FreeCString(ctx, message);
    JS_FreeValue(ctx, error);
}

__attribute__((export_name("eval"))) int eval(const char *source, int len) {
    if (!rt && init() != 0) {
        puts("Uncaught out of memory while starting QuickJS");
        fflush(stdout);
        return 1;
    }
    /* JS_Eval reads source[len] and wants a terminating NUL */
    char *code = malloc((size_t)len + 1);
    if (!code) return 1;
    memcpy(code, source, (size_t)len);
    code[len] = '\0';
    JS_UpdateStackTop(rt);
    JSValue result = JS_Eval(ctx, code, (size_t)len, "<script>", JS_EVAL_TYPE_GLOBAL);
    free(code);
    int failed = JS_IsException(result);
    if (failed) print_exception();
    JS_FreeValue(ctx, result);
    JSContext *job_ctx;
    int pending;
    while ((pending = JS_ExecutePendingJob(rt, &job_ctx)) != 0) {
        if (pending < 0) {
            print_exception();
            failed = 1;
        }
    }
    fflush(stdout);
    return failed;
}
