"""The recall petition lifecycle up to signing, and reading petitions.

Who may do what (the state checks are in ``petition_states.change_state``):

* open: any signed-in user, against a deputy who can be recalled under the rule in force for
  the deputy's body, when the deputy has no other active petition (one at a time: a new one may
  start once the previous one is rejected, failed or decided by the vote);
* invite / withdraw / submit: the initiator; confirm: the invited user;
* register / reject: a commissioner of the petition's body (anyone else gets ``Forbidden``);
* close: the scheduled job :func:`close_due_petitions`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from recall.errors import Conflict, Forbidden, Invalid, NotFound
from recall.extensions import db
from recall.models import Deputy, InitiativeMember, Petition, PetitionState, User
from recall.models.base import utcnow
from recall.models.petition import PetitionPromise
from recall.models.promise import Promise
from recall.rules.recall_rules import required_signatures, signing_period_days
from recall.services.accounts.users import find_user_by_email, normalise_email
from recall.services.appeals import citations
from recall.services.audit import append_audit
from recall.services.list_filters import parse_row_ids, parse_state
from recall.services.lookup import get_or_raise
from recall.services.outbox import record_event
from recall.services.pagination import Page, paginate
from recall.services.petitions import electorate, initiative
from recall.services.petitions.states import ACTIVE_STATES, change_state, check_transition
from recall.services.promises.queries import check_cited_promises, cited_promise_ids
from recall.services.rules import recall_rules
from recall.services.signing import counting

GROUNDS_MIN = 50
GROUNDS_MAX = 5000
REASON_MAX = 2000
MAX_CITED_PROMISES = 50


# ------------------------------------------------------------------ reading


def get_petition(petition_id: int) -> Petition:
    petition = get_or_raise(Petition, petition_id, _("No such petition."))
    return petition


def petition_for_page(petition_id: int) -> Petition:
    """A petition with everything its public page and JSON show, in two statements.

    Deputy, district, body and rule come joined to the petition; the initiative group and its
    users in one more query. The page then makes no lazy loads (``tests/petitions/
    test_page_statements.py`` counts them).
    """
    petition = db.session.scalar(
        sa.select(Petition)
        .where(Petition.id == petition_id)
        .options(
            joinedload(Petition.deputy),
            joinedload(Petition.district),
            joinedload(Petition.body),
            joinedload(Petition.rule_version),
            selectinload(Petition.members).joinedload(InitiativeMember.user),
        )
    )
    if petition is None:
        raise NotFound(_("No such petition."))
    return petition


@dataclass(frozen=True)
class PetitionFilters:
    state: PetitionState | None = None
    deputy_id: int | None = None
    district_id: int | None = None
    body_id: int | None = None


def parse_filters(args) -> PetitionFilters:
    """Read list filters from a query-string mapping; a bad value raises ``Invalid`` naming it."""
    state = parse_state(args, [s.value for s in PetitionState])
    values = parse_row_ids(args, ("deputy", "district", "body"))
    return PetitionFilters(
        state=PetitionState(state) if state else None,
        deputy_id=values["deputy"],
        district_id=values["district"],
        body_id=values["body"],
    )


def list_petitions(
    filters: PetitionFilters, page: int | None = 1, per_page: int | None = 20
) -> Page[Petition]:
    """Petitions matching ``filters``, newest first."""
    return paginate(filtered_petitions(filters), page, per_page)


def filtered_petitions(filters: PetitionFilters) -> sa.Select:
    """The query of petitions matching ``filters``, newest first."""
    query = sa.select(Petition)
    if filters.state:
        query = query.where(Petition.state == filters.state)
    if filters.deputy_id:
        query = query.where(Petition.deputy_id == filters.deputy_id)
    if filters.district_id:
        query = query.where(Petition.district_id == filters.district_id)
    if filters.body_id:
        query = query.where(Petition.body_id == filters.body_id)
    return query.order_by(Petition.created_at.desc(), Petition.id.desc())


def deputy_petitions(deputy: Deputy) -> list[Petition]:
    """Every petition against ``deputy``, newest first."""
    return list(
        db.session.scalars(
            sa.select(Petition)
            .where(Petition.deputy_id == deputy.id)
            .order_by(Petition.created_at.desc(), Petition.id.desc())
        )
    )


def active_petition(deputy_id: int) -> Petition | None:
    """The deputy's active (not yet final) petition, if any."""
    return db.session.scalar(
        sa.select(Petition)
        .where(Petition.deputy_id == deputy_id, Petition.state.in_(ACTIVE_STATES))
        .limit(1)
    )


