using AuroraNode.Configuration;
using AuroraNode.Modules.Health;

namespace AuroraNode.Hosting;

/// <summary>One module's line in the node's status.</summary>
internal sealed record ModuleStatusEntry(string Name, bool Loaded, ModuleState? State, string Detail, IReadOnlyDictionary<string, object?>? Data)
{
    public bool IsRunning => State == ModuleState.Running;
}

/// <summary>
/// The status of every module, from the modules' live checks. A snapshot is reused for <c>api.status_cache</c>
/// so a busy status endpoint doesn't turn into a stream of PostgreSQL and Redis round trips.
/// </summary>
internal sealed class ModuleStatus(IEnumerable<IModuleHealth> checks, IReadOnlyList<ModulePlan> plans, ApiSettings api, TimeProvider time) : IModuleStates
{
    private static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(3);
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private (DateTimeOffset At, IReadOnlyList<ModuleStatusEntry> Entries)? _snapshot;

    public async Task<IReadOnlyList<ModuleStatusEntry>> CurrentAsync(CancellationToken ct)
    {
        if (_snapshot is { } s && time.GetUtcNow() - s.At < api.StatusCacheFor)
        {
            return s.Entries;
        }

        await _refresh.WaitAsync(ct);
        try
        {
            if (_snapshot is { } again && time.GetUtcNow() - again.At < api.StatusCacheFor)
            {
                return again.Entries;
            }

            var entries = await CheckNowAsync(ct);
            _snapshot = (time.GetUtcNow(), entries);
            return entries;
        }
        finally
        {
            _refresh.Release();
        }
    }

    public async Task<IReadOnlyDictionary<string, ModuleState?>> ReadAsync(CancellationToken ct) =>
        (await CurrentAsync(ct)).ToDictionary(e => e.Name, e => e.State);

    public async Task<IReadOnlyList<ModuleStatusEntry>> CheckNowAsync(CancellationToken ct)
    {
        var byModule = checks.ToDictionary(c => c.Module);
        var entries = await Task.WhenAll(plans.Select(async plan =>
        {
            if (!plan.Loaded)
            {
                return new ModuleStatusEntry(plan.Name, false, null, plan.Reason ?? "not loaded", null);
            }

            if (!byModule.TryGetValue(plan.Name, out var check))
            {
                return new ModuleStatusEntry(plan.Name, true, ModuleState.Running, "loaded (no health check)", null);
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(CheckTimeout);
            try
            {
                var report = await check.CheckAsync(timeout.Token);
                return new ModuleStatusEntry(plan.Name, true, report.State, report.Detail, report.Data);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                return new ModuleStatusEntry(plan.Name, true, ModuleState.Failed, $"health check took longer than {CheckTimeout.TotalSeconds:0} s", null);
            }
        }));
        return entries;
    }
}
