package bench

// The vocabulary the generator builds news stories from. Each story has a
// cast drawn from pools (pool.go) that begin with the lists below and go on
// with thousands of composed names, so that two unrelated stories share
// common words and few rare ones, as real news does: the dedup stage then
// sees unrelated texts as unrelated. The first words of each pool are drawn
// most often, so topic rules written with them match a fair share of the
// stories.

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
	"ambulance service", "arms deal", "asylum policy", "bail hearing", "bank levy", "beef export",
	"bike lane", "biofuel plant", "blackout", "bond yield", "border fence", "broadband rollout",
	"bus network", "by-election", "cabinet reshuffle", "cancer screening", "carbon tax",
	"cargo terminal", "casino licence", "cattle disease", "census", "charity appeal", "child benefit",
	"cholera outbreak", "cinema chain", "citizenship test", "coastal erosion", "cocoa harvest",
	"coffee crop", "concert hall", "container port", "corruption trial", "cotton harvest",
	"credit rating", "crime figures", "cruise terminal", "customs union", "dairy price", "dam",
	"debt restructuring", "defence budget", "deportation order", "desalination plant",
	"diamond mine", "diesel ban", "dock strike", "drone programme", "drug trial", "earthquake",
	"embassy", "energy bill", "euro bond", "exam results", "extradition case", "factory closure",
	"ferry service", "film festival", "fire brigade", "fishing fleet", "food bank", "forest fire",
	"fraud inquiry", "gas field", "gene therapy", "glacier", "gold reserve", "grain silo",
	"hailstorm", "hedge fund", "highway toll", "hydrogen plant", "hydropower dam", "ice storm",
	"immigration bill", "import ban", "insulin price", "internet outage", "iron ore", "jet order",
	"judicial review", "jury verdict", "landslide", "language law", "lithium mine", "livestock",
	"loan guarantee", "lottery", "maize harvest", "malaria vaccine", "maternity ward", "measles outbreak",
	"media law", "mental health service", "migrant boat", "minimum wage", "mining licence",
	"mortgage rate", "museum", "national park", "naval exercise", "nickel price", "nuclear plant",
	"nurses' pay", "offshore field", "oil spill", "olive harvest", "opera house", "organ donation",
	"overtime rule", "palm oil", "parking fee", "passport backlog", "patent dispute", "payroll tax",
	"peace talks", "pesticide ban", "pharmacy chain", "pilot strike", "plastic ban", "police reform",
	"port strike", "postal service", "potato crop", "prison", "property tax", "rail strike",
	"rare earths", "recycling scheme", "referendum", "rent cap", "reservoir", "rice price",
	"road toll", "rocket launch", "royalty dispute", "rubber plantation", "salmon farm", "sanctions",
	"sewage spill", "shipyard", "ski resort", "smelter", "soybean export", "space probe",
	"stadium", "stock listing", "sugar tax", "supercomputer", "supply chain", "surgery backlog",
	"takeover bid", "teachers' strike", "telescope", "tenancy law", "textile mill", "theatre",
	"tidal barrage", "timber export", "tobacco law", "tornado", "tourism levy", "toxic spill",
	"trade deficit", "traffic fine", "tram line", "tribunal", "tuition fee", "tunnel", "typhoon",
	"university merger", "uranium deal", "vaccine plant", "visa scheme", "volcano", "voter roll",
	"waste incinerator", "water tariff", "wheat price", "whistleblower case", "wine export",
	"wolf cull", "youth centre", "zoning plan", "aid convoy", "air quality", "algae bloom",
	"antitrust case", "aquifer", "archive", "assembly line", "avalanche", "bakery chain",
	"ballot recount", "bauxite mine", "beach closure", "bird flu", "blood supply", "bookshop",
	"bridge collapse", "budget deficit", "cable car", "canal", "car plant", "cathedral", "ceramics",
	"chess olympiad", "coal phase-out", "cobalt supply", "coral reef", "cycle race", "data leak",
	"dialysis unit", "diplomatic row", "drought relief", "dune", "e-scooter", "ferry disaster",
	"fertiliser price", "fintech", "flood defence", "football stadium", "gambling law", "geothermal plant",
}

