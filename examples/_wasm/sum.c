// The one wasm module every example imports with `?asyncify`: ordinary synchronous C that calls a JS
// function which answers later (a timer here; a fetch, a prompt or a worker message in real code).
// Build: node examples/_wasm/build.mjs (clang-16 --target=wasm32-wasi -O2 -mexec-model=reactor).

#define IMPORT(name) __attribute__((import_module("env"), import_name(name)))
#define EXPORT(name) __attribute__((export_name(name)))

// Blocks until JS has the value for `index`.
IMPORT("fetch_value") int fetch_value(int index);

// 0^2 + 1^2 + ... + (count - 1)^2 when JS answers index * index.
EXPORT("sum_values") int sum_values(int count) {
  int sum = 0;
  for (int i = 0; i < count; i++) sum += fetch_value(i);
  return sum;
}
