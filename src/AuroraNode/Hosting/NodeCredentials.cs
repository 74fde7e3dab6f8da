using System.Security.Cryptography;
using System.Text.Json;
using AuroraNode.Modules.Credentials;

namespace AuroraNode.Hosting;

/// <summary>
/// <c>data_dir/credentials</c>: a JSON object of generated secrets, mode 0600, replaced atomically (write a
/// temporary file, then rename) so a crash never leaves it half-written.
/// </summary>
internal sealed class NodeCredentials(string dataDir) : INodeCredentials
{
    private readonly Lock _gate = new();
    private Dictionary<string, string>? _values;

    public string FilePath { get; } = Path.Combine(dataDir, "credentials");

    public string? Get(string key)
    {
        lock (_gate)
        {
            return Values().GetValueOrDefault(key);
        }
    }

    public string GetOrCreate(string key)
    {
        lock (_gate)
        {
            if (Values().TryGetValue(key, out var value))
            {
                return value;
            }

            // 32 random bytes, base64url: safe inside SQL literals, redis.conf and URLs.
            value = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
            SetLocked(key, value);
            return value;
        }
    }

    public void Set(string key, string value) => SetAll(new Dictionary<string, string> { [key] = value });

    /// <summary>Stores every value in one replacement of the file: all of them are saved, or none.</summary>
    public void SetAll(IReadOnlyDictionary<string, string> updates) => SetAll(updates, []);

    /// <summary>Stores and removes in one replacement of the file.</summary>
    public void SetAll(IReadOnlyDictionary<string, string> updates, IReadOnlyCollection<string> remove)
    {
        lock (_gate)
        {
            var values = new Dictionary<string, string>(Values());
            foreach (var key in remove)
            {
                values.Remove(key);
            }

            foreach (var (key, value) in updates)
            {
                values[key] = value;
            }

            Write(values);
        }
    }

    private void SetLocked(string key, string value) => Write(new Dictionary<string, string>(Values()) { [key] = value });

    private void Write(Dictionary<string, string> values)
    {
        var temp = FilePath + ".tmp";
        using (var stream = new FileStream(temp, new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        }))
        {
            JsonSerializer.Serialize(stream, values, new JsonSerializerOptions { WriteIndented = true });
            stream.Flush(flushToDisk: true);
        }

        File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(temp, FilePath, overwrite: true);
        _values = values;
    }

    private Dictionary<string, string> Values()
    {
        if (_values is null)
        {
            try
            {
                _values = File.Exists(FilePath)
                    ? JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(FilePath)) ?? []
                    : [];
            }
            catch (JsonException ex)
            {
                throw new Modules.StartupException("node.data_dir", $"{FilePath} is not valid JSON ({ex.Message}); restore it from a backup (the node's passwords are in it)");
            }
        }

        return _values;
    }
}
