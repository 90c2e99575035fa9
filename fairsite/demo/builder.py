"""Build (and wipe) the demo fair. See :mod:`fairsite.demo` for the contract."""

from __future__ import annotations

import base64
import importlib
import importlib.util
import random
import time as clock
import unicodedata
import zoneinfo
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.db.models import Q
from django.utils.text import slugify

from exhibitors.enums import Attendance, CompanyRole, MembershipStatus, VisitKind
from exhibitors.models import Badge, Certification, Company, Member, Sector, Visit
from exhibitors.services import company_search_text, company_slug_base
from fairsite.demo import data
from fairsite.enums import ORGANISERS_GROUP, AccountKind
from fairsite.models import Fair, User

T = TypeVar("T")

SEED = 20261208
DEMO_SLUG = "hanoi-sif-2026"
DEMO_EMAIL_DOMAIN = "sif-demo.example"
DEMO_PASSWORD = "fair-demo-2026"  # noqa: S105 - a published demo password
ORGANISER_EMAIL = f"organiser@{DEMO_EMAIL_DOMAIN}"
ADMIN_EMAIL = f"admin@{DEMO_EMAIL_DOMAIN}"
HOOK_MODULES = ("matchmaking.demo", "meetings.demo")

FAIR_TIME_ZONE = "Asia/Ho_Chi_Minh"
FAIR_DAYS = (date(2026, 12, 8), date(2026, 12, 10))
# Registrations are spread over the weeks before this fixed moment (never ``now()``).
REGISTRATION_WINDOW = (datetime(2026, 9, 15, tzinfo=UTC), datetime(2026, 11, 20, tzinfo=UTC))


@dataclass(frozen=True)
class DemoSize:
    exhibitors: int
    buyers: int
    visitors: int


DEFAULT_SIZE = DemoSize(exhibitors=125, buyers=64, visitors=200)
SCALED_SIZE = DemoSize(exhibitors=300, buyers=1500, visitors=2000)


@dataclass(frozen=True)
class SignIn:
    role: str
    name: str
    email: str


@dataclass
class DemoResult:
    fair: Fair
    counts: dict[str, int] = field(default_factory=dict)
    sign_ins: list[SignIn] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)


# --- Text ---------------------------------------------------------------------------------------


def ascii_name(text: str) -> str:
    """``Thăng Long`` → ``Thang Long``: the spelling used in English names."""
    decomposed = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


_PARK_KINDS = (
    ("Khu CNHT ", "Supporting Industry Park"),
    ("KCN ", "Industrial Park"),
    ("CCN ", "Industrial Cluster"),
)


def english_place(text: str) -> str:
    """``KCN Thăng Long, Đông Anh`` → ``Thang Long Industrial Park, Dong Anh``."""
    text = ascii_name(text).replace("Nam Ha Noi", "South Hanoi").replace("Ha Noi", "Hanoi")
    for prefix, kind in _PARK_KINDS:
        prefix = ascii_name(prefix)
        if text.startswith(prefix):
            name, _, rest = text.removeprefix(prefix).partition(", ")
            return f"{name} {kind}" + (f", {rest}" if rest else "")
    return text


# --- Existence and reset ------------------------------------------------------------------------


def _demo_users_q() -> Q:
    return Q(email__iendswith=f"@{DEMO_EMAIL_DOMAIN}") | Q(email__iendswith=f".{DEMO_EMAIL_DOMAIN}")


def demo_fair_exists() -> bool:
    """True when the demo fair or any of its people are in the database."""
    return (
        Fair.objects.filter(slug=DEMO_SLUG).exists()
        or User.objects.filter(_demo_users_q()).exists()
    )


@transaction.atomic
def demo_fair_delete() -> dict[str, int]:
    """Delete the demo fair (and everything scoped to it) and the demo people."""
    fairs, _ = Fair.objects.filter(slug=DEMO_SLUG).delete()
    users = User.objects.filter(_demo_users_q())
    user_ids = list(users.values_list("id", flat=True))
    EmailAddress.objects.filter(user_id__in=user_ids).delete()
    User.groups.through.objects.filter(user_id__in=user_ids).delete()
    deleted, _ = users.delete()
    return {"fair rows": fairs, "user rows": deleted}


# --- Generation helpers -------------------------------------------------------------------------


