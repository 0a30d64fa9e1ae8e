"""`assistant analytics summary --json` and `assistant audit bias --json` print the promised keys with the true
values of demo data generated with known counts (the real command, on its own database)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, time, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from assistant.analytics import demo, metrics
from assistant.audit import demo as audit_demo
from assistant.db import make_engine

ASSISTANT = str(Path(sys.executable).with_name("assistant"))


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("analytics-cli")
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(folder)}
    subprocess.run([ASSISTANT, "migrate"], env=env, check=True, capture_output=True)
    midnight = datetime.combine(datetime.now(timezone.utc).date(), time(), tzinfo=timezone.utc)
    engine = make_engine(f"sqlite:///{folder / 'app.db'}")
    with Session(engine) as db:
        demo.load(db_session=db, tracker_store_url=f"sqlite:///{folder / 'tracker.db'}", now=midnight)
        audit_demo.load(db_session=db)
        db.commit()
    engine.dispose()
    return folder, midnight


def _run(data_dir, *args) -> dict:
    folder, _ = data_dir
    done = subprocess.run([ASSISTANT, *args], env={**os.environ, "ASSISTANT_DATA_DIR": str(folder)},
                          check=True, capture_output=True, text=True)
    return json.loads(done.stdout)


def test_summary_json_has_every_key_with_its_true_value(data_dir):
    _, midnight = data_dir
    first, last = (midnight - timedelta(days=14)).date(), (midnight - timedelta(days=1)).date()
    result = _run(data_dir, "analytics", "summary", "--from", str(first), "--to", str(last), "--json")
    assert set(metrics.SUMMARY_KEYS) <= set(result)
    for side, spec in ((result, demo.CURRENT), (result["baseline"], demo.BASELINE)):
        truth = demo.expected(spec)
        for key in metrics.SUMMARY_KEYS:
            assert side[key] == pytest.approx(truth[key]), key
    care = _run(data_dir, "analytics", "summary", "--from", str(first), "--to", str(last), "--department", "Care", "--json")
    assert care["offer_acceptance_rate"] == pytest.approx(demo.expected(demo.CURRENT, "Care")["offer_acceptance_rate"])


def test_bias_json_has_rows_per_category_with_rates_and_impact_ratios(data_dir):
    report = _run(data_dir, "audit", "bias", "--json")
    recommended = next(o for o in report["outputs"] if o["output"] == "recommended")
    for kind in ("sex", "race_ethnicity", "intersectional"):
        assert recommended[kind] and all({"selection_rate", "impact_ratio", "count", "excludable"} <= set(r) for r in recommended[kind])
    female = next(r for r in recommended["sex"] if r["category"] == "female")
    assert (female["count"], female["selection_rate"], female["impact_ratio"], female["flagged"]) == (100, 0.2, 0.4, True)
    assert recommended["unknown"] == 20
    assert {o["output"] for o in report["outputs"]} >= {"recommended", "clicked", "job_alerts", "automated_messages",
                                                        "recruiter_reply", "ats_stage:under_review"}


def test_features_history_lists_each_switch_change_newest_first(data_dir):
    folder, _ = data_dir

    def run(*args) -> list[str]:
        done = subprocess.run([ASSISTANT, "audit", "features", *args], env={**os.environ, "ASSISTANT_DATA_DIR": str(folder)},
                              check=True, capture_output=True, text=True)
        return [line for line in done.stdout.splitlines() if " UTC " in line]

    assert run("--history") == []
    run("--off", "journeys", "--reason", "Holiday freeze")
    run("--off", "journeys")  # already off: no change
    changes = run("--on", "journeys", "--history")
    assert [line.split()[3:] for line in changes] == [["journeys", "on", "cli", "(cli)"],
                                                      ["journeys", "off", "cli", "(cli)", "Holiday", "freeze"]]
