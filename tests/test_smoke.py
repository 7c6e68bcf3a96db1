from tests.factories import auth, make_client


def test_create_and_read_ticket(client):
    _, key = make_client("acme")
    response = client.post("/api/v1/tickets", json={"subject": "Hello", "body": "Hi there",
                                                    "contact": {"email": "a@b.example"}}, headers=auth(key))
    assert response.status_code == 201, response.json
    ticket = response.json
    assert ticket["number"] == 1 and ticket["reference"] == "ACME-1"
    got = client.get(f"/api/v1/tickets/{ticket['id']}", headers=auth(key))
    assert got.status_code == 200
    assert got.json["messages"][0]["body"] == "Hi there"
