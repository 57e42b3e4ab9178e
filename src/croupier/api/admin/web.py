"""The back office in the browser: ``/admin`` and its ES modules on the admin listener.

Static files from ``croupier/web/admin`` (our pages) and ``croupier/web/vendor`` (Preact and
htm), read once at start-up. The admin app's allow-list stands in front of these routes as
it does of the API, so the pages are no easier to reach than ``/admin/v1``. Every answer
carries a strong ``ETag`` (a revisit costs a ``304``), and a Content-Security-Policy that
runs only this server's scripts: the page's one inline script, the import map, is allowed by
its sha256, computed here from the file so the two cannot drift apart.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable

from fastapi import APIRouter, Request, Response

__all__ = ["Asset", "load_assets", "router"]

#: Our pages change with each release and are small: revalidate each time (a 304 if equal).
OURS = "no-cache"
#: The vendored libraries change only when vendor/README.md's table does: a day is safe.
VENDORED = "public, max-age=86400"

_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
}
_IMPORT_MAP = re.compile(r'<script type="importmap">(.*?)</script>', re.DOTALL)


@dataclass(frozen=True, slots=True)
class Asset:
    body: bytes
    content_type: str
    cache_control: str

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha256(self.body).hexdigest()[:32] + '"'


def policy(index_html: str) -> str:
    """The pages' Content-Security-Policy: scripts and styles from here only, the import map
    by its hash, API calls to this origin only, nothing framed, no forms posted anywhere
    (the pages send JSON with fetch), images from here or ``data:`` (the enrolment's QR)."""
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(found.encode()).digest()).decode() + "'"
        for found in _IMPORT_MAP.findall(index_html)
    )
    return (
        f"default-src 'none'; script-src 'self' {hashes}; style-src 'self'; "
        "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; "
        "frame-ancestors 'none'"
    )


def _files(root: Traversable, prefix: str) -> dict[str, Traversable]:
    found: dict[str, Traversable] = {}
    for entry in root.iterdir():
        if entry.is_dir():
            found.update(_files(entry, f"{prefix}{entry.name}/"))
        elif any(entry.name.endswith(suffix) for suffix in _TYPES):
            found[prefix + entry.name] = entry
    return found


def load_assets() -> tuple[dict[str, Asset], str]:
    """Every servable file by its URL path, and the pages' policy."""
    web = resources.files("croupier.web")
    assets: dict[str, Asset] = {}
    for folder, url, cache in (("admin", "/admin/", OURS), ("vendor", "/admin/vendor/", VENDORED)):
        for name, entry in _files(web / folder, "").items():
            content_type = _TYPES[name[name.rindex(".") :]]
            assets[url + name] = Asset(entry.read_bytes(), content_type, cache)
    index = assets["/admin/index.html"]
    assets["/admin"] = index
    assets["/admin/"] = index
    return assets, policy(index.body.decode())


_ASSETS, _POLICY = load_assets()


async def asset(request: Request) -> Response:
    """One file of the back office (a route per file: no catch-all that could shadow the
    API's own 404 and 405 answers under ``/admin/v1``)."""
    found = _ASSETS[request.url.path]
    headers = {
        "ETag": found.etag,
        "Cache-Control": found.cache_control,
        "Content-Security-Policy": _POLICY,
        "X-Frame-Options": "DENY",
    }
    if request.headers.get("if-none-match") == found.etag:
        return Response(status_code=304, headers=headers)
    return Response(found.body, media_type=found.content_type, headers=headers)


router = APIRouter(include_in_schema=False)
for _path in sorted(_ASSETS):
    router.add_api_route(_path, asset, methods=["GET"], include_in_schema=False)
