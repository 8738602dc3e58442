"""A production-like stack for fault tests: its own PostgreSQL and gunicorn on 127.0.0.1.

The database is a separate embedded server, so a test can stop and restart it without touching
the one the rest of the suite uses.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parents[2]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Database:
    """An embedded PostgreSQL under .data/ that the test may stop and start."""

    def __init__(self):
        import pgserver

        self.folder = BASE_DIR / ".data" / f"stack-{uuid.uuid4().hex[:8]}"
        self.folder.mkdir(parents=True)
        self.server = pgserver.get_server(self.folder, cleanup_mode="stop")
        self.server.psql("CREATE DATABASE needledrop;")
        info = self.server.get_postmaster_info()
        self.url = (
            f"postgres://postgres@{quote(str(info.socket_dir), safe='')}:{info.port}/needledrop"
        )

    def stop(self):
        from pgserver._commands import pg_ctl

        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=self.folder, user=self.server.system_user)

    def start(self):
        self.server.ensure_postgres_running()

    def close(self):
        self.server.cleanup()
        shutil.rmtree(self.folder, ignore_errors=True)


class Web:
    """gunicorn with the production settings, pointed at a Database."""

    def __init__(self, database, *, workers=2, extra_env=None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            "PATH": os.environ["PATH"],
            "HOME": os.environ.get("HOME", "/tmp"),
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
            "ENV_FILE": "/dev/null",
            "DEBUG": "False",
            "SECRET_KEY": "stack-secret-" + "s" * 50,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SITE_URL": self.url,
            "SECURE_SSL_REDIRECT": "False",
            "SESSION_COOKIE_SECURE": "False",
            "CSRF_COOKIE_SECURE": "False",
            "DATABASE_URL": database.url,
            "STRIPE_WEBHOOK_SECRET": "whsec_stack",
            "LOG_LEVEL": "ERROR",
            "MEDIA_ROOT": str(database.folder / "media"),
            "WEB_CONCURRENCY": str(workers),
            **(extra_env or {}),
        }
        self.process = None

    def manage(self, *args):
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=BASE_DIR,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if result.returncode:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
        return result.stdout

    def start(self):
        logs = BASE_DIR / "test-artifacts" / "stack"
        logs.mkdir(parents=True, exist_ok=True)
        self.log = open(logs / f"gunicorn-{self.port}.log", "w")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "config.wsgi:application",
                "--config",
                "config/gunicorn.py",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--access-logfile",
                "/dev/null",
            ],
            cwd=BASE_DIR,
            env=self.env,
            stdout=self.log,
            stderr=self.log,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.get("/healthz")[0] == 200:
                return
            time.sleep(0.3)
        raise RuntimeError("gunicorn did not become healthy")

    def get(self, path, timeout=10):
        """(status, headers) of a GET; (0, {}) when the server cannot be reached."""
        try:
            with urllib.request.urlopen(self.url + path, timeout=timeout) as response:
                return response.status, dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers)
        except OSError:
            return 0, {}

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()
