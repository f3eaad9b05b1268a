using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Drawbridge.Federation;

/// <summary>
/// An HTTP request as a signature sees it: method, authority, path and query, and its header fields (several values of
/// one field joined by ", ", as both specifications say). Built from an outgoing <see cref="HttpRequestMessage"/> or an
/// incoming ASP.NET request alike.
/// </summary>
public sealed record SignedMessage(string Method, string Scheme, string Authority, string PathAndQuery, Func<string, string?> Header)
{
    public static SignedMessage From(HttpRequest request) => new(
        request.Method, request.Scheme, request.Host.Value ?? "", $"{request.PathBase}{request.Path}{request.QueryString}",
        name => request.Headers.TryGetValue(name, out var v) && v.Count > 0 ? string.Join(", ", v.Select(s => s?.Trim())) : null);

    public static SignedMessage From(HttpRequestMessage request)
    {
        var uri = request.RequestUri ?? throw new ArgumentException("The request has no address", nameof(request));
        return new(request.Method.Method, uri.Scheme, uri.IsDefaultPort ? uri.Host : uri.Authority, uri.PathAndQuery, name =>
        {
            if (name.Equals("host", StringComparison.OrdinalIgnoreCase))
            {
                return request.Headers.Host ?? (uri.IsDefaultPort ? uri.Host : uri.Authority);
            }
            if (request.Headers.TryGetValues(name, out var values) || (request.Content?.Headers.TryGetValues(name, out values) ?? false))
            {
                return string.Join(", ", values.Select(v => v.Trim()));
            }
            return null;
        });
    }
}

/// <summary>Why a signature was not accepted, in words a remote server's operator can act on.</summary>
public sealed class SignatureException(string message) : Exception(message);

/// <summary>A verified signature: which key signed, and which scheme it used.</summary>
public sealed record SignatureCheck(string KeyId, string Scheme);

/// <summary>
/// HTTP Signatures as the fediverse uses them: draft-cavage-http-signatures-12 (what Mastodon, GoToSocial and most
/// servers send and accept: <c>rsa-sha256</c> or <c>hs2019</c> over RSA keys, with a <c>Digest</c> of the body) and
/// RFC 9421 HTTP Message Signatures (what Fedify sends first). Written on System.Security.Cryptography: decision 0009
/// says why no library was taken.
/// </summary>
public static class HttpSignatures
{
    /// <summary>How far a signature's date may be from now: Mastodon's own margins.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromHours(12);
    public static readonly TimeSpan ClockSkew = TimeSpan.FromHours(1);

    /// <summary>The headers Drawbridge signs on a POST, as Mastodon does; a GET drops the digest.</summary>
    public static readonly string[] PostHeaders = ["(request-target)", "host", "date", "digest", "content-type"];
    public static readonly string[] GetHeaders = ["(request-target)", "host", "date", "accept"];

    // ---------------------------------------------------------------------------------------------------------------
    // Digests

    /// <summary>The <c>Digest</c> header value of a body (RFC 3230, as draft-cavage servers expect).</summary>
    public static string Digest(ReadOnlySpan<byte> body) => "SHA-256=" + Convert.ToBase64String(SHA256.HashData(body));

    /// <summary>The <c>Content-Digest</c> header value of a body (RFC 9530, as RFC 9421 signers send).</summary>
    public static string ContentDigest(ReadOnlySpan<byte> body) => "sha-256=:" + Convert.ToBase64String(SHA256.HashData(body)) + ":";

