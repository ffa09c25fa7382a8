"""Reference data every installation needs: rule presets, body kinds, promise topics, reason codes,
who hears what.

Kept in code (each area owns its list) and written by ``ensure_reference_data``, which is
idempotent: ``flask seed`` runs it after every ``flask db upgrade`` (``make run`` does both), so a
new preset version or reason code reaches existing installations without a data migration.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SeedResult:
    preset_rule_versions: int  # preset versions present
    body_kinds_added: int
    topics: int  # topics present
    reason_codes_added: int
    notification_rules_added: int

    def summary(self) -> str:
        return (
            f"{self.preset_rule_versions} preset rule versions and {self.topics} topics present; "
            f"added {self.body_kinds_added} body kinds, {self.reason_codes_added} reason codes and {self.notification_rules_added} notification rules"
        )


def ensure_reference_data() -> SeedResult:
    """Insert whatever reference rows are missing; flushes, the caller commits."""
    from recall.notifications.rules import ensure_default_rules
    from recall.services.deputies.body_kinds import ensure_seeded_kinds
    from recall.services.promises.recording import ensure_default_topics
    from recall.services.rules.recall_rules import ensure_preset_rules
    from recall.services.verification.reason_codes import ensure_reason_codes

    return SeedResult(
        preset_rule_versions=len(ensure_preset_rules()),
        body_kinds_added=ensure_seeded_kinds(),
        topics=len(ensure_default_topics()),
        reason_codes_added=ensure_reason_codes(),
        notification_rules_added=ensure_default_rules(),
    )
