namespace Drawbridge.Safety;

/// <summary>How strongly a finding holds back publication.</summary>
public enum Severity
{
    /// <summary>Never stops anything; a gentle reminder.</summary>
    Nudge = 0,

    /// <summary>The author must confirm before publishing; the confirmation is recorded by the host.</summary>
    Warn = 1,

    /// <summary>Publication is stopped until the text changes.</summary>
    Block = 2,
}

/// <summary>
/// One result of the safety check: which rule fired, where (UTF-16 offsets into the checked text,
/// <see cref="End"/> exclusive), how serious it is, and what to tell the author.
/// </summary>
public sealed record SafetyFinding(
    string Rule,
    int Start,
    int End,
    Severity Severity,
    string Message,
    string Suggestion)
{
    /// <summary>Length of the flagged span in UTF-16 code units.</summary>
    public int Length => End - Start;

    /// <summary>
    /// True for findings that are a patient identifier on their own (NHS, CHI, H&amp;C or hospital number).
    /// A public reply or guest comment with such a finding is held privately.
    /// </summary>
    public bool IsIdentifier => SafetyRules.IsIdentifierRule(Rule) && Severity == Severity.Block;

    /// <summary>The flagged text, cut from the text that was checked.</summary>
    public string Excerpt(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Substring(Start, End - Start);
    }
}

/// <summary>The rule ids, exactly as the CLI and the API report them.</summary>
public static class SafetyRules
{
    public const string NhsNumber = "nhs-number";
    public const string ChiNumber = "chi-number";
    public const string HealthAndCareNumber = "hc-number";
    public const string HospitalNumber = "hospital-number";
    public const string DateOfBirth = "date-of-birth";
    public const string Postcode = "postcode";
    public const string Address = "address";
    public const string Phone = "phone";
    public const string Email = "email";
    public const string PersonName = "person-name";
    public const string IndividualAdvice = "individual-advice";
    public const string ImageConsent = "image-consent";
    public const string OneSidedClaim = "one-sided-claim";

    /// <summary>Every rule id, in the order of the rules table.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        NhsNumber, ChiNumber, HealthAndCareNumber, HospitalNumber, DateOfBirth, Postcode, Address,
        Phone, Email, PersonName, IndividualAdvice, ImageConsent, OneSidedClaim,
    ];

    /// <summary>True for the rules whose findings identify a patient by number on their own.</summary>
    public static bool IsIdentifierRule(string rule) =>
        rule is NhsNumber or ChiNumber or HealthAndCareNumber or HospitalNumber;
}

/// <summary>What the host knows about a post besides its text.</summary>
public sealed record SafetyContext
{
    /// <summary>The post carries images (or other media showing people): the author is asked to confirm consent.</summary>
    public bool HasImages { get; init; }

    /// <summary>
    /// The day the check runs, used to tell a date of birth from the date of an event when an age is given.
    /// Defaults to today (UTC) when not set.
    /// </summary>
    public DateOnly? Today { get; init; }

    /// <summary>A context with nothing set.</summary>
    public static SafetyContext Default { get; } = new();
}
