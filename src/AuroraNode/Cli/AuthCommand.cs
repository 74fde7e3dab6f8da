using System.CommandLine;

namespace AuroraNode.Cli;

/// <summary><c>aurora-node auth rotate-keys</c>: a new signing key for the mesh (needs <c>aurora-node login</c> as an admin).</summary>
internal static class AuthCommand
{
    public static Command Create()
    {
        var api = CliOptions.Api();
        var rotate = new Command("rotate-keys", "Make a new signing key current on every node; tokens of the old one stay valid until they expire") { api };
        rotate.SetAction(async (result, ct) =>
        {
            if (await AuthApiClient.SendAsync(result.GetValue(api), HttpMethod.Post, "/api/v1/auth/rotate-keys", null, ct) is not { } answer)
            {
                return AuroraCli.Failed;
            }

            Console.WriteLine($"Key {answer.GetProperty("kid").GetString()} signs from now on ({answer.GetProperty("keys").GetArrayLength()} key(s) verify).");
            return AuroraCli.Ok;
        });
        return new Command("auth", "The mesh's authentication") { rotate };
    }
}
