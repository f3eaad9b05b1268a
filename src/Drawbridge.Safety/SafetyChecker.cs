using System.Text.RegularExpressions;
using Drawbridge.Safety.Rules;

namespace Drawbridge.Safety;

/// <summary>
/// The pre-publication safety check. Pure and thread-safe: call <see cref="Check"/> from anywhere,
/// as often as needed; the name lists load once, on first use.
/// </summary>
public static class SafetyChecker
{
    private static readonly (string Name, Action<Scan> Run)[] Rules =
    [
        ("patient-numbers", PatientNumbers.Run),
        (SafetyRules.HospitalNumber, HospitalNumbers.Run),
        (SafetyRules.Email, EmailAddresses.Run),
        (SafetyRules.Phone, Phones.Run),
        (SafetyRules.Postcode, Locations.RunPostcodes),
        (SafetyRules.Address, Locations.RunAddresses),
        (SafetyRules.DateOfBirth, DatesOfBirth.Run),
        (SafetyRules.PersonName, PersonNames.Run),
        (SafetyRules.IndividualAdvice, IndividualAdvice.Run),
        (SafetyRules.OneSidedClaim, OneSidedClaims.Run),
    ];

    /// <summary>
    /// Checks a post before publication. Findings come back in text order; offsets are UTF-16 code-unit
    /// indices into <paramref name="text"/>, end exclusive.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static IReadOnlyList<SafetyFinding> Check(string text, SafetyContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        context ??= SafetyContext.Default;
        var findings = new List<SafetyFinding>();
        if (context.HasImages)
        {
            findings.Add(new SafetyFinding(SafetyRules.ImageConsent, 0, 0, Severity.Nudge,
                "This post has images. A face, a wristband, a screen, notes or a bed number in the background can identify a patient.",
                "Check every image, and confirm that no patient can be identified or that you have their written consent."));
        }
        if (text.Length == 0)
        {
            return findings;
        }
        using var tokens = new TokenizedText(text);
        var scan = new Scan(tokens, context, findings);
        foreach (var (_, run) in Rules)
        {
            try
            {
                run(scan);
            }
            catch (RegexMatchTimeoutException)
            {
                // Patterns are bounded, so this needs pathological input; the other rules still run.
            }
        }
        return Resolve(findings);
    }

    /// <summary>True when the text contains an identifier on its own (NHS, CHI, H&amp;C or hospital number).</summary>
    public static bool ContainsIdentifier(string text) => Check(text).ContainsIdentifier();

    /// <summary>The number of first names and surnames the name rule knows.</summary>
    public static (int FirstNames, int Surnames) GazetteerSize => (PersonNames.FirstNameCount, PersonNames.SurnameCount);

    // Where two findings about "what" (a number, a name, a place) overlap, the more specific one wins.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static int Rank(string rule) => rule switch
    {
        SafetyRules.NhsNumber or SafetyRules.ChiNumber or SafetyRules.HealthAndCareNumber => 0,
        SafetyRules.HospitalNumber => 1,
        SafetyRules.Email => 2,
        SafetyRules.Phone => 3,
        SafetyRules.Postcode => 4,
        SafetyRules.DateOfBirth => 5,
        SafetyRules.Address => 6,
        SafetyRules.PersonName => 7,
        _ => -1,
    };

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static List<SafetyFinding> Resolve(List<SafetyFinding> findings)
    {
        if (findings.Count < 2)
        {
            return findings;
        }
        // Sweep the entity findings in text order, in clusters of mutually overlapping spans; inside a
        // cluster (almost always one or two findings) the higher-ranked, then longer, finding wins.
        var entities = new List<SafetyFinding>(findings.Count);
        var kept = new List<SafetyFinding>(findings.Count);
        foreach (var f in findings)
        {
            (Rank(f.Rule) >= 0 ? entities : kept).Add(f);
        }
        entities.Sort(static (a, b) => a.Start != b.Start ? a.Start.CompareTo(b.Start) : b.End.CompareTo(a.End));
        var clusterStart = 0;
        var clusterEnd = -1;
        for (var i = 0; i < entities.Count; i++)
        {
            if (i > clusterStart && entities[i].Start >= clusterEnd)
            {
                KeepBest(entities, clusterStart, i, kept);
                clusterStart = i;
            }
            clusterEnd = Math.Max(clusterEnd, entities[i].End);
        }
        if (entities.Count > 0)
        {
            KeepBest(entities, clusterStart, entities.Count, kept);
        }
        kept.Sort(static (a, b) => a.Start != b.Start ? a.Start.CompareTo(b.Start) : a.End.CompareTo(b.End));
        return kept;
    }

    private static void KeepBest(List<SafetyFinding> entities, int from, int to, List<SafetyFinding> kept)
    {
        if (to - from == 1)
        {
            kept.Add(entities[from]);
            return;
        }
        var cluster = entities.GetRange(from, to - from);
        cluster.Sort(static (a, b) => Rank(a.Rule) != Rank(b.Rule) ? Rank(a.Rule).CompareTo(Rank(b.Rule)) : b.Length.CompareTo(a.Length));
        var chosen = new List<SafetyFinding>(cluster.Count);
        foreach (var f in cluster)
        {
            if (!chosen.Exists(k => f.Start < k.End && k.Start < f.End))
            {
                chosen.Add(f);
            }
        }
        kept.AddRange(chosen);
    }
}
