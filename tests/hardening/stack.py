"""A production-like stack for fault tests: its own PostgreSQL and gunicorn on 127.0.0.1.

The database is a separate embedded server, so a test can stop and restart it without touching
the one the rest of the suite uses.
"""

import http.client
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie
from pathlib import Path
from urllib.parse import quote, urlencode

BASE_DIR = Path(__file__).resolve().parents[2]
BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0 Safari/537.36"


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

    def sql(self, query, params=None):
        """Rows of one statement, run in its own autocommitted connection."""
        import psycopg

        with psycopg.connect(self.url, autocommit=True, connect_timeout=5) as conn:
            cursor = conn.execute(query, params)
            return cursor.fetchall() if cursor.description else []

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


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    text: str

    @property
    def location(self):
        return self.headers.get("Location", "")


class Visitor:
    """One browser talking to a Web over HTTP: its own cookies, redirects not followed.

    Cookies are kept by hand because http.cookiejar never sends a Secure cookie (the voter
    cookie is one) over plain http, and the stack listens on http://127.0.0.1.
    """

    def __init__(self, web, *, user_agent=BROWSER_UA, cookies=None, headers=None):
        self.web = web
        self.user_agent = user_agent
        self.cookies = dict(cookies or {})
        self.headers = dict(headers or {})

    def request(self, method, path, *, form=None, body=None, headers=None, timeout=30):
        headers = {**self.headers, **(headers or {})}
        if self.user_agent:
            headers.setdefault("User-Agent", self.user_agent)
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        connection = http.client.HTTPConnection("127.0.0.1", self.web.port, timeout=timeout)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            try:
                jar.load(header)
            except CookieError:
                continue
            for name, morsel in jar.items():
                if morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.coded_value
        return Answer(response.status, response.headers, text)

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, form, **kwargs):
        """A form post carrying the CSRF token of the visitor's csrftoken cookie."""
        form = {"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **form}
        return self.request("POST", path, form=form, **kwargs)
