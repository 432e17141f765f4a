/**
 * The Asyncify transform proper. Runs inside a worker thread (binaryen.js blocks for seconds, keeps global
 * state and can abort): feature detection, pre-scan, buffer placement, the pass, optimization, both binaries
 * and the `WasmMeta` the runtime needs.
 */

import type { ExportMeta, ImportMeta, MemoryMeta } from '@unplugin-asyncify/runtime'
import { type AsyncifyErrorCode, TransformFailure } from '../errors.ts'
import {
  describeFunction,
  estimateInstrumented,
  inspectModule,
  isAsyncImport,
  type MemoryFact,
  type ModuleFacts,
  scanText,
  type TextScan,
  TOP_RUNTIME,
  typeNames,
} from '../inspect.ts'
import { checkSections, INVALID_FIX } from '../wasm-sections.ts'
import { type Binaryen, type BinaryenModule, loadBinaryen } from './api.ts'
import { captureOutput } from './capture.ts'
import { instrumentationCauses } from './causes.ts'
import { UnwalkableExpression } from './expression-walk.ts'
import { addFastClones, type FastCloneApi } from './fast-clones.ts'
import { definedFunctionIndexes, withFunctionNames } from './function-names.ts'
import { type HideRegionApi, hideTopRegion } from './hide-region.ts'
import { guardPauses, type PauseGuardApi } from './pause-guard.ts'
import type { InjectedFault, TransformMeta, TransformOptions, TransformOutput } from './protocol.ts'
import { findStackPointer } from './stack-pointer.ts'
import { stripDebugSections } from './strip-debug.ts'

const ASYNCIFY_API = ['start_unwind', 'stop_unwind', 'start_rewind', 'stop_rewind']
const ASYNCIFY_EXPORTS = [
  'asyncify_start_unwind',
  'asyncify_stop_unwind',
  'asyncify_start_rewind',
  'asyncify_stop_rewind',
  'asyncify_get_state',
]
/** A function name Binaryen gives an unnamed function (its index among the defined ones), wildcards allowed. */
const INDEX_NAME_RE = /^[\d*]+$/
/** Export names the build adds for the runtime (a number is appended when the input uses the name already). */
export const MEMORY_EXPORT = '__asyncify_memory'
export const MALLOC_EXPORT = '__asyncify_malloc'
export const STACK_POINTER_EXPORT = '__asyncify_stack_pointer'

/**
 * What `asyncify-verbose` prints, in the order `ModuleAnalyzer` decides (Asyncify.cpp): initial scan,
 * remove-list, propagation (sorted), only-list, add-list. Replaying the lines in order gives the final set.
 */
const VERBOSE_LINES: [RegExp, (changing: Set<string>, match: RegExpExecArray) => void][] = [
  [/^\[asyncify\] (.*) can change the state due to .*$/, (set, m) => set.add(m[1]!)],
  [/^\[asyncify\] (.*) is in the add-list, add$/, (set, m) => set.add(m[1]!)],
  [/^\[asyncify\] (.*) is in the remove-list, ignore$/, (set, m) => set.delete(m[1]!)],
  [
    /^\[asyncify\] (.*)'s state is set based on the only-list to ([01])$/,
    (set, m) => (m[2] === '1' ? set.add(m[1]!) : set.delete(m[1]!)),
  ],
  [/^\[asyncify\] (.*) is an import that can change the state$/, () => {}],
]

export async function transform(
  bytes: Uint8Array,
  options: TransformOptions,
  fault?: InjectedFault,
): Promise<TransformOutput> {
  const sections = checkSections(bytes)
  const binaryen = await loadBinaryen()
  try {
    if (fault === 'abort') throw new WebAssembly.RuntimeError('Aborted(fault injected by a test)')
    return runTransform(binaryen, bytes, sections.hasFunctionNames, options)
  } catch (error) {
    if (error instanceof TransformFailure) throw error
    if (isAbort(error)) throw abortFailure(binaryen, error, '')
    throw new TransformFailure('ASYNCIFY_BINARYEN_FAILED', messageOf(binaryen, error), REPORT_FIX)
  }
}

const REPORT_FIX = 'Please report this with the .wasm file'

