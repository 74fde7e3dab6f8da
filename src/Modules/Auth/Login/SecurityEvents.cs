using AuroraNode.Modules.Events;
using Microsoft.Extensions.Logging;

namespace AuroraNode.Modules.Auth.Login;

/// <summary>Security events (failed login, lockout, refresh-token reuse): logged, and published on <c>aurora:system:alert</c>.</summary>
internal sealed partial class SecurityEvents(IEventBus bus, ILogger<SecurityEvents> logger, TimeProvider time)
{
    public const string Type = "security_event";

    public async Task RaiseAsync(string kind, string severity, string user, string client, string detail, CancellationToken ct)
    {
        LogEvent(logger, kind, user, client, detail);
        try
        {
            await bus.PublishAsync(EventChannels.SystemAlert, EventEnvelope.Create(Type, bus.NodeName, time.GetUtcNow(), new
            {
                node = bus.NodeName,
                kind,
                severity,
                user,
                client,
                detail,
            }), ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The log line above is the record; a full outbox must not turn a refused login into an error.
            LogNotPublished(logger, kind, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Security event {Kind} for user {User} from {Client}: {Detail}")]
    private static partial void LogEvent(ILogger logger, string kind, string user, string client, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Security event {Kind} not published: {Reason}")]
    private static partial void LogNotPublished(ILogger logger, string kind, string reason);
}
