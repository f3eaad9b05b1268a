using System.Text.RegularExpressions;

namespace Drawbridge.Safety.Rules;

/// <summary>
/// Advice to a specific person about their own treatment ("you should stop your sertraline",
/// "take 400mg…"). General health information ("ibuprofen can irritate the stomach") and
/// signposting ("you should see your GP") are not findings.
/// </summary>
internal static partial class IndividualAdvice
{
    private const string Verbs = @"(?:stop|stopping|start|starting|take|taking|increase|increasing|decrease|reduce|reducing|double|doubling|halve|up|upping|lower|skip|come off|coming off|get off|wean (?:yourself )?off|taper|switch|swap|change|try|cut|drop|avoid|restart|resume|go back on|carry on taking|keep taking|continue taking|continue|use|apply|give (?:him|her|them|it)|pop|have|ditch|bin)";

    [GeneratedRegex(
        @"\G(?:you(?:'d| would| should| must| need to| have to| ought to| could| might want to| may want to| can| can just| want to|'ve got to| gotta| better)(?: (?:just|definitely|really|probably|maybe|perhaps|also|honestly|seriously|then|now|simply|try and|try to))* (?<neg>not |never )?" + Verbs + @"\b" +
        @"|\b(?:if i were you|if i was you|in your shoes|personally)\W{0,3}(?:i'd|i would|id)(?: (?:just|definitely|probably))? " + Verbs + @"\b" +
        @"|\b(?:i'd|i would) (?:just |definitely |probably )?(?!have )" + Verbs + @"\b" +
        @"|\b(?:i'd|i would|i|id) (?:strongly |really |definitely )?(?:recommend|suggest|advise)\b" +
        @"|\bgo ahead and " + Verbs + @"\b" +
        @"|\bno need (?:for you )?to (?:take|keep taking|finish|carry on)\b" +
        @"|\b(?:have you tried|why not try|why don't you|why dont you|try taking|try upping|try increasing|try stopping|try switching|best to take|best to stop)\b" +
        @"|(?:^|(?<=[.!?\n:,;]\s*)|(?<=\s[-\u2013]\s)|(?<=^[@#][\w.@]+\s+)|(?<=\n[@#][\w.@]+\s+))(?:(?:so|just|definitely|honestly|seriously|maybe|personally|tbh|hun|mate|babe|love|ok|okay|then|i'd say|my advice(?: would be| is)?)[,:]? ){0,3}(?:stop|start|take|increase|decrease|reduce|double|halve|up|lower|skip|come off|cut|drop|restart|switch to|swap to|don't take|do not take|dont take|stop taking|keep taking|carry on taking|avoid|pop|ditch)\b)",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Multiline | RegexOptions.ExplicitCapture, matchTimeoutMilliseconds: 1000)]
    private static partial Regex TriggerRegex();

