"""The OpenAPI 3.1 description of ``/api/v1``, generated from the routes themselves.

Each handler declares what it takes and returns with :func:`documented` (marshmallow schemas from
``recall.api.openapi_schemas``); :func:`build_spec` walks the application's URL map, turns every
``/api/v1`` rule into a path (``<int:petition_id>`` becomes ``{petition_id}``, an integer) and lets
apispec turn the schemas into JSON Schema components. A route without :func:`documented` is
listed in ``x-undocumented`` and fails ``tests/api/test_openapi.py``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask

from recall.api import openapi_schemas as s
from recall.config import DEFAULT_DATA_LICENSE, DEFAULT_DATA_LICENSE_URL

API_PREFIX = "/api/v1"
OPENAPI_VERSION = "3.1.0"
IGNORED_METHODS = frozenset({"HEAD", "OPTIONS"})
_CONVERTER = re.compile(r"<(?:(?P<conv>[a-z]+)(?:\([^)]*\))?:)?(?P<name>\w+)>")
# Werkzeug converters as JSON Schema.
_PATH_TYPES = {
    "int": {"type": "integer", "minimum": 0},
    "string": {"type": "string"},
    "default": {"type": "string"},
    "path": {"type": "string"},
}

F = Callable[..., Any]
# Headers every paginated list answers with (docs/api.md).
PAGE_HEADERS = {
    "Link": 'RFC 8288 links to the `first`, `prev`, `next` and `last` pages (`rel="..."`).',
    "X-Total-Count": "The number of items over all pages.",
}


def documented(
    summary: str,
    *,
    tags: tuple[str, ...],
    response: type | None = None,
    status: int = 200,
    query: type | None = None,
    body: type | None = None,
    content_type: str = "application/json",
    description: str | None = None,
    auth: str | None = None,
    errors: tuple[int, ...] = (),
    headers: dict[str, str] | None = None,
) -> Callable[[F], F]:
    """Describe one API handler: ``response`` (a schema class) answered with ``status``, the
    ``query`` parameters and JSON ``body`` it reads, the ``errors`` it may answer besides the
    ones every route can (they all use the ``Error`` shape), and ``auth``, a sentence on who may
    call it. ``content_type`` other than JSON (CSV) has no schema."""

    def mark(view: F) -> F:
        view.openapi = {  # type: ignore[attr-defined]
            "summary": summary,
            "tags": list(tags),
            "response": response,
            "status": status,
            "query": query,
            "body": body,
            "content_type": content_type,
            "description": description,
            "auth": auth,
            "errors": errors,
            "headers": headers or {},
        }
        return view

    return mark


def api_rules(app: Flask):
    """``(path template, method, endpoint)`` for every ``/api/v1`` route, sorted."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith(API_PREFIX + "/"):
            continue
        for method in sorted((rule.methods or set()) - IGNORED_METHODS):
            yield rule, method


def _path(rule) -> tuple[str, list[dict[str, Any]]]:
    params = []

    def replace(match: re.Match) -> str:
        conv, name = match.group("conv") or "default", match.group("name")
        params.append(
            {
                "in": "path",
                "name": name,
                "required": True,
                "schema": dict(_PATH_TYPES.get(conv, {"type": "string"})),
            }
        )
        return "{" + name + "}"

    return _CONVERTER.sub(replace, rule.rule), params


def _error_response(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": "Error"}}}


_ERROR_TEXT = {
    400: "Malformed request (for a signed-in browser: missing X-CSRFToken).",
    401: "Sign in first.",
    403: "Not allowed for this account.",
    404: "No such resource.",
    409: "Does not fit the current state.",
    413: "Request body too large.",
    422: "Invalid input; `error.field` names it; nothing was written.",
    429: "Rate limited; wait and retry.",
    503: "Briefly unavailable (database); retry after `Retry-After` seconds.",
}


def _operation(rule, method: str, meta: dict[str, Any], path_params) -> dict[str, Any]:
    status = str(meta["status"])
    ok: dict[str, Any] = {"description": "OK" if status.startswith("2") else status}
    if meta["content_type"] == "application/json" and meta["response"] is not None:
        ok["content"] = {"application/json": {"schema": meta["response"]}}
    elif meta["content_type"] != "application/json":
        ok["content"] = {meta["content_type"]: {"schema": {"type": "string"}}}
    if meta["headers"]:
        ok["headers"] = {
            name: {"description": text, "schema": {"type": "string"}}
            for name, text in meta["headers"].items()
        }
    responses: dict[str, Any] = {status: ok}
    for code in sorted({*meta["errors"], 404 if path_params else 422, 503}):
        responses[str(code)] = _error_response(_ERROR_TEXT.get(code, "Error."))
    responses["default"] = _error_response("Any other error, in the same shape.")
    description = meta["description"] or (rule.endpoint and None)
    operation: dict[str, Any] = {
        "operationId": rule.endpoint.removeprefix("api."),
        "summary": meta["summary"],
        "tags": meta["tags"],
        "responses": responses,
    }
    parameters = list(path_params)
    if meta["query"] is not None:
        parameters.append({"in": "query", "schema": meta["query"]})
    if parameters:
        operation["parameters"] = parameters
    if meta["body"] is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": meta["body"]}},
        }
    text = " ".join(t for t in (description, meta["auth"] and f"Who: {meta['auth']}") if t)
    if text:
        operation["description"] = text
    return operation


