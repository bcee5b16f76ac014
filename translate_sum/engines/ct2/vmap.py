"""The target-vocabulary map of a converted OPUS-MT model: the pieces its decoder was trained to emit."""

from __future__ import annotations

import json
from pathlib import Path

#: The file CTranslate2 reads beside model.bin, used when ``translate_batch(use_vmap=True)``.
VMAP_FILE = "vmap.txt"


def target_pieces(model_dir: Path) -> list[str] | None:
    """Every piece of the model's ``target.spm`` that its vocabulary holds, in vocabulary order.

    OPUS-MT models share one vocabulary between source and target, but the decoder was only ever
    trained on text cut by ``target.spm``: a piece that target.spm cannot produce never appeared in a
    training target. None when the model has no separate target SentencePiece model (BART, or a
    Marian model without target.spm), where no map is built.
    """
    spm_file, vocab_file = model_dir / "target.spm", model_dir / "vocab.json"
    if not spm_file.is_file() or not vocab_file.is_file():
        return None
    import sentencepiece

    processor = sentencepiece.SentencePieceProcessor(model_file=str(spm_file))
    pieces = {processor.id_to_piece(i) for i in range(processor.get_piece_size())}
    vocab: dict[str, int] = json.loads(vocab_file.read_text(encoding="utf-8"))
    # The special tokens the decoder emits or is fed (</s>, <unk>); <pad> is not in a converted Marian
    # vocabulary, and source-side language tokens (>>cmn_Hans<<) are never a target.
    keep = pieces | {"</s>", "<unk>"}
    return [piece for piece, _ in sorted(vocab.items(), key=lambda kv: kv[1]) if piece in keep]


def write_vmap(source_dir: Path, model_dir: Path) -> int | None:
    """Write ``vmap.txt`` into the converted ``model_dir``: the target pieces, always candidates.

    One line with an empty source n-gram, which CTranslate2 takes as "always allowed": the output
    vocabulary becomes the target pieces whatever the input. Returns how many pieces it holds, or
    None (no file written) for a model without target.spm.
    """
    pieces = target_pieces(source_dir)
    if pieces is None:
        return None
    # SentencePiece pieces hold no spaces or tabs (a space is "▁"), so the line format is unambiguous.
    (model_dir / VMAP_FILE).write_text("\t" + " ".join(pieces) + "\n", encoding="utf-8")
    return len(pieces)


def read_vmap(model_dir: Path) -> list[str] | None:
    """The pieces of a converted model's ``vmap.txt``, or None when it has none."""
    path = model_dir / VMAP_FILE
    if not path.is_file():
        return None
    return path.read_text(encoding="utf-8").split("\t", 1)[1].split()
