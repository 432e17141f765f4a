/**
 * A module with a C-like shadow stack (`__stack_pointer`, 4096 at rest) for re-entrance and rejection tests.
 * - outer(x): pushes a 16-byte frame holding x, r = cb(x) (a plain import, JS may call exports from it),
 *   r = sleep(r) (async), returns r + the x read back from its frame, pops the frame.
 * - double(x): pushes a 32-byte frame, returns 2x, pops it (never pauses).
 * - pause(x): pushes a 32-byte frame, returns sleep(x), pops it.
 * - fail(x): pushes a 64-byte frame and calls boom(x) (a plain import that may throw), pops it.
 */
export const REENTRY_WAT = `(module
  (import "env" "cb" (func $cb (param i32) (result i32)))
  (import "env" "sleep" (func $sleep (param i32) (result i32)))
  (import "env" "boom" (func $boom (param i32) (result i32)))
  (memory (export "memory") 1)
  (global $__stack_pointer (mut i32) (i32.const 4096))
  (func (export "outer") (param $x i32) (result i32)
    (local $r i32)
    (global.set $__stack_pointer (i32.sub (global.get $__stack_pointer) (i32.const 16)))
    (i32.store (global.get $__stack_pointer) (local.get $x))
    (local.set $r (call $cb (local.get $x)))
    (local.set $r (call $sleep (local.get $r)))
    (local.set $r (i32.add (local.get $r) (i32.load (global.get $__stack_pointer))))
    (global.set $__stack_pointer (i32.add (global.get $__stack_pointer) (i32.const 16)))
    (local.get $r))
  (func (export "double") (param $x i32) (result i32)
    (local $r i32)
    (global.set $__stack_pointer (i32.sub (global.get $__stack_pointer) (i32.const 32)))
    (i32.store (global.get $__stack_pointer) (i32.mul (local.get $x) (i32.const 2)))
    (local.set $r (i32.load (global.get $__stack_pointer)))
    (global.set $__stack_pointer (i32.add (global.get $__stack_pointer) (i32.const 32)))
    (local.get $r))
  (func (export "pause") (param $x i32) (result i32)
    (local $r i32)
    (global.set $__stack_pointer (i32.sub (global.get $__stack_pointer) (i32.const 32)))
    (local.set $r (call $sleep (local.get $x)))
    (global.set $__stack_pointer (i32.add (global.get $__stack_pointer) (i32.const 32)))
    (local.get $r))
  (func (export "fail") (param $x i32) (result i32)
    (local $r i32)
    (global.set $__stack_pointer (i32.sub (global.get $__stack_pointer) (i32.const 64)))
    (local.set $r (call $boom (local.get $x)))
    (global.set $__stack_pointer (i32.add (global.get $__stack_pointer) (i32.const 64)))
    (local.get $r))
)`

export const REENTRY_ASYNC_IMPORTS: string[] = ['env.sleep']
