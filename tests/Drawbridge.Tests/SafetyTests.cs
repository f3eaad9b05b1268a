using System.Net;
using System.Net.Http.Json;
using Drawbridge.Data;
using Drawbridge.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Drawbridge.Tests;

/// <summary>The licence-to-converse check, where it applies in the host: composer, publishing, replies and guest comments.</summary>
public sealed class SafetyTests(DrawbridgeServer server) : IClassFixture<DrawbridgeServer>
{
    private const string NhsNumberText = "Lovely chat with our patient, NHS number 943 476 5919, on the ward today";

    [Fact]
    public async Task The_composer_check_reports_rule_span_severity_and_guidance()
    {
        var findings = await server.Http().PostJsonAsync("/api/drawbridge/v1/safety/check", new { text = NhsNumberText });
        var nhs = Assert.Single(findings.EnumerateArray(), f => f.Str("rule") == "nhs-number");
        Assert.Equal("block", nhs.Str("severity"));
        Assert.Equal("943 476 5919", NhsNumberText[nhs.GetProperty("start").GetInt32()..nhs.GetProperty("end").GetInt32()]);
        Assert.False(string.IsNullOrWhiteSpace(nhs.Str("message")));
        var clean = await server.Http().PostJsonAsync("/api/drawbridge/v1/safety/check", new { text = "Ward 7 was lovely today. Call 111 if you need advice." });
        Assert.Empty(clean.EnumerateArray());
    }

    [Fact]
    public async Task A_block_finding_stops_publication_until_the_text_changes()
    {
        var nurse = await server.SignUpAsync("blocknurse", "professional");
        using var h = server.Http(nurse.Token);
        var refused = await h.PostAsJsonAsync("/api/drawbridge/v1/posts", new { text = NhsNumberText, confirmWarnings = true });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("nhs-number", (await refused.ReadJsonAsync()).GetProperty("errors").GetProperty("text")[0].GetString(), StringComparison.Ordinal);
        Assert.Empty((await server.Http().GetJsonAsync($"/api/drawbridge/v1/accounts/{nurse.Handle}/posts")).EnumerateArray());
        var fixedText = await h.PostAsJsonAsync("/api/drawbridge/v1/posts", new { text = "Lovely chat with a patient on the ward today" });
        Assert.Equal(HttpStatusCode.Created, fixedText.StatusCode);
    }

    [Fact]
    public async Task A_warn_finding_needs_confirmation_and_the_confirmation_is_recorded()
    {
        var nurse = await server.SignUpAsync("warnnurse", "professional");
        using var h = server.Http(nurse.Token);
        const string text = "Questions about the clinic? Email the team at outpatients.team@example.org";
        var unconfirmed = await h.PostAsJsonAsync("/api/drawbridge/v1/posts", new { text });
        Assert.Equal(HttpStatusCode.BadRequest, unconfirmed.StatusCode);
        Assert.True((await unconfirmed.ReadJsonAsync()).GetProperty("errors").TryGetProperty("confirmWarnings", out _));
        var confirmed = await h.PostAsJsonAsync("/api/drawbridge/v1/posts", new { text, confirmWarnings = true });
        Assert.Equal(HttpStatusCode.Created, confirmed.StatusCode);
        var id = long.Parse((await confirmed.ReadJsonAsync()).Str("id"), System.Globalization.CultureInfo.InvariantCulture);
        await using var scope = server.Services.CreateAsyncScope();
        var post = await scope.ServiceProvider.GetRequiredService<DrawbridgeDb>().Posts.SingleAsync(p => p.Id == id);
        Assert.Contains("email", post.SafetyConfirmed, StringComparison.Ordinal);
        Assert.NotNull(post.SafetyConfirmedAt);
    }

    [Fact]
    public async Task A_nudge_never_stops_a_post()
    {
        var nurse = await server.SignUpAsync("nudgenurse", "professional");
        const string text = "This new dressing is a miracle, 100% safe for everyone!";
        var findings = await server.Http().PostJsonAsync("/api/drawbridge/v1/safety/check", new { text });
        Assert.Contains(findings.EnumerateArray(), f => f.Str("severity") == "nudge");
        var created = await server.Http(nurse.Token).PostAsJsonAsync("/api/drawbridge/v1/posts", new { text });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
    }

    [Fact]
    public async Task A_members_reply_with_their_own_nhs_number_is_held_privately_and_they_are_told_why()
    {
        var trust = await server.SignUpAsync("helptrust", "professional");
        var member = await server.SignUpAsync("worriedmember");
        var root = await server.Http(trust.Token).PostJsonAsync("/api/drawbridge/v1/posts", new { text = "Ask us about appointments" });
        var reply = await server.Http(member.Token).PostJsonAsync("/api/drawbridge/v1/posts", new { text = "Why was my appointment cancelled? My NHS number is 943 476 5919", inReplyToId = root.Str("id") });
        Assert.Equal("held", reply.Str("status"));
        Assert.Contains("NHS number", reply.Str("heldReason"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Http().GetAsync($"/api/drawbridge/v1/posts/{reply.Str("id")}")).StatusCode);
        var thread = await server.Http().GetJsonAsync($"/api/drawbridge/v1/posts/{root.Str("id")}/thread");
        Assert.Single(thread.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task A_guest_comment_with_identifiers_is_held_with_the_reason()
    {
        var author = await server.SignUpAsync("guestheld", "professional");
        var article = await server.Http(author.Token).PostJsonAsync("/api/drawbridge/v1/posts", new { kind = "article", title = "Our clinic", text = "How the clinic works" });
        var comment = await server.Http().PostJsonAsync($"/api/drawbridge/v1/posts/{article.Str("id")}/guest-comments", new { name = "Sam", email = "sam@example.org", text = "My NHS number is 9434765919, why no letter?" });
        Assert.Equal("held", comment.Str("status"));
        Assert.Contains("personal identifiers", comment.Str("heldReason"), StringComparison.Ordinal);
    }
}
