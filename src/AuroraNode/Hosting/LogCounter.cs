using AuroraNode.Modules.Health;
using Serilog.Core;
using Serilog.Events;

namespace AuroraNode.Hosting;

/// <summary>A Serilog sink that counts warnings and errors by module, for the health reports.</summary>
internal sealed class LogCounter : ILogEventSink, ILogCounts
{
    private readonly Lock _gate = new();
    private int _errors;
    private int _warnings;
    private Dictionary<string, int> _byModule = [];

    public void Emit(LogEvent logEvent)
    {
        if (logEvent.Level < LogEventLevel.Warning)
        {
            return;
        }

        var module = logEvent.Properties.TryGetValue("module", out var value) && value is ScalarValue { Value: string name } ? name : "host";
        lock (_gate)
        {
            if (logEvent.Level == LogEventLevel.Warning)
            {
                _warnings++;
            }
            else
            {
                _errors++;
            }

            _byModule[module] = _byModule.GetValueOrDefault(module) + 1;
        }
    }

    public LogCounts Take()
    {
        lock (_gate)
        {
            var counts = new LogCounts(_errors, _warnings, _byModule);
            (_errors, _warnings, _byModule) = (0, 0, []);
            return counts;
        }
    }
}
