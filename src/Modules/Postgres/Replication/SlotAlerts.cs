namespace AuroraNode.Modules.Postgres.Replication;

/// <summary>One physical replication slot as the primary sees it.</summary>
/// <param name="WalStatus">pg_replication_slots.wal_status: reserved, extended, unreserved or lost.</param>
/// <param name="RetainedBytes">WAL held back since the slot's restart_lsn (null once the slot lost it).</param>
internal sealed record SlotSample(string Slot, string? WalStatus, long? RetainedBytes);

/// <summary>An alert to raise or resolve for one slot.</summary>
internal sealed record SlotAlert(bool Raised, string Kind, string Slot, string Detail)
{
    public string Severity => Kind == SlotAlerts.Lost ? "critical" : "warning";
}

/// <summary>
/// Turns the primary's slots, read every few seconds, into one alert per incident: a slot near
/// <c>max_slot_wal_keep_size</c>, a slot that lost the WAL its replica needs, a slot dropped under a member.
/// Pure logic, so its rules are tested as a table.
/// </summary>
internal sealed class SlotAlerts(int nearPercent)
{
    public const string NearLimit = "replication_slot_near_limit";
    public const string Lost = "replication_slot_lost";
    public const string Dropped = "replication_slot_dropped";

    // Per slot, the incident open now (null: healthy).
    private readonly Dictionary<string, string?> _open = new(StringComparer.Ordinal);

    public IReadOnlyList<SlotAlert> Evaluate(IReadOnlyList<SlotSample> slots, long? limitBytes)
    {
        var alerts = new List<SlotAlert>();
        foreach (var slot in slots)
        {
            var kind = Classify(slot, limitBytes);
            var open = _open.GetValueOrDefault(slot.Slot);
            if (open != kind)
            {
                if (open is not null)
                {
                    alerts.Add(new SlotAlert(false, open, slot.Slot, $"slot {slot.Slot} is {Describe(kind)}"));
                }

                if (kind is not null)
                {
                    alerts.Add(new SlotAlert(true, kind, slot.Slot, Detail(kind, slot, limitBytes)));
                }
            }

            _open[slot.Slot] = kind;
        }

        var present = slots.Select(s => s.Slot).ToHashSet(StringComparer.Ordinal);
        foreach (var (slot, open) in _open.Where(o => !present.Contains(o.Key)).ToList())
        {
            if (open == Dropped)
            {
                continue;
            }

            if (open is not null)
            {
                alerts.Add(new SlotAlert(false, open, slot, $"slot {slot} was dropped"));
            }

            if (open == Lost)
            {
                _open.Remove(slot); // A lost slot is dropped on purpose: its replica clones the primary anew.
                continue;
            }

            alerts.Add(new SlotAlert(true, Dropped, slot, $"slot {slot} was dropped although its replica {ReplicaOf(slot)} may still need it; the primary creates it again for every member"));
            _open[slot] = Dropped;
        }

        return alerts;
    }

    /// <summary>Forgets every slot (the server is no longer the primary).</summary>
    public void Reset() => _open.Clear();

    private string? Classify(SlotSample slot, long? limitBytes) => slot.WalStatus switch
    {
        "lost" => Lost,
        "unreserved" => NearLimit,
        _ when limitBytes > 0 && slot.RetainedBytes * 100 >= limitBytes * nearPercent => NearLimit,
        _ => null,
    };

    private string Detail(string kind, SlotSample slot, long? limitBytes) => kind switch
    {
        Lost => $"slot {slot.Slot} lost WAL its replica {ReplicaOf(slot.Slot)} still needed (it held back more than max_slot_wal_keep_size); {ReplicaOf(slot.Slot)} clones the primary anew when it returns",
        _ => $"slot {slot.Slot} holds back {Mib(slot.RetainedBytes)} of WAL, at least {nearPercent}% of max_slot_wal_keep_size ({Mib(limitBytes)}): its replica {ReplicaOf(slot.Slot)} is away or behind and must clone anew if the slot reaches the limit",
    };

    private static string Describe(string? kind) => kind switch
    {
        null => "healthy again",
        Lost => "lost",
        _ => "near max_slot_wal_keep_size",
    };

    private static string ReplicaOf(string slot) => slot.StartsWith("replica_", StringComparison.Ordinal) ? slot["replica_".Length..] : slot;

    private static string Mib(long? bytes) => bytes is null ? "?" : $"{bytes.Value / (1024.0 * 1024):0.#} MiB";
}
