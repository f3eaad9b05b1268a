using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Drawbridge.Tests.Infrastructure;

namespace Drawbridge.Tests.Security;

/// <summary>What a request may cost the server: bodies are limited per endpoint, and an image's pixels before it is decoded.</summary>
public sealed class RequestLimitTests(DrawbridgeServer server) : IClassFixture<DrawbridgeServer>
{
    [Fact]
    public async Task A_huge_anonymous_safety_check_is_refused_with_413_and_a_normal_one_answers()
    {
        using var http = server.Http();
        // Just over the limit, the server answers 413; far over it (6 MB), it may also stop reading and close the connection.
        using var over = await http.PostAsJsonAsync(OwnApi.Path("/safety/check"), new { text = new string('a', 520 * 1024) });
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, over.StatusCode);
        try
        {
            using var huge = await http.PostAsJsonAsync(OwnApi.Path("/safety/check"), new { text = new string('a', 6 * 1024 * 1024) });
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, huge.StatusCode);
        }
        catch (HttpRequestException e) when (e.InnerException is IOException)
        {
            // Refused mid-body: the connection was closed before the server read it all.
        }
        using var normal = await http.PostAsJsonAsync(OwnApi.Path("/safety/check"), new { text = "My NHS number is 9434765919" });
        Assert.Equal(HttpStatusCode.OK, normal.StatusCode);
    }

    [Fact]
    public async Task Sign_up_and_token_requests_are_small()
    {
        using var http = server.Http();
        using var signUp = await http.PostAsJsonAsync(OwnApi.Path("/accounts"), new { handle = "big", email = "big@example.org", password = new string('p', 200_000) });
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, signUp.StatusCode);
        using var token = await http.PostAsJsonAsync(OwnApi.Path("/auth/tokens"), new { email = "big@example.org", password = new string('p', 200_000) });
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, token.StatusCode);
    }

    /// <summary>PNG's chunk checksum (CRC-32, polynomial 0xEDB88320).</summary>
    private static uint Crc32(byte[] data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
        }
        return ~crc;
    }

    /// <summary>A valid PNG header claiming 20,000 × 20,000 pixels (1.6 GB decoded) in a file of a few dozen bytes.</summary>
    private static byte[] PngClaiming(int width, int height)
    {
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 6; // RGBA
        byte[] Chunk(string type, byte[] data)
        {
            var typed = System.Text.Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
            var chunk = new byte[12 + data.Length];
            BinaryPrimitives.WriteInt32BigEndian(chunk, data.Length);
            typed.CopyTo(chunk, 4);
            BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), Crc32(typed));
            return chunk;
        }
        // A deflate stream of a few empty rows: enough for the decoder to start, nowhere near the size claimed.
        byte[] idat = [0x78, 0x9C, 0x63, 0x60, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01];
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, .. Chunk("IHDR", ihdr), .. Chunk("IDAT", idat), .. Chunk("IEND", [])];
    }

    [Fact]
    public async Task An_image_claiming_more_than_40_megapixels_is_refused_before_it_is_decoded()
    {
        var user = await server.SignUpAsync($"bomb_{Guid.NewGuid():N}"[..16]);
        using var h = server.Http(user.Token);
        var file = new ByteArrayContent(PngClaiming(20_000, 20_000));
        file.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        using var response = await h.PostAsync(OwnApi.Path("/media"), new MultipartFormDataContent { { file, "file", "bomb.png" }, { new StringContent("A picture"), "altText" } });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("at most 40 megapixels", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var fine = await h.PostAsync(OwnApi.Path("/media"), MediaAccessTests.ImageForm("A small picture"));
        Assert.Equal(HttpStatusCode.Created, fine.StatusCode);
    }
}
