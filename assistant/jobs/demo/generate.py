"""Generates the demo jobs catalogue (jobs.json) of the fictional Fernhill Group, reproducibly.

Run ``python -m assistant.jobs.demo.generate`` to rewrite jobs.json: hand-written role templates, a
seeded random generator and a fixed reference date, so the same code always gives the same file.
The file has the shape of an ATS JSON export and goes through the normal validated import.
"""

from __future__ import annotations

import json
import random
import re
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

SEED = 5
REFERENCE_DATE = date(2026, 11, 25)  # posted/closing dates are relative to this day
FIRST_ID = 1001
OUT = Path(__file__).with_name("jobs.json")
BASE_URL = "https://careers.fernhill.example/jobs/"

# Offices: city -> (country, currency, pay factor against Berlin).
OFFICES = {
    "Berlin": ("Germany", "EUR", 1.0),
    "London": ("United Kingdom", "GBP", 0.95),
    "Amsterdam": ("Netherlands", "EUR", 1.05),
    "Lisbon": ("Portugal", "EUR", 0.62),
    "Toronto": ("Canada", "CAD", 1.45),
    "Austin": ("United States", "USD", 1.55),
}
# Remote regions: region -> (currency, pay factor).
REMOTE = {"EU": ("EUR", 0.95), "United Kingdom": ("GBP", 0.92), "Canada": ("CAD", 1.4)}
LEVEL_FACTOR = {"intern": 0.4, "junior": 0.75, "mid": 1.0, "senior": 1.3, "lead": 1.5, "manager": 1.6, "director": 1.9}

