import pytest

pytestmark = pytest.mark.django_db


def test_it_groups_people_by_team_with_heads_first(
    marketer_client, marketer, marketing_head, sales_rep, sales_head
):
    response = marketer_client.get("/settings/teams/")
    assert response.status_code == 200
    teams = {
        value: [p.username for p in members] for value, _, members in response.context["teams"]
    }
    assert teams["marketing"] == ["hana", "mia"]
    assert teams["sales"] == ["sam", "rory"]
    assert teams["leadership"] == []
    assert b"Head" in response.content and b"Rep" in response.content
