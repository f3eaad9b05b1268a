using System.Collections.Concurrent;
using Drawbridge.Accounts;
using Drawbridge.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Drawbridge.Tests.Security;

/// <summary>A production server with no SMTP server whose mail log lines are kept for the test to read.</summary>
public sealed class MailLogServer() : DrawbridgeServer(DatabaseKind.Sqlite, new Dictionary<string, string?> { ["Logging:LogLevel:Drawbridge.Accounts.Mailer"] = "Information" })
{
    public ConcurrentQueue<string> Lines { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureLogging(l => l.AddProvider(new KeepingProvider(Lines)));
    }

    private sealed class KeepingProvider(ConcurrentQueue<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Keeping(categoryName, lines);
        public void Dispose()
        {
        }
    }

    private sealed class Keeping(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (category == typeof(Mailer).FullName)
            {
                lines.Enqueue(formatter(state, exception));
            }
        }
    }
}

/// <summary>Outside Development, the log says a mail was due (to whom, what) but never holds its links.</summary>
public sealed class MailLogTests(MailLogServer server) : IClassFixture<MailLogServer>
{
    [Fact]
    public async Task The_log_names_the_mail_but_not_its_confirmation_link()
    {
        var user = await server.SignUpAsync($"maillog_{Guid.NewGuid():N}"[..16]);
        var mail = server.Services.GetRequiredService<Mailer>().Recent.Last(m => m.To == user.Email);
        Assert.Contains("http", mail.Body, StringComparison.Ordinal);

        var lines = server.Lines.Where(l => l.Contains(user.Email, StringComparison.Ordinal)).ToList();
        var line = Assert.Single(lines);
        Assert.Contains(mail.Subject, line, StringComparison.Ordinal);
        Assert.DoesNotContain("http", line, StringComparison.Ordinal);
        Assert.DoesNotContain(mail.Body, line, StringComparison.Ordinal);
    }
}
