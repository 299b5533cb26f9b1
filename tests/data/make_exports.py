#!/usr/bin/env python3
"""Writes tests/data/exports/: one example export per `--preset`, laid out as each tool's
public API or export documentation describes it (envelope, field names, nesting, date
format, the markup its text fields carry). The incidents are invented; their root causes
recur (connection pools, certificates, config pushes, missing indexes, full disks, DNS,
memory leaks) so that patterns exist to be found. Deterministic: run it again and the files
do not change.  Usage: python3 tests/data/make_exports.py"""
import csv, io, json, os

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "exports")

# (title, root cause, resolution, team) — seven causes, two or three wordings each.
CAUSES = [
    ("Checkout API returning 503s", "The database connection pool was exhausted under peak load: the pool size of 20 was never raised when traffic doubled.", "Raised the connection pool size and added an alert on pool saturation.", "payments"),
    ("Login page unreachable", "The TLS certificate on the edge load balancer expired; renewal was a manual step nobody owned.", "Renewed the certificate and automated certificate rotation.", "platform"),
    ("Search results empty", "A config change pushed straight to production without a staging test disabled the search index.", "Reverted the config change; config pushes now go through staging first.", "search"),
    ("Order history slow", "A missing database index on orders.customer_id made every history query scan the whole table.", "Added the missing index and a slow query alert.", "payments"),
    ("Worker nodes crashing", "The disk filled up with debug logs because log rotation was not configured on the new worker image.", "Configured log rotation and a disk usage alert.", "platform"),
    ("Partner webhooks failing", "A DNS record was changed with a 24 hour TTL, so the old address was cached long after the migration.", "Lowered the DNS TTL before migrations and added a DNS check to the runbook.", "integrations"),
    ("API pods restarting", "A memory leak in the image resize cache got the pods OOM killed every few hours.", "Fixed the memory leak and set memory limits with an alert.", "media"),
    ("Payments timing out", "Connection pool exhausted again: the new batch job held database connections open and starved the checkout pool.", "Gave the batch job its own connection pool.", "payments"),
    ("Admin console certificate warning", "The internal certificate expired because the certificate rotation job had silently failed for weeks.", "Fixed the rotation job and alerted on certificate expiry 30 days ahead.", "platform"),
    ("Recommendations missing", "Bad config pushed to production: a feature flag config change went out without a staging test.", "Rolled back the config; flag changes now need a staging test.", "search"),
    ("Reports page timing out", "Slow query after a schema change dropped the index on reports.created_at.", "Restored the missing index and added query plan checks to migrations.", "data"),
    ("Queue consumers down", "Disk full on the queue hosts: old log files were never rotated or deleted.", "Added log rotation and cleaned up the disks.", "platform"),
    ("Email links broken", "DNS misconfiguration: the CNAME for the link domain pointed at a decommissioned host.", "Fixed the DNS record and added DNS monitoring.", "integrations"),
    ("Thumbnail service OOM", "Memory leak in the thumbnail worker; pods were OOM killed under load.", "Patched the leak and added memory usage alerts.", "media"),
]
PEOPLE = ["Alice Martin", "Bob Chen", "Carol Diaz", "Dan Okafor"]
EMAILS = ["alice@example.com", "bob@example.com", "carol@example.com", "dan@example.com"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def day(i):
    """Incident i's date: two a month from January 2024."""
    m = i // 2
    return 2024 + m // 12, m % 12 + 1, 5 + (i % 2) * 14


def iso(i, h=8):
    y, m, d = day(i)
    return f"{y:04d}-{m:02d}-{d:02d}T{h:02d}:14:00Z"


def rows(n=21):
    for i in range(n):
        yield i, CAUSES[i % len(CAUSES)], PEOPLE[i % 4], EMAILS[i % 4]


def jira_wiki(cause, res):
    return f"h2. Root cause\n{{noformat}}\n{cause}\n{{noformat}}\n* *Fix:* _{res}_\n{{quote}}Reviewed in the [postmortem|https://wiki.example.com/pm]{{quote}}"


def markdown(cause, res):
    return f"## Root cause\n**{cause}**\n\n| Fix | Owner |\n|---|---|\n| {res} | on-call |\n\nSee [the postmortem](https://wiki.example.com/pm).\n```\nERROR see logs\n```"


def html(cause, res):
    return f"<p><strong>Root cause:</strong> {cause.replace('&', '&amp;')}</p><br/><font color=\"red\"><span>Fix:</span> {res}</font>"


def write(name, text):
    with open(os.path.join(OUT, name), "w", encoding="utf-8", newline="") as f:
        f.write(text)


def jira_csv():
    # Jira's CSV export: display names as headers, repeated headers for multi-value fields,
    # custom fields as "Custom field (Name)", dates as dd/Mon/yy h:mm AM.
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["Summary", "Issue key", "Issue id", "Issue Type", "Status", "Priority", "Resolution", "Assignee", "Reporter", "Creator", "Created", "Updated", "Labels", "Labels", "Component/s", "Component/s", "Description", "Custom field (Root Cause)", "Comment"])
    for i, (title, cause, res, team), who, _ in rows():
        y, m, d = day(i)
        created = f"{d:02d}/{MONTHS[m-1]}/{y % 100:02d} {8 + i % 4}:14 {'AM' if i % 3 else 'PM'}"
        w.writerow([title, f"OPS-{101 + i}", 10100 + i, "Incident", "Done", "High", "Fixed", who, PEOPLE[(i + 1) % 4], PEOPLE[(i + 2) % 4], created, created, "incident", "postmortem" if i % 2 else "", team, "backend" if i % 3 == 0 else "", f"Customers saw errors. {title}.", jira_wiki(cause, res), f"{created};{who.lower().replace(' ', '.')};Looked into it"])
    write("jira.csv", buf.getvalue())


