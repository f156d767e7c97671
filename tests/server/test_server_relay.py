"""The stream relay's queue is bounded while a client reads, and holds
nothing for a client that has gone (the reply is still read to its end and
charged by the pump; it just is not queued)."""

from __future__ import annotations

import asyncio

from inkbench.server.routes.ai import STREAM_BACKLOG, Relay


def test_the_queue_is_bounded_and_empties_when_the_client_goes():
    async def scenario() -> tuple[int, int, bool]:
        relay = Relay(call=None, resp=None, wants_usage=False)  # only the queue is used here
        events = relay.events()
        # a pump faster than its reader fills the queue to its bound, then waits
        writer = asyncio.create_task(_write(relay, STREAM_BACKLOG * 3))
        await asyncio.sleep(0.05)
        held = relay.queue.qsize()
        first = await events.__anext__()
        assert first == b"0"
        await events.aclose()  # the client went away
        await asyncio.wait_for(writer, 5)  # the pump is not left waiting for room
        return held, relay.queue.qsize(), relay.consumer_gone

    held, left, gone = asyncio.run(scenario())
    assert held == STREAM_BACKLOG
    assert left == 0 and gone


async def _write(relay: Relay, n: int) -> None:
    for i in range(n):
        await relay._put(str(i).encode())
