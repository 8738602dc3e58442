"""gunicorn settings for the production web command (`make serve`, docker-compose)."""

import os

workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
worker_class = "sync"
# Requests are short; a worker stuck longer than this is restarted.
timeout = 30
graceful_timeout = 20
keepalive = 5
max_requests = 5000
max_requests_jitter = 500
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
