/**
 * What a Binaryen module contains (imports, exports, signatures, memories) and the pre-scan of constructs
 * the Asyncify pass cannot handle. Runs in the worker, next to the transform. Binaryen has no API to list
 * memories or tags, and none to find instructions cheaply, so both come from its text output, scanned with
 * line-anchored patterns (a string in a data segment can never start a line of a function body).
 */

import type { ExternKind, FuncSig, ValType } from '@unplugin-asyncify/runtime'
import type { Binaryen, BinaryenModule, TypeId } from './binaryen/api.ts'

export interface ImportFact {
  module: string
  name: string
  kind: ExternKind
  /** Binaryen's internal name (functions, globals, memories). */
  internal: string
  sig?: FuncSig
}

export interface ExportFact {
  name: string
  kind: ExternKind
  /** Internal name of the exported function/global/memory. */
  internal: string
  sig?: FuncSig
}

export interface MemoryFact {
  internal: string
  importModule?: string
  importName?: string
  initial: number
  maximum?: number
  shared: boolean
  is64: boolean
  exportNames: string[]
}

export interface ModuleFacts {
  imports: ImportFact[]
  exports: ExportFact[]
  memories: MemoryFact[]
  /** Internal names of functions with a body. */
  definedFunctions: string[]
}

const KIND_BY_BINARYEN: Record<number, ExternKind> = {}

function externKind(binaryen: Binaryen, kind: number): ExternKind {
  if (Object.keys(KIND_BY_BINARYEN).length === 0) {
    KIND_BY_BINARYEN[binaryen.ExternalFunction] = 'function'
    KIND_BY_BINARYEN[binaryen.ExternalTable] = 'table'
    KIND_BY_BINARYEN[binaryen.ExternalMemory] = 'memory'
    KIND_BY_BINARYEN[binaryen.ExternalGlobal] = 'global'
    KIND_BY_BINARYEN[binaryen.ExternalTag] = 'tag'
  }
  return KIND_BY_BINARYEN[kind] ?? 'function'
}

const BASIC_TYPES = [
  'i32',
  'i64',
  'f32',
  'f64',
  'v128',
  'funcref',
  'externref',
  'anyref',
  'eqref',
  'i31ref',
  'structref',
  'arrayref',
  'stringref',
  'nullref',
  'nullexternref',
  'nullfuncref',
  'exnref',
] as const

/** Type ids to text. Ids of non-basic reference types (`(ref $t)`) are not stable names, so they print as `ref`. */
export function typeNames(binaryen: Binaryen, type: TypeId): ValType[] {
  return binaryen.expandType(type).map((id) => {
    for (const name of BASIC_TYPES)
      if ((binaryen as unknown as Record<string, number>)[name] === id) return name
    return 'ref'
  })
}

function signature(binaryen: Binaryen, mod: BinaryenModule, internal: string): FuncSig {
  const info = binaryen.getFunctionInfo(mod.getFunction(internal))
  return { params: typeNames(binaryen, info.params), results: typeNames(binaryen, info.results) }
}

/** `$name` or `$"quoted name"` as Binaryen prints it. */
const NAME = String.raw`\$(?:"(?:[^"\\]|\\.)*"|[^\s()]+)`
const STRING = String.raw`"(?:[^"\\]|\\.)*"`
const IMPORT_LINE = new RegExp(
  String.raw`^ \(import (${STRING}) (${STRING}) \((func|table|memory|global|tag) (${NAME})`,
)
const MEMORY_LINE = new RegExp(String.raw`^ \(memory (${NAME})`)

/** Undo Binaryen's text escapes in a `$name` or string token. */
export function unescapeToken(token: string): string {
  let text = token.startsWith('$') ? token.slice(1) : token
  if (!text.startsWith('"')) return text
  text = text.slice(1, -1)
  const bytes: number[] = []
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!
    if (char !== '\\') {
      bytes.push(...new TextEncoder().encode(char))
      continue
    }
    const next = text[++i]!
    const simple: Record<string, number> = { n: 10, t: 9, r: 13, '"': 34, "'": 39, '\\': 92 }
    if (next in simple) bytes.push(simple[next]!)
    else {
      bytes.push(Number.parseInt(text.slice(i, i + 2), 16))
      i++
    }
  }
  return new TextDecoder().decode(new Uint8Array(bytes))
}

