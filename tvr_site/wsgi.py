"""
WSGI config for tvr_site project.

It exposes the WSGI callable as a module-level variable named ``application``.

For more information on this file, see
https://docs.djangoproject.com/en/5.2/howto/deployment/wsgi/
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tvr_site.settings.production")

application = get_wsgi_application()

from tvr_site.gc_tuning import freeze_after_first_request  # noqa: E402 (after setup)

freeze_after_first_request()
