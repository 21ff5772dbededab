/* SPDX-License-Identifier: MIT */
/* demo.c - deterministic staffing demo data: CSV generation and ingest through lh_lake_ingest. */
#include "lh_common.h"
#include "demo.h"
#include "fs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/*
 * Every row is a pure function of (table, id): its random stream is seeded
 * from a constant, the table and the row id. A placement can therefore
 * recompute "its" job order (client, recruiter, rates, dates) without any
 * table kept in memory, foreign keys stay consistent at every scale, memory
 * use is constant, and the same scale always gives the same bytes.
 */

/* ---- random numbers (splitmix64) ---- */

#define DEMO_SEED 0x6c616b65686f7573ULL /* "lakehous" */

enum demo_stream {
    S_RECRUITER = 1,
    S_CLIENT,
    S_CANDIDATE,
    S_JOB_ORDER,
    S_PLACEMENT,
    S_TIMESHEET,
};

struct rng {
    uint64_t s;
};

static inline uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static inline struct rng rng_for(enum demo_stream stream, uint64_t id)
{
    struct rng r = {mix64(DEMO_SEED ^ mix64(((uint64_t)stream << 56) ^ id))};
    return r;
}

static inline uint64_t rng_next(struct rng *r)
{
    r->s += 0x9e3779b97f4a7c15ULL;
    return mix64(r->s);
}

/* Uniform in [0, n); the modulo bias is irrelevant for n far below 2^64. */
static inline uint64_t rng_below(struct rng *r, uint64_t n)
{
    return rng_next(r) % n;
}

/* Uniform in [lo, hi]. */
static inline int64_t rng_range(struct rng *r, int64_t lo, int64_t hi)
{
    return lo + (int64_t)rng_below(r, (uint64_t)(hi - lo + 1));
}

/* True with probability pct/100. */
static inline bool rng_pct(struct rng *r, unsigned pct)
{
    return rng_below(r, 100) < pct;
}

/* ---- calendar (days since 1970-01-01, proleptic Gregorian) ---- */

static int64_t days_from_civil(int y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)((int64_t)yoe + era * 400 + (*m <= 2));
}

/* Day of week, Monday = 0 ... Sunday = 6 (1970-01-01 was a Thursday). */
static inline int weekday(int64_t day)
{
    return (int)((day + 3) % 7);
}

/* "Today" for the data set: the last timesheet week ends here. A Sunday. */
#define REF_Y 2025
#define REF_M 6
#define REF_D 1

/* ---- word lists ---- */

struct category {
    const char *team;   /* recruiter team */
    const char *titles[6];
    const char *skills[10];
    const char *degree;
    int pay_lo, pay_hi; /* hourly pay, dollars */
};

#define N_CATEGORIES 8

static const struct category categories[N_CATEGORIES] = {
    {"Technology",
     {"Software Engineer", "Senior Software Engineer", "Backend Developer", "Frontend Developer",
      "Full Stack Developer", "DevOps Engineer"},
     {"Python", "Java", "JavaScript", "TypeScript", "Go", "React", "Node.js", "Kubernetes", "AWS",
      "Docker"},
     "B.S. in Computer Science", 45, 95},
    {"Data & Analytics",
     {"Data Analyst", "Data Engineer", "Data Scientist", "BI Developer",
      "Machine Learning Engineer", "Database Administrator"},
     {"SQL", "Python", "Tableau", "Power BI", "Spark", "Airflow", "dbt", "Snowflake",
      "machine learning", "statistics"},
     "master's degree in Data Science", 40, 90},
    {"IT Infrastructure",
     {"Help Desk Technician", "Systems Administrator", "Network Engineer", "IT Support Specialist",
      "Security Analyst", "Cloud Engineer"},
     {"Windows Server", "Active Directory", "Linux", "Cisco", "networking", "ServiceNow", "Azure",
      "VMware", "firewalls", "ITIL"},
     "B.S. in Information Technology", 22, 70},
    {"Healthcare",
     {"Registered Nurse", "Licensed Practical Nurse", "Medical Assistant", "Pharmacy Technician",
      "Physical Therapist", "Medical Coder"},
     {"patient care", "EHR", "Epic", "BLS", "ACLS", "phlebotomy", "medication administration",
      "ICD-10", "triage", "HIPAA"},
     "B.S. in Nursing", 20, 60},
    {"Finance & Accounting",
     {"Staff Accountant", "Senior Accountant", "Accounts Payable Clerk", "Payroll Specialist",
      "Financial Analyst", "Controller"},
     {"GAAP", "Excel", "QuickBooks", "SAP", "NetSuite", "reconciliations", "month-end close",
      "forecasting", "payroll", "audit"},
     "B.S. in Accounting", 22, 75},
    {"Light Industrial",
     {"Warehouse Associate", "Forklift Operator", "Machine Operator", "Assembler",
      "Shipping Clerk", "Maintenance Technician"},
     {"forklift", "inventory", "pallet jack", "RF scanning", "shipping and receiving",
      "OSHA safety", "quality control", "blueprint reading", "welding",
      "preventive maintenance"},
     "forklift certification", 15, 32},
    {"Office & Administrative",
     {"Administrative Assistant", "Receptionist", "Executive Assistant",
      "Customer Service Representative", "Data Entry Clerk", "Office Manager"},
     {"Microsoft Office", "scheduling", "data entry", "customer service", "Salesforce",
      "calendar management", "typing", "phone etiquette", "bookkeeping", "Zendesk"},
     "A.A. in Business Administration", 16, 38},
    {"Sales & Marketing",
     {"Account Executive", "Sales Development Representative", "Marketing Coordinator",
      "Digital Marketing Specialist", "Account Manager", "Content Writer"},
     {"Salesforce", "HubSpot", "cold calling", "SEO", "Google Ads", "copywriting",
      "lead generation", "negotiation", "social media", "CRM"},
     "B.A. in Marketing", 20, 60},
};

