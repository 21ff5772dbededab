#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# gen_columns.py - writes columns.tsv, the labelled PII evaluation set used by tests/unit/u_pii.c.
#
# Deterministic (fixed seed, Python's random module); all values are synthetic and made up
# here (reserved example domains, 555 numbers, documentation IP ranges, test card ranges).
# Output format, one column per line, tab-separated:
#   label <TAB> column_name <TAB> duckdb_type <TAB> value1 <TAB> value2 ...
# `\N` is a SQL NULL. Lines starting with '#' are comments. Values never contain tabs.
# Run: python3 tests/data/pii/gen_columns.py > tests/data/pii/columns.tsv
import random
import sys

R = random.Random(20261126)

FIRST = ["James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David",
         "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas",
         "Sarah", "Carlos", "Karen", "Daniel", "Lisa", "Matthew", "Nancy", "Anthony", "Sandra",
         "Wei", "Priya", "Andre", "Aisha", "Luis", "Mei", "Omar", "Fatima", "Kevin", "Emily",
         "Jamal", "Sofia", "Ryan", "Hannah", "Tyrone", "Grace", "Diego", "Chloe", "Raj", "Olivia",
         "Ethan", "Maya", "Noah", "Liam", "Ava", "Isabella", "Lucas", "Mateo", "Amara", "Kenji",
         "Yuki", "Ahmed", "Ingrid", "Sven", "Anika", "Tomasz", "Dmitri", "Olga", "Nia", "Kwame"]
FIRST_INTL = ["José", "Zoë", "Łukasz", "Björn", "Renée", "Søren", "Chloé", "Jürgen", "Ana-María",
              "François", "Ümit", "Núria", "Siobhán", "Dóra", "Mikaël"]
LAST = ["Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis",
        "Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas",
        "Taylor", "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris",
        "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King",
        "Nguyen", "Patel", "Kim", "Chen", "O'Brien", "Okafor", "Kowalski", "Murphy", "Rivera",
        "McAllister", "Van der Berg", "Smith-Jones", "DeLuca", "Yamamoto", "Haddad", "Novak"]
COMPANY_PRE = ["Northwind", "Blue Ridge", "Summit", "Pioneer", "Cedar", "Harbor", "Redwood",
               "Silverline", "Granite", "Lakeshore", "Evergreen", "Ironwood", "Keystone",
               "Meridian", "Orion", "Pinnacle", "Riverbend", "Sterling", "Apex", "Beacon"]
COMPANY_NOUN = ["Health", "Manufacturing", "Logistics", "Systems", "Partners", "Group", "Labs",
                "Industries", "Solutions", "Foods", "Energy", "Financial", "Insurance",
                "Medical Center", "Builders", "Networks", "Analytics", "Supply", "Motors",
                "Holdings"]
COMPANY_LEGAL = ["", "", " Inc.", ", Inc.", " LLC", ", LLC", " Corp.", " & Co.", " Ltd", " GmbH"]
DOMAINS = ["example.com", "example.net", "example.org", "mail.example", "corp.example.co.uk",
           "students.example.edu"]
CITIES = [("New York", "NY"), ("Los Angeles", "CA"), ("Chicago", "IL"), ("Houston", "TX"),
          ("Phoenix", "AZ"), ("Philadelphia", "PA"), ("San Antonio", "TX"), ("San Diego", "CA"),
          ("Dallas", "TX"), ("Austin", "TX"), ("Seattle", "WA"), ("Denver", "CO"),
          ("Boston", "MA"), ("Portland", "OR"), ("St. Louis", "MO"), ("Salt Lake City", "UT")]
STREETS = ["Main", "Oak", "Pine", "Maple", "Cedar", "Elm", "Washington", "Lake", "Hill",
           "Park", "Sunset", "Lincoln", "Jackson", "Church", "Highland", "Mill", "River",
           "Spring", "Ridge", "Willow", "5th", "42nd", "1st", "Martin Luther King Jr"]
SUFFIX = ["St", "St.", "Street", "Ave", "Ave.", "Avenue", "Rd", "Road", "Blvd", "Boulevard",
          "Dr", "Drive", "Ln", "Lane", "Way", "Ct", "Court", "Pl", "Place", "Ter", "Pkwy",
          "Hwy", "Cir", "Trail", "Loop"]
UNITS = ["Apt 5", "Apt. 12B", "Suite 200", "Ste 310", "Unit 4", "#12", "Fl 3", "Apartment 7"]
DIRS = ["N", "S", "E", "W", "N.", "W.", "NE", "SW", "North", "East"]

LOREM = ("lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor "
         "incididunt ut labore et dolore magna aliqua ut enim ad minim veniam quis nostrud "
         "exercitation ullamco laboris nisi aliquip ex ea commodo consequat").split()


def pick(xs):
    return xs[R.randrange(len(xs))]


def n_vals(lo=20, hi=20):
    return R.randint(lo, hi)


# ---- generators of single values ----

def person():
    return pick(FIRST), pick(LAST)


def email(first=None, last=None):
    f, l = (first, last) if first else person()
    f = f.lower()
    l = l.lower().replace("'", "").replace(" ", "")
    style = R.randrange(6)
    local = [f"{f}.{l}", f"{f[0]}{l}", f"{f}_{l}{R.randint(1, 99)}", f"{f}{R.randint(1, 9999)}",
             f"{f}.{l}+news", f"{l}.{f[0]}"][style]
    return f"{local}@{pick(DOMAINS)}"


def nanp(style):
    area = R.randint(201, 989)
    while area % 100 == 11:
        area += 1
    sub = R.randint(100, 199)  # 555-0100..0199 are the fictional range
    n = f"{area}", "555", f"{sub:04d}"
    a, b, c = n
    return [f"{a}-{b}-{c}", f"({a}) {b}-{c}", f"{a}.{b}.{c}", f"{a} {b} {c}",
            f"+1 {a} {b} {c}", f"+1-{a}-{b}-{c}", f"1-{a}-{b}-{c}", f"+1{a}{b}{c}",
            f"+1 ({a}) {b}-{c}", f"{a}{b}{c}"][style]


def intl_phone():
    k = R.randrange(8)
    d = lambda n: "".join(str(R.randint(0, 9)) for _ in range(n))
    return [f"+44 20 7946 {d(4)}", f"+44 7700 900{d(3)}", f"+49 30 {d(7)}",
            f"+33 1 {d(2)} {d(2)} {d(2)} {d(2)}", f"+81 3-{d(4)}-{d(4)}",
            f"+91 98{d(3)} {d(5)}", f"+61 2 {d(4)} {d(4)}", f"+55 11 9{d(4)}-{d(4)}"][k]


def luhn_complete(prefix, length):
    digits = [int(c) for c in prefix]
    while len(digits) < length - 1:
        digits.append(R.randint(0, 9))
    total = 0
    for i, dgt in enumerate(reversed(digits)):
        if i % 2 == 0:
            dgt *= 2
            if dgt > 9:
                dgt -= 9
        total += dgt
    digits.append((10 - total % 10) % 10)
    return "".join(map(str, digits))


def card(kind=None):
    kind = kind or pick(["visa", "mc", "mc2", "amex", "disc", "jcb", "diners", "visa13"])
    if kind == "visa":
        return luhn_complete("4", 16)
    if kind == "visa13":
        return luhn_complete("4", 13)
    if kind == "mc":
        return luhn_complete(str(R.randint(51, 55)), 16)
    if kind == "mc2":
        return luhn_complete(str(R.randint(2221, 2720)), 16)
    if kind == "amex":
        return luhn_complete(pick(["34", "37"]), 15)
    if kind == "disc":
        return luhn_complete(pick(["6011", "65", "644"]), 16)
    if kind == "jcb":
        return luhn_complete(str(R.randint(3528, 3589)), 16)
    return luhn_complete(pick(["300", "305", "36", "38"]), 14)


def group_card(num, sep):
    if len(num) == 15:
        parts = [num[:4], num[4:10], num[10:]]
    elif len(num) == 14:
        parts = [num[:4], num[4:10], num[10:]]
    else:
        parts = [num[i:i + 4] for i in range(0, len(num), 4)]
    return sep.join(parts)


def ssn(sep="-"):
    while True:
        a = R.randint(1, 899)
        if a != 666:
            break
    return f"{a:03d}{sep}{R.randint(1, 99):02d}{sep}{R.randint(1, 9999):04d}"


