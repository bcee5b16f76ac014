"""Small real models for tests and benchmarks, built locally with the real models' layout.

Tokenisers are trained on the seed articles; model weights are random. MarianMT gets the
OPUS-MT special-token layout (``</s>`` = 0, ``<unk>`` = 1, ``<pad>`` = last id = decoder start,
language tokens such as ``>>cmn_Hans<<`` in the vocabulary); BART gets a byte-level BPE
tokenizer like distilbart's; M2M100 and NLLB-200 get their tokenizers' kinds and language tokens. Dimensions are parameters, so the benchmarks can build the real shapes.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"

# A few lines of Chinese and Russian so the target vocabularies hold the target scripts.
_TARGET_TEXT = {
    "zh": [
        "上海合作组织副秘书长访问伟东云教育集团。",
        "青岛是中国山东省的城市。",
        "双方讨论了教育和技术合作。",
    ],
    "ru": [
        "Заместитель генерального секретаря ШОС посетил Вэйдун.",
        "Стороны обсудили сотрудничество в области образования.",
        "Циндао — город в провинции Шаньдун.",
    ],
    "fr": [
        "Le secrétaire général adjoint de l'OCS a visité Weidong.",
        "Les parties ont discuté de la coopération dans l'éducation.",
        "Qingdao est une ville de la province du Shandong.",
    ],
    "ar": [
        "زار نائب الأمين العام لمنظمة شنغهاي للتعاون مجموعة ويدونغ.",
        "ناقش الطرفان التعاون في مجال التعليم والتكنولوجيا.",
        "تشينغداو مدينة في مقاطعة شاندونغ الصينية.",
    ],
}
# opus-mt-en-zh and opus-mt-en-ar serve several targets and need a target token; en-ru and en-fr do not.
LANGUAGE_TOKENS = {
    "zh": [">>cmn_Hans<<", ">>cmn_Hant<<", ">>yue_Hant<<"],
    "ru": [],
    "fr": [],
    "ar": [">>ara<<", ">>arz<<", ">>apc<<"],
}


def seed_lines() -> list[str]:
    lines = []
    for path in sorted(SEEDS.glob("*.txt")):
        lines += [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return lines


def _train_spm(lines: list[str], vocab_size: int) -> bytes:
    import sentencepiece as spm

    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines),
        model_writer=model,
        vocab_size=vocab_size,
        model_type="unigram",
        character_coverage=1.0,
        hard_vocab_limit=False,
        minloglevel=2,
        num_threads=1,
        unk_id=0,
        bos_id=1,
        eos_id=2,
        pad_id=-1,
    )
    return model.getvalue()


def _spm_pieces(model: bytes) -> list[str]:
    import sentencepiece as spm

    processor = spm.SentencePieceProcessor(model_proto=model)
    return [processor.id_to_piece(i) for i in range(processor.get_piece_size())]


def build_marian(
    directory: Path,
    lang: str,
    *,
    d_model: int = 16,
    layers: int = 1,
    heads: int = 2,
    ffn: int = 32,
    vocab_size: int | None = None,
    max_positions: int = 512,
    max_length: int = 24,
    num_beams: int = 4,
    save_bin: bool = False,
    seed: int = 0,
    target_lines: list[str] | None = None,
) -> Path:
    """A random-weight MarianMT en→``lang`` model in ``save_pretrained`` layout.

    ``vocab_size`` pads the vocabulary to a real model's size (65,001 for en-zh) for benchmarks.
    ``save_bin`` stores ``pytorch_model.bin`` instead of safetensors, like opus-mt-en-zh's main branch.
    ``target_lines``: the text target.spm is trained on (default: the English seeds and a few target
    lines, so nearly every source piece is a target piece too; real OPUS-MT target.spm models differ).
    """
    import torch
    from transformers import GenerationConfig, MarianConfig, MarianMTModel, MarianTokenizer

    directory.mkdir(parents=True, exist_ok=True)
    english = seed_lines()
    source = _train_spm(english, 600)
    target = _train_spm(english + _TARGET_TEXT[lang] * 3 if target_lines is None else target_lines, 700)
    (directory / "source.spm").write_bytes(source)
    (directory / "target.spm").write_bytes(target)

    vocab = ["</s>", "<unk>", *LANGUAGE_TOKENS[lang]]
    seen = set(vocab) | {"<s>", "<pad>"}
    for piece in _spm_pieces(source) + _spm_pieces(target):
        if piece not in seen:
            seen.add(piece)
            vocab.append(piece)
    if vocab_size is not None:
        vocab += [f"▁filler{i}" for i in range(vocab_size - 1 - len(vocab))]
    vocab.append("<pad>")
    pad = len(vocab) - 1
    (directory / "vocab.json").write_text(json.dumps({p: i for i, p in enumerate(vocab)}, ensure_ascii=False))

    tokenizer = MarianTokenizer(
        source_spm=str(directory / "source.spm"),
        target_spm=str(directory / "target.spm"),
        vocab=str(directory / "vocab.json"),
        source_lang="en",
        target_lang=lang,
        model_max_length=max_positions,
    )
    tokenizer.save_pretrained(directory)

    config = MarianConfig(
        vocab_size=len(vocab),
        d_model=d_model,
        encoder_layers=layers,
        decoder_layers=layers,
        encoder_attention_heads=heads,
        decoder_attention_heads=heads,
        encoder_ffn_dim=ffn,
        decoder_ffn_dim=ffn,
        max_position_embeddings=max_positions,
        pad_token_id=pad,
        eos_token_id=0,
        decoder_start_token_id=pad,
        forced_eos_token_id=0,
        scale_embedding=True,
        share_encoder_decoder_embeddings=True,
        activation_function="swish",
        static_position_embeddings=True,
    )
    torch.manual_seed(seed)
    model = MarianMTModel(config).eval()
    model.generation_config = GenerationConfig(
        bad_words_ids=[[pad]],
        decoder_start_token_id=pad,
        eos_token_id=0,
        forced_eos_token_id=0,
        max_length=max_length,
        num_beams=num_beams,
        pad_token_id=pad,
        renormalize_logits=True,
    )
    model.save_pretrained(directory)
    if save_bin:
        for weights in directory.glob("*.safetensors"):
            weights.unlink()
        torch.save(model.state_dict(), directory / "pytorch_model.bin")
    return directory


def build_bart(
    directory: Path,
    *,
    d_model: int = 16,
    encoder_layers: int = 1,
    decoder_layers: int = 1,
    heads: int = 2,
    ffn: int = 32,
    vocab_size: int | None = None,
    max_positions: int = 1024,
    min_length: int = 8,
    max_length: int = 20,
    num_beams: int = 4,
    seed: int = 0,
) -> Path:
    """A random-weight BART summarizer with distilbart-cnn's tokenizer kind and generation settings."""
    import torch
    from tokenizers import ByteLevelBPETokenizer
    from transformers import BartConfig, BartForConditionalGeneration, BartTokenizer, GenerationConfig

    directory.mkdir(parents=True, exist_ok=True)
    specials = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(
        seed_lines(), vocab_size=800, min_frequency=1, special_tokens=specials, show_progress=False
    )
    bpe.save_model(str(directory))
    tokenizer = BartTokenizer(
        vocab=str(directory / "vocab.json"),
        merges=str(directory / "merges.txt"),
        model_max_length=max_positions,
    )
    tokenizer.save_pretrained(directory)

    config = BartConfig(
        vocab_size=vocab_size or len(tokenizer),
        d_model=d_model,
        encoder_layers=encoder_layers,
        decoder_layers=decoder_layers,
        encoder_attention_heads=heads,
        decoder_attention_heads=heads,
        encoder_ffn_dim=ffn,
        decoder_ffn_dim=ffn,
        max_position_embeddings=max_positions,
        pad_token_id=1,
        bos_token_id=0,
        eos_token_id=2,
        decoder_start_token_id=2,
        forced_bos_token_id=0,
        forced_eos_token_id=2,
    )
    torch.manual_seed(seed)
    model = BartForConditionalGeneration(config).eval()
    model.generation_config = GenerationConfig(
        bos_token_id=0,
        decoder_start_token_id=2,
        eos_token_id=2,
        forced_bos_token_id=0,
        forced_eos_token_id=2,
        pad_token_id=1,
        early_stopping=True,
        length_penalty=2.0,
        max_length=max_length,
        min_length=min_length,
        no_repeat_ngram_size=3,
        num_beams=num_beams,
    )
    model.save_pretrained(directory)
    return directory


