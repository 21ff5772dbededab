/* SPDX-License-Identifier: MIT */
/* pii_words.c - word lists of the PII classifier: given names, street suffixes, company words,
 * medical vocabulary. Each list is sorted (byte order) and searched with bsearch;
 * tests/unit/u_pii.c checks the order. All entries are lower-case ASCII. */
#include "lh_common.h"
#include "pii_int.h"

#include <stdlib.h>
#include <string.h>

/* Common given names across languages (ASCII spellings; accents are not folded, so
 * "José" is simply unknown here). Used only as supporting evidence for person names. */
/* clang-format off */
static const char *const first_names[] = {
    "aaliyah", "aaron", "abby", "abdul", "abdullah", "abigail", "abraham", "ada", "adam", "adrian",
    "adriana", "agnes", "ahmad", "ahmed", "aidan", "aiden", "aisha", "akira", "alan", "albert",
    "alberto", "alejandra", "alejandro", "alex", "alexa", "alexander", "alexandra", "alexis",
    "alfred", "alfredo", "ali", "alice", "alicia", "alina", "alisha", "allison", "alma", "alvin",
    "amanda", "amara", "amber", "amelia", "amir", "amit", "amy", "ana", "andre", "andrea",
    "andreas", "andrew", "andy", "angela", "angelica", "angelo", "anika", "anita", "ann", "anna",
    "anne", "annie", "anthony", "antonio", "anya", "april", "arjun", "arthur", "arturo", "ashley",
    "astrid", "aubrey", "audrey", "austin", "ava", "avery", "ayesha", "barbara", "barry",
    "beatrice", "becky", "ben", "benjamin", "bernard", "beth", "bethany", "betty", "beverly",
    "bianca", "bill", "billy", "bjorn", "blake", "bob", "bobby", "bonnie", "brad", "bradley",
    "brandon", "brenda", "brendan", "brian", "bridget", "brittany", "brooke", "bruce", "bruno",
    "bryan", "caleb", "cameron", "camila", "camille", "carl", "carla", "carlos", "carmen", "carol",
    "caroline", "carolyn", "carrie", "casey", "catherine", "cecilia", "celine", "chad", "charles",
    "charlie", "charlotte", "chelsea", "chen", "cheryl", "chloe", "chris", "christian",
    "christina", "christine", "christopher", "cindy", "claire", "clara", "clarence", "claudia",
    "clayton", "colin", "connor", "craig", "cristina", "crystal", "curtis", "cynthia", "daisy",
    "dale", "dana", "daniel", "daniela", "danielle", "danny", "darius", "darnell", "darren",
    "dave", "david", "dawn", "dean", "debbie", "deborah", "denise", "dennis", "derek", "desmond",
    "destiny", "devin", "diana", "diane", "diego", "dmitri", "dolores", "dominic", "don", "donald",
    "donna", "dora", "doris", "dorothy", "douglas", "duane", "dylan", "earl", "ed", "eddie",
    "edgar", "edith", "eduardo", "edward", "eileen", "elaine", "elena", "eli", "elijah",
    "elizabeth", "ella", "ellen", "elsa", "emanuel", "emily", "emma", "enrique", "eric", "erica",
    "erik", "erin", "ernest", "esther", "ethan", "eugene", "eva", "evan", "evelyn", "fatima",
    "felipe", "felix", "fernando", "fiona", "florence", "frances", "francesca", "francis",
    "francisco", "frank", "franklin", "fred", "freya", "gabriel", "gabriela", "gail", "gary",
    "gavin", "gemma", "george", "georgia", "gerald", "gina", "giovanni", "giulia", "gloria",
    "gordon", "grace", "graham", "greg", "gregory", "gustavo", "hailey", "haley", "hana", "hannah",
    "hans", "harold", "harper", "harry", "harvey", "hassan", "hayden", "heather", "hector",
    "heidi", "helen", "henry", "hiroshi", "holly", "hugo", "hussein", "ian", "ibrahim", "igor",
    "imani", "ingrid", "irene", "iris", "isaac", "isabel", "isabella", "isaiah", "ivan", "jack",
    "jackie", "jacob", "jacqueline", "jade", "jaime", "jake", "jamal", "james", "jamie", "jan",
    "jane", "janet", "janice", "jared", "jasmine", "jason", "javier", "jay", "jayden", "jean",
    "jeff", "jeffrey", "jenna", "jennifer", "jenny", "jeremy", "jerome", "jerry", "jesse",
    "jessica", "jesus", "jill", "jim", "jimmy", "jin", "joan", "joanna", "joe", "joel", "johan",
    "john", "johnny", "jon", "jonathan", "jordan", "jorge", "jose", "joseph", "josephine", "josh",
    "joshua", "joy", "joyce", "juan", "judith", "judy", "julia", "julian", "juliana", "julie",
    "julio", "jun", "justin", "kaitlyn", "kamal", "karen", "karl", "kate", "katherine", "kathleen",
    "kathryn", "kathy", "katie", "kayla", "keith", "kelly", "kelvin", "ken", "kenji", "kenneth",
    "kevin", "khalid", "kim", "kimberly", "kirk", "klaus", "kristen", "kristin", "kumar", "kurt",
    "kwame", "kyle", "lakshmi", "lana", "lance", "larry", "laura", "lauren", "lawrence", "leah",
    "lee", "leila", "leo", "leon", "leonard", "leslie", "liam", "lily", "linda", "lindsay", "lisa",
    "liz", "logan", "lois", "lorenzo", "lori", "louis", "louise", "lucas", "lucia", "lucy", "luis",
    "luke", "lydia", "madison", "maria", "mariana", "marie", "marilyn", "mario", "marisa", "mark",
    "marta", "martha", "martin", "marvin", "mary", "mason", "mateo", "matthew", "maureen", "max",
    "maya", "megan", "mei", "melanie", "melissa", "mia", "michael", "michelle", "miguel", "mike",
    "mikhail", "mila", "miles", "mohamed", "mohammed", "monica", "morgan", "muhammad", "nadia",
    "nancy", "naomi", "natalia", "natalie", "nathan", "neil", "nia", "nicholas", "nicole",
    "nikhil", "nina", "noah", "nora", "norma", "nuria", "olga", "oliver", "olivia", "omar",
    "oscar", "owen", "pablo", "pamela", "paola", "patricia", "patrick", "paul", "paula", "pedro",
    "peggy", "penelope", "peter", "philip", "phillip", "pierre", "pooja", "priya", "rachel",
    "rafael", "rahul", "raj", "rajesh", "ralph", "ramon", "randy", "raquel", "raul", "ray",
    "raymond", "rebecca", "regina", "renee", "rhonda", "ricardo", "richard", "rick", "riley",
    "rita", "rob", "robert", "roberto", "robin", "rodney", "roger", "rohan", "roman", "ronald",
    "rosa", "rose", "ross", "roy", "ruby", "russell", "ruth", "ryan", "sabrina", "sadie", "salma",
    "sam", "samantha", "samuel", "sandra", "santiago", "sara", "sarah", "scott", "sean",
    "sebastian", "sergei", "sergio", "seth", "shannon", "sharon", "shawn", "sheila", "shirley",
    "siobhan", "sofia", "sophia", "sophie", "soren", "stacy", "stanley", "stella", "stephanie",
    "stephen", "steve", "steven", "sue", "sunil", "susan", "suzanne", "sven", "sydney", "sylvia",
    "takashi", "tamara", "tammy", "tanya", "tara", "taylor", "teresa", "terrence", "terry",
    "theodore", "theresa", "thomas", "tiffany", "tim", "timothy", "tina", "todd", "tom", "tomas",
    "tomasz", "tony", "tracy", "travis", "trevor", "troy", "tyler", "tyrone", "valentina",
    "valerie", "vanessa", "vera", "veronica", "victor", "victoria", "vijay", "vincent", "violet",
    "virginia", "vivian", "walter", "wanda", "wayne", "wei", "wendy", "william", "willie",
    "xavier", "yasmin", "yolanda", "yuki", "yusuf", "zachary", "zainab", "zoe", "zoey",
};
/* clang-format on */

