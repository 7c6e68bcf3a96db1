"""CSAT surveys end to end: solve over the API, the real worker runs the outbox job, the survey mail
arrives at a capturing SMTP server (aiosmtpd), and the customer rates once through the link."""

from __future__ import annotations

import email
import hashlib
import re
import socket
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select, update

from helpdesk.channels.chat import conversations as chat
from helpdesk.extensions import db, socketio
from helpdesk.models import Client, CsatResponse, Event, Message, Outbox, Ticket
from tests import factories
from tests.factories import auth
from workers.queues import DEFAULT_QUEUE, get_queue

API = "/api/v1/tickets"
SITE = "https://shop.acme.example"
LINK_RE = re.compile(r"http://[^\s/]+(/csat/([A-Za-z0-9_-]+))")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


SMTP_PORT = free_port()


class Capture:
    def __init__(self) -> None:
        self.received: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.received.append(email.message_from_bytes(envelope.content, policy=default_policy))
        return "250 OK: queued"


@pytest.fixture
def app_config():
    return {"SMTP_URL": f"smtp://127.0.0.1:{SMTP_PORT}", "SMTP_TIMEOUT": 5, "SOCKETIO_MESSAGE_QUEUE": False,
            "CSAT_RATE_LIMIT": "8/minute", "PUBLIC_URL": "http://help.bpo.example"}


@pytest.fixture
def sink():
    handler = Capture()
    controller = Controller(handler, hostname="127.0.0.1", port=SMTP_PORT)
    controller.start()
    yield handler
    controller.stop()


@pytest.fixture
def acme(app):
    factories.make_region("manila")
    client_id, key = factories.make_client("acme", region_slugs=["manila"], support_email="support@acme.example")
    return client_id, key


def new_ticket(http, key: str, **fields) -> int:
    body = {"subject": "Printer on fire", "body": "Secret details: serial 4242", "channel": "email",
            "contact": {"name": "Alice", "email": "alice@customer.example"}, **fields}
    response = http.post(API, json=body, headers=auth(key))
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def set_status(http, key: str, ticket_id: int, status: str) -> None:
    response = http.patch(f"{API}/{ticket_id}", json={"status": status}, headers=auth(key))
    assert response.status_code == 200, response.get_json()


def surveys() -> list[CsatResponse]:
    db.session.expire_all()
    return list(db.session.scalars(select(CsatResponse)))


def survey_link(sink: Capture) -> tuple[str, str]:
    (mail,) = sink.received
    match = LINK_RE.search(mail.get_content())
    assert match, mail.get_content()
    return match.group(1), match.group(2)


def form_token(http, path: str) -> str:
    return factories.csrf_token(http.get(path).get_data(as_text=True))


@pytest.fixture
def rated_flow(client, acme, queue, sink):
    """An email ticket solved, its survey mailed; returns (ticket_id, link path, token)."""
    _, key = acme
    ticket_id = new_ticket(client, key)
    set_status(client, key, ticket_id, "solved")
    queue.run()
    path, token = survey_link(sink)
    return ticket_id, path, token


def test_solving_sends_one_survey_mail_with_a_link_whose_token_is_stored_hashed(client, acme, queue, sink):
    client_id, key = acme
    ticket_id = new_ticket(client, key)
    queue.run()
    assert surveys() == [] and sink.received == []  # not before it is solved
    set_status(client, key, ticket_id, "solved")
    queue.run()

    (survey,) = surveys()
    assert (survey.ticket_id, survey.client_id, survey.delivery_status) == (ticket_id, client_id, "sent")
    assert survey.rating is None and survey.sent_at is not None
    (mail,) = sink.received
    assert mail["To"].addresses[0].addr_spec == "alice@customer.example"
    assert mail["From"].addresses[0].addr_spec == "support@acme.example"
    assert "[#ACME-1]" in mail["Subject"] and "How did we do?" in mail["Subject"]
    assert mail["Auto-Submitted"] == "auto-replied"
    path, token = survey_link(sink)
    assert LINK_RE.search(mail.get_content()).group(0).startswith("http://help.bpo.example/csat/")
    assert survey.token_hash == hashlib.sha256(token.encode()).hexdigest() != token
    # The clear token is nowhere in the database: not in messages, not in events.
    assert db.session.scalar(select(func.count()).select_from(Message).where(Message.body_text.contains(token))) == 0
    assert all(token not in str(e.data) for e in db.session.scalars(select(Event)))
    sent = db.session.scalars(select(Event).where(Event.type == "csat.sent")).all()
    assert [e.data["csat"]["channel"] for e in sent] == ["email"]

    # Reopened and solved again, and the job delivered twice more: still one survey, one mail.
    set_status(client, key, ticket_id, "open")
    set_status(client, key, ticket_id, "solved")
    get_queue(DEFAULT_QUEUE, queue.connection).enqueue("workers.jobs.send_csat_survey",
                                                        kwargs={"ticket_id": ticket_id})
    queue.run()
    assert [s.id for s in surveys()] == [survey.id]
    assert len(sink.received) == 1
    jobs = db.session.scalar(select(func.count()).select_from(Outbox)
                             .where(Outbox.task == "workers.jobs.send_csat_survey"))
    assert jobs == 2  # one per solve; the second found the survey and did nothing


