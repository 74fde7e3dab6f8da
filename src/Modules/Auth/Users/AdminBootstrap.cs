using AuroraNode.Modules.Auth.Passwords;
using AuroraNode.Modules.Credentials;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace AuroraNode.Modules.Auth.Users;

/// <summary>
/// On the lead, while <c>auth.users</c> is empty: creates <c>admin</c> with a generated password, saves the password
/// in <c>data_dir/credentials</c> and prints it once on stdout (never into the log).
/// </summary>
internal sealed partial class AdminBootstrap(UserStore users, PasswordHasher hasher, INodeCredentials credentials, NodeContext node, ILogger<AdminBootstrap> logger) : IHostedService
{
    public const string AdminName = "admin";

    public async Task StartAsync(CancellationToken ct)
    {
        try
        {
            if (await users.AnyAsync(ct))
            {
                return;
            }

            var password = NewPassword();
            // Saved before the user exists: a crash between the two leaves a password to retry with, never an unknown one.
            credentials.Set(CredentialKeys.AuthAdminPassword, password);
            if (await users.CreateAsync(AdminName, hasher.Hash(password), [User.AdminRole], ct) is null)
            {
                return;
            }

            await Console.Out.WriteLineAsync($"""

                aurora-node: created the first user '{AdminName}' with password:

                    {password}

                It is saved in {node.DataDir}/credentials ({CredentialKeys.AuthAdminPassword}). Log in with `aurora-node login --user {AdminName}`
                and change it with `aurora-node users passwd {AdminName}`.

                """);
            LogCreated(logger, AdminName, CredentialKeys.AuthAdminPassword);
        }
        catch (NpgsqlException ex)
        {
            LogFailed(logger, ex.Message);
        }
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;

    // 24 characters of 56 letters and digits (~139 bits), no look-alikes or symbols: it survives shells and copy-paste.
    private static string NewPassword() =>
        System.Security.Cryptography.RandomNumberGenerator.GetString("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789", 24);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Created the first user {User}; its generated password was printed on stdout and saved in the credentials file under {Key}")]
    private static partial void LogCreated(ILogger logger, string user, string key);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not check for or create the first user: {Reason}")]
    private static partial void LogFailed(ILogger logger, string reason);
}
