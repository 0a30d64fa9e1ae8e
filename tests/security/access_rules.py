"""Who may use each route: ONE declarative table, checked against every route of ``api.main.app``.

A route that is not listed here fails ``test_authorization_matrix`` (add it when you add the route, see
CONTRIBUTING.md). Each rule names the principals that get past authentication and authorization; every
other principal must be refused (401, 403, or a redirect to /login). ``EXACT`` rules give the status each
principal gets, for routes whose answer is the same for everyone (sign-in, sign-out).
"""

from __future__ import annotations

ANONYMOUS, CANDIDATE, CONTENT_OWNER, RECRUITER, ADMIN = "anonymous", "candidate", "content_owner", "recruiter", "admin"
ATS_SYSTEM, REINDEX_JOB = "ats_system", "reindex_job"  # machine callers with their own keys
PRINCIPALS = (ANONYMOUS, CANDIDATE, CONTENT_OWNER, RECRUITER, ADMIN, ATS_SYSTEM, REINDEX_JOB)

EVERYONE = frozenset(PRINCIPALS)
STAFF = frozenset({CONTENT_OWNER, RECRUITER, ADMIN})
TICKETS = frozenset({RECRUITER, ADMIN})
KNOWLEDGE = frozenset({CONTENT_OWNER, ADMIN})
ATS = frozenset({ATS_SYSTEM})
REINDEX = frozenset({REINDEX_JOB})
ADMIN_ONLY = frozenset({ADMIN})  # of the principals here; leads and the privacy team have their own roles


class Exact(dict):
    """The status (or statuses) every principal gets."""


