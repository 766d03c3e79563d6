"""`make css`: the one stylesheet the portal and the client pages load,
static/css/site.min.css. Bootstrap purged (PurgeCSS) of every selector that no template,
form or crispy-forms layout can produce, followed by our own stylesheets as they are.

tests/test_css.py builds it again and fails when the checked-in file is stale.
"""

import json
import subprocess
import sys
from pathlib import Path

import crispy_bootstrap5
import crispy_forms
import django.forms

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "static" / "css" / "site.min.css"
PURGECSS = ROOT / "node_modules" / "purgecss" / "bin" / "purgecss.js"
BOOTSTRAP = ROOT / "static" / "vendor" / "bootstrap" / "bootstrap.min.css"
# Ours, small and all in use: appended whole, after Bootstrap (they override it).
OWN = [ROOT / "static" / "css" / "portal.css", ROOT / "static" / "css" / "clients.css"]
# Templates that never load it: the admin's (Django admin's own stylesheets), the mails'
# (inline-free HTML for mail readers) and the API's documentation page.
NOT_ON_OUR_PAGES = ("admin", "feedback/email", "api")
# Classes put together at render time, which no file spells whole: the message alerts
# (clients/base.html builds alert-<tag>; "error" becomes "danger").
SAFELIST = ["alert-info", "alert-success", "alert-warning", "alert-danger"]
# The crispy-forms pieces our forms use ({% crispy %} with InlineRadios, Field and Submit,
# and |crispy): a layout object that is not here must be added to be styled.
CRISPY_FORMS_MODULES = ["layout.py"]
CRISPY_BOOTSTRAP5_TEMPLATES = [
    "whole_uni_form.html",
    "display_form.html",
    "uni_form.html",
    "errors.html",
    "field.html",
    "inputs.html",
    "layout/attrs.html",
    "layout/baseinput.html",
    "layout/field_errors.html",
    "layout/field_errors_block.html",
    "layout/help_text.html",
    "layout/help_text_and_errors.html",
    "layout/radio_checkbox_select.html",
    "layout/radioselect_inline.html",
]


def content_files() -> list[str]:
    """Every file that can put a class (or an input type) on the portal or the client pages:
    their templates, our forms (widgets and layouts name classes), Django's widgets, and
    the crispy-forms code and Bootstrap 5 templates that render those forms."""
    templates = ROOT / "templates"
    files = [
        path
        for path in sorted(templates.rglob("*.html"))
        if not path.relative_to(templates).as_posix().startswith(NOT_ON_OUR_PAGES)
    ]
    files += sorted(ROOT.glob("*/forms.py"))
    # Django's form widgets: they name the inputs' types (radio, checkbox, date, ...), which
    # Bootstrap's attribute selectors style.
    files.append(Path(django.forms.__path__[0]) / "widgets.py")
    files += [Path(crispy_forms.__path__[0]) / name for name in CRISPY_FORMS_MODULES]
    bootstrap5 = Path(crispy_bootstrap5.__path__[0]) / "templates" / "bootstrap5"
    files += [bootstrap5 / name for name in CRISPY_BOOTSTRAP5_TEMPLATES]
    missing = [str(path) for path in files if not path.exists()]
    if missing:
        raise FileNotFoundError(f"not found: {missing}")
    return [str(path) for path in files]


def build() -> str:
    """The stylesheet's text."""
    if not PURGECSS.exists():
        raise FileNotFoundError(f"{PURGECSS} is missing: run `npm ci` (make does)")
    result = subprocess.run(
        [
            "node",
            str(PURGECSS),
            "--css",
            str(BOOTSTRAP),
            "--content",
            *content_files(),
            "--safelist",
            *SAFELIST,
        ],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    [purged] = json.loads(result.stdout)
    parts = [purged["css"].strip(), *(path.read_text().strip() for path in OWN)]
    return "\n".join(parts) + "\n"


def main() -> None:
    text = build()
    OUTPUT.write_text(text)
    print(
        f"wrote {OUTPUT.relative_to(ROOT)} ({len(text.encode()) / 1024:.1f} KiB)", file=sys.stderr
    )


if __name__ == "__main__":
    main()