def jira_json():
    # GET /rest/api/2/search?expand=names: {"expand", "startAt", "maxResults", "total", "issues": [...], "names": {...}}
    issues = []
    for i, (title, cause, res, team), who, mail in rows():
        issues.append({
            "expand": "operations,versionedRepresentations,editmeta,changelog,renderedFields",
            "id": str(10100 + i),
            "self": f"https://example.atlassian.net/rest/api/2/issue/{10100 + i}",
            "key": f"OPS-{101 + i}",
            "fields": {
                "summary": title,
                "issuetype": {"id": "10004", "name": "Incident", "subtask": False},
                "status": {"name": "Done", "statusCategory": {"key": "done", "name": "Done"}},
                "priority": {"id": "2", "name": "High"},
                "components": [{"id": "100", "name": team}],
                "labels": ["incident", "postmortem"],
                "assignee": {"accountId": f"5b10a2844c20165700ede21{i % 4}", "displayName": who, "emailAddress": mail, "active": True},
                "reporter": {"accountId": "5b10ac8d82e05b22cc7d4ef5", "displayName": PEOPLE[(i + 1) % 4]},
                "created": iso(i).replace("Z", ".000+0000"),
                "updated": iso(i, 12).replace("Z", ".000+0000"),
                "description": f"Customers saw errors. {title}.",
                "customfield_10050": jira_wiki(cause, res),
                "customfield_10020": None,
            },
        })
    doc = {"expand": "names,schema", "startAt": 0, "maxResults": 50, "total": len(issues), "issues": issues,
           "names": {"summary": "Summary", "customfield_10050": "Root Cause", "customfield_10020": "Sprint", "components": "Component/s"}}
    write("jira-search.json", json.dumps(doc, indent=2) + "\n")


