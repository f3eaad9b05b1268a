using System.Buffers.Text;
using Drawbridge.Accounts;
using Drawbridge.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace Drawbridge.Tests;

/// <summary>Passkeys kept by Identity's store (a JSON column: jsonb on PostgreSQL, text on SQLite), on both providers.</summary>
public abstract class PasskeyStoreTests<TServer>(TServer server) : IClassFixture<TServer> where TServer : DrawbridgeServer
{
    [Fact]
    public async Task A_passkey_is_stored_listed_renamed_found_by_its_credential_and_removed()
    {
        var user = await server.SignUpAsync($"pks_{Guid.NewGuid():N}"[..16]);
        var credentialId = Guid.NewGuid().ToByteArray();
        await using var scope = server.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<User>>();
        var passkeys = scope.ServiceProvider.GetRequiredService<PasskeyService>();
        var owner = (await users.FindByEmailAsync(user.Email))!;
        var created = new DateTimeOffset(2026, 11, 26, 2, 30, 0, TimeSpan.Zero);
        Assert.True((await users.AddOrUpdatePasskeyAsync(owner, new UserPasskeyInfo(credentialId, [1, 2, 3], created, 0, ["internal", "hybrid"], true, true, false, [4], [5]) { Name = "Phone" })).Succeeded);

        var id = Base64Url.EncodeToString(credentialId);
        Assert.Equal([new PasskeyView(id, "Phone", created.UtcDateTime, Synced: false)], await passkeys.ListAsync(owner));
        Assert.True((await passkeys.RenameAsync(owner, id, "  Work phone  ")).Succeeded);
        var stored = await users.GetPasskeyAsync(owner, credentialId);
        Assert.Equal("Work phone", stored!.Name);
        Assert.Equal(new[] { "internal", "hybrid" }, stored.Transports);
        Assert.Equal(owner.Id, (await users.FindByPasskeyIdAsync(credentialId))?.Id);

        Assert.True((await passkeys.RemoveAsync(owner, id)).Succeeded);
        Assert.Empty(await passkeys.ListAsync(owner));
        Assert.Null(await users.FindByPasskeyIdAsync(credentialId));
    }
}

public sealed class SqlitePasskeyStoreTests(DrawbridgeServer server) : PasskeyStoreTests<DrawbridgeServer>(server);

public sealed class PostgresPasskeyStoreTests(PostgresDrawbridgeServer server) : PasskeyStoreTests<PostgresDrawbridgeServer>(server);
