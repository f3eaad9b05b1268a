namespace Drawbridge.Safety.Rules;

/// <summary>
/// People's names, found with a gazetteer of first names and surnames from many cultures plus context
/// (titles, "my patient …", "called …"). A name is a warning on its own and a block when the post also
/// carries clinical details and a time or place: together they can identify a patient.
/// </summary>
internal static class PersonNames
{
    private static readonly Lazy<Gazetteer> Names = new(Gazetteer.Load, LazyThreadSafetyMode.ExecutionAndPublication);

    private static readonly WordSet Titles = new("mr mrs ms miss mx dr doctor prof professor sister nurse matron midwife sir dame lady lord rev reverend father fr imam rabbi pastor auntie aunty uncle nana nanna granny grandma grandad grandpa");

    private static readonly WordSet ProfessionalTitles = new("dr doctor prof professor sister nurse matron midwife rev reverend father fr imam rabbi pastor");

    /// <summary>Words after which a capitalised word is taken to be someone's name.</summary>
    private static readonly WordSet Introducers = new("""
        called named name's name patient pt client resident service-user son daughter wife husband partner
        mum mom mother dad father brother sister sibling grandson granddaughter nephew niece cousin aunt uncle nan gran
        boyfriend girlfriend fiance fiancee friend neighbour neighbor colleague baby child toddler boy girl man woman lady
        gentleman gent chap lad lass bloke carer stepson stepdaughter twin twins
        landlord landlady flatmate housemate roommate boss coworker co-worker teacher tutor coach mate pal godmother godfather
        """);

    /// <summary>Capitalised words that are never part of a name.</summary>
    private static readonly WordSet NotNames = new("""
        the a an and or but if so then when while after before because as at in on of for to from by with without into onto
        i i'm i've i'd i'll we we're you your he she they it its this that these those there here what who why how which
        my our his her their me us them him is was were are be been am do does did have has had not no yes yeah ok okay
        hospital hospitals ward wards trust nhs clinic centre center surgery practice unit team service services department
        university college school house road street lane avenue close drive way place court park hill square station
        foundation council board group network society association charity church mosque temple academy institute
        syndrome disease disorder scale score test protocol guidelines guideline act bill report review
        monday tuesday wednesday thursday friday saturday sunday january february march april may june july august
        september october november december christmas easter eid diwali ramadan hanukkah new year
        god jesus allah lord thanks thank please sorry hi hello hey dear good great well just also still even only
        gp a&e icu itu hdu ed mri ct covid uk england scotland wales ireland britain london
        """);

    /// <summary>Words that make the capitalised words before them a place or organisation (St Thomas' Hospital).</summary>
    private static readonly WordSet PlaceHeads = new("""
        hospital hospitals infirmary ward wards unit centre center clinic surgery practice house court building wing
        road street lane avenue close drive way crescent place grove gardens terrace walk hill park square station
        school college university academy trust foundation institute hospice home homes medical health syndrome disease
        scale test method award awards lecture fund prize memorial pharmacy pharmacies chemist chemists shop store cafe café
        restaurant bar pub takeaway bakery salon barbers garage opticians dental dentists kitchen appeal building suite
        lodge hall centre villa manor cottage farm mill grange bank
        """);

    private static readonly WordSet SaintWords = new("st st. saint san santa");

    public static int FirstNameCount => Names.Value.FirstNames.Count;

