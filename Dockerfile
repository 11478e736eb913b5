# Civic: one image for the web server (gunicorn), the Celery worker and beat.
FROM node:20-bookworm-slim AS assets
WORKDIR /src
COPY package.json package-lock.json* ./
COPY scripts/build-assets.sh scripts/
RUN scripts/build-assets.sh

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN apt-get update && apt-get install -y --no-install-recommends gettext fonts-wqy-zenhei \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
COPY --from=assets /src/static/vendor static/vendor
RUN DEBUG=true python manage.py compilemessages --ignore=node_modules -v0 \
    && DEBUG=true STATIC_MANIFEST=true python manage.py collectstatic --noinput -v0 \
    && useradd --system --home /app civic && mkdir -p /app/media && chown civic /app/media
USER civic
EXPOSE 8000
CMD ["gunicorn", "civic.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
