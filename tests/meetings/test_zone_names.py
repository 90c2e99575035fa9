"""Time zones are named as people name them (a city, in the reader's language), never as the
database's zone id."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse


def _shown(html: str) -> str:
    """The page without its tags (the chat script reads the zone id from an attribute)."""
    return re.sub(r"<[^>]*>", " ", html)


@pytest.mark.django_db
def test_the_room_and_the_footer_name_cities_not_zone_ids(meeting, buyer_member):
    client = Client()
    client.force_login(buyer_member.user)  # a buyer in Tokyo, reading English

    html = _shown(client.get(reverse("meetings:room", args=[meeting.pk])).content.decode())

    assert "Asia/Tokyo" not in html and "Asia/Ho_Chi_Minh" not in html
    assert "Times are shown in Tokyo." in html
    assert "· Tokyo)" in html and "· Hà Nội)" in html


@pytest.mark.django_db
def test_the_city_is_in_the_readers_language(meeting, exhibitor_member):
    exhibitor_member.user.language = "vi"
    exhibitor_member.user.save(update_fields=["language"])
    client = Client()
    client.force_login(exhibitor_member.user)

    html = _shown(
        client.get(
            reverse("meetings:room", args=[meeting.pk]), HTTP_ACCEPT_LANGUAGE="vi"
        ).content.decode()
    )

    assert "Thời gian hiển thị theo múi giờ Hà Nội." in html
    assert "Asia/Ho_Chi_Minh" not in html
