"""The Ray Data executor: the same stages on a Ray cluster (or a local Ray started for the run).

Each row of the dataset is one window of articles, so every step batches exactly the articles the
local executor batches and the outputs are the same. The plan's steps become ``map_batches`` in
order: a step with a model over an actor pool (each actor loads its model once; consecutive translate
steps that share a model, a multilingual one, are one pool), the others as tasks. Results come back to
this process and are written by the same writer code, window by window. Needs the ``ray`` extra:
``pip install "translate-sum[ray]"``.
"""

from __future__ import annotations

import json
import logging
import os
import pickle
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from typing import Any

from translate_sum.engines.base import Summarizer, Translator
from translate_sum.engines.loader import Engines
from translate_sum.errors import ConfigError, TsumError
from translate_sum.pipeline.executors import ray_cluster
from translate_sum.pipeline.executors.base import Executor, Plan, windows
from translate_sum.pipeline.executors.ray_cluster import LOOPBACK_ONLY_ENV, TASK_CPUS
from translate_sum.pipeline.inputs import term_guard
from translate_sum.pipeline.plan import ProgressFactory, Step, run_step, shares_model
from translate_sum.records import ArticleJob, ArticleResult, Failed

logger = logging.getLogger("translate_sum")

__all__ = ["LOOPBACK_ONLY_ENV", "RayExecutor"]


