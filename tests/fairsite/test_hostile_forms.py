"""A generated hostile-input sweep over every form of the URL permission table.

For every case of the table (``tests/*/url_table.py``), signed in as a role the table lets in,
the request is made once to discover which forms the view cleans (every ``full_clean`` of a
bound form is recorded, so a new form or URL is picked up without touching this file). Then
hypothesis sends generated hostile values for those forms' fields: over-long text, NUL, lone
surrogates and invalid UTF-8, huge and negative numbers, wrong types, repeated and nested
(``field[]``, ``field[0][x]``) parameters. Each example carries at least one value no field
accepts (text with a NUL), so no submission is valid. Every answer must be below 500, nothing
may be logged at ERROR level (no traceback), and no table may gain a row.

Bounded: a few examples per form, derandomised, so the sweep runs in about a minute on SQLite.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import quote_plus

import pytest
from django import forms
from django.apps import apps
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fairsite.forms import SUBMISSION_KEY_FIELD, new_submission_key
from tests.test_url_permissions import CASES, UrlCase, build_ctx

EXAMPLES_PER_FORM = 6
#: Tables whose rows a request may add without storing anything of the input.
UNCOUNTED_TABLES = {"django_session"}

# --- Hostile values ------------------------------------------------------------------------

NUMBERS = st.sampled_from(
    [
        "2147483648",
        "-2147483649",
        "9223372036854775808",
        "9" * 40,
        "-1",
        "-0",
        "1e400",
        "NaN",
        "Infinity",
        "-inf",
        "0x10",
        "１２",  # full-width digits
        " 12 ",
        "1_000",
    ]
) | st.integers(min_value=-(2**70), max_value=2**70).map(str)

WRONG_TYPES = st.sampled_from(
    ["[]", "{}", "true", "null", '{"a": 1}', "[1, 2]", "25:99", "9999-99-99", "0000-00-00T00:00"]
)

TEXT = st.text(
    alphabet=st.characters(codec=None, exclude_categories=()),  # every code point, surrogates too
    max_size=40,
)

OVERLONG = st.integers(min_value=1, max_value=12_000).map(lambda n: "x" * n)

#: A value no field of any form accepts: text with a NUL.
POISON = st.sampled_from(["\x00", "a\x00b", "\x00" * 64, "1\x00", "https://x.vn/\x00"])

HOSTILE = st.one_of(TEXT, OVERLONG, NUMBERS, WRONG_TYPES, POISON)


def _encode(value: str | bytes) -> str:
    if isinstance(value, bytes):
        return quote_plus(value)
    return quote_plus(value.encode("utf-8", "surrogatepass"))  # lone surrogates as raw bytes


def _poisonable(field: forms.Field) -> bool:
    """Fields a NUL always makes invalid (a check box or a file input ignores it)."""
    return not isinstance(field, forms.BooleanField | forms.FileField)


@st.composite
def hostile_submission(draw, fields: dict[str, forms.Field]) -> list[tuple[str, str | bytes]]:
    """(name, value) pairs: hostile values, repeats and nested names; one field poisoned."""
    pairs: list[tuple[str, str | bytes]] = []
    poisonable = sorted(name for name, field in fields.items() if _poisonable(field))
    poisoned = draw(st.sampled_from(poisonable))
    for name in sorted(fields):
        if name == poisoned:
            pairs.append((name, draw(POISON)))
            continue
        shape = draw(st.sampled_from(["absent", "value", "value", "repeated", "nested", "bytes"]))
        if shape == "value":
            pairs.append((name, draw(HOSTILE)))
        elif shape == "repeated":
            pairs.extend((name, draw(HOSTILE)) for _ in range(draw(st.integers(2, 4))))
        elif shape == "nested":
            nested = draw(st.sampled_from([f"{name}[]", f"{name}[0][x]", f"{name}.__class__"]))
            pairs.append((nested, draw(HOSTILE)))
        elif shape == "bytes":
            pairs.append((name, draw(st.binary(min_size=1, max_size=16))))
    if SUBMISSION_KEY_FIELD in fields and poisoned != SUBMISSION_KEY_FIELD:
        # A valid key, so that only the hostile values can make the form invalid.
        pairs = [(k, v) for k, v in pairs if k != SUBMISSION_KEY_FIELD]
        pairs.append((SUBMISSION_KEY_FIELD, new_submission_key()))
    return pairs


# --- Discovering the forms behind a URL ----------------------------------------------------


def _admitted_roles(case: UrlCase) -> list[str]:
    """The roles the table lets through (2xx or 3xx), people before organisers; then a
    newcomer (signed in, no company yet), who is the one to register or join a company."""
    roles = []
    for role in ("owner", "buyer", "other", "visitor", "organiser", "anonymous"):
        expected = case.expected(role)
        codes = expected if isinstance(expected, tuple) else (expected,)
        if any(code is not None and 200 <= code < 400 for code in codes):
            if not (role == "anonymous" and expected == 302):
                roles.append(role)
    return [*roles, "newcomer"]


def _discover_forms(monkeypatch, send: Callable[[], Any]) -> dict[str, forms.Field]:
    """The fields of every bound form the view cleans while ``send()`` runs."""
    seen: dict[str, forms.Field] = {}
    original = forms.BaseForm.full_clean

    def recording(self: forms.BaseForm) -> None:
        if self.is_bound:
            for name, field in self.fields.items():
                seen.setdefault(self.add_prefix(name), field)
        return original(self)

    monkeypatch.setattr(forms.BaseForm, "full_clean", recording)
    try:
        send()
    finally:
        monkeypatch.setattr(forms.BaseForm, "full_clean", original)
    return seen


def _row_counts() -> dict[str, int]:
    return {
        model._meta.db_table: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.db_table not in UNCOUNTED_TABLES and model._meta.managed
    }


SWEPT = [pytest.param(case, id=f"{case.name}-{case.method}") for case in CASES]


@pytest.mark.django_db
@pytest.mark.parametrize("case", SWEPT)
def test_hostile_input_never_breaks_a_form(case: UrlCase, monkeypatch, caplog):
    from tests import factories

    ctx = build_ctx()
    kwargs = case.kwargs(ctx) if case.kwargs else {}
    base_data = case.data(ctx) if case.data else {}
    url = reverse(case.name, kwargs=kwargs)
    client = Client()

    def sender(method: str) -> Callable[[list[tuple[str, str | bytes]]], Any]:
        def send(pairs: list[tuple[str, str | bytes]]) -> Any:
            body = "&".join(f"{quote_plus(k)}={_encode(v)}" for k, v in pairs)
            if method == "post":
                return client.post(url, body, content_type="application/x-www-form-urlencoded")
            return client.get(f"{url}?{body}")

        return send

    probe = [*((k, str(v)) for k, v in base_data.items()), ("_probe", "1")]
    # Each admitted role, the case's own method first; a page shown by GET is also posted to.
    found = False
    for role in _admitted_roles(case):
        client.logout()
        user = factories.UserFactory(kind="exhibitor") if role == "newcomer" else ctx.user(role)
        if user is not None:
            client.force_login(user)
        for method in dict.fromkeys([case.method, "post"]):
            send = sender(method)
            fields = _discover_forms(monkeypatch, lambda send=send: send(probe))
            if any(_poisonable(field) for field in fields.values()):
                found = True
                break
        if found:
            break
    if not found:
        pytest.skip("no form behind this URL")

    @settings(
        max_examples=EXAMPLES_PER_FORM,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
        ],
    )
    @given(pairs=hostile_submission(fields))
    def sweep(pairs):
        before = _row_counts()
        caplog.clear()
        with caplog.at_level(logging.WARNING):
            response = send(pairs)
        assert response.status_code < 500, (url, pairs)
        errors = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
        assert not errors, (url, pairs, [r.getMessage() for r in errors])
        grown = {t: n for t, n in _row_counts().items() if n > before.get(t, 0)}
        assert not grown, (url, pairs, grown)

    sweep()