def ipv4(kind=None):
    kind = kind or pick(["doc", "priv", "any"])
    if kind == "doc":
        return f"{pick(['192.0.2', '198.51.100', '203.0.113'])}.{R.randint(1, 254)}"
    if kind == "priv":
        return pick([f"10.{R.randint(0, 255)}.{R.randint(0, 255)}.{R.randint(1, 254)}",
                     f"192.168.{R.randint(0, 255)}.{R.randint(1, 254)}",
                     f"172.{R.randint(16, 31)}.{R.randint(0, 255)}.{R.randint(1, 254)}"])
    return ".".join(str(R.randint(1, 255)) for _ in range(4))


def ipv6(style=None):
    style = style if style is not None else R.randrange(5)
    g = lambda: f"{R.randint(0, 0xffff):x}"
    if style == 0:
        return "2001:db8:" + ":".join(g() for _ in range(6))
    if style == 1:
        return f"2001:db8::{g()}:{g()}"
    if style == 2:
        return f"fe80::{g()}:{g()}:{g()}:{g()}"
    if style == 3:
        return f"::ffff:{ipv4('doc')}"
    return "2001:0db8:" + ":".join(f"{R.randint(0, 0xffff):04x}" for _ in range(6))


def date(lo_year, hi_year):
    y = R.randint(lo_year, hi_year)
    m = R.randint(1, 12)
    d = R.randint(1, 28)
    return y, m, d


MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]


def street_address(style=None):
    style = style if style is not None else R.randrange(6)
    num = R.randint(1, 9999)
    name = f"{pick(STREETS)} {pick(SUFFIX)}"
    if style == 0:
        return f"{num} {name}"
    if style == 1:
        return f"{num} {pick(DIRS)} {name} {pick(UNITS)}"
    if style == 2:
        c, s = pick(CITIES)
        return f"{num} {name}, {c}, {s} {R.randint(10000, 99999)}"
    if style == 3:
        return f"{num} {name}, {pick(UNITS)}"
    if style == 4:
        return f"{num}{pick(['', 'A', 'B'])} {pick(STREETS)} {pick(SUFFIX)} {pick(['NW', 'SE', ''])}".strip()
    return f"{num} {pick(DIRS)} {pick(STREETS)} {pick(SUFFIX)}"


CONDITIONS = ["Type 2 diabetes mellitus", "Hypertension", "Asthma", "COPD", "Migraine",
              "Major depressive disorder", "Generalized anxiety disorder", "Hypothyroidism",
              "Osteoarthritis of knee", "Rheumatoid arthritis", "Atrial fibrillation",
              "Congestive heart failure", "Chronic kidney disease stage 3", "GERD",
              "Hyperlipidemia", "Obesity", "Iron deficiency anemia", "Pneumonia",
              "Acute bronchitis", "Urinary tract infection", "Epilepsy", "Breast cancer",
              "Sleep apnea", "Psoriasis", "Eczema", "Celiac disease", "Crohn's disease"]
ICD = ["E11.9", "I10", "J45.909", "J44.9", "G43.909", "F32.9", "F41.1", "E03.9", "M17.11",
       "M06.9", "I48.91", "I50.9", "N18.3", "K21.9", "E78.5", "E66.9", "D50.9", "J18.9",
       "J20.9", "N39.0", "G40.909", "C50.919", "G47.33", "L40.0", "L30.9", "K90.0", "K50.90"]
MEDS = ["Metformin", "Lisinopril", "Atorvastatin", "Levothyroxine", "Amlodipine", "Metoprolol",
        "Albuterol", "Omeprazole", "Losartan", "Gabapentin", "Sertraline", "Simvastatin",
        "Hydrochlorothiazide", "Prednisone", "Amoxicillin", "Insulin glargine", "Warfarin",
        "Escitalopram", "Furosemide", "Montelukast"]
ALLERGENS = ["Penicillin", "Peanuts", "Shellfish", "Latex", "Sulfa drugs", "Bee stings",
             "Pollen", "Tree nuts", "Codeine", "Aspirin", "Eggs", "Dust mites"]

JOB_TITLES = ["Senior Software Engineer", "Account Manager", "Registered Nurse",
              "Warehouse Associate", "Project Manager", "Data Analyst", "Medical Assistant",
              "Forklift Operator", "Customer Service Representative", "Staff Accountant",
              "Marketing Coordinator", "Executive Assistant", "Python Developer"]
PRODUCTS = ["Ergonomic Steel Chair", "Wireless Mouse", "Standing Desk", "Coffee Grinder",
            "Noise Cancelling Headphones", "Yoga Mat", "Cast Iron Skillet", "Desk Lamp",
            "Travel Mug", "Bluetooth Speaker", "Hiking Backpack", "Mechanical Keyboard",
            "Water Bottle", "Running Shoes", "Garden Hose", "Electric Kettle"]


def company():
    return f"{pick(COMPANY_PRE)} {pick(COMPANY_NOUN)}{pick(COMPANY_LEGAL)}"


def lorem(lo=6, hi=18):
    words = [pick(LOREM) for _ in range(R.randint(lo, hi))]
    s = " ".join(words)
    return s[0].upper() + s[1:] + "."


def resume():
    f, l = person()
    c, s = pick(CITIES)
    return (f"{f} {l} is a dependable {pick(JOB_TITLES)} based in {c}, {s} with "
            f"{R.randint(1, 25)} years of experience in Healthcare and Logistics organizations. "
            f"Most recently worked at {company()} and improved throughput by {R.randint(5, 40)}%. "
            f"Desired salary around ${R.randint(40, 180)}000.")


def with_noise(vals, frac, noise):
    """Replaces about frac of vals with values from noise()."""
    out = []
    for v in vals:
        out.append(noise() if R.random() < frac else v)
    return out


# ---- the columns ----

COLS = []


def col(label, name, typ, vals):
    COLS.append((label, name, typ, vals))


def gen(label, name, typ, fn, lo=20, hi=20):
    col(label, name, typ, [fn() for _ in range(n_vals(lo, hi))])


def nullish():
    return pick(["\\N", "", "\\N", "N/A"])


# email
gen("email", "email", "VARCHAR", email)
gen("email", "Email", "VARCHAR", lambda: email().upper() if R.random() < 0.3 else email())
gen("email", "contact_email", "VARCHAR", email, 100, 100)
gen("email", "emailAddress", "VARCHAR", email)
gen("email", "user_email", "VARCHAR", email)
gen("email", "e_mail", "VARCHAR", email)
col("email", "work_email", "VARCHAR", with_noise([email() for _ in range(40)], 0.3, nullish))
gen("email", "login", "VARCHAR", email)
col("email", "recipient", "VARCHAR",
    [f"{f} {l} <{email(f, l)}>" for f, l in (person() for _ in range(30))])
col("email", "reply_to", "VARCHAR",
    with_noise([email() for _ in range(35)], 0.2, lambda: pick(["n/a", "unknown", "none"])))
gen("email", "cc", "VARCHAR", email)
gen("email", "customer_id", "VARCHAR", email)
gen("email", "EMAIL_ADDR", "VARCHAR", email)
col("email", "billing_contact", "VARCHAR",
    with_noise([email() for _ in range(30)], 0.15, lambda: "see account notes"))

# phone
gen("phone", "phone", "VARCHAR", lambda: nanp(0))
gen("phone", "phone_number", "VARCHAR", lambda: nanp(R.choice([1, 8])))
gen("phone", "mobile", "VARCHAR", lambda: f"+44 7700 900{R.randint(0, 999):03d}")
gen("phone", "tel", "VARCHAR", intl_phone)
gen("phone", "cell", "VARCHAR", lambda: nanp(2))
gen("phone", "fax", "VARCHAR", lambda: nanp(1))
gen("phone", "contact_number", "BIGINT", lambda: nanp(9))
gen("phone", "PhoneNumber", "VARCHAR", lambda: nanp(7))
gen("phone", "home_phone", "VARCHAR",
    lambda: nanp(R.choice([0, 1])) + pick(["", "", f" x{R.randint(10, 999)}",
                                           f" ext. {R.randint(10, 99)}"]))