/** Read imports, exports, memories and defined functions. `text` is `mod.emitText()`. */
export function inspectModule(binaryen: Binaryen, mod: BinaryenModule, text: string): ModuleFacts {
  const imports: ImportFact[] = []
  const memories: MemoryFact[] = []
  const memoryByName = new Map<string, MemoryFact>()
  const addMemory = (internal: string) => {
    const info = mod.getMemoryInfo(internal)
    const fact: MemoryFact = {
      internal,
      initial: info.initial,
      shared: info.shared,
      is64: info.is64,
      exportNames: [],
    }
    if (info.max !== undefined) fact.maximum = info.max
    if (info.module) {
      fact.importModule = info.module
      fact.importName = info.base ?? ''
    }
    memories.push(fact)
    memoryByName.set(internal, fact)
  }

  for (const line of text.split('\n')) {
    if (line.startsWith(' (func ')) break // module fields come before the functions
    const imported = IMPORT_LINE.exec(line)
    if (imported) {
      const kind = imported[3] === 'func' ? 'function' : (imported[3] as ExternKind)
      const internal = unescapeToken(imported[4]!)
      const fact: ImportFact = {
        module: unescapeToken(imported[1]!),
        name: unescapeToken(imported[2]!),
        kind,
        internal,
      }
      if (kind === 'function') fact.sig = signature(binaryen, mod, internal)
      if (kind === 'memory') addMemory(internal)
      imports.push(fact)
      continue
    }
    const memory = MEMORY_LINE.exec(line)
    if (memory) addMemory(unescapeToken(memory[1]!))
  }

  const exports: ExportFact[] = []
  for (let i = 0; i < mod.getNumExports(); i++) {
    const info = binaryen.getExportInfo(mod.getExportByIndex(i))
    const kind = externKind(binaryen, info.kind)
    const fact: ExportFact = { name: info.name, kind, internal: info.value }
    if (kind === 'function') fact.sig = signature(binaryen, mod, info.value)
    if (kind === 'memory') memoryByName.get(info.value)?.exportNames.push(info.name)
    exports.push(fact)
  }

  const definedFunctions: string[] = []
  for (let i = 0; i < mod.getNumFunctions(); i++) {
    const info = binaryen.getFunctionInfo(mod.getFunctionByIndex(i))
    if (!info.module) definedFunctions.push(info.name)
  }
  return { imports, exports, memories, definedFunctions }
}

// ---------------------------------------------------------------------------------------------
// Pre-scan of function bodies
// ---------------------------------------------------------------------------------------------

export interface FunctionScan {
  /** Name as printed (for messages); unnamed functions print as `$<index>`. */
  name: string
  calls: Set<string>
  callIndirect: boolean
  callRef: boolean
  tailCall: boolean
  tryTable: boolean
  memoryGrowOrSize: boolean
  /** A parameter or local of reference type: Asyncify cannot save it if it is live across a pause. */
  referenceLocals: boolean
  /** A non-nullable reference local or result: Binaryen aborts when it has to instrument the function. */
  nonNullableReference: boolean
  /** Callees called inside a legacy `catch`/`catch_all` body: Asyncify cannot rewind into one. */
  catchCalls: Set<string>
  /** A call_indirect inside such a body. */
  catchIndirect: boolean
}

export interface TextScan {
  functions: FunctionScan[]
  /** Printed name -> `module.base` for function imports. */
  importedFunctions: Map<string, string>
  /** Printed name -> first export name, for naming functions that have no name of their own. */
  exportedFunctions: Map<string, string>
}

