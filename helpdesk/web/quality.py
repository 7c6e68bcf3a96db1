"""Quality reviews, /supervisor/qa."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("quality", __name__, url_prefix="/supervisor/qa")