gen("phone", "telephone", "VARCHAR",
    lambda: f"020 7946 {R.randint(0, 9999):04d}" if R.random() < 0.5
    else f"0161 496 {R.randint(0, 9999):04d}")
gen("phone", "telefono", "VARCHAR",
    lambda: f"+34 9{R.randint(10, 99)} {R.randint(100, 999)} {R.randint(100, 999)}")
gen("phone", "emergency_contact", "VARCHAR", lambda: nanp(R.randrange(7)))
gen("phone", "msisdn", "BIGINT", lambda: f"4477009{R.randint(0, 99999):05d}")
gen("phone", "support_line", "VARCHAR", lambda: f"1-800-555-{R.randint(100, 199):04d}")
gen("phone", "mobile_no", "VARCHAR", lambda: f"+91 98{R.randint(100, 999)} {R.randint(10000, 99999)}")
gen("phone", "contact_phone", "VARCHAR", lambda: nanp(R.randrange(10)), 50, 70)
gen("phone", "tel_fr", "VARCHAR",
    lambda: "0" + str(R.randint(1, 9)) + "".join(f" {R.randint(0, 99):02d}" for _ in range(4)))
col("phone", "phone_2", "VARCHAR", with_noise([nanp(0) for _ in range(40)], 0.4, nullish))

# ssn
gen("ssn", "ssn", "VARCHAR", ssn)
gen("ssn", "SSN", "VARCHAR", lambda: ssn(" "))
gen("ssn", "social_security_number", "VARCHAR", ssn)
gen("ssn", "ssn_raw", "VARCHAR", lambda: ssn(""))
gen("ssn", "ssn_num", "INTEGER", lambda: str(int(ssn(""))))
gen("ssn", "tax_id", "VARCHAR", ssn)
gen("ssn", "national_id", "VARCHAR", ssn)
col("ssn", "applicant_ssn", "VARCHAR",
    with_noise([ssn() for _ in range(40)], 0.1,
               lambda: pick(["000-12-3456", "666-01-2345", "912-34-5678", "123-00-4567"])))
gen("ssn", "SocialSecurityNo", "VARCHAR", ssn)
gen("ssn", "employee_tin", "VARCHAR", ssn)
gen("ssn", "gov_id", "VARCHAR", ssn)

# credit_card
gen("credit_card", "card_number", "VARCHAR", lambda: group_card(card(pick(["visa", "mc"])), " "))
gen("credit_card", "cc_number", "VARCHAR", card)
gen("credit_card", "credit_card", "VARCHAR", lambda: group_card(card(), "-"))
gen("credit_card", "pan", "VARCHAR", lambda: group_card(card(), " "))
gen("credit_card", "payment_card", "VARCHAR", card)
gen("credit_card", "card_no", "BIGINT", lambda: card(pick(["visa", "mc", "disc", "jcb"])))
gen("credit_card", "payment_info", "VARCHAR", lambda: group_card(card(), pick([" ", "-"])))
gen("credit_card", "ccnum", "VARCHAR", lambda: card(pick(["amex", "diners", "visa13"])))
gen("credit_card", "CreditCardNumber", "VARCHAR", lambda: group_card(card("mc2"), " "))
col("credit_card", "card_on_file", "VARCHAR",
    with_noise([card() for _ in range(40)], 0.2, nullish))

# ip_address
gen("ip_address", "ip", "VARCHAR", ipv4)
gen("ip_address", "ip_address", "VARCHAR", lambda: ipv4("priv"))
gen("ip_address", "client_ip", "VARCHAR", lambda: ipv4() if R.random() < 0.7 else ipv6())
gen("ip_address", "remote_addr", "VARCHAR", ipv4)
gen("ip_address", "src_ipv6", "VARCHAR", lambda: ipv6(0))
gen("ip_address", "ipv6", "VARCHAR", lambda: ipv6(R.choice([1, 2, 3])))
gen("ip_address", "origin", "VARCHAR", lambda: ipv4("doc"))
gen("ip_address", "peer", "VARCHAR", lambda: f"{ipv4()}:{R.randint(1024, 65535)}")
gen("ip_address", "last_login_ip", "VARCHAR", lambda: ipv4() if R.random() < 0.5 else ipv6(4))
gen("ip_address", "forwarded_for", "VARCHAR", lambda: ipv4("doc"))
gen("ip_address", "IPAddress", "VARCHAR", ipv6)

# date_of_birth (today is computed by the classifier; all values <= 2008)
def dob_iso():
    return "%04d-%02d-%02d" % date(1935, 2007)


gen("date_of_birth", "dob", "DATE", dob_iso)
gen("date_of_birth", "date_of_birth", "VARCHAR", dob_iso)
gen("date_of_birth", "birth_date", "TIMESTAMP", lambda: dob_iso() + " 00:00:00")
gen("date_of_birth", "birthday", "VARCHAR", lambda: "%02d/%02d/%04d" % (lambda y, m, d: (m, d, y))(*date(1940, 2006)))
gen("date_of_birth", "DOB", "VARCHAR", lambda: "%02d.%02d.%04d" % (lambda y, m, d: (d, m, y))(*date(1940, 2006)))
gen("date_of_birth", "born_on", "VARCHAR",
    lambda: (lambda y, m, d: f"{MONTHS[m - 1]} {d}, {y}")(*date(1940, 2006)))
gen("date_of_birth", "birthdate", "INTEGER", lambda: "%04d%02d%02d" % date(1950, 2005))
gen("date_of_birth", "patient_dob", "DATE", dob_iso)
gen("date_of_birth", "dateOfBirth", "VARCHAR", lambda: dob_iso() + "T00:00:00Z")
gen("date_of_birth", "birth_year", "INTEGER", lambda: str(R.randint(1940, 2006)))
gen("date_of_birth", "member_birthday", "VARCHAR",
    lambda: (lambda y, m, d: f"{d} {MONTHS[m - 1][:3]} {y}")(*date(1940, 2006)))

# salary
gen("salary", "salary", "INTEGER", lambda: str(R.randint(35, 220) * 1000))
gen("salary", "desired_salary", "BIGINT", lambda: str(R.randint(30, 180) * 1000))
gen("salary", "pay_rate", "DOUBLE", lambda: "%.2f" % (R.randint(1500, 9500) / 100))
gen("salary", "annual_pay", "DECIMAL(12,2)", lambda: "%.2f" % (R.randint(30000, 250000)))
gen("salary", "wage", "DECIMAL(10,2)", lambda: "%.2f" % (R.randint(725, 4500) / 100))
gen("salary", "compensation", "VARCHAR", lambda: "${:,}".format(R.randint(40, 300) * 1000))
gen("salary", "base_salary", "DOUBLE", lambda: "%.1f" % (R.randint(40, 200) * 1000))
gen("salary", "bonus", "DOUBLE", lambda: "%.1f" % (R.randint(0, 30) * 500))
gen("salary", "income", "BIGINT", lambda: str(R.randint(12000, 400000)))
gen("salary", "hourly_wage", "VARCHAR", lambda: "$%.2f" % (R.randint(1200, 6000) / 100))
gen("salary", "salary_usd", "VARCHAR", lambda: f"USD {R.randint(40, 200)},000")
gen("salary", "AnnualSalary", "HUGEINT", lambda: str(R.randint(40, 200) * 1000))
gen("salary", "total_compensation", "DOUBLE", lambda: "%.2f" % (R.randint(4000000, 40000000) / 100))

# street_address
gen("street_address", "address", "VARCHAR", lambda: street_address(0))
gen("street_address", "street_address", "VARCHAR", lambda: street_address(1))
gen("street_address", "address_line1", "VARCHAR", lambda: street_address(R.choice([0, 4, 5])))
gen("street_address", "addr", "VARCHAR", lambda: street_address(3))
gen("street_address", "home_address", "VARCHAR", lambda: street_address(2))
gen("street_address", "mailing_address", "VARCHAR",
    lambda: street_address() if R.random() < 0.8 else f"PO Box {R.randint(1, 9999)}")
gen("street_address", "shipping_address", "VARCHAR",
    lambda: street_address(2) if R.random() < 0.7 else f"P.O. Box {R.randint(1, 999)}, {pick(CITIES)[0]}")
