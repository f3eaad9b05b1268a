using System.Security.Cryptography;
using System.Text;
using Drawbridge.Federation;

namespace Drawbridge.Tests.Federation;

/// <summary>
/// HTTP signatures against the specifications' own examples: draft-cavage-http-signatures-12 Appendix C (its test key
/// and request) and RFC 9421 Appendix B.2 (its RSA-PSS key and request).
/// </summary>
public sealed class HttpSignatureTests
{
    private const string CavagePrivateKey = """
        -----BEGIN RSA PRIVATE KEY-----
        MIICXgIBAAKBgQDCFENGw33yGihy92pDjZQhl0C36rPJj+CvfSC8+q28hxA161QF
        NUd13wuCTUcq0Qd2qsBe/2hFyc2DCJJg0h1L78+6Z4UMR7EOcpfdUE9Hf3m/hs+F
        UR45uBJeDK1HSFHD8bHKD6kv8FPGfJTotc+2xjJwoYi+1hqp1fIekaxsyQIDAQAB
        AoGBAJR8ZkCUvx5kzv+utdl7T5MnordT1TvoXXJGXK7ZZ+UuvMNUCdN2QPc4sBiA
        QWvLw1cSKt5DsKZ8UETpYPy8pPYnnDEz2dDYiaew9+xEpubyeW2oH4Zx71wqBtOK
        kqwrXa/pzdpiucRRjk6vE6YY7EBBs/g7uanVpGibOVAEsqH1AkEA7DkjVH28WDUg
        f1nqvfn2Kj6CT7nIcE3jGJsZZ7zlZmBmHFDONMLUrXR/Zm3pR5m0tCmBqa5RK95u
        412jt1dPIwJBANJT3v8pnkth48bQo/fKel6uEYyboRtA5/uHuHkZ6FQF7OUkGogc
        mSJluOdc5t6hI1VsLn0QZEjQZMEOWr+wKSMCQQCC4kXJEsHAve77oP6HtG/IiEn7
        kpyUXRNvFsDE0czpJJBvL/aRFUJxuRK91jhjC68sA7NsKMGg5OXb5I5Jj36xAkEA
        gIT7aFOYBFwGgQAQkWNKLvySgKbAZRTeLBacpHMuQdl1DfdntvAyqpAZ0lY0RKmW
        G6aFKaqQfOXKCyWoUiVknQJAXrlgySFci/2ueKlIE1QqIiLSZ8V8OlpFLRnb1pzI
        7U1yQXnTAEFYM560yJlzUpOb1V4cScGd365tiSMvxLOvTA==
        -----END RSA PRIVATE KEY-----
        """;

    private const string CavagePublicKey = """
        -----BEGIN PUBLIC KEY-----
        MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDCFENGw33yGihy92pDjZQhl0C3
        6rPJj+CvfSC8+q28hxA161QFNUd13wuCTUcq0Qd2qsBe/2hFyc2DCJJg0h1L78+6
        Z4UMR7EOcpfdUE9Hf3m/hs+FUR45uBJeDK1HSFHD8bHKD6kv8FPGfJTotc+2xjJw
        oYi+1hqp1fIekaxsyQIDAQAB
        -----END PUBLIC KEY-----
        """;

    private const string Rfc9421RsaPssPublicKey = """
        -----BEGIN PUBLIC KEY-----
        MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAr4tmm3r20Wd/PbqvP1s2
        +QEtvpuRaV8Yq40gjUR8y2Rjxa6dpG2GXHbPfvMs8ct+Lh1GH45x28Rw3Ry53mm+
        oAXjyQ86OnDkZ5N8lYbggD4O3w6M6pAvLkhk95AndTrifbIFPNU8PPMO7OyrFAHq
        gDsznjPFmTOtCEcN2Z1FpWgchwuYLPL+Wokqltd11nqqzi+bJ9cvSKADYdUAAN5W
        Utzdpiy6LbTgSxP7ociU4Tn0g5I6aDZJ7A8Lzo0KSyZYoA485mqcO0GVAdVw9lq4
        aOT9v6d+nb4bnNkQVklLQ3fVAvJm+xdDOp9LCNCN48V2pnDOkFV6+U9nV5oyc6XI
        2wIDAQAB
        -----END PUBLIC KEY-----
        """;

