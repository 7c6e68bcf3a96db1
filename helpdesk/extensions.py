"""Unbound extensions; ``create_app`` binds them with ``init_app``."""

from apispec import BasePlugin
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_smorest import Api
from flask_socketio import SocketIO
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from marshmallow import Schema, fields
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from helpdesk.errors import http_error_response

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class ErrorBody(Schema):
    code = fields.String(required=True, metadata={"description": "Machine-readable, e.g. validation_failed."})
    message = fields.String(required=True, metadata={"description": "For people: what went wrong."})
    details = fields.Raw(required=True, metadata={
        "description": "Per field (or location) the problems found; an empty object when there is nothing more."})


class ErrorEnvelope(Schema):
    """What every error of this API looks like (and what the document says it looks like)."""

    error = fields.Nested(ErrorBody, required=True)


class SchemaExtras(BasePlugin):
    """Rules marshmallow cannot state in OpenAPI (at least one field; body or body_html) go in a
    schema's ``Meta.openapi`` and into its document here, so the document says what is enforced."""

    def schema_helper(self, name, definition, **kwargs):
        schema = kwargs.get("schema")
        meta = getattr(schema, "Meta", None) or getattr(type(schema), "Meta", None)
        return dict(getattr(meta, "openapi", None) or {})


class JsonErrorApi(Api):
    """flask-smorest Api whose errors use the project-wide error envelope."""

    ERROR_SCHEMA = ErrorEnvelope

    def handle_http_exception(self, error):
        return http_error_response(error)


# Sessions live for one request or job; keeping loaded state after commit saves a
# reload of everything the response serialises.
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate()
socketio = SocketIO()
login_manager = LoginManager()
csrf = CSRFProtect()
api = JsonErrorApi(spec_kwargs={"extra_plugins": [SchemaExtras()]})
limiter = Limiter(key_func=get_remote_address, default_limits=[])
