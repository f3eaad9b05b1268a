using System.Text;
using Bogus;
using PhoneNumbers;

namespace Drawbridge.Safety.Tests.Synthetic;

/// <summary>Which half of the synthetic set: the rules are tuned on one and measured on the other.</summary>
public enum SyntheticSplit
{
    /// <summary>Tuned on: its own seed, templates, name locales and number formats.</summary>
    Development,

    /// <summary>Measured only: another seed, other templates, more locales and formats.</summary>
    HeldOut,
}

/// <summary>
/// A synthetic PII set in the style of the public ones (ai4privacy, Presidio's research data): everyday,
/// non-clinical sentences carrying phone numbers of many countries written as people write them, people's
/// names from many cultures, and hard negatives (doses, times, dates, versions, service numbers, amounts,
/// references, years, ranges, places, organisations, medicines, days and months). Nothing is downloaded:
/// numbers come from libphonenumber's example numbers with their last digits changed, names from Bogus's
/// locale lists. The two splits share no template.
/// </summary>
public static class SyntheticPii
{
    private static readonly PhoneNumberUtil Util = PhoneNumberUtil.GetInstance();

    /// <summary>Regions whose numbers appear without a country code (people writing at home, or here from there).</summary>
    public static readonly string[] NationalRegions =
    [
        "GB", "US", "CA", "FR", "AU", "IE", "DE", "IN", "ES", "IT", "NL", "BE", "NG", "PK", "ZA", "PL", "BR", "PH", "NZ", "PT",
        "CH", "AT", "SE", "RO", "GH", "KE", "MX", "JP", "CN", "TR",
    ];

    private static readonly string[] DevelopmentLocales = ["en_GB", "en_US", "de", "fr", "es", "it", "pl", "nl", "pt_BR", "tr", "en_IND", "en_NG", "vi", "sv"];

    private static readonly string[] HeldOutLocales =
    [
        "en_GB", "en_IE", "en_AU", "en_CA", "en_US", "en_IND", "en_NG", "en_ZA", "af_ZA", "zu_ZA", "de", "de_AT", "fr", "fr_CA", "es",
        "es_MX", "it", "pt_BR", "pt_PT", "nl", "nl_BE", "pl", "cz", "sk", "ro", "hr", "lv", "fi", "sv", "nb_NO", "tr", "az", "id_ID", "vi",
    ];

    /// <summary>Generates <paramref name="count"/> labelled posts of the split, the same posts every time.</summary>
    public static IReadOnlyList<LabelledPost> Generate(SyntheticSplit split, int count)
    {
        var g = new Generator(split);
        var posts = new List<LabelledPost>(count);
        for (var i = 0; i < count; i++)
        {
            posts.Add(LabelledCorpus.Parse(g.Next(i), i + 1));
        }
        return posts;
    }

    private sealed class Generator
    {
        private readonly SyntheticSplit _split;
        private readonly Random _random;
        private readonly Faker[] _fakers;
        private readonly string[] _allRegions;
        private readonly Templates _t;

        public Generator(SyntheticSplit split)
        {
            _split = split;
            var seed = split == SyntheticSplit.Development ? 20251126 : 777_031;
            _random = new Random(seed);
            var locales = split == SyntheticSplit.Development ? DevelopmentLocales : HeldOutLocales;
            _fakers = locales.Select((l, i) => new Faker(l) { Random = new Randomizer(seed + i) }).ToArray();
            _allRegions = Util.GetSupportedRegions().OrderBy(r => r, StringComparer.Ordinal).ToArray();
            _t = split == SyntheticSplit.Development ? Templates.Development : Templates.HeldOut;
        }

        private T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];

        public string Next(int i) => (i % 10) switch
        {
            0 or 1 or 2 => Fill(Pick(_t.Phone)),
            3 or 4 or 5 => Fill(Pick(_t.Name)),
            6 => Fill(Pick(_t.Mixed)),
            7 or 8 => Fill(Pick(_t.NumberNegatives)),
            _ => Fill(Pick(_t.NameNegatives)),
        };

