"""Run search in the SQL store: filters, ordering, keyset pages and counts."""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass

import pytest

from jupyter_mlops.database.comparisons import like_to_glob
from jupyter_mlops.errors import InvalidParameter
from jupyter_mlops.tracking.entities import LifecycleStage, Metric, RunStatus, ViewType
from jupyter_mlops.tracking.store.search_sql import RunSearch
from jupyter_mlops.tracking.store.sql_store import SqlTrackingStore

NAN = float("nan")


@dataclass
class World:
    store: SqlTrackingStore
    a: str  # experiment "vision"
    b: str  # experiment "nlp"
    ids: dict[str, str]  # run name -> run id

    def names(self, filter_string: str | None = None, **kwargs: object) -> list[str]:
        """Names of the matching runs in page order (one big page)."""
        kwargs.setdefault("experiment_ids", [self.a, self.b])
        page = self.store.search_runs(filter_string=filter_string, max_results=1000, **kwargs)  # type: ignore[arg-type]
        assert page.next_page_token is None
        return [r.info.run_name for r in page.items]

    def match(self, filter_string: str, **kwargs: object) -> set[str]:
        found = self.names(filter_string, **kwargs)
        count_args = {k: v for k, v in kwargs.items() if k in ("experiment_ids", "view")}
        count_args.setdefault("experiment_ids", [self.a, self.b])
        assert self.store.count_runs(filter_string=filter_string, **count_args) == len(found)  # type: ignore[arg-type]
        return set(found)


@pytest.fixture(scope="module")
def mlops_world(mlops_module_store: SqlTrackingStore) -> World:
    """Five runs in two experiments with varied params, tags, metrics and attributes.

    Built once per database; every test here only reads.
    """
    s = mlops_module_store
    a = s.create_experiment("vision", "alice").experiment_id
    b = s.create_experiment("nlp", "bob").experiment_id
    ids: dict[str, str] = {}

    def run(exp: str, name: str, user: str, start: int, **data: object) -> str:
        run_id = s.create_run(exp, user, run_name=name, start_time=start).info.run_id
        s.log_batch(run_id, **data)  # type: ignore[arg-type]
        ids[name] = run_id
        return run_id

    run(
        a, "alpha", "alice", 1000,
        metrics=[Metric("loss", 3.0, 1, 0), Metric("loss", 0.5, 2, 1), Metric("acc", 0.9, 2, 1)],
        params={"lr": "0.1", "opt": "Adam"}, tags={"team": "DS"},
    )  # fmt: skip
    run(
        a, "beta", "bob", 2000,
        metrics=[Metric("loss", 0.2, 1, 0), Metric("loss", 0.8, 2, 1)],
        params={"lr": "0.01", "opt": "sgd"}, tags={"team": "ml"},
    )  # fmt: skip
    gamma = run(a, "gamma*[1]?", "alice", 3000, params={"lr": "0.1"})
    s.update_run(gamma, status=RunStatus.FINISHED, end_time=3500)
    run(
        b, "Alpha", "carol", 4000,
        metrics=[Metric("loss", NAN, 1, 0)],
        params={"opt": "adam"}, tags={"team": "ds", "odd key": "x"},
    )  # fmt: skip
    gone = run(b, "deleted", "dave", 5000, params={"lr": "0.1"})
    s.set_run_lifecycle(gone, LifecycleStage.DELETED)
    return World(s, a, b, ids)


ALL_ACTIVE = {"alpha", "beta", "gamma*[1]?", "Alpha"}


