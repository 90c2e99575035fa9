"""Frame parsing, argument schemas and the command registry (pure Python, no database)."""

from __future__ import annotations

import json
import re

import pytest
from django.utils import translation
from django.utils.translation import gettext_lazy

from meetings import protocol
from meetings.protocol import Int, ProtocolError, Str, clean_data, parse_frame


def code_of(text: str | None, binary: bytes | None = None) -> str:
    with pytest.raises(ProtocolError) as caught:
        parse_frame(text, binary)
    return caught.value.code


def test_parse_frame_accepts_a_command():
    frame = parse_frame(json.dumps({"id": "r1", "type": "chat.send", "data": {"text": "hi"}}))

    assert (frame.id, frame.type, frame.data) == ("r1", "chat.send", {"text": "hi"})


def test_parse_frame_data_defaults_to_empty_and_integer_ids_are_fine():
    frame = parse_frame('{"id": 7, "type": "ping"}')

    assert (frame.id, frame.data) == (7, {})


@pytest.mark.parametrize(
    ("text", "binary", "code"),
    [
        (None, b"\x00", protocol.BINARY_FRAME),
        ("{", None, protocol.INVALID_JSON),
        ("", None, protocol.INVALID_JSON),
        ("x" * (protocol.MAX_FRAME_CHARS + 1), None, protocol.FRAME_TOO_LARGE),
        ("[" * 100_000, None, protocol.FRAME_TOO_LARGE),
        ("[" * 3000 + "]" * 3000, None, protocol.TOO_DEEP),
        ('{"id":1,"type":"ping","data":{"a":[[[[{}]]]]}}', None, protocol.TOO_DEEP),
        ('"just a string"', None, protocol.INVALID_FRAME),
        ('{"type": "ping"}', None, protocol.INVALID_FRAME),
        ('{"id": null, "type": "ping"}', None, protocol.INVALID_FRAME),
        ('{"id": false, "type": "ping"}', None, protocol.INVALID_FRAME),
        ('{"id": 1.5, "type": "ping"}', None, protocol.INVALID_FRAME),
        ('{"id": 9007199254740993, "type": "ping"}', None, protocol.INVALID_FRAME),
        ('{"id": "", "type": "ping"}', None, protocol.INVALID_FRAME),
        ('{"id": "a", "type": ["ping"]}', None, protocol.INVALID_FRAME),
        ('{"id": "a", "type": "ping", "data": "x"}', None, protocol.INVALID_FRAME),
        ('{"id": "a", "type": "ping", "more": 1}', None, protocol.INVALID_FRAME),
    ],
)
def test_parse_frame_refuses_bad_frames(text, binary, code):
    assert code_of(text, binary) == code


def test_depth_counts_the_frame_as_level_one():
    assert protocol.depth_of({"id": 1, "data": {"a": [1]}}) == 3
    assert protocol.depth_of("x") == 0


SCHEMA = {
    "client_id": Str(pattern=re.compile(r"[a-z0-9-]{1,8}")),
    "after": Int(min=0),
    "limit": Int(required=False, min=1, max=10),
}


def test_clean_data_accepts_valid_arguments():
    assert clean_data({"client_id": "c-1", "after": 0}, SCHEMA) == {"client_id": "c-1", "after": 0}


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"after": 0}, "client_id"),
        ({"client_id": "c", "after": "0"}, "after"),
        ({"client_id": "c", "after": True}, "after"),
        ({"client_id": "c", "after": -1}, "after"),
        ({"client_id": "c", "after": 0, "limit": 11}, "limit"),
        ({"client_id": "C!", "after": 0}, "client_id"),
        ({"client_id": "c", "after": 0, "meeting": 3}, "meeting"),
    ],
)
def test_clean_data_names_the_bad_field(data, field):
    with pytest.raises(ProtocolError) as caught:
        clean_data(data, SCHEMA)

    assert caught.value.code == protocol.INVALID_DATA
    assert caught.value.details == {"field": field}