        /// <summary>Fills {phone}, {name}, {first}, {last} and the negative slots of a template.</summary>
        private string Fill(string template)
        {
            var sb = new StringBuilder();
            var i = 0;
            while (i < template.Length)
            {
                var open = template.IndexOf('{', i);
                if (open < 0)
                {
                    sb.Append(template, i, template.Length - i);
                    break;
                }
                sb.Append(template, i, open - i);
                var close = template.IndexOf('}', open);
                var slot = template[(open + 1)..close];
                sb.Append(Slot(slot));
                i = close + 1;
            }
            return sb.ToString();
        }

        private string Slot(string slot)
        {
            var f = Pick(_fakers);
            return slot switch
            {
                "phone" => $"[[phone|{Phone()}]]",
                "name" => $"[[person-name|{Clean(f.Name.FirstName())} {Clean(f.Name.LastName())}]]",
                "first" => $"[[person-name|{Clean(f.Name.FirstName())}]]",
                "dose" => Pick(_t.Doses),
                "time" => Time(),
                "date" => Date(),
                "version" => Version(),
                "service" => Pick(_t.ServiceNumbers),
                "amount" => Amount(),
                "ref" => Reference(),
                "year" => _random.Next(1950, 2031).ToString(System.Globalization.CultureInfo.InvariantCulture),
                "range" => Range(),
                "place" => Pick(_t.Places),
                "org" => Pick(_t.Organisations),
                "drug" => Pick(_t.Medicines),
                "day" => Pick(Days),
                "month" => Pick(Months),
                "n" => _random.Next(2, 60).ToString(System.Globalization.CultureInfo.InvariantCulture),
                _ => throw new InvalidOperationException($"unknown slot {slot}"),
            };
        }

        // Bogus names are single words or hyphenated; apostrophes and spaces stay as people write them.
        private static string Clean(string name) => name.Trim();

        private static readonly string[] Days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

        private static readonly string[] Months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

        private string Phone()
        {
            while (true)
            {
                var national = _random.NextDouble() < 0.45;
                var region = national ? Pick(NationalRegions) : Pick(_allRegions);
                var type = _random.NextDouble() < 0.6 ? PhoneNumberType.MOBILE : PhoneNumberType.FIXED_LINE;
                var example = Util.GetExampleNumberForType(region, type);
                if (example is null || example.NationalNumber < 1000)
                {
                    continue;
                }
                var number = Vary(example, region);
                return national ? FormatNational(number, region) : FormatInternational(number);
            }
        }

        /// <summary>The example number with its last three or four digits changed, kept valid.</summary>
        private PhoneNumber Vary(PhoneNumber example, string region)
        {
            var nsn = Util.GetNationalSignificantNumber(example);
            for (var attempt = 0; attempt < 20; attempt++)
            {
                var keep = Math.Max(2, nsn.Length - (_random.Next(2) == 0 ? 3 : 4));
                var sb = new StringBuilder(nsn[..keep]);
                while (sb.Length < nsn.Length)
                {
                    sb.Append((char)('0' + _random.Next(10)));
                }
                try
                {
                    var candidate = Util.Parse(sb.ToString(), region);
                    if (Util.IsValidNumberForRegion(candidate, region) && Util.GetNumberType(candidate) == Util.GetNumberType(example))
                    {
                        return candidate;
                    }
                }
                catch (NumberParseException)
                {
                }
            }
            return example;
        }

        private string FormatInternational(PhoneNumber number)
        {
            var intl = Util.Format(number, PhoneNumberFormat.INTERNATIONAL);
            var cc = number.CountryCode.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var nsn = Util.GetNationalSignificantNumber(number);
            var styles = _split == SyntheticSplit.Development ? 5 : 7;
            return _random.Next(styles) switch
            {
                0 => intl,
                1 => Util.Format(number, PhoneNumberFormat.E164),
                2 => intl.Replace(' ', '-'),
                3 => "00" + intl[1..],
                4 => "+" + cc + " " + Group(nsn, _random.Next(2) == 0 ? 3 : 2, ' '),
                5 => "+" + cc + "." + Group(nsn, 3, '.'),
                _ => "(+" + cc + ") " + Group(nsn, 3, ' '),
            };
        }