/* USPS / UK / generic street suffixes and their common abbreviations. */
/* clang-format off */
static const char *const street_suffixes[] = {
    "allee", "alley", "aly", "av", "ave", "avenue", "bend", "blvd", "boulevard", "broadway",
    "bypass", "cir", "circle", "cl", "close", "common", "commons", "court", "cove", "cres",
    "crescent", "crossing", "ct", "dr", "drive", "esplanade", "expressway", "expy", "freeway",
    "fwy", "gardens", "gdns", "gr", "grove", "heights", "highway", "hts", "hwy", "lane", "ln",
    "loop", "mews", "parkway", "pike", "pkwy", "pl", "place", "plaza", "plz", "promenade", "pt",
    "rd", "road", "row", "run", "sq", "square", "st", "street", "ter", "terrace", "tpke", "trail",
    "trl", "turnpike", "walk", "way", "xing",
};
/* clang-format on */

/* Legal forms and business nouns that mark a company or organisation, not a person. */
/* clang-format off */
static const char *const company_words[] = {
    "ag", "agency", "analytics", "associates", "bank", "builders", "bv", "center", "centre",
    "clinic", "co", "college", "company", "consulting", "corp", "corporation", "energy",
    "enterprises", "financial", "foods", "foundation", "gmbh", "group", "holdings", "hospital",
    "inc", "incorporated", "industries", "institute", "insurance", "international", "labs", "llc",
    "llp", "logistics", "ltd", "manufacturing", "motors", "networks", "nv", "partners", "plc",
    "pty", "restaurant", "sa", "sarl", "services", "solutions", "store", "studio", "supply",
    "systems", "technologies", "technology", "trust", "university", "ventures",
};
/* clang-format on */

