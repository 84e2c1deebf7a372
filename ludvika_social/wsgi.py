"""The WSGI application for gunicorn. Production settings unless DJANGO_SETTINGS_MODULE names others:
a web process started without it must refuse unsafe keys rather than run with development defaults."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ludvika_social.settings.production")
application = get_wsgi_application()
