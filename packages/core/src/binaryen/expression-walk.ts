/**
 * Replacing expressions anywhere in a function body through binaryen.js, which has no generic walker: each
 * expression class has its own child getters/setters, listed here. Kinds missing from the table and not known
 * to be leaves make the walk fail, so a caller never believes it saw every expression when it did not.
 */

/** `[getter, setter]` of one child, or `[counter, getterAt, setterAt]` of a list of children. */
type Slot = readonly [string, string] | readonly [string, string, string]

const LIST = (name: string, plural = `${name}s`): Slot => [`getNum${plural}`, `get${name}At`, `set${name}At`]
const ONE = (name: string): Slot => [`get${name}`, `set${name}`]

/** Class name in binaryen.js -> its children, in evaluation order. */
const CHILDREN: Record<string, readonly Slot[]> = {
  Block: [LIST('Child', 'Children')],
  If: [ONE('Condition'), ONE('IfTrue'), ONE('IfFalse')],
  Loop: [ONE('Body')],
  Break: [ONE('Value'), ONE('Condition')],
  Switch: [ONE('Value'), ONE('Condition')],
  Call: [LIST('Operand')],
  CallIndirect: [LIST('Operand'), ONE('Target')],
  CallRef: [LIST('Operand'), ONE('Target')],
  LocalSet: [ONE('Value')],
  GlobalSet: [ONE('Value')],
  TableGet: [ONE('Index')],
  TableSet: [ONE('Index'), ONE('Value')],
  TableGrow: [ONE('Value'), ONE('Delta')],
  MemoryGrow: [ONE('Delta')],
  Load: [ONE('Ptr')],
  Store: [ONE('Ptr'), ONE('Value')],
  Unary: [ONE('Value')],
  Binary: [ONE('Left'), ONE('Right')],
  Select: [ONE('IfTrue'), ONE('IfFalse'), ONE('Condition')],
  Drop: [ONE('Value')],
  Return: [ONE('Value')],
  AtomicRMW: [ONE('Ptr'), ONE('Value')],
  AtomicCmpxchg: [ONE('Ptr'), ONE('Expected'), ONE('Replacement')],
  AtomicWait: [ONE('Ptr'), ONE('Expected'), ONE('Timeout')],
  AtomicNotify: [ONE('Ptr'), ONE('NotifyCount')],
  SIMDExtract: [ONE('Vec')],
  SIMDReplace: [ONE('Vec'), ONE('Value')],
  SIMDShuffle: [ONE('Left'), ONE('Right')],
  SIMDTernary: [ONE('A'), ONE('B'), ONE('C')],
  SIMDShift: [ONE('Vec'), ONE('Shift')],
  SIMDLoad: [ONE('Ptr')],
  SIMDLoadStoreLane: [ONE('Ptr'), ONE('Vec')],
  MemoryInit: [ONE('Dest'), ONE('Offset'), ONE('Size')],
  MemoryCopy: [ONE('Dest'), ONE('Source'), ONE('Size')],
  MemoryFill: [ONE('Dest'), ONE('Value'), ONE('Size')],
  RefIsNull: [ONE('Value')],
  RefAs: [ONE('Value')],
  RefEq: [ONE('Left'), ONE('Right')],
  RefTest: [ONE('Ref')],
  RefCast: [ONE('Ref')],
  BrOn: [ONE('Ref')],
  StructNew: [LIST('Operand')],
  StructGet: [ONE('Ref')],
  StructSet: [ONE('Ref'), ONE('Value')],
  ArrayNew: [ONE('Init'), ONE('Size')],
  ArrayNewFixed: [LIST('Value')],
  ArrayNewData: [ONE('Offset'), ONE('Size')],
  ArrayNewElem: [ONE('Offset'), ONE('Size')],
  ArrayGet: [ONE('Ref'), ONE('Index')],
  ArraySet: [ONE('Ref'), ONE('Index'), ONE('Value')],
  ArrayLen: [ONE('Ref')],
  ArrayFill: [ONE('Ref'), ONE('Index'), ONE('Value'), ONE('Size')],
  ArrayCopy: [ONE('DestRef'), ONE('DestIndex'), ONE('SrcRef'), ONE('SrcIndex'), ONE('Length')],
  ArrayInitData: [ONE('Ref'), ONE('Index'), ONE('Offset'), ONE('Size')],
  ArrayInitElem: [ONE('Ref'), ONE('Index'), ONE('Offset'), ONE('Size')],
  Try: [ONE('Body'), LIST('CatchBody', 'CatchBodies')],
  Throw: [LIST('Operand')],
  TupleMake: [LIST('Operand')],
  TupleExtract: [ONE('Tuple')],
  RefI31: [ONE('Value')],
  I31Get: [ONE('I31')],
}

