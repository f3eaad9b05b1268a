namespace Drawbridge.Safety.Rules;

/// <summary>Email addresses. A fediverse handle (@name@server) is not an email address.</summary>
internal static class EmailAddresses
{
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static void Run(Scan scan)
    {
        var s = scan.Text;
        var i = 0;
        while (i < s.Length)
        {
            var at = s.AsSpan(i).IndexOf('@');
            if (at < 0)
            {
                return;
            }
            at += i;
            i = at + 1;
            var ls = at;
            while (ls > 0 && IsLocal(s[ls - 1]) && at - ls < 64)
            {
                ls--;
            }
            while (ls < at && s[ls] == '.')
            {
                ls++;
            }
            if (ls == at || (ls > 0 && (s[ls - 1] == '@' || char.IsLetterOrDigit(s[ls - 1]))))
            {
                continue;
            }
            var de = at + 1;
            var lastDot = -1;
            while (de < s.Length && de - at < 255 && (char.IsAsciiLetterOrDigit(s[de]) || s[de] is '-' or '.'))
            {
                if (s[de] == '.')
                {
                    if (de + 1 >= s.Length || !char.IsAsciiLetterOrDigit(s[de + 1]) || s[de - 1] == '.')
                    {
                        break;
                    }
                    lastDot = de;
                }
                de++;
            }
            if (lastDot < 0 || de - lastDot - 1 < 2 || lastDot == at + 1)
            {
                continue;
            }
            var tldOk = true;
            for (var k = lastDot + 1; k < de; k++)
            {
                tldOk &= char.IsAsciiLetter(s[k]);
            }
            if (!tldOk || (de < s.Length && s[de] == '@'))
            {
                continue;
            }
            scan.Add(SafetyRules.Email, ls, de, Severity.Warn,
                "This looks like an email address. An email address can identify someone and lets strangers contact them.",
                "Remove the address, or point people to a service's public contact page instead.");
            i = de;
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static bool IsLocal(char c) => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '%' or '+' or '-' or '\'';
}
