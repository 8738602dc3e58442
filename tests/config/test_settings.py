import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DEBUG": "False",
    "SECRET_KEY": "x" * 20 + "production-secret-key-with-enough-entropy-0123456789",
    "ALLOWED_HOSTS": "needledrop.example",
    "SITE_URL": "https://needledrop.example",
    "STRIPE_SECRET_KEY": "sk_test_placeholder",
    "STRIPE_WEBHOOK_SECRET": "whsec_placeholder",
    "EMAIL_URL": "smtp+tls://mailer:secret@smtp.needledrop.example:587",
    "ENV_FILE": "/dev/null",
}


def run_settings(env, code):
    """Import the settings in a fresh interpreter with exactly this environment."""
    full_env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DATABASE_URL": os.environ.get("DATABASE_URL") or "postgres://nobody@127.0.0.1:1/none",
        **env,
    }
    return subprocess.run(
        [
            sys.executable,
            "-c",
            f"import django; django.setup(); from django.conf import settings; {code}",
        ],
        cwd=BASE_DIR,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_settings_read_the_environment():
    result = run_settings(
        {
            **PRODUCTION_ENV,
            "CURRENCY": "eur",
            "REDIS_URL": "redis://127.0.0.1:6379/3",
            "POLL_RATE_PER_ADDRESS": "7",
        },
        "print(settings.CURRENCY, settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1], "
        "settings.POLL_RATE_PER_ADDRESS, settings.DEBUG, settings.ALLOWED_HOSTS)",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["EUR", "RedisCache", "7", "False", "['needledrop.example']"]


def test_without_redis_the_cache_is_local_memory():
    result = run_settings(PRODUCTION_ENV, "print(settings.CACHES['default']['BACKEND'])")
    assert result.stdout.strip() == "django.core.cache.backends.locmem.LocMemCache"


def test_missing_secret_key_is_an_error():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = run_settings(env, "print(settings.SECRET_KEY)")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_check_deploy_is_clean_with_production_variables():
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "DATABASE_URL": os.environ.get("DATABASE_URL") or "postgres://nobody@127.0.0.1:1/none",
        **PRODUCTION_ENV,
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("debug", ["True", "False"])
def test_email_url_selects_the_backend(debug):
    result = run_settings(
        {**PRODUCTION_ENV, "DEBUG": debug, "EMAIL_URL": "smtp://user:pw@127.0.0.1:2525"},
        "m = settings.MAILERS['default']; print(m['BACKEND'], m['OPTIONS']['host'], m['OPTIONS']['port'])",
    )
    assert result.stdout.split() == [
        "django.core.mail.backends.smtp.EmailBackend",
        "127.0.0.1",
        "2525",
    ]


@pytest.mark.django_db
def test_the_sites_connections_run_queries_without_parallel_workers():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW max_parallel_workers_per_gather")
        assert cursor.fetchone() == ("0",)


def test_the_parallel_workers_setting_can_be_left_to_the_server():
    code = "print(settings.DATABASES['default']['OPTIONS'].get('options'))"

    def options(workers):
        result = run_settings({**PRODUCTION_ENV, "DATABASE_PARALLEL_WORKERS": workers}, code)
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    assert options("-1") == "None"
    assert options("2") == "-c max_parallel_workers_per_gather=2"