function runTransform(
  binaryen: Binaryen,
  bytes: Uint8Array,
  hasFunctionNames: boolean,
  options: TransformOptions,
): TransformOutput {
  const wide = binaryen.Features.All! & ~binaryen.Features.CompactImports!
  const read = captureOutput(() => binaryen.readBinary(bytes, wide))
  if (read.error !== undefined || !read.value) {
    throw new TransformFailure(
      'ASYNCIFY_INVALID_WASM',
      `it cannot be read (${messageOf(binaryen, read.error)})`,
      INVALID_FIX,
    )
  }
  const mod = read.value
  try {
    const valid = captureOutput(() => mod.validate())
    if (!valid.value) {
      throw new TransformFailure(
        'ASYNCIFY_INVALID_WASM',
        `it does not validate (${firstLines(valid.stderr || valid.stdout, 3) || 'no details'})`,
        INVALID_FIX,
      )
    }
    let features = minimizeFeatures(mod, wide)
    const text = mod.emitText()
    const facts = inspectModule(binaryen, mod, text)
    const scan = scanText(text)
    // a profile recorded for another version may name functions this one does not have
    const profileMissing = options.profiled ? unknownListNames(options.onlyList, facts) : []
    if (profileMissing.length > 0) options = withoutNames(options, profileMissing)
    preScan(facts, scan, options, hasFunctionNames)

    const warnings: string[] = []
    const inWasmRuntime = facts.imports.some((entry) => entry.module === 'asyncify')
    // A profile build checks only the calls that could pause (pause-guard.ts); others use Binaryen's asserts.
    const guard = options.profiled && options.asserts && !inWasmRuntime
    const asserts = options.asserts && !inWasmRuntime && !guard
    if (options.asserts && inWasmRuntime) {
      warnings.push(
        'asserts are off: the module drives Asyncify itself (asyncify.* imports), where they would trap',
      )
    }
    let jspi = options.jspi
    if (inWasmRuntime && jspi !== 'off') {
      if (jspi === 'only')
        warnings.push('jspi "only" ignored: the module drives Asyncify itself (asyncify.* imports)')
      jspi = 'off'
    }

    const placed = placeBuffer(binaryen, mod, facts, scan)
    if (placed.memory.shared) {
      warnings.push('shared memory: each thread needs its own instance and unwind buffer')
    }
    const stack = findStackPointer(binaryen, mod, text, placed.memory.is64)
    const stackExport = stack && exportGlobal(binaryen, mod, facts, stack.internal, STACK_POINTER_EXPORT)
    if (stackExport?.added) features |= binaryen.Features.MutableGlobals!
    mod.setFeatures(features)

    // The JSPI variant is the input with the helper exports: no pass, and no second optimization (the input
    // already is what its toolchain optimized), so 'auto' costs one emit more than 'off'.
    // Names the input lacks (or that keepNames would drop) are added: Binaryen's names of its functions.
    const addNames = options.functionNames && !(options.keepNames && hasFunctionNames)
    const emitted = jspi === 'off' ? undefined : emit(binaryen, mod, options.keepNames)
    // The JSPI binary is the input re-emitted, numbered as the input's functions are. It needs names only to
    // record or to debug (it never meets the safety net of a profile build).
    const preBytes =
      emitted && addNames && !options.profiled
        ? withFunctionNames(emitted, definedFunctionIndexes(binaryen, mod))
        : emitted

    if (jspi !== 'only' && !placed.memory.shared && placed.growers.length > 0) {
      // Hide the runtime's region from the program's own memory.size/memory.grow (asyncified binary only).
      const hidden =
        facts.memories.length === 1 &&
        hideTopRegion(binaryen as unknown as HideRegionApi, mod as never, placed.growers, placed.memory.is64)
      if (hidden) {
        placed.buffer.top = hidden
        features |= binaryen.Features.MutableGlobals!
        mod.setFeatures(features)
      }
    }
    if (!placed.buffer.top && !placed.buffer.allocExport && !inWasmRuntime) {
      warnings.push(
        `no safe place for the unwind buffer (${placed.memory.shared ? 'the memory is shared' : 'the module sizes or grows its memory in a way the build cannot hide'}, and no malloc was found): pass { buffer: { start, end } } to instantiate()`,
      )
    }

    const describe = (changing: Set<string> | undefined): TransformMeta => {
      const meta: TransformMeta = {
        version: 2,
        imports: importsMeta(facts, options),
        exports: exportsMeta(facts, changing, jspi === 'off' ? undefined : reachers(scan, options)),
        memory: placed.memory,
        buffer: placed.buffer,
        inWasmRuntime,
        jspi,
      }
      if (stack && stackExport) meta.stack = { pointerExport: stackExport.name, low: stack.low }
      return meta
    }
    if (options.stage === 'jspi' && preBytes) {
      // What a dev server serves first where the browser has JSPI: that binary, and a meta that fits the
      // Asyncify one built later, except the exports' `suspending` flags, which only the pass knows.
      const bytes = stripDebugSections(preBytes).bytes
      return {
        wasm: bytes,
        meta: describe(undefined),
        instrumented: 0,
        totalFunctions: facts.definedFunctions.length,
        warnings,
      }
    }

    binaryen.setOptimizeLevel(jspi === 'only' ? 0 : options.optimizeLevel)
    binaryen.setShrinkLevel(options.shrinkLevel)
    binaryen.clearPassArguments()
    setPassArguments(binaryen, options, asserts)
    const pass = captureOutput(() => mod.runPasses(['asyncify']))
    binaryen.clearPassArguments()
    const analysis = parseVerbose(pass.stdout)
    const shown = [...analysis.otherLines, ...splitLines(pass.stderr)]
    for (const line of shown) if (/^warning:/i.test(line)) warnings.push(`Binaryen ${line}`)
    if (pass.error !== undefined) {
      if (isAbort(pass.error)) throw abortFailure(binaryen, pass.error, pass.stderr)
      throw passFailure(binaryen, pass.error, pass.stderr, scan, options)
    }

    if (guard && jspi !== 'only') addPauseGuards(binaryen, mod, facts, scan, analysis.changing, options)
    if (options.profiled && !inWasmRuntime && jspi !== 'only')
      addFastCopies(binaryen, mod, facts, scan, analysis.changing)

    let wasm: Uint8Array<ArrayBuffer>
    let jspiWasm: Uint8Array<ArrayBuffer> | undefined
    if (jspi === 'only') {
      wasm = preBytes!
    } else {
      wasm = optimizeAndEmit(binaryen, mod, options)
      if (jspi === 'auto') jspiWasm = preBytes
    }
    // The pass adds functions and the optimizer may drop some: name the asyncified binary by its own indexes.
    if (addNames && jspi !== 'only') wasm = withFunctionNames(wasm, definedFunctionIndexes(binaryen, mod))
    // DWARF is never shipped stale: Binaryen would copy it byte for byte under rewritten code. The build line
    // says so (the name section stays when keepNames asks for it).
    const debug = stripDebugSections(wasm)
    wasm = debug.bytes
    if (jspiWasm) jspiWasm = stripDebugSections(jspiWasm).bytes

    if (options.ignoreIndirect && jspi !== 'only')
      warnings.push(...indirectOnlyWarnings(facts, scan, options))
    const defined = new Set(facts.definedFunctions)
    const runtimeTop = topMostRuntime(scan, facts)
    const instrumented = [...analysis.changing].filter(
      (name) => defined.has(name) && !runtimeTop.has(name),
    ).length
    const meta = describe(analysis.changing)
    const output: TransformOutput = {
      wasm,
      meta,
      instrumented,
      totalFunctions: facts.definedFunctions.length,
      warnings,
    }
    if (jspiWasm) output.jspiWasm = jspiWasm
    if (debug.removedBytes > 0) output.dwarfRemovedBytes = debug.removedBytes
    if (shown.length > 0) output.binaryenOutput = shown.join('\n')
    if (options.onlyList.length === 0) {
      const instrumentedNames = new Set(
        [...analysis.changing].filter((name) => defined.has(name) && !runtimeTop.has(name)),
      )
      const causes = instrumentationCauses(pass.stdout, scan, instrumentedNames)
      if (causes.length > 0) output.causes = causes
    }
    if (profileMissing.length > 0) output.profileMissing = profileMissing
    if (options.asyncImports === undefined) {
      output.suggestedAsyncImports = facts.imports
        .filter((entry) => entry.kind === 'function' && entry.module !== 'asyncify')
        .map((entry) => `${entry.module}.${entry.name}`)
    }
    return output
  } finally {
    mod.dispose()
  }
}

