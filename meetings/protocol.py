"""The socket protocol: frame parsing and validation, the command registry, error codes.

Everything here is pure Python (no database, no channel layer), so it is cheap to test. The
protocol is documented in ``docs/websocket-protocol.md``; keep the two in step.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from fairsite.socket_server import CLOSE_GOING_AWAY, CLOSE_NOT_FOUND  # noqa: F401 - re-exported
from fairsite.textinput import has_unsafe_characters

MAX_FRAME_CHARS = 32_768
MAX_DEPTH = 6
MAX_ID_CHARS = 64
MAX_SAFE_INTEGER = 2**53 - 1

# Close codes (docs section 6).
CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403

# Error codes (docs section 5) and their messages, translated when the error is sent.
INVALID_JSON = "protocol.invalid_json"
BINARY_FRAME = "protocol.binary_frame"
FRAME_TOO_LARGE = "protocol.frame_too_large"
TOO_DEEP = "protocol.too_deep"
INVALID_FRAME = "protocol.invalid_frame"
UNKNOWN_COMMAND = "protocol.unknown_command"
INVALID_DATA = "protocol.invalid_data"
UNSAFE_TEXT = "protocol.unsafe_text"
ROOM_FORBIDDEN = "room.forbidden"
CHAT_FORBIDDEN = "chat.forbidden"
CHAT_EMPTY = "chat.empty"
CHAT_TOO_LONG = "chat.too_long"
CHAT_RATE_LIMITED = "chat.rate_limited"
CHAT_NOT_FOUND = "chat.not_found"
SERVER_ERROR = "server.error"

ERROR_MESSAGES: dict[str, Promise] = {
    INVALID_JSON: _("This frame is not valid JSON."),
    BINARY_FRAME: _("Binary frames are not supported; send JSON as text."),
    FRAME_TOO_LARGE: _("This frame is too large (at most %(max)s characters)."),
    TOO_DEEP: _("This frame is nested too deeply (at most %(max)s levels)."),
    INVALID_FRAME: _(
        "A frame must be a JSON object with an “id”, a “type” and, if needed, a “data” object."
    ),
    UNKNOWN_COMMAND: _("Unknown command “%(type)s”."),
    INVALID_DATA: _(
        "The field “%(field)s” is missing, unknown, of the wrong type or out of range."
    ),
    UNSAFE_TEXT: _(
        "The field “%(field)s” contains a character that cannot be stored (NUL or a lone "
        "surrogate)."
    ),
    ROOM_FORBIDDEN: _("You may no longer see this meeting."),
    CHAT_FORBIDDEN: _("Organisers watch this room; only the two companies’ members can write."),
    CHAT_EMPTY: _("A message cannot be empty."),
    CHAT_TOO_LONG: _("A message can have at most %(max)s characters."),
    CHAT_RATE_LIMITED: _("You are sending messages too fast. Try again in %(retry_after)s s."),
    CHAT_NOT_FOUND: _("There is no such message in this meeting."),
    SERVER_ERROR: _("Something went wrong on the server. Please try again."),
}


class ProtocolError(Exception):
    """An error answered with an error frame; the socket stays open."""

    def __init__(self, code: str, **details: Any) -> None:
        super().__init__(code)
        self.code = code
        self.details = details

    def message(self) -> str:
        """The human message, in the active language."""
        template = ERROR_MESSAGES.get(self.code, ERROR_MESSAGES[SERVER_ERROR])
        try:
            return str(template) % self.details if self.details else str(template)
        except (KeyError, TypeError, ValueError):
            return str(template)


# --- Frames --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Frame:
    id: str | int
    type: str
    data: dict[str, Any]


def depth_of(value: Any) -> int:
    """Nesting depth of decoded JSON (a scalar is 0, ``{}`` is 1), without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            stack.extend((child, level + 1) for child in item.values())
            deepest = max(deepest, level + 1)
        elif isinstance(item, list):
            stack.extend((child, level + 1) for child in item)
            deepest = max(deepest, level + 1)
    return deepest


def _reject_constant(name: str) -> Any:
    """``NaN``, ``Infinity`` and ``-Infinity`` are not JSON (RFC 8259)."""
    raise ValueError(name)


def _finite_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):  # ``1e999``: out of range for a double
        raise ValueError(text)
    return value


def unsafe_field(frame: dict[str, Any]) -> str | None:
    """The first place of a decoded frame holding a string (key or value, at any depth) that
    cannot be stored (:func:`fairsite.textinput.has_unsafe_characters`): ``"id"``, ``"type"``,
    or the top-level key of ``data`` it is under (``"data"`` when that key is itself unsafe);
    ``None`` when every string is safe. Without recursion."""
    for top in ("id", "type"):
        value = frame.get(top)
        if isinstance(value, str) and has_unsafe_characters(value):
            return top
    for key, value in frame.items():
        if key in ("id", "type"):
            continue
        if has_unsafe_characters(key):
            return "frame"
        if key != "data" or not isinstance(value, dict):
            if _has_unsafe(value):
                return "frame"
            continue
        for name, item in value.items():
            if has_unsafe_characters(name):
                return "data"
            if _has_unsafe(item):
                return name
    return None


