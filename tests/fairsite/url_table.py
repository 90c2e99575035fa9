from tests.test_url_permissions import UrlCase

CASES = [
    UrlCase(name="home", anonymous=200),
    UrlCase(name="healthz", anonymous=200),
    UrlCase(name="favicon", anonymous=200),
    # The switcher redirects everyone back (to "next", or "/").
    UrlCase(
        name="set_language",
        method="post",
        data=lambda ctx: {"language": "vi", "next": "/"},
        anonymous=302,
        visitor=302,
        owner=302,
        other=302,
        buyer=302,
        organiser=302,
        login_redirect=False,
    ),
]
