using AuroraNode.Modules.Configuration;
using AuroraNode.Modules.Credentials;
using AuroraNode.Modules.Postgres.Rotation;
using AuroraNode.Modules.Data;
using AuroraNode.Modules.Health;
using AuroraNode.Modules.Postgres.Api;
using AuroraNode.Modules.Postgres.Failover;
using AuroraNode.Modules.Postgres.Migrations;
using AuroraNode.Modules.Postgres.Replication;
using Microsoft.AspNetCore.Routing;
using AuroraNode.Modules.Postgres.Server;
using Microsoft.Extensions.DependencyInjection;

namespace AuroraNode.Modules.Postgres;

/// <summary>The node's PostgreSQL: runs and supervises its own server (or connects to one), applies every module's migrations.</summary>
public sealed partial class PostgresModule : IAuroraModule
{
    public string Name => "postgres";

    public IReadOnlySet<NodeRole> Roles => NodeRoles.All;

    public string ConfigSection => "postgres";

    public void ConfigureServices(IServiceCollection services, ConfigReader config, NodeContext node)
    {
        var options = ReadOptions(config, node);
        services.AddSingleton(options);
        services.AddSingleton<PostgresDatabase>();
        services.AddSingleton<IDatabase>(sp => sp.GetRequiredService<PostgresDatabase>());
        if (options.Managed)
        {
            services.AddSingleton<PostgresServer>();
            services.AddHostedService(sp => sp.GetRequiredService<PostgresServer>());
        }

        services.AddHostedService<MigrationRunner>();
        services.AddSingleton<LeaderLease>();
        services.AddSingleton<FailoverState>();
        if (options.Managed)
        {
            services.AddSingleton(ReplicationMembers.Migrations);
            services.AddHostedService<ReplicationMembers>();
            services.AddHostedService<SyncStandbyManager>();
            services.AddHostedService<SlotWatch>();
            services.AddSingleton<Promotion>();
            services.AddSingleton<Switchover>();
            services.AddHostedService<ReplicationSupervisor>();
        }

        services.AddSingleton<ReplicationStatus>();
        services.AddSingleton<IReplicationState>(sp => sp.GetRequiredService<ReplicationStatus>());
        services.AddSingleton<IModuleHealth, PostgresHealth>();
        services.AddSingleton<IMeshSecretHolder, PostgresSecretRotation>();
    }

    public void MapEndpoints(IEndpointRouteBuilder app) => app.MapReplicationApi();

    private static PostgresOptions ReadOptions(ConfigReader config, NodeContext node)
    {
        var managed = config.Bool("managed", true);
        var port = config.Port("port", PostgresOptions.DefaultPort);
        var binDir = config.String("bin_dir");
        var osUser = config.String("os_user", "aurora")!;
        var database = config.String("database", "aurora")!;
        var connectionString = config.String("connection_string");
        var stopTimeout = config.Duration("stop_timeout", TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(1));
        var walKeep = config.String("max_slot_wal_keep_size", "2GB")!;
        if (!WalSize().IsMatch(walKeep))
        {
            config.Error("max_slot_wal_keep_size", $"expected a size like 512MB or 2GB, got '{walKeep}'");
        }

        var slotAlertPercent = config.Int("slot_alert_percent", 80, 1, 100);
        var replicationTimeout = config.Duration("replication_timeout", TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(2));
        var major = 0;
        if (managed)
        {
            (binDir, major) = ResolveBinaries(config, binDir);
        }
        else if (connectionString is null)
        {
            config.Error("connection_string", "required when postgres.managed is false: the server to use, like 'Host=10.0.0.1;Port=5432;Username=aurora;Password=...;Database=aurora'");
        }

        var replica = managed && node.LeadUrl is not null && !node.Roles.Contains(NodeRole.Lead);
        var noSync = config.Bool("nosync", false);
        var strict = config.Bool("sync_strict", false);
        return new PostgresOptions(managed, port, binDir ?? "", major, osUser, database, connectionString, stopTimeout, replica, noSync, strict, walKeep, slotAlertPercent, replicationTimeout, ReadFailover(config));
    }

    private static FailoverOptions ReadFailover(ConfigReader config)
    {
        var d = FailoverOptions.Default;
        var loop = config.Duration("loop_wait", d.LoopWait, TimeSpan.FromMilliseconds(100));
        var retry = config.Duration("retry_timeout", d.RetryTimeout, TimeSpan.FromMilliseconds(100));
        var ttl = config.Duration("ttl", d.Ttl, TimeSpan.FromSeconds(1));
        if (ttl < loop + 2 * retry)
        {
            // Patroni's rule: the primary must get two tries at renewing, a loop apart, before its lease can expire.
            config.Error("ttl", $"must be at least loop_wait + 2 × retry_timeout ({Durations.Format(loop + 2 * retry)}), got {Durations.Format(ttl)}");
        }

        var maxLag = config.String("maximum_lag_on_failover", "1MB")!;
        var maxLagBytes = ParseSize(maxLag);
        if (maxLagBytes is null)
        {
            config.Error("maximum_lag_on_failover", $"expected a size like 0, 16kB, 1MB or 1GB, got '{maxLag}'");
        }

        return new FailoverOptions(config.Bool("failover", d.Enabled), ttl, loop, retry, maxLagBytes ?? d.MaximumLagOnFailover, config.Bool("failover_allow_loss", d.AllowDataLoss));
    }

    private static long? ParseSize(string text)
    {
        var match = Size().Match(text);
        if (!match.Success)
        {
            return null;
        }

        var unit = match.Groups[2].Value.ToUpperInvariant() switch { "" or "B" => 1L, "KB" => 1024L, "MB" => 1024L * 1024, _ => 1024L * 1024 * 1024 };
        return long.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) * unit;
    }

    [System.Text.RegularExpressions.GeneratedRegex("^([0-9]+)(B|kB|KB|MB|GB)?$")]
    private static partial System.Text.RegularExpressions.Regex Size();

    private static (string? BinDir, int Major) ResolveBinaries(ConfigReader config, string? binDir)
    {
        if (binDir is not null)
        {
            if (!PostgresBinaries.HasServer(binDir))
            {
                config.Error("bin_dir", $"no PostgreSQL server binaries (postgres, initdb, pg_ctl) in {binDir}; point it at the folder that holds them, or leave it empty to search");
                return (binDir, 0);
            }
        }
        else
        {
            binDir = PostgresBinaries.Candidates().FirstOrDefault(PostgresBinaries.HasServer);
            if (binDir is null)
            {
                config.Error("bin_dir", "no PostgreSQL server binaries found (searched /usr/lib/postgresql/*/bin, Homebrew and PATH); install them (Debian/Ubuntu: apt-get install postgresql) or set postgres.bin_dir");
                return (null, 0);
            }
        }

        if (PostgresBinaries.MajorVersion(binDir) is not { } major)
        {
            config.Error("bin_dir", $"{binDir}/postgres --version did not run or printed no version; reinstall PostgreSQL or set postgres.bin_dir");
            return (binDir, 0);
        }

        return (binDir, major);
    }

    [System.Text.RegularExpressions.GeneratedRegex("^[1-9][0-9]*(MB|GB|TB)$")]
    private static partial System.Text.RegularExpressions.Regex WalSize();
}