/** How messages name a function: unnamed functions print as an index, so prefer their export name. */
export function describeFunction(scan: TextScan, name: string): string {
  const exported = scan.exportedFunctions.get(name)
  return exported !== undefined && /^\d+$/.test(name) ? `"${exported}" (exported, unnamed)` : `"${name}"`
}

const EXPORT_FUNC_LINE = new RegExp(String.raw`^ \(export (${STRING}) \(func (${NAME})\)`)
const FUNC_START = new RegExp(String.raw`^ \(func (${NAME})`)
const INSTRUCTION = new RegExp(
  String.raw`^\s+\((call_ref|return_call_ref|return_call_indirect|return_call|call_indirect|call|try_table|memory\.grow|memory\.size)\b(?:\s+(${NAME}))?`,
)
const LOCAL_LINE = /^ {2}\(local /
/** `(catch $tag` or `(catch_all` of legacy exception handling, with its indentation. */
const CATCH_LINE = /^(\s+)\((?:catch|catch_all)\b/
const REFERENCE_TYPE =
  /\b(?:func|extern|any|eq|i31|struct|array|string|none|noextern|nofunc|exn|noexn|cont|nocont|null|nullextern|nullfunc)ref\b|\(ref\b/
const NON_NULLABLE = /\(ref (?!null\b)/

/** One pass over the printed module: per-function facts for the pre-scan and the instrumentation estimate. */
export function scanText(text: string): TextScan {
  const functions: FunctionScan[] = []
  const importedFunctions = new Map<string, string>()
  const exportedFunctions = new Map<string, string>()
  let current: FunctionScan | undefined
  /** Indentation of the `(catch` lines whose bodies enclose the current line. */
  const catches: number[] = []
  for (const line of text.split('\n')) {
    if (!current) {
      const exported = EXPORT_FUNC_LINE.exec(line)
      if (exported) {
        const internal = unescapeToken(exported[2]!)
        if (!exportedFunctions.has(internal)) exportedFunctions.set(internal, unescapeToken(exported[1]!))
        continue
      }
      const imported = IMPORT_LINE.exec(line)
      if (imported && imported[3] === 'func') {
        importedFunctions.set(
          unescapeToken(imported[4]!),
          `${unescapeToken(imported[1]!)}.${unescapeToken(imported[2]!)}`,
        )
      }
    }
    const start = FUNC_START.exec(line)
    if (start) {
      const header = line.replace(new RegExp(NAME, 'g'), '$_')
      current = {
        name: unescapeToken(start[1]!),
        calls: new Set(),
        callIndirect: false,
        callRef: false,
        tailCall: false,
        tryTable: false,
        memoryGrowOrSize: false,
        referenceLocals: REFERENCE_TYPE.test(header.replace(/\(result .*$/, '')),
        nonNullableReference: NON_NULLABLE.test(header.replace(/\(type \$_\)/, '')),
        catchCalls: new Set(),
        catchIndirect: false,
      }
      functions.push(current)
      catches.length = 0
      continue
    }
    if (!current) continue
    // Binaryen indents one space per level: a catch body is every line indented deeper than its `(catch`.
    const indent = line.length - line.trimStart().length
    while (catches.length > 0 && indent <= catches[catches.length - 1]!) catches.pop()
    const catchLine = CATCH_LINE.exec(line)
    if (catchLine) {
      catches.push(catchLine[1]!.length)
      continue
    }
    if (LOCAL_LINE.test(line)) {
      const local = line.replace(new RegExp(NAME, 'g'), '$_')
      if (REFERENCE_TYPE.test(local)) current.referenceLocals = true
      if (NON_NULLABLE.test(local)) current.nonNullableReference = true
      continue
    }
    const instruction = INSTRUCTION.exec(line)
    if (!instruction) continue
    switch (instruction[1]) {
      case 'call':
        if (instruction[2]) {
          current.calls.add(unescapeToken(instruction[2]))
          if (catches.length > 0) current.catchCalls.add(unescapeToken(instruction[2]))
        }
        break
      case 'call_indirect':
        current.callIndirect = true
        if (catches.length > 0) current.catchIndirect = true
        break
      case 'call_ref':
        current.callRef = true
        break
      case 'return_call_ref':
        current.callRef = true
        current.tailCall = true
        break
      case 'return_call':
      case 'return_call_indirect':
        current.tailCall = true
        break
      case 'try_table':
        current.tryTable = true
        break
      default:
        current.memoryGrowOrSize = true
    }
  }
  return { functions, importedFunctions, exportedFunctions }
}

/** Binaryen's `String::wildcardMatch`: `*` matches any run of characters. */
export function wildcardMatch(pattern: string, value: string): boolean {
  if (!pattern.includes('*')) return pattern === value
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*')
  return new RegExp(`^${source}$`, 's').test(value)
}

/** `module.name` may pause: it matches `asyncImports`, or there is no list and every import may. */
export function isAsyncImport(qualified: string, asyncImports: string[] | undefined): boolean {
  return asyncImports === undefined || asyncImports.some((pattern) => wildcardMatch(pattern, qualified))
}

export interface InstrumentEstimateOptions {
  asyncImports: string[] | undefined
  ignoreIndirect: boolean
  addList: string[]
  removeList: string[]
  onlyList: string[]
}

/** In-wasm runtime calls that start a pause or end a resume: their callers are the runtime's top. */
export const TOP_RUNTIME: ReadonlySet<string> = new Set(['asyncify.start_unwind', 'asyncify.stop_rewind'])
const BOTTOM_RUNTIME = new Set(['asyncify.stop_unwind', 'asyncify.start_rewind'])

/**
 * Functions the pass may instrument, estimated the way `Asyncify.cpp` decides (initial scan, remove-list,
 * backward propagation over direct calls, only/add lists). It errs on the side of "instrumented", so the
 * pre-scan refuses a module rather than letting Binaryen abort.
 */
export function estimateInstrumented(scan: TextScan, options: InstrumentEstimateOptions): Set<string> {
  const matches = (list: string[], name: string) => list.some((pattern) => wildcardMatch(pattern, name))
  if (options.onlyList.length > 0) {
    return new Set(scan.functions.filter((f) => matches(options.onlyList, f.name)).map((f) => f.name))
  }
  const importCanPause = (qualified: string) =>
    TOP_RUNTIME.has(qualified) ||
    (!qualified.startsWith('asyncify.') && isAsyncImport(qualified, options.asyncImports))
  const changing = new Set<string>()
  const runtimeTop = new Set<string>()
  const runtimeBottom = new Set<string>()
  for (const fn of scan.functions) {
    if (matches(options.removeList, fn.name)) continue
    for (const callee of fn.calls) {
      const qualified = scan.importedFunctions.get(callee)
      if (qualified === undefined) continue
      if (TOP_RUNTIME.has(qualified)) runtimeTop.add(fn.name)
      if (BOTTOM_RUNTIME.has(qualified)) runtimeBottom.add(fn.name)
      if (importCanPause(qualified)) changing.add(fn.name)
    }
    if (fn.callIndirect && !options.ignoreIndirect) changing.add(fn.name)
  }
  for (const fn of scan.functions) {
    if (matches(options.addList, fn.name)) changing.add(fn.name)
  }
  // Propagate to callers until nothing changes (call graphs are small next to what Binaryen does per function).
  let grew = true
  while (grew) {
    grew = false
    for (const fn of scan.functions) {
      if (changing.has(fn.name) || runtimeBottom.has(fn.name) || matches(options.removeList, fn.name))
        continue
      for (const callee of fn.calls) {
        if (changing.has(callee) && !runtimeBottom.has(callee)) {
          changing.add(fn.name)
          grew = true
          break
        }
      }
    }
  }
  for (const name of runtimeTop) changing.delete(name)
  for (const name of runtimeBottom) changing.delete(name)
  return changing
}
