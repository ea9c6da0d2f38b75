"""The raw reference: a tiny asyncio ``websockets`` server that broadcasts one frame to every client.

Run by ``bench/fanout.py`` as a child process pinned to the server's core. Clients connect to
``/``; the benchmark connects to ``/control`` and sends ``<seq> <bytes>`` for each change: the server
builds one text frame of that many bytes (JSON with ``seq`` and ``version``, padded) and hands it to
``broadcast`` (encoded once, written to every connection, no compression, no per-client work), then
answers ``sent``. This is the floor that issue 18 compares the project's cost with.
"""

from __future__ import annotations

import asyncio
import json
import sys

from websockets.asyncio.server import ServerConnection, broadcast, serve


def frame(seq: int, size: int) -> str:
    """A JSON text frame of ``size`` bytes carrying ``seq`` and a version."""
    head = json.dumps({"seq": seq, "version": f"{seq:016x}", "pad": ""})
    return head[:-2] + "x" * max(0, size - len(head)) + '"}'


async def _main(port: int) -> None:
    clients: set[ServerConnection] = set()

    async def handler(ws: ServerConnection) -> None:
        if ws.request is not None and ws.request.path == "/control":
            async for command in ws:
                seq, size = (int(part) for part in str(command).split())
                broadcast(clients, frame(seq, size))
                await ws.send("sent")
            return
        clients.add(ws)
        try:
            await ws.wait_closed()
        finally:
            clients.discard(ws)

    async with serve(handler, "127.0.0.1", port, compression=None, max_size=None, ping_interval=None, backlog=4096):
        print("ready", flush=True)
        await asyncio.Future()


if __name__ == "__main__":
    asyncio.run(_main(int(sys.argv[1])))
