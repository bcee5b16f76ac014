"""``models.toml``: which models run, where they come from, and the run's settings."""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from translate_sum.backends import MULTILINGUAL, SUMMARIZER_ENGINES, TRANSLATOR_ENGINES, backend_names
from translate_sum.errors import ConfigError, OptionError

DEFAULT_CONFIG_NAME = "models.toml"

DEVICES = ("auto", "cpu", "cuda")
#: ``[ingest] end_matter``: a release's end matter kept as source text (default), or translated like the body.
END_MATTER_MODES = ("keep", "translate")


@dataclass(frozen=True)
class ModelSpec:
    """Where one model comes from and how it runs.

    Exactly one of ``model`` (a Hugging Face hub id, optionally pinned by ``revision``) or
    ``path`` (a local directory in ``save_pretrained`` layout) is set. ``generation`` overrides
    the model's own ``generation_config``; anything not given there comes from the model.
    A translator's ``engine`` is ``"marian"`` (OPUS-MT: one target, or a ``target_token`` prefix) or
    ``"multilingual"`` (NLLB-200 / M2M100: the decoder is started on ``target_code``'s token, and the
    source carries ``source_code``'s; None: the model's code for English).
    """

    role: str  # "summarizer", "zh", "ru"
    model: str | None = None
    revision: str | None = None
    path: Path | None = None
    backend: str = "ctranslate2"  # the fast path by default: benchmarks/README.md
    target_token: str | None = None
    generation: dict[str, Any] = field(default_factory=dict)
    max_input_tokens: int | None = None  # None: the model's own limit
    quantize: bool = True  # int8 on CPU where the backend supports it
    vocabulary_map: bool = True  # ctranslate2 translators: decode over target.spm's pieces only
    engine: str = "marian"  # translators: "marian" or "multilingual"
    target_code: str | None = None  # multilingual: the target language's code ("zho_Hans", "zh")
    source_code: str | None = None  # multilingual: the source language's code (None: English)

    @property
    def name(self) -> str:
        return str(self.path) if self.path else str(self.model)

    def fingerprint(self) -> dict[str, Any]:
        """Everything about this spec that changes its output (for incremental runs).

        A local model counts as "local", not by its path: the pipeline adds its files' hashes, so
        moving the folder redoes nothing and replacing the files at the same path redoes everything.
        """
        data = asdict(self)
        data["path"] = "local" if self.path else None
        # Left out at their defaults, so the fingerprints of outputs made before they existed still hold.
        for key, default in (("engine", "marian"), ("target_code", None), ("source_code", None)):
            if data[key] == default:
                del data[key]
        return data

    def load_key(self) -> tuple[Any, ...]:
        """What identifies the loaded model: languages whose specs give the same key share one load.

        Settings applied per call (the target, generation settings, input limits) are not part of it.
        """
        return (self.engine, self.backend, self.model, self.revision, self.path, self.quantize)


@dataclass(frozen=True)
class SummarizerSpec:
    """The summarizer: an abstractive model, or the extractive one that needs no weights."""

    engine: str = "abstractive"
    model: ModelSpec = field(
        default_factory=lambda: ModelSpec(role="summarizer", model="sshleifer/distilbart-cnn-12-6")
    )
    sentences: int = 3  # extractive: how many sentences to pick

    def fingerprint(self) -> dict[str, Any]:
        if self.engine == "extractive":
            return {"engine": self.engine, "sentences": self.sentences}
        return {"engine": self.engine, "model": self.model.fingerprint()}


@dataclass(frozen=True)
class RaySettings:
    """``[ray]``: how ``tsum all --executor ray`` sizes its workers (see docs/scaling.md)."""

    concurrency: int = 1  # actors per model stage (each loads its model once)
    num_cpus: float = 0.25  # CPUs Ray reserves per actor; fractional, so CPU tasks can still run
    num_gpus: float = 0.0  # GPUs per actor (e.g. 1 with --device cuda on GPU nodes)
    threads: int | None = None  # threads each actor's model uses; None: this node's cores / concurrency


