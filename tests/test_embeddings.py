"""The two embedding backends: the ONNX export gives PyTorch's vectors, and a failed export falls back."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pytest

from assistant import embedding_onnx, embeddings
from assistant.settings import get_settings

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def onnx_encoder():
    model_dir = Path(embeddings.model_path())
    onnx_file = embedding_onnx.ensure_export(model_dir, get_settings().embedding_cache_dir)
    return embedding_onnx.OnnxEncoder(model_dir, onnx_file, threads=1)


@pytest.fixture(scope="module")
def torch_encoder():
    return embeddings._TorchEncoder(embeddings.model_path())


def _texts() -> list[str]:
    questions = [json.loads(line)["question"]
                 for line in (ROOT / "tests/knowledge/data/eval_questions.jsonl").read_text().splitlines() if line.strip()]
    articles = [p.read_text() for p in sorted((ROOT / "knowledge_base").rglob("*.md"))[:8]]
    return questions[:120] + articles + ["", "ok", "Ünïcödé façade — naïve café 🙂", "python " * 2000]


def test_onnx_vectors_equal_pytorch_vectors(onnx_encoder, torch_encoder):
    texts = _texts()
    got, expected = onnx_encoder.encode(texts, batch_size=16), torch_encoder.encode(texts)
    assert got.shape == expected.shape == (len(texts), 384)
    assert float(np.abs(got - expected).max()) < embedding_onnx.MAX_DIFFERENCE
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)


def test_batching_and_padding_do_not_change_a_vector(onnx_encoder):
    texts = ["remote python jobs", "How long does the assessment stage usually take for engineering roles?", "ok"]
    together = onnx_encoder.encode(texts, batch_size=3)
    alone = np.vstack([onnx_encoder.encode([t]) for t in texts])
    assert float(np.abs(together - alone).max()) < 1e-5


def test_export_is_made_once_and_reused(onnx_encoder):
    cache = get_settings().embedding_cache_dir
    model_dir = Path(embeddings.model_path())
    first = embedding_onnx.ensure_export(model_dir, cache)
    stamp = first.stat().st_mtime_ns
    assert embedding_onnx.ensure_export(model_dir, cache) == first
    assert first.stat().st_mtime_ns == stamp
    assert not list(cache.glob("*.tmp"))


def test_an_export_that_disagrees_with_pytorch_is_refused(tmp_path, monkeypatch):
    model_dir = Path(embeddings.model_path())
    monkeypatch.setattr(embedding_onnx, "_export", lambda _model, target: target.write_bytes(
        embedding_onnx.export_path(model_dir, get_settings().embedding_cache_dir).read_bytes()))
    monkeypatch.setattr(embedding_onnx, "MAX_DIFFERENCE", -1.0)  # any difference at all is too much
    with pytest.raises(ValueError, match="differs from PyTorch"):
        embedding_onnx.ensure_export(model_dir, tmp_path)
    assert not list(tmp_path.glob("*.onnx*")), "a refused export must leave no file behind"


def test_get_model_falls_back_to_pytorch_when_the_export_fails(monkeypatch, caplog):
    def broken(*_args):
        raise RuntimeError("onnx exporter missing")

    monkeypatch.setattr(embedding_onnx, "ensure_export", broken)
    embeddings.get_model.cache_clear()
    try:
        with caplog.at_level(logging.WARNING, logger="assistant.embeddings"):
            model = embeddings.get_model()
        assert isinstance(model, embeddings._TorchEncoder)
        assert "using PyTorch" in caplog.text
        assert embeddings.embed(["remote python jobs"]).shape == (1, 384)
    finally:
        embeddings.get_model.cache_clear()
