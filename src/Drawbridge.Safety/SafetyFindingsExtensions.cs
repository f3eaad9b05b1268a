namespace Drawbridge.Safety;

/// <summary>Questions a host asks about the findings of one check.</summary>
public static class SafetyFindingsExtensions
{
    /// <summary>True when any finding blocks publication.</summary>
    public static bool BlocksPublication(this IReadOnlyList<SafetyFinding> findings)
    {
        ArgumentNullException.ThrowIfNull(findings);
        foreach (var f in findings)
        {
            if (f.Severity == Severity.Block)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>True when nothing blocks but at least one finding needs the author's confirmation.</summary>
    public static bool NeedsConfirmation(this IReadOnlyList<SafetyFinding> findings)
    {
        ArgumentNullException.ThrowIfNull(findings);
        var warn = false;
        foreach (var f in findings)
        {
            if (f.Severity == Severity.Block)
            {
                return false;
            }
            warn |= f.Severity == Severity.Warn;
        }
        return warn;
    }

    /// <summary>
    /// True when the text carries an identifier on its own (NHS, CHI, H&amp;C or hospital number):
    /// a public reply or guest comment like that is held privately.
    /// </summary>
    public static bool ContainsIdentifier(this IReadOnlyList<SafetyFinding> findings)
    {
        ArgumentNullException.ThrowIfNull(findings);
        foreach (var f in findings)
        {
            if (f.IsIdentifier)
            {
                return true;
            }
        }
        return false;
    }
}
