"""gunicorn settings for the production web command (`make serve`, docker-compose)."""

import os

workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
# Sync workers by default. WEB_THREADS above 1 gives each worker that many threads (gunicorn's
# gthread class): a checkout waiting on Stripe then holds a thread instead of a whole process, at
# the cost of the pages' tail latency. Both measured in docs/performance.md.
threads = int(os.environ.get("WEB_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"
# Requests are short; a worker stuck longer than this is restarted.
timeout = 30
graceful_timeout = 20
keepalive = 5
max_requests = 5000
max_requests_jitter = 500
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
