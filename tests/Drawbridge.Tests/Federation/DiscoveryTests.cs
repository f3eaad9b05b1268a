using System.Net;
using System.Xml.Linq;
using Drawbridge.Tests.Infrastructure;

namespace Drawbridge.Tests.Federation;

/// <summary>WebFinger, host-meta and NodeInfo as another server asks for them, through the real server.</summary>
public sealed class DiscoveryTests(DrawbridgeServer server) : IClassFixture<DrawbridgeServer>
{
    private string Domain => server.BaseAddress.Authority;

    [Fact]
    public async Task WebFinger_finds_an_account_by_acct_and_by_actor_url()
    {
        await server.SignUpAsync("finger_ann", "professional");
        using var http = server.Http();
        var response = await http.GetAsync($"/.well-known/webfinger?resource=acct:finger_ann@{Domain}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/jrd+json", response.Content.Headers.ContentType?.MediaType);
        var jrd = await response.ReadJsonAsync();
        Assert.Equal($"acct:finger_ann@{Domain}", jrd.Str("subject"));
        var self = jrd.GetProperty("links").EnumerateArray().Single(l => l.Str("rel") == "self");
        Assert.Equal("application/activity+json", self.Str("type"));
        var actor = self.Str("href");
        Assert.Equal(new Uri(server.BaseAddress, "/users/finger_ann").ToString(), actor);
        Assert.Contains(jrd.GetProperty("links").EnumerateArray(), l => l.Str("rel") == "http://webfinger.net/rel/profile-page" && l.Str("href").EndsWith("/@finger_ann", StringComparison.Ordinal));

        // The actor URL and the profile URL name the same account; so does a differently capitalised acct.
        foreach (var resource in new[] { actor, new Uri(server.BaseAddress, "/@finger_ann").ToString(), $"acct:FINGER_ANN@{Domain}" })
        {
            var again = await http.GetJsonAsync($"/.well-known/webfinger?resource={Uri.EscapeDataString(resource)}");
            Assert.Equal($"acct:finger_ann@{Domain}", again.Str("subject"));
        }
    }

    [Theory]
    [InlineData("", HttpStatusCode.BadRequest)]
    [InlineData("?resource=", HttpStatusCode.BadRequest)]
    [InlineData("?resource=acct:nobody_here@{domain}", HttpStatusCode.NotFound)]
    [InlineData("?resource=acct:finger_bo@elsewhere.example", HttpStatusCode.NotFound)]
    [InlineData("?resource=https://elsewhere.example/users/finger_bo", HttpStatusCode.NotFound)]
    [InlineData("?resource=acct:%3Cscript%3E@{domain}", HttpStatusCode.NotFound)]
    [InlineData("?resource=not%20a%20resource", HttpStatusCode.NotFound)]
    public async Task WebFinger_refuses_what_names_no_account_here_with_a_reason(string query, HttpStatusCode expected)
    {
        var response = await server.Http().GetAsync("/.well-known/webfinger" + query.Replace("{domain}", Domain, StringComparison.Ordinal));
        Assert.Equal(expected, response.StatusCode);
        var problem = await response.ReadJsonAsync();
        Assert.False(string.IsNullOrWhiteSpace(problem.Str("detail")));
    }

    [Fact]
    public async Task Host_meta_points_at_webfinger()
    {
        var response = await server.Http().GetAsync("/.well-known/host-meta");
        Assert.Equal("application/xrd+xml", response.Content.Headers.ContentType?.MediaType);
        var xrd = XDocument.Parse(await response.Content.ReadAsStringAsync());
        var link = Assert.Single(xrd.Root!.Elements());
        Assert.Equal("lrdd", link.Attribute("rel")?.Value);
        Assert.Equal($"{server.BaseAddress.ToString().TrimEnd('/')}/.well-known/webfinger?resource={{uri}}", link.Attribute("template")?.Value);
    }

    [Fact]
    public async Task NodeInfo_2_0_and_2_1_say_drawbridge_speaks_activitypub_as_mastodon_does()
    {
        await server.SignUpAsync("nodeinfo_cy");
        using var http = server.Http();
        var index = await http.GetJsonAsync("/.well-known/nodeinfo");
        var links = index.GetProperty("links").EnumerateArray().ToDictionary(l => l.Str("rel"), l => l.Str("href"));
        Assert.Equal(new Uri(server.BaseAddress, "/nodeinfo/2.0").ToString(), links["http://nodeinfo.diaspora.software/ns/schema/2.0"]);
        Assert.Equal(new Uri(server.BaseAddress, "/nodeinfo/2.1").ToString(), links["http://nodeinfo.diaspora.software/ns/schema/2.1"]);
        foreach (var version in new[] { "2.0", "2.1" })
        {
            var response = await http.GetAsync($"/nodeinfo/{version}");
            Assert.Contains($"schema/{version}#", response.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
            var info = await response.ReadJsonAsync();
            Assert.Equal(version, info.Str("version"));
            Assert.Equal("drawbridge", info.GetProperty("software").Str("name"));
            Assert.Equal(["activitypub"], info.GetProperty("protocols").EnumerateArray().Select(p => p.GetString()));
            Assert.True(info.GetProperty("usage").GetProperty("users").GetProperty("total").GetInt32() >= 1);
            Assert.Equal("mastodon", info.GetProperty("metadata").GetProperty("upstream").Str("name"));
        }
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/nodeinfo/1.0")).StatusCode);
    }
}
