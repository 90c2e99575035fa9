"""Fair-wide models: the people (users) and the fair edition everything is scoped to."""

from __future__ import annotations

import zoneinfo
from datetime import date, time

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fairsite.enums import ORGANISERS_GROUP, AccountKind


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("“%(value)s” is not a known time zone."), params={"value": value})


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: object) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person: exhibitor staff, buyer staff, visitor or organiser.

    Time zone and language are the person's own: times are shown and e-mails written in them.
    """

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    kind = models.CharField(
        _("I am"), max_length=16, choices=AccountKind.choices, default=AccountKind.VISITOR
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Asia/Ho_Chi_Minh", validators=[validate_time_zone]
    )
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="vi"
    )
    is_staff = models.BooleanField(_("staff status"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    reminder_minutes = models.PositiveSmallIntegerField(
        _("remind me before each meeting (minutes)"),
        default=15,
        validators=[MaxValueValidator(24 * 60)],
        help_text=_("0: no reminders."),
    )

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=Q(reminder_minutes__lte=24 * 60), name="user_reminder_minutes_range"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[-1] if self.full_name else self.email

    @property
    def is_organiser(self) -> bool:
        if not self.is_authenticated or not self.is_active:
            return False
        if self.is_superuser:
            return True
        cached = getattr(self, "_is_organiser", None)
        if cached is None:
            cached = self.groups.filter(name=ORGANISERS_GROUP).exists()
            self._is_organiser = cached
        return cached


class FairQuerySet(models.QuerySet["Fair"]):
    def current(self) -> Fair | None:
        slug = settings.FAIR_SLUG
        if slug:
            return self.filter(slug=slug).first()
        return self.filter(is_current=True).first() or self.order_by("-start_date").first()


class Fair(models.Model):
    """One edition of the fair. Everything else is scoped to a fair."""

    slug = models.SlugField(_("short name"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_vi = models.CharField(_("name in Vietnamese"), max_length=200, blank=True)
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Asia/Ho_Chi_Minh", validators=[validate_time_zone]
    )
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    day_start = models.TimeField(_("meetings start"), default=time(8, 0))
    day_end = models.TimeField(_("meetings end"), default=time(17, 0))
    slot_minutes = models.PositiveSmallIntegerField(
        _("slot length (minutes)"),
        default=30,
        validators=[MinValueValidator(15), MaxValueValidator(60)],
    )
    tables = models.PositiveIntegerField(_("on-site tables"), default=150)
    online_capacity = models.PositiveIntegerField(
        _("online meetings per slot"), null=True, blank=True, help_text=_("Empty: no limit.")
    )
    is_current = models.BooleanField(_("current edition"), default=False)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    objects = FairQuerySet.as_manager()

    class Meta:
        verbose_name = _("fair")
        verbose_name_plural = _("fairs")
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="fair_dates_ordered"
            ),
            models.CheckConstraint(
                condition=Q(day_end__gt=models.F("day_start")), name="fair_hours_ordered"
            ),
            models.CheckConstraint(
                condition=Q(slot_minutes__gte=15, slot_minutes__lte=60),
                name="fair_slot_minutes_range",
            ),
            models.UniqueConstraint(
                fields=["is_current"], condition=Q(is_current=True), name="fair_one_current"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def days(self) -> list[date]:
        from datetime import timedelta

        count = (self.end_date - self.start_date).days + 1
        return [self.start_date + timedelta(days=i) for i in range(count)]


# --- Telling people: stored notifications and the e-mail outbox --------------------------------


class Notification(models.Model):
    """Something that happened that concerns one person, written in the same transaction as the
    event (``fairsite.notifications``). ``payload`` has exactly the keys its ``kind`` declares
    in ``fairsite/events.py``; its text is already in the recipient's language. ``key`` (when
    set) makes a notification once-only, e.g. one reminder per meeting and start time."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("kind"), max_length=64)
    payload = models.JSONField(_("payload"), default=dict)
    key = models.CharField(_("key"), max_length=200, blank=True, default="")
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-id"], name="notification_recipient_recent"),
            models.Index(
                fields=["recipient"],
                condition=Q(read_at__isnull=True),
                name="notification_unread",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"], condition=~Q(key=""), name="notification_key_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}"


class OutgoingEmail(models.Model):
    """One e-mail to one person, keyed by what it is about (``request.accepted:12:r1:u7``).
    ``fairsite.mail.deliver_once`` claims the row with ``select_for_update`` and sets
    ``sent_at`` in the same transaction as the send, so a retried task never sends it twice."""

    key = models.CharField(_("key"), max_length=200, unique=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("recipient"),
    )
    to = models.EmailField(_("to"))
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.key


class SubmissionKey(models.Model):
    """A used idempotency key of a form that creates something (``fairsite.forms.CreateForm``).

    The key is drawn when the form is rendered and sent back in a hidden field; the unique
    constraint lets exactly one submission with that key through, however many arrive at once
    (a double click, a resend after a lost connection). Rows older than a day serve no purpose
    and may be deleted (``fairsite.services.submission_keys_purge``).
    """

    key = models.CharField(_("key"), max_length=64, unique=True)
    form = models.CharField(_("form"), max_length=100)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("form submission key")
        verbose_name_plural = _("form submission keys")

    def __str__(self) -> str:
        return f"{self.form} {self.key[:8]}…"
