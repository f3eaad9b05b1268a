using System.Collections.Concurrent;
using Drawbridge.Data;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Drawbridge.Accounts;

/// <summary>A mail as sent: plain text, and an HTML alternative when there is one.</summary>
public sealed record MailMessage(string To, string Subject, string Body, DateTimeOffset At, string? Html = null);

/// <summary>
/// Sends account mail through the configured SMTP server; without one, mail goes to a short in-memory list that
/// tests can read and, in Development only, whole to the log, so a laptop install still works end to end. Elsewhere
/// the log says only to whom and what: its links (confirmation, password reset) would hand over the account to
/// anyone who can read the log.
/// </summary>
public sealed class Mailer(IOptions<DrawbridgeOptions> options, TimeProvider clock, IHostEnvironment environment, ILogger<Mailer> log)
{
    private readonly ConcurrentQueue<MailMessage> _recent = new();

    public IReadOnlyList<MailMessage> Recent => _recent.ToArray();

    /// <summary>Sends in the background: the request that asked doesn't wait for the mail server (nor shows how long it took).</summary>
    public void SendLater(string to, string subject, string body)
    {
        var message = Record(to, subject, body);
        _ = Task.Run(async () =>
        {
            try
            {
                await DeliverAsync(message, CancellationToken.None);
            }
            catch (Exception e)
            {
                log.LogError(e, "Mail to {To}: {Subject} could not be sent", to, subject);
            }
        });
    }

    /// <summary>Sends plain text, or plain text with an HTML alternative (multipart/alternative) when <paramref name="html"/> is given.</summary>
    public Task SendAsync(string to, string subject, string body, CancellationToken ct, string? html = null) => DeliverAsync(Record(to, subject, body, html), ct);

    private MailMessage Record(string to, string subject, string body, string? html = null)
    {
        var message = new MailMessage(to, subject, body, clock.GetUtcNow(), html);
        _recent.Enqueue(message);
        while (_recent.Count > 200 && _recent.TryDequeue(out _))
        {
        }
        return message;
    }

    private async Task DeliverAsync(MailMessage message, CancellationToken ct)
    {
        var (to, subject, body, html) = (message.To, message.Subject, message.Body, message.Html);
        var smtp = options.Value.Smtp;
        if (string.IsNullOrWhiteSpace(smtp.Host))
        {
            if (environment.IsDevelopment())
            {
                log.LogInformation("Mail to {To}: {Subject}\n{Body}", to, subject, body);
            }
            else
            {
                log.LogInformation("Mail to {To}: {Subject} was not sent: no SMTP server is configured (Drawbridge:Smtp:Host)", to, subject);
            }
            return;
        }
        var mime = new MimeMessage();
        mime.From.Add(MailboxAddress.Parse(smtp.From));
        mime.To.Add(MailboxAddress.Parse(to));
        mime.Subject = subject;
        mime.Body = html is null ? new TextPart("plain") { Text = body } : new BodyBuilder { TextBody = body, HtmlBody = html }.ToMessageBody();
        using var client = new SmtpClient();
        // StartTls, not StartTlsWhenAvailable: a server (or someone in between) that doesn't offer STARTTLS fails the
        // send instead of getting the password and the mail's links in clear.
        await client.ConnectAsync(smtp.Host, smtp.Port, smtp.UseStartTls ? SecureSocketOptions.StartTls : SecureSocketOptions.None, ct);
        if (!string.IsNullOrEmpty(smtp.UserName))
        {
            await client.AuthenticateAsync(smtp.UserName, smtp.Password ?? "", ct);
        }
        await client.SendAsync(mime, ct);
        await client.DisconnectAsync(true, ct);
    }
}
