"""Qinglian settings: one module; whatever differs between machines comes from the environment.

The defaults are for development only: an embedded SpatiaLite file under var/, DEBUG on,
a fixed key.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

from gis.basemaps import current_basemap, tile_origins

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise RuntimeError("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-qinglian"  # noqa: S105 - development default
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# Basemap for public maps: "none" (boundaries only, works offline), "osm", "tianditu:<key>",
# or "amap" (GCJ-02 tiles; our WGS84 data are shifted to match at display time).
BASEMAP = os.environ.get("BASEMAP", "none")
DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "qinglian-demo")
FIELD_GEOFENCE_M = float(os.environ.get("FIELD_GEOFENCE_M", "200"))  # photos farther are flagged
# Where a phone's position can plausibly be (min lon, min lat, max lon, max lat; China's extent):
# a photo or form position outside it, such as (0, 0), is no position at all.
FIELD_PLAUSIBLE_EXTENT = (73.0, 3.0, 136.0, 54.0)
FOLLOW_UP_DAYS = 14  # a failed check is due for rectification after this many days
# Lease rules: the longest term by asset kind, and how far below its valuation a rent may fall
# before it is flagged as a possible favour rent (人情租).
# The model of the admin units the public log files each event under (trail.models.Event.unit).
TRAIL_UNIT_MODEL = "registry.AdminUnit"
LEASE_MAX_YEARS = {"building": 5, "facility": 5, "parcel": 15}
FAVOUR_RENT_PERCENT = 20
# Small projects: an audited settlement this many percent above the contract is flagged.
SETTLEMENT_OVERRUN_PERCENT = 10
# Warning rules (alerts/rules/): parameters over the rules' defaults, by rule code, e.g.
# {"W01": {"yellow_days": 30, "red_days": 60}}. The admin's rule settings override these.
ALERT_RULES: dict[str, dict] = {}
# Procedure documents (PDF, images): the largest file accepted.
DOCUMENT_MAX_BYTES = 20 * 1024 * 1024
# Auctions of lease rights: the announcement must be public this many days before the auction.
AUCTION_NOTICE_DAYS = 5
# Visitor routes: the speeds their walking and driving times are computed with (km/h); village
# roads are narrow, winding and shared with tractors.
VISIT_WALKING_KMH = 4.5
VISIT_DRIVING_KMH = 30.0
# Asset imports: the largest file and the most rows accepted, and up to how many rows run at once
# (more go to a background job); where uploads wait (None: <MEDIA_ROOT>/../imports).
IMPORT_MAX_BYTES = 50 * 1024 * 1024
IMPORT_MAX_ROWS = 100_000
IMPORT_INLINE_ROWS = 500
IMPORT_ROOT = os.environ.get("IMPORT_ROOT") or None
# Plaques: a TrueType CJK font to embed ("" tries fonts-wqy-zenhei, then Noto CJK), and up to how
# many plaques the admin returns at once (more go to a background job).
PLAQUE_FONT = os.environ.get("PLAQUE_FONT", "")
PLAQUE_INLINE_LIMIT = 300

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # runserver (make run) leaves static files to WhiteNoise too, so they are served as in
    # production: compressed, with the same headers.
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework_gis",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "template_partials",
    "config.apps.LoginLimitsConfig",  # django-axes
    "django_q",
    "csp",
    "gis",
    "trail",
    "registry",
    "projects",
    "leasing",
    "visits",
    "portal",
    "transfer",
    "maps",
    "qr",
    "fieldapp",
    "supervision",
    "finance",
    "alerts",
    "demo",
    "opendata",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    # Static files: in production WhiteNoise serves the gzip copies collectstatic made; in
    # development (make run) it serves the source files and GZip compresses them on the way.
    *(
        ["django.middleware.gzip.GZipMiddleware", "whitenoise.middleware.WhiteNoiseMiddleware"]
        if DEBUG
        else ["whitenoise.middleware.WhiteNoiseMiddleware", "django.middleware.gzip.GZipMiddleware"]
    ),
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "config.notfound.SiteNotFoundMiddleware",
    # Last, as django-axes asks: it turns a lockout into the cool-off answer.
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
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "registry.context_processors.log_head",
                "csp.context_processors.nonce",
            ],
        },
    },
]

DEFAULT_DATABASE_URL = f"spatialite:///{BASE_DIR / 'var' / 'qinglian.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL))}
# A worker keeps its database connection between requests (opening one costs PostgreSQL a new
# process: more than a cached page takes to serve). runserver starts a thread per request,
# which would leave a connection per thread, so development keeps none.
DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("CONN_MAX_AGE", 0 if DEBUG else 60))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"].endswith("spatialite"):
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    SPATIALITE_LIBRARY_PATH = os.environ.get("SPATIALITE_LIBRARY_PATH", "mod_spatialite")
    # Several phones syncing at once: readers never wait for the writer (WAL), a writer waits
    # its turn for up to 20 s instead of failing with "database is locked", and a transaction
    # takes the write lock when it begins (IMMEDIATE), so it never fails to upgrade a read lock
    # half-way (which no wait can fix).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        }
    )
if DATABASES["default"]["ENGINE"].endswith("postgis"):
    # Short queries dominate (pages, tiles, the warning rules' joins): JIT compiling one costs
    # more than running it, and on SSDs an index lookup is nearly as cheap as a sequential read,
    # so a rule's join to the asset table looks assets up rather than reading the whole table.
    # PG_OPTIONS replaces these (e.g. for a server tuned in postgresql.conf: PG_OPTIONS="").
    pg_options = os.environ.get("PG_OPTIONS", "-c jit=off -c random_page_cost=1.1")
    if pg_options:
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = pg_options
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # First: refuses every login of an account or address in its cool-off, before any password.
    "config.login_limits.LoginLimitBackend",
    "django.contrib.auth.backends.ModelBackend",
    "fieldapp.backends.PhoneBackend",  # staff in the field log in with their mobile number
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "portal:home"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
# Files that are never served as they are (procedure documents): read through checked views.
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", BASE_DIR / "var" / "private"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "COERCE_DECIMAL_TO_STRING": False,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "config.exceptions.api_exception_handler",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Qinglian API",
    "DESCRIPTION": (
        "Public GeoJSON layers of Rui'an's village collective assets, small projects, sites and "
        "routes; staff writes with a session or a token (POST /api/token/)."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # No badge from validator.swagger.io: the page loads nothing from another host.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "StageEnum": "projects.models.projects.Stage",
        "TenantKindEnum": "leasing.models.leases.Lease.TenantKind",
        "DisclosureKindEnum": "projects.models.procedure.Disclosure.Kind",
        "DocumentKindEnum": "projects.models.procedure.ProjectDocument.Kind",
        "CaseStateEnum": "supervision.models.State",
        "CaseMessageKindEnum": "supervision.models.CaseMessage.Kind",
    },
}

# Long work (plaque sheets, imports) runs on django-q2's cluster, `manage.py qcluster`, which
# `make run` starts beside the web server. Messages wait in the database (its ORM broker) or in
# Redis when REDIS_URL is set. A job may run JOB_TIMEOUT_SECONDS; a worker that dies mid-job
# leaves its message, which the queue hands out again JOB_RETRY_SECONDS after it was taken, and
# a job whose worker died JOB_MAX_ATTEMPTS times is marked failed with the reason.
JOB_TIMEOUT_SECONDS = int(os.environ.get("JOB_TIMEOUT_SECONDS", "1800"))
JOB_RETRY_SECONDS = int(os.environ.get("JOB_RETRY_SECONDS", str(JOB_TIMEOUT_SECONDS + 60)))
JOB_MAX_ATTEMPTS = int(os.environ.get("JOB_MAX_ATTEMPTS", "2"))
Q_CLUSTER = {
    "name": "qinglian",
    "workers": int(os.environ.get("JOB_WORKERS", "2")),
    "timeout": JOB_TIMEOUT_SECONDS,
    "retry": JOB_RETRY_SECONDS,
    "max_attempts": JOB_MAX_ATTEMPTS,
    "ack_failures": True,  # a job that raised is failed on its own row; no endless retries
    "catch_up": False,
    "poll": 1,
    "save_limit": 200,
    "label": _("Task queue"),
}
if os.environ.get("REDIS_URL"):
    Q_CLUSTER["redis"] = os.environ["REDIS_URL"]
else:
    Q_CLUSTER["orm"] = "default"

# Villagers' reports (supervision): links in e-mails start with SITE_URL; mail goes to the
# console in development. A burst of reports from one address is held off for a while: at most
# REPORT_LIMIT_PER_HOUR per hour, counted in the cache under a keyed hash of the address, never in
# the database or a log.
CSRF_FAILURE_VIEW = "config.views.csrf_failure"
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "qinglian@localhost")
REPORT_LIMIT_PER_HOUR = int(os.environ.get("REPORT_LIMIT_PER_HOUR", "5"))

# Login attempts (django-axes): an account is refused for LOGIN_COOLOFF_MINUTES after
# LOGIN_FAILURE_LIMIT wrong passwords in a row, an address after LOGIN_FAILURE_LIMIT_PER_ADDRESS
# (a village office shares one address); the same on /accounts/login/, /field/login/,
# /admin/login/ and /api/token/. Never a permanent lock: a village has one bookkeeper.
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
LOGIN_FAILURE_LIMIT_PER_ADDRESS = int(os.environ.get("LOGIN_FAILURE_LIMIT_PER_ADDRESS", "30"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_HANDLER = "config.login_limits.LoginLimitHandler"
AXES_USERNAME_CALLABLE = "config.login_limits.account_of"
AXES_LOCKOUT_CALLABLE = "config.login_limits.lockout_response"
AXES_RESET_ON_SUCCESS = True
# Tries during a cool-off neither count nor extend it: it always ends on time.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_HTTP_RESPONSE_CODE = 429
AXES_CLIENT_IP_CALLABLE = "config.login_limits.client_address"
# How many proxies of ours stand in front (nginx: 1): the client's address is then the one the
# outermost of them appended to X-Forwarded-For. 0 trusts no such header.
PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))

# Content-Security-Policy (django-csp): scripts only from our own origin, plus the inline
# scripts we write ourselves, each carrying the request's nonce. Styles may be inline (Leaflet
# and folium position their panes with style attributes); images from the basemap's tile hosts.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:", "blob:", *tile_origins(current_basemap(BASEMAP))],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "worker-src": [SELF, "blob:"],
        "manifest-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Behind TLS (DEBUG off): HSTS, the redirect to https and secure cookies, each a setting so a
# deployment that terminates TLS elsewhere can say so. The proxy must set X-Forwarded-Proto.
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    # Pillow logs every EXIF tag it reads at DEBUG: a camera's make, model and serial number,
    # which identify an anonymous reporter's phone. Never below INFO, whatever LOG_LEVEL says.
    "loggers": {"PIL": {"level": "INFO"}},
}

# Debian 12 ships GDAL 3.6; we never open spatial references from untrusted URLs.
SILENCED_SYSTEM_CHECKS = ["gis.W001"]