RULES: dict[tuple[str, str], frozenset[str] | Exact] = {
    ("GET", "/openapi.json"): EVERYONE,
    ("GET", "/docs"): EVERYONE,
    ("GET", "/docs/oauth2-redirect"): EVERYONE,
    ("GET", "/redoc"): EVERYONE,
    ("GET", "/static"): EVERYONE,
    ("GET", "/static/vendor"): EVERYONE,
    ("GET", "/health"): EVERYONE,
    ("GET", "/health/ready"): EVERYONE,
    # candidate-facing pages and APIs
    ("GET", "/chat"): EVERYONE,
    ("GET", "/"): EVERYONE,
    ("GET", "/jobs/{external_id}"): EVERYONE,
    ("GET", "/help/{slug}"): EVERYONE,
    ("POST", "/demo/sign-in"): EVERYONE,  # only shipped demo candidates, only in development on loopback
    ("POST", "/demo/sign-out"): EVERYONE,
    ("GET", "/alerts/unsubscribe"): EVERYONE,  # the signed link is the credential
    ("POST", "/alerts/unsubscribe"): EVERYONE,
    ("GET", "/api/dev/candidate-token/{external_id}"): EVERYONE,  # development on loopback, demo ids only
    ("POST", "/api/events"): EVERYONE,
    ("POST", "/api/visitor"): EVERYONE,  # a new signed anonymous visitor id (assistant.events.visitors)
    ("GET", "/api/knowledge/search"): EVERYONE,
    ("POST", "/api/knowledge/feedback"): EVERYONE,
    # staff sign-in
    ("GET", "/login"): EVERYONE,
    ("POST", "/login"): Exact({p: (401, 429) for p in PRINCIPALS}),  # empty credentials; 429 once locked out
    ("POST", "/logout"): Exact({p: (303,) for p in PRINCIPALS}),
    ("GET", "/api/me"): STAFF,
    # recruiter inbox (pages and JSON API)
    ("GET", "/inbox"): TICKETS,
    ("GET", "/inbox/queue"): TICKETS,
    ("GET", "/inbox/tickets/{ticket_id}"): TICKETS,
    ("GET", "/inbox/tickets/{ticket_id}/thread"): TICKETS,
    ("POST", "/inbox/tickets/{ticket_id}/claim"): TICKETS,
    ("POST", "/inbox/tickets/{ticket_id}/assign"): TICKETS,
    ("POST", "/inbox/tickets/{ticket_id}/reply"): TICKETS,
    ("POST", "/inbox/tickets/{ticket_id}/note"): TICKETS,
    ("POST", "/inbox/tickets/{ticket_id}/priority"): TICKETS,
    ("POST", "/inbox/tickets/{ticket_id}/resolve"): TICKETS,
    ("POST", "/inbox/tickets/{ticket_id}/hand-back"): TICKETS,
    ("GET", "/api/tickets"): TICKETS,
    ("GET", "/api/tickets/{ticket_id}"): TICKETS,
    ("POST", "/api/tickets/{ticket_id}/claim"): TICKETS,
    ("POST", "/api/tickets/{ticket_id}/assign"): TICKETS,
    ("POST", "/api/tickets/{ticket_id}/reply"): TICKETS,
    ("POST", "/api/tickets/{ticket_id}/notes"): TICKETS,
    ("POST", "/api/tickets/{ticket_id}/priority"): TICKETS,
    ("POST", "/api/tickets/{ticket_id}/resolve"): TICKETS,
    ("POST", "/api/tickets/{ticket_id}/hand-back"): TICKETS,
    # knowledge base
    ("GET", "/inbox/knowledge"): KNOWLEDGE,
    ("POST", "/inbox/knowledge/reindex"): KNOWLEDGE,
    ("GET", "/api/knowledge/gaps"): KNOWLEDGE,
    ("GET", "/api/knowledge/check"): REINDEX,
    ("POST", "/api/knowledge/reindex"): REINDEX,
    # ATS integration
    ("POST", "/api/ats/candidates"): ATS,
    ("POST", "/api/ats/applications"): ATS,
    ("POST", "/api/ats/stage-changes"): ATS,
    ("POST", "/api/ats/interviews"): ATS,
    ("POST", "/api/ats/jobs"): ATS,
    ("POST", "/api/ats/jobs/{external_id}/close"): ATS,
    ("DELETE", "/api/ats/jobs/{external_id}"): ATS,
    ("POST", "/api/ats/offers"): ATS,
    ("POST", "/api/ats/hires"): ATS,
    ("POST", "/api/ats/job-fills"): ATS,
    ("POST", "/api/ats/self-identification"): ATS,
    ("POST", "/api/ats/interview-slots"): ATS,
    ("POST", "/api/ats/interview-requests"): ATS,
    ("GET", "/api/ats/bookings"): ATS,
    # interview scheduling (recruiters)
    ("GET", "/api/scheduling/slots"): TICKETS,
    ("POST", "/api/scheduling/slots"): TICKETS,
    ("DELETE", "/api/scheduling/slots/{external_id}"): TICKETS,
    ("POST", "/api/scheduling/bookings/{booking_id}/cancel"): TICKETS,
    ("GET", "/inbox/scheduling"): TICKETS,
    ("POST", "/inbox/scheduling/slots"): TICKETS,
    ("POST", "/inbox/scheduling/slots/{external_id}/remove"): TICKETS,
    ("POST", "/inbox/scheduling/bookings/{booking_id}/cancel"): TICKETS,
    # measurement and compliance (admins; leads read analytics and the audit, the privacy team exports/erases)
    ("GET", "/static/chartjs"): EVERYONE,
    ("GET", "/api/analytics/report"): ADMIN_ONLY,
    ("GET", "/api/analytics/summary"): ADMIN_ONLY,
    ("GET", "/api/analytics/attribution"): ADMIN_ONLY,
    ("GET", "/api/analytics/report.csv"): ADMIN_ONLY,
    ("GET", "/inbox/analytics"): ADMIN_ONLY,
    ("GET", "/api/audit/bias"): ADMIN_ONLY,
    ("GET", "/api/audit/bias.txt"): ADMIN_ONLY,
    ("GET", "/api/oversight/features"): ADMIN_ONLY,
    ("POST", "/api/oversight/features"): ADMIN_ONLY,
    ("GET", "/api/privacy/candidates/{external_id}/export"): ADMIN_ONLY,
    ("POST", "/api/privacy/candidates/{external_id}/erase"): ADMIN_ONLY,
    ("GET", "/inbox/audit"): ADMIN_ONLY,
    ("POST", "/inbox/audit/features"): ADMIN_ONLY,
    ("GET", "/inbox/privacy"): ADMIN_ONLY,
    ("GET", "/inbox/privacy/export"): ADMIN_ONLY,
    ("POST", "/inbox/privacy/erase"): ADMIN_ONLY,
    ("GET", "/feedback/nps"): EVERYONE,  # the signed survey link is the credential
    ("POST", "/feedback/nps"): EVERYONE,
}
