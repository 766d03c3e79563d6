"""Settings shared by every environment, read from the environment (django-environ)."""

import os
from datetime import timedelta
from pathlib import Path

import environ
from kombu import Queue

from tvr_site import logs

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
    "django_prometheus",
    "django_structlog",
    "import_export",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
]
LOCAL_APPS = ["core", "candidates", "feedback", "clients", "api", "privacy", "ops", "demo"]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    # First and last: django-prometheus times the whole request (its metrics at /metrics).
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The pages, compressed (Django's own guards against BREACH); below whitenoise, which
    # answers static files from their own pre-compressed (Brotli, gzip) copies.
    "django.middleware.gzip.GZipMiddleware",
    # The headers every answer carries (static files included come before: whitenoise
    # answers them itself, with their own long cache lifetime).
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "tvr_site.middleware.TokenPageReferrerMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): has this session passed the second factor.
    "django_otp.middleware.OTPMiddleware",
    # Ends sessions past their idle or absolute lifetime, before any view sees the user.
    "tvr_site.middleware.SessionLifetimeMiddleware",
    # A request id on every line logged for the request (after authentication: it logs
    # the user's id, never a name), carried into the tasks it enqueues.
    "tvr_site.middleware.RequestLogMiddleware",
    "tvr_site.middleware.ReaderTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # After authentication (axes wants to be late): turns a sign-in refused for a
    # lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
    # Last: django-prometheus times the whole request (with its first half, at the top).
    "django_prometheus.middleware.PrometheusAfterMiddleware",
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
    # Server-side prepared statements (psycopg plans a statement once per connection
    # after it has run this many times); off unless set: a transaction-mode pooler in
    # front of PostgreSQL cannot keep them (docs/benchmarks.md, "Speed where people wait").
    prepare_after = env.int("DATABASE_PREPARE_THRESHOLD", default=-1)
    if prepare_after >= 0 and DATABASES["default"]["ENGINE"].endswith("postgresql"):
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            server_side_binding=True, prepare_threshold=prepare_after
        )
