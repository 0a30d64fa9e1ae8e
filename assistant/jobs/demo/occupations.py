"""Generates occupations.json: a second, larger catalogue of realistic occupation postings, reproducibly.

Run ``python -m assistant.jobs.demo.occupations`` to rewrite the file. Unlike the Fernhill demo catalogue
(an office-heavy health-tech company), these are the formal titles employers post across healthcare,
logistics, retail, trades, office work, engineering and hospitality, so the title evaluation can ask
them in the words workers use (tests/jobs/data/). A seeded generator places each occupation in one to
three cities with a level, dates and pay; the file goes through the normal validated import.
"""

from __future__ import annotations

import json
import random
from datetime import datetime, time, timedelta, timezone
from pathlib import Path

from assistant.jobs.demo.generate import REFERENCE_DATE

SEED = 11
OUT = Path(__file__).with_name("occupations.json")
BASE_URL = "https://jobs.northgate.example/postings/"
CITIES = [("Manchester", "United Kingdom", "GBP"), ("Leeds", "United Kingdom", "GBP"), ("Hamburg", "Germany", "EUR"),
          ("Munich", "Germany", "EUR"), ("Lyon", "France", "EUR"), ("Madrid", "Spain", "EUR"),
          ("Rotterdam", "Netherlands", "EUR"), ("Chicago", "United States", "USD"), ("Denver", "United States", "USD"),
          ("Calgary", "Canada", "CAD")]