static const char *const first_names[] = {
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David",
    "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah",
    "Carlos", "Karen", "Daniel", "Lisa", "Matthew", "Nancy", "Anthony", "Sandra", "Mark", "Ashley",
    "Wei", "Priya", "Andre", "Aisha", "Luis", "Mei", "Omar", "Fatima", "Kevin", "Emily", "Jamal",
    "Sofia", "Ryan", "Hannah", "Tyrone", "Grace", "Diego", "Chloe", "Raj", "Olivia", "Ethan",
    "Maya",
};

static const char *const last_names[] = {
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor",
    "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark",
    "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Nguyen",
    "Patel", "Kim", "Chen", "O'Brien", "Okafor", "Kowalski", "Murphy", "Rivera", "Cooper", "Reed",
    "Bailey", "Shah", "Foster",
};

struct city {
    const char *name;
    const char *state;
    const char *area; /* phone area code */
};

static const struct city cities[] = {
    {"New York", "NY", "212"},     {"Los Angeles", "CA", "213"},   {"Chicago", "IL", "312"},
    {"Houston", "TX", "713"},      {"Phoenix", "AZ", "602"},       {"Philadelphia", "PA", "215"},
    {"San Antonio", "TX", "210"},  {"San Diego", "CA", "619"},     {"Dallas", "TX", "214"},
    {"Austin", "TX", "512"},       {"Jacksonville", "FL", "904"},  {"Columbus", "OH", "614"},
    {"Charlotte", "NC", "704"},    {"Indianapolis", "IN", "317"},  {"San Francisco", "CA", "415"},
    {"Seattle", "WA", "206"},      {"Denver", "CO", "303"},        {"Nashville", "TN", "615"},
    {"Boston", "MA", "617"},       {"Portland", "OR", "503"},      {"Las Vegas", "NV", "702"},
    {"Detroit", "MI", "313"},      {"Atlanta", "GA", "404"},       {"Miami", "FL", "305"},
    {"Minneapolis", "MN", "612"},  {"Raleigh", "NC", "919"},       {"Kansas City", "MO", "816"},
    {"Salt Lake City", "UT", "801"}, {"Pittsburgh", "PA", "412"},  {"St. Louis", "MO", "314"},
    {"Tampa", "FL", "813"},        {"Orlando", "FL", "407"},       {"Cleveland", "OH", "216"},
    {"Cincinnati", "OH", "513"},   {"Milwaukee", "WI", "414"},     {"Sacramento", "CA", "916"},
    {"Baltimore", "MD", "410"},    {"Richmond", "VA", "804"},      {"Omaha", "NE", "402"},
    {"Boise", "ID", "208"},
};

static const char *const industries[] = {
    "Healthcare", "Manufacturing", "Logistics", "Retail", "Financial Services", "Insurance",
    "Software", "Telecommunications", "Energy", "Construction", "Hospitality", "Education",
    "Government", "Pharmaceuticals", "Automotive", "Aerospace", "Media", "Real Estate",
    "Food & Beverage", "Consulting", "Utilities", "Biotechnology", "Transportation", "Nonprofit",
};

static const char *const company_prefixes[] = {
    "Northwind", "Blue Ridge", "Summit", "Pioneer", "Cedar", "Harbor", "Redwood", "Silverline",
    "Granite", "Lakeshore", "Evergreen", "Ironwood", "Keystone", "Meridian", "Orion", "Pinnacle",
    "Riverbend", "Sterling", "Trident", "Westfield", "Apex", "Beacon", "Crescent", "Frontier",
    "Golden Gate", "Highland", "Liberty", "Mosaic", "Prairie", "Vantage",
};

static const char *const company_nouns[] = {
    "Health", "Manufacturing", "Logistics", "Systems", "Partners", "Group", "Labs", "Industries",
    "Solutions", "Foods", "Energy", "Financial", "Insurance", "Medical Center", "Builders",
    "Networks", "Analytics", "Supply", "Motors", "Holdings",
};

/* Legal suffixes; the ones with a comma make the name a quoted CSV field. */
static const char *const company_legal[] = {
    "", "", " Inc.", ", Inc.", " LLC", ", LLC", " Corp.", " & Co.",
};

static const char *const email_domains[] = {
    "example.com", "example.net", "example.org", "mail.example",
};

static const char *const universities[] = {
    "Ohio State University", "the University of Texas at Austin", "Arizona State University",
    "the University of Michigan", "Georgia Tech", "Penn State", "the University of Washington",
    "Purdue University", "the University of Florida", "Rutgers University", "Indiana University",
    "the University of Colorado Boulder", "Temple University", "Portland Community College",
    "Miami Dade College", "Santa Monica College",
};

static const char *const adjectives[] = {
    "detail-oriented", "dependable", "experienced", "motivated", "versatile", "results-driven",
    "bilingual", "certified",
};

/* '@' is replaced by a skill, '#' by a number. */
static const char *const accomplishments[] = {
    "led the rollout of @ across three teams",
    "cut turnaround time by #% using @",
    "trained # new hires on @",
    "owned @ for a group of # people",
    "was recognized as employee of the quarter for work on @",
    "improved quality metrics by #% through better @",
    "handled @ for #+ accounts",
    "built a new @ process that is still in use",
    "reduced overtime costs by #% by reorganizing @",
    "mentored # junior colleagues in @",
};

static const char *const praise[] = {
    "reliable, calm under pressure and quick to learn",
    "the person everyone goes to with hard problems",
    "a natural teacher",
    "detail-oriented and always on time",
    "a strong communicator with great judgment",
    "someone who makes the whole team better",
};

static const char *const work_types[] = {
    "contract", "contract-to-hire", "full-time", "part-time",
};

static const char *const work_places[] = {
    "remote", "hybrid", "on-site",
};