def _default_translators() -> dict[str, ModelSpec]:
    return {
        "zh": ModelSpec(role="zh", model="Helsinki-NLP/opus-mt-en-zh", target_token=">>cmn_Hans<<"),
        "ru": ModelSpec(role="ru", model="Helsinki-NLP/opus-mt-en-ru"),
    }


@dataclass(frozen=True)
class QaSettings:
    """``[qa]`` in models.toml: checks switched off by name (``qa.check_settings`` knows the names), and
    the low-confidence threshold.

    A machine translation is ``low_confidence`` when its confidence is below median − k·MAD of the
    machine translations into the same language by the same model translated together (at least
    ``min_segments`` of them; fewer give no flag).
    """

    disable: tuple[str, ...] = ()
    low_confidence_k: float = 3.0
    min_segments: int = 20

    def enabled(self, name: str) -> bool:
        return name not in self.disable

    def fingerprint(self) -> dict:
        return {
            "disable": sorted(self.disable),
            "low_confidence_k": self.low_confidence_k,
            "min_segments": self.min_segments,
        }

    @classmethod
    def from_record(cls, data: object) -> QaSettings:
        """The settings ``fingerprint()`` wrote into a manifest; the defaults for what is missing."""
        if not isinstance(data, dict):
            return cls()
        default = cls()
        disable = data.get("disable")
        k = data.get("low_confidence_k")
        minimum = data.get("min_segments")
        return cls(
            disable=tuple(str(n) for n in disable) if isinstance(disable, list) else default.disable,
            low_confidence_k=float(k) if isinstance(k, int | float) else default.low_confidence_k,
            min_segments=minimum if isinstance(minimum, int) else default.min_segments,
        )


@dataclass(frozen=True)
class CacheSettings:
    """``[cache]`` in models.toml: the cache of model outputs (``translate_sum.cache``) and its size bound."""

    max_mb: float = 1024.0  # least recently used outputs are evicted beyond this


@dataclass(frozen=True)
class Config:
    """The whole run configuration, as read from ``models.toml``."""

    summarizer: SummarizerSpec = field(default_factory=SummarizerSpec)
    translators: dict[str, ModelSpec] = field(default_factory=_default_translators)
    languages: tuple[str, ...] = ("zh", "ru")
    glossary: Path | None = None  # None: ``glossary.tsv`` beside the articles, if present
    batch_tokens: int = 4096
    memory: Path | None = None  # the translation memory; None: ``tm.sqlite`` in the output folder
    source: Path | None = None  # the file this was read from
    ray: RaySettings = field(default_factory=RaySettings)
    end_matter: str = "keep"  # [ingest] end_matter: "keep" (source text only) or "translate"
    qa: QaSettings = field(default_factory=QaSettings)
    cache: CacheSettings = field(default_factory=CacheSettings)

    def model_specs(self) -> list[ModelSpec]:
        """Every model this configuration names: the summarizer (when abstractive), then translators."""
        specs = [self.summarizer.model] if self.summarizer.engine == "abstractive" else []
        return specs + list(self.translators.values())

    def with_overrides(self, summarizer: str | None = None, backend: str | None = None) -> Config:
        """This configuration with the summarizer engine and/or every model's backend replaced.

        Raises OptionError (option ``"summarizer"`` or ``"backend"``) for a name that is not registered.
        """
        if summarizer and summarizer not in SUMMARIZER_ENGINES:
            raise OptionError(
                "summarizer", f"summarizer {summarizer!r}: choose from {', '.join(SUMMARIZER_ENGINES)}"
            )
        if backend and backend not in backend_names():
            raise OptionError("backend", f"backend {backend!r}: choose from {', '.join(backend_names())}")
        config = self
        if summarizer:
            config = replace(config, summarizer=replace(config.summarizer, engine=summarizer))
        if backend:
            translators = {k: replace(v, backend=backend) for k, v in config.translators.items()}
            model = replace(config.summarizer.model, backend=backend)
            config = replace(
                config, translators=translators, summarizer=replace(config.summarizer, model=model)
            )
        return config

    def select_languages(self, only: str | Sequence[str] | None) -> tuple[str, ...]:
        """The target languages of a run: ``only`` (``"zh,ru"`` or a list), else ``[run] languages``.

        Raises OptionError (option ``"languages"``) naming the choices when a language has no translator,
        or when ``only`` is given but names none (``--only ''``, passed as ``("",)``).
        """
        if not only:
            return self.languages
        items = only.split(",") if isinstance(only, str) else list(only)
        langs = tuple(x.strip() for x in items if x.strip())
        unknown = [x for x in langs if x not in self.translators]
        if not langs or unknown:
            raise OptionError(
                "languages",
                f"language {', '.join(unknown or items)!r} has no translator: choose from "
                f"{', '.join(self.translators)} (the [translators] of models.toml)",
            )
        return langs

    def glossary_file(self, input_dir: Path, explicit: Path | None = None) -> Path | None:
        """The glossary a run uses: ``explicit``, else ``[run] glossary``, else ``glossary.tsv`` beside the
        articles when there is one, else None."""
        if explicit is not None:
            return explicit
        if self.glossary is not None:
            return self.glossary
        default = input_dir / "glossary.tsv"
        return default if default.is_file() else None

    def fingerprint(self, languages: tuple[str, ...]) -> dict[str, Any]:
        """The settings that change an article's outputs."""
        fingerprint: dict[str, Any] = {
            "summarizer": self.summarizer.fingerprint(),
            "translators": {lang: self.translators[lang].fingerprint() for lang in languages},
        }
        if self.end_matter != "keep":  # only then: the default leaves earlier runs' fingerprints as they were
            fingerprint["end_matter"] = self.end_matter
        if self.qa != QaSettings():  # likewise: default QA settings leave earlier outputs current
            fingerprint["qa"] = self.qa.fingerprint()
        return fingerprint


