using System.Text.Json;
using AuroraNode.Modules.Postgres.Server;
using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace AuroraNode.Modules.Postgres.Failover;

/// <summary>
/// A planned switchover with zero loss: any node asks (<c>aurora-node promote</c> on the standby, <c>demote</c> on the
/// primary); the primary checks that the candidate is its synchronous standby and caught up, stops cleanly (its
/// replicas receive every last WAL record before it exits), hands the lease to the candidate, waits for it to be
/// promoted and then rejoins as its replica. When the candidate does not take over the primary takes the lease back.
/// </summary>
internal sealed partial class Switchover(
    PostgresServer server,
    PostgresDatabase database,
    NodeContext node,
    LeaderLease lease,
    ILogger<Switchover> logger,
    TimeProvider time)
{
    public const string ResultKey = LeaderLease.SwitchoverKey + ":result";

    // The candidate may be this far behind when asked; a clean stop then sends it the rest.
    private const long MaxLagBytes = 16 * 1024 * 1024;
    private static readonly TimeSpan PromoteWithin = TimeSpan.FromSeconds(30);

    /// <summary>On the primary: hand over to <paramref name="to"/> (default: the synchronous standby).</summary>
    public async Task<SwitchoverResult> RequestDemoteAsync(string? to, CancellationToken ct)
    {
        if (lease.Available && await lease.HolderAsync() is { } leader && leader != node.Name)
        {
            return SwitchoverResult.Refused($"this node is not the primary ({leader} is); run demote there, or promote on the standby");
        }

        return await RequestAsync(to ?? (lease.Available ? await lease.SyncStandbyAsync() : null), ct);
    }

    /// <summary>Asks the primary for a switchover to <paramref name="candidate"/> and waits for its outcome.</summary>
    public async Task<SwitchoverResult> RequestAsync(string? candidate, CancellationToken ct)
    {
        if (!lease.Available)
        {
            return SwitchoverResult.Refused("this node has no Redis, so there is no leader lease to hand over");
        }

        var leader = await lease.HolderAsync();
        var sync = await lease.SyncStandbyAsync();
        if (leader is null)
        {
            return SwitchoverResult.Refused("no node holds the leader lease right now (a failover may be under way); try again shortly");
        }

        if (candidate is null)
        {
            return SwitchoverResult.Refused($"{leader} has no synchronous standby to hand over to; one must stream and be caught up first");
        }

        if (candidate == leader)
        {
            return SwitchoverResult.Refused($"{candidate} is the primary already");
        }

        if (candidate != sync)
        {
            return SwitchoverResult.Refused($"{candidate} is not the synchronous standby ({sync ?? "there is none"}): only that node is known to hold every commit");
        }

        await lease.ClearResultAsync(ResultKey);
        if (!await lease.RequestSwitchoverAsync(candidate))
        {
            return SwitchoverResult.Refused("another switchover is in progress");
        }

        var started = time.GetUtcNow();
        while (time.GetUtcNow() - started < TimeSpan.FromSeconds(60))
        {
            if (await lease.ResultAsync(ResultKey) is { } json)
            {
                return JsonSerializer.Deserialize<SwitchoverResult>(json)! with { From = leader };
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), time, ct);
        }

        return SwitchoverResult.Refused($"the primary {leader} did not act on the request within 60 s");
    }

    /// <summary>On the primary: carries out a request. Returns the new primary's address once handed over, else null (refused, or taken back).</summary>
    public async Task<string?> HandOverAsync(string candidate, CancellationToken ct)
    {
        await lease.ClearSwitchoverAsync();
        if (await CheckAsync(candidate, ct) is { } reason)
        {
            LogRefused(candidate, reason);
            await lease.SetResultAsync(ResultKey, JsonSerializer.Serialize(SwitchoverResult.Refused(reason)));
            return null;
        }

        var address = (await lease.AddressOfAsync(candidate))!;
        var started = time.GetUtcNow();
        LogSwitchingOver(candidate);
        await server.StopForSwitchoverAsync();
        if (!await lease.HandOverAsync(node.Name, candidate))
        {
            await server.ResumeAsPrimaryAsync(ct);
            await lease.SetResultAsync(ResultKey, JsonSerializer.Serialize(SwitchoverResult.Refused("this node lost the leader lease before handing it over")));
            return null;
        }

        while (time.GetUtcNow() - started < PromoteWithin)
        {
            if (await IsPrimaryAsync(address, ct))
            {
                var took = time.GetUtcNow() - started;
                LogSwitchedOver(candidate, took.TotalMilliseconds);
                await lease.SetResultAsync(ResultKey, JsonSerializer.Serialize(new SwitchoverResult(true, $"{candidate} is the primary; {node.Name} rejoins as its replica", node.Name, candidate, took.TotalSeconds)));
                return address;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), time, ct);
        }

        if (await lease.HandOverAsync(candidate, node.Name))
        {
            await server.ResumeAsPrimaryAsync(ct);
            await lease.SetResultAsync(ResultKey, JsonSerializer.Serialize(SwitchoverResult.Refused($"{candidate} did not become primary within {PromoteWithin.TotalSeconds:0} s; {node.Name} took the lease back and is the primary again")));
            return null;
        }

        return address; // It promoted after all and holds the lease.
    }

    private async Task<string?> CheckAsync(string candidate, CancellationToken ct)
    {
        if (await lease.SyncStandbyAsync() != candidate)
        {
            return $"{candidate} is not the synchronous standby";
        }

        if (await lease.AddressOfAsync(candidate) is null)
        {
            return $"{candidate} has not published its server's address yet; try again in a few seconds";
        }

        await using var conn = await database.Reads.OpenConnectionAsync(ct);
        var lag = await conn.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::bigint FROM pg_stat_replication WHERE application_name = @Candidate AND state = 'streaming' AND sync_state = 'sync'",
            new { Candidate = candidate }, cancellationToken: ct));
        return lag switch
        {
            null => $"{candidate} does not stream from this primary as its synchronous standby",
            > MaxLagBytes => $"{candidate} lags {lag} bytes behind (more than {MaxLagBytes}); try again when it has caught up",
            _ => null,
        };
    }

    private Task<bool> IsPrimaryAsync(string address, CancellationToken ct) => PrimaryProbe.IsPrimaryAsync(address, server.AdminConnection("postgres", address), ct);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Switchover to {Candidate}: stopping this primary cleanly and handing over the lease")]
    private partial void LogSwitchingOver(string candidate);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Switchover done: {Candidate} is the primary after {Milliseconds:0} ms")]
    private partial void LogSwitchedOver(string candidate, double milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Switchover to {Candidate} refused: {Reason}")]
    private partial void LogRefused(string candidate, string reason);
}

/// <summary>The outcome of a switchover request, as <c>POST /api/v1/replication/switchover</c> answers it.</summary>
internal sealed record SwitchoverResult(
    [property: System.Text.Json.Serialization.JsonPropertyName("ok")] bool Ok,
    [property: System.Text.Json.Serialization.JsonPropertyName("detail")] string Detail,
    [property: System.Text.Json.Serialization.JsonPropertyName("from")] string? From = null,
    [property: System.Text.Json.Serialization.JsonPropertyName("to")] string? To = null,
    [property: System.Text.Json.Serialization.JsonPropertyName("seconds")] double? Seconds = null)
{
    public static SwitchoverResult Refused(string reason) => new(false, reason);
}
