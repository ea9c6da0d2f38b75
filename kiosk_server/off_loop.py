"""Run CPU-bound work off the serving loop: in a native thread under gevent, inline otherwise.

Resolving manifests is pure computation; on gevent's loop it would hold every socket until done.
gevent's thread pool runs it in a real thread while the loop keeps serving (the interpreter switches
threads every few milliseconds). Only pure work goes there: database sessions stay on the loop.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def run_off_loop(work: Callable[..., T], *args: object) -> T:
    """``work(*args)``, in gevent's thread pool when this process serves with gevent."""
    if "gevent" in sys.modules:
        from gevent import get_hub, monkey

        if monkey.is_module_patched("threading"):
            result: T = get_hub().threadpool.apply(work, args)
            return result
    return work(*args)
