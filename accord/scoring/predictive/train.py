"""Training: read the closed history, compare two classifiers, keep the better, report honestly."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import StratifiedKFold, train_test_split
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_limits

from accord.errors import AccordError
from accord.funnel.models import FUNNEL_ORDER, Stage
from accord.scoring.models import Algorithm
from accord.scoring.predictive import report
from accord.scoring.predictive.features import (
    read_features,
    select_columns,
    typed,
    unknown_excludes,
)
from accord.scoring.predictive.outcomes import closed_outcomes
from accord.scoring.predictive.pipeline import build

MIN_OUTCOMES = 50
MIN_PER_CLASS = 10
FOLDS = 3
# Candidates are compared on at most this many training leads; the winner is then fitted on all.
COMPARE_ROWS = 20_000
# Permutation importance is measured on at most this many held-out leads.
IMPORTANCE_ROWS = 10_000
CANDIDATES = (Algorithm.LOGISTIC_REGRESSION, Algorithm.GRADIENT_BOOSTING)


@dataclass
class Trained:
    """What a training run produced, before it is stored."""

    pipeline: Pipeline
    algorithm: str
    kinds: dict[str, str]
    report: dict[str, Any]


def check_params(
    *, target: str, handoff: str, holdout: float, cutoff: float | None, maturity_days: int
) -> None:
    stages = ", ".join(FUNNEL_ORDER[1:])
    if target not in FUNNEL_ORDER[1:]:
        raise AccordError(
            f"cannot predict {target!r}: the target is a funnel stage ({stages})",
            fields={"target": [f"one of {stages}"]},
        )
    if handoff not in FUNNEL_ORDER:
        raise AccordError(
            f"unknown hand-off stage {handoff!r}; use one of {', '.join(FUNNEL_ORDER)}",
            fields={"handoff": ["unknown stage"]},
        )
    if FUNNEL_ORDER.index(handoff) >= FUNNEL_ORDER.index(target):
        raise AccordError(
            f"the target ({Stage(target).label}) must come after the hand-off stage "
            f"({Stage(handoff).label})",
            fields={"target": ["after the hand-off stage"]},
        )
    if not 0.1 <= holdout <= 0.5:
        raise AccordError(
            f"the held-out share must be between 0.1 and 0.5, not {holdout}",
            fields={"holdout": ["between 0.1 and 0.5"]},
        )
    if cutoff is not None and not 0 < cutoff < 1:
        raise AccordError(
            f"the cut-off is a probability between 0 and 1, not {cutoff}",
            fields={"cutoff": ["between 0 and 1"]},
        )
    if maturity_days < 1:
        raise AccordError(
            "the maturity must be at least one day", fields={"maturity_days": ["at least 1"]}
        )


def _compare(
    frame: pd.DataFrame, y: np.ndarray, kinds: dict[str, str], seed: int
) -> tuple[str, dict[str, dict[str, float]], np.ndarray, np.ndarray]:
    """Cross-validated AUC of each candidate on the training split; the winner's out-of-fold
    predictions (and their labels) for choosing the cut-off."""
    rows = np.arange(len(frame))
    if len(rows) > COMPARE_ROWS:
        rows, _ = train_test_split(rows, train_size=COMPARE_ROWS, stratify=y, random_state=seed)
        rows = np.sort(rows)
    sub, ys = frame.iloc[rows], y[rows]
    folds = list(StratifiedKFold(FOLDS, shuffle=True, random_state=seed).split(sub, ys))
    results: dict[str, dict[str, float]] = {}
    predictions: dict[str, np.ndarray] = {}
    for algorithm in CANDIDATES:
        oof = np.zeros(len(sub))
        scores = []
        for fit_rows, check_rows in folds:
            model = build(algorithm, kinds, len(fit_rows), seed)
            model.fit(sub.iloc[fit_rows], ys[fit_rows])
            oof[check_rows] = model.predict_proba(sub.iloc[check_rows])[:, 1]
            scores.append(report.auc(ys[check_rows], oof[check_rows]))
        results[algorithm] = {
            "mean": round(float(np.mean(scores)), 4),
            "std": round(float(np.std(scores)), 4),
        }
        predictions[algorithm] = oof
    # The simpler model wins ties: it is easier to explain and to turn into rule weights.
    winner = max(CANDIDATES, key=lambda a: (results[a]["mean"], a == CANDIDATES[0]))
    return winner, results, predictions[winner], ys


def train(
    *,
    target: str,
    handoff: str = Stage.MQL,
    exclude: Sequence[str] = (),
    holdout: float = 0.3,
    seed: int = 0,
    cutoff: float | None = None,
    maturity_days: int = 90,
    now: datetime,
) -> Trained:
    """Train on the closed history and build the report. Raises AccordError when the history is
    too thin to learn from, or the options make no sense."""
    check_params(
        target=target, handoff=handoff, holdout=holdout, cutoff=cutoff, maturity_days=maturity_days
    )
    label = Stage(target).label
    outcomes = closed_outcomes(target=target, handoff=handoff, maturity_days=maturity_days, now=now)
    total = len(outcomes)
    if total < MIN_OUTCOMES:
        raise AccordError(
            f"too little history to train: {total} leads have a closed outcome for {label}, "
            f"at least {MIN_OUTCOMES} are needed"
        )
    reached = int(outcomes.reached.sum())
    if min(reached, total - reached) < MIN_PER_CLASS:
        raise AccordError(
            f"too little history to train: of {total} leads with a closed outcome, {reached} "
            f"reached {label} and {total - reached} did not; each needs at least {MIN_PER_CLASS}"
        )

    raw = read_features(outcomes.lead_ids, outcomes.cutoffs).reindex(outcomes.lead_ids)
    unknown = unknown_excludes(list(raw.columns), exclude)
    if unknown:
        raise AccordError(
            f"--exclude names no feature: {', '.join(unknown)} (features are named like title, "
            "account.industry, prop.KEY, account.prop.KEY, touches.total)",
            fields={"exclude": [f"unknown: {', '.join(unknown)}"]},
        )
    selection = select_columns(raw, exclude)
    if not selection.kinds:
        raise AccordError("no feature is left to learn from: every column is empty or excluded")
    kinds = selection.kinds
    frame = typed(raw, kinds, outcomes.cutoffs)
    y = outcomes.reached.astype(int)

    train_rows, test_rows = train_test_split(
        np.arange(total), test_size=holdout, stratify=y, random_state=seed
    )
    train_rows, test_rows = np.sort(train_rows), np.sort(test_rows)
    x_train, y_train = frame.iloc[train_rows], y[train_rows]
    x_test, y_test = frame.iloc[test_rows], y[test_rows]

    with warnings.catch_warnings(), threadpool_limits(limits=1):
        # One thread: on small tables OpenMP's start-up and contention with the web server and
        # the workers cost far more than they save, and one thread keeps runs reproducible.
        # Values first met when scoring are read as "infrequent" or as no value: expected.
        warnings.filterwarnings("ignore", message="Found unknown categories")
        warnings.filterwarnings("ignore", category=ConvergenceWarning)
        algorithm, cv_auc, oof, oof_y = _compare(x_train, y_train, kinds, seed)
        chosen = build(algorithm, kinds, len(x_train), seed).fit(x_train, y_train)
        linear = (
            chosen
            if algorithm == Algorithm.LOGISTIC_REGRESSION
            else build(Algorithm.LOGISTIC_REGRESSION, kinds, len(x_train), seed).fit(
                x_train, y_train
            )
        )
        p_test = chosen.predict_proba(x_test)[:, 1]
        the_cutoff = cutoff if cutoff is not None else report.youden_cutoff(oof_y, oof)
        sensitivity, specificity = report.sensitivity_specificity(y_test, p_test, the_cutoff)
        sample = np.arange(len(x_test))
        if len(sample) > IMPORTANCE_ROWS:
            sample, _ = train_test_split(
                sample, train_size=IMPORTANCE_ROWS, stratify=y_test, random_state=seed
            )
        importance = report.permutation_importance(
            chosen, x_test.iloc[sample], y_test[sample], kinds, seed=seed
        )
        weights = report.suggested_weights(linear, kinds)

    leaks = report.leakage_warnings(
        train=x_train,
        y_train=y_train,
        test=x_test,
        y_test=y_test,
        kinds=kinds,
        filled=frame,
        progressed=outcomes.progressed,
        target=target,
        handoff=handoff,
    )
    leaky = {w["feature"] for w in leaks}
    top = [{**row, "leakage": row["feature"] in leaky} for row in importance[: report.TOP_FEATURES]]
    body: dict[str, Any] = {
        "auc": round(report.auc(y_test, p_test), 4),
        "sensitivity": round(sensitivity, 4),
        "specificity": round(specificity, 4),
        "cutoff": round(the_cutoff, 4),
        "deciles": report.deciles(y_test, p_test),
        "top_features": top,
        "leakage_warnings": leaks,
        "model": algorithm,
        "cv_auc": cv_auc,
        "cutoff_score": int(report.score(np.array([the_cutoff]))[0]),
        "cutoff_rule": "given" if cutoff is not None else "youden",
        "calibration": report.calibration(y_test, p_test),
        "target": target,
        "handoff": handoff,
        "population": outcomes.counts,
        "n_train": len(train_rows),
        "n_test": len(test_rows),
        "positive_rate": round(float(y.mean()), 4),
        "features": list(kinds),
        "excluded": selection.excluded,
        "dropped": selection.dropped,
        "suggested_weights": weights,
    }
    return Trained(pipeline=chosen, algorithm=algorithm, kinds=kinds, report=body)
