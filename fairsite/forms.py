"""The one base of every form in the project: what any input must pass before a form cleans it.

Every form class derives from :class:`FairForm` or :class:`FairModelForm` (a test walks the
project and fails for one that does not). The base applies two rules to every field, those
declared on the class (when the class is built) and those a form adds in ``__init__`` (when it
is cleaned):

- **Numbers are bounded by their database column.** An integer, float or decimal field gets a
  lower and an upper bound: a ModelForm's field the range of its model column (PostgreSQL's
  integer sizes, the strictest of our databases), a plain form's field the column it names in
  ``model_columns``, any other the range of a 32-bit integer. Bounds a field already has are
  kept when they are narrower. So ``2147483648`` is a form error, never an ``integer out of
  range`` server error.
- **Text is safe to store** (:mod:`fairsite.textinput`): every ``CharField`` (and its kinds:
  e-mail, URL, slug…) refuses NUL and lone surrogates with one clear message.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from decimal import Decimal
from typing import Any, ClassVar

from django import forms
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.core.validators import (
    MaxValueValidator,
    MinValueValidator,
    ProhibitNullCharactersValidator,
    RegexValidator,
)
from django.db import models, transaction
from django.db.backends.base.operations import BaseDatabaseOperations
from django.forms.forms import DeclarativeFieldsMetaclass
from django.forms.models import ModelFormMetaclass
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _

from fairsite.textinput import validate_safe_text

Number = int | float | Decimal
Bounds = tuple[Number | None, Number | None]

#: Column ranges of Django's integer fields on PostgreSQL (``SmallIntegerField`` is 16 bits,
#: ``IntegerField`` 32, ``BigIntegerField`` 64; the positive kinds start at 0).
COLUMN_RANGES: dict[str, tuple[int, int]] = dict(BaseDatabaseOperations.integer_field_ranges)
INT32_RANGE: tuple[int, int] = COLUMN_RANGES["IntegerField"]

NUMERIC_FIELDS = (forms.IntegerField, forms.FloatField, forms.DecimalField)


def column_range(model_field: models.Field) -> tuple[Number, Number] | None:
    """The values a model field's column can hold, or ``None`` for a non-numeric column."""
    internal = model_field.get_internal_type()
    if internal in COLUMN_RANGES:
        return COLUMN_RANGES[internal]
    if isinstance(model_field, models.DecimalField):
        whole = model_field.max_digits - model_field.decimal_places
        largest = Decimal(10) ** whole - Decimal(10) ** -model_field.decimal_places
        return (-largest, largest)
    if isinstance(model_field, models.FloatField):
        return INT32_RANGE
    return None


def numeric_bounds(field: forms.Field) -> Bounds:
    """The tightest (lower, upper) bound a form field's validators enforce; ``None`` if open."""
    low: Number | None = None
    high: Number | None = None
    for validator in field.validators:
        if isinstance(validator, MinValueValidator) and not callable(validator.limit_value):
            low = validator.limit_value if low is None else max(low, validator.limit_value)
        elif isinstance(validator, MaxValueValidator) and not callable(validator.limit_value):
            high = validator.limit_value if high is None else min(high, validator.limit_value)
    return low, high


def bound_numeric_field(field: forms.Field, limits: tuple[Number, Number]) -> None:
    """Narrow a numeric field to ``limits`` (kept where it is already narrower)."""
    low, high = numeric_bounds(field)
    if low is None or low < limits[0]:
        low = limits[0]
        field.validators.append(MinValueValidator(low))
        field.min_value = low
    if high is None or high > limits[1]:
        high = limits[1]
        field.validators.append(MaxValueValidator(high))
        field.max_value = high
    if isinstance(field.widget, forms.NumberInput):
        field.widget.attrs.setdefault("min", low)
        field.widget.attrs.setdefault("max", high)


def harden_field(field: forms.Field, column: tuple[Number, Number] | None = None) -> None:
    """Apply the project's input rules to one form field (idempotent)."""
    if isinstance(field, NUMERIC_FIELDS):
        bound_numeric_field(field, column or INT32_RANGE)
    if isinstance(field, forms.CharField) and validate_safe_text not in field.validators:
        # First, so that no later validator sees a character it cannot handle; it covers NUL,
        # so Django's own NUL check would only repeat the message.
        field.validators[:] = [
            v for v in field.validators if not isinstance(v, ProhibitNullCharactersValidator)
        ]
        field.validators.insert(0, validate_safe_text)


def _model_of(form_class: type) -> type[models.Model] | None:
    meta = getattr(form_class, "_meta", None)
    return getattr(meta, "model", None)


def column_range_of(form_class: type, name: str) -> tuple[Number, Number] | None:
    """The column range a form's field is bound by: its ModelForm model's field of that name,
    or the column named in ``model_columns``."""
    declared = getattr(form_class, "model_columns", {}) or {}
    if name in declared:
        model, field_name = declared[name]
        return column_range(model._meta.get_field(field_name))
    model = _model_of(form_class)
    if model is not None:
        try:
            return column_range(model._meta.get_field(name))
        except FieldDoesNotExist:
            return None
    return None


def _harden_fields(form_class: type, fields: dict[str, forms.Field]) -> None:
    for name, field in fields.items():
        harden_field(field, column_range_of(form_class, name))


