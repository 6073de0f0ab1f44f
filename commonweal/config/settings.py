"""Commonweal settings: every value comes from the environment (or `.env`), listed in `.env.example`."""

from __future__ import annotations

import datetime
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# A value already in the environment wins over `.env`, so CI and tests can override it.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if DEBUG:
        SECRET_KEY = "insecure-development-only-key"  # noqa: S105 - only ever used with DEBUG on
    else:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set SECRET_KEY in the environment or in .env "
            "(`make run` writes a random one to .env for you), or set DEBUG=true for local development."
        )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.admin",
    "csp",
    # django-ninja's API docs (/api/docs) use its bundled Swagger UI only when it is an installed app;
    # otherwise they load it from a CDN, which the Content-Security-Policy (and a closed network) refuse.
    "ninja",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "commonweal.ui",  # before django_tasks_db: its `db_worker` (with task leases) replaces the package's
    "django_tasks",
    "django_tasks_db",
    "commonweal.places",
    "commonweal.audit",
    "commonweal.accounts",
    "commonweal.organisations",
    "commonweal.directory",
    "commonweal.people",
    "commonweal.referrals",
    "commonweal.measures",
    "commonweal.households",
    "commonweal.participation",  # only its migration history: the tables now belong to the two below
    "commonweal.assemblies",
    "commonweal.budgeting",
    "commonweal.volunteering",
    "commonweal.timebank",
    "commonweal.evidence",
    "commonweal.privacy",
    "commonweal.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # The header middleware sits before everything that can refuse a request (WhiteNoise's static
    # files, CommonMiddleware's bad-host 400), so those answers carry the headers too.
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "commonweal.accounts.middleware.SessionLifetimeMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a locked-out attempt into the lock-out page
]

ROOT_URLCONF = "commonweal.config.urls"
WSGI_APPLICATION = "commonweal.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "commonweal.ui.context_processors.shell",
            ],
        },
    },
]
FORM_RENDERER = "commonweal.ui.forms.NhsukFormRenderer"

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("CONN_MAX_AGE", 60)
    # A connection kept between requests is checked before use, so a restarted server costs no request.
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several server and worker processes write to one SQLite file (docs/decisions/1205): a write
    # transaction takes the write lock when it begins (so no read lock is upgraded into a deadlock),
    # waits up to SQLITE_BUSY_SECONDS for another writer, and readers never wait for writers (WAL).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": env.int("SQLITE_BUSY_SECONDS", default=20),
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
# django-axes counts failed sign-ins first; passwords are checked by Django's model backend; permissions
# come from roles (accounts/backends.py).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "commonweal.accounts.backends.RoleCapabilityBackend",
]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# As the NCSC advises: a minimum length, a deny-list of common passwords and of the service's own words,
# no composition rules, and no maximum worth mentioning (passphrases are welcome).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "commonweal.accounts.passwords.ServiceWordsValidator"},
    {"NAME": "commonweal.accounts.passwords.MaximumLengthValidator"},
]
LOGIN_URL = "accounts:sign-in"
LOGIN_REDIRECT_URL = "ui:dashboard"
LOGOUT_REDIRECT_URL = "ui:home"

# Session timeout: a session ends after this many idle minutes (each request renews it).
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_MINUTES", default=30) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True

# Serving behind TLS (HTTPS): TLS=true turns on every setting below with safe values; each can still
# be set on its own. Off by default, because `make run` serves plain HTTP on loopback.
TLS = env.bool("TLS", default=False)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=TLS)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=365 * 24 * 60 * 60 if TLS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=TLS)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=TLS)
# The header a TLS-terminating proxy sets to "https" (it must overwrite what clients send); empty when
# the server is reached without a proxy. With TLS on it defaults to X-Forwarded-Proto, because the
# server `make run` starts (gunicorn) speaks plain HTTP and so always sits behind one.
TLS_PROXY_HEADER = env.str("TLS_PROXY_HEADER", default="X-Forwarded-Proto" if TLS else "")
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_" + TLS_PROXY_HEADER.upper().replace("-", "_"), "https") if TLS_PROXY_HEADER else None
)
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=TLS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# However busy, a signed-in session ends this many hours after sign-in (accounts/middleware.py).
SESSION_ABSOLUTE_HOURS = env.float("SESSION_ABSOLUTE_HOURS", default=12)

