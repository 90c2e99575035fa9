"""Organisers administer every model of fairsite and exhibitors; other staff see nothing."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from fairsite.admin import ReadOnlyOrganiserAdmin
from tests.factories import BadgeFactory, MemberFactory, UserFactory

pytestmark = pytest.mark.django_db

APPS = {"fairsite", "exhibitors"}


def registered():
    return [model for model in admin.site._registry if model._meta.app_label in APPS]


def test_every_model_of_fairsite_and_exhibitors_is_registered():
    from django.apps import apps

    expected = {m for app in APPS for m in apps.get_app_config(app).get_models()}
    assert expected <= set(registered())


def test_organiser_opens_every_changelist_with_search_and_filters(client, organiser, fair):
    member = MemberFactory(company__fair=fair)
    BadgeFactory(fair=fair, user=member.user)
    client.force_login(organiser)
    for model in registered():
        opts = model._meta
        model_admin = admin.site._registry[model]
        assert model_admin.list_display and model_admin.search_fields, opts.label
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        assert client.get(url).status_code == 200, opts.label
        assert client.get(url, {"q": "Nguyễn"}).status_code == 200, opts.label
        # What the system writes (outbox, notifications, jobs) organisers only read.
        adds = 403 if isinstance(model_admin, ReadOnlyOrganiserAdmin) else 200
        assert (
            client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add")).status_code == adds
        ), opts.label


def test_organiser_opens_a_company_change_page(client, organiser, fair):
    member = MemberFactory(company__fair=fair)
    client.force_login(organiser)
    url = reverse("admin:exhibitors_company_change", args=[member.company.pk])
    assert client.get(url).status_code == 200


def test_staff_who_is_not_an_organiser_sees_no_models(client, fair):
    client.force_login(UserFactory(is_staff=True))
    response = client.get(reverse("admin:exhibitors_company_changelist"))
    assert response.status_code == 403


def test_organiser_cannot_grant_privileges(client, organiser):
    target = UserFactory()
    client.force_login(organiser)
    response = client.get(reverse("admin:fairsite_user_change", args=[target.pk]))
    assert response.status_code == 200
    assert 'name="is_superuser"' not in response.content.decode()
