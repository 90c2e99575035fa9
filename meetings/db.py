"""Database-level protections that Django's model layer cannot express portably."""

from __future__ import annotations

from django.db import connection

# PostgreSQL exclusion constraints: a person or a table is never in two overlapping active
# meetings. Names are referenced by the booking service to recognise a "slot taken" error.
ATTENDEE_NO_OVERLAP = "attendee_no_overlap"
TABLE_NO_OVERLAP = "meeting_table_no_overlap"

CREATE_SQL = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    f"""ALTER TABLE meetings_meetingattendee ADD CONSTRAINT {ATTENDEE_NO_OVERLAP}
        EXCLUDE USING gist (user_id WITH =, tstzrange(start, "end", '[)') WITH &&)
        WHERE (active)""",
    f"""ALTER TABLE meetings_meeting ADD CONSTRAINT {TABLE_NO_OVERLAP}
        EXCLUDE USING gist (fair_id WITH =, table_number WITH =,
                            tstzrange(start, "end", '[)') WITH &&)
        WHERE (table_number IS NOT NULL AND status IN ('scheduled', 'in_progress', 'held'))""",
]
DROP_SQL = [
    f"ALTER TABLE meetings_meeting DROP CONSTRAINT IF EXISTS {TABLE_NO_OVERLAP}",
    f"ALTER TABLE meetings_meetingattendee DROP CONSTRAINT IF EXISTS {ATTENDEE_NO_OVERLAP}",
]


def supports_exclusion_constraints() -> bool:
    return connection.vendor == "postgresql"
