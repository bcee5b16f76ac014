"""The pipeline: stages as batch functions, executors that schedule them, and the writers of their results."""

from translate_sum.pipeline.inputs import load_glossary
from translate_sum.pipeline.run import (
    ProgressFactory,
    RunOptions,
    RunReport,
    no_progress,
    run_all,
)

__all__ = [
    "ProgressFactory",
    "RunOptions",
    "RunReport",
    "load_glossary",
    "no_progress",
    "run_all",
]
