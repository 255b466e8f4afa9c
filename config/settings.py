"""Django settings for ssc-outlets (重庆市社会保障卡合作银行网点服务管理平台).

The embedded default runs on SQLite, local files and in-process work: nothing else to start.
Production switches by environment variables only (see README "Production deployment"):

- ``DATABASE_URL``        e.g. ``postgres://user@127.0.0.1:5432/ssc`` (PostgreSQL via psycopg 3)
- ``REDIS_URL``           e.g. ``redis://127.0.0.1:6379/0`` (shared cache, rate limits, sessions)
- ``SSC_SECRET_KEY``      required when ``SSC_DEBUG`` is off
- ``SSC_DEBUG``           ``1`` for development
- ``SSC_ALLOWED_HOSTS``   comma separated
- ``SSC_DATA_DIR``        where SQLite, uploaded documents and collected static files live
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("SSC_DATA_DIR", BASE_DIR / "var"))
DATA_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, "1" if default else "0").lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("SSC_DEBUG", default=False)
SECRET_KEY = os.environ.get("SSC_SECRET_KEY") or ("insecure-development-key-only-for-the-embedded-default")
ALLOWED_HOSTS = [h for h in os.environ.get("SSC_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("SSC_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "django_htmx",
    "rules.apps.AutodiscoverRulesConfig",
    # the project's own apps, one per domain area
    "ssc.core",
    "ssc.accounts",
    "ssc.registry",
    "ssc.audit",
    "ssc.workcalendar",
    "ssc.portal",
    "ssc.workflow",
    "ssc.deadlines",
    "ssc.notifications",
    "ssc.documents",
    "ssc.agreements",
    "ssc.roster",
    "ssc.admission",
    "ssc.rectification",
    "ssc.inspections",
    "ssc.tickets",
    "ssc.evaluations",
    "ssc.relocations",
    "ssc.terminations",
    "ssc.migration",
    "ssc.directory",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "ssc.core.middleware.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "ssc.core.middleware.ActorContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ssc.portal.context_processors.frame",
                "ssc.notifications.context_processors.unread",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------------------------
SQLITE_PATH = DATA_DIR / "db.sqlite3"
if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(SQLITE_PATH),
            "OPTIONS": {
                # IMMEDIATE: a write transaction takes the database lock at BEGIN, so two concurrent
                # workflow actions serialise instead of both reading the old state.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                # Connections persist (CONN_MAX_AGE), one per server thread: a small page cache each, and no
                # memory map (a mapping per thread would count the database file once per thread in the RSS).
                "init_command": (
                    "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;"
                    "PRAGMA cache_size=-4000;PRAGMA temp_store=MEMORY;PRAGMA mmap_size=0;"
                ),
            },
            # Tests too use a file (one per process): an in-memory shared-cache database refuses a second writer
            # ("table is locked") instead of waiting, so concurrent-request tests need SQLite's real locking.
            "TEST": {"NAME": str(Path(tempfile.gettempdir()) / f"ssc-test-{os.getpid()}.sqlite3")},
            # Keep each thread's connection between requests, as with PostgreSQL: opening one parses the whole
            # schema (~250 tables, indexes and triggers) and starts with a cold page cache, ~3 ms per request.
            "CONN_MAX_AGE": 60,
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache ----------------------------------------------------------------------------------------------
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": "ssc",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "ssc"}}

# --- public directory (ssc.directory) --------------------------------------------------------------------
# Rate limits per client address ("off" disables); Cache-Control max-age of public responses (seconds).
SSC_PUBLIC_RATE_LIMIT = os.environ.get("SSC_PUBLIC_RATE_LIMIT", "600/min")
SSC_PUBLIC_DOWNLOAD_RATE_LIMIT = os.environ.get("SSC_PUBLIC_DOWNLOAD_RATE_LIMIT", "30/min")
SSC_DIRECTORY_MAX_AGE = int(os.environ.get("SSC_DIRECTORY_MAX_AGE", "60"))

# --- authentication and sessions ------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "ssc.accounts.backends.LockoutModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "ssc.accounts.validators.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
]
# Lockout after repeated failures (等保 2.0 login failure handling).
SSC_LOGIN_MAX_FAILURES = int(os.environ.get("SSC_LOGIN_MAX_FAILURES", "5"))
SSC_LOGIN_LOCKOUT_MINUTES = int(os.environ.get("SSC_LOGIN_LOCKOUT_MINUTES", "15"))
# Idle-session timeout: the session expires after this many seconds without a request.
SESSION_COOKIE_AGE = int(os.environ.get("SSC_IDLE_TIMEOUT_SECONDS", str(30 * 60)))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SSC_SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
API_TOKEN_TTL_DAYS = int(os.environ.get("SSC_API_TOKEN_TTL_DAYS", "30"))
# Stored Idempotency-Key responses are purged by the daily sweep after this many days (ssc.workflow.api.idempotency).
SSC_IDEMPOTENCY_KEEP_DAYS = int(os.environ.get("SSC_IDEMPOTENCY_KEEP_DAYS", "7"))

# --- i18n -----------------------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- files ----------------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = DATA_DIR / "media"
DOCUMENT_MAX_BYTES = int(os.environ.get("SSC_DOCUMENT_MAX_BYTES", str(20 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 30 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- e-mail ---------------------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get("SSC_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("SSC_DEFAULT_FROM_EMAIL", "noreply@ssc-outlets.invalid")

# --- API ------------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "ssc.accounts.api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "ssc.core.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "DEFAULT_FILTER_BACKENDS": ["rest_framework.filters.OrderingFilter"],
    "EXCEPTION_HANDLER": "ssc.core.api.exceptions.problem_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "ssc.core.api.schema.ProblemAutoSchema",
    "DATETIME_FORMAT": "iso-8601",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ssc-outlets API",
    "DESCRIPTION": "重庆市社会保障卡合作银行网点服务管理平台 API (渝人社规〔2025〕2号).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
}

# --- security headers -----------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("SSC_BEHIND_TLS_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("SSC_LOG_LEVEL", "WARNING")},
}
