namespace Drawbridge.Tests.Security;

/// <summary>Where Drawbridge's own JSON API lives, in one place, so the security tests follow it if it moves.</summary>
public static class OwnApi
{
    public const string Root = "/api/drawbridge/v1";

    public static string Path(string rest) => Root + rest;
}
