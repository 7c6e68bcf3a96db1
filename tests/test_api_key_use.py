"""api_keys.last_used_at: noted off the request path, written by a periodic job at most once a minute per key."""

from __future__ import annotations

from helpdesk.client.clients import KEY_USE_HASH
from helpdesk.client.models import ApiKey
from helpdesk.extensions import db
from tests import factories
from workers import jobs
from workers.schedule import SCHEDULE


def test_last_used_is_written_by_the_job_and_shown_to_the_admin(client, app, redis, login):
    client_id, key = factories.make_client("acme")
    for _ in range(3):
        assert client.get("/api/v1/tickets", headers=factories.auth(key)).status_code == 200
    assert len(redis.hgetall(KEY_USE_HASH)) == 1  # three calls, one note
    assert jobs.flush_api_key_use() == 1
    db.session.expire_all()
    (stored,) = db.session.query(ApiKey).filter_by(client_id=client_id).all()
    assert stored.last_used_at is not None and stored.last_used_at.tzinfo is not None
    client.get("/api/v1/tickets", headers=factories.auth(key))
    assert redis.hgetall(KEY_USE_HASH) == {} and jobs.flush_api_key_use() == 0  # within the minute
    app.extensions["helpdesk_key_use"].clear()  # as if the minute had passed
    client.get("/api/v1/tickets", headers=factories.auth(key))
    assert jobs.flush_api_key_use() == 1

    factories.make_agent("root@helpdesk.test", role="admin")
    login("root@helpdesk.test")
    html = client.get(f"/admin/clients/{client_id}/secrets").get_data(as_text=True)
    assert "Last used" in html and "never" not in html.split('id="api-keys"')[1].split("</table>")[0]


def test_a_bad_key_notes_nothing_and_the_job_runs_every_minute(client, redis):
    factories.make_client("acme")
    assert client.get("/api/v1/tickets", headers=factories.auth("hdk_000000000000_nope")).status_code == 401
    assert redis.hgetall(KEY_USE_HASH) == {}
    (job,) = [job for job in SCHEDULE if job.task == "workers.jobs.flush_api_key_use"]
    assert job.every_seconds == 60
