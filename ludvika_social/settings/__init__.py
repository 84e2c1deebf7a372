"""Development settings are the default for manage.py; production and test settings import from base.
The web (wsgi.py) and the Celery app default to production: development must opt in
(DJANGO_SETTINGS_MODULE=ludvika_social.settings, as demo.env does)."""

from .base import *  # noqa: F403