# department: "Title | skill; skill; skill | what the job is, in one sentence | base pay (EUR)"
OCCUPATIONS: dict[str, str] = {
    "healthcare": """
Registered Nurse - Medical-Surgical Unit | Patient Assessment; Medication Administration; Care Planning | Deliver and document nursing care for adult inpatients on a busy ward. | 46000
Licensed Practical Nurse | Wound Care; Vital Signs; Medication Administration | Provide basic nursing care under the direction of registered nurses and physicians. | 38000
Certified Nursing Assistant | Personal Care; Patient Mobility; Vital Signs | Help residents bathe, dress, eat and move safely in a long-term care home. | 29000
Home Health and Personal Care Aide | Personal Care; Companionship; Meal Preparation | Support older and disabled clients with daily living in their own homes. | 26000
Nurse Practitioner - Primary Care | Diagnosis; Prescribing; Chronic Disease Management | Examine, diagnose and treat patients in a family practice with prescribing authority. | 78000
Midwife | Antenatal Care; Labour and Delivery; Postnatal Care | Care for women through pregnancy, birth and the weeks after. | 48000
Intensive Care Unit Staff Nurse | Critical Care; Ventilator Management; Patient Monitoring | Nurse critically ill patients in a twelve-bed intensive care unit. | 50000
Paediatric Nurse | Child Health; Family Support; Medication Administration | Care for babies, children and teenagers on the children's ward. | 46000
Mental Health Nurse | Psychiatric Assessment; De-escalation; Care Planning | Support adults with mental illness on an acute inpatient unit. | 45000
Dental Assistant | Chairside Assistance; Sterilisation; Patient Records | Prepare patients and instruments and assist the dentist during treatment. | 28000
Dental Hygienist | Scaling and Polishing; Oral Health Education; Periodontal Charting | Clean teeth and teach patients how to keep their gums healthy. | 42000
General Dentist | Restorative Dentistry; Diagnosis; Patient Care | Examine and treat patients in a mixed NHS and private dental practice. | 95000
Pharmacy Technician | Dispensing; Stock Control; Medication Safety | Prepare and dispense prescriptions under a pharmacist's supervision. | 30000
Community Pharmacist | Clinical Checks; Patient Counselling; Dispensing | Run the dispensary and advise patients in a high-street pharmacy. | 55000
Physical Therapist | Rehabilitation; Exercise Prescription; Manual Therapy | Help patients recover movement after injury, surgery or stroke. | 47000
Occupational Therapist | Functional Assessment; Adaptive Equipment; Rehabilitation | Help people regain the skills for daily living and work. | 46000
Speech-Language Pathologist | Swallowing Assessment; Language Therapy; Communication | Assess and treat speech, language and swallowing disorders. | 48000
Diagnostic Radiographer | X-ray Imaging; CT Scanning; Radiation Safety | Take X-ray and CT images for diagnosis in a hospital imaging department. | 44000
Diagnostic Medical Sonographer | Ultrasound; Obstetric Scanning; Patient Care | Perform ultrasound scans for pregnancy and abdominal diagnosis. | 50000
Phlebotomist | Venepuncture; Specimen Labelling; Patient Care | Draw blood samples from patients in outpatient clinics. | 27000
Medical Laboratory Scientist | Haematology; Microbiology; Quality Control | Analyse patient samples in a hospital pathology laboratory. | 45000
Emergency Medical Technician | Basic Life Support; Patient Transport; Trauma Care | Respond to emergency calls and treat patients before and during transport. | 34000
Paramedic | Advanced Life Support; Emergency Care; Driving | Lead the care of patients on emergency ambulance calls. | 42000
Healthcare Support Worker | Personal Care; Observations; Ward Support | Support nurses with patient care on a hospital ward. | 26000
Medical Receptionist | Appointment Booking; Patient Records; Customer Service | Greet patients, book appointments and keep records at a GP surgery. | 25000
Medical Secretary | Medical Terminology; Audio Typing; Diary Management | Type clinic letters and manage consultants' diaries. | 28000
Optometrist | Eye Examination; Contact Lens Fitting; Referral | Test sight and check eye health in an optician's practice. | 60000
Dietitian | Nutrition Assessment; Meal Planning; Patient Education | Advise patients on diet for diabetes, kidney disease and recovery. | 44000
Chief Executive Officer - Regional Hospital Group | Strategy; Governance; Leadership | Lead a group of three hospitals with 4,000 staff. | 240000
Hospital Porter | Patient Transport; Manual Handling; Teamwork | Move patients, equipment and samples around the hospital. | 24000
Veterinary Nurse | Animal Care; Anaesthesia Monitoring; Client Communication | Nurse animals and assist vets in surgery at a small-animal practice. | 29000
Care Home Manager | Care Quality; Staff Management; Regulatory Compliance | Run a 60-bed residential care home and lead its team. | 58000
""",
    "logistics": """
Heavy Goods Vehicle Driver (Class 1) | Class 1 Licence; Tachograph; Route Planning | Drive articulated lorries delivering to supermarkets across the region. | 38000
Delivery Van Driver | Driving Licence; Parcel Handling; Customer Service | Deliver parcels to homes and businesses on a daily route. | 27000
Forklift Truck Operator | Counterbalance Forklift; Reach Truck; Stock Handling | Load, unload and move pallets safely in a distribution centre. | 28000
Warehouse Order Picker | Order Picking; RF Scanner; Packing | Pick and pack customer orders accurately in a fast-moving warehouse. | 25000
Warehouse Supervisor | Team Leadership; Warehouse Management System; Health and Safety | Lead a shift of pickers and loaders and hit daily targets. | 36000
Logistics Manager | Transport Planning; Budgeting; Supplier Management | Manage inbound and outbound logistics for a manufacturing plant. | 60000
Freight Forwarder | Customs Documentation; Shipping; Incoterms | Arrange international shipments by sea, air and road for customers. | 38000
Customs Broker | Customs Declarations; Tariff Classification; Compliance | Prepare customs entries and keep imports compliant. | 42000
Transport Planner | Route Optimisation; Fleet Scheduling; Driver Hours | Plan daily routes and loads for a fleet of 80 vehicles. | 37000
Dispatcher | Radio Communication; Scheduling; Problem Solving | Dispatch drivers and keep customers informed about deliveries. | 32000
Courier - Motorcycle | Motorcycle Licence; Navigation; Time Management | Carry urgent documents and medical samples across the city. | 26000
Inventory Control Specialist | Stock Counts; Inventory Software; Reconciliation | Keep stock records accurate through cycle counts and investigations. | 33000
Supply Chain Analyst | Demand Forecasting; Excel; SAP | Analyse supply chain data to cut costs and shortages. | 48000
Procurement Specialist | Purchasing; Negotiation; Supplier Evaluation | Buy materials and services and manage supplier contracts. | 45000
Goods-In Clerk | Receiving; Data Entry; Stock Checks | Check deliveries against orders and book stock into the system. | 25000
Shipping and Receiving Clerk | Shipping Documents; Receiving; Inventory | Prepare outgoing shipments and log incoming goods. | 27000
Fleet Maintenance Manager | Fleet Management; Vehicle Maintenance; Compliance | Keep a fleet of trucks safe, legal and on the road. | 55000
Bus Driver | PCV Licence; Passenger Safety; Customer Service | Drive scheduled city bus routes safely and on time. | 31000
Train Conductor | Passenger Safety; Ticketing; Rail Regulations | Look after passengers and safety on regional trains. | 36000
Crane Operator | Mobile Crane; Rigging; Load Calculation | Operate mobile cranes on construction and port sites. | 45000
Port Stevedore | Cargo Handling; Lashing; Forklift | Load and unload container ships at the port. | 35000
Air Cargo Handler | Cargo Handling; Dangerous Goods; Ramp Safety | Build and break down air freight pallets at the airport. | 29000
Material Handler | Manual Handling; Pallet Jack; Stock Rotation | Move materials between stores and production lines. | 25000
Distribution Centre General Manager | Operations Management; P&L; Leadership | Run a 500-person national distribution centre. | 95000
Last-Mile Delivery Operations Lead | Operations; Driver Management; KPIs | Lead the delivery station's daily operations and drivers. | 45000
Tanker Driver (ADR) | ADR Certificate; Class 1 Licence; Safety Procedures | Deliver fuel to petrol stations in a road tanker. | 42000
""",
    "retail": """
Retail Sales Associate | Customer Service; Cash Handling; Merchandising | Help customers find what they need and keep the shop floor tidy. | 23000
Cashier | Cash Handling; Point of Sale; Customer Service | Serve customers quickly and accurately at the checkout. | 22000
Store Manager | Store Operations; Staff Management; Sales Targets | Run a large supermarket and lead its 80 colleagues. | 52000
Assistant Store Manager | Team Leadership; Rota Planning; Stock Control | Support the store manager in running a busy store. | 36000
Visual Merchandiser | Window Displays; Planograms; Brand Standards | Design displays that make the store look great and sell more. | 29000
Stock Replenishment Assistant | Shelf Filling; Stock Rotation; Night Shifts | Refill shelves overnight so the store is ready each morning. | 22000
Barista | Coffee Preparation; Customer Service; Food Hygiene | Make espresso drinks and serve customers in a busy café. | 21000
Butcher | Meat Cutting; Knife Skills; Food Safety | Cut, prepare and sell meat at the butchery counter. | 27000
Baker | Bread Making; Pastry; Food Hygiene | Bake bread and pastries from scratch in an in-store bakery. | 25000
Pharmacy Assistant | Customer Service; Over-the-Counter Medicines; Dispensing Support | Serve customers and help in the dispensary. | 22000
Optical Assistant | Frame Styling; Pre-screening; Customer Service | Help customers choose glasses and run pre-tests. | 22000
E-commerce Customer Service Representative | Email Support; Order Tracking; Returns | Answer online shoppers' questions about orders and returns. | 25000
Loss Prevention Officer | Store Security; CCTV; Incident Reporting | Prevent theft and keep customers and staff safe. | 26000
Department Manager - Fashion | Merchandising; Team Leadership; Sales Analysis | Lead the womenswear department of a department store. | 38000
Beauty Advisor | Cosmetics; Skincare; Sales | Advise customers on skincare and make-up at a beauty counter. | 23000
Florist | Floral Design; Customer Service; Wedding Flowers | Create bouquets and arrangements for walk-in and event customers. | 23000
Car Sales Executive | Vehicle Sales; Negotiation; Finance Products | Sell new and used cars and arrange finance for buyers. | 35000
Chef de Partie | Food Preparation; Kitchen Section; Food Safety | Run a section of a busy restaurant kitchen. | 28000
Head Chef | Menu Planning; Kitchen Management; Food Costing | Lead the kitchen of a 120-cover restaurant. | 45000
Kitchen Porter | Dishwashing; Kitchen Cleaning; Food Hygiene | Keep the kitchen and equipment clean and help with prep. | 21000
Waiter / Waitress | Table Service; Food and Beverage; Customer Service | Serve guests in a busy brasserie. | 21000
Bartender | Cocktails; Cash Handling; Customer Service | Mix drinks and serve customers at a city-centre bar. | 22000
Hotel Receptionist | Check-in; Reservations; Guest Relations | Welcome guests and manage bookings at the front desk. | 24000
Housekeeping Room Attendant | Room Cleaning; Laundry; Attention to Detail | Clean and prepare hotel rooms to a high standard. | 21000
Commercial Cleaner | Cleaning; Floor Care; Health and Safety | Clean offices and shared areas before and after business hours. | 21000
Security Officer | Patrolling; Access Control; Incident Reporting | Protect a shopping centre and its visitors. | 25000
""",
    "trades": """
Electrician | Electrical Installation; Wiring Regulations; Fault Finding | Install and maintain electrical systems in homes and commercial buildings. | 42000
Electrician Apprentice | Electrical Installation; Hand Tools; Health and Safety | Learn the electrical trade on site alongside qualified electricians. | 20000
Plumber | Pipe Fitting; Bathroom Installation; Leak Repair | Install and repair water supply and drainage systems. | 40000
Gas Engineer | Boiler Servicing; Gas Safety; Central Heating | Install, service and repair gas boilers and heating systems. | 44000
HVAC Technician | Air Conditioning; Refrigeration; Heat Pumps | Install and maintain heating, ventilation and air conditioning systems. | 43000
Carpenter | Joinery; First Fix; Second Fix | Build and fit timber frames, doors, stairs and kitchens. | 38000
Cabinet Maker | Furniture Making; Woodworking Machinery; Finishing | Make bespoke kitchens and fitted furniture in our workshop. | 33000
Bricklayer | Bricklaying; Blockwork; Reading Drawings | Lay bricks and blocks on new-build housing sites. | 38000
Plasterer | Plastering; Rendering; Dry Lining | Plaster walls and ceilings in new and renovated homes. | 35000
Painter and Decorator | Painting; Wallpapering; Surface Preparation | Paint and decorate homes, offices and public buildings. | 31000
Roofer | Roofing; Slate and Tile; Working at Height | Install and repair pitched and flat roofs. | 35000
Welder Fabricator | MIG Welding; TIG Welding; Blueprint Reading | Cut, shape and weld steel structures in a fabrication shop. | 37000
CNC Machinist | CNC Machining; G-code; Precision Measurement | Set up and run CNC mills and lathes to tight tolerances. | 38000
Automotive Service Technician | Vehicle Diagnostics; Servicing; Brakes and Suspension | Diagnose and repair cars in a main dealer workshop. | 35000
Heavy Vehicle Mechanic | Diesel Engines; Hydraulics; Diagnostics | Maintain and repair trucks and trailers for a haulage fleet. | 40000
Maintenance Technician | Mechanical Maintenance; Electrical Maintenance; PLC | Keep production machinery running through planned and reactive maintenance. | 40000
Locksmith | Lock Installation; Emergency Entry; Security Systems | Fit, repair and open locks for homes and businesses. | 30000
Tiler | Wall and Floor Tiling; Waterproofing; Measuring | Tile bathrooms, kitchens and commercial floors. | 33000
Scaffolder | Scaffolding; Working at Height; Health and Safety | Erect and dismantle scaffolding on construction sites. | 36000
Construction Labourer | Site Clearance; Manual Handling; Health and Safety | Support trades on a building site with materials and groundwork. | 27000
Site Manager - Residential Construction | Site Management; Health and Safety; Programme Management | Run a new-build housing site from groundworks to handover. | 60000
Glazier | Glass Installation; Window Fitting; Measuring | Cut and install glass and windows in homes and shopfronts. | 31000
Landscape Gardener | Planting; Paving; Garden Maintenance | Design, build and look after gardens. | 27000
Elevator Mechanic | Lift Maintenance; Electrical Fault Finding; Safety | Install, service and repair lifts and escalators. | 50000
Solar Panel Installer | Photovoltaic Systems; Roof Work; Electrical Wiring | Install solar panels and batteries on homes. | 34000
Upholsterer | Upholstery; Sewing; Furniture Repair | Re-cover and repair sofas, chairs and boat seats. | 28000
Hairdresser | Cutting; Colouring; Styling | Cut, colour and style clients' hair in a city salon. | 24000
""",
    "office": """
Administrative Assistant | Microsoft Office; Filing; Scheduling | Support a busy office with diaries, filing and correspondence. | 27000
Executive Assistant to the CEO | Diary Management; Travel Booking; Board Papers | Support the chief executive and run their office. | 45000
Receptionist | Front Desk; Telephone; Visitor Management | Greet visitors and answer calls at a corporate headquarters. | 24000
Office Manager | Facilities; Supplier Management; Office Administration | Keep the office running smoothly for 150 people. | 40000
Data Entry Clerk | Data Entry; Typing; Accuracy | Enter and check customer and order data in our systems. | 23000
Bookkeeper | Bookkeeping; Bank Reconciliation; Accounts Payable | Keep the books for a group of small companies. | 32000
Accounts Payable Clerk | Invoice Processing; Supplier Payments; Reconciliation | Process supplier invoices and payment runs. | 28000
Payroll Administrator | Payroll; Tax; Employee Queries | Run the monthly payroll for 2,000 employees. | 32000
Chartered Accountant | Financial Reporting; Audit; Tax | Prepare accounts and tax returns for business clients. | 60000
Chief Financial Officer | Financial Strategy; Fundraising; Board Reporting | Lead finance for a fast-growing scale-up. | 160000
Human Resources Generalist | Employee Relations; Recruitment; HR Policies | Advise managers and employees on all people matters. | 40000
Recruitment Consultant | Candidate Sourcing; Client Management; Sales | Find candidates for client vacancies in a recruitment agency. | 32000
Customer Service Representative | Telephone Support; Complaint Handling; CRM | Answer customer calls and solve their problems. | 24000
Call Centre Team Leader | Team Leadership; Call Quality; KPIs | Lead a team of fifteen call centre advisers. | 32000
Legal Secretary | Legal Documents; Audio Typing; Case Files | Prepare legal documents and support solicitors. | 30000
Paralegal | Legal Research; Document Review; Case Management | Support lawyers with research, documents and case files. | 35000
Solicitor - Commercial Property | Property Law; Contracts; Negotiation | Advise clients on buying, selling and leasing commercial property. | 75000
Marketing Coordinator | Social Media; Campaigns; Content | Coordinate campaigns, events and social media content. | 33000
Project Manager | Project Planning; Stakeholder Management; Budgeting | Deliver business projects on time and on budget. | 58000
Business Analyst | Requirements Gathering; Process Mapping; SQL | Turn business needs into clear requirements for IT teams. | 52000
Claims Handler | Insurance Claims; Customer Service; Negotiation | Handle motor and home insurance claims from notice to settlement. | 28000
Estate Agent | Property Sales; Valuations; Negotiation | Value and sell homes for clients. | 30000
Translator | Translation; Proofreading; Terminology | Translate business documents between English, German and French. | 38000
Operations Director | Operations Strategy; Leadership; Process Improvement | Lead operations across the company's UK sites. | 110000
Chief Operating Officer | Operations; Leadership; Strategy | Run day-to-day operations for a national services company. | 180000
Primary School Teacher | Lesson Planning; Classroom Management; Safeguarding | Teach a Year 4 class in a friendly primary school. | 38000
Teaching Assistant | Classroom Support; Special Educational Needs; Safeguarding | Support pupils and teachers in the classroom. | 22000
Social Worker - Children's Services | Safeguarding; Case Management; Assessment | Protect children and support families in the community. | 42000
""",
    "engineering": """
Software Engineer - Backend | Java; Microservices; SQL | Build and run the services behind a national booking platform. | 65000
Frontend Developer | JavaScript; React; CSS | Build fast, accessible web pages for online shoppers. | 58000
Quality Assurance Analyst | Test Cases; Manual Testing; Bug Tracking | Test our software and make sure releases are solid. | 45000
Test Automation Engineer | Selenium; Test Automation; CI | Automate regression tests for web and mobile apps. | 55000
DevOps Engineer | CI/CD; Kubernetes; Terraform | Automate builds, deployments and infrastructure. | 68000
IT Support Technician | Desktop Support; Active Directory; Troubleshooting | Fix hardware and software problems for staff. | 30000
Network Engineer | Cisco; Routing and Switching; Firewalls | Design and support the company network across 40 sites. | 55000
Database Administrator | SQL Server; Backups; Performance Tuning | Keep production databases fast, safe and backed up. | 60000
Chief Technology Officer | Technology Strategy; Architecture; Leadership | Lead technology and engineering for a digital retailer. | 170000
Mechanical Engineer | CAD; Mechanical Design; Prototyping | Design mechanical parts and assemblies for industrial machines. | 55000
Electrical Engineer | Circuit Design; Power Systems; AutoCAD Electrical | Design electrical systems for commercial buildings. | 56000
Civil Engineer | Structural Design; AutoCAD; Site Supervision | Design and oversee roads, drainage and bridges. | 54000
Structural Engineer | Structural Analysis; Eurocodes; Steel and Concrete Design | Design the structure of new buildings. | 58000
Chemical Process Engineer | Process Design; Chemical Engineering; Safety | Improve chemical production processes in a manufacturing plant. | 60000
Quality Engineer - Manufacturing | Root Cause Analysis; ISO 9001; Inspection | Improve product quality on automotive parts lines. | 50000
Manufacturing Production Supervisor | Production Planning; Lean; Team Leadership | Lead a production shift of 40 operators. | 45000
Machine Operator | Machine Setup; Quality Checks; Production | Run and monitor production machines in a packaging plant. | 26000
Assembly Line Worker | Assembly; Hand Tools; Quality Checks | Assemble components on a car parts production line. | 25000
Draughtsperson | AutoCAD; Technical Drawing; Revit | Produce technical drawings for building projects. | 36000
Quantity Surveyor | Cost Estimating; Tendering; Contracts | Manage the costs of construction projects. | 52000
Health and Safety Officer | Risk Assessment; Incident Investigation; Safety Training | Keep sites safe and compliant with health and safety law. | 42000
Environmental Engineer | Environmental Impact; Water Treatment; Compliance | Design solutions to reduce pollution and treat water. | 50000
Data Scientist | Python; Machine Learning; Statistics | Build models that forecast demand across our stores. | 65000
Cyber Security Analyst | SIEM; Incident Response; Vulnerability Management | Monitor and defend the company's systems against attacks. | 58000
Aircraft Maintenance Engineer | Aircraft Maintenance; EASA Part 66; Inspection | Inspect and maintain commercial aircraft. | 55000
Laboratory Technician | Sample Preparation; Lab Equipment; Record Keeping | Prepare samples and run tests in a quality control lab. | 30000
UX Designer | User Research; Wireframes; Figma | Design simple, usable journeys for our apps. | 55000
Product Manager - Mobile App | Roadmaps; User Stories; Analytics | Lead the product team for our customer mobile app. | 70000
""",
}
LEVEL_WORDS = [("chief", "director"), ("director", "director"), ("general manager", "director"), ("manager", "manager"),
               ("supervisor", "lead"), ("team leader", "lead"), ("lead", "lead"), ("head ", "lead"),
               ("apprentice", "junior"), ("assistant store", "mid")]
