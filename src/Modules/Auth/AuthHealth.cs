using AuroraNode.Modules.Auth.Keys;
using AuroraNode.Modules.Health;

namespace AuroraNode.Modules.Auth;

/// <summary>The auth module is running once the node holds the mesh's signing keys: until then it signs and verifies nothing.</summary>
internal sealed class AuthHealth(KeyStore store, SigningKeys keys) : IModuleHealth
{
    public string Module => "auth";

    public Task<ModuleHealthReport> CheckAsync(CancellationToken ct)
    {
        if (!store.IsLoaded)
        {
            return Task.FromResult(new ModuleHealthReport(
                store.LastError is null ? ModuleState.Starting : ModuleState.Failed,
                store.LastError is { } error ? $"signing keys not loaded: {error}" : "loading the signing keys"));
        }

        var snapshot = keys.Snapshot;
        return Task.FromResult(new ModuleHealthReport(ModuleState.Running, $"{snapshot.Keys.Length} signing key(s); {snapshot.Current.KeyId} signs",
            new Dictionary<string, object?> { ["keys"] = snapshot.Keys.Length, ["current_kid"] = snapshot.Current.KeyId }));
    }
}