#define PICK(r, list) ((list)[rng_below((r), LH_ARRAY_LEN(list))])

/* ---- tables ---- */

enum demo_table { T_RECRUITERS, T_CLIENTS, T_CANDIDATES, T_JOB_ORDERS, T_PLACEMENTS,
                  T_TIMESHEETS, T_COUNT };

static const struct {
    const char *name;
    int64_t per_scale; /* rows at scale 1; timesheets: 0 (counted) */
    const char *header;
    const char *description;
} demo_tables[T_COUNT] = {
    {"recruiters", 200, "recruiter_id,name,email,team,hired_at",
     "Demo staffing data: the agency's recruiters and their teams."},
    {"clients", 5000, "client_id,name,industry,city,state,contact_name,contact_email,created_at",
     "Demo staffing data: client companies that place job orders."},
    {"candidates", 100000,
     "candidate_id,first_name,last_name,email,phone,city,state,skills,years_experience,"
     "desired_salary,status,created_at,resume_text",
     "Demo staffing data: candidates with contact details, skills and resume text."},
    {"job_orders", 40000,
     "job_order_id,client_id,recruiter_id,title,skills,city,state,bill_rate,pay_rate,openings,"
     "status,opened_at",
     "Demo staffing data: open and past positions ordered by clients."},
    {"placements", 150000,
     "placement_id,job_order_id,candidate_id,recruiter_id,start_date,end_date,bill_rate,pay_rate,"
     "status",
     "Demo staffing data: candidates placed on job orders."},
    {"timesheets", 0,
     "timesheet_id,placement_id,week_ending,hours,overtime_hours,approved,amount",
     "Demo staffing data: weekly timesheets of placed candidates."},
};

struct dims {
    int64_t recruiters, clients, candidates, job_orders, placements;
    int64_t ref_day; /* REF date as a day number */
};

static void dims_init(struct dims *d, int scale)
{
    d->recruiters = demo_tables[T_RECRUITERS].per_scale * scale;
    d->clients = demo_tables[T_CLIENTS].per_scale * scale;
    d->candidates = demo_tables[T_CANDIDATES].per_scale * scale;
    d->job_orders = demo_tables[T_JOB_ORDERS].per_scale * scale;
    d->placements = demo_tables[T_PLACEMENTS].per_scale * scale;
    d->ref_day = days_from_civil(REF_Y, REF_M, REF_D);
}

static bool scale_ok(int scale)
{
    return scale >= 1 && scale <= LH_DEMO_MAX_SCALE;
}

/* Id of a row that belongs to `category` in a table whose rows cycle
 * through the categories (id - 1) % N_CATEGORIES, chosen uniformly. */
static int64_t id_in_category(struct rng *r, int64_t n_rows, int category)
{
    int64_t per = n_rows / N_CATEGORIES;
    return 1 + category + N_CATEGORIES * (int64_t)rng_below(r, (uint64_t)per);
}

/* ---- row "cores": the fields other tables depend on ---- */

struct client_core {
    unsigned prefix, noun, legal, industry, city;
};

static void client_core(struct rng *r, struct client_core *c)
{
    c->prefix = (unsigned)rng_below(r, LH_ARRAY_LEN(company_prefixes));
    c->noun = (unsigned)rng_below(r, LH_ARRAY_LEN(company_nouns));
    c->legal = (unsigned)rng_below(r, LH_ARRAY_LEN(company_legal));
    c->industry = (unsigned)rng_below(r, LH_ARRAY_LEN(industries));
    c->city = (unsigned)rng_below(r, LH_ARRAY_LEN(cities));
}

static void client_core_of(int64_t id, struct client_core *c)
{
    struct rng r = rng_for(S_CLIENT, (uint64_t)id);
    client_core(&r, c);
}

struct job_core {
    int64_t client_id, recruiter_id;
    int category, title, city;
    int64_t pay_cents, bill_cents;
    int64_t opened_day;
};

static void job_core(struct rng *r, const struct dims *d, struct job_core *j)
{
    j->client_id = 1 + (int64_t)rng_below(r, (uint64_t)d->clients);
    j->category = (int)rng_below(r, N_CATEGORIES);
    j->recruiter_id = id_in_category(r, d->recruiters, j->category);
    j->title = (int)rng_below(r, 6);
    if (rng_pct(r, 80)) {
        struct client_core c;
        client_core_of(j->client_id, &c);
        j->city = (int)c.city;
    } else {
        j->city = (int)rng_below(r, LH_ARRAY_LEN(cities));
    }
    const struct category *cat = &categories[j->category];
    /* Pay in quarter dollars, bill = pay * a 35-75% markup. */
    j->pay_cents = 25 * rng_range(r, cat->pay_lo * 4, cat->pay_hi * 4);
    j->bill_cents = j->pay_cents * rng_range(r, 135, 175) / 100;
    int64_t first = days_from_civil(2021, 1, 4);
    j->opened_day = rng_range(r, first, d->ref_day - 32);
}

static void job_core_of(int64_t id, const struct dims *d, struct job_core *j)
{
    struct rng r = rng_for(S_JOB_ORDER, (uint64_t)id);
    job_core(&r, d, j);
}

enum placement_status { P_COMPLETED, P_TERMINATED, P_CANCELLED, P_ACTIVE };

static const char *const placement_status_names[] = {"completed", "terminated", "cancelled",
                                                     "active"};

struct placement_core {
    int64_t job_order_id, candidate_id, recruiter_id;
    int64_t start_day, end_day; /* end_day < 0: none (active) */
    int64_t first_week_ending;  /* Sunday on or after start_day */
    int64_t weeks;              /* number of timesheets */
    int64_t pay_cents, bill_cents;
    enum placement_status status;
};

