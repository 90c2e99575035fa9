"""Feedback after a meeting (matchmaking.feedback): one answer per side, once, after the end,
only by the two companies; "it didn't happen" marks the other side absent; organisers see the
answers; the recommendations use them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from matchmaking import feedback, learning, recommend, services
from matchmaking.models import MeetingFeedback
from tests import factories

pytestmark = pytest.mark.django_db


def ended_meeting(fair, exhibitor_member, buyer_member, *, minutes_ago=60):
    start = timezone.now() - timedelta(minutes=minutes_ago + 30)
    meeting = factories.MeetingFactory(
        fair=fair,
        exhibitor=exhibitor_member.company,
        buyer=buyer_member.company,
        start=start,
        end=start + timedelta(minutes=30),
    )
    for member in (exhibitor_member, buyer_member):
        factories.MeetingAttendeeFactory(meeting=meeting, user=member.user, company=member.company)
    return meeting


@pytest.fixture
def meeting(fair, exhibitor_member, buyer_member):
    return ended_meeting(fair, exhibitor_member, buyer_member)


def test_each_side_answers_once(fair, meeting, exhibitor_member, buyer_member):
    colleague = factories.MemberFactory(company=exhibitor_member.company, fair=fair)
    feedback.meeting_feedback_give(
        fair=fair, user=exhibitor_member.user, meeting=meeting, took_place=True, usefulness=4
    )
    with pytest.raises(ValidationError, match="already answered"):
        feedback.meeting_feedback_give(
            fair=fair, user=colleague.user, meeting=meeting, took_place=False
        )
    # The other side still has its own answer to give.
    feedback.meeting_feedback_give(
        fair=fair,
        user=buyer_member.user,
        meeting=meeting,
        took_place=True,
        usefulness=2,
        next_step="sample",
    )
    answers = MeetingFeedback.objects.filter(meeting=meeting).order_by("id")
    assert [(a.company_id, a.usefulness, a.next_step) for a in answers] == [
        (exhibitor_member.company_id, 4, "none"),
        (buyer_member.company_id, 2, "sample"),
    ]


def test_it_did_not_happen_marks_the_other_side_absent(fair, meeting, exhibitor_member):
    answer = feedback.meeting_feedback_give(
        fair=fair, user=exhibitor_member.user, meeting=meeting, took_place=False, usefulness=5
    )
    assert answer.absent_id == meeting.buyer_id
    assert answer.usefulness is None
    assert feedback.no_show_counts(fair=fair) == {meeting.buyer_id: 1}


def test_only_the_two_companies_answer(fair, meeting, other_member):
    with pytest.raises(ValidationError, match="Only the people"):
        feedback.meeting_feedback_give(
            fair=fair, user=other_member.user, meeting=meeting, took_place=True, usefulness=3
        )
    assert not MeetingFeedback.objects.exists()


def test_no_answer_before_the_end_and_a_rating_is_needed(fair, exhibitor_member, buyer_member):
    later = ended_meeting(fair, exhibitor_member, buyer_member, minutes_ago=-120)
    with pytest.raises(ValidationError, match="once the meeting has ended"):
        feedback.meeting_feedback_give(
            fair=fair, user=buyer_member.user, meeting=later, took_place=True, usefulness=3
        )
    done = ended_meeting(fair, exhibitor_member, buyer_member, minutes_ago=300)
    with pytest.raises(ValidationError, match="from 1 to 5"):
        feedback.meeting_feedback_give(
            fair=fair, user=buyer_member.user, meeting=done, took_place=True, usefulness=9
        )
    assert not MeetingFeedback.objects.exists()


def test_one_tap_on_the_page_records_the_answer_and_organisers_see_it(
    fair, meeting, buyer_member, organiser, login
):
    client = login(buyer_member.user)
    page = client.get(reverse("matchmaking:feedback_list"))
    assert meeting in page.context["pending"]
    response = client.post(
        reverse("matchmaking:feedback_give", args=[meeting.pk]),
        {"usefulness": "5", "next_step": "visit"},
    )
    assert response.status_code == 302
    assert MeetingFeedback.objects.get().usefulness == 5
    assert client.get(reverse("matchmaking:feedback_list")).context["pending"] == []
    again = client.post(
        reverse("matchmaking:feedback_give", args=[meeting.pk]), {"took_place": "no"}
    )
    assert again.status_code == 302
    assert MeetingFeedback.objects.count() == 1
    answers = login(organiser).get(reverse("matchmaking:feedback_answers"))
    assert "Factory visit" in answers.content.decode()


def test_feedback_page_query_count_is_constant(fair, exhibitor_member, buyer_member, login):
    client = login(buyer_member.user)
    url = reverse("matchmaking:feedback_list")
    ended_meeting(fair, exhibitor_member, buyer_member, minutes_ago=60)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert len(client.get(url).context["pending"]) == 1
    for k in range(6):
        ended_meeting(fair, exhibitor_member, buyer_member, minutes_ago=120 + 60 * k)
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(url).context["pending"]) == 7
    assert len(many.captured_queries) == len(few.captured_queries)


def test_recommendations_read_the_ratings(fair, meeting, exhibitor_member, buyer_member):
    feedback.meeting_feedback_give(
        fair=fair, user=buyer_member.user, meeting=meeting, took_place=True, usefulness=5
    )
    feedback.meeting_feedback_give(
        fair=fair, user=exhibitor_member.user, meeting=meeting, took_place=True, usefulness=1
    )
    behaviour = services.recommendation_behaviour(fair=fair)
    assert behaviour[(buyer_member.company_id, exhibitor_member.company_id)] == "useful"
    assert behaviour[(exhibitor_member.company_id, buyer_member.company_id)] == "not_useful"


def test_a_useful_meeting_lifts_what_resembles_it_and_a_poor_one_costs_points():
    def record(id_, role, text):
        return recommend.CompanyRecord(id=id_, role=role, text=text, name=f"C{id_}")

    a = record(1, "exhibitor", "Die casting of aluminium housings")
    b = record(
        2, "exhibitor", "Zinc alloy die casting Zamak, door handles and locks, chrome plating"
    )
    c = record(3, "exhibitor", "Zinc alloy die casting Zamak, lock bodies, chrome plating")
    need = record(10, "buyer", "die casting")

    def scores(behaviour):
        results = recommend.compute([a, b, c, need], behaviour=behaviour)
        return {(r.company_id, r.other_id): r.score for r in results}

    plain = scores({})
    useful = scores({(10, 2): "useful"})
    poor = scores({(10, 2): "not_useful"})
    assert plain[(10, 3)] < plain[(10, 1)]  # negative control
    assert useful[(10, 3)] > useful[(10, 1)]
    assert poor[(10, 2)] == pytest.approx(plain[(10, 2)] - learning.NOT_USEFUL)
    assert poor[(10, 3)] < plain[(10, 3)]


def test_each_attendee_is_asked_by_e_mail_once(
    fair, meeting, exhibitor_member, buyer_member, mailoutbox, django_capture_on_commit_callbacks
):
    upcoming = ended_meeting(fair, exhibitor_member, buyer_member, minutes_ago=-180)
    with django_capture_on_commit_callbacks(execute=True):
        assert feedback.meeting_feedback_ask_due(fair=fair) == 2
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        [exhibitor_member.user.email, buyer_member.user.email]
    )
    assert f"{reverse('matchmaking:feedback_list')}#feedback-{meeting.pk}" in mailoutbox[0].body
    assert upcoming.pk != meeting.pk
    # A second run (cron) asks nobody again.
    with django_capture_on_commit_callbacks(execute=True):
        assert feedback.meeting_feedback_ask_due(fair=fair) == 0
    assert len(mailoutbox) == 2


def test_each_attendee_is_asked_in_the_app_once_live_and_in_their_language(
    fair,
    meeting,
    exhibitor_member,
    buyer_member,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    from fairsite import notifications as core
    from fairsite.models import Notification

    live = []
    monkeypatch.setattr(core, "broadcast", lambda group, message: live.append((group, message)))
    buyer_member.user.language = "ja"
    buyer_member.user.save(update_fields=["language"])

    with django_capture_on_commit_callbacks(execute=True):
        feedback.meeting_feedback_ask_due(fair=fair)
    with django_capture_on_commit_callbacks(execute=True):
        feedback.meeting_feedback_ask_due(fair=fair)  # cron again: nobody asked twice

    asks = Notification.objects.filter(kind="feedback.asked")
    assert sorted(asks.values_list("recipient_id", flat=True)) == sorted(
        [exhibitor_member.user_id, buyer_member.user_id]
    )
    mine = asks.get(recipient=buyer_member.user)
    assert mine.payload["url"].endswith(
        f"{reverse('matchmaking:feedback_list')}#feedback-{meeting.pk}"
    )
    assert exhibitor_member.company.display_name in mine.payload["text"]
    assert "ワンタップ" in mine.payload["text"]
    assert sorted(group for group, _m in live) == sorted(
        [f"user.{exhibitor_member.user_id}", f"user.{buyer_member.user_id}"]
    )


def test_a_side_that_answered_is_not_asked(
    fair, meeting, exhibitor_member, buyer_member, mailoutbox, django_capture_on_commit_callbacks
):
    feedback.meeting_feedback_give(
        fair=fair, user=buyer_member.user, meeting=meeting, took_place=True, usefulness=3
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert feedback.meeting_feedback_ask_due(fair=fair) == 1
    assert [m.to[0] for m in mailoutbox] == [exhibitor_member.user.email]


def test_without_the_constraint_a_second_colleague_could_answer(
    postgres_required, fair, meeting, exhibitor_member
):
    """Negative control: the service has no Python-side check, the unique constraint is the
    protection. Dropped (inside this rolled-back test), a colleague's second answer gets in."""
    from django.db import connection

    colleague = factories.MemberFactory(company=exhibitor_member.company, fair=fair)
    table = MeetingFeedback._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT feedback_once_per_side')
    for user in (exhibitor_member.user, colleague.user):
        feedback.meeting_feedback_give(
            fair=fair, user=user, meeting=meeting, took_place=True, usefulness=3
        )
    assert MeetingFeedback.objects.filter(meeting=meeting).count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_colleagues_answering_at_once_leave_one_answer(
    postgres_required, fair, exhibitor_member, buyer_member
):
    import threading

    from django.db import connection as main_connection
    from django.db import connections

    meeting = ended_meeting(fair, exhibitor_member, buyer_member)
    colleague = factories.MemberFactory(company=exhibitor_member.company, fair=fair)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def answer(user) -> None:
        try:
            barrier.wait(10)
            feedback.meeting_feedback_give(
                fair=fair, user=user, meeting=meeting, took_place=True, usefulness=4
            )
            outcomes.append("recorded")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=answer, args=(u,)) for u in (exhibitor_member.user, colleague.user)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["recorded", "refused"]
    assert MeetingFeedback.objects.filter(meeting=meeting).count() == 1
    assert main_connection.vendor == "postgresql"
