"""The stylesheet the portal and the client pages load is the build's output: `make css`
(tools/css.py) run now gives the checked-in file, byte for byte."""

import shutil

from tests.support import skip_or_fail
from tools import css


def test_the_checked_in_stylesheet_is_what_make_css_builds_now():
    if shutil.which("node") is None or not css.PURGECSS.exists():
        skip_or_fail("node or the npm packages are missing: run `make node_modules/.installed`")
    assert css.OUTPUT.read_text() == css.build(), (
        "static/css/site.min.css is stale: run `make css` and commit the result"
    )


def test_the_pages_load_the_built_stylesheet_and_not_the_whole_of_bootstrap():
    templates = css.ROOT / "templates"
    for base in ("base.html", "clients/base.html"):
        text = (templates / base).read_text()
        assert "css/site.min.css" in text, base
        assert "bootstrap.min.css" not in text, base