// ---------------------------------------------------------------------------------------------
// Features
// ---------------------------------------------------------------------------------------------

/**
 * The smallest feature set the module validates with. Emitting with exactly the features in use keeps the
 * optimizer from introducing new ones (and plain `Features.All` even emits encodings Node 20 rejects).
 * Removal is tried for whole groups first, halving on failure, so a typical module needs a few validations.
 */
function minimizeFeatures(mod: BinaryenModule, wide: number): number {
  let current = wide
  const bits: number[] = []
  for (let bit = 1; bit <= wide; bit *= 2) if (wide & bit) bits.push(bit)
  const validates = (features: number) => {
    mod.setFeatures(features)
    return Boolean(captureOutput(() => mod.validate()).value)
  }
  const tryRemove = (group: number[]) => {
    if (group.length === 0) return
    const mask = group.reduce((all, bit) => all | bit, 0)
    if (validates(current & ~mask)) {
      current &= ~mask
      return
    }
    if (group.length === 1) return
    const half = Math.ceil(group.length / 2)
    tryRemove(group.slice(0, half))
    tryRemove(group.slice(half))
  }
  tryRemove(bits)
  mod.setFeatures(current)
  return current
}

// ---------------------------------------------------------------------------------------------
// Pre-scan: clear errors instead of Binaryen fatals or aborts
// ---------------------------------------------------------------------------------------------

