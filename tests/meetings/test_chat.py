"""Chat services and selectors: idempotent sends, paging, limits, presence, access."""

from __future__ import annotations

import asyncio
import threading

import pytest
from django.db import connection, transaction

from meetings import chat, presence, protocol, ratelimit
from meetings.models import ChatMessage, Meeting
from meetings.protocol import ProtocolError
from tests import factories
from tests.meetings.sockets import *  # noqa: F403 - people fixtures, fresh cache

pytestmark = pytest.mark.django_db


@pytest.fixture
def seller_room(meeting, exhibitor):
    return chat.room_open(user=exhibitor, meeting_id=meeting.pk)


@pytest.fixture
def guest_room(meeting, buyer):
    return chat.room_open(user=buyer, meeting_id=meeting.pk)


def send(room, user, client_id: str, text: str = "hello"):
    return chat.chat_message_create(room=room, sender=user, client_id=client_id, text=text)


def seed(meeting, sender, count: int) -> list[int]:
    return [
        ChatMessage.objects.create(
            meeting=meeting, sender=sender, client_id=f"s{n}", text=f"m{n}"
        ).pk
        for n in range(count)
    ]


def test_room_open_decides_role_and_write_right(meeting, exhibitor, buyer, organiser, outsider):
    seller = chat.room_open(user=exhibitor, meeting_id=meeting.pk)
    guest = chat.room_open(user=buyer, meeting_id=meeting.pk)
    watcher = chat.room_open(user=organiser, meeting_id=meeting.pk)

    assert (seller.person["role"], seller.can_write) == ("exhibitor", True)
    assert (guest.person["role"], guest.can_write) == ("buyer", True)
    assert (watcher.person["role"], watcher.can_write) == ("organiser", False)
    assert chat.room_open(user=outsider, meeting_id=meeting.pk) is None
    assert chat.room_open(user=exhibitor, meeting_id=meeting.pk + 999) is None
    assert chat.room_open(user=exhibitor, meeting_id="1; drop") is None


def test_room_open_is_one_query_for_a_socket_user(
    meeting, exhibitor, organiser, outsider, django_assert_num_queries
):
    from fairsite.socket_auth import resolve_session_user
    from tests.meetings.sockets import session_key_for

    people = {}
    for name, user in [("seller", exhibitor), ("watcher", organiser), ("outsider", outsider)]:
        people[name] = resolve_session_user(session_key_for(user))[1]  # organiser flag known

    with django_assert_num_queries(3):  # one per socket: fair, meeting and membership at once
        seller = chat.room_open(user=people["seller"], meeting_id=meeting.pk)
        watcher = chat.room_open(user=people["watcher"], meeting_id=meeting.pk)
        refused = chat.room_open(user=people["outsider"], meeting_id=meeting.pk)

    assert (seller.person["role"], seller.can_write) == ("exhibitor", True)
    assert (watcher.person["role"], watcher.can_write) == ("organiser", False)
    assert refused is None


def test_room_follows_the_current_fair(exhibitor, buyer_member, exhibitor_member, meeting, fair):
    later = factories.FairFactory(is_current=False)
    assert chat.room_open(user=exhibitor, meeting_id=meeting.pk) is not None

    type(fair).objects.filter(pk=fair.pk).update(is_current=False)
    type(fair).objects.filter(pk=later.pk).update(is_current=True)

    assert chat.room_open(user=exhibitor, meeting_id=meeting.pk) is None


def test_room_of_another_fair_is_closed(exhibitor, buyer_member, exhibitor_member):
    old_fair = factories.FairFactory(is_current=False)
    elsewhere = factories.MeetingFactory(
        fair=old_fair, exhibitor=exhibitor_member.company, buyer=buyer_member.company
    )

    assert chat.room_open(user=exhibitor, meeting_id=elsewhere.pk) is None