        private string FormatNational(PhoneNumber number, string region)
        {
            var nat = Util.Format(number, PhoneNumberFormat.NATIONAL);
            var digits = new string(nat.Where(char.IsAsciiDigit).ToArray());
            var styles = _split == SyntheticSplit.Development ? 5 : 7;
            return _random.Next(styles) switch
            {
                0 => nat,
                1 => digits,
                2 => region is "US" or "CA" ? digits[..3] + "-" + digits[3..6] + "-" + digits[6..] : nat.Replace(' ', '-'),
                3 => region is "US" or "CA" ? "1-" + digits[..3] + "-" + digits[3..6] + "-" + digits[6..] : Group(digits, 2, ' '),
                4 => region is "US" or "CA" ? digits[..3] + "." + digits[3..6] + "." + digits[6..] : Group(digits, 2, '.'),
                5 => region is "US" or "CA" ? "(" + digits[..3] + ")" + digits[3..6] + "-" + digits[6..] : Group(digits, 4, ' '),
                _ => region is "US" or "CA" ? "+1 (" + digits[..3] + ") " + digits[3..6] + " " + digits[6..] : nat.Replace(' ', '.'),
            };
        }

        private static string Group(string digits, int size, char sep)
        {
            var sb = new StringBuilder();
            // An even split from the end, as in "03.93.92.16.85" or "0490 75 40 81".
            var first = digits.Length % size;
            if (first == 1)
            {
                first += size;
            }
            if (first > 0)
            {
                sb.Append(digits, 0, first);
            }
            for (var p = first; p < digits.Length; p += size)
            {
                if (sb.Length > 0)
                {
                    sb.Append(sep);
                }
                sb.Append(digits, p, size);
            }
            return sb.ToString();
        }

        private string Two(int n) => n.ToString("00", System.Globalization.CultureInfo.InvariantCulture);

        private string Time()
        {
            var h = _random.Next(0, 24);
            var m = _random.Next(0, 12) * 5;
            return _random.Next(5) switch
            {
                0 => $"{Two(h)}:{Two(m)}",
                1 => $"{(h % 12) + 1}.{Two(m)}{(h < 12 ? "am" : "pm")}",
                2 => $"{Two(h)}:{Two(m)}-{Two((h + 2) % 24)}:{Two(m)}",
                3 => $"{Two(h)}{Two(m)}hrs",
                _ => $"{Two(h)}:{Two(m)}:{Two(_random.Next(60))}",
            };
        }

        private string Date()
        {
            var d = _random.Next(1, 29);
            var mo = _random.Next(1, 13);
            var y = _random.Next(1990, 2031);
            var styles = _split == SyntheticSplit.Development ? 6 : 9;
            return _random.Next(styles) switch
            {
                0 => $"{Two(d)}/{Two(mo)}/{y}",
                1 => $"{y}-{Two(mo)}-{Two(d)}",
                2 => $"{Two(d)}.{Two(mo)}.{y}",
                3 => $"{d} {Months[mo - 1]} {y}",
                4 => $"{Two(mo)}-{Two(d)}-{y}",
                5 => $"{Two(d)}/{Two(mo)}/{y} - {Two(_random.Next(1, 29))}/{Two(mo)}/{y}",
                6 => $"{Two(d)} {Two(mo)} {y}",
                7 => $"{y}{Two(mo)}{Two(d)}",
                _ => $"{y}/{Two(mo)}/{Two(d)} {Two(_random.Next(24))}:{Two(_random.Next(60))}",
            };
        }

        private string Version() => _random.Next(5) switch
        {
            0 => $"v{_random.Next(1, 12)}.{_random.Next(0, 20)}.{_random.Next(0, 40)}",
            1 => $"version {_random.Next(1, 30)}.{_random.Next(0, 10)}.{_random.Next(1000, 30000)}.{_random.Next(100, 9999)}",
            2 => $"build {_random.Next(10000, 99999)}.{_random.Next(100, 9999)}",
            3 => $"{_random.Next(1, 20)}.{_random.Next(0, 10)}.{_random.Next(0, 10)}-beta.{_random.Next(1, 9)}",
            _ => $"release {_random.Next(2019, 2027)}.{_random.Next(1, 13)}.{_random.Next(0, 99)}",
        };

