"""The C allocator, set up for reading one page after another.

lexbor builds each page's tree in chunks it allocates itself and frees them all when the tree
goes. With glibc's default trim threshold, that free hands the top of the heap back to the
kernel (brk), and the next page asks for it again and faults every page of it back in: 4.4 brk
calls per page read, a sixth of the read's time. Keeping freed memory at the top of the heap up
to `settings.KEPT_FREE_MEMORY_BYTES` ends that; peak memory does not change, because the next
page reuses what the last one freed.
"""

from __future__ import annotations

import ctypes
import sys
from functools import cache

from wmkb.harvester import settings

_M_TRIM_THRESHOLD = -1  # glibc's malloc.h


@cache
def keep_freed_memory() -> bool:
    """Ask glibc to keep freed memory for reuse. False, changing nothing, where the C library
    is not glibc (musl has no mallopt; macOS and Windows have other allocators)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt  # the process's own C library
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    return mallopt(_M_TRIM_THRESHOLD, settings.KEPT_FREE_MEMORY_BYTES) == 1
