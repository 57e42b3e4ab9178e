"""The back office's HTTP API (``/admin/v1``), on its own listener behind an IP allow-list."""

from croupier.api.admin.app import ROUTERS, create_admin_app
from croupier.api.admin.auth import StaffPrincipal, require

__all__ = ["ROUTERS", "StaffPrincipal", "create_admin_app", "require"]