def handled_sets(redis, ticket_id: int) -> list[str]:
    """The wallboard's "handled" sets that hold the ticket."""
    return [key.decode() for key in redis.scan_iter("wb:handled*") if redis.zscore(key, str(ticket_id)) is not None]


def test_the_customer_rates_once_through_the_link(app, client, rated_flow, login, queue):
    ticket_id, path, token = rated_flow
    redis = queue.connection
    assert handled_sets(redis, ticket_id)  # the solve counted on the wallboard...
    for key in handled_sets(redis, ticket_id):  # ...and days later the board has forgotten the ticket
        redis.zrem(key, str(ticket_id))
    redis.delete(f"wb:t:{ticket_id}")
    page = client.get(path)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Printer on fire" in html
    assert page.headers["Referrer-Policy"] == "no-referrer" and "no-store" in page.headers["Cache-Control"]
    # Nothing of the ticket but its subject: no message text, no customer address, no reference.
    for private in ("serial 4242", "alice@customer.example", "ACME-1"):
        assert private not in html
    csrf = factories.csrf_token(html)
    assert client.post(path, data={"rating": "4", "comment": "Quick, thanks"}).status_code == 400  # no CSRF

    done = client.post(path, data={"rating": "4", "comment": "Quick, thanks", "csrf_token": csrf})
    assert done.status_code == 200 and "Thank you" in done.get_data(as_text=True)
    (survey,) = surveys()
    assert (survey.rating, survey.comment) == (4, "Quick, thanks") and survey.answered_at is not None
    (rated,) = db.session.scalars(select(Event).where(Event.type == "csat.rated")).all()
    assert rated.ticket_id == ticket_id and rated.data["csat"]["rating"] == 4
    assert rated.data["ticket_ref"]["id"] == ticket_id
    queue.run()  # the rating is pushed live, and is not a second "handled" on the wallboard
    assert handled_sets(redis, ticket_id) == []

    again = client.post(path, data={"rating": "1", "comment": "changed my mind", "csrf_token": csrf})
    assert again.status_code == 409 and "already been rated" in again.get_data(as_text=True)
    as_json = client.post(path, json={"rating": 1}, headers={"X-CSRFToken": csrf})
    assert as_json.status_code == 409 and as_json.get_json()["error"]["code"] == "conflict"
    assert "Already rated" in client.get(path).get_data(as_text=True)
    assert (surveys()[0].rating, surveys()[0].comment) == (4, "Quick, thanks")
    # The ticket's history shows the survey and the rating to staff.
    staff = app.test_client()
    factories.make_agent("ana@helpdesk.test")
    login("ana@helpdesk.test", test_client=staff)
    history = staff.get(f"/agent/tickets/{ticket_id}").get_data(as_text=True)
    assert "satisfaction survey sent (email)" in history and "customer rated 4/5: Quick, thanks" in history


def test_a_json_answer_and_invalid_answers(client, rated_flow):
    _, path, _ = rated_flow
    csrf = form_token(client, path)
    bad = client.post(path, data={"rating": "6", "comment": "x", "csrf_token": csrf})
    assert bad.status_code == 422 and "Choose a rating from 1 to 5" in bad.get_data(as_text=True)
    long = client.post(path, json={"rating": 3, "comment": "x" * 2001}, headers={"X-CSRFToken": csrf})
    assert long.status_code == 422 and "comment" in long.get_json()["error"]["details"]
    assert surveys()[0].answered_at is None
    ok = client.post(path, json={"rating": 5, "comment": "  Great  "}, headers={"X-CSRFToken": csrf})
    assert ok.status_code == 200 and ok.get_json()["rating"] == 5 and ok.get_json()["comment"] == "Great"