@pytest.mark.parametrize(
    ("filter_string", "expected"),
    [
        ("metrics.loss = 0.5", {"alpha"}),
        ("metrics.loss != 0.5", {"beta"}),  # no key, no match; NaN matches no comparison
        ("metrics.loss < 0.8", {"alpha"}),
        ("metrics.loss <= 0.8", {"alpha", "beta"}),
        ("metrics.loss > 0.5", {"beta"}),
        ("metrics.loss >= 0.5", {"alpha", "beta"}),
        ("min(metrics.loss) < 0.3", {"beta"}),
        ("max(metrics.loss) >= 3", {"alpha"}),
        ("metrics.acc > 0", {"alpha"}),
        ("params.lr = '0.1'", {"alpha", "gamma*[1]?"}),
        ("params.lr != '0.1'", {"beta"}),
        ("params.opt LIKE 'A%'", {"alpha"}),  # LIKE is case-sensitive
        ("params.opt ILIKE 'a%'", {"alpha", "Alpha"}),
        ("params.opt LIKE '_dam'", {"alpha", "Alpha"}),
        ("params.opt IN ('sgd', 'adam')", {"beta", "Alpha"}),
        ("params.opt NOT IN ('sgd', 'adam')", {"alpha"}),
        ("tags.team = 'ds'", {"Alpha"}),
        ("tags.team != 'ds'", {"alpha", "beta"}),
        ("tags.team LIKE 'd%'", {"Alpha"}),
        ("tags.team ILIKE 'D%'", {"alpha", "Alpha"}),
        ("tags.team IN ('DS', 'ml')", {"alpha", "beta"}),
        ("tags.team NOT IN ('DS')", {"beta", "Alpha"}),
        ("tags.`odd key` = 'x'", {"Alpha"}),
        ("attributes.run_name = 'alpha'", {"alpha"}),
        ("attributes.run_name LIKE 'alpha'", {"alpha"}),
        ("attributes.run_name ILIKE 'alpha'", {"alpha", "Alpha"}),
        ("attributes.run_name LIKE 'gamma*[1]?'", {"gamma*[1]?"}),  # GLOB characters are literal
        ("attributes.run_name LIKE 'gamma%'", {"gamma*[1]?"}),
        ("attributes.run_name != 'alpha'", {"beta", "gamma*[1]?", "Alpha"}),
        ("attributes.status = 'FINISHED'", {"gamma*[1]?"}),
        ("attributes.status != 'FINISHED'", {"alpha", "beta", "Alpha"}),
        ("attributes.user IN ('alice', 'carol')", {"alpha", "gamma*[1]?", "Alpha"}),
        ("attributes.user NOT IN ('alice')", {"beta", "Alpha"}),
        ("attributes.start_time > 2000", {"gamma*[1]?", "Alpha"}),
        ("attributes.start_time <= 2000", {"alpha", "beta"}),
        ("attributes.start_time = 1000", {"alpha"}),
        ("attributes.start_time != 1000", {"beta", "gamma*[1]?", "Alpha"}),
        ("attributes.start_time >= 4000", {"Alpha"}),
        ("attributes.start_time < 1000", set()),
        ("attributes.end_time = 3500", {"gamma*[1]?"}),
        ("attributes.experiment = 'nlp'", {"Alpha"}),
        ("attributes.experiment ILIKE 'VIS%'", {"alpha", "beta", "gamma*[1]?"}),
        ("attributes.lifecycle_stage = 'active'", ALL_ACTIVE),
        ("metrics.loss < 1 AND params.lr = '0.1'", {"alpha"}),
        ("metrics.loss < 1 OR params.lr = '0.1'", {"alpha", "beta", "gamma*[1]?"}),
        ("(params.opt = 'sgd' OR tags.team = 'ds') AND attributes.user != 'bob'", {"Alpha"}),
        (
            "params.opt = 'sgd' OR (tags.team = 'ds' AND attributes.user != 'bob')",
            {"beta", "Alpha"},
        ),
        ("params.missing = 'x'", set()),
    ],
)
def test_filter(mlops_world: World, filter_string: str, expected: set[str]) -> None:
    assert mlops_world.match(filter_string) == expected


def test_filter_on_run_and_experiment_ids(mlops_world: World) -> None:
    alpha, beta = mlops_world.ids["alpha"], mlops_world.ids["beta"]
    assert mlops_world.match(f"attributes.run_id IN ('{alpha}', '{beta}')") == {"alpha", "beta"}
    assert mlops_world.match(f"attributes.run_id = '{alpha}'") == {"alpha"}
    assert mlops_world.match(f"attributes.experiment_id = '{mlops_world.b}'") == {"Alpha"}


def test_experiments_views_and_all_experiments(mlops_world: World) -> None:
    assert set(mlops_world.names(experiment_ids=[mlops_world.b])) == {"Alpha"}
    everywhere = set(mlops_world.names(experiment_ids=[]))  # empty: every experiment
    assert everywhere >= ALL_ACTIVE and "deleted" not in everywhere
    assert mlops_world.names(experiment_ids=["0"]) == []
    assert mlops_world.names(view=ViewType.DELETED_ONLY) == ["deleted"]
    assert set(mlops_world.names(view=ViewType.ALL)) == {*ALL_ACTIVE, "deleted"}
    assert mlops_world.match("params.lr = '0.1'", view=ViewType.ALL) == {
        "alpha",
        "gamma*[1]?",
        "deleted",
    }
    with pytest.raises(InvalidParameter) as info:
        mlops_world.names(experiment_ids=["x"])
    assert info.value.field == "experiment_ids"


