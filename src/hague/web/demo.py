"""Demo users for the demo case (two organisations, roles, known passwords and TOTP secrets). Demo only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyotp
from sqlalchemy import select

from hague.access import auth, roles, sharing
from hague.core import Hague
from hague.demo.load import DEMO_TITLE, load_demo
from hague.evidence.models import Case, Item, User


@dataclass(frozen=True)
class DemoUser:
    """A demo account: MUST NOT exist on a real deployment (its secrets are printed and public)."""

    username: str
    display_name: str
    organisation: str
    clearance: str
    is_admin: bool
    role: str
    password: str
    totp_secret: str


DEMO_USERS = (
    DemoUser(
        "lead.otp",
        "Case lead (OTP demo)",
        "OTP",
        "strictly_confidential",
        True,
        "case_lead",
        "demo-lead-password",
        "HAGUEDEMOLEADOTPXXXXXXXXXXXXXXXX",
    ),
    DemoUser(
        "analyst.otp",
        "Analyst (OTP demo)",
        "OTP",
        "restricted",
        False,
        "analyst",
        "demo-analyst-password",
        "HAGUEDEMOANALYSTXXXXXXXXXXXXXXXX",
    ),
    DemoUser(
        "partner.pgo",
        "Prosecutor (PGO demo)",
        "PGO",
        "confidential",
        False,
        "viewer",
        "demo-partner-password",
        "HAGUEDEMOPARTNERPGOXXXXXXXXXXXXX",
    ),
)
SHARED_WITH_PARTNER = 3


def load_demo_users(hague: Hague) -> dict[str, Any]:
    """Load the demo case if needed, then its users and a few items shared with the partner organisation."""
    summary = load_demo(hague)
    case_code = summary["case"]
    created = []
    with hague.unit() as unit:
        for demo in DEMO_USERS:
            if unit.session.scalar(select(User).where(User.username == demo.username)) is None:
                roles.create_user(
                    unit,
                    demo.username,
                    demo.display_name,
                    demo.organisation,
                    demo.clearance,
                    demo.password,
                    demo.is_admin,
                )
                auth.enrol_totp(unit, demo.username, demo.totp_secret)
                roles.grant_role(unit, case_code, demo.username, demo.role, granted_by="demo")
                created.append(demo.username)
        if created:
            case = unit.session.scalar(select(Case).where(Case.title == DEMO_TITLE))
            assert case is not None
            lead = roles.get_user(unit.session, DEMO_USERS[0].username)
            erns = unit.session.scalars(
                select(Item.ern).where(Item.case_id == case.id, Item.kind == "physical").order_by(Item.id)
            ).all()
            for ern in erns[:SHARED_WITH_PARTNER]:
                sharing.share(unit, case_code, "PGO", lead, ern)
    return {"case": case_code, "created": created}


def credentials_text(base_url: str) -> str:
    """What `hague serve` prints for the demo: the URL, each account and its current one-time code."""
    lines = [f"Hague is at {base_url}", "Demo accounts (demo only; these secrets are public):"]
    for demo in DEMO_USERS:
        code = pyotp.TOTP(demo.totp_secret).now()
        lines.append(
            f"  {demo.username:<12} password {demo.password:<22} TOTP secret {demo.totp_secret} "
            f"(code now {code}; {demo.organisation}, {demo.role})"
        )
    return "\n".join(lines)


def demo_users_present(hague: Hague) -> bool:
    """True if the demo accounts exist in this instance."""
    with hague.reader() as session:
        return session.scalar(select(User.id).where(User.username == DEMO_USERS[0].username)) is not None
