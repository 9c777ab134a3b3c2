import pytest

from accord.demo.generator import demo_build
from accord.demo.tests.helpers import NOW, snapshot, wipe

pytestmark = pytest.mark.django_db


def test_the_same_seed_and_now_build_the_same_workspace():
    demo_build(size="tiny", seed=7, now=NOW)
    first = snapshot()
    wipe()
    demo_build(size="tiny", seed=7, now=NOW)
    assert snapshot() == first
    assert first["counts"]["Lead"] == 200


def test_another_seed_builds_another_workspace():
    demo_build(size="tiny", seed=7, now=NOW)
    first = snapshot()
    wipe()
    demo_build(size="tiny", seed=8, now=NOW)
    second = snapshot()
    assert second["leads"] != first["leads"]
    assert second["touches"] != first["touches"]
    # The cast and the campaign plan are the company's, whatever the seed.
    assert second["people"] == first["people"]
    assert [c[0] for c in second["campaigns"]] == [c[0] for c in first["campaigns"]]
