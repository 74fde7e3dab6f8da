using System.Text.Json;
using System.Text.Json.Serialization;

namespace AuroraNode.Cli;

/// <summary>
/// What <c>aurora-node login</c> saved: the API it logged in to and the tokens, in <c>~/.config/aurora-node/token</c>
/// (or under <c>$XDG_CONFIG_HOME</c>), mode 0600, replaced atomically.
/// </summary>
internal sealed record TokenFile(
    [property: JsonPropertyName("api")] string Api,
    [property: JsonPropertyName("user")] string User,
    [property: JsonPropertyName("access_token")] string AccessToken,
    [property: JsonPropertyName("refresh_token")] string RefreshToken)
{
    public static string FilePath
    {
        get
        {
            var configHome = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME") is { Length: > 0 } xdg
                ? xdg
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
            return Path.Combine(configHome, "aurora-node", "token");
        }
    }

    public static TokenFile? Read()
    {
        try
        {
            return File.Exists(FilePath) ? JsonSerializer.Deserialize<TokenFile>(File.ReadAllText(FilePath)) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public void Save()
    {
        var path = FilePath;
        var dir = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var temp = path + ".tmp";
        using (var stream = new FileStream(temp, new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        }))
        {
            JsonSerializer.Serialize(stream, this);
        }

        File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(temp, path, overwrite: true);
    }
}