def pagerduty():
    # GET /incidents: {"incidents": [...], "limit", "offset", "total", "more"}
    out = []
    for i, (title, cause, res, team), who, mail in rows():
        out.append({
            "id": f"PT4KHL{i:02d}", "type": "incident", "summary": f"[#{1234 + i}] {title}",
            "self": f"https://api.pagerduty.com/incidents/PT4KHL{i:02d}",
            "html_url": f"https://example.pagerduty.com/incidents/PT4KHL{i:02d}",
            "incident_number": 1234 + i, "title": title,
            "description": f"{title}. {cause}",
            "created_at": iso(i), "updated_at": iso(i, 11), "status": "resolved",
            "incident_key": f"baf7cf21b1da41b4b0221008339ff3{i:02d}",
            "service": {"id": "PIJ90N7", "type": "service_reference", "summary": f"{team}-api", "self": "https://api.pagerduty.com/services/PIJ90N7"},
            "assignments": [{"at": iso(i), "assignee": {"id": "PXPGF42", "type": "user_reference", "summary": who}}],
            "last_status_change_by": {"id": "PXPGF42", "type": "user_reference", "summary": who},
            "escalation_policy": {"id": "PT20YPA", "type": "escalation_policy_reference", "summary": "Engineering Escalation Policy"},
            "teams": [{"id": "PQ9K7I8", "type": "team_reference", "summary": team}],
            "urgency": "high", "priority": {"id": "P53ZZH5", "type": "priority_reference", "summary": "P2"},
            "resolve_reason": None, "alert_counts": {"all": 2, "triggered": 0, "resolved": 2},
        })
    write("pagerduty-incidents.json", json.dumps({"incidents": out, "limit": 25, "offset": 0, "total": None, "more": False}, indent=2) + "\n")


def incident_io():
    # GET /v2/incidents: {"incidents": [...], "pagination_meta": {...}}
    out = []
    for i, (title, cause, res, team), who, mail in rows():
        out.append({
            "id": f"01FDAG4SAP5TYPT98WGR2N7W{i:02d}", "reference": f"INC-{120 + i}", "name": title,
            "summary": f"{title}. Customers were affected for about an hour.",
            "created_at": iso(i), "updated_at": iso(i, 13),
            "incident_status": {"id": "01G0J1EXE7AXZ2C93K61WBPYEH", "name": "Closed", "category": "closed"},
            "severity": {"id": "01FH5TZRWMNAFB0DZ23FD1TV96", "name": "Major", "rank": 2},
            "incident_type": {"id": "01FH5TZRWMNAFB0DZ23FD1TV97", "name": "Default"},
            "creator": {"user": {"id": "01FCNDV6P870EA6S7TK1DSYDG0", "name": who, "email": mail, "role": "viewer"}},
            "incident_role_assignments": [{"role": {"id": "01FH5TZRWMNAFB0DZ23FD1TV98", "name": "Incident Lead", "role_type": "lead"}, "assignee": {"id": "01FCNDV6P870EA6S7TK1DSYDG1", "name": who, "email": mail}}],
            "custom_field_entries": [
                {"custom_field": {"id": "01FCNDV6P870EA6S7TK1DSYDG2", "name": "Root cause", "description": "What caused it", "field_type": "text", "options": []},
                 "values": [{"value_text": markdown(cause, res)}]},
                {"custom_field": {"id": "01FCNDV6P870EA6S7TK1DSYDG3", "name": "Affected team", "description": "", "field_type": "single_select", "options": []},
                 "values": [{"value_option": {"id": "01FCNDV6P870EA6S7TK1DSYDG4", "value": team, "sort_key": 10}}]},
            ],
            "permalink": f"https://app.incident.io/incidents/{120 + i}", "mode": "standard", "visibility": "public",
        })
    write("incident-io-incidents.json", json.dumps({"incidents": out, "pagination_meta": {"after": None, "page_size": 25}}, indent=2) + "\n")


def dispatch():
    # GET /api/v1/{org}/incidents: {"items": [...], "itemsPerPage", "page", "total"}
    out = []
    for i, (title, cause, res, team), who, mail in rows():
        out.append({
            "id": 300 + i, "name": f"dispatch-default-default-{300 + i}", "title": title,
            "description": f"{title}. Customers saw errors for about an hour.",
            "resolution": f"{cause} {res}", "status": "Closed", "visibility": "Open",
            "reported_at": iso(i), "stable_at": iso(i, 10), "closed_at": iso(i, 15),
            "incident_type": {"name": "Outage", "visibility": "Open"},
            "incident_priority": {"name": "High", "page_commander": True},
            "incident_severity": {"name": "High"},
            "commander": {"individual": {"email": mail, "name": who}, "team": team},
            "reporter": {"individual": {"email": EMAILS[(i + 1) % 4], "name": PEOPLE[(i + 1) % 4]}},
            "participants_team": team,
            "project": {"name": "default"},
            "tags": [{"name": team, "tag_type": {"name": "Team"}}],
        })
    write("dispatch-incidents.json", json.dumps({"items": out, "itemsPerPage": 25, "page": 1, "total": len(out)}, indent=2) + "\n")


