"""allauth's pages a person reaches, in their language: the e-mail addresses page, password
change and two-factor set-up. allauth has no Vietnamese catalogue; ours carries its strings."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from tests import factories
from tests.fairsite.test_translations import compiled_catalogues  # noqa: F401 - fixture

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("compiled_catalogues")]

EMAIL_PAGE = {
    "vi": [
        "Các địa chỉ e-mail sau đang gắn với tài khoản của bạn:",
        "Đặt làm e-mail chính",
        "Gửi lại e-mail xác minh",
        "Thêm địa chỉ e-mail",
        "Đã xác minh",
        "Chính",
    ],
    "ja": [
        "お使いのアカウントには次のメールアドレスが登録されています",
        "メインに設定",
        "確認済み",
    ],
    "ko": ["다음 이메일 주소가 계정에 연결되어 있습니다", "기본으로 설정", "인증됨"],
}
ENGLISH = ["The following email addresses", "Make Primary", "Re-send Verification", "Add Email"]


@pytest.fixture
def person(client):
    user = factories.UserFactory(kind="exhibitor")
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    client.force_login(user)
    return user


@pytest.mark.parametrize("lang", sorted(EMAIL_PAGE))
def test_email_page_speaks_the_readers_language(client, person, lang):
    client.cookies["django_language"] = lang

    page = client.get(reverse("account_email")).content.decode()

    assert [text for text in EMAIL_PAGE[lang] if text not in page] == []
    assert [text for text in ENGLISH if text in page] == []


def test_email_page_makes_another_address_primary(client, person):
    EmailAddress.objects.create(user=person, email="second@example.com", verified=True)

    response = client.post(
        reverse("account_email"), {"email": "second@example.com", "action_primary": ""}
    )

    assert response.status_code == 302
    assert EmailAddress.objects.get(user=person, primary=True).email == "second@example.com"


def test_email_page_adds_an_address_with_our_form(client, person):
    response = client.post(
        reverse("account_email"), {"email": "third@example.com", "action_add": ""}
    )

    assert response.status_code == 302
    assert EmailAddress.objects.filter(user=person, email="third@example.com").exists()


def test_password_change_page_in_vietnamese(client, person):
    client.cookies["django_language"] = "vi"

    page = client.get(reverse("account_change_password")).content.decode()

    assert "Change Password" not in page
    assert 'class="card"' in page


def test_two_factor_page_in_vietnamese(client, person):
    client.cookies["django_language"] = "vi"

    page = client.get(reverse("mfa_index")).content.decode()

    assert "Ứng dụng xác thực" in page
    assert "Authenticator App" not in page
