"""The administrators' failed-deliveries page masks signers' addresses (issue 13).

Signer data goes only to the commission: an administrator who is not a commissioner of the
petition's body sees ``a•••@e•••.kz``, also inside the quoted SMTP error; an administrator on
that commission sees the address (they may write to the signer anyway).
"""

from __future__ import annotations

import pytest

from recall.extensions import db
from recall.models import Role

SIGNER = "aigerim.nurlanovna@halyk-mail.kz"


@pytest.fixture
def failed(make):
    petition = make.petition()
    signature = make.signature(petition, email=SIGNER)
    delivery = make.failed_delivery(signature)
    return petition, delivery


def _page_as(client, login, user) -> str:
    login(user)
    response = client.get("/notifications/admin/deliveries")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_an_admin_who_is_not_a_commissioner_sees_signers_addresses_masked(
    client, login, make, failed
):
    _, delivery = failed
    admin = make.user(role=Role.ADMIN)
    db.session.commit()
    page = _page_as(client, login, admin)
    assert "aigerim" not in page and "halyk" not in page
    assert "a•••@h•••.kz" in page
    assert "550 5.1.1 &lt;a•••@h•••.kz&gt;: mailbox unavailable" in page
    assert f"/admin/deliveries/{delivery.id}/resend" in page  # still one click to send again


def test_an_admin_on_another_bodys_commission_sees_them_masked(client, login, make, failed):
    admin = make.user(role=Role.ADMIN, commission_body=make.body())
    db.session.commit()
    assert SIGNER not in _page_as(client, login, admin)


def test_an_admin_on_the_petitions_commission_sees_the_address(client, login, make, failed):
    petition, _ = failed
    admin = make.user(role=Role.ADMIN, commission_body_id=petition.body_id)
    db.session.commit()
    assert SIGNER in _page_as(client, login, admin)


def test_addresses_of_account_holders_are_not_masked(client, login, make, failed):
    from recall.models.notifications import Recipient

    _, delivery = failed
    delivery.recipient_kind = Recipient.PETITION_INITIATORS
    delivery.recipient = "initiator@example.org"
    delivery.last_error = "timed out"
    admin = make.user(role=Role.ADMIN)
    db.session.commit()
    assert "initiator@example.org" in _page_as(client, login, admin)
