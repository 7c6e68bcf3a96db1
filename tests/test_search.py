"""Ticket full-text search through the client API (/api/v1/tickets/search) and the staff API
(/agent/api/search): what is found, in which order, by whom, and that no query breaks it."""

from __future__ import annotations

import re

import pytest

from tests.factories import auth, make_agent, make_client

API = "/api/v1/tickets"
STAFF = "/agent/api"
META_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


# --------------------------------------------------------------------------- helpers


@pytest.fixture
def acme(client):
    return make_client("acme")


@pytest.fixture
def globex(client):
    return make_client("globex")


class Staff:
    """A signed-in browser with the CSRF token its page carries."""

    def __init__(self, browser) -> None:
        self.browser = browser
        page = browser.get("/agent").get_data(as_text=True)
        self.token = META_CSRF.search(page).group(1)

    def search(self, q: str | None, **params) -> list[dict]:
        response = self.raw_search(q, **params)
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()["tickets"]

    def raw_search(self, q: str | None, **params):
        query = {**({"q": q} if q is not None else {}), **params}
        return self.browser.get(f"{STAFF}/search", query_string=query)

    def note(self, ticket_id: int, body: str, internal: bool = True):
        response = self.browser.post(f"{STAFF}/tickets/{ticket_id}/messages", json={"body": body, "internal": internal},
                                     headers={"X-CSRFToken": self.token})
        assert response.status_code == 201, response.get_data(as_text=True)


@pytest.fixture
def sign_in(app, login):
    def do_sign_in(agent) -> Staff:
        browser = app.test_client()
        login(agent.email, test_client=browser)
        return Staff(browser)

    return do_sign_in


@pytest.fixture
def admin(acme, globex, sign_in) -> Staff:
    return sign_in(make_agent("admin@helpdesk.test", role="admin"))


def create(http, key: str, subject: str, body: str | None = None) -> dict:
    response = http.post(API, json={"subject": subject, **({"body": body} if body else {})}, headers=auth(key))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def add_message(http, key: str, ticket_id: int, body: str) -> None:
    response = http.post(f"{API}/{ticket_id}/messages", json={"body": body}, headers=auth(key))
    assert response.status_code == 201, response.get_json()


def api_search_raw(http, key: str, q: str | None, **params):
    query = {**({"q": q} if q is not None else {}), **params}
    return http.get(f"{API}/search", query_string=query, headers=auth(key))


def api_search(http, key: str, q: str, **params) -> list[dict]:
    response = api_search_raw(http, key, q, **params)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["data"]


def ids(rows: list[dict]) -> list[int]:
    return [row["id"] for row in rows]


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code and body["error"]["message"]
    return body["error"]


# --------------------------------------------------------------------------- what is found


def test_finds_a_ticket_by_a_word_of_its_subject(client, acme, admin):
    _, key = acme
    printer = create(client, key, "Printer on fire", "Smoke everywhere.")
    create(client, key, "Cannot log in", "Password reset loops.")
    assert ids(api_search(client, key, "printer")) == [printer["id"]]
    assert ids(api_search(client, key, "PRINTER")) == [printer["id"]]
    assert ids(admin.search("printer")) == [printer["id"]]
    found = api_search(client, key, "printer")[0]
    assert found["reference"] == "ACME-1" and found["subject"] == "Printer on fire"


def test_finds_a_word_that_is_only_in_a_message_body_as_soon_as_it_is_added(client, acme, admin):
    _, key = acme
    ticket = create(client, key, "Question", "Where is my parcel?")
    assert ids(api_search(client, key, "parcel")) == [ticket["id"]]
    assert api_search(client, key, "tracking") == []
    add_message(client, key, ticket["id"], "The tracking number does not work.")
    assert ids(api_search(client, key, "tracking")) == [ticket["id"]]
    assert ids(admin.search("tracking")) == [ticket["id"]]


def test_a_changed_subject_is_found_by_its_new_words_only(client, acme):
    _, key = acme
    ticket = create(client, key, "Printer jammed")
    response = client.patch(f"{API}/{ticket['id']}", json={"subject": "Scanner jammed"}, headers=auth(key))
    assert response.status_code == 200
    assert ids(api_search(client, key, "scanner")) == [ticket["id"]]
    assert api_search(client, key, "printer") == []


def test_finds_a_ticket_by_its_number_or_reference(client, acme, admin):
    _, key = acme
    tickets = [create(client, key, f"Ticket {word}") for word in ("alpha", "beta", "gamma")]
    second = tickets[1]
    for query in ("2", "#2", "ACME-2", "acme-2"):
        assert ids(api_search(client, key, query))[:1] == [second["id"]], query
        assert ids(admin.search(query))[:1] == [second["id"]], query
    assert api_search(client, key, "OTHER-2") == []