        private string Amount() => _random.Next(6) switch
        {
            0 => "£" + _random.Next(1000, 9_999_999).ToString("N0", System.Globalization.CultureInfo.InvariantCulture),
            1 => "$" + (_random.Next(100_000, 99_999_999) / 100.0).ToString("N2", System.Globalization.CultureInfo.InvariantCulture),
            2 => _random.Next(1_000_000, 99_999_999).ToString("N0", System.Globalization.CultureInfo.GetCultureInfo("de-DE")) + ",00 €",
            3 => "€ " + _random.Next(100_000, 9_999_999).ToString("N0", System.Globalization.CultureInfo.GetCultureInfo("fr-FR")),
            4 => _random.Next(10_000_000, 999_999_999).ToString("N0", System.Globalization.CultureInfo.InvariantCulture) + " people",
            _ => "₹" + _random.Next(100_000, 99_999_999).ToString("N0", System.Globalization.CultureInfo.GetCultureInfo("en-IN")),
        };

        private string Digits(int n)
        {
            var sb = new StringBuilder();
            sb.Append((char)('1' + _random.Next(9)));
            for (var k = 1; k < n; k++)
            {
                sb.Append((char)('0' + _random.Next(10)));
            }
            return sb.ToString();
        }

        private string Reference() => Pick(_t.References).Replace("#9", Digits(9)).Replace("#10", Digits(10)).Replace("#8", Digits(8))
            .Replace("#12", Digits(12)).Replace("#4", Digits(4)).Replace("#6", Digits(6)).Replace("#3", Digits(3));

