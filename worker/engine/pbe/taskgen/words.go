package taskgen

// The word lists are embedded so that a node needs no file to make its
// tasks. They are long enough that two seeds rarely draw the same input, and
// plain ASCII like the spreadsheet data the SyGuS PBE benchmarks come from.

var firstNames = []string{
	"Ada", "Alan", "Grace", "Edsger", "Barbara", "Donald", "Margaret", "Dennis", "Ken", "Frances",
	"John", "Mary", "James", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "William",
	"Elizabeth", "David", "Susan", "Richard", "Jessica", "Joseph", "Sarah", "Thomas", "Karen",
	"Charles", "Nancy", "Daniel", "Lisa", "Matthew", "Betty", "Anthony", "Sandra", "Mark", "Ashley",
	"Steven", "Kimberly", "Paul", "Emily", "Andrew", "Donna", "Joshua", "Michelle", "Kevin", "Carol",
	"Brian", "Amanda", "George", "Melissa", "Edward", "Deborah", "Ronald", "Stephanie", "Timothy",
	"Rebecca", "Jason", "Laura", "Jeffrey", "Sharon", "Ryan", "Cynthia", "Jacob", "Kathleen", "Gary",
	"Amy", "Nicholas", "Angela", "Eric", "Anna", "Jonathan", "Brenda", "Larry", "Pamela", "Justin",
	"Nicole", "Scott", "Emma", "Mayur", "Nimit", "Priya", "Ravi", "Ananya", "Arjun", "Wei", "Li",
	"Yuki", "Hiroshi", "Sven", "Ingrid", "Lars", "Astrid", "Pieter", "Anouk", "Jan", "Femke", "Bram",
	"Sanne", "Mateo", "Lucia", "Diego", "Sofia", "Pablo", "Elena", "Luca", "Giulia", "Marco",
	"Chiara", "Kwame", "Amara", "Tunde", "Zainab", "Omar", "Leila", "Yusuf", "Fatima", "Ivan", "Olga",
	"Aaron", "Abigail", "Adam", "Adrian", "Aisha", "Alejandro", "Alexander", "Alice", "Amelia",
	"Andre", "Andrea", "Angel", "Anita", "Ann", "Antonio", "Ariana", "Arthur", "Audrey", "Austin",
	"Ava", "Beatrice", "Benjamin", "Bernard", "Bianca", "Bruno", "Caleb", "Camila", "Carlos",
	"Caroline", "Catherine", "Cecilia", "Charlotte", "Chloe", "Christian", "Claire", "Clara", "Colin",
	"Connor", "Daisy", "Damian", "Dana", "Daniela", "Derek", "Diana", "Dominic", "Dylan", "Eleanor",
	"Elias", "Eliza", "Ella", "Emil", "Emilia", "Enzo", "Erik", "Esther", "Ethan", "Eva", "Evelyn",
	"Felix", "Fiona", "Florian", "Francesca", "Gabriel", "Gemma", "Gerald", "Gloria", "Hannah",
	"Harper", "Harry", "Hector", "Helen", "Henry", "Hugo", "Ian", "Irene", "Isaac", "Isabel", "Isla",
	"Jack", "Jade", "Javier", "Jasmine", "Jesse", "Joanna", "Jonas", "Jordan", "Jose", "Julia",
	"Julian", "June", "Kai", "Karim", "Kate", "Keith", "Laila", "Leo", "Leon", "Liam", "Lily",
	"Logan", "Lorenzo", "Louis", "Lucas", "Luna", "Lydia", "Maya", "Mia", "Miguel", "Mila", "Milan",
	"Mohamed", "Nadia", "Naomi", "Nathan", "Noah", "Nora", "Oliver", "Olivia", "Oscar", "Owen",
	"Pedro", "Penelope", "Peter", "Philip", "Quinn", "Rachel", "Rafael", "Raymond", "Rosa", "Ruby",
	"Rui", "Samuel", "Santiago", "Sara", "Sebastian", "Selma", "Simon", "Stella", "Tara", "Teresa",
	"Theo", "Tobias", "Tomas", "Valentina", "Vera", "Victor", "Victoria", "Vincent", "Violet",
	"Walter", "Xavier", "Yara", "Yasmin", "Zoe", "Aiko", "Haruto", "Mei", "Jun", "Min", "Seo", "Ji",
	"Hana", "Ahmed", "Layla", "Hamza", "Noor", "Samir", "Rania", "Tariq", "Dalia", "Kofi", "Ama",
	"Chidi", "Ngozi", "Thabo", "Lerato", "Sipho", "Aroha", "Tane", "Mikko", "Aino", "Eero", "Siiri",
	"Bjorn",
}

