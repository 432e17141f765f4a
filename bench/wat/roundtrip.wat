;; The smallest module that pauses: `step(x)` calls the async import `env.wait(x)` one frame down and returns
;; its result + 1; `pure(n)` never pauses; `sometimes(n)` can pause (it reaches wait for n < 0) but for n >= 0
;; returns pure(n). Memory 16..1024 stays unused, so asyncify-wasm's fixed buffer is safe.
(module
  (import "env" "wait" (func $wait (param i32) (result i32)))
  (memory (export "memory") 1)
  (func $inner (param $x i32) (result i32)
    (i32.add (call $wait (local.get $x)) (i32.const 1)))
  (func (export "step") (param $x i32) (result i32)
    (call $inner (local.get $x)))
  (func $pure (export "pure") (param $n i32) (result i32)
    (local $sum i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $sum (i32.add (local.get $sum) (local.get $n)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $sum))
  (func (export "sometimes") (param $n i32) (result i32)
    (if (result i32) (i32.lt_s (local.get $n) (i32.const 0))
      (then (call $inner (local.get $n)))
      (else (call $pure (local.get $n))))))