@pytest.mark.django_db(transaction=True)
def test_room_open_on_the_event_loop_decides_as_the_synchronous_one(
    meeting, exhibitor, buyer, organiser, outsider, exhibitor_member, buyer_member, settings
):
    """The socket's handshake runs the access query compiled once, on the loop's own
    connections (:func:`chat.room_open_async`): the same rooms, refusals and fair rules."""
    from asgiref.sync import async_to_sync

    from fairsite.socket_auth import resolve_session_user
    from tests.meetings.sockets import session_key_for

    old_fair = factories.FairFactory(is_current=False, slug="old-fair")
    elsewhere = factories.MeetingFactory(
        fair=old_fair, exhibitor=exhibitor_member.company, buyer=buyer_member.company
    )
    people = [resolve_session_user(session_key_for(u))[1] for u in (exhibitor, buyer, organiser)]
    people.append(outsider)  # organiser flag not known: asked in a worker thread
    cases = [
        (person, meeting_id)
        for person in people
        for meeting_id in (meeting.pk, meeting.pk + 999, elsewhere.pk, "1; drop", 0, 2**70)
    ]
    run_async = async_to_sync(chat.room_open_async)

    def both() -> list[tuple[object, object]]:
        return [
            (chat.room_open(user=user, meeting_id=m), run_async(user=user, meeting_id=m))
            for user, m in cases
        ]

    results = both()
    assert all(sync == on_loop for sync, on_loop in results)
    assert [r for r, _ in results if r is not None] == [
        chat.room_open(user=user, meeting_id=meeting.pk) for user in people[:3]
    ]
    assert [r.person["role"] for r, _ in results if r is not None] == [
        "exhibitor",
        "buyer",
        "organiser",
    ]
    settings.FAIR_SLUG = "old-fair"  # another current fair: compiled again, other rooms open
    results = both()
    assert all(sync == on_loop for sync, on_loop in results)
    assert {r.meeting_id for r, _ in results if r is not None} == {elsewhere.pk}


