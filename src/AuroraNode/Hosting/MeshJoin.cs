using System.Net.Http.Json;
using System.Text.Json;
using AuroraNode.Configuration;
using AuroraNode.Modules;
using AuroraNode.Modules.Credentials;
using AuroraNode.Modules.Security;
using ILogger = Serilog.ILogger;

namespace AuroraNode.Hosting;

/// <summary>
/// A node with <c>mesh.lead_url</c> joins once: it presents <c>mesh.join_token</c> to the lead and stores what it
/// receives in <c>data_dir/credentials</c> in one atomic write; the lead enrolls the node's public key (<see cref="NodeSigningKey"/>). Later starts find the credentials and need no token.
/// </summary>
internal static class MeshJoin
{
    private static readonly TimeSpan RetryFor = TimeSpan.FromSeconds(60);

    public static async Task EnsureJoinedAsync(NodeSettings settings, NodeCredentials credentials, NodeSigningKey key, ILogger logger, CancellationToken ct)
    {
        if (settings.Node.LeadUrl is not { } lead)
        {
            return;
        }

        if (credentials.Get(CredentialKeys.MeshId) is { } meshId)
        {
            if (settings.Mesh.JoinToken is not null)
            {
                logger.Information("Already joined mesh {MeshId}; mesh.join_token is no longer needed and can be removed", meshId);
            }

            return;
        }

        if (settings.Mesh.JoinToken is not { } token)
        {
            throw new JoinRefusedException($"this node has not joined the mesh at {lead} yet: create a token there with `aurora-node join-token create` and set mesh.join_token");
        }

        logger.Information("Joining the mesh through {LeadUrl} as {Node}", lead, settings.Node.Name);
        var granted = await RequestAsync(lead, token, settings, key, logger, ct);
        granted[CredentialKeys.LeadUrl] = lead.ToString();
        credentials.SetAll(granted);
        logger.Information("Joined mesh {MeshId} through {LeadUrl}; its credentials are in {File}", granted[CredentialKeys.MeshId], lead, credentials.FilePath);
    }

    private static async Task<Dictionary<string, string>> RequestAsync(Uri lead, string token, NodeSettings settings, NodeSigningKey key, ILogger logger, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = lead, Timeout = TimeSpan.FromSeconds(10) };
        var body = new
        {
            token,
            name = settings.Node.Name,
            roles = settings.Node.Roles.Order().Select(r => r.ToConfigName()),
            advertise_address = settings.Node.AdvertiseAddress,
            public_key = key.PublicKey,
        };
        var until = DateTime.UtcNow + RetryFor;
        var delay = TimeSpan.FromMilliseconds(250);
        while (true)
        {
            try
            {
                using var response = await http.PostAsJsonAsync("/api/v1/join", body, ct);
                var answer = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
                if (response.IsSuccessStatusCode && answer.TryGetProperty("credentials", out var granted) && granted.ValueKind == JsonValueKind.Object)
                {
                    return granted.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "");
                }

                var detail = answer.ValueKind == JsonValueKind.Object && answer.TryGetProperty("detail", out var d) ? d.GetString() : null;
                if ((int)response.StatusCode >= 500 && DateTime.UtcNow < until)
                {
                    logger.Warning("The lead at {LeadUrl} could not take the join yet ({Status}: {Detail}); retrying", lead, (int)response.StatusCode, detail);
                }
                else
                {
                    throw new JoinRefusedException($"the lead at {lead} refused the join ({(int)response.StatusCode}): {detail ?? "no reason given"}");
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException && !ct.IsCancellationRequested)
            {
                if (DateTime.UtcNow >= until)
                {
                    throw new StartupException("mesh.lead_url", $"no lead answering at {lead} for {RetryFor.TotalSeconds:0} s ({ex.Message}); check mesh.lead_url and that the lead runs");
                }

                logger.Warning("No lead answering at {LeadUrl} ({Reason}); retrying", lead, ex.Message);
            }

            await Task.Delay(delay, ct);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
        }
    }
}