def petitions_awaiting_commission(actor: User) -> list[Petition]:
    """Petitions submitted to the commission of ``actor``'s body, oldest first."""
    if actor.commission_body_id is None:
        raise Forbidden(_("Only members of an election commission review petitions."))
    return list(
        db.session.scalars(
            sa.select(Petition)
            .where(
                Petition.body_id == actor.commission_body_id,
                Petition.state == PetitionState.SUBMITTED,
            )
            .order_by(Petition.submitted_at, Petition.id)
        )
    )


def pending_invitations(user: User) -> list[InitiativeMember]:
    """Invitations ``user`` has not confirmed yet, on petitions still gathering their group."""
    return list(
        db.session.scalars(
            sa.select(InitiativeMember)
            .join(InitiativeMember.petition)
            .where(
                InitiativeMember.user_id == user.id,
                InitiativeMember.confirmed_at.is_(None),
                Petition.state == PetitionState.GATHERING_GROUP,
            )
            .order_by(InitiativeMember.id)
        )
    )


def confirmed_members(petition: Petition) -> list[InitiativeMember]:
    return [m for m in petition.members if m.confirmed_at is not None]


def cited_promises(petition: Petition) -> list:
    """The promises the petition cites, in promise id order."""
    return list(
        db.session.scalars(
            sa.select(Promise)
            .join(PetitionPromise, PetitionPromise.promise_id == Promise.id)
            .where(PetitionPromise.petition_id == petition.id)
            .order_by(PetitionPromise.promise_id)
        )
    )


def count_visible_to(petition: Petition, viewer: User | None) -> bool:
    """May ``viewer`` see the running count? Everyone unless the rule forbids it while signing is open;
    commissioners of the petition's body always."""
    if (
        viewer is not None
        and getattr(viewer, "is_authenticated", False)
        and viewer.is_commissioner_of(petition.body_id)
    ):
        return True
    if petition.state == PetitionState.COLLECTING:
        return bool(petition.rule_version.data.get("running_count_public", False))
    return petition.state not in (
        PetitionState.GATHERING_GROUP,
        PetitionState.SUBMITTED,
        PetitionState.REJECTED,
    )


def public_counts(items: list[Petition]) -> dict[int, int]:
    """The confirmed count of each petition of a list whose count the public may see (the rule
    allows it, or signing is over); petitions whose count is sealed are left out."""
    shown = [p.id for p in items if count_visible_to(p, None)]
    return counting.confirmed_counts(shown)


@dataclass(frozen=True)
class SignatureNumbers:
    """Count, threshold and per-day counts of a petition; ``visible`` False means the numbers are hidden."""

    visible: bool
    confirmed: int | None
    per_day: list | None
    required: int | None
    met: bool | None
    percent: float | None


def signature_numbers(petition: Petition, viewer: User | None = None) -> SignatureNumbers:
    """What the page and API show about the count (the sharded counters of ``counting``)."""
    visible = count_visible_to(petition, viewer)
    required = petition.required_signatures
    if not visible:
        return SignatureNumbers(False, None, None, required, None, None)
    confirmed, per_day = counting.count_and_days(petition)
    met = confirmed >= required if required else None
    percent = round(100.0 * confirmed / required, 1) if required else None
    return SignatureNumbers(True, confirmed, per_day, required, met, percent)


# --------------------------------------------------------------- lifecycle