def test_send_stores_once_per_client_id_and_announces_once(
    seller_room, exhibitor, meeting, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        first, created = send(seller_room, exhibitor, "c-1", "Xin chào")
        again, created_again = send(seller_room, exhibitor, "c-1", "Xin chào")

    assert (created, created_again) == (True, False)
    assert first.pk == again.pk
    assert ChatMessage.objects.filter(meeting=meeting).count() == 1
    assert len(callbacks) == 1


def test_same_client_id_of_two_people_is_two_messages(seller_room, guest_room, exhibitor, buyer):
    mine, _ = send(seller_room, exhibitor, "c-1")
    theirs, _ = send(guest_room, buyer, "c-1")

    assert mine.pk != theirs.pk


def test_rollback_announces_nothing(seller_room, exhibitor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            send(seller_room, exhibitor, "c-1")
            raise RuntimeError

    assert callbacks == []
    assert ChatMessage.objects.count() == 0


@pytest.mark.parametrize(
    ("text", "code"),
    [(" \n\t ", protocol.CHAT_EMPTY), ("x" * 2001, protocol.CHAT_TOO_LONG)],
)
def test_bad_text_is_refused_and_stores_nothing(seller_room, exhibitor, text, code):
    with pytest.raises(ProtocolError) as caught:
        send(seller_room, exhibitor, "c-1", text)

    assert caught.value.code == code
    assert ChatMessage.objects.count() == 0


def test_exactly_the_limit_is_allowed(seller_room, exhibitor):
    message, _ = send(seller_room, exhibitor, "c-1", "ư" * 2000)

    assert len(message.text) == 2000


def test_organiser_cannot_write(meeting, organiser, exhibitor):
    watcher = chat.room_open(user=organiser, meeting_id=meeting.pk)

    with pytest.raises(ProtocolError) as caught:
        send(watcher, organiser, "o-1")
    with pytest.raises(ProtocolError):
        presence.typing_notify(room=watcher)

    assert caught.value.code == protocol.CHAT_FORBIDDEN
    assert ChatMessage.objects.count() == 0


def test_rate_limit_counts_per_person(
    seller_room, guest_room, exhibitor, buyer, settings, rate_clock
):
    settings.CHAT_RATE_LIMIT = "2/60s"
    send(seller_room, exhibitor, "c-1")
    send(seller_room, exhibitor, "c-2")

    with pytest.raises(ProtocolError) as caught:
        send(seller_room, exhibitor, "c-3")
    send(guest_room, buyer, "g-1")  # another person has their own allowance

    assert caught.value.code == protocol.CHAT_RATE_LIMITED
    assert 1 <= caught.value.details["retry_after"] <= 60
    assert ChatMessage.objects.count() == 3


def test_rate_limit_off_lets_the_flood_through(seller_room, exhibitor, settings):
    # Negative control: the same flood passes when the limit is high.
    settings.CHAT_RATE_LIMIT = "1000/60s"
    for n in range(5):
        send(seller_room, exhibitor, f"c-{n}")

    assert ChatMessage.objects.count() == 5


@pytest.mark.parametrize(
    ("rate", "parsed"),
    [("20/10s", (20, 10)), ("5/s", (5, 1)), ("100/m", (100, 60)), ("7/2h", (7, 7200))],
)
def test_parse_rate(rate, parsed):
    assert ratelimit.parse_rate(rate) == parsed


def test_parse_rate_refuses_nonsense():
    with pytest.raises(ValueError):
        ratelimit.parse_rate("often")


def test_history_pages_backwards(seller_room, meeting, exhibitor):
    seed(meeting, exhibitor, 5)

    newest = chat.chat_history(room=seller_room, limit=2)
    older = chat.chat_history(room=seller_room, before=newest["messages"][0]["id"], limit=10)

    assert [m["text"] for m in newest["messages"]] == ["m3", "m4"]
    assert newest["more"] is True
    assert [m["text"] for m in older["messages"]] == ["m0", "m1", "m2"]
    assert older["more"] is False


def test_since_pages_forwards(seller_room, meeting, exhibitor):
    ids = seed(meeting, exhibitor, 5)

    page = chat.chat_messages_after(room=seller_room, after=0, limit=3)
    rest = chat.chat_messages_after(room=seller_room, after=page["messages"][-1]["id"])
    none = chat.chat_messages_after(room=seller_room, after=ids[-1])

    assert [m["id"] for m in page["messages"]] == ids[:3] and page["more"] is True
    assert [m["id"] for m in rest["messages"]] == ids[3:] and rest["more"] is False
    assert none == {"messages": [], "more": False}


def test_cursors_of_other_meetings_are_not_found(seller_room, fair, buyer):
    elsewhere = factories.MeetingFactory(fair=fair)
    foreign = seed(elsewhere, buyer, 1)[0]

    for call in (
        lambda: chat.chat_messages_after(room=seller_room, after=foreign),
        lambda: chat.chat_history(room=seller_room, before=foreign),
    ):
        with pytest.raises(ProtocolError) as caught:
            call()
        assert caught.value.code == protocol.CHAT_NOT_FOUND


@pytest.mark.parametrize("count", [2, 30])
def test_history_and_since_queries_do_not_grow_with_rows(
    seller_room, meeting, exhibitor, buyer, count, django_assert_num_queries
):
    ids = seed(meeting, exhibitor, count // 2) + seed(meeting, buyer, count - count // 2)

    with django_assert_num_queries(1):
        chat.chat_history(room=seller_room)
    with django_assert_num_queries(2):
        chat.chat_messages_after(room=seller_room, after=ids[0])


def test_typing_is_throttled_per_person(seller_room, guest_room):
    assert presence.typing_notify(room=seller_room) is True
    assert presence.typing_notify(room=seller_room) is False
    assert presence.typing_notify(room=guest_room) is True


def test_presence_counts_a_person_once_and_versions_grow(seller_room, guest_room):
    one = presence.room_enter(room=seller_room, channel_name="a")["presence"]
    two = presence.room_enter(room=guest_room, channel_name="b")["presence"]
    three = presence.room_enter(room=guest_room, channel_name="c")["presence"]  # second tab
    presence.room_leave(room=guest_room, channel_name="b")
    four = presence.room_enter(room=seller_room, channel_name="d")["presence"]

    assert [p["id"] for p in one["users"]] == [seller_room.user_id]
    assert {p["id"] for p in two["users"]} == {seller_room.user_id, guest_room.user_id}
    assert three["users"] == two["users"]
    assert {p["id"] for p in four["users"]} == {seller_room.user_id, guest_room.user_id}
    assert one["version"] < two["version"] < three["version"] < four["version"]


def test_presence_forgets_sockets_that_stop_pinging(seller_room, guest_room, monkeypatch):
    presence.room_enter(room=guest_room, channel_name="b")
    now = presence.time.time()
    monkeypatch.setattr(presence.time, "time", lambda: now + presence.PRESENCE_TTL + 1)

    present = presence.room_enter(room=seller_room, channel_name="a")["presence"]

    assert [p["id"] for p in present["users"]] == [seller_room.user_id]


@pytest.mark.django_db(transaction=True)
def test_concurrent_resends_store_one_message(postgres_required, meeting, exhibitor):
    """Eight threads send the same client_id at once: one row, one id for all of them."""
    room = chat.room_open(user=exhibitor, meeting_id=meeting.pk)
    barrier = threading.Barrier(8)
    results: list[tuple[int, bool]] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait(timeout=10)
            message, created = send(room, exhibitor, "same", "once")
            results.append((message.pk, created))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert len({pk for pk, _ in results}) == 1
    assert sorted(created for _, created in results) == [False] * 7 + [True]
    assert ChatMessage.objects.filter(meeting=meeting).count() == 1


def test_sync_and_async_rate_checks_share_one_counter(exhibitor, buyer, settings, rate_clock):
    """Sockets count on the event loop, other callers in a thread: one allowance per person."""
    settings.CHAT_RATE_LIMIT = "2/60s"
    ratelimit.chat_rate_check(user_id=exhibitor.pk)
    asyncio.run(ratelimit.chat_rate_check_async(user_id=exhibitor.pk))

    with pytest.raises(ProtocolError) as caught:
        asyncio.run(ratelimit.chat_rate_check_async(user_id=exhibitor.pk))
    with pytest.raises(ProtocolError):
        ratelimit.chat_rate_check(user_id=exhibitor.pk)
    asyncio.run(ratelimit.chat_rate_check_async(user_id=buyer.pk))  # negative control: not shared

    assert caught.value.code == protocol.CHAT_RATE_LIMITED
    assert 1 <= caught.value.details["retry_after"] <= 60


@pytest.mark.django_db(transaction=True)
def test_async_send_stores_once_and_answers_like_the_sync_service(
    seller_room, exhibitor, meeting, settings, rate_clock
):
    settings.CHAT_RATE_LIMIT = "2/60s"
    first = asyncio.run(
        chat.chat_message_send(room=seller_room, sender=exhibitor, client_id="a-1", text="hi")
    )
    again = asyncio.run(
        chat.chat_message_send(room=seller_room, sender=exhibitor, client_id="a-1", text="hi")
    )
    stored = ChatMessage.objects.get(meeting=meeting)

    assert (first["created"], again["created"]) == (True, False)
    assert first["message"] == again["message"] == chat.message_data(stored)
    # the two sends above counted, the resend included
    with pytest.raises(ProtocolError) as caught:
        asyncio.run(
            chat.chat_message_send(room=seller_room, sender=exhibitor, client_id="a-2", text="x")
        )
    assert caught.value.code == protocol.CHAT_RATE_LIMITED
    assert ChatMessage.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_send_waits_for_the_meeting_row_lock(postgres_required, meeting, fair, exhibitor):
    """Ids commit in order within a meeting: a send cannot draw its id while another
    transaction holds the meeting's row. Negative control: another meeting does not wait."""
    room = chat.room_open(user=exhibitor, meeting_id=meeting.pk)
    other = factories.MeetingFactory(fair=fair, exhibitor=meeting.exhibitor, buyer=meeting.buyer)
    other_room = chat.room_open(user=exhibitor, meeting_id=other.pk)
    locked, release = threading.Event(), threading.Event()
    done = {"same": threading.Event(), "other": threading.Event()}

    def holder() -> None:
        try:
            with transaction.atomic():
                list(
                    Meeting.objects.select_for_update(no_key=True)
                    .filter(pk=meeting.pk)
                    .values_list("pk")
                )
                locked.set()
                release.wait(10)
        finally:
            connection.close()

    def sender(which: str, target) -> None:
        try:
            send(target, exhibitor, f"lock-{which}")
            done[which].set()
        finally:
            connection.close()

    threads = [threading.Thread(target=holder)]
    threads[0].start()
    assert locked.wait(10)
    threads += [
        threading.Thread(target=sender, args=("same", room)),
        threading.Thread(target=sender, args=("other", other_room)),
    ]
    for thread in threads[1:]:
        thread.start()
    try:
        assert done["other"].wait(10)
        assert not done["same"].wait(0.5)
    finally:
        release.set()
        for thread in threads:
            thread.join(timeout=15)
    assert done["same"].is_set()
    assert ChatMessage.objects.filter(meeting=meeting).count() == 1