def test_a_number_match_comes_before_the_same_number_in_text(client, acme):
    _, key = acme
    first = create(client, key, "Order 2 missing", "Order 2 never came, order 2!")
    second = create(client, key, "Another question")
    assert ids(api_search(client, key, "2")) == [second["id"], first["id"]]


def test_phrases_exclusions_and_or(client, acme):
    _, key = acme
    fire = create(client, key, "Printer on fire")
    jam = create(client, key, "Printer paper jam")
    login = create(client, key, "Login fails")
    assert ids(api_search(client, key, '"printer on fire"')) == [fire["id"]]
    assert ids(api_search(client, key, '"fire printer"')) == []
    assert ids(api_search(client, key, "printer -fire")) == [jam["id"]]
    assert set(ids(api_search(client, key, "jam or login"))) == {jam["id"], login["id"]}


def test_multilingual_text_with_accents(client, acme, admin):
    _, key = acme
    polish = create(client, key, "Zamówienie nie dotarło", "Proszę o zwrot pieniędzy za zamówienie.")
    spanish = create(client, key, "Pedido", "Quiero la devolución del pedido, señor.")
    russian = create(client, key, "Заказ не пришёл")
    assert ids(api_search(client, key, "zamówienie")) == [polish["id"]]
    assert ids(api_search(client, key, "ZAMÓWIENIE")) == [polish["id"]]
    assert ids(api_search(client, key, "pieniędzy")) == [polish["id"]]
    assert ids(api_search(client, key, "devolución")) == [spanish["id"]]
    assert ids(api_search(client, key, "señor")) == [spanish["id"]]
    assert ids(admin.search("заказ")) == [russian["id"]]


# --------------------------------------------------------------------------- order and filters


def test_more_relevant_tickets_come_first_even_when_older(client, acme, admin):
    _, key = acme
    strong = create(client, key, "Refund request", "I want a refund. Refund please.")
    weak = create(client, key, "Question about my account", "Also maybe a refund at some point, "
                                                            "among many other words in this long message.")
    assert ids(api_search(client, key, "refund")) == [strong["id"], weak["id"]]
    assert ids(admin.search("refund")) == [strong["id"], weak["id"]]


def test_equally_relevant_tickets_come_most_recently_updated_first(client, acme):
    _, key = acme
    older = create(client, key, "Invoice copy")
    newer = create(client, key, "Invoice copy")
    assert ids(api_search(client, key, "invoice")) == [newer["id"], older["id"]]
    add_message(client, key, older["id"], "Any news?")  # no new match, but now the latest activity
    assert ids(api_search(client, key, "invoice")) == [older["id"], newer["id"]]


def test_status_filter_and_limit(client, acme, admin):
    _, key = acme
    rows = [create(client, key, f"Shipping delay {n}") for n in range(3)]
    solved = rows[0]
    assert client.patch(f"{API}/{solved['id']}", json={"status": "solved"}, headers=auth(key)).status_code == 200
    assert ids(api_search(client, key, "shipping", status="solved")) == [solved["id"]]
    assert set(ids(api_search(client, key, "shipping", status="new,open"))) == {rows[1]["id"], rows[2]["id"]}
    assert ids(admin.search("shipping", status="solved")) == [solved["id"]]
    assert len(api_search(client, key, "shipping", limit=2)) == 2
    assert len(admin.search("shipping", limit=1)) == 1
    assert_error(api_search_raw(client, key, "shipping", status="lost"), 422, "validation_failed")
    assert_error(admin.raw_search("shipping", status="lost"), 422, "validation_failed")
    assert_error(api_search_raw(client, key, "shipping", limit=101), 422, "validation_failed")


# --------------------------------------------------------------------------- who sees what


def test_an_api_key_never_finds_another_clients_ticket(client, acme, globex):
    _, acme_key = acme
    _, globex_key = globex
    mine = create(client, acme_key, "Broken widget")
    theirs = create(client, globex_key, "Xylophone broken", "The xylophone squeaks.")
    assert api_search(client, acme_key, "xylophone") == []
    assert ids(api_search(client, globex_key, "xylophone")) == [theirs["id"]]
    assert ids(api_search(client, acme_key, "broken")) == [mine["id"]]
    # Both have a ticket number 1: each key finds only its own.
    assert ids(api_search(client, acme_key, "1")) == [mine["id"]]
    assert ids(api_search(client, globex_key, "#1")) == [theirs["id"]]
    assert api_search(client, acme_key, "GLOBEX-1") == []


