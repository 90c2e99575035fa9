"""Every form of the project goes through the one base (``fairsite.forms``): numeric fields are
bounded by their database column, text fields refuse unsafe characters."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from decimal import Decimal

import pytest
from django import forms

from fairsite.forms import INT32_RANGE, FairFormMixin, column_range_of, numeric_bounds

PROJECT_PACKAGES = ("fairsite", "exhibitors", "matchmaking", "meetings")
#: Settings modules, and the module of the bases themselves.
SKIPPED_MODULES = {"fairsite.settings", "fairsite.test_settings", "fairsite.forms"}


def project_form_classes() -> list[type[forms.BaseForm]]:
    """Every form class defined anywhere in the project's packages (new ones are found too)."""
    found: dict[str, type[forms.BaseForm]] = {}
    for package_name in PROJECT_PACKAGES:
        package = importlib.import_module(package_name)
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{package_name}."):
            if ".migrations" in info.name or info.name in SKIPPED_MODULES:
                continue
            module = importlib.import_module(info.name)
            for obj in vars(module).values():
                if (
                    inspect.isclass(obj)
                    and issubclass(obj, forms.BaseForm)
                    and obj.__module__ == module.__name__
                ):
                    found[f"{obj.__module__}.{obj.__qualname__}"] = obj
    return [found[name] for name in sorted(found)]


FORM_CLASSES = project_form_classes()


def test_the_walk_finds_the_forms():
    names = {cls.__name__ for cls in FORM_CLASSES}
    assert {"GridSettingsForm", "CompanyForm", "DealForm", "AcceptForm"} <= names


@pytest.mark.parametrize("form_class", FORM_CLASSES, ids=lambda c: c.__qualname__)
def test_every_form_uses_the_project_base(form_class):
    assert issubclass(form_class, FairFormMixin)


@pytest.mark.parametrize("form_class", FORM_CLASSES, ids=lambda c: c.__qualname__)
def test_every_numeric_field_is_bounded_within_its_column(form_class):
    for name, field in form_class.base_fields.items():
        if not isinstance(field, forms.IntegerField | forms.FloatField | forms.DecimalField):
            continue
        low, high = numeric_bounds(field)
        assert low is not None and high is not None, f"{form_class.__name__}.{name} is unbounded"
        column = column_range_of(form_class, name) or INT32_RANGE
        assert column[0] <= low <= high <= column[1], (
            f"{form_class.__name__}.{name}: {low}..{high} does not fit the column {column}"
        )


class _Plain(forms.Form):
    count = forms.IntegerField(required=False)
    ratio = forms.DecimalField(required=False)


def test_negative_control_a_plain_django_form_is_unbounded():
    """The check above would catch a form that skips the base."""
    assert numeric_bounds(_Plain.base_fields["count"]) == (None, None)
    assert not issubclass(_Plain, FairFormMixin)


def test_dynamically_added_fields_are_bounded_when_cleaned():
    from fairsite.forms import FairForm

    class Dynamic(FairForm):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields["late"] = forms.IntegerField()
            self.fields["note"] = forms.CharField()

    form = Dynamic(data={"late": str(2**31), "note": "a\ud800"})

    assert not form.is_valid()
    assert set(form.errors) == {"late", "note"}


@pytest.mark.parametrize("value", ["a\x00b", "\ud800", "x\udfffy"])
def test_text_fields_refuse_unsafe_characters(value):
    from fairsite.forms import FairForm
    from fairsite.textinput import UNSAFE_TEXT_MESSAGE

    class Note(FairForm):
        note = forms.CharField()

    form = Note(data={"note": value})

    assert not form.is_valid()
    assert form.errors["note"] == [str(UNSAFE_TEXT_MESSAGE)]


def test_decimal_bounds_are_read_from_validators():
    field = forms.DecimalField(min_value=Decimal("0.5"), max_value=Decimal("2"))
    assert numeric_bounds(field) == (Decimal("0.5"), Decimal("2"))


def test_account_forms_use_the_project_base():
    """Sign-in, sign-up, password and MFA forms of allauth go through the same rules."""
    from allauth.account.forms import SignupForm
    from django.conf import settings
    from django.utils.module_loading import import_string

    configured = [*settings.ACCOUNT_FORMS.values(), *settings.MFA_FORMS.values()]
    assert "login" in settings.ACCOUNT_FORMS
    for path in configured:
        assert issubclass(import_string(path), FairFormMixin), path
    assert issubclass(SignupForm, FairFormMixin)


@pytest.mark.django_db
def test_sign_in_with_a_nul_answers_the_unsafe_text_message(client):
    from django.urls import reverse

    from fairsite.textinput import UNSAFE_TEXT_MESSAGE

    response = client.post(
        reverse("account_login"), {"login": "a\x00b@example.com", "password": "x\x00y"}
    )

    assert response.status_code == 200
    assert str(UNSAFE_TEXT_MESSAGE) in response.content.decode()


@pytest.mark.django_db
def test_sign_up_with_a_nul_in_the_name_stores_nothing(client):
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    response = client.post(
        reverse("account_signup"),
        {
            "email": "new@example.com",
            "password1": "a-long-Passphrase-41",
            "password2": "a-long-Passphrase-41",
            "full_name": "Nguyễn\x00",
            "kind": "buyer",
            "language": "en",
        },
    )

    assert response.status_code == 200
    assert not get_user_model().objects.filter(email="new@example.com").exists()


#: Forms whose valid submission creates something (a deal, a request, a company, a join
#: request, a badge, a rate, a scheduler run): each carries a submission key.
CREATE_FORMS = {
    "DealForm",
    "SlotChoiceForm",
    "CompanyForm",
    "JoinCompanyForm",
    "BadgeForm",
    "ExchangeRateForm",
    "SchedulerRunForm",
}


@pytest.mark.parametrize("form_class", FORM_CLASSES, ids=lambda c: c.__qualname__)
def test_every_create_form_carries_a_submission_key(form_class):
    from fairsite.forms import SUBMISSION_KEY_FIELD, CreateFormMixin

    creates = form_class.__name__ in CREATE_FORMS
    assert issubclass(form_class, CreateFormMixin) == creates
    assert (SUBMISSION_KEY_FIELD in form_class.base_fields) == creates