def lock_petition(petition_id: int) -> Petition:
    """The petition, its row locked until the caller commits (``NotFound`` if missing)."""
    petition = db.session.scalar(
        sa.select(Petition).where(Petition.id == petition_id).with_for_update()
    )
    if petition is None:
        raise NotFound(_("No such petition."))
    return petition


def _require_initiator(actor: User, petition: Petition) -> None:
    if petition.initiator_id != actor.id:
        raise Forbidden(_("Only the initiator of this petition may do this."))


def _require_commissioner(actor: User, petition: Petition) -> None:
    if not actor.is_commissioner_of(petition.body_id):
        raise Forbidden(
            _(
                "Only a commissioner of %(body)s may decide on this petition.",
                body=petition.body.name,
            )
        )


def _check_grounds(grounds: str) -> str:
    grounds = (grounds or "").strip()
    if not GROUNDS_MIN <= len(grounds) <= GROUNDS_MAX:
        raise Invalid(
            _(
                "State the grounds in %(min)d to %(max)d characters (you wrote %(n)d).",
                min=GROUNDS_MIN,
                max=GROUNDS_MAX,
                n=len(grounds),
            ),
            field="grounds",
        )
    return grounds


def _check_promises(deputy: Deputy, promise_ids) -> list[int]:
    ids = cited_promise_ids(promise_ids)
    if not ids:
        return []
    return check_cited_promises(deputy, ids, MAX_CITED_PROMISES)


def _require_recallable(deputy: Deputy, rule) -> None:
    eligibility = recall_rules.deputy_eligibility(deputy, rule)
    if not eligibility.allowed:
        raise Conflict(eligibility.message, field="deputy_id")


def open_petition(
    actor: User, deputy_id: int, grounds: str, cited_promise_ids=(), cited_appeal_ids=()
) -> Petition:
    """Start a recall petition against a deputy; the initiator is its first (confirmed) group member.

    Grounds: 50 to 5000 characters. Cited promises must be the deputy's; cited appeals the
    deputy's appeals whose answer is due or overdue (``appeals.citations.cite_appeals``). The rule version in
    force for the deputy's body is frozen on the petition. Raises ``Invalid`` for bad input,
    ``Conflict`` when the deputy cannot be recalled now or already has an active petition.
    """
    if actor is None or not getattr(actor, "is_authenticated", True):
        raise Forbidden(_("Sign in to start a petition."))
    deputy = db.session.get(Deputy, deputy_id) if deputy_id else None
    if deputy is None:
        raise Invalid(_("Choose a deputy."), field="deputy_id")
    grounds = _check_grounds(grounds)
    version = recall_rules.rule_version_in_force(deputy.body)
    _require_recallable(deputy, version.to_rule())
    promise_ids = _check_promises(deputy, cited_promise_ids)
    if active_petition(deputy.id) is not None:
        raise Conflict(
            _("There is already an active petition against this deputy: join it instead."),
            field="deputy_id",
        )
    now = utcnow()
    petition = Petition(
        deputy=deputy,
        district_id=deputy.district_id,
        body_id=deputy.body_id,
        rule_version=version,
        state=PetitionState.GATHERING_GROUP,
        grounds=grounds,
        initiator=actor,
    )
    petition.members.append(InitiativeMember(user=actor, confirmed_at=now))
    try:
        with db.session.begin_nested():
            db.session.add(petition)
            db.session.flush()
    except IntegrityError:  # a concurrent petition won the one-active-per-deputy index
        raise Conflict(
            _("There is already an active petition against this deputy: join it instead."),
            field="deputy_id",
        ) from None
    if promise_ids:
        from recall.models.petition import PetitionPromise

        db.session.add_all(
            PetitionPromise(petition_id=petition.id, promise_id=i) for i in promise_ids
        )
        db.session.flush()
    if cited_appeal_ids:
        citations.cite_appeals(petition.id, deputy.id, cited_appeal_ids)
    record_event(
        "petition.opened",
        "petition",
        petition.id,
        {"petition_id": petition.id, "deputy_id": deputy.id},
        actor.id,
    )
    return petition


