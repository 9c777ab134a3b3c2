"""Files as they come: comma, semicolon or tab; UTF-8 with or without a mark, or Latin-1."""

import pytest

from accord.errors import AccordError
from accord.funnel.models import Lead
from accord.imports.csvfile import CsvSource
from accord.imports.engine import import_file

pytestmark = pytest.mark.django_db

ROWS = [
    ["Email", "First Name", "Notes"],
    ["zoe@x.example", "Zoë", "likes; semicolons, and commas"],
    ["rene@x.example", "René", "plain"],
]


@pytest.mark.parametrize(
    ("delimiter", "encoding", "detected"),
    [
        (",", "utf-8", "utf-8"),
        (";", "utf-8-sig", "utf-8-sig"),
        ("\t", "latin-1", "latin-1"),
        (";", "latin-1", "latin-1"),
        ("\t", "utf-16", "utf-16"),
    ],
)
def test_it_detects_the_delimiter_and_the_encoding(write_csv, delimiter, encoding, detected):
    path = write_csv(ROWS, delimiter=delimiter, encoding=encoding)
    result = import_file(entity="leads", path=path, by=None)
    assert (result.delimiter, result.encoding, result.created) == (delimiter, detected, 2)
    assert Lead.objects.get(email="zoe@x.example").first_name == "Zoë"
    assert Lead.objects.get(email="zoe@x.example").properties == {
        "notes": "likes; semicolons, and commas"
    }


def test_a_byte_order_mark_does_not_stick_to_the_first_header(write_csv):
    path = write_csv(ROWS, encoding="utf-8-sig")
    assert CsvSource(path).headers[0] == "Email"


def test_row_numbers_count_the_header_as_row_1_and_skip_nothing(write_csv):
    path = write_csv(
        [
            ["email", "stage"],
            ["a@x.example", "lead"],
            ["b@x.example", "multi\nline\nstage"],
            [],
            ["c@x.example", "bogus"],
        ]
    )
    result = import_file(entity="leads", path=path, by=None)
    assert [r.row for r in result.rejected] == [3, 5]


def test_a_row_longer_than_the_header_is_rejected(write_csv):
    path = write_csv([["email"], ["a@x.example", "stray"]])
    (rejection,) = import_file(entity="leads", path=path, by=None).rejected
    assert rejection.reason == "the row has 2 values but the header has 1 columns"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (b"\n\n", "has no header row"),
        (b"email,Email\na@x.example,b\n", "has two columns named 'Email'"),
    ],
)
def test_a_file_that_cannot_be_imported_is_refused(tmp_path, content, message):
    path = tmp_path / "file.csv"
    path.write_bytes(content)
    with pytest.raises(AccordError, match=message):
        CsvSource(path)
