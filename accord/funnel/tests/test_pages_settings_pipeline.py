import pytest

from accord.funnel.models import PipelineStage

from .factories import make_deal

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_everyone_sees_the_stages_with_their_open_deals(marketer_client):
    make_deal()
    response = marketer_client.get("/settings/pipeline/")
    assert response.status_code == 200
    rows = {stage.name: stage.open_deals for stage, _ in response.context["rows"]}
    assert rows == {"Discovery": 1, "Demo": 0, "Proposal": 0, "Negotiation": 0}
    assert b"Only an admin can change the pipeline" in response.content


def test_an_admin_adds_a_stage_at_the_end(admin_client):
    response = admin_client.post(
        "/settings/pipeline/", {"new-name": "Contract sent", "new-probability": "90"}
    )
    assert response.status_code == 302
    stage = PipelineStage.objects.order_by("position").last()
    assert stage is not None
    assert (stage.name, stage.probability, stage.position) == ("Contract sent", 90, 50)


def test_an_admin_renames_reorders_and_reweighs_a_stage(admin_client):
    demo = PipelineStage.objects.get(name="Demo")
    response = admin_client.post(
        "/settings/pipeline/",
        {
            "stage": demo.pk,
            f"s{demo.pk}-name": "Product demo",
            f"s{demo.pk}-position": "5",
            f"s{demo.pk}-probability": "30",
        },
    )
    assert response.status_code == 302
    first = PipelineStage.objects.first()
    assert first is not None
    assert (first.pk, first.name, first.probability) == (demo.pk, "Product demo", 30)


def test_a_probability_over_100_is_refused_next_to_it(admin_client):
    response = admin_client.post(
        "/settings/pipeline/", {"new-name": "Dreams", "new-probability": "150"}
    )
    assert response.status_code == 400
    assert response.context["new_form"].errors["probability"]


def test_a_taken_name_is_refused(admin_client):
    response = admin_client.post(
        "/settings/pipeline/", {"new-name": "demo", "new-probability": "5"}
    )
    assert response.status_code == 400
    assert "exists" in response.context["new_form"].errors["name"][0]


def test_a_marketer_cannot_change_the_pipeline(marketer_client):
    demo = PipelineStage.objects.get(name="Demo")
    response = marketer_client.post(
        "/settings/pipeline/",
        {"stage": demo.pk, f"s{demo.pk}-name": "Hijacked", f"s{demo.pk}-probability": "1"},
    )
    assert response.status_code == 403
    assert b"Only an admin can change the pipeline" in response.content
    demo.refresh_from_db()
    assert demo.name == "Demo"
    response = marketer_client.post(
        "/settings/pipeline/", {"new-name": "Extra", "new-probability": "1"}
    )
    assert response.status_code == 403
    assert not PipelineStage.objects.filter(name="Extra").exists()