gen("street_address", "street", "VARCHAR", lambda: street_address(R.choice([0, 5])))
gen("street_address", "location", "VARCHAR", lambda: street_address(2))
gen("street_address", "Address1", "VARCHAR",
    lambda: pick([f"{R.randint(1, 300)} {pick(['Baker', 'High', 'Station', 'Church'])} "
                  f"{pick(['Street', 'Road', 'Lane'])}",
                  f"{R.randint(1, 99)} rue de {pick(['Rivoli', 'la Paix', 'Vaugirard'])}",
                  f"{pick(['Haupt', 'Bahnhof', 'Goethe', 'Linden'])}straße {R.randint(1, 120)}",
                  street_address(0)]))
col("street_address", "residence", "VARCHAR",
    with_noise([street_address() for _ in range(40)], 0.2, nullish))
gen("street_address", "billing_street", "VARCHAR", lambda: street_address(4))

# medical
gen("medical", "diagnosis", "VARCHAR", lambda: pick(CONDITIONS))
gen("medical", "icd10_code", "VARCHAR", lambda: pick(ICD))
gen("medical", "medication", "VARCHAR",
    lambda: f"{pick(MEDS)} {pick(['5', '10', '20', '25', '40', '500', '850'])}mg "
            f"{pick(['daily', 'twice daily', 'at bedtime', 'as needed'])}")
gen("medical", "allergies", "VARCHAR", lambda: pick(ALLERGENS) if R.random() < 0.7 else "None")
gen("medical", "condition", "VARCHAR", lambda: pick(CONDITIONS))
gen("medical", "clinical_notes", "VARCHAR",
    lambda: f"Patient presents with {pick(['shortness of breath', 'chest pain', 'fatigue', 'headache', 'dizziness'])}. "
            f"History of {pick(CONDITIONS).lower()}. Prescribed {pick(MEDS).lower()} "
            f"{pick(['10', '20', '500'])} mg. Follow up in {R.randint(1, 6)} weeks.")
gen("medical", "dx_code", "VARCHAR", lambda: pick(ICD))
gen("medical", "prescriptions", "VARCHAR", lambda: pick(MEDS))
gen("medical", "notes", "VARCHAR",
    lambda: f"Diagnosed with {pick(CONDITIONS).lower()} in {R.randint(1995, 2024)}; "
            f"{pick(['stable on treatment', 'symptoms worsening', 'referred to specialist', 'no acute distress'])}.")
gen("medical", "health_conditions", "VARCHAR",
    lambda: "; ".join(R.sample(CONDITIONS, R.randint(1, 3))))
gen("medical", "primary_dx", "VARCHAR", lambda: f"{pick(ICD)} - {pick(CONDITIONS)}")
gen("medical", "drug_name", "VARCHAR", lambda: pick(MEDS))
gen("medical", "chief_complaint", "VARCHAR",
    lambda: pick(["chest pain", "shortness of breath", "abdominal pain", "fever and cough",
                  "migraine headache", "lower back pain", "nausea and vomiting",
                  "asthma exacerbation", "high blood pressure", "anxiety"]))

# person_name
gen("person_name", "first_name", "VARCHAR", lambda: pick(FIRST))
gen("person_name", "last_name", "VARCHAR", lambda: pick(LAST))
gen("person_name", "full_name", "VARCHAR", lambda: " ".join(person()))
gen("person_name", "contact_name", "VARCHAR", lambda: " ".join(person()))
gen("person_name", "candidate_name", "VARCHAR",
    lambda: f"{pick(FIRST)} {pick('ABCDEFGHJKLMNPRSTW')}. {pick(LAST)}")
gen("person_name", "name", "VARCHAR", lambda: " ".join(person()))
gen("person_name", "customerName", "VARCHAR", lambda: " ".join(person()))
gen("person_name", "employee_name", "VARCHAR", lambda: (lambda f, l: f"{l}, {f}")(*person()))
gen("person_name", "given_name", "VARCHAR", lambda: pick(FIRST_INTL))
gen("person_name", "surname", "VARCHAR", lambda: pick(LAST))
gen("person_name", "patient_name", "VARCHAR",
    lambda: " ".join(person()) + pick(["", "", "", " Jr.", " III"]))
gen("person_name", "fname", "VARCHAR", lambda: pick(FIRST + FIRST_INTL))
gen("person_name", "lname", "VARCHAR", lambda: pick(LAST).upper())
gen("person_name", "Name", "VARCHAR", lambda: " ".join(person()).upper())
gen("person_name", "author", "VARCHAR", lambda: " ".join(person()))
gen("person_name", "FirstName", "VARCHAR", lambda: pick(FIRST))
gen("person_name", "recruiter", "VARCHAR", lambda: " ".join(person()))
gen("person_name", "assigned_to", "VARCHAR", lambda: " ".join(person()))
col("person_name", "middle_name", "VARCHAR",
    with_noise([pick(FIRST) for _ in range(40)], 0.3, nullish))

# ---- hard negatives ----
gen("none", "order_id", "BIGINT", lambda: str(R.randint(100000, 999999)))
gen("none", "id", "INTEGER", lambda: str(R.randint(1, 5000)))
gen("none", "zip_code", "VARCHAR", lambda: f"{R.randint(1000, 99999):05d}")
gen("none", "zip", "VARCHAR", lambda: f"{R.randint(1000, 99999):05d}-{R.randint(0, 9999):04d}")
gen("none", "sku", "VARCHAR",
    lambda: f"SKU-{R.randint(10000, 99999)}-{pick(['AB', 'XL', 'RD', 'BL'])}")
gen("none", "product_code", "VARCHAR",
    lambda: f"{pick('ABCDEFGH')}{R.randint(100, 999)}-{R.randint(10, 99)}")
gen("none", "version", "VARCHAR", lambda: f"{R.randint(0, 12)}.{R.randint(0, 30)}.{R.randint(0, 99)}")
gen("none", "app_version", "VARCHAR",
    lambda: f"{R.randint(1, 9)}.{R.randint(0, 20)}.{R.randint(0, 9)}.{R.randint(0, 250)}")
gen("none", "build", "VARCHAR", lambda: f"v{R.randint(1, 4)}.{R.randint(0, 9)}.{R.randint(0, 9)}")
gen("none", "created_at", "TIMESTAMP",
    lambda: "%04d-%02d-%02d %02d:%02d:%02d" % (*date(2019, 2026), R.randint(0, 23), R.randint(0, 59), R.randint(0, 59)))
gen("none", "updated_at", "VARCHAR", lambda: "%04d-%02d-%02d" % date(2015, 2026))
gen("none", "start_date", "DATE", lambda: "%04d-%02d-%02d" % date(1985, 2005))
gen("none", "hire_date", "DATE", lambda: "%04d-%02d-%02d" % date(1990, 2024))
gen("none", "order_date", "VARCHAR", lambda: "%02d/%02d/%04d" % (lambda y, m, d: (m, d, y))(*date(2018, 2026)))
gen("none", "price", "DOUBLE", lambda: "%.2f" % (R.randint(99, 99999) / 100))
gen("none", "amount", "DECIMAL(12,2)", lambda: "%.2f" % (R.randint(1000, 20000000) / 100))
gen("none", "total", "DOUBLE", lambda: "%.2f" % (R.randint(50000, 20000000) / 100))
gen("none", "bill_rate", "DOUBLE", lambda: "%.2f" % (R.randint(2500, 15000) / 100))
gen("none", "unit_cost", "VARCHAR", lambda: "$%.2f" % (R.randint(100, 50000) / 100))
gen("none", "company_name", "VARCHAR", company)
gen("none", "name", "VARCHAR", company)
gen("none", "name", "VARCHAR", lambda: f"{pick(PRODUCTS)} {R.randint(100, 9000)}")
gen("none", "product_name", "VARCHAR", lambda: pick(PRODUCTS))
gen("none", "city", "VARCHAR", lambda: pick(CITIES)[0])
gen("none", "state", "VARCHAR", lambda: pick(CITIES)[1])
gen("none", "country", "VARCHAR",
    lambda: pick(["United States", "Canada", "Germany", "France", "Japan", "Brazil", "India", "Georgia", "Jordan"]))
