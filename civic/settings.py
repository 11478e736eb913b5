"""Settings for Civic, read from the environment (django-environ).

Everything that differs between the demo, a developer's machine, CI and production is an
environment variable; see README.md, "Configuration".
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
_DEV_SECRET = "insecure-development-key-only-for-the-local-demo-0123456789"
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET if DEBUG else "")
if not SECRET_KEY:
    raise environ.ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "mptt",
    "guardian",
    "django_celery_beat",
    "civic.lockout.LockoutConfig",  # django-axes
    "civic",
    "centers",
    "volunteers",
    "points",
    "activities",
    "orders",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "civic.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "civic.middleware.IdleTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "civic.errors.NulGuardMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "civic.urls"
WSGI_APPLICATION = "civic.wsgi.application"

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
                "civic.context_processors.civic",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis is the Celery broker and the cache. Without REDIS_URL (the one-command demo),
# tasks run in-process and the cache is local memory.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "civic.cache.TolerantRedisCache",
            "LOCATION": REDIS_URL,
            "TIMEOUT": 300,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Sessions live in the database; with Redis they are also cached there, so a page reads no
# session row (and still works, from the database, when Redis is down).
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db" if REDIS_URL else "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=14 * 24 * 3600)

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "volunteers.backends.PhoneOrIdBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lockout after repeated failed logins (等保).
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# One counter per person, however the login is spelt (volunteers.logins.lockout_key), and
# the client address behind the configured proxies only (civic.net.client_address).
AXES_USERNAME_CALLABLE = "volunteers.logins.lockout_key"
AXES_CLIENT_IP_CALLABLE = "civic.net.client_address"
AXES_LOCKOUT_CALLABLE = "volunteers.logins.lockout_response"

# Internationalisation: Simplified Chinese first, English second.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
STATIC_MANIFEST = env.bool("STATIC_MANIFEST", default=False)
if STATIC_MANIFEST:
    # Production: collected, hashed and compressed files served by WhiteNoise.
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATIC_MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Security. Production (DEBUG off) defaults pass `manage.py check --deploy`; a deployment
# behind a TLS-terminating proxy sets SECURE_PROXY_SSL_HEADER=true.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env.bool("SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SILENCED_SYSTEM_CHECKS = env.list("SILENCED_SYSTEM_CHECKS", default=[])
# The Content-Security-Policy of every page (civic.middleware.SecurityHeadersMiddleware): no
# inline scripts or styles anywhere. A view changes a directive with
# @content_security_policy(...) and opts in to the camera or geolocation with
# @permissions_policy(camera=True, geolocation=True).
CIVIC_CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data: blob:",
    "connect-src": "'self'",
    "font-src": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
    "base-uri": "'self'",
    "object-src": "'none'",
}
# How many reverse proxies stand in front of Django, each appending to X-Forwarded-For.
# 0 (the default): the header is ignored. Pages, API throttles and the lockout all read the
# client address through civic.net.client_address.
CIVIC_TRUSTED_PROXIES = env.int("CIVIC_TRUSTED_PROXIES", default=0)
# The address people reach the site at (https://civic.example.org): links printed on paper
# (a certificate's QR code) are built on it, never on the host a request came in on
# (civic.links.public_url). check --deploy warns when it is unset in production.
CIVIC_PUBLIC_URL = env.str("CIVIC_PUBLIC_URL", default="http://127.0.0.1:8000" if DEBUG else "")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "civic.errors.JSONParser",
        "civic.errors.FormParser",
        "civic.errors.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "civic.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "civic.schema.AutoSchema",
    "EXCEPTION_HANDLER": "civic.api.exception_handler",
    "NUM_PROXIES": CIVIC_TRUSTED_PROXIES,
}
# Rates of the limits a public page shares with its API twin (civic.throttle.Throttle,
# counted per client address).
CIVIC_THROTTLE_RATES = {
    "certificate_verify": env.str("CIVIC_RATE_CERTIFICATE_VERIFY", default="60/minute"),
    "volunteer_register": env.str("CIVIC_RATE_VOLUNTEER_REGISTER", default="20/hour"),
    "volunteer_register_code": env.str("CIVIC_RATE_VOLUNTEER_REGISTER_CODE", default="20/hour"),
    "volunteer_claim": env.str("CIVIC_RATE_VOLUNTEER_CLAIM", default="10/hour"),
    "login": env.str("CIVIC_RATE_LOGIN", default="120/hour"),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Civic API",
    "DESCRIPTION": "New-Era Civilization Practice network: sites, volunteers, activities, orders, points.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Celery: Redis broker, JSON only; the beat schedule is gathered from the apps.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_RESULT_EXPIRES = timedelta(days=1)
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_PUBLISH_RETRY = False
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="celery")
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5, "max_retries": 1}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Periodic tasks are declared by the apps (``periodic_tasks`` in their AppConfig) and put into
# the beat schedule at start-up (civic.registry.install_beat_schedule).
CELERY_BEAT_SCHEDULE: dict = {}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# Civic's own settings.
CIVIC_SITE_MODEL = "centers.Site"
CIVIC_GRANT_MODEL = "centers.SiteGrant"
CIVIC_ICP_NUMBER = env.str("CIVIC_ICP_NUMBER", default="")
CIVIC_SMS_BACKEND = env.str("CIVIC_SMS_BACKEND", default="civic.sms.ConsoleSender")
CIVIC_BENCH_URLS = env.bool("CIVIC_BENCH_URLS", default=False)  # /bench/bare/ for the benchmarks
CIVIC_COVERAGE_TARGET = env.str("CIVIC_COVERAGE_TARGET", default="0.13")
CIVIC_STAFF_IDLE_MINUTES = env.int("CIVIC_STAFF_IDLE_MINUTES", default=30)
CIVIC_BRAND = _("New-Era Civilization Practice")
# The county's name in every page's header (青禾县新时代文明实践中心); the brand by default.
# Its emblem is uploaded in the admin (civic.Branding) and served at /emblem/.
CIVIC_COUNTY_NAME = env.str("CIVIC_COUNTY_NAME", default="")