def test_comment_and_subject_are_escaped(client, acme, queue, sink, login):
    _, key = acme
    ticket_id = new_ticket(client, key, subject="<script>alert('s')</script>")
    set_status(client, key, ticket_id, "solved")
    queue.run()
    path, _ = survey_link(sink)
    html = client.get(path).get_data(as_text=True)
    assert "<script>alert" not in html and "&lt;script&gt;alert(&#39;s&#39;)&lt;/script&gt;" in html
    csrf = factories.csrf_token(html)
    comment = '<img src=x onerror="alert(1)">'
    assert client.post(path, data={"rating": "2", "comment": comment, "csrf_token": csrf}).status_code == 200
    assert surveys()[0].comment == comment  # stored as text, escaped where shown
    # Supervisors read it on the QA review page.
    lead = factories.make_agent("lead@helpdesk.test", role="supervisor")
    login(lead.email)
    review = client.get(f"/supervisor/qa/tickets/{ticket_id}").get_data(as_text=True)
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in review and comment not in review
    history = client.get(f"/agent/tickets/{ticket_id}").get_data(as_text=True)
    assert "customer rated 2/5: &lt;img src=x" in history and comment not in history


def test_no_survey_when_the_client_turned_csat_off(client, acme, queue, sink):
    client_id, key = acme
    db.session.execute(update(Client).where(Client.id == client_id).values(csat_enabled=False))
    db.session.commit()
    ticket_id = new_ticket(client, key)
    set_status(client, key, ticket_id, "solved")
    queue.run()
    assert surveys() == [] and sink.received == []
    # Even a job that was queued before the toggle changed sends nothing.
    get_queue(DEFAULT_QUEUE, queue.connection).enqueue("workers.jobs.send_csat_survey",
                                                        kwargs={"ticket_id": ticket_id})
    queue.run()
    assert surveys() == [] and sink.received == []


def test_unknown_or_forged_tokens_are_404(client, rated_flow):
    _, path, token = rated_flow
    page = client.get("/csat/not-a-real-token")
    assert page.status_code == 404 and "not valid" in page.get_data(as_text=True)
    forged = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert client.get(f"/csat/{forged}").status_code == 404
    csrf = form_token(client, path)
    answer = client.post(f"/csat/{forged}", json={"rating": 5}, headers={"X-CSRFToken": csrf})
    assert answer.status_code == 404 and answer.get_json()["error"]["code"] == "not_found"
    # The hash itself is not a token either.
    assert client.get(f"/csat/{surveys()[0].token_hash}").status_code == 404
    assert surveys()[0].answered_at is None


def test_the_survey_page_is_rate_limited(client, rated_flow):
    _, path, _ = rated_flow
    codes = [client.get(f"/csat/guess-{n}", environ_base={"REMOTE_ADDR": "10.9.9.9"}).status_code
             for n in range(9)]
    assert codes == [404] * 8 + [429]
    assert client.get(path, environ_base={"REMOTE_ADDR": "10.9.9.9"}).status_code == 429
    assert client.get(path, environ_base={"REMOTE_ADDR": "10.1.1.1"}).status_code == 200


def test_a_solved_chat_offers_the_survey_in_the_widget(app, client, acme, queue, sink):
    _, key = acme
    chat.set_allowed_origins("acme", [SITE])
    guest = socketio.test_client(app, namespace="/chat", auth={"client": "acme"}, headers={"Origin": SITE})
    started = guest.emit("start", {"text": "Where is my parcel?", "email": "vic@customer.example"},
                         namespace="/chat", callback=True)
    assert "token" in started, started
    ticket = db.session.scalar(select(Ticket).where(Ticket.channel == "chat"))
    queue.run()
    assert surveys() == []
    guest.get_received("/chat")
    set_status(client, key, ticket.id, "solved")
    queue.run()
    offers = [m["args"][0] for m in guest.get_received("/chat") if m["name"] == "csat"]
    assert len(offers) == 1 and offers[0]["path"].startswith("/csat/")
    assert sink.received == []  # a chat is not surveyed by email, even with an address
    (survey,) = surveys()
    assert survey.delivery_status == "offered"
    assert client.get(offers[0]["path"]).status_code == 200
    csrf = form_token(client, offers[0]["path"])
    assert client.post(offers[0]["path"], data={"rating": "5", "csrf_token": csrf}).status_code == 200
    assert surveys()[0].rating == 5
    guest.disconnect("/chat")


