using AuroraNode.Configuration;
using Serilog;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace AuroraNode.Hosting;

/// <summary>Serilog: console (text or compact JSON) and a daily rolling file under <c>data_dir/logs</c>, every event tagged with its module.</summary>
internal static class NodeLogging
{
    private const string TextTemplate = "{Timestamp:HH:mm:ss} {Level:u3} [{module}] {Message:lj}{NewLine}{Exception}";

    public static Serilog.Core.Logger Create(NodeSettings settings, LogCounter counter)
    {
        var level = settings.Logging.Level switch
        {
            "debug" => LogEventLevel.Debug,
            "warning" => LogEventLevel.Warning,
            "error" => LogEventLevel.Error,
            _ => LogEventLevel.Information,
        };
        var config = new LoggerConfiguration()
            .MinimumLevel.Is(level)
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.Hosting.Lifetime", LogEventLevel.Information)
            // The host logs a start-up failure with a stack trace; the node logs it as one line instead.
            .MinimumLevel.Override("Microsoft.Extensions.Hosting.Internal.Host", LogEventLevel.Fatal)
            .Enrich.FromLogContext()
            .Enrich.With<ModuleLogEnricher>()
            .Enrich.WithProperty("node", settings.Node.Name)
            .WriteTo.Sink(counter);
        config = settings.Logging.Json
            ? config.WriteTo.Console(new CompactJsonFormatter())
            : config.WriteTo.Console(outputTemplate: TextTemplate);
        if (settings.Logging.File)
        {
            config = config.WriteTo.File(
                new CompactJsonFormatter(),
                Path.Combine(settings.Node.DataDir, "logs", "aurora-node-.log"),
                rollingInterval: RollingInterval.Day,
                retainedFileCountLimit: settings.Logging.RetainedFiles);
        }

        return config.CreateLogger();
    }
}
