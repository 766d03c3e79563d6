"""WSGI entry for load.py's gunicorn: the site with bench.settings."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()

from tvr_site.gc_tuning import freeze_after_first_request  # noqa: E402 (as tvr_site.wsgi)

freeze_after_first_request()