# Role templates: department, role name, base salary (Berlin, mid level, EUR), levels, skills
# (the first three always appear), places (offices or "remote"), summary parts, optional title overrides.
ROLES: list[dict] = [
    # Engineering
    dict(dept="engineering", role="Backend Engineer", base=72000, count=7,
         levels=["junior", "mid", "senior", "senior", "lead"],
         skills=["Python", "PostgreSQL", "REST APIs", "Django", "FastAPI", "Docker", "Kubernetes", "AWS", "Kafka", "Redis"],
         places=["Berlin", "London", "Amsterdam", "Lisbon", "remote"],
         team=["the Patient Scheduling team behind Fernhill Care", "the Cold-Chain Tracking team", "the Prescriptions team", "the Partner Integrations team"],
         work=["You will design and run the services that clinics and couriers rely on every day.",
               "You will build well-tested APIs, own them in production and keep them fast.",
               "You will help split a growing monolith into services with clear contracts."]),
    dict(dept="engineering", role="Frontend Engineer", base=68000, count=5,
         levels=["junior", "mid", "senior", "lead"],
         skills=["TypeScript", "React", "CSS", "Accessibility", "Next.js", "GraphQL", "Jest", "Storybook"],
         places=["Berlin", "Amsterdam", "London", "remote"],
         team=["the Patient App team", "the Clinic Dashboard team", "the Courier Portal team"],
         work=["You will build accessible interfaces used by patients, nurses and drivers.",
               "You will turn designs into fast, well-tested React components and improve our design system."]),
    dict(dept="engineering", role="Full-Stack Engineer", base=70000, count=4,
         levels=["mid", "senior"],
         skills=["TypeScript", "Python", "React", "PostgreSQL", "Node.js", "Docker", "GraphQL"],
         places=["Lisbon", "Toronto", "Austin", "remote"],
         team=["the Clinic Onboarding team", "the Fulfilment Tools team"],
         work=["You will ship features end to end, from database schema to the screen.",
               "You will work closely with operations staff to replace spreadsheets with tools they enjoy."]),
    dict(dept="engineering", role="Mobile Engineer", base=70000, count=3,
         levels=["mid", "senior"],
         skills=["Kotlin", "Swift", "Mobile", "React Native", "Android", "iOS", "CI/CD"],
         places=["Berlin", "Toronto", "remote"],
         team=["the Fernhill Care app team", "the Driver App team"],
         work=["You will build the apps patients use to book visits and couriers use to deliver temperature-sensitive medicine."]),
    dict(dept="engineering", role="Site Reliability Engineer", base=76000, count=4,
         levels=["mid", "senior", "lead"],
         skills=["Kubernetes", "Terraform", "Linux", "AWS", "Prometheus", "Python", "Go", "Incident Management"],
         places=["Berlin", "London", "Toronto", "remote"],
         team=["the Platform team"],
         work=["You will keep our clinical and logistics systems available around the clock.",
               "You will automate infrastructure, improve observability and lead blameless post-mortems."]),
    dict(dept="engineering", role="Security Engineer", base=80000, count=2,
         levels=["senior", "lead"],
         skills=["Application Security", "Cloud Security", "Threat Modelling", "Python", "ISO 27001", "AWS"],
         places=["London", "Berlin"],
         team=["the Security team"],
         work=["You will protect patient data and help product teams build secure systems by default."]),
    dict(dept="engineering", role="QA Engineer", base=58000, count=3,
         levels=["junior", "mid", "senior"],
         skills=["Test Automation", "Playwright", "Python", "TypeScript", "CI/CD", "Manual Testing"],
         places=["Lisbon", "Amsterdam", "remote"],
         team=["the Quality team"],
         work=["You will own end-to-end test suites for software regulated as a medical device."]),
    dict(dept="engineering", role="Software Engineering Intern", base=72000, count=3,
         levels=["intern"],
         skills=["Python", "Git", "SQL", "JavaScript", "Testing"],
         places=["Berlin", "Toronto", "Lisbon"],
         team=["one of our product engineering teams"],
         work=["You will ship real features with a mentor during a six-month internship."],
         titles={"intern": "Software Engineering Intern"}),
    dict(dept="engineering", role="Engineering Manager", base=80000, count=3,
         levels=["manager", "director"],
         skills=["People Management", "Hiring", "Agile", "System Design", "Stakeholder Management", "Python"],
         places=["Berlin", "London", "Amsterdam", "Toronto"],
         team=["the Logistics Engineering group", "the Health Platform group"],
         work=["You will lead a team of six to eight engineers, grow them and deliver with product and design."],
         titles={"manager": "Engineering Manager", "director": "Director of Engineering"}),
    # Data
    dict(dept="data", role="Data Engineer", base=72000, count=6,
         levels=["junior", "mid", "senior", "lead"],
         skills=["Python", "SQL", "Airflow", "dbt", "Spark", "BigQuery", "Kafka", "Data Modelling"],
         places=["Berlin", "Amsterdam", "London", "Lisbon", "remote"],
         team=["the Data Platform team", "the Logistics Analytics team"],
         work=["You will build reliable pipelines from clinics, warehouses and vehicles into our warehouse.",
               "You will model data so that analysts and scientists can trust it."]),
    dict(dept="data", role="Data Scientist", base=74000, count=5,
         levels=["junior", "mid", "senior"],
         skills=["Python", "Machine Learning", "Statistics", "SQL", "pandas", "scikit-learn", "Forecasting", "Experimentation"],
         places=["Berlin", "London", "Toronto", "remote"],
         team=["the Demand Forecasting team", "the Clinical Insights team"],
         work=["You will forecast demand for medical supplies and help clinics plan their capacity.",
               "You will design experiments and explain results to people who make the decisions."]),
    dict(dept="data", role="Data Analyst", base=58000, count=5,
         levels=["junior", "mid", "senior"],
         skills=["SQL", "Tableau", "Excel", "Python", "Looker", "Statistics", "Stakeholder Management"],
         places=["Amsterdam", "Lisbon", "Austin", "London", "remote"],
         team=["the Operations Analytics team", "the Commercial Analytics team"],
         work=["You will turn operational data into dashboards and recommendations that teams act on."]),
    dict(dept="data", role="Machine Learning Engineer", base=80000, count=3,
         levels=["mid", "senior"],
         skills=["Python", "PyTorch", "MLOps", "Machine Learning", "Kubernetes", "NLP", "SQL"],
         places=["Berlin", "Toronto", "remote"],
         team=["the Routing Intelligence team", "the Triage Assistant team"],
         work=["You will take models from notebook to production and monitor them once they are live."]),
    # Design
    dict(dept="design", role="Product Designer", base=66000, count=5,
         levels=["junior", "mid", "senior", "lead"],
         skills=["Figma", "User Research", "Prototyping", "Interaction Design", "Accessibility", "Design Systems"],
         places=["Berlin", "Amsterdam", "London", "remote"],
         team=["the Patient Experience squad", "the Courier Experience squad"],
         work=["You will shape journeys for patients, nurses and drivers from research to polished screens."]),
    dict(dept="design", role="UX Researcher", base=64000, count=2,
         levels=["mid", "senior"],
         skills=["User Research", "Usability Testing", "Interviews", "Survey Design", "Figma"],
         places=["London", "remote"],
         team=["the Research team"],
         work=["You will run studies with patients and clinic staff and make their needs visible across the company."]),
    dict(dept="design", role="Content Designer", base=58000, count=2,
         levels=["mid", "senior"],
         skills=["UX Writing", "Content Strategy", "Accessibility", "Figma", "Plain Language"],
         places=["Amsterdam", "remote"],
         team=["the Design team"],
         work=["You will write the words that help people through medical and delivery journeys."]),
    dict(dept="design", role="Design Director", base=70000, count=1,
         levels=["director"],
         skills=["Design Leadership", "Design Systems", "People Management", "User Research", "Strategy"],
         places=["Berlin"],
         team=["the Design organisation"],
         work=["You will lead twenty designers and researchers and set the bar for craft."],
         titles={"director": "Design Director"}),
    # Product
    dict(dept="product", role="Product Manager", base=76000, count=7,
         levels=["mid", "senior", "senior", "lead"],
         skills=["Product Discovery", "Roadmapping", "Stakeholder Management", "Analytics", "Agile", "SQL", "User Research"],
         places=["Berlin", "London", "Amsterdam", "Toronto", "Austin", "remote"],
         team=["the Telehealth product area", "the Last-Mile Delivery product area", "the Pharmacy Network product area"],
         work=["You will decide what to build next with engineers, designers and clinicians.",
               "You will own outcomes, not just a backlog, for a cross-functional team."],
         titles={"lead": "Group Product Manager"}),
    dict(dept="product", role="Product Owner", base=64000, count=2,
         levels=["mid"],
         skills=["Agile", "Scrum", "Backlog Management", "Stakeholder Management", "Jira"],
         places=["Lisbon", "Amsterdam"],
         team=["the Warehouse Systems team"],
         work=["You will translate the needs of warehouse teams into a clear, prioritised backlog."]),
    dict(dept="product", role="Product Director", base=80000, count=1,
         levels=["director"],
         skills=["Product Strategy", "People Management", "Roadmapping", "Healthcare", "Stakeholder Management"],
         places=["London"],
         team=["the Health product group"],
         work=["You will set product strategy for our health products and lead a group of product managers."],
         titles={"director": "Director of Product, Health"}),
    # Sales
    dict(dept="sales", role="Account Executive", base=60000, count=7,
         levels=["junior", "mid", "senior"],
         skills=["B2B Sales", "Salesforce", "Negotiation", "Pipeline Management", "Healthcare Sales", "Prospecting"],
         places=["Berlin", "London", "Amsterdam", "Toronto", "Austin"],
         team=["the Clinics sales team", "the Pharmacy Partnerships team", "the Enterprise Logistics team"],
         work=["You will win new clinic groups and pharmacies and own the full sales cycle.",
               "You will build relationships with hospital procurement teams and close multi-year deals."]),
    dict(dept="sales", role="Sales Development Representative", base=45000, count=4,
         levels=["junior", "mid"],
         skills=["Prospecting", "Cold Calling", "Salesforce", "Communication", "German", "Dutch"],
         places=["Berlin", "Amsterdam", "Lisbon", "Austin"],
         team=["the Sales Development team"],
         work=["You will open conversations with clinics and book meetings for our account executives."]),
    dict(dept="sales", role="Account Manager", base=56000, count=3,
         levels=["mid", "senior"],
         skills=["Account Management", "Upselling", "Salesforce", "Customer Success", "Negotiation"],
         places=["London", "Toronto", "remote"],
         team=["the Key Accounts team"],
         work=["You will grow our relationships with the clinic groups we already serve."]),
    dict(dept="sales", role="Sales Manager", base=72000, count=2,
         levels=["manager", "director"],
         skills=["Sales Leadership", "Forecasting", "Hiring", "B2B Sales", "Salesforce"],
         places=["Berlin", "Austin"],
         team=["the Sales organisation"],
         work=["You will lead and coach a team of account executives and own the regional number."],
         titles={"manager": "Sales Manager, DACH", "director": "Sales Director, North America"}),
    # Customer support
    dict(dept="customer support", role="Customer Support Specialist", base=38000, count=8,
         levels=["junior", "mid", "senior"],
         skills=["Customer Service", "Zendesk", "Communication", "Problem Solving", "German", "Dutch", "Portuguese", "French"],
         places=["Berlin", "Amsterdam", "Lisbon", "Toronto", "remote"],
         team=["the Patient Support team", "the Delivery Support team"],
         work=["You will help patients and clinics by chat, e-mail and phone and solve problems on first contact.",
               "You will track down late deliveries with couriers and keep customers informed."]),
    dict(dept="customer support", role="Customer Success Manager", base=55000, count=4,
         levels=["mid", "senior"],
         skills=["Customer Success", "Onboarding", "Account Management", "Communication", "Healthcare"],
         places=["London", "Berlin", "Toronto", "remote"],
         team=["the Clinic Success team"],
         work=["You will onboard new clinics and make sure they get value from Fernhill Care."]),
    dict(dept="customer support", role="Support Team Lead", base=50000, count=3,
         levels=["lead", "manager"],
         skills=["Team Leadership", "Customer Service", "Zendesk", "Coaching", "Workforce Planning"],
         places=["Lisbon", "Amsterdam", "Austin"],
         team=["the Support organisation"],
         work=["You will lead a team of support specialists, coach them and improve our processes."],
         titles={"lead": "Support Team Lead", "manager": "Customer Support Manager"}),
    # Finance
    dict(dept="finance", role="Financial Analyst", base=60000, count=4,
         levels=["junior", "mid", "senior"],
         skills=["Financial Modelling", "Excel", "FP&A", "SQL", "Budgeting", "Reporting"],
         places=["London", "Berlin", "Amsterdam", "remote"],
         team=["the FP&A team"],
         work=["You will build the models behind our budget and help leaders understand their numbers."]),
    dict(dept="finance", role="Accountant", base=54000, count=4,
         levels=["junior", "mid", "senior"],
         skills=["Accounting", "IFRS", "Month-End Close", "SAP", "Excel", "VAT"],
         places=["Berlin", "Lisbon", "Toronto"],
         team=["the Accounting team"],
         work=["You will own parts of the month-end close and keep our books audit-ready."]),
    dict(dept="finance", role="Payroll Specialist", base=48000, count=2,
         levels=["mid"],
         skills=["Payroll", "Excel", "Employment Law", "DATEV", "Accuracy"],
         places=["Berlin", "London"],
         team=["the Finance Operations team"],
         work=["You will run accurate, on-time payroll for our offices and clinics."]),
    dict(dept="finance", role="Finance Director", base=85000, count=1,
         levels=["director"],
         skills=["Financial Strategy", "People Management", "Fundraising", "FP&A", "IFRS"],
         places=["Amsterdam"],
         team=["the Finance organisation"],
         work=["You will lead finance for our European business and partner with the executive team."],
         titles={"director": "Finance Director, Europe"}),
    # People
    dict(dept="people", role="Talent Acquisition Partner", base=56000, count=4,
         levels=["junior", "mid", "senior"],
         skills=["Recruiting", "Sourcing", "Interviewing", "Greenhouse", "Employer Branding", "Stakeholder Management"],
         places=["Berlin", "London", "Toronto", "remote"],
         team=["the Talent team"],
         work=["You will hire engineers, nurses and warehouse teams and give every candidate a fair, clear process."]),
    dict(dept="people", role="People Partner", base=60000, count=3,
         levels=["mid", "senior"],
         skills=["Employee Relations", "Employment Law", "Coaching", "Change Management", "HRIS"],
         places=["Amsterdam", "Lisbon", "Austin"],
         team=["the People team"],
         work=["You will advise managers, support employees and shape policies that are fair and humane."]),
    dict(dept="people", role="Learning and Development Specialist", base=52000, count=2,
         levels=["mid"],
         skills=["Training Design", "Facilitation", "E-Learning", "Coaching", "LMS"],
         places=["Berlin", "remote"],
         team=["the Learning team"],
         work=["You will build onboarding and training for clinical and warehouse staff."]),
    dict(dept="people", role="People Operations Intern", base=52000, count=1,
         levels=["intern"],
         skills=["HRIS", "Excel", "Communication", "Organisation"],
         places=["Amsterdam"],
         team=["the People Operations team"],
         work=["You will support onboarding, contracts and HR data during a six-month internship."],
         titles={"intern": "People Operations Intern"}),
    dict(dept="people", role="Head of People", base=82000, count=1,
         levels=["director"],
         skills=["People Strategy", "People Management", "Employment Law", "Organisation Design"],
         places=["London"],
         team=["the People organisation"],
         work=["You will lead the People team across six countries."],
         titles={"director": "Director of People"}),
    # Operations
    dict(dept="operations", role="Operations Analyst", base=52000, count=3,
         levels=["junior", "mid"],
         skills=["Excel", "SQL", "Process Improvement", "Logistics", "Reporting"],
         places=["Amsterdam", "Toronto", "Austin"],
         team=["the Network Operations team"],
         work=["You will find the bottlenecks in our delivery network and help remove them."]),
    dict(dept="operations", role="Logistics Coordinator", base=42000, count=4,
         levels=["junior", "mid"],
         skills=["Logistics", "Route Planning", "Communication", "Excel", "Cold Chain", "Dispatching"],
         places=["Berlin", "Amsterdam", "Toronto", "Austin"],
         team=["the Dispatch team"],
         work=["You will plan routes for our couriers and make sure temperature-sensitive orders arrive on time."]),
    dict(dept="operations", role="Supply Chain Manager", base=68000, count=3,
         levels=["senior", "manager"],
         skills=["Supply Chain", "Procurement", "Inventory Planning", "Supplier Management", "SAP", "Logistics"],
         places=["Amsterdam", "Toronto", "Berlin"],
         team=["the Supply Chain team"],
         work=["You will plan inventory for medical supplies across our fulfilment centres and manage suppliers."],
         titles={"senior": "Senior Supply Chain Planner", "manager": "Supply Chain Manager"}),
    dict(dept="operations", role="Fleet Manager", base=56000, count=2,
         levels=["manager"],
         skills=["Fleet Management", "Logistics", "Electric Vehicles", "Safety", "Budgeting"],
         places=["London", "Austin"],
         team=["the Fleet team"],
         work=["You will run our fleet of electric delivery vans, from maintenance to driver safety."]),
    dict(dept="operations", role="Director of Operations", base=85000, count=1,
         levels=["director"],
         skills=["Operations Strategy", "People Management", "Logistics", "Budgeting", "Lean"],
         places=["Toronto"],
         team=["the Canadian operations"],
         work=["You will lead our Canadian fulfilment and delivery operations."],
         titles={"director": "Director of Operations, Canada"}),
    # Clinical
    dict(dept="clinical", role="Registered Nurse", base=46000, count=9,
         levels=["mid", "senior"],
         skills=["Nursing", "Patient Care", "Medication Administration", "Triage", "Electronic Health Records", "Phlebotomy", "Telehealth"],
         places=["Berlin", "London", "Amsterdam", "Toronto", "Austin", "Lisbon"],
         team=["one of our Fernhill Care clinics", "our Telehealth nursing team"],
         work=["You will care for patients in person and by video, from triage to follow-up.",
               "You will work with doctors and medical assistants in a modern clinic with sensible rotas."],
         titles={"senior": "Senior Registered Nurse"}),
    dict(dept="clinical", role="Nurse Practitioner", base=60000, count=2,
         levels=["senior"],
         skills=["Nursing", "Patient Care", "Prescribing", "Diagnosis", "Telehealth"],
         places=["Toronto", "Austin"],
         team=["our Fernhill Care clinics"],
         work=["You will assess, diagnose and treat patients with a high degree of autonomy."],
         titles={"senior": "Nurse Practitioner"}),
    dict(dept="clinical", role="Medical Assistant", base=34000, count=7,
         levels=["junior", "mid"],
         skills=["Patient Care", "Phlebotomy", "Vital Signs", "Scheduling", "Electronic Health Records", "Infection Control"],
         places=["Berlin", "Amsterdam", "Lisbon", "Toronto", "Austin", "London"],
         team=["one of our Fernhill Care clinics"],
         work=["You will welcome patients, take vital signs and blood samples and keep the clinic running smoothly."]),
    dict(dept="clinical", role="Clinical Pharmacist", base=58000, count=2,
         levels=["mid", "senior"],
         skills=["Pharmacy", "Medication Review", "Prescriptions", "Patient Counselling", "Regulatory Compliance"],
         places=["London", "Berlin"],
         team=["the Prescriptions service"],
         work=["You will check prescriptions, advise patients and keep our pharmacy service safe."]),
    dict(dept="clinical", role="Clinic Manager", base=58000, count=3,
         levels=["manager"],
         skills=["Clinic Operations", "People Management", "Patient Care", "Scheduling", "Budgeting", "Nursing"],
         places=["Berlin", "Toronto", "Amsterdam"],
         team=["one of our Fernhill Care clinics"],
         work=["You will run a clinic of fifteen people and make it a great place for patients and staff."]),
    dict(dept="clinical", role="Director of Nursing", base=80000, count=1,
         levels=["director"],
         skills=["Nursing", "Clinical Governance", "People Management", "Quality Improvement", "Patient Safety"],
         places=["London"],
         team=["our UK clinics"],
         work=["You will lead nursing practice, clinical governance and patient safety across our UK clinics."],
         titles={"director": "Director of Nursing"}),
    # Warehouse and fulfilment
    dict(dept="warehouse", role="Warehouse Associate", base=30000, count=9,
         levels=["junior", "mid"],
         skills=["Picking and Packing", "Forklift", "Inventory", "Safety", "Cold Chain", "Shift Work"],
         places=["Berlin", "Amsterdam", "Toronto", "Austin", "Lisbon"],
         team=["our fulfilment centre", "our cold-chain fulfilment centre"],
         work=["You will pick, pack and ship medical supplies, some of them temperature-controlled.",
               "You will receive deliveries, keep stock accurate and follow strict safety rules."]),
    dict(dept="warehouse", role="Forklift Operator", base=33000, count=4,
         levels=["mid"],
         skills=["Forklift", "Safety", "Inventory", "Shift Work", "Loading"],
         places=["Amsterdam", "Toronto", "Austin", "Berlin"],
         team=["our fulfilment centre"],
         work=["You will move pallets safely between receiving, storage and dispatch."]),
    dict(dept="warehouse", role="Warehouse Shift Lead", base=40000, count=4,
         levels=["lead"],
         skills=["Team Leadership", "Inventory", "Safety", "Shift Planning", "Warehouse Management Systems"],
         places=["Berlin", "Toronto", "Austin", "Amsterdam"],
         team=["our fulfilment centre"],
         work=["You will lead a shift of twenty associates and hit our same-day dispatch targets."],
         titles={"lead": "Warehouse Shift Lead"}),
    dict(dept="warehouse", role="Inventory Controller", base=38000, count=2,
         levels=["mid"],
         skills=["Inventory", "Cycle Counting", "Warehouse Management Systems", "Excel", "Accuracy"],
         places=["Amsterdam", "Toronto"],
         team=["our fulfilment centre"],
         work=["You will keep stock records accurate with cycle counts and root-cause analysis."]),
    dict(dept="warehouse", role="Fulfilment Centre Manager", base=62000, count=2,
         levels=["manager"],
         skills=["Warehouse Management Systems", "People Management", "Lean", "Safety", "Budgeting", "Logistics"],
         places=["Toronto", "Berlin"],
         team=["one of our fulfilment centres"],
         work=["You will run a fulfilment centre of eighty people, from safety to throughput and cost."],
         titles={"manager": "Fulfilment Centre Manager"}),
]