function preScan(
  facts: ModuleFacts,
  scan: TextScan,
  options: TransformOptions,
  hasFunctionNames: boolean,
): void {
  const fail = (code: AsyncifyErrorCode, cause: string, fix: string) => new TransformFailure(code, cause, fix)
  const asyncified = facts.exports.find((entry) => ASYNCIFY_EXPORTS.includes(entry.name))
  if (asyncified) {
    throw fail(
      'ASYNCIFY_ALREADY_ASYNCIFIED',
      `it was already asyncified (it exports ${asyncified.name})`,
      'Import the original .wasm, or drop ?asyncify and drive its asyncify_* exports yourself',
    )
  }
  const unknown = facts.imports.filter(
    (entry) =>
      entry.module === 'asyncify' && !(entry.kind === 'function' && ASYNCIFY_API.includes(entry.name)),
  )
  if (unknown.length > 0) {
    throw fail(
      'ASYNCIFY_UNKNOWN_ASYNCIFY_IMPORT',
      `it imports ${unknown.map((entry) => `asyncify.${entry.name}`).join(', ')}, which Binaryen does not provide`,
      `Import only asyncify.${ASYNCIFY_API.join(', asyncify.')}; keep any other state in a global of your own`,
    )
  }
  // Without a name section Binaryen names functions by their index among the defined ones ("263"): such
  // names (a profile of a stripped module records them) match; any other name cannot.
  const lists = (['addList', 'removeList', 'onlyList'] as const).filter((key) =>
    options[key].some((name) => !INDEX_NAME_RE.test(name)),
  )
  if (lists.length > 0 && !hasFunctionNames) {
    const name = options[lists[0]!].find((entry) => !INDEX_NAME_RE.test(entry))!
    throw fail(
      'ASYNCIFY_NO_NAME_SECTION',
      `${lists.join(' and ')} name functions (such as ${JSON.stringify(name)}), but the module has no name section, so no name can match`,
      'Build the .wasm with function names (clang/wasm-ld: do not pass -s or --strip-all; emscripten: --profiling-funcs), name functions by index ("263": the 264th defined function, as a recorded profile does), or remove the list',
    )
  }
  const tail = scan.functions.find((fn) => fn.tailCall)
  if (tail) {
    throw fail(
      'ASYNCIFY_TAIL_CALL',
      `function ${describeFunction(scan, tail.name)} uses a tail call (return_call*), which Asyncify does not support`,
      'Compile without tail calls (clang: -mno-tail-call)',
    )
  }
  const callRef = scan.functions.find((fn) => fn.callRef)
  if (callRef) {
    throw fail(
      'ASYNCIFY_CALL_REF',
      `function ${describeFunction(scan, callRef.name)} uses call_ref; Asyncify ignores such calls and a pause through one would be lost`,
      'Compile without typed function references (call through a table instead)',
    )
  }
  const instrumented = estimateInstrumented(scan, options)
  const tryTable = scan.functions.find((fn) => fn.tryTable && instrumented.has(fn.name))
  if (tryTable) {
    throw fail(
      'ASYNCIFY_TRY_TABLE',
      `function ${describeFunction(scan, tryTable.name)} uses try_table (new exception handling) and may pause, which Asyncify cannot instrument`,
      'Compile with legacy exception handling (clang: -mllvm -wasm-use-legacy-eh) or without wasm exceptions, or add the function to removeList if it never pauses',
    )
  }
  if (options.jspi !== 'only') {
    // A pause inside a legacy catch body: the rewind cannot re-enter the handler (Asyncify.cpp gives up on it).
    const canPause = (callee: string) => {
      const imported = scan.importedFunctions.get(callee)
      return imported === undefined ? instrumented.has(callee) : isAsyncImport(imported, options.asyncImports)
    }
    for (const fn of scan.functions) {
      const callee = [...fn.catchCalls].find(canPause)
      const indirect = fn.catchIndirect && !options.ignoreIndirect
      if (callee === undefined && !indirect) continue
      throw fail(
        'ASYNCIFY_PAUSE_IN_CATCH',
        `function ${describeFunction(scan, fn.name)} may pause inside a catch block (it calls ${
          callee === undefined ? 'through a function pointer' : describeFunction(scan, callee)
        } there), and Asyncify cannot resume a call inside an exception handler`,
        "Move the call out of the catch block (keep what the handler needs and call after the try), or use jspi: 'only', which pauses there",
      )
    }
  }
  const nonNullable = scan.functions.find((fn) => fn.nonNullableReference && instrumented.has(fn.name))
  if (nonNullable) {
    throw referenceLocalsFailure([describeFunction(scan, nonNullable.name)])
  }
  if (facts.memories.length > 1 && !facts.memories.some((memory) => memory.exportNames.includes('memory'))) {
    throw fail(
      'ASYNCIFY_MULTIPLE_MEMORIES',
      `it has ${facts.memories.length} memories and none is exported as "memory", so Asyncify cannot tell which one to use`,
      'Export the memory the program uses as "memory"',
    )
  }
}

function referenceLocalsFailure(names: string[]): TransformFailure {
  const list = names.join(', ')
  return new TransformFailure(
    'ASYNCIFY_REFERENCE_LOCALS',
    `function${names.length > 1 ? 's' : ''} ${list} keep${names.length > 1 ? '' : 's'} reference-typed values (externref, funcref, GC references) in locals across a possible pause, which Asyncify cannot save`,
    'If the function never pauses, add it to removeList; otherwise keep references in a table and pass integer handles',
  )
}

