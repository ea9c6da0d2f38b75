"""Run the ``kiosk`` command line in the test process, with the environment an operator's shell would give it."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping

_CLEARED = ("KIOSK_DATA_DIR", "KIOSK_DATABASE_URL", "KIOSK_SECRET_KEY", "KIOSK_ASYNC_MODE")


def run_kiosk(env: Mapping[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """``kiosk ARGS`` through ``cli.main`` with ``env`` set (and the other KIOSK_* keys it reads cleared).

    In this process for speed: a subprocess costs about 3 s of imports per command.
    tests/e2e/test_console_first_admin.py runs the real executable.
    """
    from kiosk_server.cli import main

    keys = set(_CLEARED) | set(env)
    saved = {key: os.environ.get(key) for key in keys}
    out, err = io.StringIO(), io.StringIO()
    try:
        for key in keys:
            os.environ.pop(key, None)
        os.environ.update(env)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), _stdin(io.StringIO(stdin)):
            try:
                code = main(list(args))
            except SystemExit as exit_:  # argparse refuses a bad command line this way
                code = exit_.code if isinstance(exit_.code, int) else 2
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return subprocess.CompletedProcess(["kiosk", *args], code, out.getvalue(), err.getvalue())


@contextlib.contextmanager
def _stdin(stream: io.StringIO) -> Iterator[None]:
    saved = sys.stdin
    sys.stdin = stream
    try:
        yield
    finally:
        sys.stdin = saved
