"""WSGI entry point (granian --interface wsgi config.wsgi:application)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()
if os.environ.get("SSC_PUBLIC_FASTPATH", "1") != "0":
    # Repeated anonymous questions to the public outlet API skip Django (see ssc/directory/fastpath.py).
    from ssc.directory.fastpath import PublicFastPath

    application = PublicFastPath(application)  # type: ignore[assignment]  # a WSGI callable all the same
