/**
 * `@unplugin-asyncify/wasi/node`: a directory of the host's file system, preopened for the program (Node only).
 * Every path the program opens is resolved inside that directory: `..` and symbolic links cannot lead out
 * (ENOTCAPABLE). Reads and writes go to the real files with synchronous `node:fs` calls.
 */
import {
  closeSync,
  constants,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  realpathSync,
  rmdirSync,
  type Stats,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs'
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path'
import { Fd, wasi } from '@bjorn3/browser_wasi_shim'
import { fail } from './errors.ts'
import type { WasiPreopen } from './options.ts'

/** Node's error codes as WASI errnos; anything else is EIO. */
const ERRNOS: Record<string, number> = {
  ENOENT: wasi.ERRNO_NOENT,
  EEXIST: wasi.ERRNO_EXIST,
  ENOTDIR: wasi.ERRNO_NOTDIR,
  EISDIR: wasi.ERRNO_ISDIR,
  EACCES: wasi.ERRNO_ACCES,
  EPERM: wasi.ERRNO_PERM,
  ENOTEMPTY: wasi.ERRNO_NOTEMPTY,
  EBADF: wasi.ERRNO_BADF,
  EINVAL: wasi.ERRNO_INVAL,
  ENOSPC: wasi.ERRNO_NOSPC,
  EMFILE: wasi.ERRNO_MFILE,
  ELOOP: wasi.ERRNO_LOOP,
  ENAMETOOLONG: wasi.ERRNO_NAMETOOLONG,
}

function errno(error: unknown): number {
  return ERRNOS[(error as NodeJS.ErrnoException).code ?? ''] ?? wasi.ERRNO_IO
}

function filetype(stats: Stats): number {
  if (stats.isDirectory()) return wasi.FILETYPE_DIRECTORY
  if (stats.isFile()) return wasi.FILETYPE_REGULAR_FILE
  if (stats.isSymbolicLink()) return wasi.FILETYPE_SYMBOLIC_LINK
  if (stats.isCharacterDevice()) return wasi.FILETYPE_CHARACTER_DEVICE
  if (stats.isBlockDevice()) return wasi.FILETYPE_BLOCK_DEVICE
  return wasi.FILETYPE_UNKNOWN
}

function filestat(stats: Stats): wasi.Filestat {
  const stat = new wasi.Filestat(BigInt(stats.ino), filetype(stats), BigInt(stats.size))
  stat.nlink = BigInt(stats.nlink)
  stat.atim = BigInt(Math.round(stats.atimeMs * 1e6))
  stat.mtim = BigInt(Math.round(stats.mtimeMs * 1e6))
  stat.ctim = BigInt(Math.round(stats.ctimeMs * 1e6))
  return stat
}

/** Every right of WASI preview1 (bits 0 to 28). */
const ALL_RIGHTS = (1n << 29n) - 1n

const inside = (root: string, path: string) => path === root || path.startsWith(root + sep)

/** The sandbox: one real directory, and the check that a path stays in it. */
class HostRoot {
  readonly real: string
  constructor(path: string) {
    this.real = realpathSync(path)
  }

  /** The host path of `path` (relative to `dir`), or undefined when it would leave the root. */
  resolve(dir: string, path: string): string | undefined {
    if (isAbsolute(path)) return undefined
    const target = resolve(dir, path)
    if (!inside(this.real, target)) return undefined
    // the deepest part that exists, with its links resolved, must still be inside
    let existing = target
    for (;;) {
      try {
        if (!inside(this.real, realpathSync(existing))) return undefined
        return target
      } catch {
        if (existing === this.real) return target
        existing = dirname(existing)
      }
    }
  }
}

class OpenHostFile extends Fd {
  private position = 0n
  private fd: number
  private readonly append: boolean
  constructor(fd: number, append: boolean) {
    super()
    this.fd = fd
    this.append = append
  }
  override fd_read(size: number) {
    const data = new Uint8Array(size)
    try {
      const n = readSync(this.fd, data, 0, size, Number(this.position))
      this.position += BigInt(n)
      return { ret: wasi.ERRNO_SUCCESS, data: data.subarray(0, n) }
    } catch (error) {
      return { ret: errno(error), data: new Uint8Array() }
    }
  }
  override fd_pread(size: number, offset: bigint) {
    const data = new Uint8Array(size)
    try {
      const n = readSync(this.fd, data, 0, size, Number(offset))
      return { ret: wasi.ERRNO_SUCCESS, data: data.subarray(0, n) }
    } catch (error) {
      return { ret: errno(error), data: new Uint8Array() }
    }
  }
  override fd_write(data: Uint8Array) {
    try {
      if (this.append) this.position = BigInt(fstatSync(this.fd).size)
      const n = writeSync(this.fd, data, 0, data.length, Number(this.position))
      this.position += BigInt(n)
      return { ret: wasi.ERRNO_SUCCESS, nwritten: n }
    } catch (error) {
      return { ret: errno(error), nwritten: 0 }
    }
  }
  override fd_pwrite(data: Uint8Array, offset: bigint) {
    try {
      return { ret: wasi.ERRNO_SUCCESS, nwritten: writeSync(this.fd, data, 0, data.length, Number(offset)) }
    } catch (error) {
      return { ret: errno(error), nwritten: 0 }
    }
  }
  override fd_seek(offset: bigint, whence: number) {
    let base = 0n
    if (whence === wasi.WHENCE_CUR) base = this.position
    else if (whence === wasi.WHENCE_END) base = BigInt(fstatSync(this.fd).size)
    else if (whence !== wasi.WHENCE_SET) return { ret: wasi.ERRNO_INVAL, offset: 0n }
    if (base + offset < 0n) return { ret: wasi.ERRNO_INVAL, offset: 0n }
    this.position = base + offset
    return { ret: wasi.ERRNO_SUCCESS, offset: this.position }
  }
  override fd_tell() {
    return { ret: wasi.ERRNO_SUCCESS, offset: this.position }
  }
  override fd_filestat_get() {
    try {
      return { ret: wasi.ERRNO_SUCCESS, filestat: filestat(fstatSync(this.fd)) }
    } catch (error) {
      return { ret: errno(error), filestat: null }
    }
  }
  override fd_filestat_set_size(size: bigint) {
    try {
      ftruncateSync(this.fd, Number(size))
      return wasi.ERRNO_SUCCESS
    } catch (error) {
      return errno(error)
    }
  }
  override fd_fdstat_get() {
    return {
      ret: wasi.ERRNO_SUCCESS,
      fdstat: new wasi.Fdstat(wasi.FILETYPE_REGULAR_FILE, this.append ? wasi.FDFLAGS_APPEND : 0),
    }
  }
  override fd_sync() {
    try {
      fsyncSync(this.fd)
      return wasi.ERRNO_SUCCESS
    } catch (error) {
      return errno(error)
    }
  }
  override fd_close() {
    try {
      closeSync(this.fd)
      this.fd = -1
      return wasi.ERRNO_SUCCESS
    } catch (error) {
      return errno(error)
    }
  }
}

class OpenHostDirectory extends Fd {
  protected readonly root: HostRoot
  protected readonly path: string
  constructor(root: HostRoot, path: string) {
    super()
    this.root = root
    this.path = path
  }

  override fd_fdstat_get() {
    const fdstat = new wasi.Fdstat(wasi.FILETYPE_DIRECTORY, 0)
    // wasi-libc masks the rights it asks for in path_open with these: grant every right, so a file opened
    // for writing says so (the rights are how path_open tells reading from writing)
    fdstat.fs_rights_base = ALL_RIGHTS
    fdstat.fs_rights_inherited = ALL_RIGHTS
    return { ret: wasi.ERRNO_SUCCESS, fdstat }
  }
  override fd_filestat_get() {
    try {
      return { ret: wasi.ERRNO_SUCCESS, filestat: filestat(statSync(this.path)) }
    } catch (error) {
      return { ret: errno(error), filestat: null }
    }
  }
  override fd_readdir_single(cookie: bigint) {
    try {
      if (cookie === 0n) return { ret: 0, dirent: new wasi.Dirent(1n, 0n, '.', wasi.FILETYPE_DIRECTORY) }
      if (cookie === 1n) return { ret: 0, dirent: new wasi.Dirent(2n, 0n, '..', wasi.FILETYPE_DIRECTORY) }
      const entries = readdirSync(this.path).sort()
      const name = entries[Number(cookie - 2n)]
      if (name === undefined) return { ret: 0, dirent: null }
      const stats = statSync(resolve(this.path, name), { throwIfNoEntry: false })
      const type = stats ? filetype(stats) : wasi.FILETYPE_UNKNOWN
      return { ret: 0, dirent: new wasi.Dirent(cookie + 1n, BigInt(stats?.ino ?? 0), name, type) }
    } catch (error) {
      return { ret: errno(error), dirent: null }
    }
  }

  /** `path` inside the root, or an errno. */
  private target(path: string): string | number {
    return this.root.resolve(this.path, path) ?? wasi.ERRNO_NOTCAPABLE
  }

  override path_filestat_get(_flags: number, path: string) {
    const target = this.target(path)
    if (typeof target === 'number') return { ret: target, filestat: null }
    try {
      return { ret: wasi.ERRNO_SUCCESS, filestat: filestat(statSync(target)) }
    } catch (error) {
      return { ret: errno(error), filestat: null }
    }
  }
  override path_open(
    _dirflags: number,
    path: string,
    oflags: number,
    rightsBase: bigint,
    _rightsInheriting: bigint,
    fdFlags: number,
  ) {
    const target = this.target(path)
    if (typeof target === 'number') return { ret: target, fd_obj: null }
    try {
      const stats = statSync(target, { throwIfNoEntry: false })
      if (stats?.isDirectory()) return { ret: 0, fd_obj: new OpenHostDirectory(this.root, target) }
      if ((oflags & wasi.OFLAGS_DIRECTORY) !== 0) {
        return { ret: stats ? wasi.ERRNO_NOTDIR : wasi.ERRNO_NOENT, fd_obj: null }
      }
      const write = (rightsBase & BigInt(wasi.RIGHTS_FD_WRITE)) !== 0n
      const read = (rightsBase & BigInt(wasi.RIGHTS_FD_READ)) !== 0n
      const append = (fdFlags & wasi.FDFLAGS_APPEND) !== 0
      let flags = write ? (read ? constants.O_RDWR : constants.O_WRONLY) : constants.O_RDONLY
      if (oflags & wasi.OFLAGS_CREAT) flags |= constants.O_CREAT
      if (oflags & wasi.OFLAGS_EXCL) flags |= constants.O_EXCL
      if (oflags & wasi.OFLAGS_TRUNC) flags |= constants.O_TRUNC
      return { ret: 0, fd_obj: new OpenHostFile(openSync(target, flags, 0o666), append) }
    } catch (error) {
      return { ret: errno(error), fd_obj: null }
    }
  }
  override path_create_directory(path: string) {
    return this.run(path, (target) => mkdirSync(target))
  }
  override path_unlink_file(path: string) {
    return this.run(path, (target) => unlinkSync(target))
  }
  override path_remove_directory(path: string) {
    return this.run(path, (target) => rmdirSync(target))
  }

  private run(path: string, action: (target: string) => void): number {
    const target = this.target(path)
    if (typeof target === 'number') return target
    if (target === this.root.real) return wasi.ERRNO_PERM
    try {
      action(target)
      return wasi.ERRNO_SUCCESS
    } catch (error) {
      return errno(error)
    }
  }
}

class HostPreopen extends OpenHostDirectory {
  private readonly name: string
  constructor(root: HostRoot, name: string) {
    super(root, root.real)
    this.name = name
  }
  override fd_prestat_get() {
    return { ret: wasi.ERRNO_SUCCESS, prestat: wasi.Prestat.dir(this.name) }
  }
}

/**
 * A host directory to preopen: `wasi: { preopens: { '/data': hostDirectory('./data') } }` lets the program
 * open `/data/...`, which are the files under `./data` (resolved from the current directory).
 */
export function hostDirectory(path: string): WasiPreopen {
  let root: HostRoot
  try {
    root = new HostRoot(path)
    if (!statSync(root.real).isDirectory())
      throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' })
  } catch (error) {
    throw fail(
      'WASI_HOST_FS',
      `preopen the host directory ${JSON.stringify(path)}`,
      `${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      `Pass an existing directory (relative paths start at ${JSON.stringify(relative('/', process.cwd()) || '/')})`,
      { cause: error },
    )
  }
  return { open: (name) => new HostPreopen(root, name) }
}
