using System.Text.RegularExpressions;

namespace Drawbridge.Safety.Rules;

/// <summary>Strong claims ("cure", "100% safe", "miracle") in a post that mentions no limitation at all.</summary>
internal static partial class OneSidedClaims
{
    [GeneratedRegex(@"\G(?:miracle(?: cure| drug| treatment| pill| supplement| remedy)?s?|wonder (?:drug|pill|cure)s?|magic (?:bullet|pill|cure)|cures? (?:all|everything|it all|cancer|diabetes|anxiety|depression|autism|arthritis|asthma|eczema|dementia|covid)|(?:will|can|could|guaranteed to|proven to|sure to) (?:cure|fix|reverse|heal) (?:your|any|all|it|the|you)|cured (?:my|his|her|their|me|him|them|it)|100 ?%(?: (?:safe|effective|natural|successful|success rate|guaranteed|cure|risk[- ]free|proven|harmless|works))|(?:completely|totally|perfectly|entirely|absolutely|utterly) (?:safe|harmless|risk[- ]free)|(?:no|zero|without any) side[- ]effects|side[- ]effect[- ]free|risk[- ]free|zero risk|no risk(?:s)? (?:at all|whatsoever)|works for everyone|works every time|never fails|always works|guaranteed (?:results|to work|cure|weight loss)|instant(?:ly)? (?:cure|relief|results)|detox(?:es)? your|boosts? your immune system|reverses? (?:diabetes|ageing|aging|dementia)|cure for)\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex ClaimRegex();

    [GeneratedRegex(@"\b(?:however|although|though|but|side[- ]effects?|risks?|limitations?|limited|not for everyone|not suitable|may not|might not|doesn't work for|does not work for|won't work for|caution|evidence|some people|not everyone|talk to|speak to|check with|downsides?|drawbacks?|interactions?|contraindicat\w*|small (?:study|trial)|early (?:days|results|data)|more research)\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex LimitationRegex();

    [GeneratedRegex(@"\b(?:no|not|never|isn't|isnt|is not|aren't|not a|no such thing as a|there's no|there is no|wasn't|nothing is|no drug is|no treatment is|nothing's)\W+(?:\w+\W+){0,2}$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex NegationRegex();

    // "I feel completely safe with her": a feeling, not a claim about a treatment.
    [GeneratedRegex(@"\b(?:feel|feels|felt|feeling|kept|keep|keeps|am|was|were|are)\W+$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex FeelingRegex();

    private static readonly WordSet Triggers = new(
        "miracle miracles wonder magic cure cures cured will can could guaranteed proven sure 100 completely totally perfectly " +
        "entirely absolutely utterly no zero without side side-effect risk risk-free works never always instant instantly " +
        "detox detoxes boost boosts reverse reverses");

    private static readonly WordSet CommonFirstWords = new("will can could no zero without never always works sure side");

    private static readonly WordSet CommonSecondWords = new("cure fix reverse heal to side side-effects side-effect effects effect risk risks fails works for every");

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static bool IsCandidate(Scan scan, int k)
    {
        var t = scan.Tokens[k];
        if (t.Kind == TokenKind.Symbol)
        {
            return false;
        }
        var w = scan.Tokens.Span(t);
        if (!Triggers.Contains(w))
        {
            return false;
        }
        // Frequent words start a claim only before one of a few words ("will cure", "no side effects", "always works").
        return !CommonFirstWords.Contains(w) || CommonSecondWords.Contains(scan.NextWord(k));
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static void Run(Scan scan)
    {
        var text = scan.Text;
        List<(int, int)>? claims = null;
        foreach (var m in scan.MatchesAt(ClaimRegex(), IsCandidate))
        {
            var from = Math.Max(0, m.Index - 30);
            var before = text.AsSpan(from, m.Index - from);
            if (NegationRegex().IsMatch(before) || FeelingRegex().IsMatch(before))
            {
                continue;
            }
            claims ??= [];
            claims.Add((m.Index, m.Index + m.Length));
        }
        if (claims is null)
        {
            return;
        }
        foreach (Match m in LimitationRegex().Matches(text))
        {
            // "no side effects" and "risk-free" are claims, not limitations.
            if (!claims.Exists(c => m.Index < c.Item2 && c.Item1 < m.Index + m.Length))
            {
                return;
            }
        }
        foreach (var (start, end) in claims)
        {
            scan.Add(SafetyRules.OneSidedClaim, start, end, Severity.Nudge,
                "This is a strong claim with no limitation mentioned. Professional guidance asks us to discuss limits and risks, not only benefits.",
                "Say who it may not suit, what the evidence is, or what the side effects can be.");
        }
    }
}