    private static readonly byte[] HelloWorld = Encoding.UTF8.GetBytes("{\"hello\": \"world\"}");
    private static readonly DateTimeOffset CavageDate = new(2014, 1, 5, 21, 31, 40, TimeSpan.Zero);

    private static HttpRequestMessage CavageRequest()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "http://example.com/foo?param=value&pet=dog")
        {
            Content = new ByteArrayContent(HelloWorld),
        };
        request.Headers.Host = "example.com";
        request.Headers.Date = CavageDate;
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        request.Content.Headers.ContentLength = 18;
        request.Headers.TryAddWithoutValidation("Digest", "SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=");
        return request;
    }

    private static RSA PrivateKey()
    {
        var rsa = RSA.Create();
        rsa.ImportFromPem(CavagePrivateKey);
        return rsa;
    }

    private static Func<string, CancellationToken, Task<AsymmetricAlgorithm?>> Keys(string keyId, string pem) =>
        (id, _) => Task.FromResult(id == keyId ? HttpSignatures.ImportPublicKey(pem) : null);

    private static string SignatureOf(HttpRequestMessage request) =>
        HttpSignatures.ParseCavage(request.Headers.GetValues("Signature").Single()) is var p ? Convert.ToBase64String(p.Signature) : "";

    [Fact]
    public void The_digest_of_the_drafts_example_body_is_the_drafts_digest()
    {
        Assert.Equal("SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=", HttpSignatures.Digest(HelloWorld));
    }

    [Theory]
    [InlineData("date", "SjWJWbWN7i0wzBvtPl8rbASWz5xQW6mcJmn+ibttBqtifLN7Sazz6m79cNfwwb8DMJ5cou1s7uEGKKCs+FLEEaDV5lp7q25WqS+lavg7T8hc0GppauB6hbgEKTwblDHYGEtbGmtdHgVCk9SuS13F0hZ8FD0k/5OxEPXe5WozsbM=")]
    [InlineData("(request-target) host date", "qdx+H7PHHDZgy4y/Ahn9Tny9V3GP6YgBPyUXMmoxWtLbHpUnXS2mg2+SbrQDMCJypxBLSPQR2aAjn7ndmw2iicw3HMbe8VfEdKFYRqzic+efkb3nndiv/x1xSHDJWeSWkx3ButlYSuBskLu6kd9Fswtemr3lgdDEmn04swr2Os0=")]
    [InlineData("(request-target) host date content-type digest content-length", "vSdrb+dS3EceC9bcwHSo4MlyKS59iFIrhgYkz8+oVLEEzmYZZvRs8rgOp+63LEM3v+MFHB32NfpB2bEKBIvB1q52LaEUHFv120V01IL+TAD48XaERZFukWgHoBTLMhYS2Gb51gWxpeIq8knRmPnYePbF5MOkR0Zkly4zKH7s1dE=")]
    public void Signing_the_drafts_example_request_gives_the_drafts_signature(string headers, string expected)
    {
        using var request = CavageRequest();
        using var key = PrivateKey();
        HttpSignatures.SignCavage(request, "Test", key, CavageDate, HelloWorld, headers.Split(' '));
        Assert.Equal(expected, SignatureOf(request));
        Assert.Contains($"headers=\"{headers}\"", request.Headers.GetValues("Signature").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_drafts_all_headers_signature_verifies_and_a_changed_request_does_not()
    {
        using var request = CavageRequest();
        request.Headers.TryAddWithoutValidation("Signature", "keyId=\"Test\",algorithm=\"hs2019\",headers=\"(request-target) host date content-type digest content-length\",signature=\"vSdrb+dS3EceC9bcwHSo4MlyKS59iFIrhgYkz8+oVLEEzmYZZvRs8rgOp+63LEM3v+MFHB32NfpB2bEKBIvB1q52LaEUHFv120V01IL+TAD48XaERZFukWgHoBTLMhYS2Gb51gWxpeIq8knRmPnYePbF5MOkR0Zkly4zKH7s1dE=\"");
        var check = await HttpSignatures.VerifyCavageAsync(SignedMessage.From(request), HelloWorld, CavageDate.AddMinutes(1), Keys("Test", CavagePublicKey), default);
        Assert.Equal("Test", check.KeyId);

        // Another body no longer matches the signed digest.
        var tampered = await Assert.ThrowsAsync<SignatureException>(() =>
            HttpSignatures.VerifyCavageAsync(SignedMessage.From(request), Encoding.UTF8.GetBytes("{\"hello\": \"mars\"}"), CavageDate, Keys("Test", CavagePublicKey), default));
        Assert.Contains("Digest", tampered.Message, StringComparison.Ordinal);

        // Another path no longer matches the signature.
        using var moved = CavageRequest();
        moved.RequestUri = new Uri("http://example.com/elsewhere?param=value&pet=dog");
        moved.Headers.TryAddWithoutValidation("Signature", request.Headers.GetValues("Signature").Single());
        var wrongPath = await Assert.ThrowsAsync<SignatureException>(() =>
            HttpSignatures.VerifyCavageAsync(SignedMessage.From(moved), HelloWorld, CavageDate, Keys("Test", CavagePublicKey), default));
        Assert.Contains("does not match", wrongPath.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cavage_signature_is_refused_when_old_unknown_or_not_covering_the_target()
    {
        using var request = CavageRequest();
        using var key = PrivateKey();
        HttpSignatures.SignCavage(request, "Test", key, CavageDate, HelloWorld);
        var message = SignedMessage.From(request);
        Assert.Equal("Test", (await HttpSignatures.VerifyAsync(message, HelloWorld, CavageDate, Keys("Test", CavagePublicKey), default)).KeyId);

        var old = await Assert.ThrowsAsync<SignatureException>(() => HttpSignatures.VerifyAsync(message, HelloWorld, CavageDate.AddDays(1), Keys("Test", CavagePublicKey), default));
        Assert.Contains("too old", old.Message, StringComparison.Ordinal);
        var unknown = await Assert.ThrowsAsync<SignatureException>(() => HttpSignatures.VerifyAsync(message, HelloWorld, CavageDate, Keys("Other", CavagePublicKey), default));
        Assert.Contains("could not be found", unknown.Message, StringComparison.Ordinal);

        using var dateOnly = CavageRequest();
        HttpSignatures.SignCavage(dateOnly, "Test", key, CavageDate, HelloWorld, ["date"]);
        var uncovered = await Assert.ThrowsAsync<SignatureException>(() => HttpSignatures.VerifyAsync(SignedMessage.From(dateOnly), HelloWorld, CavageDate, Keys("Test", CavagePublicKey), default));
        Assert.Contains("(request-target)", uncovered.Message, StringComparison.Ordinal);

        // Another key's signature does not verify with this key.
        using var otherKey = RSA.Create(2048);
        using var forged = CavageRequest();
        HttpSignatures.SignCavage(forged, "Test", otherKey, CavageDate, HelloWorld);
        await Assert.ThrowsAsync<SignatureException>(() => HttpSignatures.VerifyAsync(SignedMessage.From(forged), HelloWorld, CavageDate, Keys("Test", CavagePublicKey), default));
    }

    private static SignedMessage Rfc9421Request(string signatureInput, string signature) => new("POST", "https", "example.com", "/foo?param=Value&Pet=dog", name => name switch
    {
        "host" => "example.com",
        "date" => "Tue, 20 Apr 2021 02:07:55 GMT",
        "content-type" => "application/json",
        "content-digest" => "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:",
        "content-length" => "18",
        "signature-input" => signatureInput,
        "signature" => signature,
        _ => null,
    });

    [Fact]
    public async Task The_rfcs_minimal_rsa_pss_signature_verifies()
    {
        var message = Rfc9421Request(
            "sig-b21=();created=1618884473;keyid=\"test-key-rsa-pss\";nonce=\"b3k2pp5k7z-50gnwp.yemd\"",
            "sig-b21=:d2pmTvmbncD3xQm8E9ZV2828BjQWGgiwAaw5bAkgibUopemLJcWDy/lkbbHAve4cRAtx31Iq786U7it++wgGxbtRxf8Udx7zFZsckzXaJMkA7ChG52eSkFxykJeNqsrWH5S+oxNFlD4dzVuwe8DhTSja8xxbR/Z2cOGdCbzR72rgFWhzx2VjBqJzsPLMIQKhO4DGezXehhWwE56YCE+O6c0mKZsfxVrogUvA4HELjVKWmAvtl6UnCh8jYzuVG5WSb/QEVPnP5TmcAnLH1g+s++v6d4s8m0gCw1fV5/SITLq9mhho8K3+7EPYTU8IU1bLhdxO5Nyt8C8ssinQ98Xw9Q==:");
        var check = await HttpSignatures.VerifyMessageSignatureAsync(message, null, DateTimeOffset.UnixEpoch, Keys("test-key-rsa-pss", Rfc9421RsaPssPublicKey), default, requireCoverage: false);
        Assert.Equal("test-key-rsa-pss", check.KeyId);
        Assert.Equal("rfc9421", check.Scheme);
        // Covering nothing of the request, it is refused where coverage counts (an inbox).
        await Assert.ThrowsAsync<SignatureException>(() => HttpSignatures.VerifyMessageSignatureAsync(message, null, DateTimeOffset.FromUnixTimeSeconds(1618884473), Keys("test-key-rsa-pss", Rfc9421RsaPssPublicKey), default));
    }

    [Fact]
    public async Task The_rfcs_selective_and_full_coverage_signatures_verify_with_the_rfcs_signature_base()
    {
        const string b22Input = "sig-b22=(\"@authority\" \"content-digest\" \"@query-param\";name=\"Pet\");created=1618884473;keyid=\"test-key-rsa-pss\";tag=\"header-example\"";
        var b22 = Rfc9421Request(b22Input, "sig-b22=:LjbtqUbfmvjj5C5kr1Ugj4PmLYvx9wVjZvD9GsTT4F7GrcQEdJzgI9qHxICagShLRiLMlAJjtq6N4CDfKtjvuJyE5qH7KT8UCMkSowOB4+ECxCmT8rtAmj/0PIXxi0A0nxKyB09RNrCQibbUjsLS/2YyFYXEu4TRJQzRw1rLEuEfY17SARYhpTlaqwZVtR8NV7+4UKkjqpcAoFqWFQh62s7Cl+H2fjBSpqfZUJcsIk4N6wiKYd4je2U/lankenQ99PZfB4jY3I5rSV2DSBVkSFsURIjYErOs0tFTQosMTAoxk//0RoKUqiYY8Bh0aaUEb0rQl3/XaVe4bXTugEjHSw==:");
        Assert.Equal(
            "\"@authority\": example.com\n" +
            "\"content-digest\": sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:\n" +
            "\"@query-param\";name=\"Pet\": dog\n" +
            "\"@signature-params\": (\"@authority\" \"content-digest\" \"@query-param\";name=\"Pet\");created=1618884473;keyid=\"test-key-rsa-pss\";tag=\"header-example\"",
            HttpSignatures.SignatureBase(b22, HttpSignatures.ParseSignatureInput(b22Input)[0]));
        await HttpSignatures.VerifyMessageSignatureAsync(b22, null, DateTimeOffset.UnixEpoch, Keys("test-key-rsa-pss", Rfc9421RsaPssPublicKey), default, requireCoverage: false);

        var b23 = Rfc9421Request(
            "sig-b23=(\"date\" \"@method\" \"@path\" \"@query\" \"@authority\" \"content-type\" \"content-digest\" \"content-length\");created=1618884473;keyid=\"test-key-rsa-pss\"",
            "sig-b23=:bbN8oArOxYoyylQQUU6QYwrTuaxLwjAC9fbY2F6SVWvh0yBiMIRGOnMYwZ/5MR6fb0Kh1rIRASVxFkeGt683+qRpRRU5p2voTp768ZrCUb38K0fUxN0O0iC59DzYx8DFll5GmydPxSmme9v6ULbMFkl+V5B1TP/yPViV7KsLNmvKiLJH1pFkh/aYA2HXXZzNBXmIkoQoLd7YfW91kE9o/CCoC1xMy7JA1ipwvKvfrs65ldmlu9bpG6A9BmzhuzF8Eim5f8ui9eH8LZH896+QIF61ka39VBrohr9iyMUJpvRX2Zbhl5ZJzSRxpJyoEZAFL2FUo5fTIztsDZKEgM4cUA==:");
        // Full coverage with the body's digest: accepted as an inbox would, at the time it was made.
        var check = await HttpSignatures.VerifyMessageSignatureAsync(b23, HelloWorld, DateTimeOffset.FromUnixTimeSeconds(1618884473 + 60), Keys("test-key-rsa-pss", Rfc9421RsaPssPublicKey), default);
        Assert.Equal("test-key-rsa-pss", check.KeyId);
        // The same signature over another body is refused.
        await Assert.ThrowsAsync<SignatureException>(() => HttpSignatures.VerifyMessageSignatureAsync(b23, Encoding.UTF8.GetBytes("{\"hello\": \"mars\"}"), DateTimeOffset.FromUnixTimeSeconds(1618884473), Keys("test-key-rsa-pss", Rfc9421RsaPssPublicKey), default));
    }

    [Fact]
    public async Task A_request_signed_the_rfc_9421_way_by_drawbridge_verifies_and_a_changed_one_does_not()
    {
        using var key = RSA.Create(2048);
        var pem = key.ExportSubjectPublicKeyInfoPem();
        var now = DateTimeOffset.FromUnixTimeSeconds(1_750_000_000);
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://remote.example/users/ann/inbox") { Content = new ByteArrayContent(HelloWorld) };
        HttpSignatures.SignMessage(request, "https://here.example/users/bo#main-key", key, now, HelloWorld);
        var check = await HttpSignatures.VerifyAsync(SignedMessage.From(request), HelloWorld, now, Keys("https://here.example/users/bo#main-key", pem), default);
        Assert.Equal("rfc9421", check.Scheme);

        var elsewhere = SignedMessage.From(request) with { PathAndQuery = "/users/cy/inbox" };
        await Assert.ThrowsAsync<SignatureException>(() => HttpSignatures.VerifyAsync(elsewhere, HelloWorld, now, Keys("https://here.example/users/bo#main-key", pem), default));
    }

    [Theory]
    [InlineData("")]
    [InlineData("keyId=\"x\"")]
    [InlineData("signature=\"abc\"")]
    [InlineData("keyId=\"x\",signature=\"not base64!!\"")]
    [InlineData("keyId=\"x,signature=\"abc")]
    public void A_malformed_signature_header_is_refused_with_a_reason(string header)
    {
        var e = Assert.Throws<SignatureException>(() => HttpSignatures.ParseCavage(header));
        Assert.False(string.IsNullOrWhiteSpace(e.Message));
    }
}