struct med_word {
    const char *w;
    unsigned flags;
};

#define MT LH__PII_MED_TERM
#define MD LH__PII_MED_DRUG
#define MA LH__PII_MED_ALLERGEN
#define MB LH__PII_MED_ABBR

/* Conditions and clinical words (MT), medications (MD), allergens (MA), clinical
 * abbreviations (MB; "dm", "mi", "ra" mean other things outside a medical column). Ambiguous
 * everyday words ("cold", "stroke", "aids", "patient", "pain" alone) are left out on purpose:
 * this list must not fire on product catalogs, resumes or skill lists. */
/* clang-format off */
static const struct med_word medical_words[] = {
    {"abdominal", MT}, {"acetaminophen", MD}, {"acute", MT}, {"adalimumab", MD}, {"adhd", MT},
    {"afib", MB}, {"albuterol", MD}, {"allergic", MT}, {"allergy", MT}, {"allopurinol", MD},
    {"alprazolam", MD}, {"alzheimer", MT}, {"alzheimers", MT}, {"amiodarone", MD},
    {"amlodipine", MD}, {"amoxicillin", MD}, {"anaemia", MT}, {"anemia", MT}, {"angina", MT},
    {"anxiety", MT}, {"apixaban", MD}, {"apnea", MT}, {"apnoea", MT}, {"appendicitis", MT},
    {"aripiprazole", MD}, {"arrhythmia", MT}, {"arthritis", MT}, {"aspirin", MD}, {"asthma", MT},
    {"atenolol", MD}, {"atorvastatin", MD}, {"autism", MT}, {"azithromycin", MD},
    {"back pain", MT}, {"bee stings", MA}, {"biopsy", MT}, {"bipolar", MT}, {"blood pressure", MT},
    {"bph", MB}, {"bronchitis", MT}, {"bupropion", MD}, {"buspirone", MD}, {"cad", MB},
    {"cancer", MT}, {"carcinoma", MT}, {"cardiomyopathy", MT}, {"carvedilol", MD},
    {"cataract", MT}, {"celiac", MT}, {"cephalexin", MD}, {"cetirizine", MD}, {"chemotherapy", MT},
    {"chest pain", MT}, {"chf", MB}, {"chlamydia", MT}, {"cholesterol", MT}, {"chronic", MT},
    {"ciprofloxacin", MD}, {"cirrhosis", MT}, {"citalopram", MD}, {"ckd", MB}, {"clonazepam", MD},
    {"clopidogrel", MD}, {"codeine", MA}, {"colitis", MT}, {"concussion", MT}, {"copd", MT},
    {"coronary", MT}, {"cough", MT}, {"covid", MT}, {"crohn", MT}, {"crohns", MT}, {"cva", MB},
    {"cyclobenzaprine", MD}, {"dementia", MT}, {"depression", MT}, {"depressive", MT},
    {"dermatitis", MT}, {"diabetes", MT}, {"diabetic", MT}, {"diagnosed", MT}, {"diagnosis", MT},
    {"dialysis", MT}, {"diazepam", MD}, {"diclofenac", MD}, {"digoxin", MD}, {"disorder", MT},
    {"dizziness", MT}, {"dm", MB}, {"doxycycline", MD}, {"duloxetine", MD}, {"dust mites", MA},
    {"dvt", MB}, {"dyspnea", MT}, {"eczema", MT}, {"edema", MT}, {"eggs", MA}, {"emphysema", MT},
    {"enoxaparin", MD}, {"epilepsy", MT}, {"escitalopram", MD}, {"esomeprazole", MD},
    {"estradiol", MD}, {"exacerbation", MT}, {"famotidine", MD}, {"fever", MT},
    {"fibrillation", MT}, {"fibromyalgia", MT}, {"flu like", MT}, {"fluconazole", MD},
    {"fluoxetine", MD}, {"fracture", MT}, {"furosemide", MD}, {"gabapentin", MD}, {"gad", MB},
    {"gastritis", MT}, {"gastroenteritis", MT}, {"gerd", MT}, {"glaucoma", MT}, {"glipizide", MD},
    {"gluten", MA}, {"gonorrhea", MT}, {"gout", MT}, {"headache", MT}, {"heart attack", MT},
    {"heart disease", MT}, {"heart failure", MT}, {"heparin", MD}, {"hepatitis", MT}, {"hiv", MT},
    {"hld", MB}, {"htn", MB}, {"humira", MD}, {"hydrochlorothiazide", MD}, {"hydrocodone", MD},
    {"hyperlipidemia", MT}, {"hypertension", MT}, {"hyperthyroidism", MT}, {"hypoglycemia", MT},
    {"hypotension", MT}, {"hypothyroidism", MT}, {"ibs", MT}, {"ibuprofen", MD},
    {"infarction", MT}, {"infection", MT}, {"influenza", MT}, {"insomnia", MT}, {"insulin", MD},
    {"joint pain", MT}, {"kidney disease", MT}, {"lamotrigine", MD}, {"latex", MA},
    {"leukemia", MT}, {"levothyroxine", MD}, {"lipitor", MD}, {"lisinopril", MD},
    {"loratadine", MD}, {"lorazepam", MD}, {"losartan", MD}, {"lymphoma", MT}, {"malaria", MT},
    {"mdd", MB}, {"melanoma", MT}, {"mellitus", MT}, {"meloxicam", MD}, {"metformin", MD},
    {"methotrexate", MD}, {"methylprednisolone", MD}, {"metoprolol", MD}, {"mi", MB},
    {"migraine", MT}, {"milk", MA}, {"montelukast", MD}, {"morphine", MD}, {"naproxen", MD},
    {"nausea", MT}, {"nephropathy", MT}, {"neuropathy", MT}, {"nitroglycerin", MD}, {"oa", MB},
    {"obesity", MT}, {"ocd", MB}, {"omeprazole", MD}, {"ondansetron", MD}, {"osa", MB},
    {"osteoarthritis", MT}, {"osteoporosis", MT}, {"otitis", MT}, {"oxycodone", MD},
    {"ozempic", MD}, {"palpitations", MT}, {"pancreatitis", MT}, {"panic attacks", MT},
    {"pantoprazole", MD}, {"paracetamol", MD}, {"parkinson", MT}, {"parkinsons", MT},
    {"paroxetine", MD}, {"peanut", MA}, {"peanuts", MA}, {"penicillin", MA}, {"pneumonia", MT},
    {"pollen", MA}, {"postpartum", MT}, {"prednisone", MD}, {"pregabalin", MD}, {"pregnancy", MT},
    {"pregnant", MT}, {"prenatal", MT}, {"prescribed", MT}, {"propranolol", MD}, {"prozac", MD},
    {"psoriasis", MT}, {"psychosis", MT}, {"ptsd", MB}, {"quetiapine", MD}, {"ra", MB},
    {"ramipril", MD}, {"renal failure", MT}, {"risperidone", MD}, {"rivaroxaban", MD},
    {"rosuvastatin", MD}, {"schizophrenia", MT}, {"seizure", MT}, {"seizures", MT},
    {"semaglutide", MD}, {"sepsis", MT}, {"sertraline", MD}, {"shellfish", MA}, {"shortness", MT},
    {"sildenafil", MD}, {"simvastatin", MD}, {"sinusitis", MT}, {"sleep apnea", MT}, {"soy", MA},
    {"spironolactone", MD}, {"sprain", MT}, {"sulfa", MA}, {"sumatriptan", MD}, {"symptoms", MT},
    {"syndrome", MT}, {"syphilis", MT}, {"tachycardia", MT}, {"tamsulosin", MD}, {"tia", MB},
    {"tonsillitis", MT}, {"topiramate", MD}, {"tramadol", MD}, {"trazodone", MD},
    {"tree nuts", MA}, {"tuberculosis", MT}, {"tumor", MT}, {"tumour", MT}, {"ulcer", MT},
    {"uti", MB}, {"valsartan", MD}, {"venlafaxine", MD}, {"vomiting", MT}, {"walnuts", MA},
    {"warfarin", MD}, {"wheat", MA}, {"xanax", MD}, {"zoloft", MD}, {"zolpidem", MD},
};
/* clang-format on */

