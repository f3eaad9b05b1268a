using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Drawbridge.Accounts;
using Drawbridge.Data;
using Drawbridge.Federation;
using Drawbridge.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Drawbridge.Tests.Federation;

/// <summary>Actors and objects as another server fetches them, on the pages' own URLs by content negotiation.</summary>
public sealed class ActorTests(DrawbridgeServer server) : IClassFixture<DrawbridgeServer>
{
    private const string LdJson = "application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"";

    private async Task<(HttpResponseMessage Response, JsonElement Json)> FetchAsync(string path, string accept = "application/activity+json")
    {
        using var http = server.Http();
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(MediaTypeWithQualityHeaderValue.Parse(accept));
        var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        return (response, response.Content.Headers.ContentType?.MediaType?.Contains("json", StringComparison.Ordinal) == true ? JsonDocument.Parse(body).RootElement.Clone() : default);
    }

    private string Url(string path) => new Uri(server.BaseAddress, path).ToString();

    [Fact]
    public async Task A_professionals_profile_url_answers_activitypub_clients_with_a_person_and_browsers_with_the_page()
    {
        var ann = await server.SignUpAsync("actor_ann", "professional", "Staff nurse");
        using (var h = server.Http(ann.Token))
        {
            Assert.True((await h.PatchAsync("/api/drawbridge/v1/me", System.Net.Http.Json.JsonContent.Create(new { displayName = "Ann Actor", bio = "Nurse <b>and</b> writer", profession = "Staff nurse", employer = "Westward Trust" }))).IsSuccessStatusCode);
        }
        var (response, actor) = await FetchAsync("/@actor_ann");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/activity+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Accept", response.Headers.Vary);
        Assert.Equal(Url("/users/actor_ann"), actor.Str("id"));
        Assert.Equal("Person", actor.Str("type"));
        Assert.Equal("actor_ann", actor.Str("preferredUsername"));
        Assert.Equal("Ann Actor", actor.Str("name"));
        Assert.Contains("&lt;b&gt;", actor.Str("summary"), StringComparison.Ordinal);
        Assert.Equal(Url("/@actor_ann"), actor.Str("url"));
        Assert.Equal(Url("/users/actor_ann/inbox"), actor.Str("inbox"));
        Assert.Equal(Url("/users/actor_ann/outbox"), actor.Str("outbox"));
        Assert.Equal(Url("/users/actor_ann/followers"), actor.Str("followers"));
        Assert.Equal(Url("/users/actor_ann/following"), actor.Str("following"));
        Assert.Equal(Url("/users/actor_ann/collections/featured"), actor.Str("featured"));
        Assert.Equal(Url("/inbox"), actor.GetProperty("endpoints").Str("sharedInbox"));
        Assert.True(actor.GetProperty("discoverable").GetBoolean());
        Assert.True(actor.GetProperty("indexable").GetBoolean());
        Assert.False(actor.GetProperty("manuallyApprovesFollowers").GetBoolean());
        var fields = actor.GetProperty("attachment").EnumerateArray().ToDictionary(f => f.Str("name"), f => f.Str("value"));
        Assert.Equal("Staff nurse", fields["Profession"]);
        Assert.Equal("Westward Trust", fields["Employer"]);
        var key = actor.GetProperty("publicKey");
        Assert.Equal(Url("/users/actor_ann") + "#main-key", key.Str("id"));
        Assert.Equal(actor.Str("id"), key.Str("owner"));
        Assert.IsAssignableFrom<System.Security.Cryptography.RSA>(HttpSignatures.ImportPublicKey(key.Str("publicKeyPem")));

        // The /users form and the ld+json profile give the same actor and the same key.
        var (_, again) = await FetchAsync("/users/actor_ann", LdJson);
        Assert.Equal(key.Str("publicKeyPem"), again.GetProperty("publicKey").Str("publicKeyPem"));

        // A browser still gets the page.
        var (page, _) = await FetchAsync("/@actor_ann", "text/html");
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Ann Actor", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task What_the_server_signs_for_an_account_verifies_with_the_key_its_actor_publishes()
    {
        await server.SignUpAsync("actor_signer");
        var (_, actor) = await FetchAsync("/users/actor_signer");
        await using var scope = server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DrawbridgeDb>();
        var account = await db.Accounts.AsNoTracking().SingleAsync(a => a.HandleKey == "actor_signer");
        var signer = await scope.ServiceProvider.GetRequiredService<LocalActorKeys>().SignerAsync(account, default);
        Assert.Equal(actor.GetProperty("publicKey").Str("id"), signer.KeyId);
        var body = "{\"type\":\"Follow\"}"u8.ToArray();
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://remote.example/inbox") { Content = new ByteArrayContent(body) };
        HttpSignatures.SignCavage(request, signer.KeyId, signer.Key, DateTimeOffset.UtcNow, body);
        var check = await HttpSignatures.VerifyAsync(SignedMessage.From(request), body, DateTimeOffset.UtcNow,
            (id, _) => Task.FromResult<System.Security.Cryptography.AsymmetricAlgorithm?>(id == signer.KeyId ? HttpSignatures.ImportPublicKey(actor.GetProperty("publicKey").Str("publicKeyPem")) : null), default);
        Assert.Equal(signer.KeyId, check.KeyId);
    }

    [Fact]
    public async Task An_organisation_is_an_organization_and_unknown_accounts_are_not_found()
    {
        var pro = await server.SignUpAsync("actor_orgmaker", "professional");
        await server.Http(pro.Token).PostJsonAsync("/api/drawbridge/v1/organisations", new { handle = "ActorTrust", displayName = "Actor Trust", bio = "A trust" });
        var (_, org) = await FetchAsync("/@ActorTrust");
        Assert.Equal("Organization", org.Str("type"));
        Assert.Equal(Url("/users/actortrust"), org.Str("id"));
        var (missing, problem) = await FetchAsync("/users/nobody_at_all");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.False(string.IsNullOrWhiteSpace(problem.Str("detail")));
    }

    [Fact]
    public async Task Posts_are_notes_and_articles_with_title_summary_link_and_episode_enclosure()
    {
        var bo = await server.SignUpAsync("actor_bo", "professional");
        using var h = server.Http(bo.Token);
        var note = await h.PostJsonAsync("/api/drawbridge/v1/posts", new { text = "Handover went well #nhssm" });
        var (noteResponse, noteJson) = await FetchAsync($"/@actor_bo/{note.Str("id")}", LdJson);
        Assert.Equal(HttpStatusCode.OK, noteResponse.StatusCode);
        Assert.Equal("Note", noteJson.Str("type"));
        Assert.Equal(Url($"/users/actor_bo/statuses/{note.Str("id")}"), noteJson.Str("id"));
        Assert.Equal(Url($"/@actor_bo/{note.Str("id")}"), noteJson.Str("url"));
        Assert.Equal(Url("/users/actor_bo"), noteJson.Str("attributedTo"));
        Assert.Equal(["https://www.w3.org/ns/activitystreams#Public"], noteJson.GetProperty("to").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal([Url("/users/actor_bo/followers")], noteJson.GetProperty("cc").EnumerateArray().Select(t => t.GetString()));
        Assert.Contains("Handover went well", noteJson.Str("content"), StringComparison.Ordinal);
        Assert.Contains(noteJson.GetProperty("tag").EnumerateArray(), t => t.Str("type") == "Hashtag" && t.Str("name") == "#nhssm");

        var reply = await h.PostJsonAsync("/api/drawbridge/v1/posts", new { text = "And a reply", inReplyToId = note.Str("id") });
        var (_, replyJson) = await FetchAsync($"/users/actor_bo/statuses/{reply.Str("id")}");
        Assert.Equal(noteJson.Str("id"), replyJson.Str("inReplyTo"));

        var episode = await h.PostJsonAsync("/api/drawbridge/v1/posts", new { kind = "article", title = "Episode 2: Nights", summary = "On night shifts", text = "Show **notes**", enclosureUrl = "https://media.example.org/ep2.mp3" });
        var (_, article) = await FetchAsync($"/@actor_bo/{episode.Str("id")}");
        Assert.Equal("Article", article.Str("type"));
        Assert.Equal("Episode 2: Nights", article.Str("name"));
        Assert.Equal("On night shifts", article.Str("summary"));
        Assert.Equal(Url($"/@actor_bo/{episode.Str("id")}"), article.Str("url"));
        Assert.Contains("<strong>notes</strong>", article.Str("content"), StringComparison.Ordinal);
        var enclosure = Assert.Single(article.GetProperty("attachment").EnumerateArray());
        Assert.Equal("Audio", enclosure.Str("type"));
        Assert.Equal("https://media.example.org/ep2.mp3", enclosure.Str("url"));
        Assert.Equal("audio/mpeg", enclosure.Str("mediaType"));
    }

    [Fact]
    public async Task Followers_only_posts_are_not_served_to_unsigned_requests_and_deleted_ones_are_gone()
    {
        var cy = await server.SignUpAsync("actor_cy");
        using var h = server.Http(cy.Token);
        var hidden = await h.PostJsonAsync("/api/drawbridge/v1/posts", new { text = "Only for followers", visibility = "followers" });
        var (hiddenResponse, _) = await FetchAsync($"/users/actor_cy/statuses/{hidden.Str("id")}");
        Assert.Equal(HttpStatusCode.NotFound, hiddenResponse.StatusCode);

        var gone = await h.PostJsonAsync("/api/drawbridge/v1/posts", new { text = "Soon gone" });
        Assert.True((await h.DeleteAsync($"/api/drawbridge/v1/posts/{gone.Str("id")}")).IsSuccessStatusCode);
        var (goneResponse, tombstone) = await FetchAsync($"/@actor_cy/{gone.Str("id")}");
        Assert.Equal(HttpStatusCode.Gone, goneResponse.StatusCode);
        Assert.Equal("Tombstone", tombstone.Str("type"));

        // Another account's handle with this post's id is not found.
        await server.SignUpAsync("actor_dee");
        var (wrongAuthor, _) = await FetchAsync($"/users/actor_dee/statuses/{hidden.Str("id")}");
        Assert.Equal(HttpStatusCode.NotFound, wrongAuthor.StatusCode);
    }
}
