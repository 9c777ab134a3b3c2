"""How good a model is and what it learnt: the numbers of the training report."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import rankdata
from sklearn.metrics import brier_score_loss, roc_curve
from sklearn.pipeline import Pipeline

from accord.funnel.models import Stage
from accord.scoring.predictive.features import CATEGORICAL, to_numbers
from accord.scoring.predictive.pipeline import (
    CATEGORICAL_BRANCH,
    MISSING,
    NUMERIC_BRANCH,
    category_columns,
    output_groups,
    split_kinds,
)

# A feature that on its own predicts the outcome this well is almost surely recorded after it.
LEAK_AUC = 0.95
# "Filled in after the hand-off": filled for at least this share of the leads that went past
# the hand-off stage, and for at most LEAK_FILLED_OTHER of the others.
LEAK_FILLED_PROGRESSED = 0.5
LEAK_FILLED_OTHER = 0.15
# "A value that gives the outcome away": held by at least LEAK_VALUE_LEADS training leads, of
# which at least LEAK_VALUE_RATE reached the target, covering LEAK_VALUE_COVER of those that did.
LEAK_VALUE_LEADS = 20
LEAK_VALUE_RATE = 0.98
LEAK_VALUE_COVER = 0.1
WEIGHT_SCALE = 25  # points given to the strongest single value in the suggested weights
TOP_FEATURES = 15
TOP_WEIGHTS = 30
OTHER_LABELS = {"infrequent_sklearn": "(any other value)", MISSING: "(empty)"}


def score(probability: np.ndarray) -> np.ndarray:
    """The 0-100 suggested score of a predicted probability."""
    scores: np.ndarray = np.rint(np.clip(probability, 0.0, 1.0) * 100).astype(int)
    return scores


def auc(y: np.ndarray, p: np.ndarray) -> float:
    """ROC AUC as the Mann-Whitney statistic (ties count half), 0.5 when one class is absent.

    The same number as ``roc_auc_score``, without its input checks, which cost a hundred times
    the arithmetic in the permutation and single-feature loops.
    """
    positives = np.asarray(y).astype(bool)
    n_pos = int(positives.sum())
    n_neg = len(positives) - n_pos
    if n_pos == 0 or n_neg == 0:
        return 0.5
    ranks = rankdata(p)
    return float((ranks[positives].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def youden_cutoff(y: np.ndarray, p: np.ndarray) -> float:
    """The probability that maximises sensitivity + specificity - 1 (Youden's J)."""
    fpr, tpr, thresholds = roc_curve(y, p)
    finite = np.isfinite(thresholds)
    best = int(np.argmax((tpr - fpr)[finite]))
    return float(thresholds[finite][best])


def sensitivity_specificity(y: np.ndarray, p: np.ndarray, cutoff: float) -> tuple[float, float]:
    predicted = p >= cutoff
    positives = y.astype(bool)
    sensitivity = (predicted & positives).sum() / max(int(positives.sum()), 1)
    specificity = (~predicted & ~positives).sum() / max(int((~positives).sum()), 1)
    return float(sensitivity), float(specificity)


def deciles(y: np.ndarray, p: np.ndarray) -> list[dict[str, Any]]:
    """Conversion by score decile, 1 being the tenth of leads the model scores highest."""
    order = np.argsort(-p, kind="stable")
    rows = []
    for number, part in enumerate(np.array_split(order, 10), start=1):
        if len(part) == 0:
            continue
        scores = score(p[part])
        reached = int(y[part].sum())
        rows.append(
            {
                "decile": number,
                "leads": len(part),
                "reached": reached,
                "rate": round(reached / len(part), 4),
                "score_min": int(scores.min()),
                "score_max": int(scores.max()),
            }
        )
    return rows


def calibration(y: np.ndarray, p: np.ndarray, bins: int = 10) -> dict[str, Any]:
    """Predicted against observed, in ten equal bins of predicted probability; and Brier score."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
    rows = []
    for b in range(bins):
        mask = which == b
        if not mask.any():
            continue
        rows.append(
            {
                "from": round(float(edges[b]), 2),
                "to": round(float(edges[b + 1]), 2),
                "leads": int(mask.sum()),
                "predicted": round(float(p[mask].mean()), 4),
                "observed": round(float(y[mask].mean()), 4),
            }
        )
    return {"brier": round(float(brier_score_loss(y, p)), 4), "bins": rows}


# --- leakage -------------------------------------------------------------------------------------


def _buckets(train: pd.Series, test: pd.Series, kind: str) -> tuple[pd.Series, pd.Series]:
    """Each cell's bucket: its value for text, its decile (fixed on training) for numbers."""
    if kind == CATEGORICAL:
        return train.fillna(MISSING).astype(str), test.fillna(MISSING).astype(str)
    a, b = to_numbers(train), to_numbers(test)
    if a.notna().sum() < 2:
        return a.notna().astype(str), b.notna().astype(str)
    edges: np.ndarray = np.unique(np.nanquantile(a.to_numpy(), np.linspace(0, 1, 11)))
    if len(edges) < 2:
        return a.notna().astype(str), b.notna().astype(str)
    inner = edges[1:-1]

    def bucket(v: pd.Series) -> pd.Series:
        codes = pd.Series(np.digitize(v.to_numpy(), inner), index=v.index).astype(str)
        return codes.where(v.notna(), MISSING)

    return bucket(a), bucket(b)


def _ordered_auc(
    train: pd.Series, y_train: np.ndarray, test: pd.Series, y_test: np.ndarray
) -> float:
    """Held-out AUC of a number used as the score itself, with the direction and the place of
    empty cells (lowest or highest) that suit the training split best."""
    a, b = to_numbers(train), to_numbers(test)
    best, choice = -1.0, (1.0, -np.inf)
    for sign in (1.0, -1.0):
        for fill in (-np.inf, np.inf):
            fitted = auc(y_train, (sign * a).fillna(fill).to_numpy())
            if fitted > best:
                best, choice = fitted, (sign, fill)
    sign, fill = choice
    return auc(y_test, (sign * b).fillna(fill).to_numpy())


def single_feature_auc(
    train: pd.Series, y_train: np.ndarray, test: pd.Series, y_test: np.ndarray, kind: str
) -> float:
    """Held-out AUC of the feature alone.

    Each value (or decile, for numbers) is scored by its smoothed rate of reaching the target on
    the training split; a number is also tried as a score in itself, which catches a value filled
    in only for those that converted, and the better of the two counts.
    """
    a, b = _buckets(train, test, kind)
    prior = float(y_train.mean())
    stats = pd.DataFrame({"bucket": a.to_numpy(), "y": y_train}).groupby("bucket")["y"]
    smoothing = 10
    rates = (stats.sum() + prior * smoothing) / (stats.count() + smoothing)
    scores = b.map(rates).fillna(prior).to_numpy(dtype=float)
    by_value = auc(y_test, scores)
    if kind == CATEGORICAL:
        return by_value
    return max(by_value, _ordered_auc(train, y_train, test, y_test))


def _telling_value(values: pd.Series, y: np.ndarray) -> tuple[str, int, float] | None:
    """The filled-in value that most gives the outcome away, if one does (see (c) below)."""
    stats = pd.DataFrame({"value": values.to_numpy(), "y": y}).dropna().groupby("value")["y"]
    counts, reached = stats.count(), stats.sum()
    rate = reached / counts
    suspect = (
        (counts >= LEAK_VALUE_LEADS)
        & (rate >= LEAK_VALUE_RATE)
        & (reached >= LEAK_VALUE_COVER * max(int(y.sum()), 1))
    )
    if not suspect.any():
        return None
    value = str(counts[suspect].idxmax())
    return value, int(counts[value]), float(rate[value])


def leakage_warnings(
    *,
    train: pd.DataFrame,
    y_train: np.ndarray,
    test: pd.DataFrame,
    y_test: np.ndarray,
    kinds: dict[str, str],
    filled: pd.DataFrame,
    progressed: np.ndarray,
    target: str,
    handoff: str,
) -> list[dict[str, Any]]:
    """Features that look recorded after the outcome, with the numbers that make them suspect.

    (a) the feature alone predicts the target with a held-out AUC ≥ 0.95;
    (b) it is filled in for most leads that went past the hand-off stage and for few of the
    others, as sales' own status fields are;
    (c) one of its values (a text feature's) is held almost only by leads that reached the
    target, and by many of them ("Meeting booked", "Closed won").
    Touch counts are read before the hand-off by construction and are only checked by (a).
    """
    target_label = Stage(target).label
    handoff_label = Stage(handoff).label
    warnings: list[dict[str, Any]] = []
    for column, kind in kinds.items():
        reasons = []
        details: dict[str, Any] = {}
        alone = single_feature_auc(train[column], y_train, test[column], y_test, kind)
        details["single_feature_auc"] = round(alone, 4)
        if alone >= LEAK_AUC:
            reasons.append(
                f"on its own it predicts reaching {target_label} with a held-out AUC of {alone:.2f}"
            )
        if not column.startswith("touches.") and progressed.any() and (~progressed).any():
            is_filled = filled[column].notna().to_numpy()
            after = float(is_filled[progressed].mean())
            other = float(is_filled[~progressed].mean())
            details["filled_progressed"] = round(after, 4)
            details["filled_other"] = round(other, 4)
            if after >= LEAK_FILLED_PROGRESSED and other <= LEAK_FILLED_OTHER:
                reasons.append(
                    f"it is filled in for {after:.0%} of the leads that went past "
                    f"{handoff_label} and for only {other:.0%} of the others, as if recorded "
                    "after the hand-off"
                )
        if kind == CATEGORICAL:
            telling = _telling_value(train[column], y_train)
            if telling is not None:
                value, leads, rate = telling
                details["telling_value"] = value
                reasons.append(
                    f"{leads} leads have the value {value!r}, and {rate:.0%} of them reached "
                    f"{target_label}"
                )
        if reasons:
            warnings.append({"feature": column, "reason": "; ".join(reasons), **details})
    return warnings


# --- what the model learnt ----------------------------------------------------------------------


def permutation_importance(
    pipeline: Pipeline,
    frame: pd.DataFrame,
    y: np.ndarray,
    kinds: dict[str, str],
    *,
    seed: int,
    repeats: int = 3,
) -> list[dict[str, Any]]:
    """The fall in held-out AUC when one original feature's values are shuffled between leads.

    scikit-learn's ``permutation_importance`` shuffles one input column at a time through the
    whole pipeline; since every feature has its own preprocessing branch, shuffling a feature's
    block of the preprocessed matrix is the same thing, and avoids re-running the preprocessing
    once per feature and repeat.
    """
    rng = np.random.default_rng(seed)
    matrix = pipeline.named_steps["features"].transform(frame)
    model = pipeline.named_steps["model"]
    base = auc(y, model.predict_proba(matrix)[:, 1])
    rows: list[dict[str, Any]] = []
    for column, block in output_groups(pipeline, kinds).items():
        drops = []
        for _ in range(repeats):
            shuffled = matrix.copy()
            shuffled[:, block] = matrix[np.ix_(rng.permutation(len(matrix)), block)]
            drops.append(base - auc(y, model.predict_proba(shuffled)[:, 1]))
        rows.append(
            {
                "feature": column,
                "importance": round(float(np.mean(drops)), 4),
                "std": round(float(np.std(drops)), 4),
            }
        )
    rows.sort(key=lambda r: (-r["importance"], r["feature"]))
    return rows


def suggested_weights(pipeline: Pipeline, kinds: dict[str, str]) -> list[dict[str, Any]]:
    """Rule weights read from a fitted logistic regression, for the next scoring-model proposal.

    Each one-hot value's coefficient (and each number's coefficient per standard deviation) is
    scaled so the strongest gets 25 points; positive points raise the score, negative lower it.
    """
    transformer = pipeline.named_steps["features"]
    coefficients = pipeline.named_steps["model"].coef_[0]
    groups = output_groups(pipeline, kinds)
    numeric, categorical = split_kinds(kinds)
    entries: list[tuple[str, str, float]] = []
    if categorical:
        encoder = transformer.named_transformers_[CATEGORICAL_BRANCH].named_steps["onehot"]
        for column, values in zip(categorical, category_columns(encoder), strict=True):
            for value, index in zip(values, groups[column], strict=True):
                entries.append((column, OTHER_LABELS.get(value, value), float(coefficients[index])))
    if numeric:
        offset = transformer.output_indices_[NUMERIC_BRANCH].start
        scales = transformer.named_transformers_[NUMERIC_BRANCH].named_steps["scale"].scale_
        for column in numeric:
            value_at, *indicator = groups[column]
            sd = float(scales[value_at - offset])
            entries.append(
                (
                    column,
                    f"per standard deviation more (≈ {sd:,.4g})",
                    float(coefficients[value_at]),
                )
            )
            for index in indicator:
                # The indicator was scaled too: per unit it is "empty rather than filled in".
                scale = float(scales[index - offset]) or 1.0
                entries.append((column, "(empty)", float(coefficients[index]) / scale))
    strongest = max((abs(c) for _, _, c in entries), default=0.0)
    if strongest == 0:
        return []
    weights: list[dict[str, Any]] = [
        {
            "feature": column,
            "value": value,
            "points": round(coef / strongest * WEIGHT_SCALE),
            "coefficient": round(coef, 4),
        }
        for column, value, coef in entries
    ]
    weights = [w for w in weights if w["points"] != 0]
    weights.sort(key=lambda w: (-abs(w["points"]), w["feature"], w["value"]))
    return weights[:TOP_WEIGHTS]
