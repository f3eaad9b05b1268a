using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Drawbridge.Accounts;
using Drawbridge.Data;
using Drawbridge.Social;
using Drawbridge.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Drawbridge.Tests.Federation;

/// <summary>
/// Followers and following as other servers read them (paged <c>OrderedCollection</c>s of actor ids) and as people read
/// them (a page per list on the profile): accepted follows only, local and remote alike, twenty at a time.
/// </summary>
public sealed partial class FollowCollectionTests(FederatingServer server) : IClassFixture<FederatingServer>
{
    private static string[] Items(JsonElement page) => page.GetProperty("orderedItems").EnumerateArray().Select(i => i.GetString()!).ToArray();

    /// <summary>Remote accounts following <paramref name="localId"/>, accepted (or only requested), oldest first.</summary>
    private async Task<List<string>> RemoteFollowersAsync(long localId, string prefix, int count, FollowState state = FollowState.Accepted)
    {
        return await server.WithDbAsync(async (db, services) =>
        {
            var ids = services.GetRequiredService<Snowflake>();
            var uris = new List<string>();
            var start = DateTime.UtcNow.AddHours(-1);
            for (var i = 0; i < count; i++)
            {
                var name = $"{prefix}{i}";
                var account = new Account
                {
                    Id = ids.Next(),
                    Handle = name,
                    HandleKey = name,
                    Domain = "care.example",
                    Uri = $"https://care.example/users/{name}",
                    Url = $"https://care.example/@{name}",
                    InboxUri = $"https://care.example/users/{name}/inbox",
                    DisplayName = $"Remote {name}",
                    CreatedAt = start,
                };
                db.Accounts.Add(account);
                db.Follows.Add(new Follow { FollowerId = account.Id, FolloweeId = localId, CreatedAt = start.AddSeconds(i), State = state });
                uris.Add(account.Uri);
            }
            if (state == FollowState.Accepted)
            {
                await db.Accounts.Where(a => a.Id == localId).ExecuteUpdateAsync(s => s.SetProperty(a => a.FollowersCount, a => a.FollowersCount + count));
            }
            await db.SaveChangesAsync();
            return uris;
        });
    }

    [Fact]
    public async Task Followers_and_following_are_paged_collections_of_actor_ids_with_accepted_follows_only()
    {
        var ann = await server.SignUpAsync("coll_ann", "professional");
        var annId = long.Parse(ann.Id, System.Globalization.CultureInfo.InvariantCulture);
        var remote = await RemoteFollowersAsync(annId, "coll_r", 22);
        var requested = await RemoteFollowersAsync(annId, "coll_q", 1, FollowState.Requested);
        var fan = await server.SignUpAsync("coll_fan");
        using (var h = server.Http(fan.Token))
        {
            await h.PostJsonAsync($"/api/drawbridge/v1/accounts/{ann.Id}/follow");
        }
        using var ap = server.Http();
        ap.DefaultRequestHeaders.Accept.ParseAdd("application/activity+json");
        var id = $"{server.PublicUrl}/users/coll_ann/followers";

        var collection = await ap.GetJsonAsync(id);
        Assert.Equal("OrderedCollection", collection.Str("type"));
        Assert.Equal(23, collection.GetProperty("totalItems").GetInt32());
        Assert.Equal($"{id}?page=1", collection.Str("first"));

        var first = await ap.GetJsonAsync(collection.Str("first"));
        Assert.Equal("OrderedCollectionPage", first.Str("type"));
        Assert.Equal(id, first.Str("partOf"));
        Assert.Equal(20, Items(first).Length);
        Assert.False(first.TryGetProperty("prev", out _));
        var second = await ap.GetJsonAsync(first.Str("next"));
        Assert.Equal($"{id}?page=1", second.Str("prev"));
        Assert.False(second.TryGetProperty("next", out _));
        var all = Items(first).Concat(Items(second)).ToList();
        Assert.Equal(23, all.Distinct().Count());
        Assert.Equal($"{server.PublicUrl}/users/coll_fan", all[0]); // newest follow first
        Assert.Equal(remote.AsEnumerable().Reverse(), all.Skip(1));
        Assert.DoesNotContain(requested[0], all);

        var following = await ap.GetJsonAsync(await FirstPageAsync(ap, $"{server.PublicUrl}/users/coll_fan/following"));
        Assert.Equal([$"{server.PublicUrl}/users/coll_ann"], Items(following));

        foreach (var bad in new[] { "abc", "0", "-1", "501" })
        {
            var refused = await ap.GetAsync($"{id}?page={bad}");
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains("page", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        Assert.Equal(HttpStatusCode.NotFound, (await ap.GetAsync($"{server.PublicUrl}/users/nobody_here/followers")).StatusCode);
    }

    private static async Task<string> FirstPageAsync(HttpClient ap, string collection) => (await ap.GetJsonAsync(collection)).Str("first");

    [Fact]
    public async Task The_profile_lists_followers_and_following_page_by_page()
    {
        var bea = await server.SignUpAsync("coll_bea", "professional");
        var beaId = long.Parse(bea.Id, System.Globalization.CultureInfo.InvariantCulture);
        await RemoteFollowersAsync(beaId, "coll_p", 21);
        using var web = server.Http();

        var profile = await web.GetStringAsync("/@coll_bea");
        Assert.Contains("href=\"/@coll_bea/followers\"", profile, StringComparison.Ordinal);
        Assert.Contains("href=\"/@coll_bea/following\"", profile, StringComparison.Ordinal);

        var page1 = await web.GetStringAsync("/@coll_bea/followers");
        Assert.Contains("People who follow", page1, StringComparison.Ordinal);
        Assert.Equal(20, PersonLink().Matches(page1).Count);
        Assert.Contains("href=\"/@coll_p20@care.example\"", page1, StringComparison.Ordinal); // newest first
        Assert.Contains("href=\"/@coll_bea/followers?page=2\"", page1, StringComparison.Ordinal);
        var page2 = await web.GetStringAsync("/@coll_bea/followers?page=2");
        Assert.Single(PersonLink().Matches(page2));
        Assert.Contains("href=\"/@coll_p0@care.example\"", page2, StringComparison.Ordinal);
        Assert.Contains("Previous page", page2, StringComparison.Ordinal);
        Assert.DoesNotContain("Next page", page2, StringComparison.Ordinal);

        var following = await web.GetStringAsync("/@coll_bea/following");
        Assert.Contains("follow anyone yet", following, StringComparison.Ordinal);

        var badPage = await web.GetAsync("/@coll_bea/followers?page=two");
        Assert.Equal(HttpStatusCode.BadRequest, badPage.StatusCode);
        Assert.Contains("page number", await badPage.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await web.GetAsync("/@nobody_here/followers")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await web.GetAsync("/@coll_p0@care.example/followers")).StatusCode);
    }

    [GeneratedRegex("<li class=\"db-review\">")]
    private static partial Regex PersonLink();
}
