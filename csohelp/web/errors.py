"""One JSON error shape for the whole API: {"status", "error", "errors"}."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from ..errors import CsohelpError, QueryError
from .lang import request_lang


def error_body(status: int, message: str, errors: dict[str, str] | None = None) -> dict:
    """The JSON body of every API error: a message for people, and per-field messages."""
    return {"status": status, "error": message, "errors": errors or {}}


def install_error_handlers(app: FastAPI) -> None:
    """Map our errors and FastAPI's validation errors to the one shape; never a traceback."""

    @app.exception_handler(QueryError)
    async def query_error(request: Request, exc: QueryError) -> JSONResponse:
        message = exc.message_for(request_lang(request))
        return JSONResponse(error_body(400, message), status_code=400)

    @app.exception_handler(CsohelpError)
    async def csohelp_error(request: Request, exc: CsohelpError) -> JSONResponse:
        return JSONResponse(error_body(400, str(exc)), status_code=400)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = {}
        for err in exc.errors():
            loc = [str(p) for p in err.get("loc", ()) if p not in ("query", "body", "path")]
            errors[".".join(loc) or "request"] = err.get("msg", "invalid")
        fr = request_lang(request) == "fr"
        message = "Paramètres non valides." if fr else "Invalid parameters."
        return JSONResponse(error_body(400, message, errors), status_code=400)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        return JSONResponse(error_body(exc.status_code, str(exc.detail)),
                            status_code=exc.status_code, headers=exc.headers)
