using System.CommandLine;
using System.Text.Json;

namespace AuroraNode.Cli;

/// <summary><c>aurora-node users list|add|disable|enable|delete|passwd</c>: the users admin, with the token of <c>aurora-node login</c>.</summary>
internal static class UsersCommand
{
    public static Command Create()
    {
        var users = new Command("users", "Manage the mesh's users (needs `aurora-node login` as an admin)")
        {
            List(),
            Add(),
            SetDisabled("disable", true, "Disable a user: their sessions end at once and they can't log in"),
            SetDisabled("enable", false, "Enable a disabled user"),
            Delete(),
            Passwd(),
        };
        return users;
    }

    private static Command List()
    {
        var api = CliOptions.Api();
        var json = CliOptions.Json();
        var command = new Command("list", "List the users") { api, json };
        command.SetAction(async (result, ct) =>
        {
            if (await AuthApiClient.SendAsync(result.GetValue(api), HttpMethod.Get, "/api/v1/auth/users", null, ct) is not { } answer)
            {
                return AuroraCli.Failed;
            }

            if (result.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(answer, CliJson.Options));
                return AuroraCli.Ok;
            }

            var table = new TextTable("user", "roles", "status", "password changed");
            foreach (var u in answer.GetProperty("users").EnumerateArray())
            {
                table.Add(
                    u.GetProperty("username").GetString(),
                    string.Join(',', u.GetProperty("roles").EnumerateArray().Select(r => r.GetString())),
                    u.GetProperty("disabled").GetBoolean() ? "disabled" : "enabled",
                    $"{u.GetProperty("password_changed_at").GetDateTimeOffset():yyyy-MM-dd HH:mm} UTC");
            }

            table.WriteTo(Console.Out);
            return AuroraCli.Ok;
        });
        return command;
    }

    private static Command Add()
    {
        var api = CliOptions.Api();
        var name = new Argument<string>("name") { Description = "The new user's name (lower-case letters, digits, . _ -)" };
        var admin = new Option<bool>("--admin") { Description = "Give the user the admin role" };
        var command = new Command("add", "Add a user (password from stdin or a prompt)") { name, admin, api };
        command.SetAction(async (result, ct) =>
        {
            var user = result.GetValue(name)!;
            if (await ReadNewPasswordAsync(user) is not { } password)
            {
                return AuroraCli.Usage;
            }

            var roles = result.GetValue(admin) ? new[] { "admin" } : ["user"];
            return await Done(AuthApiClient.SendAsync(result.GetValue(api), HttpMethod.Post, "/api/v1/auth/users", new { username = user, password, roles }, ct), $"Added user {user}.");
        });
        return command;
    }

    private static Command SetDisabled(string verb, bool disabled, string description)
    {
        var api = CliOptions.Api();
        var name = new Argument<string>("name") { Description = "The user" };
        var command = new Command(verb, description) { name, api };
        command.SetAction((result, ct) => Done(
            AuthApiClient.SendAsync(result.GetValue(api), HttpMethod.Patch, $"/api/v1/auth/users/{Uri.EscapeDataString(result.GetValue(name)!)}", new { disabled }, ct),
            $"User {result.GetValue(name)} {(disabled ? "disabled" : "enabled")}."));
        return command;
    }

    private static Command Delete()
    {
        var api = CliOptions.Api();
        var name = new Argument<string>("name") { Description = "The user" };
        var command = new Command("delete", "Delete a user; their sessions end at once") { name, api };
        command.SetAction((result, ct) => Done(
            AuthApiClient.SendAsync(result.GetValue(api), HttpMethod.Delete, $"/api/v1/auth/users/{Uri.EscapeDataString(result.GetValue(name)!)}", null, ct),
            $"User {result.GetValue(name)} deleted."));
        return command;
    }

    private static Command Passwd()
    {
        var api = CliOptions.Api();
        var name = new Argument<string?>("name") { Description = "The user (default: the one logged in)", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("passwd", "Set a user's password (new password from stdin or a prompt); their other sessions end") { name, api };
        command.SetAction(async (result, ct) =>
        {
            var user = result.GetValue(name) ?? TokenFile.Read()?.User;
            if (user is null)
            {
                await Console.Error.WriteLineAsync("aurora-node: not logged in: run `aurora-node login` first");
                return AuroraCli.Failed;
            }

            // Changing one's own password proves the current one (on stdin: the current line, then the new one).
            var self = user == TokenFile.Read()?.User;
            var current = self ? await PasswordPrompt.ReadAsync("Current password: ") : null;
            if (await ReadNewPasswordAsync(user) is not { } password)
            {
                return AuroraCli.Usage;
            }

            return await Done(
                AuthApiClient.SendAsync(result.GetValue(api), HttpMethod.Post, $"/api/v1/auth/users/{Uri.EscapeDataString(user)}/password", new { password, current_password = current }, ct),
                $"Password of {user} changed; their other sessions ended.");
        });
        return command;
    }

    private static async Task<string?> ReadNewPasswordAsync(string user)
    {
        var password = await PasswordPrompt.ReadAsync($"New password for {user}: ");
        if (!Console.IsInputRedirected && password != await PasswordPrompt.ReadAsync("Again: "))
        {
            await Console.Error.WriteLineAsync("aurora-node: the two passwords differ; nothing changed");
            return null;
        }

        if (string.IsNullOrEmpty(password))
        {
            await Console.Error.WriteLineAsync("aurora-node: no password given (type it at the prompt, or pipe it on stdin)");
            return null;
        }

        return password;
    }

    private static async Task<int> Done(Task<JsonElement?> call, string message)
    {
        if (await call is null)
        {
            return AuroraCli.Failed;
        }

        Console.WriteLine(message);
        return AuroraCli.Ok;
    }
}