# Sign-in lock-out (django-axes): after this many failures for one account, or from one client address,
# further attempts are refused for the cool-off, whatever the password. Unknown accounts lock the same way.
AXES_FAILURE_LIMIT = env.int("SIGN_IN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("SIGN_IN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each on its own: per account and per client
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"  # the sign-in form's field (else axes reads "email", the model's)
AXES_LOCKOUT_CALLABLE = "commonweal.accounts.views.locked_out"
AXES_VERBOSE = False
# Two-step sign-in (django-otp and py_webauthn): minutes the password step stays good for the second.
SIGN_IN_SECOND_STEP_MINUTES = env.int("SIGN_IN_SECOND_STEP_MINUTES", default=5)
OTP_TOTP_ISSUER = env.str("SERVICE_NAME", default="Commonweal")
OTP_TOTP_THROTTLE_FACTOR = 1  # each wrong code doubles the wait before the next is checked (1 s, 2 s, 4 s…)
OTP_STATIC_THROTTLE_FACTOR = 1
# Passkeys: the relying party's id is the host name people reach the service at (empty: the request's).
WEBAUTHN_RP_ID = env.str("WEBAUTHN_RP_ID", default="")
# API tokens expire this many days after they are made.
API_TOKEN_DAYS = env.int("API_TOKEN_DAYS", default=90)
# Password-reset e-mails sent to one account in an hour, at most (further requests get the same page).
PASSWORD_RESET_EMAILS_PER_HOUR = env.int("PASSWORD_RESET_EMAILS_PER_HOUR", default=3)

# Headers on every response (SecurityMiddleware and XFrameOptionsMiddleware; Django's defaults,
# written out so they are seen and tested): no MIME sniffing, the full address sent only to this
# site, no framing, and a browsing context of its own.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content-Security-Policy (django-csp): everything from this origin only, no inline script or style,
# no eval, no plugins, no framing. Data for scripts travels in json_script blocks and data- attributes.
# Images may be data: URIs (Leaflet and the NHS.UK styles use a few); the map draws no tiles.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# Permissions-Policy (django-permissions-policy): no page uses these powerful features, so no page
# (nor anything it might embed) may ask for them. Passkeys (WebAuthn) stay allowed for this origin.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    **{
        feature: []
        for feature in [
            "accelerometer",
            "autoplay",
            "browsing-topics",
            "camera",
            "display-capture",
            "encrypted-media",
            "fullscreen",
            "geolocation",
            "gyroscope",
            "hid",
            "idle-detection",
            "interest-cohort",
            "local-fonts",
            "magnetometer",
            "microphone",
            "midi",
            "payment",
            "picture-in-picture",
            "screen-wake-lock",
            "serial",
            "usb",
            "window-management",
            "xr-spatial-tracking",
        ]
    },
    "publickey-credentials-create": ["self"],
    "publickey-credentials-get": ["self"],
}

LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", "English")]
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# The default keeps each e-mail whole in EMAIL_FILE_PATH and prints one line (commonweal/ui/mail.py).
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="commonweal.ui.mail.ShortConsoleBackend")
EMAIL_FILE_PATH = env.path("EMAIL_FILE_PATH", default=BASE_DIR / "sent-mail")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Commonweal <no-reply@commonweal.invalid>")