def test_search_returns_params_tags_and_metric_summaries(mlops_world: World) -> None:
    (run,) = mlops_world.store.search_runs([mlops_world.a], "attributes.run_name = 'alpha'").items
    assert run.params == {"lr": "0.1", "opt": "Adam"}
    assert run.tags == {"team": "DS"}
    loss = run.metrics["loss"]
    assert (loss.value, loss.step, loss.min, loss.max) == (0.5, 1, 0.5, 3.0)
    assert run == mlops_world.store.get_run(run.info.run_id)


def test_bad_filter_and_order_by_are_invalid_parameters(mlops_world: World) -> None:
    with pytest.raises(InvalidParameter) as info:
        mlops_world.names("metrics.loss <")
    assert info.value.field == "filter"
    with pytest.raises(InvalidParameter) as info:
        mlops_world.names(order_by=["metrics.loss SIDEWAYS"])
    assert (info.value.field or "").startswith("order_by")


@pytest.mark.parametrize("max_results", [0, -1, 50_001])
def test_max_results_bounds(mlops_world: World, max_results: int) -> None:
    with pytest.raises(InvalidParameter) as info:
        mlops_world.store.search_runs([], max_results=max_results)
    assert info.value.field == "max_results"


@pytest.mark.parametrize(
    ("order_by", "expected"),
    [
        (None, ["Alpha", "gamma*[1]?", "beta", "alpha"]),  # default: newest first
        (["attributes.start_time"], ["alpha", "beta", "gamma*[1]?", "Alpha"]),
        (["attributes.run_name ASC"], ["Alpha", "alpha", "beta", "gamma*[1]?"]),
        (
            ["attributes.user DESC", "attributes.start_time"],
            ["Alpha", "beta", "alpha", "gamma*[1]?"],
        ),
        (["attributes.end_time DESC", "start_time DESC"], ["gamma*[1]?", "Alpha", "beta", "alpha"]),
        (["attributes.experiment", "start_time DESC"], ["Alpha", "gamma*[1]?", "beta", "alpha"]),
        # Runs without the key (or with a NaN latest value) come last in both directions.
        (["metrics.loss", "start_time"], ["alpha", "beta", "gamma*[1]?", "Alpha"]),
        (["metrics.loss DESC", "start_time"], ["beta", "alpha", "gamma*[1]?", "Alpha"]),
        (["min(metrics.loss) DESC", "start_time"], ["alpha", "beta", "gamma*[1]?", "Alpha"]),
        (["max(metrics.loss)", "start_time DESC"], ["beta", "alpha", "Alpha", "gamma*[1]?"]),
        (["params.opt"], ["Adam", "adam", "sgd", None]),
        (["params.opt DESC"], ["sgd", "adam", "Adam", None]),
        (["tags.team DESC"], ["ml", "ds", "DS", None]),
        (["params.lr", "metrics.loss DESC"], ["beta", "alpha", "gamma*[1]?", "Alpha"]),
    ],
)
def test_order_by(
    mlops_world: World, order_by: list[str] | None, expected: list[str | None]
) -> None:
    runs = mlops_world.store.search_runs([mlops_world.a, mlops_world.b], order_by=order_by).items
    if order_by and len(order_by) == 1 and order_by[0].startswith(("params.", "tags.")):
        kind, key = order_by[0].split()[0].split(".")
        got: list[str | None] = [(r.params if kind == "params" else r.tags).get(key) for r in runs]
    else:
        got = [r.info.run_name for r in runs]
    assert got == expected


def _walk(
    store: SqlTrackingStore, experiment_ids: Sequence[str], page_size: int, **kwargs: object
) -> list[str]:
    seen: list[str] = []
    token = None
    while True:
        page = store.search_runs(experiment_ids, max_results=page_size, page_token=token, **kwargs)  # type: ignore[arg-type]
        assert len(page.items) <= page_size
        seen += [r.info.run_id for r in page.items]
        token = page.next_page_token
        if token is None:
            return seen


