"""Executors: how the stages are scheduled. Registered by name, imported only when chosen."""

from __future__ import annotations

import importlib

from translate_sum.pipeline.executors.base import DEFAULT_WINDOW, Executor, Plan

#: ``tsum all --executor NAME``.
EXECUTORS = {
    "local": "translate_sum.pipeline.executors.local:LocalExecutor",
    "ray": "translate_sum.pipeline.executors.ray:RayExecutor",
}

__all__ = ["DEFAULT_WINDOW", "EXECUTORS", "Executor", "Plan", "executor_class"]


def executor_class(name: str) -> type[Executor]:
    """The executor registered as ``name``."""
    module, _, attribute = EXECUTORS[name].partition(":")
    return getattr(importlib.import_module(module), attribute)