static void placement_core(struct rng *r, const struct dims *d, struct placement_core *p)
{
    struct job_core j;
    p->job_order_id = 1 + (int64_t)rng_below(r, (uint64_t)d->job_orders);
    job_core_of(p->job_order_id, d, &j);
    p->candidate_id = id_in_category(r, d->candidates, j.category);
    p->recruiter_id =
        rng_pct(r, 85) ? j.recruiter_id : id_in_category(r, d->recruiters, j.category);
    p->start_day = j.opened_day + rng_range(r, 7, 30);
    p->first_week_ending = p->start_day + (6 - weekday(p->start_day));
    int64_t factor = rng_range(r, 97, 105);
    p->pay_cents = j.pay_cents * factor / 100;
    p->bill_cents = j.bill_cents * factor / 100;
    unsigned kind = (unsigned)rng_below(r, 100);
    if (kind < 85) {
        p->status = P_COMPLETED;
        p->weeks = rng_range(r, 4, 23);
    } else if (kind < 95) {
        p->status = P_TERMINATED;
        p->weeks = rng_range(r, 1, 8);
    } else {
        p->status = P_CANCELLED;
        p->weeks = 0;
    }
    if (p->weeks > 0) {
        int64_t last = p->first_week_ending + 7 * (p->weeks - 1);
        if (last >= d->ref_day) {
            /* Still running: timesheets up to the reference week only. */
            p->status = P_ACTIVE;
            p->weeks = (d->ref_day - p->first_week_ending) / 7 + 1;
            p->end_day = -1;
        } else {
            p->end_day = last - 2; /* the Friday of the last week */
            if (p->end_day < p->start_day)
                p->end_day = p->start_day;
        }
    } else {
        p->end_day = p->start_day;
    }
}

static void placement_core_of(int64_t id, const struct dims *d, struct placement_core *p)
{
    struct rng r = rng_for(S_PLACEMENT, (uint64_t)id);
    placement_core(&r, d, p);
}

/* ---- small string builder (fixed capacity, truncates; never reached here) ---- */

struct sb {
    char *p;
    size_t len, cap;
};

