using StackExchange.Redis;

namespace AuroraNode.Modules.Redis;

/// <summary>Parses <c>redis://[:password@]host[:port][/db]</c> (or <c>rediss://</c> for TLS) into client options.</summary>
internal static class RedisUrl
{
    public static bool TryParse(string text, out ConfigurationOptions options, out string error)
    {
        options = new ConfigurationOptions();
        error = "";
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != "redis" && uri.Scheme != "rediss") || uri.Host.Length == 0)
        {
            error = $"expected a URL like redis://:password@10.0.0.1:6380, got '{Redacted(text)}'";
            return false;
        }

        options.EndPoints.Add(uri.Host, uri.IsDefaultPort ? 6379 : uri.Port);
        options.Ssl = uri.Scheme == "rediss";
        if (uri.UserInfo.Length > 0)
        {
            var parts = uri.UserInfo.Split(':', 2);
            if (parts.Length == 2)
            {
                options.User = parts[0].Length > 0 ? Uri.UnescapeDataString(parts[0]) : null;
                options.Password = Uri.UnescapeDataString(parts[1]);
            }
            else
            {
                options.Password = Uri.UnescapeDataString(parts[0]);
            }
        }

        var path = uri.AbsolutePath.Trim('/');
        if (path.Length > 0)
        {
            if (!int.TryParse(path, out var db) || db < 0)
            {
                error = $"the database number after the last / must be a whole number, got '{path}'";
                return false;
            }

            options.DefaultDatabase = db;
        }

        return true;
    }

    /// <summary>The URL with its password replaced, for messages.</summary>
    public static string Redacted(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.UserInfo.Length > 0 ? text.Replace(uri.UserInfo, "***", StringComparison.Ordinal) : text;
}