def test_a_widget_that_was_away_when_the_chat_was_solved_gets_a_fresh_link(app, client, acme, queue):
    _, key = acme
    chat.set_allowed_origins("acme", [SITE])
    guest = socketio.test_client(app, namespace="/chat", auth={"client": "acme"}, headers={"Origin": SITE})
    visitor_token = guest.emit("start", {"text": "Hello?"}, namespace="/chat", callback=True)["token"]
    guest.disconnect("/chat")
    ticket = db.session.scalar(select(Ticket).where(Ticket.channel == "chat"))
    set_status(client, key, ticket.id, "solved")
    queue.run()
    assert surveys()[0].delivery_status == "offered"  # offered to an empty room

    back = socketio.test_client(app, namespace="/chat", auth={"client": "acme", "token": visitor_token},
                                headers={"Origin": SITE})
    (resumed,) = [m["args"][0] for m in back.get_received("/chat") if m["name"] == "resumed"]
    assert resumed["csat"] == ticket.id
    first = back.emit("csat", {}, namespace="/chat", callback=True)
    second = back.emit("csat", {}, namespace="/chat", callback=True)
    assert first["ticket_id"] == ticket.id and first["path"] != second["path"]
    assert client.get(first["path"]).status_code == 404  # each new link replaces the last
    csrf = form_token(client, second["path"])
    assert client.post(second["path"], data={"rating": "3", "csrf_token": csrf}).status_code == 200
    back.disconnect("/chat")
    # Once rated, nothing is offered any more.
    again = socketio.test_client(app, namespace="/chat", auth={"client": "acme", "token": visitor_token},
                                 headers={"Origin": SITE})
    (resumed,) = [m["args"][0] for m in again.get_received("/chat") if m["name"] == "resumed"]
    assert resumed["csat"] is None
    assert again.emit("csat", {}, namespace="/chat", callback=True)["error"]["code"] == "not_found"
    again.disconnect("/chat")


def test_a_survey_mail_that_could_not_be_sent_is_retried_with_a_new_link(client, acme, queue):
    _, key = acme
    ticket_id = new_ticket(client, key)
    set_status(client, key, ticket_id, "solved")
    queue.run()  # no SMTP server listening
    (survey,) = surveys()
    assert (survey.delivery_status, survey.delivery_attempts, survey.sent_at) == ("retrying", 1, None)
    retry = db.session.scalars(select(Outbox).where(Outbox.task == "workers.jobs.send_csat_survey")
                               .order_by(Outbox.created_at)).all()[-1]
    assert retry.not_before is not None and retry.payload == {"ticket_id": ticket_id}
    first_hash = survey.token_hash

    handler = Capture()
    controller = Controller(handler, hostname="127.0.0.1", port=SMTP_PORT)
    controller.start()
    try:
        get_queue(DEFAULT_QUEUE, queue.connection).enqueue("workers.jobs.send_csat_survey", kwargs=retry.payload)
        queue.run()  # the retry, as the scheduler would release it
    finally:
        controller.stop()
    (survey,) = surveys()
    assert (survey.delivery_status, survey.delivery_attempts) == ("sent", 2)
    path, token = survey_link(handler)
    assert hashlib.sha256(token.encode()).hexdigest() == survey.token_hash != first_hash
    assert client.get(path).status_code == 200


@pytest.mark.slow
def test_the_widget_offers_the_survey_when_the_chat_is_solved(app, system, browser):
    """Headless Chromium on the real server and worker: the solve reaches the open widget live,
    a reload still shows the link, the visitor rates through it, and then it is gone."""
    import requests
    from playwright.sync_api import expect

    factories.make_region("manila")
    _, key = factories.make_client("acme", region_slugs=["manila"])
    chat.set_allowed_origins("acme", [system])
    db.session.remove()

    page = browser.new_page()
    page.goto(f"{system}/chat/acme/demo")
    page.get_by_role("button", name="Chat with us").click()
    page.get_by_label("Message").fill("Is my order shipped?")
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".hd-msg.visitor")).to_contain_text("Is my order shipped?")
    ticket_id = db.session.scalar(select(Ticket.id).where(Ticket.channel == "chat"))
    db.session.remove()
    solved = requests.patch(f"{system}{API}/{ticket_id}", json={"status": "solved"}, headers=auth(key), timeout=10)
    assert solved.status_code == 200, solved.text

    link = page.locator(".hd-csat a")
    expect(link).to_have_text("Rate this chat", timeout=15_000)
    href = link.get_attribute("href")
    assert href.startswith(f"{system}/csat/")
    page.reload()  # the widget keeps the offered link (the same one: no new token is drawn)
    page.get_by_role("button", name="Chat with us").click()
    expect(link).to_have_count(1)
    assert link.get_attribute("href") == href
    with page.context.expect_page() as opened:
        link.click()
    survey = opened.value
    expect(survey.locator(".csat-subject")).to_have_text("Chat: Is my order shipped?")
    survey.get_by_label("4").check()
    survey.get_by_label("Comment (optional)").fill("Fast answer")
    survey.get_by_role("button", name="Send").click()
    expect(survey.locator("h1")).to_have_text("Thank you!")

    page.reload()  # rated: nothing is offered any more
    page.get_by_role("button", name="Chat with us").click()
    expect(page.locator(".hd-msg.visitor")).to_have_count(1)
    expect(link).to_have_count(0)
    db.session.remove()
    (answered,) = surveys()
    assert (answered.rating, answered.comment) == (4, "Fast answer")