/** Expressions without children. */
const LEAVES = [
  'Nop',
  'LocalGet',
  'GlobalGet',
  'Const',
  'MemorySize',
  'TableSize',
  'AtomicFence',
  'DataDrop',
  'RefFunc',
  'RefNull',
  'Rethrow',
  'Unreachable',
  'Pop',
] as const

export type ExpressionRef = number

/** What the walk needs from binaryen.js: expression ids and the per-class accessors. */
export type WalkApi = Record<string, unknown> & { getExpressionId(expr: ExpressionRef): number }

export class UnwalkableExpression extends Error {}

interface Kinds {
  byId: Map<number, readonly Slot[] | undefined>
  classes: Map<number, Record<string, (...args: number[]) => number>>
}

let cached: { api: WalkApi; kinds: Kinds } | undefined

function kindsOf(api: WalkApi): Kinds {
  if (cached?.api === api) return cached.kinds
  const byId = new Map<number, readonly Slot[] | undefined>()
  const classes = new Map<number, Record<string, (...args: number[]) => number>>()
  for (const [name, slots] of Object.entries(CHILDREN)) {
    const id = api[`${name}Id`]
    if (typeof id !== 'number') continue
    byId.set(id, slots)
    classes.set(id, api[name] as Record<string, (...args: number[]) => number>)
  }
  for (const name of LEAVES) {
    const id = api[`${name}Id`]
    if (typeof id === 'number') byId.set(id, undefined)
  }
  cached = { api, kinds: { byId, classes } }
  return cached.kinds
}

/**
 * Walks `body` in post-order and lets `replace` swap any expression for another (return `undefined` to keep
 * it). Returns the new body (the root may be replaced too). Throws `UnwalkableExpression` on a kind the table
 * does not know.
 */
export function replaceExpressions(
  api: WalkApi,
  body: ExpressionRef,
  replace: (expr: ExpressionRef, id: number) => ExpressionRef | undefined,
): ExpressionRef {
  const kinds = kindsOf(api)
  const visit = (expr: ExpressionRef): ExpressionRef => {
    if (!expr) return expr
    const id = api.getExpressionId(expr)
    if (!kinds.byId.has(id)) throw new UnwalkableExpression(`expression id ${id}`)
    const slots = kinds.byId.get(id)
    if (slots) {
      const accessors = kinds.classes.get(id)!
      for (const slot of slots) {
        if (slot.length === 2) {
          const child = accessors[slot[0]]!(expr)
          const next = visit(child)
          if (next !== child) accessors[slot[1]]!(expr, next)
        } else {
          const count = accessors[slot[0]]!(expr)
          for (let i = 0; i < count; i++) {
            const child = accessors[slot[1]]!(expr, i)
            const next = visit(child)
            if (next !== child) accessors[slot[2]]!(expr, i, next)
          }
        }
      }
    }
    return replace(expr, id) ?? expr
  }
  return visit(body)
}

/**
 * The children of `expr` in evaluation order (empty for leaves). Throws `UnwalkableExpression` on a kind the
 * table does not know.
 */
export function childrenOf(api: WalkApi, expr: ExpressionRef): ExpressionRef[] {
  const kinds = kindsOf(api)
  const id = api.getExpressionId(expr)
  if (!kinds.byId.has(id)) throw new UnwalkableExpression(`expression id ${id}`)
  const slots = kinds.byId.get(id)
  const children: ExpressionRef[] = []
  if (!slots) return children
  const accessors = kinds.classes.get(id)!
  for (const slot of slots) {
    if (slot.length === 2) {
      const child = accessors[slot[0]]!(expr)
      if (child) children.push(child)
    } else {
      const count = accessors[slot[0]]!(expr)
      for (let i = 0; i < count; i++) children.push(accessors[slot[1]]!(expr, i))
    }
  }
  return children
}
