namespace AuroraNode.Modules.Auth.Keys;

/// <summary>
/// The mesh's signing keys: the current one signs; older ones verify until <see cref="Prune"/> drops them once their
/// last tokens have expired. Changes swap a whole <see cref="KeySnapshot"/>.
/// </summary>
internal sealed class SigningKeys
{
    private readonly TimeProvider _time;
    private readonly Lock _writes = new();
    private volatile KeySnapshot _snapshot;

    /// <summary>A key set of the given keys (the newest unretired one signs), or of one new key when there are none.</summary>
    public SigningKeys(TimeProvider time, IEnumerable<SigningKey>? keys = null)
    {
        _time = time;
        var list = keys?.OrderByDescending(k => k.CreatedAt).ToList() ?? [];
        if (list.Count == 0 || list.All(k => k.RetiredAt is not null))
        {
            list.Insert(0, SigningKey.Create(time.GetUtcNow()));
        }

        var current = list.First(k => k.RetiredAt is null);
        _snapshot = new KeySnapshot(current, [current, .. list.Where(k => k != current)], 1);
    }

    public KeySnapshot Snapshot => _snapshot;

    public SigningKey Current => _snapshot.Current;

    /// <summary>Makes a new key current; the one before is retired now and keeps verifying.</summary>
    public SigningKey Rotate()
    {
        lock (_writes)
        {
            var now = _time.GetUtcNow();
            var old = _snapshot;
            var fresh = SigningKey.Create(now);
            var rest = old.Keys.Select(k => k == old.Current ? k with { RetiredAt = now } : k);
            _snapshot = new KeySnapshot(fresh, [fresh, .. rest], old.Version + 1);
            return fresh;
        }
    }

    /// <summary>
    /// Takes the key set as stored (the newest unretired key signs); keeps the snapshot, and with it the verified-token
    /// cache, when nothing changed. Returns true when the set changed.
    /// </summary>
    public bool Replace(IReadOnlyList<SigningKey> keys)
    {
        lock (_writes)
        {
            var old = _snapshot;
            var list = keys.OrderByDescending(k => k.CreatedAt).ToList();
            if (list.FirstOrDefault(k => k.RetiredAt is null) is not { } current)
            {
                throw new ArgumentException("the stored key set has no current key", nameof(keys));
            }

            SigningKey[] next = [current, .. list.Where(k => k != current)];
            if (next.Length == old.Keys.Length && next.Zip(old.Keys).All(p => p.First.KeyId == p.Second.KeyId && p.First.RetiredAt == p.Second.RetiredAt))
            {
                return false;
            }

            _snapshot = new KeySnapshot(current, next, old.Version + 1);
            return true;
        }
    }

    /// <summary>Drops keys retired longer than <paramref name="keepAfterRetired"/> ago (token lifetime plus clock skew); returns how many.</summary>
    public int Prune(TimeSpan keepAfterRetired)
    {
        var cutoff = _time.GetUtcNow() - keepAfterRetired;
        return Remove(k => k.RetiredAt is { } retired && retired <= cutoff);
    }

    /// <summary>Drops one retired key now (e.g. a compromised one); the current key cannot be dropped, rotate first.</summary>
    public bool Drop(string keyId) => Remove(k => k.KeyId == keyId && k.RetiredAt is not null) > 0;

    private int Remove(Func<SigningKey, bool> drop)
    {
        lock (_writes)
        {
            var old = _snapshot;
            var kept = old.Keys.Where(k => k == old.Current || !drop(k)).ToArray();
            if (kept.Length != old.Keys.Length)
            {
                _snapshot = old with { Keys = kept, Version = old.Version + 1 };
            }

            return old.Keys.Length - kept.Length;
        }
    }
}