def test_an_agent_dedicated_to_one_client_never_finds_another_clients_ticket(client, acme, globex, admin,
                                                                              sign_in):
    _, acme_key = acme
    _, globex_key = globex
    mine = create(client, acme_key, "Broken widget", "Xylophone mentioned here too.")
    theirs = create(client, globex_key, "Xylophone broken")
    ana = sign_in(make_agent("ana@helpdesk.test", all_clients=False, client_slugs=["acme"]))
    assert ids(ana.search("xylophone")) == [mine["id"]]
    assert ids(ana.search("broken")) == [mine["id"]]
    assert ids(ana.search("GLOBEX-1")) == []
    assert set(ids(admin.search("xylophone"))) == {mine["id"], theirs["id"]}


def test_internal_notes_are_searched_for_staff_but_never_through_an_api_key(client, acme, admin):
    _, key = acme
    ticket = create(client, key, "Delivery question")
    admin.note(ticket["id"], "Customer is a known fraudster, escalate to loss prevention.")
    admin.note(ticket["id"], "We shipped the replacement today.", internal=False)
    assert ids(admin.search("fraudster")) == [ticket["id"]]
    assert api_search(client, key, "fraudster") == []
    assert ids(api_search(client, key, "replacement")) == [ticket["id"]]  # a reply the customer saw


def test_staff_search_needs_a_signed_in_user(client, acme):
    assert_error(client.get(f"{STAFF}/search", query_string={"q": "anything"}), 401, "unauthorized")


def test_client_search_needs_an_api_key(client, acme):
    assert_error(client.get(f"{API}/search", query_string={"q": "anything"}), 401, "unauthorized")


# --------------------------------------------------------------------------- bad and hostile queries


@pytest.mark.parametrize("query", [None, "", " ", "   \t", "x" * 201])
def test_an_empty_or_too_long_query_is_422(client, acme, admin, query):
    _, key = acme
    for response in (api_search_raw(client, key, query), admin.raw_search(query)):
        error = assert_error(response, 422, "validation_failed")
        assert "q" in error["details"], error


@pytest.mark.parametrize("query", ["!!!", "-refund", '-"refund"', "***", "()", "--"])
def test_a_query_with_nothing_to_look_for_is_422_with_a_clear_message(client, acme, admin, query):
    _, key = acme
    for response in (api_search_raw(client, key, query), admin.raw_search(query)):
        error = assert_error(response, 422, "validation_failed")
        assert "q" in error["details"], error


HOSTILE = [
    '"', '"unbalanced quote', 'printer"', '""', '"" printer', "*", "printer*", "*printer", "NEAR", "NEAR(a b)",
    "NEAR(printer fire, 2)", "a NEAR b", "AND", "OR", "NOT", "printer AND", "OR printer", "printer OR",
    "printer NOT", "NOT printer", "printer -", "- printer", "-printer fire", "printer --fire", "(((", ")",
    "(printer", "printer)", "^printer", "subject:printer", "body_text:fire", "{subject}: printer", ":", "+",
    "printer + fire", "a & b", "a | b", "!a", "a <-> b", "a:*", "'", "' OR 1=1 --", "'; DROP TABLE tickets; --",
    "\\", "\\x00", "%", "_", "%_%", "\x00", "printer\x00fire", "\x1b[31m", "😀", "printer 😀", "\u200b",
    "o\u0301", "\ufffd", "a" * 200, "a " * 100, "-a " * 66, '"' * 200, "#", "#-1", "#99999999999", "ACME-",
    "-1", "1e9", "0", "ACME-0", "0x10", "printer OR OR OR fire", "or or", "rank", "bm25(tickets_fts)",
    "tickets_fts", "MATCH", "printer MATCH fire",
]


def test_no_query_ever_breaks_search(client, acme, admin):
    _, key = acme
    create(client, key, "Printer on fire", "Near the window, the printer is smoking.")
    broken = []
    for query in HOSTILE:  # one setup for all: a sign-in per query would be most of the suite's time
        for response in (api_search_raw(client, key, query), admin.raw_search(query)):
            if response.status_code not in (200, 422) or not response.is_json:
                broken.append((query, response.status_code, response.get_data(as_text=True)[:200]))
    assert broken == []


def test_operator_words_are_searched_as_words(client, acme):
    _, key = acme
    near = create(client, key, "Store near me", "Or not? And so on.")
    for query in ("NEAR", "near", "NOT", "AND", '"or not"'):
        assert ids(api_search(client, key, query)) == [near["id"]], query


def test_search_is_in_the_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/tickets/search"]["get"]
    assert {"q", "status", "limit"} <= {p["name"] for p in operation["parameters"]}