def firehydrant():
    # GET /v1/incidents: {"data": [...], "pagination": {...}}
    out = []
    for i, (title, cause, res, team), who, mail in rows():
        out.append({
            "id": f"6d0b2bd3-a5d2-4d3f-9d1c-5b2f3e1a7c{i:02d}", "name": title, "number": 40 + i,
            "description": f"{title}.", "summary": markdown(cause, res),
            "customer_impact_summary": "Some customers saw errors.",
            "created_at": iso(i), "started_at": iso(i), "current_milestone": "postmortem_completed",
            "severity": "SEV2", "priority": "P2", "tag_list": ["customer-facing"],
            "teams": [{"id": "b0a1", "name": team}],
            "services": [{"id": "c0d2", "name": f"{team}-api"}],
            "impacts": [{"type": "service", "impact": {"id": "c0d2", "name": f"{team}-api"}, "condition": {"name": "Unavailable"}}],
            "created_by": {"id": "a1b2", "name": who, "email": mail, "source": "user"},
            "role_assignments": [{"id": "r1", "status": "active", "incident_role": {"name": "Commander"}, "user": {"name": who, "email": mail}}],
            "custom_fields": [],
        })
    write("firehydrant-incidents.json", json.dumps({"data": out, "pagination": {"count": len(out), "page": 1, "items": 25, "pages": 1, "last": 1}}, indent=2) + "\n")


def rootly():
    # GET /v1/incidents (JSON:API): {"data": [{"id", "type": "incidents", "attributes": {...}}], "links", "meta"}
    out = []
    for i, (title, cause, res, team), who, mail in rows():
        out.append({
            "id": f"a8c1d2e3-{i:04d}", "type": "incidents",
            "attributes": {
                "title": title, "slug": title.lower().replace(" ", "-"), "sequential_id": 500 + i,
                "kind": "normal", "status": "resolved",
                "summary": f"{title}. Customers saw errors.",
                "started_at": iso(i), "created_at": iso(i), "mitigated_at": iso(i, 10), "resolved_at": iso(i, 11),
                "mitigation_message": "Mitigated by the on-call engineer.",
                "resolution_message": markdown(cause, res),
                "severity": {"data": {"id": "s2", "type": "severities", "attributes": {"name": "SEV2", "severity": "high"}}},
                "groups": [{"id": "g1", "name": team}],
                "services": [{"id": "v1", "name": f"{team}-api"}],
                "user": {"data": {"id": "u1", "type": "users", "attributes": {"name": who, "email": mail}}},
                "started_by": {"data": {"id": "u1", "type": "users", "attributes": {"name": who, "email": mail}}},
            },
            "relationships": {"events": {"data": []}, "action_items": {"data": []}},
        })
    write("rootly-incidents.json", json.dumps({"data": out, "links": {"self": "https://api.rootly.com/v1/incidents?page[number]=1"}, "meta": {"current_page": 1, "total_count": len(out), "total_pages": 1}}, indent=2) + "\n")


def opsgenie():
    # GET /v1/incidents: {"totalCount", "data": [...], "paging", "took", "requestId"}
    out = []
    for i, (title, cause, res, team), who, mail in rows():
        out.append({
            "id": f"4f3c2b1a-{i:04d}", "tinyId": str(70 + i), "message": title,
            "description": cause, "status": "closed", "tags": ["outage", team],
            "createdAt": iso(i).replace("Z", ".123Z"), "updatedAt": iso(i, 12).replace("Z", ".456Z"),
            "priority": "P2", "ownerTeam": team,
            "responders": [{"type": "team", "id": "8418d193-2dab-4490-b331-8c02cdd196b7"}, {"type": "user", "id": "f1a9"}],
            "extraProperties": {"Resolution": res},
            "impactedServices": [f"{team}-api"],
        })
    write("opsgenie-incidents.json", json.dumps({"totalCount": len(out), "data": out, "paging": {"first": "", "last": ""}, "took": 0.113, "requestId": "ceca2a2d-8e8c-4b6e-a0c1-b6ff2c4b3f8d"}, indent=2) + "\n")


