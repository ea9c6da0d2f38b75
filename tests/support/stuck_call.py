"""A Socket.IO ``call`` that, when its answer never comes, says where every thread of the process was.

A test's client and the served app share one process, so a missing acknowledgement (a handler that
raised, a lock that was never released, a thread starved of the GIL) leaves its traces in the other
threads' stacks. They are written to the test's captured output before the timeout is raised again,
so a failure that happens once in a CI run can be read rather than guessed at.
"""

from __future__ import annotations

import sys
import threading
import traceback
from typing import Any

import socketio


def call_or_dump(sio: socketio.Client, event: str, data: Any, *, namespace: str, timeout: float) -> Any:
    """``sio.call(event, data)``; on a timeout, every thread's stack goes to stderr first."""
    try:
        return sio.call(event, data, namespace=namespace, timeout=timeout)
    except socketio.exceptions.TimeoutError:
        print(f"no answer to {event!r} on {namespace} within {timeout} s; the threads were at:", file=sys.stderr)
        print(thread_stacks(), file=sys.stderr)
        raise


def thread_stacks() -> str:
    """Every live thread's name and stack, innermost call last."""
    names = {thread.ident: thread.name for thread in threading.enumerate()}
    parts = []
    for ident, frame in sys._current_frames().items():
        parts.append(f"--- thread {names.get(ident, '?')} ({ident})\n" + "".join(traceback.format_stack(frame)))
    return "\n".join(parts)
