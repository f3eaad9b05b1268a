using System.Collections.Concurrent;
using Drawbridge.Data;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Drawbridge.Accounts;

public sealed record MailMessage(string To, string Subject, string Body, DateTimeOffset At);

/// <summary>
/// Sends account mail through the configured SMTP server; without one, mail goes to the log (and to a short
/// in-memory list that operators and tests can read), so a laptop install still works end to end.
/// </summary>
public sealed class Mailer(IOptions<DrawbridgeOptions> options, TimeProvider clock, ILogger<Mailer> log)
{
    private readonly ConcurrentQueue<MailMessage> _recent = new();

    public IReadOnlyList<MailMessage> Recent => _recent.ToArray();

    public async Task SendAsync(string to, string subject, string body, CancellationToken ct)
    {
        var smtp = options.Value.Smtp;
        var message = new MailMessage(to, subject, body, clock.GetUtcNow());
        _recent.Enqueue(message);
        while (_recent.Count > 200 && _recent.TryDequeue(out _))
        {
        }
        if (string.IsNullOrWhiteSpace(smtp.Host))
        {
            log.LogInformation("Mail to {To}: {Subject}\n{Body}", to, subject, body);
            return;
        }
        var mime = new MimeMessage();
        mime.From.Add(MailboxAddress.Parse(smtp.From));
        mime.To.Add(MailboxAddress.Parse(to));
        mime.Subject = subject;
        mime.Body = new TextPart("plain") { Text = body };
        using var client = new SmtpClient();
        await client.ConnectAsync(smtp.Host, smtp.Port, smtp.UseStartTls ? SecureSocketOptions.StartTlsWhenAvailable : SecureSocketOptions.None, ct);
        if (!string.IsNullOrEmpty(smtp.UserName))
        {
            await client.AuthenticateAsync(smtp.UserName, smtp.Password ?? "", ct);
        }
        await client.SendAsync(mime, ct);
        await client.DisconnectAsync(true, ct);
    }
}
