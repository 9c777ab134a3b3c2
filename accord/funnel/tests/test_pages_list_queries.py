"""List pages cost a fixed number of queries whatever the page size: no query per row."""

import pytest

from accord.funnel.services import lead_move, property_define

from .factories import make_account, make_deal, make_lead

pytestmark = pytest.mark.django_db

# session + user, the property declarations, the page of rows, and the people for the owner
# filter (leads, deals) or nothing more (accounts); deals also list the pipeline stages.
LEAD_LIST_QUERIES = 5
ACCOUNT_LIST_QUERIES = 4
DEAL_LIST_QUERIES = 6
HTMX_LEAD_LIST_QUERIES = 4


@pytest.fixture
def record(sales_rep):
    property_define(entity="lead", label="Budget", type="number", by=None)
    for i in range(55):
        account = make_account(owner=sales_rep)
        lead = make_lead(account=account, owner=sales_rep, properties={"budget": i})
        if i % 2:
            lead_move(lead=lead, to_stage="mql", by=sales_rep)
        make_deal(account=account, primary_lead=lead, owner=sales_rep)


@pytest.mark.parametrize("size", [5, 50])
def test_the_lead_list_runs_a_fixed_number_of_queries(
    marketer_client, record, django_assert_num_queries, size
):
    with django_assert_num_queries(LEAD_LIST_QUERIES):
        response = marketer_client.get(f"/leads/?per_page={size}")
    assert len(response.context["listing"].items) == size


@pytest.mark.parametrize("size", [5, 50])
def test_the_filtered_htmx_lead_list_runs_a_fixed_number_of_queries(
    marketer_client, record, django_assert_num_queries, size
):
    # A custom property filter reads the declarations once more, to check the key and type.
    with django_assert_num_queries(HTMX_LEAD_LIST_QUERIES + 1):
        response = marketer_client.get(
            f"/leads/?per_page={size}&prop.budget__gte=0&stage=opportunity&stage=customer",
            HTTP_HX_REQUEST="true",
        )
    assert len(response.context["listing"].items) == size


@pytest.mark.parametrize("size", [5, 50])
def test_a_later_lead_page_runs_as_many_queries_as_the_first(
    marketer_client, record, django_assert_num_queries, size
):
    next_url = marketer_client.get(f"/leads/?per_page={size}").context["listing"].next_url
    with django_assert_num_queries(LEAD_LIST_QUERIES):
        response = marketer_client.get(next_url)
    with django_assert_num_queries(LEAD_LIST_QUERIES):
        marketer_client.get(response.context["listing"].prev_url)


@pytest.mark.parametrize("size", [5, 50])
def test_the_account_list_runs_a_fixed_number_of_queries(
    marketer_client, record, django_assert_num_queries, size
):
    with django_assert_num_queries(ACCOUNT_LIST_QUERIES):
        response = marketer_client.get(f"/accounts/?per_page={size}")
    assert len(response.context["listing"].items) == size


@pytest.mark.parametrize("size", [5, 50])
def test_the_deal_list_runs_a_fixed_number_of_queries(
    marketer_client, record, django_assert_num_queries, size
):
    with django_assert_num_queries(DEAL_LIST_QUERIES):
        response = marketer_client.get(f"/deals/?per_page={size}")
    assert len(response.context["listing"].items) == size
