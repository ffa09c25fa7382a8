"""Public pages: home, deputy directory, deputy and district pages, language switch."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from werkzeug.wrappers import Response

from recall.i18n import LANG_COOKIE
from recall.replica import lag_tolerant
from recall.security import public
from recall.services.deputies import directory, localities
from recall.services.site import texts
from recall.web.page_cache import anonymous_cache
from recall.web.public import catalogue
from recall.web.redirects import local_target

bp = Blueprint("public", __name__)


@bp.get("/")
@public
@lag_tolerant
@anonymous_cache
def home():
    return render_template("public/home.html", choices=directory.filter_choices())


@bp.get("/deputies")
@public
@lag_tolerant
@anonymous_cache
def list_deputies():
    filters = directory.parse_filters(request.args)
    page = directory.list_deputies(filters, request.args.get("page", type=int))
    return render_template(
        "public/deputies.html",
        page=page,
        choices=directory.filter_choices(),
        districts=directory.district_choices(filters),
    )


@bp.get("/deputies/<int:deputy_id>")
@public
@lag_tolerant
@anonymous_cache
def show_deputy(deputy_id: int):
    return render_template("public/deputy.html", deputy=directory.get_deputy(deputy_id))


@bp.get("/districts/<int:district_id>")
@public
@lag_tolerant
@anonymous_cache
def show_district(district_id: int):
    overview = directory.district_overview(district_id)
    return render_template(
        "public/district.html",
        district=overview.district,
        deputies=overview.deputies,
        petitions=overview.active_petitions,
    )


@bp.get("/districts")
@public
@lag_tolerant
@anonymous_cache
def find_district():
    """Where do you live: districts by locality, street or district name, in any script."""
    q = (request.args.get("q") or "").strip()
    found = localities.find_districts(q, request.args.get("page", type=int)) if q else None
    return render_template("public/find_district.html", q=q, found=found)


@bp.get("/data")
@public
def open_data():
    """Every download and feed, its licence (``DATA_LICENSE``) and a data dictionary."""
    return render_template(
        "public/data.html",
        downloads=catalogue.DOWNLOADS,
        feeds=catalogue.FEEDS,
        dictionary=catalogue.DICTIONARY,
        reason_codes=catalogue.reason_codes(),
        licence=catalogue.licence(current_app.config),
    )


@bp.get("/privacy")
@public
def privacy():
    """The privacy notice, linked from every consent box (the operator's text, ``SITE_TEXTS_DIR``)."""
    paragraphs = texts.site_text("privacy", str(get_locale()))
    return render_template("public/site_text.html", name="privacy", paragraphs=paragraphs)


@bp.get("/how-it-works")
@public
def how_it_works():
    """How recall works, in the operator's words (``SITE_TEXTS_DIR``)."""
    paragraphs = texts.site_text("how-it-works", str(get_locale()))
    return render_template("public/site_text.html", name="how-it-works", paragraphs=paragraphs)


@bp.get("/favicon.ico")
@public
def favicon():
    """Browsers ask for /favicon.ico whatever the page links to: point them at the static file."""
    return redirect(url_for("static", filename="favicon.ico"), 301)


@bp.get("/lang/<code>")
@public
def switch_language(code: str) -> Response:
    """Remember the chosen language in a cookie and go back where the user came from."""
    response = redirect(local_target(request.args.get("next"), url_for("public.home")))
    if code in current_app.config["LANGUAGES"]:
        response.set_cookie(
            LANG_COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True
        )
    return response