def find_config(explicit: Path | None) -> Path | None:
    """The config file to use: ``explicit`` (``--config`` or ``$TSUM_CONFIG``), else ``./models.toml``."""
    if explicit is not None:
        return explicit
    local = Path(DEFAULT_CONFIG_NAME)
    return local if local.is_file() else None


def load_config(path: Path | None) -> Config:
    """Read ``path`` (or return the built-in defaults when None). Raises ConfigError."""
    if path is None:
        return Config()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: configuration file not found") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"{path}: invalid TOML: {exc}. See the shipped models.toml for the format."
        ) from None
    return _parse(raw, path)


def _parse(raw: dict[str, Any], path: Path) -> Config:
    base = path.parent
    _check_keys(raw, {"summarizer", "translators", "run", "ray", "ingest", "qa", "cache"}, path, "top level")

    summ_raw = raw.get("summarizer", {})
    _check_keys(summ_raw, {"engine", "sentences", *_MODEL_KEYS}, path, "[summarizer]")
    engine = summ_raw.get("engine", "abstractive")
    if engine not in SUMMARIZER_ENGINES:
        raise ConfigError(
            f"{path}: [summarizer] engine must be one of {', '.join(SUMMARIZER_ENGINES)}, not {engine!r}"
        )
    default_summ = SummarizerSpec()
    model = _model_spec("summarizer", summ_raw, path, base, default=default_summ.model)
    sentences = _int(summ_raw.get("sentences", 3), path, "[summarizer] sentences")

    translators = _default_translators()
    trans_raw = raw.get("translators", {})
    if not isinstance(trans_raw, dict):
        raise ConfigError(f"{path}: [translators] must be a table of languages, e.g. [translators.zh]")
    for lang, entry in trans_raw.items():
        if not isinstance(entry, dict):
            raise ConfigError(f"{path}: [translators.{lang}] must be a table")
        _check_keys(entry, _MODEL_KEYS | _TRANSLATOR_KEYS, path, f"[translators.{lang}]")
        translators[lang] = _translator_spec(lang, entry, path, base, default=translators.get(lang))

    run_raw = raw.get("run", {})
    _check_keys(run_raw, {"languages", "glossary", "batch_tokens", "memory"}, path, "[run]")
    languages = tuple(run_raw.get("languages", ("zh", "ru")))
    for lang in languages:
        if lang not in translators:
            raise ConfigError(f"{path}: [run] languages names {lang!r} but there is no [translators.{lang}]")
    glossary = run_raw.get("glossary")
    memory = run_raw.get("memory")
    ingest_raw = raw.get("ingest", {})
    _check_keys(ingest_raw, {"end_matter"}, path, "[ingest]")
    end_matter = ingest_raw.get("end_matter", "keep")
    if end_matter not in END_MATTER_MODES:
        raise ConfigError(
            f"{path}: [ingest] end_matter must be one of {', '.join(END_MATTER_MODES)}, not {end_matter!r}"
        )
    return Config(
        summarizer=SummarizerSpec(engine=engine, model=model, sentences=sentences),
        translators=translators,
        languages=languages,
        glossary=(base / glossary) if glossary else None,
        batch_tokens=_int(run_raw.get("batch_tokens", 4096), path, "[run] batch_tokens"),
        memory=(base / memory) if memory else None,
        source=path,
        ray=_ray_settings(raw.get("ray", {}), path),
        end_matter=end_matter,
        qa=_qa_settings(raw.get("qa", {}), path),
        cache=_cache_settings(raw.get("cache", {}), path),
    )


