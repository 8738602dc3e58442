FROM python:3.12-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml ./
RUN pip install --no-cache-dir . && useradd --create-home needledrop
COPY . .
RUN DEBUG=False SECRET_KEY=collectstatic-only DATABASE_URL=postgres://x@127.0.0.1/x \
    python manage.py collectstatic --noinput -v0
USER needledrop
EXPOSE 8000
CMD ["sh", "-c", "python manage.py migrate --noinput && gunicorn config.wsgi:application --config config/gunicorn.py --bind 0.0.0.0:8000"]
