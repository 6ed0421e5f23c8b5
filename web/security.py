"""Response headers and error answers for the whole app.

Our pages get a strict Content-Security-Policy (no inline script or style: everything is in
static files), and every answer a Permissions-Policy that denies powerful features and
Cross-Origin-Opener-Policy (no other site's window keeps a handle on ours). The API and static files
get CORS for any origin (or only for ALLOWED_ORIGINS, `glossary serve --allowed-origins`), answered preflights included
(with Chrome's Private Network Access header, since a public page calls a server on 127.0.0.1),
because the bookmarklet calls them from other sites. Errors are JSON under /api/ and a page elsewhere.
"""

from __future__ import annotations

from flask import Flask, current_app, make_response, render_template, request
from werkzeug.exceptions import HTTPException

PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
API_CSP = "default-src 'none'; frame-ancestors 'none'"
CORS_PREFIXES = ("/api/", "/static/")
# Nothing here uses the camera, microphone, location, payment or USB: a page of ours never may.
PERMISSIONS = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
PRIVATE = ("/annotate",)  # pasted documents may be confidential: never cached


def init_app(app: Flask) -> None:
    app.before_request(_preflight)
    app.after_request(_headers)
    app.register_error_handler(HTTPException, _http_error)
    from glossary.model import CurationError
    from glossary.store import StoreError

    app.register_error_handler(StoreError, _unavailable)
    app.register_error_handler(CurationError, _unavailable)


def _is_api() -> bool:
    return request.path.startswith("/api/")


def _preflight():
    """Answer CORS preflights ourselves, so every API path (even an unknown one) gets the headers."""
    if request.method == "OPTIONS" and request.path.startswith(CORS_PREFIXES):
        return make_response("", 204)
    return None


def _allow_origin() -> str | None:
    """'*' by default (the bookmarklet runs on any site); with ALLOWED_ORIGINS, the caller's origin if listed."""
    allowed = current_app.config["ALLOWED_ORIGINS"]
    if not allowed:
        return "*"
    origin = request.headers.get("Origin")
    return origin if origin in allowed else None


def _headers(response):
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", PERMISSIONS)
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.path.startswith(CORS_PREFIXES):
        origin = _allow_origin()
        if current_app.config["ALLOWED_ORIGINS"]:
            headers.add("Vary", "Origin")
        if origin is None:
            return _no_store(response)
        headers["Access-Control-Allow-Origin"] = origin
        headers["Cross-Origin-Resource-Policy"] = "cross-origin"
        if request.method == "OPTIONS":
            headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
            headers["Access-Control-Allow-Headers"] = "Content-Type"
            headers["Access-Control-Allow-Private-Network"] = "true"
            headers["Access-Control-Max-Age"] = "600"
    if _is_api():
        headers.setdefault("Content-Security-Policy", API_CSP)
    elif response.mimetype == "text/html":
        headers.setdefault("Content-Security-Policy", PAGE_CSP)  # a blueprint may set its own
        headers.setdefault("X-Frame-Options", "DENY")
    return _no_store(response)


def _no_store(response):
    if request.method == "POST" or request.path.startswith(PRIVATE):
        response.headers["Cache-Control"] = "no-store"
    return response


API_MESSAGES = {
    404: "no such endpoint; see /api/v1/openapi.json",
    413: "request body too large",
}


def _http_error(exc: HTTPException):
    status = exc.code or 500
    if _is_api():
        from web.api import error_response

        if status == 405:
            message = f"method {request.method} not allowed here"
        elif status == 500:
            message = "internal error"
        else:
            message = (API_MESSAGES.get(status, exc.description) if _default(exc) else exc.description) or ""
        return error_response(message, status)
    message = exc.description or ""
    if status == 413 and _default(exc):
        message = "The text is too large to annotate. Annotate it in parts (at most 200,000 characters)."
    return render_template("error.html", status=status, name=exc.name, message=message), status


def _default(exc: HTTPException) -> bool:
    """True when the exception carries werkzeug's stock description, not one we wrote."""
    return exc.description == type(exc).description


def _unavailable(exc: Exception):
    message = f"The glossary database cannot be used: {exc}"
    if _is_api():
        from web.api import error_response

        return error_response(message, 503)
    return render_template("error.html", status=503, name="Service Unavailable", message=message), 503