def build_spec(app: Flask, server_url: str | None = None) -> dict[str, Any]:
    """The OpenAPI 3.1 document of every ``/api/v1`` route of ``app`` (a plain dict)."""
    spec = APISpec(
        title="recall API",
        version="1",
        openapi_version=OPENAPI_VERSION,
        plugins=[MarshmallowPlugin()],
        info={
            "description": (
                "Deputies, promises, recall petitions and their results as data. "
                "Conventions (pagination, caching, CORS, languages, errors): docs/api.md."
            ),
            "license": {
                "name": f"{app.config.get('DATA_LICENSE') or DEFAULT_DATA_LICENSE} (the data)",
                "url": app.config.get("DATA_LICENSE_URL") or DEFAULT_DATA_LICENSE_URL,
            },
        },
        servers=[{"url": server_url or "/"}],
    )
    spec.components.schema("Error", schema=s.Error)
    spec.components.security_scheme(
        "bearerToken",
        {
            "type": "http",
            "scheme": "bearer",
            "description": "An API token from /account/tokens; the scope each route needs is "
            "listed with it.",
        },
    )
    spec.components.security_scheme(
        "session",
        {
            "type": "apiKey",
            "in": "cookie",
            "name": "session",
            "description": "A signed-in browser; unsafe methods also need the X-CSRFToken header.",
        },
    )
    paths: dict[str, dict[str, Any]] = {}
    undocumented = []
    for rule, method in api_rules(app):
        view = app.view_functions[rule.endpoint]
        meta = getattr(view, "openapi", None)
        if meta is None:
            undocumented.append(f"{method} {rule.rule}")
            continue
        path, params = _path(rule)
        operation = _operation(rule, method, meta, params)
        scope = getattr(view, "token_scope", None)
        if scope:
            operation["security"] = [{"bearerToken": [scope]}, {"session": []}]
        paths.setdefault(path, {})[method.lower()] = operation
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    document = spec.to_dict()
    if undocumented:
        document["x-undocumented"] = undocumented
    return document


def _type_text(prop: dict[str, Any]) -> str:
    """A JSON Schema property as short text: ``integer``, ``string (date) or null``, ``[Deputy]``."""
    if "$ref" in prop:
        return prop["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in prop:
        return " or ".join(_type_text(p) for p in prop["anyOf"])
    kinds = prop.get("type", "any")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    out = []
    for kind in kinds:
        if kind == "array":
            out.append(f"[{_type_text(prop.get('items', {}))}]")
        elif kind == "string" and prop.get("format"):
            out.append(f"string ({prop['format']})")
        else:
            out.append(kind)
    text = " or ".join(out)
    if prop.get("enum"):
        text += ": " + ", ".join(str(v) for v in prop["enum"] if v is not None)
    return text


def _schema_name(content: dict[str, Any] | None) -> str | None:
    if not content:
        return None
    for media in content.values():
        schema = media.get("schema", {})
        return _type_text(schema) if schema else None
    return None


def reference(document: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI ``document`` arranged for the reference page: operations by tag, then every
    schema with its fields (name, type, required, description)."""
    by_tag: dict[str, list[dict[str, Any]]] = {}
    for path, operations in document.get("paths", {}).items():
        for method, op in operations.items():
            ok = next(iter(op["responses"].items()))
            by_tag.setdefault(op["tags"][0], []).append(
                {
                    "id": op["operationId"],
                    "method": method.upper(),
                    "path": path,
                    "summary": op["summary"],
                    "description": op.get("description"),
                    "parameters": [
                        {
                            "name": p["name"],
                            "in": p["in"],
                            "required": p.get("required", False),
                            "type": _type_text(p.get("schema", {})),
                            "description": p.get("description")
                            or p.get("schema", {}).get("description"),
                        }
                        for p in op.get("parameters", [])
                    ],
                    "body": _schema_name(op.get("requestBody", {}).get("content")),
                    "status": ok[0],
                    "returns": _schema_name(ok[1].get("content")),
                    "headers": sorted(ok[1].get("headers", {})),
                    "errors": [code for code in op["responses"] if code not in (ok[0], "default")],
                }
            )
    schemas = []
    for name, schema in sorted(document.get("components", {}).get("schemas", {}).items()):
        required = set(schema.get("required", []))
        schemas.append(
            {
                "name": name,
                "fields": [
                    {
                        "name": field,
                        "type": _type_text(prop),
                        "required": field in required,
                        "description": prop.get("description"),
                    }
                    for field, prop in schema.get("properties", {}).items()
                ],
            }
        )
    return {"info": document["info"], "tags": sorted(by_tag.items()), "schemas": schemas}
