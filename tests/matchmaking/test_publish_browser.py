"""A Vietnamese organiser finds a publication that stopped and resumes it, in a real headless
Chromium (desktop and phone width): the page says it stopped and why nothing is lost, the
button books the rest, and the page then shows the meetings booked."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from matchmaking import publishing
from meetings.models import Meeting
from tests import factories
from tests.browser import artifacts, browser_context, chromium  # noqa: F401
from tests.journeys.helpers import session_cookie
from tests.matchmaking.test_publish import previewed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_vietnamese_organiser_resumes_a_stopped_publication(
    live_server,
    browser_context,  # noqa: F811
    artifacts,  # noqa: F811
    monkeypatch,
):
    fair = factories.FairFactory()
    organiser = factories.OrganiserFactory(language="vi")
    _pairs, run = previewed(fair, organiser, 3)
    real = publishing.book_batch

    def database_gone(**kwargs):
        raise ConnectionError("database unavailable")

    monkeypatch.setattr(publishing, "book_batch", database_gone)
    client = Client()
    client.force_login(organiser)
    client.post(reverse("matchmaking:scheduler_publish", kwargs={"pk": run.pk}))
    run.refresh_from_db()
    assert run.status == "publishing" and not Meeting.objects.exists()
    monkeypatch.setattr(publishing, "book_batch", real)  # the database is back

    browser_context.add_cookies([session_cookie(organiser, live_server.url)])
    page = browser_context.new_page()
    page.goto(f"{live_server.url}{reverse('matchmaking:scheduler_run', kwargs={'pk': run.pk})}")
    stalled = page.locator("#publish-stalled")
    assert page.locator(".mm-publication h2").inner_text() == "Việc công bố đã dừng lại."
    assert "chưa ai nhận e-mail" in stalled.inner_text()
    page.screenshot(path=str(artifacts / "publish-stalled-vi-desktop.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(artifacts / "publish-stalled-vi-phone.png"), full_page=True)
    button = page.get_by_role("button", name="Tiếp tục công bố")
    box = button.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 390  # reachable on a phone
    button.click()
    page.wait_for_load_state()
    assert "Đã tiếp tục công bố" in page.inner_text("body")
    assert page.locator("#publish-stalled").count() == 0
    page.screenshot(path=str(artifacts / "publish-resumed-vi-phone.png"), full_page=True)
    run.refresh_from_db()
    assert (run.status, run.meetings_created) == ("published", 3)
    assert Meeting.objects.filter(fair=fair).count() == 3
