using System.Collections.Concurrent;
using System.Diagnostics;
using AuroraNode.Tests.TestKit;
using Dapper;
using Npgsql;

namespace AuroraNode.Tests.Replication;

/// <summary>
/// A client that commits one row after another to whichever server takes writes (Npgsql's multi-host
/// <c>read-write</c> target), through failovers, and remembers every commit the server acknowledged and when.
/// </summary>
internal sealed class CommitWriter : IAsyncDisposable
{
    private const string CreateTable = "CREATE TABLE IF NOT EXISTS public.commit_probe (id bigint PRIMARY KEY, at timestamptz NOT NULL DEFAULT now())";

    private readonly string _connectionString;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    /// <summary>
    /// Creates the probe table on <paramref name="primary"/>, then commits through <paramref name="servers"/> (all of
    /// them as hosts, or just the primary when none are given) and returns once a few commits are acknowledged.
    /// </summary>
    public static async Task<CommitWriter> StartAsync(NodeProcess primary, params NodeProcess[] servers)
    {
        await using (var conn = await NodeDatabase.OpenAsync(primary))
        {
            await conn.ExecuteAsync(CreateTable);
        }

        var hosts = servers.Length == 0 ? null : string.Join(",", servers.Select(n => $"{n.Config.Address}:{n.Config.PostgresPort}"));
        var writer = new CommitWriter(NodeDatabase.ConnectionString(primary, hosts));
        await Registry.RegistryTests.WaitUntilAsync(async () => writer.Acknowledged.Count > 20);
        return writer;
    }

    /// <summary>Fails the test if a commit this writer saw acknowledged is missing on <paramref name="node"/>.</summary>
    public async Task AssertNoneLostOnAsync(NodeProcess node)
    {
        await using var conn = await NodeDatabase.OpenAsync(node);
        var present = (await conn.QueryAsync<long>("SELECT id FROM public.commit_probe")).ToHashSet();
        Assert.That(Acknowledged.Select(a => a.Id).Where(id => !present.Contains(id)), Is.Empty, $"every acknowledged commit is on {node.Config.Name}");
    }

    public CommitWriter(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Timeout = 2, CommandTimeout = 10 };
        if (builder.Host!.Contains(','))
        {
            (builder.TargetSessionAttributes, builder.HostRecheckSeconds) = ("read-write", 0);
        }

        _connectionString = builder.ConnectionString;
        _loop = Task.Run(() => RunAsync(_stop.Token));
    }

    /// <summary>Acknowledged commits: the time (on <see cref="Clock"/>) the acknowledgement arrived, and the port of the server that gave it.</summary>
    public ConcurrentQueue<(long Id, TimeSpan At, int Port)> Acknowledged { get; } = new();

    public Stopwatch Clock { get; } = Stopwatch.StartNew();

    /// <summary>When the server on <paramref name="port"/> first acknowledged a commit.</summary>
    public TimeSpan? FirstAcknowledgedBy(int port) => Acknowledged.Where(a => a.Port == port).Select(a => (TimeSpan?)a.At).FirstOrDefault();

    public async Task<TimeSpan> StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        return Clock.Elapsed;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await StopAsync();
        }

        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken ct)
    {
        long id = 0;
        NpgsqlConnection? conn = null;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                if (conn is null)
                {
                    conn = new NpgsqlConnection(_connectionString);
                    await conn.OpenAsync(ct);
                }

                id++;
                await conn.ExecuteAsync(new CommandDefinition("INSERT INTO public.commit_probe (id) VALUES (@id)", new { id }, cancellationToken: ct));
                Acknowledged.Enqueue((id, Clock.Elapsed, conn.Port));
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or OperationCanceledException or TimeoutException)
            {
                // Not acknowledged: the row may or may not exist. Reconnect to whichever server takes writes now.
                await (conn?.DisposeAsync() ?? ValueTask.CompletedTask);
                conn = null;
                await Task.Delay(20, CancellationToken.None);
            }
        }

        await (conn?.DisposeAsync() ?? ValueTask.CompletedTask);
    }
}
