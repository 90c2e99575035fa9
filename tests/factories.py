"""Factories for every model. Deterministic sequences; no randomness that could flake."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group

from exhibitors.enums import Attendance, CompanyRole, MembershipStatus
from exhibitors.models import Badge, Company, Member
from fairsite.enums import ORGANISERS_GROUP, AccountKind
from fairsite.models import Fair, User
from meetings.enums import MeetingMode, MeetingStatus
from meetings.models import Meeting, MeetingAttendee

PASSWORD = "correct horse battery staple"  # noqa: S105


class FairFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Fair
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"sif-{2021 + n}")
    name = factory.Sequence(lambda n: f"Hanoi Supporting Industry Fair {2021 + n}")
    name_vi = "Hội chợ Công nghiệp hỗ trợ Hà Nội"
    venue = "Cung Văn hoá Hữu nghị Việt Xô, Hà Nội"
    time_zone = "Asia/Ho_Chi_Minh"
    start_date = date(2021, 10, 20)
    end_date = date(2021, 10, 22)
    day_start = time(8, 0)
    day_end = time(17, 0)
    slot_minutes = 30
    tables = 10
    online_capacity = None
    is_current = True


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    full_name = factory.Sequence(lambda n: f"Person {n}")
    kind = AccountKind.VISITOR
    time_zone = "Asia/Ho_Chi_Minh"
    language = "en"

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):  # noqa: N805
        obj.set_password(extracted or PASSWORD)
        if create:
            obj.save(update_fields=["password"])

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):  # noqa: N805
        if create and extracted is not False:
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


class OrganiserFactory(UserFactory):
    is_staff = True

    @factory.post_generation
    def organiser_group(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            group, _ = Group.objects.get_or_create(name=ORGANISERS_GROUP)
            obj.groups.add(group)


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    fair = factory.SubFactory(FairFactory)
    role = CompanyRole.EXHIBITOR
    slug = factory.Sequence(lambda n: f"company-{n}")
    name_en = factory.Sequence(lambda n: f"Precision Parts {n} JSC")
    name_vi = factory.Sequence(lambda n: f"Công ty Cổ phần Cơ khí chính xác {n}")
    country = "VN"
    city = "Hà Nội"
    capabilities = "CNC machining, die casting ADC12, stamping"
    languages = factory.LazyFunction(lambda: ["vi", "en"])
    attendance = Attendance.ONSITE


class BuyerCompanyFactory(CompanyFactory):
    role = CompanyRole.BUYER
    name_en = factory.Sequence(lambda n: f"Nippon Buyer {n} KK")
    name_vi = ""
    name_native = factory.Sequence(lambda n: f"日本バイヤー{n}株式会社")
    country = "JP"
    city = "Osaka"
    capabilities = ""
    sourcing_needs = "Aluminium die-cast housings for motorbike engines"
    languages = factory.LazyFunction(lambda: ["ja", "en"])
    attendance = Attendance.REMOTE


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    company = factory.SubFactory(CompanyFactory)
    fair = factory.SelfAttribute("company.fair")
    user = factory.SubFactory(UserFactory, kind=AccountKind.EXHIBITOR)
    status = MembershipStatus.APPROVED
    is_admin = True


class BuyerMemberFactory(MemberFactory):
    company = factory.SubFactory(BuyerCompanyFactory)
    user = factory.SubFactory(
        UserFactory, kind=AccountKind.BUYER, time_zone="Asia/Tokyo", language="en"
    )


class BadgeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Badge

    fair = factory.SubFactory(FairFactory)
    user = factory.SubFactory(UserFactory)


class MeetingFactory(factory.django.DjangoModelFactory):
    """A scheduled on-site meeting on the fair's first day at 09:00 Hà Nội (02:00 UTC)."""

    class Meta:
        model = Meeting

    fair = factory.SubFactory(FairFactory)
    exhibitor = factory.SubFactory(CompanyFactory, fair=factory.SelfAttribute("..fair"))
    buyer = factory.SubFactory(BuyerCompanyFactory, fair=factory.SelfAttribute("..fair"))
    start = datetime(2021, 10, 20, 2, 0, tzinfo=UTC)
    end = factory.LazyAttribute(lambda o: o.start + timedelta(minutes=30))
    mode = MeetingMode.ONSITE
    table_number = factory.Sequence(lambda n: n + 1)
    status = MeetingStatus.SCHEDULED


class MeetingAttendeeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MeetingAttendee

    meeting = factory.SubFactory(MeetingFactory)
    fair = factory.SelfAttribute("meeting.fair")
    user = factory.SubFactory(UserFactory)
    company = factory.SelfAttribute("meeting.exhibitor")
    start = factory.SelfAttribute("meeting.start")
    end = factory.SelfAttribute("meeting.end")
