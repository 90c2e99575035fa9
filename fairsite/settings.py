"""Settings for the fair platform, driven by the environment.

Nothing set gives the embedded demo: SQLite, in-memory channel layer and cache, console e-mail,
debug on. Production (``FAIRSITE_DEBUG=0``) refuses to start without a secret key and allowed
hosts. See ``docs/operations.md`` for every variable.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(f"FAIRSITE_{name}")
    return value if value not in (None, "") else default


def env_bool(name: str, default: bool) -> bool:
    value = env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in (env(name, default) or "").split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("FAIRSITE_SECRET_KEY must be set when FAIRSITE_DEBUG=0.")
    SECRET_KEY = "django-insecure-demo-key-only-for-local-use-never-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]" if DEBUG else "")
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("FAIRSITE_ALLOWED_HOSTS must be set when FAIRSITE_DEBUG=0.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_countries",
    "fairsite",
    "exhibitors",
    "matchmaking",
    "meetings",
    "organisers",
]

MIDDLEWARE = [
    "fairsite.middleware.ClientAddressMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "fairsite.middleware.AuthenticationMiddleware",
    "fairsite.middleware.ViewerMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "fairsite.middleware.LanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "fairsite.middleware.FairMiddleware",
    "fairsite.middleware.TimezoneMiddleware",
    "fairsite.middleware.ContentSecurityPolicyMiddleware",
    "exhibitors.middleware.OnlineVisitMiddleware",
]

ROOT_URLCONF = "fairsite.urls"
ASGI_APPLICATION = "fairsite.asgi.application"
# Requests of one process running their Python side by side (fairsite/request_threads.py).
REQUEST_THREADS = int(env("REQUEST_THREADS", "4") or 4)
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "fairsite.context_processors.fair",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env("DATABASE_URL")
if DATABASE_URL:
    # Each process keeps one psycopg pool (Django's native pool): under ASGI every request runs
    # in a pool thread, and per-thread persistent connections (CONN_MAX_AGE > 0) pile up until
    # PostgreSQL refuses clients. The pool needs CONN_MAX_AGE=0: a connection goes back to the
    # pool when the request ends. Size it so that processes x FAIRSITE_DB_POOL_MAX stays below
    # PostgreSQL's max_connections minus headroom (docs/operations.md).
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
    # Parameters sent apart from the SQL, and each statement a connection runs a fifth time kept
    # prepared: PostgreSQL then plans it once per connection instead of on every run (planning
    # was most of the viewer's query and a third of an agenda page; docs/operations.md). Pooled
    # connections live long, so the plans are reused. Off by default without the pool (behind
    # PgBouncer in transaction mode, prepared statements need its max_prepared_statements).
    if env_bool("DB_PREPARE", env_bool("DB_POOL", True)):
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            server_side_binding=True, prepare_threshold=5
        )
    if env_bool("DB_POOL", True):
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": int(env("DB_POOL_MIN", "2") or 2),
            "max_size": int(env("DB_POOL_MAX", "10") or 10),
            # Seconds a request waits for a free connection before failing.
            "timeout": float(env("DB_POOL_TIMEOUT", "10") or 10),
            # Idle connections above min_size are closed after this many seconds.
            "max_idle": float(env("DB_POOL_MAX_IDLE", "300") or 300),
        }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            "OPTIONS": {
                # A serialised write path: writers take the database lock at BEGIN.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "fairsite.User"

# --- Background tasks (fairsite/tasks.py, docs/operations.md "Workers") -----------------------
# "queue": procrastinate on PostgreSQL, run by `python manage.py worker`; "inline": in-process
# after commit (the SQLite demo). The queue's tables exist wherever the database is PostgreSQL.
TASKS_ENGINE = env("TASKS", "queue" if DATABASE_URL else "inline")
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Before our apps, so that fairsite/admin.py can open the job list to organisers.
    INSTALLED_APPS.insert(INSTALLED_APPS.index("fairsite"), "procrastinate.contrib.django")
elif TASKS_ENGINE == "queue":
    raise ImproperlyConfigured("FAIRSITE_TASKS=queue needs PostgreSQL (FAIRSITE_DATABASE_URL).")
# A job whose worker sent no heartbeat for this long is run again by another worker.
TASKS_STALLED_AFTER = float(env("TASKS_STALLED_AFTER", "30") or 30)
TASKS_CONCURRENCY = int(env("TASKS_CONCURRENCY", "2") or 2)

# Stopping a daphne process (SIGTERM, fairsite/shutdown.py): how long HTTP requests in flight may
# take to be answered, and when the process ends whatever is left (below systemd's TimeoutStopSec).
SHUTDOWN_HTTP_GRACE = float(env("SHUTDOWN_HTTP_GRACE", "8") or 8)
SHUTDOWN_EXIT_LIMIT = float(env("SHUTDOWN_EXIT_LIMIT", "15") or 15)
# Meetings booked per transaction when a schedule is published (docs/scheduler.md).
SCHEDULER_PUBLISH_BATCH = int(env("PUBLISH_BATCH", "250") or 250)
PROCRASTINATE_READONLY_MODELS = True

# --- Redis: channel layer, cache, rate limits ------------------------------------------------
REDIS_URL = env("REDIS_URL")
# redis-py caps an async pool at 100 connections by default; channels-redis then fails under
# load. The pool size is set explicitly.
REDIS_MAX_CONNECTIONS = int(env("REDIS_MAX_CONNECTIONS", "1000") or 1000)
CHANNEL_LAYER_KIND = env("CHANNEL_LAYER", "pubsub")
if REDIS_URL:
    _layer_backend = {
        "pubsub": "fairsite.channel_layer.PubSubChannelLayer",  # resyncs sockets on reconnect
        "core": "channels_redis.core.RedisChannelLayer",
    }.get(CHANNEL_LAYER_KIND or "pubsub")
    if _layer_backend is None:
        raise ImproperlyConfigured("FAIRSITE_CHANNEL_LAYER must be 'pubsub' or 'core'.")
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": _layer_backend,
            "CONFIG": {
                "hosts": [{"address": REDIS_URL, "max_connections": REDIS_MAX_CONNECTIONS}],
                "prefix": env("REDIS_PREFIX", "fairsite"),
            },
        }
    }
    CACHES = {
        "default": {
            # Django's backend with one connection pool per process (fairsite/redis_cache.py).
            "BACKEND": "fairsite.redis_cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("REDIS_PREFIX", "fairsite"),
            # Bounded and blocking: a burst of threads waits for a connection (up to 5 s)
            # instead of failing with "Too many connections" past redis-py's default 100.
            "OPTIONS": {
                "pool_class": "redis.BlockingConnectionPool",
                "max_connections": int(env("REDIS_CACHE_CONNECTIONS", "50") or 50),
                "timeout": 5,
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Django's database sessions, read with a compiled query (fairsite/sessions.py).
SESSION_ENGINE = "fairsite.sessions"

# --- Accounts (django-allauth) ---------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_SIGNUP_FORM_CLASS = "exhibitors.forms.SignupProfileForm"
ACCOUNT_ADAPTER = "exhibitors.adapters.AccountAdapter"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Hanoi SIF] "
# Per account strict, per address generous: hundreds of people at a fair share the venue
# Wi-Fi's one public address. Sign-ins of one account run one at a time
# (exhibitors.adapters), so correct passwords are never refused for concurrency.
ACCOUNT_RATE_LIMITS = {
    "login": "600/m/ip",
    # Failed sign-ins per address: FAIRSITE_SIGNIN_FAILED_PER_ADDRESS, e.g. "100/5m" (the
    # default) for a venue's shared Wi-Fi; a small office or a test may want "5/5m".
    "login_failed": f"{env('SIGNIN_FAILED_PER_ADDRESS', '100/5m')}/ip,5/5m/key",
    "signup": "200/h/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
}
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
LOGIN_REDIRECT_URL = "/"
LOGIN_URL = "account_login"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
# Account forms on the project's form base (fairsite.forms): unsafe text refused everywhere.
_ACCOUNT_FORMS_MODULE = "exhibitors.account_forms"
ACCOUNT_FORMS = {
    name: f"{_ACCOUNT_FORMS_MODULE}.{cls}"
    for name, cls in {
        "login": "LoginForm",
        "add_email": "AddEmailForm",
        "change_password": "ChangePasswordForm",
        "set_password": "SetPasswordForm",
        "reset_password": "ResetPasswordForm",
        "reset_password_from_key": "ResetPasswordKeyForm",
        "reauthenticate": "ReauthenticateForm",
    }.items()
}
MFA_FORMS = {
    name: f"{_ACCOUNT_FORMS_MODULE}.{cls}"
    for name, cls in {
        "authenticate": "MfaAuthenticateForm",
        "reauthenticate": "MfaReauthenticateForm",
        "activate_totp": "ActivateTOTPForm",
        "deactivate_totp": "DeactivateTOTPForm",
    }.items()
}

# --- E-mail ------------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Hanoi Supporting Industry Fair <fair@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if env("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env("EMAIL_HOST")
    EMAIL_PORT = int(env("EMAIL_PORT", "587") or 587)
    EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
elif env("EMAIL_FILE_PATH"):
    # Each message written as a file in this folder (the browser journey tests read them).
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = env("EMAIL_FILE_PATH")
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# --- Languages and time ----------------------------------------------------------------------
LANGUAGE_CODE = env("LANGUAGE_CODE", "vi")
LANGUAGES = [
    ("vi", _("Vietnamese")),
    ("en", _("English")),
    ("ja", _("Japanese")),
    ("ko", _("Korean")),
]
# locale-allauth/: Vietnamese for django-allauth, which ships none (makemessages leaves it be).
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale-allauth"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Asia/Ho_Chi_Minh"

# --- Static and media ------------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
LOGO_MAX_BYTES = 2 * 1024 * 1024

# --- Fair platform -----------------------------------------------------------------------------
FAIR_SLUG = env("FAIR_SLUG")
# The public address, for links in e-mails and calendar files.
SITE_URL = (env("SITE_URL", "http://127.0.0.1:8000") or "").rstrip("/")
CALENDAR_DOMAIN = env("CALENDAR_DOMAIN")
MEETING_JOIN_EARLY_MINUTES = int(env("MEETING_JOIN_EARLY_MINUTES", "10") or 10)
# How long a waiting buyer has to accept a freed time (never past the time's start).
WAITLIST_OFFER_MINUTES = int(env("WAITLIST_OFFER_MINUTES", "120") or 120)
VIDEO_BASE_URL = env("VIDEO_BASE_URL", "https://meet.jit.si")
CHAT_RATE_LIMIT = env("CHAT_RATE_LIMIT", "20/10s")
CHAT_MAX_MESSAGE_CHARS = 2000

# --- Security ----------------------------------------------------------------------------------
# Reverse proxies whose X-Forwarded-For is believed (addresses or CIDR ranges, comma-separated);
# a Unix-socket peer always is. Run daphne WITHOUT --proxy-headers (fairsite.middleware).
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(env("HSTS_SECONDS", "31536000") or 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "daphne": {"level": "WARNING"},
        "django.channels.server": {"level": "WARNING"},
        "procrastinate": {"level": "WARNING"},
    },
}
