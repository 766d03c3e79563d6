"""What a phone downloads: pages compressed with gzip, static files under hashed names
with a long cache lifetime, in Brotli where the browser takes it (production settings)."""

import gzip

from django.core.management import call_command
from django.test import RequestFactory, override_settings
from django.urls import reverse
from whitenoise.middleware import WhiteNoiseMiddleware

from tests.factories import link_path, request_of, schedule_interview


def test_a_page_is_sent_gzipped_to_a_browser_that_takes_it(db, client):
    page = reverse("clients:login")
    plain = client.get(page)
    assert "Content-Encoding" not in plain
    response = client.get(page, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    assert len(response.content) < len(plain.content) / 2
    assert "css/site.min.css" in gzip.decompress(response.content).decode()


def test_the_portal_form_is_sent_gzipped(db, client):
    request = request_of(schedule_interview())
    response = client.get(link_path(request), HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"


def test_production_serves_the_stylesheet_hashed_in_brotli_and_cached_for_a_year(tmp_path):
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    with override_settings(
        STORAGES=storages,
        STATIC_ROOT=tmp_path,
        WHITENOISE_USE_FINDERS=False,
        WHITENOISE_AUTOREFRESH=False,
        WHITENOISE_MAX_AGE=24 * 3600,
        DEBUG=False,
    ):
        call_command("collectstatic", interactive=False, verbosity=0)
        from django.templatetags.static import static

        url = static("css/site.min.css")
        assert url != "/static/css/site.min.css"  # a content hash in the name
        assert (tmp_path / url.removeprefix("/static/")).with_suffix(".css.br").exists()

        serve = WhiteNoiseMiddleware(lambda request: None)
        response = serve(RequestFactory().get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br"))
        assert response.status_code == 200
        assert response["Content-Encoding"] == "br"
        assert "max-age=315360000" in response["Cache-Control"]
        assert "immutable" in response["Cache-Control"]
        favicon = serve(RequestFactory().get(static("favicon.svg")))
        assert favicon.status_code == 200
        assert "max-age=315360000" in favicon["Cache-Control"]