def _cache_settings(table: Any, path: Path) -> CacheSettings:
    _check_keys(table, {"max_mb"}, path, "[cache]")
    size = table.get("max_mb", CacheSettings.max_mb)
    if isinstance(size, bool) or not isinstance(size, int | float) or size <= 0:
        raise ConfigError(f"{path}: [cache] max_mb must be a positive number of megabytes, not {size!r}")
    return CacheSettings(max_mb=float(size))


def _qa_settings(table: Any, path: Path) -> QaSettings:
    _check_keys(table, {"disable", "low_confidence_k", "min_segments"}, path, "[qa]")
    disable = table.get("disable", [])
    if not isinstance(disable, list) or not all(isinstance(x, str) for x in disable):
        raise ConfigError(f'{path}: [qa] disable must be a list of check names, e.g. ["caps"]')
    k = table.get("low_confidence_k", QaSettings.low_confidence_k)
    if isinstance(k, bool) or not isinstance(k, int | float) or k <= 0:
        raise ConfigError(f"{path}: [qa] low_confidence_k must be a positive number, not {k!r}")
    minimum = table.get("min_segments", QaSettings.min_segments)
    return QaSettings(
        disable=tuple(disable),
        low_confidence_k=float(k),
        min_segments=_int(minimum, path, "[qa] min_segments"),
    )


def _ray_settings(table: Any, path: Path) -> RaySettings:
    _check_keys(table, {"concurrency", "num_cpus", "num_gpus", "threads"}, path, "[ray]")
    for key in ("num_cpus", "num_gpus"):
        value = table.get(key, 0)
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise ConfigError(f"{path}: [ray] {key} must be a number of 0 or more, not {value!r}")
    default = RaySettings()
    threads = table.get("threads")
    return RaySettings(
        concurrency=_int(table.get("concurrency", default.concurrency), path, "[ray] concurrency"),
        num_cpus=float(table.get("num_cpus", default.num_cpus)),
        num_gpus=float(table.get("num_gpus", default.num_gpus)),
        threads=_int(threads, path, "[ray] threads") if threads is not None else None,
    )


_MODEL_KEYS = {
    "model",
    "revision",
    "path",
    "backend",
    "target_token",
    "generation",
    "max_input_tokens",
    "quantize",
    "vocabulary_map",
}


#: Keys only a ``[translators.xx]`` table has.
_TRANSLATOR_KEYS = {"engine", "target_code", "source_code"}


