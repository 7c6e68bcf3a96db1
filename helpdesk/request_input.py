"""Input a request can carry that Python accepts but the database or the encoder cannot.

Python reads integers of any size, JSON nested as deep as the stack goes and
strings holding half of a UTF-16 pair. Each would otherwise travel on until
the database refuses it (a 500) or the recursion limit hits. This module
refuses them at the edge, once for every surface: Flask's ``get_json``, the
API's webargs parser, the inbound webhooks and the ``<int:>`` URL rules.
"""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Flask
from flask.json.provider import DefaultJSONProvider
from marshmallow import validate
from webargs.core import missing
from webargs.flaskparser import FlaskParser, is_json_request
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter

MAX_DB_INT = 2**31 - 1  # every id and sequence column is a 32-bit INTEGER
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def load_json(document: str | bytes) -> Any:
    """``json.loads`` that raises ``ValueError`` for every document we cannot store."""
    text = document if isinstance(document, str) else document.decode("utf-8")
    try:
        value = json.loads(text)
    except RecursionError:
        raise json.JSONDecodeError("JSON is nested too deeply", text, 0) from None
    if _SURROGATE_ESCAPE.search(text):
        _refuse_lone_surrogates(value, text)
    return value


def _refuse_lone_surrogates(value: Any, text: str) -> None:
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise json.JSONDecodeError("JSON holds an unpaired UTF-16 surrogate", text, 0) from None


class SafeJSONProvider(DefaultJSONProvider):
    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return load_json(s)


class SafeFlaskParser(FlaskParser):
    """webargs reads request JSON itself; route it through the same loader."""

    def _raw_load_json(self, req) -> Any:
        if not is_json_request(req):
            return missing
        return load_json(req.get_data(cache=True))


class DatabaseIntConverter(IntegerConverter):
    """``<int:id>`` that answers 404 for ids no row can have.

    Raising NotFound here instead of failing the match: werkzeug would answer
    405 when another method's rule shares the path.
    """

    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        if number > MAX_DB_INT:
            raise NotFound("No such record.")
        return number


def install(app: Flask) -> None:
    app.json = SafeJSONProvider(app)
    app.url_map.converters["int"] = DatabaseIntConverter


def id_range() -> validate.Range:
    """The marshmallow rule for a field naming a row by id."""
    return validate.Range(min=1, max=MAX_DB_INT)
