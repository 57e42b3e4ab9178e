"""The player client's files, served by ``croupier serve`` on the players' port.

``/`` is the page, ``/app/…`` its ES modules and style, ``/vendor/…`` the vendored Preact and
htm (docs/web.md). Every file is read once at import from the package, so a request can only
name a file that ships: there is no path to traverse. Two small JSON documents give the page
what the API does not: the public reel strips of the slots (to recompute a round in the
browser, as ``croupier fairness slots`` does) and each jurisdiction's slot pacing (so the
reels turn for at least the minimum game cycle).
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from croupier.adapters.game_files import configured_game_files
from croupier.api.http.auth import platform_of
from croupier.domain.errors import GameDefinitionError, NotFound, UnknownGame

__all__ = ["PAGE_CSP", "router"]

_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".json": "application/json",
}
#: The client's own files change with each release and carry no hash in their names: the
#: browser keeps them but asks again each time (a 304 costs one small round trip).
_REVALIDATE = "no-cache"
#: The vendored libraries change only when the vendor README's table does.
_VENDOR_CACHE = "public, max-age=86400"


@dataclass(frozen=True, slots=True)
class _File:
    body: bytes
    content_type: str
    etag: str


def _walk(folder: Traversable, prefix: str) -> dict[str, _File]:
    found: dict[str, _File] = {}
    for entry in folder.iterdir():
        name = f"{prefix}{entry.name}"
        if entry.is_dir():
            found.update(_walk(entry, f"{name}/"))
            continue
        suffix = "." + entry.name.rsplit(".", 1)[-1]
        if suffix not in _TYPES:
            continue  # READMEs, licences: shipped beside the code, not served
        found[name] = _file(entry.read_bytes(), suffix)
    return found


def _file(body: bytes, suffix: str) -> _File:
    return _File(body, _TYPES[suffix], '"' + hashlib.sha256(body).hexdigest()[:32] + '"')


_ROOT = files("croupier.web")
_APP = _walk(_ROOT / "player" / "app", "")
_VENDOR = _walk(_ROOT / "vendor", "")
_INDEX = _file((_ROOT / "player" / "index.html").read_bytes(), ".html")


def _inline_script_hashes(page: bytes) -> str:
    """``'sha256-…'`` of each inline script (the import map), for ``script-src``."""
    scripts = re.findall(rb"<script type=\"importmap\">(.*?)</script>", page, re.DOTALL)
    return " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(body).digest()).decode() + "'"
        for body in scripts
    )


#: Only our own scripts (and the import map, by its hash), our own styles, the API and its
#: WebSocket on this origin; nothing may frame the page.
PAGE_CSP = (
    f"default-src 'self'; script-src 'self' {_inline_script_hashes(_INDEX.body)};"
    " style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none';"
    " frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)

router = APIRouter(include_in_schema=False)


def _answer(request: Request, file: _File, cache: str) -> Response:
    headers = {"Cache-Control": cache, "ETag": file.etag, "Content-Security-Policy": PAGE_CSP}
    if file.etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(file.body, media_type=file.content_type, headers=headers)


@router.get("/")
async def index(request: Request) -> Response:
    return _answer(request, _INDEX, _REVALIDATE)


@router.get("/app/data/slots/{game_id}.json")
async def slot_strips(game_id: str) -> JSONResponse:
    """The reel strips and rows of a slot game: public, as in its PAR sheet."""
    try:
        definition: dict[str, Any] = configured_game_files().load(game_id)
    except (UnknownGame, GameDefinitionError) as exc:  # unknown or malformed: one 404
        raise NotFound(f"no slot game {game_id!r}") from exc
    if definition.get("kind") != "slots":
        raise NotFound(f"no slot game {game_id!r}")
    return JSONResponse(
        {"id": game_id, "rows": definition["rows"], "reels": definition["reels"]},
        headers={"Cache-Control": _REVALIDATE},
    )


@router.get("/app/data/jurisdictions.json")
async def jurisdictions(request: Request) -> JSONResponse:
    """Each profile's slot pacing, by the id ``GET /v1/limits`` names as ``jurisdiction``."""
    gate = platform_of(request).compliance
    profiles = gate.profiles.profiles if gate is not None else {}
    return JSONResponse(
        {
            profile_id: {
                "spin_interval_ms_min": profile.slots.spin_interval_ms_min,
                "turbo_allowed": profile.slots.turbo_allowed,
            }
            for profile_id, profile in profiles.items()
        },
        headers={"Cache-Control": _REVALIDATE},
    )


@router.get("/app/{path:path}")
async def app_file(path: str, request: Request) -> Response:
    file = _APP.get(path)
    if file is None:
        raise NotFound(f"no file /app/{path}")
    return _answer(request, file, _REVALIDATE)


@router.get("/vendor/{path:path}")
async def vendor_file(path: str, request: Request) -> Response:
    file = _VENDOR.get(path)
    if file is None:
        raise NotFound(f"no file /vendor/{path}")
    return _answer(request, file, _VENDOR_CACHE)