/** Turn a Binaryen `Fatal:` from the pass into a coded failure. */
function passFailure(
  binaryen: Binaryen,
  error: unknown,
  stderr: string,
  scan: TextScan,
  options: TransformOptions,
): TransformFailure {
  const message = messageOf(binaryen, error).replace(/^Fatal:\s*/, '')
  if (/non-number types/.test(message)) {
    const instrumented = estimateInstrumented(scan, options)
    const suspects = scan.functions
      .filter((fn) => fn.referenceLocals && instrumented.has(fn.name))
      .map((fn) => describeFunction(scan, fn.name))
    const failure = referenceLocalsFailure(suspects.length > 0 ? suspects : ['(unknown)'])
    failure.binaryenOutput = [message, stderr.trim()].filter(Boolean).join('\n')
    return failure
  }
  const failure = new TransformFailure(
    'ASYNCIFY_BINARYEN_FAILED',
    `the Asyncify pass failed: ${message}`,
    /list/i.test(message) ? 'Check addList, removeList and onlyList' : REPORT_FIX,
    stderr.trim() || undefined,
  )
  return failure
}

// ---------------------------------------------------------------------------------------------
// Memory, unwind buffer and helper exports
// ---------------------------------------------------------------------------------------------

interface Placement {
  memory: MemoryMeta
  buffer: TransformMeta['buffer']
  /** Internal names of defined functions that run memory.size/memory.grow (to hide the top region from). */
  growers: string[]
}

/**
 * Which memory the unwind buffer goes in, and which placements the runtime may choose from (see `BufferMeta`).
 * The sizes come at run time (`stackSize` is not part of the build), so nothing here depends on them.
 */
function placeBuffer(binaryen: Binaryen, mod: BinaryenModule, facts: ModuleFacts, scan: TextScan): Placement {
  if (facts.memories.length === 0) {
    // Added before the pass, so Asyncify uses it instead of creating an unexported 1-page memory. Empty: the
    // runtime grows it to the size it needs.
    const exportName = freshExport(mod, MEMORY_EXPORT)
    mod.setMemory(0, -1, exportName, [], false, false, MEMORY_EXPORT)
    return {
      memory: { origin: 'added', exportName, is64: false, shared: false, initial: 0 },
      buffer: { top: {} },
      growers: [],
    }
  }
  const chosen =
    facts.memories.length === 1
      ? facts.memories[0]!
      : facts.memories.find((memory) => memory.exportNames.includes('memory'))!
  const memory = memoryMeta(chosen)
  if (memory.origin === 'internal') {
    memory.exportName = freshExport(mod, MEMORY_EXPORT)
    mod.addMemoryExport(chosen.internal, memory.exportName)
  }
  const buffer: Placement['buffer'] = {}
  const growers = scan.functions.flatMap((fn, i) => (fn.memoryGrowOrSize ? [facts.definedFunctions[i]!] : []))
  // Without memory.size/grow in the code nothing needs hiding; otherwise the rewrite after the JSPI emit decides.
  if (!memory.shared && growers.length === 0) buffer.top = {}
  const alloc = findAllocator(binaryen, mod, facts, chosen.is64)
  if (alloc) buffer.allocExport = alloc
  return { memory, buffer, growers: scan.functions.length === facts.definedFunctions.length ? growers : [] }
}

function memoryMeta(fact: MemoryFact): MemoryMeta {
  const origin =
    fact.importModule !== undefined ? 'imported' : fact.exportNames.length > 0 ? 'exported' : 'internal'
  const memory: MemoryMeta = { origin, is64: fact.is64, shared: fact.shared, initial: fact.initial }
  if (fact.maximum !== undefined) memory.maximum = fact.maximum
  if (fact.exportNames.length > 0) {
    memory.exportName = fact.exportNames.includes('memory') ? 'memory' : fact.exportNames[0]!
  }
  if (fact.importModule !== undefined) {
    memory.importModule = fact.importModule
    memory.importName = fact.importName!
  }
  return memory
}

/** `malloc(size) -> ptr`, exported or (named, internal) exported by the build: the fallback placement. */
function findAllocator(
  binaryen: Binaryen,
  mod: BinaryenModule,
  facts: ModuleFacts,
  is64: boolean,
): string | undefined {
  const pointer = is64 ? 'i64' : 'i32'
  const isAllocator = (sig: { params: string[]; results: string[] } | undefined) =>
    sig?.params.length === 1 &&
    sig.params[0] === pointer &&
    sig.results.length === 1 &&
    sig.results[0] === pointer
  const exported = facts.exports.find((entry) => entry.kind === 'function' && entry.name === 'malloc')
  if (exported && isAllocator(exported.sig)) return 'malloc'
  const internal = mod.getFunction('malloc')
  if (!internal) return undefined
  const info = binaryen.getFunctionInfo(internal)
  const sig = { params: typeNames(binaryen, info.params), results: typeNames(binaryen, info.results) }
  if (info.module || !isAllocator(sig)) return undefined
  const name = freshExport(mod, MALLOC_EXPORT)
  mod.addFunctionExport('malloc', name)
  return name
}

