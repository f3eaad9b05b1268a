namespace Drawbridge.Posts;

public enum FindingSeverity { Nudge = 0, Warn = 1, Block = 2 }

/// <summary>One thing the licence-to-converse check found in a text, in the host's terms.</summary>
public sealed record ScreenFinding(string Rule, int Start, int End, FindingSeverity Severity, string Message, string? Suggestion, bool IsIdentifier = false);

/// <summary>The pre-publication check, as the host sees it.</summary>
public interface ISafetyScreen
{
    IReadOnlyList<ScreenFinding> Screen(string text, bool hasImages);
}

/// <summary>The host's adapter over the safety library (<see cref="Drawbridge.Safety.SafetyChecker"/>).</summary>
public sealed class SafetyScreen(TimeProvider clock) : ISafetyScreen
{
    public IReadOnlyList<ScreenFinding> Screen(string text, bool hasImages)
    {
        var context = new Drawbridge.Safety.SafetyContext { HasImages = hasImages, Today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime) };
        return Drawbridge.Safety.SafetyChecker.Check(text, context)
            .Select(f => new ScreenFinding(f.Rule, f.Start, f.End, (FindingSeverity)(int)f.Severity, f.Message, f.Suggestion, f.IsIdentifier))
            .ToList();
    }
}