@pytest.fixture(scope="module")
def mlops_many_runs(mlops_module_store: SqlTrackingStore) -> tuple[SqlTrackingStore, str]:
    """23 runs with tied start times, tied and missing metric/param values."""
    mlops_store = mlops_module_store
    eid = mlops_store.create_experiment("many", "alice").experiment_id
    for i in range(23):
        run_id = mlops_store.create_run(eid, "alice", start_time=1000 + i // 4).info.run_id
        metrics = [Metric("score", float(i % 3), 1)] if i % 5 else []  # every 5th has none
        params = {"group": f"g{i % 2}"} if i % 7 else {}
        mlops_store.log_batch(run_id, metrics=metrics, params=params)
    return mlops_store, eid


@pytest.mark.parametrize(
    "order_by",
    [
        None,
        ["attributes.start_time ASC"],
        ["metrics.score"],
        ["metrics.score DESC", "params.group"],
        ["params.group DESC", "start_time"],
        ["attributes.end_time"],  # all missing
    ],
)
@pytest.mark.parametrize("page_size", [1, 4, 7])
def test_pagination_walks_every_run_once_in_order(
    mlops_many_runs: tuple[SqlTrackingStore, str], order_by: list[str] | None, page_size: int
) -> None:
    store, eid = mlops_many_runs
    everything = [
        r.info.run_id for r in store.search_runs([eid], order_by=order_by, max_results=100).items
    ]
    assert len(everything) == 23

    walked = _walk(store, [eid], page_size, order_by=order_by)
    assert walked == everything  # same order, no duplicates, no gaps


def test_pagination_with_filter_and_exact_last_page(
    mlops_many_runs: tuple[SqlTrackingStore, str],
) -> None:
    store, eid = mlops_many_runs
    matching = store.count_runs([eid], "metrics.score >= 1")
    assert matching == 12
    walked = _walk(store, [eid], 4, filter_string="metrics.score >= 1")
    assert len(walked) == len(set(walked)) == matching
    last = store.search_runs([eid], "metrics.score >= 1", max_results=matching)
    assert last.next_page_token is None


def test_page_token_from_another_query_or_garbled_is_refused(
    mlops_many_runs: tuple[SqlTrackingStore, str],
) -> None:
    store, eid = mlops_many_runs
    token = store.search_runs([eid], max_results=5).next_page_token
    assert token is not None

    tampered_value = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    tampered_value["v"] = ["not a time"]
    retyped = base64.urlsafe_b64encode(json.dumps(tampered_value).encode()).decode()
    for bad_call in (
        lambda: store.search_runs([eid], "metrics.score > 0", max_results=5, page_token=token),
        lambda: store.search_runs(
            [eid], max_results=5, order_by=["metrics.score"], page_token=token
        ),
        lambda: store.search_runs([], max_results=5, page_token=token),
        lambda: store.search_runs([eid], max_results=5, view=ViewType.ALL, page_token=token),
        lambda: store.search_runs([eid], max_results=5, page_token="garbage!"),
        lambda: store.search_runs([eid], max_results=5, page_token=token[:-3]),
        lambda: store.search_runs([eid], max_results=5, page_token=retyped),
    ):
        with pytest.raises(InvalidParameter) as info:
            bad_call()
        assert info.value.field == "page_token"
    # The right query may change its page size between pages.
    assert len(store.search_runs([eid], max_results=2, page_token=token).items) == 2


@pytest.mark.parametrize(
    "filter_string",
    [
        "metrics.loss < 1",
        "params.lr = '0.1' AND tags.team ILIKE 'd%'",
        "params.opt LIKE '%a%' AND (metrics.loss > 0 OR tags.team = 'ml')",
        "min(metrics.loss) >= 0.2 AND params.lr != '0.01'",
    ],
)
def test_dense_and_sparse_compilations_agree(mlops_world: World, filter_string: str) -> None:
    """SQLite compiles terms many runs match as EXISTS, others as IN: same answers."""
    store = mlops_world.store
    ids = [mlops_world.a, mlops_world.b]
    with store._db.read() as conn:  # the unit of work search_runs itself uses

        def run_ids(dense_rows: int) -> list[str]:
            search = RunSearch.build(
                store._db.dialect, ids, filter_string, ("active",), None, conn, dense_rows
            )
            return [row[0] for row in conn.execute(search.page_query(None, 100))]

        as_exists, as_in = run_ids(dense_rows=1), run_ids(dense_rows=10**9)
    assert as_exists == as_in
    assert len(as_exists) == store.count_runs(ids, filter_string) > 0


def test_like_to_glob_escapes_glob_characters() -> None:
    assert like_to_glob("a%b_c*d?e[f]") == "a*b?c[*]d[?]e[[]f]"
