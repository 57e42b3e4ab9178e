"""Registration over the real HTTP API: what a client is told when it is refused."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.support.server import running_server

PASSWORD = "correct horse battery staple"


def _registration(email: str, password: str = PASSWORD) -> dict[str, str]:
    return {
        "email": email,
        "password": password,
        "date_of_birth": "1990-04-01",
        "country": "MT",
        "currency": "EUR",
    }


def test_the_registration_limit_says_it_is_about_registrations(tmp_path: Path) -> None:
    """Its 429 must not send the client looking for failed logins: its own type and detail,
    and the same Retry-After as every 429. Logins from that address are not held by it."""
    with (
        running_server(
            f"sqlite:///{tmp_path}/r.db", CROUPIER_REGISTRATIONS_PER_IP_PER_MINUTE="2"
        ) as base,
        httpx.Client(base_url=base) as client,
    ):
        for i in range(2):
            assert client.post("/v1/players", json=_registration(f"p{i}@example.com")).is_success
        refused = client.post("/v1/players", json=_registration("p2@example.com"))
        login = client.post("/v1/sessions", json={"email": "p0@example.com", "password": PASSWORD})
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    problem = refused.json()
    assert problem["type"] == "https://croupier.dev/problems/too-many-registrations"
    assert "registrations" in problem["detail"] and "login" not in problem["detail"]
    retry_after_s = int(refused.headers["Retry-After"])
    assert 1 <= retry_after_s <= 60 and problem["retry_after_s"] == retry_after_s
    assert login.status_code == 201


def test_weak_passwords_are_refused_saying_which_rule(tmp_path: Path) -> None:
    """The three passwords an adversarial test registered, now each a 422 naming the rule
    broken, never echoing the password; no player is left behind."""
    with (
        running_server(f"sqlite:///{tmp_path}/w.db") as base,
        httpx.Client(base_url=base) as client,
    ):
        answers = {
            password: client.post("/v1/players", json=_registration("weak@example.com", password))
            for password in [" " * 12, "\x00" * 12, "croupier2026", "Weak!!2026!!"]
        }
        login = client.post(
            "/v1/sessions", json={"email": "weak@example.com", "password": " " * 12}
        )
    details = {}
    for password, answer in answers.items():
        assert answer.status_code == 422, password
        problem = answer.json()
        assert problem["type"] == "https://croupier.dev/problems/invalid-registration"
        assert problem["detail"].startswith("password: ")
        assert password not in answer.text
        details[password] = problem["detail"]
    assert details == {
        " " * 12: "password: must not be only spaces or invisible characters",
        "\x00" * 12: "password: must not contain control characters such as NUL, tab or newline",
        "croupier2026": "password: must not be the site's name with only digits or symbols added",
        "Weak!!2026!!": "password: must not be your email address or its name with only digits"
        " or symbols added",
    }
    assert login.status_code == 401


def test_operators_add_their_own_context_words(tmp_path: Path) -> None:
    """Players see the operator's brand, not "Croupier": it is as guessable a password."""
    with (
        running_server(
            f"sqlite:///{tmp_path}/c.db", CROUPIER_PASSWORD_CONTEXT_WORDS="Lucky Seven"
        ) as base,
        httpx.Client(base_url=base) as client,
    ):
        brand = client.post("/v1/players", json=_registration("a@example.com", "LuckySeven2026!"))
        product = client.post("/v1/players", json=_registration("b@example.com", "croupier2026"))
    for answer in (brand, product):
        assert answer.status_code == 422
        assert answer.json()["detail"] == (
            "password: must not be the site's name with only digits or symbols added"
        )