    [GeneratedRegex(@"\b[0-9]+(?:\.[0-9]+)? ?(?:mg|mcg|µg|ug|ml|g|units?|tablets?|tabs?|pills?|capsules?|puffs?|sachets?|drops?)\b|\byour (?:dose|dosage|meds|medication|medicine|tablets|pills|prescription|inhaler|insulin|antidepressants?|antibiotics?|steroids?|painkillers?|patch|jab)\b|\b(?:twice|three times|four times|once) (?:a|per) day\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex DoseRegex();

    [GeneratedRegex(@"\b(?:(?:see|visit|contact|call|ring|phone|ask|speak to|speak with|talk to|talk with|check with|discuss (?:it |this |that )?with) (?:your |a |the |an |nhs )?(?:gp|doctor|dr|pharmacist|pharmacy|nurse|midwife|health visitor|consultant|specialist|prescriber|team|surgery|practice|111|999|dentist|optician|clinic|mental health team|crisis team)|(?:don't|do not|never) take more than|no more than|speak to someone|talk to someone|make an appointment|book an appointment|without (?:talking|speaking|checking|advice|medical advice)|unless (?:your|you've been|advised|told)|advised by|prescribed by|as prescribed|your prescriber|in general|generally|people who|anyone who|patients who|always read|the leaflet)\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex SignpostRegex();

    // The first word of every trigger above.
    private static readonly WordSet Triggers = new(
        "you if in personally i'd i id have why try best go no so just definitely honestly seriously maybe tbh hun mate babe love ok okay then my " +
        "stop start take increase decrease reduce double halve up lower skip come cut drop restart switch swap don't do dont keep carry avoid pop ditch");

    private static readonly WordSet ClauseStarters = new(
        "so just definitely honestly seriously maybe tbh hun mate babe love ok okay then my " +
        "stop start take increase decrease reduce double halve up lower skip come cut drop restart switch swap don't do dont keep carry avoid pop ditch");

    // Cheap checks on the words around a token before the trigger pattern is tried there.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static bool IsCandidate(Scan scan, int k)
    {
        var t = scan.Tokens[k];
        if (t.Kind != TokenKind.Word)
        {
            return false;
        }
        var w = scan.Tokens.Span(t);
        if (!Triggers.Contains(w))
        {
            return false;
        }
        if (w.Equals("you", StringComparison.OrdinalIgnoreCase) || w.Equals("why", StringComparison.OrdinalIgnoreCase)
            || w.Equals("personally", StringComparison.OrdinalIgnoreCase) || w.Equals("best", StringComparison.OrdinalIgnoreCase)
            || w.Equals("try", StringComparison.OrdinalIgnoreCase) || w.Equals("i'd", StringComparison.OrdinalIgnoreCase) || w.Equals("id", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }
        var next = scan.NextWord(k);
        if (w.Equals("i", StringComparison.OrdinalIgnoreCase))
        {
            return next.Equals("would", StringComparison.OrdinalIgnoreCase) || next.Equals("recommend", StringComparison.OrdinalIgnoreCase)
                || next.Equals("suggest", StringComparison.OrdinalIgnoreCase) || next.Equals("strongly", StringComparison.OrdinalIgnoreCase);
        }
        if (w.Equals("go", StringComparison.OrdinalIgnoreCase))
        {
            return next.Equals("ahead", StringComparison.OrdinalIgnoreCase);
        }
        if (w.Equals("no", StringComparison.OrdinalIgnoreCase))
        {
            return next.Equals("need", StringComparison.OrdinalIgnoreCase);
        }
        if (w.Equals("if", StringComparison.OrdinalIgnoreCase))
        {
            return next.Equals("i", StringComparison.OrdinalIgnoreCase);
        }
        if (w.Equals("in", StringComparison.OrdinalIgnoreCase))
        {
            return next.Equals("your", StringComparison.OrdinalIgnoreCase);
        }
        if (w.Equals("have", StringComparison.OrdinalIgnoreCase))
        {
            return next.Equals("you", StringComparison.OrdinalIgnoreCase);
        }
        return ClauseStarters.Contains(w) && scan.StartsClause(k);
    }

    [GeneratedRegex(@"^\W*(?:if|when|while) you\b|\b(?:if|when) you(?:'re| are| have|'ve| take| use| get)\b|\b(?:most people|most adults|anyone|everyone|people who|patients who|adults should|children should)\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex GeneralRegex();

    /// <summary>The post answers someone: it starts with an @handle or "Replying to", or an @handle opens the sentence.</summary>
    private static bool IsReply(string text, int sentenceFrom)
    {
        var t = text.AsSpan().TrimStart();
        if (t.StartsWith("@") || t.StartsWith("replying to", StringComparison.OrdinalIgnoreCase) || t.StartsWith("reply to", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }
        return text.AsSpan(sentenceFrom).TrimStart().StartsWith("@");
    }

    private static readonly WordSet Pronouns = new("it them those these that this one");

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static void Run(Scan scan)
    {
        var text = scan.Text;
        var lastEnd = -1;
        int[]? medicines = null;
        foreach (var m in scan.MatchesAt(TriggerRegex(), IsCandidate))
        {
            if (m.Index < lastEnd)
            {
                continue;
            }
            var (_, sentenceEnd) = DatesOfBirth.SentenceAround(text, m.Index, m.Index + m.Length);
            var clauseEnd = Math.Min(sentenceEnd, m.Index + m.Length + 90);
            var clause = text.AsSpan(m.Index, clauseEnd - m.Index);
            var tail = text.AsSpan(m.Index + m.Length, clauseEnd - m.Index - m.Length);
            if (SignpostRegex().IsMatch(clause))
            {
                continue;
            }
            // Health information for everyone ("If you take warfarin, avoid cranberry juice", "You should never
            // stop steroids suddenly") is not advice to one person, unless it is a reply to someone.
            var (sentenceFrom, _) = DatesOfBirth.SentenceAround(text, m.Index, m.Index + m.Length);
            var sentence = text.AsSpan(sentenceFrom, clauseEnd - sentenceFrom);
            var universal = m.Value.Contains(" never ", StringComparison.OrdinalIgnoreCase)
                || text.AsSpan(Math.Max(sentenceFrom, m.Index - 8), m.Index - Math.Max(sentenceFrom, m.Index - 8)).Contains("always", StringComparison.OrdinalIgnoreCase)
                || text.AsSpan(Math.Max(sentenceFrom, m.Index - 8), m.Index - Math.Max(sentenceFrom, m.Index - 8)).Contains("never", StringComparison.OrdinalIgnoreCase);
            if (!IsReply(text, sentenceFrom) && (universal || GeneralRegex().IsMatch(sentence)
                || (m.Value.StartsWith("you can", StringComparison.OrdinalIgnoreCase) && !clause.Contains("your", StringComparison.OrdinalIgnoreCase))))
            {
                continue;
            }
            var (sentenceStart, _) = DatesOfBirth.SentenceAround(text, m.Index, m.Index + m.Length);
            medicines ??= MedicineCounts(scan);
            var aboutMedicine = DoseRegex().IsMatch(clause) || Between(scan, medicines, sentenceStart, clauseEnd) > 0;
            var personal = m.Value.StartsWith("if", StringComparison.OrdinalIgnoreCase)
                || m.Value.StartsWith("in your", StringComparison.OrdinalIgnoreCase)
                || m.Value.StartsWith("personally", StringComparison.OrdinalIgnoreCase);
            if (!aboutMedicine && !(personal && StartsWithPronoun(tail)))
            {
                continue;
            }
            scan.Add(SafetyRules.IndividualAdvice, m.Index, clauseEnd, Severity.Warn,
                "This reads like advice to one person about their own treatment. Professionals should not give individual clinical advice in public: you don't know their history, and others may follow it.",
                "Share general information instead and signpost: \"please talk to your GP or a pharmacist, or call NHS 111\".");
            lastEnd = clauseEnd;
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static int[] MedicineCounts(Scan scan)
    {
        // counts[k] = medicine words among tokens 0..k-1, so any stretch of text is answered in O(log n).
        var tokens = scan.Tokens;
        var all = tokens.Tokens;
        var counts = new int[all.Length + 1];
        for (var k = 0; k < all.Length; k++)
        {
            counts[k + 1] = counts[k] + (all[k].Kind == TokenKind.Word && ClinicalLexicon.Medicines.Contains(tokens.Span(all[k])) ? 1 : 0);
        }
        return counts;
    }

    private static int Between(Scan scan, int[] counts, int from, int to) =>
        counts[scan.Tokens.TokenAt(to)] - counts[scan.Tokens.TokenAt(from)];

    private static bool StartsWithPronoun(ReadOnlySpan<char> tail)
    {
        tail = tail.TrimStart();
        foreach (var range in tail.Split(' '))
        {
            var word = tail[range].TrimEnd(",.!?".AsSpan());
            if (word.Length == 0)
            {
                continue;
            }
            return Pronouns.Contains(word) || word.Equals("taking", StringComparison.OrdinalIgnoreCase) || word.Equals("stopping", StringComparison.OrdinalIgnoreCase);
        }
        return false;
    }
}