/** Export a global for the runtime (existing export, or a new one); `added` when the build made the export. */
function exportGlobal(
  binaryen: Binaryen,
  mod: BinaryenModule,
  facts: ModuleFacts,
  internal: string,
  base: string,
): { name: string; added: boolean } | undefined {
  const existing = facts.exports.find((entry) => entry.kind === 'global' && entry.internal === internal)
  if (existing) return { name: existing.name, added: false }
  if (!binaryen.getGlobalInfo(mod.getGlobal(internal)).mutable) return undefined
  const name = freshExport(mod, base)
  mod.addGlobalExport(internal, name)
  return { name, added: true }
}

/** `base`, or `base_1`, `base_2`… when the input already exports that name. */
function freshExport(mod: BinaryenModule, base: string): string {
  let name = base
  for (let i = 1; mod.getExport(name); i++) name = `${base}_${i}`
  return name
}

// ---------------------------------------------------------------------------------------------
// Pass arguments, verbose output, emitting
// ---------------------------------------------------------------------------------------------

/** Flags need a non-empty value: binaryen.js treats '' as "unset" (and any value, even '0', as "on"). */
function setPassArguments(binaryen: Binaryen, options: TransformOptions, asserts: boolean): void {
  const flag = (key: string) => binaryen.setPassArgument(key, '1')
  // Binaryen splits on newlines when there are any, else on commas (re-joining bracketed C++ names).
  const list = (items: string[]) => items.join(items.some((item) => item.includes(',')) ? '\n' : ',')
  if (options.asyncImports !== undefined) {
    if (options.asyncImports.length === 0) flag('asyncify-ignore-imports')
    else binaryen.setPassArgument('asyncify-imports', options.asyncImports.join(','))
  }
  if (options.ignoreIndirect) flag('asyncify-ignore-indirect')
  if (options.addList.length > 0) binaryen.setPassArgument('asyncify-addlist', list(options.addList))
  if (options.removeList.length > 0) binaryen.setPassArgument('asyncify-removelist', list(options.removeList))
  if (options.onlyList.length > 0) binaryen.setPassArgument('asyncify-onlylist', list(options.onlyList))
  if (options.propagateAddList) flag('asyncify-propagate-addlist')
  if (asserts) flag('asyncify-asserts')
  flag('asyncify-verbose')
}

function parseVerbose(stdout: string): { changing: Set<string>; otherLines: string[] } {
  const changing = new Set<string>()
  const otherLines: string[] = []
  lines: for (const line of splitLines(stdout)) {
    for (const [pattern, apply] of VERBOSE_LINES) {
      const match = pattern.exec(line)
      if (match) {
        apply(changing, match)
        continue lines
      }
    }
    otherLines.push(line)
  }
  return { changing, otherLines }
}

/**
 * Functions that call `asyncify.start_unwind`/`stop_rewind` are the in-wasm runtime's top: they "change the
 * state" but are never instrumented. Text and API list defined functions in the same order, which maps the
 * printed names (unnamed functions print differently) to internal ones.
 */
function topMostRuntime(scan: TextScan, facts: ModuleFacts): Set<string> {
  const top = new Set<string>()
  if (scan.functions.length !== facts.definedFunctions.length) return top
  scan.functions.forEach((fn, index) => {
    for (const callee of fn.calls) {
      const qualified = scan.importedFunctions.get(callee)
      if (qualified !== undefined && TOP_RUNTIME.has(qualified)) top.add(facts.definedFunctions[index]!)
    }
  })
  return top
}

function optimizeAndEmit(
  binaryen: Binaryen,
  mod: BinaryenModule,
  options: TransformOptions,
): Uint8Array<ArrayBuffer> {
  binaryen.setOptimizeLevel(options.optimizeLevel)
  binaryen.setShrinkLevel(options.shrinkLevel)
  // wasm-opt turns StackIR on at -O2+ / -Os; binaryen.js does not, which costs ~1.6 % size.
  const stackIR = options.optimizeLevel >= 2 || options.shrinkLevel >= 1
  binaryen.setGenerateStackIR(stackIR)
  binaryen.setOptimizeStackIR(stackIR)
  if (options.optimizeLevel > 0 || options.shrinkLevel > 0) {
    // A profile build keeps the rewritten functions close to their input size: Binaryen's inlining of
    // functions with one caller made QuickJS's fast `JS_CallInternal` too big for V8 11's full register
    // allocator (docs/performance.md, "Node 20 and very large functions"). clang already inlined what it
    // wanted to; the input is what the toolchain made fast.
    const oneCaller = binaryen.getOneCallerInlineMaxSize()
    if (options.profiled) binaryen.setOneCallerInlineMaxSize(0)
    try {
      const optimized = captureOutput(() => mod.optimize())
      if (optimized.error !== undefined) throw optimized.error
    } finally {
      binaryen.setOneCallerInlineMaxSize(oneCaller)
    }
  }
  const valid = captureOutput(() => mod.validate())
  if (!valid.value) {
    throw new TransformFailure(
      'ASYNCIFY_BINARYEN_FAILED',
      `the output does not validate (${firstLines(valid.stderr || valid.stdout, 3)})`,
      REPORT_FIX,
    )
  }
  return emit(binaryen, mod, options.keepNames)
}

