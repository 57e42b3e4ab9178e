"""Every route reads its JSON body with :func:`croupier.api.strict_json.loads`.

FastAPI parses a body with ``await request.json()``, whose ``json.loads`` lets the last of
two equal keys win; the documented way to change that is a custom ``Request`` class behind a
custom ``APIRoute`` class. Every router is made by :func:`api_router`, so no route can miss it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException

from croupier.api import strict_json

__all__ = ["MalformedJson", "StrictJsonRequest", "StrictJsonRoute", "api_router"]


class MalformedJson(HTTPException):
    """A body that ``json`` would read but we refuse: a repeated key, nesting too deep for
    the parser, or bytes that are not UTF-8. (An ``HTTPException``, because FastAPI passes
    those through its body parsing unchanged and turns anything else into an untyped 400.)"""

    def __init__(self, detail: str) -> None:
        super().__init__(status_code=400, detail=detail)


class StrictJsonRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            body = await self.body()
            try:
                self._json = strict_json.loads(body)
            # A json.JSONDecodeError goes on: FastAPI reports where the syntax broke.
            except strict_json.DuplicateKey as error:
                raise MalformedJson(str(error)) from None
            except UnicodeDecodeError:
                raise MalformedJson("the request body is not UTF-8") from None
            except RecursionError:
                raise MalformedJson("the request body nests too deeply") from None
            except json.JSONDecodeError:
                raise
            except ValueError:  # an integer past Python's 4,300-digit conversion limit
                raise MalformedJson("a number in the request body is too long to read") from None
        return self._json


class StrictJsonRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def strict_handler(request: Request) -> Response:
            return await handler(StrictJsonRequest(request.scope, request.receive))

        return strict_handler


def api_router(**options: Any) -> APIRouter:
    """An ``APIRouter`` whose routes read JSON strictly (takes ``APIRouter``'s options)."""
    return APIRouter(route_class=StrictJsonRoute, **options)