def _translator_spec(
    lang: str, entry: dict[str, Any], path: Path, base: Path, default: ModelSpec | None
) -> ModelSpec:
    """A ``[translators.xx]`` table: a model spec, and the engine that runs it with its language codes."""
    where = f"[translators.{lang}]"
    engine = entry.get("engine", "marian")
    if engine not in TRANSLATOR_ENGINES:
        raise ConfigError(
            f"{path}: {where} engine must be one of {', '.join(TRANSLATOR_ENGINES)}, not {engine!r}"
        )
    codes = {key: entry.get(key) for key in ("target_code", "source_code")}
    for key, value in codes.items():
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise ConfigError(
                f'{path}: {where} {key} must be a language code such as "zho_Hans", not {value!r}'
            )
    if engine != MULTILINGUAL:
        given = [key for key, value in codes.items() if value is not None]
        if given:
            raise ConfigError(
                f'{path}: {where} sets {", ".join(given)}, which only engine = "multilingual" uses '
                "(an OPUS-MT model with several targets takes target_token)"
            )
        return _model_spec(lang, entry, path, base, default)
    if not codes["target_code"]:
        raise ConfigError(
            f'{path}: {where} engine = "multilingual" needs target_code, the model\'s code for the '
            'language: e.g. "zho_Hans", "rus_Cyrl", "arb_Arab" for NLLB-200; "zh", "ru", "ar" for M2M100'
        )
    if "target_token" in entry:
        raise ConfigError(
            f'{path}: {where} engine = "multilingual" takes target_code, not target_token '
            "(the target language's token starts the output, it is not put before the source)"
        )
    if entry.get("vocabulary_map") is True:
        raise ConfigError(
            f"{path}: {where} vocabulary_map = true is for OPUS-MT models with a target.spm; a multilingual "
            "model decodes over its whole vocabulary (remove the key)"
        )
    # A multilingual model inherits nothing of the built-in OPUS-MT translator of the same language.
    spec = _model_spec(lang, entry, path, base, default=None)
    return replace(
        spec,
        engine=engine,
        target_code=codes["target_code"].strip(),
        source_code=codes["source_code"].strip() if codes["source_code"] else None,
        target_token=None,
        vocabulary_map=False,
    )


def _model_spec(
    role: str, entry: dict[str, Any], path: Path, base: Path, default: ModelSpec | None
) -> ModelSpec:
    where = "[summarizer]" if role == "summarizer" else f"[translators.{role}]"
    model = entry.get("model")
    local = entry.get("path")
    if model and local:
        raise ConfigError(f"{path}: {where} sets both model and path; keep one")
    if not model and not local:
        if default is None:
            raise ConfigError(f'{path}: {where} needs model = "<hub id>" or path = "<local dir>"')
        model = default.model
    backend = entry.get("backend", default.backend if default else "ctranslate2")
    if backend not in backend_names():
        raise ConfigError(
            f"{path}: {where} backend must be one of {', '.join(backend_names())}, not {backend!r}"
        )
    generation = entry.get("generation", {})
    if not isinstance(generation, dict):
        raise ConfigError(f"{path}: {where} generation must be a table of generate() settings")
    target_token = entry.get("target_token", default.target_token if default and not local else None)
    max_input = entry.get("max_input_tokens")
    return ModelSpec(
        role=role,
        model=model or None,
        revision=entry.get("revision") or None,
        path=(base / local).resolve() if local else None,
        backend=backend,
        target_token=target_token or None,
        generation=dict(generation),
        max_input_tokens=_int(max_input, path, f"{where} max_input_tokens")
        if max_input is not None
        else None,
        quantize=bool(entry.get("quantize", True)),
        vocabulary_map=bool(entry.get("vocabulary_map", True)),
    )


def _check_keys(table: Any, allowed: set[str], path: Path, where: str) -> None:
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: {where} must be a table")
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise ConfigError(
            f"{path}: {where} has unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}"
        )


def _int(value: Any, path: Path, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ConfigError(f"{path}: {where} must be a positive whole number, not {value!r}")
    return value
