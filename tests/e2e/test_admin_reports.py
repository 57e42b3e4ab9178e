"""Reports and the audit trail on the admin API of a real ``croupier serve`` (SQLite and
PostgreSQL): a player plays rounds through the public API, payments and risk staff read each
report as JSON and CSV with the exact figures, an admin pages through the audit trail that
recorded all of it, and the chain verifies."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from typing import Any

import httpx
import pytest

from croupier.adapters.game_files import GameFiles, load_game_data
from croupier.services.catalogue import GameCatalogue, percent_value
from croupier.services.reports import ratio_text
from tests.support.backoffice import Server, Staff, bearer, create_staff, enrolled
from tests.support.held import GENEROUS_LIMITS, database_for_module, funded_player
from tests.support.raw_sql import raw_execute, raw_fetch
from tests.support.server import admin_url, running_server

pytestmark = pytest.mark.timeout(240)

DEPOSIT_MINOR = 50_000
SPIN_STAKES = (100, 200, 100, 500, 100, 200)
ROULETTE_BETS = (
    [{"type": "red", "stake": 100}],
    [{"type": "straight", "numbers": [17], "stake": 10}, {"type": "black", "stake": 50}],
    [{"type": "even", "stake": 200}],
)


@dataclass
class Played:
    """What the player's round answers add up to, per game."""

    rounds: dict[str, int] = field(default_factory=dict)
    bets: dict[str, int] = field(default_factory=dict)
    wins: dict[str, int] = field(default_factory=dict)  # the house's and the pool's
    jackpot_wins: dict[str, int] = field(default_factory=dict)
    contributions: dict[str, int] = field(default_factory=dict)

    def add(self, answer: dict[str, Any]) -> None:
        game = answer["game_id"]
        assert answer["status"] == "settled", answer
        for into, amount in (
            (self.rounds, 1),
            (self.bets, answer["stake"]),
            (self.wins, answer["win"] + (answer["jackpot_win"] or 0)),
            (self.jackpot_wins, answer["jackpot_win"] or 0),
            (self.contributions, answer["jackpot_contribution"] or 0),
        ):
            into[game] = into.get(game, 0) + amount


@dataclass
class Backoffice:
    server: Server
    database_url: str
    admin: Staff
    payments: Staff
    risk: Staff
    played: Played
    cash_minor: int  # the player's wallet after the rounds
    first_day: str  # a period sure to hold every round, even one played across midnight
    last_day: str


def _play(base: str) -> tuple[Played, int]:
    auth = funded_player(base, "reports@example.com", DEPOSIT_MINOR)
    played = Played()
    with httpx.Client(base_url=base, headers=auth, timeout=30) as player:
        for i, stake in enumerate(SPIN_STAKES):
            spin = player.post(
                "/v1/games/lotus-20/rounds",
                json={"stake": stake},
                headers={"Idempotency-Key": f"spin-{i:04d}"},
            )
            assert spin.status_code == 201, spin.text
            played.add(spin.json())
        for i, bets in enumerate(ROULETTE_BETS):
            wheel = player.post(
                "/v1/games/european-roulette/rounds",
                json={"bets": bets},
                headers={"Idempotency-Key": f"wheel-{i:04d}"},
            )
            assert wheel.status_code == 201, wheel.text
            played.add(wheel.json())
        wallet = player.get("/v1/wallet").json()
    assert wallet["pending"] == 0
    return played, wallet["cash"]


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def backoffice(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Backoffice]:
    directory = tmp_path_factory.mktemp("reports")
    with database_for_module(request.param, directory) as database_url:
        for username, role in (("ada", "admin"), ("pat", "payments"), ("rita", "risk")):
            create_staff(database_url, directory, username, role)
        with running_server(database_url, **GENEROUS_LIMITS) as base:
            admin = admin_url(base)
            ada, pat, rita = (enrolled(admin, username) for username in ("ada", "pat", "rita"))
            before = datetime.now(UTC).date() - timedelta(days=1)
            played, cash = _play(base)
            after = datetime.now(UTC).date() + timedelta(days=1)
            yield Backoffice(
                Server(base, admin),
                database_url,
                admin=ada,
                payments=pat,
                risk=rita,
                played=played,
                cash_minor=cash,
                first_day=before.isoformat(),
                last_day=after.isoformat(),
            )


def _get(office: Backoffice, who: Staff, path: str, **params: Any) -> httpx.Response:
    return httpx.get(
        f"{office.server.admin}/admin/v1{path}", params=params, headers=bearer(who), timeout=30
    )


