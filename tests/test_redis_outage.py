"""Redis goes down and comes back: tickets are accepted meanwhile and routed once it is back."""

from __future__ import annotations

from datetime import timedelta

from helpdesk.embedded_redis import EmbeddedRedis
from helpdesk.extensions import db
from helpdesk.models import Outbox, Ticket, utcnow
from helpdesk.routing import presence
from tests.factories import auth, make_agent, make_client, make_region
from tests.support import other_app
from workers.queues import redis_connection
from workers.runner import build_worker, enqueue_periodic
from workers.schedule import SCHEDULE


def test_tickets_accepted_while_redis_is_down_are_routed_when_it_returns(app, app_factory, tmp_path):
    socket_path = tmp_path / "outage.sock"
    server = EmbeddedRedis(tmp_path / "redis-a", socket_path=socket_path)
    url = server.url
    with other_app(app_factory, REDIS_URL=url) as app:
        make_region("manila")
        _, key = make_client("acme")
        ana = make_agent("ana@x.test", region_slug="manila", name="Ana")
        ana_id = ana.id
        presence.set_state(ana_id, "online")
        http = app.test_client()

        server.close()                                      # Redis goes away
        accepted = [http.post("/api/v1/tickets", json={"subject": f"During outage {i}"}, headers=auth(key))
                    for i in range(3)]
        assert [r.status_code for r in accepted] == [201, 201, 201]
        assert http.get("/readyz").status_code == 503
        waiting = db.session.scalars(db.select(Outbox).where(Outbox.enqueued_at.is_(None))).all()
        assert len(waiting) == 6                            # a routing and a publish job per ticket, kept

        server = EmbeddedRedis(tmp_path / "redis-b", socket_path=socket_path)   # back, same address, empty
        try:
            assert http.get("/readyz").status_code == 200
            db.session.execute(db.update(Outbox).values(created_at=utcnow() - timedelta(seconds=10)))
            db.session.commit()
            connection = redis_connection(url)
            relay = next(job for job in SCHEDULE if job.task.endswith("relay_outbox"))
            assert enqueue_periodic(connection, relay)
            db.session.remove()
            build_worker(app, connection).work(burst=True)  # relay, then routing and pushes
            db.session.expire_all()
            ids = [r.json["id"] for r in accepted]
            assert [db.session.get(Ticket, i).assignee_id for i in ids] == [ana_id] * 3
        finally:
            server.close()


def test_while_redis_is_down_the_rate_limiter_logs_one_line_not_a_traceback_per_request(
        app, app_factory, tmp_path, caplog):
    from helpdesk.logs import LIMITER_OUTAGES

    LIMITER_OUTAGES.last_failure = None  # an earlier test's outage is over
    server = EmbeddedRedis(tmp_path / "redis-c", socket_path=tmp_path / "limits.sock")
    with other_app(app_factory, REDIS_URL=server.url) as app:
        _, key = make_client("acme")
        http = app.test_client()
        assert http.get("/api/v1/tickets", headers=auth(key)).status_code == 200
        server.close()
        caplog.clear()
        answers = [http.get("/api/v1/tickets", headers=auth(key)).status_code for _ in range(5)]
        assert answers == [200] * 5  # served without limits
        limiter_lines = [r for r in caplog.records if r.name == "flask-limiter"]
        assert len(limiter_lines) == 1, [r.getMessage() for r in limiter_lines]
        (line,) = limiter_lines
        assert line.levelname == "WARNING" and line.exc_info is None
        assert "Redis storage is unreachable" in line.getMessage()
        assert not [r for r in caplog.records if r.exc_info], "no traceback at any level"