LEVEL_PREFIX = {"intern": "{role} Intern", "junior": "Junior {role}", "mid": "{role}", "senior": "Senior {role}",
                "lead": "Lead {role}", "manager": "{role}", "director": "{role}"}
OPENERS = [
    "Fernhill Group connects clinics, pharmacies and patients with fast, reliable healthcare logistics.",
    "At Fernhill Group we make healthcare easier to reach, from booking a visit to delivering the medicine.",
    "Fernhill Group runs clinics, a telehealth service and a cold-chain delivery network across six countries.",
]
BRING = "You bring experience with {a} and {b}, and you care about the people who depend on our work."
CLOSED = {1013, 1042, 1077, 1104, 1139, 1166}  # postings closed in the ATS (kept for history)


def _title(tpl: dict, level: str) -> str:
    titles = tpl.get("titles", {})
    return titles.get(level) or LEVEL_PREFIX[level].format(role=tpl["role"])


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _salary(base: int, level: str, factor: float) -> tuple[int, int]:
    mid = base * LEVEL_FACTOR[level] * factor
    return int(round(mid * 0.88, -3)), int(round(mid * 1.15, -3))


def _employment_type(tpl: dict, level: str, rng: random.Random) -> str:
    if level == "intern":
        return "internship"
    if tpl["dept"] in ("clinical", "warehouse") and rng.random() < 0.2:
        return "part-time"
    if tpl["dept"] in ("engineering", "data", "design") and rng.random() < 0.06:
        return "contract"
    return "full-time"