var plurals = []string{
	"jobs", "households", "passengers", "tonnes", "contracts", "farmers", "patients",
	"companies", "voters", "homes", "flights", "students", "workers", "investors",
	"containers", "turbines", "lawsuits", "vehicles", "hectares", "subscribers",
	"pensioners", "nurses", "teachers", "tenants", "miners", "drivers", "pilots", "fishermen",
	"retailers", "exporters", "migrants", "refugees", "shareholders", "commuters", "residents",
	"doctors", "engineers", "officers", "children", "graduates", "borrowers", "savers", "tourists",
	"suppliers", "landlords", "apprentices", "veterans", "volunteers", "customers", "dockworkers",
}

var verbs = []string{
	"approve", "delay", "expand", "review", "cut", "fund", "block", "restart", "extend",
	"challenge", "accelerate", "cancel", "audit", "renegotiate", "suspend", "launch",
	"overhaul", "scrap", "tighten", "relax", "investigate", "finance", "defend", "replace",
	"privatise", "nationalise", "subsidise", "regulate", "ban", "rebuild", "reopen", "close",
	"double", "halve", "freeze", "raise", "lower", "simplify", "streamline", "postpone", "revive",
	"modernise", "inspect", "certify", "license", "appeal", "contest", "endorse", "reject",
	"ratify", "sell", "buy", "merge", "split", "reform", "restructure", "digitise", "insure",
}

var pastVerbs = []string{
	"approved", "delayed", "expanded", "reviewed", "cut", "funded", "blocked", "restarted",
	"extended", "challenged", "accelerated", "cancelled", "audited", "renegotiated",
	"suspended", "launched", "overhauled", "scrapped", "tightened", "relaxed",
	"privatised", "nationalised", "subsidised", "regulated", "banned", "rebuilt", "reopened",
	"closed", "doubled", "halved", "froze", "raised", "lowered", "simplified", "postponed",
	"revived", "modernised", "inspected", "certified", "licensed", "contested", "endorsed",
	"rejected", "ratified", "sold", "bought", "merged", "reformed", "restructured", "insured",
}

