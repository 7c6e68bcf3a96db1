"""The customer's satisfaction survey, /csat."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("csat", __name__, url_prefix="/csat")
