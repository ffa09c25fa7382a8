"""A voter's IIN watch on a page (issue 18): start it with a digital signature, stop it by link.

The page shows a watch challenge; the voter signs it with their certificate, as on the
certificate signing page. Every mail about the watch carries a stop link; the link's page has a
button (mail scanners open every link).
"""

from __future__ import annotations

from flask import Blueprint, render_template

from recall.security import public, signing_limit
from recall.services.fraud import iin_watch
from recall.web.actions import submit
from recall.web.forms import ActionForm
from recall.web.signing.forms import WatchForm

bp = Blueprint("iin_watch", __name__)


@bp.route("/iin-watch", methods=["GET", "POST"])
@public
@signing_limit
def watch_my_iin():
    form = WatchForm()
    return submit(
        form,
        lambda: iin_watch.watch_iin(
            iin=form.iin.data,
            email=form.email.data,
            **form.proof_fields(),
        ),
        done=lambda _watch: (render_template("signing/watch_started.html"), 201),
        page=lambda: _watch_page(form),
    )


def _watch_page(form: WatchForm) -> str:
    challenge = iin_watch.watch_challenge_for_page(form.challenge.data)
    form.challenge.data = challenge.text
    return render_template("signing/watch.html", form=form, challenge=challenge)


@bp.route("/iin-watch/stop/<token>", methods=["GET", "POST"])
@public
@signing_limit
def stop_watching(token: str):
    iin_watch.watch_to_stop(token)  # a foreign or outdated link: 422 before any button
    form = ActionForm()
    return submit(
        form,
        lambda: iin_watch.stop_watch(token),
        done=lambda _watch: render_template("signing/watch_stopped.html"),
        page=lambda: render_template("signing/watch_stop.html", form=form),
    )
