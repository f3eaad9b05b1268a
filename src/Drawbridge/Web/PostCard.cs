using System.Globalization;
using Drawbridge.Timelines;

namespace Drawbridge.Web;

/// <summary>How one post is shown: in a timeline, or as an item of a thread (with depth and focus).</summary>
public sealed record PostCard(PostView View, long? Me, string ReturnUrl, int Depth = 0, bool Focus = false, bool InThread = false)
{
    public string Permalink => Links.Post(View.Shown.Author.Acct, View.Shown.Post.Id);
}

/// <summary>The site's addresses, in one place.</summary>
public static class Links
{
    public static string Profile(string handle) => "/@" + handle;

    public static string Post(string handle, long id) => $"/@{handle}/{id.ToString(CultureInfo.InvariantCulture)}";

    public static string Tag(string tag) => "/tags/" + Uri.EscapeDataString(tag);

    public static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);

    private static readonly DateTimeFormatInfo British = CultureInfo.GetCultureInfo("en-GB").DateTimeFormat;

    public static string When(DateTime utc) => DateTime.SpecifyKind(utc, DateTimeKind.Utc).ToString("d MMM yyyy, HH:mm 'UTC'", British);

    public static string Iso(DateTime utc) => DateTime.SpecifyKind(utc, DateTimeKind.Utc).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
}
