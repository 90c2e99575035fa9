"""The admin speaks the organiser's language: every model and field of this project has a
translatable label, and each has a translation in the vi, ja and ko catalogues."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.utils import translation
from django.utils.functional import Promise

from tests.fairsite.test_translations import compiled_catalogues  # noqa: F401 - fixture

APPS = ("fairsite", "exhibitors", "matchmaking", "meetings")


def labels():
    for app in APPS:
        for model in apps.get_app_config(app).get_models():
            meta = model._meta
            name = model.__name__
            yield f"{name}.verbose_name", meta.original_attrs.get("verbose_name")
            yield f"{name}.verbose_name_plural", meta.original_attrs.get("verbose_name_plural")
            for field in meta.get_fields():
                if field.concrete and not field.auto_created:
                    yield f"{name}.{field.name}", field._verbose_name
                    for value, label in field.flatchoices if field.name != "country" else ():
                        yield f"{name}.{field.name}={value}", label


LABELS = list(labels())
#: Words a language writes as English does.
SAME_IN = {"vi": {"logo", "Euro (EUR)"}}


def test_every_model_and_field_label_is_translatable():
    untranslatable = [where for where, label in LABELS if not isinstance(label, Promise)]

    assert untranslatable == []


@pytest.mark.usefixtures("compiled_catalogues")
@pytest.mark.parametrize("lang", ["vi", "ja", "ko"])
def test_every_model_and_field_label_has_a_translation(lang):
    english = {where: str(label) for where, label in LABELS if isinstance(label, Promise)}
    with translation.override(lang):
        same = [
            where
            for where, label in LABELS
            if isinstance(label, Promise)
            and str(label) == english[where]
            and english[where] not in SAME_IN.get(lang, set())
        ]

    assert same == []
