"""The schema and its page: served by the application itself, no CDN."""

import re

import pytest

pytestmark = pytest.mark.django_db


def test_the_schema_is_openapi_3_and_lists_every_operation(reader):
    response = reader.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/interviews/{id}/reschedule/" in schema["paths"]
    assert schema["components"]["securitySchemes"]["ApiKey"]["scheme"] == "bearer"


def test_the_docs_page_loads_its_files_from_this_site(recruiter):
    page = recruiter.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources
    assert all(source.startswith("/") for source in sources), sources
    script = next(s for s in sources if s.endswith("swagger-ui-bundle.js"))
    assert recruiter.get(script).status_code == 200
    # Its start-up script too is a file of its own (the site's CSP allows no inline script).
    start_up = next(s for s in sources if "script=" in s)
    response = recruiter.get(start_up.replace("&amp;", "&"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert "<script>" not in html
    assert "<style>" not in html


def test_the_docs_page_is_not_for_anybody(anonymous, client_a):
    assert anonymous.get("/api/docs/").status_code in (401, 403)
    assert client_a.get("/api/docs/").status_code in (401, 403)