def _csv_cell(value: Any) -> str:
    """How the CSV writes a JSON value (the reports' documented rendering)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _assert_csv_matches(answer: httpx.Response, rows: list[dict[str, Any]], name: str) -> None:
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert answer.headers["content-disposition"] == f'attachment; filename="{name}.csv"'
    read = list(csv.DictReader(io.StringIO(answer.text)))
    assert read == [{key: _csv_cell(value) for key, value in row.items()} for row in rows]
    assert answer.text.splitlines()[0].startswith(",".join(rows[0]))  # the header, in order


def test_ggr_shows_exactly_the_rounds_played(backoffice: Backoffice) -> None:
    office, played = backoffice, backoffice.played
    period = {"from": office.first_day, "to": office.last_day}
    answer = _get(office, office.payments, "/reports/ggr", **period)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["report"], body["from"], body["to"], body["game"]) == (
        "ggr",
        office.first_day,
        office.last_day,
        None,
    )
    rows = body["rows"]
    seed = load_game_data("lotus-20")["jackpot"]["seed_minor"]
    funding = {"lotus-20": seed + played.contributions["lotus-20"], "european-roulette": 0}
    for game in ("lotus-20", "european-roulette"):
        mine = [row for row in rows if row["game_id"] == game]
        assert {(row["currency"], row["exponent"]) for row in mine} == {("EUR", 2)}
        total = {
            column: sum(row[column] for row in mine)
            for column in ("rounds", "bets_minor", "wins_minor", "jackpot_wins_minor")
        }
        assert total == {
            "rounds": played.rounds[game],
            "bets_minor": played.bets[game],
            "wins_minor": played.wins[game],
            "jackpot_wins_minor": played.jackpot_wins[game],
        }
        assert sum(row["jackpot_funding_minor"] for row in mine) == funding[game]
        for row in mine:
            assert row["ggr_minor"] == row["bets_minor"] - row["wins_minor"]
            assert row["ngr_minor"] == (
                row["ggr_minor"] - row["jackpot_funding_minor"] + row["jackpot_wins_minor"]
            )
    assert {row["game_id"] for row in rows} == {"lotus-20", "european-roulette"}

    as_csv = _get(office, office.payments, "/reports/ggr", **period, format="csv")
    _assert_csv_matches(as_csv, rows, f"croupier-ggr-{office.first_day}-{office.last_day}")
    one_game = httpx.get(
        f"{office.server.admin}/admin/v1/reports/ggr",
        params={**period, "game": "lotus-20"},
        headers={**bearer(office.risk), "Accept": "text/csv"},
        timeout=30,
    )
    lotus = [row for row in rows if row["game_id"] == "lotus-20"]
    name = f"croupier-ggr-lotus-20-{office.first_day}-{office.last_day}"
    _assert_csv_matches(one_game, lotus, name)


def test_rtp_shows_observed_against_theoretical(backoffice: Backoffice) -> None:
    office, played = backoffice, backoffice.played
    period = {"from": office.first_day, "to": office.last_day}
    answer = _get(office, office.risk, "/reports/rtp", **period)
    assert answer.status_code == 200, answer.text
    rows = answer.json()["rows"]
    catalogue = GameCatalogue.load(GameFiles.shipped())
    assert [(row["game_id"], row["currency"]) for row in rows] == [
        ("european-roulette", "EUR"),
        ("lotus-20", "EUR"),
    ]
    for row in rows:
        game = row["game_id"]
        certified = catalogue.get(game)
        assert certified is not None and certified.rtp is not None
        bets, wins = played.bets[game], played.wins[game]
        assert (row["rounds"], row["bets_minor"], row["wins_minor"]) == (
            played.rounds[game],
            bets,
            wins,
        )
        assert row["observed"] == ratio_text(Fraction(wins, bets))
        assert row["theoretical"] == ratio_text(Fraction(percent_value(certified.rtp)) / 100)
        inside = Fraction(row["low"]) <= Fraction(wins, bets) <= Fraction(row["high"])
        assert row["flagged"] is not inside
    as_csv = _get(office, office.payments, "/reports/rtp", **period, format="csv")
    _assert_csv_matches(as_csv, rows, f"croupier-rtp-{office.first_day}-{office.last_day}")


def test_liabilities_equal_the_players_wallet(backoffice: Backoffice) -> None:
    office = backoffice
    answer = _get(office, office.payments, "/reports/liabilities")
    assert answer.status_code == 200, answer.text
    assert answer.headers["croupier-liabilities-match"] == "true"
    body = answer.json()
    assert (body["matches_ledger"], body["mismatched_currencies"]) == (True, [])
    [eur] = body["rows"]
    played = office.played
    stakes, wins = sum(played.bets.values()), sum(played.wins.values())
    assert office.cash_minor == DEPOSIT_MINOR - stakes + wins
    assert {key: eur[key] for key in ("currency", "cash_minor", "total_minor")} == {
        "currency": "EUR",
        "cash_minor": office.cash_minor,
        "total_minor": office.cash_minor,
    }
    assert (eur["reserved_minor"], eur["ledger_cash_minor"], eur["matches"]) == (
        0,
        office.cash_minor,
        True,
    )
    assert eur["as_of_batch"] == body["as_of_batch"] > 0
    as_csv = httpx.get(
        f"{office.server.admin}/admin/v1/reports/liabilities",
        headers={**bearer(office.risk), "Accept": "text/csv"},
        timeout=30,
    )
    name = as_csv.headers["content-disposition"].split('"')[1].removesuffix(".csv")
    day = name.removeprefix("croupier-liabilities-")  # the server's today, in UTC
    assert office.first_day < day < office.last_day
    _assert_csv_matches(as_csv, [eur], name)


def test_bad_periods_are_refused_and_show_nothing(backoffice: Backoffice) -> None:
    office = backoffice
    before = _audit(office, action="report.viewed", limit=1000)["items"]
    for path, params, code in (
        ("/reports/ggr", {"from": "2030-02-01", "to": "2030-01-01"}, "invalid-report"),
        ("/reports/rtp", {"from": "2028-01-01", "to": "2030-01-01"}, "invalid-report"),
        ("/reports/ggr", {"from": "1969-12-31", "to": "1970-01-02"}, "invalid-report"),
        ("/reports/ggr", {"from": "2030-13-01"}, "invalid-request"),
        ("/reports/ggr", {"game": "../../etc"}, "invalid-request"),
        ("/reports/rtp", {"format": "xml"}, "invalid-request"),
        ("/reports/liabilities", {"format": "pdf"}, "invalid-request"),
    ):
        refused = _get(office, office.payments, path, **params)
        assert refused.status_code == 422, (path, params, refused.text)
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["type"].endswith(f"/{code}"), refused.text
    after = _audit(office, action="report.viewed", limit=1000)["items"]
    assert after == before  # a refused report is not a report viewed


def _audit(office: Backoffice, **params: Any) -> dict[str, Any]:
    answer = _get(office, office.admin, "/audit", **params)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def _me(office: Backoffice, who: Staff) -> str:
    return str(_get(office, who, "/me").json()["staff"]["staff_id"])


def test_an_admin_pages_through_the_audit_trail_with_filters(backoffice: Backoffice) -> None:
    office = backoffice
    pat = f"staff:{_me(office, office.payments)}"
    rita = f"staff:{_me(office, office.risk)}"
    period = {"from": office.first_day, "to": office.last_day}
    for who in (office.payments, office.risk):
        assert _get(office, who, "/reports/ggr", **period, format="csv").status_code == 200

    logins = _audit(office, action="staff.login", actor=pat)["items"]
    assert [(r["action"], r["actor"]) for r in logins][:1] == [("staff.login", pat)]
    assert all(r["source_ip"] == "127.0.0.1" for r in logins)

    seen: list[dict[str, Any]] = []
    page = _audit(office, action="report.", limit=2)
    bound = page["through_seq"]
    pages = 1
    while True:
        seen += page["items"]
        assert len(page["items"]) <= 2
        if page["next"] is None:
            break
        assert f"through_seq={bound}" in page["next"] and "action=report." in page["next"]
        followed = httpx.get(
            f"{office.server.admin}{page['next']}", headers=bearer(office.admin), timeout=30
        )
        assert followed.status_code == 200, followed.text
        page, pages = followed.json(), pages + 1
    assert pages > 1 and [r["seq"] for r in seen] == sorted({r["seq"] for r in seen})
    assert all(r["action"].startswith("report.") and r["seq"] <= bound for r in seen)
    views = [r for r in seen if r["action"] == "report.viewed"]
    shown = {**period, "game": None, "format": "csv", "report": "ggr"}
    last_two = [(r["actor"], r["subject"], {k: r["after"][k] for k in shown}) for r in views[-2:]]
    assert last_two == [(pat, "report:ggr", shown), (rita, "report:ggr", shown)]
    assert {r["source_ip"] for r in views} == {"127.0.0.1"}
    assert {r["actor"] for r in views} >= {pat, rita}

    # Reading was recorded too: one audit.viewed per page, each naming its filters and bound.
    ada = f"staff:{_me(office, office.admin)}"
    reads = _audit(office, action="audit.viewed", actor=ada, after_seq=bound, limit=1000)
    filtered = [r["after"] for r in reads["items"] if r["after"]["action"] == "report."]
    assert len(filtered) == pages
    assert [r["through_seq"] for r in filtered] == [None] + [bound] * (pages - 1)

    by_subject = _audit(office, subject="report:liabilities", actor=rita)["items"]
    assert {r["action"] for r in by_subject} <= {"report.viewed"}
    within = _audit(office, since="2000-01-01T00:00Z", until="2000-01-02T00:00Z")
    assert within["items"] == [] and within["next"] is None


def test_audit_paging_ends_though_each_page_read_appends(backoffice: Backoffice) -> None:
    office = backoffice
    page = _audit(office, action="audit.", limit=1)
    bound, reads = page["through_seq"], 1
    while page["next_after_seq"] is not None:
        page = _audit(
            office, action="audit.", limit=1, after_seq=page["next_after_seq"], through_seq=bound
        )
        reads += 1
        assert reads < 1000, "paging never reached the bound"
    fresh = _audit(office, action="audit.viewed", after_seq=bound)["items"]
    assert len(fresh) == reads  # each read recorded, none of them listed by this listing


def test_audit_verify_answers_ok_and_checks_an_anchor(backoffice: Backoffice) -> None:
    office = backoffice
    report = _get(office, office.admin, "/audit/verify").json()
    assert report["ok"] is True and report["problem"] is None
    assert report["records"] == report["head_seq"] > 0
    anchor = f"{report['head_seq']}:{report['head_hash']}"
    assert _get(office, office.admin, "/audit/verify", expect=anchor).json()["ok"] is True
    wrong = f"{report['head_seq']}:{'0' * 64}"
    rewritten = _get(office, office.admin, "/audit/verify", expect=wrong)
    assert rewritten.status_code == 200 and rewritten.json()["ok"] is False
    assert "rewritten" in rewritten.json()["problem"]
    bad = _get(office, office.admin, "/audit/verify", expect="12:nothex")
    assert bad.status_code == 422 and bad.headers["content-type"] == "application/problem+json"
    verified = _audit(office, action="audit.verified", after_seq=report["head_seq"])["items"]
    assert [r["after"]["ok"] for r in verified] == [True, True, False]


async def test_a_liabilities_mismatch_is_said_loudly_and_audited(backoffice: Backoffice) -> None:
    """Last in the module: it edits a balance behind the ledger's back (then puts it back)."""
    office = backoffice
    url = office.database_url
    [(account,)] = await raw_fetch(url, "SELECT id FROM accounts WHERE kind = 'player_cash'")
    tamper = "UPDATE accounts SET credits_posted = credits_posted {} 1 WHERE id = '{}';"
    await raw_execute(url, tamper.format("+", account))
    try:
        answer = _get(office, office.risk, "/reports/liabilities")
        as_csv = _get(office, office.risk, "/reports/liabilities", format="csv")
    finally:
        await raw_execute(url, tamper.format("-", account))
    assert answer.status_code == 200, answer.text
    assert answer.headers["croupier-liabilities-match"] == "false"
    body = answer.json()
    assert (body["matches_ledger"], body["mismatched_currencies"]) == (False, ["EUR"])
    [eur] = body["rows"]
    assert (eur["cash_minor"], eur["ledger_cash_minor"], eur["matches"]) == (
        office.cash_minor + 1,
        office.cash_minor,
        False,
    )
    assert as_csv.headers["croupier-liabilities-match"] == "false"
    assert as_csv.text.splitlines()[1].split(",")[9] == "false"  # the `matches` column
    rita = f"staff:{_me(office, office.risk)}"
    alarms = _audit(office, action="report.liabilities.mismatch")["items"]
    assert [(r["actor"], r["after"]["currencies"]) for r in alarms] == [
        (rita, ["EUR"]),
        (rita, ["EUR"]),
    ]
    assert alarms[0]["after"]["rows"][0]["cash_minor"] == office.cash_minor + 1
    sound = _get(office, office.payments, "/reports/liabilities").json()
    assert sound["matches_ledger"] is True
