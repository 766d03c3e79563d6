"""Settings shared by every environment, read from the environment (django-environ)."""

import os
from datetime import timedelta
from pathlib import Path

import environ
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-change-me")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
# Absolute base for links in emails (the candidate portal, the client pages).
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

DJANGO_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
]
THIRD_PARTY_APPS = [
    "crispy_forms",
    "crispy_bootstrap5",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
]
LOCAL_APPS = ["core", "candidates", "feedback", "clients", "api", "demo"]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tvr_site.middleware.ReaderTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "tvr_site.urls"
WSGI_APPLICATION = "tvr_site.wsgi.application"

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
            ],
        },
    },
]

# SQLite under var/ by default; PostgreSQL (or anything else) from DATABASE_URL.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share one file: WAL lets readers run beside the writer,
    # IMMEDIATE takes the write lock up front so transactions never deadlock-upgrade.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", 60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The admin signs in by username; client contacts sign in to /clients/ by email.
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "clients.backends.ClientEmailBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Mail: console by default; EMAIL_URL (smtp://user:pass@host:port) for a real server.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="TVR Feedback <feedback@tvr.example>")
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)

# Celery: Redis from REDIS_URL (make run / make test start an embedded one when unset).
REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = REDIS_URL
if CELERY_BROKER_URL.startswith("redis://"):
    # Redis's transport with a repair: a worker survives its broker's restart
    # (tvr_site/broker.py).
    CELERY_BROKER_TRANSPORT = "tvr_site.broker:Transport"
