"""The OpenAPI document and the self-hosted Swagger UI."""

from __future__ import annotations

import re


def test_openapi_document(client):
    response = client.get("/api/v1/openapi.json")  # no API key needed
    assert response.status_code == 200
    spec = response.get_json()
    assert spec["openapi"].startswith("3.")
    assert spec["info"]["title"] and spec["info"]["version"]

    paths = spec["paths"]
    expected = {
        "/api/v1/tickets": {"get", "post"},
        "/api/v1/tickets/{ticket_id}": {"get", "patch"},
        "/api/v1/tickets/{ticket_id}/messages": {"post"},
        "/api/v1/events": {"get"},
    }
    for path, methods in expected.items():
        assert path in paths, path
        assert methods <= set(paths[path]), (path, set(paths[path]))

    schemes = spec["components"]["securitySchemes"]
    bearer = [name for name, s in schemes.items() if s.get("type") == "http" and s.get("scheme") == "bearer"]
    assert bearer, schemes
    # operations require that scheme (globally or per operation)
    for path, methods in expected.items():
        for method in methods:
            required = paths[path][method].get("security", spec.get("security", []))
            assert any(bearer[0] in requirement for requirement in required), (path, method)

    # query parameters and body schemas are documented
    list_params = {p["name"] for p in paths["/api/v1/tickets"]["get"].get("parameters", [])}
    assert {"status", "priority", "channel", "updated_since", "cursor", "limit", "sort"} <= list_params
    event_params = {p["name"] for p in paths["/api/v1/events"]["get"].get("parameters", [])}
    assert {"since", "limit"} <= event_params
    create = paths["/api/v1/tickets"]["post"]
    assert "201" in create["responses"]
    assert "application/json" in create["requestBody"]["content"]
    assert "TicketCreate" in spec["components"]["schemas"]


def test_docs_page_uses_local_assets(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "/api/v1/docs/assets/" in html
    assert "/api/v1/openapi.json" in html
    # nothing is pulled from a CDN
    external = [src for src in re.findall(r'(?:src|href)="([^"]+)"', html) if src.startswith(("http:", "https:", "//"))]
    assert external == []
    for asset in re.findall(r'(?:src|href)="(/api/v1/docs/assets/[^"]+)"', html):
        assert client.get(asset).status_code == 200, asset


def test_swagger_ui_bundle_is_served_locally(client):
    response = client.get("/api/v1/docs/assets/swagger-ui-bundle.js")
    assert response.status_code == 200
    assert "javascript" in response.mimetype
    body = response.get_data()
    assert len(body) > 100_000
    assert b"SwaggerUIBundle" in body
    assert client.get("/api/v1/docs/assets/no-such-file.js").status_code == 404
    assert client.get("/api/v1/docs/assets/../../../config.py").status_code == 404
