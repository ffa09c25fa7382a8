"""The OpenAPI description covers every /api/v1 route and is a valid 3.1 document."""

from __future__ import annotations

from recall.api.openapi import api_rules, build_spec


def test_every_api_route_is_described(sqlite_app):
    document = build_spec(sqlite_app)
    assert document["openapi"] == "3.1.0"
    assert "x-undocumented" not in document, document.get("x-undocumented")
    described = {(path, method) for path, ops in document["paths"].items() for method in ops}
    for rule, method in api_rules(sqlite_app):
        path = rule.rule.replace("<int:", "{").replace("<", "{").replace(">", "}")
        assert (path, method.lower()) in described, f"{method} {rule.rule} missing"
    assert len(described) >= 25


def test_a_route_without_description_is_reported(sqlite_app):
    from recall.security import public

    @public
    def secret_route():
        return {}

    sqlite_app.add_url_rule("/api/v1/undescribed", "undescribed", secret_route)
    document = build_spec(sqlite_app)
    assert document["x-undocumented"] == ["GET /api/v1/undescribed"]


def test_every_operation_documents_the_error_shape(sqlite_app):
    document = build_spec(sqlite_app)
    error = {"$ref": "#/components/schemas/Error"}
    for path, ops in document["paths"].items():
        for method, op in ops.items():
            default = op["responses"]["default"]["content"]["application/json"]["schema"]
            assert default == error, (method, path)
    detail = document["components"]["schemas"]["ErrorDetail"]
    assert set(detail["required"]) == {"status", "code", "message"}


def test_served_as_json_and_as_a_page(sqlite_app):
    client = sqlite_app.test_client()
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.get_json()["paths"]["/api/v1/petitions/{petition_id}"]["get"]
    page = client.get("/api/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "GET /api/v1/petitions/{petition_id}" in html
    assert 'id="schema-PetitionOut"' in html
    # Served by the app alone: no script, no stylesheet or image from another origin.
    assert "<script" not in html
    assert "https://" not in html.split("</header>", 1)[0]
