"""/data lists every download with its licence and a dictionary of every field."""

from __future__ import annotations

import csv
import io

import pytest

from recall.extensions import db
from recall.web.public import catalogue


@pytest.fixture
def app_config():
    return {"DATA_LICENSE": "ODbL 1.0", "DATA_LICENSE_URL": "https://opendatacommons.org/"}


def test_every_download_is_listed_answers_and_is_licensed(app, client, make):
    make.petition()
    db.session.commit()
    page = client.get("/data")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "ODbL 1.0" in html and 'rel="license"' in html
    for download in catalogue.DOWNLOADS:
        row = html.split(f'id="download-{download.key}"', 1)[1].split("</tr>", 1)[0]
        assert "ODbL 1.0" in row
        url = row.split("<code>", 1)[1].split("</code>", 1)[0]
        assert client.get(url).status_code == 200, url
    for url in (
        "/api/v1/petitions.csv",
        "/api/v1/petitions/daily-counts.csv",
        "/api/v1/popolo.json",
    ):
        assert url in html
    assert "not_registered" in html  # the reason codes are explained


def test_the_dictionary_names_every_column_each_csv_writes(app, client, make):
    make.petition()
    db.session.commit()
    for download in catalogue.DOWNLOADS:
        if download.kind != "CSV":
            continue
        from flask import url_for

        with app.test_request_context():
            url = url_for(download.endpoint)
        header = next(csv.reader(io.StringIO(client.get(url).get_data(as_text=True))))
        described = [name for name, _meaning in catalogue.DICTIONARY[download.dictionary]]
        assert described == header, download.key


def test_the_dictionary_names_every_popolo_section(app, client):
    document = client.get("/api/v1/popolo.json").get_json()
    described = {name for name, _meaning in catalogue.DICTIONARY["popolo"]}
    assert described == set(document) - {"meta"}


def test_the_default_licence_is_cc_by(sqlite_app):
    assert "CC BY 4.0" in sqlite_app.test_client().get("/data").get_data(as_text=True)
