package bench

// The vocabulary the generator builds news stories from. The lists are long
// enough that two stories drawn independently share few word runs, so that
// the dedup stage sees unrelated texts as unrelated, and short enough that
// topic rules written with these words match a fair share of the stories.

var people = []string{
	"Amara Okafor", "Lena Fischer", "Rahul Mehta", "Sofia Marquez", "Tomasz Nowak",
	"Hiroshi Tanaka", "Grace Mwangi", "Elif Demir", "Pierre Laurent", "Ingrid Olsen",
	"Diego Alvarez", "Mei Lin", "Kwame Boateng", "Anna Kowalska", "Omar Haddad",
	"Julia Becker", "Carlos Ribeiro", "Nadia Petrova", "Samuel Adeyemi", "Chloe Martin",
	"Arjun Nair", "Fatima Zahra", "Lukas Novak", "Isabel Costa", "Daniel Cohen",
	"Yuki Sato", "Helena Berg", "Mateo Rossi", "Aisha Bello", "Viktor Horvath",
	"Priya Sharma", "Jonas Lindqvist", "Leila Karimi", "Marco Bianchi", "Ruth Abebe",
	"Stefan Popescu", "Camila Torres", "Ethan Brooks", "Zainab Yusuf", "Niko Virtanen",
}

var roles = []string{
	"the finance minister", "a senior economist", "the chief executive", "a spokesperson",
	"the regional governor", "a lead researcher", "the union leader", "an opposition lawmaker",
	"the central bank governor", "a trade negotiator", "the health secretary", "a climate scientist",
	"the mayor", "a defence analyst", "the energy commissioner", "a court official",
	"the foreign minister", "a market strategist", "the transport director", "a data protection officer",
}

var orgs = []string{
	"the European Commission", "the World Bank", "Northwind Energy", "Baker &amp; Sons",
	"the Ministry of Finance", "Helix Robotics", "the Port Authority", "Meridian Capital",
	"the National Weather Service", "Orbital Dynamics", "the Supreme Court", "Greenfield Farms",
	"the International Monetary Fund", "Atlas Shipping", "the city council", "Quantum Foundry",
	"the Health Agency", "Crescent Airlines", "the Statistics Office", "Harbor &amp; Rail",
	"the United Nations", "Silverline Telecom", "the Competition Authority", "Aurora Pharma",
	"the Electoral Commission", "Pioneer Semiconductors", "the Water Board", "Summit Insurance",
}

var places = []string{
	"Lagos", "Berlin", "Mumbai", "Mexico City", "Warsaw", "Osaka", "Nairobi", "Istanbul",
	"Lyon", "Oslo", "Buenos Aires", "Shenzhen", "Accra", "Krakow", "Beirut", "Hamburg",
	"Porto Alegre", "Kyiv", "Lagos State", "Santiago", "Jakarta", "Manila", "Casablanca",
	"Rotterdam", "Seoul", "Vancouver", "Lima", "Dhaka", "Tbilisi", "Helsinki", "Cape Town",
	"Montevideo", "Hanoi", "Brisbane", "Glasgow", "Valencia", "Tunis", "Quito", "Bergen",
}

var nouns = []string{
	"budget", "pipeline", "treaty", "vaccine", "tariff", "reactor", "harbour", "election",
	"merger", "drought", "satellite", "railway", "inflation", "wage deal", "court ruling",
	"data centre", "wind farm", "grain export", "bond sale", "ceasefire", "heatwave",
	"chip plant", "pension reform", "housing plan", "fishing quota", "border crossing",
	"water supply", "air route", "coal mine", "battery factory", "tax credit", "trade route",
	"flood barrier", "power grid", "research grant", "refinery", "spending review",
	"interest rate", "copper price", "shipping lane", "public inquiry", "school reform",
	"cyber attack", "rescue package", "bridge", "steel mill", "vaccine campaign", "subsidy",
	"solar array", "metro line", "privacy rule", "emissions target", "labour strike",
	"currency", "hospital", "wildfire", "central bank", "fuel price", "airport expansion",
}

var plurals = []string{
	"jobs", "households", "passengers", "tonnes", "contracts", "farmers", "patients",
	"companies", "voters", "homes", "flights", "students", "workers", "investors",
	"containers", "turbines", "lawsuits", "vehicles", "hectares", "subscribers",
}

var verbs = []string{
	"approve", "delay", "expand", "review", "cut", "fund", "block", "restart", "extend",
	"challenge", "accelerate", "cancel", "audit", "renegotiate", "suspend", "launch",
	"overhaul", "scrap", "tighten", "relax", "investigate", "finance", "defend", "replace",
}

var pastVerbs = []string{
	"approved", "delayed", "expanded", "reviewed", "cut", "funded", "blocked", "restarted",
	"extended", "challenged", "accelerated", "cancelled", "audited", "renegotiated",
	"suspended", "launched", "overhauled", "scrapped", "tightened", "relaxed",
}

var adjectives = []string{
	"controversial", "long-awaited", "emergency", "regional", "record", "temporary",
	"cross-border", "multi-year", "disputed", "ambitious", "modest", "sweeping",
	"last-minute", "revised", "fragile", "landmark", "costly", "stalled", "narrow",
	"unexpected", "provisional", "bipartisan", "cautious", "sharp", "overdue", "joint",
}