class RayExecutor(Executor):
    """Runs the stages with Ray Data: on the cluster at ``address``, or a local Ray started (and
    stopped) for the run. Actor pools and their resources come from ``[ray]`` in models.toml."""

    def __init__(self, address: str | None = None, num_cpus: int | None = None, quiet: bool = False) -> None:
        self.address = address
        self.num_cpus = num_cpus  # a local Ray's CPUs; None: all of this machine's
        self.quiet = quiet  # Ray's own logs at ERROR, and no stage bars
        self.models_loaded: list[str] = []

    def run(self, jobs: Sequence[ArticleJob], plan: Plan, progress: ProgressFactory) -> Iterator[list[Any]]:
        if self.address is None:
            # A local Ray listens on the loopback only: without this, Ray on Linux resolves even
            # 127.0.0.1 to the machine's network address and its servers listen on every interface.
            # Read when ray is first imported, and inherited by the processes it starts.
            os.environ.setdefault(LOOPBACK_ONLY_ENV, "0")
        ray = _import_ray()
        started = self._connect(ray)
        try:
            yield from self._execute(ray, jobs, plan)
        finally:
            if started:
                ray.shutdown()

    def _connect(self, ray: Any) -> bool:
        """Connect to the cluster (token authentication, one-line failures: ray_cluster.connect), or start
        a local Ray bound to 127.0.0.1; True when started here."""
        return ray_cluster.connect(ray, self.address, self.num_cpus, self.quiet)

    def _execute(self, ray: Any, jobs: Sequence[ArticleJob], plan: Plan) -> Iterator[list[Any]]:
        from ray.data import DataContext

        settings = plan.config.ray
        groups = _model_groups(plan)
        models = [group for group in groups if plan.stages[group[0]].model is not None]
        ray_cluster.check_cluster_capacity(ray, settings, len(models))  # the sizing rule, not a hang
        cluster = ray_cluster.cluster_info(ray, self.address)
        context = DataContext.get_current()
        context.enable_progress_bars = not self.quiet  # one bar per stage, from Ray Data's own progress
        # Each actor's share of its node's cores travels in the plan, to the engines it loads.
        plan = replace(plan, threads=settings.threads or max(1, _cores(ray) // settings.concurrency))
        packed = pickle.dumps(plan)
        # Ray Data restarts a dead actor and retries a failed task by default; a window is only
        # handed back (and written) once every step has finished it, so nothing partial is seen.
        actor_args = {
            "compute": ray.data.ActorPoolStrategy(size=settings.concurrency),
            "num_cpus": settings.num_cpus,
            "num_gpus": settings.num_gpus or None,
        }
        task_args = {"num_cpus": TASK_CPUS}
        rows = [{"payload": pickle.dumps(window), "nodes": "{}"} for window in windows(jobs, plan.window)]
        dataset = ray.data.from_items(rows, override_num_blocks=len(rows))
        for group in groups:
            step = plan.stages[group[0]]
            if step.model is None:  # no model: a task
                dataset = dataset.map_batches(
                    _task_step, batch_size=1, fn_kwargs={"packed": packed, "index": group[0]}, **task_args
                )
            else:  # a model, loaded once per actor, for every step of the group
                dataset = dataset.map_batches(
                    _step_class([plan.stages[i] for i in group]),
                    batch_size=1,
                    fn_constructor_args=(packed, group),
                    **actor_args,
                )
        try:
            for row in dataset.iter_rows():
                result = pickle.loads(row["payload"])
                if isinstance(result, TsumError):
                    raise result
                yield [_with_cluster(r, cluster, json.loads(row["nodes"])) for r in result]
        except TsumError:
            raise
        except Exception as exc:  # noqa: BLE001 - a stage's own error, unwrapped from Ray's
            raise _unwrap(exc) from None
        self.models_loaded = [str(plan.stages[group[0]].model) for group in models]


def _model_groups(plan: Plan) -> list[tuple[int, ...]]:
    """The plan's steps as indices, one group per Ray stage: each step alone, except consecutive
    translate steps that share a model (``shares_model``), which one actor pool runs together."""
    groups: list[list[int]] = []
    for index, step in enumerate(plan.stages):
        if groups and shares_model(plan.config, plan.stages[groups[-1][-1]], step):
            groups[-1].append(index)
        else:
            groups.append([index])
    return [tuple(group) for group in groups]


class _ModelStep:
    """Model steps of the plan in a Ray actor: the model is loaded once, when the actor starts, and
    serves every step of the group (the languages of one multilingual model) in order."""

    def __init__(self, packed: bytes, indices: tuple[int, ...]) -> None:
        self.plan: Plan = pickle.loads(packed)
        self.steps = [self.plan.stages[i] for i in indices]
        self.error: TsumError | None = None
        self.models: list[Summarizer | Translator] = []
        self.guard = term_guard(self.plan.glossary)
        engines = Engines(self.plan.config, self.plan.device, threads=self.plan.threads)
        try:
            for step in self.steps:
                if step.model == "summarizer":
                    self.models.append(engines.summarizer())
                else:
                    self.models.append(engines.translator(str(step.model)))
        except TsumError as exc:
            # Handed on as the window's result instead: an actor that dies in __init__ is restarted
            # by Ray and reported as a bare ActorDiedError, and a raised error loses its type on the way.
            self.error = exc

    def __call__(self, batch: dict) -> dict:
        name = "+".join(str(step.model or step.stage) for step in self.steps)
        if self.error is not None:
            return _map_payloads(batch, lambda items: self.error, name)

        def run(items: Any) -> Any:
            for step, model in zip(self.steps, self.models, strict=True):
                items = run_step(step, items, self.plan, model, self.guard)
            return items

        return _map_payloads(batch, run, name)


def _step_class(steps: list[Step]) -> type:
    """``_ModelStep`` under its steps' name, which Ray Data's progress bars and errors show."""
    if steps[0].model == "summarizer":
        name = "summarize"
    else:
        name = "translate_" + "_".join(str(step.model) for step in steps)
    return type(name, (_ModelStep,), {"__module__": __name__, "__qualname__": name})


def _task_step(batch: dict, packed: bytes, index: int) -> dict:
    plan: Plan = pickle.loads(packed)
    step = plan.stages[index]
    return _map_payloads(batch, lambda items: run_step(step, items, plan), step.model or step.stage)


def _with_cluster(
    result: ArticleResult | Failed, cluster: ray_cluster.ClusterInfo, nodes: dict[str, str]
) -> ArticleResult | Failed:
    """An article's manifest with the cluster it ran on (its nodes by id) and, per stage, the node that ran it."""
    if isinstance(result, Failed):
        return result
    settings = {**result.manifest.settings, "ray": {**cluster.to_dict(), "stages": dict(nodes)}}
    return replace(result, manifest=replace(result.manifest, settings=settings))


def _map_payloads(batch: dict, stage: Callable[[Any], Any], name: str) -> dict:
    """Each row's payload (a pickled list of records) through ``stage``, pickled again; the row's
    ``nodes`` gain this step's node (``name``: the model, else the stage).

    A ConfigError (the run cannot go on) becomes the payload, passed on by every later stage and
    raised by the driver with its own type and message.
    """
    out = []
    for payload in batch["payload"]:
        items = pickle.loads(payload)
        if not isinstance(items, TsumError):
            try:
                items = stage(items)
            except ConfigError as exc:
                items = exc
        out.append(pickle.dumps(items))
    node = ray_cluster.current_node()
    nodes = [json.dumps({**json.loads(n), name: node}) for n in batch["nodes"]]
    return {"payload": out, "nodes": nodes}


def _cores(ray: Any) -> int:
    """CPUs of the largest node: what one actor's threads may use."""
    sizes = [node.get("Resources", {}).get("CPU", 0) for node in ray.nodes() if node.get("Alive")]
    return int(max(sizes, default=os.cpu_count() or 1)) or 1


def _unwrap(exc: BaseException) -> BaseException:
    """The tsum error inside Ray's wrappers (a ConfigError must still end the run with exit 2)."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, TsumError):
            return seen
        cause = getattr(seen, "cause", None)
        seen = cause if isinstance(cause, BaseException) else seen.__cause__
    return exc


def _import_ray() -> Any:
    try:
        import ray
        import ray.data  # noqa: F401 - the Data library is the part tsum needs
    except ImportError:
        raise ConfigError(
            '--executor ray needs Ray Data: pip install "translate-sum[ray]" (or pip install "ray[data]")'
        ) from None
    return ray
