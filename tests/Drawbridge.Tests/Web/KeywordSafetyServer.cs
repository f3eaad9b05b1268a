using Drawbridge.Posts;
using Drawbridge.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Drawbridge.Tests.Web;

/// <summary>
/// The real server with a small, predictable safety screen in place of the library's, so the pages' handling of
/// block, warn and nudge findings can be checked whatever the library's rules are: "Jane Bloggs" is a
/// patient-identifier block, "dose" a clinical-advice warning, "asap" a plain-language nudge.
/// </summary>
public sealed class KeywordSafetyServer : DrawbridgeServer
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(s => s.AddSingleton<ISafetyScreen, KeywordScreen>());
    }

    public sealed class KeywordScreen : ISafetyScreen
    {
        private static readonly (string Word, FindingSeverity Severity, string Rule, string Message, string Suggestion, bool Identifier)[] Rules =
        [
            ("Jane Bloggs", FindingSeverity.Block, "patient-name", "This looks like a patient's name", "Remove the name or describe the person in general terms", true),
            ("dose", FindingSeverity.Warn, "clinical-advice", "This may read as advice about one person's treatment", "Point people to their GP, pharmacist or NHS 111", false),
            ("asap", FindingSeverity.Nudge, "plain-language", "Some readers may not know this abbreviation", "Write 'as soon as possible'", false),
        ];

        public IReadOnlyList<ScreenFinding> Screen(string text, bool hasImages)
        {
            var findings = new List<ScreenFinding>();
            foreach (var r in Rules)
            {
                var at = text.IndexOf(r.Word, StringComparison.OrdinalIgnoreCase);
                if (at >= 0)
                {
                    findings.Add(new ScreenFinding(r.Rule, at, at + r.Word.Length, r.Severity, r.Message, r.Suggestion, r.Identifier));
                }
            }
            return findings;
        }
    }
}