def build_m2m100(directory: Path, **model: Any) -> Path:
    """A random-weight M2M100 (one model for many targets) in ``save_pretrained`` layout.

    M2M100's layout: ``vocab.json`` (``<s>`` 0, ``<pad>`` 1, ``</s>`` 2, ``<unk>`` 3, then the pieces
    of ``sentencepiece.bpe.model``), its 100 language tokens (``__zh__``) after them, then 8 made-up
    words, as in facebook/m2m100_418M. ``model``: see ``_m2m100_weights``.
    """
    from transformers import M2M100Tokenizer

    directory.mkdir(parents=True, exist_ok=True)
    spm = _train_spm(_multilingual_lines(), 800)
    (directory / "sentencepiece.bpe.model").write_bytes(spm)
    vocab = ["<s>", "<pad>", "</s>", "<unk>"]
    vocab += [piece for piece in dict.fromkeys(_spm_pieces(spm)) if piece not in vocab]
    (directory / "vocab.json").write_text(json.dumps({p: i for i, p in enumerate(vocab)}, ensure_ascii=False))
    tokenizer = M2M100Tokenizer(
        vocab_file=str(directory / "vocab.json"),
        spm_file=str(directory / "sentencepiece.bpe.model"),
        src_lang="en",
        model_max_length=model.get("max_positions", 256),
    )
    tokenizer.save_pretrained(directory)
    size = len(vocab) + len(tokenizer.lang_code_to_id) + tokenizer.num_madeup_words
    return _m2m100_weights(directory, size, **model)