var days = []string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}

var months = []string{
	"January", "February", "March", "April", "May", "June", "July", "August",
	"September", "October", "November", "December",
}

// categories are the feed categories items carry; topics select some of
// them.
var categories = []string{
	"World", "Politics", "Business", "Technology", "Science", "Health", "Climate",
	"Economy", "Energy", "Transport", "Justice", "Culture", "Sport", "Europe", "Asia",
	"Africa", "Americas", "Markets", "Security", "Education",
}

// sentences are the templates of the body text. Each {slot} is filled from
// the list of the same name: {person}, {role}, {org}, {place}, {noun},
// {nouns} (a plural), {verb}, {past}, {adj}, {day}, {month}, {num}, {pct},
// {money}.
var sentences = []string{
	"{person}, {role}, said the {noun} would {verb} the {adj} {noun} in {place}.",
	"Officials in {place} {past} the {adj} {noun} on {day}, according to {org}.",
	"The {noun} has affected {num} {nouns} since {month}, {person} told reporters.",
	"Analysts expect {org} to {verb} its {noun} before the {adj} {noun} next year.",
	"{org} {past} a {adj} plan worth {money} to {verb} the {noun}.",
	"Figures published on {day} showed the {noun} rose {pct} from a year earlier.",
	"Critics, including {person}, warned that the {noun} could {verb} {num} {nouns}.",
	"In {place}, {nouns} queued for hours as the {noun} was {past} again.",
	"&#8220;We will {verb} the {noun} if we must,&#8221; {person} said in {place}.",
	"The {adj} {noun} &mdash; first proposed in {month} &mdash; still needs the backing of {org}.",
	"{person} called the {noun} {adj} and asked {org} to {verb} it.",
	"Local groups in {place} said {num} {nouns} had not been consulted about the {noun}.",
	"A report by {org} put the cost of the {noun} at {money}, {pct} above the estimate.",
	"The vote on the {noun} was {past} after {role} raised concerns about the {adj} timeline.",
	"Shares of {org} moved {pct} after the {noun} was {past} on {day}.",
	"Engineers in {place} said the {adj} {noun} would need {num} more {nouns} to {verb}.",
	"Without the {noun}, {num} {nouns} in {place} face higher costs this winter.",
	"{org} declined to comment on the {noun}.",
	"Talks between {org} and {org} over the {noun} ended without agreement.",
	"The {noun} is the third to be {past} in {place} this year.",
	"Residents of {place} protested outside the offices of {org} on {day}.",
	"Prosecutors have opened an inquiry into the {noun}, {role} confirmed.",
	"Demand for the {noun} has doubled, leaving {nouns} on waiting lists until {month}.",
	"{person} resigned on {day} amid criticism of the {adj} {noun}.",
	"Satellite images reviewed by {org} show the {noun} near {place} was damaged.",
	"The {noun} would cost each of the {num} {nouns} about {money} over a decade.",
	"Lawmakers in {place} are due to debate the {noun} in {month}.",
	"A poll for {org} found that {pct} of {nouns} back the {noun}.",
	"{org} has {past} its forecast for the {noun} twice since {month}.",
	"Neither {org} nor {person} responded to requests for comment.",
	"Work on the {noun} in {place} stopped after {num} {nouns} were evacuated.",
	"The {adj} {noun} passed by {num} votes to {num} late on {day}.",
}

// leadIns open some sentences, and tails close some, so that sentences
// built from one template still differ in their word runs.
var leadIns = []string{
	"On {day}, ", "Earlier this month, ", "Separately, ", "In a statement, ", "By contrast, ",
	"Since {month}, ", "According to {org}, ", "For now, ", "Meanwhile in {place}, ", "In recent weeks, ",
	"As expected, ", "Despite the {noun}, ", "At a briefing in {place}, ", "Privately, ", "Once again, ",
}

var tails = []string{
	" despite objections from {org}", " for the first time since {month}", " according to people familiar with the matter",
	" ahead of the {adj} {noun}", " in a move welcomed by {nouns}", " after weeks of delays", " on a {adj} basis",
	" while {nouns} in {place} waited", " amid concern over the {noun}", " with support from {org}",
	" in what {person} called a turning point", " before markets opened in {place}",
}

// headlines are the templates of titles.
var headlines = []string{
	"{org} to {verb} {adj} {noun} in {place}",
	"{place} {past} {noun} as {nouns} wait",
	"{person} says {noun} will {verb} {num} {nouns}",
	"{adj} {noun} {past} after talks in {place}",
	"Why the {noun} in {place} matters for {nouns}",
	"{org} {past} {noun} worth {money}",
	"{noun} rises {pct} in {place}, {org} says",
	"{place}: {adj} {noun} faces vote on {day}",
}

// reporters sign the items.
var reporters = []string{
	"Staff Reporter", "News Desk", "Business Desk", "Foreign Desk", "Science Correspondent",
	"Political Editor", "Economics Correspondent", "Technology Reporter",
}