var lastNames = []string{
	"Lovelace", "Turing", "Hopper", "Dijkstra", "Liskov", "Knuth", "Hamilton", "Ritchie", "Thompson",
	"Allen", "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis",
	"Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Taylor",
	"Moore", "Jackson", "Martin", "Lee", "Perez", "White", "Harris", "Sanchez", "Clark", "Ramirez",
	"Lewis", "Robinson", "Walker", "Young", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill",
	"Flores", "Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter",
	"Roberts", "Gomez", "Phillips", "Evans", "Naik", "Singh", "Patel", "Sharma", "Gupta", "Kumar",
	"Chen", "Wang", "Zhang", "Tanaka", "Suzuki", "Sato", "Kim", "Park", "Larsen", "Nielsen",
	"Johansson", "Berg", "Jansen", "Visser", "Bakker", "Smit", "Mulder", "Bos", "Vos", "Peters",
	"Hendriks", "Dekker", "Rossi", "Russo", "Ferrari", "Bianchi", "Romano", "Fernandez", "Morales",
	"Ortiz", "Castillo", "Mensah", "Okafor", "Haddad", "Ivanov", "Petrov", "Novak", "Kowalski",
	"Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Turner", "Parker", "Collins",
	"Edwards", "Stewart", "Morris", "Murphy", "Cook", "Rogers", "Morgan", "Cooper", "Peterson",
	"Bailey", "Reed", "Kelly", "Howard", "Cox", "Ward", "Richardson", "Watson", "Brooks", "Wood",
	"James", "Bennett", "Gray", "Hughes", "Price", "Sanders", "Myers", "Long", "Ross", "Foster",
	"Powell", "Jenkins", "Perry", "Russell", "Sullivan", "Bell", "Coleman", "Butler", "Henderson",
	"Barnes", "Fisher", "Vasquez", "Simmons", "Graham", "Marshall", "Owens", "Harrison", "Gibson",
	"Wallace", "Ellis", "Hunt", "Palmer", "Mills", "Knight", "Lynch", "Hayes", "Fox", "Webb", "Lane",
	"Dunn", "Rice", "Black", "Stone", "Hart", "Wells", "Holmes", "Fraser", "Burke", "Byrne", "Quinn",
	"Walsh", "Doyle", "Kennedy", "Nolan", "Moreau", "Laurent", "Lefebvre", "Girard", "Bonnet",
	"Dupont", "Lambert", "Fontaine", "Rousseau", "Blanc", "Guerin", "Muller", "Hoffmann", "Koch",
	"Richter", "Klein", "Wolf", "Neumann", "Braun", "Zimmermann", "Hartmann", "Lange", "Werner",
	"Krause", "Lehmann", "Kaiser", "Huber", "Bauer", "Gruber", "Steiner", "Moser", "Costa", "Santos",
	"Oliveira", "Pereira", "Almeida", "Ribeiro", "Carvalho", "Gomes", "Martins", "Sousa", "Silva",
	"Conti", "Esposito", "Colombo", "Ricci", "Marino", "Greco", "Bruno", "Gallo", "Mancini",
	"Lombardi", "Moretti", "Barbieri", "Fontana", "Rinaldi", "Caruso", "Ferrara", "Leone", "Longo",
	"Ruiz", "Diaz", "Alvarez", "Romero", "Navarro", "Molina", "Delgado", "Castro", "Ortega", "Rubio",
	"Iglesias", "Medina", "Garrido", "Vega", "Lindqvist", "Eriksson", "Andersson", "Karlsson",
	"Nilsson", "Lindberg", "Virtanen", "Korhonen", "Nieminen", "Makinen", "Hansen", "Pedersen",
	"Kristensen", "Olsen", "Halvorsen", "Dahl", "Haugen", "Wojcik", "Nowak", "Dvorak", "Horvath",
	"Nagy", "Popescu", "Ionescu", "Georgiou", "Papadopoulos", "Yilmaz", "Kaya", "Demir", "Cohen",
	"Levi", "Mizrahi", "Khan", "Ali", "Hussain", "Rahman", "Iyer", "Reddy", "Rao", "Nair", "Das",
	"Bose", "Mehta", "Joshi", "Yamamoto", "Nakamura", "Kobayashi", "Watanabe", "Ito", "Takahashi",
	"Liu", "Huang", "Zhao", "Wu", "Zhou", "Xu", "Sun", "Ma", "Lim", "Tan", "Ng", "Wong", "Choi",
	"Jung", "Kang", "Cho", "Yoon", "Adeyemi", "Okonkwo", "Mwangi", "Otieno", "Nkosi", "Dlamini",
	"Banda", "Abubakar",
}

var surnameRoots = []string{
	"Ash", "Black", "Brad", "Brook", "Clay", "Cole", "Crane", "Dal", "Den", "Fair",
	"Fox", "Glen", "Green", "Hal", "Hart", "Hay", "Holt", "Kings", "Lang", "Lin",
	"Mar", "Mid", "New", "North", "Oak", "Pen", "Red", "Rock", "Rose", "Ruther",
	"Shel", "South", "Stan", "Stone", "Thorn", "Wal", "West", "White", "Win", "Wood",
}

var surnameEndings = []string{
	"ford", "wood", "well", "ton", "ley", "field", "bridge", "brook", "worth", "ridge",
	"mont", "stead", "dale", "by", "croft", "more", "wick", "hurst", "combe", "land",
	"ham", "borough", "son", "ell", "man",
}