function emit(binaryen: Binaryen, mod: BinaryenModule, names: boolean): Uint8Array<ArrayBuffer> {
  binaryen.setDebugInfo(names)
  const bytes = mod.emitBinary()
  binaryen.setDebugInfo(false)
  return bytes.slice()
}

// ---------------------------------------------------------------------------------------------
// Profile
// ---------------------------------------------------------------------------------------------

/** Only-list entries (no wildcard) that name no defined function: a profile recorded for another version. */
function unknownListNames(list: string[], facts: ModuleFacts): string[] {
  const defined = new Set(facts.definedFunctions)
  return list.filter((name) => !name.includes('*') && !defined.has(name))
}

/**
 * The safety net of a profile build: checks after the calls that could pause in every function the only-list
 * left out that can still reach a pausing import (the call graph of the input, indirect calls included).
 */
function addPauseGuards(
  binaryen: Binaryen,
  mod: BinaryenModule,
  facts: ModuleFacts,
  scan: TextScan,
  instrumented: ReadonlySet<string>,
  options: TransformOptions,
): void {
  const reachingPrinted = estimateInstrumented(scan, {
    asyncImports: options.asyncImports,
    ignoreIndirect: false,
    addList: [],
    removeList: [],
    onlyList: [],
  })
  // printed names to internal ones: the text lists defined functions in module order
  const aligned = scan.functions.length === facts.definedFunctions.length
  const reaching = new Set(
    aligned
      ? facts.definedFunctions.filter((_, i) => reachingPrinted.has(scan.functions[i]!.name))
      : reachingPrinted,
  )
  const asyncImports = new Set(
    facts.imports
      .filter((entry) => isAsyncImport(`${entry.module}.${entry.name}`, options.asyncImports))
      .map((entry) => entry.internal),
  )
  const guarded = [...reaching].filter((name) => !instrumented.has(name))
  try {
    guardPauses(
      binaryen as unknown as PauseGuardApi,
      mod as never,
      guarded,
      (target) => asyncImports.has(target) || reaching.has(target),
    )
  } catch (error) {
    if (!(error instanceof UnwalkableExpression)) throw error
    throw new TransformFailure(
      'ASYNCIFY_BINARYEN_FAILED',
      `the profile's safety net could not be added (${error.message})`,
      'Set asserts: false to build without it (a pause the profile left out then goes wrong silently), and please report this with the .wasm file',
    )
  }
}

/**
 * Fast copies of the functions a profile build instrumented (fast-clones.ts). Callers are found in the input's
 * call graph (its text lists defined functions in module order); without that alignment every function is a
 * caller.
 */
function addFastCopies(
  binaryen: Binaryen,
  mod: BinaryenModule,
  facts: ModuleFacts,
  scan: TextScan,
  changing: ReadonlySet<string>,
): void {
  const defined = new Set(facts.definedFunctions)
  const instrumented = [...changing].filter((name) => defined.has(name))
  if (instrumented.length === 0) return
  let callers: Iterable<string> = facts.definedFunctions
  if (scan.functions.length === facts.definedFunctions.length) {
    const printed = new Set(
      facts.definedFunctions.flatMap((name, i) => (changing.has(name) ? [scan.functions[i]!.name] : [])),
    )
    callers = facts.definedFunctions.filter((_, i) =>
      [...scan.functions[i]!.calls].some((callee) => printed.has(callee)),
    )
  }
  try {
    addFastClones(binaryen as unknown as FastCloneApi, mod as never, instrumented, callers)
  } catch (error) {
    if (!(error instanceof UnwalkableExpression)) throw error
    throw new TransformFailure(
      'ASYNCIFY_BINARYEN_FAILED',
      `the fast copies of the instrumented functions could not be made (${error.message})`,
      'Please report this with the .wasm file',
    )
  }
}

/**
 * The options without `missing` in the only-list. When nothing is left, nothing is instrumented: an empty
 * only-list would mean "no list", so the remove-list takes every function instead.
 */
function withoutNames(options: TransformOptions, missing: string[]): TransformOptions {
  const onlyList = options.onlyList.filter((name) => !missing.includes(name))
  return onlyList.length > 0 ? { ...options, onlyList } : { ...options, onlyList, removeList: ['*'] }
}

// ---------------------------------------------------------------------------------------------
// Meta
// ---------------------------------------------------------------------------------------------

