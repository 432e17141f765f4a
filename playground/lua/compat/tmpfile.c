/* wasi-libc declares tmpfile() but does not define it (WASI has no temporary directory); liolib.c calls it
   unconditionally for io.tmpfile. Fail the way C allows: NULL with errno, so Lua returns nil + message. */
#include <errno.h>
#include <stdio.h>

FILE *tmpfile(void) {
  errno = ENOTSUP;
  return NULL;
}