        private string Range()
        {
            var a = _random.Next(1950, 2025);
            return _random.Next(5) switch
            {
                0 => $"{a}-{a + _random.Next(1, 20)}",
                1 => $"{a}\u2013{a + _random.Next(1, 20)}",
                2 => $"{_random.Next(10, 500)}-{_random.Next(500, 2000)}",
                3 => $"{_random.Next(1000, 5000)} to {_random.Next(5000, 9000)}",
                _ => $"{_random.Next(1, 9)},{_random.Next(100, 999)}-{_random.Next(10, 20)},{_random.Next(100, 999)}",
            };
        }
    }

    /// <summary>The sentences each split draws from: none shared between the two.</summary>
    private sealed record Templates(
        string[] Phone, string[] Name, string[] Mixed, string[] NumberNegatives, string[] NameNegatives,
        string[] Doses, string[] ServiceNumbers, string[] References, string[] Places, string[] Organisations, string[] Medicines)
    {
        public static readonly Templates Development = new(
            Phone:
            [
                "Call me on {phone} if you're running late.",
                "{phone}",
                "My new number is {phone}, old one is gone.",
                "Text {phone} about the sofa, still available.",
                "ring {phone} after 6 and ask for me",
                "WhatsApp: {phone}",
                "Lost my phone, if anyone needs me it's {phone} for now",
                "You can reach my brother at {phone}.",
                "Reach me at {phone} or by email.",
                "Mobile {phone}",
                "Please call back on {phone}, thanks!",
                "{phone} - that's my cell, text anytime",
                "Tel: {phone}",
                "Can you send it to {phone}? Cheers",
                "Number for the lift share is {phone}",
                "Left a voicemail, try {phone} instead.",
                "For the babysitting: {phone} (evenings)",
                "my wife's number {phone} in case I don't answer",
            ],
            Name:
            [
                "Had coffee with {name} yesterday, lovely catch-up.",
                "Hi {first}, thanks for sending that over.",
                "Thanks,\n{name}",
                "My neighbour {name} has offered to water the plants.",
                "Congratulations to {name} on the new job!",
                "{name} has joined the team as our new administrator.",
                "Dear {first},\nHope the move went well.",
                "Shout out to {name} for organising the bake sale.",
                "Best wishes,\n{first}",
                "I spoke to {name} from accounts this morning.",
                "Meeting with {name} moved to the afternoon.",
                "cc {name}",
                "Say hello to {first} for me!",
                "{first} and I are going to the match on Saturday.",
                "Our landlord {name} still hasn't fixed the boiler.",
                "Kind regards\n{name}",
                "Happy birthday {first}!",
                "Does anyone know {name}? She used to live on our street.",
            ],
            Mixed:
            [
                "Contact: {name}, {phone}",
                "Ask for {first} on {phone}.",
                "{name} - {phone}",
                "Cheers {first}, I'll ring you on {phone} tomorrow.",
            ],
            NumberNegatives:
            [
                "Take {dose} for five days.",
                "The shop opens at {time} on weekdays.",
                "Booked for {date}, see you there.",
                "Updated the app to {version} and it keeps crashing.",
                "If it's urgent, call {service}.",
                "The bill came to {amount}.",
                "Your reference is {ref}.",
                "Built in {year}, refurbished in {range}.",
                "Pages {range} cover the background.",
                "Quoted {amount} for the roof, which seems a lot.",
                "Train leaves {time}, arrives {time}.",
                "Meeting notes from {date} attached.",
                "Out of hours: {service}",
                "Order {ref} still hasn't arrived.",
                "{dose} with food, not on an empty stomach.",
            ],
            NameNegatives:
            [
                "We drove from {place} to {place} on {day}.",
                "The {org} is closed over {month}.",
                "Started on {drug} last week and feeling better.",
                "See you on {day} at the {org}.",
                "{month} was busy, {month} looks quieter.",
                "Spent the weekend in {place}, highly recommend it.",
                "Donated to {org} this year.",
                "Switched from {drug} to {drug} after the review.",
                "Anyone been to {place} in {month}?",
                "The {org} newsletter went out on {day}.",
            ],
            Doses:
            [
                "500 mg 3 times a day", "2 x 250mg tablets", "1000mg every 4-6 hours", "10 ml twice daily", "1 tablet 4 times a day",
                "5mg once a day", "0.5 mg at night", "two 200 mg capsules", "400mg/5ml, 2.5ml three times daily", "30 mg/kg/day",
            ],
            ServiceNumbers:
            [
                "NHS 111", "999", "116 123", "0800 1111", "0300 123 1000", "1-800-273-8255", "112", "101", "0808 808 4994", "911",
                "0800 58 58 58", "13 11 14",
            ],
            References:
            [
                "ORD-#10", "#10", "INV-2024-#6", "case #8", "ticket #9", "A#8B", "ISBN 978-0-#3-#4-7", "PO#9",
                "booking ref #10", "account #8", "tracking 1Z#12", "membership no. #9",
            ],
            Places:
            [
                "Leeds", "Harrogate", "Cardiff", "Swansea", "Glasgow", "Inverness", "Belfast", "Derry", "Lisbon", "Porto", "Madrid",
                "Seville", "Lagos", "Accra", "Mumbai", "Karachi", "Kraków", "Warsaw", "Bristol", "Bath",
            ],
            Organisations:
            [
                "Royal Free Hospital", "Citizens Advice", "British Heart Foundation", "Age UK", "Co-op", "Tesco Extra",
                "Great Ormond Street Hospital", "Macmillan Cancer Support", "Natural History Museum", "Leeds Library",
            ],
            Medicines:
            [
                "Metformin", "Atorvastatin", "Sertraline", "Amlodipine", "Omeprazole", "Ramipril", "Lansoprazole", "Citalopram",
                "Levothyroxine", "Paracetamol",
            ]);

        public static readonly Templates HeldOut = new(
            Phone:
            [
                "if u need anything my number is {phone}",
                "Contact number: {phone}",
                "Best number to get me on: {phone}",
                "Selling my bike, £80 ono. {phone}",
                "I'm on {phone} all weekend.",
                "phone me {phone} pls",
                "The plumber's own mobile is {phone}, he's cheaper direct.",
                "{phone} is my work line, call between 9 and 5.",
                "Moved house! New landline {phone}.",
                "Give my dad a bell on {phone}, he'll sort it.",
                "Call or text: {phone}",
                "Number changed to {phone} - please update your contacts",
                "Tel. {phone} / email works too",
                "Try my partner instead on {phone}",
                "Quick one: can you ring {phone} when you land?",
                "{phone} (mobile, after 5pm)",
                "Here's mine: {phone}",
                "she said to call {phone} before Friday",
            ],
            Name:
            [
                "Lovely to bump into {name} at the market today.",
                "Hello {first},\nAre we still on for Thursday?",
                "Regards,\n{name}",
                "Our neighbour {name} lent us a ladder.",
                "Well done {name} on finishing the marathon!",
                "Please welcome {name}, who starts with us on Monday.",
                "Hey {first}! Long time no see.",
                "Huge thanks to {name} for the lift home.",
                "Cheers,\n{first}",
                "Just got off the phone with {name}.",
                "{name} won the raffle again, of course.",
                "Forwarding this to {name} who knows more.",
                "Morning {first}, did the parcel arrive?",
                "Me and {first} are walking the dog later.",
                "My colleague {name} recommended the book.",
                "Many thanks\n{name}",
                "Thinking of you {first}, hope today goes well.",
                "{first} said the party is at hers.",
            ],
            Mixed:
            [
                "For keys, ask {name} ({phone}).",
                "{first}: {phone}",
                "Speak to {name} on {phone} about the allotment.",
                "Thanks {first}! My number is {phone} if you need it.",
            ],
            NumberNegatives:
            [
                "Dose is {dose}, don't go over it.",
                "Doors at {time}, first act on at {time}.",
                "Deadline is {date}.",
                "Running {version} here, no issues so far.",
                "For advice out of hours ring {service}.",
                "Raised {amount} for the hospice fete!",
                "Quote ref {ref} when you write in.",
                "Between {range} we lived abroad.",
                "The survey covered {range}.",
                "Paid {amount} in the end.",
                "Clinic runs {time} every {day}.",
                "Invoice dated {date}, paid in full.",
                "Helpline if you're struggling: {service}",
                "My parcel {ref} is stuck in the depot.",
                "Prescribed {dose}.",
                "Kernel {version} fixed the wifi bug.",
                "Born in {year}, moved here in {year}.",
            ],
            NameNegatives:
            [
                "Flew {place} to {place} via {place}, exhausted.",
                "Volunteering at the {org} every {day}.",
                "{drug} has really helped with the side effects.",
                "Back to {place} in {month} for the wedding.",
                "Is the {org} open on {day}?",
                "{day} mornings are the worst.",
                "Fundraiser for {org} in {month}.",
                "Tried {drug} and {drug}, neither suited me.",
                "Weather in {place} was glorious.",
                "Rang the {org} but nobody answered.",
                "Starting {month} we move to {place}.",
            ],
            Doses:
            [
                "250 mg four times a day", "1 g twice daily", "2 puffs 4 times a day", "15 ml 3 times daily", "100mg once daily",
                "20 mg every morning", "1-2 tablets up to 4 times a day", "75 mg, 28 days", "5,000 units weekly", "2.5mg/5ml syrup",
            ],
            ServiceNumbers:
            [
                "111", "NHS 111 (option 2)", "0800 689 5652", "116 123 (Samaritans)", "0300 330 0630", "1-800-662-4357",
                "0800 11 11", "999 or 112", "0808 802 1212", "13 11 14", "000",
            ],
            References:
            [
                "REF#9", "#8-#4", "claim no. #10", "CR#8", "SR-#9", "parcel #12", "tracking JD#12", "receipt #6-#4",
                "policy #10", "customer id #9", "serial #6#4", "hospital appointment #8",
            ],
            Places:
            [
                "Manchester", "Liverpool", "Aberdeen", "Dundee", "Newry", "Wrexham", "Dublin", "Galway", "Paris", "Lyon", "Nairobi",
                "Kampala", "Dhaka", "Lahore", "Gdańsk", "Bucharest", "Sheffield", "York", "Norwich", "Exeter",
            ],
            Organisations:
            [
                "St Mary's Hospital", "Salvation Army", "Red Cross", "Mind", "Oxfam shop", "Sainsbury's Local", "Moorfields Eye Hospital",
                "Samaritans", "Science Museum", "Manchester Central Library",
            ],
            Medicines:
            [
                "Gabapentin", "Pregabalin", "Simvastatin", "Bisoprolol", "Fluoxetine", "Mirtazapine", "Naproxen", "Codeine",
                "Ibuprofen", "Amitriptyline",
            ]);
    }
}
