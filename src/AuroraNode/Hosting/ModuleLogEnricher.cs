using Serilog.Core;
using Serilog.Events;

namespace AuroraNode.Hosting;

/// <summary>Tags every log event with the module it came from (<c>module</c>: postgres, redis, ... or host), from the logger's category.</summary>
internal sealed class ModuleLogEnricher : ILogEventEnricher
{
    private const string Prefix = "AuroraNode.Modules.";

    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        var module = "host";
        if (logEvent.Properties.TryGetValue("SourceContext", out var value) && value is ScalarValue { Value: string context } && context.StartsWith(Prefix, StringComparison.Ordinal))
        {
            var rest = context[Prefix.Length..];
            var dot = rest.IndexOf('.', StringComparison.Ordinal);
            module = (dot < 0 ? rest : rest[..dot]).ToLowerInvariant();
        }

        logEvent.AddPropertyIfAbsent(propertyFactory.CreateProperty("module", module));
    }
}
