/* The runtime clang-16 expects for `-mllvm -wasm-enable-sjlj`: each function that calls setjmp keeps a table of
   {id, label} entries (malloc'ed by the compiler, 4 entries to start, id 0 ends it); setjmp stores a fresh id in
   the jmp_buf and records it, longjmp throws a `__c_longjmp` Wasm exception carrying {env, value}, and every
   catch site asks testSetjmp whether the id belongs to one of its own setjmp calls. */
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>

typedef struct {
  uint32_t id;
  uint32_t label;
} Entry;

static uint32_t last_id;
static uint32_t temp_ret0;

uint32_t getTempRet0(void) { return temp_ret0; }
void setTempRet0(uint32_t value) { temp_ret0 = value; }

Entry *saveSetjmp(jmp_buf env, uint32_t label, Entry *table, uint32_t size) {
  uint32_t id = ++last_id;
  env->id = id;
  uint32_t i = 0;
  while (i < size && table[i].id != 0) i++;
  if (i == size) {
    /* Full: double it, keeping one slot for the terminating zero. */
    size *= 2;
    table = realloc(table, sizeof(Entry) * (size + 1));
    if (!table) abort();
  }
  table[i].id = id;
  table[i].label = label;
  table[i + 1].id = 0;
  temp_ret0 = size;
  return table;
}

uint32_t testSetjmp(uint32_t id, const Entry *table, uint32_t size) {
  for (uint32_t i = 0; i < size && table[i].id != 0; i++)
    if (table[i].id == id) return table[i].label;
  return 0;
}

_Noreturn void __wasm_longjmp(jmp_buf env, int value) {
  env->thrown_env = env;
  env->thrown_value = value == 0 ? 1 : value; /* C: longjmp(env, 0) makes setjmp return 1 */
  __builtin_wasm_throw(1, &env->thrown_env);    /* tag 1 is __c_longjmp */
}