def _dt(day: date) -> str:
    return datetime.combine(day, time(9, 0), tzinfo=timezone.utc).isoformat()


def generate() -> list[dict]:
    """Returns the catalogue as a list of ATS-export postings, always the same for the same code."""
    rng = random.Random(SEED)
    postings: list[dict] = []
    for tpl in ROLES:
        for index in range(tpl["count"]):
            level = tpl["levels"][index % len(tpl["levels"])]
            place = tpl["places"][index % len(tpl["places"])]
            if place == "remote":
                region = rng.choice(list(REMOTE))
                city, country, workplace = None, region, "remote"
                currency, factor = REMOTE[region]
            else:
                city = place
                country, currency, factor = OFFICES[city]
                onsite_only = tpl["dept"] in ("clinical", "warehouse")
                workplace = "onsite" if onsite_only else rng.choice(["hybrid", "hybrid", "onsite"])
            skills = tpl["skills"][:3] + rng.sample(tpl["skills"][3:], k=min(len(tpl["skills"]) - 3, rng.randint(1, 3)))
            team = rng.choice(tpl["team"])
            summary = " ".join([
                rng.choice(OPENERS),
                f"As {_article(_title(tpl, level))} {_title(tpl, level)} in {team}, " + _lower_first(rng.choice(tpl["work"])),
                BRING.format(a=skills[0], b=skills[1]),
            ])
            salary_min, salary_max = _salary(tpl["base"], level, factor)
            posted = REFERENCE_DATE - timedelta(days=rng.randint(1, 50))
            postings.append({
                "title": _title(tpl, level), "department": tpl["dept"], "level": level,
                "city": city, "country": country, "workplace": workplace,
                "employment_type": _employment_type(tpl, level, rng), "skills": skills, "summary": summary,
                "salary_min": salary_min, "salary_max": salary_max, "currency": currency,
                "posted_at": _dt(posted), "closes_at": _dt(posted + timedelta(days=rng.randint(150, 240))),
            })
    rng.shuffle(postings)  # interleave departments so ids do not follow the template order
    for number, posting in enumerate(postings, start=FIRST_ID):
        external_id = f"FH-{number}"
        where = posting["city"] or f"remote-{posting['country']}"
        posting_id = {"external_id": external_id}
        posting["url"] = BASE_URL + _slug(f"{posting['title']} {where} {external_id}")
        posting["status"] = "closed" if number in CLOSED else "open"
        posting_id.update(posting)
        postings[number - FIRST_ID] = posting_id
    return postings


def _article(word: str) -> str:
    return "an" if word[0].lower() in "aeiou" else "a"


def _lower_first(sentence: str) -> str:
    return sentence[0].lower() + sentence[1:] if sentence.startswith("You ") else sentence


def main() -> None:
    postings = generate()
    OUT.write_text(json.dumps(postings, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {len(postings)} postings to {OUT}")


if __name__ == "__main__":
    main()