static void sb_mem(struct sb *b, const char *s, size_t n)
{
    if (n > b->cap - 1 - b->len)
        n = b->cap - 1 - b->len;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void sb_s(struct sb *b, const char *s)
{
    sb_mem(b, s, strlen(s));
}

static void sb_u64(struct sb *b, uint64_t v)
{
    char t[24];
    size_t i = sizeof(t);
    do {
        t[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    sb_mem(b, t + i, sizeof(t) - i);
}

/* Appends s lower-cased with everything but [a-z0-9] dropped (for emails). */
static void sb_slug(struct sb *b, const char *s)
{
    for (; *s; s++) {
        char c = *s;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
            sb_mem(b, &c, 1);
    }
}

static void client_name(struct sb *b, const struct client_core *c)
{
    sb_s(b, company_prefixes[c->prefix]);
    sb_s(b, " ");
    sb_s(b, company_nouns[c->noun]);
    sb_s(b, company_legal[c->legal]);
}

/* Picks k distinct skills of a category into idx[0..k). */
static void pick_skills(struct rng *r, int *idx, int k)
{
    int all[10];
    for (int i = 0; i < 10; i++)
        all[i] = i;
    for (int i = 0; i < k; i++) {
        int j = i + (int)rng_below(r, (uint64_t)(10 - i));
        int t = all[i];
        all[i] = all[j];
        all[j] = t;
        idx[i] = all[i];
    }
}

/* "a, b, c and d" */
static void sb_skill_list(struct sb *b, const struct category *cat, const int *idx, int k)
{
    for (int i = 0; i < k; i++) {
        if (i > 0)
            sb_s(b, i == k - 1 ? " and " : ", ");
        sb_s(b, cat->skills[idx[i]]);
    }
}

/* "a" or "an" before word, by its first letter (good enough for our lists). */
static const char *article(const char *word)
{
    return strchr("AEIOUaeiou", word[0]) ? "an " : "a ";
}

/* Appends an accomplishment other than number `avoid` (-1 = any); returns its number. */
static int sb_accomplishment(struct sb *b, struct rng *r, const char *skill, int avoid)
{
    int n = (int)LH_ARRAY_LEN(accomplishments);
    int i = avoid < 0 ? (int)rng_below(r, (uint64_t)n)
                      : (avoid + 1 + (int)rng_below(r, (uint64_t)(n - 1))) % n;
    const char *t = accomplishments[i];
    for (; *t; t++) {
        if (*t == '@')
            sb_s(b, skill);
        else if (*t == '#')
            sb_u64(b, (uint64_t)rng_range(r, 3, 40));
        else
            sb_mem(b, t, 1);
    }
    return i;
}

static void sb_employer(struct sb *b, const struct dims *d, struct rng *r)
{
    struct client_core c;
    client_core_of(1 + (int64_t)rng_below(r, (uint64_t)d->clients), &c);
    client_name(b, &c);
}

/* 2-4 paragraphs separated by blank lines; mentions skills, employers, city. */
static void build_resume(struct sb *b, struct rng *r, const struct dims *d, const char *first,
                         const char *last, int category, int title, const int *skills, int k,
                         const struct city *city, int years, int64_t salary)
{
    const struct category *cat = &categories[category];
    const char *t = cat->titles[title];

    const char *adj;
    switch (rng_below(r, 3)) {
    case 0:
        adj = PICK(r, adjectives);
        sb_s(b, first);
        sb_s(b, " ");
        sb_s(b, last);
        sb_s(b, " is ");
        sb_s(b, article(adj));
        sb_s(b, adj);
        sb_s(b, " ");
        sb_s(b, t);
        sb_s(b, " based in ");
        break;
    case 1:
        adj = PICK(r, adjectives);
        sb_s(b, strchr("AEIOUaeiou", adj[0]) ? "An " : "A ");
        sb_s(b, adj);
        sb_s(b, " ");
        sb_s(b, t);
        sb_s(b, " living in ");
        break;
    default:
        sb_s(b, t);
        sb_s(b, " from ");
        break;
    }
    sb_s(b, city->name);
    sb_s(b, ", ");
    sb_s(b, city->state);
    sb_s(b, " with ");
    sb_u64(b, (uint64_t)years);
    sb_s(b, years == 1 ? " year" : " years");
    sb_s(b, " of experience in ");
    sb_s(b, PICK(r, industries));
    sb_s(b, " and ");
    sb_s(b, PICK(r, industries));
    sb_s(b, " organizations. Core skills: ");
    sb_skill_list(b, cat, skills, k);
    sb_s(b, ".");

    sb_s(b, "\n\n");
    if (years < 2) {
        sb_s(b, "Recently completed ");
        sb_s(b, article(cat->degree));
        sb_s(b, cat->degree);
        sb_s(b, " and an internship at ");
        sb_employer(b, d, r);
        sb_s(b, ", where ");
        sb_s(b, first);
        sb_s(b, " ");
        sb_accomplishment(b, r, cat->skills[skills[0]], -1);
        sb_s(b, ".");
    } else {
        int recent = 1 + (int)rng_below(r, (uint64_t)(years < 6 ? years : 6));
        sb_s(b, "Most recently worked as ");
        sb_s(b, article(t));
        sb_s(b, t);
        sb_s(b, " at ");
        sb_employer(b, d, r);
        sb_s(b, " for ");
        sb_u64(b, (uint64_t)recent);
        sb_s(b, recent == 1 ? " year" : " years");
        sb_s(b, ", and ");
        int first_acc = sb_accomplishment(b, r, cat->skills[skills[0]], -1);
        sb_s(b, ". Before that, spent time at ");
        sb_employer(b, d, r);
        const char *before = cat->titles[rng_below(r, 6)];
        sb_s(b, " as ");
        sb_s(b, article(before));
        sb_s(b, before);
        sb_s(b, " and ");
        sb_accomplishment(b, r, cat->skills[skills[1]], first_acc);
        sb_s(b, ".");
    }

    bool reference = rng_pct(r, 60);
    if (reference) {
        sb_s(b, "\n\nA former manager at ");
        sb_employer(b, d, r);
        sb_s(b, " described ");
        sb_s(b, first);
        sb_s(b, " as \"");
        sb_s(b, PICK(r, praise));
        sb_s(b, "\". Holds ");
        sb_s(b, article(cat->degree));
        sb_s(b, cat->degree);
        sb_s(b, " from ");
        sb_s(b, PICK(r, universities));
        sb_s(b, " and is comfortable with ");
        sb_s(b, cat->skills[skills[k - 1]]);
        sb_s(b, " in fast-paced environments.");
    }

    /* At least three paragraphs. */
    if (!reference || rng_pct(r, 50)) {
        sb_s(b, "\n\nLooking for ");
        sb_s(b, PICK(r, work_types));
        sb_s(b, " work in the ");
        sb_s(b, city->name);
        sb_s(b, " area and open to ");
        sb_s(b, PICK(r, work_places));
        sb_s(b, " roles. Desired salary around $");
        sb_u64(b, (uint64_t)salary);
        sb_s(b, "; available to start within ");
        sb_u64(b, (uint64_t)rng_range(r, 1, 6));
        sb_s(b, " weeks.");
    }
}

/* ---- buffered CSV writer ---- */

#define W_CAP ((size_t)1 << 20)

struct w {
    FILE *f;
    char *buf;
    size_t len;
    int err; /* errno of the first failed write, 0 = fine */
};

static void w_flush(struct w *w)
{
    if (w->len && !w->err && fwrite(w->buf, 1, w->len, w->f) != w->len)
        w->err = errno ? errno : EIO;
    w->len = 0;
}

/* Room for n more bytes (n <= W_CAP). */
static inline char *w_room(struct w *w, size_t n)
{
    if (w->len + n > W_CAP)
        w_flush(w);
    return w->buf + w->len;
}

static inline void w_ch(struct w *w, char c)
{
    *w_room(w, 1) = c;
    w->len++;
}

static inline void w_mem(struct w *w, const char *s, size_t n)
{
    memcpy(w_room(w, n), s, n);
    w->len += n;
}

static inline void w_s(struct w *w, const char *s)
{
    w_mem(w, s, strlen(s));
}

static void w_u64(struct w *w, uint64_t v)
{
    char t[24];
    size_t i = sizeof(t);
    do {
        t[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    w_mem(w, t + i, sizeof(t) - i);
}

/* Non-negative fixed-point with two decimals: 12345 -> "123.45". */
static void w_fixed2(struct w *w, int64_t hundredths)
{
    w_u64(w, (uint64_t)(hundredths / 100));
    char *p = w_room(w, 3);
    int64_t frac = hundredths % 100;
    p[0] = '.';
    p[1] = (char)('0' + frac / 10);
    p[2] = (char)('0' + frac % 10);
    w->len += 3;
}

static void put2(char *p, unsigned v)
{
    p[0] = (char)('0' + v / 10 % 10);
    p[1] = (char)('0' + v % 10);
}

static void w_date(struct w *w, int64_t day)
{
    int y;
    unsigned m, d;
    civil_from_days(day, &y, &m, &d);
    char *p = w_room(w, 10);
    put2(p, (unsigned)y / 100);
    put2(p + 2, (unsigned)y % 100);
    p[4] = '-';
    put2(p + 5, m);
    p[7] = '-';
    put2(p + 8, d);
    w->len += 10;
}

static void w_ts(struct w *w, int64_t secs)
{
    w_date(w, secs / 86400);
    int64_t s = secs % 86400;
    char *p = w_room(w, 9);
    p[0] = ' ';
    put2(p + 1, (unsigned)(s / 3600));
    p[3] = ':';
    put2(p + 4, (unsigned)(s / 60 % 60));
    p[6] = ':';
    put2(p + 7, (unsigned)(s % 60));
    w->len += 9;
}

/* One RFC 4180 field: quoted (with "" for ") only if it holds , " CR or LF. */
static void w_field(struct w *w, const char *s, size_t n)
{
    bool quote = false;
    for (size_t i = 0; i < n && !quote; i++)
        quote = s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r';
    if (!quote) {
        w_mem(w, s, n);
        return;
    }
    char *p = w_room(w, 2 * n + 2);
    size_t o = 0;
    p[o++] = '"';
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"')
            p[o++] = '"';
        p[o++] = s[i];
    }
    p[o++] = '"';
    w->len += o;
}

static void w_fields(struct w *w, const char *s)
{
    w_field(w, s, strlen(s));
}

/* ---- table generators ---- */

static int64_t day_between(struct rng *r, int y0, unsigned m0, unsigned d0, int64_t last)
{
    return rng_range(r, days_from_civil(y0, m0, d0), last);
}

static void gen_recruiters(struct w *w, const struct dims *d)
{
    for (int64_t id = 1; id <= d->recruiters; id++) {
        struct rng r = rng_for(S_RECRUITER, (uint64_t)id);
        const char *first = PICK(&r, first_names);
        const char *last = PICK(&r, last_names);
        char ebuf[128];
        struct sb e = {ebuf, 0, sizeof(ebuf)};
        sb_slug(&e, first);
        sb_s(&e, ".");
        sb_slug(&e, last);
        sb_u64(&e, (uint64_t)id);
        sb_s(&e, "@staffco.example");

        w_u64(w, (uint64_t)id);
        w_ch(w, ',');
        w_s(w, first);
        w_ch(w, ' ');
        w_s(w, last);
        w_ch(w, ',');
        w_mem(w, e.p, e.len);
        w_ch(w, ',');
        w_fields(w, categories[(id - 1) % N_CATEGORIES].team);
        w_ch(w, ',');
        w_date(w, day_between(&r, 2012, 3, 1, d->ref_day - 60));
        w_ch(w, '\n');
    }
}

static void gen_clients(struct w *w, const struct dims *d)
{
    for (int64_t id = 1; id <= d->clients; id++) {
        struct rng r = rng_for(S_CLIENT, (uint64_t)id);
        struct client_core c;
        client_core(&r, &c);
        char nbuf[128];
        struct sb n = {nbuf, 0, sizeof(nbuf)};
        client_name(&n, &c);
        const char *first = PICK(&r, first_names);
        const char *last = PICK(&r, last_names);
        char ebuf[160];
        struct sb e = {ebuf, 0, sizeof(ebuf)};
        sb_slug(&e, first);
        sb_s(&e, ".");
        sb_slug(&e, last);
        sb_s(&e, "@");
        sb_slug(&e, company_prefixes[c.prefix]);
        sb_slug(&e, company_nouns[c.noun]);
        sb_s(&e, ".example");
        int64_t t0 = days_from_civil(2015, 1, 1) * 86400;
        int64_t t1 = (d->ref_day - 365) * 86400;

        w_u64(w, (uint64_t)id);
        w_ch(w, ',');
        w_field(w, n.p, n.len);
        w_ch(w, ',');
        w_fields(w, industries[c.industry]);
        w_ch(w, ',');
        w_s(w, cities[c.city].name);
        w_ch(w, ',');
        w_s(w, cities[c.city].state);
        w_ch(w, ',');
        w_s(w, first);
        w_ch(w, ' ');
        w_s(w, last);
        w_ch(w, ',');
        w_mem(w, e.p, e.len);
        w_ch(w, ',');
        w_ts(w, rng_range(&r, t0, t1));
        w_ch(w, '\n');
    }
}

static const char *const candidate_status[] = {"active", "placed", "passive", "inactive"};

static void gen_candidates(struct w *w, const struct dims *d)
{
    char rbuf[4096];
    for (int64_t id = 1; id <= d->candidates; id++) {
        struct rng r = rng_for(S_CANDIDATE, (uint64_t)id);
        int category = (int)((id - 1) % N_CATEGORIES);
        const struct category *cat = &categories[category];
        const char *first = PICK(&r, first_names);
        const char *last = PICK(&r, last_names);
        const struct city *city = &PICK(&r, cities);
        /* People move: 15% keep the area code of another city. */
        const char *area = rng_pct(&r, 85) ? city->area : PICK(&r, cities).area;
        int title = (int)rng_below(&r, 6);
        int k = (int)rng_range(&r, 3, 6);
        int skills[6];
        pick_skills(&r, skills, k);
        /* Skewed towards juniors: the smaller of two draws. */
        int y1 = (int)rng_below(&r, 31), y2 = (int)rng_below(&r, 31);
        int years = y1 < y2 ? y1 : y2;
        /* Hourly pay grows with experience from the bottom to the top of the range. */
        int64_t hourly = cat->pay_lo + (int64_t)(cat->pay_hi - cat->pay_lo) * years / 30;
        int64_t salary = hourly * 2080 * rng_range(&r, 90, 115) / 100;
        salary = salary / 1000 * 1000;
        unsigned st = (unsigned)rng_below(&r, 100);
        const char *status = candidate_status[st < 55 ? 0 : st < 75 ? 1 : st < 90 ? 2 : 3];
        int64_t t0 = days_from_civil(2019, 1, 1) * 86400;
        int64_t created = rng_range(&r, t0, d->ref_day * 86400 - 1);

        char ebuf[128];
        struct sb e = {ebuf, 0, sizeof(ebuf)};
        sb_slug(&e, first);
        sb_s(&e, ".");
        sb_slug(&e, last);
        sb_u64(&e, (uint64_t)id);
        sb_s(&e, "@");
        sb_s(&e, PICK(&r, email_domains));

        struct sb res = {rbuf, 0, sizeof(rbuf)};
        build_resume(&res, &r, d, first, last, category, title, skills, k, city, years, salary);

        w_u64(w, (uint64_t)id);
        w_ch(w, ',');
        w_s(w, first);
        w_ch(w, ',');
        w_s(w, last);
        w_ch(w, ',');
        w_mem(w, e.p, e.len);
        w_ch(w, ',');
        w_s(w, area);
        w_s(w, "-555-");
        char *p = w_room(w, 4);
        unsigned ph = (unsigned)rng_below(&r, 10000);
        put2(p, ph / 100);
        put2(p + 2, ph % 100);
        w->len += 4;
        w_ch(w, ',');
        w_s(w, city->name);
        w_ch(w, ',');
        w_s(w, city->state);
        w_ch(w, ',');
        for (int i = 0; i < k; i++) {
            if (i)
                w_ch(w, ';');
            w_s(w, cat->skills[skills[i]]);
        }
        w_ch(w, ',');
        w_u64(w, (uint64_t)years);
        w_ch(w, ',');
        w_u64(w, (uint64_t)salary);
        w_ch(w, ',');
        w_s(w, status);
        w_ch(w, ',');
        w_ts(w, created);
        w_ch(w, ',');
        w_field(w, res.p, res.len);
        w_ch(w, '\n');
    }
}

static void gen_job_orders(struct w *w, const struct dims *d)
{
    for (int64_t id = 1; id <= d->job_orders; id++) {
        struct rng r = rng_for(S_JOB_ORDER, (uint64_t)id);
        struct job_core j;
        job_core(&r, d, &j);
        const struct category *cat = &categories[j.category];
        int k = (int)rng_range(&r, 3, 5);
        int skills[5];
        pick_skills(&r, skills, k);
        int64_t openings = rng_pct(&r, 70) ? 1 : rng_range(&r, 2, 5);
        const char *status;
        unsigned s = (unsigned)rng_below(&r, 100);
        if (d->ref_day - j.opened_day < 90)
            status = s < 75 ? "open" : "on_hold";
        else
            status = s < 70 ? "filled" : s < 95 ? "closed" : "on_hold";

        w_u64(w, (uint64_t)id);
        w_ch(w, ',');
        w_u64(w, (uint64_t)j.client_id);
        w_ch(w, ',');
        w_u64(w, (uint64_t)j.recruiter_id);
        w_ch(w, ',');
        w_s(w, cat->titles[j.title]);
        w_ch(w, ',');
        for (int i = 0; i < k; i++) {
            if (i)
                w_ch(w, ';');
            w_s(w, cat->skills[skills[i]]);
        }
        w_ch(w, ',');
        w_s(w, cities[j.city].name);
        w_ch(w, ',');
        w_s(w, cities[j.city].state);
        w_ch(w, ',');
        w_fixed2(w, j.bill_cents);
        w_ch(w, ',');
        w_fixed2(w, j.pay_cents);
        w_ch(w, ',');
        w_u64(w, (uint64_t)openings);
        w_ch(w, ',');
        w_s(w, status);
        w_ch(w, ',');
        w_date(w, j.opened_day);
        w_ch(w, '\n');
    }
}

static void gen_placements(struct w *w, const struct dims *d)
{
    for (int64_t id = 1; id <= d->placements; id++) {
        struct placement_core p;
        placement_core_of(id, d, &p);
        w_u64(w, (uint64_t)id);
        w_ch(w, ',');
        w_u64(w, (uint64_t)p.job_order_id);
        w_ch(w, ',');
        w_u64(w, (uint64_t)p.candidate_id);
        w_ch(w, ',');
        w_u64(w, (uint64_t)p.recruiter_id);
        w_ch(w, ',');
        w_date(w, p.start_day);
        w_ch(w, ',');
        if (p.end_day >= 0)
            w_date(w, p.end_day);
        w_ch(w, ',');
        w_fixed2(w, p.bill_cents);
        w_ch(w, ',');
        w_fixed2(w, p.pay_cents);
        w_ch(w, ',');
        w_s(w, placement_status_names[p.status]);
        w_ch(w, '\n');
    }
}

static void gen_timesheets(struct w *w, const struct dims *d)
{
    int64_t ts_id = 0;
    for (int64_t pid = 1; pid <= d->placements; pid++) {
        struct placement_core p;
        placement_core_of(pid, d, &p);
        for (int64_t wk = 0; wk < p.weeks; wk++) {
            ts_id++;
            struct rng r = rng_for(S_TIMESHEET, (uint64_t)ts_id);
            int64_t hours, ot = 0; /* hundredths of an hour */
            unsigned h = (unsigned)rng_below(&r, 100);
            if (h < 80)
                hours = 4000;
            else if (h < 90)
                hours = 3200;
            else if (h < 95)
                hours = 3600;
            else
                hours = 25 * rng_range(&r, 32, 159);
            if (hours == 4000 && rng_pct(&r, 25))
                ot = 25 * rng_range(&r, 2, 48);
            bool last = wk == p.weeks - 1;
            bool approved = (p.status == P_ACTIVE && last) ? rng_pct(&r, 40) : rng_pct(&r, 98);
            /* Overtime bills at 1.5x; round half up to cents. */
            int64_t amount = (hours * p.bill_cents * 2 + ot * p.bill_cents * 3 + 100) / 200;

            w_u64(w, (uint64_t)ts_id);
            w_ch(w, ',');
            w_u64(w, (uint64_t)pid);
            w_ch(w, ',');
            w_date(w, p.first_week_ending + 7 * wk);
            w_ch(w, ',');
            w_fixed2(w, hours);
            w_ch(w, ',');
            w_fixed2(w, ot);
            w_ch(w, ',');
            w_s(w, approved ? "true" : "false");
            w_ch(w, ',');
            w_fixed2(w, amount);
            w_ch(w, '\n');
        }
    }
}

static int64_t count_timesheets(const struct dims *d)
{
    int64_t n = 0;
    for (int64_t pid = 1; pid <= d->placements; pid++) {
        struct placement_core p;
        placement_core_of(pid, d, &p);
        n += p.weeks;
    }
    return n;
}

typedef void (*gen_fn)(struct w *w, const struct dims *d);

static const gen_fn generators[T_COUNT] = {
    gen_recruiters, gen_clients, gen_candidates, gen_job_orders, gen_placements, gen_timesheets,
};

/* ---- public API ---- */

int64_t lh_demo_table_rows(const char *table, int scale)
{
    if (!table || !scale_ok(scale))
        return -1;
    struct dims d;
    dims_init(&d, scale);
    for (int t = 0; t < T_COUNT; t++) {
        if (strcmp(table, demo_tables[t].name) != 0)
            continue;
        if (t == T_TIMESHEETS)
            return count_timesheets(&d);
        return demo_tables[t].per_scale * scale;
    }
    return -1;
}

/* Writes one table to path. On error the file is removed. */
static int write_table(int t, const struct dims *d, const char *path, char *buf,
                       struct lh_error *err)
{
    struct w w = {NULL, buf, 0, 0};
    w.f = fopen(path, "wb");
    if (!w.f)
        return lh_error_set(err, LH_EIO, "cannot create %s: %s", path, strerror(errno));
    w_s(&w, demo_tables[t].header);
    w_ch(&w, '\n');
    generators[t](&w, d);
    w_flush(&w);
    if (fclose(w.f) != 0 && !w.err)
        w.err = errno ? errno : EIO;
    if (w.err) {
        unlink(path);
        return lh_error_set(err, LH_EIO, "cannot write %s: %s", path, strerror(w.err));
    }
    return 0;
}

static void free_paths(char **paths, size_t n)
{
    if (!paths)
        return;
    for (size_t i = 0; i < n; i++)
        free(paths[i]);
    free(paths);
}

int lh_demo_write_csv(const char *dir, int scale, char ***out_paths, size_t *out_n,
                      struct lh_error *err)
{
    char **paths = NULL;
    char *buf = NULL;
    size_t n = 0;
    int rc = 0;
    struct dims d;

    *out_paths = NULL;
    *out_n = 0;
    if (!scale_ok(scale))
        return lh_error_set(err, LH_EINVAL, "demo scale must be between 1 and %d, got %d",
                            LH_DEMO_MAX_SCALE, scale);
    rc = lh_fs_mkdir_p(dir, err);
    if (rc)
        return rc;
    dims_init(&d, scale);
    paths = lh_xcalloc(T_COUNT, sizeof(*paths));
    buf = lh_xmalloc(W_CAP);
    for (int t = 0; t < T_COUNT; t++) {
        paths[t] = lh_xasprintf("%s/%s.csv", dir, demo_tables[t].name);
        n = (size_t)t + 1;
        rc = write_table(t, &d, paths[t], buf, err);
        if (rc)
            goto out;
    }
out:
    free(buf);
    if (rc) {
        for (size_t i = 0; i < n; i++)
            unlink(paths[i]);
        free_paths(paths, n);
        return rc;
    }
    *out_paths = paths;
    *out_n = n;
    return 0;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int lh_demo_load(struct lh_lake *l, int scale,
                 void (*progress)(void *ud, const char *table, int done, int total), void *ud,
                 struct lh_demo_result *out, struct lh_error *err)
{
    char *dir = NULL;
    char **paths = NULL;
    size_t n = 0;
    int rc = 0;
    double t0 = now_seconds();

    memset(out, 0, sizeof(*out));
    if (!scale_ok(scale))
        return lh_error_set(err, LH_EINVAL, "demo scale must be between 1 and %d, got %d",
                            LH_DEMO_MAX_SCALE, scale);
    dir = lh_lake_tmp_path(l, ".demo");
    rc = lh_demo_write_csv(dir, scale, &paths, &n, err);
    if (rc)
        goto out;
    for (size_t i = 0; i < n; i++) {
        const char *name = demo_tables[i].name;
        char source[64];
        struct lh_ingest_result res;
        struct lh_error sub;
        snprintf(source, sizeof(source), "demo:%s.csv", name);
        struct lh_ingest_req rq = {
            .path = paths[i],
            .name = name,
            .mode = LH_INGEST_REPLACE,
            .format = "csv",
            .source = source,
            .delimiter = ",",
            .header = 1,
            .description = demo_tables[i].description,
            .owner = "demo",
            .actor = "demo",
            .source_system = "demo",
        };
        if (progress)
            progress(ud, name, (int)i, (int)n);
        memset(&res, 0, sizeof(res));
        lh_error_clear(&sub);
        rc = lh_lake_ingest(l, &rq, &res, &sub);
        if (rc) {
            lh_ingest_result_release(&res);
            rc = lh_error_set(err, rc, "demo table %s: %s", name,
                              sub.msg[0] ? sub.msg : lh_strerror(rc));
            goto out;
        }
        snprintf(out->tables[i].name, sizeof(out->tables[i].name), "%s", name);
        /* An identical earlier load is reported as a duplicate that added nothing. */
        out->tables[i].rows = res.duplicate ? res.total_rows : res.rows;
        out->total_rows += out->tables[i].rows;
        out->n_tables = i + 1;
        lh_ingest_result_release(&res);
        /* Free the disk space as we go; the directory goes at the end anyway. */
        unlink(paths[i]);
    }
out:
    if (dir)
        lh_fs_rm_rf(dir);
    free(dir);
    free_paths(paths, n);
    out->seconds = now_seconds() - t0;
    return rc;
}
