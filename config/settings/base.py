"""Needle Drop settings. Every value comes from the environment; .env.example documents each one."""

from pathlib import Path
from urllib.parse import unquote

import environ
from django.utils.csp import CSP

from config.database import check_pooled_connection, embedded_database

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env(
    DEBUG=(bool, False),
    ALLOWED_HOSTS=(list, []),
    CURRENCY=(str, "USD"),
    POLL_RATE_PER_ADDRESS=(int, 30),
)
env.read_env(
    env.str("ENV_FILE", default=str(BASE_DIR / ".env"))
)  # optional; only .env.example is committed

DEBUG = env("DEBUG")
SECRET_KEY = env("SECRET_KEY")
ALLOWED_HOSTS = env("ALLOWED_HOSTS")
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = [o for o in env.list("CSRF_TRUSTED_ORIGINS", default=[]) if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "catalogue",
    "reviews",
    "ratings",
    "shop",
]

MIDDLEWARE = [
    # First, so the request id is set for everything logged while handling the request.
    "config.middleware.SecurityHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.context_processors.site",
                "shop.context_processors.cart",
            ],
            "libraries": {"site": "config.template_tags"},
        },
    },
]

# Database: PostgreSQL only. Without DATABASE_URL an embedded server runs under .data/.
if env("DATABASE_URL", default=""):
    DATABASES = {"default": env.db("DATABASE_URL")}
    # A Unix socket directory is written percent-encoded as the host, as libpq's own URLs do:
    # postgres://user@%2Fvar%2Frun%2Fpostgresql/needledrop
    DATABASES["default"]["HOST"] = unquote(DATABASES["default"]["HOST"])
else:
    DATABASES = {"default": embedded_database(BASE_DIR / ".data" / "postgres")}
DATABASES["default"]["ENGINE"] = "django.db.backends.postgresql"
DATABASES["default"].setdefault("OPTIONS", {})
if env.bool("DATABASE_POOL", default=True):
    # psycopg's pool: a connection the server has dropped (a restart) is found and replaced
    # before it is lent, so a restart costs no failed request once the server is back.
    DATABASES["default"]["OPTIONS"]["pool"] = {
        "min_size": 2,
        "max_size": env.int("DATABASE_POOL_MAX", default=10),
        # During a database outage a request waits at most this long, then gets a 503.
        "timeout": 3,
        "check": check_pooled_connection,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DATABASES["default"]["OPTIONS"].setdefault("connect_timeout", 3)
# Parallel workers per query. A web server runs many requests at once, and parallel workers take
# the cores the other requests need: with none, cold list pages served a quarter more requests
# per second and cold release pages a tenth more (docs/performance.md). -1 sends no setting
# (for a pooler that refuses startup options) and leaves the server's own.
PARALLEL_WORKERS = env.int("DATABASE_PARALLEL_WORKERS", default=0)
if PARALLEL_WORKERS >= 0:
    DATABASES["default"]["OPTIONS"]["options"] = (
        f"-c max_parallel_workers_per_gather={PARALLEL_WORKERS}"
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: Redis when REDIS_URL is set (shared by every web process), local memory otherwise.
# Whole pages (config/page_cache.py) have a cache of their own: in local memory a cache keeps 300
# entries and culls the least recently used, and a stream of pages nobody had asked for (a
# crawler, a release day) evicted the small, costly entries kept beside them: list windows and
# counts (4 ms each to read again), sessions, rate-limit counts (docs/performance.md). The
# generations stay in the default cache (a generation evicted with the "shop" scope's pages
# would make every list read its windows again); a release page adds one small key there.
if env("REDIS_URL", default=""):
    _redis = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env("REDIS_URL"),
        # The benchmark gives each run a prefix of its own, so no run finds another's pages.
        "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="needledrop"),
    }
    CACHES = {"default": _redis, "pages": {**_redis}}
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "pages"},
    }

SESSION_ENGINE = "config.sessions"

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
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default="") or BASE_DIR / "media")
# In production a reverse proxy or object storage serves media; Django does it only when told.
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "config.static_storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_MAX_AGE = 31536000 if not DEBUG else 0

