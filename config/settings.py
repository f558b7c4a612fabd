"""Settings for every environment, read from the environment by strict helpers (config/env.py).

With nothing set the portal runs embedded: SQLite, Celery eager, a local-memory cache.
DATABASE_URL and REDIS_URL (or CELERY_BROKER_URL) switch to PostgreSQL and Redis.
"""

from pathlib import Path

from csp.constants import NONCE
from django.utils.translation import gettext_lazy as _

from .env import ImproperlyConfiguredEnv, env_bool, env_database, env_int, env_list, env_redis, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY", "")
if not SECRET_KEY and env_bool("SECURE", False):
    raise ImproperlyConfiguredEnv("SECRET_KEY must be set when SECURE=1 (production)")
# The embedded default must start with no configuration; production sets SECRET_KEY, and
# `check --deploy` fails with an error (portal.E001, config/checks.py) while it is this value.
EMBEDDED_SECRET_KEY = "insecure-embedded-default-key-set-SECRET_KEY-in-production"
if not SECRET_KEY:
    SECRET_KEY = EMBEDDED_SECRET_KEY
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tables2",
    "import_export",
    "axes",
    "csp",
    "units",
    "indicators",
    "publishing",
    "imports",
    "rankings",
    "accounts",
    "dispatches",
    "portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before the session is looked up: a NUL in its cookie would reach PostgreSQL.
    "portal.middleware.RejectNulMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.middleware.VietnameseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Signed-in pages: an absolute session lifetime, and responses no shared cache may keep.
    "accounts.middleware.SessionLifetimeMiddleware",
    "accounts.middleware.PrivatePagesMiddleware",
    # Last, as django-axes requires: it locks out after repeated failed logins.
    "axes.middleware.AxesMiddleware",
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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "portal.context_processors.portal",
            ],
        },
    },
]

DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env_int(
    "CONN_MAX_AGE", 60 if DATABASES["default"]["ENGINE"].endswith("postgresql") else 0
)
# A connection dropped by a database restart is noticed and replaced before the next request.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    env_redis("REDIS_URL", REDIS_URL)
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL)
if CELERY_BROKER_URL:
    env_redis("CELERY_BROKER_URL", CELERY_BROKER_URL)
# Embedded default: no broker means tasks run in process, at once.
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
# Task state lives in the database (ranking runs, import batches, dispatch render state), so no
# result backend: it would only add a second Redis dependency that blocks publishing when down.
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", "") or None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A task delivered to a worker that died without acknowledging it goes back to the queue after
# this many seconds (Redis). Longer than any task runs; tests of a killed worker shorten it.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600)}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "Asia/Ho_Chi_Minh"
# When the broker is down, give up sending quickly (the request that applied an import must not
# hang); the run stays queued and the sweeper below sends it once the broker is back.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# Every kind of job the portal queues has a sweeper that re-sends what a broker outage held: beat
# runs each every REQUEUE_INTERVAL_SECONDS, for jobs waiting longer than REQUEUE_AFTER_SECONDS.
REQUEUE_INTERVAL_SECONDS = env_int("REQUEUE_INTERVAL_SECONDS", 60)
REQUEUE_AFTER_SECONDS = env_int("REQUEUE_AFTER_SECONDS", 120)
CELERY_BEAT_SCHEDULE = {
    f"requeue-stale-{name}": {"task": f"{name}.requeue_stale", "schedule": float(REQUEUE_INTERVAL_SECONDS)}
    for name in ("rankings", "dispatches", "imports")
}

# The embedded default (no DATABASE_URL, no broker, not behind HTTPS): the only place where `make run` may
# create the demo accounts (accounts/management/commands/load_demo_accounts.py checks this, nothing else).
EMBEDDED_DEFAULT = (
    DATABASES["default"]["ENGINE"].endswith("sqlite3") and not CELERY_BROKER_URL and not env_bool("SECURE", False)
)

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "config.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            # Fail fast when Redis is down: a page waits at most this long for the cache.
            "OPTIONS": {"socket_connect_timeout": 0.3, "socket_timeout": 0.3},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "portal:home"
# Lockout after repeated failures, per account and address; an administrator unlocks in the admin
# (Axes → access attempts) or with `manage.py axes_reset_username NAME`.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_HOURS", 1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
# Serve from the app and static/ folders too, so a checkout works before collectstatic has run.
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG and env_bool("STATIC_MANIFEST", False)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# At most this many public pages are cached per data version, whatever visitors ask for.
PORTAL_CACHE_MAX_PAGES = env_int("PORTAL_CACHE_MAX_PAGES", 20_000)
# The unit whose results the home page shows: an official code or a name.
PORTAL_HOME_UNIT = env_str("PORTAL_HOME_UNIT", "Huyện Tiên Lữ")
PORTAL_NAME = env_str("PORTAL_NAME", "Cổng công khai kết quả Bộ chỉ số phục vụ người dân, doanh nghiệp")

# The licence the open data (downloads, API) is published under, named on the open-data page and in every file.
PORTAL_DATA_LICENCE = env_str("PORTAL_DATA_LICENCE", "Creative Commons Ghi công 4.0 Quốc tế (CC BY 4.0)")
PORTAL_DATA_LICENCE_URL = env_str("PORTAL_DATA_LICENCE_URL", "https://creativecommons.org/licenses/by/4.0/deed.vi")

