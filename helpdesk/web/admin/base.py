"""What every admin page shares: the blueprint (admins only), form values, the zone list.

``pages``, ``setup`` and ``staff`` add their routes to ``bp``; none imports another."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request
from flask_login import current_user, login_required

from helpdesk.errors import not_for_role

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@login_required
def _admins_only():
    if current_user.role != "admin":
        not_for_role("The admin pages are", "admins")


class FormView:
    """Values for a form's fields: what was posted, or what is stored (lists of strings per field)."""

    def __init__(self, values: dict[str, Any] | None = None) -> None:
        self.values: dict[str, list[str]] = {}
        for name, value in (values or {}).items():
            items = value if isinstance(value, list | tuple | set) else [value]
            self.values[name] = ["" if v is None else (("1" if v else "") if isinstance(v, bool) else str(v))
                                 for v in items]

    @classmethod
    def posted(cls) -> FormView:
        view = cls()
        view.values = request.form.to_dict(flat=False)
        return view

    def get(self, name: str) -> str:
        return (self.values.get(name) or [""])[0]

    def has(self, name: str, value: Any = "1") -> bool:
        return str(value) in self.values.get(name, [])


def posted() -> dict[str, list[str]]:
    return request.form.to_dict(flat=False)


def is_post() -> bool:
    return request.method == "POST"


COMMON_ZONES = ("UTC", "America/New_York", "America/Bogota", "Europe/Berlin", "Europe/Warsaw", "Asia/Manila")
