using System.CommandLine;
using System.Net.Http.Json;
using System.Text.Json;

namespace AuroraNode.Cli;

/// <summary>
/// <c>aurora-node login [--api URL] [--user NAME]</c>: logs in (password from stdin or a prompt) and saves the tokens in
/// the user's config dir for the verbs that need them; <c>aurora-node logout</c> ends that session.
/// </summary>
internal static class LoginCommand
{
    public static Command Login()
    {
        var config = CliOptions.Config();
        var api = CliOptions.Api();
        var user = new Option<string>("--user", "-u") { Description = "The user to log in as", DefaultValueFactory = _ => "admin", HelpName = "NAME" };
        var command = new Command("login", "Log in to the mesh (password from stdin or a prompt); later verbs use the saved token") { user, config, api };
        command.SetAction((result, ct) => LoginAsync(CliOptions.ApiOf(result, api, config), result.GetValue(user)!, ct));
        return command;
    }

    public static Command Logout()
    {
        var api = CliOptions.Api();
        var command = new Command("logout", "End the session `aurora-node login` started (on every node) and forget its token") { api };
        command.SetAction(async (result, ct) =>
        {
            if (await AuthApiClient.SendAsync(result.GetValue(api), HttpMethod.Post, "/api/v1/auth/logout", null, ct) is null)
            {
                return AuroraCli.Failed;
            }

            File.Delete(TokenFile.FilePath);
            Console.WriteLine("Logged out.");
            return AuroraCli.Ok;
        });
        return command;
    }

    private static async Task<int> LoginAsync(string api, string user, CancellationToken ct)
    {
        var password = await PasswordPrompt.ReadAsync($"Password for {user}: ");
        if (string.IsNullOrEmpty(password))
        {
            await Console.Error.WriteLineAsync("aurora-node: no password given (type it at the prompt, or pipe it on stdin)");
            return AuroraCli.Usage;
        }

        if (await NodeApiClient.PostAsync(api, "/api/v1/auth/login", new { username = user, password }, ct) is not { } answer)
        {
            return AuroraCli.Failed;
        }

        new TokenFile(api, user, answer.GetProperty("access_token").GetString()!, answer.GetProperty("refresh_token").GetString()!).Save();
        Console.WriteLine($"Logged in to {api} as {user}; the token is saved in {TokenFile.FilePath}.");
        return AuroraCli.Ok;
    }
}
