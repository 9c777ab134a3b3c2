"""`accord scoring {train|backtest|apply} …`: scoring from the command line.

- ``train`` learns a predictive model from the closed history and prints its report;
- ``backtest`` replays the last months with a version's MQL definition and scoring model, side
  by side with the version in force;
- ``apply`` rescores every lead under the scoring model in force and moves the leads that meet
  the MQL definition in force to MQL.
"""

from __future__ import annotations

import json
from typing import Any
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accord.agreement.definitions import definition_describe
from accord.agreement.models import Agreement
from accord.agreement.selectors import agreement_in_force
from accord.errors import AccordError
from accord.funnel.models import FUNNEL_ORDER, Stage
from accord.scoring.backtest import (
    MAX_MONTHS,
    BacktestResult,
    Outcome,
    backtest_compare,
    segment_label,
)
from accord.scoring.models import Algorithm, PredictiveModel
from accord.scoring.services import predictive_train, scoring_apply


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

        backtest = actions.add_parser(
            "backtest",
            help="replay the last months with a version's MQL definition and scoring model",
            description="How many MQLs a version's MQL definition and scoring model would have "
            "produced each month and per segment, and what share of them really reached SAL, "
            "SQL and customer; side by side with the version in force.",
        )
        backtest.add_argument(
            "--agreement",
            type=int,
            default=None,
            metavar="VERSION",
            help="the agreement version to backtest (default: the version in force)",
        )
        backtest.add_argument(
            "--months",
            type=int,
            default=12,
            help=f"how many months to replay (12, at most {MAX_MONTHS})",
        )
        backtest.add_argument("--format", choices=["table", "json"], default="table")

        actions.add_parser(
            "apply",
            help="rescore every lead under the model in force and qualify MQLs",
            description="Match every lead to its persona, rescore every lead under the scoring "
            "model of the agreement in force, and move the leads that meet its MQL definition "
            "to MQL. Prints the counts.",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            if opts["action"] == "train":
                self.train(opts)
            elif opts["action"] == "backtest":
                self.backtest(opts)
            elif opts["action"] == "apply":
                self.apply()
        except AccordError as exc:
            raise CommandError(exc.message) from exc

    def backtest(self, opts: dict[str, Any]) -> None:
        version = opts["agreement"]
        if version is None:
            agreement = agreement_in_force()
            if agreement is None:
                raise CommandError(
                    "no agreement is in force yet: name a proposal with --agreement VERSION"
                )
        else:
            found = Agreement.objects.select_related("scoring_model").filter(version=version)
            agreement = found.first()
            if agreement is None:
                raise CommandError(f"there is no agreement v{version}")
        results = backtest_compare(proposal=agreement, months=opts["months"])
        in_force = agreement_in_force() if results["in_force"] is not None else None
        if opts["format"] == "json":
            self.stdout.write(
                json.dumps(backtest_json(agreement, in_force, results, opts["months"]), indent=2)
            )
        else:
            self.stdout.write(render_backtest(agreement, in_force, results))

    def apply(self) -> None:
        applied = scoring_apply(by=None)
        self.stdout.write(
            f"Agreement v{applied.agreement_version}, scoring model v{applied.model_version}\n"
            f"Personas matched: {_leads(applied.personas_matched)}\n"
            f"Scores changed:   {_leads(applied.scores_changed)}\n"
            f"Moved to MQL:     {_leads(applied.qualified)}"
        )

    def train(self, opts: dict[str, Any]) -> None:
        exclude = [key.strip() for key in opts["exclude"].split(",") if key.strip()]
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
        if opts["format"] == "json":
            self.stdout.write(json.dumps({**model.metrics, "model_id": model.pk}, indent=2))
        else:
            self.stdout.write(render_table(model))


def _leads(n: int) -> str:
    return f"{n:,} lead" + ("" if n == 1 else "s")


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


# --- backtest --------------------------------------------------------------------------------


def backtest_json(
    agreement: Agreement,
    in_force: Agreement | None,
    results: dict[str, BacktestResult | None],
    months: int,
) -> dict[str, Any]:
    """The backtest as the API returns it: the version asked for (``proposed``) and the version
    in force (null when none is, or when it is the version asked for)."""
    proposed, current = results["proposed"], results["in_force"]
    assert proposed is not None
    return {
        "agreement": agreement.version,
        "months": months,
        "proposed": {"version": agreement.version, **proposed.as_dict()},
        "in_force": (
            {"version": in_force.version, **current.as_dict()}
            if in_force is not None and current is not None
            else None
        ),
    }


def _rate(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


LABEL = 13  # "(no segment)" and a space


def _columns(outcome: Outcome | None) -> str:
    if outcome is None:
        return f"{'':>8} {'':>5} {'':>5} {'':>8}"
    return (
        f"{outcome.mqls:>8,} {_rate(outcome.rate('sal')):>5} {_rate(outcome.rate('sql')):>5} "
        f"{_rate(outcome.rate('customer')):>8}"
    )


def render_backtest(
    agreement: Agreement, in_force: Agreement | None, results: dict[str, BacktestResult | None]
) -> str:
    """The backtest for a person at a terminal: months and segments, one column block per
    version."""
    proposed, current = results["proposed"], results["in_force"]
    assert proposed is not None
    versions = [(agreement, proposed)]
    against = ""
    if in_force is not None and current is not None:
        versions.append((in_force, current))
        against = f" against v{in_force.version} (in force)"
    until = proposed.until.astimezone(ZoneInfo(proposed.time_zone))
    lines = [
        f"Backtest of agreement v{agreement.version} ({agreement.get_status_display().lower()})"
        f"{against}: {len(proposed.months)} months to {until:%Y-%m-%d %H:%M} "
        f"{proposed.time_zone}",
    ]
    for version, result in versions:
        model = f"scoring model v{result.model_version}" if result.model_version else "no model"
        if not result.defined:
            lines.append(f"v{version.version} MQL definition ({model}): none, no lead qualifies")
            continue
        lines.append(f"v{version.version} MQL definition ({model}), met by any of:")
        lines += [f"  - {group}" for group in definition_describe(result.definition)]

    def header(label: str) -> str:
        return f"{label:<{LABEL}}" + "".join(
            f"| {'v' + str(v.version) + ' MQLs':>8} {'SAL':>5} {'SQL':>5} {'customer':>8} "
            for v, _ in versions
        )

    def row(label: str, outcomes: list[Outcome | None]) -> str:
        return f"{label:<{LABEL}}" + "".join(f"| {_columns(o)} " for o in outcomes)

    lines += [
        "",
        "Would-be MQLs per month, and the share that really reached SAL, SQL, customer",
        header("month"),
    ]
    for index, month in enumerate(proposed.months):
        label = month.month.strftime("%Y-%m") + ("*" if month.partial else "")
        lines.append(row(label, [result.months[index].total for _, result in versions]))
    lines.append(row("total", [result.total for _, result in versions]))
    lines += ["", "Per account segment, over the whole window", header("segment")]
    keys = sorted({key for _, result in versions for key in result.segments})
    for key in keys:
        lines.append(row(segment_label(key), [result.segments.get(key) for _, result in versions]))
    if any(m.partial for m in proposed.months):
        lines += ["", "* the current month, so far"]
    return "\n".join(line.rstrip() for line in lines)