def test_command_registry_collects_marked_methods_and_subclasses_override():
    class Base:
        @protocol.command("ping")
        async def ping(self) -> dict:
            return {}

    class Room(Base):
        @protocol.command("chat.since", after=Int())
        async def since(self, after: int) -> dict:
            return {}

        @protocol.command("ping")
        async def room_ping(self) -> dict:
            return {}

    table = protocol.collect_commands(Room)

    assert {name: method for name, (method, _spec) in table.items()} == {
        "ping": "room_ping",
        "chat.since": "since",
    }
    assert table["chat.since"][1].schema == {"after": Int()}


def test_every_error_code_has_a_message_and_the_frame_has_no_request_id():
    error = ProtocolError(protocol.CHAT_TOO_LONG, max=2000, request_id="r1")

    frame = protocol.error_frame("r1", error)

    assert frame == {
        "type": "error",
        "id": "r1",
        "error": {
            "code": "chat.too_long",
            "message": "A message can have at most 2000 characters.",
            "details": {"max": 2000},
        },
    }
    assert all(str(message) for message in protocol.ERROR_MESSAGES.values())


def test_error_message_is_rendered_in_the_active_language(monkeypatch):
    monkeypatch.setitem(
        protocol.ERROR_MESSAGES, protocol.SERVER_ERROR, gettext_lazy("This field is required.")
    )

    with translation.override("vi"):
        message = ProtocolError(protocol.SERVER_ERROR).message()

    assert message == "Trường này là bắt buộc."


@pytest.mark.parametrize(
    "text",
    [
        '{"id": 1, "type": "chat.history", "data": {"before": NaN}}',
        '{"id": 1, "type": "chat.history", "data": {"before": Infinity}}',
        '{"id": 1, "type": "chat.history", "data": {"before": -Infinity}}',
        '{"id": 1, "type": "chat.history", "data": {"before": 1e999}}',
    ],
)
def test_non_finite_numbers_are_invalid_json_as_documented(text):
    assert code_of(text) == protocol.INVALID_JSON


def test_integer_ids_beyond_two_to_the_53_are_unusable():
    assert parse_frame(json.dumps({"id": 2**53 - 1, "type": "ping"})).id == 2**53 - 1
    assert code_of(json.dumps({"id": 2**53, "type": "ping"})) == protocol.INVALID_FRAME
    assert code_of(json.dumps({"id": -(2**53), "type": "ping"})) == protocol.INVALID_FRAME


@pytest.mark.parametrize(
    ("frame", "field", "echoed"),
    [
        ({"id": "a\x00", "type": "ping"}, "id", None),
        ({"id": 1, "type": "pi\ud800ng"}, "type", 1),
        ({"id": 1, "type": "chat.send", "data": {"text": "a\x00b"}}, "text", 1),
        ({"id": 1, "type": "chat.send", "data": {"text": ["x", {"y": "\udfff"}]}}, "text", 1),
        ({"id": 1, "type": "chat.send", "data": {"\ud800": "x"}}, "data", 1),
        ({"id": 1, "type": "ping", "extra": "\x00"}, "frame", 1),
    ],
)
def test_unsafe_text_anywhere_in_a_frame_is_refused_with_where(frame, field, echoed):
    with pytest.raises(ProtocolError) as caught:
        parse_frame(json.dumps(frame))

    assert caught.value.code == protocol.UNSAFE_TEXT
    assert caught.value.details.get("field") == field
    assert caught.value.details.get("request_id") == echoed


def test_safe_text_with_paired_surrogates_and_controls_is_accepted():
    """Negative control: an emoji (a surrogate pair in JSON) and a tab are ordinary text."""
    frame = parse_frame('{"id": 1, "type": "chat.send", "data": {"text": "\\ud83d\\ude42\\tok"}}')

    assert frame.data["text"] == "🙂\tok"