    public static int SurnameCount => Names.Value.Surnames.Count;

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static void Run(Scan scan)
    {
        var g = Names.Value;
        var tt = scan.Tokens;
        var tokens = tt.Tokens;
        var spans = new List<(int Start, int End, bool Professional)>();
        for (var k = 0; k < tokens.Length; k++)
        {
            var t = tokens[k];
            if (t.Kind != TokenKind.Word || !IsCapitalised(tt.Span(t)) || AfterHandleMark(scan.Text, t.Start))
            {
                continue;
            }
            var word = tt.Span(t);

            // Title + name: "Mrs Okafor", "Dr. Nguyen".
            if (Titles.Contains(word))
            {
                var j = k + 1;
                if (j < tokens.Length && tokens[j].Kind == TokenKind.Symbol && scan.Text[tokens[j].Start] == '.' && tokens[j].Start == t.End)
                {
                    j++;
                }
                var last = ExtendName(scan, g, j, 3);
                if (last >= j && !FollowedByPlaceHead(tt, last))
                {
                    spans.Add((t.Start, tokens[last].End, ProfessionalTitles.Contains(word)));
                    k = last;
                }
                continue;
            }
            if (NotNames.Contains(word))
            {
                continue;
            }

            var introduced = Introduced(scan, k);
            if (g.Places.Contains(word) && !introduced)
            {
                continue;
            }
            var isFirst = g.First(word);
            var isSurname = g.Surname(word);
            var ambiguous = g.Ambiguous(word);
            var afterCapital = !introduced && k > 0 && tokens[k - 1].Kind == TokenKind.Word
                && IsCapitalised(tt.Span(tokens[k - 1])) && !NotNames.Contains(tt.Span(tokens[k - 1])) && tokens[k - 1].End + 1 == t.Start;
            var nameStart = t.Start;
            if (afterCapital && isSurname && !isFirst && !ambiguous && IsUnknownNameWord(g, tt.Span(tokens[k - 1])))
            {
                // "Rukhsana Begum": a first name the lists don't know, before a surname they do.
                nameStart = tokens[k - 1].Start;
            }
            else if (afterCapital && (!isFirst || ambiguous))
            {
                // Inside a longer proper noun ("Charing Cross", "Leeds General"): not the start of a name.
                continue;
            }
            // "the Rosie", "the Christie": a place or a thing named after someone.
            if (k > 0 && tokens[k - 1].Kind == TokenKind.Word && tt.Span(tokens[k - 1]) is "the" or "The" && !introduced)
            {
                continue;
            }
            if (!isFirst && !isSurname && !ambiguous)
            {
                // Two unknown capitalised words in a name's usual place ("thanks to Oluwafemi Adeniran",
                // "Pita Taufa came in today") read as a first name and a surname the lists don't know.
                if (!introduced && UnknownPair(scan, g, k))
                {
                    spans.Add((t.Start, tokens[k + 1].End, false));
                    k++;
                    continue;
                }
                // An unknown capitalised word counts only when something introduces it as a name.
                if (introduced && !NotNames.Contains(word) && !ClinicalLexicon.Medicines.Contains(word))
                {
                    var last = ExtendName(scan, g, k + 1, 2);
                    var end = last > k ? tokens[last].End : t.End;
                    if (!FollowedByPlaceHead(tt, Math.Max(k, last)))
                    {
                        spans.Add((t.Start, end, false));
                        k = Math.Max(k, last);
                    }
                }
                continue;
            }
            if (k > 0 && tokens[k - 1].Kind == TokenKind.Word && SaintWords.Contains(tt.Span(tokens[k - 1])))
            {
                continue;
            }
            if (k > 1 && tokens[k - 1].Kind == TokenKind.Symbol && scan.Text[tokens[k - 1].Start] == '.' && SaintWords.Contains(tt.Span(tokens[k - 2])))
            {
                continue;
            }
            var lastName = ExtendName(scan, g, k + 1, 3);
            var multi = lastName > k;
            var endIndex = multi ? lastName : k;
            if (FollowedByPlaceHead(tt, endIndex))
            {
                k = endIndex;
                continue;
            }
            bool accept;
            if (ambiguous)
            {
                // "Grace Okafor", "my patient Hope": fine. "Hope you are well", "May 2024": not names.
                accept = introduced || (multi && SecondIsNamey(g, tt, tokens[k + 1]))
                    || (!t.SentenceStart && !g.Month(word) && !AfterPreposition(tt, k) && NextIsVerbLike(tt, k, strict: true));
            }
            else if (isFirst)
            {
                accept = true;
            }
            else
            {
                // A surname alone: mid-sentence, or introduced, or followed by another name word.
                accept = !t.SentenceStart || introduced || multi;
            }
            if (!accept)
            {
                continue;
            }
            spans.Add((nameStart, tokens[endIndex].End, false));
            k = endIndex;
        }
        Addressed(scan, g, spans);
        Relationships(scan, spans);
        if (spans.Count == 0)
        {
            return;
        }
        var jigsaw = IsJigsaw(scan);
        foreach (var (start, end, professional) in spans)
        {
            if (g.IsPublicFigure(scan.Text, start, end))
            {
                continue;
            }
            if (jigsaw && !professional)
            {
                scan.Add(SafetyRules.PersonName, start, end, Severity.Block,
                    "This names a person in a post that also gives clinical details and a time or place. Together these can identify a patient (a jigsaw identification).",
                    "Remove the name and change or leave out the details, so that nobody, including the patient, could recognise them.");
            }
            else
            {
                scan.Add(SafetyRules.PersonName, start, end, Severity.Warn,
                    "This looks like a person's name. Naming someone in public can identify them, and with other details could identify a patient.",
                    "Leave the name out unless the person has agreed, or it is a colleague or public figure named in their professional role.");
            }
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static bool IsCapitalised(ReadOnlySpan<char> w)
    {
        if (w.Length < 2 || !char.IsUpper(w[0]))
        {
            return false;
        }
        foreach (var c in w[1..])
        {
            if (char.IsLower(c))
            {
                return true;
            }
        }
        return false;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static bool AfterHandleMark(string text, int start) =>
        start > 0 && text[start - 1] is '@' or '#' or '/' or '_' or '.';

    /// <summary>Returns the index of the last name word from <paramref name="from"/>, or from - 1 when there is none.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static int ExtendName(Scan scan, Gazetteer g, int from, int max)
    {
        var tt = scan.Tokens;
        var tokens = tt.Tokens;
        var last = from - 1;
        var count = 0;
        for (var j = from; j < tokens.Length && count < max; j++)
        {
            var t = tokens[j];
            if (t.Kind != TokenKind.Word)
            {
                break;
            }
            // Names run on the same line with single spaces only.
            var gap = scan.Text.AsSpan(tokens[j - 1].End, t.Start - tokens[j - 1].End);
            if (j > from && (gap.Length != 1 || gap[0] != ' '))
            {
                break;
            }
            if (j == from && j > 0 && (gap.Length > 1 || gap.Contains('\n')))
            {
                break;
            }
            var w = tt.Span(t);
            if (IsParticle(w) && j + 1 < tokens.Length && tokens[j + 1].Kind == TokenKind.Word && IsCapitalised(tt.Span(tokens[j + 1])))
            {
                continue;
            }
            if (!IsCapitalised(w) || NotNames.Contains(w) || PlaceHeads.Contains(w) || ClinicalLexicon.Medicines.Contains(w) || ClinicalLexicon.Times.Contains(w))
            {
                break;
            }
            if (g.Ambiguous(w) && !g.Surname(w) && !g.First(w) && count > 0)
            {
                break;
            }
            last = j;
            count++;
        }
        return last;
    }

    private static readonly WordSet WeakIntroducers = new("to with thanks thank congratulations congrats welcome welcoming goodbye farewell said told met meet meeting and from by for");

    /// <summary>Common title-case words that start organisations, events and places rather than names.</summary>
    private static readonly WordSet TitleCaseWords = new("""
        royal great north south east west new old general central county city national international community mental health
        care primary secondary memorial medical clinical nursing public social services service day week month awards award
        conference congress summit network partnership alliance hub first times journal review college institute union
        however since although though absolutely all one every each some any more most less better best helpful brilliant
        excellent lovely amazing fantastic wonderful great good nice friendly kind caring staff family baby babies mum mums dad
        parents children kids self sure start play live support team group groups course class session therapy service tiny
        little big small young old happy busy quiet calm safe clean warm cold hot jelly beep stay sleep wellbeing weaning
        talkers movers bouncing magic music art arts sing singing dance walk walking run running swim swimming yoga pilates
        lunch dinner breakfast tea coffee food menu wifi wi-fi tv radio phone app online website email letter text chat
        information info advice help question questions answer answers issue issues problem problems thing things nothing
        everything something anything everyone someone anyone nobody people person patient patients doctor doctors nurse nurses
        surgeon surgeons consultant consultants midwife midwives visitor visitors governor officer manager director chief lead
        allowance benefit benefits forum live stream pathway programme program project plan scheme advisor adviser system
        women men physical healthcare judge pie humble loop
        """);

    // English word endings that a first name or surname rarely has ("Parenting Course", "Distress Management").
    private static readonly string[] EnglishEndings =
    [
        "ing", "ed", "ers", "ly", "ness", "ment", "tion", "sion", "ies", "ful", "less", "ity", "ive", "ous", "ance", "ence",
        "ship", "ure", "age", "ery", "ary", "ory", "ist", "ism", "able", "ible", "ics", "apy", "ogy",
    ];

    private static bool LooksEnglish(ReadOnlySpan<char> w)
    {
        foreach (var e in EnglishEndings)
        {
            if (w.Length > e.Length + 2 && w.EndsWith(e, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        // A plural ("Groups", "Babies") or a word with capitals inside ("WiFi", "InformatIon").
        if (w.Length > 3 && w[^1] == 's' && w[^2] != 's' && w[^2] != 'u' && w[^2] != 'i')
        {
            return true;
        }
        for (var i = 1; i < w.Length; i++)
        {
            if (char.IsUpper(w[i]) && w[i - 1] != '-' && w[i - 1] != '\'')
            {
                return true;
            }
        }
        return false;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static bool UnknownPair(Scan scan, Gazetteer g, int k)
    {
        var tt = scan.Tokens;
        var tokens = tt.Tokens;
        if (k + 1 >= tokens.Length || tokens[k + 1].Kind != TokenKind.Word || tokens[k + 1].Start != tokens[k].End + 1)
        {
            return false;
        }
        var first = tt.Span(tokens[k]);
        var second = tt.Span(tokens[k + 1]);
        if (first.Length < 3 || second.Length < 3 || !IsCapitalised(second) || !IsUnknownNameWord(g, first) || !IsUnknownNameWord(g, second)
            || TitleCaseWords.Contains(first) || TitleCaseWords.Contains(second) || g.First(second) || FollowedByPlaceHead(tt, k + 1)
            || LooksEnglish(first) || LooksEnglish(second))
        {
            return false;
        }
        // The word after the pair must not be capitalised too ("Great North Run", "Mental Health Awareness Week").
        if (k + 2 < tokens.Length && tokens[k + 2].Kind == TokenKind.Word && IsCapitalised(tt.Span(tokens[k + 2])) && tokens[k + 2].Start == tokens[k + 1].End + 1)
        {
            return false;
        }
        if (tokens[k].SentenceStart)
        {
            return NextIsVerbLike(tt, k + 1, strict: true);
        }
        return k > 0 && tokens[k - 1].Kind == TokenKind.Word && WeakIntroducers.Contains(tt.Span(tokens[k - 1]));
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static bool IsUnknownNameWord(Gazetteer g, ReadOnlySpan<char> w) =>
        !NotNames.Contains(w) && !PlaceHeads.Contains(w) && !g.Places.Contains(w) && !g.Ambiguous(w)
        && !ClinicalLexicon.Medicines.Contains(w) && !ClinicalLexicon.Times.Contains(w) && !ClinicalLexicon.Conditions.Contains(w);

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static bool IsParticle(ReadOnlySpan<char> w) =>
        w is "van" or "von" or "de" or "der" or "den" or "da" or "di" or "du" or "del" or "della" or "le" or "la" or "bin" or "binti" or "ibn" or "al" or "el" or "ben" or "dos" or "das" or "ter";

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static bool FollowedByPlaceHead(TokenizedText tt, int last)
    {
        var tokens = tt.Tokens;
        var j = last + 1;
        if (j < tokens.Length && tokens[j].Kind == TokenKind.Symbol && tt.Text[tokens[j].Start] is '\'' or '\u2019')
        {
            j++;
            if (j < tokens.Length && tokens[j].Kind == TokenKind.Word && tt.Span(tokens[j]) is "s")
            {
                j++;
            }
        }
        return j < tokens.Length && tokens[j].Kind == TokenKind.Word && PlaceHeads.Contains(tt.Span(tokens[j])) && IsCapitalised(tt.Span(tokens[j]));
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static bool SecondIsNamey(Gazetteer g, TokenizedText tt, Token second)
    {
        var w = tt.Span(second);
        return g.Surname(w) && !g.Ambiguous(w);
    }

    private static readonly WordSet Prepositions = new("in at from to near of on into by via around outside inside towards across");

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static bool AfterPreposition(TokenizedText tt, int k)
    {
        var tokens = tt.Tokens;
        return k > 0 && tokens[k - 1].Kind == TokenKind.Word && Prepositions.Contains(tt.Span(tokens[k - 1]));
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static bool NextIsVerbLike(TokenizedText tt, int k, bool strict)
    {
        var tokens = tt.Tokens;
        if (k + 1 >= tokens.Length)
        {
            return false;
        }
        var next = tokens[k + 1];
        if (next.Kind == TokenKind.Symbol)
        {
            return tt.Text[next.Start] is '\'' or '\u2019' or ',';
        }
        if (next.Kind != TokenKind.Word)
        {
            return false;
        }
        var w = tt.Span(next);
        return w is "was" or "is" or "has" or "had" or "said" or "says" or "told" or "asked" or "came" or "went" or "who" or "will" or "would" or "can" or "could"
            || (!strict && w is "and")
            || (w.Length > 3 && w.EndsWith("ed") && char.IsLower(w[0]));
    }

    /// <summary>The word (or two) before token k introduces a name: "my patient", "a lady called", "her son".</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static bool Introduced(Scan scan, int k)
    {
        var tt = scan.Tokens;
        var tokens = tt.Tokens;
        for (var back = 1; back <= 2 && k - back >= 0; back++)
        {
            var t = tokens[k - back];
            if (t.Kind == TokenKind.Symbol)
            {
                var c = scan.Text[t.Start];
                if (c is ',' or ':' or '\'' or '\u2019' or '(' or '-')
                {
                    continue;
                }
                return false;
            }
            if (t.Kind != TokenKind.Word)
            {
                return false;
            }
            var w = tt.Span(t);
            // "my patient Priya", "a lady called Blessing"; a capitalised "Baby Massage" is a heading, not an introduction.
            if (Introducers.Contains(w) && (char.IsLower(w[0]) || w is "Patient" or "Pt" or "Client" or "Resident" or "Called" or "Named"))
            {
                return true;
            }
            if (w is "is" && k - back - 1 >= 0 && tokens[k - back - 1].Kind == TokenKind.Word && tt.Span(tokens[k - back - 1]) is "name" or "Name")
            {
                return true;
            }
            if (back == 1 && w is "s" or "named" or "called")
            {
                continue;
            }
            return false;
        }
        return false;
    }

    /// <summary>Words that greet, thank or congratulate someone by name: "Hi Priya,", "Happy birthday Kwame!".</summary>
    private static readonly WordSet Greetings = new("""
        hi hello hey hiya heya dear morning evening afternoon night cheers thanks thx ta congratulations congrats welcome bye
        goodbye love xx xxx birthday done luck
        """);

    /// <summary>Verbs and phrases after which a name follows: "ask for Orin", "meeting with Dawn Schowalter".</summary>
    private static readonly string[] Leads =
    [
        "ask for", "hello to", "hi to", "thanks to", "thank you", "out to", "meeting with", "meet with", "spoke to", "speak to",
        "talk to", "talked to", "chat with", "chatted with", "coffee with", "lunch with", "dinner with", "call with", "know",
        "met", "meet", "contact", "cc", "from", "with", "to", "forwarding to", "forward to", "thinking of you", "message",
    ];

    /// <summary>Lines that close a message, after which the next line is the writer's name.</summary>
    private static readonly string[] SignOffs =
    [
        "thanks", "thank you", "many thanks", "thanks again", "best", "best wishes", "all the best", "kind regards", "regards",
        "best regards", "warm regards", "warmest regards", "cheers", "love", "lots of love", "yours", "yours sincerely",
        "yours faithfully", "sincerely", "take care", "speak soon", "with thanks", "warm wishes", "with love", "thanks so much",
    ];

    /// <summary>
    /// Names by how they are used rather than by the lists alone: after a greeting ("Hi Laisha,", "Happy birthday
    /// Muyiwa!"), on the line under a sign-off ("Kind regards\nDwaipayan Somayaji"), after a lead ("ask for Orin",
    /// "meeting with Dawn Schowalter"), and a pair that opens a sentence and is followed by what follows a name
    /// ("Orland Stamm - 0506…", "Thục Quyên and I…").
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void Addressed(Scan scan, Gazetteer g, List<(int Start, int End, bool Professional)> spans)
    {
        var tt = scan.Tokens;
        var tokens = tt.Tokens;
        var text = scan.Text;
        // The spans found so far are in text order; walk them alongside instead of searching them for each word.
        var known = spans.Count;
        var next = 0;
        for (var k = 0; k < tokens.Length; k++)
        {
            if (tokens[k].Kind != TokenKind.Word || !IsCapitalised(tt.Span(tokens[k])) || !IsNameWord(g, tt.Span(tokens[k]), lenient: false) || AfterHandleMark(text, tokens[k].Start))
            {
                continue;
            }
            var last = k;
            while (last + 1 < tokens.Length && last - k < 2 && tokens[last + 1].Kind == TokenKind.Word && tokens[last + 1].Start == tokens[last].End + 1
                && IsNameWord(g, tt.Span(tokens[last + 1]), lenient: false))
            {
                last++;
            }
            var start = tokens[k].Start;
            var end = tokens[last].End;
            while (next < known && spans[next].End <= start)
            {
                next++;
            }
            if ((next < known && spans[next].Start < end) || FollowedByPlaceHead(tt, last))
            {
                k = last;
                continue;
            }
            var pair = last > k;
            var closes = ClosesName(scan, last);
            var accept = (closes && GreetedBefore(scan, k))
                || (SignatureLine(scan, k, last))
                || (pair && LeadBefore(scan, k) && (closes || NextIsLower(scan, last)))
                || (pair && tokens[k].SentenceStart && FollowsName(scan, last));
            if (accept)
            {
                spans.Add((start, end, false));
            }
            k = last;
        }
        spans.Sort(static (a, b) => a.Start.CompareTo(b.Start));
    }

    private static bool IsNameWord(Gazetteer g, ReadOnlySpan<char> w, bool lenient)
    {
        if (!IsCapitalised(w) || NotNames.Contains(w) || TitleCaseWords.Contains(w) || PlaceHeads.Contains(w) || g.Places.Contains(w) || Titles.Contains(w)
            || ClinicalLexicon.Medicines.Contains(w) || ClinicalLexicon.Times.Contains(w) || ClinicalLexicon.Conditions.Contains(w) || g.Month(w) || Greetings.Contains(w))
        {
            return false;
        }
        return lenient || g.First(w) || g.Surname(w) || !LooksEnglish(w);
    }

    /// <summary>The name ends its phrase: a comma, a stop, a line break, the end of the text, or a lower-case word.</summary>
    private static bool ClosesName(Scan scan, int last)
    {
        var tokens = scan.Tokens.Tokens;
        var end = tokens[last].End;
        if (last + 1 >= tokens.Length)
        {
            return true;
        }
        var next = tokens[last + 1];
        if (scan.Text.AsSpan(end, next.Start - end).Contains('\n'))
        {
            return true;
        }
        if (next.Kind == TokenKind.Symbol)
        {
            return scan.Text[next.Start] is ',' or '!' or '.' or '?' or ':' or ';' or ')' or '-' or '\u2013' or '\u2014' or '(';
        }
        return next.Kind == TokenKind.Word && char.IsLower(scan.Text[next.Start]);
    }

    private static bool NextIsLower(Scan scan, int last)
    {
        var tokens = scan.Tokens.Tokens;
        return last + 1 < tokens.Length && tokens[last + 1].Kind == TokenKind.Word && char.IsLower(scan.Text[tokens[last + 1].Start]);
    }

    /// <summary>What follows a name that opens a sentence: a dash, a colon, a bracket, "and I", or a verb.</summary>
    private static bool FollowsName(Scan scan, int last)
    {
        var tt = scan.Tokens;
        var tokens = tt.Tokens;
        if (last + 1 >= tokens.Length)
        {
            return false;
        }
        var next = tokens[last + 1];
        if (next.Kind == TokenKind.Symbol)
        {
            return scan.Text[next.Start] is '-' or '\u2013' or '\u2014' or ':' or '(';
        }
        if (next.Kind != TokenKind.Word)
        {
            return false;
        }
        var w = tt.Span(next);
        return (w is "and" && last + 2 < tokens.Length && tt.Span(tokens[last + 2]) is "I" or "me")
            || w is "has" or "is" or "was" or "said" or "says" or "told" or "asked" or "came" or "went" or "will" or "won" or "lent" or "just"
            || (w.Length > 3 && w.EndsWith("ed") && char.IsLower(w[0]));
    }

    /// <summary>A greeting just before, on the same line: "Hi", "Dear", "Happy birthday", "Well done".</summary>
    private static bool GreetedBefore(Scan scan, int k)
    {
        var tt = scan.Tokens;
        var tokens = tt.Tokens;
        var p = k - 1;
        if (p >= 0 && tokens[p].Kind == TokenKind.Symbol && scan.Text[tokens[p].Start] == ',')
        {
            p--;
        }
        if (p < 0 || tokens[p].Kind != TokenKind.Word || scan.Text.AsSpan(tokens[p].End, tokens[k].Start - tokens[p].End).Contains('\n'))
        {
            return false;
        }
        var w = tt.Span(tokens[p]);
        if (!Greetings.Contains(w))
        {
            return false;
        }
        // "done" and "luck" greet only as "well done" and "good luck"; "birthday" as "happy birthday".
        if (w.Equals("done", StringComparison.OrdinalIgnoreCase) || w.Equals("luck", StringComparison.OrdinalIgnoreCase) || w.Equals("birthday", StringComparison.OrdinalIgnoreCase))
        {
            return p > 0 && tokens[p - 1].Kind == TokenKind.Word && tt.Span(tokens[p - 1]).ToString().ToLowerInvariant() is "well" or "good" or "happy";
        }
        return true;
    }

    /// <summary>A lead phrase just before, on the same line: "ask for", "meeting with", "contact:".</summary>
    private static bool LeadBefore(Scan scan, int k)
    {
        var tt = scan.Tokens;
        var tokens = tt.Tokens;
        var p = k - 1;
        if (p >= 0 && tokens[p].Kind == TokenKind.Symbol && scan.Text[tokens[p].Start] == ':')
        {
            p--;
        }
        if (p < 0 || tokens[p].Kind != TokenKind.Word)
        {
            return false;
        }
        var from = p;
        while (from > 0 && p - from < 2 && tokens[from - 1].Kind == TokenKind.Word)
        {
            from--;
        }
        var phrase = scan.Text[tokens[from].Start..tokens[p].End].ToLowerInvariant();
        foreach (var lead in Leads)
        {
            if (phrase.EndsWith(lead, StringComparison.Ordinal) && (phrase.Length == lead.Length || phrase[^(lead.Length + 1)] == ' '))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The name is alone on its line, and the line before it is a sign-off ("Kind regards,").</summary>
    private static bool SignatureLine(Scan scan, int k, int last)
    {
        var text = scan.Text;
        var tokens = scan.Tokens.Tokens;
        var lineStart = text.LastIndexOf('\n', Math.Max(0, tokens[k].Start - 1));
        if (lineStart < 0 || text.AsSpan(lineStart + 1, tokens[k].Start - lineStart - 1).Trim().Length > 0)
        {
            return false;
        }
        var lineEnd = text.IndexOf('\n', tokens[last].End);
        var rest = text.AsSpan(tokens[last].End, (lineEnd < 0 ? text.Length : lineEnd) - tokens[last].End).Trim();
        if (rest.Length > 1 || (rest.Length == 1 && rest[0] is not ('.' or ',' or '!')))
        {
            return false;
        }
        // The line before: none when the name's line starts the text (a newline at 0 is the name line's own start).
        var prevStart = lineStart == 0 ? -1 : text.LastIndexOf('\n', lineStart - 1);
        var previous = text.AsSpan(prevStart + 1, lineStart - prevStart - 1).Trim().TrimEnd(",.!- ").ToString().ToLowerInvariant();
        return Array.IndexOf(SignOffs, previous) >= 0;
    }

    private static readonly WordSet Possessives = new("my our his her their your");

    private static readonly WordSet Relations = new("""
        son daughter wife husband partner mum mom mother dad father brother sister nan nana gran grandma grandad grandpa
        grandmother grandfather grandson granddaughter nephew niece cousin aunt auntie uncle neighbour neighbor friend colleague
        boss manager flatmate housemate landlord landlady child baby kid boyfriend girlfriend fiance fiancee stepson
        stepdaughter stepmum stepdad teacher student pupil
        """);

    /// <summary>
    /// "My neighbour's son" in a sentence that also gives a condition or treatment and a time or place: a
    /// jigsaw identification without a name. Found only in that combination, and then it blocks.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void Relationships(Scan scan, List<(int Start, int End, bool Professional)> spans)
    {
        var tt = scan.Tokens;
        var tokens = tt.Tokens;
        for (var k = 0; k + 1 < tokens.Length; k++)
        {
            if (tokens[k].Kind != TokenKind.Word || !Possessives.Contains(tt.Span(tokens[k])))
            {
                continue;
            }
            var j = k + 1;
            if (tokens[j].Kind != TokenKind.Word || !Relations.Contains(tt.Span(tokens[j])))
            {
                continue;
            }
            var end = j;
            // "my neighbour's son": a second relation after a possessive 's.
            if (j + 3 < tokens.Length && tokens[j + 1].Kind == TokenKind.Symbol && tt.Text[tokens[j + 1].Start] is '\'' or '\u2019'
                && tt.Span(tokens[j + 2]) is "s" && tokens[j + 3].Kind == TokenKind.Word && Relations.Contains(tt.Span(tokens[j + 3])))
            {
                end = j + 3;
            }
            var start = tokens[k].Start;
            var stop = tokens[end].End;
            if (spans.Exists(sp => sp.Start < stop + 40 && start - 40 < sp.End))
            {
                // A name is given near by ("my patient Priya"): the name is the finding.
                continue;
            }
            var (ss, se) = DatesOfBirth.SentenceAround(scan.Text, start, stop);
            if (SentenceIsJigsaw(scan, ss, se))
            {
                spans.Add((start, stop, false));
            }
            k = end;
        }
        spans.Sort(static (a, b) => a.Start.CompareTo(b.Start));
    }

    /// <summary>Words that make a condition something that happened to someone, not a topic ("a talk on sepsis").</summary>
    private static readonly WordSet CareEvents = new("""
        admitted admission diagnosed discharged died passed rushed taken treated had has having with after following suffered
        collapsed sectioned overdosed miscarried delivered operated nursed brought blue-lighted ventilated intubated resuscitated
        started finished recovering recovered fighting battling lost
        """);

    private static bool SentenceIsJigsaw(Scan scan, int from, int to)
    {
        var tt = scan.Tokens;
        var tokens = tt.Tokens;
        bool clinical = false, when = false, happened = false;
        for (var k = tt.TokenAt(from); k < tokens.Length && tokens[k].Start < to; k++)
        {
            if (tokens[k].Kind == TokenKind.Word)
            {
                var w = tt.Span(tokens[k]);
                clinical |= ClinicalLexicon.Conditions.Contains(w);
                when |= ClinicalLexicon.Times.Contains(w) || ClinicalLexicon.Places.Contains(w);
                happened |= CareEvents.Contains(w);
            }
        }
        return clinical && when && happened;
    }

    /// <summary>Clinical details plus a time or a place anywhere in the post.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static bool IsJigsaw(Scan scan)
    {
        var tt = scan.Tokens;
        var clinical = false;
        var when = false;
        var happened = false;
        foreach (var t in tt.Tokens)
        {
            if (t.Kind != TokenKind.Word)
            {
                continue;
            }
            var w = tt.Span(t);
            clinical |= ClinicalLexicon.Conditions.Contains(w) || ClinicalLexicon.Medicines.Contains(w);
            when |= ClinicalLexicon.Times.Contains(w) || ClinicalLexicon.Places.Contains(w);
            happened |= CareEvents.Contains(w);
            if (clinical && when && happened)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The name lists, loaded once from the files embedded in this assembly.</summary>
    internal sealed class Gazetteer
    {
        private static readonly WordSet Months = new("january february march april may june july august september october november december");

        private Gazetteer(WordSet first, WordSet surnames, WordSet ambiguous, WordSet places, HashSet<string> publicFigures)
        {
            FirstNames = first;
            Surnames = surnames;
            AmbiguousWords = ambiguous;
            Places = places;
            PublicFigures = publicFigures;
        }

        public WordSet Places { get; }

        /// <summary>Whole names (lower case, single spaces) of public figures and named institutions.</summary>
        public HashSet<string> PublicFigures { get; }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        public bool IsPublicFigure(string text, int start, int end)
        {
            // The span itself, or the span plus the next word ("Marie Curie", "Florence Nightingale").
            var span = text[start..end];
            if (PublicFigures.Contains(span.ToLowerInvariant()))
            {
                return true;
            }
            var next = end;
            while (next < text.Length && text[next] == ' ')
            {
                next++;
            }
            var wordEnd = next;
            while (wordEnd < text.Length && (char.IsLetter(text[wordEnd]) || text[wordEnd] is '\'' or '-'))
            {
                wordEnd++;
            }
            return wordEnd > next && PublicFigures.Contains((span + " " + text[next..wordEnd]).ToLowerInvariant());
        }

        public WordSet FirstNames { get; }

        public WordSet Surnames { get; }

        public WordSet AmbiguousWords { get; }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        public bool First(ReadOnlySpan<char> w) => FirstNames.Contains(w) || (w.Contains('-') && FirstNames.Contains(w[..w.IndexOf('-')]));

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        public bool Surname(ReadOnlySpan<char> w) => Surnames.Contains(w) || (w.Contains('-') && Surnames.Contains(w[(w.LastIndexOf('-') + 1)..]));

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        public bool Ambiguous(ReadOnlySpan<char> w) => AmbiguousWords.Contains(w);

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        public bool Month(ReadOnlySpan<char> w) => Months.Contains(w);

        public static Gazetteer Load()
        {
            var figures = new HashSet<string>(ReadLines("public-figures").Select(l => l.ToLowerInvariant()), StringComparer.Ordinal);
            return new Gazetteer(new WordSet(Read("first-names")), new WordSet(Read("surnames")), new WordSet(Read("ambiguous")),
                new WordSet(Read("places")), figures);
        }

        private static List<string> Read(string name) =>
            ReadLines(name).SelectMany(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();

        private static List<string> ReadLines(string name)
        {
            var asm = typeof(Gazetteer).Assembly;
            using var stream = asm.GetManifestResourceStream($"Drawbridge.Safety.Gazetteer.{name}.txt")
                ?? throw new InvalidOperationException($"The name list '{name}' is missing from {asm.GetName().Name}.");
            using var reader = new StreamReader(stream);
            var lines = new List<string>();
            while (reader.ReadLine() is { } line)
            {
                if (!line.StartsWith('#') && line.Trim().Length > 0)
                {
                    lines.Add(line.Trim());
                }
            }
            return lines;
        }
    }
}