#undef MT
#undef MD
#undef MA
#undef MB

/* Compares the NUL-terminated list entry e with the (w, n) key. */
static int key_cmp(const char *w, size_t n, const char *e)
{
    size_t el = strlen(e);
    int c = memcmp(w, e, n < el ? n : el);
    if (c)
        return c;
    return n < el ? -1 : n > el ? 1 : 0;
}

static bool in_list(const char *const *list, size_t count, const char *w, size_t n)
{
    size_t lo = 0, hi = count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = key_cmp(w, n, list[mid]);
        if (c == 0)
            return true;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return false;
}

bool lh__pii_word_first_name(const char *w, size_t n)
{
    return in_list(first_names, LH_ARRAY_LEN(first_names), w, n);
}

bool lh__pii_word_street_suffix(const char *w, size_t n)
{
    return in_list(street_suffixes, LH_ARRAY_LEN(street_suffixes), w, n);
}

bool lh__pii_word_company(const char *w, size_t n)
{
    return in_list(company_words, LH_ARRAY_LEN(company_words), w, n);
}

unsigned lh__pii_word_medical(const char *w, size_t n)
{
    size_t lo = 0, hi = LH_ARRAY_LEN(medical_words);
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = key_cmp(w, n, medical_words[mid].w);
        if (c == 0)
            return medical_words[mid].flags;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return 0;
}

static bool sorted_lower(const char *const *list, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        for (const char *p = list[i]; *p; p++)
            if (lh__pii_upper((unsigned char)*p))
                return false;
        if (i && strcmp(list[i - 1], list[i]) >= 0)
            return false;
    }
    return true;
}

bool lh__pii_words_check(void)
{
    if (!sorted_lower(first_names, LH_ARRAY_LEN(first_names)) ||
        !sorted_lower(street_suffixes, LH_ARRAY_LEN(street_suffixes)) ||
        !sorted_lower(company_words, LH_ARRAY_LEN(company_words)))
        return false;
    for (size_t i = 1; i < LH_ARRAY_LEN(medical_words); i++)
        if (strcmp(medical_words[i - 1].w, medical_words[i].w) >= 0)
            return false;
    return true;
}