# The same backends, counting queries, errors and connections for /metrics
# (django-prometheus); the vendor stays "postgresql" or "sqlite".
DATABASES["default"]["ENGINE"] = {
    "django.db.backends.postgresql": "django_prometheus.db.backends.postgresql",
    "django.db.backends.sqlite3": "django_prometheus.db.backends.sqlite3",
}.get(DATABASES["default"]["ENGINE"], DATABASES["default"]["ENGINE"])
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The admin signs in by username; client contacts sign in to /clients/ by email.
AUTHENTICATION_BACKENDS = [
    # First: refuses any sign-in while its account or address is locked out.
    "axes.backends.AxesStandaloneBackend",
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
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "static")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Import and export in the admin (django-import-export; core/admin_imports.py,
# docs/import.md). Importing needs the model's "add" permission (and "change", checked by
# the admin), exporting its "view". The uploaded file waits for the confirm step in the
# cache (Redis), which every web process shares.
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
IMPORT_EXPORT_TMP_STORAGE_CLASS = "import_export.tmp_storages.CacheStorage"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Mail: console by default; EMAIL_URL (smtp://user:pass@host:port) for a real server.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="TVR Feedback <feedback@tvr.example>")
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
# Texts (docs/channels.md): console://, or twilio://SID:TOKEN@api.twilio.com?from=+1555…
SMS_URL = env("SMS_URL", default="console://")
# Who the texts say they are from, and the number HELP gives.
AGENCY_NAME = env("AGENCY_NAME", default="TVR")
AGENCY_PHONE = env("AGENCY_PHONE", default="+1 555 010 0100")
# Numbers typed without a country code are read as this country's (E.164 is stored).
PHONENUMBER_DEFAULT_REGION = env("PHONE_REGION", default="US")
# Inbound mail and delivery events through anymail's webhooks (/hooks/email/…), which
# check this basic-auth secret ("user:password") on every call.
ANYMAIL = {"WEBHOOK_SECRET": env("ANYMAIL_WEBHOOK_SECRET", default="")}

# Celery: Redis from REDIS_URL (make run / make test start an embedded one when unset),
# or the broker CELERY_BROKER_URL names, e.g. RabbitMQ (amqp://user:password@host:5672/vhost);
# the cache stays on Redis either way. docs/deployment.md says which broker to choose.
REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
BROKER_IS_REDIS = CELERY_BROKER_URL.startswith("redis://")
if BROKER_IS_REDIS:
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
if BROKER_IS_REDIS:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "socket_connect_timeout": 2,
        "socket_timeout": 5,
        # Redis has no acknowledgement of its own: a task a worker took and has not
        # acknowledged within this is handed out again (acks_late). Far longer than any
        # task runs (DELIVERY_TASK_SECONDS); a lost task is re-dispatched from the
        # database long before it (REDISPATCH_AFTER).
        "visibility_timeout": 3600,
    }
else:
    # AMQP acknowledges itself: an unacknowledged task goes back to the queue when its
    # worker's connection drops (heartbeats find a silent one). Deliveries run for
    # seconds, far inside RabbitMQ's consumer_timeout.
    CELERY_BROKER_HEARTBEAT = env.int("CELERY_BROKER_HEARTBEAT", default=30)
CELERY_TIMEZONE = "UTC"
# The worker logs through Django's LOGGING (tvr_site/logs.py) like every other process,
# instead of replacing the root logger's handlers with its own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# A request due between two sweeps waits for the next one: the interval is the floor of
# its lateness (docs/benchmarks.md, "Delivery"). A sweep with nothing due is a few
# indexed reads.
SWEEP_INTERVAL_SECONDS = env.float("SWEEP_INTERVAL_SECONDS", default=2.0)
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
# The retention rule (privacy.RetentionRule) is applied once a day; it does nothing while
# the rule is off.
CELERY_BEAT_SCHEDULE["privacy-retention"] = {
    "task": "privacy.tasks.apply_retention_rule",
    "schedule": timedelta(days=1),
    "options": {"expires": 3600},
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
    # The recruiter's "feedback received" message waits this long, so that a burst of
    # amendments gives one message carrying the last answer (answers._notify_recruiter).
    "ANSWER_NOTICE_DELAY": timedelta(seconds=env.int("ANSWER_NOTICE_DELAY_SECONDS", default=120)),
    # A link (portal or client) takes at most this many answers in this window.
    "ANSWERS_PER_LINK": env.int("ANSWERS_PER_LINK", default=5),
    "ANSWERS_PER_LINK_WINDOW": timedelta(minutes=10),
    # A signed-in client contact gives at most this many answers a minute, over all links.
    "CLIENT_ANSWERS_PER_MINUTE": env.int("CLIENT_ANSWERS_PER_MINUTE", default=10),
    # How long a webhook's receiver has to answer (well inside half the delivery lease).
    "WEBHOOK_TIMEOUT": timedelta(seconds=env.int("WEBHOOK_TIMEOUT_SECONDS", default=10)),
    # A webhook endpoint failing for this long, without one success, is turned off.
    "WEBHOOK_DISABLE_AFTER": timedelta(days=env.int("WEBHOOK_DISABLE_AFTER_DAYS", default=3)),
    # Calendar invites to both parties of each interview (docs/wording.md); off for an
    # agency whose own calendar system sends them.
    "CALENDAR_INVITES": env.bool("CALENDAR_INVITES", default=True),
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

# Logs (tvr_site/logs.py): readable text by default, JSON lines with LOG_FORMAT=json.
LOG_FORMAT = env.str("LOG_FORMAT", default="text")
LOGGING = logs.logging_config(log_format=LOG_FORMAT, level=env("LOG_LEVEL", default="INFO"))
logs.structlog_configure()
# django-structlog: request ids go into the tasks a request enqueues; no client IP logged.
DJANGO_STRUCTLOG_CELERY_ENABLED = True
DJANGO_STRUCTLOG_IP_LOGGING_ENABLED = False

# Operations (ops/): health checks and metrics.
# /health/ answers 503 while this file exists: touch it to drain a host before a restart.
HEALTH_DRAIN_FILE = env.str("HEALTH_DRAIN_FILE", default="")
# /health/ready/ fails when a due message has waited longer than REDISPATCH_AFTER plus this.
HEALTH_QUEUE_MARGIN_SECONDS = env.float("HEALTH_QUEUE_MARGIN_SECONDS", default=60.0)
# How often each worker writes its heartbeat (ops/heartbeat.py).
HEARTBEAT_SECONDS = env.float("HEARTBEAT_SECONDS", default=15.0)
# /metrics: for a scraper sending "Authorization: Bearer <METRICS_TOKEN>", or connecting
# from an address in METRICS_ALLOWED_IPS (addresses or networks). Neither set: nobody.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
METRICS_ALLOWED_IPS = env.list("METRICS_ALLOWED_IPS", default=[])

# --- Signing in: lockouts, second factor, session lifetimes (docs/security.md) ------------
# Five wrong passwords lock the account, and five from one address lock the address
# (either trips it), for a quarter of an hour after the latest attempt.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# Both sign-ins count the same account however its name is typed (the client pages
# take an email in any letter case).
AXES_USERNAME_CALLABLE = "core.signin.lockout_username"
AXES_LOCKOUT_CALLABLE = "core.signin.lockout_response"
AXES_RESET_ON_SUCCESS = True
# Every refused sign-in is kept in the admin's log of failures, not only the counts.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# The sender's address: the connection's, or (PROXY_COUNT proxies in front, which set
# X-Forwarded-For) the one they saw. Never the header alone: anyone can write it.
PROXY_COUNT = env.int("PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "core.signin.client_ip"

# Password reset on the client pages: per address and per sender (django-ratelimit).
PASSWORD_RESET_RATE_PER_ADDRESS = env("PASSWORD_RESET_RATE_PER_ADDRESS", default="3/h")
PASSWORD_RESET_RATE_PER_IP = env("PASSWORD_RESET_RATE_PER_IP", default="10/h")

# Staff sign in with a password and a one-time code (django-otp): an authenticator app's
# TOTP code or one of the backup codes shown at enrolment.
OTP_TOTP_ISSUER = "TVR Recruiter"
# Nobody but the user ever sees a secret (at enrolment): not even in the admin.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# How long a session lasts: staff sessions end 12 hours after signing in or after an hour
# without a request; a client contact's after 8 hours without one.
STAFF_SESSION_MAX_AGE = timedelta(hours=12)
STAFF_SESSION_IDLE = timedelta(hours=1)
CLIENT_SESSION_IDLE = timedelta(hours=8)
SESSION_COOKIE_AGE = int(STAFF_SESSION_MAX_AGE.total_seconds())
SESSION_COOKIE_HTTPONLY = True

# --- Headers ---------------------------------------------------------------------------------
# No inline script or style anywhere; everything comes from our own static files.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
}
# Every page: a Referer to this site only. The pages whose URL carries a token send at
# most the origin, never the path (tvr_site.middleware.TokenPageReferrerMiddleware).
SECURE_REFERRER_POLICY = "same-origin"
TOKEN_PAGE_REFERRER_POLICY = "strict-origin"