gen("none", "description", "VARCHAR", lorem)
gen("none", "comments", "VARCHAR", lambda: lorem(10, 20))
gen("none", "sha256", "VARCHAR", lambda: "%064x" % R.getrandbits(256))
gen("none", "md5", "VARCHAR", lambda: "%032x" % R.getrandbits(128))
gen("none", "uuid", "UUID",
    lambda: (lambda h: f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}")("%032x" % R.getrandbits(128)))
gen("none", "invoice_number", "VARCHAR", lambda: f"{R.randint(201, 989)}-555-{R.randint(100, 199):04d}")
gen("none", "invoice_no", "VARCHAR", lambda: f"INV-{R.randint(2019, 2026)}-{R.randint(1, 99999):05d}")
gen("none", "order_number", "VARCHAR", lambda: f"{R.randint(2019, 2026)}-{R.randint(0, 999999):06d}")
gen("none", "po_number", "VARCHAR", lambda: f"PO {R.randint(100, 999)} {R.randint(100, 999)} {R.randint(1000, 9999)}")
gen("none", "tracking_number", "VARCHAR",
    lambda: "1Z" + "".join(pick("0123456789ABCDEFGHJKLMNPRSTUVWXY") for _ in range(16)))
gen("none", "account_ref", "VARCHAR",
    lambda: card() if R.random() < 0.12 else "".join(str(R.randint(0, 9)) for _ in range(16)))
gen("none", "transaction_id", "BIGINT", lambda: str(R.randint(10 ** 15, 10 ** 16 - 1)))
gen("none", "imei", "VARCHAR", lambda: luhn_complete(pick(["35", "86", "01"]), 15))
gen("none", "isbn", "VARCHAR",
    lambda: f"978-{R.randint(0, 1)}-{R.randint(100, 999)}-{R.randint(10000, 99999)}-{R.randint(0, 9)}")
gen("none", "ean13", "VARCHAR", lambda: "".join(str(R.randint(0, 9)) for _ in range(13)))
gen("none", "routing_number", "VARCHAR", lambda: "".join(str(R.randint(0, 9)) for _ in range(9)))
gen("none", "account_number", "VARCHAR", lambda: "".join(str(R.randint(0, 9)) for _ in range(R.randint(10, 12))))
gen("none", "timestamp_ms", "BIGINT", lambda: str(R.randint(1500000000000, 1790000000000)))
gen("none", "epoch", "BIGINT", lambda: str(R.randint(1500000000, 1790000000)))
gen("none", "quantity", "INTEGER", lambda: str(R.randint(1, 500)))
gen("none", "rating", "DOUBLE", lambda: "%.1f" % (R.randint(10, 50) / 10))
gen("none", "status", "VARCHAR", lambda: pick(["active", "inactive", "placed", "passive"]))
gen("none", "is_active", "BOOLEAN", lambda: pick(["true", "false"]))
gen("none", "latitude", "DOUBLE", lambda: "%.6f" % (R.uniform(-90, 90)))
gen("none", "lat_lon", "VARCHAR", lambda: "%.4f,%.4f" % (R.uniform(25, 49), R.uniform(-124, -67)))
gen("none", "session_id", "VARCHAR", lambda: "%024x" % R.getrandbits(96))
gen("none", "mac_address", "VARCHAR",
    lambda: ":".join("%02X" % R.randint(0, 255) for _ in range(6)))
gen("none", "url", "VARCHAR",
    lambda: f"https://www.{pick(['example.com', 'example.org'])}/{pick(['products', 'blog', 'docs'])}/{R.randint(1, 9999)}")
gen("none", "user_agent", "VARCHAR",
    lambda: f"Mozilla/5.0 (X11; Linux x86_64) Chrome/{R.randint(90, 130)}.0.{R.randint(1000, 6000)}.{R.randint(10, 200)}")
gen("none", "file_path", "VARCHAR", lambda: f"/var/data/{R.randint(2019, 2026)}/{R.randint(1, 12):02d}/part-{R.randint(0, 999):05d}.parquet")
gen("none", "hostname", "VARCHAR", lambda: f"{pick(['web', 'db', 'cache', 'api'])}-{R.randint(1, 40):02d}.prod.example.net")
gen("none", "domain", "VARCHAR", lambda: f"{pick(COMPANY_PRE).lower().replace(' ', '')}.example.com")
gen("none", "twitter_handle", "VARCHAR", lambda: "@" + pick(FIRST).lower() + str(R.randint(1, 999)))
gen("none", "currency", "VARCHAR", lambda: pick(["USD", "EUR", "GBP", "JPY", "CAD"]))
gen("none", "country_code", "VARCHAR", lambda: pick(["US", "DE", "FR", "GB", "IN", "BR"]))
gen("none", "area_code", "VARCHAR", lambda: str(R.randint(201, 989)))
gen("none", "extension", "VARCHAR", lambda: str(R.randint(1000, 9999)))
gen("none", "year", "INTEGER", lambda: str(R.randint(1950, 2026)))
gen("none", "duration", "VARCHAR", lambda: "%02d:%02d:%02d" % (R.randint(0, 23), R.randint(0, 59), R.randint(0, 59)))
gen("none", "phone_model", "VARCHAR", lambda: pick(["iPhone 14 Pro", "Pixel 8", "Galaxy S23", "iPhone 12", "Moto G"]))
gen("none", "phone_verified", "BOOLEAN", lambda: pick(["true", "false"]))
gen("none", "email_verified", "BOOLEAN", lambda: pick(["true", "false"]))
gen("none", "email_count", "INTEGER", lambda: str(R.randint(0, 300)))
gen("none", "email_template", "VARCHAR", lambda: pick(["welcome_v2", "reset_password", "invoice_due", "weekly_digest"]))
gen("none", "salary_grade", "VARCHAR", lambda: f"G{R.randint(1, 15)}")
gen("none", "pay_period", "VARCHAR", lambda: pick(["weekly", "biweekly", "monthly"]))
gen("none", "birth_place", "VARCHAR", lambda: pick(CITIES)[0])
gen("none", "calf_birth_date", "DATE", lambda: "%04d-%02d-%02d" % date(2022, 2026))
gen("none", "address_type", "VARCHAR", lambda: pick(["home", "work", "billing", "shipping"]))
gen("none", "ip_country", "VARCHAR", lambda: pick(["US", "DE", "FR", "GB"]))
gen("none", "card_type", "VARCHAR", lambda: pick(["Visa", "Mastercard", "Amex", "Discover"]))
gen("none", "card_last4", "VARCHAR", lambda: f"{R.randint(0, 9999):04d}")
gen("none", "ssn_verified", "BOOLEAN", lambda: pick(["true", "false"]))
gen("none", "item_condition", "VARCHAR", lambda: pick(["New", "Used - Like New", "Used - Good", "Refurbished"]))
gen("none", "condition", "VARCHAR", lambda: pick(["New", "Used", "Open Box", "Refurbished", "For parts"]))
gen("none", "job_title", "VARCHAR", lambda: pick(JOB_TITLES))
gen("none", "title", "VARCHAR", lambda: pick(["The Silent River", "A Tale of Two Cities", "Gone Girl", "Project Hail Mary", "The Road"]))
gen("none", "department", "VARCHAR", lambda: pick(["Cardiology", "Finance", "Human Resources", "Engineering", "Oncology", "Sales"]))
gen("none", "industry", "VARCHAR", lambda: pick(["Healthcare", "Pharmaceuticals", "Logistics", "Retail", "Insurance"]))
gen("none", "skills", "VARCHAR", lambda: "; ".join(R.sample(["Python", "SQL", "Excel", "forklift", "CPR", "phlebotomy", "EHR", "patient care"], 3)))
gen("none", "resume_text", "VARCHAR", resume)
gen("none", "username", "VARCHAR", lambda: (lambda f, l: f"{f[0].lower()}{l.lower().replace(chr(39), '').replace(' ', '')}{R.randint(1, 99)}")(*person()))
gen("none", "team_name", "VARCHAR", lambda: pick(["Blue Team", "Platform", "Growth", "Data Infra", "Red Team"]))
gen("none", "brand", "VARCHAR", lambda: pick(["Acme", "Globex", "Initech", "Umbrella", "Stark"]))
gen("none", "pharmacy_product", "VARCHAR",
    lambda: pick(["Ibuprofen 200mg tablets, 100 count", "Allergy relief 24 hour, 30 tablets",
                  "Cold & Flu nighttime liquid 8 oz", "Vitamin D3 1000 IU softgels",
                  "Adhesive bandages, assorted", "Hand sanitizer 12 oz",
                  "Toothpaste whitening mint", "Sunscreen SPF 50 lotion", "Reading glasses +2.0",
                  "Digital thermometer", "Cotton swabs 500 ct", "Electric toothbrush heads"]))
gen("none", "oid", "VARCHAR", lambda: "1.3.6.1.4.1." + ".".join(str(R.randint(1, 50000)) for _ in range(R.randint(1, 3))))
gen("none", "section", "VARCHAR", lambda: f"{R.randint(1, 12)}.{R.randint(1, 9)}.{R.randint(1, 9)}")
gen("none", "event_date", "VARCHAR", lambda: "%02d.%02d.%04d" % (lambda y, m, d: (d, m, y))(*date(2010, 2026)))
gen("none", "score", "DOUBLE", lambda: "%.3f" % R.random())
gen("none", "ticket_body", "VARCHAR",
    lambda: pick(["The export button does nothing when I click it.", "Please reset my dashboard layout.",
                  "Invoice 2024-000123 was charged twice.", "Can you add dark mode?",
                  "Report 7 times out after 30 seconds.", "Order 555-0199 arrived damaged."]))
gen("none", "street_name", "VARCHAR", lambda: f"{pick(STREETS)} {pick(SUFFIX)}")
gen("none", "temperature", "DOUBLE", lambda: "%.1f" % R.uniform(-20, 40))
gen("none", "percent", "DOUBLE", lambda: "%.2f" % R.uniform(0, 100))
gen("none", "code", "VARCHAR", lambda: pick(["A12", "B07", "C33", "D10"]) + "." + str(R.randint(1, 9)))
gen("none", "bonus_points", "INTEGER", lambda: str(R.randint(0, 5000)))
gen("none", "host", "VARCHAR", lambda: f"srv{R.randint(1, 99)}.example.net")
gen("none", "time", "VARCHAR", lambda: "%02d:%02d" % (R.randint(0, 23), R.randint(0, 59)))
gen("none", "notes", "VARCHAR", lambda: pick(["Call back next week", "Prefers email contact",
                                               "Left voicemail", "Interested in remote roles",
                                               "Sent contract for review", "No answer"]))


# ---- batch 2: messier real-world shapes, written after the first measurement ----
CJK = ["王伟", "李娜", "张敏", "刘洋", "陈静", "佐藤 健", "鈴木 花子", "김민준", "이서연"]
HOLIDAYS = ["Martin Luther King Jr. Day", "Presidents Day", "Memorial Day", "Columbus Day",
            "Grace Hopper Day", "Thanksgiving Day", "Labor Day", "Veterans Day",
            "Independence Day", "Juneteenth"]
ABBR_DX = ["HTN", "DM2", "CHF", "COPD", "GERD", "CKD", "HLD", "CAD", "AFib", "OSA", "UTI",
           "MDD", "GAD"]

col("email", "Email", "VARCHAR",
    with_noise(["  " + email().upper() + " " if R.random() < 0.3 else email() for _ in range(30)],
               0.4, nullish))
gen("email", "contact", "VARCHAR", email)
gen("email", "from_address", "VARCHAR", email)
gen("email", "message_body", "VARCHAR",
    lambda: f"Hi, please send the contract to {email()} by {pick(['Friday', 'Monday', 'noon'])}, thanks."
    if R.random() < 0.6 else lorem(8, 16))
gen("phone", "Phone", "VARCHAR",
    lambda: nanp(R.choice([0, 1])) + (pick([" (cell)", " (home)", " (work)"]) if R.random() < 0.3 else ""))
gen("phone", "mobile", "VARCHAR", lambda: f"+44 (0)7700 900{R.randint(0, 999):03d}")
gen("phone", "tel", "VARCHAR", lambda: f"+1.{R.randint(201, 989)}.555.{R.randint(100, 199):04d}")
gen("phone", "Telephone Number", "VARCHAR", lambda: nanp(R.randrange(10)))
col("ssn", "SSN", "VARCHAR",
    with_noise([ssn() for _ in range(30)], 0.25, lambda: f"***-**-{R.randint(1, 9999):04d}"))
gen("credit_card", "card", "VARCHAR", lambda: luhn_complete("4", 19) if R.random() < 0.5 else card())
gen("credit_card", "Card Number", "VARCHAR", lambda: group_card(card(), " "))
gen("ip_address", "ip", "VARCHAR",
    lambda: pick([f"[{ipv6(1)}]:{R.randint(1, 65535)}", f"fe80::{R.randint(1, 999)}%eth0", ipv4()]))
gen("ip_address", "src", "VARCHAR", lambda: ipv4() if R.random() < 0.6 else ipv6())
gen("ip_address", "request_log", "VARCHAR",
    lambda: f"GET /{pick(['index.html', 'api/v1/items', 'login'])} {pick(['200', '404', '302'])} "
            f"from {ipv4('doc')} in {R.randint(1, 900)} ms")
gen("date_of_birth", "dob", "VARCHAR", lambda: "%02d/%02d/%02d" % (lambda y, m, d: (m, d, y % 100))(*date(1940, 1999)))
gen("date_of_birth", "Birth Date", "VARCHAR", dob_iso)
gen("date_of_birth", "DOB", "VARCHAR",
    lambda: (lambda y, m, d: f"{d:02d}-{MONTHS[m - 1][:3]}-{y}")(*date(1940, 2006)))
col("date_of_birth", "date_of_birth", "DATE", with_noise([dob_iso() for _ in range(30)], 0.2, lambda: "\\N"))
gen("salary", "salary", "VARCHAR",
    lambda: "${:,}/yr".format(R.randint(40, 200) * 1000) if R.random() < 0.6 else f"${R.randint(15, 90)}/hr")
gen("salary", "salary_range", "VARCHAR",
    lambda: (lambda a: "${:,} - ${:,}".format(a * 1000, (a + R.randint(5, 30)) * 1000))(R.randint(40, 180)))
gen("salary", "Expected Salary", "VARCHAR", lambda: f"{R.randint(40, 200)}K")
gen("salary", "annual_income", "VARCHAR", lambda: "%d.00 USD" % (R.randint(20, 300) * 1000))
gen("street_address", "address", "VARCHAR",
    lambda: pick([f"Apt {R.randint(1, 20)}{pick('ABC')}, {street_address(0)}",
                  f"Flat {R.randint(1, 9)}, {R.randint(1, 200)} High Street",
                  street_address(0)]))
gen("street_address", "Street Address", "VARCHAR", lambda: street_address(R.randrange(6)))
gen("street_address", "address", "VARCHAR", lambda: street_address(0).lower())
gen("street_address", "full_address", "VARCHAR",
    lambda: (lambda c: f"{street_address(0)} {c[0]} {c[1]} {R.randint(10000, 99999)}")(pick(CITIES)))
gen("medical", "dx", "VARCHAR", lambda: ", ".join(R.sample(ABBR_DX, R.randint(1, 3))))
gen("medical", "medical_history", "VARCHAR",
    lambda: f"{R.randint(30, 80)} y/o with {pick(CONDITIONS).lower()} and {pick(CONDITIONS).lower()}; "
            f"takes {pick(MEDS).lower()}.")
gen("medical", "allergy", "VARCHAR", lambda: ", ".join(a.lower() for a in R.sample(ALLERGENS, R.randint(1, 2))))
gen("person_name", "first_name", "VARCHAR", lambda: pick(FIRST).lower())
gen("person_name", "customer_name", "VARCHAR", lambda: pick(CJK) if R.random() < 0.5 else " ".join(person()))
gen("person_name", "Full Name", "VARCHAR", lambda: " ".join(person()))
gen("person_name", "name", "VARCHAR", lambda: (lambda f, l: f"{l}, {f} {pick('ABCDEFGHJKLMNPRSTW')}.")(*person()))
gen("person_name", "owner", "VARCHAR", lambda: " ".join(person()))
gen("person_name", "manager_name", "VARCHAR", lambda: " ".join(person()))

gen("none", "phone_extension", "INTEGER", lambda: str(R.randint(100, 9999)))
gen("none", "zip9", "VARCHAR", lambda: f"{R.randint(10000, 99999)}{R.randint(0, 9999):04d}")
gen("none", "npi", "BIGINT", lambda: luhn_complete("1", 10))
gen("none", "emergency_contact_relationship", "VARCHAR", lambda: pick(["Mother", "Father", "Spouse", "Sister", "Brother", "Friend"]))
gen("none", "customer", "VARCHAR", company)
gen("none", "airport", "VARCHAR", lambda: pick(["JFK", "LAX", "ORD", "SFO", "SEA", "BOS"]))
gen("none", "flight_number", "VARCHAR", lambda: f"{pick(['UA', 'AA', 'DL', 'BA'])} {R.randint(1, 9999)}")
gen("none", "license_plate", "VARCHAR", lambda: f"{R.randint(1, 9)}{''.join(pick('ABCDEFGHJKLMNPRSTUVWXYZ') for _ in range(3))}{R.randint(100, 999)}")
gen("none", "geo", "VARCHAR", lambda: "%.4f, %.4f" % (R.uniform(25, 49), R.uniform(-124, -67)))
gen("none", "ssn_last4", "VARCHAR", lambda: f"{R.randint(1, 9999):04d}")
gen("none", "birth_weight_grams", "INTEGER", lambda: str(R.randint(2400, 4600)))
gen("none", "prescription_id", "BIGINT", lambda: str(R.randint(10 ** 8, 10 ** 9)))
gen("none", "drug_price", "DOUBLE", lambda: "%.2f" % (R.randint(100, 90000) / 100))
gen("none", "health_score", "DOUBLE", lambda: "%.1f" % R.uniform(0, 100))
gen("none", "allergy_flag", "BOOLEAN", lambda: pick(["true", "false"]))
gen("none", "ip_hits", "INTEGER", lambda: str(R.randint(0, 100000)))
gen("none", "card_expiry", "VARCHAR", lambda: f"{R.randint(1, 12):02d}/{R.randint(25, 32)}")
gen("none", "street_number", "VARCHAR", lambda: str(R.randint(1, 9999)))
gen("none", "salary_currency", "VARCHAR", lambda: pick(["USD", "EUR", "GBP"]))
gen("none", "email_domain", "VARCHAR", lambda: pick(DOMAINS))
gen("none", "contact_method", "VARCHAR", lambda: pick(["email", "phone", "sms", "mail"]))
gen("none", "name", "VARCHAR", lambda: pick(HOLIDAYS))
gen("none", "hospital", "VARCHAR", lambda: f"{pick(['St. Mary', 'Mercy', 'Good Samaritan', 'Providence'])} {pick(['Medical Center', 'Hospital', 'Clinic'])}")
gen("none", "serial_number", "VARCHAR", lambda: f"SN-{R.randint(1000, 9999)}-{R.randint(1000, 9999)}-{R.randint(1000, 9999)}")
gen("none", "credit_limit", "DOUBLE", lambda: "%.2f" % (R.randint(5, 250) * 100))
gen("none", "wage_type", "VARCHAR", lambda: pick(["hourly", "salaried", "contract"]))
gen("none", "password_hash", "VARCHAR", lambda: "$2b$12$" + "".join(pick("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789./") for _ in range(53)))
gen("none", "timezone", "VARCHAR", lambda: pick(["America/New_York", "Europe/Berlin", "Asia/Tokyo", "UTC"]))
gen("none", "locale", "VARCHAR", lambda: pick(["en_US", "de_DE", "fr_FR", "ja_JP"]))
gen("none", "package_dims", "VARCHAR", lambda: f"Pack of {R.randint(2, 24)}, {R.randint(1, 30)}.{R.randint(0, 9)} x {R.randint(1, 30)} in")
gen("none", "phone_type", "VARCHAR", lambda: pick(["mobile", "home", "work", "fax"]))


# ---- batch 3: held out - written after the rules were tuned on batches 1-2 and measured
# ---- once without any change to the classifier (see docs/internals/pii.md) ----
PROCEDURES = ["appendectomy", "colonoscopy", "knee arthroscopy", "cataract surgery",
              "coronary angioplasty", "tonsillectomy", "hip replacement", "MRI lumbar spine"]
REVIEWS = ["Great pillow, my headache went away after a week.", "Arrived late and the box was torn.",
           "Five stars, would buy again.", "Color is darker than in the photos.",
           "Helped with my back pain a little.", "Too small for a queen bed.",
           "Customer service replaced it quickly.", "Smells a bit like plastic at first."]

col("email", "email", "VARCHAR",
    [pick(["用户@例子.广告", "josé@correo.example"]) if R.random() < 0.3 else email() for _ in range(24)])
gen("email", "manager_email", "VARCHAR", email)
gen("phone", "phone", "VARCHAR",
    lambda: pick([f"0044 20 7946 {R.randint(0, 9999):04d}", f"0049 30 {R.randint(1000000, 9999999)}",
                  f"0033 1 {R.randint(10, 99)} {R.randint(10, 99)} {R.randint(10, 99)} {R.randint(10, 99)}"]))
gen("phone", "Mobile Phone", "VARCHAR", lambda: f"98{R.randint(100, 999)} {R.randint(10000, 99999)}")
gen("ssn", "ssn", "BIGINT", lambda: str(int(ssn(""))))
gen("credit_card", "card_number", "VARCHAR",
    lambda: group_card(card("visa"), " ") if R.random() < 0.55 else f"4{R.randint(100, 999)} XXXX XXXX {R.randint(1000, 9999)}")
gen("ip_address", "ip_address", "VARCHAR", lambda: f"::ffff:{ipv4('priv')}" if R.random() < 0.5 else ipv4())
gen("ip_address", "x_forwarded_for", "VARCHAR", lambda: f"{ipv4('doc')}, {ipv4('priv')}")
gen("ip_address", "subnet_ip", "VARCHAR", lambda: f"{ipv4('priv')}/{R.randint(8, 30)}")
gen("date_of_birth", "birthdate", "VARCHAR", lambda: "%04d/%02d/%02d" % date(1940, 2006))
gen("date_of_birth", "dob", "TIMESTAMP WITH TIME ZONE", lambda: dob_iso() + " 00:00:00+00")
gen("date_of_birth", "DateOfBirth", "VARCHAR", lambda: (lambda y, m, d: f"{d} {MONTHS[m - 1]} {y}")(*date(1940, 2006)))
gen("date_of_birth", "dob", "VARCHAR", lambda: (lambda y, m, d: f"{y}-{m}-{d}")(*date(1940, 2006)))
gen("salary", "Salary", "DECIMAL(18,3)", lambda: "%d.000" % (R.randint(40, 200) * 1000))
gen("salary", "hourly_rate", "DOUBLE", lambda: "%.2f" % (R.randint(1500, 8000) / 100))
gen("salary", "base_comp", "INTEGER", lambda: str(R.randint(40, 200) * 1000))
gen("street_address", "address", "VARCHAR",
    lambda: street_address(0) if R.random() < 0.7 else f"{R.randint(1, 999)} {pick(STREETS)}")
gen("street_address", "Addr Line 1", "VARCHAR", lambda: street_address(R.choice([0, 1, 3])))
gen("street_address", "hq_address", "VARCHAR",
    lambda: f"{R.randint(1, 9999)} {pick(['Amphitheatre', 'Infinite', 'Market', 'Pennsylvania'])} "
            f"{pick(['Parkway', 'Loop', 'Street', 'Avenue'])}, {pick(CITIES)[0]}, {pick(CITIES)[1]}")
gen("medical", "diagnosis_description", "VARCHAR", lambda: pick(CONDITIONS))
gen("medical", "conditions", "VARCHAR",
    lambda: "[" + ", ".join('"%s"' % c.lower() for c in R.sample(CONDITIONS, R.randint(1, 3))) + "]")
gen("medical", "meds", "VARCHAR", lambda: f"{pick(MEDS).lower()} {pick(['5', '10', '500'])} mg {pick(['bid', 'qd', 'prn', 'tid'])}")
gen("medical", "procedure", "VARCHAR", lambda: pick(PROCEDURES))
gen("person_name", "employee", "VARCHAR", lambda: (lambda f, l: f"{l}, {f}")(*person()))
gen("person_name", "display_name", "VARCHAR", lambda: " ".join(person()))
gen("person_name", "given_names", "VARCHAR", lambda: f"{pick(FIRST)} {pick(FIRST)}")
gen("person_name", "nombre", "VARCHAR", lambda: " ".join(person()))
gen("person_name", "signer", "VARCHAR", lambda: " ".join(person()))
gen("person_name", "student_full_name", "VARCHAR", lambda: " ".join(person()))

gen("none", "product_name", "VARCHAR", lambda: pick(["John Deere Tractor Toy", "Sarah Kay Tote", "Tommy Hilfiger Belt", "Ben & Jerry Pint"]))
gen("none", "build_number", "VARCHAR", lambda: f"{R.randint(2019, 2026)}.{R.randint(1, 12):02d}.{R.randint(1, 28):02d}.{R.randint(1, 9)}")
gen("none", "coordinates", "VARCHAR", lambda: "%.4f %.4f" % (R.uniform(25, 49), R.uniform(-124, -67)))
gen("none", "account_holder_type", "VARCHAR", lambda: pick(["Individual", "Business", "Trust", "Joint"]))
gen("none", "dependents", "INTEGER", lambda: str(R.randint(0, 6)))
gen("none", "grade", "VARCHAR", lambda: pick(["A", "B+", "C", "A-", "B"]))
gen("none", "rx_bin", "VARCHAR", lambda: pick(["610014", "004336", "003858", "610020"]))
gen("none", "card_brand", "VARCHAR", lambda: pick(["VISA", "MASTERCARD", "AMEX"]))
gen("none", "phone_country_code", "VARCHAR", lambda: pick(["+1", "+44", "+49", "+91"]))
gen("none", "isbn13", "VARCHAR", lambda: "978" + "".join(str(R.randint(0, 9)) for _ in range(10)))
gen("none", "person_count", "INTEGER", lambda: str(R.randint(1, 12)))
gen("none", "owner_id", "UUID", lambda: (lambda h: f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}")("%032x" % R.getrandbits(128)))
gen("none", "home_page", "VARCHAR", lambda: f"https://{pick(COMPANY_PRE).lower().replace(' ', '')}.example.com/")
gen("none", "medical_device_serial", "VARCHAR", lambda: f"MD-{R.randint(1000, 9999)}-{R.randint(1000, 9999)}")
gen("none", "review_text", "VARCHAR", lambda: pick(REVIEWS))
gen("none", "symptom_checker_version", "VARCHAR", lambda: f"{R.randint(1, 5)}.{R.randint(0, 20)}.{R.randint(0, 9)}")
gen("none", "date", "DATE", lambda: "%04d-%02d-%02d" % date(1995, 2026))
gen("none", "bio", "VARCHAR", lambda: f"{pick(JOB_TITLES)} based in {pick(CITIES)[0]} with {R.randint(1, 25)} years in Healthcare.")


# ---- batch 4: held out - written after the fixes that followed batch 3, measured once ----
CITY_NAMES = ["Paris", "Sydney", "Austin", "Florence", "Charlotte", "Madison", "Jackson",
              "Victoria", "Georgetown", "Orlando", "Chelsea", "Savannah"]
gen("email", "emails", "VARCHAR", lambda: f"{email()}; {email()}" if R.random() < 0.7 else email())
gen("email", "E-Mail", "VARCHAR", email)
gen("phone", "phone", "VARCHAR", lambda: f"tel:+1-{R.randint(201, 989)}-555-{R.randint(100, 199):04d}")
gen("phone", "cell_phone", "VARCHAR", lambda: f"({R.randint(201, 989)})555-{R.randint(100, 199):04d}")
gen("phone", "Phone #", "VARCHAR", lambda: nanp(R.randrange(9)))
gen("ssn", "SSN", "VARCHAR", lambda: ssn(""))
gen("credit_card", "cc", "VARCHAR", lambda: group_card(card(), " "))
gen("credit_card", "card_pan", "VARCHAR", card)
gen("ip_address", "ip", "VARCHAR", lambda: "  " + ipv4() + " ")
gen("ip_address", "client", "VARCHAR", lambda: ipv6(R.choice([1, 2])))
gen("date_of_birth", "birth_dt", "DATE", dob_iso)
gen("date_of_birth", "dob", "VARCHAR", lambda: dob_iso() + "T00:00:00.000Z")
gen("date_of_birth", "date_of_birth", "VARCHAR", lambda: "%02d/%02d/%04d 00:00" % (lambda y, m, d: (d, m, y))(*date(1940, 2006)))
gen("date_of_birth", "dob", "VARCHAR", lambda: (lambda y, m, d: f"{MONTHS[m - 1][:3]} {d}, {y}")(*date(1940, 2006)))
gen("salary", "wages", "DOUBLE", lambda: "%.2f" % (R.randint(200000, 1500000) / 100))
gen("salary", "salary_eur", "VARCHAR", lambda: "€{:,}".format(R.randint(30, 120) * 1000).replace(",", ".") + ",00")
gen("street_address", "address", "VARCHAR", lambda: f"{street_address(0)} #{R.randint(1, 40)}")
gen("street_address", "street", "VARCHAR", lambda: f"{R.randint(1, 999)} {pick(['Infinite', 'Ocean', 'Harbor'])} Loop")
gen("street_address", "address", "VARCHAR", lambda: f"{R.randint(1, 3000)} Rue Sainte-Catherine {pick(['O', 'E', 'Ouest', 'Est'])}")
gen("medical", "icd_code", "VARCHAR", lambda: ", ".join(R.sample(ICD, R.randint(1, 3))))
gen("medical", "symptoms", "VARCHAR", lambda: ", ".join(R.sample(["cough", "fever", "fatigue", "nausea", "headache", "dizziness", "rash"], 2)))
gen("medical", "vaccination", "VARCHAR", lambda: pick(["Pfizer-BioNTech COVID-19", "Influenza (high dose)", "Hepatitis B", "Tdap", "MMR", "Shingles (Shingrix)"]))
gen("person_name", "recipient_name", "VARCHAR", lambda: " ".join(person()))
gen("person_name", "Customer", "VARCHAR", lambda: " ".join(person()))
gen("person_name", "lead_name", "VARCHAR", lambda: " ".join(person()))
gen("person_name", "pilot", "VARCHAR", lambda: " ".join(person()))

gen("none", "email_subject", "VARCHAR", lambda: f"Your invoice #{R.randint(1000, 9999)} is ready")
gen("none", "phone_brand", "VARCHAR", lambda: pick(["Apple", "Samsung", "Google", "Motorola"]))
gen("none", "ip_reputation_score", "DOUBLE", lambda: "%.2f" % R.random())
gen("none", "address_count", "INTEGER", lambda: str(R.randint(0, 5)))
gen("none", "order_total", "DOUBLE", lambda: "%.2f" % (R.randint(500, 500000) / 100))
gen("none", "name", "VARCHAR", lambda: pick(CITY_NAMES))
gen("none", "diagnostic_code", "VARCHAR", lambda: f"P{R.randint(0, 3)}{R.randint(100, 999)}")
gen("none", "vin", "VARCHAR", lambda: "".join(pick("ABCDEFGHJKLMNPRSTUVWXYZ0123456789") for _ in range(17)))
gen("none", "mrn", "VARCHAR", lambda: f"MRN{R.randint(1000000, 9999999)}")
gen("none", "birthday_reminder_enabled", "BOOLEAN", lambda: pick(["true", "false"]))
gen("none", "iban", "VARCHAR", lambda: "DE" + str(R.randint(10, 99)) + " " + " ".join(f"{R.randint(0, 9999):04d}" for _ in range(4)) + f" {R.randint(0, 99):02d}")
gen("none", "time_range", "VARCHAR", lambda: f"{R.randint(6, 11):02d}:00-{R.randint(13, 20):02d}:00")
gen("none", "score_range", "VARCHAR", lambda: f"{R.randint(50, 80)}-{R.randint(81, 100)}")
gen("none", "product_dimensions", "VARCHAR", lambda: f"{R.randint(1, 40)} x {R.randint(1, 40)} x {R.randint(1, 40)} in")


def main():
    out = sys.stdout
    out.write("# columns.tsv - labelled PII evaluation set; generated by gen_columns.py, do not edit.\n")
    out.write("# label<TAB>column<TAB>type<TAB>values... ; \\N = NULL\n")
    for label, name, typ, vals in COLS:
        for v in vals:
            assert "\t" not in v and "\n" not in v, v
        out.write("\t".join([label, name, typ] + vals) + "\n")


if __name__ == "__main__":
    main()
