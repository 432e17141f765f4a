/*
 * A Lua 5.4 embedding for the real-program benchmarks: a WASI reactor that runs chunks in one Lua state, with
 * two host imports that may pause (sleep, read_line) exposed to Lua as global functions.
 *
 * Exports: run(ptr, len) -> 0 (ok) or 1 (error, printed to stdout as "error: <message>"), malloc, free.
 * Globals for scripts: the standard libraries, sleep(ms) -> integer, read_line() -> string or nil at the end.
 * Output goes to stdout (WASI fd_write), flushed before run returns.
 */
#include <stdio.h>
#include <stdlib.h>

#include "lauxlib.h"
#include "lua.h"
#include "lualib.h"

__attribute__((import_module("env"), import_name("sleep"))) int host_sleep(int ms);
/* Writes at most cap bytes of the next input line (no newline) into buf; returns its length, -1 at the end. */
__attribute__((import_module("env"), import_name("read_line"))) int host_read_line(char *buf, int cap);

#define LINE_CAP 4096

static lua_State *state;
static char *line;

static int l_sleep(lua_State *L) {
    int ms = (int)luaL_optinteger(L, 1, 0);
    lua_pushinteger(L, host_sleep(ms));
    return 1;
}

static int l_read_line(lua_State *L) {
    int n = host_read_line(line, LINE_CAP);
    if (n < 0) lua_pushnil(L);
    else lua_pushlstring(L, line, n > LINE_CAP ? LINE_CAP : (size_t)n);
    return 1;
}

static int init(void) {
    state = luaL_newstate();
    line = malloc(LINE_CAP);
    if (!state || !line) return -1;
    luaL_openlibs(state);
    lua_register(state, "sleep", l_sleep);
    lua_register(state, "read_line", l_read_line);
    return 0;
}

__attribute__((export_name("run"))) int run(const char *source, int len) {
    if (!state && init() != 0) {
        puts("error: out of memory while starting Lua");
        fflush(stdout);
        return 1;
    }
    int status = luaL_loadbuffer(state, source, (size_t)len, "=script");
    if (status == LUA_OK) status = lua_pcall(state, 0, 0, 0);
    if (status != LUA_OK) {
        const char *message = lua_tostring(state, -1);
        printf("error: %s\n", message ? message : "(error object is not a string)");
        lua_pop(state, 1);
    }
    fflush(stdout);
    return status == LUA_OK ? 0 : 1;
}
