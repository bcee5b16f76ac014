"""What the model confidence costs: translation with and without the decoder's scores, both backends.

A random-weight MarianMT at opus-mt-en-zh's size (d_model 512, 6+6 layers, 65,001-piece vocabulary,
4 beams) translates the same batches of seed sentences with tsum's scored path
(``Translator._translate_scored``: CTranslate2 ``return_scores``/``return_end_token``; transformers
``output_scores``/``return_dict_in_generate`` and the sums from ``sequences_scores``) and with the
plain path tsum used before (no scores). Runs alternate; the median of ``--repeats`` is reported.
Random weights decode to the length limit (``--max-length``), so every sentence costs the same number of
decoder steps on both paths: the difference is the scores' own cost.

    python benchmarks/bench_confidence.py [--repeats 5] [--batch 16] [--max-length 48] [--threads 2]
                                          [--backends ctranslate2,transformers]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from common import machine_line  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--max-length", type=int, default=48)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--backends", default="ctranslate2,transformers")
    args = parser.parse_args()

    os.environ.setdefault("TSUM_CACHE", tempfile.mkdtemp(prefix="tsum-bench-cache-"))
    import torch

    torch.set_num_threads(args.threads)
    from tiny_models import build_marian, seed_lines

    from translate_sum.config import ModelSpec
    from translate_sum.engines.ct2 import Ct2Translator
    from translate_sum.engines.hf import MarianTranslator
    from translate_sum.engines.hub import ResolvedModel
    from translate_sum.segment import split_sentences

    folder = Path(tempfile.mkdtemp(prefix="tsum-bench-conf-")) / "en-zh"
    build_marian(
        folder, "zh", d_model=512, layers=6, heads=8, ffn=2048, vocab_size=65001,
        max_length=args.max_length, num_beams=4, max_positions=512,
    )  # fmt: skip
    sentences = [s for line in seed_lines() for s in split_sentences(line)][: args.batch]
    print(machine_line())
    print(
        f"{len(sentences)} sentences per batch, 4 beams, up to {args.max_length} tokens, {args.threads} threads"
    )

    def plain_hf(tr: MarianTranslator, texts: list[str]) -> list[str]:
        batch = tr.tokenizer([tr.prefix + t for t in texts], return_tensors="pt", padding=True)
        with torch.inference_mode():
            generated = tr.model.generate(**batch, **tr._generation)
        return tr.tokenizer.batch_decode(generated, skip_special_tokens=True)

    def plain_ct2(tr: Ct2Translator, texts: list[str]) -> list[str]:
        ids = tr.tokenizer([tr.prefix + t for t in texts], add_special_tokens=True)["input_ids"]
        source = [tr.tokenizer.convert_ids_to_tokens(row) for row in ids]
        results = tr.model.translate_batch(source, max_input_length=0, **tr._options)
        hyps = [tr.tokenizer.convert_tokens_to_ids(r.hypotheses[0]) for r in results]
        return tr.tokenizer.batch_decode(hyps, skip_special_tokens=True)

    for backend in args.backends.split(","):
        spec = ModelSpec(role="zh", path=folder, backend=backend, target_token=">>cmn_Hans<<")
        resolved = ResolvedModel(spec, folder, None)
        if backend == "ctranslate2":
            translator = Ct2Translator(spec, resolved, "cpu", 1 << 20)
            plain = plain_ct2
        else:
            translator = MarianTranslator(spec, resolved, "cpu", 1 << 20)
            plain = plain_hf
        assert [s.text for s in translator._translate_scored(sentences)] == plain(translator, sentences)
        times: dict[str, list[float]] = {"plain": [], "scored": []}
        for _ in range(args.repeats):
            for name in ("plain", "scored"):
                start = time.perf_counter()
                if name == "plain":
                    plain(translator, sentences)
                else:
                    translator._translate_scored(sentences)
                times[name].append(time.perf_counter() - start)
        plain_s, scored_s = statistics.median(times["plain"]), statistics.median(times["scored"])
        print(
            f"{backend:13s} plain {plain_s:7.3f} s  scored {scored_s:7.3f} s  "
            f"overhead {100 * (scored_s / plain_s - 1):+5.1f}%  (median of {args.repeats})"
        )


if __name__ == "__main__":
    main()
