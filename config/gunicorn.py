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
# A worker is replaced after this many requests, a guard against slow leaks (memory stays at about
# 80 MB per worker under load). A new worker starts with an empty local-memory page cache and
# cold templates, so its first requests are slow: at 5,000 a release-day burst replaced every
# worker every dozen seconds and put p95s of cached pages over a second. At 200,000 a worker
# lives about eight minutes at full load, and the jitter keeps workers from restarting together.
max_requests = 200_000
max_requests_jitter = 20_000
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
