using System.Net;
using Drawbridge.Tests.Infrastructure;
using Drawbridge.Tests.Web;

namespace Drawbridge.Tests.Security;

/// <summary>A server on a data directory of the test's choosing, so a second one can start on the same data.</summary>
public sealed class ServerOnDataDirectory(string dataDirectory)
    : DrawbridgeServer(DatabaseKind.Sqlite, new Dictionary<string, string?> { ["Drawbridge:DataDirectory"] = dataDirectory });

/// <summary>A restart keeps everyone signed in: the keys that protect the sign-in cookie live with the data.</summary>
public sealed class DataProtectionKeyTests
{
    private sealed class Stopper(DrawbridgeServer server) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await ((IAsyncLifetime)server).DisposeAsync();
    }

    private static Stopper Stopping(DrawbridgeServer server) => new(server);

    [Fact]
    public async Task A_sign_in_cookie_from_one_server_is_accepted_by_the_next_one_on_the_same_data()
    {
        var data = Path.Combine(Path.GetTempPath(), "drawbridge-tests", Guid.NewGuid().ToString("N"));
        try
        {
            var cookies = new CookieContainer();
            string email;
            var first = new ServerOnDataDirectory(data);
            await first.InitializeAsync();
            try
            {
                var user = await first.SignUpAsync($"keys_{Guid.NewGuid():N}"[..16]);
                email = user.Email;
                using var web = new WebSession(first, cookies);
                await web.SignInAsync(email);
                Assert.Equal(HttpStatusCode.OK, (await web.GetAsync("/settings/account")).Status);
            }
            finally
            {
                await ((IAsyncLifetime)first).DisposeAsync();
            }
            Assert.NotEmpty(Directory.GetFiles(Path.Combine(data, "keys"), "key-*.xml"));

            var second = new ServerOnDataDirectory(data);
            await second.InitializeAsync();
            await using var _ = Stopping(second);
            using var again = new WebSession(second, cookies);
            var (status, page) = await again.GetAsync("/settings/account");
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Contains(email, page.Body!.TextContent, StringComparison.Ordinal);

            // A server on other data has other keys: the same cookie is not a session there.
            var other = new DrawbridgeServer();
            await other.InitializeAsync();
            await using var __ = Stopping(other);
            using var elsewhere = new WebSession(other, cookies);
            Assert.Equal(HttpStatusCode.Redirect, (await elsewhere.GetAsync("/settings/account")).Status);
        }
        finally
        {
            try
            {
                Directory.Delete(data, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