# Background work (imports, reminders, escalations) goes through Django's task interface; the database
# backend needs no broker, and `make run` starts its worker beside the web server.
TASKS = {"default": {"BACKEND": env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend")}}

# Sweeps that `commonweal periodic` runs every few minutes (`make run` starts it beside the web server).
COMMONWEAL_PERIODIC_COMMANDS = ["requeue_tasks", "measures_reminders", "directory_reminders"]
# Seconds a running background task's lease lasts without a heartbeat from its worker (renewed every
# quarter of it); a task whose worker died goes back on the queue this long after (docs/decisions/1205).
TASK_LEASE_SECONDS = env.int("TASK_LEASE_SECONDS", default=60)

# The deployment serves one integrated care system; this names the place shown in the header.
COMMONWEAL_SERVICE_NAME = env.str("SERVICE_NAME", default="Commonweal")
COMMONWEAL_SHARED_DIR = env.path("COMMONWEAL_SHARED_DIR", default=BASE_DIR.parent / "shared")

# Break-glass openings of records with no relationship that one user may make in an hour.
BREAK_GLASS_PER_HOUR = env.int("BREAK_GLASS_PER_HOUR", default=3)

# Days a directory entry may go unchecked before it shows as out of date and its owner is reminded.
DIRECTORY_STALE_AFTER_DAYS = env.int("DIRECTORY_STALE_AFTER_DAYS", default=365)
# "Low cost" in a directory search means at most this many pounds a session.
DIRECTORY_LOW_COST_POUNDS = env.int("DIRECTORY_LOW_COST_POUNDS", default=5)
# A search from a place with no distance chosen looks this far around it.
DIRECTORY_SEARCH_RADIUS_KM = env.float("DIRECTORY_SEARCH_RADIUS_KM", default=5.0)
# Imports (issue 12, findings 7 and 8): the largest upload, the most a CSV zip may unpack to, rows per
# CSV table, runs at once (one per steward as well), minutes after which a run left behind stops counting,
# and for feeds a time limit, a size cap per answer and the internal hosts (names or networks) allowed.
DIRECTORY_IMPORT_MAX_UPLOAD_BYTES = env.int("DIRECTORY_IMPORT_MAX_UPLOAD_MB", default=10) * 1024 * 1024
DIRECTORY_IMPORT_MAX_UNZIPPED_BYTES = env.int("DIRECTORY_IMPORT_MAX_UNZIPPED_MB", default=50) * 1024 * 1024
DIRECTORY_IMPORT_MAX_ROWS = env.int("DIRECTORY_IMPORT_MAX_ROWS", default=50_000)
DIRECTORY_IMPORT_MAX_RUNNING = env.int("DIRECTORY_IMPORT_MAX_RUNNING", default=2)
DIRECTORY_IMPORT_STALE_MINUTES = env.int("DIRECTORY_IMPORT_STALE_MINUTES", default=60)
DIRECTORY_IMPORT_FEED_TIMEOUT_SECONDS = env.int("DIRECTORY_IMPORT_FEED_TIMEOUT_SECONDS", default=15)
DIRECTORY_IMPORT_FEED_MAX_BYTES = env.int("DIRECTORY_IMPORT_FEED_MAX_MB", default=10) * 1024 * 1024
DIRECTORY_IMPORT_ALLOWED_HOSTS = env.list("DIRECTORY_IMPORT_ALLOWED_HOSTS", default=[])
# Request bodies: form fields beyond this are refused, and an upload beyond the second goes to a temporary
# file rather than memory (the import form refuses files over DIRECTORY_IMPORT_MAX_UPLOAD_MB itself).
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_BYTES", default=2_621_440)
FILE_UPLOAD_MAX_MEMORY_SIZE = env.int("FILE_UPLOAD_MAX_MEMORY_BYTES", default=2_621_440)

# One line per request comes from the web server's access log; Django's own request log would repeat
# every 4xx (with a traceback for each 403), so it reports server errors only.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
    "loggers": {"django.request": {"level": env.str("REQUEST_LOG_LEVEL", default="ERROR")}},
}