# Uploads larger than this are refused before anything is parsed.
IMPORT_MAX_UPLOAD_BYTES = env_int("IMPORT_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = IMPORT_MAX_UPLOAD_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# A total that moves more than this many points from last month is flagged (a warning, not an error).
IMPORT_JUMP_WARNING_POINTS = env_int("IMPORT_JUMP_WARNING_POINTS", 15)
# Uploads larger than this are written by a Celery worker when a broker is configured.
IMPORT_BACKGROUND_BYTES = env_int("IMPORT_BACKGROUND_BYTES", 512 * 1024)

# PEM bundle of the CA certificates the signatures of a signed dispatch are trusted against (in production the
# Government CA's roots). Unset: signatures are still verified, and recorded as untrusted.
SIGNATURE_TRUST_ROOTS = env_str("SIGNATURE_TRUST_ROOTS", "")
if SIGNATURE_TRUST_ROOTS and not Path(SIGNATURE_TRUST_ROOTS).is_file():
    raise ImproperlyConfiguredEnv(f"SIGNATURE_TRUST_ROOTS: no such file: {SIGNATURE_TRUST_ROOTS}")

# The national public-service portal's public JSON endpoint (imports.national). The beat job that
# prepares each watching scope's month on the days the portal publishes is off unless switched on.
NATIONAL_PORTAL_URL = env_str("NATIONAL_PORTAL_URL", "https://dichvucong.gov.vn/jsp/rest.jsp")
NATIONAL_PORTAL_FETCH_ENABLED = env_bool("NATIONAL_PORTAL_FETCH_ENABLED", False)
NATIONAL_PORTAL_FETCH_DAYS = env_str("NATIONAL_PORTAL_FETCH_DAYS", "1-10")
# Names the portal and its operator (HTTP headers are ASCII: write the name without diacritics).
NATIONAL_PORTAL_USER_AGENT = env_str(
    "NATIONAL_PORTAL_USER_AGENT",
    "CongKetQuaBoChiSo766/1.0 (cong cong khai ket qua Bo chi so 766; lien he: quan tri vien)",
)
if not NATIONAL_PORTAL_USER_AGENT.isascii():
    raise ImproperlyConfiguredEnv("NATIONAL_PORTAL_USER_AGENT must be ASCII (write Vietnamese without diacritics)")
NATIONAL_PORTAL_TIMEOUT = env_int("NATIONAL_PORTAL_TIMEOUT", 20)
NATIONAL_PORTAL_RETRIES = env_int("NATIONAL_PORTAL_RETRIES", 3)
NATIONAL_PORTAL_BACKOFF = env_int("NATIONAL_PORTAL_BACKOFF_MS", 2000) / 1000  # doubled at each retry
if NATIONAL_PORTAL_FETCH_ENABLED:
    CELERY_BEAT_SCHEDULE["national-portal-fetch"] = {"task": "imports.national_fetch_due", "schedule": 3600.0}

SESSION_COOKIE_HTTPONLY = True
# Sessions (OWASP ASVS V7): signed out after SESSION_IDLE_SECONDS without a request (the session's
# age, renewed by requests: accounts.middleware) and SESSION_ABSOLUTE_SECONDS after signing in.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_SECONDS", 30 * 60)
SESSION_ABSOLUTE_SECONDS = env_int("SESSION_ABSOLUTE_SECONDS", 12 * 3600)
# Password reset: at most this many e-mails an hour to one address, and requests an hour from one
# client address (django-ratelimit, on the shared cache; refused while the cache is down).
PASSWORD_RESET_RATE_ACCOUNT = env_str("PASSWORD_RESET_RATE_ACCOUNT", "3/h")
PASSWORD_RESET_RATE_IP = env_str("PASSWORD_RESET_RATE_IP", "20/h")
# Proxies of ours in front of the portal (the load balancer: 1); the address limits count the client
# they name in X-Forwarded-For, not the balancer (config.clients).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
RATELIMIT_IP_META_KEY = "config.clients.client_address"
AXES_CLIENT_IP_CALLABLE = "config.clients.client_address"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if not DEBUG and env_bool("SECURE", False):
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # The load balancer's health probe speaks plain HTTP on the private network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# No inline scripts or styles anywhere (the bands' colours come as a stylesheet), except the one style block of the dispatch preview,
# admitted by its nonce (django-csp adds the nonce only to a response that used it); framing is denied except on the embed routes,
# which relax frame-ancestors (and X-Frame-Options) themselves.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", NONCE],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
CSRF_FAILURE_VIEW = "portal.views.errors.csrf_failure"  # Vietnamese, with what to do, instead of Django's page
CSRF_COOKIE_HTTPONLY = False  # Django's default; forms carry the token in the page, not read by scripts
SECURE_REFERRER_POLICY = "same-origin"

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")

DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5-responsive.html"
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # WeasyPrint logs every layout step at INFO; a dispatch render would flood the worker's log.
    "loggers": {"weasyprint.progress": {"level": "WARNING"}},
}