def servicenow():
    # GET /api/now/table/incident?sysparm_display_value=true: {"result": [...]}, reference fields
    # as {"display_value", "link"}; u_root_cause is a custom (u_) field with HTML.
    out = []
    for i, (title, cause, res, team), who, mail in rows():
        y, m, d = day(i)
        out.append({
            "number": f"INC00100{i:02d}", "sys_id": f"9d385017c611228701d22104cc95c3{i:02d}",
            "short_description": title, "description": f"{title}. Users reported errors.",
            "u_root_cause": html(cause, res), "close_code": "Solved (Permanently)",
            "close_notes": res, "opened_at": f"{y:04d}-{m:02d}-{d:02d} 08:14:00",
            "sys_created_on": f"{y:04d}-{m:02d}-{d:02d} 08:14:00", "state": "Closed", "priority": "2 - High",
            "assignment_group": {"display_value": team.capitalize(), "link": "https://example.service-now.com/api/now/table/sys_user_group/287ebd7da9fe198100f92cc8d1d2154e"},
            "assigned_to": {"display_value": who, "link": "https://example.service-now.com/api/now/table/sys_user/46d44a23a9fe19810012d100cca80666"},
            "caller_id": {"display_value": PEOPLE[(i + 1) % 4], "link": "https://example.service-now.com/api/now/table/sys_user/5137153cc611227c000bbd1bd8cd2005"},
            "opened_by": {"display_value": PEOPLE[(i + 2) % 4], "link": "https://example.service-now.com/api/now/table/sys_user/681ccaf9c0a8016400b98a06818d57c7"},
            "cmdb_ci": {"display_value": f"{team}-api", "link": "https://example.service-now.com/api/now/table/cmdb_ci/b0c4030ac0a800090152e7a4564ca36c"},
        })
    write("servicenow-incident.json", json.dumps({"result": out}, indent=2) + "\n")


def github():
    # GET /repos/{owner}/{repo}/issues: a JSON array of issues.
    out = []
    for i, (title, cause, res, team), who, mail in rows():
        login = who.split()[0].lower()
        out.append({
            "url": f"https://api.github.com/repos/example/ops/issues/{900 + i}",
            "html_url": f"https://github.com/example/ops/issues/{900 + i}",
            "id": 1296269 + i, "node_id": "MDU6SXNzdWUx", "number": 900 + i,
            "title": f"Incident: {title}", "state": "closed", "locked": False,
            "user": {"login": login, "id": 1, "type": "User", "site_admin": False},
            "labels": [{"id": 208045946, "name": "incident", "color": "f29513", "default": False, "description": "An incident"}, {"id": 208045947, "name": f"team:{team}", "color": "0e8a16", "default": False, "description": None}],
            "assignee": {"login": login, "id": 1}, "assignees": [{"login": login, "id": 1}],
            "milestone": None, "comments": 3,
            "created_at": iso(i), "updated_at": iso(i, 14), "closed_at": iso(i, 16),
            "author_association": "MEMBER",
            "body": markdown(cause, res), "closed_by": {"login": login, "id": 1},
        })
    write("github-issues.json", json.dumps(out, indent=2) + "\n")


def google_sre():
    # One row per postmortem, columns from the Google SRE book's example postmortem.
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["Title", "Date", "Authors", "Status", "Summary", "Impact", "Root Causes", "Trigger", "Resolution", "Detection", "Action Items", "Lessons Learned"])
    for i, (title, cause, res, team), who, mail in rows():
        y, m, d = day(i)
        w.writerow([f"{title} postmortem", f"{y:04d}-{m:02d}-{d:02d}", f"{who.split()[0].lower()}, {PEOPLE[(i+1)%4].split()[0].lower()}", "Complete, action items in progress", f"{title} for about an hour.", "Some customers saw errors.", cause, "A routine change or load peak.", res, "Alerting", res, "Automate the manual step."])
    write("google-sre-postmortems.csv", buf.getvalue())


os.makedirs(OUT, exist_ok=True)
for f in [jira_csv, jira_json, pagerduty, incident_io, dispatch, firehydrant, rootly, opsgenie, servicenow, github, google_sre]:
    f()