LEVEL_PAY = {"junior": 0.8, "mid": 1.0, "lead": 1.0, "manager": 1.0, "director": 1.0}


def _level(title: str) -> str:
    lowered = title.lower()
    return next((level for word, level in LEVEL_WORDS if word in lowered), "mid")


def postings() -> list[dict]:
    """Returns every posting of the occupations catalogue (same seed, same list)."""
    rng = random.Random(SEED)
    rows, number = [], 1
    for department, block in OCCUPATIONS.items():
        for line in filter(None, (raw.strip() for raw in block.splitlines())):
            title, skills, summary, base = (part.strip() for part in line.split("|"))
            for city, country, currency in rng.sample(CITIES, rng.choice([1, 1, 2, 3])):
                posted = datetime.combine(REFERENCE_DATE - timedelta(days=rng.randint(1, 40)), time(9), timezone.utc)
                pay = int(base) * rng.uniform(0.9, 1.1) * {"GBP": 0.86, "USD": 1.1, "CAD": 1.45}.get(currency, 1.0)
                external_id = f"NG-{number:04d}"
                rows.append({
                    "external_id": external_id, "title": title, "department": department, "level": _level(title),
                    "city": city, "country": country, "workplace": "onsite",
                    "employment_type": rng.choice(["full-time"] * 4 + ["part-time"]),
                    "skills": [s.strip() for s in skills.split(";")], "summary": f"{summary} Based in {city}.",
                    "salary_min": int(round(pay * 0.9, -2)), "salary_max": int(round(pay * 1.1, -2)), "currency": currency,
                    "posted_at": posted.isoformat(), "closes_at": (posted + timedelta(days=150)).isoformat(),
                    "url": f"{BASE_URL}{external_id.lower()}", "status": "open"})
                number += 1
    return rows


def main() -> None:
    OUT.write_text(json.dumps(postings(), indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {OUT} ({len(postings())} postings)")


if __name__ == "__main__":
    main()