def invite_member(actor: User, petition_id: int, email: str) -> InitiativeMember:
    """The initiator invites a registered user into the initiative group (``initiative.invited``)."""
    petition = lock_petition(petition_id)
    _require_initiator(actor, petition)
    if petition.state != PetitionState.GATHERING_GROUP:
        raise Conflict(
            _("The initiative group can only change before the petition is submitted."),
            field="state",
        )
    user = find_user_by_email(normalise_email(email))
    if user is None:
        raise Invalid(
            _("Nobody is registered with this e-mail address: ask them to register first."),
            field="email",
        )
    if any(m.user_id == user.id for m in petition.members):
        raise Conflict(_("%(name)s is already invited.", name=user.display_name), field="email")
    member = InitiativeMember(petition=petition, user=user)
    db.session.add(member)
    db.session.flush()
    record_event(
        "initiative.invited",
        "petition",
        petition.id,
        {"petition_id": petition.id, "user_id": user.id},
        actor.id,
    )
    return member


def confirm_membership(actor: User, petition_id: int, iin: str | None) -> InitiativeMember:
    """An invited user confirms they are part of the initiative group, giving their IIN (the
    initiator, confirmed from the start, gives theirs the same way; a member may correct theirs
    while the group is gathering). ``initiative.record_iin`` checks it."""
    petition = lock_petition(petition_id)
    member = next((m for m in petition.members if m.user_id == actor.id), None)
    if member is None:
        raise Forbidden(_("You have not been invited into this initiative group."))
    if petition.state != PetitionState.GATHERING_GROUP:
        raise Conflict(
            _("The initiative group can only change before the petition is submitted."),
            field="state",
        )
    initiative.record_iin(petition, member, iin)
    member.confirmed_at = member.confirmed_at or utcnow()
    db.session.flush()
    return member


def withdraw_petition(actor: User, petition_id: int, reason: str) -> Petition:
    """The initiator abandons a petition before submitting it (it ends as rejected, with their reason)."""
    petition = lock_petition(petition_id)
    _require_initiator(actor, petition)
    if petition.state != PetitionState.GATHERING_GROUP:
        raise Conflict(
            _("Only a petition still gathering its initiative group can be withdrawn."),
            field="state",
        )
    return change_state(
        petition,
        PetitionState.REJECTED,
        actor,
        reason=_check_reason(reason),
        payload={"withdrawn": True},
    )


def submit_petition(actor: User, petition_id: int) -> Petition:
    """The initiator submits the petition to the commission of the deputy's body.

    Needs at least ``min_initiative_group`` confirmed members who are voters of the district
    (``initiative.member_checks``), the initiator included, and the deputy must still be
    recallable.
    """
    petition = lock_petition(petition_id)
    _require_initiator(actor, petition)
    check_transition(petition, PetitionState.SUBMITTED)
    rule = petition.rule_version.to_rule()
    confirmed = initiative.eligible_count(initiative.member_checks(petition))
    if confirmed < rule.min_initiative_group:
        raise Conflict(
            _(
                "The initiative group needs at least %(need)d confirmed members who are voters of "
                "the district (the initiator included); it has %(have)d.",
                need=rule.min_initiative_group,
                have=confirmed,
            ),
            field="members",
        )
    _require_recallable(petition.deputy, rule)
    return change_state(
        petition,
        PetitionState.SUBMITTED,
        actor,
        payload={"group_size": confirmed, "body_id": petition.body_id},
    )


def petition_to_register(actor: User, petition_id: int) -> Petition:
    """The petition a commissioner is about to register, for the page that asks "register it?".

    NotFound, Forbidden (another body's commissioner) or Conflict (not awaiting registration).
    """
    petition = petition_for_page(petition_id)
    _require_commissioner(actor, petition)
    check_transition(petition, PetitionState.COLLECTING)
    return petition


