"""Factories for the room and deal-log models (the project-wide ones live in tests/factories.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import factory

from meetings.enums import Currency, DealStage, JoinKind
from meetings.models import Deal, DealRevision, ExchangeRate, MeetingJoin
from tests.factories import CompanyFactory, FairFactory, MeetingFactory, UserFactory


class ExchangeRateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExchangeRate

    fair = factory.SubFactory(FairFactory)
    currency = Currency.VND
    units_per_usd = Decimal("25000")
    valid_from = datetime(2021, 10, 1, tzinfo=UTC)


class MeetingJoinFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MeetingJoin

    meeting = factory.SubFactory(MeetingFactory)
    user = factory.SubFactory(UserFactory)
    company = factory.SelfAttribute("meeting.exhibitor")
    kind = JoinKind.ONLINE
    at = factory.SelfAttribute("meeting.start")


class DealFactory(factory.django.DjangoModelFactory):
    """A walk-in contact without a value; pass ``meeting=`` and ``company=`` for a meeting's."""

    class Meta:
        model = Deal

    fair = factory.SubFactory(FairFactory)
    company = factory.SubFactory(CompanyFactory, fair=factory.SelfAttribute("..fair"))
    counterpart_name = factory.Sequence(lambda n: f"Visitor {n}")
    stage = DealStage.QUOTATION
    version = 1


class DealRevisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DealRevision

    deal = factory.SubFactory(DealFactory)
    at = datetime(2021, 10, 20, 3, 0, tzinfo=UTC)
    version = 1
    changes = factory.LazyFunction(dict)
