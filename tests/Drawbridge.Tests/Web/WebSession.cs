using System.Net;
using AngleSharp;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Drawbridge.Tests.Infrastructure;

namespace Drawbridge.Tests.Web;

/// <summary>A browser-like HTTP session against the real server: keeps cookies, reads pages as HTML, submits forms with their antiforgery token.</summary>
public sealed class WebSession : IDisposable
{
    private readonly HttpClient _http;
    private static readonly IBrowsingContext Parser = BrowsingContext.New(Configuration.Default);

    public WebSession(DrawbridgeServer server) : this(server, new CookieContainer())
    {
    }

    /// <summary>A session on <paramref name="server"/> that carries the given cookies (cookies ignore the port, so another server on 127.0.0.1 gets them too).</summary>
    public WebSession(DrawbridgeServer server, CookieContainer cookies)
    {
        Cookies = cookies;
        _http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = cookies })
        {
            BaseAddress = server.BaseAddress,
        };
    }

    public CookieContainer Cookies { get; }

    public static async Task<IDocument> ParseAsync(string html) => await Parser.OpenAsync(r => r.Content(html));

    public async Task<(HttpStatusCode Status, IDocument Page)> GetAsync(string url)
    {
        using var response = await _http.GetAsync(url);
        return (response.StatusCode, await ParseAsync(await response.Content.ReadAsStringAsync()));
    }

    /// <summary>
    /// Submits the form (picked by a selector on the page at <paramref name="pageUrl"/>) with the given fields, as a browser
    /// would: with the form's hidden fields, and the headers a browser adds to a post from the server's own page.
    /// </summary>
    public async Task<HttpResponseMessage> SubmitAsync(string pageUrl, string formSelector, IDictionary<string, string> fields)
    {
        var (status, page) = await GetAsync(pageUrl);
        Assert.True(status == HttpStatusCode.OK, $"GET {pageUrl} answered {(int)status}");
        var form = page.QuerySelector(formSelector) as IHtmlFormElement ?? throw new InvalidOperationException($"No form '{formSelector}' on {pageUrl}");
        var values = new List<KeyValuePair<string, string>>();
        foreach (var input in form.QuerySelectorAll("input[type=hidden]").OfType<IHtmlInputElement>())
        {
            if (!fields.ContainsKey(input.Name ?? ""))
            {
                values.Add(new(input.Name ?? "", input.Value));
            }
        }
        values.AddRange(fields);
        var action = string.IsNullOrEmpty(form.GetAttribute("action")) ? pageUrl : form.GetAttribute("action")!;
        using var request = new HttpRequestMessage(HttpMethod.Post, action) { Content = new FormUrlEncodedContent(values) };
        request.Headers.Add("Origin", _http.BaseAddress!.GetLeftPart(UriPartial.Authority));
        request.Headers.Add("Sec-Fetch-Site", "same-origin");
        return await _http.SendAsync(request);
    }

    public Task<HttpResponseMessage> PostMultipartAsync(string url, MultipartFormDataContent content) => _http.PostAsync(url, content);

    /// <summary>Posts the fields as they are, with the session's cookies and no other header (as a client that is not a browser would).</summary>
    public Task<HttpResponseMessage> PostRawAsync(string url, IDictionary<string, string> fields) =>
        _http.PostAsync(url, new FormUrlEncodedContent(fields));

    public async Task SignInAsync(string email, string password = DrawbridgeServer.DefaultPassword)
    {
        using var response = await SubmitAsync("/auth/sign-in", "main form", new Dictionary<string, string> { ["email"] = email, ["password"] = password });
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"Sign-in answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    public void Dispose() => _http.Dispose();
}
