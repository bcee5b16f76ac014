"""The Ray Data executor: the same stages on a Ray cluster (or a local Ray started for the run).

Each row of the dataset is one window of articles, so every step batches exactly the articles the
local executor batches and the outputs are the same. The plan's steps become ``map_batches`` in
order: a step with a model over an actor pool (each actor loads its model once), the others as tasks. Results come back to
this process and are written by the same writer code, window by window. Needs the ``ray`` extra:
``pip install "translate-sum[ray]"``.
"""

from __future__ import annotations

import logging
import os
import pickle
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from typing import Any

from translate_sum.engines.base import Summarizer, Translator
from translate_sum.engines.loader import Engines
from translate_sum.errors import ConfigError, TsumError
from translate_sum.pipeline.executors.base import Executor, Plan, windows
from translate_sum.pipeline.inputs import term_guard
from translate_sum.pipeline.plan import ProgressFactory, run_step
from translate_sum.records import ArticleJob

logger = logging.getLogger("translate_sum")

#: Ray's switch for multi-node networking; "0" keeps a local instance on 127.0.0.1.
LOOPBACK_ONLY_ENV = "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"
#: CPUs a segmenting or assembling task reserves: small, so it is never starved by the actors.
_TASK_CPUS = 0.1


class RayExecutor(Executor):
    """Runs the stages with Ray Data: on the cluster at ``address``, or a local Ray started (and
    stopped) for the run. Actor pools and their resources come from ``[ray]`` in models.toml."""

    def __init__(self, address: str | None = None, num_cpus: int | None = None) -> None:
        self.address = address
        self.num_cpus = num_cpus  # a local Ray's CPUs; None: all of this machine's
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
        """Connect to the cluster, or start a local Ray bound to 127.0.0.1; True when started here."""
        if ray.is_initialized():
            return False
        try:
            if self.address:
                ray.init(address=self.address, log_to_driver=False, logging_level=logging.WARNING)
            else:
                ray.init(
                    address="local",
                    num_cpus=self.num_cpus,
                    include_dashboard=False,
                    _node_ip_address="127.0.0.1",
                    log_to_driver=False,
                    logging_level=logging.WARNING,
                )
        except (ConnectionError, RuntimeError, ValueError) as exc:
            where = f"the Ray cluster at {self.address}" if self.address else "a local Ray instance"
            raise ConfigError(f"--executor ray: cannot start or reach {where}: {exc}") from None
        return True

    def _execute(self, ray: Any, jobs: Sequence[ArticleJob], plan: Plan) -> Iterator[list[Any]]:
        from ray.data import DataContext

        context = DataContext.get_current()
        context.enable_progress_bars = False
        settings = plan.config.ray
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
        task_args = {"num_cpus": _TASK_CPUS}
        rows = [{"payload": pickle.dumps(window)} for window in windows(jobs, plan.window)]
        dataset = ray.data.from_items(rows, override_num_blocks=len(rows))
        for index, step in enumerate(plan.stages):
            if step.model is None:  # no model: a task
                dataset = dataset.map_batches(
                    _task_step, batch_size=1, fn_kwargs={"packed": packed, "index": index}, **task_args
                )
            else:  # a model, loaded once per actor
                dataset = dataset.map_batches(
                    _ModelStep, batch_size=1, fn_constructor_args=(packed, index), **actor_args
                )
        try:
            for row in dataset.iter_rows():
                result = pickle.loads(row["payload"])
                if isinstance(result, TsumError):
                    raise result
                yield result
        except TsumError:
            raise
        except Exception as exc:  # noqa: BLE001 - a stage's own error, unwrapped from Ray's
            raise _unwrap(exc) from None
        self.models_loaded = [step.model for step in plan.stages if step.model is not None]


class _ModelStep:
    """One model step of the plan in a Ray actor: the model is loaded once, when the actor starts."""

    def __init__(self, packed: bytes, index: int) -> None:
        self.plan: Plan = pickle.loads(packed)
        self.step = self.plan.stages[index]
        self.error: TsumError | None = None
        self.model: Summarizer | Translator | None = None
        self.guard = term_guard(self.plan.glossary)
        engines = Engines(self.plan.config, self.plan.device, threads=self.plan.threads)
        try:
            if self.step.model == "summarizer":
                self.model = engines.summarizer()
            else:
                self.model = engines.translator(str(self.step.model))
        except TsumError as exc:
            # Handed on as the window's result instead: an actor that dies in __init__ is restarted
            # by Ray and reported as a bare ActorDiedError, and a raised error loses its type on the way.
            self.error = exc

    def __call__(self, batch: dict) -> dict:
        if self.error is not None:
            return _map_payloads(batch, lambda items: self.error)
        return _map_payloads(
            batch, lambda items: run_step(self.step, items, self.plan, self.model, self.guard)
        )


def _task_step(batch: dict, packed: bytes, index: int) -> dict:
    plan: Plan = pickle.loads(packed)
    return _map_payloads(batch, lambda items: run_step(plan.stages[index], items, plan))


def _map_payloads(batch: dict, stage: Callable[[Any], Any]) -> dict:
    """Each row's payload (a pickled list of records) through ``stage``, pickled again.

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
    return {"payload": out}


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
