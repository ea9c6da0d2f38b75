"""The fan-out swarm split over several processes, for more screens than one process may hold sockets.

A process may open only as many files as its hard limit (20,000 here, and an unprivileged container
cannot raise it), and one Python core receives about 10,000 messages a second. ``SwarmGroup`` has
the ``Swarm``'s interface: screen i still connects to ``urls[i % len(urls)]``, and every process
runs a ``Swarm`` of every k-th screen, driven over a pipe (connect, status, behind, collect,
close). Children are spawned, not forked: the parent is inside its asyncio loop.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from multiprocessing.connection import Connection
from typing import Any

from bench._fanout_swarm import Screen, Swarm, SwarmStatus


class SwarmGroup:
    """``processes`` child processes, each a ``Swarm`` of every ``processes``-th screen."""

    def __init__(
        self, urls: list[str], keys: list[str], *, processes: int, concurrency: int, deflate: bool, raw: bool = False
    ) -> None:
        self.urls, self.keys, self.deflate, self.raw = list(urls), list(keys), deflate, raw
        context = multiprocessing.get_context("spawn")
        self._pipes: list[Connection] = []
        self._children: list[Any] = []
        for k in range(processes):
            # Screen i keeps urls[i % len(urls)]: child k gets the screens k, k + p, …, with their URLs.
            mine = range(k, len(keys), processes)
            parent, child = context.Pipe()
            process = context.Process(
                target=_child,
                args=(
                    child,
                    [urls[i % len(urls)] for i in mine],
                    [keys[i] for i in mine],
                    max(1, concurrency // processes),
                    deflate,
                    raw,
                ),
                daemon=True,
            )
            process.start()
            child.close()
            self._pipes.append(parent)
            self._children.append(process)

    async def _ask(self, command: str, argument: Any = None) -> list[Any]:
        for pipe in self._pipes:
            pipe.send((command, argument))
        answers = await asyncio.gather(*(asyncio.to_thread(pipe.recv) for pipe in self._pipes))
        for answer in answers:
            if isinstance(answer, BaseException):
                raise answer
        return list(answers)

    async def connect_all(self, deadline: float) -> float:
        return max(await self._ask("connect", deadline))

    async def status(self) -> SwarmStatus:
        return SwarmStatus.total(await self._ask("status"))

    async def behind(self, seq: int) -> int:
        return sum(await self._ask("behind", seq))

    async def collect(self) -> list[Screen]:
        return [screen for part in await self._ask("collect") for screen in part]

    async def close(self) -> None:
        try:
            await self._ask("close")
        finally:
            for process in self._children:
                await asyncio.to_thread(process.join, 30)
                if process.is_alive():
                    process.kill()


def _child(pipe: Connection, urls: list[str], keys: list[str], concurrency: int, deflate: bool, raw: bool) -> None:
    asyncio.run(_serve(pipe, urls, keys, concurrency, deflate, raw))


async def _serve(
    pipe: Connection, urls: list[str], keys: list[str], concurrency: int, deflate: bool, raw: bool
) -> None:
    """Answer the parent's commands until ``close``; an error is sent back, so the parent raises it."""
    from bench._fanout_measure import raise_open_files

    raise_open_files()
    swarm = Swarm(urls, keys, concurrency=concurrency, deflate=deflate, raw=raw)  # one URL per screen
    while True:
        command, argument = await asyncio.to_thread(pipe.recv)
        try:
            if command == "connect":
                answer: Any = await swarm.connect_all(argument)
            elif command == "status":
                answer = await swarm.status()
            elif command == "behind":
                answer = await swarm.behind(argument)
            elif command == "collect":
                answer = await swarm.collect()
            elif command == "close":
                await swarm.close()
                pipe.send(None)
                return
            else:
                raise ValueError(f"unknown swarm command {command!r}")
        except Exception as err:  # noqa: BLE001 - the parent raises it
            answer = err
        pipe.send(answer)
