"""The scikit-learn pipeline: one preprocessing definition, two candidate classifiers.

A ColumnTransformer with two branches: numeric columns (dates arrive as days before the hand-off)
are read as numbers, text numbers included, the median fills the gaps and a missing-value
indicator keeps the fact that they were empty, then they are scaled; categorical columns fill
gaps with "(missing)" and are one-hot encoded, values seen fewer than ``min_frequency`` times
sharing one "infrequent" column that also takes values never seen in training.
``output_groups`` maps every output column back to the feature it came from, so permutation
importance and suggested rule weights are given per original feature.
"""

import math

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

from accord.scoring.models import Algorithm
from accord.scoring.predictive.features import CATEGORICAL, to_numbers

MISSING = "(missing)"
MAX_CATEGORIES = 20


def coerce_numbers(values: pd.DataFrame | np.ndarray) -> np.ndarray:
    """Numbers from columns that may hold them as text; anything else becomes NaN."""
    frame = pd.DataFrame(values)
    return np.column_stack([to_numbers(frame[c]).to_numpy() for c in frame.columns])


def as_strings(values: pd.DataFrame | np.ndarray) -> np.ndarray:
    """Filled-in categories as a numpy string array, which the encoder counts far faster than
    Python objects."""
    strings: np.ndarray = np.asarray(values).astype(str)
    return strings


def numeric_branch() -> Pipeline:
    return Pipeline(
        [
            ("number", FunctionTransformer(coerce_numbers, feature_names_out="one-to-one")),
            (
                "impute",
                # Keep columns that are empty in one fold so every fold has the same shape.
                SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True),
            ),
            ("scale", StandardScaler()),
        ]
    )


def categorical_branch(min_frequency: int) -> Pipeline:
    return Pipeline(
        [
            ("impute", SimpleImputer(strategy="constant", fill_value=MISSING)),
            ("text", FunctionTransformer(as_strings, feature_names_out="one-to-one")),
            (
                "onehot",
                OneHotEncoder(
                    handle_unknown="infrequent_if_exist",
                    min_frequency=min_frequency,
                    max_categories=MAX_CATEGORIES,
                    sparse_output=False,
                    dtype=np.float32,
                ),
            ),
        ]
    )


def min_frequency_for(rows: int) -> int:
    """Values seen in fewer than 0.5 % of the training leads (and at least 10) are infrequent."""
    return max(10, math.ceil(0.005 * rows))


NUMERIC_BRANCH = "numeric"
CATEGORICAL_BRANCH = "categorical"


def split_kinds(kinds: dict[str, str]) -> tuple[list[str], list[str]]:
    numeric = [c for c, k in kinds.items() if k != CATEGORICAL]
    categorical = [c for c, k in kinds.items() if k == CATEGORICAL]
    return numeric, categorical


def preprocessor(kinds: dict[str, str], rows: int) -> ColumnTransformer:
    numeric, categorical = split_kinds(kinds)
    branches = []
    if numeric:
        branches.append((NUMERIC_BRANCH, numeric_branch(), numeric))
    if categorical:
        branches.append(
            (CATEGORICAL_BRANCH, categorical_branch(min_frequency_for(rows)), categorical)
        )
    # Dense output: gradient boosting needs it, and one-hot blocks are narrow (≤ 20 columns).
    return ColumnTransformer(branches, remainder="drop", sparse_threshold=0.0)


def classifier(algorithm: str, seed: int) -> LogisticRegression | HistGradientBoostingClassifier:
    if algorithm == Algorithm.LOGISTIC_REGRESSION:
        # Strong L2: dozens of sparse picklists otherwise earn noisy weights.
        return LogisticRegression(C=0.1, max_iter=2000)
    return HistGradientBoostingClassifier(
        learning_rate=0.1,
        max_iter=200,
        max_leaf_nodes=8,
        min_samples_leaf=40,
        l2_regularization=1.0,
        # Stop when 10 more trees do not improve a 15 % validation split: small histories need
        # few trees, and fewer trees score faster.
        early_stopping=True,
        validation_fraction=0.15,
        n_iter_no_change=10,
        random_state=seed,
    )


def build(algorithm: str, kinds: dict[str, str], rows: int, seed: int) -> Pipeline:
    return Pipeline(
        [("features", preprocessor(kinds, rows)), ("model", classifier(algorithm, seed))]
    )


def output_groups(pipeline: Pipeline, kinds: dict[str, str]) -> dict[str, np.ndarray]:
    """Which output columns of the fitted preprocessing each original feature became."""
    transformer: ColumnTransformer = pipeline.named_steps["features"]
    numeric, categorical = split_kinds(kinds)
    groups: dict[str, list[int]] = {}
    if numeric:
        offset = transformer.output_indices_[NUMERIC_BRANCH].start
        imputer = transformer.named_transformers_[NUMERIC_BRANCH].named_steps["impute"]
        for i, column in enumerate(numeric):
            groups[column] = [offset + i]
        if imputer.indicator_ is not None:
            for j, feature in enumerate(imputer.indicator_.features_):
                groups[numeric[feature]].append(offset + len(numeric) + j)
    if categorical:
        offset = transformer.output_indices_[CATEGORICAL_BRANCH].start
        encoder = transformer.named_transformers_[CATEGORICAL_BRANCH].named_steps["onehot"]
        for column, values in zip(categorical, category_columns(encoder), strict=True):
            groups[column] = list(range(offset, offset + len(values)))
            offset += len(values)
    return {column: np.array(indices) for column, indices in groups.items()}


def category_columns(encoder: OneHotEncoder) -> list[list[str]]:
    """The output columns of each encoded feature, in order: its frequent values, then
    ``infrequent_sklearn`` when some values were grouped as infrequent."""
    infrequent = getattr(encoder, "infrequent_categories_", None) or [None] * len(
        encoder.categories_
    )
    out = []
    for categories, rare in zip(encoder.categories_, infrequent, strict=True):
        rare_set = set(rare) if rare is not None else set()
        values = [str(c) for c in categories if c not in rare_set]
        if rare_set:
            values.append("infrequent_sklearn")
        out.append(values)
    return out