class FairFormMixin:
    """The rules of every form; use :class:`FairForm` or :class:`FairModelForm`.

    ``model_columns`` maps a plain form's field to the model column it ends up in, as
    ``{"online_capacity": (Fair, "online_capacity")}``, so the field is bounded by that column.
    """

    model_columns: ClassVar[dict[str, tuple[type[models.Model], str]]] = {}

    def full_clean(self) -> None:
        # Fields added in ``__init__`` get the same rules as declared ones.
        _harden_fields(type(self), self.fields)
        super().full_clean()  # type: ignore[misc]


class FairFormMetaclass(DeclarativeFieldsMetaclass):
    def __new__(mcs, name: str, bases: tuple[type, ...], attrs: dict[str, Any]) -> type:
        new_class = super().__new__(mcs, name, bases, attrs)
        _harden_fields(new_class, new_class.base_fields)
        return new_class


class FairModelFormMetaclass(ModelFormMetaclass):
    def __new__(mcs, name: str, bases: tuple[type, ...], attrs: dict[str, Any]) -> type:
        new_class = super().__new__(mcs, name, bases, attrs)
        _harden_fields(new_class, new_class.base_fields)
        return new_class


class FairForm(FairFormMixin, forms.Form, metaclass=FairFormMetaclass):
    """Base of every plain form."""


class FairModelForm(FairFormMixin, forms.ModelForm, metaclass=FairModelFormMetaclass):
    """Base of every model form."""


# --- Forms that create something: one submission per rendered form ----------------------------

SUBMISSION_KEY_FIELD = "submission_key"

DUPLICATE_SUBMISSION_MESSAGE = _(
    "This form has already been sent; it was not saved a second time. "
    "Reload the page to see the result."
)
MISSING_SUBMISSION_KEY_MESSAGE = _(
    "This form has expired or is incomplete. Please check the fields and send it again."
)


def new_submission_key() -> str:
    return secrets.token_urlsafe(24)


class SubmissionKeyField(forms.CharField):
    """The hidden idempotency key: a fresh one each time the form is rendered, so a re-shown
    form (after an error) is a new submission, and a repeat of one rendering is not."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", True)
        kwargs.setdefault("label", "")
        kwargs.setdefault("initial", new_submission_key)
        kwargs.setdefault("min_length", 16)
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("validators", [RegexValidator(r"^[A-Za-z0-9_-]+\Z")])
        kwargs.setdefault("error_messages", {})
        for code in ("required", "min_length", "max_length", "invalid"):
            kwargs["error_messages"].setdefault(code, MISSING_SUBMISSION_KEY_MESSAGE)
        super().__init__(**kwargs)

    def bound_data(self, data: Any, initial: Any) -> Any:
        return initial  # rendered again: a new key, never the one just sent


class CreateFormMixin:
    """A form whose valid submission creates something: it carries a hidden
    :class:`SubmissionKeyField`, and once every other check has passed the key is claimed
    (:func:`fairsite.services.submission_key_claim`). A second submission with the same key,
    at once or later, is refused with a clear message, so it creates nothing. A form that
    edits instead (``editing``) drops the field in its ``__init__``.

    The claim must commit with the create or not at all, so such a form is validated inside
    the transaction of the create (the view is decorated with :func:`creates`); validated
    outside one it raises :class:`~django.core.exceptions.ImproperlyConfigured`."""

    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]
        errors = self._errors  # type: ignore[attr-defined]
        if SUBMISSION_KEY_FIELD in errors:
            # A hidden field's error is shown with the form's own errors.
            self.add_error(None, list(errors.pop(SUBMISSION_KEY_FIELD)))  # type: ignore[attr-defined]
        if SUBMISSION_KEY_FIELD not in self.fields or errors:
            return
        from fairsite.services import submission_key_claim

        if not transaction.get_connection().in_atomic_block:
            raise ImproperlyConfigured(
                f"{type(self).__qualname__} creates something: validate it inside the "
                "transaction of the create (decorate the view with fairsite.forms.creates)."
            )
        key = self.cleaned_data[SUBMISSION_KEY_FIELD]  # type: ignore[attr-defined]
        form_name = f"{type(self).__module__}.{type(self).__qualname__}"
        if not submission_key_claim(key=key, form=form_name):
            self.add_error(None, DUPLICATE_SUBMISSION_MESSAGE)  # type: ignore[attr-defined]

    def drop_submission_key(self) -> None:
        self.fields.pop(SUBMISSION_KEY_FIELD, None)  # type: ignore[attr-defined]


def creates(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Decorate a view that validates a create form: the whole request runs in one
    transaction, so the submission key's claim and the create commit together. A request that
    dies in between (an exception, a killed process) rolls both back, and the same rendering
    sent again is a new submission, not "already sent". Services called inside keep their own
    savepoints (the booking guard retries inside its savepoint); their broadcasts and tasks
    still run after the commit."""
    return transaction.atomic(view)


class CreateForm(CreateFormMixin, FairForm):
    """Base of every plain form that creates something."""

    submission_key = SubmissionKeyField()


class CreateModelForm(CreateFormMixin, FairModelForm):
    """Base of every model form that creates something (an edit drops the key)."""

    submission_key = SubmissionKeyField()