def build_nllb(directory: Path, **model: Any) -> Path:
    """A random-weight NLLB-200 (the M2M100 architecture) in ``save_pretrained`` layout.

    NLLB's tokenizer kind: a SentencePiece-style BPE (``▁`` word starts) in ``tokenizer.json`` with
    ``<s>`` 0, ``<pad>`` 1, ``</s>`` 2, ``<unk>`` 3, and the 202 FLORES-200 codes (``zho_Hans``) as
    special tokens. ``model``: see ``_m2m100_weights``.
    """
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers
    from transformers import NllbTokenizer

    directory.mkdir(parents=True, exist_ok=True)
    bpe = Tokenizer(models.BPE(unk_token="<unk>"))
    bpe.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    specials = ["<s>", "<pad>", "</s>", "<unk>"]
    trainer = trainers.BpeTrainer(vocab_size=600, special_tokens=specials, show_progress=False)
    bpe.train_from_iterator(_multilingual_lines(), trainer)
    trained = json.loads(bpe.to_str())["model"]
    merges = [tuple(m) if isinstance(m, list) else tuple(m.split(" ")) for m in trained["merges"]]
    tokenizer = NllbTokenizer(
        vocab=trained["vocab"],
        merges=merges,
        src_lang="eng_Latn",
        model_max_length=model.get("max_positions", 256),
    )
    tokenizer.save_pretrained(directory)
    return _m2m100_weights(directory, len(tokenizer), **model)


def _multilingual_lines() -> list[str]:
    return seed_lines() + (_TARGET_TEXT["zh"] + _TARGET_TEXT["ru"]) * 3


def _m2m100_weights(
    directory: Path,
    vocab_size: int,
    *,
    d_model: int = 16,
    layers: int = 1,
    heads: int = 2,
    ffn: int = 32,
    max_positions: int = 256,
    max_length: int = 24,
    num_beams: int = 4,
    init_std: float = 0.3,
    seed: int = 0,
) -> Path:
    """M2M100ForConditionalGeneration weights and generation settings (NLLB-200's and M2M100's).

    ``init_std`` 0.3 (not the 0.02 of training) makes the tiny model's output depend on its input
    and its target token, so checks on them are not vacuous.
    """
    import torch
    from transformers import GenerationConfig, M2M100Config, M2M100ForConditionalGeneration

    config = M2M100Config(
        vocab_size=vocab_size,
        d_model=d_model,
        encoder_layers=layers,
        decoder_layers=layers,
        encoder_attention_heads=heads,
        decoder_attention_heads=heads,
        encoder_ffn_dim=ffn,
        decoder_ffn_dim=ffn,
        max_position_embeddings=max_positions,
        init_std=init_std,
        pad_token_id=1,
        bos_token_id=0,
        eos_token_id=2,
        decoder_start_token_id=2,
    )
    torch.manual_seed(seed)
    model = M2M100ForConditionalGeneration(config).eval()
    model.generation_config = GenerationConfig(
        bos_token_id=0,
        decoder_start_token_id=2,
        eos_token_id=2,
        pad_token_id=1,
        early_stopping=True,
        max_length=max_length,
        num_beams=num_beams,
    )
    model.save_pretrained(directory)
    return directory


def write_models_toml(
    path: Path, summarizer: Path, zh: Path, ru: Path, backend: str = "ctranslate2", extra: str = ""
) -> Path:
    """A models.toml pointing at local model directories, every model on ``backend``."""
    path.write_text(
        f"""[summarizer]
engine = "abstractive"
path = "{summarizer}"
backend = "{backend}"

[translators.zh]
path = "{zh}"
target_token = ">>cmn_Hans<<"
backend = "{backend}"

[translators.ru]
path = "{ru}"
backend = "{backend}"
{extra}""",
        encoding="utf-8",
    )
    return path