var mailDomains = []string{
	"example.com", "example.org", "mail.com", "acme.io", "contoso.com", "fabrikam.net", "initech.com",
	"globex.org", "umbrella.co", "hooli.com", "piedpiper.net", "stark.io", "wayne.org", "uni.edu",
	"cs.uni.edu", "research.org", "post.nl", "web.de", "mail.fr", "inbox.eu", "shop.co.uk", "city.gov",
}

var cities = []string{
	"Delft", "Utrecht", "Leiden", "Breda", "Gouda", "Arnhem", "Groningen", "Rotterdam", "Haarlem", "Zwolle",
	"Berlin", "Hamburg", "Munich", "Cologne", "Paris", "Lyon", "Marseille", "Lille", "Madrid", "Seville",
	"Valencia", "Rome", "Milan", "Naples", "Turin", "Lisbon", "Porto", "Vienna", "Graz", "Zurich",
	"Geneva", "Oslo", "Bergen", "Stockholm", "Malmo", "Copenhagen", "Aarhus", "Helsinki", "Dublin", "Cork",
	"London", "Leeds", "Bristol", "Boston", "Denver", "Austin", "Seattle", "Portland", "Toronto", "Ottawa",
	"Sydney", "Perth", "Osaka", "Kyoto", "Seoul", "Busan", "Lagos", "Accra", "Nairobi", "Cairo",
}

var countryCodes = []string{"NL", "DE", "FR", "ES", "IT", "PT", "AT", "CH", "NO", "SE", "DK", "FI", "IE", "UK", "US", "CA"}

var streets = []string{
	"Kerkstraat", "Dorpsstraat", "Molenweg", "Stationsplein", "Hoofdstraat", "Schoolstraat", "Marktplein", "Nieuwe Gracht",
	"Hauptstrasse", "Bahnhofstrasse", "Rue de la Paix", "Rue Victor Hugo", "Calle Mayor", "Via Roma", "Via Garibaldi",
	"High Street", "Church Road", "Station Road", "Park Lane", "Mill Lane", "Victoria Road", "Green Lane",
	"Main Street", "Oak Avenue", "Maple Drive", "Elm Street", "Cedar Court", "Pine Road", "Lake View", "River Walk",
	"Queen Street", "King Street", "Harbour Way", "Market Square", "Bridge Street", "North Road", "South Street", "West End",
}

var codeLetters = "ABCDEFGHJKLMNPRSTUVWXYZ"

var fileWords = []string{
	"report", "invoice", "budget", "notes", "summary", "draft", "final", "photo", "scan", "backup",
	"data", "export", "results", "slides", "thesis", "resume", "letter", "contract", "plan", "agenda",
	"minutes", "sales", "q1", "q2", "q3", "q4", "review", "memo", "chart", "log",
	"receipt", "statement", "payroll", "forecast", "inventory", "roster", "schedule", "timesheet", "survey", "proposal",
	"manual", "guide", "readme", "config", "dump", "archive", "figure", "table", "appendix", "chapter",
	"poster", "flyer", "logo", "banner", "invite", "ticket", "order", "quote", "offer", "claim",
}

var fileExts = []string{"pdf", "txt", "csv", "docx", "xlsx", "png", "jpg", "md", "json", "zip", "pptx", "log"}

var identWords = []string{
	"user", "id", "first", "last", "name", "order", "total", "price", "item", "count",
	"start", "end", "date", "time", "zip", "code", "city", "email", "phone", "status",
	"created", "updated", "max", "min", "page", "size", "file", "path", "host", "port",
	"account", "address", "amount", "balance", "birth", "category", "client", "country", "currency", "customer",
	"day", "delivery", "discount", "due", "employee", "group", "invoice", "key", "level", "line",
	"manager", "month", "note", "number", "owner", "parent", "payment", "product", "quantity", "rate",
	"region", "role", "score", "session", "shipping", "sku", "source", "state", "street", "tax",
	"team", "title", "token", "type", "unit", "url", "value", "vendor", "version", "year",
}

var hostWords = []string{
	"shop", "news", "blog", "docs", "mail", "store", "travel", "music", "games", "photos",
	"cloud", "data", "maps", "forum", "wiki", "jobs", "market", "events", "tickets", "recipes",
	"api", "app", "cdn", "dev", "help", "login", "media", "portal", "status", "support",
}

var companies = []string{
	"example", "acme", "contoso", "globex", "initech", "fabrikam", "umbrella", "hooli", "stark", "wayne",
	"tyrell", "cyberdyne", "soylent", "aperture", "vandelay", "wonka", "oscorp", "gringotts", "monarch", "dunder",
}

var tlds = []string{"com", "org", "net", "nl", "de", "io", "dev", "eu"}

var titles = []string{"Dr.", "Prof.", "Mr.", "Ms.", "Mx.", "Sir", "Dame"}

var monthAbbrev = []string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
