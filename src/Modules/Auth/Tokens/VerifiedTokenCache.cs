using System.Collections.Concurrent;

namespace AuroraNode.Modules.Auth.Tokens;

/// <summary>
/// Tokens whose signature, issuer and audience already checked out, by their exact text: a client sends the same
/// token with every request for its whole lifetime, and an ECDSA verification costs ~100× a lookup. Entries are
/// tied to the key set's version (a dropped key re-verifies everything); times are checked on every use.
/// The whole cache is cleared when full: only validly signed tokens get in, so that is rare and cheap.
/// </summary>
internal sealed class VerifiedTokenCache(int capacity)
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new();
    private int _count;

    public AccessToken? Find(string token, long keysVersion) =>
        _entries.TryGetValue(token, out var entry) && entry.KeysVersion == keysVersion ? entry.Token : null;

    public void Add(string token, long keysVersion, AccessToken claims)
    {
        if (Interlocked.Increment(ref _count) > capacity)
        {
            _entries.Clear();
            Interlocked.Exchange(ref _count, 1);
        }

        _entries[token] = new Entry(claims, keysVersion);
    }

    private sealed record Entry(AccessToken Token, long KeysVersion);
}
