"""The one scoping helper through which every query for client data goes.

A scope is the set of client companies a caller may touch: exactly one for a
client's API key, the entitled clients for an agent, all of them for an admin.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from sqlalchemy import Select, select

from helpdesk.errors import NotFound
from helpdesk.extensions import db

T = TypeVar("T")


class TenantScope:
    def __init__(self, client_ids: Iterable[int] | None, *, all_clients: bool = False) -> None:
        self.all_clients = all_clients
        self.client_ids = frozenset(client_ids or ())

    @classmethod
    def for_client(cls, client_id: int) -> TenantScope:
        return cls([client_id])

    @classmethod
    def for_agent(cls, agent: Any) -> TenantScope:
        if agent.role == "admin" or agent.all_clients:
            return cls(None, all_clients=True)
        return cls(c.id for c in agent.clients)

    @property
    def client_id(self) -> int:
        """The single client of this scope; writes need one owner."""
        if self.all_clients or len(self.client_ids) != 1:
            raise ValueError("this scope spans several clients; name the client explicitly")
        (only,) = self.client_ids
        return only

    def allows(self, client_id: int | None) -> bool:
        return client_id is not None and (self.all_clients or client_id in self.client_ids)

    def where(self, model: type) -> Any:
        column = model.client_id
        if self.all_clients:
            return column.isnot(None)
        return column.in_(self.client_ids) if len(self.client_ids) != 1 else column == self.client_id

    def select(self, model: type[T], *criteria: Any) -> Select:
        return select(model).where(self.where(model), *criteria)

    def get(self, model: type[T], object_id: Any) -> T | None:
        if object_id is None:
            return None
        return db.session.scalar(self.select(model, model.id == object_id))

    def get_or_404(self, model: type[T], object_id: Any, what: str | None = None) -> T:
        found = self.get(model, object_id)
        if found is None:
            name = what or model.__name__.lower()
            # Another client's row answers exactly like a missing one: 404, never 403.
            raise NotFound(f"No {name} with id {object_id}.", {"id": object_id})
        return found

    def add(self, obj: T, client_id: int | None = None) -> T:
        owner = client_id if client_id is not None else self.client_id
        if not self.allows(owner):
            raise NotFound("No such client.")
        obj.client_id = owner
        db.session.add(obj)
        return obj
