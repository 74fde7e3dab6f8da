namespace AuroraNode.Modules.Credentials;

/// <summary>
/// The node's secrets file (<c>data_dir/credentials</c>, mode 0600): generated passwords and, later, what the
/// node received when it joined the mesh. Values never reach a log.
/// </summary>
public interface INodeCredentials
{
    /// <summary>The value stored under <paramref name="key"/>, or null.</summary>
    string? Get(string key);

    /// <summary>The value under <paramref name="key"/>; a new strong random password is generated and saved first if there is none.</summary>
    string GetOrCreate(string key);

    /// <summary>Stores <paramref name="value"/> under <paramref name="key"/>; the file is replaced atomically.</summary>
    void Set(string key, string value);

    /// <summary>Stores every value in one atomic replacement of the file: all of them are saved, or none.</summary>
    void SetAll(IReadOnlyDictionary<string, string> updates);

    /// <summary>Stores <paramref name="updates"/> and removes the entries named in <paramref name="remove"/>, in one atomic replacement of the file.</summary>
    void SetAll(IReadOnlyDictionary<string, string> updates, IReadOnlyCollection<string> remove);
}