def _has_unsafe(value: Any) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if has_unsafe_characters(item):
                return True
        elif isinstance(item, dict):
            for key, child in item.items():
                if has_unsafe_characters(key):
                    return True
                stack.append(child)
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _valid_id(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER
    return isinstance(value, str) and 1 <= len(value) <= MAX_ID_CHARS


def parse_frame(text: str | None, binary: bytes | None = None) -> Frame:
    """Decode and check one incoming frame, or raise :class:`ProtocolError`.

    The error's ``details`` may carry ``request_id`` (the frame's id, when it could be read);
    the consumer echoes it and removes it from the details.
    """
    if text is None:
        raise ProtocolError(BINARY_FRAME) if binary is not None else ProtocolError(INVALID_FRAME)
    if len(text) > MAX_FRAME_CHARS:
        raise ProtocolError(FRAME_TOO_LARGE, max=MAX_FRAME_CHARS)
    try:
        decoded = json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float)
    except RecursionError:
        raise ProtocolError(TOO_DEEP, max=MAX_DEPTH) from None
    except ValueError:
        raise ProtocolError(INVALID_JSON) from None
    if depth_of(decoded) > MAX_DEPTH:
        raise ProtocolError(TOO_DEEP, max=MAX_DEPTH)
    if not isinstance(decoded, dict):
        raise ProtocolError(INVALID_FRAME)
    # One rule for every string of every command (the same as for HTTP forms), before any
    # string is echoed or reaches a service.
    unsafe = unsafe_field(decoded)
    if unsafe == "id":
        raise ProtocolError(UNSAFE_TEXT, field="id")
    if not _valid_id(decoded.get("id")):
        raise ProtocolError(INVALID_FRAME)
    request_id = decoded["id"]
    if unsafe is not None:
        raise ProtocolError(UNSAFE_TEXT, field=unsafe, request_id=request_id)
    kind = decoded.get("type")
    data = decoded.get("data", {})
    if (
        not isinstance(kind, str)
        or not isinstance(data, dict)
        or set(decoded) - {"id", "type", "data"}
    ):
        raise ProtocolError(INVALID_FRAME, request_id=request_id)
    return Frame(id=request_id, type=kind, data=data)


# --- Argument schemas ------------------------------------------------------------------------


@dataclass(frozen=True)
class Str:
    """A string argument. Length is checked by the service, which has its own error code
    (``chat.too_long``)."""

    required: bool = True
    pattern: re.Pattern[str] | None = None

    def clean(self, value: Any) -> str:
        if not isinstance(value, str):
            raise ValueError
        if self.pattern is not None and not self.pattern.fullmatch(value):
            raise ValueError
        return value


@dataclass(frozen=True)
class Int:
    required: bool = True
    min: int = 0
    max: int = MAX_SAFE_INTEGER

    def clean(self, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError
        if not self.min <= value <= self.max:
            raise ValueError
        return value


FieldSpec = Str | Int


def clean_data(data: dict[str, Any], schema: dict[str, FieldSpec]) -> dict[str, Any]:
    """Check ``data`` against ``schema``: no unknown keys, required keys present, types and
    ranges right. Raises ``protocol.invalid_data`` naming the first bad field."""
    for key in data:
        if key not in schema:
            raise ProtocolError(INVALID_DATA, field=str(key)[:MAX_ID_CHARS])
    cleaned: dict[str, Any] = {}
    for name, spec in schema.items():
        if name not in data:
            if spec.required:
                raise ProtocolError(INVALID_DATA, field=name)
            continue
        try:
            cleaned[name] = spec.clean(data[name])
        except ValueError:
            raise ProtocolError(INVALID_DATA, field=name) from None
    return cleaned


# --- The command registry --------------------------------------------------------------------

Handler = TypeVar("Handler", bound=Callable[..., Any])


@dataclass(frozen=True)
class CommandSpec:
    name: str
    schema: dict[str, FieldSpec] = field(default_factory=dict)


def command(name: str, **schema: FieldSpec) -> Callable[[Handler], Handler]:
    """Mark a consumer method as the handler of command ``name`` with argument ``schema``::

        @command("chat.history", before=Int(required=False, min=1), limit=Int(required=False))
        async def chat_history(self, before: int | None = None, limit: int = 50) -> dict: ...

    The consumer class collects marked methods into its ``commands`` table.
    """

    def mark(handler: Handler) -> Handler:
        handler._command = CommandSpec(name=name, schema=dict(schema))  # type: ignore[attr-defined]
        return handler

    return mark


def collect_commands(cls: type) -> dict[str, tuple[str, CommandSpec]]:
    """``{command name: (method name, spec)}`` for every ``@command`` method of ``cls``."""
    table: dict[str, tuple[str, CommandSpec]] = {}
    for klass in reversed(cls.__mro__):
        for attr, value in vars(klass).items():
            spec = getattr(value, "_command", None)
            if isinstance(spec, CommandSpec):
                table[spec.name] = (attr, spec)
    return table


# --- Outgoing frames -------------------------------------------------------------------------


def reply_frame(request_id: str | int, data: Any) -> dict[str, Any]:
    return {"type": "reply", "id": request_id, "ok": True, "data": data}


def error_frame(request_id: str | int | None, error: ProtocolError) -> dict[str, Any]:
    details = {k: v for k, v in error.details.items() if k != "request_id"}
    return {
        "type": "error",
        "id": request_id,
        "error": {"code": error.code, "message": error.message(), "details": details},
    }


def event_frame(event: str, data: Any) -> dict[str, Any]:
    return {"type": "event", "event": event, "data": data}
