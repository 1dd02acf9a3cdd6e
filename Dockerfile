# regiozorg production image: one image for the web (gunicorn), the Celery worker and beat, and
# the one-shot web-init (migrate + collectstatic). See docker-compose.yml and
# docs/deployment-env.md for the environment variables it reads.
FROM python:3.12-slim-bookworm

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint (PDFs) needs Pango, HarfBuzz's subsetter and at least one font at run time.
# psycopg2-binary brings its own libpq.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz-subset0 \
        fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 regiozorg \
    && useradd --system --uid 10001 --gid regiozorg --create-home --home-dir /home/regiozorg \
        --shell /usr/sbin/nologin regiozorg

WORKDIR /app

COPY requirements-prod.lock /app/requirements-prod.lock
RUN pip install --no-cache-dir -r requirements-prod.lock

# The code stays owned by root (read-only for the app user); only the directories the app writes
# to belong to regiozorg. Named volumes mounted there inherit that ownership on first use.
COPY . /app
RUN python -m compileall -q /app \
    && mkdir -p /app/staticfiles /app/var/media \
    && chown -R regiozorg:regiozorg /app/staticfiles /app/var

ENV DJANGO_SETTINGS_MODULE=config.settings.production

USER regiozorg

EXPOSE 8000

CMD ["gunicorn", "-c", "config/gunicorn.conf.py", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