var adjectives = []string{
	"controversial", "long-awaited", "emergency", "regional", "record", "temporary",
	"cross-border", "multi-year", "disputed", "ambitious", "modest", "sweeping",
	"last-minute", "revised", "fragile", "landmark", "costly", "stalled", "narrow",
	"unexpected", "provisional", "bipartisan", "cautious", "sharp", "overdue", "joint",
	"national", "local", "federal", "municipal", "rural", "coastal", "northern", "southern",
	"eastern", "western", "private", "public", "digital", "nuclear", "seasonal", "annual",
	"secret", "leaked", "rival", "failed", "delayed", "expensive", "cheaper", "larger", "smaller",
	"new", "second", "final", "initial", "amended", "binding", "voluntary", "mandatory",
	"experimental", "pilot", "flagship", "troubled", "popular", "unpopular", "urgent", "long-term",
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
	"{person} first floated the {noun} during a campaign stop in {place}.",
	"Documents seen by {org} suggest the {noun} was {past} without a tender.",
	"Insurers estimate that the {noun} caused {money} in damage around {place}.",
	"A spokeswoman for {org} said the {noun} remained on schedule.",
	"Volunteers handed out water to {nouns} stranded near {place}.",
	"The auditor found that {pct} of the {noun} money had not been spent.",
	"Neighbouring {place} has rejected a similar {noun} twice.",
	"{person}, who chairs the committee, promised a hearing on the {noun} by {month}.",
	"Rating agencies have placed {org} on watch because of the {noun}.",
	"Hospitals in {place} cancelled {num} operations as the {noun} dragged on.",
	"Opponents gathered {num} signatures against the {noun} within a week.",
	"Wholesale prices jumped {pct} as traders reacted to the {noun}.",
	"The contract for the {noun} went to {org}, beating {org} and two smaller bidders.",
	"Divers and sniffer dogs joined the search near {place} on {day}.",
	"Economists at {org} cut their growth forecast to {pct}, citing the {noun}.",
	"Archive footage shows {person} praising the {noun} a decade ago.",
	"Farmers around {place} say the {noun} has halved their income.",
	"Under the deal, {org} keeps a {pct} stake in the {noun} until {month}.",
	"Police in {place} arrested {num} people after clashes over the {noun}.",
	"The ministry insisted the {adj} {noun} was lawful and proportionate.",
	"Ticket sales for the {noun} collapsed after {person} pulled out.",
	"Scientists at {org} measured a record reading near {place} last {month}.",
	"Trade unions threatened a general strike unless the {noun} is withdrawn.",
	"Early results gave {person} a narrow lead in {place}.",
	"The regulator fined {org} {money} for misleading {nouns} about the {noun}.",
	"Families of the victims demanded that {person} appear before the inquiry.",
	"Smaller lenders in {place} were hit hardest by the {noun}.",
	"{org} plans to hire {num} staff once the {noun} opens in {month}.",
	"Residents were told to boil their water until the {noun} is repaired.",
	"The court in {place} adjourned the case over the {noun} until {month}.",
	"Fishing crews from {place} blockaded the harbour in protest at the {noun}.",
	"{person} told a radio interviewer that the {noun} was a matter of survival.",
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

// The syllables of composed names: given names and surnames of people;
// heads, middles and tails of places; and the middles and kinds of
// companies.
var (
	givenNames = []string{
		"Ada", "Ahmed", "Alice", "Ama", "Andrei", "Bea", "Bruno", "Chen", "Dara", "Dmitri",
		"Eduardo", "Eleni", "Emeka", "Farah", "Femi", "Gabriel", "Hana", "Hugo", "Ines", "Ivan",
		"Jamal", "Jana", "Jin", "Kai", "Karin", "Kofi", "Lars", "Leah", "Liam", "Lucia",
		"Mads", "Maria", "Maya", "Milan", "Nina", "Noah", "Olga", "Oscar", "Paolo", "Quentin",
		"Rania", "Rosa", "Sanjay", "Sara", "Sven", "Tariq", "Thandiwe", "Teresa", "Umar", "Vera",
		"Wei", "Xavier", "Yara", "Yusuf", "Zoe", "Anil", "Beatriz", "Colm", "Dalia", "Emil",
	}
	surnameHeads = []string{
		"Al", "Bar", "Bel", "Cor", "Dal", "Dor", "Es", "Fen", "Gar", "Gol",
		"Hal", "Hart", "Ir", "Jor", "Kel", "Kov", "Lan", "Lind", "Mar", "Mor",
		"Nor", "Nov", "Or", "Pel", "Quin", "Ros", "Sal", "Ster", "Tor", "Tam",
		"Ul", "Var", "Ven", "Wes", "Wil", "Yar", "Zel", "Bran", "Cas", "Dun",
	}
	surnameTails = []string{
		"berg", "ski", "son", "ez", "ova", "ani", "ard", "ley", "stad", "etti",
		"ovic", "ado", "oglu", "sen", "ine", "ash", "worth", "ier", "ano", "enko",
		"ida", "ton", "ama", "uzo", "ello", "aker", "mann", "oux", "ita", "ström",
	}
	placeHeads = []string{
		"Ash", "Bel", "Brook", "Cal", "Dun", "El", "Fair", "Glen", "Har", "Is",
		"Kings", "Lor", "Mar", "Nor", "Oak", "Pen", "Ros", "Sel", "Tam", "Val",
		"Wen", "Yor", "Zan", "Alt", "Bor", "Cor", "Dar", "Kes", "Lin", "Mir",
		"Nar", "Ost", "Pol", "Riv", "Sar", "Tor", "Ulm", "Ver", "Wyn", "Kal",
	}
	placeMids  = []string{"a", "e", "en", "or", "id", "an", "il", "ow"}
	placeTails = []string{
		"ford", "burg", "grad", "ville", "pur", "abad", "haven", "mouth", "stad", "polis",
		"dorf", "field", "bridge", "ton", "Port ", "San ", "New ", "Lake ", "Mount ", "minster",
	}
	orgMids  = []string{"", "a", "en", "ix", "ora", "on"}
	orgKinds = []string{
		"Energy", "Logistics", "Bank", "Pharma", "Telecom", "Foods", "Motors", "Airlines",
		"Capital", "Mining", "Robotics", "Insurance", "Shipping", "Steel", "Media", "Health",
		"Analytics", "Biotech", "Holdings", "Retail", "Utilities", "Chemicals", "Aerospace",
		"Software", "Textiles", "Cement", "Water", "Rail", "Games", "Fashion",
	}
)
