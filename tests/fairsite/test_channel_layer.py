"""The pub/sub channel layer on a real Redis: publishes and subscription changes made together go
to Redis together (one write), in order, and a failure reaches every caller of its batch."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from redis.asyncio.connection import AbstractConnection

from fairsite.channel_layer import PubSubChannelLayer

pytestmark = pytest.mark.asyncio


@pytest.fixture
def layer(redis_url):
    return PubSubChannelLayer(hosts=[{"address": redis_url}], prefix=f"t-{uuid.uuid4().hex[:8]}")


@pytest.fixture
def writes(monkeypatch):
    """Every command list written to Redis by any connection: ``[[b"PUBLISH", ...], ...]``."""
    sent: list[list[list[bytes]]] = []
    original = AbstractConnection.send_packed_command

    async def counting(self, command, check_health=True):
        sent.append(command)
        return await original(self, command, check_health)

    monkeypatch.setattr(AbstractConnection, "send_packed_command", counting)
    return sent


def _count(writes: list, name: bytes) -> tuple[int, int]:
    """How many writes carried ``name`` commands, and how many such commands in all."""
    carrying = [b"".join(w if isinstance(w, list) else [w]) for w in writes]
    with_name = [chunk for chunk in carrying if name in chunk]
    return len(with_name), sum(chunk.count(name) for chunk in with_name)


async def test_publishes_made_together_go_out_in_one_write_and_arrive_in_order(layer, writes):
    channel = await layer.new_channel()
    await layer.group_add("room", channel)
    await asyncio.sleep(0.1)  # the subscription is confirmed
    writes.clear()

    await asyncio.gather(*(layer.group_send("room", {"type": "t", "n": n}) for n in range(50)))
    received = [await asyncio.wait_for(layer.receive(channel), 5) for _ in range(50)]

    assert [message["n"] for message in received] == list(range(50))
    assert _count(writes, b"PUBLISH") == (1, 50)
    await layer.flush()


async def test_subscriptions_made_together_go_out_as_one_command(layer, writes):
    channel = await layer.new_channel()
    writes.clear()

    await asyncio.gather(*(layer.group_add(f"g{n}", channel) for n in range(20)))
    await asyncio.sleep(0.1)
    for n in range(20):
        await layer.group_send(f"g{n}", {"type": "t", "n": n})
    received = {(await asyncio.wait_for(layer.receive(channel), 5))["n"] for _ in range(20)}

    assert received == set(range(20))
    assert _count(writes, b"SUBSCRIBE") == (1, 1)  # one command naming all twenty groups
    await layer.flush()


async def test_a_subscribe_then_unsubscribe_made_together_keep_their_order(layer):
    channel = await layer.new_channel()
    other = await layer.new_channel()
    await layer.group_add("kept", other)

    await asyncio.gather(layer.group_add("gone", channel), layer.group_discard("gone", channel))
    await asyncio.gather(layer.group_add("kept", channel))
    await asyncio.sleep(0.1)
    await layer.group_send("gone", {"type": "t", "n": "gone"})
    await layer.group_send("kept", {"type": "t", "n": "kept"})

    assert (await asyncio.wait_for(layer.receive(channel), 5))["n"] == "kept"
    await layer.flush()


async def test_a_failed_batch_fails_every_publish_in_it(unused_tcp_port):
    down = PubSubChannelLayer(
        hosts=[{"address": f"redis://127.0.0.1:{unused_tcp_port}/0"}], prefix="down"
    )

    results = await asyncio.wait_for(
        asyncio.gather(
            *(down.group_send("room", {"type": "t"}) for _ in range(5)), return_exceptions=True
        ),
        30,
    )

    assert len(results) == 5
    assert all(isinstance(result, Exception) for result in results), results
