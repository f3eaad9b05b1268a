using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Drawbridge.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Drawbridge.Tests.Mastodon;

/// <summary>Markers: where a person stopped reading, saved by one app and read by another.</summary>
public sealed class MastodonMarkersTests(DrawbridgeServer server) : IClassFixture<DrawbridgeServer>
{
    [Fact]
    public async Task Markers_are_saved_as_a_form_or_JSON_and_read_back_by_either_parameter_form()
    {
        var nurse = await server.SignUpAsync("mk_nurse");
        using var http = server.Http(nurse.Token);
        Assert.Equal("{}", await http.GetStringAsync("/api/v1/markers?timeline[]=home&timeline[]=notifications"));

        var saved = await http.PostAsync("/api/v1/markers", new FormUrlEncodedContent(new Dictionary<string, string> { ["home[last_read_id]"] = "103206" }));
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        var home = (await saved.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("home");
        Assert.Equal("103206", home.GetProperty("last_read_id").GetString());
        Assert.Equal(1, home.GetProperty("version").GetInt32());
        MastodonSchema.AssertValid(home, "Marker");

        (await http.PostAsJsonAsync("/api/v1/markers", new { notifications = new { last_read_id = "35098" } })).EnsureSuccessStatusCode();
        var again = await http.PostAsJsonAsync("/api/v1/markers", new { home = new { last_read_id = "103210" } });
        Assert.Equal(2, (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("home").GetProperty("version").GetInt32());

        var both = await http.GetFromJsonAsync<JsonElement>("/api/v1/markers?timeline[]=home&timeline[]=notifications");
        Assert.Equal("103210", both.GetProperty("home").GetProperty("last_read_id").GetString());
        Assert.Equal("35098", both.GetProperty("notifications").GetProperty("last_read_id").GetString());
        MastodonSchema.AssertValid(both.GetProperty("notifications"), "Marker");
        var one = await http.GetFromJsonAsync<JsonElement>("/api/v1/markers?timeline=notifications");
        Assert.Equal(["notifications"], one.EnumerateObject().Select(p => p.Name).ToArray());

        // Another person's markers are their own.
        var other = await server.SignUpAsync("mk_other");
        using var otherHttp = server.Http(other.Token);
        Assert.Equal("{}", await otherHttp.GetStringAsync("/api/v1/markers?timeline[]=home"));
    }

    [Fact]
    public async Task Markers_refuse_missing_tokens_narrow_scopes_and_bad_input_by_name()
    {
        var nurse = await server.SignUpAsync("mk_refused");
        using var anonymous = server.Http();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v1/markers?timeline[]=home")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync("/api/v1/markers", new { home = new { last_read_id = "1" } })).StatusCode);

        string readOnly;
        await using (var scope = server.Services.CreateAsyncScope())
        {
            var tokens = scope.ServiceProvider.GetRequiredService<Drawbridge.Accounts.AccessTokenService>();
            var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<Drawbridge.Accounts.User>>();
            readOnly = await tokens.IssueAsync(await users.FindByEmailAsync(nurse.Email), "reader", "read", null, CancellationToken.None);
        }
        using var reader = server.Http(readOnly);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("/api/v1/markers?timeline[]=home")).StatusCode);
        var forbidden = await reader.PostAsJsonAsync("/api/v1/markers", new { home = new { last_read_id = "1" } });
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal("This action is outside the authorized scopes", (await forbidden.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());

        using var http = server.Http(nurse.Token);
        var unknown = await http.GetAsync("/api/v1/markers?timeline[]=bookmarks");
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("bookmarks", (await unknown.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString(), StringComparison.Ordinal);
        var empty = await http.PostAsJsonAsync("/api/v1/markers", new { });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, empty.StatusCode);
        Assert.Contains("last_read_id", (await empty.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString(), StringComparison.Ordinal);
        var tooLong = await http.PostAsJsonAsync("/api/v1/markers", new { home = new { last_read_id = new string('9', 41) } });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, tooLong.StatusCode);
        Assert.Equal("{}", await http.GetStringAsync("/api/v1/markers?timeline[]=home"));
    }
}
