using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace AuroraNode.Tests.TestKit;

/// <summary>A logger that keeps what it is told, for tests that check what a class logs.</summary>
public sealed class RecordingLogger<T> : ILogger<T>
{
    private readonly ConcurrentQueue<(LogLevel Level, string Message)> entries = new();

    public IReadOnlyList<(LogLevel Level, string Message)> Entries => entries.ToList();

    public IReadOnlyList<string> Warnings => entries.Where(e => e.Level == LogLevel.Warning).Select(e => e.Message).ToList();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        entries.Enqueue((logLevel, formatter(state, exception)));
}