# Uploads: images are checked again by our own validators; these bound what reaches them.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
IMAGE_MAX_BYTES = env.int("IMAGE_MAX_BYTES", default=8 * 1024 * 1024)
IMAGE_MAX_PIXELS = env.int("IMAGE_MAX_PIXELS", default=40_000_000)

_email = env.email_url("EMAIL_URL", default="consolemail://")
_email_options = {
    "host": _email.get("EMAIL_HOST"),
    "port": _email.get("EMAIL_PORT"),
    "username": _email.get("EMAIL_HOST_USER"),
    "password": _email.get("EMAIL_HOST_PASSWORD"),
    "use_tls": _email.get("EMAIL_USE_TLS"),
    "use_ssl": _email.get("EMAIL_USE_SSL"),
    "timeout": 10,
}
MAILERS = {
    "default": {
        "BACKEND": _email["EMAIL_BACKEND"],
        "OPTIONS": (
            {key: value for key, value in _email_options.items() if value not in (None, "")}
            if _email["EMAIL_BACKEND"].endswith("smtp.EmailBackend")
            else {}
        ),
    }
}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Needle Drop <shop@needledrop.test>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Shop and payments.
CURRENCY = env("CURRENCY").upper()
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_API_BASE = env("STRIPE_API_BASE", default="")
STRIPE_TIMEOUT = env.float("STRIPE_TIMEOUT", default=8.0)
# Shop: without STRIPE_SECRET_KEY, checkout goes to a local test checkout page that "pays"
# without a network. On by default only in development; production without keys refuses checkout.
SHOP_TEST_CHECKOUT = env.bool("SHOP_TEST_CHECKOUT", default=DEBUG)
# Days back that reconcile_stripe compares Stripe Checkout Sessions with orders.
SHOP_RECONCILE_DAYS = env.int("SHOP_RECONCILE_DAYS", default=3)
# Checkouts holding copies at once (started, not yet paid or expired) from one network: a script
# starting checkouts by the hundred cannot hold a limited pressing away from everyone else.
# Generous, as one address can be a whole office or a mobile carrier's shared address.
SHOP_HOLDS_PER_ADDRESS = env.int("SHOP_HOLDS_PER_ADDRESS", default=10)

# Reader poll.
POLL_RATE_PER_ADDRESS = env("POLL_RATE_PER_ADDRESS")
# Trust X-Forwarded-For only behind a proxy that sets it: the number of proxies in front.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# Reader poll, continued: poll actions (votes, changes, withdrawals) per voter per hour, and the
# middleware that gives a reader their signed voter cookie on the first page showing a poll.
POLL_RATE_PER_VOTER = env.int("POLL_RATE_PER_VOTER", default=60)
MIDDLEWARE += ["ratings.middleware.VoterCookieMiddleware"]
# Innermost, so pages served from the cache still pass through every middleware above
# (sessions, CSRF cookie, voter cookie, security headers). See config/page_cache.py.
MIDDLEWARE += ["config.page_cache.PageCacheMiddleware"]
PAGE_CACHE = env.bool("PAGE_CACHE", default=not DEBUG)

# Security. The defaults are the production ones; development turns them off through DEBUG.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
if env.bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
# Joining the browsers' HSTS preload list is hard to undo, so it is the owner's explicit choice
# (SECURE_HSTS_PRELOAD=True), not a default; until then its reminder is silenced.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "config.views.csrf_failure"

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    # The listening embeds load only after a reader clicks play.
    "frame-src": ["https://www.youtube-nocookie.com", "https://player.vimeo.com"],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF, "https://checkout.stripe.com"],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), interest-cohort=()"
)

LOGIN_URL = "admin:login"
# Mounts /bench/ceiling/, the minimal page the benchmark compares every page against, and the
# bench app's data commands.
BENCHMARK_VIEWS = env.bool("BENCHMARK_VIEWS", default=False)
if BENCHMARK_VIEWS:
    INSTALLED_APPS.append("bench")

LOG_FORMAT = env("LOG_FORMAT", default="text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "config.logging.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "config.logging.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "pgserver": {"level": "WARNING"},
    },
}
