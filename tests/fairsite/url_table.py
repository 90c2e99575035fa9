from tests.test_url_permissions import UrlCase

CASES = [
    UrlCase(name="home", anonymous=200, organiser=302),  # organisers land on the dashboard
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


def _own_notification(ctx):
    from fairsite.models import Notification

    return {"pk": Notification.objects.create(recipient=ctx.owner, kind="request.received").pk}


CASES += [
    UrlCase(name="notifications:list"),
    UrlCase(name="notifications:feed"),
    UrlCase(
        name="notifications:read",
        kwargs=_own_notification,
        method="post",
        visitor=404,
        owner=302,
        other=404,
        buyer=404,
        organiser=404,
    ),
    UrlCase(
        name="notifications:read_all",
        method="post",
        visitor=302,
        owner=302,
        other=302,
        buyer=302,
        organiser=302,
    ),
    UrlCase(
        name="notifications:reminders",
        method="post",
        data=lambda ctx: {"reminder_minutes": "30"},
        visitor=302,
        owner=302,
        other=302,
        buyer=302,
        organiser=302,
    ),
]
