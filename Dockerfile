# One image for web, worker, poller and beat (compose.yaml). Python 3.11 on Debian, with the
# libraries WeasyPrint needs for the archive's PDF deliveries.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=ludvika_social.settings.production

RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b \
      fonts-dejavu-core gettext postgresql-client \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --create-home --uid 1000 app

WORKDIR /app
# Exactly the versions in the lock file, each file checked against its hash (make lock writes it).
COPY requirements.lock ./
RUN pip install --no-cache-dir --require-hashes -r requirements.lock
COPY --chown=app:app . .
# Static files are collected at build time (whitenoise serves them); messages compiled.
# Throwaway keys of the build's own: production settings refuse every key published in the repository.
RUN SECRET_KEY=build-only-$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')-0123456789abcdef \
    ALLOWED_HOSTS=build \
    CREDENTIALS_KEY=$(python -c 'import base64,os;print(base64.urlsafe_b64encode(os.urandom(32)).decode())') \
    python manage.py collectstatic --noinput -v 0 \
 && python manage.py compilemessages -l en -v 0 \
 && mkdir -p /app/var && chown -R app:app /app/var

USER app
EXPOSE 8000
CMD ["gunicorn", "-c", "gunicorn.conf.py", "ludvika_social.wsgi"]
