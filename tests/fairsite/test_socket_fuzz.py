"""A generated hostile-input sweep over every command of every socket.

Endpoints and commands are discovered from the routing table and each consumer's command
registry (``@command`` schemas), so a new socket or command is swept without touching this file.
For each command, Hypothesis generates frames whose every argument is hostile for its declared
type (over-long, NUL, lone surrogates, huge and negative numbers, floats, wrong types, nesting,
unknown keys). Every frame must be answered with a documented error (never ``server.error``),
the socket must stay open, nothing may be stored, and nothing may be logged as an error.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fairsite.routing import websocket_urlpatterns
from meetings import protocol
from meetings.models import ChatMessage
from tests.meetings.conftest import meeting  # noqa: F401,F811 - the room fixture
from tests.meetings.sockets import *  # noqa: F403 - socket fixtures

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

EXAMPLES_PER_COMMAND = 40
DOCUMENTED_REFUSALS = {
    protocol.INVALID_JSON,
    protocol.FRAME_TOO_LARGE,
    protocol.TOO_DEEP,
    protocol.INVALID_FRAME,
    protocol.INVALID_DATA,
    protocol.UNSAFE_TEXT,
    protocol.CHAT_EMPTY,
    protocol.CHAT_TOO_LONG,
    protocol.CHAT_NOT_FOUND,
}


def socket_commands() -> list[tuple[str, str, dict[str, Any]]]:
    """``(route, command, schema)`` for every command of every routed consumer."""
    found = []
    for route in websocket_urlpatterns:
        consumer = getattr(route.callback, "consumer_class", None)
        commands = getattr(consumer, "commands", None)
        if not commands:
            continue
        for name, (_method, spec) in sorted(commands.items()):
            found.append((str(route.pattern), name, spec.schema))
    return found


def path_for(route: str, meeting_id: int) -> str:
    return "/" + re.sub(r"<int:\w+>", str(meeting_id), route)


# --- Hostile values --------------------------------------------------------------------------

unsafe_text = st.builds(
    lambda head, bad, tail: head + bad + tail,
    st.text(max_size=20),
    st.sampled_from(["\x00", "\ud800", "\udfff", "\udbff"]),
    st.text(max_size=20),
)
over_long = st.integers(min_value=2001, max_value=30_000).map(lambda n: "x" * n)
white_space = st.text(alphabet=" \t\n\r\u00a0\u3000\u2028\u2003", max_size=30)
huge = st.one_of(
    st.integers(min_value=protocol.MAX_SAFE_INTEGER + 1, max_value=2**80),
    st.integers(max_value=-1, min_value=-(2**80)),
)
wrong_type = st.one_of(
    st.none(),
    st.booleans(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
)
nested = st.recursive(st.integers(), lambda inner: st.lists(inner, max_size=2), max_leaves=8)


def hostile_for(spec: Any) -> st.SearchStrategy:
    """Values a field of this declared type must refuse."""
    if isinstance(spec, protocol.Int):
        return st.one_of(
            huge,
            st.integers(max_value=spec.min - 1, min_value=spec.min - 10**6),
            st.integers(min_value=spec.max + 1, max_value=spec.max + 10**6),
            st.integers().map(str),
            wrong_type,
            nested,
        )
    if isinstance(spec, protocol.Str):
        strings = [unsafe_text, st.integers(), wrong_type, nested]
        if spec.pattern is not None:
            strings.append(st.text(min_size=65, max_size=200))  # no pattern allows that length
            strings.append(st.text(alphabet=" /<>\"'\\%&", min_size=1, max_size=20))
        else:
            strings += [over_long, white_space]
        return st.one_of(*strings)
    return st.one_of(unsafe_text, huge, wrong_type, nested)  # a type added later


def valid_for(spec: Any) -> st.SearchStrategy:
    """Values a field of this declared type accepts, so that the hostile one beside it is what
    is refused (and a text reaches the service's own checks)."""
    if isinstance(spec, protocol.Int):
        return st.integers(min_value=spec.min, max_value=min(spec.max, spec.min + 1000))
    if isinstance(spec, protocol.Str) and spec.pattern is not None:
        return st.from_regex(spec.pattern, fullmatch=True)
    return st.text(alphabet="abcxyz ", min_size=1, max_size=30)


def hostile_data(schema: dict[str, Any]) -> st.SearchStrategy:
    """Arguments where one declared field is hostile and the others valid, or a hostile unknown
    key beside valid fields."""
    unknown = st.dictionaries(
        st.one_of(st.text(min_size=1, max_size=10), unsafe_text).filter(lambda k: k not in schema),
        st.one_of(unsafe_text, huge, wrong_type),
        min_size=1,
        max_size=2,
    )
    valid = st.fixed_dictionaries({n: valid_for(spec) for n, spec in schema.items()})
    with_unknown = st.builds(lambda good, extra: {**good, **extra}, valid, unknown)
    if not schema:
        return unknown

    def one_bad(bad: str) -> st.SearchStrategy:
        return st.fixed_dictionaries(
            {n: hostile_for(spec) if n == bad else valid_for(spec) for n, spec in schema.items()}
        )

    return st.one_of(st.sampled_from(sorted(schema)).flatmap(one_bad), with_unknown)


def generated_frames(command: str, schema: dict[str, Any]) -> list[str]:
    """Hypothesis draws the frames (deterministically); the sweep sends them on one socket."""
    frames: list[str] = []

    @settings(
        max_examples=EXAMPLES_PER_COMMAND,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=hostile_data(schema), request_id=st.one_of(st.integers(0, 10**6), st.uuids()))
    def collect(data: dict[str, Any], request_id: Any) -> None:
        frames.append(
            json.dumps({"id": str(request_id), "type": command, "data": data}, ensure_ascii=True)
        )

    collect()
    return frames


COMMANDS = socket_commands()


def test_every_socket_command_is_swept():
    """The sweep discovers the commands from the registry: both sockets, every command."""
    names = {(route, name) for route, name, _ in COMMANDS}
    assert ("ws/meetings/<int:meeting_id>/", "chat.send") in names
    assert ("ws/meetings/<int:meeting_id>/", "chat.since") in names
    assert ("ws/notifications/", "ping") in names
    assert len(names) >= 6


@pytest.mark.parametrize(("route", "command", "schema"), COMMANDS, ids=lambda v: str(v)[:40])
async def test_hostile_arguments_are_refused_cleanly(
    open_socket,
    meeting,  # noqa: F811 - the fixture imported above
    exhibitor,
    buyer,
    organiser,
    caplog,
    route,
    command,
    schema,
):
    frames = await sync_to_async(generated_frames)(command, schema)
    # Each socket as a person it admits: the organisers' socket refuses everyone else.
    person = organiser if route.startswith("ws/organisers/") else exhibitor
    socket = await open_socket(person, path_for(route, meeting.pk))
    assert socket.hello is not None
    caplog.set_level(logging.ERROR)

    codes = set()
    for raw in frames:
        answer = await socket.send_raw(raw)
        assert answer["type"] == "error", (raw[:200], answer)
        assert answer["error"]["code"] in DOCUMENTED_REFUSALS, (raw[:200], answer)
        codes.add(answer["error"]["code"])

    assert (await socket.send("ping"))["type"] == "reply"  # still open, still serving
    assert await sync_to_async(ChatMessage.objects.count)() == 0
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert codes  # something was actually sent
