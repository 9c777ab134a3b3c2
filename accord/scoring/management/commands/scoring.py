"""`accord scoring train …`: predictive scoring from the command line.

Subcommands share this one command so that ``backtest`` and ``apply`` can join ``train`` later.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accord.errors import AccordError
from accord.funnel.models import FUNNEL_ORDER, Stage
from accord.scoring.models import Algorithm, PredictiveModel
from accord.scoring.services import predictive_train


def _share(text: str) -> float:
    try:
        return float(text)
    except ValueError as exc:
        raise CommandError(f"{text!r} is not a number") from exc


class Command(BaseCommand):
    help = "Predictive scoring: `train` learns from the closed history which leads reach a stage."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
        train = actions.add_parser(
            "train",
            help="train a model on the closed history and print its report",
            description="Train a predictive model on the closed history and print its report.",
        )
        train.add_argument(
            "--target",
            required=True,
            choices=FUNNEL_ORDER[1:],
            help="the stage to predict reaching (sql, opportunity, customer…)",
        )
        train.add_argument(
            "--handoff",
            default=Stage.MQL,
            choices=FUNNEL_ORDER,
            help="features are read as of the lead's first entry into this stage (default mql)",
        )
        train.add_argument(
            "--exclude",
            default="",
            help="features to leave out, comma separated (a property key, or a feature name "
            "such as account.industry)",
        )
        train.add_argument(
            "--holdout", default="0.3", help="share of leads held out for the report (0.3)"
        )
        train.add_argument("--seed", type=int, default=0, help="random seed (0)")
        train.add_argument(
            "--cutoff",
            default=None,
            help="probability cut-off for sensitivity and specificity (default: Youden's J)",
        )
        train.add_argument(
            "--maturity-days",
            type=int,
            default=90,
            help="a lead handed off this long ago that has not reached the target counts as "
            "not reaching it (90)",
        )
        train.add_argument("--format", choices=["table", "json"], default="table")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["action"] == "train":
            self.train(opts)

    def train(self, opts: dict[str, Any]) -> None:
        exclude = [key.strip() for key in opts["exclude"].split(",") if key.strip()]
        try:
            model = predictive_train(
                by=None,
                target=opts["target"],
                handoff=opts["handoff"],
                exclude=exclude,
                holdout=_share(opts["holdout"]),
                seed=opts["seed"],
                cutoff=_share(opts["cutoff"]) if opts["cutoff"] is not None else None,
                maturity_days=opts["maturity_days"],
            )
        except AccordError as exc:
            raise CommandError(exc.message) from exc
        if opts["format"] == "json":
            self.stdout.write(json.dumps({**model.metrics, "model_id": model.pk}, indent=2))
        else:
            self.stdout.write(render_table(model))


def _pct(value: float) -> str:
    return f"{value:.0%}"


def render_table(model: PredictiveModel) -> str:
    """The training report for a person at a terminal."""
    r = model.metrics
    target, handoff = Stage(r["target"]).label, Stage(r["handoff"]).label
    names = dict(Algorithm.choices)
    cv = ", ".join(f"{names[a].lower()} {v['mean']:.3f}" for a, v in r["cv_auc"].items())
    lines = [
        f"Predictive model #{model.pk}: reaching {target}, features as of {handoff}",
        f"Kept {names[r['model']].lower()} (cross-validated AUC: {cv})",
        f"Trained on {r['n_train']:,} leads, checked on {r['n_test']:,} held out; "
        f"{_pct(r['positive_rate'])} reached {target}",
        "",
        f"Held-out ROC AUC  {r['auc']:.3f}",
        f"Brier score       {r['calibration']['brier']:.3f}",
        f"Cut-off           {r['cutoff']:.3f} (score {r['cutoff_score']}, "
        f"{'given' if r['cutoff_rule'] == 'given' else 'Youden' + chr(39) + 's J'})",
        f"Sensitivity       {_pct(r['sensitivity'])}",
        f"Specificity       {_pct(r['specificity'])}",
        "",
        "Conversion by score decile (held out)",
        f"  {'decile':>6}  {'leads':>6}  {'reached':>7}  {'rate':>5}  scores",
    ]
    for d in r["deciles"]:
        lines.append(
            f"  {d['decile']:>6}  {d['leads']:>6}  {d['reached']:>7}  {_pct(d['rate']):>5}  "
            f"{d['score_min']}-{d['score_max']}"
        )
    lines += ["", "Calibration (held out)", f"  {'predicted':>9}  {'observed':>8}  leads"]
    for b in r["calibration"]["bins"]:
        lines.append(f"  {_pct(b['predicted']):>9}  {_pct(b['observed']):>8}  {b['leads']}")
    lines += ["", "Most important features (fall in held-out AUC when shuffled)"]
    for f in r["top_features"]:
        flag = "  ! leakage warning" if f["leakage"] else ""
        lines.append(f"  {f['importance']:>7.4f}  {f['feature']}{flag}")
    lines += [""]
    if r["leakage_warnings"]:
        lines.append("Leakage warnings (exclude these with --exclude if they are recorded late)")
        for w in r["leakage_warnings"]:
            lines.append(f"  ! {w['feature']}: {w['reason']}")
    else:
        lines.append("Leakage warnings: none")
    lines += ["", "Suggested rule weights (points)"]
    for w in r["suggested_weights"][:15]:
        lines.append(f"  {w['points']:>+4}  {w['feature']} = {w['value']}")
    lines += ["", f"Features used ({len(r['features'])}): {', '.join(r['features'])}"]
    if r["excluded"]:
        lines.append(f"Excluded: {', '.join(r['excluded'])}")
    if r["dropped"]:
        lines.append(f"Not used ({len(r['dropped'])}):")
        lines += [f"  {d['feature']}: {d['reason']}" for d in r["dropped"]]
    return "\n".join(lines)
