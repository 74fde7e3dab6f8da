using System.Collections.Concurrent;
using System.Diagnostics;
using Npgsql;

namespace AuroraNode.Bench;

/// <summary>
/// Commits one row after another to whichever of the given servers takes writes (Npgsql multi-host, read-write),
/// through the failover, keeping every acknowledged id with when and by which server (port) it was acknowledged.
/// </summary>
internal sealed class FailoverWriter : IAsyncDisposable
{
    public const string CreateTable = "CREATE TABLE IF NOT EXISTS public.failover_probe (id bigint PRIMARY KEY)";

    private readonly string _connectionString;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public FailoverWriter(IEnumerable<int> ports, string password)
    {
        _connectionString = new NpgsqlConnectionStringBuilder
        {
            Host = string.Join(",", ports.Select(p => $"127.0.0.1:{p}")),
            Username = "postgres",
            Password = password,
            Database = "postgres",
            TargetSessionAttributes = "read-write",
            HostRecheckSeconds = 0,
            Pooling = false,
            Timeout = 2,
            CommandTimeout = 30,
        }.ConnectionString;
        _loop = Task.Run(RunAsync);
    }

    public Stopwatch Clock { get; } = Stopwatch.StartNew();

    public ConcurrentQueue<(long Id, TimeSpan At, int Port)> Acknowledged { get; } = new();

    public TimeSpan? FirstAcknowledgedBy(int port) => Acknowledged.Where(a => a.Port == port).Select(a => (TimeSpan?)a.At).FirstOrDefault();

    public static async Task CreateTableAsync(int port, string password, string database = "postgres")
    {
        await using var conn = new NpgsqlConnection($"Host=127.0.0.1;Port={port};Username=postgres;Password={password};Database={database};Pooling=false");
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(CreateTable, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>The acknowledged ids missing on the server at <paramref name="port"/>.</summary>
    public async Task<int> LostOnAsync(int port, string password)
    {
        await using var conn = new NpgsqlConnection($"Host=127.0.0.1;Port={port};Username=postgres;Password={password};Database=postgres;Pooling=false");
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT id FROM public.failover_probe", conn);
        var present = new HashSet<long>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            present.Add(reader.GetInt64(0));
        }

        return Acknowledged.Count(a => !present.Contains(a.Id));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        long id = 0;
        NpgsqlConnection? conn = null;
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                if (conn is null)
                {
                    conn = new NpgsqlConnection(_connectionString);
                    await conn.OpenAsync(_stop.Token);
                }

                id++;
                await using var cmd = new NpgsqlCommand("INSERT INTO public.failover_probe (id) VALUES ($1)", conn) { Parameters = { new() { Value = id } } };
                await cmd.ExecuteNonQueryAsync(_stop.Token);
                Acknowledged.Enqueue((id, Clock.Elapsed, conn.Port));
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or OperationCanceledException or TimeoutException)
            {
                await (conn?.DisposeAsync() ?? ValueTask.CompletedTask);
                conn = null;
                await Task.Delay(20);
            }
        }

        await (conn?.DisposeAsync() ?? ValueTask.CompletedTask);
    }
}