function importsMeta(facts: ModuleFacts, options: TransformOptions): ImportMeta[] {
  return facts.imports
    .filter((entry) => entry.module !== 'asyncify') // the pass turns these into internal calls
    .map((entry) => {
      const meta: ImportMeta = { module: entry.module, name: entry.name, kind: entry.kind }
      if (entry.sig) meta.sig = entry.sig
      if (entry.kind === 'function')
        meta.suspending = isAsyncImport(`${entry.module}.${entry.name}`, options.asyncImports)
      return meta
    })
}

/**
 * For JSPI: can a call of this function (internal name) reach an async import? The call graph of the input,
 * with every indirect call counted as reaching one; unlike `changing`, `ignoreIndirect` and the lists play no
 * part, because they change what Asyncify instruments, not what the code calls.
 */
function reachers(scan: TextScan, options: TransformOptions): (internal: string) => boolean {
  const reaching = estimateInstrumented(scan, {
    asyncImports: options.asyncImports,
    ignoreIndirect: false,
    addList: [],
    removeList: [],
    onlyList: [],
  })
  return (internal) => {
    // an exported import is the import itself
    const imported = scan.importedFunctions.get(internal)
    return imported === undefined ? reaching.has(internal) : isAsyncImport(imported, options.asyncImports)
  }
}

/**
 * With `ignoreIndirect`, an async import that no export reaches through direct calls alone can only be reached
 * through a function pointer: Asyncify will not instrument that path, so a pause there rejects
 * (ASYNCIFY_NOT_INSTRUMENTED or ASYNCIFY_UNWIND_FAILED). Say so at build time.
 */
function indirectOnlyWarnings(facts: ModuleFacts, scan: TextScan, options: TransformOptions): string[] {
  const exported = facts.exports.filter((entry) => entry.kind === 'function').map((entry) => entry.internal)
  const asyncImports = facts.imports.filter(
    (entry) =>
      entry.kind === 'function' &&
      entry.module !== 'asyncify' &&
      isAsyncImport(`${entry.module}.${entry.name}`, options.asyncImports),
  )
  const reachedBy = (name: string, ignoreIndirect: boolean) => {
    const changing = estimateInstrumented(scan, { ...options, asyncImports: [name], ignoreIndirect })
    return exported.some((internal) => changing.has(internal))
  }
  return asyncImports
    .map((entry) => `${entry.module}.${entry.name}`)
    .filter((name) => !reachedBy(name, true) && reachedBy(name, false))
    .map(
      (name) =>
        `asyncImports entry "${name}" is reached only through function pointers, and ignoreIndirect is on: a pause there cannot be resumed (the call rejects with ASYNCIFY_NOT_INSTRUMENTED). Turn off ignoreIndirect, or add the functions on that path to addList with propagateAddList`,
    )
}

function exportsMeta(
  facts: ModuleFacts,
  changing: Set<string> | undefined,
  reaches: ((internal: string) => boolean) | undefined,
): ExportMeta[] {
  return (
    facts.exports
      // Only the input's exports: the build's own (asyncify_*, __asyncify_* helpers) are added after `facts`.
      .map((entry) => {
        const meta: ExportMeta = { name: entry.name, kind: entry.kind }
        if (entry.sig) meta.sig = entry.sig
        if (entry.kind === 'function') {
          if (changing) meta.suspending = changing.has(entry.internal)
          if (reaches && !reaches(entry.internal)) meta.reachesAsyncImport = false
        }
        return meta
      })
  )
}

// ---------------------------------------------------------------------------------------------
// Binaryen errors
// ---------------------------------------------------------------------------------------------

/** Binaryen's `WASM_UNREACHABLE`/`assert` end in emscripten's abort: `RuntimeError: Aborted(...)`. */
export function isAbort(error: unknown): boolean {
  return (
    error instanceof WebAssembly.RuntimeError ||
    (error instanceof Error && /^(RuntimeError: )?Aborted/.test(error.message))
  )
}

function abortFailure(binaryen: Binaryen, error: unknown, stderr: string): TransformFailure {
  const failure = new TransformFailure(
    'ASYNCIFY_BINARYEN_FAILED',
    `Binaryen aborted (${firstLines(stderr, 2) || messageOf(binaryen, error)})`,
    'This is a Binaryen limitation or bug; please report it with the .wasm file',
    stderr.trim() || undefined,
  )
  failure.restart = true
  return failure
}

/** Pass errors are emscripten C++ exception objects, not `Error`s: ask Binaryen for the text. */
function messageOf(binaryen: Binaryen, error: unknown): string {
  if (error instanceof Error) return error.message
  try {
    const [, message] = binaryen.getExceptionMessage(error)
    if (message) return message
  } catch {
    // not a C++ exception either
  }
  return String(error)
}

function splitLines(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trimEnd())
    .filter(Boolean)
}

function firstLines(text: string, count: number): string {
  return splitLines(text).slice(0, count).join('; ')
}