    /// <summary>
    /// Checks a body against its <c>Digest</c> or <c>Content-Digest</c> header. True when one names a SHA-256 or SHA-512
    /// hash and it matches; false when none is given in an algorithm known here; throws when a known one doesn't match.
    /// </summary>
    public static bool CheckDigest(SignedMessage message, ReadOnlySpan<byte> body)
    {
        var found = false;
        if (message.Header("digest") is { } digest)
        {
            foreach (var part in digest.Split(','))
            {
                var eq = part.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0)
                {
                    continue;
                }
                var algorithm = part[..eq].Trim().ToLowerInvariant();
                var value = part[(eq + 1)..].Trim();
                if (HashOf(algorithm, body) is { } hash)
                {
                    if (!FixedEquals(value, Convert.ToBase64String(hash)))
                    {
                        throw new SignatureException("The Digest header does not match the body");
                    }
                    found = true;
                }
            }
        }
        if (message.Header("content-digest") is { } contentDigest)
        {
            foreach (var part in contentDigest.Split(','))
            {
                var eq = part.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0)
                {
                    continue;
                }
                var algorithm = part[..eq].Trim().ToLowerInvariant();
                var value = part[(eq + 1)..].Trim().Trim(':');
                if (HashOf(algorithm, body) is { } hash)
                {
                    if (!FixedEquals(value, Convert.ToBase64String(hash)))
                    {
                        throw new SignatureException("The Content-Digest header does not match the body");
                    }
                    found = true;
                }
            }
        }
        return found;
    }

    private static byte[]? HashOf(string algorithm, ReadOnlySpan<byte> body) => algorithm switch
    {
        "sha-256" => SHA256.HashData(body),
        "sha-512" => SHA512.HashData(body),
        _ => null,
    };

    private static bool FixedEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(a), Encoding.ASCII.GetBytes(b));

    // ---------------------------------------------------------------------------------------------------------------
    // draft-cavage

    /// <summary>The parameters of a draft-cavage <c>Signature</c> header (or of <c>Authorization: Signature …</c>).</summary>
    public sealed record CavageParameters(string KeyId, string? Algorithm, IReadOnlyList<string> Headers, byte[] Signature, long? Created, long? Expires);

    public static CavageParameters ParseCavage(string header)
    {
        if (header.StartsWith("Signature ", StringComparison.OrdinalIgnoreCase))
        {
            header = header["Signature ".Length..];
        }
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var i = 0;
        while (i < header.Length)
        {
            while (i < header.Length && (header[i] == ',' || header[i] == ' '))
            {
                i++;
            }
            var eq = header.IndexOf('=', i);
            if (eq < 0)
            {
                break;
            }
            var name = header[i..eq].Trim();
            i = eq + 1;
            string value;
            if (i < header.Length && header[i] == '"')
            {
                var end = header.IndexOf('"', i + 1);
                if (end < 0)
                {
                    throw new SignatureException("The Signature header has an unclosed quote");
                }
                value = header[(i + 1)..end];
                i = end + 1;
            }
            else
            {
                var end = header.IndexOf(',', i);
                end = end < 0 ? header.Length : end;
                value = header[i..end].Trim();
                i = end;
            }
            values.TryAdd(name, value);
        }
        if (!values.TryGetValue("keyId", out var keyId) || keyId.Length == 0)
        {
            throw new SignatureException("The Signature header has no keyId");
        }
        if (!values.TryGetValue("signature", out var signature))
        {
            throw new SignatureException("The Signature header has no signature");
        }
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(signature);
        }
        catch (FormatException)
        {
            throw new SignatureException("The signature is not base64");
        }
        var headers = values.TryGetValue("headers", out var h)
            ? h.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(x => x.ToLowerInvariant()).ToArray()
            : ["date"];
        return new CavageParameters(keyId, values.GetValueOrDefault("algorithm"), headers, bytes,
            values.TryGetValue("created", out var c) && long.TryParse(c, CultureInfo.InvariantCulture, out var created) ? created : null,
            values.TryGetValue("expires", out var e) && long.TryParse(e, CultureInfo.InvariantCulture, out var expires) ? expires : null);
    }

    /// <summary>The string a draft-cavage signature covers: one "name: value" line per signed header.</summary>
    public static string CavageSigningString(SignedMessage message, IReadOnlyList<string> headers, long? created = null, long? expires = null)
    {
        var s = new StringBuilder();
        foreach (var name in headers)
        {
            if (s.Length > 0)
            {
                s.Append('\n');
            }
            var value = name switch
            {
                "(request-target)" => $"{message.Method.ToLowerInvariant()} {message.PathAndQuery}",
                "(created)" => created?.ToString(CultureInfo.InvariantCulture) ?? throw new SignatureException("(created) is signed but not given"),
                "(expires)" => expires?.ToString(CultureInfo.InvariantCulture) ?? throw new SignatureException("(expires) is signed but not given"),
                "host" => message.Header("host") ?? message.Authority,
                _ => message.Header(name) ?? throw new SignatureException($"The signed header {name} is missing"),
            };
            s.Append(name).Append(": ").Append(value);
        }
        return s.ToString();
    }

    /// <summary>
    /// Signs an outgoing request the draft-cavage way. Adds Date, Host and (with a body) Digest when missing, then the
    /// Signature header over <paramref name="headers"/> (by default Mastodon's set).
    /// </summary>
    public static void SignCavage(HttpRequestMessage request, string keyId, RSA key, DateTimeOffset now, byte[]? body = null, IReadOnlyList<string>? headers = null)
    {
        var uri = request.RequestUri ?? throw new ArgumentException("The request has no address", nameof(request));
        request.Headers.Host ??= uri.IsDefaultPort ? uri.Host : uri.Authority;
        request.Headers.Date ??= now;
        if (body is not null && !request.Headers.Contains("Digest"))
        {
            request.Headers.TryAddWithoutValidation("Digest", Digest(body));
        }
        var message = SignedMessage.From(request);
        headers ??= body is null ? GetHeaders : PostHeaders;
        var covered = headers.Where(h => h.StartsWith('(') || message.Header(h) is not null).ToArray();
        var signature = key.SignData(Encoding.UTF8.GetBytes(CavageSigningString(message, covered)), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.Headers.TryAddWithoutValidation("Signature",
            $"keyId=\"{keyId}\",algorithm=\"rsa-sha256\",headers=\"{string.Join(' ', covered)}\",signature=\"{Convert.ToBase64String(signature)}\"");
    }

    /// <summary>
    /// Verifies a draft-cavage signature with the key <paramref name="resolveKey"/> finds for its keyId. Requires the
    /// request target, host and date (or <c>(created)</c>) to be signed, a date within <see cref="MaxAge"/>, and, for a
    /// request with a body, a signed digest that matches it.
    /// </summary>
    public static async Task<SignatureCheck> VerifyCavageAsync(SignedMessage message, ReadOnlyMemory<byte>? body, DateTimeOffset now,
        Func<string, CancellationToken, Task<AsymmetricAlgorithm?>> resolveKey, CancellationToken ct)
    {
        var header = message.Header("signature") ?? message.Header("authorization")
            ?? throw new SignatureException("The request is not signed");
        var p = ParseCavage(header);
        if (p.Algorithm is { } alg && alg is not ("rsa-sha256" or "hs2019"))
        {
            throw new SignatureException($"The signature algorithm {alg} is not supported (rsa-sha256 and hs2019 are)");
        }
        if (!p.Headers.Contains("(request-target)"))
        {
            throw new SignatureException("The signature does not cover (request-target)");
        }
        if (!p.Headers.Contains("host"))
        {
            throw new SignatureException("The signature does not cover host");
        }
        if (p.Headers.Contains("date"))
        {
            if (!DateTimeOffset.TryParseExact(message.Header("date"), "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date))
            {
                throw new SignatureException("The Date header is not an HTTP date");
            }
            CheckTime(date, now);
        }
        else if (p.Headers.Contains("(created)") && p.Created is { } created)
        {
            CheckTime(DateTimeOffset.FromUnixTimeSeconds(created), now);
        }
        else
        {
            throw new SignatureException("The signature covers neither date nor (created)");
        }
        if (p.Expires is { } expires && DateTimeOffset.FromUnixTimeSeconds(expires) < now)
        {
            throw new SignatureException("The signature has expired");
        }
        if (body is { } b)
        {
            if (!p.Headers.Contains("digest"))
            {
                throw new SignatureException("The signature does not cover the Digest of the body");
            }
            if (!CheckDigest(message, b.Span))
            {
                throw new SignatureException("The Digest header names no SHA-256 or SHA-512 hash");
            }
        }
        var signingString = Encoding.UTF8.GetBytes(CavageSigningString(message, p.Headers, p.Created, p.Expires));
        var key = await resolveKey(p.KeyId, ct) ?? throw new SignatureException($"The key {p.KeyId} could not be found");
        var ok = key switch
        {
            RSA rsa => rsa.VerifyData(signingString, p.Signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            ECDsa ec when p.Algorithm == "hs2019" => ec.VerifyData(signingString, p.Signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence),
            _ => false,
        };
        return ok ? new SignatureCheck(p.KeyId, "draft-cavage") : throw new SignatureException("The signature does not match the request");
    }

    private static void CheckTime(DateTimeOffset signedAt, DateTimeOffset now)
    {
        if (signedAt > now + ClockSkew)
        {
            throw new SignatureException("The signature's date is in the future");
        }
        if (signedAt < now - MaxAge)
        {
            throw new SignatureException("The signature's date is too old");
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // RFC 9421

    /// <summary>One signature of a <c>Signature-Input</c> field: its label, covered components and parameters.</summary>
    public sealed record MessageSignatureInput(string Label, IReadOnlyList<string> Components, string SerializedParams,
        string? KeyId, string? Algorithm, long? Created, long? Expires);

    /// <summary>
    /// Parses a <c>Signature-Input</c> field (a structured-field dictionary of inner lists). Only what signatures use is
    /// read: string components with optional parameters, and integer or string signature parameters.
    /// </summary>
    public static IReadOnlyList<MessageSignatureInput> ParseSignatureInput(string field)
    {
        var result = new List<MessageSignatureInput>();
        var i = 0;
        while (i < field.Length)
        {
            SkipSpaces(field, ref i);
            var eq = field.IndexOf('=', i);
            if (eq < 0)
            {
                throw new SignatureException("Signature-Input is not a dictionary");
            }
            var label = field[i..eq].Trim();
            i = eq + 1;
            if (i >= field.Length || field[i] != '(')
            {
                throw new SignatureException("Signature-Input's value is not an inner list");
            }
            var listStart = i;
            i++;
            var components = new List<string>();
            while (true)
            {
                SkipSpaces(field, ref i);
                if (i >= field.Length)
                {
                    throw new SignatureException("Signature-Input has an unclosed list");
                }
                if (field[i] == ')')
                {
                    i++;
                    break;
                }
                var start = i;
                ReadString(field, ref i);
                while (i < field.Length && field[i] == ';')
                {
                    i++;
                    ReadParameter(field, ref i, out _, out _);
                }
                components.Add(field[start..i]);
            }
            string? keyId = null, alg = null;
            long? created = null, expires = null;
            while (i < field.Length && field[i] == ';')
            {
                i++;
                ReadParameter(field, ref i, out var name, out var value);
                switch (name)
                {
                    case "keyid": keyId = value; break;
                    case "alg": alg = value; break;
                    case "created" when long.TryParse(value, CultureInfo.InvariantCulture, out var c): created = c; break;
                    case "expires" when long.TryParse(value, CultureInfo.InvariantCulture, out var e): expires = e; break;
                }
            }
            result.Add(new MessageSignatureInput(label, components, field[listStart..i], keyId, alg, created, expires));
            SkipSpaces(field, ref i);
            if (i < field.Length && field[i] == ',')
            {
                i++;
            }
        }
        return result;
    }

    private static void SkipSpaces(string s, ref int i)
    {
        while (i < s.Length && s[i] == ' ')
        {
            i++;
        }
    }

    private static string ReadString(string s, ref int i)
    {
        if (i >= s.Length || s[i] != '"')
        {
            throw new SignatureException("Signature-Input names a component that is not a string");
        }
        var value = new StringBuilder();
        i++;
        while (i < s.Length && s[i] != '"')
        {
            if (s[i] == '\\' && i + 1 < s.Length)
            {
                i++;
            }
            value.Append(s[i]);
            i++;
        }
        if (i >= s.Length)
        {
            throw new SignatureException("Signature-Input has an unclosed string");
        }
        i++;
        return value.ToString();
    }

    private static void ReadParameter(string s, ref int i, out string name, out string value)
    {
        var start = i;
        while (i < s.Length && (char.IsAsciiLetterOrDigit(s[i]) || s[i] is '-' or '_' or '.' or '*'))
        {
            i++;
        }
        name = s[start..i];
        value = "";
        if (i < s.Length && s[i] == '=')
        {
            i++;
            if (i < s.Length && s[i] == '"')
            {
                value = ReadString(s, ref i);
            }
            else
            {
                var vs = i;
                while (i < s.Length && s[i] is not (';' or ',' or ' ' or ')'))
                {
                    i++;
                }
                value = s[vs..i];
            }
        }
    }

    /// <summary>The signature base of RFC 9421 §2.5 for a request.</summary>
    public static string SignatureBase(SignedMessage message, MessageSignatureInput input)
    {
        var s = new StringBuilder();
        foreach (var component in input.Components)
        {
            var j = 0;
            var name = ReadString(component, ref j);
            var parameters = new Dictionary<string, string>();
            while (j < component.Length && component[j] == ';')
            {
                j++;
                ReadParameter(component, ref j, out var pn, out var pv);
                parameters[pn] = pv;
            }
            s.Append(component).Append(": ").Append(ComponentValue(message, name, parameters)).Append('\n');
        }
        s.Append("\"@signature-params\": ").Append(input.SerializedParams);
        return s.ToString();
    }

    private static string ComponentValue(SignedMessage m, string name, Dictionary<string, string> parameters)
    {
        var q = m.PathAndQuery.IndexOf('?', StringComparison.Ordinal);
        var path = q < 0 ? m.PathAndQuery : m.PathAndQuery[..q];
        var query = q < 0 ? "?" : m.PathAndQuery[q..];
        return name switch
        {
            "@method" => m.Method.ToUpperInvariant(),
            "@authority" => m.Authority.ToLowerInvariant(),
            "@scheme" => m.Scheme.ToLowerInvariant(),
            "@target-uri" => $"{m.Scheme.ToLowerInvariant()}://{m.Authority.ToLowerInvariant()}{m.PathAndQuery}",
            "@request-target" => m.PathAndQuery,
            "@path" => path.Length == 0 ? "/" : path,
            "@query" => query,
            "@query-param" => QueryParam(query, parameters.GetValueOrDefault("name") ?? throw new SignatureException("@query-param needs a name")),
            _ when name.StartsWith('@') => throw new SignatureException($"The component {name} is not supported"),
            _ when parameters.Count > 0 => throw new SignatureException($"Parameters on the component {name} are not supported"),
            _ => m.Header(name) ?? throw new SignatureException($"The signed header {name} is missing"),
        };
    }

    private static string QueryParam(string query, string name)
    {
        foreach (var pair in query.TrimStart('?').Split('&'))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Uri.UnescapeDataString((eq < 0 ? pair : pair[..eq]).Replace('+', ' '));
            if (key == name)
            {
                return Uri.EscapeDataString(Uri.UnescapeDataString((eq < 0 ? "" : pair[(eq + 1)..]).Replace('+', ' ')));
            }
        }
        throw new SignatureException($"The signed query parameter {name} is missing");
    }

    /// <summary>
    /// Verifies the RFC 9421 signatures on a request: each label's signature with the key its keyid names. Requires the
    /// method, the target (<c>@target-uri</c>, or <c>@authority</c> with <c>@path</c>/<c>@request-target</c>), a created
    /// time within <see cref="MaxAge"/> and, with a body, a signed Content-Digest that matches it.
    /// With <paramref name="requireCoverage"/> false (the specification's own examples) only the cryptography is checked.
    /// </summary>
    public static async Task<SignatureCheck> VerifyMessageSignatureAsync(SignedMessage message, ReadOnlyMemory<byte>? body, DateTimeOffset now,
        Func<string, CancellationToken, Task<AsymmetricAlgorithm?>> resolveKey, CancellationToken ct, bool requireCoverage = true)
    {
        var inputField = message.Header("signature-input") ?? throw new SignatureException("The request has no Signature-Input");
        var signatureField = message.Header("signature") ?? throw new SignatureException("The request has no Signature");
        var inputs = ParseSignatureInput(inputField);
        if (inputs.Count == 0)
        {
            throw new SignatureException("Signature-Input names no signature");
        }
        var signatures = ParseSignatures(signatureField);
        // Several signatures may be present; the first one that verifies counts, as Fedify and Mastodon do.
        SignatureException? last = null;
        foreach (var input in inputs)
        {
            try
            {
                if (!signatures.TryGetValue(input.Label, out var signature))
                {
                    throw new SignatureException($"No signature is given for the label {input.Label}");
                }
                if (input.KeyId is null)
                {
                    throw new SignatureException("The signature has no keyid");
                }
                var names = input.Components.Select(c => c.Split(';')[0].Trim('"')).ToHashSet();
                if (requireCoverage)
                {
                    if (!names.Contains("@method") || !(names.Contains("@target-uri") || (names.Contains("@authority") && (names.Contains("@path") || names.Contains("@request-target")))))
                    {
                        throw new SignatureException("The signature must cover @method and @target-uri");
                    }
                    CheckTime(DateTimeOffset.FromUnixTimeSeconds(input.Created ?? throw new SignatureException("The signature has no created time")), now);
                    if (input.Expires is { } expires && DateTimeOffset.FromUnixTimeSeconds(expires) < now)
                    {
                        throw new SignatureException("The signature has expired");
                    }
                    if (body is { } b)
                    {
                        if (!names.Contains("content-digest"))
                        {
                            throw new SignatureException("The signature does not cover the Content-Digest of the body");
                        }
                        if (!CheckDigest(message, b.Span))
                        {
                            throw new SignatureException("Content-Digest names no SHA-256 or SHA-512 hash");
                        }
                    }
                }
                var data = Encoding.UTF8.GetBytes(SignatureBase(message, input));
                var key = await resolveKey(input.KeyId, ct) ?? throw new SignatureException($"The key {input.KeyId} could not be found");
                var ok = (key, input.Algorithm) switch
                {
                    (RSA rsa, "rsa-pss-sha512") => rsa.VerifyData(data, signature, HashAlgorithmName.SHA512, RSASignaturePadding.Pss),
                    (RSA rsa, "rsa-v1_5-sha256" or null) => rsa.VerifyData(data, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
                        || (input.Algorithm is null && rsa.VerifyData(data, signature, HashAlgorithmName.SHA512, RSASignaturePadding.Pss)),
                    (ECDsa ec, "ecdsa-p256-sha256" or null) => ec.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation),
                    (_, { } alg) when alg is not ("rsa-pss-sha512" or "rsa-v1_5-sha256" or "ecdsa-p256-sha256") =>
                        throw new SignatureException($"The signature algorithm {alg} is not supported"),
                    _ => false,
                };
                return ok ? new SignatureCheck(input.KeyId, "rfc9421") : throw new SignatureException("The signature does not match the request");
            }
            catch (SignatureException e)
            {
                last = e;
            }
        }
        throw last!;
    }

    private static Dictionary<string, byte[]> ParseSignatures(string field)
    {
        var result = new Dictionary<string, byte[]>();
        foreach (var member in field.Split(','))
        {
            var eq = member.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                continue;
            }
            var value = member[(eq + 1)..].Trim();
            if (value.Length < 2 || value[0] != ':' || value[^1] != ':')
            {
                throw new SignatureException("A Signature value is not a byte sequence");
            }
            try
            {
                result[member[..eq].Trim()] = Convert.FromBase64String(value[1..^1]);
            }
            catch (FormatException)
            {
                throw new SignatureException("A Signature value is not base64");
            }
        }
        return result;
    }

    /// <summary>
    /// Signs an outgoing request the RFC 9421 way, with <c>rsa-v1_5-sha256</c> as Fedify does: method, target URI,
    /// and with a body its Content-Digest.
    /// </summary>
    public static void SignMessage(HttpRequestMessage request, string keyId, RSA key, DateTimeOffset now, byte[]? body = null)
    {
        if (body is not null && !(request.Content?.Headers.Contains("Content-Digest") ?? false) && !request.Headers.Contains("Content-Digest"))
        {
            request.Headers.TryAddWithoutValidation("Content-Digest", ContentDigest(body));
        }
        var components = body is null ? "(\"@method\" \"@target-uri\")" : "(\"@method\" \"@target-uri\" \"content-digest\")";
        var serialized = $"{components};alg=\"rsa-v1_5-sha256\";keyid=\"{keyId}\";created={now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}";
        var input = ParseSignatureInput("sig1=" + serialized)[0];
        var data = Encoding.UTF8.GetBytes(SignatureBase(SignedMessage.From(request), input));
        var signature = key.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.Headers.TryAddWithoutValidation("Signature-Input", "sig1=" + serialized);
        request.Headers.TryAddWithoutValidation("Signature", $"sig1=:{Convert.ToBase64String(signature)}:");
    }

    /// <summary>
    /// Verifies whichever kind of signature a request carries: RFC 9421 when it has <c>Signature-Input</c>, else
    /// draft-cavage.
    /// </summary>
    public static Task<SignatureCheck> VerifyAsync(SignedMessage message, ReadOnlyMemory<byte>? body, DateTimeOffset now,
        Func<string, CancellationToken, Task<AsymmetricAlgorithm?>> resolveKey, CancellationToken ct) =>
        message.Header("signature-input") is not null
            ? VerifyMessageSignatureAsync(message, body, now, resolveKey, ct)
            : VerifyCavageAsync(message, body, now, resolveKey, ct);

    // ---------------------------------------------------------------------------------------------------------------
    // Keys

    /// <summary>Reads a public key from PEM (SPKI "PUBLIC KEY" or PKCS#1 "RSA PUBLIC KEY"; RSA or EC).</summary>
    public static AsymmetricAlgorithm ImportPublicKey(string pem)
    {
        if (pem.Contains("BEGIN RSA PUBLIC KEY", StringComparison.Ordinal))
        {
            var rsa = RSA.Create();
            rsa.ImportFromPem(pem);
            return rsa;
        }
        var der = PemEncoding.TryFind(pem, out var fields) ? Convert.FromBase64String(pem[fields.Base64Data]) : throw new SignatureException("The public key is not PEM");
        try
        {
            var rsa = RSA.Create();
            rsa.ImportSubjectPublicKeyInfo(der, out _);
            return rsa;
        }
        catch (CryptographicException)
        {
            try
            {
                var ec = ECDsa.Create();
                ec.ImportSubjectPublicKeyInfo(der, out _);
                return ec;
            }
            catch (CryptographicException)
            {
                throw new SignatureException("The public key is neither RSA nor EC");
            }
        }
    }

    /// <summary>A new key pair for a local account, as PEM (PKCS#8 private, SPKI public), 2048-bit RSA as Mastodon uses.</summary>
    public static (string PublicKeyPem, string PrivateKeyPem) NewKeyPair()
    {
        using var rsa = RSA.Create(2048);
        return (rsa.ExportSubjectPublicKeyInfoPem(), rsa.ExportPkcs8PrivateKeyPem());
    }
}
