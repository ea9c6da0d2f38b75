"""Remote care on the kiosk: the agent executes ``device_command`` and answers ``command_result``.

The server sends ``{"id", "command", "args"}`` on ``/agent`` (docs/protocol.md, "Remote care"). The
link's reader hands it to ``handle``, which only queues it: one worker thread executes commands in
turn, so a slow screenshot never holds up the socket. What each command does:

- ``screenshot``: ``Page.captureScreenshot`` from the local Chromium (``devtools.py``), scaled to
  ``args.max_width``; the PNG goes as a binary attachment (larger than 4 MiB: ``too_large``).
- ``restart_agent``: answer ok, then exit with ``RESTART_STATUS``; systemd (``Restart=always``)
  starts the agent again.
- ``reboot``: answer ok, then ``systemctl reboot`` (allowed to the kiosk user by the polkit rule
  ``kiosk provision`` writes).
- ``doctor``: ``python -m provisioning doctor --json`` when provisioning is installed, its report as
  the result; else ``unsupported``.
- ``print``: handed to the printers' own worker (``printing.py``), so a slip never waits behind a
  doctor run; it answers by itself.

Anything else (``reload`` and ``identify`` are the kiosk page's) is answered ``unsupported``.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import sys
import threading
from collections import deque
from collections.abc import Callable
from typing import Any, Final

from devices.agent.devtools import DEVTOOLS_URL, DevToolsError, capture_screenshot
from devices.agent.queue_thread import STOP, QueueThread
from devices.agent.runner import Runner, SystemRunner

log = logging.getLogger(__name__)

DEVICE_COMMAND: Final = "device_command"  # server → agent (kiosk_server/events.py has the same names)
COMMAND_RESULT: Final = "command_result"  # agent → server, acknowledged
MAX_PNG_BYTES: Final = 4 * 1024 * 1024
MAX_WIDTH_LIMIT: Final = 8192
DEFAULT_MAX_WIDTH: Final = 1920
RESTART_STATUS: Final = 75  # EX_TEMPFAIL: "try again", and systemd's Restart=always does
DOCTOR_TIMEOUT: Final = 50.0  # the server gives a command 60 s
REBOOT_ARGV: Final = ("systemctl", "reboot")
UNSUPPORTED: Final = "unsupported"

Send = Callable[[str, dict[str, Any]], Any]


def _exit_process(status: int) -> None:
    logging.shutdown()
    os._exit(status)  # from a worker thread: sys.exit would end only the thread


def _doctor_installed() -> bool:
    try:
        return importlib.util.find_spec("provisioning.doctor") is not None
    except (ImportError, ValueError):
        return False


class RemoteCare:
    """Executes remote-care commands one at a time on its own thread and sends their results.

    ``runner`` runs ``systemctl`` and the doctor; ``exit`` ends the process (after ``before_exit``,
    the agent's clean stop); ``doctor_installed`` says whether ``provisioning.doctor`` is there.
    Tests pass recording versions of all three.
    """

    def __init__(
        self,
        *,
        runner: Runner | None = None,
        devtools_url: str = DEVTOOLS_URL,
        exit: Callable[[int], None] = _exit_process,  # noqa: A002 (the process's exit)
        doctor_installed: Callable[[], bool] = _doctor_installed,
        screenshot_timeout: float = 10.0,
    ) -> None:
        self._runner = runner or SystemRunner()
        self._devtools_url = devtools_url
        self._exit = exit
        self._doctor_installed = doctor_installed
        self._screenshot_timeout = screenshot_timeout
        self._send: Send | None = None
        self._before_exit: Callable[[], None] = lambda: None
        self._print: Callable[[dict[str, Any]], None] | None = None
        self._worker = QueueThread("agent-remote-care", self._work)
        self._queue = self._worker.queue
        self._seen: deque[int] = deque(maxlen=64)  # ids already taken: a resent command runs once
        self._lock = threading.Lock()

    def attach(
        self,
        send: Send,
        before_exit: Callable[[], None] | None = None,
        print_job: Callable[[dict[str, Any]], None] | None = None,
    ) -> None:
        """Where results go (the link's ``send``, which waits for the ack), what to do before exiting,
        and who takes ``print`` commands (``Printing.submit``)."""
        self._send = send
        if before_exit is not None:
            self._before_exit = before_exit
        if print_job is not None:
            self._print = print_job

    def start(self) -> None:
        """Start the worker; a second call while running does nothing."""
        self._worker.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the worker after the command in hand; safe to call twice."""
        self._worker.stop(timeout)

    def handle(self, data: Any = None) -> None:
        """The link's ``device_command`` handler: check the id, queue the command, return at once."""
        command_id = data.get("id") if isinstance(data, dict) else None
        if isinstance(command_id, bool) or not isinstance(command_id, int):
            log.warning("remote care: ignored a device_command without a numeric id")
            return
        with self._lock:
            if command_id in self._seen:
                log.info("remote care: command %d already taken; ignoring the repeat", command_id)
                return
            self._seen.append(command_id)
        if data.get("command") == "print" and self._print is not None:
            self._print(data)
            return
        self._queue.put(data)

    # the worker -----------------------------------------------------------------------------------

    def _work(self) -> None:
        while True:
            data = self._queue.get()
            if data is STOP:
                return
            try:
                self._execute(data)
            except Exception:  # the outermost loop of this thread: log and take the next command
                log.exception("remote care: command %s failed", data.get("id"))
                self._answer(data["id"], {"ok": False, "error": "agent_error", "message": "the agent failed"})

    def _execute(self, data: dict[str, Any]) -> None:
        command_id: int = data["id"]
        command = data.get("command")
        raw_args = data.get("args")
        args: dict[str, Any] = raw_args if isinstance(raw_args, dict) else {}
        log.info("remote care: command %d: %s", command_id, command)
        if command == "screenshot":
            self._answer(command_id, self._screenshot(args))
        elif command == "restart_agent":
            self._answer(command_id, {"ok": True, "result": {}})
            log.warning("remote care: restarting the agent (exit status %d)", RESTART_STATUS)
            self._before_exit()
            self._exit(RESTART_STATUS)
        elif command == "reboot":
            self._reboot(command_id)
        elif command == "doctor":
            self._answer(command_id, self._doctor())
        else:
            self._answer(command_id, _error(UNSUPPORTED, f"the kiosk agent does not execute {command!r}"))

    def _answer(self, command_id: int, body: dict[str, Any]) -> Any:
        if self._send is None:
            log.warning("remote care: no link to answer command %d", command_id)
            return None
        ack = self._send(COMMAND_RESULT, {"id": command_id, **body})
        if not (isinstance(ack, dict) and ack.get("ok")):
            log.info("remote care: the answer to command %d was not taken: %s", command_id, _ack_text(ack))
        return ack

    def _screenshot(self, args: dict[str, Any]) -> dict[str, Any]:
        max_width = args.get("max_width", DEFAULT_MAX_WIDTH)
        if isinstance(max_width, bool) or not isinstance(max_width, int) or not 1 <= max_width <= MAX_WIDTH_LIMIT:
            return _error("bad_args", f"max_width must be a whole number from 1 to {MAX_WIDTH_LIMIT}")
        try:
            shot = capture_screenshot(max_width, devtools_url=self._devtools_url, timeout=self._screenshot_timeout)
        except DevToolsError as err:
            log.warning("remote care: screenshot failed: %s", err)
            return _error(err.code, str(err))
        if len(shot.png) > MAX_PNG_BYTES:
            return _error("too_large", f"the screenshot is {len(shot.png)} bytes, more than {MAX_PNG_BYTES}")
        return {"ok": True, "result": {"width": shot.width, "height": shot.height}, "png": shot.png}

    def _reboot(self, command_id: int) -> None:
        if self._runner.which(REBOOT_ARGV[0]) is None:
            self._answer(command_id, _error(UNSUPPORTED, "systemctl is not installed on this box"))
            return
        self._answer(command_id, {"ok": True, "result": {}})  # waits for the ack, or the link's timeout
        log.warning("remote care: rebooting the box")
        result = self._runner.run(REBOOT_ARGV, timeout=30.0)
        if not result.ok:
            # Too late to answer (the command is done): the log and the agent's next hello tell.
            log.error("remote care: systemctl reboot failed (%d): %s", result.returncode, result.stderr.strip()[-300:])

    def _doctor(self) -> dict[str, Any]:
        if not self._doctor_installed():
            return _error(UNSUPPORTED, "kiosk doctor (the provisioning package) is not installed on this box")
        result = self._runner.run((sys.executable, "-m", "provisioning", "doctor", "--json"), timeout=DOCTOR_TIMEOUT)
        try:
            report = json.loads(result.stdout)
        except ValueError:
            detail = (result.stderr.strip().splitlines() or [f"exit status {result.returncode}"])[-1]
            return _error("doctor_failed", f"kiosk doctor gave no JSON report: {detail[:200]}")
        # The doctor exits non-zero when a check fails; its report is still the answer.
        return {"ok": True, "result": {"report": report, "exit_status": result.returncode}}


def _error(code: str, message: str) -> dict[str, Any]:
    return {"ok": False, "error": code, "message": message[:300]}


def _ack_text(ack: Any) -> str:
    if isinstance(ack, dict):
        return str(ack.get("error") or ack)
    return "no acknowledgement" if ack is None else repr(ack)
