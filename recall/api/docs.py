"""The API's own description: ``GET /api/v1/openapi.json`` and the reference page ``/api/docs``.

The page is rendered on the server from the same document (``templates/api/docs.html``), with
the site's own stylesheet: no script and no asset from elsewhere.
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from recall.api import bp
from recall.api.openapi import build_spec, documented, reference
from recall.security import public

docs_bp = Blueprint("api_docs", __name__, url_prefix="/api")


@bp.get("/openapi.json")
@documented("This description (OpenAPI 3.1)", tags=("meta",))
@public
def openapi_json():
    return build_spec(current_app)


@docs_bp.get("/docs")
@public
def reference_page():
    return render_template("api/docs.html", api=reference(build_spec(current_app)))