def register_petition(actor: User, petition_id: int) -> Petition:
    """A commissioner of the petition's body registers it: signing opens.

    Freezes the electorate figure the rule's ``electorate_basis`` names (``electorate``: the roll
    in force today, or the voters at the deputy's election), the required number of signatures
    (from the petition's rule version; provisional when the basis is the last day of signing)
    and the signing period (now .. now + the rule's days).
    """
    petition = lock_petition(petition_id)
    _require_commissioner(actor, petition)
    check_transition(petition, PetitionState.COLLECTING)
    rule = petition.rule_version.to_rule()
    if rule.threshold_basis != "registered_voters":
        raise Conflict(
            _(
                "This rule counts signatures against votes cast for the office, which is not recorded "
                "here; assign a rule based on registered voters."
            ),
            field="rule",
        )
    now = utcnow()
    figure = electorate.figure_at_registration(petition, rule, now)
    voters = figure.voters
    petition.registered_voters = voters
    petition.electorate_basis = rule.electorate_basis
    petition.electorate_as_of = figure.as_of
    petition.required_provisional = figure.provisional
    petition.required_signatures = required_signatures(rule, voters)
    petition.opens_at = now
    petition.closes_at = now + timedelta(days=signing_period_days(rule, voters))
    terms = {
        "required_signatures": petition.required_signatures,
        "registered_voters": voters,
        "electorate_basis": rule.electorate_basis,
        "electorate_as_of": figure.as_of.isoformat() if figure.as_of else None,
        "required_provisional": figure.provisional,
        "opens_at": now.isoformat(),
        "closes_at": petition.closes_at.isoformat(),
    }
    change_state(petition, PetitionState.COLLECTING, actor, payload=terms)
    append_audit(
        "petition.registered",
        actor.id,
        "petition",
        petition.id,
        petition.body_id,
        {**terms, "rule_version_id": petition.rule_version_id},
    )
    return petition


def _check_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(_("Give the reason."), field="reason")
    if len(reason) > REASON_MAX:
        raise Invalid(
            _("The reason may have at most %(n)d characters.", n=REASON_MAX), field="reason"
        )
    return reason


def reject_petition(actor: User, petition_id: int, reason: str) -> Petition:
    """A commissioner of the petition's body refuses to register it, giving the reason."""
    petition = lock_petition(petition_id)
    _require_commissioner(actor, petition)
    if petition.state != PetitionState.SUBMITTED:
        raise Conflict(
            _("Only a petition submitted to the commission can be rejected by it."), field="state"
        )
    reason = _check_reason(reason)
    change_state(petition, PetitionState.REJECTED, actor, reason=reason)
    # The reason is free text and may name people: the log keeps its SHA-256, which anyone can
    # compare with the reason published on the petition's page.
    append_audit(
        "petition.rejected",
        actor.id,
        "petition",
        petition.id,
        petition.body_id,
        {"reason_sha256": hashlib.sha256(reason.encode("utf-8")).hexdigest()},
    )
    return petition


def close_due_petitions(now: datetime) -> int:
    """Close every collecting petition whose signing period has ended; returns how many. Idempotent.

    Periodic task (``recall.jobs.periodic``); commits nothing itself. Rows locked by another
    transaction are skipped and closed on the next run.
    """
    due = db.session.scalars(
        sa.select(Petition)
        .where(Petition.state == PetitionState.COLLECTING, Petition.closes_at <= now)
        .order_by(Petition.id)
        .with_for_update(skip_locked=True)
    ).all()
    for petition in due:
        change_state(
            petition,
            PetitionState.CLOSED,
            None,
            payload={"closes_at": petition.closes_at.isoformat()},
        )
        append_audit(
            "petition.closed",
            None,
            "petition",
            petition.id,
            petition.body_id,
            {"closes_at": petition.closes_at.isoformat()},
        )
        # Electorate on the last day of signing (UK s. 14(3)): the required number is now final.
        electorate.settle_last_day(petition)
        # The count is public from now on: announce what a rule without a running count held back.
        counting.check_thresholds(petition.id, now=now)
    return len(due)