def _weighted(rng: random.Random, items: Sequence[T], weights: Sequence[float]) -> T:
    return rng.choices(items, weights=weights, k=1)[0]


class _Names:
    """Hands out unique values; after ``tries`` collisions the caller's fallback decides."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def take(self, candidates: Callable[[], str], *, tries: int = 60) -> str | None:
        for _ in range(tries):
            value = candidates()
            if value.lower() not in self.used:
                self.used.add(value.lower())
                return value
        return None

    def force(self, value: str) -> str:
        base, n = value, 1
        while value.lower() in self.used:
            n += 1
            value = f"{base} {n}"
        self.used.add(value.lower())
        return value


class _Emails:
    def __init__(self) -> None:
        self.used: set[str] = set()

    def make(self, local: str, domain: str) -> str:
        parts = (slugify(ascii_name(part)).replace("-", "") for part in local.split("."))
        local = ".".join(part for part in parts if part) or "contact"
        email, n = f"{local}@{domain}", 1
        while email in self.used:
            n += 1
            email = f"{local}{n}@{domain}"
        self.used.add(email)
        return email


def _vn_person(rng: random.Random) -> tuple[str, str]:
    """A Vietnamese full name and the e-mail local part (``Nguyễn Văn Hùng``, ``hung.nguyen``)."""
    family = _weighted(
        rng, [f for f, _ in data.VN_FAMILY_NAMES], [w for _, w in data.VN_FAMILY_NAMES]
    )
    if rng.random() < 0.5:
        middle, given = rng.choice(data.VN_MALE_MIDDLE), rng.choice(data.VN_MALE_GIVEN)
    else:
        middle, given = rng.choice(data.VN_FEMALE_MIDDLE), rng.choice(data.VN_FEMALE_GIVEN)
    return f"{family} {middle} {given}", f"{given}.{family}"


def _buyer_person(rng: random.Random, country: str) -> tuple[str, str]:
    if country == "JP":
        (family, family_r), (given, given_r) = rng.choice(data.JP_FAMILY), rng.choice(data.JP_GIVEN)
        name = f"{family} {given}" if rng.random() < 0.7 else f"{given_r} {family_r}"
        return name, f"{given_r}.{family_r}"
    if country == "KR":
        (family, family_r), (given, given_r) = rng.choice(data.KR_FAMILY), rng.choice(data.KR_GIVEN)
        name = f"{family}{given}" if rng.random() < 0.7 else f"{family_r} {given_r}"
        return name, f"{given_r}.{family_r}"
    if country == "US":
        given, family = rng.choice(data.US_GIVEN), rng.choice(data.US_FAMILY)
    else:
        given, family = rng.choice(data.TH_GIVEN), rng.choice(data.TH_FAMILY)
    return f"{given} {family}", f"{given}.{family}"


def _domain_label(name_en: str, legal: str) -> str:
    """``Atlantic Packaging Solutions Inc.`` → ``atlanticpackaging``: whole words, short."""
    words = slugify(ascii_name(name_en.removesuffix(legal))).split("-")
    label = words[0]
    for word in words[1:]:
        if len(label) + len(word) > 20:
            break
        label += word
    return label or "company"


def _badge_code(rng: random.Random, used: set[str]) -> str:
    while True:
        code = base64.urlsafe_b64encode(rng.getrandbits(96).to_bytes(12, "big")).decode()
        if code not in used:
            used.add(code)
            return code


class _Builder:
    def __init__(self, *, rng: random.Random, size: DemoSize, password_hash: str) -> None:
        self.rng = rng
        self.size = size
        self.password_hash = password_hash
        self.emails = _Emails()
        self.slugs: set[str] = set()
        self.users: list[User] = []
        self.companies: list[Company] = []
        self.company_sectors: list[list[str]] = []
        self.company_certs: list[list[str]] = []
        self.company_required: list[list[str]] = []
        # (company index, user index, job title, is_admin)
        self.members: list[tuple[int, int, str, bool]] = []
        self.visitors: list[tuple[int, str]] = []  # (user index, organisation)

    # People ---------------------------------------------------------------------------------

    def _joined(self) -> datetime:
        start, end = REGISTRATION_WINDOW
        return start + timedelta(seconds=self.rng.randrange(int((end - start).total_seconds())))

    def user(self, *, email: str, full_name: str, kind: str, time_zone: str, language: str,
             is_staff: bool = False, is_superuser: bool = False) -> int:  # fmt: skip
        self.users.append(
            User(
                email=email.lower(),
                full_name=full_name,
                kind=kind,
                time_zone=time_zone,
                language=language,
                password=self.password_hash,
                is_staff=is_staff,
                is_superuser=is_superuser,
                date_joined=self._joined(),
            )
        )
        return len(self.users) - 1

    def slug(self, name: str) -> str:
        base = company_slug_base(name)
        slug, n = base, 1
        while slug in self.slugs:
            n += 1
            slug = f"{base}-{n}"
        self.slugs.add(slug)
        return slug

    # Exhibitors -----------------------------------------------------------------------------

    def exhibitors(self, fair: Fair) -> None:
        rng = self.rng
        codes = list(data.SECTOR_WEIGHTS)
        sector_weights = list(data.SECTOR_WEIGHTS.values())
        forms = data.VN_LEGAL_FORMS
        names = _Names()
        for index in range(self.size.exhibitors):
            primary = _weighted(rng, codes, sector_weights)
            form_vi, form_en, _ = _weighted(rng, forms, [w for *_, w in forms])
            trade_vi, trade_en = rng.choice(data.TRADE_WORDS[primary])

            def candidate(trade_vi: str = trade_vi, form_vi: str = form_vi) -> str:
                return f"{form_vi} {trade_vi} {rng.choice(data.VN_BRAND_NAMES)}"

            name_vi = names.take(candidate) or names.force(candidate())
            brand = name_vi.removeprefix(f"{form_vi} {trade_vi} ")
            brand_en = "Hanoi" if brand == "Hà Nội" else ascii_name(brand)
            name_en = f"{brand_en} {trade_en} {form_en}"

            city, parks, _ = _weighted(rng, data.VN_CITIES, [w for *_, w in data.VN_CITIES])
            park = rng.choice(parks)

            sectors = [primary]
            products = rng.sample(
                data.PRODUCTS[primary], k=min(len(data.PRODUCTS[primary]), rng.choice((2, 2, 3)))
            )
            if rng.random() < 0.35:
                second = rng.choice(data.RELATED_SECTORS[primary])
                sectors.append(second)
                products.append(rng.choice(data.PRODUCTS[second]))
            founded = rng.randint(1994, 2019)
            extras = [
                f"Monthly capacity about {rng.choice((20, 50, 80, 120, 200, 500)) * 1000:,} pcs.",
                f"Exporting to Japan and Korea since {min(founded + rng.randint(3, 12), 2024)}.",
                "In-house tool room and CMM measurement (Mitutoyo, Zeiss).",
                "Supplying Japanese and Korean FDI factories in northern Vietnam.",
                "Engineering team can work from customer drawings (2D/3D) and do DFM reviews.",
            ]
            capabilities = ". ".join(p.capability for p in products) + ". "
            capabilities += " ".join(rng.sample(extras, k=2))

            employees = rng.choice((35, 60, 90, 150, 220, 320, 480, 750, 1200)) + rng.randint(0, 30)
            area = rng.choice((1500, 3000, 5000, 8000, 12000, 20000))
            area_vi = f"{area:,}".replace(",", ".")
            description = (
                f"Thành lập năm {founded}, nhà xưởng {area_vi} m² tại {park}, {city}; "
                f"{employees} lao động.\n"
                f"Founded in {founded}; {area:,} m² plant in {english_place(park)}, "
                f"{english_place(city)}; {employees} employees."
            )

            certs = []
            if rng.random() < 0.88:
                certs.append("iso9001")
            if {"automotive", "motorbike"} & set(sectors) and rng.random() < 0.6:
                certs.append("iatf16949")
            if rng.random() < 0.4:
                certs.append("iso14001")
            if rng.random() < 0.15:
                certs.append("iso45001")
            if "medical" in sectors and rng.random() < 0.85:
                certs.append("iso13485")
            if {"electronics", "mobile"} & set(sectors) and rng.random() < 0.7:
                certs.append("rohs")
            if {"electronics", "automation"} & set(sectors) and rng.random() < 0.2:
                certs.append("ul")
            if {"mechanical", "metal"} & set(sectors) and rng.random() < 0.12:
                certs.append("jis")
            if rng.random() < 0.05:
                certs.append("iso50001")

            key_name, key_year = "", None
            if rng.random() < 0.3:
                key_name = products[0].key_product_vi
                key_year = rng.choice((2018, 2019, 2020, 2020, 2021, 2022, 2023, 2024))

            languages = ["vi"]
            if rng.random() < 0.75:
                languages.append("en")
            if rng.random() < 0.12:
                languages.append("ja")
            if rng.random() < 0.08:
                languages.append("ko")
            if rng.random() < 0.03:
                languages.append("zh")

            hall, number = divmod(index, 40)
            company = Company(
                fair=fair,
                role=CompanyRole.EXHIBITOR,
                slug=self.slug(name_en),
                name_vi=name_vi,
                name_en=name_en,
                country="VN",
                city=city,
                description=description,
                capabilities=capabilities,
                key_product_name=key_name,
                key_product_year=key_year,
                booth=f"{'ABCDEFGHJK'[hall % 10]}{number + 1:02d}",
                languages=languages,
                attendance=Attendance.ONSITE,
                employees=employees,
            )
            self._add_company(company, sectors, certs, [])

            words = ascii_name(trade_vi).lower().split()
            trade_short = words[0] if len(words) == 1 else "".join(w[0] for w in words)
            label = slugify(f"{trade_short}{ascii_name(brand)}").replace("-", "")
            domain = f"{label}.{DEMO_EMAIL_DOMAIN}"
            count = _weighted(rng, (1, 2, 3), (30, 45, 25))
            titles = rng.sample(data.EXHIBITOR_JOB_TITLES, k=count)
            for position in range(count):
                full_name, local = _vn_person(rng)
                user = self.user(
                    email=self.emails.make(local, domain),
                    full_name=full_name,
                    kind=AccountKind.EXHIBITOR,
                    time_zone=FAIR_TIME_ZONE,
                    language="vi",
                )
                self.members.append(
                    (len(self.companies) - 1, user, titles[position], position == 0)
                )

    # Buyers ---------------------------------------------------------------------------------

    def buyers(self, fair: Fair) -> None:
        rng = self.rng
        countries = data.BUYER_COUNTRIES
        used: set[str] = set()
        for _index in range(self.size.buyers):
            country = _weighted(rng, countries, [c.weight for c in countries])
            place = rng.choice(country.places)
            legal = rng.choice(country.legal_en)

            stem, business, prefix = self._buyer_name(country, place, used)
            name_en = f"{prefix[0]}{stem[0]} {business[0]} {legal}"
            core_native = f"{prefix[1]}{stem[1]}{business[1]}"
            if country.code == "JP":
                name_native = rng.choice((f"株式会社{core_native}", f"{core_native}株式会社"))
            elif country.code == "KR":
                name_native = rng.choice((f"주식회사 {core_native}", f"(주){core_native}"))
            elif country.code == "TH":
                name_native = f"บริษัท {core_native} จำกัด"
            else:
                name_native = ""

            sectors = list(business[2][: rng.choice((1, 2, 2))])
            products = [rng.choice(data.PRODUCTS[code]) for code in sectors]
            if rng.random() < 0.4:
                extra = rng.choice(data.PRODUCTS[sectors[0]])
                if extra not in products:
                    products.append(extra)
            items = [rng.choice(product.needs) for product in products]
            needs = rng.choice(data.NEED_OPENERS).format(item=items[0])
            if len(items) > 1:
                needs += " Also: " + "; ".join(items[1:]) + "."
            needs += f" {rng.choice(data.NEED_VOLUMES)} {rng.choice(data.NEED_CONDITIONS)}"

            required = []
            if rng.random() < 0.85:
                required.append("iso9001")
            if {"automotive", "motorbike"} & set(sectors) and rng.random() < 0.6:
                required.append("iatf16949")
            if "medical" in sectors:
                required.append("iso13485")
            if {"electronics", "mobile"} & set(sectors) and rng.random() < 0.6:
                required.append("rohs")
            if rng.random() < 0.25:
                required.append("iso14001")
            if country.code == "JP" and rng.random() < 0.15:
                required.append("jis")

            description = rng.choice(data.BUYER_DESCRIPTIONS[country.code]).format(
                year=rng.randint(2008, 2022), city=place.city
            )
            company = Company(
                fair=fair,
                role=CompanyRole.BUYER,
                slug=self.slug(name_en),
                name_en=name_en,
                name_native=name_native,
                country=country.code,
                city=place.city,
                description=description,
                sourcing_needs=needs,
                languages=list(rng.choice(country.languages)),
                attendance=(
                    Attendance.REMOTE if rng.random() < country.remote_share else Attendance.ONSITE
                ),
                employees=rng.choice((80, 150, 300, 600, 1200, 3500, 9000)) + rng.randint(0, 50),
            )
            self._add_company(company, sectors, [], required)

            domain = f"{_domain_label(name_en, legal)}.{DEMO_EMAIL_DOMAIN}"
            count = _weighted(rng, (1, 2), (60, 40))
            titles = rng.sample(data.BUYER_JOB_TITLES[country.code], k=count)
            for position in range(count):
                full_name, local = _buyer_person(rng, country.code)
                user = self.user(
                    email=self.emails.make(local, domain),
                    full_name=full_name,
                    kind=AccountKind.BUYER,
                    time_zone=place.time_zone,
                    language=country.user_language,
                )
                self.members.append(
                    (len(self.companies) - 1, user, titles[position], position == 0)
                )

    def _buyer_name(
        self, country: data.BuyerCountry, place: data.Place, used: set[str]
    ) -> tuple[tuple[str, str], tuple[str, Any], tuple[str, str]]:
        """A unique (stem, business, city prefix); the city qualifies a name only when all
        stem/business pairs tried are taken, a number only when even those are."""
        rng = self.rng
        prefixes = [("", ""), (f"{place.city} ", place.native)]
        for prefix in prefixes:
            for _ in range(60):
                stem, business = rng.choice(country.stems), rng.choice(country.businesses)
                key = f"{country.code}|{prefix[0]}{stem[0]} {business[0]}"
                if key not in used:
                    used.add(key)
                    return stem, business, prefix
        n = 2
        while f"{country.code}|{stem[0]} {n} {business[0]}" in used:
            n += 1
        used.add(f"{country.code}|{stem[0]} {n} {business[0]}")
        return (f"{stem[0]} {n}", f"{stem[1]}{n}"), business, ("", "")

    def _add_company(
        self, company: Company, sectors: list[str], certs: list[str], required: list[str]
    ) -> None:
        self.companies.append(company)
        self.company_sectors.append(sectors)
        self.company_certs.append(certs)
        self.company_required.append(required)

    # Visitors -------------------------------------------------------------------------------

    def visitors_(self) -> None:
        rng = self.rng
        domain = f"visitors.{DEMO_EMAIL_DOMAIN}"
        forms = data.VN_LEGAL_FORMS
        for _ in range(self.size.visitors):
            full_name, local = _vn_person(rng)
            roll = rng.random()
            if roll < 0.45:
                organisation = rng.choice(data.VISITOR_ORGANISATIONS)
            elif roll < 0.85:
                sector = rng.choice(list(data.TRADE_WORDS))
                form_vi = _weighted(rng, [f[0] for f in forms], [f[2] for f in forms])
                trade_vi = rng.choice(data.TRADE_WORDS[sector])[0]
                organisation = f"{form_vi} {trade_vi} {rng.choice(data.VN_BRAND_NAMES)}"
            else:
                organisation = ""
            user = self.user(
                email=self.emails.make(local, domain),
                full_name=full_name,
                kind=AccountKind.VISITOR,
                time_zone=FAIR_TIME_ZONE,
                language="vi" if rng.random() < 0.85 else "en",
            )
            self.visitors.append((user, organisation))


def _write_search_text(rows: list[tuple[str, int]]) -> None:
    """One prepared UPDATE run for every row: much faster than ``bulk_update``'s CASE
    expressions for thousands of rows, on SQLite and PostgreSQL alike."""
    qn = connection.ops.quote_name
    table, pk = qn(Company._meta.db_table), qn(Company._meta.pk.column)
    column = qn(Company._meta.get_field("search_text").column)
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET {column} = %s WHERE {pk} = %s", rows)


def _run_hooks(*, fair: Fair, seed: int, scale: bool) -> tuple[dict[str, int], list[str]]:
    counts: dict[str, int] = {}
    ran: list[str] = []
    for name in HOOK_MODULES:
        try:
            spec = importlib.util.find_spec(name)
        except ModuleNotFoundError:
            spec = None
        if spec is None:
            continue
        module = importlib.import_module(name)
        result: Any = module.seed(fair=fair, rng=random.Random(f"{seed}:{name}"), scale=scale)
        ran.append(name)
        if isinstance(result, dict):
            counts.update({str(k): int(v) for k, v in result.items()})
    return counts, ran


def _visits(
    *, fair: Fair, rng: random.Random, badges: list[Badge], days: list[date]
) -> list[Visit]:
    tz = zoneinfo.ZoneInfo(fair.time_zone)
    minutes = (fair.day_end.hour * 60 + fair.day_end.minute) - (
        fair.day_start.hour * 60 + fair.day_start.minute
    )
    visits = []
    for badge in badges:
        roll = rng.random()
        if roll < 0.7:
            kind, chosen = VisitKind.ONSITE, rng.sample(days, k=rng.choice((1, 1, 2, 3)))
        elif roll < 0.9:
            kind, chosen = VisitKind.ONLINE, rng.sample(days, k=rng.choice((1, 2)))
        else:
            continue
        for day in sorted(chosen):
            opening = datetime.combine(day, fair.day_start, tzinfo=tz)
            at = opening + timedelta(minutes=rng.randrange(max(minutes - 30, 1)))
            visits.append(
                Visit(
                    fair=fair,
                    user_id=badge.user_id,
                    badge=badge,
                    kind=kind,
                    day=day,
                    at=at.astimezone(UTC),
                )
            )
    return visits


def demo_fair_create(
    *,
    size: DemoSize = DEFAULT_SIZE,
    scale: bool = False,
    seed: int = SEED,
    password: str = DEMO_PASSWORD,
) -> DemoResult:
    """Create the demo fair with its companies, people, badges and visits, in one transaction.

    The output depends only on ``seed`` and ``size``. Raises ``ValueError`` when the demo fair
    (or any demo person) is already there; call :func:`demo_fair_delete` first to rebuild.
    """
    started = mark = clock.perf_counter()
    timings: dict[str, float] = {}

    def lap(name: str) -> None:
        nonlocal mark
        now = clock.perf_counter()
        timings[name], mark = now - mark, now

    rng = random.Random(seed)
    password_hash = make_password(password)
    lap("password hash")

    with transaction.atomic():
        if demo_fair_exists():
            raise ValueError("The demo fair already exists.")
        notes: list[str] = []
        others = list(Fair.objects.filter(is_current=True).values_list("slug", flat=True))
        if others:
            Fair.objects.filter(slug__in=others).update(is_current=False)
            notes.append(f"Fair(s) {', '.join(others)} no longer marked current.")
        fair = Fair.objects.create(
            slug=DEMO_SLUG,
            name="Hanoi Supporting Industry Fair 2026",
            name_vi="Hội chợ Công nghiệp hỗ trợ Hà Nội 2026",
            venue="Cung Văn hoá Hữu nghị Việt Xô, 91 Trần Hưng Đạo, Hà Nội",
            time_zone=FAIR_TIME_ZONE,
            start_date=FAIR_DAYS[0],
            end_date=FAIR_DAYS[1],
            day_start=time(8, 0),
            day_end=time(17, 0),
            slot_minutes=30,
            tables=150,
            online_capacity=60,
            is_current=True,
        )

        builder = _Builder(rng=rng, size=size, password_hash=password_hash)
        organiser = builder.user(
            email=ORGANISER_EMAIL,
            full_name="Nguyễn Thị Thu Hà",
            kind=AccountKind.VISITOR,
            time_zone=FAIR_TIME_ZONE,
            language="vi",
            is_staff=True,
        )
        admin = builder.user(
            email=ADMIN_EMAIL,
            full_name="Trần Quốc Bảo",
            kind=AccountKind.VISITOR,
            time_zone=FAIR_TIME_ZONE,
            language="vi",
            is_staff=True,
            is_superuser=True,
        )
        builder.exhibitors(fair)
        builder.buyers(fair)
        builder.visitors_()
        lap("generate")

        # People.
        users = User.objects.bulk_create(builder.users, batch_size=1000)
        EmailAddress.objects.bulk_create(
            [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users],
            batch_size=1000,
        )
        group, _ = Group.objects.get_or_create(name=ORGANISERS_GROUP)
        users[organiser].groups.add(group)

        # Companies and their taxonomy links.
        companies = Company.objects.bulk_create(builder.companies, batch_size=1000)
        sectors = dict(Sector.objects.values_list("code", "id"))
        certs = dict(Certification.objects.values_list("code", "id"))
        Company.sectors.through.objects.bulk_create(
            [
                Company.sectors.through(company_id=company.pk, sector_id=sectors[code])
                for company, codes in zip(companies, builder.company_sectors, strict=True)
                for code in codes
                if code in sectors
            ],
            batch_size=1000,
        )
        Company.certifications.through.objects.bulk_create(
            [
                Company.certifications.through(company_id=company.pk, certification_id=certs[code])
                for company, codes in zip(companies, builder.company_certs, strict=True)
                for code in codes
                if code in certs
            ],
            batch_size=1000,
        )
        Company.required_certifications.through.objects.bulk_create(
            [
                Company.required_certifications.through(
                    company_id=company.pk, certification_id=certs[code]
                )
                for company, codes in zip(companies, builder.company_required, strict=True)
                for code in codes
                if code in certs
            ],
            batch_size=1000,
        )
        refreshed = list(Company.objects.filter(fair=fair).prefetch_related("sectors"))
        _write_search_text([(company_search_text(company=c), c.pk) for c in refreshed])

        Member.objects.bulk_create(
            [
                Member(
                    fair=fair,
                    company=companies[c],
                    user=users[u],
                    job_title=title,
                    status=MembershipStatus.APPROVED,
                    is_admin=is_admin,
                )
                for c, u, title, is_admin in builder.members
            ],
            batch_size=1000,
        )

        # Visitors: badges and visits on the fair days.
        codes: set[str] = set()
        badges = Badge.objects.bulk_create(
            [
                Badge(fair=fair, user=users[u], organisation=org, code=_badge_code(rng, codes))
                for u, org in builder.visitors
            ],
            batch_size=1000,
        )
        visits = _visits(fair=fair, rng=rng, badges=badges, days=fair.days())
        Visit.objects.bulk_create(visits, batch_size=1000)
        lap("write")

        hook_counts, hooks = _run_hooks(fair=fair, seed=seed, scale=scale)
        if hooks:
            notes.append(f"Ran {', '.join(hooks)}.")
            lap("hooks")
    timings["total"] = clock.perf_counter() - started

    exhibitors = [c for c in companies if c.role == CompanyRole.EXHIBITOR]
    buyers = [c for c in companies if c.role == CompanyRole.BUYER]
    counts = {
        "exhibitors": len(exhibitors),
        "buyers": len(buyers),
        "members": len(builder.members),
        "visitors": len(builder.visitors),
        "badges": len(badges),
        "visits": len(visits),
        "users": len(users),
        **hook_counts,
    }
    return DemoResult(
        fair=fair,
        counts=counts,
        sign_ins=_sign_ins(
            builder=builder, users=users, companies=companies, staff=(organiser, admin)
        ),
        notes=notes,
        timings=timings,
    )


def _sign_ins(
    *, builder: _Builder, users: list[User], companies: list[Company], staff: tuple[int, int]
) -> list[SignIn]:
    first_member: dict[int, int] = {}
    for c, u, _title, is_admin in builder.members:
        if is_admin:
            first_member.setdefault(c, u)

    def member_of(role: str, country: str | None = None) -> tuple[User, Company] | None:
        for index, company in enumerate(companies):
            if company.role == role and (country is None or company.country == country):
                return users[first_member[index]], company
        return None

    result = [
        SignIn("Organiser", users[staff[0]].full_name, users[staff[0]].email),
        SignIn("Admin (superuser)", users[staff[1]].full_name, users[staff[1]].email),
    ]
    wanted = [
        ("Exhibitor", CompanyRole.EXHIBITOR, None),
        ("Japanese buyer", CompanyRole.BUYER, "JP"),
        ("Korean buyer", CompanyRole.BUYER, "KR"),
        ("US buyer", CompanyRole.BUYER, "US"),
        ("Thai buyer", CompanyRole.BUYER, "TH"),
    ]
    for label, role, country in wanted:
        found = member_of(role, country)
        if found:
            user, company = found
            result.append(SignIn(label, f"{user.full_name} – {company.display_name}", user.email))
    if builder.visitors:
        visitor = users[builder.visitors[0][0]]
        result.append(SignIn("Visitor", visitor.full_name, visitor.email))
    return result