# The cache (core.caching: the dashboard's charts), on the same Redis; short timeouts,
# because a page computes what it cannot read rather than wait.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "tvr",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", default="tvr")
# The sweep has a queue of its own, which every worker also consumes: behind a backlog of
# deliveries in one FIFO queue it would wait, and deadlines would pass unswept.
SWEEP_QUEUE = f"{CELERY_TASK_DEFAULT_QUEUE}-sweep"
CELERY_TASK_QUEUES = (Queue(CELERY_TASK_DEFAULT_QUEUE), Queue(SWEEP_QUEUE))
CELERY_TASK_ROUTES = {"feedback.tasks.sweep": {"queue": SWEEP_QUEUE}}
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True  # a task lost with its worker is delivered again
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Delivery waits on SMTP replies and the database between bursts of CPU: one process more
# than cores keeps the cores busy while one of them waits (a big burst's lateness drops;
# docs/benchmarks.md).
CELERY_WORKER_CONCURRENCY = env.int("WORKER_CONCURRENCY", default=(os.cpu_count() or 1) + 1)
# Celery's Django fixup closes the database connection around every task unless this is
# set; tvr_site/celery.py gives tasks Django's per-request rule instead (CONN_MAX_AGE,
# health checks). The fixup still starts afresh after this many tasks.
CELERY_DB_REUSE_MAX = 1000
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# Publishing must not hang a web request when Redis is down: give up fast, the sweep
# re-dispatches from the database.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5}
CELERY_TIMEZONE = "UTC"
SWEEP_INTERVAL_SECONDS = env.float("SWEEP_INTERVAL_SECONDS", default=5.0)
# The dashboards' charts, computed into the cache for every desk (feedback.selectors.charts,
# dashboard_charts).
CHART_REFRESH_SECONDS = env.float("CHART_REFRESH_SECONDS", default=60.0)
# A beat task's expiry is a moment by beat's clock, judged by each worker's own: a worker
# whose clock runs ahead by more than the expiry drops every sweep it takes. The expiry
# allows for that much difference between hosts' clocks.
CLOCK_SKEW_ALLOWANCE_SECONDS = env.float("CLOCK_SKEW_ALLOWANCE_SECONDS", default=30.0)
CELERY_BEAT_SCHEDULE = {
    "sweep": {
        "task": "feedback.tasks.sweep",
        "schedule": SWEEP_INTERVAL_SECONDS,
        # Sweeps that piled up while no worker ran are dropped rather than run in a row.
        "options": {"expires": SWEEP_INTERVAL_SECONDS + CLOCK_SKEW_ALLOWANCE_SECONDS},
    },
    "dashboard-charts": {
        "task": "feedback.tasks.refresh_dashboard_charts",
        "schedule": CHART_REFRESH_SECONDS,
        "options": {"expires": CHART_REFRESH_SECONDS + CLOCK_SKEW_ALLOWANCE_SECONDS},
    },
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# The loop's knobs that are not policy (policy lives in the database, edited in admin).
# Whose clock the loop's times are read from: "database" (PostgreSQL's, the one clock
# every host shares; see core/clock.py) or "local" (this process's).
LOOP_CLOCK = env.str("LOOP_CLOCK", default="database")
FEEDBACK = {
    "SWEEP_BATCH_SIZE": env.int("SWEEP_BATCH_SIZE", default=1000),
    "SWEEP_MAX_BATCHES": env.int("SWEEP_MAX_BATCHES", default=20),
    "DELIVERY_MAX_ATTEMPTS": env.int("DELIVERY_MAX_ATTEMPTS", default=8),
    "DELIVERY_BACKOFF_BASE": timedelta(seconds=env.int("DELIVERY_BACKOFF_SECONDS", default=30)),
    "DELIVERY_BACKOFF_MAX": timedelta(minutes=30),
    # A claimed message whose worker died is handed out again after this lease.
    "DELIVERY_LEASE": timedelta(seconds=env.int("DELIVERY_LEASE_SECONDS", default=120)),
    # A queued message whose task was lost (broker down, restarted) is re-dispatched after this.
    "REDISPATCH_AFTER": timedelta(seconds=env.int("REDISPATCH_AFTER_SECONDS", default=60)),
    # Messages per delivery task: fewer broker round trips, still spread over the workers.
    "DELIVERY_CHUNK_SIZE": env.int("DELIVERY_CHUNK_SIZE", default=50),
    # A delivery task hands what it has not sent after this back to the queue, so that
    # the sweep never waits long for a worker process. Handed back is behind the whole
    # queue, so not too soon: long enough for a loaded worker to send a whole chunk
    # (DELIVERY_CHUNK_SIZE) in one task (docs/benchmarks.md).
    "DELIVERY_TASK_SECONDS": env.float("DELIVERY_TASK_SECONDS", default=1.0),
    # How long a webhook's receiver has to answer (well inside half the delivery lease).
    "WEBHOOK_TIMEOUT": timedelta(seconds=env.int("WEBHOOK_TIMEOUT_SECONDS", default=10)),
    # A webhook endpoint failing for this long, without one success, is turned off.
    "WEBHOOK_DISABLE_AFTER": timedelta(days=env.int("WEBHOOK_DISABLE_AFTER_DAYS", default=3)),
}

# The REST API (api/, docs/api.md): API keys only (no session: a browser signed in to
# the admin is not an integration), limited per key, field-level 400s.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.ApiKeyScope"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.PerKeyRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api_key": env("API_RATE_PER_KEY", default="600/minute")},
    "DEFAULT_PAGINATION_CLASS": "api.pagination.ByIdCursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "TVR Feedback API",
    "DESCRIPTION": "The ATS records, the interview lifecycle and the feedback loop's reads. "
    "Authenticate with `Authorization: Bearer <API key>` (keys are made in the admin).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI's files from drf-spectacular-sidecar, served by us: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ApplicationStageEnum": "candidates.models.Application.Stage",
        "SettableStageEnum": "api.serializers.SETTABLE_STAGES",
        "PositionStatusEnum": "candidates.models.Position.Status",
        "InterviewStatusEnum": "candidates.models.Interview.Status",
        "InterviewKindEnum": "candidates.models.Interview.Kind",
        "FeedbackRequestStatusEnum": "feedback.models.FeedbackRequest.Status",
        "TimelineEventKindEnum": "feedback.models.TimelineEvent.Kind",
    },
}
PORTAL_LINK_MAX_AGE = timedelta(days=env.int("PORTAL_LINK_MAX_AGE_DAYS", default=14))

LOGIN_URL = "admin:login"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}
