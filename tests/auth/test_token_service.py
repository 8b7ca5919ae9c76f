"""The token store and service on SQLite and PostgreSQL: secrets stored only as hashes,
expiry, revocation, who may see and revoke what, and notebook-server tokens."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import text

from jupyter_mlops.auth import TOKEN_PREFIX, SqlTokenStore, TokenService
from jupyter_mlops.errors import InvalidParameter, NotFound, PermissionDenied
from jupyter_mlops.tracking.store.sql_store import SqlTrackingStore


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000_000

    def __call__(self) -> int:
        return self.now


@pytest.fixture
def mlops_clock() -> Clock:
    return Clock()


@pytest.fixture
def mlops_tokens(mlops_store: SqlTrackingStore, mlops_clock: Clock) -> TokenService:
    return TokenService(SqlTokenStore(mlops_store.database), {"root"}, clock_ms=mlops_clock)


def test_a_token_acts_as_its_owner_and_only_its_hash_is_stored(
    mlops_tokens: TokenService, mlops_store: SqlTrackingStore
) -> None:
    record, secret = mlops_tokens.create_token("alice", note="laptop")
    assert secret.startswith(TOKEN_PREFIX) and len(secret) > 40
    assert record.owner == "alice" and record.note == "laptop" and record.expires_at is None
    assert secret.startswith(record.prefix)
    found = mlops_tokens.authenticate(secret)
    assert found is not None and found.owner == "alice" and found.id == record.id
    with mlops_store.database.read() as conn:
        stored = conn.execute(text("SELECT token_hash, prefix FROM api_tokens")).one()
    assert stored.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret[len(stored.prefix) :] not in str(tuple(stored))
    assert mlops_tokens.authenticate(secret + "x") is None
    assert mlops_tokens.authenticate("not-ours") is None


def test_expired_and_revoked_tokens_stop_working(
    mlops_tokens: TokenService, mlops_clock: Clock
) -> None:
    record, secret = mlops_tokens.create_token("alice", expires_in=60)
    assert record.expires_at == mlops_clock.now + 60_000
    mlops_clock.now += 59_000
    assert mlops_tokens.authenticate(secret) is not None
    mlops_clock.now += 1_000
    assert mlops_tokens.authenticate(secret) is None

    record, secret = mlops_tokens.create_token("alice")
    mlops_tokens.revoke_token("alice", record.id)
    assert mlops_tokens.authenticate(secret) is None
    with pytest.raises(NotFound):
        mlops_tokens.revoke_token("alice", record.id)


def test_last_use_is_recorded_to_the_minute(mlops_tokens: TokenService, mlops_clock: Clock) -> None:
    record, secret = mlops_tokens.create_token("alice")
    assert record.last_used is None
    first = mlops_clock.now
    mlops_tokens.authenticate(secret)
    mlops_clock.now += 30_000
    mlops_tokens.authenticate(secret)
    assert mlops_tokens.get_token("alice", record.id).last_used == first
    mlops_clock.now += 30_000
    mlops_tokens.authenticate(secret)
    assert mlops_tokens.get_token("alice", record.id).last_used == mlops_clock.now


def test_users_manage_their_own_tokens_and_admins_everyones(mlops_tokens: TokenService) -> None:
    alices, _ = mlops_tokens.create_token("alice", note="a")
    bobs, _ = mlops_tokens.create_token("bob", note="b")
    assert [t.id for t in mlops_tokens.list_tokens("alice").items] == [alices.id]
    assert [t.id for t in mlops_tokens.list_tokens("root").items] == [bobs.id, alices.id]
    assert [t.id for t in mlops_tokens.list_tokens("root", owner="bob").items] == [bobs.id]
    with pytest.raises(PermissionDenied) as denied:
        mlops_tokens.list_tokens("alice", owner="bob")
    assert denied.value.field == "owner"
    with pytest.raises(NotFound):  # not even told it exists
        mlops_tokens.revoke_token("alice", bobs.id)
    with pytest.raises(PermissionDenied):
        mlops_tokens.create_token("alice", owner="bob")
    for_alice, secret = mlops_tokens.create_token("root", owner="alice", note="by root")
    assert for_alice.owner == "alice"
    found = mlops_tokens.authenticate(secret)
    assert found is not None and found.owner == "alice"
    mlops_tokens.revoke_token("root", bobs.id)
    assert [t.owner for t in mlops_tokens.list_tokens("root").items] == ["alice", "alice"]


def test_paging(mlops_tokens: TokenService) -> None:
    ids = [mlops_tokens.create_token("alice")[0].id for _ in range(3)]
    first = mlops_tokens.list_tokens("alice", max_results=2)
    assert [t.id for t in first.items] == ids[::-1][:2] and first.next_page_token
    rest = mlops_tokens.list_tokens("alice", max_results=2, page_token=first.next_page_token)
    assert [t.id for t in rest.items] == [ids[0]] and rest.next_page_token is None


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"note": "x" * 1001}, "note"),
        ({"note": 3}, "note"),
        ({"expires_in": 0}, "expires_in"),
        ({"expires_in": "60"}, "expires_in"),
        ({"expires_in": True}, "expires_in"),
        ({"owner": ""}, "owner"),
    ],
)
def test_bad_input_names_the_field(
    mlops_tokens: TokenService, kwargs: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidParameter) as error:
        mlops_tokens.create_token("root", **kwargs)  # type: ignore[arg-type]
    assert error.value.field == field


def test_bad_ids_and_pages_name_the_field(mlops_tokens: TokenService) -> None:
    with pytest.raises(InvalidParameter) as error:
        mlops_tokens.get_token("alice", "abc")
    assert error.value.field == "token_id"
    with pytest.raises(InvalidParameter) as error:
        mlops_tokens.list_tokens("alice", page_token="x")
    assert error.value.field == "page_token"


def test_a_notebook_server_token_replaces_the_previous_one(mlops_tokens: TokenService) -> None:
    first = mlops_tokens.issue_server_token("alice", "gpu-box")
    second = mlops_tokens.issue_server_token("alice", "gpu-box")
    assert mlops_tokens.authenticate(first) is None
    token = mlops_tokens.authenticate(second)
    assert token is not None and token.owner == "alice"
    assert (
        token.notebook_server == "alice/gpu-box" and token.note == "notebook server alice/gpu-box"
    )
    own, _ = mlops_tokens.create_token("alice")
    assert mlops_tokens.revoke_server_tokens("alice", "gpu-box") == 1
    assert mlops_tokens.authenticate(second) is None
    assert [t.id for t in mlops_tokens.list_tokens("alice").items] == [own.id]
