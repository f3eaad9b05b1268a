using System.Net;
using Drawbridge.Tests.Infrastructure;
using Drawbridge.Web;
using Microsoft.Extensions.DependencyInjection;

namespace Drawbridge.Tests.Web;

/// <summary>
/// Shared pages are kept compressed: a visitor gets back exactly the bytes the page was rendered as, the copy held
/// is a fraction of the page, and anything the store can't read is a miss (the page is rendered again), never an error.
/// </summary>
public sealed class CompressedOutputCacheStoreTests(DrawbridgeServer server) : IClassFixture<DrawbridgeServer>
{
    [Fact]
    public async Task A_visitor_gets_the_shared_copy_byte_for_byte_and_it_is_held_compressed()
    {
        var author = await server.SignUpAsync($"cz_{Guid.NewGuid():N}"[..14], "professional");
        using var authorHttp = server.Http(author.Token);
        var id = (await authorHttp.PostJsonAsync("/api/drawbridge/v1/posts", new { text = "Handover checklist: what worked on the ward this week #nhssm" })).Str("id");
        var path = $"/@{author.Handle}/{id}";

        using var http = server.Http();
        var first = await http.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var rendered = await first.Content.ReadAsByteArrayAsync();
        var second = await http.GetAsync(path);
        Assert.NotNull(second.Headers.Age);
        Assert.Equal(rendered, await second.Content.ReadAsByteArrayAsync());
        Assert.Equal(first.Content.Headers.ContentType, second.Content.Headers.ContentType);

        var packed = CompressedOutputCacheStore.Pack(rendered);
        Assert.True(packed.Length * 2 < rendered.Length, $"a {rendered.Length}-byte page was held in {packed.Length} bytes");
        Assert.Equal(rendered, CompressedOutputCacheStore.Unpack(packed));
    }

    [Fact]
    public void Bytes_that_do_not_compress_are_kept_as_they_are()
    {
        var noise = new byte[4096];
        new Random(7).NextBytes(noise);
        var packed = CompressedOutputCacheStore.Pack(noise);
        Assert.Equal(noise.Length + 5, packed.Length);
        Assert.Equal(noise, CompressedOutputCacheStore.Unpack(packed));
        Assert.Equal(Array.Empty<byte>(), CompressedOutputCacheStore.Unpack(CompressedOutputCacheStore.Pack([])));
    }

    [Fact]
    public void What_the_store_did_not_write_is_a_miss()
    {
        var packed = CompressedOutputCacheStore.Pack(System.Text.Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("<p>same words</p>", 200))));
        Assert.Null(CompressedOutputCacheStore.Unpack(null));
        Assert.Null(CompressedOutputCacheStore.Unpack([1, 2]));
        Assert.Null(CompressedOutputCacheStore.Unpack([9, .. packed[1..]]));
        Assert.Null(CompressedOutputCacheStore.Unpack(packed[..^3]));
        var wrongLength = packed.ToArray();
        wrongLength[1] ^= 0x40;
        Assert.Null(CompressedOutputCacheStore.Unpack(wrongLength));
    }

    [Fact]
    public async Task A_page_rendered_while_a_change_evicted_pages_is_not_kept()
    {
        // A reader's request began (stamp taken), then a reply committed and evicted its conversation, then the page,
        // rendered from what was read before the reply, came to be stored: kept, it would hide the reply for a minute.
        var store = Assert.IsType<CompressedOutputCacheStore>(server.Services.GetRequiredService<Microsoft.AspNetCore.OutputCaching.IOutputCacheStore>());
        var page = System.Text.Encoding.UTF8.GetBytes("<p>the conversation before the reply</p>");
        var before = store.Stamp;
        await store.EvictByTagAsync("conversation:1", CancellationToken.None);
        await store.SetAsync("stale", page, [before, "public"], TimeSpan.FromMinutes(1), CancellationToken.None);
        Assert.Null(await store.GetAsync("stale", CancellationToken.None));

        // Rendered with no eviction since its stamp: kept, and served back as it was.
        await store.SetAsync("fresh", page, [store.Stamp, "public"], TimeSpan.FromMinutes(1), CancellationToken.None);
        Assert.Equal(page, await store.GetAsync("fresh", CancellationToken.None));
        await store.EvictByTagAsync("public", CancellationToken.None);
        Assert.Null(await store.GetAsync("fresh", CancellationToken.None));
    }
}
